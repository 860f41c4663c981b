/** Small builders for register snapshots in tests: records by header, like the sample JSON. */
import { SETTINGS, TABS, type TabName } from '../../src/core/layout';
import type { Cell, Snapshot, Table } from '../../src/core/types';

export type Records = Partial<Record<TabName, Record<string, Cell | undefined>[]>>;

export function table(name: string, headers: string[], records: Record<string, Cell | undefined>[]): Table {
  return { name, headers, rows: records.map((r) => headers.map((h) => r[h] ?? null)) };
}

/** A snapshot with every tab of the layout, in layout order, with the given records. */
export function snapshot(records: Records, settings: Record<string, Cell> = {}): Snapshot {
  const tables = TABS.map((t) => {
    const headers = t.columns.map((c) => c.header);
    let rows = records[t.name] ?? [];
    if (t.name === 'Settings' && !records.Settings) {
      rows = SETTINGS.map((s) => ({ Setting: s.key, Value: settings[s.key] ?? s.value }));
    }
    return table(t.name, headers, rows);
  });
  return { tables };
}

export const team: Record<string, Cell>[] = [
  {
    Name: 'Ann Lee',
    Email: 'ann@example.com',
    Group: 'Product',
    Role: 'member',
    Delegate: 'dan@example.com',
    Active: 'yes',
  },
  { Name: 'Bob Ray', Email: 'bob@example.com', Group: 'Engineering', Role: 'member', Active: 'yes' },
  { Name: 'Cat Kim', Email: 'cat@example.com', Group: 'Sales', Role: 'manager', Active: 'yes' },
  { Name: 'Dan Fox', Email: 'dan@example.com', Group: 'Product', Role: 'member', Active: 'yes' },
];

export const priorities: Record<string, Cell>[] = [
  { Priority: 'Grow revenue', Rank: 1, Sponsor: 'cat@example.com' },
  { Priority: 'Ship platform', Rank: 2, Sponsor: 'bob@example.com' },
  { Priority: 'Cut costs', Rank: 3, Sponsor: '' },
];

export function milestone(
  id: string,
  owner: string,
  due: Cell,
  extra: Record<string, Cell> = {},
): Record<string, Cell> {
  return {
    ID: id,
    Priority: 'Ship platform',
    Milestone: `Milestone ${id}`,
    Owner: owner,
    Due: due,
    Status: 'On track',
    ...extra,
  };
}

/** A Changes row: a forecast (or `field`) moved from → to at `when`, by a form answer. */
export const change = (id: string, from: string, to: string, when: string, field = 'Forecast') => ({
  When: when,
  Milestone: id,
  Field: field,
  From: from,
  To: to,
  By: 'x',
  Source: 'form',
});

export const meetings: Record<string, Cell>[] = [
  { Date: '2026-11-26', Time: '10:00', Status: 'Held', 'Wrapped up': '2026-11-26T12:00:00Z' },
  { Date: '2026-12-03', Time: '10:00', Status: 'Planned' },
  { Date: '2026-12-10', Time: '10:00', Status: 'Planned' },
  { Date: '2026-12-17', Time: '10:00', Status: 'Planned' },
  { Date: '2026-12-24', Time: '10:00', Status: 'Planned' },
];

export const baseSettings = {
  'Time zone': 'Europe/London',
  'First meeting': '2026-10-01',
  'Process manager': 'cat@example.com',
};

export function register(records: Records = {}, settings: Record<string, Cell> = {}): Snapshot {
  return snapshot(
    {
      Team: team,
      Priorities: priorities,
      Meetings: meetings,
      ...records,
    },
    { ...baseSettings, ...settings },
  );
}

export function submission(over: Record<string, unknown> = {}) {
  return {
    responseId: 'r1',
    submittedAt: '2026-12-01T09:00:00Z',
    email: 'ann@example.com',
    statuses: {},
    forecasts: {},
    comments: {},
    wins: '',
    learnings: '',
    helpNeeded: '',
    helpFrom: '',
    ...over,
  };
}

export function raw(...values: unknown[]) {
  return values.map((value, i) => ({ where: `responses.jsonl line ${i + 1}`, value }));
}
