/**
 * The register as an .xlsx workbook on disk (exceljs): read every tab into a snapshot, build a
 * new register from the layout, apply a plan addressed by row key, save atomically.
 *
 * Dates cross this boundary as spreadsheet serials (days since 1899-12-30). exceljs hands out
 * date cells as `Date` objects whose UTC fields are the wall time written in the cell, so a
 * serial is computed from the UTC fields and a serial is written back as a Date with those UTC
 * fields. The core turns serials into dates and instants in the register's time zone.
 */
import * as fs from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { sameCell, sameKey, sheetValue } from '../core/cells';
import { serialToDate, serialToInstant } from '../core/dates';
import {
  type ColumnType,
  LISTS,
  normaliseName,
  SETTINGS,
  STATUS_FILLS,
  TABS,
  type TabName,
  type TabSpec,
} from '../core/layout';
import type { Cell, CellWrite, Plan, Problem, RowAppend, RowRef, Snapshot, Table } from '../core/types';
import { writeFileAtomic } from './atomic';

const DAY_MS = 86_400_000;
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30);
/** Half a millisecond in days: serials closer than this are the same instant. */

export const DATE_FORMAT = 'yyyy-mm-dd';
export const INSTANT_FORMAT = 'yyyy-mm-dd hh:mm';
/** Data validation and formatting reach at least this row, and 500 rows past the data. */
const MIN_FORMATTED_ROWS = 1000;
const SPARE_ROWS = 500;

const EXCELJS_DEFAULT_WIDTH = 9;
const HEADER_FILL = 'FFDDE3EA';
/** ARGB, as exceljs writes colours, of a '#RRGGBB' colour. */
const argb = (hex: string) => `FF${hex.slice(1).toUpperCase()}`;

/** Size and modification time of the register when it was read, to detect other writers. */
export interface FileStamp {
  mtimeMs: number;
  size: number;
}

export interface ReadResult {
  snapshot: Snapshot;
  workbook: ExcelJS.Workbook;
  stamp: FileStamp;
}

export interface ApplyResult {
  /** Writes and appends that were not made, with the reason: conflicts, missing rows, tabs or columns. */
  conflicts: Problem[];
  writes: number;
  appends: number;
}

// ---------- reading ----------

