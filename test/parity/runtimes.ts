/**
 * The three runtimes behind one test interface, so that the parity suite runs each scenario
 * through all of them from one table: the local backend (the CLI, as a user runs it), the Node
 * job against the Workspace emulator, and the Apps Script bundle in node:vm against the fakes.
 *
 * A person's edits (a row added, a row deleted) are made the way each runtime's users make them:
 * in the workbook with a spreadsheet program (exceljs here), in the Sheet (the emulator's human
 * edits), in the bound Sheet (the fake SpreadsheetApp state). Sending failures are real ones:
 * an outbox file name taken by another program's file, Gmail refusing a send, MailApp's daily
 * quota spent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { respond } from '../../emulator/respond';
import { type Emulator, startEmulator } from '../../emulator/server';
import type { GasWorld } from '../../gas-fakes/world';
import { normaliseName } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import { upcomingMeeting } from '../../src/core/schedule';
import type { Email, Snapshot } from '../../src/core/types';
import { packGoogle, requestGoogle, setupGoogle, syncGoogle, wrapUpGoogle } from '../../src/google/backend';
import { connect, formsClient, sheetsClient } from '../../src/google/clients';
import { configureRetry } from '../../src/google/retry';
import { initWorkspace } from '../../src/local/init';
import { emlFileName } from '../../src/local/outbox';
import { parseResponses } from '../../src/local/responses';
import { startUpdateServer } from '../../src/local/server';
import { ensureSecret, makeToken } from '../../src/local/tokens';
import { readWorkbook } from '../../src/local/workbook';
import { hash } from '../../src/mail/mime';
import { milepost, milepostAsync, sampleResponses, tempDir } from '../cli/helpers';
import { newWorld, respondAll, run, sampleSnapshot, snapshotOf, T } from '../gas/week';
import { formOf, unescapeHtml } from '../local/page';

export { T };

/** A new milestone row as a person types it: no ID. */
export interface NewRow {
  title: string;
  owner: string;
  due: string;
}

