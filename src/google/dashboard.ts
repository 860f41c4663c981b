/**
 * The Dashboard tab of the Google Sheet (core/dashboard.ts plans it): its values and its two
 * native charts, written when the pack is built. Nothing is made public and nothing new is
 * stored: the charts are found again on the Dashboard sheet itself, by their titles.
 *
 * Calls: one spreadsheets.get (the Dashboard sheet and its charts; the first time, an addSheet
 * and a second get), then one spreadsheets.batchUpdate that clears the tab, writes the tables
 * and adds or updates the charts, atomically ("REST Resource: spreadsheets", batchUpdate: "If any
 * request is not valid then the entire request will fail and nothing will be applied"). Updating
 * cells or a chart is safe to repeat; adding a chart is not: a batch that adds is sent once (a
 * lost answer fails the run, and the next pack finds the charts and updates them), and any chart
 * on the tab beyond the two is deleted.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import type { DashboardChart, DashboardPlan, GridArea } from '../core/dashboard';
import { normaliseName } from '../core/layout';
import type { Cell } from '../core/types';
import type { ApiCalls } from './retry';

type Request = sheets_v4.Schema$Request;

export interface DashboardSheet {
  sheetId: number;
  charts: { chartId: number; title: string }[];
}

/** Sheets' GridRange of an area of the sheet (end indexes exclusive). */
function gridRange(sheetId: number, a: GridArea): sheets_v4.Schema$GridRange {
  return {
    sheetId,
    startRowIndex: a.row,
    endRowIndex: a.row + a.rows,
    startColumnIndex: a.column,
    endColumnIndex: a.column + a.columns,
  };
}

/**
 * A planned chart as a Sheets ChartSpec (Sheets API reference, BasicChartSpec): `headerCount` —
 * "The number of rows or columns in the data that are "headers". If not set, Google Sheets will
 * guess how many rows are headers based on the data."; `stackedType` — "The stacked type for
 * charts that support vertical stacking. Applies to Area, Bar, Column, Combo, and Stepped Area
 * charts."; `domains` — "Only a single domain is supported." A BAR chart's bars run along the
 * left axis, so its values are on the bottom axis (BasicChartSeries.targetAxis: "It is an error
 * to specify an axis that isn't a valid minor axis for the chart's type").
 */
export function chartSpec(sheetId: number, c: DashboardChart): sheets_v4.Schema$ChartSpec {
  const values = c.type === 'bar' ? 'BOTTOM_AXIS' : 'LEFT_AXIS';
  const domain = c.type === 'bar' ? 'LEFT_AXIS' : 'BOTTOM_AXIS';
  return {
    title: c.title,
    basicChart: {
      chartType: c.type === 'bar' ? 'BAR' : 'LINE',
      legendPosition: 'RIGHT_LEGEND',
      headerCount: c.headerRows,
      ...(c.stacked ? { stackedType: 'STACKED' } : {}),
      axis: [
        { position: domain, title: c.axes.domain },
        { position: values, title: c.axes.values },
      ],
      domains: [{ domain: { sourceRange: { sources: [gridRange(sheetId, c.domain)] } } }],
      series: c.series.map((s) => ({
        series: { sourceRange: { sources: [gridRange(sheetId, s)] } },
        targetAxis: values,
      })),
    },
  };
}

/** A planned cell as Sheets CellData: text is a stringValue, never read as a formula. */
function cellData(value: Cell, date: boolean, pattern: string): sheets_v4.Schema$CellData {
  if (value === null || value === '') return {};
  const v: sheets_v4.Schema$ExtendedValue =
    typeof value === 'number'
      ? { numberValue: value }
      : typeof value === 'boolean'
        ? { boolValue: value }
        : { stringValue: value };
  return date && typeof value === 'number'
    ? { userEnteredValue: v, userEnteredFormat: { numberFormat: { type: 'DATE', pattern } } }
    : { userEnteredValue: v };
}

const inside = (a: GridArea, r: number, c: number) =>
  r >= a.row && r < a.row + a.rows && c >= a.column && c < a.column + a.columns;

/**
 * The batchUpdate requests that bring the Dashboard sheet to the plan: clear every cell's value
 * and format, write the tables from A1, then one request per chart — `updateChartSpec` for a
 * chart already there (found by title, else any chart of the tab not yet taken), `addChart`
 * otherwise — and `deleteEmbeddedObject` for any other chart on the tab. Pure.
 */
