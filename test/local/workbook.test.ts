import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dateToSerial, instantToSerial, serialToInstant } from '../../src/core/dates';
import { LISTS, SETTINGS, TABS } from '../../src/core/layout';
import type { Cell, CellWrite, RowAppend, Table } from '../../src/core/types';
import {
  applyPlan,
  createWorkbook,
  defaultSettingsRows,
  fileStamp,
  readWorkbook,
  saveWorkbookAtomic,
  snapshotOf,
  writeNewWorkbook,
} from '../../src/local/workbook';
import type { XlsxPackage } from '../../src/local/xlsx/package';

const TZ = 'Europe/London';
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-workbook-'));
  file = path.join(dir, 'register.xlsx');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const milestones: Record<string, Cell>[] = [
  {
    ID: 'M-0001',
    Priority: 'Grow revenue',
    Milestone: 'Launch the EU shop',
    Owner: 'ann@example.com',
    Due: '2026-12-10',
    Status: 'Might miss',
    Forecast: dateToSerial('2026-12-24'),
    'Last update': '2026-07-01T09:30:00Z',
    Notes: 'first',
  },
  {
    ID: 'M-0002',
    Priority: 'Grow revenue',
    Milestone: 'Hire a country manager',
    Owner: 'bob@example.com',
    Due: '2027-01-15',
    Status: 'On track',
    Notes: 'second',
  },
  {
    ID: '',
    Priority: 'Cut costs',
    Milestone: 'Renegotiate the lease',
    Owner: 'cy@example.com',
    Due: '2027-02-01',
    Status: '',
  },
];

function sampleWorkbook(): ExcelJS.Workbook {
  return createWorkbook(
    {
      Milestones: milestones,
      Team: [{ Name: 'Ann', Email: 'ann@example.com', Group: 'Sales', Role: 'member', Active: 'yes' }],
      Settings: defaultSettingsRows(),
    },
    TZ,
  );
}

function table(tables: Table[], name: string): Table {
  const t = tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}

/** The XML of every worksheet in a saved .xlsx, read with Python's zipfile (independent of exceljs). */
function sheetXml(xlsx: string): string[] {
  const out = execFileSync('python3', [
    '-c',
    'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); ' +
      'print(json.dumps([z.read(n).decode("utf-8") for n in sorted(z.namelist()) if n.startswith("xl/worksheets/sheet")]))',
    xlsx,
  ]);
  return JSON.parse(out.toString()) as string[];
}

async function reload(xlsx: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  return wb;
}

/** exceljs keeps conditional formats on the worksheet but does not declare the property. */
function conditionalFormats(ws: ExcelJS.Worksheet): ExcelJS.ConditionalFormattingOptions[] {
  return (ws as unknown as { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] })
    .conditionalFormattings;
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

