/**
 * Embedded charts in the emulated Sheets v4 API: addChart, updateChartSpec and
 * deleteEmbeddedObject in spreadsheets.batchUpdate, and `sheets[].charts` in spreadsheets.get,
 * driven through the real googleapis client over HTTP.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { describe, expect, it } from 'vitest';
import { failure, googleError, seedSampleEachTest } from './helpers';

let api: sheets_v4.Sheets;
let id: string;
seedSampleEachTest((s) => {
  ({ api, id } = s);
});

const column = (sheetId: number, c: number): sheets_v4.Schema$GridRange => ({
  sheetId,
  startRowIndex: 0,
  endRowIndex: 5,
  startColumnIndex: c,
  endColumnIndex: c + 1,
});

function spec(title: string, sheetId = 0, chartType = 'LINE'): sheets_v4.Schema$ChartSpec {
  return {
    title,
    basicChart: {
      chartType,
      headerCount: 1,
      domains: [{ domain: { sourceRange: { sources: [column(sheetId, 0)] } } }],
      series: [{ series: { sourceRange: { sources: [column(sheetId, 1)] } }, targetAxis: 'LEFT_AXIS' }],
    },
  };
}

function addChart(s: sheets_v4.Schema$ChartSpec, sheetId = 0, chartId?: number): sheets_v4.Schema$Request {
  return {
    addChart: {
      chart: {
        ...(chartId ? { chartId } : {}),
        spec: s,
        position: { overlayPosition: { anchorCell: { sheetId, rowIndex: 1, columnIndex: 8 } } },
      },
    },
  };
}

const update = (requests: sheets_v4.Schema$Request[]) =>
  api.spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests } });

async function chartsOf(sheetId = 0) {
  const got = await api.spreadsheets.get({
    spreadsheetId: id,
    fields: 'sheets(properties(sheetId),charts(chartId,spec(title,basicChart(chartType))))',
  });
  return got.data.sheets?.find((s) => s.properties?.sheetId === sheetId)?.charts ?? [];
}

describe('charts', () => {
  it('adds a chart, answers its id, and lists it on its sheet with the fields asked for', async () => {
    const res = await update([addChart(spec('Trend'))]);
    const added = res.data.replies?.[0]?.addChart?.chart;
    expect(added?.chartId).toEqual(expect.any(Number));
    expect(added?.spec?.title).toBe('Trend');
    expect(added?.position?.overlayPosition?.anchorCell).toEqual({ sheetId: 0, rowIndex: 1, columnIndex: 8 });
    expect(await chartsOf()).toEqual([
      { chartId: added!.chartId, spec: { title: 'Trend', basicChart: { chartType: 'LINE' } } },
    ]);
    // Sheets without charts have no `charts`; a field mask without it leaves it out.
    const plain = await api.spreadsheets.get({ spreadsheetId: id, fields: 'sheets(properties(title))' });
    expect(JSON.stringify(plain.data)).not.toContain('charts');
  });

  it('updates a chart in place and deletes it by its id', async () => {
    const res = await update([addChart(spec('Trend'))]);
    const chartId = res.data.replies![0]!.addChart!.chart!.chartId!;
    await update([{ updateChartSpec: { chartId, spec: spec('Mix', 0, 'BAR') } }]);
    expect(await chartsOf()).toEqual([{ chartId, spec: { title: 'Mix', basicChart: { chartType: 'BAR' } } }]);
    await update([{ deleteEmbeddedObject: { objectId: chartId } }]);
    expect(await chartsOf()).toEqual([]);
  });

  it('refuses an unknown chart id, a source range on no sheet, and a chart id already taken', async () => {
    const res = await update([addChart(spec('Trend'), 0, 4242)]);
    expect(res.data.replies![0]!.addChart!.chart!.chartId).toBe(4242);
    const unknown = await failure(update([{ updateChartSpec: { chartId: 999, spec: spec('x') } }]));
    expect(unknown.status).toBe(400);
    expect(unknown.data).toEqual(
      googleError(400, 'Invalid requests[0].updateChartSpec: No chart with id: 999', 'INVALID_ARGUMENT'),
    );
    const gone = await failure(update([{ deleteEmbeddedObject: { objectId: 999 } }]));
    expect(gone.data).toEqual(
      googleError(400, 'Invalid requests[0].deleteEmbeddedObject: No chart with id: 999', 'INVALID_ARGUMENT'),
    );
    const missing = await failure(update([addChart(spec('Trend', 777))]));
    expect(missing.data).toEqual(
      googleError(400, 'Invalid requests[0].addChart: No grid with id: 777', 'INVALID_ARGUMENT'),
    );
    const twice = await failure(update([addChart(spec('Again'), 0, 4242)]));
    expect(twice.status).toBe(400);
    expect((twice.data as { error: { message: string } }).error.message).toMatch(/already exists/);
  });

  it('applies a batch with charts all or nothing', async () => {
    await failure(update([addChart(spec('Kept?')), { updateChartSpec: { chartId: 1, spec: spec('x') } }]));
    expect(await chartsOf()).toEqual([]);
  });

  it('refuses a source range outside the grid and a second domain', async () => {
    const wide = spec('Wide');
    wide.basicChart!.series![0]!.series!.sourceRange!.sources![0]!.endRowIndex = 5000;
    expect((await failure(update([addChart(wide)]))).status).toBe(400);
    const two = spec('Two');
    two.basicChart!.domains!.push(two.basicChart!.domains![0]!);
    const res = await failure(update([addChart(two)]));
    expect((res.data as { error: { message: string } }).error.message).toMatch(
      /Only a single domain is supported/,
    );
  });

  it('removes a sheet’s charts with the sheet', async () => {
    const added = await update([{ addSheet: { properties: { title: 'Dashboard', sheetId: 77 } } }]);
    expect(added.data.replies?.[0]?.addSheet?.properties?.sheetId).toBe(77);
    const res = await update([addChart(spec('On 77', 77), 77)]);
    const chartId = res.data.replies![0]!.addChart!.chart!.chartId!;
    expect((await chartsOf(77)).map((c) => c.chartId)).toEqual([chartId]);
    await update([{ deleteSheet: { sheetId: 77 } }]);
    const after = await failure(update([{ deleteEmbeddedObject: { objectId: chartId } }]));
    expect(after.status).toBe(400);
  });
});
