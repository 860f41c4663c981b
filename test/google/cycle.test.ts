/**
 * The whole cycle on Google, against the Workspace emulator with the real googleapis clients:
 * setup → request → responses through the form → sync → pack → wrap-up. Each step run again
 * changes nothing; the result matches the local backend on the same data; a job killed after
 * any API call and run again ends in the same state as a run that was never interrupted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { respond } from '../../emulator/respond';
import { type Emulator, type EmulatorState, startEmulator } from '../../emulator/server';
import { readRegister } from '../../src/core/register';
import type { Cell, Table } from '../../src/core/types';
import {
  packGoogle,
  readGoogle,
  requestGoogle,
  setupGoogle,
  syncGoogle,
  wrapUpGoogle,
} from '../../src/google/backend';
import { configureRetry } from '../../src/google/retry';
import { initWorkspace } from '../../src/local/init';
import { parseResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { milepost, sampleResponses, tempDir } from '../cli/helpers';

const T = {
  request: '2026-11-30T08:00:00Z',
  sync: '2026-12-01T18:00:00Z',
  reminders: '2026-12-01T19:00:00Z',
  pack: '2026-12-02T16:00:00Z',
  wrapUp: '2026-12-03T12:00:00Z',
};
const NONE = { raw: [], problems: [] };

let template: string;
let emulator: Emulator | undefined;

beforeAll(async () => {
  template = tempDir('gcycle');
  await initWorkspace(template, { sample: true });
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start() {
  emulator = await startEmulator({ quotaPerMinute: false });
  const spreadsheetId = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
  return {
    e: emulator,
    spreadsheetId,
    env: { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' },
  };
}

const lines = () => parseResponses(sampleResponses()).raw;

type Env = { MILEPOST_GOOGLE_API_ROOT: string; MILEPOST_GMAIL_SPACING_MS: string };

/** The steps of a week, in order; each may be run again. */
function steps(e: Emulator, spreadsheetId: string, env: Env) {
  return [
    ['setup', () => setupGoogle(spreadsheetId, 'ignored', env)],
    ['request', () => requestGoogle(spreadsheetId, T.request, {}, env)],
    ['respond', () => respondOnce(e, spreadsheetId)],
    ['sync', () => syncGoogle(spreadsheetId, NONE, T.sync, env)],
    ['reminders', () => requestGoogle(spreadsheetId, T.reminders, { reminders: true }, env)],
    ['pack', () => packGoogle(spreadsheetId, NONE, T.pack, env)],
    ['wrap-up', () => wrapUpGoogle(spreadsheetId, T.wrapUp, {}, env)],
  ] as const;
}

/** People fill in the form once (the responses are theirs, not the job's: not re-run). */
async function respondOnce(e: Emulator, spreadsheetId: string) {
  const state = e.dump() as unknown as { forms: { responses?: unknown[] }[] };
  if ((state.forms[0]?.responses ?? []).length) return;
  const result = await respond({ apiRoot: e.apiRoot, spreadsheetId }, lines());
  // Chris is not on the Team tab: the form is not shared with him, so Google refuses his answer.
  expect(result.refused).toEqual([
    {
      where: 'responses.jsonl line 5',
      reason: expect.stringMatching(/^chris\.doyle@\S+ is not a responder/),
    },
  ]);
}

