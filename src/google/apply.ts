/**
 * Applying a plan to the register in a Google Sheet, so that no cell can go astray while people
 * sort, insert and delete rows.
 *
 * Rows are addressed by row developer metadata (`milepost.key.<Tab>` = the row's key), written
 * with values.batchUpdateByDataFilter: Sheets resolves the row when the write lands, and the
 * metadata moves with its row. A re-read of the key column would leave a window between the
 * read and the write in which a sort sends a value to the wrong milestone; metadata has none.
 * Columns are found by header text in a read made just before the write.
 *
 * Calls per apply, whatever the size of the register: one metadata search, at most one
 * metadata creation, one check read, one value write, one append per tab with new rows.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { sameCell, sameKey, sheetValue } from '../core/cells';
import { normaliseName, TABS, type TabName, tabSpec } from '../core/layout';
import type { Cell, CellWrite, Plan, Problem, RowAppend } from '../core/types';
import { clearJournal, recoverJournal, writeJournal } from './journal';
import { quoteSheet, type SheetInfo, type SheetSnapshot } from './sheets';

export type Call = <T>(label: string, fn: () => Promise<T>) => Promise<T>;

/** How calls are made: reads and overwrites may be repeated; `once` calls may not. */
export interface SheetCalls {
  read: Call;
  write: Call;
  once: Call;
}

export interface SheetApplyResult {
  /** Cells written. */
  writes: number;
  /** Rows appended. */
  appends: number;
  /** Rows not written because they no longer hold what was read; nothing of such a row is written. */
  conflicts: Problem[];
}

export function metadataKey(tab: TabName): string {
  return `milepost.key.${tab}`;
}

/** All writes to one row, addressed by the key the row has (or is given by this plan). */
interface Target {
  tab: TabName;
  sheet: SheetInfo;
  key: string;
  writes: CellWrite[];
  /** For a row that has no key yet: its row number and the cells it must still hold. */
  match?: { row: number; cells: Record<string, Cell> };
  rowIndex?: number;
}

const lookup = (tab: TabName, key: string) => ({
  developerMetadataLookup: { metadataKey: metadataKey(tab), metadataValue: key, locationType: 'ROW' },
});

function rowOfRange(range: string | null | undefined): number | undefined {
  const m = /!\$?[A-Z]*\$?(\d+)/.exec(range ?? '');
  return m ? Number(m[1]) : undefined;
}

function conflictOf(t: Target, message: string, column?: string, row?: number): Problem {
  return {
    severity: 'warning',
    tab: t.tab,
    row,
    column,
    value: t.key,
    expected: 'the row as it was read',
    message: `${t.tab} ${t.key}: ${message}; this row was not written`,
  };
}

/** The snapshot's headers and rows by layout tab name (tabs match case- and space-insensitively). */
function byTab(read: SheetSnapshot): { headers: Map<TabName, string[]>; rows: Map<TabName, Cell[][]> } {
  const headers = new Map<TabName, string[]>();
  const rows = new Map<TabName, Cell[][]>();
  for (const spec of TABS) {
    const table = read.snapshot.tables.find((t) => normaliseName(t.name) === normaliseName(spec.name));
    if (!table) continue;
    headers.set(spec.name, table.headers);
    rows.set(spec.name, table.rows);
  }
  return { headers, rows };
}

export interface ApplyOptions {
  /** What the journal calls this plan ('sync 2026-12-01T18:00:00Z'). */
  label?: string;
  /**
   * Finishing a journaled plan of a stopped run: cells already holding their planned value
   * count as written, rows already in a tab are not appended again, nothing is journaled.
   */
  recovering?: boolean;
}

/**
 * Applies a plan: journals it (journal.ts), writes the cells of rows that still hold what was
 * read, appends the rows, clears the journal.
 */
export async function applyToSheet(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  plan: Plan,
  calls: SheetCalls,
  opts: ApplyOptions = {},
): Promise<SheetApplyResult> {
  if (!plan.writes.length && !plan.appends.length) return { writes: 0, appends: 0, conflicts: [] };
  if (!opts.recovering) {
    await writeJournal(api, spreadsheetId, read, plan, opts.label ?? 'plan', calls);
  }
  const result = await applyPlan(api, spreadsheetId, read, plan, calls, opts.recovering === true);
  await clearJournal(api, spreadsheetId, calls);
  return result;
}

/** Finishes the plan a stopped run left in the journal; returns the register as it is now. */
export function recoverSheet(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  calls: SheetCalls,
): Promise<SheetSnapshot> {
  return recoverJournal(api, spreadsheetId, read, calls, (r, plan) =>
    applyToSheet(api, spreadsheetId, r, plan, calls, { recovering: true }),
  );
}

