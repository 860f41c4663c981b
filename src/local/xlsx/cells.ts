/**
 * Cell values in and out of worksheet XML (ECMA-376 Part 1, 18.3.1.4 c; 18.18.11 ST_CellType):
 * t="s" shared string, "inlineStr", "str" (a formula's text result), "b", "e" (error), "d" (ISO
 * date), else a number. Dates are serials, as in the core; a 1904 workbook is shifted to 1900.
 */
import type { Cell } from '../../core/types';
import type { XlsxPackage } from './package';
import type { CellSlot } from './sheet';
import { attributes, decodeXstring, escapeText, stringItemText, unescapeXml } from './xml';

/** Days between the 1900 and the 1904 date systems (ECMA-376 Part 1, 18.17.4.1). */
const DAYS_1904 = 1462;
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30);

export interface CellRead {
  value: Cell;
  /** The formula of a formula cell that has no saved result (the value is then null). */
  formulaWithoutValue?: string;
}

const PATTERNS = new Map<string, { f: RegExp; v: RegExp; is: RegExp }>();

function patterns(p: string): { f: RegExp; v: RegExp; is: RegExp } {
  let found = PATTERNS.get(p);
  if (!found) {
    found = {
      f: new RegExp(`<${p}f\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${p}f>)`),
      v: new RegExp(`<${p}v(?:\\s[^>]*)?>([\\s\\S]*?)</${p}v>`),
      is: new RegExp(`<${p}is>([\\s\\S]*?)</${p}is>`),
    };
    PATTERNS.set(p, found);
  }
  return found;
}

const TYPE = /(?:^|\s)t\s*=\s*["']([^"']*)["']/;
const STYLE = /(?:^|\s)s\s*=\s*["']([^"']*)["']/;

export function readCell(pkg: XlsxPackage, slot: CellSlot, p: string): CellRead {
  // The two attributes a value depends on, without parsing the rest (the hottest loop of a read).
  const a = { t: TYPE.exec(slot.attrs)?.[1], s: STYLE.exec(slot.attrs)?.[1] };
  const re = patterns(p);
  const f = slot.body.includes('f') ? re.f.exec(slot.body) : null;
  const v = re.v.exec(slot.body);
  if (a.t === 'inlineStr') {
    const is = re.is.exec(slot.body);
    return { value: blankToNull(is ? stringItemText(is[1]!, p) : '') };
  }
  // openpyxl writes a formula with an empty result (`<v></v>`): no saved result either, unless
  // the formula's result is text (t="str"), where empty is a result.
  if (!v || (f && v[1] === '' && a.t !== 'str')) {
    if (!f) return { value: null };
    const text = f[2] ? unescapeXml(f[2]) : attributes(f[1] ?? '').t === 'shared' ? '(shared formula)' : '';
    return { value: null, formulaWithoutValue: `=${text}` };
  }
  const value = typed(pkg, a.t, unescapeXml(v[1]!));
  // A 1904 workbook counts its dates from 1904; the core counts from 1900.
  if (typeof value === 'number' && pkg.date1904 && a.t === undefined && pkg.styles().isDate(a.s)) {
    return { value: value + DAYS_1904 };
  }
  return { value };
}

function typed(pkg: XlsxPackage, t: string | undefined, raw: string): Cell {
  switch (t) {
    case 's':
      return blankToNull(pkg.sharedStrings()[Number(raw)] ?? '');
    case 'str':
      return blankToNull(decodeXstring(raw));
    case 'b':
      return raw.trim() === '1' || raw.trim() === 'true';
    case 'e':
      return raw;
    case 'd': {
      const ms = Date.parse(
        /[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw.length <= 10 ? `${raw}T00:00` : raw}Z`,
      );
      return Number.isNaN(ms) ? raw : (ms - SERIAL_EPOCH_MS) / 86_400_000;
    }
    default: {
      if (raw.trim() === '') return null;
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
  }
}

/** A core serial as the workbook stores it. */
export function toWorkbookSerial(pkg: XlsxPackage, serial: number): number {
  return pkg.date1904 ? serial - DAYS_1904 : serial;
}

function blankToNull(s: string): Cell {
  return s === '' ? null : s;
}

/**
 * The XML of cell `ref` holding `value` with style `style`: text as an inline string (so the
 * shared string table is left as it was), numbers and booleans as such, blank as a styled empty
 * cell (or nothing when unstyled).
 */
export function cellXml(p: string, ref: string, value: Cell, style: string | undefined): string {
  const s = style !== undefined && style !== '0' ? ` s="${style}"` : '';
  if (value === null || value === '') return s ? `<${p}c r="${ref}"${s}/>` : '';
  if (typeof value === 'number') return `<${p}c r="${ref}"${s}><${p}v>${String(value)}</${p}v></${p}c>`;
  if (typeof value === 'boolean')
    return `<${p}c r="${ref}"${s} t="b"><${p}v>${value ? 1 : 0}</${p}v></${p}c>`;
  const space = /^\s|\s$|\n/.test(value) ? ' xml:space="preserve"' : '';
  return `<${p}c r="${ref}"${s} t="inlineStr"><${p}is><${p}t${space}>${escapeText(value)}</${p}t></${p}is></${p}c>`;
}
