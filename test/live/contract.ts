/**
 * The contract between Milepost and Google: each Google behaviour the Node job relies on, as a
 * check that runs against any Workspace API root — Google itself (`MILEPOST_LIVE=1 npm run
 * test:live`, with the job's own credentials) or the emulator (the same checks, in CI:
 * contract.test.ts). Emulator and Google answer to one contract: when a check passes on the
 * emulator and fails on Google, the emulator is kinder than Google and the code built on it is
 * wrong — that row is what to report.
 *
 * Everything a run creates lives in one scratch Drive folder, made first and trashed last (the
 * spreadsheet, the form, the document are moved into it), whatever fails in between. The one
 * exception is Gmail: one message to the signed-in account itself, which stays in its mailbox
 * (the job's scopes may send and read mail, not delete it).
 */
import type { docs_v1 } from '@googleapis/docs';
import type { drive_v3 } from '@googleapis/drive';
import type { forms_v1 } from '@googleapis/forms';
import type { gmail_v1 } from '@googleapis/gmail';
import type { sheets_v4 } from '@googleapis/sheets';
import { keyIndex } from '../../src/core/cells';
import { prefilledUrl } from '../../src/core/form';
import type { Cell } from '../../src/core/types';
import {
  connect,
  docsClient,
  driveClient,
  formsClient,
  type GoogleConnection,
  gmailClient,
  sheetsClient,
} from '../../src/google/clients';

export interface Clients {
  sheets: sheets_v4.Sheets;
  drive: drive_v3.Drive;
  forms: forms_v1.Forms;
  docs: docs_v1.Docs;
  gmail: gmail_v1.Gmail;
}

/** What a check found: pass, fail, or not run (with why), and what was observed. */
export interface Outcome {
  result: 'pass' | 'fail' | 'not run';
  observed: string;
}

export interface Scratch {
  clients: Clients;
  /** The scratch folder everything goes into. */
  folderId: string;
  /** A spreadsheet in the folder, made once for the Sheets checks. */
  spreadsheet: () => Promise<{ id: string; sheetId: number }>;
  /** A form in the folder, made once for the Forms checks. */
  form: () => Promise<string>;
  /** The responder page of a form (its published HTML), or why it cannot be had. */
  formPage: (url: string) => Promise<{ html?: string; why?: string }>;
  /** An address to grant a responder permission to (not the signed-in account). */
  responder?: string;
  /** A unique suffix for this run. */
  run: string;
}

export interface Check {
  id: string;
  behaviour: string;
  /** Google's page title and the sentence quoted, or "undocumented" and what is assumed. */
  source: string;
  run: (s: Scratch) => Promise<Outcome>;
}

/** Moves a file Milepost made into the scratch folder (Drive allows one parent: the old one goes). */
async function moveInto(drive: drive_v3.Drive, fileId: string, folderId: string): Promise<void> {
  const got = await drive.files.get({ fileId, fields: 'parents' });
  await drive.files.update({
    fileId,
    addParents: folderId,
    removeParents: (got.data.parents ?? []).join(','),
    fields: 'id',
  });
}

const pass = (observed: string): Outcome => ({ result: 'pass', observed });
const fail = (observed: string): Outcome => ({ result: 'fail', observed });
const expectThat = (ok: boolean, observed: string): Outcome => (ok ? pass(observed) : fail(observed));

/** The status and message of a failed call, in Google's error shape. */
function errorOf(error: unknown): { status?: number; message: string } {
  const e = error as {
    status?: number;
    code?: number | string;
    response?: { status?: number };
    message?: string;
  };
  const status = e.response?.status ?? e.status ?? (typeof e.code === 'number' ? e.code : undefined);
  return { ...(status ? { status } : {}), message: String(e.message ?? error).slice(0, 160) };
}

const TAB = 'Contract';
const range = (a1: string) => `'${TAB}'!${a1}`;

