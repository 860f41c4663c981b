/**
 * The Google backend of the Node job: the register is a Google Sheet, read in one snapshot and
 * changed by applying the core's plan (apply.ts); the update form is a Google Form (forms.ts),
 * the pack a Google Doc (pack.ts), emails go through Gmail (gmail.ts).
 */

import {
  formWatermark,
  missingTabs,
  planPack,
  planRequests,
  planSettings,
  planSync,
  planWrapUp,
  type RequestOutcome,
  type SyncOutcome,
  type WrapUpOutcome,
  watermarkAfter,
} from '../core/cycle';
import { formResponders, formSpec } from '../core/form';
import { readRegister } from '../core/register';
import { upcomingMeeting } from '../core/schedule';
import type { Plan, Problem, RawSubmission, Register, Snapshot } from '../core/types';
import { applyToSheet, recoverSheet, type SheetApplyResult } from './apply';
import { createChecked } from './checked';
import { connect, docsClient, driveClient, formsClient, gmailClient, sheetsClient } from './clients';
import {
  applyFormSpec,
  createForm,
  FORM_MIME,
  type FormCalls,
  type FormState,
  formName,
  readForm,
  readResponses,
  shareWithResponders,
} from './forms';
import { type SendResult, sendEmails } from './gmail';
import {
  DOC_MIME,
  type DriveCalls,
  docIdOf,
  docUrl,
  ensureFile,
  FOLDER_MIME,
  findFile,
  type GooglePackResult,
  packName,
  packToGoogle,
} from './pack';
import type { ApiCalls } from './retry';
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

/**
 * The answers a sync would read now — the form's responses since the watermark, plus the
 * `extra` lines — with reads only (the watermark does not move): what `sync --dry-run` and
 * `validate` plan with, so a dry run shows the changes the real sync would apply.
 */
export async function readGoogleResponses(
  snapshot: SheetSnapshot['snapshot'],
  extra: { raw: RawSubmission[]; problems: Problem[] },
  env: NodeJS.ProcessEnv = process.env,
): Promise<GoogleResponses> {
  const { register } = readRegister(snapshot);
  return formResponses({ forms: formsClient(connect(env)), calls: CALLS }, register, extra);
}

/**
 * The register, read for a run that will write to it: a plan a stopped run left in the journal
 * is finished first (journal.ts), so every run starts from a register whose changes are recorded.
 */
async function readForWrite(
  api: ReturnType<typeof sheetsClient>,
  spreadsheetId: string,
): Promise<SheetSnapshot> {
  const read = await readSnapshot(api, spreadsheetId, safeCall);
  return recoverSheet(api, spreadsheetId, read, { read: safeCall, write: safeCall, once });
}

/**
 * The register as a phase reads it: for a run that writes, with a stopped run's plan finished
 * first (readForWrite); for a dry run, as it is, with reads only.
 */
function readFor(
  api: ReturnType<typeof sheetsClient>,
  spreadsheetId: string,
  opts: { dryRun?: boolean },
): Promise<SheetSnapshot> {
  return opts.dryRun ? readSnapshot(api, spreadsheetId, safeCall) : readForWrite(api, spreadsheetId);
}

/** What a dry run applied and sent: nothing. */
const NOTHING_APPLIED: { result: SheetApplyResult; emails: SendResult } = {
  result: { writes: 0, appends: 0, conflicts: [] },
  emails: { sent: [], skipped: [] },
};

/**
 * `pack --dry-run` on Google: the pack planned on the Sheet as it is, into the meeting's Doc when
 * Meetings links one (else a new Doc in the pack folder); nothing created, written or sent.
 */
