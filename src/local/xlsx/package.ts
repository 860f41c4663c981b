/**
 * An .xlsx package (ECMA-376 Part 2, Open Packaging Conventions) opened for Milepost: the
 * worksheets by name, their cell values, and writes of our cells. Every part Milepost does not
 * write — charts, drawings, images, comments, tables, pivot caches, styles, themes, custom XML —
 * is carried over exactly as the person's spreadsheet program saved it (see zip.ts). The parts
 * Milepost writes besides cells: its notes (comments.ts) and missing validations (tail.ts).
 */
import { posix } from 'node:path';
import { WorkbookUnreadableError } from './errors';
import { SheetPart } from './sheet';
import { Styles } from './styles';
import { attributeByLocalName, attributes, prefixOf, stringItemText } from './xml';
import {
  deflatedEntryAsync,
  inflate,
  inflateAsync,
  readZip,
  writeZip,
  type ZipEntry,
  ZipFormatError,
} from './zip';

export interface SheetInfo {
  name: string;
  /** Part name, e.g. `xl/worksheets/sheet1.xml`. */
  part: string;
}

const REL_WORKSHEET = /\/worksheet$/;
const REL_OFFICE_DOCUMENT = /\/officeDocument$/;
const REL_SHARED_STRINGS = /\/sharedStrings$/;
const REL_STYLES = /\/styles$/;
const REL_CALC_CHAIN = /\/calcChain$/;
const REL_TABLE = /\/table$/;

export class XlsxPackage {
  private readonly entries: ZipEntry[];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly texts = new Map<string, string>();
  /** Sheet parts decompressed at open, side by side (the rest inflate when first read). */
  private readonly inflated = new Map<string, Buffer>();
  /** New content of parts: text, bytes, or a sheet's pieces (joined only if read again). */
  private readonly replaced = new Map<string, string | Buffer | Buffer[]>();
  private readonly removed = new Set<string>();
  /** Parts that were not in the package as read (a worksheet added). */
  private readonly added = new Set<string>();
  private readonly sheetParts = new Map<string, SheetPart>();
  private sharedStringsCache: string[] | undefined;
  private stylesCache: Styles | undefined;
  readonly workbookPart: string;
  readonly sheets: SheetInfo[];
  /** The workbook counts dates from 1904 (`<workbookPr date1904="1">`). */
  readonly date1904: boolean;

  private constructor(entries: ZipEntry[]) {
    this.entries = entries;
    for (const e of entries) this.byName.set(e.name, e);
    const root = this.relationships('');
    const office = root.find((r) => REL_OFFICE_DOCUMENT.test(r.type));
    if (!office || !this.byName.has(office.target)) throw new ZipFormatError('it has no workbook part');
    this.workbookPart = office.target;
    const workbook = this.text(this.workbookPart)!;
    const p = prefixOf(workbook, 'workbook');
    const pr = new RegExp(`<${p}workbookPr\\b([^>]*)>`).exec(workbook);
    const date1904 = pr ? attributes(pr[1]!).date1904 : undefined;
    this.date1904 = date1904 === '1' || date1904 === 'true';
    const rels = this.relationships(this.workbookPart);
    this.sheets = [];
    for (const m of workbook.matchAll(new RegExp(`<${p}sheet\\b([^>]*?)/?>`, 'g'))) {
      const a = attributes(m[1]!);
      const rel = rels.find((r) => r.id === attributeByLocalName(a, 'id'));
      // Chart sheets and dialog sheets are not tabs of cells: they are left alone.
      if (rel && REL_WORKSHEET.test(rel.type) && a.name !== undefined) {
        this.sheets.push({ name: a.name, part: rel.target });
      }
    }
  }

  /**
   * Opens package bytes; any failure is a WorkbookUnreadableError naming `file`. The worksheets
   * inflate on the thread pool at once, each scanned as soon as it is ready.
   */
  static async open(bytes: Buffer, file: string): Promise<XlsxPackage> {
    const kind = notAZip(bytes);
    if (kind) throw new WorkbookUnreadableError(file, kind);
    try {
      const entries = readZip(bytes);
      const mimetype = entries.find((e) => e.name === 'mimetype');
      if (mimetype && !entries.some((e) => e.name === '[Content_Types].xml')) {
        const type = inflate(mimetype).toString();
        throw new WorkbookUnreadableError(
          file,
          /opendocument/.test(type)
            ? 'it is an OpenDocument spreadsheet (.ods) renamed .xlsx; open it and save it as Excel 2007-365 (.xlsx)'
            : `it is a ${type} package, not an .xlsx`,
        );
      }
      const pkg = new XlsxPackage(entries);
      await Promise.all(
        pkg.sheets.map(async (s) => {
          const entry = pkg.byName.get(s.part);
          if (entry) pkg.inflated.set(s.part, await inflateAsync(entry));
          pkg.sheet(s.name);
        }),
      );
      return pkg;
    } catch (error) {
      if (error instanceof WorkbookUnreadableError) throw error;
      throw new WorkbookUnreadableError(file, (error as Error).message);
    }
  }

