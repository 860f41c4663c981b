/**
 * The state and semantics of the emulated Sheets v4 API, with no HTTP: every method takes the
 * path parameters, query and body the API takes and returns the JSON Google returns, or throws
 * an ApiError with Google's status and wording.
 *
 * Emulated: spreadsheets create / get (fields, ranges, grid data) / batchUpdate (the request
 * kinds in REQUEST_HANDLERS, atomically — basic charts among them), values get / batchGet / update / append / clear /
 * batchUpdate / batchClear and their ByDataFilter forms, developerMetadata get / search.
 * Rows carry their developer metadata, formats and validation with them when rows are inserted,
 * deleted, moved or sorted.
 *
 * Deliberately not emulated (a clear 400 names them): other batchUpdate request kinds, COLUMN
 * developer metadata, named ranges, R1C1 ranges, formula evaluation.
 */
import { type A1Range, columnLetters, formatA1, type GridBounds, parseA1, unableToParse } from './a1';
import {
  type CellFormat,
  type CellInput,
  cellJson,
  DATE_TIME_RENDER_OPTIONS,
  interpretInput,
  parseUserEntered,
  type Scalar,
  VALUE_INPUT_OPTIONS,
  VALUE_RENDER_OPTIONS,
  type ValueInputOption,
} from './cells';
import { ApiError, badRequest, NOT_FOUND_MESSAGE, notEmulated, requestKind, snake } from './errors';
import {
  anchorOf,
  type Box,
  boxA1,
  cellAt,
  clampBox,
  clearBox,
  clearValue,
  columnCount,
  deleteColumns,
  deleteRows,
  exceedsGrid,
  findSheet,
  getCell,
  insertColumns,
  insertRows,
  type JsonObject,
  lastDataColumn,
  lastDataRow,
  longest,
  type Metadata,
  type MetadataLocation,
  metadataChanged,
  metadataIndex,
  metadataRows,
  moveOrder,
  permute,
  permuteRows,
  type ReadOptions,
  readValues,
  reindex,
  removeMetadata,
  rowAt,
  rowCount,
  runs,
  type Sheet,
  type Spreadsheet,
  sortBox,
} from './grid';

export type {
  JsonObject,
  Metadata,
  MetadataLocation,
  Row,
  Sheet,
  SheetProperties,
  Spreadsheet,
} from './grid';

/** Edits a person makes in the Sheets UI (applied by the emulator between API calls). */
export type HumanEdit =
  /** Types a value into a cell, as a person would (USER_ENTERED); null or '' empties it. */
  | { op: 'set'; sheet: string; a1: string; value: Scalar | null }
  /** Inserts `count` empty rows so that they become rows `at`…; 1-based. */
  | { op: 'insertRows'; sheet: string; at: number; count: number }
  /** Deletes rows `at`…`at + count - 1`; 1-based. */
  | { op: 'deleteRows'; sheet: string; at: number; count: number }
  /** Moves rows `from`…`from + count - 1` so that they end up before row `to` (1-based, as before the move). */
  | { op: 'moveRows'; sheet: string; from: number; count: number; to: number }
  /** Sorts rows 2…last by the column headed `by` (Data › Sort range with a header row). */
  | { op: 'sortRows'; sheet: string; by: string; descending?: boolean }
  /** Inserts `count` empty columns before column `at` (a letter), e.g. a person adding their own column. */
  | { op: 'insertColumns'; sheet: string; at: string; count: number }
  /** Deletes `count` columns starting at column `at` (a letter). */
  | { op: 'deleteColumns'; sheet: string; at: string; count: number };

export interface SheetSeed {
  title: string;
  /** Rows from row 1, stored as RAW values; null is an empty cell. */
  rows: (Scalar | null)[][];
  /** Number formats per column (index 0 = A), applied from row 2 to the last row of the grid. */
  columnFormats?: (CellFormat['numberFormat'] | undefined)[];
  frozenRowCount?: number;
}

export interface SpreadsheetSeed {
  title: string;
  timeZone: string;
  locale?: string;
  sheets: SheetSeed[];
}

export interface SheetsOptions {
  /** Source of ids (spreadsheets, sheets, metadata); seeded and deterministic by default. */
  random?: () => number;
  /**
   * Whether row developer metadata moves with its row when a range is sorted (sortRange or a
   * human sort). Google documents that metadata follows rows on insert and delete
   * ("REST Resource: spreadsheets.developerMetadata": "if developer metadata is associated with
   * row 5 and another row is then subsequently inserted above row 5, that original metadata is
   * still associated with the row it was first associated with"); for sorting it says nothing.
   * false by default: the reading that is worse for a job (metadata stays where it was).
   */
  metadataFollowsSort?: boolean;
}

const DEFAULT_ROWS = 1000;

/**
 * Drive help "Files you can store in Google Drive": "Up to 10 million cells or 18,278 columns
 * (column ZZZ) for spreadsheets that are created in or converted to Google Sheets."
 */
export const MAX_CELLS = 10_000_000;

/**
 * Sheets refuses a longer cell with "Your input contains more than the maximum of 50000
 * characters in a single cell" (the error Google returns, as reported by Sheets API users;
 * Drive help "Files you can store in Google Drive" lists the other spreadsheet limits).
 */
export const MAX_CELL_CHARACTERS = 50_000;

/**
 * Sheets API guide "Read and write developer metadata" (About metadata, size limits): the keys
 * and values of the metadata of a spreadsheet are limited to 30,000 characters, and those of
 * each sheet (the sheet, its rows and its columns) to 30,000 more.
 */
export const MAX_METADATA_CHARACTERS = 30_000;

/** Grid cells in a spreadsheet (every sheet's rows × columns, empty or not), as Google counts them. */
export function cellCount(ss: Spreadsheet): number {
  return ss.sheets.reduce((n, s) => n + rowCount(s) * columnCount(s), 0);
}

function checkCells(ss: Spreadsheet, adding = 0): void {
  const total = cellCount(ss) + adding;
  if (total > MAX_CELLS) {
    throw badRequest(
      `This action would increase the number of cells in the workbook above the limit of ${MAX_CELLS} cells.`,
    );
  }
}

/** Metadata characters (keys and values) in use: on the spreadsheet itself and per sheet id. */
export function metadataCharacters(ss: Spreadsheet): { spreadsheet: number; sheets: Map<number, number> } {
  const sheets = new Map<number, number>();
  let spreadsheet = 0;
  for (const m of ss.metadata.values()) {
    const n = m.metadataKey.length + (m.metadataValue?.length ?? 0);
    if (m.location.type === 'SPREADSHEET') spreadsheet += n;
    else sheets.set(m.location.sheetId, (sheets.get(m.location.sheetId) ?? 0) + n);
  }
  return { spreadsheet, sheets };
}

const DEFAULT_COLUMNS = 26;

/** A small deterministic PRNG (mulberry32), so ids repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------- small JSON helpers ----------

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, where: string): JsonObject {
  if (v === undefined) return {};
  if (!isObject(v)) throw badRequest(`Invalid value at '${where}': expected an object`);
  return v;
}

function arrayAt(v: unknown, where: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(`Invalid value at '${where}': expected a list`);
  return v;
}

function intAt(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw badRequest(`Invalid value at '${where}' (TYPE_INT32), ${JSON.stringify(v)}`);
  }
  return n;
}

function enumAt<T extends string>(
  v: unknown,
  allowed: readonly T[],
  fallback: T,
  where: string,
  type: string,
): T {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw badRequest(
      `Invalid value at '${where}' (type.googleapis.com/google.apps.sheets.v4.${type}), "${v}"`,
    );
  }
  return v as T;
}

/** Google's JSON leaves out zero counts (proto3 defaults). */
function withoutZeros<T extends JsonObject>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === 0) delete o[k];
  return o;
}

// ---------- the state ----------

interface WriteResult extends JsonObject {
  spreadsheetId: string;
  updatedRange: string;
  updatedRows: number;
  updatedColumns: number;
  updatedCells: number;
}

export class SheetsState {
  private readonly store = new Map<string, Spreadsheet>();
  private readonly random: () => number;
  readonly metadataFollowsSort: boolean;

  constructor(options: SheetsOptions = {}) {
    this.random = options.random ?? seededRandom(20261203);
    this.metadataFollowsSort = options.metadataFollowsSort ?? false;
  }

  /** The live spreadsheets (mutable: tests may inspect them). */
  get spreadsheets(): ReadonlyMap<string, Spreadsheet> {
    return this.store;
  }

  spreadsheet(id: string): Spreadsheet {
    const ss = this.store.get(id);
    if (!ss) throw new ApiError(404, NOT_FOUND_MESSAGE);
    return ss;
  }

  // ----- ids -----

  private newSpreadsheetId(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (;;) {
      let id = '1';
      for (let i = 1; i < 44; i++) id += alphabet[Math.floor(this.random() * alphabet.length)];
      if (!this.store.has(id)) return id;
    }
  }

  private newInt(taken: (n: number) => boolean): number {
    for (;;) {
      const n = 1 + Math.floor(this.random() * 2_147_483_646);
      if (!taken(n)) return n;
    }
  }

  private newSheetId(ss: Spreadsheet): number {
    return this.newInt((n) => ss.sheets.some((s) => s.properties.sheetId === n));
  }

  // ----- creating -----

  private blankSheet(ss: Spreadsheet, props: JsonObject, where: string): Sheet {
    const grid = objectAt(props.gridProperties, `${where}.gridProperties`);
    const sheetId = intAt(props.sheetId, `${where}.sheetId`) ?? this.newSheetId(ss);
    if (ss.sheets.some((s) => s.properties.sheetId === sheetId)) {
      throw badRequest(`Duplicate sheet ID: ${sheetId}`);
    }
    let title = props.title === undefined ? undefined : String(props.title);
    if (title === undefined) {
      let n = ss.sheets.length + 1;
      while (findSheet(ss, `Sheet${n}`)) n++;
      title = `Sheet${n}`;
    }
    if (title.trim() === '') throw badRequest('The sheet name cannot be empty.');
    if (findSheet(ss, title)) {
      throw badRequest(`A sheet with the name "${title}" already exists. Please enter another name.`);
    }
    const rows = intAt(grid.rowCount, `${where}.gridProperties.rowCount`) ?? DEFAULT_ROWS;
    const cols = intAt(grid.columnCount, `${where}.gridProperties.columnCount`) ?? DEFAULT_COLUMNS;
    if (rows < 1 || cols < 1) throw badRequest('A sheet must have at least one row and column.');
    const frozen = intAt(grid.frozenRowCount, `${where}.gridProperties.frozenRowCount`) ?? 0;
    const frozenCols = intAt(grid.frozenColumnCount, `${where}.gridProperties.frozenColumnCount`) ?? 0;
    const sheet: Sheet = {
      properties: {
        sheetId,
        title,
        index: 0,
        sheetType: 'GRID',
        gridProperties: { rowCount: rows, columnCount: cols },
      },
      rows: [],
      columns: [],
      conditionalFormats: [],
      protectedRanges: [],
    };
    if (frozen) sheet.properties.gridProperties.frozenRowCount = frozen;
    if (frozenCols) sheet.properties.gridProperties.frozenColumnCount = frozenCols;
    if (props.hidden === true) sheet.properties.hidden = true;
    if (isObject(props.tabColor)) sheet.properties.tabColor = structuredClone(props.tabColor);
    if (isObject(props.tabColorStyle)) sheet.properties.tabColorStyle = structuredClone(props.tabColorStyle);
    return sheet;
  }

