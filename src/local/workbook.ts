/**
 * The register as an .xlsx workbook on disk: read every tab into a snapshot, apply a plan
 * addressed by row key, save atomically. Reading and writing go through the package itself
 * (./xlsx): only the cells and rows Milepost writes change; charts, notes, tables, filters,
 * pivots, images and formats stay as the person's spreadsheet program saved them. A sync also
 * adds the dropdowns and date checks a register lacks and keeps Milepost's own notes on cells
 * in error (tidyWorkbook), leaving every note and validation of a person's as it was. A new
 * register (init) is built with exceljs, where there is nothing of anyone's to keep.
 *
 * Dates cross this boundary as spreadsheet serials (days since 1899-12-30); the core turns
 * serials into dates and instants in the register's time zone. exceljs hands out date cells as
 * `Date` objects whose UTC fields are the wall time written in the cell.
 */
import * as fs from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { sheetValue } from '../core/cells';
import { type CellNote, problemNotes } from '../core/cycle';
import {
  type ColumnType,
  LISTS,
  normaliseName,
  SETTINGS,
  STATUS_FILLS,
  TABS,
  type TabName,
  type TabSpec,
  tabSpec,
} from '../core/layout';
import { cellsWritten, resolvePlan } from '../core/resolve';
import { DATE_PATTERN, INSTANT_PATTERN, planRegisterSetup, type SetupStep } from '../core/setup';
import type { Cell, Plan, Problem, Snapshot, Table } from '../core/types';
import { type PreparedFile, prepareFileAtomic, writeFileAtomic } from './atomic';
import { cellXml, readCell, toWorkbookSerial } from './xlsx/cells';
import { setSheetNotes } from './xlsx/comments';
import { WorkbookUnreadableError } from './xlsx/errors';
import { XlsxPackage } from './xlsx/package';
import { cellRef, type SheetPart } from './xlsx/sheet';
import { type Area, addDataValidations, covers, validatedAreas } from './xlsx/tail';
import { attributes, escapeAttribute, escapeText } from './xlsx/xml';

const DAY_MS = 86_400_000;
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30);

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
  workbook: XlsxPackage;
  stamp: FileStamp;
}

export interface ApplyResult {
  /** Writes and appends that were not made, with the reason: conflicts, missing rows, tabs or columns. */
  conflicts: Problem[];
  writes: number;
  appends: number;
}

// ---------- reading ----------

/**
 * Reads the register. Anything that is not a readable .xlsx (a directory, an empty, truncated
 * or renamed file) is a WorkbookUnreadableError naming the file and what to do.
 */
export async function readWorkbook(file: string): Promise<ReadResult> {
  let read: { buffer: Buffer; stamp: FileStamp };
  try {
    read = await readStable(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new WorkbookUnreadableError(file, 'it is a directory, not a file');
    }
    throw error;
  }
  const workbook = await XlsxPackage.open(read.buffer, file);
  return { snapshot: snapshotOf(workbook), workbook, stamp: read.stamp };
}

/** Every worksheet of a workbook as a core table, with what could not be read faithfully. */
export function snapshotOf(workbook: XlsxPackage): Snapshot {
  const problems: Problem[] = [];
  const tables = workbook.sheets.map((s) => tableOf(workbook, s.name, problems));
  return { tables, problems };
}

