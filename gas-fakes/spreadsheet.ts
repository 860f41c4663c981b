/**
 * Fake SpreadsheetApp: spreadsheets, sheets, ranges, notes, data validation, conditional format
 * rules, range protections, number formats, embedded charts (builder, insert, update, remove),
 * the UI (menus and alerts).
 *
 * Cells behave as Apps Script's do:
 * - rows and columns are 1-based; `getValues()` is a fresh 2D array; an empty cell reads `''`;
 *   numbers read as numbers, booleans as booleans, dates as `Date`s.
 * - `setValue` / `setValues` take what a person would type: a string is parsed like typed input
 *   unless the cell's number format is plain text ('@'): `'42'` → 42, `'007'` → 7, `'50%'` → 0.5,
 *   `'true'` → true, `'2026-03-01'` / `'2026-03-01 09:30'` / `'3/1/2026'` → a Date (that wall time
 *   in the spreadsheet's time zone; the cell gets a date format), a leading apostrophe keeps the
 *   rest as text (`"'007"` → '007'). A `Date` is stored as that instant (the cell gets the format
 *   'M/d/yyyy H:mm:ss' unless it already has a date format), so Dates round-trip exactly.
 * - A string starting with `=` becomes a formula, as in Apps Script. The fake evaluates no
 *   formula: the cell reads `'#ERROR!'` from getValues / getDisplayValues and `getFormulas()`
 *   returns its text — so a test can tell when user text was written unescaped (formula
 *   injection): `range.getFormulas()` or `sheet.state.formulas()`.
 * - `getDataRange()` spans A1 to (getLastRow, getLastColumn) of the cells with content, at least
 *   1×1. A range may reach past the grid: reading there gives '', writing there grows the grid
 *   (getMaxRows / getMaxColumns) like appending does in Sheets.
 * - `setValues` wants exactly the range's dimensions, else Apps Script's message ("The number of
 *   rows in the data does not match the number of rows in the range. The data has N but the
 *   range has M.").
 * - Scripts may write values a data validation rule rejects (as in Apps Script); a person may not
 *   (see person.ts).
 *
 * Range objects are coordinates (inserting rows does not move them); protections and conditional
 * format rules move with their rows, as in Sheets. Sheet names are unique whatever their case
 * (insertSheet refuses 'data' next to 'Data'); getSheetByName matches the name exactly.
 */
import { columnLetters, parseA1 } from '../emulator/a1';
import { type Accepts, Enums, Fake, type GasEnum, isDate, type MenuEntry, type World } from './core';
import { formatSheetsDate, fromWallTime, isDateFormat, serialNumber } from './time';

type GRange = GoogleAppsScript.Spreadsheet.Range;
type GSheet = GoogleAppsScript.Spreadsheet.Sheet;
type GSpreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type GSpreadsheetApp = GoogleAppsScript.Spreadsheet.SpreadsheetApp;

export type Scalar = string | number | boolean;
export type CellValue = Scalar | Date;

export interface ValidationRule {
  criteria: 'VALUE_IN_LIST' | 'VALUE_IN_RANGE' | 'DATE_IS_VALID_DATE';
  /** VALUE_IN_RANGE: the sheet and A1 range whose values are allowed, and the Range given. */
  range?: { sheet: string; a1: string; given: unknown };
  values: string[];
  showDropdown: boolean;
  allowInvalid: boolean;
  helpText: string;
}

export interface Cell {
  v?: CellValue;
  /** A formula (text starting with '='); the fake never evaluates it. */
  f?: string;
  note?: string;
  dv?: ValidationRule;
  /** The number format; undefined is the default ('0.###############'). */
  fmt?: string;
  bg?: string;
  fontWeight?: string;
}

export interface Area {
  sheet: SheetState;
  row: number;
  col: number;
  numRows: number;
  numCols: number;
}

export interface ProtectionState extends Area {
  description: string;
  warningOnly: boolean;
  /** Who may edit the protected cells (the owner). */
  editors: string[];
}

export interface ConditionalRuleState {
  text: string;
  background?: string;
  fontColor?: string;
  bold?: boolean;
  ranges: Area[];
}

/** An embedded chart as built (chartId set once it is inserted into a sheet). */
export interface ChartState {
  chartId?: number;
  type: GasEnum;
  /** Ranges in the order added (the first is the domain). */
  ranges: Area[];
  numHeaders: number;
  options: Record<string, unknown>;
  position: { row: number; col: number; offsetX: number; offsetY: number };
}

export const FORMULA_VALUE = '#ERROR!';
export const DEFAULT_NUMBER_FORMAT = '0.###############';
const DATE_TIME_FORMAT = 'M/d/yyyy H:mm:ss';

export function hasContent(cell: Cell | undefined): boolean {
  return cell !== undefined && (cell.v !== undefined || cell.f !== undefined);
}

/** What getValues returns for a cell. */
export function readValue(cell: Cell | undefined): CellValue {
  if (!cell) return '';
  if (cell.f !== undefined) return FORMULA_VALUE;
  if (cell.v === undefined) return '';
  return isDate(cell.v) ? new Date(cell.v.getTime()) : cell.v;
}

