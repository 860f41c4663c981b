/**
 * Finding rows again after people moved them (src/google/rows.ts): one round compares the tab
 * as read now with the baseline taken before the first write, and says what to write.
 */
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/types';
import { type CellFix, planRound, type RowTarget, type TabRead, takeBaseline } from '../../src/google/rows';

const TZ = 'UTC';
const headers = ['ID', 'Milestone', 'Status', 'Last update'];
const tab = (...rows: Cell[][]): TabRead => ({ headers, rows });
const base = tab(
  ['M-1', 'Alpha', 'On track', null],
  ['M-2', 'Beta', 'On track', null],
  ['M-3', 'Gamma', 'Might miss', null],
);
const written = ['status', 'lastupdate'];
const baseline = takeBaseline('Milestones', base, 'id', written);
/** M-2 becomes Missed, updated at serial 46000. */
const target: RowTarget = { tab: 'Milestones', row: 1, key: 'M-2', cells: ['Missed', 46000] };

/** Applies fixes to a read, as the Sheet would. */
function apply(read: TabRead, fixes: CellFix[]): TabRead {
  const rows = read.rows.map((r) => [...r]);
  for (const f of fixes) {
    const c = read.headers.findIndex((h) => h.toLowerCase().replace(/\s/g, '') === f.column);
    rows[f.row - 2]![c] = f.value;
  }
  return { headers: read.headers, rows };
}

describe('planRound', () => {
  it('writes the planned cells where the row is, and is settled once they are there', () => {
    const first = planRound(baseline, [target], base, TZ);
    expect(first.fixes).toEqual([
      { tab: 'Milestones', row: 3, column: 'status', value: 'Missed' },
      { tab: 'Milestones', row: 3, column: 'lastupdate', value: 46000 },
    ]);
    const after = apply(base, first.fixes);
    expect(planRound(baseline, [target], after, TZ)).toEqual({ fixes: [], problems: [], settled: true });
  });

  it('puts back a value a sort sent to another row, and writes it where it belongs', () => {
    const { fixes } = planRound(baseline, [target], base, TZ);
    // A person sorts between the read and the write, swapping M-1 and M-2.
    const sorted = tab(base.rows[1]!, base.rows[0]!, base.rows[2]!);
    const landed = apply(sorted, fixes); // the write lands on row 3 = M-1 now
    expect(landed.rows[1]).toEqual(['M-1', 'Alpha', 'Missed', 46000]);
    const repair = planRound(baseline, [target], landed, TZ);
    expect(repair.fixes).toEqual(
      expect.arrayContaining([
        { tab: 'Milestones', row: 3, column: 'status', value: 'On track' },
        { tab: 'Milestones', row: 3, column: 'lastupdate', value: '' },
        { tab: 'Milestones', row: 2, column: 'status', value: 'Missed' },
        { tab: 'Milestones', row: 2, column: 'lastupdate', value: 46000 },
      ]),
    );
    expect(repair.fixes).toHaveLength(4);
    const fixed = apply(landed, repair.fixes);
    expect(fixed.rows).toEqual([
      ['M-2', 'Beta', 'Missed', 46000],
      ['M-1', 'Alpha', 'On track', ''],
      ['M-3', 'Gamma', 'Might miss', null],
    ]);
    expect(planRound(baseline, [target], fixed, TZ).settled).toBe(true);
  });

  it('clears a planned value that landed on a blank row a sort brought up', () => {
    const withBlank = tab(...base.rows, [null, null, null, null]);
    const b = takeBaseline('Milestones', withBlank, 'id', written);
    const t: RowTarget = { ...target, row: 1 };
    const { fixes } = planRound(b, [t], withBlank, TZ);
    // A person's sort brings the blank row up to row 3, where M-2 was.
    const moved = tab(withBlank.rows[0]!, withBlank.rows[3]!, withBlank.rows[2]!, withBlank.rows[1]!);
    const landed = apply(moved, fixes);
    const repair = planRound(b, [t], landed, TZ);
    const fixed = apply(landed, repair.fixes);
    expect(fixed.rows.find((r) => r[0] === 'M-2')).toEqual(['M-2', 'Beta', 'Missed', 46000]);
    expect(fixed.rows[1]).toEqual([null, null, '', '']);
  });

  it('leaves a cell a person changed while it was being written, and reports it', () => {
    const edited = tab(base.rows[0]!, ['M-2', 'Beta', 'Done', null], base.rows[2]!);
    const r = planRound(baseline, [target], edited, TZ);
    expect(r.fixes).toEqual([]);
    expect(r.problems).toEqual([
      expect.objectContaining({
        column: 'status',
        row: 3,
        message: expect.stringMatching(/changed by someone/),
      }),
    ]);
  });

  it('reports a row that is gone, and a row a person copied (no longer one row)', () => {
    const gone = tab(base.rows[0]!, base.rows[2]!);
    expect(planRound(baseline, [target], gone, TZ).problems[0]!.message).toMatch(/gone/);
    const copied = tab(...base.rows, base.rows[1]!);
    expect(planRound(baseline, [target], copied, TZ).problems[0]!.message).toMatch(/gone/);
  });

  it('recognises a new row by its cells once its planned ID landed elsewhere', () => {
    // Row 3 has no ID yet; the plan gives it M-4. Headers: the ID column is written.
    const read = tab(base.rows[0]!, base.rows[1]!, [null, 'Delta', 'On track', null]);
    const b = takeBaseline('Milestones', read, 'id', ['id']);
    const t: RowTarget = { tab: 'Milestones', row: 2, key: 'M-4', cells: ['M-4'] };
    const { fixes } = planRound(b, [t], read, TZ);
    expect(fixes).toEqual([{ tab: 'Milestones', row: 4, column: 'id', value: 'M-4' }]);
    // A sort put M-1 on row 4 before the write: M-1's ID is overwritten with M-4.
    const moved = tab(read.rows[2]!, read.rows[1]!, read.rows[0]!);
    const landed = apply(moved, fixes);
    expect(landed.rows[2]![0]).toBe('M-4');
    const repair = planRound(b, [t], landed, TZ);
    const fixed = apply(landed, repair.fixes);
    expect(fixed.rows.map((r) => [r[0], r[1]])).toEqual([
      ['M-4', 'Delta'],
      ['M-2', 'Beta'],
      ['M-1', 'Alpha'],
    ]);
  });

  it('writes two identical rows (a topic raised twice by hand) one each, even after they swap places', () => {
    const read = tab(base.rows[0]!, [null, 'Same', 'On track', null], [null, 'Same', 'On track', null]);
    const b = takeBaseline('Milestones', read, 'id', ['id']);
    const targets: RowTarget[] = [
      { tab: 'Milestones', row: 1, key: 'M-8', cells: ['M-8'] },
      { tab: 'Milestones', row: 2, key: 'M-9', cells: ['M-9'] },
    ];
    const first = planRound(b, targets, read, TZ);
    expect(first.problems).toEqual([]);
    const landed = apply(read, first.fixes);
    const swapped = tab(landed.rows[0]!, landed.rows[2]!, landed.rows[1]!);
    expect(planRound(b, targets, swapped, TZ)).toEqual({ fixes: [], problems: [], settled: true });
    expect(swapped.rows.map((r) => r[0]).sort()).toEqual(['M-1', 'M-8', 'M-9']);
  });
});
