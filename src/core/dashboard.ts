/**
 * The Sheet's Dashboard tab, planned once for every Google runtime: the two pictures of the
 * pack (trend.ts) as two small tables and two native charts over them.
 *
 * - the **trend table**: one row per meeting; `Meeting` (the date), one column per milestone at
 *   risk (its forecast at that meeting, a date cell; blank where none is known) and `Reached`,
 *   equal to the meeting date: drawn as a line it is the diagonal of the milestone trend
 *   analysis, the line a forecast meets when the milestone is due now.
 * - the **status-mix table**: one row per strategic priority; `Priority`, one column per status,
 *   `Unreadable` (statuses that could not be read, never counted as On track).
 * - a **line chart** over the trend table (x = meeting, y = forecast dates), and a **stacked bar
 *   chart** over the mix table (one bar per priority, stacked by status).
 *
 * The tab is Milepost's own: the runtimes create it when missing and rewrite it whole on every
 * pack (the note in A1 tells people not to edit it), and update the two charts in place. Ranges
 * here are 0-based grid areas, as a Sheets GridRange or an Apps Script getRange (plus 1) takes
 * them. Dates are Sheets serials (days since 1899-12-30), formatted as dates where `dates` says.
 * Pure: no runtime API.
 */
import { dateToSerial } from './dates';
import { normaliseName } from './layout';
import { STATUSES } from './register';
import { DATE_PATTERN } from './setup';
import { type MilestoneTrend, milestoneTrend, type StatusMixRow, statusMix, TREND_MILESTONES } from './trend';
import type { Cell, Register, Snapshot } from './types';

export const DASHBOARD_TAB = 'Dashboard';

export const DASHBOARD_NOTE =
  'Milepost dashboard: rewritten by Milepost every time the meeting pack is built. Do not edit this tab (your changes would be lost); the register is in the other tabs.';

/** A rectangle of cells, 0-based, as Sheets' GridRange (end = start + count). */
export interface GridArea {
  row: number;
  column: number;
  rows: number;
  columns: number;
}

export interface DashboardChart {
  /** Which picture: also how a runtime finds the chart again (by its title). */
  key: 'trend' | 'mix';
  title: string;
  type: 'line' | 'bar';
  stacked: boolean;
  /** The x values (line) or categories (bar): one column, header row included. */
  domain: GridArea;
  /** One column each, header row included (the header names the series). */
  series: GridArea[];
  /** Header rows at the top of the domain and series. */
  headerRows: 1;
  /** Axis titles: along the domain, and along the values. */
  axes: { domain: string; values: string };
  /** Top-left cell the chart is anchored at, and its size in pixels. */
  anchor: { row: number; column: number };
  width: number;
  height: number;
}

export interface DashboardPlan {
  tab: typeof DASHBOARD_TAB;
  /** Every cell from A1, rectangular (null = empty); dates as serials. */
  values: Cell[][];
  /** Areas holding dates (formatted with `datePattern`). */
  dates: GridArea[];
  datePattern: string;
  /** The two tables, header rows included. */
  trendTable: GridArea;
  mixTable: GridArea;
  charts: [DashboardChart, DashboardChart];
}

export const TREND_CHART_TITLE = 'Milestone trend: forecast date at each meeting';
export const MIX_CHART_TITLE = 'Status mix per strategic priority';

const CHART_WIDTH = 640;
const CHART_HEIGHT = 360;
/** Rows a chart of CHART_HEIGHT covers at the default row height (21 px), and a gap. */
const CHART_ROWS = 19;

/** A1 notation of an area, without the sheet ('A4:C12'). */
export function areaA1(a: GridArea): string {
  const cell = (row: number, column: number) => `${letters(column)}${row + 1}`;
  return `${cell(a.row, a.column)}:${cell(a.row + a.rows - 1, a.column + a.columns - 1)}`;
}

function letters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** One column of a table, header included. */
function column(table: GridArea, index: number): GridArea {
  return { row: table.row, column: table.column + index, rows: table.rows, columns: 1 };
}

/**
 * Whether the register's tab of that name may be (re)written as the Dashboard: there is none,
 * it is empty, or it is Milepost's (A1 holds the note). A tab of someone's own that happens to be
 * called "Dashboard" is left alone, and the runtimes say so.
 */
export function dashboardTabIsFree(snapshot: Snapshot): boolean {
  const table = snapshot.tables.find((t) => normaliseName(t.name) === normaliseName(DASHBOARD_TAB));
  if (!table) return true;
  const blank = (c: Cell | undefined) => c === null || c === undefined || String(c).trim() === '';
  if (table.headers.every(blank) && table.rows.every((r) => r.every(blank))) return true;
  return String(table.headers[0] ?? '').startsWith(DASHBOARD_NOTE.slice(0, 20));
}

