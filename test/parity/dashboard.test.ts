/**
 * The Dashboard tab on both Google runtimes: the Node job against the Workspace emulator and the
 * Apps Script bundle against the fakes. Building the sample week's pack twice leaves one
 * Dashboard tab holding the core's plan (core/dashboard.ts) for the register as it then stands,
 * with exactly two charts over the planned tables, updated in place (same chart ids) — and the
 * two runtimes plan and write the same Dashboard.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { sheets_v4 } from '@googleapis/sheets';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import type { GasWorld } from '../../gas-fakes/world';
import { type DashboardPlan, dashboardFor, type GridArea } from '../../src/core/dashboard';
import { readRegister } from '../../src/core/register';
import { packGoogle, readGoogle } from '../../src/google/backend';
import { connect, sheetsClient } from '../../src/google/clients';
import { configureRetry } from '../../src/google/retry';
import { initWorkspace } from '../../src/local/init';
import { readResponses } from '../../src/local/responses';
import { sampleResponses, tempDir } from '../cli/helpers';
import { bundleExists, newWorld, registerOf, respondAll, run, sampleSnapshot, T } from '../gas/week';

const MEETING = '2026-12-03';
const AGAIN = '2026-12-02T17:00:00Z';

/** Cells as a grid compares: blanks as null, trailing blanks and blank rows left out. */
function grid(values: readonly (readonly unknown[])[]): unknown[][] {
  const rows = values.map((r) => {
    const row = r.map((c) => (c === '' || c === undefined ? null : c));
    while (row.length && row[row.length - 1] === null) row.pop();
    return row;
  });
  while (rows.length && rows[rows.length - 1]!.length === 0) rows.pop();
  return rows;
}

/** What a chart draws: its ranges (domain first) in A1-like grid terms. */
type Drawn = { type: string; title: string; ranges: GridArea[] };

function planned(plan: DashboardPlan): Drawn[] {
  return plan.charts.map((c) => ({
    type: c.type === 'bar' ? 'BAR' : 'LINE',
    title: c.title,
    ranges: [c.domain, ...c.series],
  }));
}

/** The planned tables are covered by the charts' ranges, cell by cell. */
function expectCovers(drawn: Drawn[], plan: DashboardPlan): void {
  for (const [chart, table] of [
    [drawn[0]!, plan.trendTable],
    [drawn[1]!, plan.mixTable],
  ] as const) {
    for (let r = table.row; r < table.row + table.rows; r++)
      for (let c = table.column; c < table.column + table.columns; c++)
        expect(
          chart.ranges.some(
            (a) => r >= a.row && r < a.row + a.rows && c >= a.column && c < a.column + a.columns,
          ),
          `${chart.title} covers row ${r} column ${c}`,
        ).toBe(true);
  }
}

let template: string;
let emulator: Emulator | undefined;
const results: Partial<Record<'google' | 'apps script', { plan: DashboardPlan; values: unknown[][] }>> = {};