describe('createWorkbook → save → readWorkbook', () => {
  it('gives every layout tab in order with the layout headers, data rows, and dates as serials', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const { snapshot } = await readWorkbook(file);

    expect(snapshot.tables.map((t) => t.name)).toEqual(TABS.map((t) => t.name));
    for (const spec of TABS) {
      expect(table(snapshot.tables, spec.name).headers).toEqual(spec.columns.map((c) => c.header));
    }
    const ms = table(snapshot.tables, 'Milestones');
    expect(ms.rows).toHaveLength(3);
    const [first, second, third] = ms.rows;
    expect(first!.slice(0, 8)).toEqual([
      'M-0001',
      'Grow revenue',
      'Launch the EU shop',
      'ann@example.com',
      dateToSerial('2026-12-10'),
      'Might miss',
      dateToSerial('2026-12-24'),
      null,
    ]);
    // 09:30Z is 10:30 in London in July: the cell shows wall time, the core gets the instant back.
    expect(serialToInstant(first![8] as number, TZ)).toBe('2026-07-01T09:30:00.000Z');
    expect(first![9]).toBe('first');
    expect(second).toEqual([
      'M-0002',
      'Grow revenue',
      'Hire a country manager',
      'bob@example.com',
      dateToSerial('2027-01-15'),
      'On track',
      null,
      null,
      null,
      'second',
    ]);
    // Blank cells at the end of a row are dropped; an empty ID is blank.
    expect(third).toEqual([
      null,
      'Cut costs',
      'Renegotiate the lease',
      'cy@example.com',
      dateToSerial('2027-02-01'),
    ]);

    expect(table(snapshot.tables, 'Updates').rows).toEqual([]);
    expect(table(snapshot.tables, 'Team').rows).toEqual([
      ['Ann', 'ann@example.com', 'Sales', 'member', null, 'yes'],
    ]);
  });

  it('writes the Settings rows given (Setting, Value, About)', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const settings = table((await readWorkbook(file)).snapshot.tables, 'Settings');
    expect(settings.rows).toHaveLength(SETTINGS.length);
    expect(settings.rows[0]).toEqual(['Time zone', 'Europe/London', SETTINGS[0]!.about]);
    const first = settings.rows.find((r) => r[0] === 'First meeting');
    expect(first).toEqual(['First meeting', null, SETTINGS.find((s) => s.key === 'First meeting')!.about]);
    expect(settings.rows.find((r) => r[0] === 'Cadence (weeks)')?.[1]).toBe(1);
    // '10:00' stays text, not a time of day
    expect(settings.rows.find((r) => r[0] === 'Meeting time')?.[1]).toBe('10:00');
  });

  it('matches data headers case- and space-insensitively and keeps unknown ones as extra columns', async () => {
    const wb = createWorkbook(
      { Priorities: [{ priority: 'Grow', RANK: 1, 'Budget code': 'B-7', sponsor: 'lee@example.com' }] },
      TZ,
    );
    await writeNewWorkbook(wb, file);
    const priorities = table((await readWorkbook(file)).snapshot.tables, 'Priorities');
    expect(priorities.headers).toEqual(['Priority', 'Rank', 'Sponsor', 'Budget code']);
    expect(priorities.rows).toEqual([['Grow', 1, 'lee@example.com', 'B-7']]);
  });

  it('stores text that is not a readable date in a date column as text, for the core to report', async () => {
    const wb = createWorkbook(
      { Milestones: [{ ID: 'M-1', Due: 'next Tuesday', Forecast: '2026-02-30' }] },
      TZ,
    );
    await writeNewWorkbook(wb, file);
    const row = table((await readWorkbook(file)).snapshot.tables, 'Milestones').rows[0]!;
    expect(row[4]).toBe('next Tuesday');
    expect(row[6]).toBe('2026-02-30');
  });
});

describe('people text is stored literally, never as a formula', () => {
  const dangerous = [
    '=1+1',
    '+SUM(A1:A9)',
    '-2+3',
    '@NOW()',
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
  ];

  it('in createWorkbook and applyPlan: the saved XML has no <f> element and the text reads back exactly', async () => {
    const wb = createWorkbook(
      { Milestones: dangerous.map((text, i) => ({ ID: `M-${i}`, Milestone: text, Notes: text })) },
      TZ,
    );
    await writeNewWorkbook(wb, file);
    const read = await readWorkbook(file);
    const { conflicts } = applyPlan(
      read.workbook,
      {
        writes: [
          {
            tab: 'Milestones',
            ref: { by: 'key', header: 'ID', value: 'M-0' },
            column: 'Notes',
            value: '=2*3',
            previous: '=1+1',
          },
        ],
        appends: [
          { tab: 'Changes', values: { When: '2026-01-01T00:00:00Z', From: '=A1', To: '@x', By: '+1' } },
        ],
      },
      TZ,
    );
    expect(conflicts).toEqual([]);
    await saveWorkbookAtomic(read.workbook, file);

    const xml = sheetXml(file);
    expect(xml).toHaveLength(TABS.length);
    for (const sheetText of xml) expect(sheetText).not.toMatch(/<f[\s>/]/);

    const again = await reload(file);
    const ms = sheet(again, 'Milestones');
    dangerous.forEach((text, i) => {
      const cell = ms.getCell(i + 2, 3);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(text);
    });
    const { snapshot } = await readWorkbook(file);
    const rows = table(snapshot.tables, 'Milestones').rows;
    expect(rows.map((r) => r[2])).toEqual(dangerous);
    expect(rows[0]![9]).toBe('=2*3');
    expect(table(snapshot.tables, 'Changes').rows[0]!.slice(3, 6)).toEqual(['=A1', '@x', '+1']);
  });
});