async function applyPlan(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  plan: Plan,
  calls: SheetCalls,
  recovering: boolean,
): Promise<SheetApplyResult> {
  const tz = plan.timeZone;
  const sheets = read.sheets;
  const { headers: snapshotHeaders, rows: snapshotRows } = byTab(read);
  const sheetOf = (tab: TabName) => sheets.find((s) => normaliseName(s.title) === normaliseName(tab));
  const conflicts: Problem[] = [];
  /** Rows not written: the appends that record their writes are left for the next run. */
  const failedTargets = new Set<string>();
  const conflict = (t: Target, message: string, column?: string, row?: number): Problem => {
    failedTargets.add(`${t.tab}|${t.key}`);
    return conflictOf(t, message, column, row);
  };

  // 1. Group writes by row.
  const targets = new Map<string, Target>();
  const matchKeys = new Map<string, string>();
  for (const w of plan.writes) {
    const spec = tabSpec(w.tab);
    if (w.ref.by === 'match' && w.column === spec.key)
      matchKeys.set(`${w.tab}#${w.ref.row}`, String(w.value));
  }
  for (const w of plan.writes) {
    const sheet = sheetOf(w.tab);
    if (!sheet) {
      conflicts.push({
        severity: 'error',
        tab: w.tab,
        message: `the Sheet has no ${w.tab} tab; nothing written there`,
      });
      continue;
    }
    const key = w.ref.by === 'key' ? w.ref.value.trim() : matchKeys.get(`${w.tab}#${w.ref.row}`);
    if (!key) {
      conflicts.push({
        severity: 'error',
        tab: w.tab,
        row: w.ref.by === 'match' ? w.ref.row : undefined,
        message: `${w.tab}: a row without a key cannot be addressed; not written`,
      });
      continue;
    }
    const id = `${w.tab}|${key}`;
    const t = targets.get(id) ?? {
      tab: w.tab,
      sheet,
      key,
      writes: [],
      match: w.ref.by === 'match' ? { row: w.ref.row, cells: w.ref.cells } : undefined,
    };
    t.writes.push(w);
    targets.set(id, t);
  }

  // 2. Which rows already carry their key as metadata (one search for every tab).
  const tabs = [...new Set([...targets.values()].map((t) => t.tab))];
  const existing = new Map<string, number[]>();
  if (tabs.length) {
    const found = await calls.read('developerMetadata.search', () =>
      api.spreadsheets.developerMetadata.search({
        spreadsheetId,
        requestBody: {
          dataFilters: tabs.map((tab) => ({ developerMetadataLookup: { metadataKey: metadataKey(tab) } })),
        },
      }),
    );
    for (const m of found.data.matchedDeveloperMetadata ?? []) {
      const d = m.developerMetadata;
      const tab = tabs.find((t) => metadataKey(t) === d?.metadataKey);
      if (!tab || !d?.metadataValue) continue;
      const id = `${tab}|${d.metadataValue}`;
      existing.set(id, [...(existing.get(id) ?? []), d.location?.dimensionRange?.startIndex ?? -1]);
    }
  }

  // 3. Tag rows that have no metadata yet, where the snapshot saw them. A person may have moved
  //    rows since: the check read below catches a tag on the wrong row before anything is written.
  const create: sheets_v4.Schema$Request[] = [];
  for (const [id, t] of targets) {
    const at = existing.get(id);
    if (at && at.length > 1) {
      conflicts.push(conflict(t, `the key is on ${at.length} rows`));
      targets.delete(id);
      continue;
    }
    if (at) continue;
    let index: number | undefined;
    if (t.match) index = t.match.row - 1;
    else {
      const headers = snapshotHeaders.get(t.tab) ?? [];
      const keyCol = headers.findIndex((h) => normaliseName(h) === normaliseName(tabSpec(t.tab).key ?? ''));
      const rows = (snapshotRows.get(t.tab) ?? [])
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => keyCol >= 0 && sameKey(r[keyCol] ?? null, t.key, tz));
      if (rows.length !== 1) {
        conflicts.push(
          conflict(t, rows.length ? `the key is on ${rows.length} rows` : 'no row has this key'),
        );
        targets.delete(id);
        continue;
      }
      index = rows[0]!.i + 1;
    }
    create.push({
      createDeveloperMetadata: {
        developerMetadata: {
          metadataKey: metadataKey(t.tab),
          metadataValue: t.key,
          visibility: 'DOCUMENT',
          location: {
            dimensionRange: {
              sheetId: t.sheet.sheetId,
              dimension: 'ROWS',
              startIndex: index,
              endIndex: index + 1,
            },
          },
        },
      },
    });
  }
  const created = new Map<string, number>();
  if (create.length) {
    // Not repeated on failure: a second create would tag the row twice. The next run finds
    // whatever this call did with its search.
    const reply = await calls.once('spreadsheets.batchUpdate (tag rows)', () =>
      api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: create } }),
    );
    for (const r of reply.data.replies ?? []) {
      const d = r.createDeveloperMetadata?.developerMetadata;
      const tab = tabs.find((t) => metadataKey(t) === d?.metadataKey);
      if (tab && d?.metadataValue && d.metadataId != null)
        created.set(`${tab}|${d.metadataValue}`, d.metadataId);
    }
  }

  // 4. Read the header rows and every target row as they are now.
  const appendTabs = [...new Set(plan.appends.map((a) => a.tab))].filter((tab) => sheetOf(tab));
  const headerTabs = [...new Set([...tabs, ...appendTabs])];
  const live = [...targets.values()];
  const headers = new Map<TabName, string[]>();
  const current = new Map<string, { row: number; values: Cell[] }[]>();
  if (headerTabs.length || live.length) {
    const filters = [
      ...headerTabs.map((tab) => ({ a1Range: `${quoteSheet(sheetOf(tab)!.title)}!1:1` })),
      ...live.map((t) => lookup(t.tab, t.key)),
    ];
    const got = await calls.read('values.batchGetByDataFilter', () =>
      api.spreadsheets.values.batchGetByDataFilter({
        spreadsheetId,
        requestBody: {
          dataFilters: filters,
          valueRenderOption: 'UNFORMATTED_VALUE',
          dateTimeRenderOption: 'SERIAL_NUMBER',
        },
      }),
    );
    for (const vr of got.data.valueRanges ?? []) {
      const f = vr.dataFilters?.[0];
      const values = ((vr.valueRange?.values ?? [])[0] ?? []) as Cell[];
      if (f?.a1Range) {
        const tab = headerTabs.find((t) => f.a1Range === `${quoteSheet(sheetOf(t)!.title)}!1:1`);
        if (tab)
          headers.set(
            tab,
            values.map((h) => String(h ?? '')),
          );
      } else if (f?.developerMetadataLookup) {
        const l = f.developerMetadataLookup;
        const tab = tabs.find((t) => metadataKey(t) === l.metadataKey);
        if (!tab) continue;
        const id = `${tab}|${l.metadataValue}`;
        current.set(id, [
          ...(current.get(id) ?? []),
          { row: rowOfRange(vr.valueRange?.range) ?? -1, values },
        ]);
      }
    }
  }

  // 5. Check each row, then write every row that still holds what was read.
  const data: sheets_v4.Schema$DataFilterValueRange[] = [];
  const untag: number[] = [];
  let writes = 0;
  for (const t of live) {
    const id = `${t.tab}|${t.key}`;
    const hs = headers.get(t.tab) ?? [];
    const col = (h: string) => hs.findIndex((x) => normaliseName(x) === normaliseName(h));
    const found = current.get(id) ?? [];
    const fail = (message: string, column?: string) => {
      conflicts.push(conflict(t, message, column, found[0]?.row));
      if (created.has(id)) untag.push(created.get(id)!);
    };
    if (found.length !== 1) {
      fail(found.length ? `the key is on ${found.length} rows` : 'the row is gone');
      continue;
    }
    const row = found[0]!.values;
    const cellAt = (h: string): Cell => {
      const i = col(h);
      return i < 0 ? null : ((row[i] ?? null) as Cell);
    };
    if (t.match) {
      const moved = Object.entries(t.match.cells).find(([h, v]) => !sameCell(cellAt(h), v, tz));
      if (moved) {
        fail(
          `row ${t.match.row} no longer holds what was read (${moved[0]} is now "${cellAt(moved[0]) ?? ''}")`,
          moved[0],
        );
        continue;
      }
    } else if (!sameKey(cellAt(tabSpec(t.tab).key ?? ''), t.key, tz)) {
      fail('the row tagged with this key now holds another key');
      continue;
    }
    const missing = t.writes.find((w) => col(w.column) < 0);
    if (missing) {
      fail(`the column "${missing.column}" is missing`, missing.column);
      continue;
    }
    // A cell that already holds what the plan writes is not a conflict (a stopped run wrote it,
    // or a person typed the same): it is simply written again.
    const changed = t.writes.find(
      (w) =>
        !sameCell(cellAt(w.column), w.previous, tz) &&
        !sameCell(cellAt(w.column), sheetValue(w.value, w.as, tz) ?? null, tz),
    );
    if (changed) {
      fail(
        `${changed.column} was changed by someone since it was read (now "${cellAt(changed.column) ?? ''}")`,
        changed.column,
      );
      continue;
    }
    const values: (Cell | null)[] = [];
    for (const w of t.writes) {
      const i = col(w.column);
      while (values.length <= i) values.push(null);
      // Text goes in as RAW: a leading '=' or '+' stays text.
      values[i] = sheetValue(w.value, w.as, tz) ?? '';
    }
    writes += t.writes.length;
    data.push({ dataFilter: lookup(t.tab, t.key), majorDimension: 'ROWS', values: [values] });
  }
  if (data.length) {
    // Overwriting rows addressed by key: safe to repeat.
    await calls.write('values.batchUpdateByDataFilter', () =>
      api.spreadsheets.values.batchUpdateByDataFilter({
        spreadsheetId,
        requestBody: { valueInputOption: 'RAW', data },
      }),
    );
  }
  if (untag.length) {
    await calls.write('spreadsheets.batchUpdate (untag rows)', () =>
      api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: {
          requests: untag.map((metadataId) => ({
            deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataId } } },
          })),
        },
      }),
    );
  }

  // 6. Append new rows, one call per tab, checked before any repeat.
  let appends = 0;
  // Rows recording writes that could not be made are left for the next run, which will plan
  // them again (the response is not marked as applied).
  const appendable = plan.appends.filter(
    (a) => !a.requires?.some((r) => failedTargets.has(`${r.tab}|${r.key.trim()}`)),
  );
  const present = recovering
    ? await rowsPresent(
        api,
        spreadsheetId,
        appendTabs.map((t) => sheetOf(t)!.title),
        calls,
      )
    : undefined;
  for (const tab of appendTabs) {
    const hs = headers.get(tab) ?? snapshotHeaders.get(tab) ?? [];
    const there = present?.get(sheetOf(tab)!.title) ?? [];
    const values = appendable
      .filter((a) => a.tab === tab)
      .map((a) => rowValues(a, hs, tz))
      .filter((v) => !there.some((row) => sameRow(row, v, tz)));
    if (!values.length) continue;
    const rows = values;
    await appendChecked(api, spreadsheetId, sheetOf(tab)!.title, values, calls, tz);
    appends += rows.length;
  }
  return { writes, appends, conflicts };
}