/** What a person could see of the final state: ids Google makes at random are named by role. */
function summary(state: EmulatorState) {
  const s = state as unknown as {
    spreadsheets: { sheets: { properties: { title: string }; values: Cell[][] }[] }[];
    documents: { title: string; text: string }[];
    files: { name: string; mimeType: string; trashed?: boolean }[];
    messages: { milepostKey: string; to: string[]; subject: string }[];
    forms: { info: { title: string }; items?: { itemId: string; title?: string }[]; responses?: unknown[] }[];
  };
  const ids = new Map<string, string>();
  const name = (v: Cell) => {
    if (typeof v !== 'string') return v;
    return v.replace(/[A-Za-z0-9_-]{25,}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<id${ids.size + 1}>`);
      return ids.get(id)!;
    });
  };
  return {
    tabs: Object.fromEntries(
      s.spreadsheets[0]!.sheets.map((t) => [t.properties.title, t.values.map((r) => r.map(name))]),
    ),
    documents: s.documents.map((d) => ({ title: d.title, text: d.text })),
    files: s.files.map((f) => `${f.name} ${f.mimeType}${f.trashed ? ' trashed' : ''}`).sort(),
    messages: s.messages.map((m) => `${m.milepostKey} ${m.to.join(',')} ${m.subject}`).sort(),
    forms: s.forms.map((f) => ({
      title: f.info.title,
      items: (f.items ?? []).map((i) => `${i.itemId} ${i.title ?? ''}`),
      responses: (f.responses ?? []).length,
    })),
  };
}

/** A tab of the Google register as a core table (for the parity check). */
function tab(state: EmulatorState, title: string): Table {
  const sheet = (
    state.spreadsheets[0] as unknown as { sheets: { properties: { title: string }; values: Cell[][] }[] }
  ).sheets.find((t) => t.properties.title === title)!;
  const [headers = [], ...rows] = sheet.values;
  return { name: title, headers: headers.map(String), rows };
}

/** Rows by header, for comparing tables whose columns may be in another order. */
function records(t: Table, drop: string[] = []): Record<string, Cell>[] {
  return t.rows
    .filter((r) => r.some((c) => c !== null && c !== ''))
    .map((r) =>
      Object.fromEntries(
        t.headers
          .map((h, i) => [h, r[i] ?? null] as const)
          .filter(([h]) => !drop.includes(h))
          .map(([h, v]) => [h, v === '' ? null : v]),
      ),
    );
}

describe('the whole cycle on Google (Node job ↔ Workspace emulator)', () => {
  it('setup → request → responses → sync → reminders → pack → wrap-up; every step run again changes nothing', async () => {
    const { e, spreadsheetId, env } = await start();
    for (const [label, step] of steps(e, spreadsheetId, env)) {
      await step();
      const after = summary(e.dump());
      const seen = e.log.length;
      await step();
      expect(summary(e.dump()), `${label} run again`).toEqual(after);
      const again = e.log.slice(seen);
      if (label === 'request' || label === 'reminders') {
        // The form already matches the spec: rebuilding it sends nothing.
        expect(again.filter((x) => x.path.startsWith('/v1/forms') && x.kind === 'write')).toEqual([]);
      }
      if (label === 'sync') {
        // The watermark is the newest submit time; the next read asks only from 10 minutes before it.
        const { register } = readRegister((await readGoogle(spreadsheetId, env)).snapshot);
        const newest = lines()
          .map((l) => new Date((l.value as { submittedAt: string }).submittedAt).toISOString())
          .sort()
          .at(-1)!;
        expect(register.settings.raw['Form responses synced to']).toBe(newest);
        const list = again.find((x) => x.path.endsWith('/responses'))!;
        expect(list.query.filter).toBe(
          `timestamp >= ${new Date(Date.parse(newest) - 600_000).toISOString()}`,
        );
      }
    }
    const state = e.dump() as unknown as {
      forms: { publishSettings: unknown; settings: unknown; responses: { respondentEmail: string }[] }[];
      messages: { milepostKey: string; text: string }[];
    };
    // The form: published, verified email, the responses of the sample team.
    expect(state.forms).toHaveLength(1);
    expect(state.forms[0]!.settings).toMatchObject({ emailCollectionType: 'VERIFIED' });
    expect(state.forms[0]!.publishSettings).toMatchObject({
      publishState: { isPublished: true, isAcceptingResponses: true },
    });
    // Each owner got one request, with their own pre-filled link.
    const requests = state.messages.filter((m) => m.milepostKey.startsWith('request/2026-12-03/'));
    expect(requests.length).toBeGreaterThan(3);
    for (const m of requests) expect(m.text).toContain('viewform?usp=pp_url&entry.');
    const keys = state.messages.map((m) => m.milepostKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith('pack/'))).toEqual(['pack/2026-12-03']);
    expect(keys.filter((k) => k.startsWith('digest/'))).toEqual(['digest/2026-12-03']);
  });

  it('gives the same register changes, Changes rows, topics and meetings as the local backend', async () => {
    const local = tempDir('gcycle-local');
    fs.cpSync(template, local, { recursive: true });
    fs.writeFileSync(path.join(local, 'responses.jsonl'), sampleResponses());
    milepost('request', '-w', local, '--now', T.request);
    milepost('sync', '-w', local, '--now', T.sync);
    milepost('request', '-w', local, '--reminders', '--now', T.reminders);
    milepost('pack', '-w', local, '--now', T.pack);
    milepost('wrap-up', '-w', local, '--now', T.wrapUp);
    const book = await readWorkbook(path.join(local, 'register.xlsx'));
    const localTab = (name: string) => book.snapshot.tables.find((t) => t.name === name)!;

    const { e, spreadsheetId, env } = await start();
    for (const [, step] of steps(e, spreadsheetId, env)) await step();
    const state = e.dump();

    for (const name of ['Milestones', 'Changes', 'Topics']) {
      expect(records(tab(state, name)), name).toEqual(records(localTab(name)));
    }
    expect(records(tab(state, 'Meetings'), ['Pack'])).toEqual(records(localTab('Meetings'), ['Pack']));
    // Every response of the file is recorded (a line spanning two owners is two form responses),
    // except the answer of someone outside the team: the form is not shared with him on Google.
    const googleIds = records(tab(state, 'Updates')).map((r) => String(r['Response ID']));
    for (const r of records(localTab('Updates'))) {
      if (r.Email === 'chris.doyle@northwind.example')
        expect(googleIds).not.toContain(String(r['Response ID']));
      else expect(googleIds).toContain(String(r['Response ID']));
    }
  });
});

describe('the whole cycle on Google under faults', () => {
  let expected: ReturnType<typeof summary>;

  beforeAll(async () => {
    configureRetry({ baseMs: 2, capMs: 20 });
    const { e, spreadsheetId, env } = await start();
    for (const [, step] of steps(e, spreadsheetId, env)) await step();
    expected = summary(e.dump());
    await e.close();
    emulator = undefined;
  });
  afterAll(() => configureRetry());

  /**
   * Runs the week; a step that fails is run again, as the next scheduled run would (at most
   * twice). Returns the labels of the steps that had to be run again.
   */
  async function week(e: Emulator, spreadsheetId: string, env: Env, arm?: () => void): Promise<string[]> {
    const reruns: string[] = [];
    for (const [label, step] of steps(e, spreadsheetId, env)) {
      if (label !== 'respond') arm?.();
      try {
        await step();
      } catch (error) {
        if (label === 'respond') throw error;
        reruns.push(label);
        e.clearFaults();
        await step();
      }
      e.clearFaults();
    }
    return reruns;
  }

  it.each([429, 500, 503, 'a dropped connection'] as const)(
    'with every call failing once (%s), the final state equals the fault-free run',
    async (fault) => {
      const { e, spreadsheetId, env } = await start();
      const arm = () =>
        fault === 'a dropped connection'
          ? e.dropConnection({ eachOnce: true })
          : e.fail({ status: fault, eachOnce: true });
      const reruns = await week(e, spreadsheetId, env, arm);
      expect(summary(e.dump())).toEqual(expected);
      expect(e.log.filter((x) => x.fault).length).toBeGreaterThan(40);
      // Only calls that may have been carried out stop a run (5xx or a lost answer on a create).
      if (fault === 429) expect(reruns).toEqual([]);
    },
  );

  it('killed after each API call in turn and run again, the week ends in the same state', async () => {
    const clean = await start();
    const before = clean.e.log.length;
    await week(clean.e, clean.spreadsheetId, clean.env);
    const jobCalls = clean.e.log.slice(before).filter((x) => !x.path.includes('__emulator')).length;
    await clean.e.close();
    emulator = undefined;
    for (let n = 1; n <= jobCalls; n++) {
      const { e, spreadsheetId, env } = await start();
      // The job dies once its nth call is carried out: every later call of that run fails.
      let left = n;
      const arm = () => {
        if (left <= 0) return;
        e.fail({ status: 400, onCall: left + 1, times: 1_000_000, message: 'killed' });
      };
      const at = e.log.length;
      let killed = false;
      for (const [label, step] of steps(e, spreadsheetId, env)) {
        if (label !== 'respond' && !killed) arm();
        const start = e.log.length;
        try {
          await step();
        } catch {
          killed = true;
          e.clearFaults();
          await step();
        }
        if (label !== 'respond') left -= e.log.slice(start).filter((x) => !x.fault).length;
        e.clearFaults();
      }
      expect(e.log.length).toBeGreaterThan(at);
      expect(summary(e.dump()), `killed after call ${n}`).toEqual(expected);
      await e.close();
      emulator = undefined;
    }
  }, 600_000);
});
