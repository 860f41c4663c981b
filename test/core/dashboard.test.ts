import { describe, expect, it } from 'vitest';
import {
  areaA1,
  DASHBOARD_NOTE,
  DASHBOARD_TAB,
  type DashboardPlan,
  dashboardTabIsFree,
  type GridArea,
  MIX_CHART_TITLE,
  planDashboard,
  TREND_CHART_TITLE,
} from '../../src/core/dashboard';
import { dateToSerial } from '../../src/core/dates';
import type { MilestoneTrend, StatusMixRow } from '../../src/core/trend';
import type { Cell } from '../../src/core/types';

const trend: MilestoneTrend = {
  meetings: ['2026-11-19', '2026-11-26', '2026-12-03'],
  series: [
    {
      id: 'M-0003',
      title: 'Usage billing',
      risk: 'late',
      due: '2026-12-04',
      forecasts: ['2026-12-04', '2026-12-18', '2026-12-22'],
    },
    {
      id: 'M-0007',
      title: 'Pricing',
      risk: 'Missed',
      due: '2026-11-30',
      forecasts: [undefined, '2026-11-30', '2026-12-10'],
    },
  ],
  omitted: 2,
};

const counts = (onTrack: number, mightMiss: number, missed: number, done: number, dropped: number) => ({
  'On track': onTrack,
  'Might miss': mightMiss,
  Missed: missed,
  Done: done,
  Dropped: dropped,
});
const mix: StatusMixRow[] = [
  { priority: 'Grow revenue', counts: counts(3, 1, 1, 2, 0), unreadable: 0 },
  { priority: '=Ship platform', counts: counts(1, 0, 0, 0, 1), unreadable: 1 },
  { priority: '', counts: counts(1, 0, 0, 0, 0), unreadable: 0 },
];

/** The cells of an area of the plan's values. */
function cells(plan: DashboardPlan, a: GridArea): Cell[][] {
  return plan.values.slice(a.row, a.row + a.rows).map((r) => r.slice(a.column, a.column + a.columns));
}

const d = dateToSerial;

