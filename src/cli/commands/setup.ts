import { setupGoogle } from '../../google/backend';
import { backendOf } from '../../runtime';
import { emitJson, type GlobalOptions, say, UsageError } from '../output';

export interface SetupOptions extends GlobalOptions {
  title?: string;
}

/**
 * Sets up the register on Google: a new spreadsheet, or the one given with --spreadsheet
 * (or MILEPOST_SPREADSHEET_ID). Safe to run again: it repairs what is missing.
 */
export async function setupCommand(opts: SetupOptions): Promise<number> {
  if (backendOf(opts) !== 'google') {
    throw new UsageError(
      'setup is for the Google backend (--backend google); a local workspace is made with `milepost init`.',
    );
  }
  const id = opts.spreadsheet?.trim() || process.env.MILEPOST_SPREADSHEET_ID?.trim() || undefined;
  const result = await setupGoogle(id, opts.title ?? 'Milestone register');
  if (result.created) say(`Created the register: spreadsheet ${result.spreadsheetId}`);
  if (result.actions.length) for (const a of result.actions) say(`  ${a}`);
  else say(`The register in spreadsheet ${result.spreadsheetId} is complete: nothing to do.`);
  emitJson(opts, result);
  return 0;
}
