/**
 * Plan resolution: a plan's writes and appends, against the rows as they are now, become the
 * cells to write, the rows to add and the conflicts to report. Every runtime (the workbook, the
 * Node job's Sheet, the bound Sheet in Apps Script, the in-memory test runtime) resolves a plan
 * here and only carries out the result (docs/architecture.md §2).
 *
 * The rules, once:
 * - A row is found by its key in the rows as they are now; a row with no key yet by its row
 *   number while it still holds the cells that were read, or else by being the one row that
 *   holds them (it moved).
 * - A row is written whole or not at all: if its key is gone or on several rows, a column is
 *   missing, or a cell no longer holds what the core read (nor already what the plan writes —
 *   a stopped run wrote it, or a person typed the same), nothing of that row is written.
 * - A row appended to record writes (`requires`) is not appended when one of those rows was
 *   not written, so the next run plans the change again.
 * - A missing tab is an error and nothing is written there; an appended row whose required
 *   column is missing is added without that value, and said.
 */
import { columnsOf, keyIndex, sameCell, sheetValue, text } from './cells';
import { serialToDate, serialToInstant } from './dates';
import { normaliseName, type TabName, tabSpec } from './layout';
import type { Cell, CellWrite, Plan, Problem, RowAppend, RowRef } from './types';

/** A tab as it is now: its header row and its rows (`rows[i]` is sheet row i + 2). */
export interface RowsNow {
  headers: readonly string[];
  rows: readonly (readonly Cell[])[];
}

/** One cell to write: its column (0-based, in the headers as they are now) and core value. */
export interface ResolvedCell {
  column: number;
  header: string;
  value: Cell;
  as?: 'date' | 'instant';
}

/** A row to write, found in the rows as they are now. */
export interface ResolvedRow {
  tab: TabName;
  /** Index into `rows` of the tab as it is now (sheet row index + 2). */
  index: number;
  /** The row's key once written (a new row's ID), or `row N` for a row that gets none. */
  key: string;
  cells: ResolvedCell[];
}

export interface ResolvedAppend {
  tab: TabName;
  append: RowAppend;
  /** The values, by column of the headers as they are now (headers the tab lacks are left out). */
  cells: ResolvedCell[];
}

export interface Resolution {
  rows: ResolvedRow[];
  appends: ResolvedAppend[];
  conflicts: Problem[];
  /** Rows not written, as `tab|key` (lower case): appends that `require` them are held back. */
  failed: Set<string>;
}

/** The tab as it is now, or undefined when the register has no such tab. */
export type TabsNow = (tab: TabName) => RowsNow | undefined;

/** A cell as a person reads it: a date column's serial as its date. */
function display(cell: Cell, as: 'date' | 'instant' | undefined, timeZone: string): string {
  if (typeof cell === 'number' && as === 'date') return serialToDate(cell);
  if (typeof cell === 'number' && as === 'instant') return serialToInstant(cell, timeZone);
  return text(cell);
}

function describeRef(ref: RowRef): string {
  return ref.by === 'key' ? `${ref.header} ${ref.value}` : `row ${ref.row}`;
}

export const failedKey = (tab: string, key: string) => `${normaliseName(tab)}|${key.trim().toLowerCase()}`;

/** The values of an appended row by column of `headers`; headers the tab lacks are left out. */
export function appendCells(append: RowAppend, headers: readonly string[]): ResolvedCell[] {
  const cols = columnsOf(headers);
  const kinds = new Map(Object.entries(append.dates ?? {}).map(([h, k]) => [normaliseName(h), k]));
  const cells: ResolvedCell[] = [];
  for (const [header, value] of Object.entries(append.values)) {
    const column = cols.get(normaliseName(header));
    if (column === undefined) continue;
    const as = kinds.get(normaliseName(header));
    cells.push({ column, header, value, ...(as ? { as } : {}) });
  }
  return cells;
}

/** A whole row of `width` cells from resolved cells, each converted for the runtime; blanks elsewhere. */
export function rowArray<T>(
  cells: readonly ResolvedCell[],
  width: number,
  convert: (c: ResolvedCell) => T,
  blank: T,
): T[] {
  const row = new Array<T>(width).fill(blank);
  for (const c of cells) if (c.column < width) row[c.column] = c.value === null ? blank : convert(c);
  return row;
}

interface RowFound {
  index?: number;
  /** Why the row cannot be written: a message, and the column and sheet row it concerns. */
  problem?: Omit<Problem, 'severity' | 'tab'> & { severity?: Problem['severity'] };
}

