import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnIndex, columnLetters, formatA1, parseA1, quoteSheetName } from '../../emulator/a1';
import { ApiError } from '../../emulator/errors';

const sheets = new Set(['milestones', 'my tab', 'a1']);
const isSheet = (name: string) => sheets.has(name.toLowerCase());
const parse = (text: string) => parseA1(text, isSheet);

function parseError(text: string): ApiError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
}

describe('parseA1: sheets', () => {
  it('reads a bare sheet name as the whole sheet', () => {
    expect(parse('Milestones')).toEqual({ sheet: 'Milestones' });
  });

  it('reads a quoted sheet name, with doubled quotes for one quote', () => {
    expect(parse("'My Tab'")).toEqual({ sheet: 'My Tab' });
    expect(parse("'O''Brien''s'!B2")).toEqual({
      sheet: "O'Brien's",
      startRow: 1,
      endRow: 2,
      startCol: 1,
      endCol: 2,
    });
    expect(parse("'Tab!with:colon'!A1")).toMatchObject({ sheet: 'Tab!with:colon' });
  });

  it('takes a bare text that names a sheet as that sheet, even when it reads as a cell', () => {
    expect(parse('A1')).toEqual({ sheet: 'A1' });
    expect(parse('B7')).toEqual({ startRow: 6, endRow: 7, startCol: 1, endCol: 2 });
  });

  it('leaves the sheet out when the range names none (the first sheet)', () => {
    expect(parse('A1:C5').sheet).toBeUndefined();
  });
});

describe('parseA1: cells', () => {
  it.each([
    ['Tab!A1', { startRow: 0, endRow: 1, startCol: 0, endCol: 1 }],
    ['Tab!A1:C5', { startRow: 0, endRow: 5, startCol: 0, endCol: 3 }],
    ['Tab!A:C', { startCol: 0, endCol: 3 }],
    ['Tab!2:5', { startRow: 1, endRow: 5 }],
    ['Tab!A2:Z', { startRow: 1, startCol: 0, endCol: 26 }],
    ['Tab!c5:a1', { startRow: 0, endRow: 5, startCol: 0, endCol: 3 }],
    ['Tab!5:2', { startRow: 1, endRow: 5 }],
    ['Tab!AA10', { startRow: 9, endRow: 10, startCol: 26, endCol: 27 }],
    ['Tab!Z1:AB3', { startRow: 0, endRow: 3, startCol: 25, endCol: 28 }],
    ['Tab!AZ:BA', { startCol: 51, endCol: 53 }],
    ['Tab!ZZZ1', { startRow: 0, endRow: 1, startCol: 18_277, endCol: 18_278 }],
  ])('%s', (text, bounds) => {
    expect(parse(text)).toEqual({ sheet: 'Tab', ...bounds });
  });
});

describe('parseA1: errors', () => {
  it.each([
    '',
    'Tab!',
    "'Tab",
    "'Tab'A1",
    "''!A1",
    'My Tab!A1',
    'Items & Stock!A2:P',
    '1.0 Preliminary!A1',
    'Tab!A',
    'Tab!5',
    'Tab!A0',
    'Tab!A1:B2:C3',
    'Tab!A:B5',
    'Tab!A2:5',
    'Tab!R1C1',
    'Tab!A1:',
    'Tab!AAAA1',
    'A1 ',
  ])('"%s" is "Unable to parse range"', (text) => {
    const error = parseError(text);
    expect(error.code).toBe(400);
    expect(error.body()).toEqual({
      error: { code: 400, message: `Unable to parse range: ${text}`, status: 'INVALID_ARGUMENT' },
    });
  });
});

describe('columns', () => {
  it('counts letters as Google does', () => {
    expect(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA'].map(columnIndex)).toEqual([0, 25, 26, 51, 52, 701, 702]);
    expect([0, 25, 26, 51, 52, 701, 702].map(columnLetters)).toEqual([
      'A',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });

  it('round-trips every column Google allows', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 18_277 }), (i) => columnIndex(columnLetters(i)) === i));
  });
});

describe('formatA1', () => {
  it('quotes a sheet name only when it has to', () => {
    expect(quoteSheetName('Milestones')).toBe('Milestones');
    expect(quoteSheetName('Sheet_2')).toBe('Sheet_2');
    expect(quoteSheetName('My Tab')).toBe("'My Tab'");
    expect(quoteSheetName('A1')).toBe("'A1'");
    expect(quoteSheetName('R1C2')).toBe("'R1C2'");
    expect(quoteSheetName('2026')).toBe("'2026'");
    expect(quoteSheetName("O'Brien")).toBe("'O''Brien'");
    expect(quoteSheetName('Лист1')).toBe("'Лист1'");
  });

  it('writes boxes, single cells, whole columns, whole rows and open-ended rows', () => {
    expect(formatA1('Milestones', { startRow: 0, endRow: 1000, startCol: 0, endCol: 26 })).toBe(
      'Milestones!A1:Z1000',
    );
    expect(formatA1('My Tab', { startRow: 4, endRow: 5, startCol: 27, endCol: 28 })).toBe("'My Tab'!AB5");
    expect(formatA1('T', { startCol: 0, endCol: 3 })).toBe('T!A:C');
    expect(formatA1('T', { startRow: 1, endRow: 5 })).toBe('T!2:5');
    expect(formatA1('T', { startRow: 1000, startCol: 0, endCol: 2 })).toBe('T!A1001:B');
    expect(formatA1('T')).toBe('T');
  });

  it('parses what it formats', () => {
    const title = fc.stringMatching(/^[A-Za-z' _!:]{1,12}$/).filter((t) => t.trim() !== '');
    const box = fc
      .record({
        r0: fc.integer({ min: 0, max: 5000 }),
        rows: fc.integer({ min: 1, max: 50 }),
        c0: fc.integer({ min: 0, max: 800 }),
        cols: fc.integer({ min: 1, max: 50 }),
      })
      .map(({ r0, rows, c0, cols }) => ({
        startRow: r0,
        endRow: r0 + rows,
        startCol: c0,
        endCol: c0 + cols,
      }));
    fc.assert(
      fc.property(title, box, (t, b) => {
        expect(parseA1(formatA1(t, b))).toEqual({ sheet: t, ...b });
      }),
    );
  });
});