function formatNumber(n: number, fmt: string | undefined): string {
  if (fmt === undefined || fmt === DEFAULT_NUMBER_FORMAT || fmt === '@' || fmt === 'General')
    return String(n);
  const fixed = /^0(?:\.(0+))?(%?)$/.exec(fmt);
  if (fixed) return (fixed[2] ? n * 100 : n).toFixed(fixed[1]?.length ?? 0) + fixed[2];
  const grouped = /^#,##0(?:\.(0+))?$/.exec(fmt);
  if (grouped) {
    const digits = grouped[1]?.length ?? 0;
    return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  return String(n);
}

/** What getDisplayValues returns for a cell. */
export function displayValue(cell: Cell | undefined, timeZone: string): string {
  if (!cell) return '';
  if (cell.f !== undefined) return FORMULA_VALUE;
  const v = cell.v;
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return formatNumber(v, cell.fmt);
  if (typeof v === 'string') return v;
  return formatSheetsDate(v.getTime(), timeZone, isDateFormat(cell.fmt) ? cell.fmt! : DATE_TIME_FORMAT);
}

/** How an edit event shows a value: a string; a date as its serial number, a boolean as TRUE/FALSE. */
export function eventValue(cell: Cell | undefined, timeZone: string): string | undefined {
  if (!hasContent(cell)) return undefined;
  if (cell!.f !== undefined) return FORMULA_VALUE;
  const v = cell!.v!;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (isDate(v)) return String(serialNumber(v.getTime(), timeZone));
  return String(v);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const PERCENT = /^([+-]?(?:\d+\.?\d*|\.\d+))%$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function typedDate(
  y: number,
  m: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  timeZone: string,
): Date | undefined {
  if (m < 1 || m > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return new Date(fromWallTime(timeZone, y, m, d, h, mi, s));
}

/** Stores `input` into `cell` the way Apps Script's setValue does (see the file comment). */
export function writeCell(cell: Cell, input: unknown, timeZone: string): void {
  cell.f = undefined;
  cell.v = undefined;
  if (input === null || input === undefined || input === '') return;
  if (isDate(input)) {
    cell.v = new Date(input.getTime());
    if (!isDateFormat(cell.fmt)) cell.fmt = DATE_TIME_FORMAT;
    return;
  }
  if (typeof input === 'number' || typeof input === 'boolean') {
    cell.v = input;
    return;
  }
  const s = typeof input === 'string' ? input : String(input);
  if (cell.fmt === '@') {
    cell.v = s;
    return;
  }
  if (s.startsWith('=') && s.length > 1) {
    cell.f = s;
    return;
  }
  if (s.startsWith("'")) {
    if (s.length > 1) cell.v = s.slice(1);
    return;
  }
  if (/^(true|false)$/i.test(s)) {
    cell.v = s.toLowerCase() === 'true';
    return;
  }
  if (NUMBER.test(s)) {
    cell.v = Number(s);
    return;
  }
  const percent = PERCENT.exec(s);
  if (percent) {
    cell.v = Number(percent[1]) / 100;
    if (cell.fmt === undefined) cell.fmt = '0%';
    return;
  }
  const iso = ISO_DATE.exec(s);
  const us = iso ? undefined : US_DATE.exec(s);
  const m = iso ?? us;
  if (m) {
    const [y, mo, d] = iso ? [m[1], m[2], m[3]] : [m[3], m[1], m[2]];
    const date = typedDate(
      Number(y),
      Number(mo),
      Number(d),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      timeZone,
    );
    if (date) {
      cell.v = date;
      if (!isDateFormat(cell.fmt)) {
        const timed = m[4] !== undefined;
        cell.fmt = iso
          ? timed
            ? 'yyyy-mm-dd hh:mm:ss'
            : 'yyyy-mm-dd'
          : timed
            ? DATE_TIME_FORMAT
            : 'M/d/yyyy';
      }
      return;
    }
  }
  cell.v = s;
}

// ---------- state ----------

export class SpreadsheetState {
  readonly sheets: SheetState[] = [];
  readonly protections: ProtectionState[] = [];
  fake?: FakeSpreadsheet;

  constructor(
    readonly w: World,
    readonly id: string,
    public timeZone: string,
  ) {}

  get name(): string {
    return this.w.files.get(this.id)?.name ?? '';
  }

  sheetByName(name: string): SheetState | undefined {
    return this.sheets.find((s) => s.name === name);
  }

  addSheet(name: string, index = this.sheets.length): SheetState {
    if (this.sheets.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
      throw this.w.error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    const sheet = new SheetState(this, name, this.sheets.length === 0 ? 0 : this.w.newNumber());
    this.sheets.splice(index, 0, sheet);
    return sheet;
  }

  /** The fake a script sees. */
  api(): FakeSpreadsheet {
    this.fake ??= new FakeSpreadsheet(this.w, this);
    return this.fake;
  }
}

export class SheetState {
  /** rows[r - 1][c - 1]; missing rows and cells are empty. */
  rows: (Cell | undefined)[][] = [];
  maxRows = 1000;
  maxCols = 26;
  frozenRows = 0;
  hidden = false;
  readonly columnWidths = new Map<number, number>();
  conditionalRules: ConditionalRuleState[] = [];
  /** Embedded charts, in the order they were inserted. */
  charts: ChartState[] = [];
  private fake?: FakeSheet;

  constructor(
    readonly parent: SpreadsheetState,
    public name: string,
    readonly sheetId: number,
  ) {}

  get w(): World {
    return this.parent.w;
  }

  cell(row: number, col: number): Cell | undefined {
    return this.rows[row - 1]?.[col - 1];
  }

  /** The cell at (row, col), created (and the grid grown) if needed. */
  writable(row: number, col: number): Cell {
    if (row > this.maxRows) this.maxRows = row;
    if (col > this.maxCols) this.maxCols = col;
    let r = this.rows[row - 1];
    if (!r) {
      r = [];
      this.rows[row - 1] = r;
    }
    let c = r[col - 1];
    if (!c) {
      c = {};
      r[col - 1] = c;
    }
    return c;
  }

  lastRow(): number {
    for (let r = this.rows.length; r >= 1; r--) if (this.rows[r - 1]?.some(hasContent)) return r;
    return 0;
  }

  lastColumn(): number {
    let last = 0;
    for (const row of this.rows) {
      if (!row) continue;
      for (let c = row.length; c > last; c--) {
        if (hasContent(row[c - 1])) {
          last = c;
          break;
        }
      }
    }
    return last;
  }

  /** Every cell of the data range as getValues reads it. */
  values(): CellValue[][] {
    const rows = Math.max(this.lastRow(), 1);
    const cols = Math.max(this.lastColumn(), 1);
    return Array.from({ length: rows }, (_, r) =>
      Array.from({ length: cols }, (_, c) => readValue(this.cell(r + 1, c + 1))),
    );
  }

  /** The formulas on the sheet, by A1 address (formula injection shows up here). */
  formulas(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [r, row] of this.rows.entries()) {
      for (const [c, cell] of (row ?? []).entries()) {
        if (cell?.f !== undefined) out[`${columnLetters(c)}${r + 1}`] = cell.f;
      }
    }
    return out;
  }

  /** Areas on this sheet that move with rows: protections and conditional format ranges. */
  private areas(): Area[] {
    return [
      ...this.parent.protections.filter((p) => p.sheet === this),
      ...this.conditionalRules.flatMap((rule) => rule.ranges.filter((a) => a.sheet === this)),
    ];
  }

  insertRows(after: number, count: number): void {
    if (this.rows.length > after) this.rows.splice(after, 0, ...Array.from({ length: count }, () => []));
    this.maxRows += count;
    for (const a of this.areas()) {
      if (a.row > after) a.row += count;
      else if (a.row + a.numRows - 1 > after) a.numRows += count;
    }
  }

  deleteRows(at: number, count: number): void {
    this.rows.splice(at - 1, count);
    this.maxRows -= count;
    const end = at + count - 1;
    const gone = new Set<Area>();
    for (const a of this.areas()) {
      const aEnd = a.row + a.numRows - 1;
      if (aEnd < at) continue;
      if (a.row > end) {
        a.row -= count;
        continue;
      }
      const kept = Math.max(0, at - a.row) + Math.max(0, aEnd - end);
      if (kept === 0) gone.add(a);
      else {
        a.row = Math.min(a.row, at);
        a.numRows = kept;
      }
    }
    const protections = this.parent.protections;
    for (let i = protections.length - 1; i >= 0; i--) if (gone.has(protections[i]!)) protections.splice(i, 1);
    for (const rule of this.conditionalRules) rule.ranges = rule.ranges.filter((a) => !gone.has(a));
    this.conditionalRules = this.conditionalRules.filter((rule) => rule.ranges.length > 0);
  }

  api(): FakeSheet {
    this.fake ??= new FakeSheet(this.w, this);
    return this.fake;
  }
}

// ---------- SpreadsheetApp ----------

export class FakeSpreadsheetApp
  extends Fake
  implements
    Accepts<
      GSpreadsheetApp,
      | 'getActiveSpreadsheet'
      | 'getActive'
      | 'openById'
      | 'getUi'
      | 'newDataValidation'
      | 'newConditionalFormatRule'
    >,
    Pick<GSpreadsheetApp, 'flush'>
{
  static override readonly gas = 'SpreadsheetApp';
  static override readonly group = 'spreadsheet';
  readonly ProtectionType = Enums.ProtectionType;
  readonly DataValidationCriteria = Enums.DataValidationCriteria;
  readonly BooleanCriteria = Enums.BooleanCriteria;

  getActiveSpreadsheet(): FakeSpreadsheet | null {
    return this.w.spreadsheets.get(this.w.activeSpreadsheetId)?.api() ?? null;
  }

  getActive(): FakeSpreadsheet | null {
    return this.getActiveSpreadsheet();
  }

  openById(id: string): FakeSpreadsheet {
    if (typeof id !== 'string') throw this.w.signatureError('SpreadsheetApp.openById', [id]);
    const ss = this.w.spreadsheets.get(id);
    if (!ss) {
      throw this.w.error(
        'Unexpected error while getting the method or property openById on object SpreadsheetApp.',
      );
    }
    return ss.api();
  }

  getUi(): FakeUi {
    const ex = this.w.execution;
    if (ex && !ex.ui) throw this.w.error('Cannot call SpreadsheetApp.getUi() from this context.');
    return new FakeUi(this.w);
  }

  newDataValidation(): FakeDataValidationBuilder {
    return new FakeDataValidationBuilder(this.w);
  }

  newConditionalFormatRule(): FakeConditionalFormatRuleBuilder {
    return new FakeConditionalFormatRuleBuilder(this.w);
  }

  flush(): void {}
}

// ---------- UI ----------

export class FakeUi
  extends Fake
  implements Accepts<GoogleAppsScript.Base.Ui, 'createMenu' | 'createAddonMenu' | 'alert'>
{
  static override readonly gas = 'Ui';
  readonly Button = Enums.Button;
  readonly ButtonSet = Enums.ButtonSet;

  createMenu(caption: string): FakeMenu {
    return new FakeMenu(this.w, String(caption), false);
  }

  createAddonMenu(): FakeMenu {
    return new FakeMenu(this.w, 'Add-ons', true);
  }

  alert(first: string, second?: unknown, third?: unknown): GasEnum {
    const record =
      third !== undefined
        ? { title: String(first), prompt: String(second), buttons: String(third) }
        : second !== undefined
          ? { prompt: String(first), buttons: String(second) }
          : { prompt: String(first) };
    this.w.ui.alerts.push(record);
    return Enums.Button[this.w.ui.nextButton as keyof typeof Enums.Button] ?? Enums.Button.OK;
  }
}

export class FakeMenu
  extends Fake
  implements
    Accepts<GoogleAppsScript.Base.Menu, 'addItem' | 'addSeparator' | 'addSubMenu'>,
    Pick<GoogleAppsScript.Base.Menu, 'addToUi'>
{
  static override readonly gas = 'Menu';
  readonly entries: MenuEntry[] = [];

  constructor(
    w: World,
    readonly caption: string,
    readonly addon: boolean,
  ) {
    super(w);
  }

  addItem(caption: string, functionName: string): this {
    this.entries.push({ caption: String(caption), functionName: String(functionName) });
    return this;
  }

  addSeparator(): this {
    this.entries.push({ separator: true });
    return this;
  }

  addSubMenu(menu: unknown): this {
    if (!(menu instanceof FakeMenu)) throw this.w.signatureError('Menu.addSubMenu', [menu]);
    this.entries.push({ caption: menu.caption, subMenu: [...menu.entries] });
    return this;
  }

  addToUi(): void {
    const menus = this.w.ui.menus;
    const i = menus.findIndex((m) => m.name === this.caption);
    const record = { name: this.caption, entries: [...this.entries], addon: this.addon };
    if (i >= 0) menus[i] = record;
    else menus.push(record);
  }
}

// ---------- Spreadsheet ----------

export class FakeSpreadsheet
  extends Fake
  implements
    Pick<GSpreadsheet, 'getId' | 'getName' | 'getUrl' | 'getSpreadsheetTimeZone'>,
    Accepts<
      GSpreadsheet,
      'getSheets' | 'getSheetByName' | 'insertSheet' | 'setSpreadsheetTimeZone' | 'getProtections'
    >
{
  static override readonly gas = 'Spreadsheet';
  static override readonly group = 'spreadsheet';

  constructor(
    w: World,
    readonly state: SpreadsheetState,
  ) {
    super(w);
  }

  getId(): string {
    return this.state.id;
  }

  getName(): string {
    return this.state.name;
  }

  getUrl(): string {
    return `https://docs.google.com/spreadsheets/d/${this.state.id}/edit`;
  }

  getSheets(): FakeSheet[] {
    return this.state.sheets.map((s) => s.api());
  }

  getSheetByName(name: string): FakeSheet | null {
    return this.state.sheetByName(String(name))?.api() ?? null;
  }

  insertSheet(first?: unknown, second?: unknown): FakeSheet {
    const sheets = this.state.sheets;
    const [sheetName, sheetIndex] = typeof first === 'number' ? [undefined, first] : [first, second];
    if (
      (sheetName !== undefined && typeof sheetName !== 'string') ||
      (sheetIndex !== undefined && typeof sheetIndex !== 'number')
    ) {
      throw this.w.signatureError(
        'Spreadsheet.insertSheet',
        [first, second].filter((a) => a !== undefined),
      );
    }
    let name = sheetName;
    if (name === undefined) {
      let n = sheets.length + 1;
      while (this.state.sheetByName(`Sheet${n}`)) n++;
      name = `Sheet${n}`;
    }
    const index = sheetIndex ?? sheets.length;
    if (!Number.isInteger(index) || index < 0 || index > sheets.length) {
      throw this.w.error(`The sheet index ${index} is out of range.`);
    }
    return this.state.addSheet(String(name), index).api();
  }

  getSpreadsheetTimeZone(): string {
    return this.state.timeZone;
  }

  setSpreadsheetTimeZone(timezone: string): void {
    this.state.timeZone = String(timezone);
  }

  getProtections(type: unknown): FakeProtection[] {
    if (type === Enums.ProtectionType.SHEET) return [];
    if (type !== Enums.ProtectionType.RANGE)
      throw this.w.signatureError('Spreadsheet.getProtections', [type]);
    return this.state.protections.map((p) => new FakeProtection(this.w, p));
  }
}

// ---------- Sheet ----------

function checkInt(w: World, method: string, args: readonly unknown[]): void {
  for (const a of args)
    if (typeof a !== 'number' || !Number.isFinite(a)) throw w.signatureError(method, args);
}

export class FakeSheet
  extends Fake
  implements
    Pick<
      GSheet,
      | 'getName'
      | 'getSheetId'
      | 'getIndex'
      | 'getLastRow'
      | 'getLastColumn'
      | 'getMaxRows'
      | 'getMaxColumns'
      | 'setFrozenRows'
      | 'getFrozenRows'
      | 'isSheetHidden'
    >,
    Accepts<
      GSheet,
      | 'getDataRange'
      | 'getRange'
      | 'hideSheet'
      | 'insertRowsAfter'
      | 'deleteRow'
      | 'deleteRows'
      | 'getConditionalFormatRules'
      | 'setConditionalFormatRules'
      | 'setColumnWidth'
      | 'getParent'
      | 'clear'
      | 'newChart'
      | 'insertChart'
      | 'updateChart'
      | 'removeChart'
      | 'getCharts'
    >
{
  static override readonly gas = 'Sheet';
  static override readonly group = 'spreadsheet';

  constructor(
    w: World,
    readonly state: SheetState,
  ) {
    super(w);
  }

  getName(): string {
    return this.state.name;
  }

  getSheetId(): number {
    return this.state.sheetId;
  }

  getIndex(): number {
    return this.state.parent.sheets.indexOf(this.state) + 1;
  }

  getParent(): FakeSpreadsheet {
    return this.state.parent.api();
  }

  getLastRow(): number {
    return this.state.lastRow();
  }

  getLastColumn(): number {
    return this.state.lastColumn();
  }

  getMaxRows(): number {
    return this.state.maxRows;
  }

  getMaxColumns(): number {
    return this.state.maxCols;
  }

  getDataRange(): FakeRange {
    const s = this.state;
    return new FakeRange(this.w, {
      sheet: s,
      row: 1,
      col: 1,
      numRows: Math.max(s.lastRow(), 1),
      numCols: Math.max(s.lastColumn(), 1),
    });
  }

  getRange(row: number, column: number): FakeRange;
  getRange(row: number, column: number, numRows: number): FakeRange;
  getRange(row: number, column: number, numRows: number, numColumns: number): FakeRange;
  getRange(a1Notation: string): FakeRange;
  getRange(...args: unknown[]): FakeRange {
    const [first, column, numRows = 1, numColumns = 1] = args;
    if (args.length === 1 && typeof first === 'string') return new FakeRange(this.w, this.parseA1(first));
    if (args.length < 2 || args.length > 4)
      throw this.w.signatureError('SpreadsheetApp.Sheet.getRange', args);
    checkInt(this.w, 'SpreadsheetApp.Sheet.getRange', args);
    const [row, col, nr, nc] = [first, column, numRows, numColumns].map((n) => Math.floor(n as number)) as [
      number,
      number,
      number,
      number,
    ];
    if (row < 1) throw this.w.error('The starting row of the range is too small.');
    if (col < 1) throw this.w.error('The starting column of the range is too small.');
    if (nr < 1) throw this.w.error('The number of rows in the range must be at least 1.');
    if (nc < 1) throw this.w.error('The number of columns in the range must be at least 1.');
    return new FakeRange(this.w, { sheet: this.state, row, col, numRows: nr, numCols: nc });
  }

  private parseA1(text: string): Area {
    const ss = this.state.parent;
    let parsed: ReturnType<typeof parseA1>;
    try {
      parsed = parseA1(text.trim());
    } catch {
      throw this.w.error('Range not found');
    }
    const sheet = parsed.sheet === undefined ? this.state : ss.sheetByName(parsed.sheet);
    if (!sheet) throw this.w.error('Range not found');
    const startRow = (parsed.startRow ?? 0) + 1;
    const startCol = (parsed.startCol ?? 0) + 1;
    const endRow = parsed.endRow ?? sheet.maxRows;
    const endCol = parsed.endCol ?? sheet.maxCols;
    if (
      parsed.sheet !== undefined &&
      parsed.startRow === undefined &&
      parsed.startCol === undefined &&
      parsed.endRow === undefined
    ) {
      throw this.w.error('Range not found');
    }
    return {
      sheet,
      row: startRow,
      col: startCol,
      numRows: endRow - startRow + 1,
      numCols: endCol - startCol + 1,
    };
  }

  setFrozenRows(rows: number): void {
    checkInt(this.w, 'SpreadsheetApp.Sheet.setFrozenRows', [rows]);
    if (rows < 0 || rows > this.state.maxRows) throw this.w.error('Those rows are out of bounds.');
    this.state.frozenRows = rows;
  }

  getFrozenRows(): number {
    return this.state.frozenRows;
  }

  hideSheet(): this {
    const visible = this.state.parent.sheets.filter((s) => !s.hidden && s !== this.state);
    if (visible.length === 0) throw this.w.error("You can't hide all the sheets in a document.");
    this.state.hidden = true;
    return this;
  }

  isSheetHidden(): boolean {
    return this.state.hidden;
  }

  insertRowsAfter(afterPosition: number, howMany: number): this {
    checkInt(this.w, 'SpreadsheetApp.Sheet.insertRowsAfter', [afterPosition, howMany]);
    if (afterPosition < 1 || afterPosition > this.state.maxRows || howMany < 1) {
      throw this.w.error('Those rows are out of bounds.');
    }
    this.state.insertRows(afterPosition, howMany);
    return this;
  }

  deleteRow(rowPosition: number): this {
    return this.deleteRows(rowPosition, 1);
  }

  deleteRows(rowPosition: number, howMany: number): this {
    checkInt(this.w, 'SpreadsheetApp.Sheet.deleteRows', [rowPosition, howMany]);
    const s = this.state;
    if (rowPosition < 1 || howMany < 1 || rowPosition + howMany - 1 > s.maxRows) {
      throw this.w.error('Those rows are out of bounds.');
    }
    if (s.maxRows - howMany <= s.frozenRows) {
      throw this.w.error('Sorry, it is not possible to delete all non-frozen rows.');
    }
    s.deleteRows(rowPosition, howMany);
    return this;
  }

  getConditionalFormatRules(): FakeConditionalFormatRule[] {
    return this.state.conditionalRules.map((r) => new FakeConditionalFormatRule(this.w, structuredCopy(r)));
  }

  setConditionalFormatRules(rules: unknown): void {
    if (!Array.isArray(rules) || rules.some((r) => !(r instanceof FakeConditionalFormatRule)))
      throw this.w.signatureError('SpreadsheetApp.Sheet.setConditionalFormatRules', [rules]);
    this.state.conditionalRules = (rules as FakeConditionalFormatRule[]).map((r) => structuredCopy(r.rule));
  }

  setColumnWidth(columnPosition: number, width: number): this {
    checkInt(this.w, 'SpreadsheetApp.Sheet.setColumnWidth', [columnPosition, width]);
    this.state.columnWidths.set(columnPosition, width);
    return this;
  }

  /** "Clears the sheet of content and formatting information." Notes, dropdowns and charts stay. */
  clear(): this {
    for (const row of this.state.rows) {
      for (const cell of row ?? []) {
        if (!cell) continue;
        for (const key of ['v', 'f', 'fmt', 'bg', 'fontWeight'] as const) delete cell[key];
      }
    }
    return this;
  }

  newChart(): FakeEmbeddedChartBuilder {
    return new FakeEmbeddedChartBuilder(this.w, this.state, {
      type: Enums.ChartType.LINE,
      ranges: [],
      numHeaders: -1,
      options: {},
      position: { row: 1, col: 1, offsetX: 0, offsetY: 0 },
    });
  }

  insertChart(chart: unknown): void {
    if (!(chart instanceof FakeEmbeddedChart))
      throw this.w.signatureError('SpreadsheetApp.Sheet.insertChart', [chart]);
    const taken = (n: number) => this.state.parent.sheets.some((s) => s.charts.some((c) => c.chartId === n));
    let id = this.w.newNumber();
    while (taken(id)) id = this.w.newNumber();
    this.state.charts.push({ ...copyChart(chart.chart), chartId: id });
  }

  updateChart(chart: unknown): void {
    if (!(chart instanceof FakeEmbeddedChart))
      throw this.w.signatureError('SpreadsheetApp.Sheet.updateChart', [chart]);
    const at = this.state.charts.findIndex(
      (c) => c.chartId !== undefined && c.chartId === chart.chart.chartId,
    );
    if (at < 0) throw this.w.error('The chart to update is not on this sheet.');
    this.state.charts[at] = copyChart(chart.chart);
  }

  removeChart(chart: unknown): void {
    if (!(chart instanceof FakeEmbeddedChart))
      throw this.w.signatureError('SpreadsheetApp.Sheet.removeChart', [chart]);
    const at = this.state.charts.findIndex(
      (c) => c.chartId !== undefined && c.chartId === chart.chart.chartId,
    );
    if (at < 0) throw this.w.error('The chart to remove is not on this sheet.');
    this.state.charts.splice(at, 1);
  }

  getCharts(): FakeEmbeddedChart[] {
    return this.state.charts.map((c) => new FakeEmbeddedChart(this.w, this.state, copyChart(c)));
  }
}

// ---------- charts ----------
// Apps Script "Class EmbeddedChartBuilder": "Builder used to edit an EmbeddedChart. Changes made
// to the chart are not saved until Sheet.updateChart(chart) is called on the rebuilt chart."
// "Class EmbeddedChart", getChartId(): "Returns a stable identifier for the chart that is unique
// across the spreadsheet containing the chart or null if the chart is not in a spreadsheet."
// Apps Script's messages for a chart updated or removed that is not on the sheet are not
// documented; the fake throws its own.

function copyChart(c: ChartState): ChartState {
  return {
    ...c,
    ranges: c.ranges.map((a) => ({ ...a })),
    options: structuredClone(c.options),
    position: { ...c.position },
  };
}

export class FakeEmbeddedChartBuilder
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Spreadsheet.EmbeddedChartBuilder,
      | 'addRange'
      | 'clearRanges'
      | 'setChartType'
      | 'setNumHeaders'
      | 'setOption'
      | 'setPosition'
      | 'build'
      | 'getChartType'
      | 'getRanges'
    >
{
  static override readonly gas = 'EmbeddedChartBuilder';

  constructor(
    w: World,
    readonly sheet: SheetState,
    readonly chart: ChartState,
  ) {
    super(w);
  }

  addRange(range: unknown): this {
    if (!(range instanceof FakeRange)) throw this.w.signatureError('EmbeddedChartBuilder.addRange', [range]);
    this.chart.ranges.push({ ...range.area });
    return this;
  }

  clearRanges(): this {
    this.chart.ranges = [];
    return this;
  }

  setChartType(type: unknown): this {
    if (!Object.values(Enums.ChartType).includes(type as GasEnum))
      throw this.w.signatureError('EmbeddedChartBuilder.setChartType', [type]);
    this.chart.type = type as GasEnum;
    return this;
  }

  getChartType(): GasEnum {
    return this.chart.type;
  }

  getRanges(): FakeRange[] {
    return this.chart.ranges.map((a) => new FakeRange(this.w, { ...a }));
  }

  setNumHeaders(headers: number): this {
    checkInt(this.w, 'EmbeddedChartBuilder.setNumHeaders', [headers]);
    this.chart.numHeaders = headers;
    return this;
  }

  setOption(option: string, value: unknown): this {
    if (typeof option !== 'string')
      throw this.w.signatureError('EmbeddedChartBuilder.setOption', [option, value]);
    this.chart.options[option] = structuredClone(value);
    return this;
  }

  setPosition(anchorRowPos: number, anchorColPos: number, offsetX: number, offsetY: number): this {
    const args = [anchorRowPos, anchorColPos, offsetX, offsetY];
    checkInt(this.w, 'EmbeddedChartBuilder.setPosition', args);
    if (anchorRowPos < 1 || anchorColPos < 1) throw this.w.error('The coordinates are out of bounds.');
    this.chart.position = { row: anchorRowPos, col: anchorColPos, offsetX, offsetY };
    return this;
  }

  build(): FakeEmbeddedChart {
    return new FakeEmbeddedChart(this.w, this.sheet, copyChart(this.chart));
  }
}

export class FakeEmbeddedChart
  extends Fake
  implements
    Pick<GoogleAppsScript.Spreadsheet.EmbeddedChart, 'getChartId' | 'getNumHeaders'>,
    Accepts<GoogleAppsScript.Spreadsheet.EmbeddedChart, 'getRanges' | 'getOptions' | 'modify'>
{
  static override readonly gas = 'EmbeddedChart';

  constructor(
    w: World,
    readonly sheet: SheetState,
    readonly chart: ChartState,
  ) {
    super(w);
  }

  getChartId(): number | null {
    return this.chart.chartId ?? null;
  }

  getNumHeaders(): number {
    return this.chart.numHeaders;
  }

  getRanges(): FakeRange[] {
    return this.chart.ranges.map((a) => new FakeRange(this.w, { ...a }));
  }

  getOptions(): FakeChartOptions {
    return new FakeChartOptions(this.w, structuredClone(this.chart.options));
  }

  modify(): FakeEmbeddedChartBuilder {
    return new FakeEmbeddedChartBuilder(this.w, this.sheet, copyChart(this.chart));
  }
}

export class FakeChartOptions extends Fake implements Pick<GoogleAppsScript.Charts.ChartOptions, 'get'> {
  static override readonly gas = 'ChartOptions';

  constructor(
    w: World,
    readonly options: Record<string, unknown>,
  ) {
    super(w);
  }

  get(option: string): unknown {
    return this.options[option] ?? null;
  }
}

/** The Charts service, as far as an embedded chart needs it: its enums. */
export class FakeCharts extends Fake {
  static override readonly gas = 'Charts';
  readonly ChartType = Enums.ChartType;
}

function structuredCopy(rule: ConditionalRuleState): ConditionalRuleState {
  return { ...rule, ranges: rule.ranges.map((a) => ({ ...a })) };
}

// ---------- Range ----------

export class FakeRange
  extends Fake
  implements
    Pick<
      GRange,
      | 'getValues'
      | 'getDisplayValues'
      | 'getValue'
      | 'getRow'
      | 'getColumn'
      | 'getNumRows'
      | 'getNumColumns'
      | 'getLastRow'
      | 'getLastColumn'
      | 'getA1Notation'
      | 'getNote'
      | 'getNotes'
      | 'getNumberFormat'
      | 'getFormulas'
    >,
    Accepts<
      GRange,
      | 'setValues'
      | 'setValue'
      | 'getSheet'
      | 'setNote'
      | 'setNotes'
      | 'clearNote'
      | 'setDataValidation'
      | 'getDataValidation'
      | 'getDataValidations'
      | 'setNumberFormat'
      | 'getNumberFormats'
      | 'protect'
      | 'clearContent'
      | 'setFontWeight'
      | 'setBackground'
    >
{
  static override readonly gas = 'Range';
  static override readonly group = 'spreadsheet';

  constructor(
    w: World,
    readonly area: Area,
  ) {
    super(w);
  }

  private each(fn: (row: number, col: number) => void): void {
    const { row, col, numRows, numCols } = this.area;
    for (let r = 0; r < numRows; r++) for (let c = 0; c < numCols; c++) fn(row + r, col + c);
  }

  private grid<T>(fn: (cell: Cell | undefined) => T): T[][] {
    const { sheet, row, col, numRows, numCols } = this.area;
    this.w.cells(numRows * numCols);
    const out: T[][] = [];
    for (let r = 0; r < numRows; r++) {
      const line: T[] = [];
      for (let c = 0; c < numCols; c++) line.push(fn(sheet.cell(row + r, col + c)));
      out.push(line);
    }
    return out;
  }

  private get timeZone(): string {
    return this.area.sheet.parent.timeZone;
  }

  getValues(): CellValue[][] {
    return this.grid(readValue);
  }

  getDisplayValues(): string[][] {
    const tz = this.timeZone;
    return this.grid((c) => displayValue(c, tz));
  }

  getFormulas(): string[][] {
    return this.grid((c) => c?.f ?? '');
  }

  getValue(): CellValue {
    return readValue(this.area.sheet.cell(this.area.row, this.area.col));
  }

  setValue(value: unknown): this {
    const { sheet } = this.area;
    const tz = this.timeZone;
    this.each((r, c) => writeCell(sheet.writable(r, c), value, tz));
    return this;
  }

  setValues(values: unknown[][]): this {
    const { sheet, row, col, numRows, numCols } = this.area;
    if (!Array.isArray(values) || values.some((v) => !Array.isArray(v))) {
      throw this.w.signatureError('SpreadsheetApp.Range.setValues', [values]);
    }
    if (values.length !== numRows) {
      throw this.w.error(
        `The number of rows in the data does not match the number of rows in the range. The data has ${values.length} but the range has ${numRows}.`,
      );
    }
    for (const line of values) {
      if (line.length !== numCols) {
        throw this.w.error(
          `The number of columns in the data does not match the number of columns in the range. The data has ${line.length} but the range has ${numCols}.`,
        );
      }
    }
    this.w.cells(numRows * numCols);
    const tz = this.timeZone;
    for (const [r, line] of values.entries()) {
      for (const [c, v] of line.entries()) writeCell(sheet.writable(row + r, col + c), v, tz);
    }
    return this;
  }

  getRow(): number {
    return this.area.row;
  }

  getColumn(): number {
    return this.area.col;
  }

  getNumRows(): number {
    return this.area.numRows;
  }

  getNumColumns(): number {
    return this.area.numCols;
  }

  getLastRow(): number {
    return this.area.row + this.area.numRows - 1;
  }

  getLastColumn(): number {
    return this.area.col + this.area.numCols - 1;
  }

  getA1Notation(): string {
    const { row, col, numRows, numCols } = this.area;
    const start = `${columnLetters(col - 1)}${row}`;
    if (numRows === 1 && numCols === 1) return start;
    return `${start}:${columnLetters(col + numCols - 2)}${row + numRows - 1}`;
  }

  getSheet(): FakeSheet {
    return this.area.sheet.api();
  }

  getNote(): string {
    return this.area.sheet.cell(this.area.row, this.area.col)?.note ?? '';
  }

  getNotes(): string[][] {
    return this.grid((c) => c?.note ?? '');
  }

  setNote(note: string | null): this {
    const text = note === null || note === undefined ? '' : String(note);
    const { sheet } = this.area;
    this.each((r, c) => {
      sheet.writable(r, c).note = text === '' ? undefined : text;
    });
    return this;
  }

  setNotes(notes: (string | null)[][]): this {
    const { sheet, row, col, numRows, numCols } = this.area;
    if (
      !Array.isArray(notes) ||
      notes.length !== numRows ||
      notes.some((l) => !Array.isArray(l) || l.length !== numCols)
    ) {
      const rows = Array.isArray(notes) ? notes.length : 0;
      throw this.w.error(
        rows !== numRows
          ? `The number of rows in the data does not match the number of rows in the range. The data has ${rows} but the range has ${numRows}.`
          : `The number of columns in the data does not match the number of columns in the range. The data has ${notes.find((l) => l.length !== numCols)?.length} but the range has ${numCols}.`,
      );
    }
    this.w.cells(numRows * numCols);
    for (const [r, line] of notes.entries()) {
      for (const [c, n] of line.entries()) {
        const text = n === null || n === undefined ? '' : String(n);
        sheet.writable(row + r, col + c).note = text === '' ? undefined : text;
      }
    }
    return this;
  }

  clearNote(): this {
    return this.setNote(null);
  }

  setDataValidation(rule: unknown): this {
    if (rule !== null && !(rule instanceof FakeDataValidation))
      throw this.w.signatureError('SpreadsheetApp.Range.setDataValidation', [rule]);
    const { sheet } = this.area;
    const state = rule
      ? {
          ...rule.rule,
          values: [...rule.rule.values],
          ...(rule.rule.range ? { range: { ...rule.rule.range } } : {}),
        }
      : undefined;
    this.each((r, c) => {
      sheet.writable(r, c).dv = state;
    });
    return this;
  }

  getDataValidation(): FakeDataValidation | null {
    const dv = this.area.sheet.cell(this.area.row, this.area.col)?.dv;
    return dv ? new FakeDataValidation(this.w, dv) : null;
  }

  setNumberFormat(numberFormat: string): this {
    const { sheet } = this.area;
    this.each((r, c) => {
      sheet.writable(r, c).fmt = String(numberFormat);
    });
    return this;
  }

  getNumberFormat(): string {
    return this.area.sheet.cell(this.area.row, this.area.col)?.fmt ?? DEFAULT_NUMBER_FORMAT;
  }

  getNumberFormats(): string[][] {
    return this.grid((c) => c?.fmt ?? DEFAULT_NUMBER_FORMAT);
  }

  getDataValidations(): (FakeDataValidation | null)[][] {
    return this.grid((c) => (c?.dv ? new FakeDataValidation(this.w, c.dv) : null));
  }

  protect(): FakeProtection {
    const p: ProtectionState = {
      ...this.area,
      description: '',
      warningOnly: false,
      editors: [this.w.userEmail],
    };
    this.area.sheet.parent.protections.push(p);
    return new FakeProtection(this.w, p);
  }

  clearContent(): this {
    const { sheet } = this.area;
    this.each((r, c) => {
      const cell = sheet.cell(r, c);
      if (cell) {
        cell.v = undefined;
        cell.f = undefined;
      }
    });
    return this;
  }

  setFontWeight(fontWeight: string | null): this {
    const { sheet } = this.area;
    this.each((r, c) => {
      sheet.writable(r, c).fontWeight = fontWeight ?? undefined;
    });
    return this;
  }

  setBackground(color: string | null): this {
    const { sheet } = this.area;
    this.each((r, c) => {
      sheet.writable(r, c).bg = color ?? undefined;
    });
    return this;
  }
}

// ---------- protections ----------

export class FakeProtection
  extends Fake
  implements
    Pick<GoogleAppsScript.Spreadsheet.Protection, 'getDescription' | 'isWarningOnly'>,
    Accepts<GoogleAppsScript.Spreadsheet.Protection, 'setDescription' | 'setWarningOnly' | 'getRange'>
{
  static override readonly gas = 'Protection';
  static override readonly group = 'spreadsheet';

  constructor(
    w: World,
    readonly state: ProtectionState,
  ) {
    super(w);
  }

  setDescription(description: string): this {
    this.state.description = String(description);
    return this;
  }

  getDescription(): string {
    return this.state.description;
  }

  setWarningOnly(warningOnly: boolean): this {
    this.state.warningOnly = Boolean(warningOnly);
    return this;
  }

  isWarningOnly(): boolean {
    return this.state.warningOnly;
  }

  getRange(): FakeRange {
    const { sheet, row, col, numRows, numCols } = this.state;
    return new FakeRange(this.w, { sheet, row, col, numRows, numCols });
  }
}

// ---------- data validation ----------

export class FakeDataValidationBuilder
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Spreadsheet.DataValidationBuilder,
      | 'requireValueInList'
      | 'requireValueInRange'
      | 'requireDate'
      | 'setAllowInvalid'
      | 'setHelpText'
      | 'build'
    >
{
  static override readonly gas = 'DataValidationBuilder';
  private criteria?: Pick<ValidationRule, 'criteria' | 'range' | 'values' | 'showDropdown'>;
  private allowInvalid = true;
  private helpText = '';

  requireValueInList(values: string[], showDropdown = true): this {
    if (!Array.isArray(values))
      throw this.w.signatureError('DataValidationBuilder.requireValueInList', [values]);
    this.criteria = {
      criteria: 'VALUE_IN_LIST',
      values: values.map(String),
      showDropdown: Boolean(showDropdown),
    };
    return this;
  }

  /** "Sets the data validation rule to require that the input is equal to a value in the given range." */
  requireValueInRange(range: unknown, showDropdown = true): this {
    if (!(range instanceof FakeRange))
      throw this.w.signatureError('DataValidationBuilder.requireValueInRange', [range]);
    const a1 = range.getA1Notation();
    this.criteria = {
      criteria: 'VALUE_IN_RANGE',
      range: { sheet: range.getSheet().getName(), a1, given: range },
      values: [],
      showDropdown: Boolean(showDropdown),
    };
    return this;
  }

  /** "Sets the data validation rule to require a date." */
  requireDate(): this {
    this.criteria = { criteria: 'DATE_IS_VALID_DATE', values: [], showDropdown: false };
    return this;
  }

  setAllowInvalid(allowInvalidData: boolean): this {
    this.allowInvalid = Boolean(allowInvalidData);
    return this;
  }

  setHelpText(helpText: string): this {
    this.helpText = String(helpText);
    return this;
  }

  build(): FakeDataValidation {
    if (!this.criteria) throw this.w.error('You must specify a criteria for the data validation rule.');
    return new FakeDataValidation(this.w, {
      ...this.criteria,
      values: [...this.criteria.values],
      allowInvalid: this.allowInvalid,
      helpText: this.helpText,
    });
  }
}

export class FakeDataValidation
  extends Fake
  implements
    Pick<GoogleAppsScript.Spreadsheet.DataValidation, 'getAllowInvalid' | 'getHelpText'>,
    Accepts<GoogleAppsScript.Spreadsheet.DataValidation, 'getCriteriaType' | 'getCriteriaValues'>
{
  static override readonly gas = 'DataValidation';

  constructor(
    w: World,
    readonly rule: ValidationRule,
  ) {
    super(w);
  }

  getCriteriaType(): GasEnum {
    return Enums.DataValidationCriteria[this.rule.criteria]!;
  }

  getCriteriaValues(): unknown[] {
    if (this.rule.criteria === 'DATE_IS_VALID_DATE') return [];
    if (this.rule.criteria === 'VALUE_IN_RANGE') return [this.rule.range!.given, this.rule.showDropdown];
    return [[...this.rule.values], this.rule.showDropdown];
  }

  getAllowInvalid(): boolean {
    return this.rule.allowInvalid;
  }

  getHelpText(): string {
    return this.rule.helpText;
  }
}

// ---------- conditional formats ----------

export class FakeConditionalFormatRuleBuilder
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Spreadsheet.ConditionalFormatRuleBuilder,
      'whenTextEqualTo' | 'setBackground' | 'setFontColor' | 'setBold' | 'setRanges' | 'build'
    >
{
  static override readonly gas = 'ConditionalFormatRuleBuilder';
  private readonly rule: Partial<ConditionalRuleState> & { ranges: Area[] } = { ranges: [] };

  whenTextEqualTo(text: string): this {
    this.rule.text = String(text);
    return this;
  }

  setBackground(color: string | null): this {
    this.rule.background = color ?? undefined;
    return this;
  }

  setFontColor(color: string | null): this {
    this.rule.fontColor = color ?? undefined;
    return this;
  }

  setBold(bold: boolean | null): this {
    this.rule.bold = bold ?? undefined;
    return this;
  }

  setRanges(ranges: unknown): this {
    if (!Array.isArray(ranges) || ranges.some((r) => !(r instanceof FakeRange))) {
      throw this.w.signatureError('ConditionalFormatRuleBuilder.setRanges', [ranges]);
    }
    this.rule.ranges = (ranges as FakeRange[]).map((r) => ({ ...r.area }));
    return this;
  }

  build(): FakeConditionalFormatRule {
    if (this.rule.text === undefined)
      throw this.w.error('The conditional format rule must have a condition.');
    if (this.rule.ranges.length === 0)
      throw this.w.error('The conditional format rule must have at least one range.');
    return new FakeConditionalFormatRule(this.w, {
      ...this.rule,
      text: this.rule.text,
      ranges: this.rule.ranges.map((a) => ({ ...a })),
    });
  }
}

export class FakeConditionalFormatRule
  extends Fake
  implements Accepts<GoogleAppsScript.Spreadsheet.ConditionalFormatRule, 'getRanges' | 'getBooleanCondition'>
{
  static override readonly gas = 'ConditionalFormatRule';

  constructor(
    w: World,
    readonly rule: ConditionalRuleState,
  ) {
    super(w);
  }

  getRanges(): FakeRange[] {
    return this.rule.ranges.map((a) => new FakeRange(this.w, { ...a }));
  }

  getBooleanCondition(): FakeBooleanCondition {
    return new FakeBooleanCondition(this.w, this.rule);
  }
}

export class FakeBooleanCondition
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Spreadsheet.BooleanCondition,
      'getCriteriaType' | 'getCriteriaValues' | 'getBackground' | 'getFontColor' | 'getBold'
    >
{
  static override readonly gas = 'BooleanCondition';

  constructor(
    w: World,
    readonly rule: ConditionalRuleState,
  ) {
    super(w);
  }

  getCriteriaType(): GasEnum {
    return Enums.BooleanCriteria.TEXT_EQUAL_TO;
  }

  getCriteriaValues(): unknown[] {
    return [this.rule.text];
  }

  getBackground(): string | null {
    return this.rule.background ?? null;
  }

  getFontColor(): string | null {
    return this.rule.fontColor ?? null;
  }

  getBold(): boolean | null {
    return this.rule.bold ?? null;
  }
}