/** The row a reference names in the rows as they are now. */
function findRow(
  tab: TabName,
  ref: RowRef,
  now: RowsNow,
  cols: Map<string, number>,
  rowsWithKey: (key: string) => number[],
  timeZone: string,
): RowFound {
  if (ref.by === 'key') {
    if (!cols.has(normaliseName(ref.header)))
      return {
        problem: {
          severity: 'error',
          message: `${tab} has no key column "${ref.header}"; ${ref.value} was not written`,
        },
      };
    const hits = rowsWithKey(ref.value);
    if (hits.length === 1) return { index: hits[0]! };
    if (!hits.length)
      return { problem: { message: `no ${tab} row has ${ref.header} ${ref.value} any more; not written` } };
    return {
      problem: {
        row: hits[0]! + 2,
        message: `${ref.header} ${ref.value} appears on ${tab} rows ${hits.map((i) => i + 2).join(', ')}; not written`,
      },
    };
  }
  const cellAt = (row: readonly Cell[] | undefined, h: string): Cell => {
    const i = cols.get(normaliseName(h));
    return i === undefined ? null : (row?.[i] ?? null);
  };
  const entries = Object.entries(ref.cells);
  const holds = (row: readonly Cell[] | undefined) =>
    !!row && entries.every(([h, v]) => sameCell(cellAt(row, h), v, timeZone));
  const at = ref.row - 2;
  if (holds(now.rows[at])) return { index: at };
  // The row moved since the snapshot: found again when exactly one row still holds its cells.
  const hits: number[] = [];
  now.rows.forEach((row, i) => {
    if (holds(row)) hits.push(i);
  });
  if (hits.length === 1) return { index: hits[0]! };
  const [h, was] =
    entries.find(([h, v]) => !sameCell(cellAt(now.rows[at], h), v, timeZone)) ?? entries[0] ?? [];
  const is = h === undefined ? '' : text(cellAt(now.rows[at], h));
  return {
    problem: {
      row: ref.row,
      column: h,
      message: `${tab} row ${ref.row} no longer holds what was read${h === undefined ? '' : ` (${h} is now "${is}", was "${text(was ?? null)}")`}; changed by someone since it was read; not written`,
    },
  };
}

/** The writes to one row: all of them, or the first reason none can be made. */
function checkRow(
  tab: TabName,
  index: number,
  writes: readonly CellWrite[],
  now: RowsNow,
  cols: Map<string, number>,
  timeZone: string,
): { cells?: ResolvedCell[]; problem?: Problem } {
  const cells: ResolvedCell[] = [];
  const others = writes.length > 1 ? ', nor anything else of this row' : '';
  for (const w of writes) {
    const column = cols.get(normaliseName(w.column));
    if (column === undefined)
      return {
        problem: {
          severity: 'error',
          tab,
          row: index + 2,
          column: w.column,
          value: text(w.value),
          message: `${tab} has no column "${w.column}"; the value for ${describeRef(w.ref)} was not written${others}`,
        },
      };
    const current = now.rows[index]?.[column] ?? null;
    const planned = sheetValue(w.value, w.as, timeZone);
    if (!sameCell(current, w.previous, timeZone) && !sameCell(current, planned, timeZone))
      return {
        problem: {
          severity: 'warning',
          tab,
          row: index + 2,
          column: w.column,
          value: display(current, w.as, timeZone),
          expected: display(w.previous, w.as, timeZone),
          message: `${w.column} of ${describeRef(w.ref)} changed by someone since it was read; not overwritten${others}`,
        },
      };
    cells.push({ column, header: w.column, value: w.value, ...(w.as ? { as: w.as } : {}) });
  }
  return { cells };
}

