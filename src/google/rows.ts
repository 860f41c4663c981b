/**
 * Finding rows in a Google Sheet that people sort, insert into and delete from while a job
 * writes to it — without per-row developer metadata.
 *
 * Why not metadata. Row metadata was the first design: a permanent tag per row
 * (`milepost.key.<Tab>`), resolved by Sheets when a write lands. It fails on Google twice:
 * - the budget: "the total size of all metadata keys and values associated with a
 *   spreadsheet (or sheet) is limited to 30,000 characters" (Sheets API guide "Read and write
 *   developer metadata"); a tag per row passes it within weeks on a large register, and then
 *   every write fails;
 * - sorting: Google documents that row metadata follows inserted and deleted rows, not what a
 *   sort does to it. Read the worse way (it stays where it was), a tag then names the wrong
 *   row, and a write by tag lands there.
 *
 * What we do instead: rows are found by their key column (or, for a row with no key yet, by
 * its cells) in a read made just before the write, and written by row number. A person may
 * sort between that read and the write, so the write may land on another row. A check read
 * after every write finds out: each row is recognised by its key or by the cells Milepost
 * does not write (its identity), and compared with the baseline — what it held before
 * Milepost wrote anything. A row holding a planned value that belongs to another row had it
 * misplaced: its own values are put back and the planned ones written where they belong.
 * The loop ends when every planned cell is in place, after a bounded number of rounds.
 *
 * Sheets has no conditional write (docs/architecture.md §7), so there is
 * no way to make a write land only on the row it was meant for; detecting and repairing is the
 * only sound choice, and it holds whichever way Google moves metadata. A stopped run finishes
 * the loop from the journal, which holds the baseline (journal.ts).
 *
 * This module is pure: rows in, cell writes out.
 */
import { columnsOf, sameCell, sameKey } from '../core/cells';
import { fnv1a } from '../core/form';
import type { Cell } from '../core/types';

/** What one tab held before Milepost wrote to it, enough to recognise and restore any row. */
export interface Baseline {
  tab: string;
  /** Normalised header of the key column. */
  key: string;
  /** Normalised headers of the columns this plan writes in this tab. */
  written: string[];
  /** Normalised headers of every other column when the baseline was taken: a row's identity. */
  identity: string[];
  rows: BaselineRow[];
}

export interface BaselineRow {
  /** The key as read ('' when blank). */
  k: string;
  /** A hash of the identity cells. */
  s: string;
  /** The cells of the written columns, in `written` order. */
  w: Cell[];
}

/** One row's planned cells: the baseline row it is, and a value (or undefined) per written column. */
export interface RowTarget {
  tab: string;
  /** Index into the baseline's rows. */
  row: number;
  /** The row's key once written (for reports and `requires`). */
  key: string;
  cells: (Cell | undefined)[];
}

/** A tab as read now: its header row and its rows (row i of `rows` is sheet row i + 2). */
export interface TabRead {
  headers: string[];
  rows: Cell[][];
}

export interface CellFix {
  tab: string;
  /** 1-based sheet row. */
  row: number;
  /** Normalised header. */
  column: string;
  value: Cell;
}

export interface RowProblem {
  target: RowTarget;
  message: string;
  column?: string;
  /** 1-based sheet row where the row was last seen. */
  row?: number;
}

export interface Round {
  fixes: CellFix[];
  /** Targets given up for good in this round (gone, or changed by someone meanwhile). */
  problems: RowProblem[];
  /** Whether every remaining target holds its planned cells and nothing is misplaced. */
  settled: boolean;
}

const blank = (c: Cell | undefined) => c === null || c === undefined || String(c).trim() === '';

function cellOf(row: Cell[], cols: Map<string, number>, header: string): Cell {
  const i = cols.get(header);
  return i === undefined ? null : ((row[i] ?? null) as Cell);
}

