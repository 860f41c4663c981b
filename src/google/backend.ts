/**
 * The Google backend of the Node job: the register is a Google Sheet. This release reads it
 * (validate, and sync/pack previews); applying plans to the Sheet comes with the Forms, Docs
 * and Gmail adapters.
 */

import { connect, sheetsClient } from './clients';
import { httpStatusOf, RetryExhaustedError, withRetry } from './retry';
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

/** A Google API call that failed for good: what was called, the HTTP status, Google's message. */
export class GoogleApiError extends Error {
  constructor(
    readonly label: string,
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (${status ? `HTTP ${status}, ` : ''}${label})`, options);
  }
}

/** Runs a read (safe to repeat) with retries; a final failure becomes a GoogleApiError. */
export async function safeRead<T>(label: string, call: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(label, call, { safe: true });
  } catch (error) {
    const last = error instanceof RetryExhaustedError ? error.cause : error;
    const message = last instanceof Error ? last.message : String(last);
    throw new GoogleApiError(label, httpStatusOf(last), message, { cause: error });
  }
}

export async function readGoogle(
  spreadsheetId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SheetSnapshot> {
  const api = sheetsClient(connect(env));
  return readSnapshot(api, spreadsheetId, safeRead);
}