export interface Runtime {
  readonly name: 'local' | 'google' | 'apps script';
  /** The register as the core reads it. */
  snapshot(): Promise<Snapshot>;
  sync(now: string): Promise<void>;
  /** Sends the update requests (a failed send is the scenario's to judge, by what was sent and recorded). */
  request(now: string): Promise<void>;
  /** The sample team answers (the sample responses.jsonl, through each runtime's form). */
  respond(): Promise<void>;
  addMilestone(row: NewRow): Promise<void>;
  deleteMilestone(title: string): Promise<void>;
  /** The email with this key (and those after it) cannot go out until `sendsWork`. */
  failSendFrom(email: Email, before: Email[]): Promise<void>;
  sendsWork(): Promise<void>;
  /** The recipients of each update request sent so far, one entry per email. */
  requestsSent(): Promise<string[]>;
  /** Builds the upcoming meeting's pack (a sync first), where the runtime keeps packs. */
  pack(now: string): Promise<void>;
  wrapUp(now: string): Promise<void>;
  /** A person sets one cell: `header` of the `tab` row whose `key.header` column holds `key.value`. */
  setCell(
    tab: string,
    key: { header: string; value: string },
    header: string,
    value: CellInput,
  ): Promise<void>;
  /** The text of a meeting's pack as its readers get it (the Markdown file, the Google Doc). */
  packText(meeting: string): Promise<string>;
  /** Removes a tab, as in a register made before the layout had it. */
  dropTab(tab: string): Promise<void>;
  /** What the schedule runs at `now`: `milepost run` (a cron job), the Apps Script time trigger. */
  schedule(now: string): Promise<void>;
  /** Every email sent so far, oldest first: its kind (the key's first part) and recipients. */
  mailsSent(): Promise<SentMail[]>;
  /**
   * What `owner`'s update form for the meeting upcoming at `now` asks about their tracked actions,
   * in form order: the local page, or the Google Form / FormApp form the last request built.
   */
  actionQuestions(owner: string, now: string): Promise<ActionQuestion[]>;
  /**
   * The milestone statuses `owner`'s link opens with (the local page; the pre-filled link of their
   * latest request email), sorted: a Status cell the register cannot read gives none.
   */
  prefilledStatuses(owner: string, now: string): Promise<string[]>;
  /** A person sends this update (a submission line) through the runtime's form, as they would. */
  answer(line: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * An action question as its owner sees it: its title, its choices, and the choice their link
 * (the local page; the pre-filled link of their latest request email) opens with ('' for none).
 */
export interface ActionQuestion {
  title: string;
  options: string[];
  chosen: string;
}

/** The pre-filled form link in the text of an email ('' when it has none). */
const prefilledLink = (text: string) => /https?:\/\/[^\s<>\]"]*usp=pp_url[^\s<>\]"]*/.exec(text)?.[0] ?? '';
/** The milestone statuses among the answers of a pre-filled link, sorted. */
const linkStatuses = (link: string) =>
  [...link.matchAll(/[?&]entry\.\d+=([^&]*)/g)]
    .map((m) => decodeURIComponent(m[1]!.replace(/\+/g, ' ')))
    .filter((v) => ['On track', 'Might miss', 'Missed', 'Done'].includes(v))
    .sort();
/** The value a pre-filled link gives `entry.N` ('' when none). */
const entryValue = (link: string, entry: string) => {
  const m = new RegExp(`[?&]entry\\.${entry}=([^&]*)`).exec(link);
  return m ? decodeURIComponent(m[1]!.replace(/\+/g, ' ')) : '';
};

const ACTION_TITLE = /^A-\d{4,} · /;

/** The action questions of an owner's section in a form's items (from their page break to the next). */
function sectionActions<T>(
  items: T[],
  ownerSection: (item: T) => boolean,
  isBreak: (item: T) => boolean,
  question: (item: T) => ActionQuestion | undefined,
): ActionQuestion[] {
  const start = items.findIndex(ownerSection);
  if (start < 0) return [];
  const end = items.findIndex((item, i) => i > start && isBreak(item));
  return items
    .slice(start + 1, end < 0 ? undefined : end)
    .map(question)
    .filter((q): q is ActionQuestion => !!q && ACTION_TITLE.test(q.title));
}

/** The action questions of the local page: each action fieldset's legend and its radio choices. */
function pageActions(page: string): ActionQuestion[] {
  return page
    .split('<fieldset class="action">')
    .slice(1)
    .map((part) => {
      const radios = [
        ...part.matchAll(/<input type="radio" name="action:[^"]*" [^>]*value="([^"]*)"([^>]*)>/g),
      ];
      return {
        title: unescapeHtml(/<legend>([^<]*)<\/legend>/.exec(part)?.[1] ?? ''),
        options: radios.map((m) => unescapeHtml(m[1]!)),
        chosen: unescapeHtml(radios.find((m) => / checked/.test(m[2]!))?.[1] ?? ''),
      };
    });
}

/** The local update page of `email` at `now` (the server `milepost serve` runs), and a way to post it. */
async function withLocalPage<T>(
  dir: string,
  email: string,
  now: string,
  use: (html: string, post: (fields: Record<string, string>) => Promise<string>) => Promise<T>,
): Promise<T> {
  const server = await startUpdateServer({ workspace: dir, port: 0, now: () => now, log: () => {} });
  try {
    const { register } = readRegister((await readWorkbook(path.join(dir, 'register.xlsx'))).snapshot);
    const meeting = upcomingMeeting(register, now)!.date;
    const url = `${server.url}/u/${makeToken(await ensureSecret(dir), email, meeting)}`;
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`local page of ${email}: HTTP ${res.status}`);
    const post = async (fields: Record<string, string>) => {
      const sent = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      const html = await sent.text();
      if (sent.status !== 200 || !html.includes('Thank you')) throw new Error(`local post: ${html}`);
      return html;
    };
    return await use(await res.text(), post);
  } finally {
    await server.close();
  }
}

/** An email as sent: `kind` is its key's first part (`request`, `reminder`, `reminder-2`, `pack`…). */
export interface SentMail {
  kind: string;
  to: string[];
  cc: string[];
}

/** The kind of an email sent by MailApp, which keeps no key: from its subject. */
const kindOfSubject = (subject: string) =>
  /^Second reminder: /.test(subject)
    ? 'reminder-2'
    : /^Reminder: /.test(subject)
      ? 'reminder'
      : isRequest(subject)
        ? 'request'
        : /^Meeting pack: /.test(subject)
          ? 'pack'
          : 'other';
const addresses = (line: string | undefined) =>
  line ? line.split(/,\s*/).map((a) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase()) : [];

const isRequest = (subject: string) => /Milestone update for/.test(subject);

/** A value a person types: text, or a calendar date (a date cell). */
export type CellInput = string | { date: string };
const typed = (v: CellInput) => (typeof v === 'string' ? v : new Date(`${v.date}T00:00:00Z`));
/** The Doc of a meeting's pack, from the link its Meetings row holds. */
const packDocId = (s: Snapshot, meeting: string) =>
  /\/document\/d\/([\w-]+)/.exec(
    readRegister(s).register.meetings.find((m) => m.date === meeting)?.pack ?? '',
  )?.[1];

// ---------- local ----------

export async function localRuntime(): Promise<Runtime> {
  const dir = tempDir('parity-local');
  await initWorkspace(dir, { sample: true });
  const book = path.join(dir, 'register.xlsx');
  const outbox = path.join(dir, 'outbox');
  let blocked: string[] = [];
  const edit = async (change: (sheet: ExcelJS.Worksheet) => void, tab = 'Milestones') => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(book);
    change(wb.getWorksheet(tab)!);
    await wb.xlsx.writeFile(book);
  };
  const phase = (command: string, now: string) => {
    const r = milepost(command, '-w', dir, '--now', now);
    if (r.code !== 0 && r.code !== 5) throw new Error(`local ${command}: ${r.stderr}`);
  };
  const column = (sheet: ExcelJS.Worksheet, header: string) => {
    let at = 0;
    sheet.getRow(1).eachCell((c, n) => {
      if (normaliseName(String(c.value)) === normaliseName(header)) at = n;
    });
    return at;
  };
  return {
    name: 'local',
    snapshot: async () => (await readWorkbook(book)).snapshot,
    sync: async (now) => {
      const r = milepost('sync', '-w', dir, '--now', now);
      // 5: done, with register errors (a scenario may hold some on purpose).
      if (r.code !== 0 && r.code !== 5) throw new Error(`local sync: ${r.stderr}`);
    },
    request: async (now) => void milepost('request', '-w', dir, '--now', now),
    respond: async () => fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses()),
    pack: async (now) => phase('pack', now),
    wrapUp: async (now) => phase('wrap-up', now),
    setCell: (tab, key, header, value) =>
      edit((sheet) => {
        for (let r = 2; r <= sheet.rowCount; r++) {
          if (String(sheet.getRow(r).getCell(column(sheet, key.header)).value) !== key.value) continue;
          sheet.getRow(r).getCell(column(sheet, header)).value = typed(value);
          return;
        }
        throw new Error(`no ${tab} row with ${key.header} ${key.value}`);
      }, tab),
    packText: async (meeting) => fs.readFileSync(path.join(dir, 'packs', `${meeting}.md`), 'utf8'),
    schedule: async (now) => phase('run', now),
    mailsSent: async () =>
      (fs.existsSync(outbox) ? fs.readdirSync(outbox) : [])
        .map((f) =>
          fs
            .readFileSync(path.join(outbox, f), 'utf8')
            .split('\r\n\r\n')[0]!
            .replace(/\r\n[ \t]+/g, ' '),
        )
        .map((head) => ({
          kind: /^X-Milepost-Key: ([^/\r\n]+)/m.exec(head)?.[1] ?? 'other',
          to: addresses(/^To: (.*)$/m.exec(head)?.[1]),
          cc: addresses(/^Cc: (.*)$/m.exec(head)?.[1]),
        })),
    dropTab: async (tab) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(book);
      wb.removeWorksheet(wb.getWorksheet(tab)!.id);
      await wb.xlsx.writeFile(book);
    },
    addMilestone: (row) =>
      edit((sheet) => {
        let last = sheet.rowCount;
        while (last > 1 && !sheet.getRow(last).getCell(column(sheet, 'Milestone')).value) last--;
        const r = sheet.getRow(last + 1);
        r.getCell(column(sheet, 'Milestone')).value = row.title;
        r.getCell(column(sheet, 'Owner')).value = row.owner;
        r.getCell(column(sheet, 'Due')).value = new Date(`${row.due}T00:00:00Z`);
      }),
    deleteMilestone: (title) =>
      edit((sheet) => {
        const col = column(sheet, 'Milestone');
        for (let r = 2; r <= sheet.rowCount; r++)
          if (sheet.getRow(r).getCell(col).value === title) return void sheet.spliceRows(r, 1);
        throw new Error(`no milestone ${title}`);
      }),
    // Another program's files hold both names the outbox could give this email.
    failSendFrom: async (email) => {
      fs.mkdirSync(outbox, { recursive: true });
      blocked = [emlFileName(email.key), emlFileName(`${email.key}-${hash(email.key).slice(0, 8)}`)].map(
        (f) => path.join(outbox, f),
      );
      for (const f of blocked)
        fs.writeFileSync(f, 'Subject: not from Milepost\r\n\r\nsomeone else’s file\r\n');
    },
    sendsWork: async () => {
      for (const f of blocked) fs.rmSync(f, { force: true });
      blocked = [];
    },
    requestsSent: async () =>
      fs.existsSync(outbox)
        ? fs
            .readdirSync(outbox)
            .map((f) =>
              fs
                .readFileSync(path.join(outbox, f), 'utf8')
                .split('\r\n\r\n')[0]!
                .replace(/\r\n[ \t]+/g, ' '),
            )
            .filter((head) => /^Subject: .*Milestone update for/m.test(head) || /^Subject: =\?/m.test(head))
            .filter((head) => /^X-Milepost-Key: request\//m.test(head))
            .map((head) => /^To: (.*)$/m.exec(head)![1]!.split(/,\s*/).sort().join(','))
            .sort()
        : [],
    actionQuestions: (owner, now) => withLocalPage(dir, owner, now, async (html) => pageActions(html)),
    prefilledStatuses: (owner, now) =>
      withLocalPage(dir, owner, now, async (html) =>
        [...html.matchAll(/<input type="radio" name="status:[^"]*" [^>]*value="([^"]*)" checked>/g)]
          .map((m) => unescapeHtml(m[1]!))
          .sort(),
      ),
    answer: async (line) => {
      const email = String(line.email);
      await withLocalPage(dir, email, String(line.submittedAt), async (html, post) => {
        const fields = formOf(html);
        for (const [id, v] of Object.entries((line.actions ?? {}) as Record<string, string>))
          fields[`action:${id}`] = v;
        for (const [id, v] of Object.entries((line.actionNotes ?? {}) as Record<string, string>))
          fields[`actionNote:${id}`] = v;
        await post(fields);
      });
    },
    close: async () => {},
  };
}

