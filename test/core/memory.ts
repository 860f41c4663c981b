/**
 * Applies a plan to an in-memory snapshot, as a backend would: rows found by key at write
 * time, appends at the end. Lets core tests run several syncs in a row.
 */
import { normaliseName } from '../../src/core/layout';
import { cellText } from '../../src/core/register';
import type { Cell, Plan, Snapshot } from '../../src/core/types';

export function applyToSnapshot(snapshot: Snapshot, plan: Plan): Snapshot {
  const next: Snapshot = structuredClone(snapshot);
  const table = (tab: string) => next.tables.find((t) => normaliseName(t.name) === normaliseName(tab))!;
  const col = (headers: string[], header: string) =>
    headers.findIndex((h) => normaliseName(h) === normaliseName(header));
  for (const w of plan.writes) {
    const t = table(w.tab);
    const c = col(t.headers, w.column);
    let row: Cell[] | undefined;
    if (w.ref.by === 'key') {
      const k = col(t.headers, w.ref.header);
      const value = w.ref.value;
      row = t.rows.find((r) => cellText(r[k] ?? null) === value);
    } else {
      row = t.rows[w.ref.row - 2];
    }
    if (!row) throw new Error(`no row for ${JSON.stringify(w.ref)} in ${w.tab}`);
    while (row.length <= c) row.push(null);
    row[c] = w.value;
  }
  for (const a of plan.appends) {
    const t = table(a.tab);
    t.rows.push(t.headers.map((h) => a.values[h] ?? null));
  }
  return next;
}
