/**
 * Applying a plan to the register in a Google Sheet while people sort, insert and delete rows.
 *
 * The tabs the plan writes are read just before writing and the core resolves the plan against
 * them (`resolvePlan`: rows by key, whole rows or nothing, held-back appends). The cells are
 * then written by row number, read again and repaired until every planned cell is where it
 * belongs (rows.ts), with a journal so that a run stopped anywhere is finished by the next one
 * (journal.ts). Columns are found by header text in the read made just before the write.
 *
 * Calls per apply, whatever the size of the register: one read, one journal write, one value
 * write and one check read per round, one append per tab with new rows, one journal clear.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { sameCell, sheetValue } from '../core/cells';
import { normaliseName, TABS, tabSpec } from '../core/layout';
import { appendCells, failedKey, resolvePlan, rowArray } from '../core/resolve';
import type { Cell, Plan, Problem, RowAppend } from '../core/types';
import { clearJournal, type PlanEntry, recoverJournal, writeJournal } from './journal';
import type { ApiCalls } from './retry';
import { type Baseline, type CellFix, planRound, type RowTarget, type TabRead, takeBaseline } from './rows';
import { columnLetters, quoteSheet, type SheetSnapshot } from './sheets';

export interface SheetApplyResult {
  /** Cells written. */
  writes: number;
  /** Rows appended. */
  appends: number;
  /** Rows not written because they no longer hold what was read; nothing of such a row is written. */
  conflicts: Problem[];
}

/** Rounds of write + check read before a run leaves the rest to the next run (journal kept). */
export const MAX_ROUNDS = 5;

function conflictOf(tab: string, key: string, message: string, column?: string, row?: number): Problem {
  return {
    severity: 'warning',
    tab,
    row,
    column,
    value: key,
    expected: 'the row as it was read',
    message: `${tab} ${key}: ${message}; this row was not written`,
  };
}

export interface ApplyOptions {
  /** What the journal calls this plan ('sync 2026-12-01T18:00:00Z'). */
  label?: string;
}

/** The tabs a plan writes to or appends to, as the Sheet names them. */
function sheetOfTab(read: SheetSnapshot) {
  return (tab: string) => read.sheets.find((s) => normaliseName(s.title) === normaliseName(tab));
}

/** The register's tabs as read: header row and rows, by normalised tab name. */
function tabReads(titles: string[], ranges: sheets_v4.Schema$ValueRange[] | undefined): Map<string, TabRead> {
  const out = new Map<string, TabRead>();
  titles.forEach((title, i) => {
    const values = (ranges?.[i]?.values ?? []) as Cell[][];
    out.set(normaliseName(title), {
      headers: (values[0] ?? []).map((h) => String(h ?? '')),
      rows: values.slice(1).map((r) => r.map((c) => (c === '' ? null : c))),
    });
  });
  return out;
}

/** Tabs in one read: whole tabs, and for `headerOnly` titles (tabs only appended to) the header row. */
async function readTabs(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  titles: string[],
  calls: ApiCalls,
  label: string,
  headerOnly: string[] = [],
): Promise<Map<string, TabRead>> {
  if (!titles.length && !headerOnly.length) return new Map();
  const got = await calls.read(label, () =>
    api.spreadsheets.values.batchGet({
      spreadsheetId,
      ranges: [...titles.map(quoteSheet), ...headerOnly.map((t) => `${quoteSheet(t)}!1:1`)],
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'SERIAL_NUMBER',
    }),
  );
  return tabReads([...titles, ...headerOnly], got.data.valueRanges);
}

/**
 * Applies a plan: reads the tabs it writes, journals what it will do (journal.ts), writes the
 * cells of rows that still hold what was read, checks and repairs, appends the rows, clears
 * the journal.
 */