export async function readWorkbook(file: string): Promise<ReadResult> {
  const { buffer, stamp } = await readStable(file);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new Error(`${file} could not be read as an .xlsx workbook: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { snapshot: snapshotOf(workbook), workbook, stamp };
}

/** Every worksheet of a workbook as a core table. */
export function snapshotOf(workbook: ExcelJS.Workbook): Snapshot {
  return { tables: workbook.worksheets.map(tableOf) };
}

/** Reads the file and its stamp from one open file, retrying if it changes while being read. */
async function readStable(file: string): Promise<{ buffer: Buffer; stamp: FileStamp }> {
  for (let attempt = 0; ; attempt++) {
    const handle = await fs.open(file, 'r');
    try {
      const before = await handle.stat();
      const buffer = await handle.readFile();
      const after = await handle.stat();
      const stamp = { mtimeMs: before.mtimeMs, size: before.size };
      if ((after.mtimeMs === before.mtimeMs && after.size === before.size) || attempt >= 4) {
        return { buffer, stamp };
      }
    } finally {
      await handle.close();
    }
  }
}

export async function fileStamp(file: string): Promise<FileStamp> {
  const s = await fs.stat(file);
  return { mtimeMs: s.mtimeMs, size: s.size };
}

function tableOf(sheet: ExcelJS.Worksheet): Table {
  const headers = trimTrailing(rowCells(sheet, 1)).map((c) => (c === null ? '' : String(c)));
  const rows: Cell[][] = [];
  const last = lastUsedRow(sheet);
  for (let r = 2; r <= last; r++) rows.push(trimTrailing(rowCells(sheet, r)));
  return { name: sheet.name, headers, rows };
}

function rowCells(sheet: ExcelJS.Worksheet, rowNumber: number): Cell[] {
  const row = sheet.getRow(rowNumber);
  const cells: Cell[] = [];
  for (let c = 1; c <= row.cellCount; c++) cells.push(cellOf(row.getCell(c)));
  return cells;
}

function trimTrailing(cells: Cell[]): Cell[] {
  let end = cells.length;
  while (end > 0 && isBlank(cells[end - 1] ?? null)) end--;
  return cells.slice(0, end);
}

function isBlank(cell: Cell): boolean {
  return cell === null || cell === '';
}

/** The last row number holding a value (0 when the sheet is empty). */
function lastUsedRow(sheet: ExcelJS.Worksheet): number {
  for (let r = sheet.rowCount; r >= 1; r--) {
    if (rowCells(sheet, r).some((c) => !isBlank(c))) return r;
  }
  return 0;
}

/**
 * One exceljs cell as a core cell. Merged cells other than the top-left one are empty (as the
 * Sheets API reports them); formulas give their cached result, never the formula.
 */
export function cellOf(cell: ExcelJS.Cell): Cell {
  if (cell.type === ExcelJS.ValueType.Merge) return null;
  return convertValue(cell.value);
}

export function convertValue(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return dateToSerialNumber(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return convertValue((v.richText as { text?: unknown }[]).map((r) => String(r.text ?? '')).join(''));
    }
    if ('formula' in v || 'sharedFormula' in v) return convertValue(v.result);
    if ('error' in v) return String(v.error);
    if ('hyperlink' in v || 'text' in v) return convertValue(v.text);
  }
  return String(value);
}

/** The serial of a Date's UTC fields (exceljs represents serials as UTC Dates). */
export function dateToSerialNumber(date: Date): number {
  return (date.getTime() - SERIAL_EPOCH_MS) / DAY_MS;
}

/** The Date exceljs writes as `serial`. */
export function serialToExcelDate(serial: number): Date {
  return new Date(Math.round(SERIAL_EPOCH_MS + serial * DAY_MS));
}

// ---------- typed values ----------

type DateKind = 'date' | 'instant';

/**
 * Sets a cell. Text is always stored as literal text (never a formula); with `as`, an ISO date
 * or instant (or a serial) becomes a real date cell showing wall time in `timeZone`. Text that
 * is not a readable date is stored as text, for the core to report.
 */
export function setCell(cell: ExcelJS.Cell, value: Cell, as: DateKind | undefined, timeZone: string): void {
  if (as && value !== null && value !== '') {
    const serial = sheetValue(value, as, timeZone);
    if (typeof serial === 'number' && Number.isFinite(serial)) {
      cell.value = serialToExcelDate(serial);
      cell.numFmt = as === 'date' ? DATE_FORMAT : INSTANT_FORMAT;
      return;
    }
  }
  // A plain string value is written by exceljs as a (shared) string, never as a formula.
  cell.value = value === '' ? null : value;
}

function dateKindOf(type: ColumnType | undefined): DateKind | undefined {
  return type === 'date' || type === 'instant' ? type : undefined;
}

// ---------- creating ----------

/**
 * A new register: every tab of the layout in order, with frozen bold headers, widths, filters,
 * dropdowns for list columns, date formats and the Milestones status colours. `data` holds rows
 * as header → value (headers match case- and space-insensitively; unknown headers become extra
 * columns after the layout's; undefined is blank).
 */
export function createWorkbook(
  data: Partial<Record<TabName, Record<string, Cell | undefined>[]>>,
  timeZone: string,
): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Milepost';
  for (const spec of TABS) addTab(workbook, spec, data[spec.name] ?? [], timeZone);
  return workbook;
}

interface ColumnPlan {
  header: string;
  type: ColumnType;
  width: number;
  list?: readonly string[];
}

function addTab(
  workbook: ExcelJS.Workbook,
  spec: TabSpec,
  rows: Record<string, Cell | undefined>[],
  timeZone: string,
): void {
  const sheet = workbook.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  const columns: ColumnPlan[] = spec.columns.map((c) => ({
    header: c.header,
    type: c.type,
    width: c.width,
    list: c.list ? LISTS[c.list] : undefined,
  }));
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!columns.some((c) => normaliseName(c.header) === normaliseName(key))) {
        columns.push({ header: key, type: 'text', width: 16 });
      }
    }
  }
  const lastFormatted = Math.max(rows.length + 1 + SPARE_ROWS, MIN_FORMATTED_ROWS);

  columns.forEach((column, i) => {
    const col = sheet.getColumn(i + 1);
    // exceljs takes a width of exactly 9 for its default and drops it (Excel then shows 8.43).
    col.width = column.width === EXCELJS_DEFAULT_WIDTH ? column.width + 0.01 : column.width;
    if (column.type === 'date') col.numFmt = DATE_FORMAT;
    if (column.type === 'instant') col.numFmt = INSTANT_FORMAT;
    const header = sheet.getCell(1, i + 1);
    header.value = column.header;
    header.style = {
      font: { bold: true },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } },
      alignment: { vertical: 'middle' },
    };
  });

  rows.forEach((row, r) => {
    for (const [key, value] of Object.entries(row)) {
      const index = columns.findIndex((c) => normaliseName(c.header) === normaliseName(key));
      const column = columns[index]!;
      setCell(sheet.getCell(r + 2, index + 1), value ?? null, dateKindOf(column.type), timeZone);
    }
  });

  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };

  columns.forEach((column, i) => {
    if (!column.list) return;
    const letter = sheet.getColumn(i + 1).letter;
    dataValidations(sheet).add(`${letter}2:${letter}${lastFormatted}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${column.list.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: `${column.header} value`,
      error: `${column.header} must be one of: ${column.list.join(', ')} (or blank).`,
    });
  });

  if (spec.name === 'Milestones') {
    const index = columns.findIndex((c) => c.header === 'Status');
    if (index < 0) return;
    const letter = sheet.getColumn(index + 1).letter;
    sheet.addConditionalFormatting({
      ref: `${letter}2:${letter}${lastFormatted}`,
      rules: STATUS_FILLS.map(({ status, background, color }, i) => ({
        type: 'cellIs',
        operator: 'equal',
        priority: i + 1,
        formulae: [`"${status}"`],
        style: {
          fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: argb(background) } },
          font: { color: { argb: argb(color) } },
        },
      })),
    });
  }
}

