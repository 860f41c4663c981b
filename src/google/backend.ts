/**
 * The Google backend of the Node job: the register is a Google Sheet, read in one snapshot and
 * changed by applying the core's plan (apply.ts). Forms, Docs and Gmail adapters come next.
 */

import { planWrapUp, type WrapUpOutcome } from '../core/cycle';
import type { Plan, RawSubmission, Snapshot } from '../core/types';
import { applyToSheet, type SheetApplyResult } from './apply';
import { connect, docsClient, driveClient, gmailClient, sheetsClient } from './clients';
import { type SendResult, sendEmails } from './gmail';
import { type GooglePackResult, packToGoogle } from './pack';
import { httpStatusOf, RetryExhaustedError, withRetry } from './retry';
import { type SetupResult, setupSpreadsheet } from './setup';
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

/** Runs a call that is safe to repeat (a read, an overwrite by key) with retries; a final failure becomes a GoogleApiError. */
export async function safeCall<T>(label: string, call: () => Promise<T>): Promise<T> {
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
  return readSnapshot(api, spreadsheetId, safeCall);
}

/** Runs a call that must not be repeated blindly; a failure becomes a GoogleApiError. */
export async function once<T>(label: string, call: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(label, call, { safe: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new GoogleApiError(label, httpStatusOf(error), message, { cause: error });
  }
}

export interface GoogleRun<T> {
  outcome: T;
  result: SheetApplyResult;
  sheet: SheetSnapshot;
}

/**
 * One phase on a Google Sheet register: read the snapshot, let the core plan, apply the plan.
 * `plan` receives the snapshot and returns the plan plus whatever the command reports.
 */
export async function runGoogle<T extends { plan: Plan }>(
  spreadsheetId: string,
  plan: (snapshot: Snapshot) => T,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GoogleRun<T>> {
  const api = sheetsClient(connect(env));
  const sheet = await readSnapshot(api, spreadsheetId, safeCall);
  const outcome = plan(sheet.snapshot);
  const result = await applyToSheet(api, spreadsheetId, sheet, outcome.plan, {
    read: safeCall,
    write: safeCall,
    once,
  });
  return { outcome, result, sheet };
}

/** `milepost setup --backend google`: create or adopt the register, repairing what is missing. */
export async function setupGoogle(
  spreadsheetId: string | undefined,
  title: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SetupResult> {
  const api = sheetsClient(connect(env));
  return setupSpreadsheet(api, spreadsheetId, title, { read: safeCall, write: safeCall, once });
}

/** `milepost pack --backend google`: sync, then (re)build the meeting's Google Doc. */
export async function packGoogle(
  spreadsheetId: string,
  responses: RawSubmission[],
  now: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GooglePackResult & { sheet: SheetSnapshot }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const sheet = await readSnapshot(api, spreadsheetId, safeCall);
  const calls = { read: safeCall, write: safeCall, once };
  const result = await packToGoogle(api, spreadsheetId, sheet, responses, now, {
    docs: docsClient(c),
    drive: driveClient(c),
    calls,
    send: (emails) => sendEmails(gmailClient(c), emails, now, calls, { throttleMs: c.apiRoot ? 0 : 250 }),
  });
  return { ...result, sheet };
}

/**
 * `milepost wrap-up --backend google`: the key-items digest goes out by Gmail first, then the
 * meeting is marked Held (a stopped run finds the digest still to send; Gmail's sent mail
 * tells it whether it went already).
 */
export async function wrapUpGoogle(
  spreadsheetId: string,
  now: string,
  opts: { meeting?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ outcome: WrapUpOutcome; result: SheetApplyResult; emails: SendResult }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const calls = { read: safeCall, write: safeCall, once };
  const sheet = await readSnapshot(api, spreadsheetId, safeCall);
  const outcome = planWrapUp(sheet.snapshot, now, opts);
  const emails = await sendEmails(gmailClient(c), outcome.plan.emails, now, calls, {
    throttleMs: c.apiRoot ? 0 : 250,
  });
  const result = await applyToSheet(api, spreadsheetId, sheet, outcome.plan, calls);
  return { outcome, result, emails };
}
