/** The Dashboard tab's Sheets requests (pure), and its write against the emulator when an answer is lost. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import { MIX_CHART_TITLE, planDashboard, TREND_CHART_TITLE } from '../../src/core/dashboard';
import { dateToSerial } from '../../src/core/dates';
import { packGoogle } from '../../src/google/backend';
import { connect, sheetsClient } from '../../src/google/clients';
import { chartSpec, dashboardRequests } from '../../src/google/dashboard';
import { configureRetry } from '../../src/google/retry';
import { initWorkspace } from '../../src/local/init';
import { readResponses } from '../../src/local/responses';
import { sampleResponses, tempDir } from '../cli/helpers';

const plan = planDashboard(
  {
    meetings: ['2026-11-26', '2026-12-03'],
    series: [{ id: 'M-0003', title: 'Billing', risk: 'late', forecasts: ['2026-12-04', '2026-12-18'] }],
    omitted: 0,
  },
  [
    {
      priority: '=HYPERLINK("x")',
      counts: { 'On track': 1, 'Might miss': 1, Missed: 0, Done: 0, Dropped: 0 },
      unreadable: 0,
    },
  ],
);

describe('dashboardRequests', () => {
  it('clears the tab, writes the tables from A1 (text as text, dates as formatted serials), then adds both charts', () => {
    const requests = dashboardRequests(plan, { sheetId: 9, charts: [] });
    expect(requests[0]).toEqual({
      updateCells: { range: { sheetId: 9 }, fields: 'userEnteredValue,userEnteredFormat' },
    });
    const rows = requests[1]!.updateCells!.rows!;
    expect(requests[1]!.updateCells!.start).toEqual({ sheetId: 9, rowIndex: 0, columnIndex: 0 });
    expect(rows).toHaveLength(plan.values.length);
    const t = plan.trendTable;
    expect(rows[t.row + 1]!.values![1]).toEqual({
      userEnteredValue: { numberValue: dateToSerial('2026-12-04') },
      userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } },
    });
    // People's text never becomes a formula; counts are plain numbers.
    expect(rows[plan.mixTable.row + 1]!.values!.slice(0, 2)).toEqual([
      { userEnteredValue: { stringValue: '=HYPERLINK("x")' } },
      { userEnteredValue: { numberValue: 1 } },
    ]);
    const adds = requests.slice(2).map((r) => r.addChart?.chart);
    expect(adds.map((c) => c?.spec?.title)).toEqual([TREND_CHART_TITLE, MIX_CHART_TITLE]);
    expect(adds[0]!.position!.overlayPosition!.anchorCell).toEqual({
      sheetId: 9,
      rowIndex: plan.charts[0].anchor.row,
      columnIndex: plan.charts[0].anchor.column,
    });
  });

  it('updates the charts it finds by title in place and deletes any other chart on the tab', () => {
    const requests = dashboardRequests(plan, {
      sheetId: 9,
      charts: [
        { chartId: 1, title: 'Someone’s chart' },
        { chartId: 2, title: MIX_CHART_TITLE },
        { chartId: 3, title: TREND_CHART_TITLE },
        { chartId: 4, title: TREND_CHART_TITLE },
      ],
    });
    expect(requests.slice(2)).toEqual([
      { updateChartSpec: { chartId: 3, spec: chartSpec(9, plan.charts[0]) } },
      { updateChartSpec: { chartId: 2, spec: chartSpec(9, plan.charts[1]) } },
      { deleteEmbeddedObject: { objectId: 1 } },
      { deleteEmbeddedObject: { objectId: 4 } },
    ]);
    // A chart whose title someone changed is reused rather than doubled.
    const renamed = dashboardRequests(plan, { sheetId: 9, charts: [{ chartId: 7, title: 'Renamed' }] });
    expect(renamed.slice(2).map((r) => Object.keys(r)[0])).toEqual(['updateChartSpec', 'addChart']);
  });

  it('specifies a line chart over the trend and a stacked bar chart over the mix, one range per column', () => {
    const line = chartSpec(9, plan.charts[0]).basicChart!;
    expect(line.chartType).toBe('LINE');
    expect(line.stackedType).toBeUndefined();
    expect(line.headerCount).toBe(1);
    expect(line.domains![0]!.domain!.sourceRange!.sources).toEqual([
      { sheetId: 9, startRowIndex: 3, endRowIndex: 6, startColumnIndex: 0, endColumnIndex: 1 },
    ]);
    expect(line.series!.map((s) => s.series!.sourceRange!.sources![0]!.startColumnIndex)).toEqual([1, 2]);
    const bar = chartSpec(9, plan.charts[1]).basicChart!;
    expect(bar).toMatchObject({ chartType: 'BAR', stackedType: 'STACKED' });
    expect(bar.series!.every((s) => s.targetAxis === 'BOTTOM_AXIS')).toBe(true);
    expect(bar.series).toHaveLength(6);
  });
});

describe('the Dashboard on the emulator', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('leaves a "Dashboard" tab of the team’s own untouched, and says why', async () => {
    configureRetry({ baseMs: 2, capMs: 20 });
    const dir = tempDir('gdash-own');
    await initWorkspace(dir, { sample: true });
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
    const { raw } = await readResponses(path.join(dir, 'responses.jsonl'));
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(dir, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
    const api = sheetsClient(connect(env));
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: { requests: [{ addSheet: { properties: { title: 'Dashboard' } } }] },
    });
    await api.spreadsheets.values.update({
      spreadsheetId: id,
      range: 'Dashboard!A1:B2',
      valueInputOption: 'RAW',
      requestBody: {
        values: [
          ['Our KPIs', ''],
          ['Revenue', 12],
        ],
      },
    });
    const result = await packGoogle(id, raw, '2026-12-02T16:00:00Z', env);
    expect(result.dashboard).toBeUndefined();
    expect(result.dashboardSkipped).toMatch(/tab of its own/);
    expect(result.documentId).toBeTruthy();
    expect(emulator.values(id, 'Dashboard')).toEqual([['Our KPIs'], ['Revenue', 12]]);
  });

  it('never leaves a second pair of charts when the answer to the chart write is lost', async () => {
    configureRetry({ baseMs: 2, capMs: 20 });
    const dir = tempDir('gdash');
    await initWorkspace(dir, { sample: true });
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
    const { raw } = await readResponses(path.join(dir, 'responses.jsonl'));
    const WRITE = /^\/v4\/spreadsheets\/[^/:]+:batchUpdate$/;
    const start = async () => {
      emulator = await startEmulator({ quotaPerMinute: false });
      const id = await emulator.seedFromWorkbook(path.join(dir, 'register.xlsx'));
      return { id, env: { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' } };
    };
    // Which spreadsheets.batchUpdate call of a first pack writes the charts.
    const dry = await start();
    await packGoogle(dry.id, raw, '2026-12-02T16:00:00Z', dry.env);
    const writes = emulator!.log.filter((e) => WRITE.test(e.path));
    const at = writes.findIndex((e) => JSON.stringify(e.body).includes('addChart')) + 1;
    expect(at).toBeGreaterThan(0);
    await emulator!.close();

    const { id, env } = await start();
    emulator!.dropConnection({ path: WRITE.source, onCall: at, afterApply: true });
    await expect(packGoogle(id, raw, '2026-12-02T16:00:00Z', env)).rejects.toThrow();
    await packGoogle(id, raw, '2026-12-02T16:30:00Z', env);
    const got = await sheetsClient(connect(env)).spreadsheets.get({
      spreadsheetId: id,
      fields: 'sheets(properties(title),charts(chartId))',
    });
    const dashboards = (got.data.sheets ?? []).filter((s) => s.properties?.title === 'Dashboard');
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.charts).toHaveLength(2);
  });
});