/** Reads the file and its stamp from one open file, retrying if it changes while being read. */
async function readStable(file: string): Promise<{ buffer: Buffer; stamp: FileStamp }> {
  for (let attempt = 0; ; attempt++) {
    const handle = await fs.open(file, 'r');
    try {
      const before = await handle.stat();
      if (before.isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
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

/**
 * One worksheet as a core table: the header row and the rows up to the last that holds a value.
 * A formula cell gives its saved result; one with no saved result (openpyxl writes none) gives
 * its formula text, which no column accepts as a value, and a warning naming the cell.
 */
function tableOf(workbook: XlsxPackage, name: string, problems?: Problem[]): Table {
  const sheet = workbook.sheet(name);
  // A sheet part is replaced when written (settle), so a table read from it stays true.
  let read = tables.get(sheet);
  if (!read) {
    read = readTable(workbook, name);
    tables.set(sheet, read);
  }
  problems?.push(...read.problems);
  return read.table;
}

const tables = new WeakMap<SheetPart, { table: Table; problems: Problem[] }>();

function readTable(workbook: XlsxPackage, name: string): { table: Table; problems: Problem[] } {
  const sheet = workbook.sheet(name);
  const problems: Problem[] = [];
  const grid = new Map<number, Cell[]>();
  const formulas: { r: number; col: number; formula: string }[] = [];
  for (const row of sheet.rowsWithValues()) {
    const cells: Cell[] = [];
    for (const slot of sheet.cells(row)) {
      const read = readCell(workbook, slot, sheet.p);
      cells[slot.col - 1] = read.formulaWithoutValue ?? read.value;
      if (read.formulaWithoutValue)
        formulas.push({ r: row.r, col: slot.col, formula: read.formulaWithoutValue });
    }
    const trimmed = trimTrailing(Array.from(cells, (c) => c ?? null));
    if (trimmed.length) grid.set(row.r, trimmed);
  }
  const headers = (grid.get(1) ?? []).map((c) => (c === null ? '' : String(c)));
  const last = Math.max(1, ...grid.keys());
  const rows: Cell[][] = [];
  for (let r = 2; r <= last; r++) rows.push(grid.get(r) ?? []);
  for (const f of formulas) {
    problems.push({
      severity: 'warning',
      tab: name,
      row: f.r,
      column: headers[f.col - 1] || cellRef(f.r, f.col),
      value: f.formula,
      message: `${name} ${cellRef(f.r, f.col)} holds the formula ${f.formula} with no saved result (the program that saved the file did not calculate it, as openpyxl does not); Milepost reads the formula text. Open and save the file in a spreadsheet program, or type the value.`,
    });
  }
  return { table: { name, headers, rows }, problems };
}

function trimTrailing(cells: Cell[]): Cell[] {
  let end = cells.length;
  while (end > 0 && isBlank(cells[end - 1] ?? null)) end--;
  return cells.slice(0, end);
}

function isBlank(cell: Cell): boolean {
  return cell === null || cell === '';
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
      cell.numFmt = as === 'date' ? DATE_PATTERN : INSTANT_PATTERN;
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
  addValidations(workbook, data);
  return workbook;
}

/**
 * The dropdowns and date checks of a new register: the setup plan of an empty spreadsheet (the
 * one the Google runtimes carry out), here in the workbook's own terms. Lists stop a wrong value
 * ("stop"); dropdowns fed from another tab (Owner: the Team tab's emails) and date checks only
 * warn, as they do in the Sheet: a value outside them is reported by `validate`, never lost.
 */
function addValidations(
  workbook: ExcelJS.Workbook,
  data: Partial<Record<TabName, Record<string, Cell | undefined>[]>>,
): void {
  const plan = planRegisterSetup({ timeZone: 'UTC', tabs: [], protections: [], settings: [] });
  for (const step of plan.steps) {
    if (step.kind !== 'dropdown' && step.kind !== 'validDate') continue;
    const sheet = workbook.getWorksheet(step.title);
    if (!sheet) continue;
    const last = Math.max((data[step.tab]?.length ?? 0) + 1 + SPARE_ROWS, MIN_FORMATTED_ROWS);
    const letter = sheet.getColumn(step.column + 1).letter;
    const source =
      step.kind === 'dropdown' && step.from
        ? sheet.workbook.getWorksheet(step.from.title)!.getColumn(step.from.column + 1).letter
        : '';
    const v = validationOf(step, source);
    dataValidations(sheet).add(`${letter}2:${letter}${last}`, {
      type: v.type,
      ...(v.operator ? { operator: v.operator } : {}),
      allowBlank: true,
      formulae: [v.type === 'date' ? new Date(Date.UTC(1900, 0, 1)) : v.formula],
      showErrorMessage: true,
      errorStyle: v.errorStyle,
      errorTitle: v.errorTitle,
      error: v.error,
    });
  }
}

type ValidationStep = Extract<SetupStep, { kind: 'dropdown' | 'validDate' }>;

/**
 * One dropdown or date check of the setup plan, in the workbook's terms. Lists stop a wrong
 * value ("stop"); dropdowns fed from another tab (`source`: its column letter) and date checks
 * only warn. A date check's formula is the first of January 1900 (serial 1).
 */
function validationOf(step: ValidationStep, source: string) {
  if (step.kind === 'validDate') {
    return {
      type: 'date' as const,
      operator: 'greaterThan' as const,
      formula: '1',
      errorStyle: 'warning' as const,
      errorTitle: `${step.header}: a date`,
      error: `${step.header} takes a date, e.g. 2026-12-18.`,
    };
  }
  if (step.from) {
    return {
      type: 'list' as const,
      formula: `'${step.from.title.replace(/'/g, "''")}'!$${source}$2:$${source}$${MAX_ROW}`,
      errorStyle: 'warning' as const,
      errorTitle: `${step.header} value`,
      error: `${step.header} is usually one of the ${step.from.title} tab's column ${source} (or blank).`,
    };
  }
  return {
    type: 'list' as const,
    formula: `"${step.values.join(',')}"`,
    errorStyle: 'stop' as const,
    errorTitle: `${step.header} value`,
    error: `${step.header} must be one of: ${step.values.join(', ')} (or blank).`,
  };
}

/**
 * The dropdowns and date checks a register made before them (or by hand) lacks: the setup plan
 * of the workbook as it is (the steps `milepost setup` carries out on a Sheet), a column counting
 * as checked when any validation — Milepost's or a person's — covers its row 2. Only those are
 * added, into each sheet's <dataValidations>; nothing there is changed or removed, so a second
 * run adds nothing. Returns what was added, in words.
 */
export function addMissingValidations(workbook: XlsxPackage, snapshot: Snapshot): string[] {
  const covered = new Map<string, Area[]>();
  for (const s of workbook.sheets) {
    const { tail, p } = workbook.sheetTail(s.name);
    covered.set(s.name, validatedAreas(tail, p));
  }
  const tabs = snapshot.tables.map((t) => ({
    title: t.name,
    headers: t.headers,
    frozenRows: 1,
    dropdown: t.headers.map((_, i) => covers(covered.get(t.name) ?? [], 2, i + 1)),
    format: t.headers.map(() => true),
    colouredStatuses: STATUS_FILLS.map((f) => f.status),
  }));
  const plan = planRegisterSetup({ timeZone: 'UTC', tabs, protections: [], settings: [] });
  const bySheet = new Map<string, ((p: string) => string)[]>();
  const said: string[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'dropdown' && step.kind !== 'validDate') continue;
    const table = snapshot.tables.find((t) => t.name === step.title);
    // A column the register does not have (setup would add its header) is left to setup.
    if (!table || normaliseName(table.headers[step.column] ?? '') !== normaliseName(step.header)) continue;
    if (step.kind === 'dropdown' && step.from) {
      const from = snapshot.tables.find((t) => t.name === step.from!.title);
      if (!from?.headers[step.from.column]) continue;
    }
    const letter = columnLetters(step.column + 1);
    const last = Math.max(table.rows.length + 1 + SPARE_ROWS, MIN_FORMATTED_ROWS);
    const v = validationOf(
      step,
      step.kind === 'dropdown' && step.from ? columnLetters(step.from.column + 1) : '',
    );
    const xml = (p: string) =>
      `<${p}dataValidation type="${v.type}"${'operator' in v ? ` operator="${v.operator}"` : ''} errorStyle="${v.errorStyle}" allowBlank="1" showErrorMessage="1" errorTitle="${escapeAttribute(v.errorTitle)}" error="${escapeAttribute(v.error)}" sqref="${letter}2:${letter}${last}"><${p}formula1>${escapeText(v.formula)}</${p}formula1></${p}dataValidation>`;
    bySheet.set(step.title, [...(bySheet.get(step.title) ?? []), xml]);
    said.push(
      step.kind === 'validDate'
        ? `${step.title}: date check for "${step.header}"`
        : `${step.title}: dropdown for "${step.header}"`,
    );
  }
  for (const [name, elements] of bySheet) {
    workbook.editSheetTail(name, (tail, p) =>
      addDataValidations(
        tail,
        p,
        elements.map((e) => e(p)),
      ),
    );
  }
  return said;
}

/**
 * What a sync does to the workbook besides its plan, as the Sheet gets it from setup and its edit
 * trigger: the missing dropdowns and date checks, and a note on each cell in error (cleared once
 * fixed). `snapshot` is the register as read, `problems` its problems still true once the plan
 * is applied (a sync has them: reading the written sheets again would cost a 10,000-milestone
 * register as much time as applying the plan). Returns what was added and the sheets whose
 * notes changed.
 */
export function tidyWorkbook(
  workbook: XlsxPackage,
  snapshot: Snapshot = snapshotOf(workbook),
  problems?: Problem[],
): { validations: string[]; notes: string[] } {
  const validations = addMissingValidations(workbook, snapshot);
  const notes = applyNotes(workbook, problemNotes(snapshot, problems));
  return { validations, notes };
}

/**
 * Puts the core's notes on the workbook (legacy comments, see xlsx/comments.ts): `notes` are all
 * the notes Milepost wants; its notes on other cells go. Returns the sheets whose notes changed.
 */
export function applyNotes(workbook: XlsxPackage, notes: CellNote[]): string[] {
  const changed: string[] = [];
  for (const s of workbook.sheets) {
    const mine = new Map(
      notes.filter((n) => n.tab === s.name && n.note).map((n) => [cellRef(n.row, n.column), n.note]),
    );
    if (setSheetNotes(workbook, s.name, mine)) changed.push(s.name);
  }
  return changed;
}

/** The last row of a sheet ("Excel specifications and limits": 1,048,576 rows). */
const MAX_ROW = 1_048_576;

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
    if (column.type === 'date') col.numFmt = DATE_PATTERN;
    if (column.type === 'instant') col.numFmt = INSTANT_PATTERN;
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

/**
 * Applies a plan to the workbook as it is now: the core resolves it against the tabs as they
 * are (`resolvePlan`: rows by key, a row written whole or not at all, appends that record a
 * row not written held back), and this writes what it resolved, cell by cell, into the sheet
 * parts. Writes go before appends.
 */
/**
 * Adds layout tabs the workbook lacks (a register made before the Actions tab), each with its
 * header row, after the last tab: the first run whose plan writes there (core `missingTabs`).
 */
export function addLayoutTabs(workbook: XlsxPackage, tabs: readonly TabName[], timeZone: string): void {
  for (const name of tabs) {
    const spec = tabSpec(name);
    workbook.addSheet(spec.name);
    spec.columns.forEach((c, i) => {
      writeCell(workbook, spec.name, 1, i + 1, c.header, undefined, timeZone);
    });
  }
  workbook.settle();
}

export function applyPlan(
  workbook: XlsxPackage,
  plan: Pick<Plan, 'writes' | 'appends'>,
  timeZone: string,
): ApplyResult {
  const sheets = new Map<TabName, { name: string; now: Table } | undefined>();
  const tab = (name: TabName) => {
    if (!sheets.has(name)) {
      const found = workbook.sheets.find((s) => normaliseName(s.name) === normaliseName(name));
      sheets.set(name, found && { name: found.name, now: tableOf(workbook, found.name) });
    }
    return sheets.get(name);
  };
  const resolution = resolvePlan({ ...plan, timeZone }, (name) => tab(name)?.now);
  for (const row of resolution.rows) {
    const { name } = tab(row.tab)!;
    for (const c of row.cells)
      writeCell(workbook, name, row.index + 2, c.column + 1, c.value, c.as, timeZone);
  }
  // Appended rows go after the last row holding a value; tables ending there grow over them.
  const rows = new Map<string, { last: number; next: number }>();
  for (const a of resolution.appends) {
    const { name, now } = tab(a.tab)!;
    const last = now.rows.length ? now.rows.length + 1 : now.headers.length ? 1 : 0;
    const at = rows.get(name) ?? { last, next: last + 1 };
    rows.set(name, { last: at.last, next: at.next + 1 });
    for (const c of a.cells) writeCell(workbook, name, at.next, c.column + 1, c.value, c.as, timeZone);
  }
  for (const [name, { last, next }] of rows) workbook.growTables(name, last, next - 1);
  workbook.settle();
  return {
    conflicts: resolution.conflicts,
    writes: cellsWritten(resolution),
    appends: resolution.appends.length,
  };
}

/**
 * Writes one cell, keeping its format: text is literal text (never a formula); with `as`, an ISO
 * date or instant (or a serial) becomes a date serial in a format that shows dates (the cell's
 * own, its row's or column's, the cell above's, or the layout's pattern added to the styles).
 * Text that is not a readable date is stored as text, for the core to report. Overwriting a
 * formula drops the calculation chain that listed it.
 */
function writeCell(
  workbook: XlsxPackage,
  tab: string,
  r: number,
  col: number,
  value: Cell,
  as: DateKind | undefined,
  timeZone: string,
): void {
  const sheet = workbook.sheet(tab);
  const existing = sheet.cell(r, col);
  if (existing && new RegExp(`<${sheet.p}f\\b`).test(existing.body)) workbook.dropCalcChain();
  let style = (existing && attributes(existing.attrs).s) ?? sheet.rowStyle(r) ?? sheet.columnStyle(col);
  let stored = value;
  if (as && value !== null && value !== '') {
    const serial = sheetValue(value, as, timeZone);
    if (typeof serial === 'number' && Number.isFinite(serial)) {
      stored = toWorkbookSerial(workbook, serial);
      const above = sheet.cell(r - 1, col);
      const base = style ?? (above && attributes(above.attrs).s);
      style = workbook.styles().dateStyle(base, as === 'date' ? DATE_PATTERN : INSTANT_PATTERN) ?? style;
    }
  }
  sheet.setCell(r, col, cellXml(sheet.p, cellRef(r, col), stored, style));
}

// ---------- saving ----------

/**
 * Saves the workbook over `file` atomically. With a stamp, refuses (and writes nothing) when the
 * file changed since it was read. Returns the stamp of the saved file.
 */
export async function saveWorkbookAtomic(
  workbook: XlsxPackage,
  file: string,
  stamp?: FileStamp,
): Promise<FileStamp> {
  const prepared = await prepareWorkbookSave(workbook, file);
  try {
    if (stamp) await assertUnchanged(file, stamp);
  } catch (error) {
    await prepared.abort();
    throw error;
  }
  await prepared.commit();
  return fileStamp(file);
}

/**
 * Writes the changed workbook next to `file` and flushes it, leaving only the rename: after this,
 * a full disk or a read-only folder has already failed, before anything was sent.
 */
export async function prepareWorkbookSave(workbook: XlsxPackage, file: string): Promise<PreparedFile> {
  return prepareFileAtomic(file, await workbook.bytes());
}

/** Writes a new workbook (exceljs: init, tests) to `file` atomically. */
export async function writeNewWorkbook(workbook: ExcelJS.Workbook, file: string): Promise<FileStamp> {
  await writeFileAtomic(file, await workbookBytes(workbook));
  return fileStamp(file);
}

/**
 * A new workbook (exceljs) as .xlsx bytes. Deflate level 1: the zip library is pure JavaScript
 * and the default level spends most of a large register's save compressing.
 */
export async function workbookBytes(workbook: ExcelJS.Workbook): Promise<Buffer> {
  for (const sheet of workbook.worksheets) compactDataValidations(sheet);
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
