/**
 * One worksheet part (`xl/worksheets/sheetN.xml`), scanned rather than parsed: rows and cells are
 * located by offset, values read where asked, and a write splices new cell XML into the text so
 * everything else in the part (formats, merged cells, filters, validations, conditional formats,
 * drawings, table and comment references, extension lists) stays byte for byte as it was.
 *
 * Reading stops at the last cell that holds a value or a formula: a sheet formatted down to row
 * 1,048,576 costs one backwards search over its text, not a million rows.
 * Layout: ECMA-376 Part 1, 18.3.1.99 sheetData, 18.3.1.73 row, 18.3.1.4 c (Cell).
 */
import { attributes, columnLetters, columnNumber } from './xml';

export interface CellSlot {
  /** 1-based column. */
  col: number;
  /** Offsets of the whole `<c …>…</c>` element in the part. */
  start: number;
  end: number;
  /** The start tag's attribute text. */
  attrs: string;
  /** The element's content ('' when self-closing). */
  body: string;
}

export interface RowSlot {
  /** 1-based row. */
  r: number;
  start: number;
  end: number;
  attrs: string;
  /** Offsets of the content between `<row …>` and `</row>` (equal when self-closing). */
  contentStart: number;
  contentEnd: number;
  /** The style the row gives its empty cells, once read (null: none). */
  style?: string | null;
}

export class SheetPart {
  /** Namespace prefix of the part's elements ('' or e.g. 'x:'). */
  readonly p: string;
  /**
   * The part's text decoded so far: from the start to just after a '>' (so no tag is cut), as
   * far as reading and writing needed. A sheet formatted to its last row keeps its long tail
   * as bytes, never decoded, and copied as it was when the part is written.
   */
  private text = '';
  private textBytes = 0;
  /** Offset just after `<sheetData>` in `text`; the element's end is found when needed. */
  private readonly dataStart: number;
  private readonly selfClosingData: string | undefined;
  /** Offset in `text` of the last value or formula in sheetData (-1 when none). */
  readonly lastValueAt: number;
  private readonly rows: RowSlot[] = [];
  private readonly byNumber = new Map<number, RowSlot>();
  private cursor: number;
  private nextNumber = 1;
  private ended = false;
  private closeByte: number | undefined;
  private closeAt: number | undefined;
  private readonly edits = new Map<number, Map<number, string>>();
  private columnStyles: { min: number; max: number; style: string }[] | undefined;
  private readonly patterns: { row: RegExp; cell: RegExp };

  constructor(readonly bytes: Buffer) {
    const at = bytes.indexOf('sheetData');
    if (at < 0) throw new Error('the worksheet has no sheetData element');
    this.decodeTo(at + 64 * 1024);
    const root = /<(\w+:)?worksheet[\s>]/.exec(this.text);
    this.p = root?.[1] ?? '';
    this.patterns = {
      row: new RegExp(`<${this.p}row\\b([^>]*?)(/?)>`, 'y'),
      cell: new RegExp(`<${this.p}c\\b([^>]*?)(/?)>`, 'g'),
    };
    const open = new RegExp(`<${this.p}sheetData(\\s[^>]*)?(/?)>`).exec(this.text);
    if (!open) throw new Error('the worksheet has no sheetData element');
    if (open[2]) {
      this.dataStart = open.index;
      this.selfClosingData = open[0];
      this.ended = true;
    } else {
      this.dataStart = open.index + open[0].length;
    }
    this.cursor = this.dataStart;
    this.lastValueAt = this.findLastValue();
  }

  /** Decodes the part up to at least byte `end` (and on to the next '>'). */
  private decodeTo(end: number): boolean {
    if (this.textBytes >= this.bytes.length) return false;
    const gt = this.bytes.indexOf(0x3e, Math.max(end, this.textBytes * 2, 4096));
    this.textBytes = gt < 0 ? this.bytes.length : gt + 1;
    this.text = this.bytes.toString('utf8', 0, this.textBytes);
    return true;
  }

  /** Offset of `</sheetData>` in `text`, or Infinity while it is not decoded yet. */
  private dataEnd(): number {
    const tag = `</${this.p}sheetData>`;
    this.closeByte ??= this.bytes.lastIndexOf(tag);
    if (this.closeByte < 0) throw new Error('the worksheet sheetData element is not closed');
    if (this.textBytes < this.closeByte + tag.length) return Number.POSITIVE_INFINITY;
    this.closeAt ??= this.text.lastIndexOf(tag);
    return this.closeAt;
  }

  /** `text.indexOf(needle, from)`, decoding further as needed; -1 when the part has none. */
  private find(needle: string, from: number): number {
    for (;;) {
      const at = this.text.indexOf(needle, from);
      if (at >= 0) return at;
      if (!this.decodeTo(this.textBytes + 1)) return -1;
    }
  }