function rowValues(a: RowAppend, headers: string[], tz: string): Cell[] {
  const byHeader = new Map(Object.entries(a.values).map(([h, v]) => [normaliseName(h), v]));
  const kinds = new Map(Object.entries(a.dates ?? {}).map(([h, k]) => [normaliseName(h), k]));
  return headers.map((h) => {
    const v = byHeader.get(normaliseName(h));
    return v === undefined || v === null ? '' : sheetValue(v, kinds.get(normaliseName(h)), tz);
  });
}

/**
 * values.append is not idempotent: a repeat after a failure whose outcome is unknown could add
 * the rows twice. On failure, read the end of the tab: if the rows are there, the append
 * happened; otherwise append again.
 */
async function appendChecked(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  title: string,
  values: Cell[][],
  calls: SheetCalls,
  tz: string,
): Promise<void> {
  const append = () =>
    calls.once(`values.append ${title}`, () =>
      api.spreadsheets.values.append({
        spreadsheetId,
        range: `${quoteSheet(title)}!A1`,
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values },
      }),
    );
  for (let attempt = 1; ; attempt++) {
    try {
      await append();
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      const got = await calls.read(`values.get ${title}`, () =>
        api.spreadsheets.values.get({
          spreadsheetId,
          range: quoteSheet(title),
          valueRenderOption: 'UNFORMATTED_VALUE',
          dateTimeRenderOption: 'SERIAL_NUMBER',
        }),
      );
      const rows = (got.data.values ?? []) as Cell[][];
      if (endsWith(rows, values, tz)) return;
    }
  }
}

/** Every row of the given tabs, in one read (recovery: which rows a stopped run appended). */
async function rowsPresent(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  titles: string[],
  calls: SheetCalls,
): Promise<Map<string, Cell[][]>> {
  const out = new Map<string, Cell[][]>();
  if (!titles.length) return out;
  const got = await calls.read('values.batchGet (recovery)', () =>
    api.spreadsheets.values.batchGet({
      spreadsheetId,
      ranges: titles.map(quoteSheet),
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'SERIAL_NUMBER',
    }),
  );
  titles.forEach((title, i) => {
    out.set(title, (got.data.valueRanges?.[i]?.values ?? []) as Cell[][]);
  });
  return out;
}

function sameRow(row: Cell[], values: Cell[], tz: string): boolean {
  return values.every((cell, c) => sameCell((row[c] ?? null) as Cell, cell === '' ? null : cell, tz));
}

/** Whether the last rows of a tab are `values` (trailing blanks ignored). */
function endsWith(rows: Cell[][], values: Cell[][], tz: string): boolean {
  if (rows.length < values.length) return false;
  const tail = rows.slice(rows.length - values.length);
  return values.every((v, i) => sameRow(tail[i]!, v, tz));
}
