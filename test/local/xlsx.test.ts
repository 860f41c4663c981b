/**
 * The package layer under the local register (src/local/xlsx): what it refuses and how it says
 * so, what it reads from cells, and that a write changes only the cells written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dateToSerial } from '../../src/core/dates';
import { applyPlan, readWorkbook, saveWorkbookAtomic } from '../../src/local/workbook';
import { WorkbookUnreadableError } from '../../src/local/xlsx/errors';
import { SheetPart } from '../../src/local/xlsx/sheet';
import { isDateFormatCode } from '../../src/local/xlsx/styles';
import { decodeXstring, escapeText } from '../../src/local/xlsx/xml';
import {
  crc32,
  deflatedEntry,
  deflatedEntryAsync,
  inflate,
  inflateAsync,
  readZip,
  writeZip,
} from '../../src/local/xlsx/zip';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-xlsx-'));
const TZ = 'Europe/London';

/** A minimal hand-written package: one sheet "Milestones" with `sheetData`, and extra parts. */
function packageBytes(sheetData: string, extra: Record<string, string> = {}, workbookPr = ''): Buffer {
  const parts: Record<string, string> = {
    '[Content_Types].xml':
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
    '_rels/.rels':
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${workbookPr}<sheets><sheet name="Milestones" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels':
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    'xl/styles.xml':
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="49" fontId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
    'xl/calcChain.xml':
      '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="C2" i="1"/></calcChain>',
    'xl/worksheets/sheet1.xml': `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C2"/><sheetData>${sheetData}</sheetData><mergeCells count="1"><mergeCell ref="E1:F1"/></mergeCells></worksheet>`,
    ...extra,
  };
  return writeZip(Object.entries(parts).map(([name, text]) => deflatedEntry(name, Buffer.from(text))));
}

const HEADER =
  '<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c><c r="B1" t="inlineStr"><is><t>Status</t></is></c><c r="C1" t="inlineStr"><is><t>Forecast</t></is></c></row>';

async function written(bytes: Buffer): Promise<string> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.xlsx`);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('a register that is not a readable .xlsx', () => {
  const cases: [string, Buffer | 'dir', RegExp][] = [
    ['an empty file', Buffer.alloc(0), /the file is empty/],
    ['a CSV', Buffer.from('ID,Status\nM-0001,On track\n'), /text file \(a \.csv/],
    [
      'an Excel 97-2003 .xls',
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]),
      /Excel 97-2003 workbook \(\.xls\)/,
    ],
    [
      'an .ods renamed',
      writeZip([
        deflatedEntry('mimetype', Buffer.from('application/vnd.oasis.opendocument.spreadsheet')),
        deflatedEntry('content.xml', Buffer.from('<office:document-content/>')),
      ]),
      /OpenDocument spreadsheet \(\.ods\)/,
    ],
    ['a truncated file', packageBytes(HEADER).subarray(0, 300), /truncated|not a zip/],
    ['a directory', 'dir', /is a directory/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what}: a WorkbookUnreadableError naming the file`, async () => {
      const file = path.join(dir, `register-${what.replace(/\W+/g, '-')}.xlsx`);
      if (bytes === 'dir') fs.mkdirSync(file);
      else fs.writeFileSync(file, bytes);
      const error = await readWorkbook(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkbookUnreadableError);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(message);
    });
  }
});

