/**
 * The cell formats of a package (`xl/styles.xml`, ECMA-376 Part 1, 18.8 Styles): which style
 * indexes show dates, and new date formats added when Milepost writes a date into a cell whose
 * format is not one. Existing formats are never changed or renumbered: additions go at the end.
 */
import { attributes, escapeAttribute } from './xml';

/**
 * Built-in number formats that are dates or times (ECMA-376 Part 1, 18.8.30 numFmt: ids 14–22
 * and 45–47; 27–36 and 50–58 are the East Asian date formats).
 */
const BUILT_IN_DATES = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** Whether a format code shows a date or time: d, m, y, h or s outside quotes and brackets. */
export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?![hms]+\])[^\]]*\]/gi, '');
  if (/^general$/i.test(bare.trim())) return false;
  return /[dmyhs]/i.test(bare);
}

export class Styles {
  private xml: string | undefined;
  private readonly numFmts = new Map<number, string>();
  private readonly xfs: string[] = [];
  private readonly added = new Map<string, string>();
  private readonly dates = new Map<string | undefined, boolean>();
  changed = false;

  constructor(xml: string | undefined) {
    this.xml = xml;
    if (!xml) return;
    for (const m of xml.matchAll(/<(?:\w+:)?numFmt\b([^>]*?)\/?>/g)) {
      const a = attributes(m[1]!);
      this.numFmts.set(Number(a.numFmtId), a.formatCode ?? '');
    }
    const cellXfs = /<((?:\w+:)?)cellXfs\b[^>]*>([\s\S]*?)<\/\1cellXfs>/.exec(xml);
    if (cellXfs) {
      const p = cellXfs[1];
      for (const m of cellXfs[2]!.matchAll(new RegExp(`<${p}xf\\b[^>]*?(?:/>|>[\\s\\S]*?</${p}xf>)`, 'g'))) {
        this.xfs.push(m[0]);
      }
    }
  }

  private numFmtIdOf(style: string | undefined): number {
    const xf = style === undefined ? undefined : this.xfs[Number(style)];
    if (!xf) return 0;
    return Number(attributes(/<[^>]*>/.exec(xf)![0]).numFmtId ?? 0);
  }

  isDate(style: string | undefined): boolean {
    let known = this.dates.get(style);
    if (known === undefined) {
      const id = this.numFmtIdOf(style);
      const code = this.numFmts.get(id);
      known = BUILT_IN_DATES.has(id) || (code !== undefined && isDateFormatCode(code));
      this.dates.set(style, known);
    }
    return known;
  }

  /**
   * A style index like `base` (or the default format) that shows dates with `pattern`; `base`
   * itself when it already shows a date. Undefined when the package has no styles part.
   */
  dateStyle(base: string | undefined, pattern: string): string | undefined {
    if (base !== undefined && this.isDate(base)) return base;
    if (!this.xml || !this.xfs.length) return undefined;
    const key = `${base ?? '0'}|${pattern}`;
    const known = this.added.get(key);
    if (known) return known;
    const id = this.numFmtFor(pattern);
    const template = this.xfs[Number(base ?? 0)] ?? this.xfs[0]!;
    const open = /<[^>]*?(\/?)>/.exec(template)!;
    let tag = open[0].replace(/\s+(numFmtId|applyNumberFormat)\s*=\s*("[^"]*"|'[^']*')/g, '');
    tag = tag.replace(/^<((?:\w+:)?xf)\b/, `<$1 numFmtId="${id}" applyNumberFormat="1"`);
    const xf = tag + template.slice(open[0].length);
    this.xfs.push(xf);
    const index = String(this.xfs.length - 1);
    this.xml = this.xml.replace(
      /(<((?:\w+:)?)cellXfs\b[^>]*>[\s\S]*?)(<\/\2cellXfs>)/,
      (_, body: string, _p, close: string) => {
        return `${body}${xf}${close}`;
      },
    );
    this.xml = setCount(this.xml, 'cellXfs', this.xfs.length);
    this.added.set(key, index);
    this.changed = true;
    return index;
  }

  private numFmtFor(pattern: string): number {
    for (const [id, code] of this.numFmts) if (code === pattern) return id;
    const id = Math.max(163, ...this.numFmts.keys()) + 1;
    this.numFmts.set(id, pattern);
    const numFmt = `<numFmt numFmtId="${id}" formatCode="${escapeAttribute(pattern)}"/>`;
    const xml = this.xml!;
    if (/<(?:\w+:)?numFmts\b/.test(xml)) {
      this.xml = xml.replace(
        /(<((?:\w+:)?)numFmts\b[^>]*>[\s\S]*?)(<\/\2numFmts>)/,
        `$1${numFmt.replace(/\$/g, '$$$$')}$3`,
      );
      this.xml = this.xml.replace(
        /(<(?:\w+:)?numFmts\b[^>]*?\bcount=")(\d+)(")/,
        (_, a: string, n: string, b: string) => `${a}${Number(n) + 1}${b}`,
      );
    } else {
      // numFmts comes first in styleSheet (ECMA-376 Part 1, 18.8.39 styleSheet).
      this.xml = xml.replace(
        /(<(?:\w+:)?styleSheet\b[^>]*>)/,
        `$1<numFmts count="1">${numFmt.replace(/\$/g, '$$$$')}</numFmts>`,
      );
    }
    return id;
  }

  serialize(): string {
    return this.xml ?? '';
  }
}

function setCount(xml: string, element: string, count: number): string {
  return xml.replace(new RegExp(`(<(?:\\w+:)?${element}\\b[^>]*?\\bcount=")\\d+(")`), `$1${count}$2`);
}