describe('planDashboard', () => {
  const plan = planDashboard(trend, mix);

  it('writes the note in A1 telling people the tab is rewritten and not theirs to edit', () => {
    expect(plan.tab).toBe(DASHBOARD_TAB);
    expect(plan.values[0]![0]).toBe(DASHBOARD_NOTE);
    expect(DASHBOARD_NOTE).toMatch(/rewritten/);
    expect(DASHBOARD_NOTE).toMatch(/Do not edit/);
  });

  it('lays the trend out as a meeting-by-meeting table of date serials with the Reached diagonal', () => {
    expect(cells(plan, plan.trendTable)).toEqual([
      ['Meeting', 'M-0003', 'M-0007', 'Reached'],
      [d('2026-11-19'), d('2026-12-04'), null, d('2026-11-19')],
      [d('2026-11-26'), d('2026-12-18'), d('2026-11-30'), d('2026-11-26')],
      [d('2026-12-03'), d('2026-12-22'), d('2026-12-10'), d('2026-12-03')],
    ]);
    // Every date below the header is formatted as a date; nothing else is.
    expect(plan.dates).toEqual([{ ...plan.trendTable, row: plan.trendTable.row + 1, rows: 3 }]);
    expect(plan.datePattern).toBe('yyyy-mm-dd');
    expect(String(plan.values[plan.trendTable.row - 1]![0])).toMatch(/2 more at risk not shown/);
  });

  it('lays the status mix out per priority, people’s text kept as it is, no priority named', () => {
    expect(cells(plan, plan.mixTable)).toEqual([
      ['Priority', 'On track', 'Might miss', 'Missed', 'Done', 'Dropped', 'Unreadable'],
      ['Grow revenue', 3, 1, 1, 2, 0, 0],
      ['=Ship platform', 1, 0, 0, 0, 1, 1],
      ['No priority', 1, 0, 0, 0, 0, 0],
    ]);
    // The mix starts below the trend table and a caption row, with a blank row between.
    expect(plan.mixTable.row).toBe(plan.trendTable.row + plan.trendTable.rows + 2);
    expect(plan.values[plan.mixTable.row - 2]!.every((c) => c === null)).toBe(true);
  });

  it('is a rectangle from A1 (what one setValues writes)', () => {
    const width = plan.values[0]!.length;
    expect(plan.values.every((r) => r.length === width)).toBe(true);
    expect(plan.values).toHaveLength(plan.mixTable.row + plan.mixTable.rows);
  });

  it('plans a line chart over the trend table and a stacked bar chart over the mix table', () => {
    const [line, bar] = plan.charts;
    expect(line).toMatchObject({ key: 'trend', type: 'line', stacked: false, title: TREND_CHART_TITLE });
    expect(bar).toMatchObject({ key: 'mix', type: 'bar', stacked: true, title: MIX_CHART_TITLE });
    expect(areaA1(line.domain)).toBe('A4:A7');
    expect(line.series.map(areaA1)).toEqual(['B4:B7', 'C4:C7', 'D4:D7']);
    expect(areaA1(bar.domain)).toBe('A10:A13');
    expect(bar.series.map(areaA1)).toEqual([
      'B10:B13',
      'C10:C13',
      'D10:D13',
      'E10:E13',
      'F10:F13',
      'G10:G13',
    ]);
    // Domain plus series are exactly the table, header row included.
    for (const [chart, table] of [
      [line, plan.trendTable],
      [bar, plan.mixTable],
    ] as const) {
      const columns = [chart.domain, ...chart.series];
      expect(columns.map((c) => c.column)).toEqual(columns.map((_, i) => table.column + i));
      expect(columns.every((c) => c.row === table.row && c.rows === table.rows && c.columns === 1)).toBe(
        true,
      );
      expect(columns).toHaveLength(table.columns);
      expect(chart.headerRows).toBe(1);
    }
  });

  it('anchors the charts right of the tables, one above the other, covering no cell', () => {
    const width = plan.values[0]!.length;
    for (const c of plan.charts) expect(c.anchor.column).toBeGreaterThan(width - 1);
    expect(plan.charts[1].anchor.row).toBeGreaterThan(plan.charts[0].anchor.row);
  });

  it('still plans both tables and charts when nothing is at risk and there are no milestones', () => {
    const empty = planDashboard({ meetings: ['2026-12-03'], series: [], omitted: 0 }, []);
    expect(cells(empty, empty.trendTable)).toEqual([
      ['Meeting', 'Reached'],
      [d('2026-12-03'), d('2026-12-03')],
    ]);
    expect(cells(empty, empty.mixTable)).toEqual([
      ['Priority', 'On track', 'Might miss', 'Missed', 'Done', 'Dropped', 'Unreadable'],
    ]);
    expect(empty.charts[0].series).toHaveLength(1);
    // The charts stay where they are whatever the tables' sizes (an update does not move a chart).
    expect(empty.charts.map((c) => c.anchor)).toEqual(plan.charts.map((c) => c.anchor));
    expect(empty.charts[1].series).toHaveLength(6);
  });
});

describe('dashboardTabIsFree', () => {
  const tab = (name: string, headers: string[], rows: Cell[][] = []) => ({
    tables: [{ name, headers, rows }],
  });

  it('takes a missing, empty or Milepost-written tab, and leaves someone’s own "Dashboard" alone', () => {
    expect(dashboardTabIsFree({ tables: [] })).toBe(true);
    expect(dashboardTabIsFree(tab('Dashboard', ['', ''], [[null, '']]))).toBe(true);
    expect(dashboardTabIsFree(tab(' dashboard ', [DASHBOARD_NOTE], [[null], ['x']]))).toBe(true);
    expect(dashboardTabIsFree(tab('Dashboard', ['Our KPIs'], [[1]]))).toBe(false);
    expect(dashboardTabIsFree(tab('Dashboard', [''], [['hand-made']]))).toBe(false);
  });
});