  /** spreadsheets.create: properties and sheets' properties; grid data and the rest are refused. */
  create(body: unknown): JsonObject {
    const b = objectAt(body, 'spreadsheet');
    for (const key of Object.keys(b)) {
      if (!['properties', 'sheets', 'spreadsheetId', 'spreadsheetUrl'].includes(key)) {
        throw notEmulated(`Creating a spreadsheet with "${key}"`);
      }
    }
    const props = objectAt(b.properties, 'properties');
    const ss: Spreadsheet = {
      spreadsheetId: this.newSpreadsheetId(),
      properties: {
        title: props.title === undefined ? 'Untitled spreadsheet' : String(props.title),
        locale: props.locale === undefined ? 'en_US' : String(props.locale),
        autoRecalc: 'ON_CHANGE',
        timeZone: props.timeZone === undefined ? 'Etc/GMT' : String(props.timeZone),
      },
      sheets: [],
      metadata: new Map(),
    };
    const sheets = arrayAt(b.sheets, 'sheets');
    sheets.forEach((s, i) => {
      const sheetJson = objectAt(s, `sheets[${i}]`);
      for (const key of Object.keys(sheetJson)) {
        if (key !== 'properties') throw notEmulated(`Creating a sheet with "${key}"`);
      }
      const p = objectAt(sheetJson.properties, `sheets[${i}].properties`);
      try {
        ss.sheets.push(
          this.blankSheet(
            ss,
            { ...p, sheetId: p.sheetId ?? (i === 0 ? 0 : undefined) },
            `sheets[${i}].properties`,
          ),
        );
      } catch (e) {
        throw prefixed(e, `sheets[${i}].properties`);
      }
    });
    if (ss.sheets.length === 0)
      ss.sheets.push(this.blankSheet(ss, { sheetId: 0, title: 'Sheet1' }, 'sheets[0]'));
    reindex(ss);
    this.store.set(ss.spreadsheetId, ss);
    return this.spreadsheetJson(ss, {});
  }

  /** Adds a spreadsheet holding the given values (the emulator's seeding, not an API call). */
  seed(seed: SpreadsheetSeed): string {
    const created = this.create({
      properties: { title: seed.title, timeZone: seed.timeZone, locale: seed.locale ?? 'en_US' },
      sheets: seed.sheets.map((s, i) => ({
        properties: {
          title: s.title,
          sheetId: i,
          gridProperties: {
            rowCount: Math.max(DEFAULT_ROWS, s.rows.length + 1),
            columnCount: Math.max(DEFAULT_COLUMNS, longest(s.rows)),
            frozenRowCount: s.frozenRowCount,
          },
        },
      })),
    });
    const ss = this.spreadsheet(String(created.spreadsheetId));
    seed.sheets.forEach((s, i) => {
      const sheet = ss.sheets[i]!;
      s.rows.forEach((row, r) => {
        row.forEach((value, c) => {
          if (value !== null && value !== '') cellAt(sheet, r, c).value = value;
        });
      });
      s.columnFormats?.forEach((nf, c) => {
        if (!nf) return;
        for (let r = 1; r < rowCount(sheet); r++) {
          const cell = cellAt(sheet, r, c);
          cell.format = { ...cell.format, numberFormat: { ...nf } };
        }
      });
    });
    return ss.spreadsheetId;
  }

  // ----- spreadsheets.get -----

  get(id: string, query: { ranges?: string[]; includeGridData?: boolean }): JsonObject {
    const ss = this.spreadsheet(id);
    const ranges = (query.ranges ?? []).map((r) => this.readBox(ss, r));
    return this.spreadsheetJson(ss, { ranges, includeGridData: query.includeGridData === true });
  }

  getByDataFilter(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const ranges = arrayAt(b.dataFilters, 'data_filters').flatMap(
      (f, i) => this.filterBoxes(ss, f, `dataFilters[${i}]`).boxes,
    );
    return this.spreadsheetJson(ss, { ranges, includeGridData: b.includeGridData === true });
  }

  private spreadsheetJson(ss: Spreadsheet, opts: { ranges?: Box[]; includeGridData?: boolean }): JsonObject {
    const ranges = opts.ranges ?? [];
    const sheets = ss.sheets
      .filter((s) => ranges.length === 0 || ranges.some((b) => b.sheet === s))
      .map((sheet) => {
        const out: JsonObject = { properties: structuredClone(sheet.properties) };
        const own = ranges.filter((b) => b.sheet === sheet);
        if (opts.includeGridData) {
          const boxes = own.length
            ? own
            : [{ sheet, r0: 0, r1: rowCount(sheet), c0: 0, c1: columnCount(sheet) }];
          out.data = boxes.map((box) => this.gridData(ss, box));
        }
        if (sheet.conditionalFormats.length)
          out.conditionalFormats = structuredClone(sheet.conditionalFormats);
        if (sheet.protectedRanges.length) out.protectedRanges = structuredClone(sheet.protectedRanges);
        if (sheet.charts?.length) out.charts = structuredClone(sheet.charts);
        const meta = [...ss.metadata.values()].filter(
          (m) => m.location.type === 'SHEET' && m.location.sheetId === sheet.properties.sheetId,
        );
        if (meta.length) out.developerMetadata = meta.map((m) => this.metadataJson(ss, m));
        return out;
      });
    const out: JsonObject = {
      spreadsheetId: ss.spreadsheetId,
      properties: structuredClone(ss.properties),
      sheets,
    };
    const top = [...ss.metadata.values()].filter((m) => m.location.type === 'SPREADSHEET');
    if (top.length) out.developerMetadata = top.map((m) => this.metadataJson(ss, m));
    out.spreadsheetUrl = `https://docs.google.com/spreadsheets/d/${ss.spreadsheetId}/edit`;
    return out;
  }

  private gridData(ss: Spreadsheet, box: Box): JsonObject {
    const { sheet } = box;
    const rowData: JsonObject[] = [];
    let lastRow = -1;
    for (let r = box.r0; r < box.r1; r++) {
      const cells = sheet.rows[r]?.cells ?? [];
      const values: JsonObject[] = [];
      let lastCol = -1;
      for (let c = box.c0; c < Math.min(box.c1, cells.length); c++) {
        const json = cellJson(cells[c]);
        values.push(json);
        if (Object.keys(json).length) lastCol = c - box.c0;
      }
      values.length = lastCol + 1;
      rowData.push(values.length ? { values } : {});
      if (values.length) lastRow = r - box.r0;
    }
    rowData.length = lastRow + 1;
    const rowMetadata: JsonObject[] = [];
    for (let r = box.r0; r < box.r1; r++) {
      const row = sheet.rows[r];
      const m: JsonObject = { pixelSize: row?.pixelSize ?? 21 };
      if (row?.hiddenByUser) m.hiddenByUser = true;
      const meta = (row?.metadata ?? []).map((id) => this.metadataJson(ss, ss.metadata.get(id)!));
      if (meta.length) m.developerMetadata = meta;
      rowMetadata.push(m);
    }
    const columnMetadata: JsonObject[] = [];
    for (let c = box.c0; c < box.c1; c++) {
      const col = sheet.columns[c];
      const m: JsonObject = { pixelSize: col?.pixelSize ?? 100 };
      if (col?.hiddenByUser) m.hiddenByUser = true;
      columnMetadata.push(m);
    }
    const out: JsonObject = {};
    if (box.r0) out.startRow = box.r0;
    if (box.c0) out.startColumn = box.c0;
    if (rowData.length) out.rowData = rowData;
    out.rowMetadata = rowMetadata;
    out.columnMetadata = columnMetadata;
    return out;
  }

  // ----- ranges -----

  /** The sheet and bounds an A1 range names; an unknown sheet is "Unable to parse range". */
  resolve(ss: Spreadsheet, text: string): { sheet: Sheet; bounds: A1Range } {
    if (typeof text !== 'string') throw unableToParse(String(text));
    const bounds = parseA1(text, (name) => findSheet(ss, name) !== undefined);
    const sheet = bounds.sheet === undefined ? ss.sheets[0] : findSheet(ss, bounds.sheet);
    if (!sheet) throw unableToParse(text);
    return { sheet, bounds };
  }

  /** A range to read: clamped to the grid; a range starting outside the grid is refused. */
  private readBox(ss: Spreadsheet, text: string): Box {
    const { sheet, bounds } = this.resolve(ss, text);
    return clampBox(sheet, bounds);
  }

  private gridRangeBox(ss: Spreadsheet, gr: unknown, where: string, strict: boolean): Box {
    const g = objectAt(gr, where);
    const sheetId = intAt(g.sheetId, `${where}.sheetId`) ?? 0;
    const sheet = ss.sheets.find((s) => s.properties.sheetId === sheetId);
    if (!sheet) throw badRequest(`No grid with id: ${sheetId}`);
    const bounds: GridBounds = {
      startRow: intAt(g.startRowIndex, `${where}.startRowIndex`),
      endRow: intAt(g.endRowIndex, `${where}.endRowIndex`),
      startCol: intAt(g.startColumnIndex, `${where}.startColumnIndex`),
      endCol: intAt(g.endColumnIndex, `${where}.endColumnIndex`),
    };
    for (const v of Object.values(bounds)) {
      if (v !== undefined && v < 0) throw badRequest(`Invalid ${where}: indexes must not be negative`);
    }
    if (
      strict &&
      ((bounds.endRow ?? 0) > rowCount(sheet) ||
        (bounds.endCol ?? 0) > columnCount(sheet) ||
        (bounds.startRow ?? 0) >= rowCount(sheet) ||
        (bounds.startCol ?? 0) >= columnCount(sheet))
    ) {
      throw exceedsGrid(sheet, bounds);
    }
    return clampBox(sheet, bounds);
  }