export async function applyToSheet(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  plan: Plan,
  calls: ApiCalls,
  opts: ApplyOptions = {},
): Promise<SheetApplyResult> {
  if (!plan.writes.length && !plan.appends.length) return { writes: 0, appends: 0, conflicts: [] };
  const prepared = await prepare(api, spreadsheetId, read, plan, calls);
  await writeJournal(api, spreadsheetId, read, prepared.entry, opts.label ?? 'plan', calls);
  const done = await finish(api, spreadsheetId, read, prepared.entry, prepared.fresh, calls, false);
  if (done.settled) await clearJournal(api, spreadsheetId, calls);
  return { ...done, conflicts: [...prepared.conflicts, ...done.conflicts] };
}

/**
 * Finishes the plan a stopped run left in the journal, and removes the row tags of earlier
 * releases; returns the register as it is now.
 */
export async function recoverSheet(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  calls: ApiCalls,
): Promise<SheetSnapshot> {
  await removeLegacyTags(api, spreadsheetId, read, calls);
  return recoverJournal(api, spreadsheetId, read, calls, async (r, found) => {
    const entry = 'plan' in found ? (await prepare(api, spreadsheetId, r, found.plan, calls)).entry : found;
    const current = await readTabs(
      api,
      spreadsheetId,
      entry.baselines.map((b) => sheetOfTab(r)(b.tab)?.title).filter((t): t is string => !!t),
      calls,
      'values.batchGet (recovery)',
    );
    const done = await finish(api, spreadsheetId, r, entry, current, calls, true);
    if (done.settled) await clearJournal(api, spreadsheetId, calls);
  });
}

/**
 * Earlier releases tagged every row with developer metadata (`milepost.key.<Tab>`), which
 * Google limits to 30,000 characters per sheet (rows.ts): they are removed at the first run,
 * which then marks the spreadsheet (ROWS_MARK, read with the snapshot at no extra call) so
 * that later runs do not look again. One search and one batchUpdate, once per register.
 */
export async function removeLegacyTags(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  calls: ApiCalls,
): Promise<number> {
  if (read.marks[ROWS_MARK.key] === ROWS_MARK.value) return 0;
  const keys = TABS.map((t) => `${LEGACY_TAG}${t.name}`);
  const found = await calls.read('developerMetadata.search (old row tags)', () =>
    api.spreadsheets.developerMetadata.search({
      spreadsheetId,
      requestBody: { dataFilters: keys.map((metadataKey) => ({ developerMetadataLookup: { metadataKey } })) },
    }),
  );
  const present = new Set(
    (found.data.matchedDeveloperMetadata ?? []).map((m) => m.developerMetadata?.metadataKey ?? ''),
  );
  const requests: sheets_v4.Schema$Request[] = keys
    .filter((k) => present.has(k))
    .map((metadataKey) => ({
      deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataKey } } },
    }));
  requests.push({
    createDeveloperMetadata: {
      developerMetadata: {
        // A fixed id: a repeat after a lost answer is refused as a duplicate instead of marking twice.
        metadataId: ROWS_MARK.id,
        metadataKey: ROWS_MARK.key,
        metadataValue: ROWS_MARK.value,
        location: { spreadsheet: true },
        visibility: 'DOCUMENT',
      },
    },
  });
  try {
    await calls.once('spreadsheets.batchUpdate (remove old row tags)', () =>
      api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }),
    );
  } catch (error) {
    // Marked by a run whose answer was lost: its deletes were applied with the mark, as a batch
    // is all or nothing ("REST Resource: spreadsheets", batchUpdate: "If any request is not
    // valid, then the entire request will fail and nothing will be applied.").
    if (!/already exists/i.test(String((error as Error).message))) throw error;
  }
  return found.data.matchedDeveloperMetadata?.length ?? 0;
}

/** The spreadsheet-level mark saying rows are found by key and old row tags are gone (23 characters). */
export const ROWS_MARK = { id: 7_700_001, key: 'milepost.rows', value: 'by-key' } as const;

/** The metadata key prefix of the row tags of earlier releases. */
export const LEGACY_TAG = 'milepost.key.';

/**
 * Reads the tabs the plan writes (and the header rows of the tabs it only appends to), resolves
 * the plan against them (the core's `resolvePlan`), and takes the baseline the repair loop and
 * the journal need.
 */