// ---------- Google (Node job ↔ emulator) ----------

export async function googleRuntime(template: string): Promise<Runtime> {
  configureRetry({ baseMs: 2, capMs: 20 });
  const e: Emulator = await startEmulator({ quotaPerMinute: false });
  const id = await e.seedFromWorkbook(path.join(template, 'register.xlsx'));
  const env = { MILEPOST_GOOGLE_API_ROOT: e.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
  await setupGoogle(id, 'ignored', env);
  const sheetRows = () => e.values(id, 'Milestones');
  const col = (header: string) =>
    sheetRows()[0]!.findIndex((h) => normaliseName(String(h)) === normaliseName(header));
  const letter = (header: string) => String.fromCharCode(65 + col(header));
  let responded = false;
  const snapshot = async (): Promise<Snapshot> => {
    const state = e.dump() as unknown as {
      spreadsheets: { sheets: { properties: { title: string }; values: (string | number | null)[][] }[] }[];
    };
    return {
      tables: state.spreadsheets[0]!.sheets.map((s) => {
        const [headers = [], ...rows] = s.values;
        return {
          name: s.properties.title,
          headers: headers.map(String),
          rows: rows.map((r) => r.map((c) => (c === '' ? null : c))),
        };
      }),
    };
  };
  return {
    name: 'google',
    snapshot,
    sync: async (now) => void (await syncGoogle(id, { raw: [], problems: [] }, now, env)),
    pack: async (now) => void (await packGoogle(id, [], now, env)),
    wrapUp: async (now) => void (await wrapUpGoogle(id, now, {}, env)),
    setCell: async (tab, key, header, value) => {
      const rows = e.values(id, tab);
      const at = (h: string) => rows[0]!.findIndex((x) => normaliseName(String(x)) === normaliseName(h));
      const row = rows.findIndex((r) => String(r[at(key.header)]) === key.value);
      if (row < 1) throw new Error(`no ${tab} row with ${key.header} ${key.value}`);
      const a1 = `${String.fromCharCode(65 + at(header))}${row + 1}`;
      e.edit({ op: 'set', sheet: tab, a1, value: typeof value === 'string' ? value : value.date });
    },
    packText: async (meeting) => {
      const documentId = packDocId(await snapshot(), meeting);
      const docs = (e.dump() as unknown as { documents: { documentId: string; text: string }[] }).documents;
      return docs.find((d) => d.documentId === documentId)?.text ?? '';
    },
    dropTab: async (tab) => {
      const api = sheetsClient(connect(env));
      const { data } = await api.spreadsheets.get({ spreadsheetId: id });
      const sheetId = data.sheets?.find((x) => x.properties?.title === tab)?.properties?.sheetId;
      await api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: { requests: [{ deleteSheet: { sheetId } }] },
      });
    },
    request: async (now) => {
      await requestGoogle(id, now, {}, env).catch(() => undefined);
    },
    schedule: async (now) => {
      const r = await milepostAsync(env, 'run', '--now', now, '--backend', 'google', '--spreadsheet', id);
      if (r.code !== 0 && r.code !== 5) throw new Error(`google run: ${r.stderr}`);
    },
    mailsSent: async () =>
      (
        e.dump() as unknown as { messages: { milepostKey: string | null; to: string[]; cc: string[] }[] }
      ).messages.map((m) => ({ kind: (m.milepostKey ?? 'other').split('/')[0]!, to: m.to, cc: m.cc })),
    respond: async () => {
      if (responded) return;
      responded = true;
      await respond({ apiRoot: e.apiRoot, spreadsheetId: id }, parseResponses(sampleResponses()).raw);
    },
    addMilestone: async (row) => {
      const at = sheetRows().filter((r) => r.some((c) => c !== '' && c !== null)).length + 1;
      for (const [h, v] of [
        ['Milestone', row.title],
        ['Owner', row.owner],
        ['Due', row.due],
      ] as const)
        e.edit({ op: 'set', sheet: 'Milestones', a1: `${letter(h)}${at}`, value: v });
    },
    deleteMilestone: async (title) => {
      const at = sheetRows().findIndex((r) => r[col('Milestone')] === title);
      if (at < 0) throw new Error(`no milestone ${title}`);
      e.edit({ op: 'deleteRows', sheet: 'Milestones', at: at + 1, count: 1 });
    },
    // Gmail refuses this send and every attempt at it (a 400 is not repeated).
    failSendFrom: async (_email, before) => {
      e.fail({
        status: 400,
        path: 'messages/send$',
        onCall: before.length + 1,
        times: 1000,
        message: 'refused',
      });
    },
    sendsWork: async () => e.clearFaults(),
    actionQuestions: async (owner) => {
      const { register } = readRegister(await snapshot());
      const name = register.team.find((p) => p.email === owner)?.name;
      const formId = register.settings.raw['Form ID']!;
      const { data } = await formsClient(connect(env)).forms.get({ formId });
      const messages = (
        e.dump() as unknown as { messages: { milepostKey: string | null; text: string | null }[] }
      ).messages;
      const request = messages.filter(
        (m) => m.milepostKey?.startsWith('request/') && m.milepostKey.endsWith(`/${owner}`),
      );
      const link = prefilledLink(request.at(-1)?.text ?? '');
      return sectionActions(
        data.items ?? [],
        (i) => i.pageBreakItem !== undefined && i.title === `Update from ${name}`,
        (i) => i.pageBreakItem !== undefined,
        (i) => {
          const question = i.questionItem?.question;
          const choice = question?.choiceQuestion;
          if (!choice) return undefined;
          return {
            title: i.title ?? '',
            options: (choice.options ?? []).map((o) => o.value ?? ''),
            chosen: entryValue(link, String(Number.parseInt(question!.questionId ?? '', 16))),
          };
        },
      );
    },
    prefilledStatuses: async (owner) => {
      const messages = (
        e.dump() as unknown as { messages: { milepostKey: string | null; text: string | null }[] }
      ).messages;
      const request = messages.filter(
        (m) => m.milepostKey?.startsWith('request/') && m.milepostKey.endsWith(`/${owner}`),
      );
      return linkStatuses(prefilledLink(request.at(-1)?.text ?? ''));
    },
    answer: async (line) => {
      const r = await respond({ apiRoot: e.apiRoot, spreadsheetId: id }, [{ where: 'answer', value: line }]);
      if (r.refused.length) throw new Error(`the form refused the answer: ${JSON.stringify(r.refused)}`);
    },
    requestsSent: async () => {
      const state = e.dump() as unknown as { messages: { milepostKey: string; to: string[] }[] };
      return state.messages
        .filter((m) => m.milepostKey.startsWith('request/'))
        .map((m) => [...m.to].sort().join(','))
        .sort();
    },
    close: () => e.close(),
  };
}