  // ----- reading values -----

  private readOptions(q: JsonObject, prefix = ''): ReadOptions {
    const name = (n: string) => (prefix ? `${prefix}${n[0]!.toUpperCase()}${n.slice(1)}` : n);
    return {
      majorDimension: enumAt(
        q.majorDimension,
        ['ROWS', 'COLUMNS'] as const,
        'ROWS',
        'major_dimension',
        'Dimension',
      ),
      render: enumAt(
        q[name('valueRenderOption')],
        VALUE_RENDER_OPTIONS,
        'FORMATTED_VALUE',
        snake(name('valueRenderOption')),
        'ValueRenderOption',
      ),
      dateTime: enumAt(
        q[name('dateTimeRenderOption')],
        DATE_TIME_RENDER_OPTIONS,
        'SERIAL_NUMBER',
        snake(name('dateTimeRenderOption')),
        'DateTimeRenderOption',
      ),
    };
  }

  private valueRange(box: Box, o: ReadOptions): JsonObject {
    const out: JsonObject = { range: boxA1(box), majorDimension: o.majorDimension };
    const values = readValues(box, o);
    if (values.length) out.values = values;
    return out;
  }

  valuesGet(id: string, range: string, query: JsonObject): JsonObject {
    const ss = this.spreadsheet(id);
    return this.valueRange(this.readBox(ss, range), this.readOptions(query));
  }

  valuesBatchGet(id: string, ranges: string[], query: JsonObject): JsonObject {
    const ss = this.spreadsheet(id);
    const o = this.readOptions(query);
    const valueRanges = ranges.map((r) => this.valueRange(this.readBox(ss, r), o));
    const out: JsonObject = { spreadsheetId: id };
    if (valueRanges.length) out.valueRanges = valueRanges;
    return out;
  }

  valuesBatchGetByDataFilter(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const o = this.readOptions(b);
    const valueRanges: JsonObject[] = [];
    arrayAt(b.dataFilters, 'data_filters').forEach((f, i) => {
      for (const box of this.filterBoxes(ss, f, `dataFilters[${i}]`).boxes) {
        valueRanges.push({ valueRange: this.valueRange(box, o), dataFilters: [structuredClone(f)] });
      }
    });
    const out: JsonObject = { spreadsheetId: id };
    if (valueRanges.length) out.valueRanges = valueRanges;
    return out;
  }

  // ----- writing values -----

  private inputOption(v: unknown): ValueInputOption {
    if (v === undefined || v === null || v === '' || v === 'INPUT_VALUE_OPTION_UNSPECIFIED') {
      throw badRequest("'valueInputOption' is required but not specified");
    }
    return enumAt(v, VALUE_INPUT_OPTIONS, 'RAW', 'value_input_option', 'ValueInputOption');
  }

  /** Checks and normalises the `values` of a ValueRange to rows (COLUMNS is transposed). */
  private rowsOf(v: JsonObject, where: string): unknown[][] {
    const major = enumAt(
      v.majorDimension,
      ['ROWS', 'COLUMNS'] as const,
      'ROWS',
      `${where}major_dimension`,
      'Dimension',
    );
    const values = arrayAt(v.values, `${where}values`).map((row, i) => arrayAt(row, `${where}values[${i}]`));
    if (major === 'ROWS') return values;
    const rows: unknown[][] = [];
    values.forEach((col, c) => {
      col.forEach((value, r) => {
        rows[r] ??= [];
        rows[r][c] = value;
      });
    });
    return Array.from(rows, (r) => Array.from(r ?? [], (x) => x ?? null));
  }

  /**
   * Writes rows of values at a box's top-left corner. With `grow` (append) the grid grows to fit;
   * otherwise values beyond the range or the grid are refused, as Google does.
   */
  private writeRows(
    ss: Spreadsheet,
    sheet: Sheet,
    bounds: GridBounds,
    text: string,
    rows: unknown[][],
    option: ValueInputOption,
    grow: boolean,
    dryRun = false,
  ): { result: WriteResult; written: Box } {
    const r0 = bounds.startRow ?? 0;
    const c0 = bounds.startCol ?? 0;
    if (!grow && (r0 >= rowCount(sheet) || c0 >= columnCount(sheet))) throw exceedsGrid(sheet, bounds);
    const limitRow = Math.min(bounds.endRow ?? Number.POSITIVE_INFINITY, grow ? Infinity : rowCount(sheet));
    const limitCol = Math.min(
      bounds.endCol ?? Number.POSITIVE_INFINITY,
      grow ? Infinity : columnCount(sheet),
    );
    const width = longest(rows);
    const inputs: { r: number; c: number; input: ReturnType<typeof interpretInput> }[] = [];
    rows.forEach((row, i) => {
      row.forEach((value, j) => {
        const r = r0 + i;
        const c = c0 + j;
        if (r >= limitRow) {
          throw badRequest(`Requested writing within range [${text}], but tried writing to row [${r + 1}]`);
        }
        if (c >= limitCol) {
          throw badRequest(
            `Requested writing within range [${text}], but tried writing to column [${columnLetters(c)}]`,
          );
        }
        if (typeof value === 'string' && value.length > MAX_CELL_CHARACTERS) {
          throw badRequest(
            `Your input contains more than the maximum of ${MAX_CELL_CHARACTERS} characters in a single cell.`,
          );
        }
        const input = interpretInput(
          value,
          option,
          getCell(sheet, r, c),
          ss.properties.locale,
          `values[${i}][${j}]`,
        );
        if (input.kind !== 'skip') inputs.push({ r, c, input });
      });
    });
    // The written box: the values' rows × their longest row (one cell when there are none).
    const written: Box = { sheet, r0, r1: r0 + Math.max(rows.length, 1), c0, c1: c0 + Math.max(width, 1) };
    const result: WriteResult = {
      spreadsheetId: ss.spreadsheetId,
      updatedRange: boxA1(written),
      updatedRows: 0,
      updatedColumns: 0,
      updatedCells: inputs.length,
    };
    if (dryRun) return { result, written };
    const gp = sheet.properties.gridProperties;
    if (grow) {
      gp.rowCount = Math.max(gp.rowCount, r0 + rows.length);
      gp.columnCount = Math.max(gp.columnCount, c0 + width);
    }
    const touchedRows = new Set<number>();
    const touchedCols = new Set<number>();
    for (const { r, c, input } of inputs) {
      touchedRows.add(r);
      touchedCols.add(c);
      if (input.kind === 'clear') {
        clearValue(sheet, r, c);
        continue;
      }
      if (input.kind !== 'set') continue;
      const cell = cellAt(sheet, r, c);
      delete cell.value;
      delete cell.formula;
      if (input.formula !== undefined) cell.formula = input.formula;
      else cell.value = input.value;
      if (input.numberFormat) cell.format = { ...cell.format, numberFormat: input.numberFormat };
    }
    result.updatedRows = touchedRows.size;
    result.updatedColumns = touchedCols.size;
    return { result, written };
  }

  /**
   * The box `includeValuesInResponse` returns: the requested range, or for a one-cell range
   * (an anchor) the cells written.
   */
  private responseBox(sheet: Sheet, target: GridBounds, written: Box): Box {
    return target.endRow === undefined && target.endCol === undefined ? written : clampBox(sheet, target);
  }

  private updatedData(box: Box, body: JsonObject): JsonObject {
    return this.valueRange(box, this.readOptions(body, 'response'));
  }

  valuesUpdate(id: string, range: string, query: JsonObject, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const option = this.inputOption(query.valueInputOption);
    const b = objectAt(body, 'value_range');
    if (b.range !== undefined && b.range !== range) {
      const a = this.resolve(ss, String(b.range));
      const c = this.resolve(ss, range);
      if (a.sheet !== c.sheet || formatA1('x', a.bounds) !== formatA1('x', c.bounds)) {
        throw badRequest(
          `Requested range [${range}] and range in the request body [${String(b.range)}] do not match.`,
        );
      }
    }
    const { sheet, bounds } = this.resolve(ss, range);
    const target = anchorOf(range, bounds);
    const { result, written } = this.writeRows(ss, sheet, target, range, this.rowsOf(b, ''), option, false);
    return this.finishWrite(result, this.responseBox(sheet, target, written), query);
  }

  private finishWrite(result: WriteResult, dataBox: Box, opts: JsonObject): JsonObject {
    const out: JsonObject = withoutZeros({ ...result });
    if (opts.includeValuesInResponse === true || opts.includeValuesInResponse === 'true') {
      out.updatedData = this.updatedData(dataBox, opts);
    }
    return out;
  }

  valuesBatchUpdate(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const option = this.inputOption(b.valueInputOption);
    const data = arrayAt(b.data, 'data').map((d, i) => {
      const v = objectAt(d, `data[${i}]`);
      try {
        const { sheet, bounds } = this.resolve(ss, String(v.range));
        return {
          sheet,
          bounds: anchorOf(String(v.range), bounds),
          text: String(v.range),
          rows: this.rowsOf(v, ''),
        };
      } catch (e) {
        throw prefixed(e, `data[${i}]`);
      }
    });
    return this.applyValueWrites(ss, data, option, b, () => ({}));
  }

  valuesBatchUpdateByDataFilter(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const option = this.inputOption(b.valueInputOption);
    const data = arrayAt(b.data, 'data').flatMap((d, i) => {
      const v = objectAt(d, `data[${i}]`);
      try {
        const rows = this.rowsOf(v, '');
        return this.filterBoxes(ss, v.dataFilter, `data[${i}].dataFilter`).boxes.map((box) => ({
          sheet: box.sheet,
          bounds: { startRow: box.r0, endRow: box.r1, startCol: box.c0, endCol: box.c1 },
          text: boxA1(box),
          rows,
          dataFilter: v.dataFilter,
        }));
      } catch (e) {
        throw prefixed(e, `data[${i}]`);
      }
    });
    return this.applyValueWrites(ss, data, option, b, (item) => ({ dataFilter: item.dataFilter }));
  }

