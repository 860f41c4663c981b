import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TabName } from '../../src/core/layout';
import { cellsWritten, type RowsNow, resolvePlan } from '../../src/core/resolve';
import type { Cell, CellWrite, Plan, RowAppend } from '../../src/core/types';

const TZ = 'Europe/London';
const HEADERS = ['ID', 'Milestone', 'Owner', 'Due', 'Forecast', 'Status', 'Notes'];

function milestones(rows: Cell[][]): RowsNow {
  return { headers: HEADERS, rows };
}
const tabs =
  (m: RowsNow, more: Partial<Record<TabName, RowsNow>> = {}) =>
  (tab: TabName) =>
    tab === 'Milestones' ? m : more[tab];

function write(id: string, column: string, value: Cell, previous: Cell): CellWrite {
  return { tab: 'Milestones', ref: { by: 'key', header: 'ID', value: id }, column, value, previous };
}
function plan(writes: CellWrite[], appends: RowAppend[] = []): Pick<Plan, 'writes' | 'appends' | 'timeZone'> {
  return { timeZone: TZ, writes, appends };
}
const ROWS: Cell[][] = [
  ['M-0001', 'Launch', 'ann@example.com', 46000, null, 'On track', 'first'],
  ['M-0002', 'Billing', 'bob@example.com', 46010, null, 'On track', 'second'],
  [null, 'Lease', 'ann@example.com', 46020],
];
const CHANGES: RowsNow = { headers: ['When', 'Milestone', 'Field', 'Old', 'New', 'By', 'Source'], rows: [] };
const change = (id: string): RowAppend => ({
  tab: 'Changes',
  values: { Milestone: id, Field: 'Status', New: 'Done' },
  requires: [{ tab: 'Milestones', key: id }],
});

describe('resolvePlan', () => {
  it('finds rows by key as they are now, wherever people moved them', () => {
    const moved = [ROWS[2]!, ROWS[1]!, ROWS[0]!];
    const r = resolvePlan(plan([write('m-0001', 'Status', 'Done', 'On track')]), tabs(milestones(moved)));
    expect(r.conflicts).toEqual([]);
    expect(r.rows).toEqual([
      { tab: 'Milestones', index: 2, key: 'm-0001', cells: [{ column: 5, header: 'Status', value: 'Done' }] },
    ]);
  });

  it('writes a row whole or not at all, and holds back the rows that record it', () => {
    const now = structuredClone(ROWS);
    now[1]![5] = 'Missed'; // a person changed M-0002's status meanwhile
    const r = resolvePlan(
      plan(
        [write('M-0002', 'Status', 'Done', 'On track'), write('M-0002', 'Notes', 'n', 'second')],
        [change('M-0002'), change('M-0001')],
      ),
      tabs(milestones(now), { Changes: CHANGES }),
    );
    expect(r.rows).toEqual([]);
    expect(r.conflicts).toEqual([
      expect.objectContaining({
        severity: 'warning',
        tab: 'Milestones',
        row: 3,
        column: 'Status',
        value: 'Missed',
      }),
    ]);
    expect(r.appends.map((a) => a.append.values.Milestone)).toEqual(['M-0001']);
    expect([...r.failed]).toEqual(['milestones|m-0002']);
  });

  it('is not a conflict when the cell already holds the planned value (a stopped run wrote it)', () => {
    const now = structuredClone(ROWS);
    now[0]![5] = 'Done';
    const r = resolvePlan(plan([write('M-0001', 'Status', 'Done', 'On track')]), tabs(milestones(now)));
    expect(r.conflicts).toEqual([]);
    expect(cellsWritten(r)).toBe(1);
  });

  it('reports a key that is gone or on two rows, a missing column and a missing tab', () => {
    const now = [...structuredClone(ROWS), ['M-0002', 'Billing copy']];
    const r = resolvePlan(
      plan([
        write('M-0002', 'Status', 'Done', 'On track'),
        write('M-0404', 'Status', 'Done', 'On track'),
        write('M-0001', 'Colour', 'red', null),
        { ...write('M-0001', 'Topic', 'x', null), tab: 'Topics' },
      ]),
      tabs(milestones(now)),
    );
    expect(r.rows).toEqual([]);
    expect(r.conflicts.map((c) => [c.severity, c.message])).toEqual([
      ['warning', 'ID M-0002 appears on Milestones rows 3, 5; not written'],
      ['warning', 'no Milestones row has ID M-0404 any more; not written'],
      ['error', 'Milestones has no column "Colour"; the value for ID M-0001 was not written'],
      ['error', 'the register has no Topics tab; Topic was not written'],
    ]);
  });

  it('gives a new row its ID by the cells that were read, and writes by that ID join the row', () => {
    const match: CellWrite = {
      tab: 'Milestones',
      ref: { by: 'match', row: 4, cells: { ID: '', Milestone: 'Lease' } },
      column: 'ID',
      value: 'M-0003',
      previous: '',
    };
    // The row moved up one: found as the one row still holding its cells.
    const moved = [ROWS[0]!, ROWS[2]!, ROWS[1]!];
    const r = resolvePlan(
      plan([match, write('M-0003', 'Status', 'On track', null)], [change('M-0003')]),
      tabs(milestones(moved), { Changes: CHANGES }),
    );
    expect(r.conflicts).toEqual([]);
    expect(r.rows).toEqual([
      {
        tab: 'Milestones',
        index: 1,
        key: 'M-0003',
        cells: [
          { column: 0, header: 'ID', value: 'M-0003' },
          { column: 5, header: 'Status', value: 'On track' },
        ],
      },
    ]);
    expect(r.appends).toHaveLength(1);

    // Once it has an ID the same plan no longer matches: nothing written, the change held back.
    const given = structuredClone(moved);
    given[1]![0] = 'M-0009';
    const again = resolvePlan(
      plan([match], [change('M-0003')]),
      tabs(milestones(given), { Changes: CHANGES }),
    );
    expect(again.rows).toEqual([]);
    expect(again.conflicts[0]!.message).toContain(
      'row 4 no longer holds what was read (ID is now "M-0002", was "")',
    );
    expect(again.appends).toEqual([]);
  });

  it('law: the same cells go to the same milestones whatever order people sorted the rows into', () => {
    const writes = [
      write('M-0001', 'Status', 'Done', 'On track'),
      write('M-0002', 'Notes', 'n', 'second'),
      write('M-0002', 'Forecast', 46100, null),
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(ROWS, { minLength: ROWS.length, maxLength: ROWS.length }), (rows) => {
        const r = resolvePlan(plan(writes), tabs(milestones(rows)));
        const byId = r.rows.map((x) => [rows[x.index]![0], x.cells.map((c) => [c.header, c.value])]);
        expect(byId.sort()).toEqual([
          ['M-0001', [['Status', 'Done']]],
          [
            'M-0002',
            [
              ['Notes', 'n'],
              ['Forecast', 46100],
            ],
          ],
        ]);
      }),
    );
  });
});
