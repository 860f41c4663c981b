/**
 * The real Apps Script bundle (appsscript/Code.js, built by `npm run build:gas`, which
 * `npm test` runs first) in node:vm with only the Apps Script fakes as globals, driven through
 * its entry points exactly as Apps Script calls them: the menu, the form-submit trigger, the
 * time-driven schedule, onEdit events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/cli/commands/init';
import { instantToSerial, serialToInstant } from '../../src/core/dates';
import { answersOfSubmission, formSpec } from '../../src/core/form';
import { TABS } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import { upcomingMeeting } from '../../src/core/schedule';
import { SubmissionSchema } from '../../src/core/schemas';
import type { Cell, Snapshot, Table } from '../../src/core/types';
import { parseResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { milepost, ROOT, sampleResponses, tempDir } from '../cli/helpers';
import { perOwner } from '../emulator/respond';
import type { Costs } from './core';
import { loadBundle } from './load';
import { createWorld, type GasWorld } from './world';

const BUNDLE = path.join(ROOT, 'appsscript', 'Code.js');
const TZ = 'Europe/London';
const T = {
  setup: '2026-11-27T09:00:00Z',
  request: '2026-11-30T08:00:00Z',
  sync: '2026-12-02T08:00:00Z',
  reminders: '2026-12-02T08:30:00Z',
  pack: '2026-12-02T16:00:00Z',
  wrapUp: '2026-12-03T12:00:00Z',
};

let local: Snapshot;

/** The sample register as a bound Sheet holds it: date columns hold Dates, as getValues returns them. */
function sheetTables(snapshot: Snapshot): { name: string; headers: string[]; rows: unknown[][] }[] {
  return snapshot.tables.map((t) => {
    const spec = TABS.find((s) => s.name === t.name);
    const dated = new Set(
      spec?.columns.filter((c) => c.type === 'date' || c.type === 'instant').map((c) => c.header),
    );
    return {
      name: t.name,
      headers: t.headers,
      rows: t.rows.map((r) =>
        t.headers.map((h, i) => {
          const v = r[i] ?? '';
          return dated.has(h) && typeof v === 'number' ? new Date(serialToInstant(v, TZ)) : v;
        }),
      ),
    };
  });
}

let template: Snapshot;
beforeAll(async () => {
  expect(fs.existsSync(BUNDLE), 'appsscript/Code.js: run npm run build:gas (npm test does)').toBe(true);
  const dir = tempDir('gas');
  await initWorkspace(dir, { sample: true });
  template = (await readWorkbook(path.join(dir, 'register.xlsx'))).snapshot;
  // The same week on the local backend, for parity.
  const ws = tempDir('gas-local');
  fs.cpSync(dir, ws, { recursive: true });
  fs.writeFileSync(path.join(ws, 'responses.jsonl'), sampleResponses());
  milepost('request', '-w', ws, '--now', T.request);
  milepost('sync', '-w', ws, '--now', T.sync);
  milepost('request', '-w', ws, '--reminders', '--now', T.reminders);
  milepost('pack', '-w', ws, '--now', T.pack);
  milepost('wrap-up', '-w', ws, '--now', T.wrapUp);
  local = (await readWorkbook(path.join(ws, 'register.xlsx'))).snapshot;
});

/** Service calls take no virtual time unless asked: one clock per run, as the local job's --now. */
const INSTANT: Costs = {
  rangeRead: 0,
  rangeWrite: 0,
  spreadsheet: 0,
  form: 0,
  mail: 0,
  docs: 0,
  docsBatchUpdate: 0,
  drive: 0,
  properties: 0,
  lock: 0,
  script: 0,
  other: 0,
  methods: {},
};

function newWorld(costs: Costs = INSTANT): GasWorld {
  const world = createWorld({
    now: new Date(T.setup),
    timeZone: TZ,
    userEmail: 'cat.byrne@northwind.example',
    costs,
  });
  world.seedSpreadsheet(sheetTables(template));
  return world;
}

/** The register as the bundle would read it (Dates → serials), for the core. */
function registerOf(world: GasWorld) {
  const tables: Table[] = world.spreadsheet.state.sheets.map((s) => {
    const values = world.values(s.name) as unknown[][];
    const [headers = [], ...rows] = values;
    return {
      name: s.name,
      headers: headers.map(String),
      rows: rows.map((r) =>
        r.map((v) =>
          v instanceof Date ? instantToSerial(v.toISOString(), TZ) : v === '' ? null : (v as Cell),
        ),
      ),
    };
  });
  return readRegister({ tables }).register;
}