/** A hash of the identity cells (64 bits from two FNV-1a passes; blanks and whitespace folded). */
function signature(row: Cell[], cols: Map<string, number>, identity: string[]): string {
  const text = JSON.stringify(
    identity.map((h) => {
      const c = cellOf(row, cols, h);
      return blank(c) ? '' : typeof c === 'number' ? c : String(c).trim();
    }),
  );
  const a = fnv1a(text) >>> 0;
  const b = fnv1a(`${text.length}:${text}`) >>> 0;
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** Takes the baseline of a tab from a read, for the given written columns (normalised). */
export function takeBaseline(tab: string, read: TabRead, key: string, written: string[]): Baseline {
  const cols = columnsOf(read.headers);
  const identity = [...cols.keys()].filter((h) => !written.includes(h));
  return {
    tab,
    key,
    written,
    identity,
    rows: read.rows.map((r) => {
      const k = cellOf(r, cols, key);
      return {
        k: blank(k) ? '' : String(k).trim(),
        s: signature(r, cols, identity),
        w: written.map((h) => cellOf(r, cols, h)),
      };
    }),
  };
}

/** Where each row of `read` came from: a baseline row, or only what its written cells held. */
interface Recognised {
  /** Baseline row index, when exactly one matches and no other row of the read claims it. */
  row?: number;
  /** The written cells the row held in the baseline, when known even without a unique row. */
  was?: Cell[];
}

function recognise(
  b: Baseline,
  read: TabRead,
  writtenKeys: Set<string>,
  planned: Map<number, RowTarget>,
  tz: string,
): Recognised[] {
  const cols = columnsOf(read.headers);
  const byKey = new Map<string, number[]>();
  const bySig = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const rows = map.get(key);
    if (rows) rows.push(i);
    else map.set(key, [i]);
  };
  b.rows.forEach((r, i) => {
    if (r.k) add(byKey, r.k.toLowerCase(), i);
    add(bySig, r.s, i);
  });
  const keyWritten = b.written.includes(b.key);
  const writtenNow = (r: Cell[]) => b.written.map((h) => cellOf(r, cols, h));
  const holds = (cells: Cell[], want: (Cell | undefined)[]) =>
    want.every((w, j) => w === undefined || sameCell(cells[j] ?? null, w, tz));
  const unique: (number | undefined)[] = [];
  const alike: (number[] | undefined)[] = [];
  read.rows.forEach((r, n) => {
    const k = cellOf(r, cols, b.key);
    const kText = blank(k) ? '' : String(k).trim().toLowerCase();
    // A key Milepost writes in this plan (a new row's ID) may have landed on the wrong row: such
    // rows, and every row when the key column is written, are recognised by identity instead.
    if (kText && !writtenKeys.has(kText)) {
      const hits = byKey.get(kText) ?? [];
      if (hits.length === 1 && (!keyWritten || sameKey(k, b.rows[hits[0]!]!.k, tz))) {
        unique[n] = hits[0];
        return;
      }
    }
    const hits = bySig.get(signature(r, cols, b.identity)) ?? [];
    if (hits.length === 1) unique[n] = hits[0];
    else if (hits.length > 1) alike[n] = hits;
  });
  // Rows alike but for the columns Milepost writes (two topics raised by hand with the same
  // text, blank rows): a row holding what is planned for one of them is that one; a row still
  // holding what one of them held is taken for it, in order. Rows that were identical are
  // interchangeable, so any such pairing writes the same cells.
  const claimed = new Set(unique.filter((i): i is number => i !== undefined));
  const out: (number | undefined)[] = [...unique];
  for (const pass of ['planned', 'held'] as const) {
    read.rows.forEach((r, n) => {
      const hits = alike[n];
      if (!hits || out[n] !== undefined) return;
      const cells = writtenNow(r);
      const pick = hits.find((i) => {
        if (claimed.has(i)) return false;
        if (pass === 'planned') {
          const t = planned.get(i);
          return !!t && holds(cells, t.cells) && !holds(b.rows[i]!.w, t.cells);
        }
        return holds(cells, b.rows[i]!.w);
      });
      if (pick !== undefined) {
        out[n] = pick;
        claimed.add(pick);
      }
    });
  }
  // A baseline row claimed by two rows now (a person copied it) is known by neither.
  const claims = new Map<number, number>();
  for (const i of out) if (i !== undefined) claims.set(i, (claims.get(i) ?? 0) + 1);
  return read.rows.map((_, n) => {
    const i = out[n];
    if (i !== undefined && (claims.get(i) ?? 0) === 1) return { row: i, was: b.rows[i]!.w };
    // Not known, but if every row it could be held the same written cells, that is what it held.
    const hits = alike[n] ?? (i !== undefined ? [i] : []);
    const first = hits.length ? b.rows[hits[0]!]!.w : undefined;
    const same = first && hits.every((h) => b.rows[h]!.w.every((c, j) => sameCell(c, first[j] ?? null, tz)));
    return same ? { was: first } : {};
  });
}

/** What one round compares: the baseline, where each row read now came from, and its cells now. */
interface RoundView {
  b: Baseline;
  known: Recognised[];
  /** Rows in the read. */
  count: number;
  now: (i: number, h: string) => Cell;
  tz: string;
}

/** A target still to write, at row `i` of the read. */
interface Pending {
  t: RowTarget;
  i: number;
}

/**
 * One round: compares what the tab holds now with the baseline and the targets, and returns
 * the cells to write (planned cells not yet in place, misplaced cells put back).
 */