async function prepare(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  plan: Plan,
  calls: ApiCalls,
): Promise<{ entry: PlanEntry; fresh: Map<string, TabRead>; conflicts: Problem[] }> {
  const tz = plan.timeZone;
  const sheetOf = sheetOfTab(read);
  const writeTabs = [...new Set(plan.writes.map((w) => w.tab))].filter((t) => sheetOf(t));
  const appendTabs = [...new Set(plan.appends.map((a) => a.tab))].filter((t) => sheetOf(t));
  const fresh = await readTabs(
    api,
    spreadsheetId,
    writeTabs.map((t) => sheetOf(t)!.title),
    calls,
    'values.batchGet (before writing)',
    appendTabs.filter((t) => !writeTabs.includes(t)).map((t) => sheetOf(t)!.title),
  );
  const tabNow = (tab: string) => {
    const sheet = sheetOf(tab);
    return sheet ? fresh.get(normaliseName(sheet.title)) : undefined;
  };
  const resolution = resolvePlan(plan, tabNow);
  const baselines: Baseline[] = [];
  const targets: RowTarget[] = [];
  for (const tab of writeTabs) {
    const tabRead = tabNow(tab)!;
    const rows = resolution.rows.filter((r) => r.tab === tab);
    const written = [...new Set(rows.flatMap((r) => r.cells.map((c) => normaliseName(c.header))))];
    for (const r of rows) {
      const cells: (Cell | undefined)[] = written.map(() => undefined);
      // Text goes in as RAW: a leading '=' or '+' stays text.
      for (const c of r.cells)
        cells[written.indexOf(normaliseName(c.header))] = sheetValue(c.value, c.as, tz) ?? '';
      targets.push({ tab, row: r.index, key: r.key, cells });
    }
    if (written.length)
      baselines.push(takeBaseline(tab, tabRead, normaliseName(tabSpec(tab).key ?? ''), written));
  }
  // Rows recording writes that could not be made are left for the next run, which will plan
  // them again (the response is not marked as applied).
  const appends = resolution.appends.map((a) => a.append);
  return { entry: { timeZone: tz, baselines, targets, appends }, fresh, conflicts: resolution.conflicts };
}

/**
 * Writes the targets and repairs until every planned cell is where it belongs (rows.ts), then
 * appends the rows. `current` is the tabs as last read.
 */
async function finish(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  entry: PlanEntry,
  current: Map<string, TabRead>,
  calls: ApiCalls,
  recovering: boolean,
): Promise<SheetApplyResult & { settled: boolean }> {
  const conflicts: Problem[] = [];
  const failed = new Set<string>();
  const { targets, settled, tabs } = await repair(api, spreadsheetId, read, entry, current, calls, {
    conflicts,
    failed,
  });
  if (!settled) {
    // People kept moving rows: the journal stays, and the next run finishes from it.
    for (const t of targets) {
      failed.add(failedKey(t.tab, t.key));
      conflicts.push(
        conflictOf(
          t.tab,
          t.key,
          `rows kept moving while Milepost wrote them (${MAX_ROUNDS} rounds); the next run finishes the change`,
        ),
      );
    }
    return { writes: 0, appends: 0, conflicts, settled };
  }
  const writes = targets.reduce((n, t) => n + t.cells.filter((c) => c !== undefined).length, 0);
  const appends = await appendRows(
    api,
    spreadsheetId,
    read,
    entry,
    [tabs, current],
    calls,
    failed,
    recovering,
  );
  return { writes, appends, conflicts, settled };
}

/**
 * The repair loop: plans a round per tab (rows.ts), writes its fixes and reads the tabs again,
 * until nothing is left to write or MAX_ROUNDS rounds were written. Targets given up are added
 * to `out` (as conflicts, and their tab|key to `failed`); returns the targets left, whether they
 * settled, and the tabs as last read.
 */