/**
 * People answer the form as the sample lines say, through FormApp — one response per owner a
 * line covers, as the form asks (see emulator/respond.ts). With `fireTriggers`, each response
 * runs the bundle's form-submit trigger.
 */
function respondAll(world: GasWorld, fireTriggers: boolean): void {
  const register = registerOf(world);
  const formId = register.settings.raw['Form ID']!;
  const form = world.services.FormApp.openById(formId) as never;
  const spec = formSpec(register, upcomingMeeting(register, T.request));
  const map = world
    .values('Milepost form')
    .slice(1)
    .filter((r) => String(r[0]) === formId);
  const itemOf = new Map<string, { item: number; row: number }>();
  for (const [, item, ids] of map) {
    for (const [row, q] of String(ids).split(',').entries()) itemOf.set(q, { item: Number(item), row });
  }
  const earlier = new Map<string, string>();
  for (const line of parseResponses(sampleResponses()).raw) {
    for (const [n, s] of perOwner(register, SubmissionSchema.parse(line.value)).entries()) {
      const responseId = n === 0 ? s.responseId : `${s.responseId}/${n + 1}`;
      const answers = new Map<number, unknown>();
      for (const [q, [value]] of Object.entries(answersOfSubmission(spec, register, s))) {
        const at = itemOf.get(q);
        if (!at || value === undefined) continue;
        const rows = map.find((r) => Number(r[1]) === at.item)![2];
        if (String(rows).includes(',')) {
          const grid =
            (answers.get(at.item) as string[] | undefined) ??
            String(rows)
              .split(',')
              .map(() => '');
          grid[at.row] = value;
          answers.set(at.item, grid);
        } else {
          answers.set(at.item, /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : value);
        }
      }
      const editOf = earlier.get(responseId);
      const { response, runs } = world.respond(form, {
        email: s.email,
        at: new Date(s.submittedAt),
        answers,
        fireTriggers,
        ...(editOf ? { editOf } : {}),
      });
      for (const r of runs) expect(r.error, `${line.where}: ${String(r.error)}`).toBeUndefined();
      earlier.set(responseId, response.getId());
    }
  }
}

function run(world: GasWorld, fn: string, at: string) {
  world.setNow(new Date(at));
  return loadBundle(BUNDLE, world).call(fn);
}