describe('the saved register is a usable spreadsheet', () => {
  it('has a frozen bold header with a fill, layout widths, an auto filter and date formats', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const wb = await reload(file);
    for (const spec of TABS) {
      const ws = sheet(wb, spec.name);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      spec.columns.forEach((column, i) => {
        const header = ws.getCell(1, i + 1);
        expect(header.font?.bold).toBe(true);
        expect(header.fill).toMatchObject({ type: 'pattern', pattern: 'solid' });
        expect(ws.getColumn(i + 1).width).toBeCloseTo(column.width, 1);
      });
      expect(ws.autoFilter).toBeTruthy();
    }
    const ms = sheet(wb, 'Milestones');
    expect(ms.getCell('E2').numFmt).toBe('yyyy-mm-dd'); // Due
    expect(ms.getCell('E2').value).toEqual(new Date(Date.UTC(2026, 11, 10)));
    expect(ms.getCell('G2').numFmt).toBe('yyyy-mm-dd'); // Forecast
    expect(ms.getCell('I2').numFmt).toBe('yyyy-mm-dd hh:mm'); // Last update
    expect(ms.getCell('I2').value).toEqual(new Date(Date.UTC(2026, 6, 1, 10, 30)));
  });

  it('has a dropdown on every list column from row 2 to row 1000, blanks allowed, naming the values', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const wb = await reload(file);
    let checked = 0;
    for (const spec of TABS) {
      const ws = sheet(wb, spec.name);
      const model = (ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } })
        .dataValidations.model;
      spec.columns.forEach((column, i) => {
        const letter = ws.getColumn(i + 1).letter;
        if (column.from) {
          // Fed from another tab (Owner: the Team tab's Email column), warning only.
          const source = TABS.find((t) => t.name === column.from!.tab)!;
          const at = sheet(wb, source.name).getColumn(
            source.columns.findIndex((c) => c.header === column.from!.column) + 1,
          ).letter;
          expect(model[`${letter}2`]).toMatchObject({
            type: 'list',
            errorStyle: 'warning',
            formulae: [`'${source.name}'!$${at}$2:$${at}$1048576`],
          });
          return;
        }
        if (column.type === 'date' && column.owner !== 'milepost') {
          expect(model[`${letter}2`]).toMatchObject({ type: 'date', errorStyle: 'warning' });
          return;
        }
        if (!column.list) {
          expect(model[`${letter}2`]).toBeUndefined();
          return;
        }
        const values = LISTS[column.list];
        for (const address of [`${letter}2`, `${letter}500`, `${letter}1000`]) {
          const v = model[address];
          expect(v).toMatchObject({ type: 'list', allowBlank: true, showErrorMessage: true });
          expect(v!.formulae).toEqual([`"${values.join(',')}"`]);
          for (const value of values) expect(v!.error).toContain(value);
        }
        expect(model[`${letter}1`]).toBeUndefined();
        expect(model[`${letter}1001`]).toBeUndefined();
        checked++;
      });
    }
    expect(checked).toBe(TABS.flatMap((t) => t.columns).filter((c) => c.list).length);
  });

  it('extends dropdowns 500 rows past the data when there are many rows', async () => {
    const rows = Array.from({ length: 700 }, (_, i) => ({ ID: `M-${i}`, Status: 'On track' }));
    await writeNewWorkbook(createWorkbook({ Milestones: rows }, TZ), file);
    const [msXml] = sheetXml(file);
    expect(msXml).toContain('sqref="F2:F1201"');
  });

  it('colours the Milestones Status column: Might miss amber, Missed red, Done green, Dropped grey', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const ms = sheet(await reload(file), 'Milestones');
    const formats = conditionalFormats(ms);
    expect(formats).toHaveLength(1);
    expect(formats[0]!.ref).toBe('F2:F1000');
    const fills = Object.fromEntries(
      formats[0]!.rules.map((r) => {
        const rule = r as ExcelJS.CellIsRuleType;
        const fill = rule.style?.fill as ExcelJS.FillPattern;
        return [rule.formulae?.[0], fill.bgColor?.argb];
      }),
    );
    expect(fills).toEqual({
      '"Might miss"': 'FFFFE08A',
      '"Missed"': 'FFF4B6B6',
      '"Done"': 'FFC8E6C9',
      '"Dropped"': 'FFE0E0E0',
    });
    expect(conditionalFormats(sheet(await reload(file), 'Topics'))).toHaveLength(0);
  });

  it('keeps one non-overlapping dropdown range per column after a read and a re-save', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const { workbook, stamp } = await readWorkbook(file);
    await saveWorkbookAtomic(workbook, file, stamp);
    const [msXml] = sheetXml(file);
    const sqrefs = [...msXml!.matchAll(/<dataValidation [^>]*sqref="([^"]+)"/g)].map((m) => m[1]);
    expect(sqrefs).toEqual(['B2:B1000', 'D2:D1000', 'E2:E1000', 'F2:F1000', 'G2:G1000']);
    const reloaded = sheet(await reload(file), 'Milestones');
    expect(conditionalFormats(reloaded)[0]!.ref).toBe('F2:F1000');
  });
});

