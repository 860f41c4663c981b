import { describe, expect, it } from 'vitest';
import {
  type CellData,
  FORMULA_NOT_EVALUATED,
  formatNumber,
  formatSerial,
  interpretInput,
  parseUserEntered,
  renderCell,
} from '../../emulator/cells';
import { dateToSerial } from '../../src/core/dates';

const serial = (date: string, hours = 0) => dateToSerial(date) + hours / 24;

describe('USER_ENTERED', () => {
  it.each([
    ['=SUM(A1:A3)', { formula: '=SUM(A1:A3)' }],
    ["'=SUM(A1:A3)", { value: '=SUM(A1:A3)' }],
    ["'0042", { value: '0042' }],
    ['TRUE', { value: true }],
    ['false', { value: false }],
    ['42', { value: 42 }],
    [' -1.5e3 ', { value: -1500 }],
    ['1,234.5', { value: 1234.5 }],
    ['12.5%', { value: 0.125, numberFormat: { type: 'PERCENT', pattern: '0.0%' } }],
    ['$1,200.50', { value: 1200.5, numberFormat: { type: 'CURRENCY', pattern: '"$"#,##0.00' } }],
    ['2026-12-03', { value: serial('2026-12-03'), numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } }],
    [
      '2026-12-03 18:30',
      {
        value: serial('2026-12-03', 18.5),
        numberFormat: { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss' },
      },
    ],
    ['12/3/2026', { value: serial('2026-12-03'), numberFormat: { type: 'DATE', pattern: 'm/d/yyyy' } }],
    ['10:00', { value: 10 / 24, numberFormat: { type: 'TIME', pattern: 'hh:mm' } }],
    ['2026-02-30', { value: '2026-02-30' }],
    ['2026-12-03T10:00:00Z', { value: '2026-12-03T10:00:00Z' }],
    ['M-0007', { value: 'M-0007' }],
    ['+44 20 7946 0000', { value: '+44 20 7946 0000' }],
    ['@someone', { value: '@someone' }],
  ])('%s', (text, expected) => {
    expect(parseUserEntered(text, 'en_US')).toEqual({ kind: 'set', ...expected });
  });

  it('reads d/m/yyyy outside the US', () => {
    expect(parseUserEntered('3/12/2026', 'en_GB')).toMatchObject({ value: serial('2026-12-03') });
  });

  it('keeps the format a cell already has, and keeps text in a cell formatted as text', () => {
    expect(parseUserEntered('2026-12-03', 'en_US', { type: 'DATE_TIME' })).toEqual({
      kind: 'set',
      value: serial('2026-12-03'),
    });
    expect(parseUserEntered('=1+1', 'en_US', { type: 'TEXT' })).toEqual({ kind: 'set', value: '=1+1' });
  });
});

describe('RAW and the JSON value types', () => {
  it('keeps strings literally, skips null and clears on ""', () => {
    const raw = (v: unknown) => interpretInput(v, 'RAW', undefined, 'en_US', 'values[0][0]');
    expect(raw('=1+1')).toEqual({ kind: 'set', value: '=1+1' });
    expect(raw('-3')).toEqual({ kind: 'set', value: '-3' });
    expect(raw(7)).toEqual({ kind: 'set', value: 7 });
    expect(raw(null)).toEqual({ kind: 'skip' });
    expect(raw('')).toEqual({ kind: 'clear' });
    expect(() => raw({ a: 1 })).toThrow('Invalid values[0][0]');
  });
});

describe('rendering', () => {
  const date: CellData = {
    value: serial('2026-12-03', 9.25),
    format: { numberFormat: { type: 'DATE_TIME' } },
  };

  it('returns each render option’s value', () => {
    expect(renderCell(date, 'UNFORMATTED_VALUE', 'SERIAL_NUMBER')).toBe(serial('2026-12-03', 9.25));
    expect(renderCell(date, 'UNFORMATTED_VALUE', 'FORMATTED_STRING')).toBe('2026-12-03 09:15:00');
    expect(renderCell(date, 'FORMATTED_VALUE', 'SERIAL_NUMBER')).toBe('2026-12-03 09:15:00');
    expect(renderCell({ formula: '=A1' }, 'FORMULA', 'SERIAL_NUMBER')).toBe('=A1');
    expect(renderCell({ formula: '=A1' }, 'UNFORMATTED_VALUE', 'SERIAL_NUMBER')).toBe(FORMULA_NOT_EVALUATED);
    expect(renderCell({ value: true }, 'FORMATTED_VALUE', 'SERIAL_NUMBER')).toBe('TRUE');
    expect(
      renderCell({ format: { numberFormat: { type: 'DATE' } } }, 'FORMATTED_VALUE', 'SERIAL_NUMBER'),
    ).toBe(undefined);
  });

  it('formats date patterns, with m as minutes next to hours or seconds', () => {
    const s = serial('2026-12-03', 14 + 5 / 60);
    expect(formatSerial(s, 'yyyy-mm-dd hh:mm')).toBe('2026-12-03 14:05');
    expect(formatSerial(s, 'd mmm yyyy')).toBe('3 Dec 2026');
    expect(formatSerial(s, 'dddd, mmmm d')).toBe('Thursday, December 3');
    expect(formatSerial(s, 'h:mm AM/PM')).toBe('2:05 PM');
    expect(formatSerial(s, 'm/d/yy')).toBe('12/3/26');
  });

  it('formats numbers by pattern', () => {
    expect(formatNumber(1234.5, undefined)).toBe('1234.5');
    expect(formatNumber(0.1 + 0.2, undefined)).toBe('0.3');
    expect(formatNumber(1234.5, { type: 'NUMBER', pattern: '#,##0.00' })).toBe('1,234.50');
    expect(formatNumber(0.125, { type: 'PERCENT', pattern: '0.0%' })).toBe('12.5%');
    expect(formatNumber(-5, { type: 'CURRENCY' })).toBe('-$5.00');
  });
});
