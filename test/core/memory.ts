/**
 * The in-memory test runtime: applies a plan to a snapshot as every runtime does — the core
 * resolves it against the rows as they are (`resolvePlan`) and this carries it out. Lets core
 * tests run several syncs in a row.
 */
import { normaliseName } from '../../src/core/layout';
import { type Resolution, resolvePlan } from '../../src/core/resolve';
import type { Plan, Snapshot } from '../../src/core/types';

export function applyToSnapshot(snapshot: Snapshot, plan: Plan): Snapshot {
  return applyResolved(snapshot, plan).snapshot;
}

/** The snapshot after the plan, and the resolution (its conflicts). */
export function applyResolved(
  snapshot: Snapshot,
  plan: Plan,
): { snapshot: Snapshot; resolution: Resolution } {
  const next: Snapshot = structuredClone(snapshot);
  const table = (tab: string) => next.tables.find((t) => normaliseName(t.name) === normaliseName(tab));
  const resolution = resolvePlan(plan, table);
  for (const r of resolution.rows) {
    const row = table(r.tab)!.rows[r.index]!;
    for (const c of r.cells) {
      while (row.length <= c.column) row.push(null);
      row[c.column] = c.value;
    }
  }
  for (const a of resolution.appends) {
    const t = table(a.tab)!;
    const row = t.headers.map(() => null as Plan['writes'][number]['value']);
    for (const c of a.cells) row[c.column] = c.value;
    t.rows.push(row);
  }
  return { snapshot: next, resolution };
}