describe('readWorkbook converts cells like the Sheets API does', () => {
  async function handMade(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Table> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Odd  Tab');
    build(ws, wb);
    await wb.xlsx.writeFile(file);
    const { snapshot } = await readWorkbook(file);
    return snapshot.tables[0]!;
  }

  it('rich text, hyperlinks, cached formula results, errors, booleans, numbers, dates', async () => {
    const t = await handMade((ws) => {
      ws.getRow(1).values = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];
      const r = ws.getRow(2);
      r.getCell(1).value = { richText: [{ text: 'Bold ', font: { bold: true } }, { text: 'plain' }] };
      r.getCell(2).value = { text: 'the pack', hyperlink: 'https://example.com/pack' };
      r.getCell(3).value = { formula: '1+1', result: 2 };
      r.getCell(4).value = { formula: 'A1/0', result: { error: '#DIV/0!' } };
      r.getCell(5).value = { error: '#REF!' };
      r.getCell(6).value = false;
      r.getCell(7).value = 12.5;
      r.getCell(8).value = new Date(Date.UTC(2026, 11, 3, 18, 0));
      r.getCell(8).numFmt = 'yyyy-mm-dd hh:mm';
      r.getCell(9).value = { formula: 'H2', result: new Date(Date.UTC(2026, 11, 3)) };
      r.getCell(9).numFmt = 'yyyy-mm-dd';
    });
    expect(t.name).toBe('Odd  Tab');
    expect(t.rows[0]).toEqual([
      'Bold plain',
      'the pack',
      2,
      '#DIV/0!',
      '#REF!',
      false,
      12.5,
      dateToSerial('2026-12-03') + 0.75,
      dateToSerial('2026-12-03'),
    ]);
  });

  it('reads dates of a 1904-date-system workbook as 1900-system serials', async () => {
    const t = await handMade((ws, wb) => {
      wb.properties.date1904 = true;
      ws.getCell('A1').value = 'Due';
      ws.getCell('A2').value = new Date(Date.UTC(2026, 0, 5));
      ws.getCell('A2').numFmt = 'yyyy-mm-dd';
    });
    expect(t.rows).toEqual([[dateToSerial('2026-01-05')]]);
  });

  it('keeps blank rows in the middle, drops trailing blank rows and cells, blanks merged cells', async () => {
    const t = await handMade((ws) => {
      ws.getRow(1).values = ['One', null, 'Three', null];
      ws.getCell('D1').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFF0000' } };
      ws.getCell('A2').value = 'a';
      ws.getCell('A4').value = 'merged';
      ws.mergeCells('A4:C4');
      ws.getCell('A5').value = '';
      ws.getCell('B5').value = 'x';
      ws.getCell('C5').numFmt = 'yyyy-mm-dd'; // styled, empty
      ws.getCell('A9').numFmt = 'yyyy-mm-dd'; // styled, empty, trailing
    });
    expect(t.headers).toEqual(['One', '', 'Three']);
    expect(t.rows).toEqual([['a'], [], ['merged'], [null, 'x']]);
  });

  it('returns a stamp of the file as read, and explains a file that is not a workbook', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const { stamp } = await readWorkbook(file);
    expect(stamp).toEqual(await fileStamp(file));
    const bad = path.join(dir, 'notes.xlsx');
    await fs.writeFile(bad, 'just text');
    await expect(readWorkbook(bad)).rejects.toThrow(
      /notes\.xlsx is not a readable \.xlsx workbook: it is a text file/,
    );
  });
});

