/**
 * Cell values across runtimes: whether a cell still holds what the core saw (the same rule for
 * the .xlsx workbook and the Google Sheet), and how a planned value is stored in a sheet.
 */
import { dateToSerial, instantToSerial, parseInstant, parseIsoDate } from './dates';
import { normaliseName } from './layout';
import type { Cell, Table } from './types';

/**
 * The longest text Milepost stores in one cell, the same in every runtime: Excel's limit
 * ("Excel specifications and limits": "Total number of characters that a cell can contain:
 * 32,767 characters"), below Google Sheets' 50,000 ("Your input contains more than the maximum
 * of 50000 characters in a single cell"). Longer text would be refused by Sheets or cut by the
 * next office save; Milepost cuts it itself and says so in the cell.
 */
export const CELL_TEXT_LIMIT = 32_767;

/** Text that fits one cell: kept whole when it fits, else cut with a note of what was left out. */
export function fitCell(text: string): string {
  if (text.length <= CELL_TEXT_LIMIT) return text;
  const note = (n: number) => ` … [${n} more characters not kept: a cell holds at most ${CELL_TEXT_LIMIT}]`;
  // The note's length depends on the count it gives: settle it (two passes at most).
  let keep = CELL_TEXT_LIMIT - note(text.length).length;
  while (keep + note(text.length - keep).length < CELL_TEXT_LIMIT) keep++;
  return text.slice(0, keep) + note(text.length - keep);
}

/** Half a millisecond in days: serial round trips may add float noise. */
const SERIAL_EPSILON = 0.5 / 86_400_000;

/** A cell's trimmed text ('' when blank). */
export function text(cell: Cell | undefined): string {
  return cell === null || cell === undefined ? '' : String(cell).trim();
}

/** Column index by normalised header (the first of a repeated header wins; blank headers are left out). */
export function columnsOf(headers: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  headers.forEach((h, i) => {
    const n = normaliseName(String(h ?? ''));
    if (n && !map.has(n)) map.set(n, i);
  });
  return map;
}

/** A serial equal to an ISO date or instant text, when `textValue` is one. */
function serialOfText(textValue: string, timeZone: string): number | undefined {
  const date = parseIsoDate(textValue);
  if (date !== undefined) return dateToSerial(date);
  if (!/\d[T ]\d/.test(textValue)) return undefined;
  const instant = parseInstant(textValue, timeZone);
  return instant === undefined ? undefined : instantToSerial(instant, timeZone);
}

/**
 * Whether the cell found now still holds what the core saw: blank equals blank, text compares
 * trimmed, numbers compare within half a millisecond (serial round trips), and a serial
 * equals the ISO date or instant text of the same moment.
 */
export function sameCell(current: Cell, expected: Cell, timeZone: string): boolean {
  const a = text(current);
  const b = text(expected);
  if (a === '' || b === '') return a === b;
  if (typeof current === 'number' && typeof expected === 'number') {
    return Math.abs(current - expected) < SERIAL_EPSILON;
  }
  if (typeof current === 'number' || typeof expected === 'number') {
    const serial = (typeof current === 'number' ? current : expected) as number;
    const other = typeof current === 'number' ? b : a;
    const otherSerial = serialOfText(other, timeZone);
    if (otherSerial !== undefined && Math.abs(otherSerial - serial) < SERIAL_EPSILON) return true;
  }
  return a === b;
}

/** Key cells match like `sameCell`, except that text compares case-insensitively. */
export function sameKey(current: Cell, key: string, timeZone: string): boolean {
  if (text(current) === '' || key.trim() === '') return false;
  if (sameCell(current, key, timeZone)) return true;
  return typeof current === 'string' && current.trim().toLowerCase() === key.trim().toLowerCase();
}

/**
 * The rows of a key column that hold a key (`sameKey`), found without comparing every row with
 * every key: text is looked up by its trimmed, lower-cased form (the only way text can match),
 * numbers (a date kept as a serial) are few and compared one by one. Finding n keys among m rows
 * costs m + n, not m × n — at 10,000 milestones the difference between seconds and minutes.
 */
export function keyIndex(column: readonly Cell[], timeZone: string): (key: string) => number[] {
  const byText = new Map<string, number[]>();
  const numbers: number[] = [];
  column.forEach((cell, i) => {
    if (typeof cell === 'number') numbers.push(i);
    else if (text(cell) !== '') {
      const k = text(cell).toLowerCase();
      const rows = byText.get(k);
      if (rows) rows.push(i);
      else byText.set(k, [i]);
    }
  });
  return (key) => {
    if (key.trim() === '') return [];
    const hits = byText.get(key.trim().toLowerCase()) ?? [];
    const serials = numbers.filter((i) => sameKey(column[i] ?? null, key, timeZone));
    return serials.length ? [...hits, ...serials].sort((a, b) => a - b) : hits;
  };
}

/**
 * A planned value as a spreadsheet stores it: calendar dates and instants as serials (wall
 * time in the register's zone), everything else as it is. Text is always text: shells write
 * it without interpretation (RAW in Sheets, string cells in .xlsx).
 */
export function sheetValue(value: Cell, as: 'date' | 'instant' | undefined, timeZone: string): Cell {
  if (typeof value !== 'string' || value === '' || !as) return value;
  if (as === 'date') {
    const d = parseIsoDate(value.slice(0, 10));
    return d ? dateToSerial(d) : value;
  }
  const i = parseInstant(value, timeZone);
  return i ? instantToSerial(i, timeZone) : value;
}

function toCell(value: unknown): Cell {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** Rows as a sheet returns them (trailing empties omitted or '') → a core table; '' is blank. */
export function tableOf(title: string, values: unknown[][] | null | undefined): Table {
  const rows = (values ?? []).map((r) => r.map(toCell));
  const header = rows[0] ?? [];
  const body = rows.slice(1).map((r) => {
    let end = r.length;
    while (end > 0 && r[end - 1] === null) end--;
    return r.slice(0, end);
  });
  while (body.length && body[body.length - 1]!.length === 0) body.pop();
  return { name: title, headers: header.map((h) => (h === null ? '' : String(h))), rows: body };
}
