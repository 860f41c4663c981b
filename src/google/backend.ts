/**
 * The Google backend of the Node job: the register is a Google Sheet. This release reads it
 * (validate, and sync/pack previews); applying plans to the Sheet comes with the Forms, Docs
 * and Gmail adapters.
 */

import { connect, sheetsClient } from './clients';
import { withRetry } from './retry';
import { readSnapshot, type SheetSnapshot } from './sheets';

export class GoogleConfigError extends Error {}

export function spreadsheetIdFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const id = option?.trim() || env.MILEPOST_SPREADSHEET_ID?.trim();
  if (!id) {
    throw new GoogleConfigError(
      "No spreadsheet: pass --spreadsheet ID (the long id in the Sheet's URL) or set MILEPOST_SPREADSHEET_ID.",
    );
  }
  return id;
}

export async function readGoogle(
  spreadsheetId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SheetSnapshot> {
  const api = sheetsClient(connect(env));
  return readSnapshot(api, spreadsheetId, (label, call) => withRetry(label, call, { safe: true }));
}