describe('applyPlan', () => {
  function keyWrite(
    id: string,
    column: string,
    value: Cell,
    previous: Cell,
    as?: 'date' | 'instant',
  ): CellWrite {
    return { tab: 'Milestones', ref: { by: 'key', header: 'ID', value: id }, column, value, previous, as };
  }

  /** The sample register, as a person then edited it in a spreadsheet program (exceljs here). */
  async function savedAndRead(edit?: (wb: ExcelJS.Workbook) => void) {
    await writeNewWorkbook(sampleWorkbook(), file);
    if (edit) {
      const wb = await reload(file);
      edit(wb);
      await writeNewWorkbook(wb, file);
    }
    return readWorkbook(file);
  }

  async function rowsAfterSave(wb: XlsxPackage, tab: string): Promise<Cell[][]> {
    await saveWorkbookAtomic(wb, file);
    return table((await readWorkbook(file)).snapshot.tables, tab).rows;
  }

  /** The workbook as saved, opened in exceljs to look at cells. */
  async function afterSave(wb: XlsxPackage): Promise<ExcelJS.Workbook> {
    await saveWorkbookAtomic(wb, file);
    return reload(file);
  }

  it('finds rows by key as they are at write time, after people sorted and inserted rows', async () => {
    // Someone inserts a row at the top and moves M-0002 above M-0001 after the read.
    const { workbook } = await savedAndRead((wb) => {
      const ms = sheet(wb, 'Milestones');
      const m2 = ms.getRow(3).values;
      ms.spliceRows(3, 1);
      ms.insertRow(2, m2);
      ms.insertRow(2, ['M-0099', 'Inserted', 'A new one', 'dee@example.com']);
    });

    const result = applyPlan(
      workbook,
      {
        writes: [
          keyWrite('M-0002', 'Status', 'Might miss', 'On track'),
          keyWrite('M-0002', 'Forecast', '2027-02-20', null, 'date'),
          keyWrite(
            'M-0001',
            'Last update',
            '2026-12-01T08:00:00Z',
            instantToSerial('2026-07-01T09:30:00Z', TZ),
            'instant',
          ),
        ],
        appends: [],
      },
      TZ,
    );
    expect(result).toEqual({ conflicts: [], writes: 3, appends: 0 });

    const rows = await rowsAfterSave(workbook, 'Milestones');
    expect(rows.map((r) => r[0])).toEqual(['M-0099', 'M-0002', 'M-0001', null]);
    expect(rows[1]![5]).toBe('Might miss');
    expect(rows[1]![6]).toBe(dateToSerial('2027-02-20'));
    expect(serialToInstant(rows[2]![8] as number, TZ)).toBe('2026-12-01T08:00:00.000Z');
    expect(rows[2]![5]).toBe('Might miss'); // M-0001 untouched
    expect(sheet(await reload(file), 'Milestones').getCell('G3').numFmt).toBe('yyyy-mm-dd');
  });

  it('finds tabs and columns by name when people renamed case, reordered columns and added their own', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('milestones ');
    ws.getRow(1).values = ['My colour', 'status', 'ID', 'Budget', 'Last  Update', 'Milestone'];
    ws.getRow(2).values = ['red', 'On track', 'M-0001', 1200, null, 'Launch'];
    ws.getRow(3).values = ['blue', 'Done', 'M-0002', 300, null, 'Hire'];
    const changes = wb.addWorksheet('CHANGES');
    changes.getRow(1).values = [
      'Mine',
      'Milestone',
      'When',
      'Field',
      'From',
      'To',
      'By',
      'Source',
      'Response ID',
    ];
    await wb.xlsx.writeFile(file);

    const { workbook } = await readWorkbook(file);
    const result = applyPlan(
      workbook,
      {
        writes: [
          keyWrite('M-0001', 'Status', 'Might miss', 'On track'),
          keyWrite('m-0001', 'Last update', '2026-12-01T08:00:00Z', null, 'instant'),
        ],
        appends: [
          {
            tab: 'Changes',
            values: {
              when: '2026-12-01T08:00:00Z',
              Milestone: 'M-0001',
              Field: 'Status',
              From: 'On track',
              To: 'Might miss',
              By: 'ann@example.com',
              Source: 'form',
              'Response ID': 'r1',
              Unknown: 'ignored',
            },
            dates: { When: 'instant' },
          },
        ],
      },
      TZ,
    );
    expect(result).toEqual({ conflicts: [], writes: 2, appends: 1 });
    const { snapshot: after } = await (async () => {
      await saveWorkbookAtomic(workbook, file);
      return readWorkbook(file);
    })();
    const [m, c] = after.tables;
    expect(m!.headers).toEqual(['My colour', 'status', 'ID', 'Budget', 'Last  Update', 'Milestone']);
    expect(m!.rows[0]!.slice(0, 4)).toEqual(['red', 'Might miss', 'M-0001', 1200]);
    expect(serialToInstant(m!.rows[0]![4] as number, TZ)).toBe('2026-12-01T08:00:00.000Z');
    expect(m!.rows[1]).toEqual(['blue', 'Done', 'M-0002', 300, null, 'Hire']);
    expect(c!.rows).toHaveLength(1);
    expect(c!.rows[0]![0]).toBeNull();
    expect(c!.rows[0]!.slice(1)).toEqual([
      'M-0001',
      instantToSerial('2026-12-01T08:00:00Z', TZ),
      'Status',
      'On track',
      'Might miss',
      'ann@example.com',
      'form',
      'r1',
    ]);
  });

  it('does not overwrite a cell someone changed since the read, nor anything else of that row, and reports it', async () => {
    const { workbook } = await savedAndRead((wb) => {
      sheet(wb, 'Milestones').getCell('F3').value = 'Done'; // M-0002 Status, changed by a person
    });
    const result = applyPlan(
      workbook,
      {
        writes: [
          keyWrite('M-0002', 'Status', 'Missed', 'On track'),
          keyWrite('M-0002', 'Notes', 'n', 'second'),
        ],
        appends: [],
      },
      TZ,
    );
    expect(result.writes).toBe(0);
    expect(result.conflicts).toEqual([
      {
        severity: 'warning',
        tab: 'Milestones',
        row: 3,
        column: 'Status',
        value: 'Done',
        expected: 'On track',
        message:
          'Status of ID M-0002 changed by someone since it was read; not overwritten, nor anything else of this row',
      },
    ]);
    const after = await afterSave(workbook);
    expect(sheet(after, 'Milestones').getCell('F3').value).toBe('Done');
    expect(sheet(after, 'Milestones').getCell('J3').value).toBe('second');
  });

  it('treats a date serial and its YYYY-MM-DD text, and blank and empty, as the same previous value', async () => {
    const { workbook } = await savedAndRead();
    const result = applyPlan(
      workbook,
      {
        writes: [
          keyWrite('M-0001', 'Forecast', '2027-01-05', '2026-12-24', 'date'),
          keyWrite('M-0001', 'Due', '2026-12-11', dateToSerial('2026-12-10'), 'date'),
          keyWrite('M-0001', 'Last update', '2026-12-01T08:00:00Z', '2026-07-01T09:30:00Z', 'instant'),
          keyWrite('M-0002', 'Depends on', 'M-0001', ''),
          keyWrite('M-0002', 'Due', '2027-01-16', '2027-01-14', 'date'),
        ],
        appends: [],
      },
      TZ,
    );
    // M-0001's three cells; M-0002's Due was changed, so its row (Depends on too) is left.
    expect(result.writes).toBe(3);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ column: 'Due', value: '2027-01-15', expected: '2027-01-14' });
  });

  it('reports a key that is gone or duplicated, and writes nothing there', async () => {
    const { workbook } = await savedAndRead((wb) => {
      sheet(wb, 'Milestones').getCell('A4').value = 'M-0002'; // now twice
    });
    const result = applyPlan(
      workbook,
      {
        writes: [
          keyWrite('M-0002', 'Status', 'Done', 'On track'),
          keyWrite('M-0404', 'Status', 'Done', 'On track'),
        ],
        appends: [],
      },
      TZ,
    );
    expect(result.writes).toBe(0);
    expect(result.conflicts.map((c) => c.message)).toEqual([
      'ID M-0002 appears on Milestones rows 3, 4; not written',
      'no Milestones row has ID M-0404 any more; not written',
    ]);
    expect(sheet(await afterSave(workbook), 'Milestones').getCell('F3').value).toBe('On track');
  });

  it('writes to a row without a key only while it still holds the cells that were read', async () => {
    const { workbook } = await savedAndRead();
    const match = (row: number): CellWrite => ({
      tab: 'Milestones',
      ref: { by: 'match', row, cells: { ID: null, Milestone: 'Renegotiate the lease', Due: '2027-02-01' } },
      column: 'ID',
      value: 'M-0003',
      previous: null,
    });
    expect(applyPlan(workbook, { writes: [match(4)], appends: [] }, TZ)).toEqual({
      conflicts: [],
      writes: 1,
      appends: 0,
    });
    expect(table(snapshotOf(workbook).tables, 'Milestones').rows[2]![0]).toBe('M-0003');

    // The same write again: the row now has an ID, so it no longer matches.
    const again = applyPlan(workbook, { writes: [match(4)], appends: [] }, TZ);
    expect(again.writes).toBe(0);
    expect(again.conflicts[0]).toMatchObject({ tab: 'Milestones', row: 4 });
    expect(again.conflicts[0]!.message).toContain('no longer holds what was read');
    // A row that moved: row 3 holds another milestone.
    expect(applyPlan(workbook, { writes: [match(3)], appends: [] }, TZ).writes).toBe(0);
    expect(sheet(await afterSave(workbook), 'Milestones').getCell('A3').value).toBe('M-0002');
  });

  it('reports a missing tab or column instead of crashing', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Milestones');
    ws.getRow(1).values = ['ID', 'Milestone'];
    ws.getRow(2).values = ['M-0001', 'Launch'];
    await writeNewWorkbook(wb, file);
    const { workbook } = await readWorkbook(file);
    const appendChange: RowAppend = {
      tab: 'Changes',
      values: { When: '2026-01-01T00:00:00Z' },
      dates: { When: 'instant' },
    };
    const result = applyPlan(
      workbook,
      {
        writes: [
          keyWrite('M-0001', 'Status', 'Done', null),
          { ...keyWrite('M-0001', 'Topic', 'x', null), tab: 'Topics' },
        ],
        appends: [
          appendChange,
          { tab: 'Milestones', values: { ID: 'M-0002', Owner: 'ann@example.com', 'My own': 'x' } },
        ],
      },
      TZ,
    );
    expect(result.writes).toBe(0);
    expect(result.appends).toBe(1);
    expect(result.conflicts.map((c) => [c.severity, c.tab, c.column, c.message])).toEqual([
      [
        'error',
        'Milestones',
        'Status',
        'Milestones has no column "Status"; the value for ID M-0001 was not written',
      ],
      ['error', 'Topics', 'Topic', 'the register has no Topics tab; Topic was not written'],
      ['error', 'Changes', undefined, 'the register has no Changes tab; a row was not added'],
      [
        'error',
        'Milestones',
        'Owner',
        'Milestones has no column "Owner"; that value of the added row was not written',
      ],
    ]);
    expect(sheet(await afterSave(workbook), 'Milestones').getRow(3).values).toEqual([undefined, 'M-0002']);
  });

  it('appends after the last non-empty row, past blank rows in the middle and formatted empty rows', async () => {
    const { workbook } = await savedAndRead((wb) => {
      const updates = sheet(wb, 'Updates');
      updates.getRow(2).values = ['x', 'r0'];
      updates.getRow(4).values = ['y', 'r1']; // row 3 left blank by a person
      updates.getCell('A9').numFmt = 'yyyy-mm-dd'; // formatting only
    });
    const result = applyPlan(
      workbook,
      {
        writes: [],
        appends: [
          {
            tab: 'Updates',
            values: {
              Received: '2026-12-02T17:00:00Z',
              'Response ID': 'r2',
              Meeting: '2026-12-03',
              Email: 'ann@example.com',
              Wins: '=won',
            },
            dates: { Received: 'instant', meeting: 'date' },
          },
          { tab: 'Updates', values: { 'Response ID': 'r3' } },
        ],
      },
      TZ,
    );
    expect(result).toEqual({ conflicts: [], writes: 0, appends: 2 });
    const rows = await rowsAfterSave(workbook, 'Updates');
    expect(rows.map((r) => r[1] ?? null)).toEqual(['r0', null, 'r1', 'r2', 'r3']);
    expect(rows[3]!.slice(2, 5)).toEqual([dateToSerial('2026-12-03'), 'ann@example.com', '=won']);
    expect(serialToInstant(rows[3]![0] as number, TZ)).toBe('2026-12-02T17:00:00.000Z');
  });
});