/** The Settings rows of a new register: the layout's defaults, as `createWorkbook` data. */
export function defaultSettingsRows(): Record<string, Cell>[] {
  return SETTINGS.map((s) => ({ Setting: s.key, Value: s.value, About: s.about }));
}

// ---------- data validations (exceljs keeps them in an untyped per-address model) ----------

interface DataValidationsModel {
  model: Record<string, ExcelJS.DataValidation | undefined>;
  add(address: string, validation: ExcelJS.DataValidation): void;
}

function dataValidations(sheet: ExcelJS.Worksheet): DataValidationsModel {
  return (sheet as unknown as { dataValidations: DataValidationsModel }).dataValidations;
}

const ADDRESS = /^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$/;

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/**
 * exceljs loads a ranged validation as one entry per cell and, on saving, squeezes them back
 * into ranges that overlap (D10:D1000 and D2:D1000), which Excel reports as a damaged file.
 * This rebuilds the model as one range per column and run of identical validations.
 */
export function compactDataValidations(sheet: ExcelJS.Worksheet): void {
  const dv = dataValidations(sheet);
  const kept: Record<string, ExcelJS.DataValidation> = {};
  const cells = new Map<number, Map<number, { key: string; validation: ExcelJS.DataValidation }>>();
  for (const [address, validation] of Object.entries(dv.model)) {
    if (!validation) continue;
    const m = ADDRESS.exec(address);
    if (!m) {
      kept[address] = validation;
      continue;
    }
    const [c1, r1] = [columnNumber(m[1]!), Number(m[2])];
    const [c2, r2] = m[3] ? [columnNumber(m[3]), Number(m[4])] : [c1, r1];
    const key = JSON.stringify(validation);
    for (let c = Math.min(c1, c2); c <= Math.max(c1, c2); c++) {
      const column = cells.get(c) ?? new Map<number, { key: string; validation: ExcelJS.DataValidation }>();
      cells.set(c, column);
      for (let r = Math.min(r1, r2); r <= Math.max(r1, r2); r++) column.set(r, { key, validation });
    }
  }
  for (const [c, column] of cells) {
    const rows = [...column.keys()].sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= rows.length; i++) {
      const run = rows[i] !== undefined && rows[i] === rows[i - 1]! + 1;
      if (run && column.get(rows[i]!)!.key === column.get(rows[start]!)!.key) continue;
      const from = rows[start]!;
      const to = rows[i - 1]!;
      const letter = columnLetters(c);
      const address = from === to ? `${letter}${from}` : `${letter}${from}:${letter}${to}`;
      kept[address] = column.get(from)!.validation;
      start = i;
    }
  }
  dv.model = kept;
}

// ---------- applying a plan ----------

interface SheetView {
  sheet: ExcelJS.Worksheet;
  /** normalised header → column number */
  columns: Map<string, number>;
  spec?: TabSpec;
  /**
   * Key column → (key text → rows), built once per plan so that finding a row by key is not a
   * scan per write. The workbook only changes through this plan while it is applied (the run
   * holds the lock and the file stamp is checked on save), so the index stays true; writes to a
   * key column update it.
   */
  keys: Map<number, Map<string, number[]>>;
}

function findSheet(workbook: ExcelJS.Workbook, tab: string): ExcelJS.Worksheet | undefined {
  return workbook.worksheets.find((s) => normaliseName(s.name) === normaliseName(tab));
}

