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
import { sameCell, sameKey, sheetValue, tableOf } from '../core/cells';
import { instantToSerial } from '../core/dates';
import { normaliseName, type TabName, tabSpec } from '../core/layout';
import type { Cell, CellWrite, Plan, Problem, RowAppend, Snapshot } from '../core/types';

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

function keyOf(write: CellWrite, matchKeys: Map<number, string>): string | undefined {
  return write.ref.by === 'key' ? write.ref.value.trim() : matchKeys.get(write.ref.row);
}

/** Applies a plan's writes and appends to the bound spreadsheet (the caller holds the script lock). */
export function applyPlan(ss: Spreadsheet, plan: Plan): ApplyResult {
  const tz = plan.timeZone;
  const conflicts: Problem[] = [];
  const failed = new Set<string>();
  let writes = 0;

  const tabs = [...new Set(plan.writes.map((w) => w.tab))];
  for (const tab of tabs) {
    const sheet = sheetByName(ss, tab);
    const tabWrites = plan.writes.filter((w) => w.tab === tab);
    if (!sheet) {
      conflicts.push({
        severity: 'error',
        tab,
        message: `the Sheet has no ${tab} tab; nothing written there`,
      });
      continue;
    }
    // Read the tab as it is now: rows are found by key here, not where the snapshot saw them.
    const values = sheet.getDataRange().getValues();
    const headers = (values[0] ?? []).map((h) => String(h));
    const col = (h: string) => headers.findIndex((x) => normaliseName(x) === normaliseName(h));
    const keyHeader = tabSpec(tab as TabName).key ?? '';
    const keyCol = col(keyHeader);
    const cell = (r: number, c: number): Cell => {
      const v = cellOf(values[r]?.[c], tz);
      return v === '' || v === undefined ? null : (v as Cell);
    };
    const matchKeys = new Map<number, string>();
    for (const w of tabWrites) {
      if (w.ref.by === 'match' && normaliseName(w.column) === normaliseName(keyHeader))
        matchKeys.set(w.ref.row, String(w.value));
    }
    const byKey = new Map<string, CellWrite[]>();
    for (const w of tabWrites) {
      const key = keyOf(w, matchKeys);
      if (!key) {
        conflicts.push({
          severity: 'error',
          tab,
          message: `${tab}: a row without a key cannot be addressed; not written`,
        });
        continue;
      }
      byKey.set(key, [...(byKey.get(key) ?? []), w]);
    }
    /** Row index (0-based, in `values`) → the values to write there, by column index. */
    const planned = new Map<number, Map<number, unknown>>();
    for (const [key, ws] of byKey) {
      const fail = (message: string, column?: string) => {
        failed.add(`${tab}|${key}`);
        conflicts.push({
          severity: 'warning',
          tab,
          column,
          message: `${tab} ${key}: ${message}; not written`,
        });
      };
      const first = ws[0]!;
      let index: number;
      if (first.ref.by === 'match') {
        const r = first.ref.row - 1;
        const moved = Object.entries(first.ref.cells).find(([h, v]) => !sameCell(cell(r, col(h)), v, tz));
        if (moved || keyCol < 0 || (cell(r, keyCol) !== null && !sameKey(cell(r, keyCol), key, tz))) {
          fail(`row ${first.ref.row} no longer holds what was read`, moved?.[0]);
          continue;
        }
        index = r;
      } else {
        const rows: number[] = [];
        for (let r = 1; r < values.length; r++)
          if (keyCol >= 0 && sameKey(cell(r, keyCol), key, tz)) rows.push(r);
        if (rows.length !== 1) {
          fail(rows.length ? `the key is on ${rows.length} rows` : 'the row is gone');
          continue;
        }
        index = rows[0]!;
      }
      const missing = ws.find((w) => col(w.column) < 0);
      if (missing) {
        fail(`the column "${missing.column}" is missing`, missing.column);
        continue;
      }
      const changed = ws.find(
        (w) =>
          !sameCell(cell(index, col(w.column)), w.previous, tz) &&
          !sameCell(cell(index, col(w.column)), sheetValue(w.value, w.as, tz) ?? null, tz),
      );
      if (changed) {
        fail(`${changed.column} was changed by someone since it was read`, changed.column);
        continue;
      }
      const row = planned.get(index) ?? new Map<number, unknown>();
      for (const w of ws) row.set(col(w.column), asSheetValue(w.value, w.as, tz));
      planned.set(index, row);
      writes += ws.length;
    }
    // One setValues per column written, over the rows from the first to the last touched.
    const columns = new Set([...planned.values()].flatMap((row) => [...row.keys()]));
    for (const c of columns) {
      const rows = [...planned.entries()].filter(([, row]) => row.has(c)).map(([r]) => r);
      const lo = Math.min(...rows);
      const hi = Math.max(...rows);
      const block: unknown[][] = [];
      for (let r = lo; r <= hi; r++) {
        const mine = planned.get(r);
        // Rows in between get back what was just read (text kept as text, Dates as Dates).
        const kept = values[r]?.[c] ?? '';
        block.push([mine?.has(c) ? mine.get(c) : typeof kept === 'string' ? literal(kept) : kept]);
      }
      sheet.getRange(lo + 1, c + 1, block.length, 1).setValues(block);
    }
  }

  // Appends, one setValues per tab; rows recording writes that could not be made wait for the next run.
  let appends = 0;
  const appendable = plan.appends.filter(
    (a) => !a.requires?.some((r) => failed.has(`${r.tab}|${r.key.trim()}`)),
  );
  for (const tab of [...new Set(appendable.map((a) => a.tab))]) {
    const sheet = sheetByName(ss, tab);
    if (!sheet) {
      conflicts.push({ severity: 'error', tab, message: `the Sheet has no ${tab} tab; rows not added` });
      continue;
    }
    const width = Math.max(1, sheet.getLastColumn());
    const headers = sheet
      .getRange(1, 1, 1, width)
      .getValues()[0]!
      .map((h) => String(h));
    const rows = appendable.filter((a) => a.tab === tab).map((a) => rowValues(a, headers, tz));
    sheet.getRange(sheet.getLastRow() + 1, 1, rows.length, headers.length).setValues(rows);
    appends += rows.length;
  }
  return { writes, appends, conflicts };
}

function rowValues(a: RowAppend, headers: string[], tz: string): unknown[] {
  const byHeader = new Map(Object.entries(a.values).map(([h, v]) => [normaliseName(h), v]));
  const kinds = new Map(Object.entries(a.dates ?? {}).map(([h, k]) => [normaliseName(h), k]));
  return headers.map((h) => {
    const v = byHeader.get(normaliseName(h));
    return v === undefined || v === null ? '' : asSheetValue(v, kinds.get(normaliseName(h)), tz);
  });
}