export function dashboardRequests(plan: DashboardPlan, sheet: DashboardSheet): Request[] {
  const { sheetId } = sheet;
  const fields = 'userEnteredValue,userEnteredFormat';
  // UpdateCellsRequest.range: "If the data in rows does not cover the entire requested range, the
  // fields matching those set in fields will be cleared." — a range with no rows clears the tab.
  const requests: Request[] = [
    { updateCells: { range: { sheetId }, fields } },
    {
      updateCells: {
        start: { sheetId, rowIndex: 0, columnIndex: 0 },
        fields,
        rows: plan.values.map((row, r) => ({
          values: row.map((v, c) =>
            cellData(
              v,
              plan.dates.some((a) => inside(a, r, c)),
              plan.datePattern,
            ),
          ),
        })),
      },
    },
  ];
  // A chart keeps its id as long as its title stays; else any chart of the tab not taken is reused.
  const left = [...sheet.charts];
  const byTitle = plan.charts.map((c) => {
    const i = left.findIndex((x) => x.title === c.title);
    return i >= 0 ? left.splice(i, 1)[0] : undefined;
  });
  const found = plan.charts.map((c, i) => ({ c, existing: byTitle[i] ?? left.shift() }));
  // AddChartRequest.chart: "The chartId field is optional; if one is not set, an id will be
  // randomly generated." UpdateChartSpecRequest: "Updates a chart's specifications. (This does
  // not move or resize a chart. …)" — the plan anchors its charts where they can stay.
  for (const f of found) {
    const existing = f.existing;
    const spec = chartSpec(sheetId, f.c);
    if (existing) requests.push({ updateChartSpec: { chartId: existing.chartId, spec } });
    else
      requests.push({
        addChart: {
          chart: {
            spec,
            position: {
              overlayPosition: {
                anchorCell: { sheetId, rowIndex: f.c.anchor.row, columnIndex: f.c.anchor.column },
                widthPixels: f.c.width,
                heightPixels: f.c.height,
              },
            },
          },
        },
      });
  }
  for (const extra of left) requests.push({ deleteEmbeddedObject: { objectId: extra.chartId } });
  return requests;
}

/** The Dashboard sheet and its charts, if the tab is there (one spreadsheets.get). */
export async function readDashboard(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  tab: string,
  calls: ApiCalls,
): Promise<DashboardSheet | undefined> {
  // "REST Resource: spreadsheets", Sheet.charts: "The specifications of every chart on this sheet."
  const got = await calls.read('spreadsheets.get (dashboard)', () =>
    api.spreadsheets.get({
      spreadsheetId,
      fields: 'sheets(properties(sheetId,title),charts(chartId,spec(title)))',
    }),
  );
  const sheet = (got.data.sheets ?? []).find(
    (s) => normaliseName(s.properties?.title ?? '') === normaliseName(tab),
  );
  if (!sheet) return undefined;
  return {
    sheetId: sheet.properties?.sheetId ?? 0,
    charts: (sheet.charts ?? []).map((c) => ({ chartId: c.chartId ?? 0, title: c.spec?.title ?? '' })),
  };
}

/**
 * Brings the Dashboard tab to the plan: added when missing (a lost answer is no harm: "already
 * exists" means it is there), then cleared, written and charted in one batchUpdate.
 */
export async function writeDashboard(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  plan: DashboardPlan,
  calls: ApiCalls,
): Promise<{ requests: Request[]; added: boolean }> {
  let sheet = await readDashboard(api, spreadsheetId, plan.tab, calls);
  let added = false;
  if (!sheet) {
    try {
      await calls.once('spreadsheets.batchUpdate (add dashboard)', () =>
        api.spreadsheets.batchUpdate({
          spreadsheetId,
          requestBody: { requests: [{ addSheet: { properties: { title: plan.tab } } }] },
        }),
      );
      added = true;
    } catch (error) {
      if (!/already exists/i.test(String((error as Error).message))) throw error;
    }
    sheet = await readDashboard(api, spreadsheetId, plan.tab, calls);
    if (!sheet) throw new Error(`The ${plan.tab} tab could not be added.`);
  }
  const requests = dashboardRequests(plan, sheet);
  const adds = requests.some((r) => r.addChart);
  const call = adds ? calls.once : calls.write;
  await call('spreadsheets.batchUpdate (dashboard)', () =>
    api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }),
  );
  return { requests, added };
}