async function values(s: Scratch, a1: string): Promise<Cell[][]> {
  const { id } = await s.spreadsheet();
  const got = await s.clients.sheets.spreadsheets.values.get({
    spreadsheetId: id,
    range: range(a1),
    valueRenderOption: 'UNFORMATTED_VALUE',
    dateTimeRenderOption: 'SERIAL_NUMBER',
  });
  return (got.data.values ?? []) as Cell[][];
}

async function write(s: Scratch, a1: string, rows: Cell[][], input: 'RAW' | 'USER_ENTERED' = 'RAW') {
  const { id } = await s.spreadsheet();
  await s.clients.sheets.spreadsheets.values.update({
    spreadsheetId: id,
    range: range(a1),
    valueInputOption: input,
    requestBody: { values: rows },
  });
}

/** One spreadsheets.batchUpdate on the scratch spreadsheet. */
async function batch(s: Scratch, requests: sheets_v4.Schema$Request[]): Promise<void> {
  const { id } = await s.spreadsheet();
  await s.clients.sheets.spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests } });
}

/** A createDeveloperMetadata request (document-visible). */
function metadata(
  key: string,
  value: string,
  location: sheets_v4.Schema$DeveloperMetadataLocation,
): sheets_v4.Schema$Request {
  return {
    createDeveloperMetadata: {
      developerMetadata: { metadataKey: key, metadataValue: value, location, visibility: 'DOCUMENT' },
    },
  };
}

/** Rows with keys K-1…K-5 in A and a value in B, laid out afresh for a row check. */
async function keyedRows(s: Scratch): Promise<void> {
  const { id, sheetId } = await s.spreadsheet();
  await s.clients.sheets.spreadsheets.values.clear({ spreadsheetId: id, range: range('A1:Z100') });
  await s.clients.sheets.spreadsheets
    .batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            deleteDeveloperMetadata: {
              dataFilter: { developerMetadataLookup: { locationType: 'ROW', metadataLocation: { sheetId } } },
            },
          },
        ],
      },
    })
    .catch(() => undefined);
  await write(s, 'A1:B6', [
    ['Key', 'Value'],
    ['K-3', 'c'],
    ['K-1', 'a'],
    ['K-5', 'e'],
    ['K-2', 'b'],
    ['K-4', 'd'],
  ]);
}

/** Where Milepost finds K-3 now: by its key column, in a fresh read (src/google/apply.ts). */
async function findK3(s: Scratch): Promise<Outcome> {
  const rows = (await values(s, 'A2:B20')).filter((r) => r.length);
  const column = rows.map((r) => r[0] ?? null);
  const hits = keyIndex(column, 'UTC')('k-3');
  if (hits.length !== 1) return fail(`K-3 found on ${hits.length} rows`);
  const row = rows[hits[0]!]!;
  return expectThat(row[1] === 'c', `K-3 on row ${hits[0]! + 2}, beside "${row[1] ?? ''}"`);
}