// ---------- Apps Script (bundle in node:vm) ----------

/** `setupAt`: when the world starts (its clock only moves forward) and setup runs. */
export async function appsScriptRuntime(setupAt = T.setup): Promise<Runtime> {
  const world: GasWorld = newWorld(await sampleSnapshot(), { now: new Date(setupAt) });
  run(world, 'milepostSetup', setupAt);
  const sheet = () => world.sheet('Milestones');
  const col = (header: string) =>
    (world.values('Milestones')[0] ?? []).findIndex(
      (h) => normaliseName(String(h)) === normaliseName(header),
    ) + 1;
  let responded = false;
  return {
    name: 'apps script',
    snapshot: async () => snapshotOf(world),
    sync: async (now) => void run(world, 'milepostSync', now),
    request: async (now) => void run(world, 'milepostRequest', now),
    pack: async (now) => void run(world, 'milepostPack', now),
    wrapUp: async (now) => void run(world, 'milepostWrapUp', now),
    schedule: async (now) => void run(world, 'milepostScheduled', now),
    mailsSent: async () =>
      world.mail.sent.map((m) => ({
        kind: kindOfSubject(m.subject),
        to: addresses(String(m.to)),
        cc: m.cc.length ? addresses(String(m.cc)) : [],
      })),
    setCell: async (tab, key, header, value) => {
      const values = world.values(tab);
      const at = (h: string) => values[0]!.findIndex((x) => normaliseName(String(x)) === normaliseName(h));
      const row = values.findIndex((r) => String(r[at(key.header)]) === key.value);
      if (row < 1) throw new Error(`no ${tab} row with ${key.header} ${key.value}`);
      world.sheet(tab).writable(row + 1, at(header) + 1).v = typed(value);
    },
    packText: async (meeting) => {
      const documentId = packDocId(snapshotOf(world), meeting);
      return (
        (world.docs.dump().find((d) => d.documentId === documentId) as { text?: string } | undefined)?.text ??
        ''
      );
    },
    dropTab: async (tab) => {
      const sheets = world.spreadsheet.state.sheets;
      sheets.splice(
        sheets.findIndex((x) => x.name === tab),
        1,
      );
    },
    respond: async () => {
      if (responded) return;
      responded = true;
      respondAll(world, false);
    },
    addMilestone: async (row) => {
      const at = sheet().lastRow() + 1;
      sheet().writable(at, col('Milestone')).v = row.title;
      sheet().writable(at, col('Owner')).v = row.owner;
      sheet().writable(at, col('Due')).v = new Date(`${row.due}T00:00:00Z`);
    },
    deleteMilestone: async (title) => {
      const at = world.values('Milestones').findIndex((r) => r[col('Milestone') - 1] === title);
      if (at < 0) throw new Error(`no milestone ${title}`);
      sheet().deleteRows(at + 1, 1);
    },
    // The day's MailApp quota runs out after the emails before this one.
    failSendFrom: async (_email, before) => {
      world.mail.quota = world.mail.used + before.reduce((n, e) => n + e.to.length + e.cc.length, 0);
    },
    sendsWork: async () => {
      world.mail.quota = world.mail.used + 1500;
    },
    actionQuestions: async (owner) => {
      const { register } = readRegister(snapshotOf(world));
      const name = register.team.find((p) => p.email === owner)?.name;
      type Choice = { getChoices(): { getValue(): string }[]; createResponse(v: string): unknown };
      const form = world.services.FormApp.openById(register.settings.raw['Form ID']!) as unknown as {
        getItems(): { getType(): { name(): string }; getTitle(): string; asMultipleChoiceItem(): Choice }[];
        createResponse(): { withItemResponse(r: unknown): { toPrefilledUrl(): string } };
      };
      const request = world.mail.sent.filter((m) => isRequest(m.subject) && String(m.to).includes(owner));
      const link = prefilledLink(String(request.at(-1)?.body ?? ''));
      // The item's entry number, as FormApp's own pre-filled link for it names it.
      const entryOf = (item: Choice, value: string) =>
        /entry\.(\d+)=/.exec(
          form.createResponse().withItemResponse(item.createResponse(value)).toPrefilledUrl(),
        )?.[1] ?? '';
      const isBreak = (i: { getType(): { name(): string } }) => i.getType().name() === 'PAGE_BREAK';
      return sectionActions(
        form.getItems(),
        (i) => isBreak(i) && i.getTitle() === `Update from ${name}`,
        isBreak,
        (i) => {
          if (i.getType().name() !== 'MULTIPLE_CHOICE') return undefined;
          const item = i.asMultipleChoiceItem();
          const options = item.getChoices().map((c) => c.getValue());
          return { title: i.getTitle(), options, chosen: entryValue(link, entryOf(item, options[0] ?? '')) };
        },
      );
    },
    prefilledStatuses: async (owner) => {
      const request = world.mail.sent.filter((m) => isRequest(m.subject) && String(m.to).includes(owner));
      return linkStatuses(prefilledLink(String(request.at(-1)?.body ?? '')));
    },
    answer: async (line) => respondAll(world, false, [{ where: 'answer', value: line }]),
    requestsSent: async () =>
      world.mail.sent
        .filter((m) => isRequest(m.subject))
        .map((m) => String(m.to).split(/,\s*/).sort().join(','))
        .sort(),
    close: async () => {},
  };
}
