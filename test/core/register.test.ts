import { describe, expect, it } from 'vitest';
import { dateToSerial } from '../../src/core/dates';
import { readRegister } from '../../src/core/register';
import { milestone, register, snapshot, table } from './builders';

const errorsOf = (s: ReturnType<typeof register>) =>
  readRegister(s).problems.filter((p) => p.severity === 'error');

describe('readRegister', () => {
  it('reads a clean register without problems', () => {
    const s = register({ Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20')] });
    const { register: r, problems } = readRegister(s);
    expect(problems).toEqual([]);
    expect(r.milestones[0]).toMatchObject({
      id: 'M-0001',
      owner: 'ann@example.com',
      due: '2026-12-20',
      status: 'On track',
    });
    expect(r.settings.timeZone).toBe('Europe/London');
    expect(r.meetings.map((m) => m.date)).toContain('2026-12-03');
  });

  it('finds columns by header text in any order, ignoring case and spaces, and keeps extra columns', () => {
    const s = register();
    const headers = [
      'notes',
      'OWNER',
      'My own column',
      ' due ',
      'status',
      'id',
      'Milestone',
      'priority',
      'Forecast',
      'Last  update',
    ];
    const i = s.tables.findIndex((t) => t.name === 'Milestones');
    s.tables[i] = table('milestones', headers, [
      {
        id: 'M-0001',
        OWNER: 'Bob Ray',
        ' due ': '2026-12-20',
        status: 'might miss',
        Milestone: 'X',
        priority: 'Cut costs',
        'My own column': 'keep',
      },
    ]);
    const { register: r, problems } = readRegister(s);
    expect(problems).toEqual([]);
    expect(r.milestones[0]).toMatchObject({
      id: 'M-0001',
      owner: 'bob@example.com',
      status: 'Might miss',
      due: '2026-12-20',
    });
  });

  it('names the tab and header of a missing required column', () => {
    const s = register();
    const i = s.tables.findIndex((t) => t.name === 'Milestones');
    s.tables[i] = table(
      'Milestones',
      ['ID', 'Priority', 'Milestone', 'Owner', 'Status', 'Forecast', 'Last update'],
      [],
    );
    const problems = errorsOf(s);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(
      'Milestones: the required column "Due" is missing from the header row (row 1).',
    );
  });

  it('skips blank rows in the middle and reports rows by their sheet row number', () => {
    const s = register({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20'),
        {},
        {},
        milestone('M-0002', 'nobody@example.com', '2026-12-20'),
      ],
    });
    const { register: r, problems } = readRegister(s);
    expect(r.milestones.map((m) => m.row)).toEqual([2, 5]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      tab: 'Milestones',
      row: 5,
      column: 'Owner',
      value: 'nobody@example.com',
    });
    expect(problems[0]!.message).toContain('expected the email (or unique name) of someone on the Team tab');
  });

  it('reports duplicate IDs on both rows and leaves blank IDs to be assigned', () => {
    const s = register({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20'),
        milestone('M-0001', 'bob@example.com', '2026-12-21'),
        milestone('', 'bob@example.com', '2026-12-21'),
      ],
    });
    const { register: r, problems } = readRegister(s);
    expect(problems.filter((p) => p.column === 'ID').map((p) => p.row)).toEqual([2, 3]);
    expect(problems[0]!.message).toContain('is used on rows 2 and 3');
    expect(r.milestones[2]!.id).toBe('');
  });

  it('rejects impossible and unreadable dates without guessing', () => {
    const s = register({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '31/02/2026'),
        milestone('M-0002', 'ann@example.com', '2026-02-31'),
        milestone('M-0003', 'ann@example.com', 'next week'),
        milestone('M-0004', 'ann@example.com', dateToSerial('2026-12-20')),
      ],
    });
    const { register: r, problems } = readRegister(s);
    expect(problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [2, 'Due', '31/02/2026'],
      [3, 'Due', '2026-02-31'],
      [4, 'Due', 'next week'],
    ]);
    expect(problems[0]!.expected).toBe('a date (YYYY-MM-DD, or a date cell)');
    expect(r.milestones[3]!.due).toBe('2026-12-20');
  });

  it('reports an unknown status and counts the row as On track', () => {
    const { register: r, problems } = readRegister(
      register({
        Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Finished' })],
      }),
    );
    expect(problems[0]).toMatchObject({
      column: 'Status',
      value: 'Finished',
      expected: 'one of On track, Might miss, Missed, Done, Dropped',
    });
    expect(r.milestones[0]!.status).toBe('On track');
  });

  it('reports a cycle in Depends on, once, naming every link', () => {
    const s = register({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0003' }),
        milestone('M-0002', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0001' }),
        milestone('M-0003', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0002, M-0009' }),
      ],
    });
    const problems = errorsOf(s);
    const cycle = problems.filter((p) => p.message.includes('cycle'));
    expect(cycle).toHaveLength(1);
    expect(cycle[0]!.message).toContain('M-0001 → M-0003 → M-0002 → M-0001');
    expect(problems.some((p) => p.value === 'M-0009' && p.column === 'Depends on')).toBe(true);
  });

  it('falls back to defaults and reports bad settings', () => {
    const s = register({}, { 'Time zone': 'Mars/Olympus', 'Meeting time': '25:00' });
    const { register: r, problems } = readRegister(s);
    expect(r.settings.timeZone).toBe('UTC');
    expect(problems.map((p) => p.expected)).toEqual(
      expect.arrayContaining(['an IANA time zone such as Europe/London', 'a 24-hour time such as 10:00']),
    );
  });

  it('reports a missing tab', () => {
    const s = snapshot({});
    s.tables = s.tables.filter((t) => t.name !== 'Team');
    expect(readRegister(s).problems.some((p) => p.message === 'The register has no "Team" tab.')).toBe(true);
  });
});