export const CHECKS: Check[] = [
  {
    id: 'sheets.raw-text',
    behaviour: 'Sheets: RAW input keeps "=1+1" and "+44 20 7946 0000" as text',
    source:
      'Sheets API "ValueInputOption": "RAW — The values the user has entered will not be parsed and will be stored as-is."',
    async run(s) {
      await write(s, 'A1:B1', [['=1+1', '+44 20 7946 0000']]);
      const got = await values(s, 'A1:B1');
      const [a, b] = got[0] ?? [];
      return expectThat(
        a === '=1+1' && b === '+44 20 7946 0000',
        `read back ${JSON.stringify(got[0] ?? [])}`,
      );
    },
  },
  {
    id: 'sheets.serial-dates',
    behaviour: 'Sheets: a date reads back as a serial number (days since 1899-12-30) with SERIAL_NUMBER',
    source:
      'Sheets API "DateTimeRenderOption": "SERIAL_NUMBER — Instructs date, time, datetime, and duration fields to be output as doubles in \\"serial number\\" format, as popularized by Lotus 1-2-3."',
    async run(s) {
      await write(s, 'A1', [['2025-12-09']], 'USER_ENTERED');
      const got = (await values(s, 'A1'))[0]?.[0];
      return expectThat(got === 46_000, `"2025-12-09" entered, read back ${JSON.stringify(got)}`);
    },
  },
  {
    id: 'sheets.trailing-empty',
    behaviour: 'Sheets: values.get leaves out trailing empty cells and rows',
    source: 'Sheets API "ValueRange": "For output, empty trailing rows and columns will not be included."',
    async run(s) {
      const { id } = await s.spreadsheet();
      await s.clients.sheets.spreadsheets.values.clear({ spreadsheetId: id, range: range('A1:Z100') });
      await write(s, 'A1:C3', [
        ['a', '', ''],
        ['b', 'c', ''],
        ['', '', ''],
      ]);
      const got = await values(s, 'A1:C3');
      return expectThat(
        JSON.stringify(got) === JSON.stringify([['a'], ['b', 'c']]),
        `read back ${JSON.stringify(got)}`,
      );
    },
  },
  {
    id: 'sheets.rows-after-insert-delete',
    behaviour: 'Sheets: after rows are inserted and deleted, a row is found again by its key column',
    source:
      'Milepost finds rows by key in a read made just before each write (README "Why a run can be stopped")',
    async run(s) {
      await keyedRows(s);
      const { sheetId } = await s.spreadsheet();
      await batch(s, [
        { insertDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 1, endIndex: 3 } } },
        { deleteDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 5, endIndex: 6 } } },
      ]);
      return findK3(s);
    },
  },
  {
    id: 'sheets.rows-after-sort',
    behaviour:
      'Sheets: after a sort, a row is found again by its key column; whether row metadata moves with the row is recorded',
    source:
      'Undocumented: whether developer metadata on a row follows it in a sortRange. Milepost relies on neither reading (no per-row metadata); the emulator takes "stays".',
    async run(s) {
      await keyedRows(s);
      const { id, sheetId } = await s.spreadsheet();
      // K-3 is on row 2 (index 1): tag that row, sort by Value, see where the tag is.
      await batch(s, [
        metadata(`milepost.contract.${s.run}`, 'K-3', {
          dimensionRange: { sheetId, dimension: 'ROWS', startIndex: 1, endIndex: 2 },
        }),
        {
          sortRange: {
            range: { sheetId, startRowIndex: 1, endRowIndex: 6, startColumnIndex: 0, endColumnIndex: 2 },
            sortSpecs: [{ dimensionIndex: 1, sortOrder: 'ASCENDING' }],
          },
        },
      ]);
      const found = await findK3(s);
      const meta = await s.clients.sheets.spreadsheets.developerMetadata.search({
        spreadsheetId: id,
        requestBody: {
          dataFilters: [{ developerMetadataLookup: { metadataKey: `milepost.contract.${s.run}` } }],
        },
      });
      const at =
        meta.data.matchedDeveloperMetadata?.[0]?.developerMetadata?.location?.dimensionRange?.startIndex;
      const follows =
        at === 3 ? 'follows the row' : at === 1 ? 'stays where it was' : `is on row index ${at}`;
      return { result: found.result, observed: `${found.observed}; row metadata ${follows}` };
    },
  },
  {
    id: 'sheets.metadata-limit',
    behaviour: 'Sheets: developer metadata beyond 30,000 characters on a sheet is refused',
    source:
      'Sheets API guide "Read and write developer metadata" (size limits): the keys and values of a spreadsheet\'s metadata, and of each sheet\'s, are limited to 30,000 characters',
    async run(s) {
      const { sheetId } = await s.spreadsheet();
      try {
        await batch(s, [metadata('milepost.contract.big', 'x'.repeat(30_001), { sheetId })]);
        return fail('30,001 characters of metadata were accepted');
      } catch (error) {
        const e = errorOf(error);
        return expectThat(e.status === 400, `refused: ${e.status} ${e.message}`);
      }
    },
  },
  {
    id: 'forms.chosen-ids',
    behaviour: 'Forms: items and questions keep the ids Milepost chooses (8 hex digits)',
    source:
      'Forms API "Item": "itemId — The item ID. On creation, it can be provided but the ID must not be already used in the form. If not provided, a new ID is assigned."',
    async run(s) {
      const formId = await s.form();
      const got = await s.clients.forms.forms.get({ formId });
      const item = got.data.items?.find((i) => i.itemId === '0c0ffee1');
      const qid = item?.questionItem?.question?.questionId;
      return expectThat(
        qid === '0000abcd',
        `item ${item ? '0c0ffee1 kept' : 'not found'}, question id ${qid}`,
      );
    },
  },
  {
    id: 'forms.grid-row-ids',
    behaviour: 'Forms: each row of a grid question keeps its own chosen question id',
    source:
      'Forms API "QuestionGroupItem": "questions[] — Required. A list of questions that belong in this question group. A question must only belong to one group."',
    async run(s) {
      const formId = await s.form();
      const got = await s.clients.forms.forms.get({ formId });
      const grid = got.data.items?.find((i) => i.itemId === '0c0ffee2');
      const ids = grid?.questionGroupItem?.questions?.map((q) => q.questionId) ?? [];
      return expectThat(ids.join(',') === '0000abce,0000abcf', `grid rows ${ids.join(', ') || 'none'}`);
    },
  },
  {
    id: 'forms.verified-email',
    behaviour: 'Forms: the form collects verified email addresses',
    source:
      'Forms API "FormSettings": "emailCollectionType — Optional. The setting that determines whether the form collects email addresses from respondents." (VERIFIED)',
    async run(s) {
      const formId = await s.form();
      const got = await s.clients.forms.forms.get({ formId });
      const type = got.data.settings?.emailCollectionType;
      return expectThat(type === 'VERIFIED', `emailCollectionType ${type}`);
    },
  },
  {
    id: 'forms.publish',
    behaviour: 'Forms: a form made unpublished is published and accepts responses after setPublishSettings',
    source:
      'Forms API guide "Publish and manage responders": "You can publish an existing form with the forms.setPublishSettings method."',
    async run(s) {
      const formId = await s.form();
      await s.clients.forms.forms.setPublishSettings({
        formId,
        requestBody: { publishSettings: { publishState: { isPublished: true, isAcceptingResponses: true } } },
      });
      const got = await s.clients.forms.forms.get({ formId });
      const state = got.data.publishSettings?.publishState;
      return expectThat(
        state?.isPublished === true && state?.isAcceptingResponses === true,
        `isPublished ${state?.isPublished}, isAcceptingResponses ${state?.isAcceptingResponses}`,
      );
    },
  },
  {
    id: 'forms.responders',
    behaviour: 'Drive: a responder is granted as a reader permission with view "published", and taken away',
    source:
      'Forms API guide "Publish and manage responders", "Share your form with more responders": Drive permissions.create, role reader, view published',
    async run(s) {
      if (!s.responder) {
        return {
          result: 'not run',
          observed: "set MILEPOST_LIVE_RESPONDER to a colleague's address to run it",
        };
      }
      const formId = await s.form();
      const made = await s.clients.drive.permissions.create({
        fileId: formId,
        sendNotificationEmail: false,
        fields: 'id,role,view,emailAddress',
        requestBody: { type: 'user', role: 'reader', view: 'published', emailAddress: s.responder },
      });
      const list = await s.clients.drive.permissions.list({
        fileId: formId,
        fields: 'permissions(id,role,view,emailAddress)',
      });
      const granted = list.data.permissions?.find((p) => p.id === made.data.id);
      await s.clients.drive.permissions.delete({ fileId: formId, permissionId: made.data.id! });
      const after = await s.clients.drive.permissions.list({ fileId: formId, fields: 'permissions(id)' });
      const gone = !after.data.permissions?.some((p) => p.id === made.data.id);
      return expectThat(
        granted?.role === 'reader' && granted?.view === 'published' && gone,
        `granted ${granted?.role}/${granted?.view}; ${gone ? 'removed' : 'still there after delete'}`,
      );
    },
  },
  {
    id: 'forms.prefill',
    behaviour: 'Forms: a pre-filled link names each question as entry.<question id read as hexadecimal>',
    source:
      'Undocumented in the Forms API (it has no pre-fill method); Apps Script "FormResponse.toPrefilledUrl()" builds the same links. Checked on the form\'s own page.',
    async run(s) {
      const formId = await s.form();
      const got = await s.clients.forms.forms.get({ formId });
      const url = prefilledUrl(got.data.responderUri ?? '', { '0000abcd': 'hello' });
      const page = await s.formPage(url);
      if (!page.html)
        return { result: 'not run', observed: `${page.why}; open ${url} and check "hello" is filled in` };
      const decimal = String(0x0000abcd);
      return expectThat(
        page.html.includes(`entry.${decimal}`) || page.html.includes(`[${decimal},`),
        `the page ${page.html.includes(decimal) ? 'names' : 'does not name'} entry.${decimal}`,
      );
    },
  },
  {
    id: 'forms.section-order',
    behaviour:
      'Forms: a batch that creates sections first and sets the branching to them last is accepted; whether a forward reference is, recorded',
    source:
      'Undocumented: whether forms.batchUpdate validates requests one by one or as a whole. Milepost orders them for the stricter reading (src/google/forms.ts formRequests); the emulator takes it.',
    async run(s) {
      const made = await s.clients.forms.forms.create({
        unpublished: true,
        requestBody: {
          info: {
            title: `Milepost contract order ${s.run}`,
            documentTitle: `Milepost contract order ${s.run}`,
          },
        },
      });
      const formId = made.data.formId!;
      await moveInto(s.clients.drive, formId, s.folderId);
      const who = (goTo: boolean) => ({
        itemId: '00000001',
        title: 'Who is updating?',
        questionItem: {
          question: {
            questionId: '00000002',
            choiceQuestion: {
              type: 'RADIO',
              options: [{ value: 'Ann', ...(goTo ? { goToSectionId: '00000010' } : {}) }],
            },
          },
        },
      });
      const section = {
        createItem: { location: { index: 0 }, item: { itemId: '00000010', title: 'Ann', pageBreakItem: {} } },
      };
      let forward: string;
      try {
        await s.clients.forms.forms.batchUpdate({
          formId,
          requestBody: {
            requests: [
              { createItem: { location: { index: 0 }, item: who(true) } },
              { ...section, createItem: { ...section.createItem, location: { index: 1 } } },
            ],
          },
        });
        forward = 'a forward reference was accepted';
        await s.clients.forms.forms
          .batchUpdate({
            formId,
            requestBody: {
              requests: [
                { deleteItem: { location: { index: 0 } } },
                { deleteItem: { location: { index: 0 } } },
              ],
            },
          })
          .catch(() => undefined);
      } catch (error) {
        forward = `a forward reference was refused (${errorOf(error).status})`;
      }
      try {
        await s.clients.forms.forms.batchUpdate({
          formId,
          requestBody: {
            requests: [
              section,
              { createItem: { location: { index: 0 }, item: who(false) } },
              { updateItem: { location: { index: 0 }, item: who(true), updateMask: '*' } },
            ],
          },
        });
        return pass(`Milepost's order accepted; ${forward}`);
      } catch (error) {
        const e = errorOf(error);
        return fail(`Milepost's order refused: ${e.status} ${e.message}; ${forward}`);
      }
    },
  },
  {
    id: 'docs.table-offsets',
    behaviour: "Docs: a 2×2 table inserted at index 1 starts at 2, its cells' paragraphs at 5, 7, 10, 12",
    source:
      'Docs API guide "Work with tables": "The following table shows the index offsets for each structural element in a 2x2 table, assuming the table starts at index S" — paragraphs at S + 3, S + 5, S + 8, S + 10 (src/core/render-docs.ts relies on it)',
    async run(s) {
      const doc = await s.clients.docs.documents.create({
        requestBody: { title: `Milepost contract ${s.run}` },
      });
      const documentId = doc.data.documentId!;
      await moveInto(s.clients.drive, documentId, s.folderId);
      await s.clients.docs.documents.batchUpdate({
        documentId,
        requestBody: { requests: [{ insertTable: { rows: 2, columns: 2, location: { index: 1 } } }] },
      });
      const got = await s.clients.docs.documents.get({ documentId });
      const table = got.data.body?.content?.find((e) => e.table);
      const starts = (table?.table?.tableRows ?? []).flatMap((r) =>
        (r.tableCells ?? []).map((c) => c.content?.[0]?.startIndex),
      );
      return expectThat(
        table?.startIndex === 2 && starts.join(',') === '5,7,10,12',
        `table at ${table?.startIndex}, cell paragraphs at ${starts.join(', ')}`,
      );
    },
  },
  {
    id: 'docs.size-limit',
    behaviour: 'Docs: a document over 1.02 million characters is refused',
    source:
      'Google Drive Help "Files you can store in Google Drive": "Documents: Up to 1.02 million characters."',
    async run(s) {
      const doc = await s.clients.docs.documents.create({
        requestBody: { title: `Milepost contract big ${s.run}` },
      });
      const documentId = doc.data.documentId!;
      await moveInto(s.clients.drive, documentId, s.folderId);
      try {
        await s.clients.docs.documents.batchUpdate({
          documentId,
          requestBody: {
            requests: [{ insertText: { location: { index: 1 }, text: 'x'.repeat(1_020_001) } }],
          },
        });
        return fail('1,020,001 characters were accepted');
      } catch (error) {
        const e = errorOf(error);
        return expectThat(e.status === 400, `refused: ${e.status} ${e.message}`);
      }
    },
  },
  {
    id: 'gmail.message-id',
    behaviour:
      'Gmail: a message sent through the API gets its own Message-ID; the token in its body finds it',
    source:
      'Undocumented (reported by mail-client projects): Gmail replaces the Message-ID of a message sent through the API. Milepost searches a token in the body instead (src/google/gmail.ts).',
    async run(s) {
      const profile = await s.clients.gmail.users.getProfile({ userId: 'me' }).catch(() => undefined);
      const me = profile?.data.emailAddress ?? 'me';
      const token = `milepostcontract${s.run.replace(/[^a-z0-9]/gi, '')}`;
      const ours = `<${token}@milepost.invalid>`;
      const raw = [
        `To: ${me}`,
        'Subject: Milepost contract check (you can delete this)',
        `Message-ID: ${ours}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Milepost checked how Gmail treats the messages it sends. Ref: ${token}`,
        '',
      ].join('\r\n');
      await s.clients.gmail.users.messages.send({
        userId: 'me',
        requestBody: { raw: Buffer.from(raw).toString('base64url') },
      });
      let id: string | undefined;
      for (let attempt = 0; attempt < 10 && !id; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 3_000));
        const found = await s.clients.gmail.users.messages.list({ userId: 'me', q: `in:sent ${token}` });
        id = found.data.messages?.[0]?.id ?? undefined;
      }
      if (!id) return fail('the token did not find the message (searched for 30 s)');
      const got = await s.clients.gmail.users.messages.get({
        userId: 'me',
        id,
        format: 'metadata',
        metadataHeaders: ['Message-ID'],
      });
      const header = got.data.payload?.headers?.find((h) => h.name?.toLowerCase() === 'message-id')?.value;
      return expectThat(
        header !== ours,
        `found by token; Message-ID ${header === ours ? 'kept (ours)' : 'replaced'}`,
      );
    },
  },
];