describe('reading cells', () => {
  it('shared, inline and rich strings (phonetic guides left out), booleans, errors, ISO dates, numbers', async () => {
    const sst =
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>M-0001</t></si><si><r><t>On </t></r><r><rPr><b/></rPr><t>track</t></r><rPh><t>x</t></rPh></si></sst>';
    const withRel = packageBytes(
      `${HEADER}<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="d"><v>2026-12-18</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#N/A</v></c><c r="F2"><v>12.5</v></c><c r="G2" t="inlineStr"><is><t>a_x000D_b &amp; c</t></is></c></row>`,
      {
        'xl/sharedStrings.xml': sst,
        'xl/_rels/workbook.xml.rels':
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>',
      },
    );
    const { snapshot } = await readWorkbook(await written(withRel));
    expect(snapshot.tables[0]!.rows[0]).toEqual([
      'M-0001',
      'On track',
      dateToSerial('2026-12-18'),
      true,
      '#N/A',
      12.5,
      'a\rb & c',
    ]);
  });

  it('a formula with a saved result gives the result; one without gives its text and a warning naming the cell', async () => {
    const bytes = packageBytes(
      `${HEADER}<row r="2"><c r="A2" t="str"><f>"M-"&amp;"0001"</f><v>M-0001</v></c><c r="B2" t="inlineStr"><is><t>On track</t></is></c><c r="C2"><f>DATE(2026,12,18)</f></c><c r="D2"><f>1+1</f><v></v></c></row>`,
    );
    const { snapshot } = await readWorkbook(await written(bytes));
    // D2 as openpyxl writes it: an empty result element, no result either.
    expect(snapshot.tables[0]!.rows[0]).toEqual(['M-0001', 'On track', '=DATE(2026,12,18)', '=1+1']);
    expect(snapshot.problems).toEqual([
      expect.objectContaining({ severity: 'warning', tab: 'Milestones', row: 2, column: 'Forecast' }),
      expect.objectContaining({ severity: 'warning', tab: 'Milestones', row: 2, column: 'D2' }),
    ]);
    expect(snapshot.problems![0]!.message).toMatch(
      /C2 holds the formula =DATE\(2026,12,18\) with no saved result/,
    );
  });

  it('dates of a 1904 workbook are read and written in the 1900 serials of the core', async () => {
    const bytes = packageBytes(
      `${HEADER}<row r="2"><c r="A2" t="inlineStr"><is><t>M-0001</t></is></c><c r="C2" s="2"><v>${dateToSerial('2026-12-18') - 1462}</v></c></row>`,
      {
        'xl/styles.xml':
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="49"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
      },
      '<workbookPr date1904="1"/>',
    );
    const file = await written(bytes);
    const { snapshot, workbook, stamp } = await readWorkbook(file);
    expect(snapshot.tables[0]!.rows[0]![2]).toBe(dateToSerial('2026-12-18'));
    const write = {
      tab: 'Milestones' as const,
      ref: { by: 'key' as const, header: 'ID', value: 'M-0001' },
      column: 'Forecast',
      value: '2027-01-08',
      previous: dateToSerial('2026-12-18'),
      as: 'date' as const,
    };
    expect(applyPlan(workbook, { writes: [write], appends: [] }, TZ).conflicts).toEqual([]);
    await saveWorkbookAtomic(workbook, file, stamp);
    expect((await readWorkbook(file)).snapshot.tables[0]!.rows[0]![2]).toBe(dateToSerial('2027-01-08'));
  });
});

