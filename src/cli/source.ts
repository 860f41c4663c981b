/** Where a command reads the register from: the local workspace, or a Google Sheet. */
import * as path from 'node:path';
import type { Problem, RawSubmission, Snapshot } from '../core/types';
import { readGoogle, spreadsheetIdFrom } from '../google/backend';
import { readLocal } from '../local/backend';
import { readResponses } from '../local/responses';
import { type GlobalOptions, UsageError } from './output';

export interface RegisterSource {
  /** How the register is named in messages: a file path, or 'Google Sheet <id>'. */
  label: string;
  snapshot: Snapshot;
  responses: RawSubmission[];
  responseProblems: Problem[];
}

export function backendOf(opts: GlobalOptions): 'local' | 'google' {
  const b = opts.backend ?? 'local';
  if (b !== 'local' && b !== 'google') throw new UsageError(`--backend "${b}" is not one of local, google`);
  // Refused rather than ignored: the local backend's responses are its workspace's file.
  if (b === 'local' && opts.responses) {
    throw new UsageError(
      `--responses is for the Google backend (answers gathered outside the form); the local backend reads ${path.join(opts.workspace ?? '.', 'responses.jsonl')}: add the lines there`,
    );
  }
  return b;
}

/**
 * Submissions from --responses, on a Google register read with the form's own responses (e.g.
 * answers collected another way); none when the option is absent.
 */
export async function responsesFile(
  opts: GlobalOptions,
): Promise<{ raw: RawSubmission[]; problems: Problem[] }> {
  return opts.responses ? readResponses(path.resolve(opts.responses)) : { raw: [], problems: [] };
}

export async function readSource(opts: GlobalOptions): Promise<RegisterSource> {
  if (backendOf(opts) === 'local') {
    const read = await readLocal(opts.workspace);
    return { label: read.paths.register, ...read };
  }
  const id = spreadsheetIdFrom(opts.spreadsheet);
  const sheet = await readGoogle(id);
  const responses = await responsesFile(opts);
  return {
    label: `Google Sheet "${sheet.title}" (${id})`,
    snapshot: sheet.snapshot,
    responses: responses.raw,
    responseProblems: responses.problems,
  };
}