describe('the Apps Script bundle in node:vm', () => {
  it('is one script of at most 300 KB with no import or export, and only Apps Script globals', () => {
    const code = fs.readFileSync(BUNDLE, 'utf8');
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(300 * 1024);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const world = newWorld();
    const fns = loadBundle(BUNDLE, world).functions();
    expect(fns).toEqual(expect.arrayContaining(['onOpen', 'onEdit', 'milepostSync', 'milepostScheduled']));
  });

  it('runs the week through its entry points: menu, setup, requests, form submits, pack, wrap-up', () => {
    const world = newWorld();
    const bundle = loadBundle(BUNDLE, world);
    bundle.call('onOpen', world.openEvent());
    expect([...world.menu('Milepost').keys()]).toEqual([
      'Set up register',
      'Send update requests',
      'Sync updates now',
      'Build meeting pack',
      'Wrap up meeting',
      'Check the register',
      'Install schedule',
      'Remove schedule',
    ]);
    run(world, 'milepostSetup', T.setup);
    expect(registerOf(world).settings.raw['Form ID']).toBeTruthy();
    run(world, 'milepostRequest', T.request);
    const requests = world.mail.sent.filter((m) => /Milestone update for/.test(m.subject));
    expect(requests.length).toBeGreaterThan(3);
    for (const m of requests) expect(m.body).toMatch(/viewform\?usp=pp_url/);
    // The owners answer; then the sync runs at the same time as the local job's.
    world.setNow(new Date(T.sync));
    respondAll(world, false);
    run(world, 'milepostSync', T.sync);
    run(world, 'milepostReminders', T.reminders);
    run(world, 'milepostPack', T.pack);
    run(world, 'milepostWrapUp', T.wrapUp);
    const register = registerOf(world);
    const meeting = register.meetings.find((m) => m.date === '2026-12-03')!;
    expect(meeting.status).toBe('Held');
    expect(meeting.pack).toMatch(/^https:\/\/docs\.google\.com\/document\/d\//);
    expect(world.mail.sent.filter((m) => /Meeting pack/.test(m.subject))).toHaveLength(1);
    // Parity with the local backend on the same register, responses and clock.
    const tab = (snap: { tables: Table[] }, name: string) => snap.tables.find((t) => t.name === name)!;
    const gas = { tables: world.spreadsheet.state.sheets.map((s) => s.name) };
    expect(gas.tables).toEqual(expect.arrayContaining(['Milestones', 'Changes']));
    const milestones = register.milestones.map((m) => [m.id, m.status, m.forecast ?? '']);
    const localMilestones = readRegister(local).register.milestones.map((m) => [
      m.id,
      m.status,
      m.forecast ?? '',
    ]);
    expect(milestones).toEqual(localMilestones);
    const changes = (r: ReturnType<typeof registerOf>) =>
      r.changes.map((c) => [c.when, c.milestone, c.field, c.from, c.to, c.by, c.source].join(' | ')).sort();
    // The same rows; their order differs because Apps Script syncs each response as it arrives.
    expect(changes(register)).toEqual(changes(readRegister(local).register));
    const topics = (r: ReturnType<typeof registerOf>) =>
      r.topics.map((t) => [
        t.topicId,
        t.meeting,
        t.rank,
        t.kind,
        t.topic,
        t.owner,
        t.helpFrom,
        t.score,
        t.why,
        t.deferrals,
        t.outcome,
      ]);
    expect(topics(register)).toEqual(topics(readRegister(local).register));
    const meetings = (r: ReturnType<typeof registerOf>) =>
      r.meetings.map((m) => [m.date, m.status, m.requestsSent, m.remindersSent, m.wrappedUp]);
    expect(meetings(register)).toEqual(meetings(readRegister(local).register));
    void tab;
  });

  it('syncs a response the moment it is submitted (the installable form-submit trigger)', () => {
    const world = newWorld();
    run(world, 'milepostSetup', T.setup);
    run(world, 'milepostRequest', T.request);
    const register = registerOf(world);
    const spec = formSpec(register, upcomingMeeting(register, T.request));
    const priya = spec.sections.find((s) => s.owner === 'priya.shah@northwind.example')!;
    const map = world.values('Milepost form').slice(1);
    const itemOf = (q: string) => Number(map.find((r) => String(r[2]).split(',').includes(q))![1]);
    const gridIds = String(
      map.find((r) => String(r[2]).split(',').includes(priya.milestones[0]!.statusQuestionId))![2],
    ).split(',');
    const grid = gridIds.map((q) => (q === priya.milestones[0]!.statusQuestionId ? 'Might miss' : ''));
    const form = world.services.FormApp.openById(register.settings.raw['Form ID']!) as never;
    world.setNow(new Date('2026-12-01T09:00:00Z'));
    const { runs } = world.respond(form, {
      email: 'priya.shah@northwind.example',
      answers: new Map<number, unknown>([
        [itemOf(spec.who.questionId), 'Priya Shah (priya.shah@northwind.example)'],
        [itemOf(priya.milestones[0]!.statusQuestionId), grid],
        [itemOf(priya.wins.questionId), '=HYPERLINK("http://evil.example")'],
        [itemOf(priya.helpFrom.questionId), 'No help needed'],
      ]),
    });
    expect(runs.map((r) => [r.trigger.handler, r.ok, r.error])).toEqual([
      ['milepostFormSubmitted', true, undefined],
    ]);
    const after = registerOf(world);
    expect(after.milestones.find((m) => m.id === priya.milestones[0]!.milestone)!.status).toBe('Might miss');
    const row = after.updates.find(
      (u) => u.email === 'priya.shah@northwind.example' && u.received.startsWith('2026-12-01'),
    )!;
    expect(row.wins).toBe('=HYPERLINK("http://evil.example")');
    // Text stays text: no formula was written anywhere.
    expect(
      world.spreadsheet.state.sheets.map((s) => s.formulas()).filter((f) => Object.keys(f).length),
    ).toEqual([]);
  });
});