  /** Validates every write first (nothing is applied if one fails), then applies them in order. */
  private applyValueWrites<T extends { sheet: Sheet; bounds: GridBounds; text: string; rows: unknown[][] }>(
    ss: Spreadsheet,
    items: T[],
    option: ValueInputOption,
    opts: JsonObject,
    extra: (item: T) => JsonObject,
  ): JsonObject {
    items.forEach((item, i) => {
      try {
        this.writeRows(ss, item.sheet, item.bounds, item.text, item.rows, option, false, true);
      } catch (e) {
        throw prefixed(e, `data[${i}]`);
      }
    });
    const responses = items.map((item) => {
      const { result, written } = this.writeRows(
        ss,
        item.sheet,
        item.bounds,
        item.text,
        item.rows,
        option,
        false,
      );
      const dataBox = this.responseBox(item.sheet, item.bounds, written);
      return { ...this.finishWrite(result, dataBox, opts), ...extra(item) };
    });
    const sum = (k: string) => responses.reduce((n, r) => n + Number(r[k] ?? 0), 0);
    const out: JsonObject = withoutZeros({
      spreadsheetId: ss.spreadsheetId,
      totalUpdatedRows: sum('updatedRows'),
      totalUpdatedColumns: sum('updatedColumns'),
      totalUpdatedCells: sum('updatedCells'),
      totalUpdatedSheets: new Set(
        items.filter((_, i) => Number(responses[i]!.updatedCells ?? 0) > 0).map((x) => x.sheet),
      ).size,
    });
    if (responses.length) out.responses = responses;
    return out;
  }

  /**
   * values.append: finds the table (the last row with a value in the range's columns, or in every
   * column from the range's first when the range is one column wide) and writes below it.
   * INSERT_ROWS inserts whole rows there first, so rows below (and their metadata) move down.
   */
  valuesAppend(id: string, range: string, query: JsonObject, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const option = this.inputOption(query.valueInputOption);
    const insert = enumAt(
      query.insertDataOption,
      ['OVERWRITE', 'INSERT_ROWS'] as const,
      'OVERWRITE',
      'insert_data_option',
      'InsertDataOption',
    );
    const b = objectAt(body, 'value_range');
    const rows = this.rowsOf(b, '');
    const { sheet, bounds } = this.resolve(ss, range);
    const box = clampBox(sheet, bounds);
    const narrow = bounds.endCol === undefined || bounds.endCol - (bounds.startCol ?? 0) <= 1;
    const searchEnd = narrow ? columnCount(sheet) : box.c1;
    const searchRowsEnd = bounds.endRow === undefined || box.r1 - box.r0 <= 1 ? rowCount(sheet) : box.r1;
    const last = lastDataRow(sheet, box.r0, searchRowsEnd, box.c0, searchEnd);
    const out: JsonObject = { spreadsheetId: id };
    let target = box.r0;
    if (last >= 0) {
      let first = box.r0;
      while (first < last && lastDataColumn(sheet, first, first + 1, box.c0) < 0) first++;
      const lastCol = Math.max(lastDataColumn(sheet, first, last + 1, box.c0), box.c0);
      out.tableRange = boxA1({
        sheet,
        r0: first,
        r1: last + 1,
        c0: box.c0,
        c1: Math.min(lastCol + 1, searchEnd),
      });
      target = last + 1;
    }
    if (insert === 'INSERT_ROWS' && rows.length) {
      checkCells(ss, rows.length * columnCount(sheet));
      if (target < rowCount(sheet)) insertRows(sheet, target, rows.length, target > 0);
      else sheet.properties.gridProperties.rowCount = target + rows.length;
    }
    const writeBounds: GridBounds = { startRow: target, startCol: box.c0 };
    const { result, written } = this.writeRows(ss, sheet, writeBounds, range, rows, option, true);
    out.updates = this.finishWrite(result, written, query);
    return out;
  }

  valuesClear(id: string, range: string): JsonObject {
    const ss = this.spreadsheet(id);
    const box = this.readBox(ss, range);
    clearBox(box);
    return { spreadsheetId: id, clearedRange: boxA1(box) };
  }

  valuesBatchClear(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const boxes = arrayAt(b.ranges, 'ranges').map((r) => this.readBox(ss, String(r)));
    boxes.forEach(clearBox);
    const out: JsonObject = { spreadsheetId: id };
    if (boxes.length) out.clearedRanges = boxes.map(boxA1);
    return out;
  }

  valuesBatchClearByDataFilter(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const boxes = arrayAt(b.dataFilters, 'data_filters').flatMap(
      (f, i) => this.filterBoxes(ss, f, `dataFilters[${i}]`).boxes,
    );
    boxes.forEach(clearBox);
    const out: JsonObject = { spreadsheetId: id };
    if (boxes.length) out.clearedRanges = boxes.map(boxA1);
    return out;
  }

  // ----- developer metadata -----

  /** Where a metadata is now, as the API shows it. */
  private locationJson(ss: Spreadsheet, m: Metadata): JsonObject {
    const loc = m.location;
    if (loc.type === 'SPREADSHEET') return { locationType: 'SPREADSHEET', spreadsheet: true };
    if (loc.type === 'SHEET') return { locationType: 'SHEET', sheetId: loc.sheetId };
    const row = this.metadataRow(ss, m);
    return {
      locationType: 'ROW',
      dimensionRange: { sheetId: loc.sheetId, dimension: 'ROWS', startIndex: row, endIndex: row + 1 },
    };
  }

  private metadataRow(ss: Spreadsheet, m: Metadata): number {
    if (m.location.type !== 'ROW') return -1;
    const sheetId = m.location.sheetId;
    const sheet = ss.sheets.find((s) => s.properties.sheetId === sheetId)!;
    return metadataRows(sheet).get(m.metadataId) ?? -1;
  }

  metadataJson(ss: Spreadsheet, m: Metadata): JsonObject {
    const out: JsonObject = { metadataId: m.metadataId, metadataKey: m.metadataKey };
    if (m.metadataValue !== undefined) out.metadataValue = m.metadataValue;
    out.location = this.locationJson(ss, m);
    out.visibility = m.visibility;
    return out;
  }

  getDeveloperMetadata(id: string, metadataId: number): JsonObject {
    const ss = this.spreadsheet(id);
    const m = ss.metadata.get(metadataId);
    if (!m) throw new ApiError(404, `No developer metadata with ID: ${metadataId}`);
    return this.metadataJson(ss, m);
  }

  searchDeveloperMetadata(id: string, body: unknown): JsonObject {
    const ss = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const matched = new Map<number, JsonObject[]>();
    arrayAt(b.dataFilters, 'data_filters').forEach((f, i) => {
      for (const m of this.filterMetadata(ss, f, `dataFilters[${i}]`)) {
        const list = matched.get(m.metadataId) ?? [];
        list.push(structuredClone(f) as JsonObject);
        matched.set(m.metadataId, list);
      }
    });
    if (matched.size === 0) return {};
    return {
      matchedDeveloperMetadata: [...matched].map(([mid, filters]) => ({
        developerMetadata: this.metadataJson(ss, ss.metadata.get(mid)!),
        dataFilters: filters,
      })),
    };
  }

  /** The metadata a DataFilter selects: by lookup, or located in a range. */
  private filterMetadata(ss: Spreadsheet, filter: unknown, where: string): Metadata[] {
    const f = objectAt(filter, where);
    const kinds = ['developerMetadataLookup', 'a1Range', 'gridRange'].filter((k) => f[k] !== undefined);
    if (kinds.length !== 1) throw badRequest(`Invalid ${where}: a DataFilter needs exactly one criterion`);
    if (f.developerMetadataLookup !== undefined) {
      return this.lookup(ss, f.developerMetadataLookup, `${where}.developerMetadataLookup`);
    }
    const box =
      f.a1Range !== undefined
        ? this.readBox(ss, String(f.a1Range))
        : this.gridRangeBox(ss, f.gridRange, `${where}.gridRange`, false);
    return [...ss.metadata.values()].filter((m) => {
      if (m.location.type === 'SPREADSHEET') return false;
      if (m.location.sheetId !== box.sheet.properties.sheetId) return false;
      if (m.location.type === 'SHEET') return true;
      const row = this.metadataRow(ss, m);
      return row >= box.r0 && row < box.r1;
    });
  }

  private lookup(ss: Spreadsheet, lookup: unknown, where: string): Metadata[] {
    const l = objectAt(lookup, where);
    const id = intAt(l.metadataId, `${where}.metadataId`);
    const locType = l.locationType as string | undefined;
    if (locType === 'COLUMN') throw notEmulated('Developer metadata on columns');
    const loc = objectAt(l.metadataLocation, `${where}.metadataLocation`);
    const strategy = l.locationMatchingStrategy ?? 'EXACT_LOCATION';
    let candidates: Iterable<Metadata>;
    if (id !== undefined) candidates = [ss.metadata.get(id)].filter((m) => m !== undefined);
    else if (typeof l.metadataKey === 'string') {
      const index = metadataIndex(ss);
      candidates =
        (l.metadataValue === undefined
          ? index.byKey.get(l.metadataKey)
          : index.byKeyValue.get(`${l.metadataKey}\u0000${String(l.metadataValue)}`)) ?? [];
    } else candidates = ss.metadata.values();
    return [...candidates].filter((m) => {
      if (id !== undefined && m.metadataId !== id) return false;
      if (l.metadataKey !== undefined && m.metadataKey !== l.metadataKey) return false;
      if (l.metadataValue !== undefined && m.metadataValue !== l.metadataValue) return false;
      if (l.visibility !== undefined && m.visibility !== l.visibility) return false;
      if (
        locType !== undefined &&
        locType !== 'DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED' &&
        m.location.type !== locType
      ) {
        return false;
      }
      if (Object.keys(loc).length === 0) return true;
      const exact = strategy === 'EXACT_LOCATION';
      if (loc.spreadsheet === true) return exact ? m.location.type === 'SPREADSHEET' : true;
      if (m.location.type === 'SPREADSHEET') return false;
      if (loc.sheetId !== undefined) {
        if (m.location.sheetId !== Number(loc.sheetId)) return false;
        return exact ? m.location.type === 'SHEET' : true;
      }
      if (loc.dimensionRange !== undefined) {
        const d = objectAt(loc.dimensionRange, `${where}.metadataLocation.dimensionRange`);
        if (d.dimension === 'COLUMNS') throw notEmulated('Developer metadata on columns');
        if (m.location.type !== 'ROW' || m.location.sheetId !== (intAt(d.sheetId, 'sheetId') ?? 0))
          return false;
        const row = this.metadataRow(ss, m);
        const start = intAt(d.startIndex, 'startIndex') ?? 0;
        const end = intAt(d.endIndex, 'endIndex') ?? Number.POSITIVE_INFINITY;
        return exact ? row === start && end === start + 1 : row >= start && row < end;
      }
      return true;
    });
  }

