/**
 * The meeting pack as a Google Doc: one document per meeting in the pack folder, rebuilt in
 * place on every run until the meeting (same id, same link), its link recorded in Meetings.
 * The document is found again by its link in Meetings, or else by its name in the folder, so
 * a run that stopped half-way never leaves a second document behind.
 */
import type { docs_v1 } from '@googleapis/docs';
import type { drive_v3 } from '@googleapis/drive';
import { type PackOutcome, planPack, planSettings } from '../core/cycle';
import { DASHBOARD_NOT_OURS, type DashboardPlan, dashboardFor, dashboardTabIsFree } from '../core/dashboard';
import { readRegister } from '../core/register';
import { type DocsRequest, docsBatches, renderDocsSteps } from '../core/render-docs';
import { upcomingMeeting } from '../core/schedule';
import type { Email, RawSubmission } from '../core/types';
import { applyToSheet, type SheetApplyResult } from './apply';
import { createChecked } from './checked';
import { writeDashboard } from './dashboard';
import type { SendResult } from './gmail';
import type { ApiCalls } from './retry';
import { httpStatusOf } from './retry';
import type { SheetSnapshot } from './sheets';

export const DOC_MIME = 'application/vnd.google-apps.document';
export const FOLDER_MIME = 'application/vnd.google-apps.folder';

export function packName(meetingDate: string): string {
  return `Milestone meeting pack ${meetingDate}`;
}

export function docUrl(id: string): string {
  return `https://docs.google.com/document/d/${id}/edit`;
}

export function docIdOf(link: string): string | undefined {
  return /\/document\/d\/([A-Za-z0-9_-]+)/.exec(link)?.[1];
}

/** Drive query text: quotes and backslashes escaped. */
function quoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface GooglePackResult {
  outcome: PackOutcome;
  result: SheetApplyResult;
  emails: SendResult;
  documentId?: string;
  url?: string;
  folderId?: string;
  /** The Dashboard tab as written (values and charts). */
  dashboard?: DashboardPlan;
  /** Why the Dashboard was not written (a tab of that name that is not Milepost's). */
  dashboardSkipped?: string;
}

interface Clients {
  docs: docs_v1.Docs;
  drive: drive_v3.Drive;
  calls: ApiCalls;
  /** Sends emails once each (Gmail, with a send check). */
  send: (emails: Email[]) => Promise<SendResult>;
  /** The size of one Docs batchUpdate call; DOCS_BATCH_LIMITS unless set (tests). */
  docsBatchLimits?: { bytes: number; requests: number };
}

/** What finding and making Drive files needs. */
export type DriveCalls = Pick<Clients, 'drive' | 'calls'>;

export async function findFile(
  c: DriveCalls,
  name: string,
  mimeType: string,
  parent?: string,
): Promise<string | undefined> {
  const q = [`name = ${quoted(name)}`, `mimeType = ${quoted(mimeType)}`, 'trashed = false'];
  if (parent) q.push(`${quoted(parent)} in parents`);
  const found = await c.calls.read('drive.files.list', () =>
    c.drive.files.list({ q: q.join(' and '), fields: 'files(id,name)', pageSize: 10 }),
  );
  return found.data.files?.[0]?.id ?? undefined;
}

/** Creates a file unless one of that name is already there: a lost answer never makes two. */
export async function ensureFile(
  c: DriveCalls,
  name: string,
  mimeType: string,
  parent?: string,
): Promise<string> {
  return createChecked(
    () => findFile(c, name, mimeType, parent),
    async () => {
      const made = await c.calls.once(`drive.files.create ${name}`, () =>
        c.drive.files.create({
          requestBody: { name, mimeType, ...(parent ? { parents: [parent] } : {}) },
          fields: 'id',
        }),
      );
      return made.data.id!;
    },
  );
}

export { DOCS_BATCH_LIMITS, docsBatches } from '../core/render-docs';