export const DASHBOARD_NOT_OURS = `The register has a "${DASHBOARD_TAB}" tab of its own (A1 is not Milepost's note): the Dashboard was left as it is. Rename that tab to let Milepost draw its charts.`;

/** The Dashboard of the pack for the meeting on `meeting` (its date), built at `now`. */
export function dashboardFor(register: Register, meeting: string, now: string): DashboardPlan {
  return planDashboard(milestoneTrend(register, meeting, now), statusMix(register));
}

/** The trend table's rows: a header, then one row per meeting (dates as serials). */
function trendRows(trend: MilestoneTrend): Cell[][] {
  const serial = (date: string | undefined) => (date ? dateToSerial(date) : null);
  return [
    ['Meeting', ...trend.series.map((s) => s.id), 'Reached'],
    ...trend.meetings.map((m, i) => [
      serial(m),
      ...trend.series.map((s) => serial(s.forecasts[i])),
      serial(m),
    ]),
  ];
}

/** The mix table's rows: a header, then one row per priority. */
function mixRows(mix: StatusMixRow[]): Cell[][] {
  return [
    ['Priority', ...STATUSES, 'Unreadable'],
    ...mix.map((r) => [r.priority || 'No priority', ...STATUSES.map((s) => r.counts[s]), r.unreadable]),
  ];
}

/** A chart over a whole table: its first column the domain, every other column a series. */
function chartOver(
  table: GridArea,
  c: Pick<DashboardChart, 'key' | 'title' | 'type' | 'stacked' | 'axes' | 'anchor'>,
): DashboardChart {
  return {
    ...c,
    domain: column(table, 0),
    series: Array.from({ length: table.columns - 1 }, (_, i) => column(table, i + 1)),
    headerRows: 1,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  };
}

/** The Dashboard tab for the pack's trend and status mix. */
export function planDashboard(trend: MilestoneTrend, mix: StatusMixRow[]): DashboardPlan {
  const more = trend.omitted > 0 ? ` (${trend.omitted} more at risk not shown)` : '';
  const trendCells = trendRows(trend);
  const mixCells = mixRows(mix);
  // Row 1 the note; row 3 the trend table's caption, its table from row 4; a blank row, then the mix.
  const trendTable: GridArea = { row: 3, column: 0, rows: trendCells.length, columns: trendCells[0]!.length };
  const mixCaption = trendTable.row + trendTable.rows + 1;
  const mixTable: GridArea = {
    row: mixCaption + 1,
    column: 0,
    rows: mixCells.length,
    columns: mixCells[0]!.length,
  };
  const rows: Cell[][] = [];
  const put = (row: number, cells: Cell[]) => {
    while (rows.length <= row) rows.push([]);
    rows[row] = cells;
  };
  put(0, [DASHBOARD_NOTE]);
  put(2, [`Milestone trend: forecast of each milestone at risk, meeting by meeting${more}`]);
  trendCells.forEach((r, i) => {
    put(trendTable.row + i, r);
  });
  put(mixCaption, ['Status mix: milestones per status for each strategic priority']);
  mixCells.forEach((r, i) => {
    put(mixTable.row + i, r);
  });
  const width = Math.max(...rows.map((r) => r.length));
  const values = rows.map((r) => Array.from({ length: width }, (_, j) => r[j] ?? null));
  // Charts right of the widest either table can ever be, so they never cover a cell and stay put
  // (Sheets' updateChartSpec "does not move or resize a chart").
  const chartColumn = Math.max(TREND_MILESTONES + 2, STATUSES.length + 2) + 1;
  return {
    tab: DASHBOARD_TAB,
    values,
    dates: trend.meetings.length
      ? [{ ...trendTable, row: trendTable.row + 1, rows: trendTable.rows - 1 }]
      : [],
    datePattern: DATE_PATTERN,
    trendTable,
    mixTable,
    charts: [
      chartOver(trendTable, {
        key: 'trend',
        title: TREND_CHART_TITLE,
        type: 'line',
        stacked: false,
        axes: { domain: 'Meeting', values: 'Forecast date' },
        anchor: { row: 2, column: chartColumn },
      }),
      chartOver(mixTable, {
        key: 'mix',
        title: MIX_CHART_TITLE,
        type: 'bar',
        stacked: true,
        axes: { domain: 'Strategic priority', values: 'Milestones' },
        anchor: { row: 2 + CHART_ROWS, column: chartColumn },
      }),
    ],
  };
}