function viewOf(workbook: ExcelJS.Workbook, tab: TabName): SheetView | undefined {
  const sheet = findSheet(workbook, tab);
  if (!sheet) return undefined;
  const columns = new Map<string, number>();
  rowCells(sheet, 1).forEach((h, i) => {
    const name = h === null ? '' : normaliseName(String(h));
    if (name && !columns.has(name)) columns.set(name, i + 1);
  });
  return { sheet, columns, spec: TABS.find((t) => t.name === tab), keys: new Map() };
}

function columnType(view: SheetView, header: string): ColumnType | undefined {
  return view.spec?.columns.find((c) => normaliseName(c.header) === normaliseName(header))?.type;
}

function isRequired(tab: TabName, header: string): boolean {
  const spec = TABS.find((t) => t.name === tab);
  return spec?.columns.some((c) => c.required && normaliseName(c.header) === normaliseName(header)) ?? false;
}

/**
 * Applies a plan to the workbook as it is now. Rows are found by key (or by row number plus the
 * cells that must still be there) at write time; a cell whose value is no longer the one the
 * core saw is not overwritten and is reported. Writes are applied before appends.
 * `_snapshot` (what the plan was computed from) is not needed: rows and previous values are
 * checked against the workbook itself.
 */
export function applyPlan(
  workbook: ExcelJS.Workbook,
  _snapshot: Snapshot,
  plan: Pick<Plan, 'writes' | 'appends'>,
  timeZone: string,
): ApplyResult {
  const conflicts: Problem[] = [];
  let writes = 0;
  let appends = 0;
  const views = new Map<TabName, SheetView | undefined>();
  const view = (tab: TabName) => {
    if (!views.has(tab)) views.set(tab, viewOf(workbook, tab));
    return views.get(tab);
  };
  for (const write of plan.writes) {
    const problem = applyWrite(view(write.tab), write, timeZone);
    if (problem) conflicts.push(problem);
    else writes++;
  }
  for (const append of plan.appends) {
    const result = applyAppend(view(append.tab), append, timeZone);
    conflicts.push(...result.problems);
    if (result.appended) appends++;
  }
  return { conflicts, writes, appends };
}

function describeRef(ref: RowRef): string {
  return ref.by === 'key' ? `${ref.header} ${ref.value}` : `row ${ref.row}`;
}

function applyWrite(view: SheetView | undefined, write: CellWrite, timeZone: string): Problem | undefined {
  const { tab, column } = write;
  const notWritten = { severity: 'error' as const, tab, column, value: text(write.value) };
  if (!view) return { ...notWritten, message: `the register has no ${tab} tab; ${column} was not written` };
  const col = view.columns.get(normaliseName(column));
  if (col === undefined) {
    return {
      ...notWritten,
      message: `${tab} has no column "${column}"; the value for ${describeRef(write.ref)} was not written`,
    };
  }
  const found = findRow(view, write.ref, timeZone);
  if (typeof found !== 'number') return { ...notWritten, row: found.row, message: found.message };
  const cell = view.sheet.getCell(found, col);
  const current = cellOf(cell);
  if (!sameCell(current, write.previous, timeZone)) {
    const type = dateKindOf(columnType(view, column)) ?? write.as;
    return {
      severity: 'warning',
      tab,
      row: found,
      column,
      value: display(current, type, timeZone),
      expected: display(write.previous, type, timeZone),
      message: `${column} of ${describeRef(write.ref)} changed by someone since it was read; not overwritten`,
    };
  }
  setCell(cell, write.value, write.as, timeZone);
  const index = view.keys.get(col);
  if (index) for (const k of keyTexts(cellOf(cell))) index.set(k, [...(index.get(k) ?? []), found]);
  return undefined;
}

/** The texts a key cell is found by: its trimmed lower-case text, and for a serial its date. */
function keyTexts(cell: Cell): string[] {
  const t = text(cell).toLowerCase();
  if (t === '') return [];
  if (typeof cell === 'number' && Number.isFinite(cell) && cell > 0) return [t, serialToDate(cell)];
  return [t];
}

function keyIndex(view: SheetView, col: number): Map<string, number[]> {
  let index = view.keys.get(col);
  if (!index) {
    index = new Map();
    const last = lastUsedRow(view.sheet);
    for (let r = 2; r <= last; r++) {
      for (const k of keyTexts(cellOf(view.sheet.getCell(r, col))))
        index.set(k, [...(index.get(k) ?? []), r]);
    }
    view.keys.set(col, index);
  }
  return index;
}