async function repair(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  entry: PlanEntry,
  current: Map<string, TabRead>,
  calls: ApiCalls,
  out: { conflicts: Problem[]; failed: Set<string> },
): Promise<{ targets: RowTarget[]; settled: boolean; tabs: Map<string, TabRead> }> {
  const tz = entry.timeZone;
  const sheetOf = sheetOfTab(read);
  const { conflicts, failed } = out;
  let targets = entry.targets;
  let settled = false;
  let tabs = current;
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const fixes: CellFix[] = [];
    for (const b of entry.baselines) {
      const title = sheetOf(b.tab)?.title;
      const now = title ? tabs.get(normaliseName(title)) : undefined;
      if (!title || !now) continue;
      const r = planRound(
        b,
        targets.filter((t) => t.tab === b.tab),
        now,
        tz,
      );
      for (const p of r.problems) {
        failed.add(failedKey(p.target.tab, p.target.key));
        conflicts.push(conflictOf(p.target.tab, p.target.key, p.message, p.column, p.row));
      }
      fixes.push(...r.fixes.map((f) => ({ ...f, tab: title, column: columnLetterOf(now, f.column) })));
    }
    targets = targets.filter((t) => !failed.has(failedKey(t.tab, t.key)));
    if (!fixes.length) {
      settled = true;
      break;
    }
    if (round === MAX_ROUNDS) break;
    // Overwriting cells with planned or restored values: safe to repeat.
    await calls.write('values.batchUpdate', () =>
      api.spreadsheets.values.batchUpdate({
        spreadsheetId,
        requestBody: {
          valueInputOption: 'RAW',
          data: fixes.map((f) => ({
            range: `${quoteSheet(f.tab)}!${f.column}${f.row}`,
            values: [[f.value ?? '']],
          })),
        },
      }),
    );
    tabs = await readTabs(
      api,
      spreadsheetId,
      entry.baselines.map((b) => sheetOf(b.tab)?.title).filter((t): t is string => !!t),
      calls,
      'values.batchGet (check)',
    );
  }
  return { targets, settled, tabs };
}

/**
 * Appends new rows, one call per tab, checked before any repeat; an append that requires a row
 * given up (`failed`) is left out. `reads` are the tabs as last read, then as read before; in
 * recovery the rows a stopped run already appended are not appended again. Returns the rows appended.
 */
async function appendRows(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  entry: PlanEntry,
  reads: [Map<string, TabRead>, Map<string, TabRead>],
  calls: ApiCalls,
  failed: Set<string>,
  recovering: boolean,
): Promise<number> {
  const tz = entry.timeZone;
  const sheetOf = sheetOfTab(read);
  const [tabs, current] = reads;
  let appends = 0;
  const appendable = entry.appends.filter(
    (a) => !a.requires?.some((r) => failed.has(failedKey(r.tab, r.key))),
  );
  const appendTabs = [...new Set(appendable.map((a) => a.tab))].filter((tab) => sheetOf(tab));
  const present = recovering
    ? await rowsPresent(
        api,
        spreadsheetId,
        appendTabs.map((t) => sheetOf(t)!.title),
        calls,
      )
    : undefined;
  for (const tab of appendTabs) {
    const title = sheetOf(tab)!.title;
    const hs =
      tabs.get(normaliseName(title))?.headers ??
      current.get(normaliseName(title))?.headers ??
      headersOf(read, tab);
    const there = present?.get(title) ?? [];
    const values = appendable
      .filter((a) => a.tab === tab)
      .map((a) => rowValues(a, hs, tz))
      .filter((v) => !there.some((row) => sameRow(row, v, tz)));
    if (!values.length) continue;
    await appendChecked(api, spreadsheetId, title, values, calls, tz);
    appends += values.length;
  }
  return appends;
}

function columnLetterOf(read: TabRead, header: string): string {
  return columnLetters(read.headers.findIndex((h) => normaliseName(h) === header));
}

function headersOf(read: SheetSnapshot, tab: string): string[] {
  return read.snapshot.tables.find((t) => normaliseName(t.name) === normaliseName(tab))?.headers ?? [];
}

function rowValues(a: RowAppend, headers: string[], tz: string): Cell[] {
  return rowArray(appendCells(a, headers), headers.length, (c) => sheetValue(c.value, c.as, tz), '' as Cell);
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
  calls: ApiCalls,
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
  calls: ApiCalls,
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
