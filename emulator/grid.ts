/**
 * The grid of the emulated spreadsheets: the model (spreadsheets, sheets, rows, cells, developer
 * metadata) and the operations that move rows and columns, with the formats, validation and
 * row metadata that travel with them. No JSON parsing and no API shapes here: sheets.ts does that.
 *
 * Indexes are zero-based; a Box is half-open ([r0, r1) × [c0, c1)).
 */
import { formatA1, type GridBounds } from './a1';
import {
  type CellData,
  type DateTimeRenderOption,
  hasContent,
  renderCell,
  type Scalar,
  type ValueRenderOption,
} from './cells';
import { type ApiError, badRequest } from './errors';

export type JsonObject = Record<string, unknown>;

export interface Row {
  cells: (CellData | undefined)[];
  /** Ids of the developer metadata located on this row: they move with it. */
  metadata?: number[];
  pixelSize?: number;
  hiddenByUser?: boolean;
}

export interface SheetProperties {
  sheetId: number;
  title: string;
  index: number;
  sheetType: 'GRID';
  gridProperties: {
    rowCount: number;
    columnCount: number;
    frozenRowCount?: number;
    frozenColumnCount?: number;
  };
  [key: string]: unknown;
}

export interface Sheet {
  properties: SheetProperties;
  rows: (Row | undefined)[];
  columns: ({ pixelSize?: number; hiddenByUser?: boolean } | undefined)[];
  conditionalFormats: JsonObject[];
  protectedRanges: JsonObject[];
  /** Embedded charts (EmbeddedChart JSON), in the order they were added. */
  charts?: JsonObject[];
}

export type MetadataLocation =
  | { type: 'SPREADSHEET' }
  | { type: 'SHEET'; sheetId: number }
  /** The row is wherever the row holding this metadata id is now. */
  | { type: 'ROW'; sheetId: number };

export interface Metadata {
  metadataId: number;
  metadataKey: string;
  metadataValue?: string;
  visibility: 'DOCUMENT' | 'PROJECT';
  location: MetadataLocation;
}

export interface Spreadsheet {
  spreadsheetId: string;
  properties: { title: string; locale: string; timeZone: string; autoRecalc: string; [key: string]: unknown };
  sheets: Sheet[];
  metadata: Map<number, Metadata>;
}

/** The length of the longest list (no spread: registers can have tens of thousands of rows). */
export function longest(lists: readonly { length: number }[]): number {
  let n = 0;
  for (const list of lists) n = Math.max(n, list.length);
  return n;
}

