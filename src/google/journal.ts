/**
 * A write-ahead journal for plans applied to a Google Sheet. Applying a plan takes several
 * calls (write cells, check them, append Changes, append Updates…); a job killed between two of
 * them would leave a register whose cells changed without the rows that record why — and the
 * next run would read those cells as hand edits. So before the first write, the plan is written
 * to a hidden tab, "Milepost journal", and cleared after the last one. A run that finds the
 * journal full finishes that plan first (cells already holding their planned value count as
 * written, a value a sort sent to the wrong row is put back, rows already appended are not
 * appended again), then reads the register afresh.
 *
 * What is journaled is the plan as resolved against the register just before the first write:
 * the cells to write per row, and the baseline of each tab written — what every row held in the
 * written columns, and a hash of the rest that recognises the row wherever it has moved
 * (rows.ts). With the baseline, a run that stopped after a misplaced write can still put back
 * what it overwrote.
 *
 * The journal costs two writes per run that changes something, and no read: the snapshot read
 * already returns every tab.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { normaliseName } from '../core/layout';
import type { Plan, RowAppend } from '../core/types';
import type { ApiCalls } from './retry';
import type { Baseline, RowTarget } from './rows';
import { quoteSheet, readSnapshot, type SheetSnapshot } from './sheets';

export const JOURNAL_TAB = 'Milepost journal';
const HEADER =
  'Milepost journal: a change being written to this register (Milepost clears it when done; do not edit)';
/** Cells hold at most 50,000 characters. */
const CHUNK = 40_000;

/** A plan resolved against the register: what apply.ts writes, checks and appends. */
export interface PlanEntry {
  timeZone: string;
  baselines: Baseline[];
  targets: RowTarget[];
  appends: RowAppend[];
}

/** What a stopped run left: a resolved plan, or (journals of earlier releases) the plan itself. */
export type JournalEntry = { label: string } & (PlanEntry | { plan: Plan });

function journalTable(read: SheetSnapshot) {
  return read.snapshot.tables.find((t) => normaliseName(t.name) === normaliseName(JOURNAL_TAB));
}

/** The plan a stopped run left in the journal, if any. */
export function journalEntry(read: SheetSnapshot): JournalEntry | undefined {
  const table = journalTable(read);
  if (!table) return undefined;
  const cells = table.rows.map((r) => r[0]).filter((c) => c !== null && c !== undefined && c !== '');
  if (cells.length < 2) return undefined;
  const [label, ...chunks] = cells.map(String);
  try {
    const data = JSON.parse(chunks.join(''));
    if (Array.isArray(data.baselines) && Array.isArray(data.targets) && Array.isArray(data.appends)) {
      const entry = data as PlanEntry;
      // JSON turns a column a row does not write (undefined) into null; a planned blank is ''.
      for (const t of entry.targets) t.cells = t.cells.map((c) => (c === null ? undefined : c));
      return { label: label!, ...entry };
    }
    const plan = data as Plan;
    if (!Array.isArray(plan.writes) || !Array.isArray(plan.appends)) return undefined;
    return { label: label!, plan: { ...plan, emails: [] } };
  } catch {
    // A journal someone edited by hand cannot be trusted: the next plan overwrites it.
    return undefined;
  }
}

/** Records the resolved plan before it is applied (emails are not journaled: they are sent before). */
export async function writeJournal(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  entry: PlanEntry,
  label: string,
  calls: ApiCalls,
): Promise<void> {
  const table = journalTable(read);
  if (!read.sheets.some((s) => normaliseName(s.title) === normaliseName(JOURNAL_TAB))) {
    try {
      await calls.once('spreadsheets.batchUpdate (add journal)', () =>
        api.spreadsheets.batchUpdate({
          spreadsheetId,
          requestBody: { requests: [{ addSheet: { properties: { title: JOURNAL_TAB, hidden: true } } }] },
        }),
      );
    } catch (error) {
      // Added by a run whose answer was lost: the tab is there, which is all we need.
      if (!/already exists/i.test(String((error as Error).message))) throw error;
    }
  }
  const text = JSON.stringify(entry);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) chunks.push(text.slice(i, i + CHUNK));
  const rows = [[HEADER], [label], ...chunks.map((c) => [c])];
  // Rows left over from a longer journal are blanked in the same write.
  const old = (table?.rows.length ?? 0) + 1;
  while (rows.length < old) rows.push(['']);
  await calls.write('values.update (journal)', () =>
    api.spreadsheets.values.update({
      spreadsheetId,
      range: `${quoteSheet(JOURNAL_TAB)}!A1:A${rows.length}`,
      valueInputOption: 'RAW',
      requestBody: { values: rows },
    }),
  );
}

export async function clearJournal(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  calls: ApiCalls,
): Promise<void> {
  await calls.write('values.clear (journal)', () =>
    api.spreadsheets.values.clear({ spreadsheetId, range: `${quoteSheet(JOURNAL_TAB)}!A2:A` }),
  );
}

/**
 * Finishes the plan a stopped run left in the journal, then returns the register as it is now.
 * `apply` is applyToSheet in recovery mode (passed in to keep this module below apply.ts).
 */
export async function recoverJournal(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: SheetSnapshot,
  calls: ApiCalls,
  apply: (read: SheetSnapshot, entry: JournalEntry) => Promise<unknown>,
): Promise<SheetSnapshot> {
  const entry = journalEntry(read);
  if (!entry) return read;
  await apply(read, entry);
  return readSnapshot(api, spreadsheetId, calls.read);
}