describe('saveWorkbookAtomic', () => {
  it('refuses to save, and writes nothing, when another program changed the file since it was read', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const { workbook, stamp } = await readWorkbook(file);
    const theirs = Buffer.from(
      await createWorkbook({ Milestones: [{ ID: 'THEIRS' }] }, TZ).xlsx.writeBuffer(),
    );
    await fs.writeFile(file, theirs);
    await fs.utimes(file, new Date(), new Date(Date.now() + 5000));
    await expect(saveWorkbookAtomic(workbook, file, stamp)).rejects.toThrow(
      /changed by another program since Milepost read it; the register was not written/,
    );
    expect(await fs.readFile(file)).toEqual(theirs);
    expect(await fs.readdir(dir)).toEqual(['register.xlsx']);
  });

  it('leaves the original file untouched and no temporary file when producing the workbook fails', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const before = await fs.readFile(file);
    const { workbook, stamp } = await readWorkbook(file);
    applyPlan(workbook, { writes: [], appends: [{ tab: 'Topics', values: { Topic: 'changed' } }] }, TZ);
    vi.spyOn(workbook, 'bytes').mockImplementation(() => {
      throw new Error('out of memory');
    });
    await expect(saveWorkbookAtomic(workbook, file, stamp)).rejects.toThrow('out of memory');
    expect(await fs.readFile(file)).toEqual(before);
    expect(await fs.readdir(dir)).toEqual(['register.xlsx']);
  });

  it('returns the stamp of the saved file so a run can save again', async () => {
    await writeNewWorkbook(sampleWorkbook(), file);
    const { workbook, stamp } = await readWorkbook(file);
    const next = await saveWorkbookAtomic(workbook, file, stamp);
    expect(next).toEqual(await fileStamp(file));
    applyPlan(workbook, { writes: [], appends: [{ tab: 'Topics', values: { Topic: 'again' } }] }, TZ);
    await saveWorkbookAtomic(workbook, file, next);
    expect(table((await readWorkbook(file)).snapshot.tables, 'Topics').rows.at(-1)).toContain('again');
  });
});