  /**
   * The boxes a DataFilter selects for values: the range itself, or for a metadata lookup the
   * whole row(s) or sheet(s) where matching metadata sits.
   */
  private filterBoxes(ss: Spreadsheet, filter: unknown, where: string): { boxes: Box[] } {
    const f = objectAt(filter, where);
    const kinds = ['developerMetadataLookup', 'a1Range', 'gridRange'].filter((k) => f[k] !== undefined);
    if (kinds.length !== 1) throw badRequest(`Invalid ${where}: a DataFilter needs exactly one criterion`);
    if (f.a1Range !== undefined) return { boxes: [this.readBox(ss, String(f.a1Range))] };
    if (f.gridRange !== undefined)
      return { boxes: [this.gridRangeBox(ss, f.gridRange, `${where}.gridRange`, false)] };
    const boxes: Box[] = [];
    for (const m of this.lookup(ss, f.developerMetadataLookup, `${where}.developerMetadataLookup`)) {
      if (m.location.type === 'SPREADSHEET') continue;
      const sheetId = m.location.sheetId;
      const sheet = ss.sheets.find((s) => s.properties.sheetId === sheetId)!;
      if (m.location.type === 'SHEET') {
        boxes.push({ sheet, r0: 0, r1: rowCount(sheet), c0: 0, c1: columnCount(sheet) });
      } else {
        const row = this.metadataRow(ss, m);
        boxes.push({ sheet, r0: row, r1: row + 1, c0: 0, c1: columnCount(sheet) });
      }
    }
    return { boxes };
  }

  // ----- spreadsheets.batchUpdate -----

  /** Applies every request in order, atomically: one invalid request and nothing changes. */
  batchUpdate(id: string, body: unknown): JsonObject {
    const original = this.spreadsheet(id);
    const b = objectAt(body, 'request');
    const requests = arrayAt(b.requests, 'requests');
    if (requests.length === 0) throw badRequest('Must specify at least one request.');
    const ss = structuredClone(original);
    const replies = requests.map((request, i) => {
      const r = objectAt(request, `requests[${i}]`);
      const { kind, handler } = requestKind(r, i, REQUEST_HANDLERS, GOOGLE_REQUEST_KINDS, 'kind');
      try {
        return (
          (handler.call(this, ss, objectAt(r[kind], `requests[${i}].${kind}`)) as JsonObject | undefined) ??
          {}
        );
      } catch (e) {
        if (e instanceof ApiError && !e.message.startsWith('Invalid requests[')) {
          throw new ApiError(e.code, `Invalid requests[${i}].${kind}: ${e.message}`);
        }
        throw e;
      }
    });
    checkCells(ss);
    const used = metadataCharacters(ss);
    if (
      used.spreadsheet > MAX_METADATA_CHARACTERS ||
      [...used.sheets.values()].some((n) => n > MAX_METADATA_CHARACTERS)
    ) {
      // Google's wording is not documented; the limit is the documented one.
      throw badRequest(
        `Invalid requests: the developer metadata of this ${used.spreadsheet > MAX_METADATA_CHARACTERS ? 'spreadsheet' : 'sheet'} would exceed the limit of ${MAX_METADATA_CHARACTERS} characters.`,
      );
    }
    this.store.set(id, ss);
    const out: JsonObject = { spreadsheetId: id, replies };
    if (b.includeSpreadsheetInResponse === true) {
      const ranges = arrayAt(b.responseRanges, 'response_ranges').map((r) => this.readBox(ss, String(r)));
      out.updatedSpreadsheet = this.spreadsheetJson(ss, {
        ranges,
        includeGridData: b.responseIncludeGridData === true,
      });
    }
    return out;
  }

  // The request handlers (called with `this` bound; they return the reply or nothing).

  addSheet(ss: Spreadsheet, req: JsonObject): JsonObject {
    const props = objectAt(req.properties, 'properties');
    const sheet = this.blankSheet(ss, props, 'properties');
    const index = intAt(props.index, 'properties.index');
    ss.sheets.splice(index === undefined ? ss.sheets.length : Math.min(index, ss.sheets.length), 0, sheet);
    reindex(ss);
    return { addSheet: { properties: structuredClone(sheet.properties) } };
  }

  deleteSheet(ss: Spreadsheet, req: JsonObject): void {
    const sheet = sheetById(ss, req.sheetId);
    if (ss.sheets.length === 1) throw badRequest("You can't remove all the sheets in a document.");
    ss.sheets.splice(ss.sheets.indexOf(sheet), 1);
    for (const m of [...ss.metadata.values()]) {
      if (m.location.type !== 'SPREADSHEET' && m.location.sheetId === sheet.properties.sheetId) {
        ss.metadata.delete(m.metadataId);
        metadataChanged(ss);
      }
    }
    reindex(ss);
  }

  // ----- charts -----
  // Sheets API reference, "Requests" › AddChartRequest: "The chartId field is optional; if one is
  // not set, an id will be randomly generated. (It is an error to specify the ID of an embedded
  // object that already exists.)"; UpdateChartSpecRequest: "Updates a chart's specifications.
  // (This does not move or resize a chart. …)"; DeleteEmbeddedObjectRequest: "Deletes the
  // embedded object with the given ID." Only basic charts over ranges of this spreadsheet are
  // emulated; Google's wording for an unknown chart or a source on no sheet is not documented:
  // the emulator answers as it does for an unknown sheet id ("No grid with id: …").

  addChart(ss: Spreadsheet, req: JsonObject): JsonObject {
    const chart = objectAt(req.chart, 'chart');
    const taken = (n: number) => chartsOf(ss).some((c) => c.chartId === n);
    const asked = intAt(chart.chartId, 'chart.chartId');
    if (asked !== undefined && taken(asked)) {
      throw badRequest(`An embedded object with id ${asked} already exists.`);
    }
    const spec = this.chartSpec(ss, chart.spec, 'chart.spec');
    const position = objectAt(chart.position, 'chart.position');
    if (position.newSheet === true) throw notEmulated('A chart on a new sheet');
    if (position.sheetId !== undefined) throw notEmulated('A chart sheet (position.sheetId)');
    const overlay = objectAt(position.overlayPosition, 'chart.position.overlayPosition');
    const anchor = objectAt(overlay.anchorCell, 'chart.position.overlayPosition.anchorCell');
    const sheet = sheetById(ss, anchor.sheetId);
    const chartId = asked ?? this.newInt(taken);
    const out: JsonObject = {
      chartId,
      spec,
      position: {
        overlayPosition: {
          anchorCell: {
            sheetId: sheet.properties.sheetId,
            rowIndex: intAt(anchor.rowIndex, 'anchorCell.rowIndex') ?? 0,
            columnIndex: intAt(anchor.columnIndex, 'anchorCell.columnIndex') ?? 0,
          },
          offsetXPixels: intAt(overlay.offsetXPixels, 'overlayPosition.offsetXPixels') ?? 0,
          offsetYPixels: intAt(overlay.offsetYPixels, 'overlayPosition.offsetYPixels') ?? 0,
          widthPixels: intAt(overlay.widthPixels, 'overlayPosition.widthPixels') ?? 600,
          heightPixels: intAt(overlay.heightPixels, 'overlayPosition.heightPixels') ?? 371,
        },
      },
    };
    sheet.charts = [...(sheet.charts ?? []), out];
    return { addChart: { chart: structuredClone(out) } };
  }

  updateChartSpec(ss: Spreadsheet, req: JsonObject): void {
    const chart = chartById(ss, req.chartId, 'chartId');
    chart.spec = this.chartSpec(ss, req.spec, 'spec');
  }

  deleteEmbeddedObject(ss: Spreadsheet, req: JsonObject): void {
    const chart = chartById(ss, req.objectId, 'objectId');
    for (const sheet of ss.sheets) sheet.charts = sheet.charts?.filter((c) => c !== chart);
  }

  /** A chart spec as stored: a basic chart whose every source range is on a sheet of this spreadsheet. */
  private chartSpec(ss: Spreadsheet, value: unknown, where: string): JsonObject {
    const spec = structuredClone(objectAt(value, where));
    const kinds = Object.keys(spec).filter(
      (k) => k.endsWith('Chart') || k === 'sortSpecs' || k === 'dataSourceChartProperties',
    );
    if (!isObject(spec.basicChart) || kinds.length !== 1) {
      throw notEmulated(`A chart other than a basicChart (${kinds.join(', ') || 'none given'})`);
    }
    const basic = spec.basicChart;
    const domains = arrayAt(basic.domains, `${where}.basicChart.domains`);
    if (domains.length > 1) throw badRequest('Only a single domain is supported.');
    const sources = [
      ...domains.map(
        (d, i) => [objectAt(d, `domains[${i}]`).domain, `${where}.basicChart.domains[${i}].domain`] as const,
      ),
      ...arrayAt(basic.series, `${where}.basicChart.series`).map(
        (s, i) => [objectAt(s, `series[${i}]`).series, `${where}.basicChart.series[${i}].series`] as const,
      ),
    ];
    for (const [data, at] of sources) {
      const ranges = arrayAt(
        objectAt(objectAt(data, at).sourceRange, `${at}.sourceRange`).sources,
        `${at}.sourceRange.sources`,
      );
      if (ranges.length === 0) throw badRequest(`Invalid ${at}: a chart source needs a range.`);
      ranges.forEach((r, i) => {
        this.gridRangeBox(ss, r, `${at}.sourceRange.sources[${i}]`, true);
      });
    }
    return spec;
  }