export interface Box {
  sheet: Sheet;
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export function rowCount(sheet: Sheet): number {
  return sheet.properties.gridProperties.rowCount;
}

export function columnCount(sheet: Sheet): number {
  return sheet.properties.gridProperties.columnCount;
}

export function boxA1(box: Box): string {
  return formatA1(box.sheet.properties.title, {
    startRow: box.r0,
    endRow: box.r1,
    startCol: box.c0,
    endCol: box.c1,
  });
}

export function exceedsGrid(sheet: Sheet, bounds: GridBounds): ApiError {
  // An anchor (a write's one-cell range) is named as that cell.
  const b =
    bounds.endRow === undefined && bounds.endCol === undefined && bounds.startRow !== undefined
      ? { ...bounds, endRow: bounds.startRow + 1, endCol: (bounds.startCol ?? 0) + 1 }
      : bounds;
  return badRequest(
    `Range (${formatA1(sheet.properties.title, b)}) exceeds grid limits. Max rows: ${rowCount(sheet)}, max columns: ${columnCount(sheet)}`,
  );
}

export function getCell(sheet: Sheet, r: number, c: number): CellData | undefined {
  return sheet.rows[r]?.cells[c];
}

export function rowAt(sheet: Sheet, r: number): Row {
  let row = sheet.rows[r];
  if (!row) {
    row = { cells: [] };
    sheet.rows[r] = row;
  }
  return row;
}

export function cellAt(sheet: Sheet, r: number, c: number): CellData {
  const row = rowAt(sheet, r);
  let cell = row.cells[c];
  if (!cell) {
    cell = {};
    row.cells[c] = cell;
  }
  return cell;
}

export function clearValue(sheet: Sheet, r: number, c: number): void {
  const cell = getCell(sheet, r, c);
  if (!cell) return;
  delete cell.value;
  delete cell.formula;
}

/** The last row index holding a value in columns [c0, c1), or -1. */
export function lastDataRow(sheet: Sheet, r0: number, r1: number, c0: number, c1: number): number {
  for (let r = Math.min(r1, sheet.rows.length) - 1; r >= r0; r--) {
    const cells = sheet.rows[r]?.cells;
    if (!cells) continue;
    for (let c = c0; c < Math.min(c1, cells.length); c++) if (hasContent(cells[c])) return r;
  }
  return -1;
}

/** The last column index holding a value in rows [r0, r1), or -1. */
export function lastDataColumn(sheet: Sheet, r0: number, r1: number, c0: number): number {
  let last = -1;
  for (let r = r0; r < Math.min(r1, sheet.rows.length); r++) {
    const cells = sheet.rows[r]?.cells;
    if (!cells) continue;
    for (let c = cells.length - 1; c > last && c >= c0; c--) {
      if (hasContent(cells[c])) {
        last = c;
        break;
      }
    }
  }
  return last;
}

export interface ReadOptions {
  majorDimension: 'ROWS' | 'COLUMNS';
  render: ValueRenderOption;
  dateTime: DateTimeRenderOption;
}

export function findSheet(ss: Spreadsheet, title: string): Sheet | undefined {
  const t = title.toLowerCase();
  return ss.sheets.find((s) => s.properties.title.toLowerCase() === t);
}

export function reindex(ss: Spreadsheet): void {
  ss.sheets.forEach((s, i) => {
    s.properties.index = i;
  });
}

/**
 * A range written as one cell (`Tab!B7`) is only where a write starts: the values run on from
 * it to the edge of the grid. Any other range bounds the write.
 */
export function anchorOf(text: string, b: GridBounds): GridBounds {
  const cells = text.slice(text.lastIndexOf('!') + 1);
  return /^[A-Za-z]+\d+$/.test(cells) ? { startRow: b.startRow, startCol: b.startCol } : b;
}

export function clampBox(sheet: Sheet, b: GridBounds): Box {
  const r0 = b.startRow ?? 0;
  const c0 = b.startCol ?? 0;
  if (r0 >= rowCount(sheet) || c0 >= columnCount(sheet)) throw exceedsGrid(sheet, b);
  return {
    sheet,
    r0,
    r1: Math.min(b.endRow ?? rowCount(sheet), rowCount(sheet)),
    c0,
    c1: Math.min(b.endCol ?? columnCount(sheet), columnCount(sheet)),
  };
}

export function clearBox(box: Box): void {
  for (let r = box.r0; r < Math.min(box.r1, box.sheet.rows.length); r++) {
    for (let c = box.c0; c < box.c1; c++) clearValue(box.sheet, r, c);
  }
}

/** The values of a box as the API returns them: trailing empty cells and rows left out. */
export function readValues(box: Box, o: ReadOptions): Scalar[][] {
  const grid: (Scalar | undefined)[][] = [];
  for (let r = box.r0; r < Math.min(box.r1, box.sheet.rows.length); r++) {
    const cells = box.sheet.rows[r]?.cells ?? [];
    const row: (Scalar | undefined)[] = [];
    for (let c = box.c0; c < Math.min(box.c1, cells.length); c++)
      row.push(renderCell(cells[c], o.render, o.dateTime));
    grid.push(row);
  }
  const lines = o.majorDimension === 'ROWS' ? grid : transpose(grid);
  const trimmed = lines.map((line) => {
    let end = line.length;
    while (end > 0 && line[end - 1] === undefined) end--;
    return line.slice(0, end).map((v) => v ?? '');
  });
  let end = trimmed.length;
  while (end > 0 && trimmed[end - 1]!.length === 0) end--;
  return trimmed.slice(0, end);
}

function transpose<T>(grid: (T | undefined)[][]): (T | undefined)[][] {
  const out: (T | undefined)[][] = [];
  grid.forEach((row, r) => {
    row.forEach((v, c) => {
      out[c] ??= [];
      out[c][r] = v;
    });
  });
  return Array.from(out, (col) => Array.from(col ?? [], (v) => v));
}

/** Inserts `count` rows at `at`, copying formats and validation from the row before or after. */
export function insertRows(sheet: Sheet, at: number, count: number, inheritFromBefore: boolean): void {
  if (count <= 0) return;
  rowsMoved(sheet);
  const source = sheet.rows[inheritFromBefore ? at - 1 : at];
  const fresh = (): Row => ({
    cells: (source?.cells ?? []).map((c) =>
      c && (c.format || c.validation)
        ? {
            ...(c.format ? { format: structuredClone(c.format) } : {}),
            ...(c.validation ? { validation: structuredClone(c.validation) } : {}),
          }
        : undefined,
    ),
  });
  if (sheet.rows.length < at) sheet.rows.length = at;
  sheet.rows.splice(at, 0, ...Array.from({ length: count }, fresh));
  const gp = sheet.properties.gridProperties;
  gp.rowCount += count;
  if (gp.frozenRowCount && at < gp.frozenRowCount) gp.frozenRowCount += count;
  shiftRanges(sheet, 'row', at, count);
}

/** Deletes rows [at, at + count); their developer metadata is deleted with them. */
export function deleteRows(ss: Spreadsheet, sheet: Sheet, at: number, count: number): void {
  if (count <= 0) return;
  rowsMoved(sheet);
  const removed = sheet.rows.splice(at, count);
  for (const row of removed) for (const id of row?.metadata ?? []) ss.metadata.delete(id);
  metadataChanged(ss);
  const gp = sheet.properties.gridProperties;
  gp.rowCount -= count;
  if (gp.frozenRowCount && at < gp.frozenRowCount) {
    gp.frozenRowCount -= Math.min(count, gp.frozenRowCount - at);
    if (!gp.frozenRowCount) delete gp.frozenRowCount;
  }
  shiftRanges(sheet, 'row', at, -count);
}

export function insertColumns(sheet: Sheet, at: number, count: number, inheritFromBefore: boolean): void {
  if (count <= 0) return;
  for (const row of sheet.rows) {
    if (!row || row.cells.length < at) continue;
    const source = row.cells[inheritFromBefore ? at - 1 : at];
    const copy = (): CellData | undefined =>
      source?.format || source?.validation
        ? structuredClone({ format: source.format, validation: source.validation })
        : undefined;
    row.cells.splice(at, 0, ...Array.from({ length: count }, copy));
  }
  if (sheet.columns.length >= at)
    sheet.columns.splice(at, 0, ...Array.from({ length: count }, () => undefined));
  const gp = sheet.properties.gridProperties;
  gp.columnCount += count;
  if (gp.frozenColumnCount && at < gp.frozenColumnCount) gp.frozenColumnCount += count;
  shiftRanges(sheet, 'column', at, count);
}

export function deleteColumns(sheet: Sheet, at: number, count: number): void {
  if (count <= 0) return;
  for (const row of sheet.rows) if (row) row.cells.splice(at, count);
  sheet.columns.splice(at, count);
  const gp = sheet.properties.gridProperties;
  gp.columnCount -= count;
  if (gp.frozenColumnCount && at < gp.frozenColumnCount) {
    gp.frozenColumnCount -= Math.min(count, gp.frozenColumnCount - at);
    if (!gp.frozenColumnCount) delete gp.frozenColumnCount;
  }
  shiftRanges(sheet, 'column', at, -count);
}

/**
 * Moves the GridRanges of conditional formats and protected ranges for an insertion (delta > 0)
 * or a deletion (delta < 0) at `at`; ranges deleted entirely disappear with their rule.
 */
function shiftRanges(sheet: Sheet, dim: 'row' | 'column', at: number, delta: number): void {
  const [startKey, endKey] =
    dim === 'row' ? ['startRowIndex', 'endRowIndex'] : ['startColumnIndex', 'endColumnIndex'];
  const shift = (range: JsonObject): boolean => {
    const s = range[startKey] as number | undefined;
    const e = range[endKey] as number | undefined;
    const move = (i: number | undefined, isEnd: boolean): number | undefined => {
      if (i === undefined) return undefined;
      if (delta > 0) return i > at || (i === at && !isEnd) ? i + delta : i;
      const gone = -delta;
      if (i <= at) return i;
      return i >= at + gone ? i - gone : at;
    };
    const ns = move(s, false);
    const ne = move(e, true);
    if (ns !== undefined) range[startKey] = ns;
    if (ne !== undefined) range[endKey] = ne;
    return !(ns !== undefined && ne !== undefined && ne <= ns);
  };
  sheet.conditionalFormats = sheet.conditionalFormats.filter((rule) => {
    const ranges = (rule.ranges as JsonObject[]).filter(shift);
    rule.ranges = ranges;
    return ranges.length > 0;
  });
  sheet.protectedRanges = sheet.protectedRanges.filter(
    (p) => typeof p.range !== 'object' || p.range === null || shift(p.range as JsonObject),
  );
}

/** The new order of indexes [0, limit) after moving [start, end) to before `dest`. */
export function moveOrder(limit: number, start: number, end: number, dest: number): number[] {
  const all = Array.from({ length: limit }, (_, i) => i);
  const moved = all.slice(start, end);
  const rest = [...all.slice(0, start), ...all.slice(end)];
  const at = dest > end ? dest - (end - start) : dest;
  rest.splice(at, 0, ...moved);
  return rest;
}

/** `order[k]` is the old index of what ends up at position k (within [from, to)). */
export function permute<T>(items: T[], from: number, to: number, order: number[]): T[] {
  const copy = items.slice();
  const out = items.slice();
  if (out.length < to) out.length = to;
  for (let k = 0; k < order.length; k++) out[from + k] = copy[order[k]!]!;
  let end = out.length;
  while (end > 0 && out[end - 1] === undefined) end--;
  out.length = end;
  return out;
}

/**
 * Reorders rows [r0, r1): the cells of columns [c0, c1) always move; whole rows (with their
 * metadata and height) move when `wholeRows`; otherwise metadata moves when `moveMetadata`.
 */
export function permuteRows(
  sheet: Sheet,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  order: number[],
  wholeRows: boolean,
  moveMetadata: boolean,
): void {
  rowsMoved(sheet);
  const old = sheet.rows.slice(r0, r1);
  if (wholeRows && c0 === 0 && c1 >= columnCount(sheet)) {
    const moved = order.map((i) => old[i - r0]);
    for (let k = 0; k < moved.length; k++) sheet.rows[r0 + k] = moved[k];
    return;
  }
  const cellSlices = old.map((row) => (row?.cells ?? []).slice(c0, c1));
  const metas = old.map((row) => row?.metadata);
  order.forEach((from, k) => {
    const row = rowAt(sheet, r0 + k);
    const slice = cellSlices[from - r0] ?? [];
    for (let c = c0; c < c1; c++) {
      const cell = slice[c - c0];
      if (cell === undefined) {
        if (row.cells.length > c) row.cells[c] = undefined;
      } else row.cells[c] = cell;
    }
  });
  if (moveMetadata) {
    order.forEach((from, k) => {
      const row = rowAt(sheet, r0 + k);
      const meta = metas[from - r0];
      if (meta?.length) row.metadata = meta;
      else delete row.metadata;
    });
  }
}

/**
 * Sorts the rows of a box as Google does: blanks last in either order, then numbers before text
 * before booleans; text compares case-insensitively; ties keep their order.
 */
export function sortBox(
  box: Box,
  specs: { column: number; descending: boolean }[],
  moveMetadata: boolean,
  locale: string,
): void {
  const collator = new Intl.Collator(locale.replace('_', '-'), { sensitivity: 'base', numeric: false });
  const rank = (v: Scalar | undefined): number =>
    v === undefined ? 3 : typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2;
  const key = (r: number, c: number): Scalar | undefined => {
    const cell = getCell(box.sheet, r, c);
    return renderCell(cell, 'UNFORMATTED_VALUE', 'SERIAL_NUMBER');
  };
  const indexes = Array.from({ length: box.r1 - box.r0 }, (_, i) => box.r0 + i);
  indexes.sort((a, b) => {
    for (const { column, descending } of specs) {
      const x = key(a, column);
      const y = key(b, column);
      const rx = rank(x);
      const ry = rank(y);
      if (rx === 3 || ry === 3) {
        if (rx !== ry) return rx === 3 ? 1 : -1;
        continue;
      }
      let cmp = rx - ry;
      if (cmp === 0) {
        if (typeof x === 'number') cmp = x - (y as number);
        else if (typeof x === 'string') cmp = collator.compare(x, y as string);
        else cmp = Number(x) - Number(y);
      }
      if (cmp !== 0) return descending ? -cmp : cmp;
    }
    return 0;
  });
  permuteRows(box.sheet, box.r0, box.r1, box.c0, box.c1, indexes, moveMetadata, moveMetadata);
}

/** Metadata by key and by key + value, kept until metadata is created, changed or deleted. */
const METADATA_INDEX = new WeakMap<
  Map<number, Metadata>,
  { byKey: Map<string, Metadata[]>; byKeyValue: Map<string, Metadata[]> }
>();

export function metadataIndex(ss: Spreadsheet) {
  let index = METADATA_INDEX.get(ss.metadata);
  if (!index) {
    index = { byKey: new Map(), byKeyValue: new Map() };
    for (const m of ss.metadata.values()) {
      const push = (map: Map<string, Metadata[]>, key: string) => {
        const list = map.get(key);
        if (list) list.push(m);
        else map.set(key, [m]);
      };
      push(index.byKey, m.metadataKey);
      if (m.metadataValue !== undefined) push(index.byKeyValue, `${m.metadataKey}\u0000${m.metadataValue}`);
    }
    METADATA_INDEX.set(ss.metadata, index);
  }
  return index;
}

export function metadataChanged(ss: Spreadsheet): void {
  METADATA_INDEX.delete(ss.metadata);
}

/** Row index of each row metadata id of a sheet, kept until the sheet's rows move. */
const ROW_INDEX = new WeakMap<Sheet, Map<number, number>>();

export function metadataRows(sheet: Sheet): Map<number, number> {
  let index = ROW_INDEX.get(sheet);
  if (!index) {
    index = new Map();
    for (let r = 0; r < sheet.rows.length; r++)
      for (const id of sheet.rows[r]?.metadata ?? []) index.set(id, r);
    ROW_INDEX.set(sheet, index);
  }
  return index;
}

/** Called by everything that moves rows or row metadata. */
function rowsMoved(sheet: Sheet): void {
  ROW_INDEX.delete(sheet);
}

export function removeMetadata(ss: Spreadsheet, id: number): void {
  const m = ss.metadata.get(id);
  if (!m) return;
  ss.metadata.delete(id);
  metadataChanged(ss);
  if (m.location.type !== 'ROW') return;
  for (const sheet of ss.sheets) {
    rowsMoved(sheet);
    for (const row of sheet.rows) {
      if (!row?.metadata?.includes(id)) continue;
      row.metadata = row.metadata.filter((x) => x !== id);
      if (row.metadata.length === 0) delete row.metadata;
    }
  }
}

/** Runs of equal values down each column, as A1 ranges, for the state dump. */
export function runs(
  sheet: Sheet,
  pick: (cell: CellData | undefined) => unknown,
): { range: string; value: unknown }[] {
  const out: { range: string; value: unknown }[] = [];
  const width = longest(sheet.rows.map((r) => r?.cells ?? []));
  for (let c = 0; c < width; c++) {
    let start = -1;
    let current = '';
    let value: unknown;
    const flush = (end: number) => {
      if (start >= 0) {
        out.push({
          range: formatA1(sheet.properties.title, {
            startRow: start,
            endRow: end,
            startCol: c,
            endCol: c + 1,
          }),
          value,
        });
      }
      start = -1;
      current = '';
    };
    for (let r = 0; r <= sheet.rows.length; r++) {
      const v = r < sheet.rows.length ? pick(sheet.rows[r]?.cells[c]) : undefined;
      const text = v === undefined ? '' : JSON.stringify(v);
      if (text === current) continue;
      flush(r);
      if (text !== '') {
        start = r;
        current = text;
        value = v;
      }
    }
  }
  return out;
}