async function previewPack(
  c: ReturnType<typeof connect>,
  sheet: SheetSnapshot,
  responses: GoogleResponses,
  now: string,
): Promise<GooglePackResult> {
  const { register } = readRegister(sheet.snapshot);
  const meeting = upcomingMeeting(register, now);
  const folderId = register.settings.raw['Pack folder ID']?.trim() || undefined;
  const documentId =
    meeting &&
    (docIdOf(meeting.pack) ??
      (folderId
        ? await findFile({ drive: driveClient(c), calls: CALLS }, packName(meeting.date), DOC_MIME, folderId)
        : undefined));
  const url = documentId ? docUrl(documentId) : undefined;
  const planned = planPack(sheet.snapshot, responses.raw, now, () => url ?? '(the new Google Doc)');
  const outcome = { ...planned, problems: [...responses.problems, ...planned.problems] };
  return { outcome, ...NOTHING_APPLIED, ...(documentId ? { documentId } : {}), ...(url ? { url } : {}) };
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
  const sheet = await readForWrite(api, spreadsheetId);
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
): Promise<SetupResult & { formId: string; responderUri: string; folderId: string }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const calls = CALLS;
  const setup = await setupSpreadsheet(api, spreadsheetId, title, calls);
  const sheet = await readForWrite(api, setup.spreadsheetId);
  const { register } = readRegister(sheet.snapshot);
  const f: FormCalls = { forms: formsClient(c), calls };
  const d: DriveCalls = { drive: driveClient(c), calls };
  const actions = [...setup.actions];

  // The update form: found by its id in Settings, else by its name in Drive, else created.
  const name = formName(sheet.title);
  let form = await existingForm(f, d, register.settings.raw['Form ID']?.trim(), name);
  if (!form) {
    const id = await createChecked(
      () => findFile(d, name, FORM_MIME),
      () => createForm(f, 'Milestone update', name),
      { looked: true },
    );
    form = await readForm(f, id);
    actions.push(`created the update form ${id}`);
  }
  const wasLive = form.published && form.accepting && form.verified && form.items.length > 0;
  const sent = await applyFormSpec(
    f,
    form,
    formSpec(register, upcomingMeeting(register, new Date().toISOString())),
  );
  if (!wasLive || sent) actions.push('update form: items, verified email collection, published');
  const shared = await shareWithResponders(d, form.formId, formResponders(register));
  if (shared.added.length || shared.removed.length) {
    actions.push(
      `update form shared with ${shared.added.length} responder(s)${shared.removed.length ? `, ${shared.removed.length} removed` : ''}`,
    );
  }

  const folderId =
    register.settings.raw['Pack folder ID']?.trim() || (await ensureFile(d, 'Milepost packs', FOLDER_MIME));
  const record = planSettings(register, {
    'Form ID': form.formId,
    'Form base URL': form.responderUri,
    'Pack folder ID': folderId,
  });
  if (record.writes.length) {
    await applyToSheet(api, setup.spreadsheetId, sheet, record, calls);
    actions.push(
      `Settings: recorded ${record.writes.map((w) => `"${w.ref.by === 'key' ? w.ref.value : ''}"`).join(', ')}`,
    );
  }
  return { ...setup, actions, formId: form.formId, responderUri: form.responderUri, folderId };
}

const CALLS: ApiCalls = { read: safeCall, write: safeCall, once };

async function existingForm(
  f: FormCalls,
  d: DriveCalls,
  id: string | undefined,
  name: string,
): Promise<FormState | undefined> {
  const found = id || (await findFile(d, name, FORM_MIME));
  if (!found) return undefined;
  try {
    return await readForm(f, found);
  } catch (error) {
    if (error instanceof GoogleApiError && error.status === 404 && id) {
      const byName = await findFile(d, name, FORM_MIME);
      return byName ? readForm(f, byName) : undefined;
    }
    throw error;
  }
}

/** The update form of a register set up by `milepost setup`; a clear error otherwise. */
function formIdOf(register: Register): string {
  const id = register.settings.raw['Form ID']?.trim();
  if (!id) {
    throw new GoogleConfigError(
      'The register has no update form yet (Settings "Form ID" is empty): run `milepost setup --backend google --spreadsheet ID` first.',
    );
  }
  return id;
}

export interface GoogleResponses {
  raw: RawSubmission[];
  problems: Problem[];
  /** The submit time of the newest form response read (not of --responses lines). */
  newest?: string;
  read: number;
}

/**
 * The form's responses since the watermark ("Form responses synced to" in Settings), plus the
 * lines of a --responses file if one is given.
 */
export async function formResponses(
  f: FormCalls,
  register: Register,
  extra: { raw: RawSubmission[]; problems: Problem[] } = { raw: [], problems: [] },
): Promise<GoogleResponses> {
  const id = register.settings.raw['Form ID']?.trim();
  if (!id) return { ...extra, read: 0 };
  const got = await readResponses(f, id, register, formWatermark(register));
  return {
    raw: [...got.submissions, ...extra.raw],
    problems: extra.problems,
    read: got.read,
    ...(got.watermark ? { newest: got.watermark } : {}),
  };
}

/**
 * Moves the watermark once the sync's plan is in, unless rows conflicted: the responses behind
 * a conflict must be read again by the next sync (ingestion skips what was already applied).
 */
async function advanceWatermark(
  api: ReturnType<typeof sheetsClient>,
  spreadsheetId: string,
  sheet: SheetSnapshot,
  responses: GoogleResponses,
  result: SheetApplyResult,
): Promise<void> {
  const moved = watermarkAfter(readRegister(sheet.snapshot).register, responses.newest, result.conflicts);
  if (moved) await applyToSheet(api, spreadsheetId, sheet, moved, CALLS);
}

/** `milepost sync --backend google`: form responses (and --responses lines) into the register. */
export async function syncGoogle(
  spreadsheetId: string,
  extra: { raw: RawSubmission[]; problems: Problem[] },
  now: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GoogleRun<SyncOutcome> & { responsesRead: number }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const sheet = await readForWrite(api, spreadsheetId);
  const { register } = readRegister(sheet.snapshot);
  const responses = await formResponses({ forms: formsClient(c), calls: CALLS }, register, extra);
  const planned = planSync(sheet.snapshot, responses.raw, now);
  const outcome = { ...planned, problems: [...responses.problems, ...planned.problems] };
  const result = await applyToSheet(api, spreadsheetId, sheet, outcome.plan, CALLS);
  await advanceWatermark(api, spreadsheetId, sheet, responses, result);
  return { outcome, result, sheet, responsesRead: responses.read };
}

