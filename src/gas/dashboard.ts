/**
 * The Dashboard tab of the bound Spreadsheet (core/dashboard.ts plans it, the same plan as the
 * Node job's): its values and its two charts, through SpreadsheetApp. The tab is made when
 * missing and rewritten whole; the charts are found again on it by their titles and updated in
 * place, so no id is stored anywhere.
 *
 * Apps Script "Class EmbeddedChartBuilder": "Builder used to edit an EmbeddedChart. Changes made
 * to the chart are not saved until Sheet.updateChart(chart) is called on the rebuilt chart."
 * "Class EmbeddedChart", example: `sheet.newChart()… .setChartType(Charts.ChartType.LINE)
 * .setOption('title', …); sheet.insertChart(chartBuilder.build())`.
 */
import type { DashboardChart, DashboardPlan, GridArea } from '../core/dashboard';
import { literal, sheetByName } from './sheet';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type EmbeddedChart = GoogleAppsScript.Spreadsheet.EmbeddedChart;

function rangeOf(sheet: Sheet, a: GridArea) {
  return sheet.getRange(a.row + 1, a.column + 1, a.rows, a.columns);
}

/** A planned chart on a builder: domain first, then one range per series, as the Node job's spec. */
function build(sheet: Sheet, existing: EmbeddedChart | undefined, c: DashboardChart): EmbeddedChart {
  const builder = (existing ? existing.modify().clearRanges() : sheet.newChart())
    .setChartType(c.type === 'bar' ? Charts.ChartType.BAR : Charts.ChartType.LINE)
    .addRange(rangeOf(sheet, c.domain));
  for (const s of c.series) builder.addRange(rangeOf(sheet, s));
  return builder
    .setNumHeaders(c.headerRows)
    .setOption('title', c.title)
    .setOption('isStacked', c.stacked)
    .setOption('hAxis', { title: c.type === 'bar' ? c.axes.values : c.axes.domain })
    .setOption('vAxis', { title: c.type === 'bar' ? c.axes.domain : c.axes.values })
    .setOption('width', c.width)
    .setOption('height', c.height)
    .setPosition(c.anchor.row + 1, c.anchor.column + 1, 0, 0)
    .build();
}

/** Brings the Dashboard tab to the plan: one setValues, a number format per date area, two charts. */
export function writeDashboard(ss: Spreadsheet, plan: DashboardPlan): void {
  const sheet = sheetByName(ss, plan.tab) ?? ss.insertSheet(plan.tab);
  // "Class Sheet", clear(): "Clears the sheet of content and formatting information." (charts stay)
  sheet.clear();
  const width = plan.values[0]?.length ?? 0;
  if (width) {
    sheet
      .getRange(1, 1, plan.values.length, width)
      .setValues(plan.values.map((row) => row.map((v) => (v === null ? '' : literal(v)))));
  }
  for (const a of plan.dates) rangeOf(sheet, a).setNumberFormat(plan.datePattern);
  const left = sheet.getCharts();
  const byTitle = plan.charts.map((c) => {
    const i = left.findIndex((x) => x.getOptions().get('title') === c.title);
    return i >= 0 ? left.splice(i, 1)[0] : undefined;
  });
  plan.charts.forEach((c, i) => {
    const existing = byTitle[i] ?? left.shift();
    const chart = build(sheet, existing, c);
    if (existing) sheet.updateChart(chart);
    else sheet.insertChart(chart);
  });
  for (const extra of left) sheet.removeChart(extra);
}
