/**
 * A year of weekly meetings on the Google backend, against the strict emulator: 52 cycles of
 * request → responses through the form → sync → pack → wrap-up, with a person sorting the
 * Milestones and Topics tabs while the job runs in some weeks (row metadata, if any, stays
 * where it was: the reading worse for us). No run fails, no value lands on another row, no
 * conflict outlives the run after it, and developer metadata in use does not grow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addDays, formatISO, parseISO } from 'date-fns';
import { afterEach, describe, expect, it } from 'vitest';
import { generateRegister } from '../../bench/generate';
import { respond } from '../../emulator/respond';
import { type Emulator, startEmulator } from '../../emulator/server';
import { seededRandom } from '../../emulator/sheets';
import type { TabName } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import type { Cell, RawSubmission, Status } from '../../src/core/types';
import {
  packGoogle,
  readGoogle,
  requestGoogle,
  setupGoogle,
  syncGoogle,
  wrapUpGoogle,
} from '../../src/google/backend';
import { initWorkspace } from '../../src/local/init';
import { createWorkbook } from '../../src/local/workbook';
import { tempDir } from '../cli/helpers';

const NONE = { raw: [], problems: [] };
const CYCLES = Number(process.env.MILEPOST_YEAR_CYCLES ?? 52);
let emulator: Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** The first week's times (the register's next meeting is Thursday 3 December 2026). */
const WEEK = {
  request: '2026-11-30T08:00:00Z',
  respond: '2026-11-30T12:00:00Z',
  sync: '2026-12-01T18:00:00Z',
  pack: '2026-12-02T16:00:00Z',
  wrapUp: '2026-12-03T12:00:00Z',
};
const at = (t: string, week: number) =>
  formatISO(addDays(parseISO(t), 7 * week), { format: 'extended' }).replace(/\+00:00$/, 'Z');

async function sampleRegister(): Promise<string> {
  const dir = tempDir('year-sample');
  await initWorkspace(dir, { sample: true });
  return path.join(dir, 'register.xlsx');
}

async function largeRegister(milestones: number): Promise<string> {
  const dir = tempDir('year-large');
  const generated = generateRegister({ milestones, people: 60, responses: 0, seed: 7 });
  const file = path.join(dir, 'register.xlsx');
  const data = generated.tables as Partial<Record<TabName, Record<string, Cell>[]>>;
  await createWorkbook(data, 'Europe/London').xlsx.writeFile(file);
  return file;
}