  updateSheetProperties(ss: Spreadsheet, req: JsonObject): void {
    const props = objectAt(req.properties, 'properties');
    const sheet = sheetById(ss, props.sheetId);
    const fields = fieldList(req.fields, [
      'title',
      'index',
      'hidden',
      'tabColor',
      'tabColorStyle',
      'rightToLeft',
      'gridProperties',
      'gridProperties.frozenRowCount',
      'gridProperties.frozenColumnCount',
      'gridProperties.rowCount',
      'gridProperties.columnCount',
      'gridProperties.hideGridlines',
    ]);
    const grid = objectAt(props.gridProperties, 'properties.gridProperties');
    for (const field of fields) {
      if (field === 'title') {
        const title = String(props.title ?? '');
        if (title.trim() === '') throw badRequest('The sheet name cannot be empty.');
        const other = findSheet(ss, title);
        if (other && other !== sheet) {
          throw badRequest(`A sheet with the name "${title}" already exists. Please enter another name.`);
        }
        sheet.properties.title = title;
      } else if (field === 'index') {
        const to = intAt(props.index, 'properties.index') ?? 0;
        const from = ss.sheets.indexOf(sheet);
        ss.sheets.splice(from, 1);
        ss.sheets.splice(Math.min(to > from ? to - 1 : to, ss.sheets.length), 0, sheet);
        reindex(ss);
      } else if (field === 'gridProperties' || field.startsWith('gridProperties.')) {
        const keys =
          field === 'gridProperties'
            ? ['frozenRowCount', 'frozenColumnCount', 'rowCount', 'columnCount', 'hideGridlines']
            : [field.slice('gridProperties.'.length)];
        for (const key of keys) this.setGridProperty(ss, sheet, key, grid[key], field === 'gridProperties');
      } else if (props[field] === undefined) {
        delete sheet.properties[field];
      } else {
        sheet.properties[field] = structuredClone(props[field]);
      }
    }
  }

  private setGridProperty(ss: Spreadsheet, sheet: Sheet, key: string, value: unknown, whole: boolean): void {
    const gp = sheet.properties.gridProperties as Record<string, unknown>;
    if (key === 'hideGridlines') {
      if (value === true) gp.hideGridlines = true;
      else delete gp.hideGridlines;
      return;
    }
    const n = intAt(value, `properties.gridProperties.${key}`);
    if (key === 'rowCount' || key === 'columnCount') {
      if (n === undefined) {
        if (whole) throw badRequest(`A sheet must have at least one row and column.`);
        return;
      }
      const current = key === 'rowCount' ? rowCount(sheet) : columnCount(sheet);
      if (n < 1) throw badRequest('A sheet must have at least one row and column.');
      if (key === 'rowCount' && n < current) deleteRows(ss, sheet, n, current - n);
      else if (key === 'columnCount' && n < current) deleteColumns(sheet, n, current - n);
      else gp[key] = n;
      return;
    }
    if (!n) delete gp[key];
    else {
      const limit = key === 'frozenRowCount' ? rowCount(sheet) : columnCount(sheet);
      if (n >= limit) {
        throw badRequest(
          `You can't freeze all visible ${key === 'frozenRowCount' ? 'rows' : 'columns'} on the sheet.`,
        );
      }
      gp[key] = n;
    }
  }

  updateSpreadsheetProperties(ss: Spreadsheet, req: JsonObject): void {
    const props = objectAt(req.properties, 'properties');
    for (const field of fieldList(req.fields, ['title', 'locale', 'timeZone', 'autoRecalc'])) {
      if (props[field] !== undefined) ss.properties[field] = String(props[field]);
    }
  }

  appendDimension(ss: Spreadsheet, req: JsonObject): void {
    const sheet = sheetById(ss, req.sheetId);
    const length = intAt(req.length, 'length') ?? 0;
    if (length < 1) throw badRequest('length must be at least 1');
    const gp = sheet.properties.gridProperties;
    if (req.dimension === 'ROWS') gp.rowCount += length;
    else if (req.dimension === 'COLUMNS') gp.columnCount += length;
    else throw badRequest('dimension must be ROWS or COLUMNS');
  }

  insertDimension(ss: Spreadsheet, req: JsonObject): void {
    const { sheet, dimension, start, end } = dimensionRange(ss, req.range, 'range', true);
    const inherit = req.inheritFromBefore === true;
    if (inherit && start === 0) throw badRequest('Cannot inherit from before when inserting at the start.');
    if (dimension === 'ROWS') insertRows(sheet, start, end - start, inherit);
    else insertColumns(sheet, start, end - start, inherit);
  }

  deleteDimension(ss: Spreadsheet, req: JsonObject): void {
    const { sheet, dimension, start, end } = dimensionRange(ss, req.range, 'range', false);
    if (dimension === 'ROWS') {
      if (end - start >= rowCount(sheet)) throw badRequest("You can't delete all the rows on the sheet.");
      deleteRows(ss, sheet, start, end - start);
    } else {
      if (end - start >= columnCount(sheet))
        throw badRequest("You can't delete all the columns on the sheet.");
      deleteColumns(sheet, start, end - start);
    }
  }

  moveDimension(ss: Spreadsheet, req: JsonObject): void {
    const { sheet, dimension, start, end } = dimensionRange(ss, req.source, 'source', false);
    const dest = intAt(req.destinationIndex, 'destinationIndex') ?? 0;
    const limit = dimension === 'ROWS' ? rowCount(sheet) : columnCount(sheet);
    if (dest < 0 || dest > limit) throw badRequest(`destinationIndex ${dest} is outside the grid.`);
    if (dest >= start && dest <= end) return;
    const order = moveOrder(limit, start, end, dest);
    if (dimension === 'ROWS') permuteRows(sheet, 0, limit, 0, columnCount(sheet), order, true, true);
    else {
      for (const row of sheet.rows) if (row) row.cells = permute(row.cells, 0, limit, order);
      sheet.columns = permute(sheet.columns, 0, limit, order);
    }
  }

  sortRange(ss: Spreadsheet, req: JsonObject): void {
    const box = this.gridRangeBox(ss, req.range, 'range', true);
    const specs = arrayAt(req.sortSpecs, 'sortSpecs').map((s, i) => {
      const spec = objectAt(s, `sortSpecs[${i}]`);
      if (spec.dataSourceColumnReference !== undefined || spec.foregroundColor !== undefined) {
        throw notEmulated('Sorting by anything but a column index');
      }
      const column = intAt(spec.dimensionIndex, `sortSpecs[${i}].dimensionIndex`) ?? 0;
      if (column < box.c0 || column >= box.c1) {
        throw badRequest(`sortSpecs[${i}].dimensionIndex ${column} is outside the sorted range.`);
      }
      const descending = spec.sortOrder === 'DESCENDING';
      return { column, descending };
    });
    sortBox(box, specs, this.metadataFollowsSort, ss.properties.locale);
  }

  repeatCell(ss: Spreadsheet, req: JsonObject): void {
    const box = this.gridRangeBox(ss, req.range, 'range', true);
    const cell = objectAt(req.cell, 'cell');
    const fields = cellFieldList(req.fields);
    for (let r = box.r0; r < box.r1; r++) {
      for (let c = box.c0; c < box.c1; c++) applyCellData(box.sheet, r, c, cell, fields);
    }
  }

  updateCells(ss: Spreadsheet, req: JsonObject): void {
    const fields = cellFieldList(req.fields);
    const rows = arrayAt(req.rows, 'rows').map((r, i) =>
      arrayAt(objectAt(r, `rows[${i}]`).values, `rows[${i}].values`),
    );
    let box: Box;
    if (req.range !== undefined) {
      box = this.gridRangeBox(ss, req.range, 'range', true);
    } else {
      const start = objectAt(req.start, 'start');
      const sheet = sheetById(ss, start.sheetId);
      const r0 = intAt(start.rowIndex, 'start.rowIndex') ?? 0;
      const c0 = intAt(start.columnIndex, 'start.columnIndex') ?? 0;
      const width = longest(rows);
      box = { sheet, r0, r1: r0 + rows.length, c0, c1: c0 + width };
      if (box.r1 > rowCount(sheet) || box.c1 > columnCount(sheet)) {
        throw exceedsGrid(sheet, { startRow: r0, endRow: box.r1, startCol: c0, endCol: box.c1 });
      }
    }
    for (let r = box.r0; r < box.r1; r++) {
      const values = rows[r - box.r0];
      for (let c = box.c0; c < box.c1; c++) {
        // With a range, cells the rows do not cover are cleared of the fields (Google's rule).
        const data = values?.[c - box.c0];
        applyCellData(box.sheet, r, c, objectAt(data, `rows[${r - box.r0}].values[${c - box.c0}]`), fields);
      }
    }
  }

  setDataValidation(ss: Spreadsheet, req: JsonObject): void {
    const box = this.gridRangeBox(ss, req.range, 'range', true);
    const rule = req.rule === undefined ? undefined : objectAt(req.rule, 'rule');
    if (rule && !isObject(rule.condition)) throw badRequest('A data validation rule needs a condition.');
    if (rule) this.checkValidationCondition(ss, rule.condition as JsonObject);
    for (let r = box.r0; r < box.r1; r++) {
      for (let c = box.c0; c < box.c1; c++) {
        if (rule) cellAt(box.sheet, r, c).validation = structuredClone(rule);
        else {
          const cell = getCell(box.sheet, r, c);
          if (cell) delete cell.validation;
        }
      }
    }
  }

  /**
   * What the condition types Milepost uses require ("ConditionType"): ONE_OF_LIST at least one
   * value; ONE_OF_RANGE "a single ConditionValue, and the value should be a valid range in A1
   * notation" (here: of a sheet that exists); DATE_IS_VALID "no ConditionValues".
   */
  private checkValidationCondition(ss: Spreadsheet, condition: JsonObject): void {
    const values = Array.isArray(condition.values) ? (condition.values as JsonObject[]) : [];
    const type = String(condition.type ?? '');
    const invalid = (why: string) => badRequest(`Invalid requests[0].setDataValidation: ${why}`);
    if (type === 'ONE_OF_LIST' && values.length === 0) throw invalid('ONE_OF_LIST needs at least one value.');
    if (type === 'DATE_IS_VALID' && values.length > 0) throw invalid('DATE_IS_VALID takes no values.');
    if (type === 'ONE_OF_RANGE') {
      const text = String(values[0]?.userEnteredValue ?? '');
      if (values.length !== 1 || !text.startsWith('=')) throw invalid('ONE_OF_RANGE needs one range value.');
      try {
        const bounds = parseA1(text.slice(1).replace(/\$/g, ''), (name) => findSheet(ss, name) !== undefined);
        if (bounds.sheet !== undefined && !findSheet(ss, bounds.sheet)) throw new Error('no such sheet');
      } catch {
        throw invalid(`Invalid range in ONE_OF_RANGE: ${text}`);
      }
    }
  }

