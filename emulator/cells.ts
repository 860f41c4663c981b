/**
 * One cell of the emulated Sheets: what a write stores (RAW or USER_ENTERED) and what a read
 * returns (FORMATTED_VALUE, UNFORMATTED_VALUE or FORMULA; SERIAL_NUMBER or FORMATTED_STRING).
 *
 * Dates are serial numbers (days since 1899-12-30) of the wall time in the spreadsheet's time
 * zone, so no time-zone conversion ever happens here. A cell is a date because its number format
 * says so (type DATE, DATE_TIME or TIME), set by USER_ENTERED date parsing or by repeatCell /
 * updateCells. Formulas are stored, never evaluated.
 */
import { badRequest } from './errors';

export type Scalar = number | string | boolean;

export interface NumberFormat {
  type: string;
  pattern?: string;
}

/** Google's CellFormat, stored as given; only numberFormat changes what reads return. */
export interface CellFormat {
  numberFormat?: NumberFormat;
  [key: string]: unknown;
}

export interface CellData {
  value?: Scalar;
  formula?: string;
  format?: CellFormat;
  /** A DataValidationRule as the API takes it. */
  validation?: Record<string, unknown>;
  note?: string;
}

export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';
export type DateTimeRenderOption = 'SERIAL_NUMBER' | 'FORMATTED_STRING';
export type ValueInputOption = 'RAW' | 'USER_ENTERED';

export const VALUE_RENDER_OPTIONS: readonly ValueRenderOption[] = [
  'FORMATTED_VALUE',
  'UNFORMATTED_VALUE',
  'FORMULA',
];
export const DATE_TIME_RENDER_OPTIONS: readonly DateTimeRenderOption[] = [
  'SERIAL_NUMBER',
  'FORMATTED_STRING',
];
export const VALUE_INPUT_OPTIONS: readonly ValueInputOption[] = ['RAW', 'USER_ENTERED'];

/** What a formula cell reads as, other than with FORMULA: the emulator has no formula engine. */
export const FORMULA_NOT_EVALUATED = '#N/A (emulator does not evaluate formulas)';

const DAY_MS = 86_400_000;
const EPOCH_MS = Date.UTC(1899, 11, 30);

export const DATE_PATTERN = 'yyyy-mm-dd';
export const DATE_TIME_PATTERN = 'yyyy-mm-dd hh:mm:ss';
export const TIME_PATTERN = 'hh:mm:ss';

export function hasContent(cell: CellData | undefined): boolean {
  return cell !== undefined && (cell.value !== undefined || cell.formula !== undefined);
}

/** 'date' | 'datetime' | 'time' when the cell's number format shows a date, else undefined. */
export function dateKind(cell: CellData | undefined): 'date' | 'datetime' | 'time' | undefined {
  switch (cell?.format?.numberFormat?.type) {
    case 'DATE':
      return 'date';
    case 'DATE_TIME':
      return 'datetime';
    case 'TIME':
      return 'time';
    default:
      return undefined;
  }
}

// ---------- writing ----------

/** What one value of a write does to its cell. */
export type CellInput =
  | { kind: 'skip' }
  | { kind: 'clear' }
  | { kind: 'set'; value?: Scalar; formula?: string; numberFormat?: NumberFormat };

/**
 * Interprets one JSON value of a values write. `null` skips the cell and '' clears it (with either
 * option). RAW keeps strings literally; USER_ENTERED parses them as a person typing would.
 */
export function interpretInput(
  value: unknown,
  option: ValueInputOption,
  existing: CellData | undefined,
  locale: string,
  where: string,
): CellInput {
  if (value === null || value === undefined) return { kind: 'skip' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badRequest(`Invalid ${where}: number_value ${value}`);
    return { kind: 'set', value };
  }
  if (typeof value === 'boolean') return { kind: 'set', value };
  if (typeof value !== 'string') {
    throw badRequest(
      `Invalid ${where}: ${Array.isArray(value) ? 'list_value' : 'struct_value'} is not allowed`,
    );
  }
  if (value === '') return { kind: 'clear' };
  if (option === 'RAW') return { kind: 'set', value };
  return parseUserEntered(value, locale, existing?.format?.numberFormat);
}

/**
 * A string as Google reads it when a person types it (USER_ENTERED): a formula, a forced text
 * ('…), a boolean, a number (with thousands separators, %, $), a date or date-time (ISO, or the
 * locale's m/d/yyyy or d/m/yyyy), a time of day; anything else stays text. A cell formatted as
 * plain text (TEXT) keeps what is typed.
 */