  /** A part's text, or undefined when the package has no such part. */
  text(name: string): string | undefined {
    const replaced = this.replaced.get(name);
    if (replaced !== undefined) return typeof replaced === 'string' ? replaced : this.data(name)!.toString();
    const cached = this.texts.get(name);
    if (cached !== undefined) return cached;
    const text = this.data(name)?.toString('utf8');
    if (text !== undefined) this.texts.set(name, text);
    return text;
  }

  /** A part's bytes, or undefined when the package has no such part. */
  data(name: string): Buffer | undefined {
    const replaced = this.replaced.get(name);
    if (typeof replaced === 'string') return Buffer.from(replaced);
    if (Array.isArray(replaced)) {
      const joined = Buffer.concat(replaced);
      this.replaced.set(name, joined);
      return joined;
    }
    if (replaced !== undefined) return replaced;
    if (this.removed.has(name)) return undefined;
    const entry = this.byName.get(name);
    return entry && (this.inflated.get(name) ?? inflate(entry));
  }

  /**
   * Adds an empty worksheet named `name` after the last tab (header row frozen), returning it as
   * a sheet of `sheets`. The parts it takes (ECMA-376 Part 1, 12.3.24 Worksheet Part; 18.2.19
   * sheet): the sheet part, its relationship from the workbook, its content type, and its entry
   * in the workbook's <sheets>.
   */
  addSheet(name: string): SheetInfo {
    let n = this.sheets.length + 1;
    while (this.byName.has(`xl/worksheets/sheet${n}.xml`) || this.added.has(`xl/worksheets/sheet${n}.xml`))
      n++;
    const part = `xl/worksheets/sheet${n}.xml`;
    this.added.add(part);
    this.replaced.set(
      part,
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
        '<sheetData></sheetData></worksheet>',
    );
    const dir = this.workbookPart.slice(0, this.workbookPart.lastIndexOf('/') + 1);
    const relsName = `${dir}_rels/${this.workbookPart.slice(dir.length)}.rels`;
    const rels = this.text(relsName) ?? '';
    const ids = new Set([...rels.matchAll(/\bId="([^"]*)"/g)].map((m) => m[1]));
    let r = ids.size + 1;
    while (ids.has(`rId${r}`)) r++;
    const target = part.startsWith(dir) ? part.slice(dir.length) : `/${part}`;
    this.replaced.set(
      relsName,
      rels.replace(
        /<\/((?:\w+:)?)Relationships>/,
        `<$1Relationship Id="rId${r}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${target}"/></$1Relationships>`,
      ),
    );
    const types = this.text('[Content_Types].xml') ?? '';
    this.replaced.set(
      '[Content_Types].xml',
      types.replace(
        /<\/Types>/,
        `<Override PartName="/${part}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      ),
    );
    const workbook = this.text(this.workbookPart)!;
    const p = prefixOf(workbook, 'workbook');
    const sheetIds = [...workbook.matchAll(/\bsheetId="(\d+)"/g)].map((m) => Number(m[1]));
    const sheetId = Math.max(0, ...sheetIds) + 1;
    const rPrefix =
      /xmlns:(\w+)="http:\/\/schemas\.openxmlformats\.org\/officeDocument\/2006\/relationships"/.exec(
        workbook,
      )?.[1];
    const rAttr = rPrefix
      ? `${rPrefix}:id="rId${r}"`
      : `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId${r}"`;
    const escaped = name.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    this.replaced.set(
      this.workbookPart,
      workbook.replace(
        new RegExp(`</${p}sheets>`),
        `<${p}sheet name="${escaped}" sheetId="${sheetId}" ${rAttr}/></${p}sheets>`,
      ),
    );
    const info = { name, part };
    this.sheets.push(info);
    return info;
  }

  /** Whether the package has a part of that name (read or added, not removed). */
  hasPart(name: string): boolean {
    return (this.byName.has(name) || this.added.has(name)) && !this.removed.has(name);
  }

  /**
   * Adds a new part with its content type (an Override in [Content_Types].xml), written at save.
   * The name must not be taken (`hasPart`).
   */
  addPart(name: string, content: string, contentType?: string): void {
    this.added.add(name);
    this.replaced.set(name, content);
    if (!contentType) return;
    const types = this.text('[Content_Types].xml') ?? '';
    this.replaced.set(
      '[Content_Types].xml',
      types.replace(
        /<\/((?:\w+:)?)Types>/,
        `<$1Override PartName="/${name}" ContentType="${contentType}"/></$1Types>`,
      ),
    );
  }

  /**
   * Adds a relationship from part `source` to part `target`, making the source's relationships
   * part when it has none. Returns the new relationship's id. The target is written relative to
   * the source's folder (`../comments1.xml`), as Excel writes it: OPC allows an absolute one too,
   * but readers that match targets as written (exceljs keys a sheet's comments by the target
   * string) find nothing behind `/xl/comments1.xml`.
   */
  addRelationship(source: string, type: string, target: string): string {
    const dir = source.includes('/') ? source.slice(0, source.lastIndexOf('/') + 1) : '';
    const relsName = `${dir}_rels/${source.slice(dir.length)}.rels`;
    let rels = this.text(relsName);
    if (rels === undefined) {
      rels =
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>';
      this.added.add(relsName);
      const types = this.text('[Content_Types].xml') ?? '';
      if (!/<(?:\w+:)?Default\b[^>]*Extension="rels"/i.test(types))
        this.addPart(relsName, rels, 'application/vnd.openxmlformats-package.relationships+xml');
    }
    const ids = new Set([...rels.matchAll(/\bId="([^"]*)"/g)].map((m) => m[1]));
    let n = ids.size + 1;
    while (ids.has(`rId${n}`)) n++;
    const id = `rId${n}`;
    this.replaced.set(
      relsName,
      rels.replace(
        /<\/((?:\w+:)?)Relationships>/,
        `<$1Relationship Id="${id}" Type="${type}" Target="${posix.relative(dir.replace(/\/$/, '') || '.', target)}"/></$1Relationships>`,
      ),
    );
    return id;
  }

  /** Removes a part added by Milepost earlier (its content type Override goes with it). */
  removePart(name: string): void {
    this.removed.add(name);
    this.added.delete(name);
    this.replaced.delete(name);
    const types = this.text('[Content_Types].xml');
    if (types)
      this.replace(
        '[Content_Types].xml',
        types.replace(new RegExp(`<(?:\\w+:)?Override\\b[^>]*PartName="/${name}"[^>]*?/>`), ''),
      );
  }

  /** Removes relationship `id` of part `source`. */
  removeRelationship(source: string, id: string): void {
    const dir = source.includes('/') ? source.slice(0, source.lastIndexOf('/') + 1) : '';
    const relsName = `${dir}_rels/${source.slice(dir.length)}.rels`;
    const rels = this.text(relsName);
    if (!rels) return;
    this.replace(
      relsName,
      rels.replace(new RegExp(`<(?:\\w+:)?Relationship\\b[^>]*\\bId="${id}"[^>]*?/>`), ''),
    );
  }

  /** The part of worksheet `name` that follows its cells, and the part's namespace prefix (read only). */
  sheetTail(name: string): { tail: string; p: string } {
    let out = { tail: '', p: '' };
    this.editSheetTail(name, (tail, p) => {
      out = { tail, p };
      return tail;
    });
    return out;
  }

  /**
   * Edits the part of worksheet `name` that follows its cells (after `</sheetData>`: merged
   * cells, validations, drawings, …). `edit` gets that text and the part's namespace prefix and
   * returns the new text (or the same, for no change). The cells before it are kept as bytes.
   */
  editSheetTail(name: string, edit: (tail: string, p: string) => string): boolean {
    this.settle();
    const info = this.sheets.find((s) => s.name === name);
    if (!info) throw new Error(`the workbook has no sheet "${name}"`);
    // A written sheet is kept in pieces (its edited rows, the untouched rest): none is joined.
    const replaced = this.replaced.get(info.part);
    const pieces = Array.isArray(replaced) ? replaced : [this.data(info.part)];
    if (!pieces[0]) throw new ZipFormatError(`sheet "${name}" has no part ${info.part}`);
    // The prefix from the root element: no need to scan the sheet's rows again.
    const root = /<(\w+:)?worksheet[\s>]/.exec(pieces[0].subarray(0, 4096).toString('utf8'));
    const p = this.sheetParts.get(info.part)?.p ?? (root ? (root[1] ?? '') : this.sheet(name).p);
    const tag = `</${p}sheetData>`;
    // Pieces end just after a '>', so no tag is cut between two of them.
    let at = pieces.length - 1;
    let close = pieces[at]!.lastIndexOf(tag);
    while (close < 0 && at > 0) close = pieces[--at]!.lastIndexOf(tag);
    let split = close + tag.length;
    if (close < 0) {
      const whole = Buffer.concat(pieces as Buffer[]);
      const selfClosing = /<(?:\w+:)?sheetData\b[^>]*\/>/.exec(whole.toString('utf8'));
      if (!selfClosing) throw new ZipFormatError(`sheet "${name}" has no sheetData element`);
      pieces.splice(0, pieces.length, whole);
      at = 0;
      split = Buffer.byteLength(whole.toString('utf8').slice(0, selfClosing.index + selfClosing[0].length));
    }
    const piece = pieces[at]!;
    const after = pieces.slice(at + 1) as Buffer[];
    const tail = Buffer.concat([piece.subarray(split), ...after]).toString('utf8');
    const edited = edit(tail, p);
    if (edited === tail) return false;
    const kept = [...(pieces.slice(0, at) as Buffer[]), piece.subarray(0, split)];
    this.replaced.set(info.part, [...kept, Buffer.from(edited, 'utf8')]);
    this.sheetParts.delete(info.part);
    return true;
  }

  /** Replaces a part's content (written at save). */
  replace(name: string, text: string | Buffer): void {
    this.replaced.set(name, text);
  }

  /** The relationships of a part ('' for the package), targets resolved to part names. */
  relationships(source: string): { id: string; type: string; target: string; external: boolean }[] {
    const dir = source.includes('/') ? source.slice(0, source.lastIndexOf('/') + 1) : '';
    const file = source.slice(dir.length);
    const xml = this.text(`${dir}_rels/${file}.rels`);
    if (!xml) return [];
    const out: { id: string; type: string; target: string; external: boolean }[] = [];
    for (const m of xml.matchAll(/<(?:\w+:)?Relationship\b([^>]*?)\/?>/g)) {
      const a = attributes(m[1]!);
      const external = a.TargetMode === 'External';
      out.push({
        id: a.Id ?? '',
        type: a.Type ?? '',
        target: external ? (a.Target ?? '') : resolvePart(dir, a.Target ?? ''),
        external,
      });
    }
    return out;
  }

  sheet(name: string): SheetPart {
    const info = this.sheets.find((s) => s.name === name);
    if (!info) throw new Error(`the workbook has no sheet "${name}"`);
    let part = this.sheetParts.get(info.part);
    if (!part) {
      const xml = this.data(info.part);
      if (xml === undefined) throw new ZipFormatError(`sheet "${name}" has no part ${info.part}`);
      try {
        part = new SheetPart(xml);
      } catch (error) {
        throw new ZipFormatError(`sheet "${name}": ${(error as Error).message}`);
      }
      this.sheetParts.set(info.part, part);
    }
    return part;
  }

  sharedStrings(): string[] {
    if (!this.sharedStringsCache) {
      const rel = this.relationships(this.workbookPart).find((r) => REL_SHARED_STRINGS.test(r.type));
      const xml = rel ? this.text(rel.target) : undefined;
      const out: string[] = [];
      if (xml) {
        const p = prefixOf(xml, 'sst');
        const item = new RegExp(`<${p}si\\b[^>]*?(?:/>|>([\\s\\S]*?)</${p}si>)`, 'g');
        for (const m of xml.matchAll(item)) out.push(m[1] ? stringItemText(m[1], p) : '');
      }
      this.sharedStringsCache = out;
    }
    return this.sharedStringsCache;
  }

  styles(): Styles {
    if (!this.stylesCache) {
      const rel = this.relationships(this.workbookPart).find((r) => REL_STYLES.test(r.type));
      this.stylesCache = new Styles(rel ? this.text(rel.target) : undefined);
    }
    return this.stylesCache;
  }

  /**
   * Tables (ECMA-376 Part 1, 18.5 Tables) on sheet `name` that end on row `lastRow` grow down to
   * `toRow`: rows Milepost appended right below a table belong to it, as when a person types
   * there. Their `ref`, autoFilter and sort ranges move; nothing else in the table changes.
   */
  growTables(name: string, lastRow: number, toRow: number): void {
    const info = this.sheets.find((s) => s.name === name);
    if (!info || toRow <= lastRow) return;
    for (const rel of this.relationships(info.part).filter((r) => REL_TABLE.test(r.type) && !r.external)) {
      const xml = this.text(rel.target);
      if (!xml) continue;
      const head = /<(?:\w+:)?table\b[^>]*>/.exec(xml)?.[0] ?? '';
      const a = attributes(head);
      const end = /^[A-Z]+\d+:[A-Z]+(\d+)$/.exec(a.ref ?? '');
      if (!end || Number(end[1]) !== lastRow || Number(a.totalsRowCount ?? 0) > 0) continue;
      const grown = xml.replace(
        new RegExp(`(\\bref="[A-Z]+\\d+:[A-Z]+)${lastRow}"`, 'g'),
        (_, start: string) => `${start}${toRow}"`,
      );
      this.replace(rel.target, grown);
    }
  }

  /**
   * Drops the calculation chain: it lists formula cells, and a cell we overwrote with a value
   * would make Excel report the file as damaged. It is a cache Excel rebuilds (ECMA-376 Part 1,
   * 18.6 "Calculation Chain": "the calculation chain … can be discarded").
   */
  dropCalcChain(): void {
    const rels = this.relationships(this.workbookPart);
    const rel = rels.find((r) => REL_CALC_CHAIN.test(r.type));
    if (!rel || this.removed.has(rel.target)) return;
    this.removed.add(rel.target);
    const relsName = `${this.workbookPart.replace(/[^/]*$/, '')}_rels/${this.workbookPart.replace(/^.*\//, '')}.rels`;
    const relsXml = this.text(relsName)!;
    this.replace(
      relsName,
      relsXml.replace(new RegExp(`<(?:\\w+:)?Relationship\\b[^>]*\\bId="${rel.id}"[^>]*?/>`), ''),
    );
    const types = this.text('[Content_Types].xml');
    if (types) {
      this.replace(
        '[Content_Types].xml',
        types.replace(new RegExp(`<(?:\\w+:)?Override\\b[^>]*PartName="/${rel.target}"[^>]*?/>`), ''),
      );
    }
  }

  /**
   * Makes the cells written so far part of the sheets' content, so later reads see them; a
   * changed sheet is scanned anew only when it is read again.
   */
  settle(): void {
    for (const [part, sheet] of this.sheetParts) {
      if (!sheet.changed) continue;
      this.replaced.set(part, sheet.serializeParts());
      this.sheetParts.delete(part);
    }
  }

  /** The package as bytes: parts not written are copied as stored, the rest compress at once. */
  async bytes(): Promise<Buffer> {
    this.settle();
    if (this.stylesCache?.changed) {
      const rel = this.relationships(this.workbookPart).find((r) => REL_STYLES.test(r.type));
      if (rel) this.replaced.set(rel.target, this.stylesCache.serialize());
    }
    const out = this.entries
      .filter((e) => !this.removed.has(e.name))
      .map((e) => {
        const content = this.replaced.get(e.name);
        if (content === undefined) return e;
        return deflatedEntryAsync(e.name, typeof content === 'string' ? Buffer.from(content) : content, e);
      });
    for (const name of this.added) {
      const content = this.replaced.get(name)!;
      out.push(deflatedEntryAsync(name, typeof content === 'string' ? Buffer.from(content) : content));
    }
    return writeZip(await Promise.all(out));
  }

  /** Whether any part was changed. */
  get changed(): boolean {
    return (
      this.replaced.size > 0 || this.removed.size > 0 || [...this.sheetParts.values()].some((s) => s.changed)
    );
  }
}

function resolvePart(dir: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : dir + target;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return out.join('/');
}

/** Why bytes are not a zip at all, in words a person can act on; undefined when they may be. */
function notAZip(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return 'the file is empty';
  if (bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    return 'it is an Excel 97-2003 workbook (.xls) or another OLE file; open it and save it as Excel Workbook (.xlsx)';
  }
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) return undefined;
  const head = bytes.subarray(0, 512).toString('utf8');
  if (!/[\u0000-\u0008\u000E-\u001F]/.test(head)) {
    return 'it is a text file (a .csv or a copy of one?), not an .xlsx package; open it in a spreadsheet program and save it as Excel Workbook (.xlsx)';
  }
  return 'it is not a zip package, as every .xlsx is';
}