/**
 * `milepost request --backend google`: the form is rebuilt for the next meeting, then each
 * owner is emailed their pre-filled link (reminders: only those who have not responded), then
 * Meetings records it. A run stopped at any point is finished by running it again: the form
 * rebuild sends only what differs, Gmail's sent mail stops a second send.
 */
export async function requestGoogle(
  spreadsheetId: string,
  now: string,
  opts: { reminders?: boolean; throttleMs?: number; dryRun?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<GoogleRun<RequestOutcome> & { emails: SendResult; formId: string; formRequests: number }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const sheet = await readFor(api, spreadsheetId, opts);
  const { register } = readRegister(sheet.snapshot);
  const f: FormCalls = { forms: formsClient(c), calls: CALLS };
  const form = await readForm(f, formIdOf(register));
  const outcome = planRequests(sheet.snapshot, now, {
    ...(opts.reminders ? { reminders: true } : {}),
    responderUri: form.responderUri,
  });
  if (opts.dryRun) return { outcome, ...NOTHING_APPLIED, sheet, formId: form.formId, formRequests: 0 };
  const formRequests = outcome.form ? await applyFormSpec(f, form, outcome.form) : 0;
  // Owners can answer only once the form is shared with them: before the links go out.
  await shareWithResponders({ drive: driveClient(c), calls: CALLS }, form.formId, formResponders(register));
  const emails = await sendEmails(gmailClient(c), outcome.plan.emails, now, CALLS, {
    throttleMs: opts.throttleMs ?? c.gmailSpacingMs,
  });
  const result = await applyToSheet(api, spreadsheetId, sheet, outcome.plan, CALLS);
  return { outcome, result, sheet, emails, formId: form.formId, formRequests };
}

/** `milepost pack --backend google`: sync (form responses too), then (re)build the meeting's Google Doc. */
export async function packGoogle(
  spreadsheetId: string,
  lines: RawSubmission[] | { raw: RawSubmission[]; problems: Problem[] },
  now: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: { dryRun?: boolean } = {},
): Promise<GooglePackResult & { sheet: SheetSnapshot }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const sheet = await readFor(api, spreadsheetId, opts);
  const { register } = readRegister(sheet.snapshot);
  const extra = Array.isArray(lines) ? { raw: lines, problems: [] } : lines;
  const responses = await formResponses({ forms: formsClient(c), calls: CALLS }, register, extra);
  if (opts.dryRun) return { ...(await previewPack(c, sheet, responses, now)), sheet };
  const result = await packToGoogle(api, spreadsheetId, sheet, responses.raw, now, {
    docs: docsClient(c),
    drive: driveClient(c),
    calls: CALLS,
    send: (emails) => sendEmails(gmailClient(c), emails, now, CALLS, { throttleMs: c.gmailSpacingMs }),
  });
  await advanceWatermark(api, spreadsheetId, sheet, responses, result.result);
  const problems = [...responses.problems, ...result.outcome.problems];
  return { ...result, outcome: { ...result.outcome, problems }, sheet };
}

/**
 * `milepost wrap-up --backend google`: the key-items digest goes out by Gmail first, then the
 * meeting is marked Held (a stopped run finds the digest still to send; Gmail's sent mail
 * tells it whether it went already).
 */
export async function wrapUpGoogle(
  spreadsheetId: string,
  now: string,
  opts: { meeting?: string; dryRun?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ outcome: WrapUpOutcome; result: SheetApplyResult; emails: SendResult }> {
  const c = connect(env);
  const api = sheetsClient(c);
  const calls = CALLS;
  let sheet = await readFor(api, spreadsheetId, opts);
  let outcome = planWrapUp(sheet.snapshot, now, opts);
  // A dry run adds no tab either: the plan says which rows the Actions tab would get.
  if (opts.dryRun) return { outcome, ...NOTHING_APPLIED };
  if (missingTabs(outcome.plan, sheet.snapshot).length) {
    // A register made before the Actions tab: setup adds what the layout has and the Sheet lacks
    // (nothing else is touched), then the wrap-up is planned again on the Sheet as it is now.
    await setupSpreadsheet(api, spreadsheetId, '', calls);
    sheet = await readForWrite(api, spreadsheetId);
    outcome = planWrapUp(sheet.snapshot, now, opts);
  }
  const emails = await sendEmails(gmailClient(c), outcome.plan.emails, now, calls, {
    throttleMs: c.gmailSpacingMs,
  });
  const result = await applyToSheet(api, spreadsheetId, sheet, outcome.plan, calls);
  return { outcome, result, emails };
}
