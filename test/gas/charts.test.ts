/** The fake SpreadsheetApp's embedded charts and Sheet.clear(), as the Dashboard uses them. */
import { describe, expect, it } from 'vitest';
import { loadBundleSource } from '../../gas-fakes/load';
import { createWorld } from '../../gas-fakes/world';

describe('embedded charts (fake SpreadsheetApp)', () => {
  it('builds, inserts, finds, updates in place and removes a chart', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    const { Charts } = world.services;
    const built = sheet
      .newChart()
      .setChartType(Charts.ChartType.LINE)
      .addRange(sheet.getRange('A1:A5'))
      .addRange(sheet.getRange('B1:B5'))
      .setNumHeaders(1)
      .setOption('title', 'Trend')
      .setPosition(2, 9, 0, 0)
      .build();
    // Not in a spreadsheet yet: no id.
    expect(built.getChartId()).toBeNull();
    sheet.insertChart(built);
    const [chart] = sheet.getCharts();
    const id = chart!.getChartId();
    expect(id).toEqual(expect.any(Number));
    expect(chart!.getOptions().get('title')).toBe('Trend');
    expect(chart!.getRanges().map((r) => r.getA1Notation())).toEqual(['A1:A5', 'B1:B5']);
    expect(chart!.getNumHeaders()).toBe(1);

    // A builder's changes are saved only by updateChart, and keep the chart's id.
    const rebuilt = chart!
      .modify()
      .clearRanges()
      .setChartType(Charts.ChartType.BAR)
      .addRange(sheet.getRange('A1:C3'))
      .setOption('isStacked', true)
      .build();
    expect(sheet.getCharts()[0]!.getRanges()).toHaveLength(2);
    sheet.updateChart(rebuilt);
    const after = sheet.getCharts();
    expect(after.map((c) => c.getChartId())).toEqual([id]);
    expect(after[0]!.getRanges().map((r) => r.getA1Notation())).toEqual(['A1:C3']);
    expect(after[0]!.getOptions().get('isStacked')).toBe(true);

    sheet.removeChart(after[0]!);
    expect(sheet.getCharts()).toEqual([]);
    expect(() => sheet.updateChart(rebuilt)).toThrow(/not on this sheet/);
    expect(() => sheet.removeChart(rebuilt)).toThrow(/not on this sheet/);
  });

  it('gives every inserted chart its own id, and refuses what is not a chart type', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    const b = () => sheet.newChart().addRange(sheet.getRange('A1:B2'));
    sheet.insertChart(b().build());
    sheet.insertChart(b().build());
    const ids = sheet.getCharts().map((c) => c.getChartId());
    expect(new Set(ids).size).toBe(2);
    expect(() => b().setChartType('LINE' as never)).toThrow();
    expect(() => b().setPosition(0, 1, 0, 0)).toThrow(/out of bounds/);
  });

  it('clears a sheet of values and formats, leaving its charts', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    sheet.getRange('A1:B1').setValues([[45000, 'x']]);
    sheet.getRange('A1').setNumberFormat('yyyy-mm-dd');
    sheet.insertChart(sheet.newChart().addRange(sheet.getRange('A1:B1')).build());
    sheet.clear();
    expect(sheet.getRange('A1:B1').getValues()).toEqual([['', '']]);
    expect(sheet.getRange('A1').getNumberFormat()).not.toBe('yyyy-mm-dd');
    expect(sheet.getCharts()).toHaveLength(1);
  });

  it('gives a script the Charts service and counts chart calls', () => {
    const world = createWorld();
    const bundle = loadBundleSource(
      `function make() {
         var sheet = SpreadsheetApp.getActiveSpreadsheet().getSheets()[0];
         sheet.insertChart(sheet.newChart().setChartType(Charts.ChartType.BAR)
           .addRange(sheet.getRange('A1:B3')).build());
         return sheet.getCharts().length;
       }`,
      world,
    );
    expect(bundle.call('make')).toBe(1);
    expect(world.count('Sheet.insertChart')).toBe(1);
    expect(world.count('EmbeddedChartBuilder.build')).toBe(1);
  });
});