export function parseUserEntered(text: string, locale: string, existing?: NumberFormat): CellInput {
  if (existing?.type === 'TEXT') return { kind: 'set', value: text };
  if (text.startsWith("'")) return { kind: 'set', value: text.slice(1) };
  if (text.startsWith('=') && text.length > 1) return { kind: 'set', formula: text };
  const withFormat = (value: number, numberFormat: NumberFormat): CellInput =>
    existing ? { kind: 'set', value } : { kind: 'set', value, numberFormat };
  const t = text.trim();
  if (/^(true|false)$/i.test(t)) return { kind: 'set', value: t.toLowerCase() === 'true' };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { kind: 'set', value: Number(t) };
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) return { kind: 'set', value: Number(t.replaceAll(',', '')) };
  let m = /^([+-]?(?:\d+\.?\d*|\.\d+))%$/.exec(t);
  if (m) {
    const decimals = m[1]!.split('.')[1]?.length ?? 0;
    return withFormat(Number(m[1]) / 100, {
      type: 'PERCENT',
      pattern: decimals > 0 ? `0.${'0'.repeat(decimals)}%` : '0%',
    });
  }
  m = /^(-?)\$(\d{1,3}(?:,\d{3})*|\d+)(\.\d+)?$/.exec(t);
  if (m) {
    const n = Number(`${m[1]}${m[2]!.replaceAll(',', '')}${m[3] ?? ''}`);
    return withFormat(n, { type: 'CURRENCY', pattern: '"$"#,##0.00' });
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) {
    const serial = dateSerial(Number(m[1]), Number(m[2]), Number(m[3]));
    if (serial !== undefined) return withFormat(serial, { type: 'DATE', pattern: DATE_PATTERN });
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (m) {
    const serial = dateSerial(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6] ?? 0),
    );
    if (serial !== undefined) return withFormat(serial, { type: 'DATE_TIME', pattern: DATE_TIME_PATTERN });
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) {
    const us = locale === 'en_US';
    const month = Number(us ? m[1] : m[2]);
    const day = Number(us ? m[2] : m[1]);
    const serial = dateSerial(Number(m[3]), month, day);
    if (serial !== undefined) {
      return withFormat(serial, { type: 'DATE', pattern: us ? 'm/d/yyyy' : 'dd/mm/yyyy' });
    }
  }
  m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (m && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60) {
    const fraction = (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0)) / 86_400;
    return withFormat(fraction, { type: 'TIME', pattern: m[3] === undefined ? 'hh:mm' : TIME_PATTERN });
  }
  return { kind: 'set', value: text };
}

/** The serial of a wall-clock date-time, or undefined when it is not a real calendar date. */
export function dateSerial(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return undefined;
  return (ms - EPOCH_MS) / DAY_MS;
}

// ---------- reading ----------

/** The value a read returns for a cell, or undefined for an empty cell. */
export function renderCell(
  cell: CellData | undefined,
  render: ValueRenderOption,
  dateTime: DateTimeRenderOption,
): Scalar | undefined {
  if (!cell) return undefined;
  if (cell.formula !== undefined) return render === 'FORMULA' ? cell.formula : FORMULA_NOT_EVALUATED;
  const v = cell.value;
  if (v === undefined) return undefined;
  if (render === 'FORMATTED_VALUE') return formattedValue(cell);
  if (typeof v === 'number' && dateKind(cell) && dateTime === 'FORMATTED_STRING') return formattedValue(cell);
  return v;
}

/** The text a person sees in the cell. */
export function formattedValue(cell: CellData): string {
  if (cell.formula !== undefined) return FORMULA_NOT_EVALUATED;
  const v = cell.value;
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return v;
  return formatNumber(v, cell.format?.numberFormat);
}

export function formatNumber(n: number, nf: NumberFormat | undefined): string {
  switch (nf?.type) {
    case 'DATE':
      return formatSerial(n, nf.pattern || DATE_PATTERN);
    case 'DATE_TIME':
      return formatSerial(n, nf.pattern || DATE_TIME_PATTERN);
    case 'TIME':
      return formatSerial(n, nf.pattern || TIME_PATTERN);
    case 'PERCENT':
      return `${formatDecimal(n * 100, nf.pattern || '0%')}%`;
    case 'CURRENCY':
      return `${n < 0 ? '-' : ''}$${formatDecimal(Math.abs(n), nf.pattern || '#,##0.00')}`;
    case 'NUMBER':
    case 'SCIENTIFIC':
      return nf.pattern ? formatDecimal(n, nf.pattern) : automatic(n);
    default:
      return automatic(n);
  }
}

