/**
 * The Google backend reads the same register as the local one: seeded into the Workspace
 * emulator from the sample workbook, read back through the real googleapis client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import { planSync } from '../../src/core/cycle';
import type { Snapshot } from '../../src/core/types';
import { readGoogle } from '../../src/google/backend';
import { quoteSheet, tableOf } from '../../src/google/sheets';
import { initWorkspace } from '../../src/local/init';
import { readResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { milepostAsync, sampleResponses, tempDir } from '../cli/helpers';

const NOW = '2026-12-02T16:00:00Z';

/** Tables compared cell by cell, ignoring trailing empty cells of a row. */
function normalised(s: Snapshot) {
  return s.tables.map((t) => ({
    name: t.name,
    headers: t.headers,
    rows: t.rows.map((r) => {
      const row = r.map((c) => (c === '' ? null : c));
      while (row.length && row[row.length - 1] === null) row.pop();
      return row;
    }),
  }));
}

let emulator: Emulator;
let dir: string;
let spreadsheetId: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = tempDir('google');
  await initWorkspace(dir, { sample: true });
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
  emulator = await startEmulator({ quotaPerMinute: false });
  spreadsheetId = await emulator.seedFromWorkbook(path.join(dir, 'register.xlsx'));
  env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
});
afterAll(async () => {
  await emulator?.close();
});

describe('reading the register from a Google Sheet', () => {
  it('quotes sheet names for A1 notation', () => {
    expect(quoteSheet("Bob's tab")).toBe("'Bob''s tab'");
  });

  it('turns Sheets rows (trailing empties omitted) into a core table', () => {
    expect(tableOf('T', [['A', 'B'], ['x', '', ''], [], ['', 'y'], []])).toEqual({
      name: 'T',
      headers: ['A', 'B'],
      rows: [['x'], [], [null, 'y']],
    });
  });

  it('reads the same snapshot as the local backend, in two API calls', async () => {
    const before = emulator.calls;
    const google = await readGoogle(spreadsheetId, env);
    expect(emulator.calls - before).toBe(2);
    expect(google.timeZone).toBe('Europe/London');
    const local = await readWorkbook(path.join(dir, 'register.xlsx'));
    expect(normalised(google.snapshot)).toEqual(normalised(local.snapshot));
  });

  it('gives the core the same plan as the local backend (parity)', async () => {
    const google = await readGoogle(spreadsheetId, env);
    const local = await readWorkbook(path.join(dir, 'register.xlsx'));
    const { raw } = await readResponses(path.join(dir, 'responses.jsonl'));
    const a = planSync(google.snapshot, raw, NOW);
    const b = planSync(local.snapshot, raw, NOW);
    expect(a.plan).toEqual(b.plan);
    expect(a.topics).toEqual(b.topics);
    expect(a.applied.length).toBeGreaterThan(0);
  });

  it('retries a read that fails once (503, then a dropped connection)', async () => {
    emulator.fail({ status: 503, onCall: 1 });
    emulator.dropConnection({ onCall: 3 });
    const google = await readGoogle(spreadsheetId, env);
    expect(google.snapshot.tables.map((t) => t.name)).toContain('Milestones');
  });

  it('validate and sync --dry-run work on the Google backend from the CLI, with the local results', async () => {
    const args = ['--backend', 'google', '--spreadsheet', spreadsheetId, '--json'];
    const v = await milepostAsync(env, 'validate', ...args);
    expect(v.stderr).toContain('Google Sheet');
    expect(v.code).toBe(0);
    expect(v.json()).toMatchObject({ ok: true, errors: [] });
    const responses = path.join(dir, 'responses.jsonl');
    const g = await milepostAsync(env, 'sync', ...args, '--dry-run', '--responses', responses, '--now', NOW);
    expect(g.code).toBe(0);
    const l = await milepostAsync({}, 'sync', '-w', dir, '--dry-run', '--json', '--now', NOW);
    expect(l.stderr).toContain('nothing is written');
    const pick = (r: Awaited<typeof g>) => {
      const j = r.json() as { applied: unknown[]; rejected: unknown[]; assignedIds: unknown[] };
      return { applied: j.applied, rejected: j.rejected, assignedIds: j.assignedIds };
    };
    expect(pick(g)).toEqual(pick(l));
    const writes = emulator.log.filter((e) => e.kind === 'write');
    expect(writes).toEqual([]);
  });

  it('names a missing spreadsheet clearly', async () => {
    const r = await milepostAsync(env, 'validate', '--backend', 'google', '--spreadsheet', 'no-such-sheet');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'milepost: Google API: Requested entity was not found. (HTTP 404, spreadsheets.get)',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
  });
});