/** Resolves a plan against the tabs as they are now (see the rules above). */
export function resolvePlan(
  plan: Pick<Plan, 'writes' | 'appends' | 'timeZone'>,
  tabsNow: TabsNow,
): Resolution {
  const tz = plan.timeZone;
  const rows: ResolvedRow[] = [];
  const conflicts: Problem[] = [];
  const failed = new Set<string>();
  const tabs = [...new Set(plan.writes.map((w) => w.tab))];
  for (const tab of tabs) {
    const writes = plan.writes.filter((w) => w.tab === tab);
    const now = tabsNow(tab);
    if (!now) {
      const columns = [...new Set(writes.map((w) => w.column))];
      conflicts.push({
        severity: 'error',
        tab,
        column: columns.length === 1 ? columns[0] : undefined,
        message: `the register has no ${tab} tab; ${columns.join(', ')} ${columns.length === 1 ? 'was' : 'were'} not written`,
      });
      for (const w of writes) failed.add(failedKey(tab, keyOfWrite(w, writes)));
      continue;
    }
    const cols = columnsOf(now.headers);
    const keyHeader = tabSpec(tab).key ?? '';
    const keyCol = cols.get(normaliseName(keyHeader));
    const rowsWithKey = keyIndex(
      now.rows.map((r) => (keyCol === undefined ? null : (r[keyCol] ?? null))),
      tz,
    );
    // Writes grouped by the row they name; a row is written whole or not at all.
    // A key this plan gives a new row (its ID) names that row: writes by it join the row's group.
    const given = new Map<string, string>();
    for (const w of writes)
      if (w.ref.by === 'match' && normaliseName(w.column) === normaliseName(keyHeader) && text(w.value))
        given.set(text(w.value).toLowerCase(), `r:${w.ref.row}`);
    const groups = new Map<string, { ref: RowRef; key: string; writes: CellWrite[] }>();
    for (const w of writes) {
      const id =
        w.ref.by === 'key'
          ? (given.get(w.ref.value.trim().toLowerCase()) ?? `k:${w.ref.value.trim().toLowerCase()}`)
          : `r:${w.ref.row}`;
      const group = groups.get(id) ?? { ref: w.ref, key: keyOfWrite(w, writes), writes: [] };
      if (w.ref.by === 'match') group.ref = w.ref;
      group.writes.push(w);
      groups.set(id, group);
    }
    for (const group of groups.values()) {
      const found = findRow(tab, group.ref, now, cols, rowsWithKey, tz);
      const checked =
        found.index === undefined ? undefined : checkRow(tab, found.index, group.writes, now, cols, tz);
      const problem: Problem | undefined = found.problem
        ? { severity: 'warning', tab, ...found.problem }
        : checked?.problem;
      if (problem || !checked?.cells) {
        failed.add(failedKey(tab, group.key));
        if (problem) conflicts.push(problem);
        continue;
      }
      rows.push({ tab, index: found.index!, key: group.key, cells: checked.cells });
    }
  }
  conflicts.push(...appendProblems(plan.appends, tabsNow, failed));
  return { rows, appends: resolveAppends(plan.appends, tabsNow, failed), conflicts, failed };
}

/** The key a write's row has once written: its key, a new row's planned ID, or `row N`. */
function keyOfWrite(w: CellWrite, writes: readonly CellWrite[]): string {
  if (w.ref.by === 'key') return w.ref.value.trim();
  const ref = w.ref;
  const keyHeader = normaliseName(tabSpec(w.tab).key ?? '');
  const own = writes.find(
    (x) => x.ref.by === 'match' && x.ref.row === ref.row && normaliseName(x.column) === keyHeader,
  );
  return own && text(own.value) ? text(own.value) : `row ${ref.row}`;
}

function appendable(a: RowAppend, failed: Set<string>): boolean {
  return !a.requires?.some((r) => failed.has(failedKey(r.tab, r.key)));
}

function resolveAppends(
  appends: readonly RowAppend[],
  tabsNow: TabsNow,
  failed: Set<string>,
): ResolvedAppend[] {
  const out: ResolvedAppend[] = [];
  for (const append of appends) {
    const now = tabsNow(append.tab);
    if (!now || !appendable(append, failed)) continue;
    out.push({ tab: append.tab, append, cells: appendCells(append, now.headers) });
  }
  return out;
}

/** What is said about appends: a missing tab, a required column the tab lacks. */
function appendProblems(appends: readonly RowAppend[], tabsNow: TabsNow, failed: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const saidTabs = new Set<string>();
  for (const append of appends) {
    const { tab } = append;
    const now = tabsNow(tab);
    if (!now) {
      const n = saidTabs.has(tab) ? 0 : appends.filter((a) => a.tab === tab).length;
      if (n)
        problems.push({
          severity: 'error',
          tab,
          message: `the register has no ${tab} tab; ${n === 1 ? 'a row was' : `${n} rows were`} not added`,
        });
      saidTabs.add(tab);
      continue;
    }
    if (!appendable(append, failed)) continue;
    const cols = columnsOf(now.headers);
    const required = tabSpec(tab).columns.filter((c) => c.required);
    for (const [header, value] of Object.entries(append.values)) {
      if (cols.has(normaliseName(header)) || text(value) === '') continue;
      if (!required.some((c) => normaliseName(c.header) === normaliseName(header))) continue;
      problems.push({
        severity: 'error',
        tab,
        row: now.rows.length + 2,
        column: header,
        value: text(value),
        message: `${tab} has no column "${header}"; that value of the added row was not written`,
      });
    }
  }
  return problems;
}

/** Cells the resolution writes. */
export function cellsWritten(resolution: Resolution): number {
  return resolution.rows.reduce((n, r) => n + r.cells.length, 0);
}
