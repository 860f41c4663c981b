/**
 * What a phase's plan would do, as `--dry-run` shows it: the cells it would change (by tab, row
 * key and column, from → to), the rows it would add, and the emails it would send (kind,
 * recipients, subject). Reading a plan only: nothing here applies anything.
 */
import { serialToDate, serialToInstant } from './dates';
import type { TabName } from './layout';
import type { Cell, Email, Plan, RowRef } from './types';

export interface PlanPreview {
  writes: { tab: TabName; row: string; column: string; from: Cell; to: Cell }[];
  appends: { tab: TabName; values: Record<string, Cell> }[];
  emails: {
    key: string;
    kind: Email['kind'];
    to: string[];
    cc: string[];
    subject: string;
    /** Sent by an earlier run: a real run would not send it again. */
    alreadySent: boolean;
  }[];
}

/** The row a write addresses, as a person finds it: "Date 2026-12-03", or "row 7". */
export function rowLabel(ref: RowRef): string {
  return ref.by === 'key' ? `${ref.header} ${ref.value}` : `row ${ref.row}`;
}

/** A date cell as read (a spreadsheet serial number) as the date or instant it holds. */
function readable(cell: Cell, as: 'date' | 'instant' | undefined, timeZone: string): Cell {
  if (typeof cell !== 'number' || !as) return cell;
  return as === 'date' ? serialToDate(cell) : serialToInstant(cell, timeZone);
}

/** The plan in words; `alreadySent` holds the keys of the emails an earlier run sent. */
export function previewPlan(plan: Plan, alreadySent: readonly string[] = []): PlanPreview {
  const sent = new Set(alreadySent);
  return {
    writes: plan.writes.map((w) => ({
      tab: w.tab,
      row: rowLabel(w.ref),
      column: w.column,
      from: readable(w.previous, w.as, plan.timeZone),
      to: w.value,
    })),
    appends: plan.appends.map((a) => ({ tab: a.tab, values: a.values })),
    emails: plan.emails.map((e) => ({
      key: e.key,
      kind: e.kind,
      to: e.to,
      cc: e.cc,
      subject: e.subject,
      alreadySent: sent.has(e.key),
    })),
  };
}