  private findLastValue(): number {
    const p = this.p;
    const needles = [`<${p}v>`, `<${p}is>`, `<${p}f>`, `<${p}f `];
    // A value or formula sits inside a `<c>…</c>`: searching back from the last `</c>` skips a
    // formatted tail of self-closing cells with one search instead of four.
    const close = this.bytes.lastIndexOf(`</${p}c>`);
    if (close < 0) return -1;
    let last = -1;
    for (const needle of needles) last = Math.max(last, this.bytes.lastIndexOf(needle, close));
    if (last < 0) return -1;
    this.decodeTo(last + 1);
    let at = -1;
    for (const needle of needles) at = Math.max(at, this.text.lastIndexOf(needle));
    return at >= this.dataStart ? at : -1;
  }

  /** The rows up to and including the one holding the last value. */
  rowsWithValues(): RowSlot[] {
    if (this.lastValueAt < 0) return [];
    while (this.cursor <= this.lastValueAt && this.scanRow()) {}
    return this.rows.filter((row) => row.start <= this.lastValueAt);
  }

  /** Every row element of the part, formatted empty ones too. */
  allRows(): RowSlot[] {
    while (this.scanRow()) {}
    return [...this.rows];
  }

  /** Reads the next row element after the cursor; false at the end of sheetData. */
  private scanRow(): boolean {
    if (this.ended) return false;
    const p = this.p;
    const at = this.find(`<${p}row`, this.cursor);
    if (at < 0 || at > this.dataEnd()) {
      this.ended = true;
      return false;
    }
    const tag = this.patterns.row;
    tag.lastIndex = at;
    const m = tag.exec(this.text);
    if (!m) throw new Error(`a row element at offset ${at} is malformed`);
    const attrs = m[1] ?? '';
    const contentStart = at + m[0].length;
    let contentEnd = contentStart;
    let end = contentStart;
    if (!m[2]) {
      contentEnd = this.find(`</${p}row>`, contentStart);
      if (contentEnd < 0) throw new Error(`the row element at offset ${at} is not closed`);
      end = contentEnd + `</${p}row>`.length;
    }
    const given = /(?:^|\s)r\s*=\s*["'](\d+)["']/.exec(attrs);
    const r = given ? Number(given[1]) : this.nextNumber;
    this.nextNumber = r + 1;
    const row: RowSlot = { r, start: at, end, attrs, contentStart, contentEnd };
    this.rows.push(row);
    this.byNumber.set(r, row);
    this.cursor = end;
    return true;
  }

  /** The row element numbered `r`, if the part has one (scanning on as far as needed). */
  row(r: number): RowSlot | undefined {
    while (!this.byNumber.has(r) && (this.rows.length === 0 || this.rows.at(-1)!.r < r) && this.scanRow()) {}
    return this.byNumber.get(r);
  }

  /** The cells of a row, in order. */
  cells(row: RowSlot): CellSlot[] {
    const out: CellSlot[] = [];
    const p = this.p;
    const tag = this.patterns.cell;
    tag.lastIndex = row.contentStart;
    let next = 1;
    // Row content is decoded whole (the row's end was found), so the search stops within it.
    for (let m = tag.exec(this.text); m && m.index < row.contentEnd; m = tag.exec(this.text)) {
      const attrs = m[1] ?? '';
      const ref = /(?:^|\s)r\s*=\s*["']([A-Z]{1,3})\d+["']/.exec(attrs);
      const col = ref ? columnNumber(ref[1]!) : next;
      next = col + 1;
      let end = m.index + m[0].length;
      let body = '';
      if (!m[2]) {
        const close = this.text.indexOf(`</${p}c>`, end);
        if (close < 0 || close > row.contentEnd)
          throw new Error(`cell ${columnLetters(col)}${row.r} is not closed`);
        body = this.text.slice(end, close);
        end = close + `</${p}c>`.length;
        tag.lastIndex = end;
      }
      out.push({ col, start: m.index, end, attrs, body });
    }
    return out;
  }

  cell(r: number, col: number): CellSlot | undefined {
    const row = this.row(r);
    return row && this.cells(row).find((c) => c.col === col);
  }

  /** The style index a column gives its empty cells (`<col style>`), if any. */
  columnStyle(col: number): string | undefined {
    if (!this.columnStyles) {
      this.columnStyles = [];
      const cols = new RegExp(`<${this.p}col\\b([^>]*)/?>`, 'g');
      const head = this.text.slice(0, this.dataStart);
      for (const m of head.matchAll(cols)) {
        const a = attributes(m[1] ?? '');
        if (a.style) this.columnStyles.push({ min: Number(a.min), max: Number(a.max), style: a.style });
      }
    }
    return this.columnStyles.find((c) => c.min <= col && col <= c.max)?.style;
  }

  /** The style a row element gives its empty cells (`<row s customFormat="1">`), if any. */
  rowStyle(r: number): string | undefined {
    const row = this.row(r);
    if (!row) return undefined;
    if (row.style === undefined) {
      const a = attributes(row.attrs);
      row.style = (a.customFormat === '1' || a.customFormat === 'true' ? a.s : undefined) ?? null;
    }
    return row.style ?? undefined;
  }

  /** Sets the XML of cell (r, col): a whole `<c>` element, or '' to remove the cell. */
  setCell(r: number, col: number, cellXml: string): void {
    const row = this.edits.get(r) ?? new Map<number, string>();
    this.edits.set(r, row);
    row.set(col, cellXml);
  }

  get changed(): boolean {
    return this.edits.size > 0;
  }

  /** The part with the edits spliced in (the undecoded tail copied as it was). */
  serialize(): Buffer {
    return Buffer.concat(this.serializeParts());
  }

  /** `serialize` in two pieces, the edited text and the untouched tail, so neither is copied. */
  serializeParts(): Buffer[] {
    if (!this.edits.size) return [this.bytes];
    const splices: { at: number; end: number; text: string }[] = [];
    const numbers = [...this.edits.keys()].sort((a, b) => a - b);
    if (this.selfClosingData) {
      // `<sheetData/>`: the element is written out whole around the new rows.
      const open = this.selfClosingData.replace(/\s*\/>$/, '>');
      const rows = numbers.map((r) => this.rowXml(r)).join('');
      const text = `${open}${rows}</${this.p}sheetData>`;
      splices.push({ at: this.dataStart, end: this.dataStart + this.selfClosingData.length, text });
      numbers.length = 0;
    }
    for (const r of numbers) {
      const existing = this.row(r);
      if (existing) {
        splices.push({ at: existing.start, end: existing.end, text: this.rowXml(r, existing) });
        continue;
      }
      const after = this.firstRowAfter(r);
      const at = after ? after.start : this.find(`</${this.p}sheetData>`, this.cursor);
      if (at < 0) throw new Error('the worksheet sheetData element is not closed');
      splices.push({ at, end: at, text: this.rowXml(r) });
    }
    splices.sort((a, b) => a.at - b.at);
    let out = '';
    let from = 0;
    for (const s of splices) {
      out += this.text.slice(from, s.at) + s.text;
      from = s.end;
    }
    out += this.text.slice(from);
    return [Buffer.from(this.withDimension(out), 'utf8'), this.bytes.subarray(this.textBytes)];
  }

  /** The first row element numbered above `r` (rows are in ascending order: binary search). */
  private firstRowAfter(r: number): RowSlot | undefined {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.r > r) hi = mid;
      else lo = mid + 1;
    }
    return this.rows[lo];
  }