  addConditionalFormatRule(ss: Spreadsheet, req: JsonObject): void {
    const rule = objectAt(req.rule, 'rule');
    const ranges = arrayAt(rule.ranges, 'rule.ranges');
    if (ranges.length === 0) throw badRequest('A conditional format rule needs at least one range.');
    const boxes = ranges.map((r, i) => this.gridRangeBox(ss, r, `rule.ranges[${i}]`, true));
    const sheet = boxes[0]!.sheet;
    if (boxes.some((b) => b.sheet !== sheet))
      throw badRequest('All ranges of a conditional format rule must be on one sheet.');
    if (!isObject(rule.booleanRule) && !isObject(rule.gradientRule)) {
      throw badRequest('A conditional format rule needs a booleanRule or a gradientRule.');
    }
    const index = intAt(req.index, 'index') ?? 0;
    if (index < 0 || index > sheet.conditionalFormats.length) {
      throw badRequest(
        `index ${index} is out of range (the sheet has ${sheet.conditionalFormats.length} rules).`,
      );
    }
    sheet.conditionalFormats.splice(index, 0, structuredClone(rule));
  }

  addProtectedRange(ss: Spreadsheet, req: JsonObject): JsonObject {
    const p = structuredClone(objectAt(req.protectedRange, 'protectedRange'));
    if (p.namedRangeId !== undefined) throw notEmulated('Protecting a named range');
    const box = this.gridRangeBox(ss, p.range, 'protectedRange.range', true);
    if (p.warningOnly === true && p.editors !== undefined) {
      throw badRequest('Editors cannot be set on a warning-only protected range.');
    }
    const taken = (n: number) =>
      ss.sheets.some((s) => s.protectedRanges.some((x) => x.protectedRangeId === n));
    const pid = intAt(p.protectedRangeId, 'protectedRange.protectedRangeId') ?? this.newInt(taken);
    if (taken(pid)) throw badRequest(`A protected range with ID ${pid} already exists.`);
    const stored: JsonObject = { ...p, protectedRangeId: pid, requestingUserCanEdit: true };
    box.sheet.protectedRanges.push(stored);
    return { addProtectedRange: { protectedRange: structuredClone(stored) } };
  }

  updateDimensionProperties(ss: Spreadsheet, req: JsonObject): void {
    const { sheet, dimension, start, end } = dimensionRange(ss, req.range, 'range', false);
    const props = objectAt(req.properties, 'properties');
    const fields = fieldList(req.fields, ['pixelSize', 'hiddenByUser']);
    for (let i = start; i < end; i++) {
      if (dimension === 'COLUMNS' && !sheet.columns[i]) sheet.columns[i] = {};
      const target: { pixelSize?: number; hiddenByUser?: boolean } =
        dimension === 'ROWS' ? rowAt(sheet, i) : sheet.columns[i]!;
      for (const field of fields) {
        if (field === 'pixelSize') {
          const n = intAt(props.pixelSize, 'properties.pixelSize');
          if (n === undefined) delete target.pixelSize;
          else target.pixelSize = n;
        } else if (props.hiddenByUser === true) target.hiddenByUser = true;
        else delete target.hiddenByUser;
      }
    }
  }

  createDeveloperMetadata(ss: Spreadsheet, req: JsonObject): JsonObject {
    const d = objectAt(req.developerMetadata, 'developerMetadata');
    if (typeof d.metadataKey !== 'string' || d.metadataKey === '') {
      throw badRequest('Developer metadata must always have a key specified.');
    }
    if (d.visibility !== 'DOCUMENT' && d.visibility !== 'PROJECT') {
      throw badRequest('Developer metadata must always have a visibility specified (DOCUMENT or PROJECT).');
    }
    const loc = objectAt(d.location, 'developerMetadata.location');
    let location: MetadataLocation;
    let row = -1;
    let sheet: Sheet | undefined;
    if (loc.spreadsheet === true) location = { type: 'SPREADSHEET' };
    else if (loc.sheetId !== undefined) {
      sheet = sheetById(ss, loc.sheetId);
      location = { type: 'SHEET', sheetId: sheet.properties.sheetId };
    } else if (loc.dimensionRange !== undefined) {
      const r = dimensionRange(ss, loc.dimensionRange, 'developerMetadata.location.dimensionRange', false);
      if (r.dimension === 'COLUMNS') throw notEmulated('Developer metadata on columns');
      if (r.end - r.start !== 1) {
        throw badRequest('Developer metadata may only be associated with a single row or column.');
      }
      sheet = r.sheet;
      row = r.start;
      location = { type: 'ROW', sheetId: sheet.properties.sheetId };
    } else {
      throw badRequest('Developer metadata must have a location (spreadsheet, sheetId or dimensionRange).');
    }
    const requested = intAt(d.metadataId, 'developerMetadata.metadataId');
    if (requested !== undefined && requested <= 0) throw badRequest('metadataId must be positive.');
    if (requested !== undefined && ss.metadata.has(requested)) {
      throw badRequest(`Developer metadata with ID ${requested} already exists.`);
    }
    const metadataId = requested ?? this.newInt((n) => ss.metadata.has(n));
    const m: Metadata = {
      metadataId,
      metadataKey: d.metadataKey,
      visibility: d.visibility,
      location,
    };
    if (d.metadataValue !== undefined) m.metadataValue = String(d.metadataValue);
    ss.metadata.set(metadataId, m);
    metadataChanged(ss);
    if (sheet && row >= 0) {
      const target = rowAt(sheet, row);
      target.metadata = [...(target.metadata ?? []), metadataId];
      metadataRows(sheet).set(metadataId, row);
    }
    return { createDeveloperMetadata: { developerMetadata: this.metadataJson(ss, m) } };
  }

  deleteDeveloperMetadata(ss: Spreadsheet, req: JsonObject): JsonObject {
    const matched = this.filterMetadata(ss, req.dataFilter, 'dataFilter');
    const deleted = matched.map((m) => this.metadataJson(ss, m));
    for (const m of matched) removeMetadata(ss, m.metadataId);
    return { deleteDeveloperMetadata: deleted.length ? { deletedDeveloperMetadata: deleted } : {} };
  }

  updateDeveloperMetadata(ss: Spreadsheet, req: JsonObject): JsonObject {
    const filters = arrayAt(req.dataFilters, 'dataFilters');
    const d = objectAt(req.developerMetadata, 'developerMetadata');
    const fields = fieldList(req.fields, ['metadataKey', 'metadataValue', 'visibility', 'location']);
    if (fields.includes('location'))
      throw notEmulated('Moving developer metadata with updateDeveloperMetadata');
    const matched = new Map<number, Metadata>();
    filters.forEach((f, i) => {
      for (const m of this.filterMetadata(ss, f, `dataFilters[${i}]`)) matched.set(m.metadataId, m);
    });
    metadataChanged(ss);
    for (const m of matched.values()) {
      if (fields.includes('metadataKey')) m.metadataKey = String(d.metadataKey ?? '');
      if (fields.includes('metadataValue')) {
        if (d.metadataValue === undefined) delete m.metadataValue;
        else m.metadataValue = String(d.metadataValue);
      }
      if (fields.includes('visibility')) m.visibility = d.visibility === 'PROJECT' ? 'PROJECT' : 'DOCUMENT';
    }
    const list = [...matched.values()].map((m) => this.metadataJson(ss, m));
    return { updateDeveloperMetadata: list.length ? { developerMetadata: list } : {} };
  }

  // ----- human edits -----

  /** Applies an edit a person makes in the UI. */
  edit(id: string, edit: HumanEdit): void {
    const ss = this.spreadsheet(id);
    const sheet = findSheet(ss, edit.sheet);
    if (!sheet) throw new Error(`No sheet "${edit.sheet}" in spreadsheet ${id}`);
    switch (edit.op) {
      case 'set': {
        const b = parseA1(edit.a1);
        const r = b.startRow ?? 0;
        const c = b.startCol ?? 0;
        if (edit.value === null || edit.value === '') {
          clearValue(sheet, r, c);
          return;
        }
        const input: CellInput =
          typeof edit.value === 'string'
            ? parseUserEntered(edit.value, ss.properties.locale, getCell(sheet, r, c)?.format?.numberFormat)
            : { kind: 'set', value: edit.value };
        if (input.kind !== 'set') return;
        const cell = cellAt(sheet, r, c);
        delete cell.value;
        delete cell.formula;
        if (input.formula !== undefined) cell.formula = input.formula;
        else cell.value = input.value;
        if (input.numberFormat) cell.format = { ...cell.format, numberFormat: input.numberFormat };
        return;
      }
      case 'insertRows':
        insertRows(sheet, edit.at - 1, edit.count, edit.at > 1);
        return;
      case 'deleteRows':
        deleteRows(ss, sheet, edit.at - 1, edit.count);
        return;
      case 'moveRows':
        this.moveDimension(ss, {
          source: {
            sheetId: sheet.properties.sheetId,
            dimension: 'ROWS',
            startIndex: edit.from - 1,
            endIndex: edit.from - 1 + edit.count,
          },
          destinationIndex: edit.to - 1,
        });
        return;
      case 'sortRows': {
        const headers = sheet.rows[0]?.cells ?? [];
        const norm = (s: string) => s.toLowerCase().replace(/\s+/g, '');
        const column = headers.findIndex(
          (c) => c?.value !== undefined && norm(String(c.value)) === norm(edit.by),
        );
        if (column < 0) throw new Error(`No column "${edit.by}" in sheet "${edit.sheet}"`);
        const last = lastDataRow(sheet, 1, rowCount(sheet), 0, columnCount(sheet));
        if (last < 1) return;
        sortBox(
          { sheet, r0: 1, r1: last + 1, c0: 0, c1: columnCount(sheet) },
          [{ column, descending: edit.descending === true }],
          this.metadataFollowsSort,
          ss.properties.locale,
        );
        return;
      }
      case 'insertColumns':
        insertColumns(sheet, parseA1(`${edit.at}:${edit.at}`).startCol!, edit.count, false);
        return;
      case 'deleteColumns':
        deleteColumns(sheet, parseA1(`${edit.at}:${edit.at}`).startCol!, edit.count);
        return;
    }
  }

  // ----- the state dump -----