export function planRound(b: Baseline, targets: RowTarget[], read: TabRead, tz: string): Round {
  const cols = columnsOf(read.headers);
  const writtenKeys = new Set(
    b.written.includes(b.key)
      ? targets
          .map((t) => t.cells[b.written.indexOf(b.key)])
          .filter((c) => !blank(c))
          .map((c) => String(c).trim().toLowerCase())
      : [],
  );
  const targetOf = new Map(targets.map((t) => [t.row, t]));
  const known = recognise(b, read, writtenKeys, targetOf, tz);
  const at = new Map<number, number>();
  known.forEach((r, i) => {
    if (r.row !== undefined) at.set(r.row, i);
  });
  const now = (i: number, h: string): Cell => cellOf(read.rows[i] ?? [], cols, h);
  const missingColumn = b.written.find((h) => !cols.has(h));
  const v: RoundView = { b, known, count: read.rows.length, now, tz };

  const problems: RowProblem[] = [];
  const fixes: CellFix[] = [];
  const fix = (i: number, j: number, value: Cell) =>
    fixes.push({ tab: b.tab, row: i + 2, column: b.written[j]!, value: value ?? '' });

  const pending = pendingTargets(v, targets, at, missingColumn, problems);
  const misplaced = findMisplaced(v, pending);

  // Put back what was misplaced on rows that are not targets themselves.
  for (const [i, js] of misplaced) {
    const r = known[i]!;
    if (r.row !== undefined && targetOf.has(r.row)) continue;
    for (const j of js) fix(i, j, r.was![j] ?? null);
  }

  writePending(v, pending, misplaced, fix, problems);
  return { fixes, problems, settled: fixes.length === 0 };
}

/** Targets whose planned cells are not all in place; a target gone, or missing a column, is a problem. */
function pendingTargets(
  v: RoundView,
  targets: RowTarget[],
  at: Map<number, number>,
  missingColumn: string | undefined,
  problems: RowProblem[],
): Pending[] {
  const { b, now, tz } = v;
  const pending: Pending[] = [];
  for (const t of targets) {
    const i = at.get(t.row);
    if (i === undefined) {
      problems.push({
        target: t,
        message: 'the row is gone, or was changed by someone while it was being written',
      });
      continue;
    }
    if (missingColumn && t.cells[b.written.indexOf(missingColumn)] !== undefined) {
      problems.push({
        target: t,
        message: `the column "${missingColumn}" is missing`,
        column: missingColumn,
        row: i + 2,
      });
      continue;
    }
    const landed = b.written.every(
      (h, j) => t.cells[j] === undefined || sameCell(now(i, h), t.cells[j]!, tz),
    );
    if (!landed) pending.push({ t, i });
  }
  return pending;
}

/**
 * A row holding every planned cell of a pending target, where it held something else before,
 * got that target's write: the row moved between the read and the write. Returns, by row of the
 * read, the written columns (indexes) that hold another row's write.
 * Only a row that changed since the baseline can hold another row's write: the rest (before
 * the first write, every row) are passed over without comparing them with each target.
 */
function findMisplaced(v: RoundView, pending: Pending[]): Map<number, Set<number>> {
  const { b, known, now, tz } = v;
  const misplaced = new Map<number, Set<number>>();
  const plannedCols = new Map(
    pending.map(({ t }) => [t, b.written.map((_, j) => j).filter((j) => t.cells[j] !== undefined)]),
  );
  for (let i = 0; i < v.count; i++) {
    const was = known[i]?.was;
    if (!was) continue;
    if (b.written.every((h, j) => sameCell(now(i, h), was[j] ?? null, tz))) continue;
    for (const { t } of pending) {
      if (known[i]?.row === t.row) continue;
      const cols = plannedCols.get(t)!;
      const holds = cols.every((j) => sameCell(now(i, b.written[j]!), t.cells[j]!, tz));
      const differs = cols.some((j) => !sameCell(now(i, b.written[j]!), was[j] ?? null, tz));
      if (holds && differs) {
        const set = misplaced.get(i) ?? new Set<number>();
        for (const j of cols) if (!sameCell(now(i, b.written[j]!), was[j] ?? null, tz)) set.add(j);
        misplaced.set(i, set);
      }
    }
  }
  return misplaced;
}

/**
 * Writes each pending target's cells that still hold the baseline (or another row's write); a
 * target with a cell someone else changed meanwhile is a problem, and none of its cells is written.
 */
function writePending(
  v: RoundView,
  pending: Pending[],
  misplaced: Map<number, Set<number>>,
  fix: (i: number, j: number, value: Cell) => void,
  problems: RowProblem[],
): void {
  const { b, now, tz } = v;
  for (const { t, i } of pending) {
    const base = b.rows[t.row]!.w;
    const hit = misplaced.get(i);
    const cells: { j: number; value: Cell }[] = [];
    let changed: string | undefined;
    b.written.forEach((h, j) => {
      const planned = t.cells[j];
      const cur = now(i, h);
      if (planned === undefined) {
        // A column this row does not plan to change, overwritten by another row's write.
        if (hit?.has(j)) cells.push({ j, value: base[j] ?? null });
        return;
      }
      if (sameCell(cur, planned, tz)) return;
      if (sameCell(cur, base[j] ?? null, tz) || hit?.has(j)) cells.push({ j, value: planned });
      else changed ??= h;
    });
    if (changed) {
      problems.push({
        target: t,
        message: `${changed} was changed by someone while Milepost was writing it (now "${now(i, changed) ?? ''}")`,
        column: changed,
        row: i + 2,
      });
      continue;
    }
    for (const c of cells) fix(i, c.j, c.value);
  }
}