  private rowXml(r: number, existing?: RowSlot): string {
    const p = this.p;
    const edits = this.edits.get(r)!;
    const cells = existing ? this.cells(existing) : [];
    const merged: { col: number; xml: string }[] = cells
      .filter((c) => !edits.has(c.col))
      .map((c) => ({ col: c.col, xml: this.text.slice(c.start, c.end) }));
    for (const [col, xml] of edits) if (xml) merged.push({ col, xml });
    merged.sort((a, b) => a.col - b.col);
    // `spans` is an optimisation hint that new cells may contradict: it is dropped.
    const attrs = existing ? existing.attrs.replace(/\s+spans\s*=\s*("[^"]*"|'[^']*')/, '') : ` r="${r}"`;
    const open = `<${p}row${attrs.replace(/\s*$/, '')}`;
    if (!merged.length) return `${open}/>`;
    return `${open}>${merged.map((c) => c.xml).join('')}</${p}row>`;
  }

  /** `<dimension ref>` widened to the cells written. */
  private withDimension(xml: string): string {
    const dim = new RegExp(`<${this.p}dimension\\s+ref\\s*=\\s*"([A-Z]+)(\\d+)(?::([A-Z]+)(\\d+))?"`).exec(
      xml,
    );
    if (!dim) return xml;
    let lastCol = columnNumber(dim[3] ?? dim[1]!);
    let lastRow = Number(dim[4] ?? dim[2]);
    for (const [r, cols] of this.edits) {
      for (const [col, cellXml] of cols) {
        if (!cellXml) continue;
        lastRow = Math.max(lastRow, r);
        lastCol = Math.max(lastCol, col);
      }
    }
    const ref = `${dim[1]}${dim[2]}:${columnLetters(lastCol)}${lastRow}`;
    return (
      xml.slice(0, dim.index) + `<${this.p}dimension ref="${ref}"` + xml.slice(dim.index + dim[0].length)
    );
  }
}

export function cellRef(r: number, col: number): string {
  return `${columnLetters(col)}${r}`;
}