/** The checks' results, in order: one check failing or throwing never stops the others. */
export async function runContract(
  connection: GoogleConnection,
  options: {
    responder?: string;
    formPage: Scratch['formPage'];
    only?: string[];
  },
): Promise<(Check & Outcome)[]> {
  const clients: Clients = {
    sheets: sheetsClient(connection),
    drive: driveClient(connection),
    forms: formsClient(connection),
    docs: docsClient(connection),
    gmail: gmailClient(connection),
  };
  const run = `${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
  const folder = await clients.drive.files.create({
    requestBody: { name: `Milepost contract check ${run}`, mimeType: 'application/vnd.google-apps.folder' },
    fields: 'id',
  });
  const folderId = folder.data.id!;
  let sheet: Promise<{ id: string; sheetId: number }> | undefined;
  let form: Promise<string> | undefined;
  const scratch: Scratch = {
    clients,
    folderId,
    run,
    formPage: options.formPage,
    ...(options.responder ? { responder: options.responder } : {}),
    spreadsheet: () => {
      sheet ??= (async () => {
        const made = await clients.sheets.spreadsheets.create({
          requestBody: {
            properties: { title: `Milepost contract ${run}` },
            sheets: [{ properties: { title: TAB } }],
          },
        });
        const id = made.data.spreadsheetId!;
        await moveInto(clients.drive, id, folderId);
        return { id, sheetId: made.data.sheets?.[0]?.properties?.sheetId ?? 0 };
      })();
      return sheet;
    },
    form: () => {
      form ??= (async () => {
        const made = await clients.forms.forms.create({
          unpublished: true,
          requestBody: {
            info: { title: `Milepost contract ${run}`, documentTitle: `Milepost contract ${run}` },
          },
        });
        const formId = made.data.formId!;
        await moveInto(clients.drive, formId, folderId);
        await clients.forms.forms.batchUpdate({
          formId,
          requestBody: {
            requests: [
              {
                updateSettings: {
                  settings: { emailCollectionType: 'VERIFIED' },
                  updateMask: 'emailCollectionType',
                },
              },
              {
                createItem: {
                  location: { index: 0 },
                  item: {
                    itemId: '0c0ffee1',
                    title: 'Comment',
                    questionItem: { question: { questionId: '0000abcd', textQuestion: {} } },
                  },
                },
              },
              {
                createItem: {
                  location: { index: 1 },
                  item: {
                    itemId: '0c0ffee2',
                    title: 'Status',
                    questionGroupItem: {
                      grid: {
                        columns: { type: 'RADIO', options: [{ value: 'On track' }, { value: 'Missed' }] },
                      },
                      questions: [
                        { questionId: '0000abce', rowQuestion: { title: 'M-1' } },
                        { questionId: '0000abcf', rowQuestion: { title: 'M-2' } },
                      ],
                    },
                  },
                },
              },
            ],
          },
        });
        return formId;
      })();
      return form;
    },
  };
  const results: (Check & Outcome)[] = [];
  try {
    for (const check of CHECKS) {
      if (options.only && !options.only.includes(check.id)) continue;
      let outcome: Outcome;
      try {
        outcome = await check.run(scratch);
      } catch (error) {
        const e = errorOf(error);
        outcome = fail(`error: ${e.status ?? ''} ${e.message}`.trim());
      }
      results.push({ ...check, ...outcome });
    }
  } finally {
    // Trashed, not deleted: whoever ran it can look inside from Drive's bin.
    await clients.drive.files.update({ fileId: folderId, requestBody: { trashed: true }, fields: 'id' });
  }
  return results;
}

export { connect };