/** The sheet row a reference points at now, or why there is none. */
function findRow(view: SheetView, ref: RowRef, timeZone: string): number | { row?: number; message: string } {
  const last = lastUsedRow(view.sheet);
  if (ref.by === 'key') {
    const col = view.columns.get(normaliseName(ref.header));
    if (col === undefined) {
      return {
        message: `${view.sheet.name} has no key column "${ref.header}"; ${ref.value} was not written`,
      };
    }
    const candidates = keyIndex(view, col).get(ref.value.trim().toLowerCase()) ?? [];
    const matches = [...new Set(candidates)]
      .filter((r) => r <= last && sameKey(cellOf(view.sheet.getCell(r, col)), ref.value, timeZone))
      .sort((a, b) => a - b);
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) {
      return { message: `no ${view.sheet.name} row has ${ref.header} ${ref.value} any more; not written` };
    }
    return {
      row: matches[0],
      message: `${ref.header} ${ref.value} appears on ${view.sheet.name} rows ${matches.join(', ')}; not written`,
    };
  }
  for (const [header, expected] of Object.entries(ref.cells)) {
    const col = view.columns.get(normaliseName(header));
    const current = col === undefined ? null : cellOf(view.sheet.getCell(ref.row, col));
    if (!sameCell(current, expected, timeZone)) {
      return {
        row: ref.row,
        message: `${view.sheet.name} row ${ref.row} no longer holds what was read (${header} is now "${text(current)}", was "${text(expected)}"); changed by someone since it was read; not overwritten`,
      };
    }
  }
  return ref.row;
}

function applyAppend(
  view: SheetView | undefined,
  append: RowAppend,
  timeZone: string,
): { appended: boolean; problems: Problem[] } {
  const { tab } = append;
  if (!view) {
    return {
      appended: false,
      problems: [{ severity: 'error', tab, message: `the register has no ${tab} tab; a row was not added` }],
    };
  }
  const problems: Problem[] = [];
  const kinds = new Map(Object.entries(append.dates ?? {}).map(([h, k]) => [normaliseName(h), k]));
  const rowNumber = lastUsedRow(view.sheet) + 1;
  for (const [header, value] of Object.entries(append.values)) {
    const col = view.columns.get(normaliseName(header));
    if (col === undefined) {
      if (isRequired(tab, header) && !isBlank(value)) {
        problems.push({
          severity: 'error',
          tab,
          row: rowNumber,
          column: header,
          value: text(value),
          message: `${tab} has no column "${header}"; that value of the added row was not written`,
        });
      }
      continue;
    }
    setCell(view.sheet.getCell(rowNumber, col), value, kinds.get(normaliseName(header)), timeZone);
  }
  return { appended: true, problems };
}

// ---------- comparing cells ----------

function text(cell: Cell): string {
  return cell === null ? '' : String(cell).trim();
}

function display(cell: Cell, type: DateKind | undefined, timeZone: string): string {
  if (typeof cell === 'number' && type === 'date') return serialToDate(cell);
  if (typeof cell === 'number' && type === 'instant') return serialToInstant(cell, timeZone);
  return text(cell);
}

// ---------- saving ----------

/**
 * Saves the workbook over `file` atomically. With a stamp, refuses (and writes nothing) when the
 * file changed since it was read. Returns the stamp of the saved file.
 */
export async function saveWorkbookAtomic(
  workbook: ExcelJS.Workbook,
  file: string,
  stamp?: FileStamp,
): Promise<FileStamp> {
  for (const sheet of workbook.worksheets) compactDataValidations(sheet);
  const buffer = await workbookBytes(workbook);
  if (stamp) await assertUnchanged(file, stamp);
  await writeFileAtomic(file, buffer);
  return fileStamp(file);
}

/**
 * The workbook as .xlsx bytes. Deflate level 1: the zip library is pure JavaScript and the
 * default level spends most of a large register's save compressing; the file is ~20% larger.
 */
export async function workbookBytes(workbook: ExcelJS.Workbook): Promise<Buffer> {
  const options = { zip: { compression: 'DEFLATE', compressionOptions: { level: 1 } } };
  return Buffer.from(await workbook.xlsx.writeBuffer(options as Partial<ExcelJS.XlsxWriteOptions>));
}

/** The register was changed by another program while a run was working on it. */
export class RegisterChangedError extends Error {}

/** Throws RegisterChangedError unless `file` is still the file that was read. */
export async function assertUnchanged(file: string, stamp: FileStamp): Promise<void> {
  let now: FileStamp | undefined;
  try {
    now = await fileStamp(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!now || now.mtimeMs !== stamp.mtimeMs || now.size !== stamp.size) {
    throw new RegisterChangedError(
      `${file} was changed by another program since Milepost read it; the register was not written. Run the command again.`,
    );
  }
}