describe('writing cells', () => {
  it('changes only the cells written: other parts byte for byte, other cells and elements as they were', async () => {
    const body = `${HEADER}<row r="2" spans="1:3" ht="30" customHeight="1"><c r="A2" t="inlineStr"><is><t>M-0001</t></is></c><c r="B2" s="1" t="inlineStr"><is><t>On track</t></is></c><c r="C2"><f>TODAY()+7</f><v>46300</v></c></row>`;
    const file = await written(packageBytes(body));
    const before = new Map(readZip(fs.readFileSync(file)).map((e) => [e.name, e]));
    const { workbook, stamp } = await readWorkbook(file);
    const result = applyPlan(
      workbook,
      {
        writes: [
          {
            tab: 'Milestones',
            ref: { by: 'key', header: 'ID', value: 'M-0001' },
            column: 'Status',
            value: 'Might miss',
            previous: 'On track',
          },
          {
            tab: 'Milestones',
            ref: { by: 'key', header: 'ID', value: 'M-0001' },
            column: 'Forecast',
            value: '2027-01-08',
            previous: 46300,
            as: 'date',
          },
        ],
        appends: [{ tab: 'Milestones', values: { ID: 'M-0002', Status: 'On track' } }],
      },
      TZ,
    );
    expect(result).toMatchObject({ conflicts: [], writes: 2, appends: 1 });
    await saveWorkbookAtomic(workbook, file, stamp);
    const after = new Map(readZip(fs.readFileSync(file)).map((e) => [e.name, e]));
    // Untouched parts: the same stored bytes. The calculation chain went with the formula.
    for (const name of ['_rels/.rels', 'xl/workbook.xml']) {
      expect(after.get(name)!.data.equals(before.get(name)!.data), name).toBe(true);
    }
    expect(after.has('xl/calcChain.xml')).toBe(false);
    expect(inflate(after.get('[Content_Types].xml')!).toString()).not.toContain('calcChain');
    expect(inflate(after.get('xl/_rels/workbook.xml.rels')!).toString()).not.toContain('calcChain');
    const sheet = inflate(after.get('xl/worksheets/sheet1.xml')!).toString();
    expect(sheet).toContain('<row r="2" ht="30" customHeight="1">'); // spans dropped, the rest kept
    expect(sheet).toContain('<c r="A2" t="inlineStr"><is><t>M-0001</t></is></c>');
    expect(sheet).toContain('<c r="B2" s="1" t="inlineStr"><is><t>Might miss</t></is></c>'); // its format kept
    expect(sheet).toMatch(/<c r="C2" s="2"><v>\d+<\/v><\/c>/); // a date format added for it
    expect(sheet).toContain('<row r="3"><c r="A3" t="inlineStr"><is><t>M-0002</t></is></c>');
    expect(sheet).toContain('<dimension ref="A1:C3"/>');
    expect(sheet).toContain('<mergeCells count="1"><mergeCell ref="E1:F1"/></mergeCells>');
    const styles = inflate(after.get('xl/styles.xml')!).toString();
    expect(styles).toMatch(/<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"\/><\/numFmts>/);
    expect(styles).toContain(
      '<cellXfs count="3"><xf numFmtId="0" fontId="0"/><xf numFmtId="49" fontId="0" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1" fontId="0"/></cellXfs>',
    );
    const { snapshot } = await readWorkbook(file);
    expect(snapshot.tables[0]!.rows).toEqual([
      ['M-0001', 'Might miss', dateToSerial('2027-01-08')],
      ['M-0002', 'On track'],
    ]);
  });

  it('text that looks like a formula or holds characters XML cannot carry is kept as literal text', async () => {
    const file = await written(packageBytes(HEADER));
    const { workbook, stamp } = await readWorkbook(file);
    const odd = ['=1+1', '@SUM(A1)', 'tab\there', 'bell\u0007', 'lit _x0041_ eral', '  spaced  ', 'a\nb'];
    applyPlan(
      workbook,
      { writes: [], appends: odd.map((Status) => ({ tab: 'Milestones' as const, values: { Status } })) },
      TZ,
    );
    await saveWorkbookAtomic(workbook, file, stamp);
    const { snapshot } = await readWorkbook(file);
    expect(snapshot.tables[0]!.rows.map((r) => r[1])).toEqual(odd);
    expect(
      inflate(readZip(fs.readFileSync(file)).find((e) => e.name.endsWith('sheet1.xml'))!).toString(),
    ).not.toMatch(/<f>/);
  });

  it('a sheet with <sheetData/> gets its first rows', () => {
    const sheet = new SheetPart(Buffer.from('<worksheet><sheetData/></worksheet>'));
    sheet.setCell(1, 1, '<c r="A1" t="inlineStr"><is><t>ID</t></is></c>');
    expect(sheet.serialize().toString()).toBe(
      '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row></sheetData></worksheet>',
    );
  });

  it('reading a sheet formatted to row 1,048,576 stops at the last value and keeps the tail as it was', () => {
    const tail: string[] = [];
    for (let r = 3; r <= 200_000; r++)
      tail.push(`<row r="${r}" s="1" customFormat="1"><c r="C${r}" s="1"/></row>`);
    const xml = Buffer.from(
      `<worksheet><sheetData>${HEADER}<row r="2"><c r="A2"><v>1</v></c></row>${tail.join('')}</sheetData><pageMargins left="0.7"/></worksheet>`,
    );
    const sheet = new SheetPart(xml);
    expect(sheet.rowsWithValues().map((r) => r.r)).toEqual([1, 2]);
    sheet.setCell(3, 1, '<c r="A3"><v>2</v></c>');
    const out = sheet.serialize().toString();
    expect(out).toContain('<row r="3" s="1" customFormat="1"><c r="A3"><v>2</v></c><c r="C3" s="1"/></row>');
    expect(out.length - xml.length).toBe('<c r="A3"><v>2</v></c>'.length);
    expect(out.endsWith(`${tail.at(-1)}</sheetData><pageMargins left="0.7"/></worksheet>`)).toBe(true);
  });
});

it('finds the last value whatever the formatted tail holds: empty cells written open and closed, a formula, an inline string', () => {
  const rows = (from: number, to: number, cell: (r: number) => string) => {
    const out: string[] = [];
    for (let r = from; r <= to; r++) out.push(`<row r="${r}" s="1" customFormat="1">${cell(r)}</row>`);
    return out.join('');
  };
  // The rows read are those up to the one holding the last value.
  const cases: [string, string, number][] = [
    ['empty cells written <c></c>', rows(3, 50, (r) => `<c r="C${r}" s="1"></c>`), 2],
    [
      'a formula far down, past self-closing cells',
      `${rows(3, 40, (r) => `<c r="C${r}" s="1"/>`)}<row r="41"><c r="A41"><f>1+1</f></c></row>${rows(42, 60, (r) => `<c r="C${r}" s="1"/>`)}`,
      41,
    ],
    [
      'an inline string after open empty cells',
      `${rows(3, 9, (r) => `<c r="C${r}" s="1"></c>`)}<row r="10"><c r="B10" t="inlineStr"><is><t>x</t></is></c></row>${rows(11, 30, (r) => `<c r="C${r}" s="1"/>`)}`,
      10,
    ],
  ];
  for (const [what, tail, expected] of cases) {
    const sheet = new SheetPart(
      Buffer.from(
        `<worksheet><sheetData>${HEADER}<row r="2"><c r="A2"><v>1</v></c></row>${tail}</sheetData></worksheet>`,
      ),
    );
    expect(sheet.rowsWithValues().at(-1)?.r, what).toBe(expected);
  }
});

describe('the zip container', () => {
  it('compresses a part given in pieces as one stream: the same bytes, size and CRC as the whole', async () => {
    const whole = Buffer.from(`<sheetData>${'<row r="9" s="1"/>'.repeat(50_000)}</sheetData>`);
    const pieces = [whole.subarray(0, 12_345), whole.subarray(12_345, 400_000), whole.subarray(400_000)];
    expect(pieces.reduce((c, p) => crc32(p, c), 0)).toBe(crc32(whole));
    const entry = await deflatedEntryAsync('xl/worksheets/sheet1.xml', pieces);
    expect(entry.size).toBe(whole.length);
    expect(entry.crc).toBe(deflatedEntry('x', whole).crc);
    expect((await inflateAsync(entry)).equals(whole)).toBe(true);
    expect(inflate(entry).equals(whole)).toBe(true);
  });

  it('copies entries it does not change as stored; a changed entry gets a new CRC', () => {
    const stored = { ...deflatedEntry('a.txt', Buffer.from('hello')), method: 0, data: Buffer.from('hello') };
    const zip = writeZip([stored, deflatedEntry('b.xml', Buffer.from('<b/>'))]);
    const [a, b] = readZip(zip);
    expect(inflate(a!).toString()).toBe('hello');
    expect(inflate(b!).toString()).toBe('<b/>');
    expect(crc32(Buffer.from('hello'))).toBe(0x3610a686);
    expect(zlib.inflateRawSync(b!.data).toString()).toBe('<b/>');
    const damaged = Buffer.from(zip);
    damaged[damaged.indexOf('hello')] = 0x48; // 'H'
    expect(() => inflate(readZip(damaged)[0]!)).toThrow(/checksum/);
  });

  it('escapes and decodes what XML cannot carry, and knows date formats', () => {
    expect(escapeText('a<b>&\u0001_x0041_')).toBe('a&lt;b&gt;&amp;_x0001__x005F_x0041_');
    expect(decodeXstring('_x0001__x005F_x0041_')).toBe('\u0001_x0041_');
    expect(['yyyy-mm-dd', 'd/m/yy h:mm', '[$-409]mmm d', '[h]:mm'].map(isDateFormatCode)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['General', '0.00', '#,##0 "days"', '@'].map(isDateFormatCode)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
