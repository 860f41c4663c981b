/**
 * The one factory that picks a runtime (core/port.ts): the local workspace, or a Google Sheet
 * for the Node job. Apps Script is not chosen here: the bundle runs inside the Sheet.
 */
import * as path from 'node:path';
import type { RuntimePort } from './core/port';
import type { Problem, RawSubmission } from './core/types';
import { spreadsheetIdFrom } from './google/backend';
import { GoogleRuntime } from './google/runtime';
import { readResponses } from './local/responses';
import { LocalRuntime } from './local/runtime';

export interface RuntimeOptions {
  /** 'local' (the default) or 'google'. */
  backend?: string;
  workspace: string;
  /** The Google Sheet (else MILEPOST_SPREADSHEET_ID). */
  spreadsheet?: string;
  /** Google only: a responses.jsonl of answers gathered outside the form, read with the form's own. */
  responses?: string;
  /** Local only: false writes the outbox and sends nothing (--no-send); default: send when MILEPOST_SMTP_HOST is set. */
  send?: boolean;
}

/** Options that name no runtime, or one that cannot take them. */
export class RuntimeChoiceError extends Error {}

export function backendOf(
  opts: Pick<RuntimeOptions, 'backend' | 'responses' | 'workspace'>,
): 'local' | 'google' {
  const b = opts.backend ?? 'local';
  if (b !== 'local' && b !== 'google')
    throw new RuntimeChoiceError(`--backend "${b}" is not one of local, google`);
  // Refused rather than ignored: the local backend's responses are its workspace's file.
  if (b === 'local' && opts.responses) {
    throw new RuntimeChoiceError(
      `--responses is for the Google backend (answers gathered outside the form); the local backend reads ${path.join(opts.workspace ?? '.', 'responses.jsonl')}: add the lines there`,
    );
  }
  return b;
}

export function createRuntime(opts: RuntimeOptions, env: NodeJS.ProcessEnv = process.env): RuntimePort {
  if (backendOf(opts) === 'local')
    return new LocalRuntime(opts.workspace, { send: opts.send !== false, env });
  // Refused rather than ignored: on Google every email goes through Gmail (--dry-run sends nothing).
  if (opts.send === false)
    throw new RuntimeChoiceError(
      '--no-send is for the local backend (it writes outbox/ and sends nothing); the Google backend sends by Gmail',
    );
  const file = opts.responses;
  const extra = async (): Promise<{ raw: RawSubmission[]; problems: Problem[] }> =>
    file ? readResponses(path.resolve(file)) : { raw: [], problems: [] };
  return new GoogleRuntime(spreadsheetIdFrom(opts.spreadsheet, env), extra, env);
}
