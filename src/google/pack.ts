/**
 * The meeting pack as a Google Doc: one document per meeting in the pack folder, rebuilt in
 * place on every run until the meeting (same id, same link), its link recorded in Meetings.
 * The document is found again by its link in Meetings, or else by its name in the folder, so
 * a run that stopped half-way never leaves a second document behind.
 */
import type { docs_v1 } from '@googleapis/docs';
import type { drive_v3 } from '@googleapis/drive';
import { type PackOutcome, planPack } from '../core/cycle';
import { readRegister } from '../core/register';
import { renderDocsRequests } from '../core/render-docs';
import { upcomingMeeting } from '../core/schedule';
import type { Email, Plan, RawSubmission } from '../core/types';
import { applyToSheet, type SheetApplyResult, type SheetCalls } from './apply';
import type { SendResult } from './gmail';
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
}

interface Clients {
  docs: docs_v1.Docs;
  drive: drive_v3.Drive;
  calls: SheetCalls;
  /** Sends emails once each (Gmail, with a send check). */
  send: (emails: Email[]) => Promise<SendResult>;
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
  const existing = await findFile(c, name, mimeType, parent);
  if (existing) return existing;
  try {
    const made = await c.calls.once(`drive.files.create ${name}`, () =>
      c.drive.files.create({
        requestBody: { name, mimeType, ...(parent ? { parents: [parent] } : {}) },
        fields: 'id',
      }),
    );
    return made.data.id!;
  } catch (error) {
    const after = await findFile(c, name, mimeType, parent);
    if (after) return after;
    throw error;
  }
}

/** Writes the pack into the document: clear the body, then insert — one atomic batchUpdate. */
async function writeDocument(
  c: Clients,
  documentId: string,
  requests: docs_v1.Schema$Request[],
): Promise<void> {
  const doc = await c.calls.read('documents.get', () =>
    c.docs.documents.get({ documentId, fields: 'body(content(endIndex))' }),
  );
  const end = Math.max(...(doc.data.body?.content ?? []).map((e) => e.endIndex ?? 1), 1);
  const clear: docs_v1.Schema$Request[] =
    end > 2 ? [{ deleteContentRange: { range: { startIndex: 1, endIndex: end - 1 } } }] : [];
  // Clearing and writing as one request list: repeating it gives the same document.
  await c.calls.write('documents.batchUpdate', () =>
    c.docs.documents.batchUpdate({ documentId, requestBody: { requests: [...clear, ...requests] } }),
  );
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
      const record: Plan = {
        timeZone: register.settings.timeZone,
        writes: [
          {
            tab: 'Settings',
            ref: { by: 'key', header: 'Setting', value: 'Pack folder ID' },
            column: 'Value',
            value: folderId,
            previous: '',
          },
        ],
        appends: [],
        emails: [],
      };
      await applyToSheet(sheetsApi, spreadsheetId, sheet, record, c.calls);
    }
    documentId = docIdOf(meeting.pack) ?? (await ensureFile(c, packName(meeting.date), DOC_MIME, folderId));
  }
  const url = documentId ? docUrl(documentId) : undefined;
  const outcome = planPack(sheet.snapshot, responses, now, () => url ?? '');
  if (documentId && outcome.document) {
    await writeDocument(c, documentId, renderDocsRequests(outcome.document) as docs_v1.Schema$Request[]);
  }
  // The pack goes to the team before Meetings records it: once the link is recorded the pack
  // counts as circulated, so a run stopped in between must find the email still to send.
  const emails = await c.send(outcome.plan.emails);
  const result = await applyToSheet(sheetsApi, spreadsheetId, sheet, outcome.plan, c.calls);
  return { outcome, result, emails, documentId, url, folderId };
}