beforeAll(async () => {
  configureRetry({ baseMs: 2, capMs: 20 });
  template = tempDir('dashboard');
  await initWorkspace(template, { sample: true });
  fs.writeFileSync(path.join(template, 'responses.jsonl'), sampleResponses());
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function gridArea(g: sheets_v4.Schema$GridRange): GridArea {
  return {
    row: g.startRowIndex ?? 0,
    column: g.startColumnIndex ?? 0,
    rows: (g.endRowIndex ?? 0) - (g.startRowIndex ?? 0),
    columns: (g.endColumnIndex ?? 0) - (g.startColumnIndex ?? 0),
  };
}

describe('the Dashboard tab', () => {
  it('Node job: one tab, the plan’s values, two charts over the tables, updated in place', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));
    const api = sheetsClient(connect(env));
    const sheetsNow = async () =>
      (
        await api.spreadsheets.get({
          spreadsheetId: id,
          fields: 'sheets(properties(sheetId,title),charts(chartId,spec))',
        })
      ).data.sheets ?? [];

    await packGoogle(id, raw, T.pack, env);
    const firstIds = (await sheetsNow())
      .find((s) => s.properties?.title === 'Dashboard')
      ?.charts?.map((c) => c.chartId);
    const again = await packGoogle(id, raw, AGAIN, env);

    const sheets = await sheetsNow();
    const dashboards = sheets.filter((s) => s.properties?.title === 'Dashboard');
    expect(dashboards).toHaveLength(1);
    const charts = dashboards[0]!.charts ?? [];
    expect(charts).toHaveLength(2);
    expect(charts.map((c) => c.chartId)).toEqual(firstIds);

    // The plan is the core's for the register as the pack left it.
    const { register } = readRegister((await readGoogle(id, env)).snapshot);
    const plan = dashboardFor(register, MEETING, AGAIN);
    expect(again.dashboard).toEqual(plan);
    expect(plan.trendTable.columns).toBeGreaterThan(2); // the sample has milestones at risk

    const sheetId = dashboards[0]!.properties!.sheetId!;
    const drawn: Drawn[] = charts.map((c) => {
      const basic = c.spec!.basicChart!;
      const sources = [
        ...(basic.domains ?? []).map((d) => d.domain!.sourceRange!.sources!),
        ...(basic.series ?? []).map((s) => s.series!.sourceRange!.sources!),
      ];
      for (const s of sources) expect(s.map((g) => g.sheetId)).toEqual([sheetId]);
      return { type: basic.chartType!, title: c.spec!.title!, ranges: sources.map((s) => gridArea(s[0]!)) };
    });
    expect(drawn).toEqual(planned(plan));
    expect(charts[1]!.spec!.basicChart!.stackedType).toBe('STACKED');
    expectCovers(drawn, plan);

    const values = grid(emulator.values(id, 'Dashboard'));
    expect(values).toEqual(grid(plan.values));
    results.google = { plan, values };
  });

  it.skipIf(!bundleExists())(
    'Apps Script: one tab, the plan’s values, two charts over the tables, updated in place',
    async () => {
      const world: GasWorld = newWorld(await sampleSnapshot());
      run(world, 'milepostSetup', T.setup);
      run(world, 'milepostRequest', T.request);
      world.setNow(new Date(T.sync));
      respondAll(world, false);
      run(world, 'milepostPack', T.pack);
      const sheetOf = () => world.spreadsheet.state.sheets.filter((s) => s.name === 'Dashboard');
      const firstIds = sheetOf()[0]?.charts.map((c) => c.chartId);
      run(world, 'milepostPack', AGAIN);

      expect(sheetOf()).toHaveLength(1);
      const sheet = sheetOf()[0]!;
      expect(sheet.charts).toHaveLength(2);
      expect(sheet.charts.map((c) => c.chartId)).toEqual(firstIds);

      const plan = dashboardFor(registerOf(world), MEETING, AGAIN);
      const drawn: Drawn[] = sheet.charts.map((c) => {
        for (const a of c.ranges) expect(a.sheet).toBe(sheet);
        return {
          type: c.type.name(),
          title: String(c.options.title),
          ranges: c.ranges.map((a) => ({
            row: a.row - 1,
            column: a.col - 1,
            rows: a.numRows,
            columns: a.numCols,
          })),
        };
      });
      expect(drawn).toEqual(planned(plan));
      expect(sheet.charts.map((c) => c.options.isStacked)).toEqual([false, true]);
      expect(sheet.charts.map((c) => c.numHeaders)).toEqual([1, 1]);
      expectCovers(drawn, plan);

      // Dates are serials formatted as dates; text is stored as text.
      const values = grid(world.values('Dashboard'));
      expect(values).toEqual(grid(plan.values));
      for (const a of plan.dates) {
        expect(sheet.cell(a.row + 1, a.column + 1)?.fmt).toBe(plan.datePattern);
      }
      results['apps script'] = { plan, values };
    },
  );

  it.skipIf(!bundleExists())(
    'Apps Script: leaves a "Dashboard" tab of the team’s own untouched',
    async () => {
      const sample = await sampleSnapshot();
      const own = { name: 'Dashboard', headers: ['Our KPIs', 'Value'], rows: [['Revenue', 12]] };
      const world: GasWorld = newWorld({ tables: [...sample.tables, own] });
      run(world, 'milepostSetup', T.setup);
      run(world, 'milepostPack', T.pack);
      expect(world.values('Dashboard')).toEqual([
        ['Our KPIs', 'Value'],
        ['Revenue', 12],
      ]);
      expect(world.spreadsheet.state.sheetByName('Dashboard')!.charts).toEqual([]);
      expect(world.logs.map((l) => l.message).join('\n')).toMatch(/"Dashboard" tab of its own/);
    },
  );

  it('is the same Dashboard in both runtimes', () => {
    if (!bundleExists()) return;
    const { google, 'apps script': gas } = results;
    if (!google || !gas) throw new Error('both runtimes must have built their Dashboard above');
    expect(gas.plan).toEqual(google.plan);
    expect(gas.values).toEqual(google.values);
  });
});
