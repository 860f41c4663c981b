/**
 * A workbook made before the Actions tab: the run whose plan writes there adds the tab to the
 * package (core `missingTabs`, then `addLayoutTabs`), and the saved file is a workbook other
 * programs open, with the tab's headers and the rows written.
 */
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { TABS } from '../../src/core/layout';
import { initWorkspace } from '../../src/local/init';
import { addLayoutTabs, applyPlan, prepareWorkbookSave, readWorkbook } from '../../src/local/workbook';
import { tempDir } from '../cli/helpers';

describe('adding a layout tab to an existing workbook', () => {
  it('adds the Actions tab with its headers after the last tab; exceljs and the reader both see it', async () => {
    const dir = tempDir('actions-tab');
    await initWorkspace(dir, { sample: true });
    const file = path.join(dir, 'register.xlsx');
    const old = new ExcelJS.Workbook();
    await old.xlsx.readFile(file);
    old.removeWorksheet(old.getWorksheet('Actions')!.id);
    await old.xlsx.writeFile(file);

    const { workbook, snapshot } = await readWorkbook(file);
    expect(snapshot.tables.some((t) => t.name === 'Actions')).toBe(false);
    addLayoutTabs(workbook, ['Actions'], 'Europe/London');
    const applied = applyPlan(
      workbook,
      {
        writes: [],
        appends: [
          {
            tab: 'Actions',
            values: { ID: 'A-0001', Action: '=not a formula', Status: 'Open', Due: '2026-12-15' },
            dates: { Due: 'date' },
          },
        ],
      },
      'Europe/London',
    );
    expect(applied.conflicts).toEqual([]);
    const save = await prepareWorkbookSave(workbook, file);
    await save.commit();

    const headers = TABS.find((t) => t.name === 'Actions')!.columns.map((c) => c.header);
    const again = await readWorkbook(file);
    const tab = again.snapshot.tables.find((t) => t.name === 'Actions')!;
    expect(tab.headers).toEqual(headers);
    expect(tab.rows[0]!.slice(0, 2)).toEqual(['A-0001', '=not a formula']);
    expect(again.snapshot.tables.map((t) => t.name).slice(-2)).toEqual(['Settings', 'Actions']);

    const other = new ExcelJS.Workbook();
    await other.xlsx.readFile(file);
    const sheet = other.getWorksheet('Actions')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(headers);
    expect(sheet.getCell('B2').value).toBe('=not a formula');
    expect(sheet.getCell('D2').value).toBeInstanceOf(Date);
    expect(other.worksheets.map((w) => w.name)).toContain('Milestones');
  });
});