/** Owners answer the form: some of their open milestones change status or forecast. */
async function answers(e: Emulator, id: string, week: number, random: () => number): Promise<number> {
  const env = { MILEPOST_GOOGLE_API_ROOT: e.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
  const { register } = readRegister((await readGoogle(id, env)).snapshot);
  const open = register.milestones.filter((m) => m.status !== 'Done' && m.status !== 'Dropped');
  const owners = [...new Set(open.map((m) => m.owner))].filter(() => random() < 0.6);
  const lines: RawSubmission[] = owners.map((owner, i) => {
    const mine = open.filter((m) => m.owner === owner).slice(0, 12);
    const statuses: Record<string, Status> = {};
    const forecasts: Record<string, string> = {};
    for (const m of mine) {
      const r = random();
      statuses[m.id] = r < 0.15 ? 'Might miss' : r < 0.25 ? 'Done' : 'On track';
      if (r < 0.1) forecasts[m.id] = at('2027-02-01T00:00:00Z', week).slice(0, 10);
    }
    return {
      where: `week ${week + 1} ${owner}`,
      value: {
        responseId: `y${week}-${i}`,
        submittedAt: at(WEEK.respond, week).replace('12:00', `12:${String(i % 60).padStart(2, '0')}`),
        email: owner,
        statuses,
        forecasts,
        comments: {},
        wins: `Week ${week + 1} win`,
        learnings: '',
        helpNeeded: random() < 0.2 ? 'A second reviewer' : '',
        helpFrom: '',
      },
    };
  });
  if (!lines.length) return 0;
  const result = await respond({ apiRoot: e.apiRoot, spreadsheetId: id }, lines);
  expect(result.refused).toEqual([]);
  return lines.length;
}

/** A person sorts a tab while the job runs: before one of the job's next few calls. */
function sortDuring(e: Emulator, random: () => number): string {
  const tab = random() < 0.6 ? 'Milestones' : 'Topics';
  const by =
    tab === 'Milestones'
      ? ['Milestone', 'Owner', 'Due', 'Priority', 'Status'][Math.floor(random() * 5)]!
      : ['Topic', 'Score', 'Owner', 'Kind'][Math.floor(random() * 4)]!;
  const before = e.log.length + 2 + Math.floor(random() * 8);
  e.editBefore(before, { op: 'sortRows', sheet: tab, by, descending: random() < 0.5 });
  return `${tab} by ${by} before call ${before}`;
}

type Row = Record<string, Cell>;

function rowsOf(values: Cell[][]): Row[] {
  const [headers = [], ...rows] = values;
  return rows
    .filter((r) => r.some((c) => c !== null && c !== ''))
    .map((r) => Object.fromEntries(headers.map((h, i) => [String(h), r[i] ?? null])));
}

/**
 * Every milestone row is the milestone it was (the cells people own never change here), each
 * Status equals the last change the Changes tab recorded for it, and no change was ever read
 * as a person's edit (nobody edits cells here: a value on the wrong row would show up as one).
 */
function checkRegister(
  e: Emulator,
  id: string,
  seen: { identity: Map<string, string>; topics: Map<string, string>; changesBefore: number },
): void {
  const { identity, topics } = seen;
  const milestones = rowsOf(e.values(id, 'Milestones'));
  const changes = rowsOf(e.values(id, 'Changes'));
  const lastStatus = new Map<string, Cell>();
  for (const c of changes) if (c.Field === 'Status') lastStatus.set(String(c.Milestone), c.To ?? null);
  expect(changes.slice(seen.changesBefore).filter((c) => c.Source === 'sheet')).toEqual([]);
  for (const m of milestones) {
    const key = String(m.ID);
    const who = [m.Milestone, m.Owner, m.Due, m.Priority].join(' | ');
    if (!identity.has(key)) identity.set(key, who);
    expect(who, `${key}'s own cells`).toBe(identity.get(key));
    if (lastStatus.has(key)) expect(m.Status || 'On track', `${key}'s Status`).toBe(lastStatus.get(key));
  }
  expect(new Set(milestones.map((m) => m.ID)).size).toBe(milestones.length);
  const topicRows = rowsOf(e.values(id, 'Topics'));
  for (const t of topicRows) {
    const key = String(t['Topic ID']);
    const what = [t.Kind, t.Milestone, t.Topic].join(' | ');
    if (!topics.has(key)) topics.set(key, what);
    expect(what, `topic ${key}`).toBe(topics.get(key));
  }
}

async function year(registerFile: string, cycles: number, seed: number) {
  emulator = await startEmulator({ quotaPerMinute: false });
  const e = emulator;
  const id = await e.seedFromWorkbook(registerFile);
  const env = { MILEPOST_GOOGLE_API_ROOT: e.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
  const random = seededRandom(seed);
  await setupGoogle(id, 'ignored', env);
  const seen = {
    identity: new Map<string, string>(),
    topics: new Map<string, string>(),
    changesBefore: rowsOf(e.values(id, 'Changes')).length,
  };
  let previous = new Set<string>();
  const metadata: number[] = [];
  let sorts = 0;
  for (let week = 0; week < cycles; week++) {
    const edits: string[] = [];
    const conflicts: string[] = [];
    // No conflict reported by one run is reported again by the run after it.
    const keep = (r: { result: { conflicts: { tab: string; value?: string; message: string }[] } }) => {
      const now = new Set(r.result.conflicts.map((c) => `${c.tab} ${c.value ?? ''}`));
      const outlived = [...now].filter((c) => previous.has(c));
      expect(outlived, `week ${week + 1}: conflicts that outlived the run after them`).toEqual([]);
      previous = now;
      conflicts.push(...r.result.conflicts.map((c) => c.message));
    };
    const sorting = week % 3 === 1;
    if (sorting) edits.push(sortDuring(e, random));
    keep(await requestGoogle(id, at(WEEK.request, week), {}, env));
    await answers(e, id, week, random);
    if (sorting) edits.push(sortDuring(e, random));
    keep(await syncGoogle(id, NONE, at(WEEK.sync, week), env));
    if (sorting) edits.push(sortDuring(e, random));
    keep(await packGoogle(id, NONE, at(WEEK.pack, week), env));
    if (sorting) edits.push(sortDuring(e, random));
    keep(await wrapUpGoogle(id, at(WEEK.wrapUp, week), {}, env));
    sorts += edits.length;
    checkRegister(e, id, seen);
    const used = e.metadataCharacters(id);
    const inUse = used.spreadsheet + Object.values(used.sheets).reduce((a, b) => a + b, 0);
    metadata.push(inUse);
    console.log(
      `week ${String(week + 1).padStart(2)}: metadata in use ${inUse} characters (${
        Object.entries(used.sheets)
          .filter(([, n]) => n)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ') || 'none on any sheet'
      })${conflicts.length ? `; conflicts ${conflicts.length}` : ''}${edits.length ? `; sorted ${edits.join(', ')}` : ''}`,
    );
  }
  // Whatever leaves edits pending (a sort due on a call that never came) is dropped.
  e.clearFaults();
  // Flat: the one spreadsheet-level mark (ROWS_MARK), whatever the register's age or size.
  expect(Math.max(...metadata)).toBe(metadata[0]);
  expect(metadata[0]).toBeLessThan(100);
  const meetings = rowsOf(e.values(id, 'Meetings'));
  return { meetings, sorts };
}

describe('a year of weekly meetings on Google', () => {
  it('for a 30-milestone team, with people sorting tabs in some weeks', async () => {
    const { meetings, sorts } = await year(await sampleRegister(), CYCLES, 11);
    expect(sorts).toBe(4 * Math.floor((CYCLES + 1) / 3));
    expect(meetings.filter((m) => m.Status === 'Held').length).toBeGreaterThanOrEqual(CYCLES);
  }, 900_000);

  it('for a 1,000-milestone register, with people sorting tabs in some weeks', async () => {
    const file = await largeRegister(1_000);
    expect(fs.existsSync(file)).toBe(true);
    const { meetings, sorts } = await year(file, CYCLES, 12);
    expect(sorts).toBe(4 * Math.floor((CYCLES + 1) / 3));
    expect(meetings.filter((m) => m.Status === 'Held').length).toBeGreaterThanOrEqual(CYCLES);
  }, 1_800_000);
});