function automatic(n: number): string {
  return String(Number(n.toPrecision(15)));
}

/** Decimals and grouping of a number pattern such as '0.00', '#,##0' or '0.0%'. */
function formatDecimal(n: number, pattern: string): string {
  const body = pattern.replace(/"[^"]*"/g, '').replace(/[^0#,.]/g, '');
  const decimals = body.split('.')[1]?.replace(/[^0#]/g, '').length ?? 0;
  const fixed = n.toFixed(decimals);
  if (!body.includes(',')) return fixed;
  const [int, frac] = fixed.split('.');
  const sign = int!.startsWith('-') ? '-' : '';
  const digits = int!.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac === undefined ? '' : `.${frac}`}`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A serial as a date/time pattern shows it: yyyy yy mmmm mmm mm m dddd ddd dd d hh h HH H ss s,
 * AM/PM, "literal" and \x. `m`/`mm` are minutes right after an hour or right before seconds.
 */
export function formatSerial(serial: number, pattern: string): string {
  const date = new Date(Math.round(EPOCH_MS + serial * DAY_MS));
  const tokens = pattern.match(/"[^"]*"|\\.|AM\/PM|am\/pm|A\/P|a\/p|y+|m+|d+|h+|H+|s+|./g) ?? [];
  const twelve = tokens.some((t) => /^(AM\/PM|am\/pm|A\/P|a\/p)$/.test(t));
  const hours = date.getUTCHours();
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const isMinute = (i: number): boolean => {
    for (let k = i - 1; k >= 0; k--) {
      const t = tokens[k]!;
      if (/^[hH]+$/.test(t)) return true;
      if (/^[ymdsHh]/.test(t) && !/^[hH]/.test(t)) break;
    }
    for (let k = i + 1; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (/^s+$/.test(t)) return true;
      if (/^[ymdhH]/.test(t)) break;
    }
    return false;
  };
  return tokens
    .map((t, i) => {
      if (t.startsWith('"')) return t.slice(1, -1);
      if (t.startsWith('\\')) return t.slice(1);
      if (/^(AM\/PM|am\/pm)$/.test(t)) return hours < 12 ? 'AM' : 'PM';
      if (/^(A\/P|a\/p)$/.test(t)) return hours < 12 ? 'A' : 'P';
      const c = t[0]!;
      const w = t.length;
      if (c === 'y') return w <= 2 ? pad(date.getUTCFullYear() % 100, 2) : String(date.getUTCFullYear());
      if (c === 'm') {
        if (w <= 2 && isMinute(i)) return pad(date.getUTCMinutes(), w);
        const month = date.getUTCMonth();
        if (w >= 4) return MONTHS[month]!;
        if (w === 3) return MONTHS[month]!.slice(0, 3);
        return pad(month + 1, w);
      }
      if (c === 'd') {
        if (w >= 4) return WEEKDAYS[date.getUTCDay()]!;
        if (w === 3) return WEEKDAYS[date.getUTCDay()]!.slice(0, 3);
        return pad(date.getUTCDate(), w);
      }
      if (c === 'h' || c === 'H') {
        const h = twelve ? hours % 12 || 12 : hours;
        return pad(h, Math.min(w, 2));
      }
      if (c === 's') return pad(date.getUTCSeconds(), Math.min(w, 2));
      return t;
    })
    .join('');
}

// ---------- the CellData of spreadsheets.get ----------

/** A cell as `spreadsheets.get` with grid data shows it. */
export function cellJson(cell: CellData | undefined): Record<string, unknown> {
  if (!cell) return {};
  const out: Record<string, unknown> = {};
  if (cell.formula !== undefined) {
    out.userEnteredValue = { formulaValue: cell.formula };
    out.effectiveValue = { errorValue: { type: 'N_A', message: FORMULA_NOT_EVALUATED } };
    out.formattedValue = FORMULA_NOT_EVALUATED;
  } else if (cell.value !== undefined) {
    const v = extendedValue(cell.value);
    out.userEnteredValue = v;
    out.effectiveValue = v;
    out.formattedValue = formattedValue(cell);
  }
  if (cell.format) {
    out.userEnteredFormat = structuredClone(cell.format);
    out.effectiveFormat = structuredClone(cell.format);
  }
  if (cell.validation) out.dataValidation = structuredClone(cell.validation);
  if (cell.note !== undefined) out.note = cell.note;
  return out;
}

export function extendedValue(v: Scalar): Record<string, Scalar> {
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return { stringValue: v };
}
