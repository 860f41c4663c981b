/**
 * The register's problems as a run shows them (docs/architecture.md §1): the errors on the
 * register's own tabs — what makes `sync`, `pack` and `run` exit 5 and the pack carry its
 * "Register problems" box — and the milestone cells that could not be read, which the pack
 * shows as "?" rather than as if they were fine. Pure.
 */
import { TABS } from './layout';
import { matchListValue, STATUSES } from './register';
import type { Milestone, Problem, Register } from './types';

const REGISTER_TABS = new Set<string>(TABS.map((t) => t.name));

/** Errors on the register's tabs: not warnings, not the problems of responses.jsonl lines. */
export function registerErrors(problems: Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'error' && REGISTER_TABS.has(p.tab));
}

/** Warnings on the register's tabs. */
export function registerWarnings(problems: Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'warning' && REGISTER_TABS.has(p.tab));
}

/**
 * The text of a Status cell that holds no status ('Late'), else undefined. The register reads such
 * a milestone as On track so the rules can run; nothing may show or count it as On track.
 */
export function unreadableStatus(m: Pick<Milestone, 'statusCell'>): string | undefined {
  const t = m.statusCell.trim();
  return t && !matchListValue(t, STATUSES) ? t : undefined;
}

/** The Milestones columns whose cell, when unreadable, is shown as "?" in the pack. */
const SHOWN = new Set(['ID', 'Owner', 'Due', 'Forecast', 'Status']);

/** The unreadable (or missing) cells of each Milestones row: row → column → the text found ('' for none). */
export function unreadableCells(problems: Problem[]): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  for (const p of problems) {
    if (p.severity !== 'error' || p.tab !== 'Milestones' || p.row === undefined || !p.column) continue;
    if (!SHOWN.has(p.column)) continue;
    const row = out.get(p.row) ?? new Map<string, string>();
    row.set(p.column, p.value ?? '');
    out.set(p.row, row);
  }
  return out;
}

/** How the pack shows a cell it could not read: '? (unreadable: Late)', or '? (missing)'. */
export function unreadableText(found: string): string {
  return found.trim() ? `? (unreadable: ${found.trim()})` : '? (missing)';
}

/**
 * The problems still true of `register`: a Status or Forecast cell that a sync has just written
 * (an owner answered for that milestone) no longer holds what was unreadable.
 */
export function currentProblems(problems: Problem[], register: Register): Problem[] {
  const byRow = new Map(register.milestones.map((m) => [m.row, m]));
  return problems.filter((p) => {
    if (p.tab !== 'Milestones' || p.row === undefined) return true;
    const m = byRow.get(p.row);
    if (!m) return true;
    if (p.column === 'Status') return unreadableStatus(m) !== undefined;
    if (p.column === 'Forecast') return m.forecast === undefined;
    return true;
  });
}