/**
 * Writes the pack into the document: clear the body, then insert, in as few batchUpdate calls
 * as `DOCS_BATCH_LIMITS` allow — the first call clears and starts writing. Re-running rebuilds
 * the same document (same id): every run starts with the clear.
 *
 * If the job stops between two calls, a reader of the document sees a partly built pack: its
 * last parts (the renderer writes last block first), maybe a table whose first rows are still
 * empty, and no title yet. The pack is not circulated or recorded in Meetings before it is
 * complete, and the next run clears and rebuilds it.
 *
 * Every call names the revision it was computed for (writeControl.requiredRevisionId), so a
 * call that is retried after its answer was lost is refused (400) instead of being applied
 * twice; the write then starts again from the clear, once. A person editing the document in
 * between has the same effect: the pack is rebuilt over their edit, as on every run.
 */
async function writeDocument(
  c: Clients,
  documentId: string,
  steps: DocsRequest[][],
  attempts = 2,
): Promise<void> {
  const read = () =>
    c.calls.read('documents.get', () =>
      c.docs.documents.get({ documentId, fields: 'revisionId,body(content(endIndex))' }),
    );
  const doc = await read();
  let revision = doc.data.revisionId ?? undefined;
  const end = Math.max(...(doc.data.body?.content ?? []).map((e) => e.endIndex ?? 1), 1);
  const clear: docs_v1.Schema$Request[] =
    end > 2 ? [{ deleteContentRange: { range: { startIndex: 1, endIndex: end - 1 } } }] : [];
  const batches = docsBatches(clear, steps, c.docsBatchLimits);
  for (const [i, requests] of batches.entries()) {
    try {
      const reply = await c.calls.write(`documents.batchUpdate ${i + 1}/${batches.length}`, () =>
        c.docs.documents.batchUpdate({
          documentId,
          requestBody: { requests, ...(revision ? { writeControl: { requiredRevisionId: revision } } : {}) },
        }),
      );
      revision = reply.data.writeControl?.requiredRevisionId ?? undefined;
    } catch (error) {
      // Refused because the document moved on since `revision` (our own call applied with its
      // answer lost, or an edit): start again from the clear.
      if (attempts > 1 && revision && httpStatusOf(error) === 400) {
        const now = (await read()).data.revisionId;
        if (now && now !== revision) return writeDocument(c, documentId, steps, attempts - 1);
      }
      throw error;
    }
  }
}

/**
 * Sync, then build the pack of the next meeting as a Google Doc. The Settings value
 * "Pack folder ID" names the folder; a folder "Milepost packs" is made (and recorded) if unset.
 */
export async function packToGoogle(
  sheetsApi: Parameters<typeof applyToSheet>[0],
  spreadsheetId: string,
  sheet: SheetSnapshot,
  responses: RawSubmission[],
  now: string,
  c: Clients,
): Promise<GooglePackResult> {
  const { register } = readRegister(sheet.snapshot);
  const meeting = upcomingMeeting(register, now);

  let folderId = register.settings.raw['Pack folder ID']?.trim() || undefined;
  let documentId: string | undefined;
  if (meeting) {
    if (!folderId) {
      folderId = await ensureFile(c, 'Milepost packs', FOLDER_MIME);
      const record = planSettings(register, { 'Pack folder ID': folderId });
      await applyToSheet(sheetsApi, spreadsheetId, sheet, record, c.calls);
    }
    documentId = docIdOf(meeting.pack) ?? (await ensureFile(c, packName(meeting.date), DOC_MIME, folderId));
  }
  const url = documentId ? docUrl(documentId) : undefined;
  const outcome = planPack(sheet.snapshot, responses, now, () => url ?? '');
  if (documentId && outcome.document) {
    await writeDocument(c, documentId, renderDocsSteps(outcome.document));
  }
  // The pack goes to the team before Meetings records it: once the link is recorded the pack
  // counts as circulated, so a run stopped in between must find the email still to send.
  const emails = await c.send(outcome.plan.emails);
  const result = await applyToSheet(sheetsApi, spreadsheetId, sheet, outcome.plan, c.calls);
  // Last: the pictures refresh once the register holds this pack's changes (dashboard.ts).
  const free = dashboardTabIsFree(sheet.snapshot);
  const dashboard =
    outcome.meeting && free ? dashboardFor(outcome.register, outcome.meeting.date, now) : undefined;
  if (dashboard) await writeDashboard(sheetsApi, spreadsheetId, dashboard, c.calls);
  const skipped = outcome.meeting && !free ? { dashboardSkipped: DASHBOARD_NOT_OURS } : {};
  return { outcome, result, emails, documentId, url, folderId, dashboard, ...skipped };
}
