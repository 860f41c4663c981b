/**
 * The register in the bound Spreadsheet, through SpreadsheetApp: one snapshot read with one
 * `getValues()` per tab, and a plan applied with whole-range writes — never a call per cell.
 *
 * Rows are addressed by key at the moment of writing: each tab that is written to is read again
 * in the same step (under the script lock), every target row is found by its key there, and
 * only then are the values written — so a row a person moved since the snapshot still gets its
 * own values. A row whose cells a person changed since the snapshot is a conflict, left as they
 * set it (with the Changes/Updates rows that would record it). Writes go column by column, over
 * the span of rows touched, with the values just read for the rows in between.
 */
import { sheetValue, tableOf } from '../core/cells';
import { instantToSerial } from '../core/dates';
import { normaliseName, type TabName } from '../core/layout';
import { cellsWritten, type ResolvedRow, type RowsNow, resolvePlan, rowArray } from '../core/resolve';
import type { Cell, Plan, Problem, Snapshot } from '../core/types';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

export interface ApplyResult {
  writes: number;
  appends: number;
  conflicts: Problem[];
}

/** A value as getValues returns it → a core cell: Dates become serials in the sheet's zone. */
function cellOf(value: unknown, timeZone: string): unknown {
  if (value instanceof Date) return instantToSerial(value.toISOString(), timeZone);
  return value;
}

export function sheetByName(ss: Spreadsheet, name: string): Sheet | undefined {
  return ss.getSheets().find((s) => normaliseName(s.getName()) === normaliseName(name));
}

/** Every tab's values, one getValues() each. */
export function readSnapshot(
  ss: Spreadsheet,
  only?: readonly string[],
): { snapshot: Snapshot; timeZone: string } {
  const timeZone = ss.getSpreadsheetTimeZone();
  // `only`: just these tabs (an edit reads what it needs: the core's editReads).
  const wanted = only && new Set(only.map((t) => normaliseName(t)));
  const sheets = ss.getSheets().filter((sheet) => !wanted || wanted.has(normaliseName(sheet.getName())));
  const tables = sheets.map((sheet) => {
    const values = sheet.getDataRange().getValues();
    return tableOf(
      sheet.getName(),
      values.map((row) => row.map((v) => cellOf(v, timeZone))),
    );
  });
  return { snapshot: { tables }, timeZone };
}

/**
 * People's text is data: Sheets would read a leading `=` as a formula (and `+`, `-`, `@` or a
 * number-like text as something else), so such text is written with Sheets' text prefix `'`.
 */
export function literal(value: Cell): Cell {
  if (typeof value !== 'string') return value;
  return /^[=+\-@']/.test(value) || /^\s*[\d.,]+\s*$/.test(value) ? `'${value}` : value;
}

function asSheetValue(value: Cell, as: 'date' | 'instant' | undefined, tz: string): unknown {
  const v = sheetValue(value, as, tz);
  return v === null ? '' : typeof v === 'string' && !as ? literal(v) : v;
}

/** A value just read, written back unchanged (text kept as text, Dates as Dates). */
function keptValue(value: unknown): unknown {
  return typeof value === 'string' ? literal(value) : (value ?? '');
}

/**
 * Applies a plan's writes and appends to the bound spreadsheet (the caller holds the script
 * lock). Each tab written to is read again now, the core resolves the plan against it
 * (`resolvePlan`), and the result is written: one setValues per column written, over the rows
 * from the first to the last touched, and one per tab appended to.
 */
export function applyPlan(ss: Spreadsheet, plan: Plan): ApplyResult {
  const tz = plan.timeZone;
  const tabs = new Map<TabName, { sheet: Sheet; values: unknown[][]; now: RowsNow } | undefined>();
  const tab = (name: TabName) => {
    if (!tabs.has(name)) {
      const sheet = sheetByName(ss, name);
      // Tabs only appended to need their header row; tabs written to are read whole, now.
      const whole = plan.writes.some((w) => w.tab === name);
      const values = !sheet
        ? []
        : whole
          ? sheet.getDataRange().getValues()
          : sheet.getRange(1, 1, 1, Math.max(1, sheet.getLastColumn())).getValues();
      const table = tableOf(
        name,
        values.map((row) => row.map((v) => cellOf(v, tz))),
      );
      tabs.set(name, sheet && { sheet, values, now: table });
    }
    return tabs.get(name);
  };
  const resolution = resolvePlan(plan, (name) => tab(name)?.now);
  for (const name of [...new Set(resolution.rows.map((r) => r.tab))]) {
    const { sheet, values } = tab(name)!;
    writeColumns(
      sheet,
      values,
      resolution.rows.filter((r) => r.tab === name),
      tz,
    );
  }
  for (const name of [...new Set(resolution.appends.map((a) => a.tab))]) {
    const { sheet, now } = tab(name)!;
    const rows = resolution.appends
      .filter((a) => a.tab === name)
      .map((a) => rowArray(a.cells, now.headers.length, (c) => asSheetValue(c.value, c.as, tz), ''));
    sheet.getRange(sheet.getLastRow() + 1, 1, rows.length, now.headers.length).setValues(rows);
  }
  return {
    writes: cellsWritten(resolution),
    appends: resolution.appends.length,
    conflicts: resolution.conflicts,
  };
}

/** One setValues per column written, over the rows from the first to the last touched. */
function writeColumns(sheet: Sheet, values: unknown[][], rows: ResolvedRow[], tz: string): void {
  const planned = new Map<number, Map<number, unknown>>();
  for (const r of rows) {
    const row = planned.get(r.index + 1) ?? new Map<number, unknown>();
    for (const c of r.cells) row.set(c.column, asSheetValue(c.value, c.as, tz));
    planned.set(r.index + 1, row);
  }
  const columns = new Set([...planned.values()].flatMap((row) => [...row.keys()]));
  for (const c of columns) {
    const touched = [...planned.entries()].filter(([, row]) => row.has(c)).map(([r]) => r);
    const lo = Math.min(...touched);
    const hi = Math.max(...touched);
    const block: unknown[][] = [];
    for (let r = lo; r <= hi; r++) {
      const mine = planned.get(r);
      // Rows in between get back what was just read.
      block.push([mine?.has(c) ? mine.get(c) : keptValue(values[r]?.[c])]);
    }
    sheet.getRange(lo + 1, c + 1, block.length, 1).setValues(block);
  }
}