  dump(): JsonObject[] {
    return [...this.store.values()].map((ss) => ({
      spreadsheetId: ss.spreadsheetId,
      properties: structuredClone(ss.properties),
      developerMetadata: [...ss.metadata.values()].map((m) => this.metadataJson(ss, m)),
      sheets: ss.sheets.map((sheet) => {
        const box = { sheet, r0: 0, r1: rowCount(sheet), c0: 0, c1: columnCount(sheet) };
        const out: JsonObject = {
          properties: structuredClone(sheet.properties),
          values: readValues(box, { majorDimension: 'ROWS', render: 'FORMULA', dateTime: 'SERIAL_NUMBER' }),
        };
        const formats = runs(sheet, (cell) => cell?.format);
        if (formats.length) out.formats = formats.map(({ range, value }) => ({ range, format: value }));
        const validations = runs(sheet, (cell) => cell?.validation);
        if (validations.length)
          out.dataValidations = validations.map(({ range, value }) => ({ range, rule: value }));
        if (sheet.conditionalFormats.length)
          out.conditionalFormats = structuredClone(sheet.conditionalFormats);
        if (sheet.protectedRanges.length) out.protectedRanges = structuredClone(sheet.protectedRanges);
        return out;
      }),
    }));
  }
}

// ---------- request kinds ----------

/** A request handler returns its reply, or nothing for requests whose reply is `{}`. */
type Handler = (this: SheetsState, ss: Spreadsheet, req: JsonObject) => unknown;

const REQUEST_HANDLERS: Readonly<Record<string, Handler>> = {
  addSheet: SheetsState.prototype.addSheet,
  deleteSheet: SheetsState.prototype.deleteSheet,
  updateSheetProperties: SheetsState.prototype.updateSheetProperties,
  updateSpreadsheetProperties: SheetsState.prototype.updateSpreadsheetProperties,
  appendDimension: SheetsState.prototype.appendDimension,
  insertDimension: SheetsState.prototype.insertDimension,
  deleteDimension: SheetsState.prototype.deleteDimension,
  moveDimension: SheetsState.prototype.moveDimension,
  updateDimensionProperties: SheetsState.prototype.updateDimensionProperties,
  sortRange: SheetsState.prototype.sortRange,
  repeatCell: SheetsState.prototype.repeatCell,
  updateCells: SheetsState.prototype.updateCells,
  setDataValidation: SheetsState.prototype.setDataValidation,
  addConditionalFormatRule: SheetsState.prototype.addConditionalFormatRule,
  addProtectedRange: SheetsState.prototype.addProtectedRange,
  addChart: SheetsState.prototype.addChart,
  updateChartSpec: SheetsState.prototype.updateChartSpec,
  deleteEmbeddedObject: SheetsState.prototype.deleteEmbeddedObject,
  createDeveloperMetadata: SheetsState.prototype.createDeveloperMetadata,
  updateDeveloperMetadata: SheetsState.prototype.updateDeveloperMetadata,
  deleteDeveloperMetadata: SheetsState.prototype.deleteDeveloperMetadata,
};

export const SUPPORTED_REQUESTS: readonly string[] = Object.keys(REQUEST_HANDLERS);

/** Every request kind of Sheets v4 (Schema$Request), to tell "unsupported" from "unknown". */
const GOOGLE_REQUEST_KINDS: readonly string[] = [
  'addBanding',
  'addChart',
  'addConditionalFormatRule',
  'addDataSource',
  'addDimensionGroup',
  'addFilterView',
  'addNamedRange',
  'addProtectedRange',
  'addSheet',
  'addSlicer',
  'addTable',
  'appendCells',
  'appendDimension',
  'autoFill',
  'autoResizeDimensions',
  'cancelDataSourceRefresh',
  'clearBasicFilter',
  'copyPaste',
  'createDeveloperMetadata',
  'cutPaste',
  'deleteBanding',
  'deleteConditionalFormatRule',
  'deleteDataSource',
  'deleteDeveloperMetadata',
  'deleteDimension',
  'deleteDimensionGroup',
  'deleteDuplicates',
  'deleteEmbeddedObject',
  'deleteFilterView',
  'deleteNamedRange',
  'deleteProtectedRange',
  'deleteRange',
  'deleteSheet',
  'deleteTable',
  'duplicateFilterView',
  'duplicateSheet',
  'findReplace',
  'insertDimension',
  'insertRange',
  'mergeCells',
  'moveDimension',
  'pasteData',
  'randomizeRange',
  'refreshDataSource',
  'repeatCell',
  'setBasicFilter',
  'setDataValidation',
  'sortRange',
  'textToColumns',
  'trimWhitespace',
  'unmergeCells',
  'updateBanding',
  'updateBorders',
  'updateCells',
  'updateChartSpec',
  'updateConditionalFormatRule',
  'updateDataSource',
  'updateDeveloperMetadata',
  'updateDimensionGroup',
  'updateDimensionProperties',
  'updateEmbeddedObjectBorder',
  'updateEmbeddedObjectPosition',
  'updateFilterView',
  'updateNamedRange',
  'updateProtectedRange',
  'updateSheetProperties',
  'updateSlicerSpec',
  'updateSpreadsheetProperties',
  'updateTable',
];

// ---------- sheet helpers ----------

function sheetById(ss: Spreadsheet, value: unknown): Sheet {
  const id = intAt(value, 'sheetId') ?? 0;
  const sheet = ss.sheets.find((s) => s.properties.sheetId === id);
  if (!sheet) throw badRequest(`No grid with id: ${id}`);
  return sheet;
}

function chartsOf(ss: Spreadsheet): JsonObject[] {
  return ss.sheets.flatMap((s) => s.charts ?? []);
}

function chartById(ss: Spreadsheet, value: unknown, where: string): JsonObject {
  const id = intAt(value, where);
  const chart = id === undefined ? undefined : chartsOf(ss).find((c) => c.chartId === id);
  if (!chart) throw badRequest(`No chart with id: ${id ?? 0}`);
  return chart;
}

function prefixed(e: unknown, where: string): unknown {
  if (e instanceof ApiError && !e.message.startsWith('Invalid ')) {
    return new ApiError(e.code, `Invalid ${where}: ${e.message}`);
  }
  return e;
}

/** The field paths of an update request's `fields`, checked against what the emulator handles. */
function fieldList(fields: unknown, allowed: readonly string[]): string[] {
  if (typeof fields !== 'string' || fields.trim() === '') {
    throw badRequest("At least one field must be specified in 'fields'.");
  }
  if (fields.trim() === '*') return allowed.filter((f) => !f.includes('.'));
  return fields.split(',').map((f) => {
    const field = f.trim();
    if (!allowed.includes(field)) throw notEmulated(`Updating the field "${field}"`);
    return field;
  });
}

const CELL_FIELDS = ['userEnteredValue', 'userEnteredFormat', 'dataValidation', 'note'];

/** updateCells/repeatCell fields: `userEnteredFormat.numberFormat`, `userEnteredValue`, `*`… */
function cellFieldList(fields: unknown): string[][] {
  if (typeof fields !== 'string' || fields.trim() === '') {
    throw badRequest("At least one field must be specified in 'fields'.");
  }
  if (fields.trim() === '*') return CELL_FIELDS.map((f) => [f]);
  const out: string[][] = [];
  let depth = 0;
  let current = '';
  const push = (text: string) => {
    // a(b,c) → a.b, a.c
    const m = /^([^()]+)\((.*)\)$/.exec(text);
    const items = m ? m[2]!.split(',').map((x) => `${m[1]}.${x.trim()}`) : [text];
    for (const item of items) {
      const path = item.split(/[./]/).map((p) => p.trim());
      if (!CELL_FIELDS.includes(path[0]!)) throw notEmulated(`Updating the cell field "${item}"`);
      out.push(path);
    }
  };
  for (const ch of fields) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) push(current.trim());
  return out;
}

/** Sets (or clears, when absent from `data`) each field path of one cell. */
function applyCellData(sheet: Sheet, r: number, c: number, data: JsonObject, fields: string[][]): void {
  const cell = cellAt(sheet, r, c);
  for (const path of fields) {
    const [head, ...rest] = path;
    if (head === 'userEnteredValue') {
      delete cell.value;
      delete cell.formula;
      const v = data.userEnteredValue;
      if (!isObject(v)) continue;
      if (typeof v.formulaValue === 'string') cell.formula = v.formulaValue;
      else if (typeof v.numberValue === 'number') cell.value = v.numberValue;
      else if (typeof v.boolValue === 'boolean') cell.value = v.boolValue;
      else if (typeof v.stringValue === 'string' && v.stringValue !== '') cell.value = v.stringValue;
      else if (v.errorValue !== undefined) throw notEmulated('Writing an error value');
      continue;
    }
    if (head === 'note') {
      if (typeof data.note === 'string' && data.note !== '') cell.note = data.note;
      else delete cell.note;
      continue;
    }
    if (head === 'dataValidation') {
      if (isObject(data.dataValidation)) cell.validation = structuredClone(data.dataValidation);
      else delete cell.validation;
      continue;
    }
    // userEnteredFormat[.a.b…]
    const source = data.userEnteredFormat;
    if (rest.length === 0) {
      if (isObject(source) && Object.keys(source).length) cell.format = structuredClone(source) as CellFormat;
      else delete cell.format;
      continue;
    }
    let value: unknown = source;
    for (const key of rest) value = isObject(value) ? value[key] : undefined;
    if (!cell.format) cell.format = {};
    const format: JsonObject = cell.format;
    let node = format;
    rest.slice(0, -1).forEach((key) => {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as JsonObject;
    });
    const last = rest[rest.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = structuredClone(value);
    if (Object.keys(format).length === 0) delete cell.format;
  }
}

function dimensionRange(
  ss: Spreadsheet,
  value: unknown,
  where: string,
  forInsert: boolean,
): { sheet: Sheet; dimension: 'ROWS' | 'COLUMNS'; start: number; end: number } {
  const d = objectAt(value, where);
  const sheet = sheetById(ss, d.sheetId);
  if (d.dimension !== 'ROWS' && d.dimension !== 'COLUMNS') {
    throw badRequest(`Invalid ${where}.dimension: must be ROWS or COLUMNS`);
  }
  const dimension = d.dimension;
  const limit = dimension === 'ROWS' ? rowCount(sheet) : columnCount(sheet);
  const start = intAt(d.startIndex, `${where}.startIndex`) ?? 0;
  const end = intAt(d.endIndex, `${where}.endIndex`) ?? limit;
  if (start < 0 || end <= start)
    throw badRequest(`Invalid ${where}: endIndex must be greater than startIndex.`);
  if (forInsert ? start > limit : end > limit) {
    const b: GridBounds =
      dimension === 'ROWS' ? { startRow: start, endRow: end } : { startCol: start, endCol: end };
    throw exceedsGrid(sheet, b);
  }
  return { sheet, dimension, start, end };
}
