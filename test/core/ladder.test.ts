/**
 * Quiet hours and the reminder ladder (README "Settings": Working hours, Working days, Second
 * reminder, Escalate after missed meetings): nothing is planned to go out outside working hours,
 * each rung reaches the right people once, and an owner silent for meetings in a row is named to
 * the leader.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPack, planRequests } from '../../src/core/cycle';
import { addDays } from '../../src/core/dates';
import { repeatedNonResponders } from '../../src/core/ladder';
import { readRegister } from '../../src/core/register';
import {
  duePhases,
  inWorkingHours,
  localClock,
  meetingTimes,
  nextWorkingSlot,
} from '../../src/core/schedule';
import type { Cell, Settings } from '../../src/core/types';
import { milestone, register, table } from './builders';

const records = {
  Milestones: [
    milestone('M-0001', 'ann@example.com', '2026-12-20'),
    milestone('M-0002', 'bob@example.com', '2026-12-20'),
  ],
};
const sent = {
  Date: '2026-12-03',
  Time: '10:00',
  Status: 'Planned',
  'Requests sent': '2026-11-30T10:00:00Z',
};

function settingsOf(values: Record<string, Cell> = {}): { settings: Settings; problems: string[] } {
  const { register: r, problems } = readRegister(register(records, values));
  return {
    settings: r.settings,
    problems: problems.filter((p) => p.tab === 'Settings').map((p) => p.message),
  };
}

const ZONES = ['Europe/London', 'America/New_York', 'Pacific/Auckland', 'Asia/Kolkata'];
const DAY_SETS = ['Mon-Fri', 'Sun-Thu', 'Mon, Wed, Fri', 'Sat'];
const HOURS = ['09:00-17:30', '08:00-12:00', '13:15-14:00', '00:00-24:00'];
const instant = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());
const settings = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    days: fc.constantFrom(...DAY_SETS),
    hours: fc.constantFrom(...HOURS),
  })
  .map(
    ({ zone, days, hours }) =>
      settingsOf({ 'Time zone': zone, 'Working days': days, 'Working hours': hours }).settings,
  );

describe('working hours', () => {
  it('moves the default reminder (Tuesday 22:00, 12 hours before the deadline) to Wednesday 09:00', () => {
    const { settings: s } = settingsOf();
    const t = meetingTimes({ date: '2026-12-03', time: '10:00' }, s);
    expect(t.deadline).toBe('2026-12-02T10:00:00.000Z');
    expect(t.reminders).toBe('2026-12-02T09:00:00.000Z');
    expect(t.secondReminders).toBe('2026-12-02T10:00:00.000Z');
  });

  it('keeps 09:00 local across a DST change: the week London goes back and the week New York does', () => {
    const london = settingsOf().settings;
    // Meeting Monday 26 Oct 2026 08:00: requests 3 days before fall on Friday 23 Oct 08:00 BST
    // (07:00Z), moved to 09:00 BST (08:00Z); its reminder, Saturday 21:00 BST, moves past the
    // weekend and the change of clocks to Monday 09:00 GMT (09:00Z) — after Sunday's deadline.
    const t = meetingTimes({ date: '2026-10-26', time: '08:00' }, london);
    expect(t.requests).toBe('2026-10-23T08:00:00.000Z');
    expect(localClock(t.requests, 'Europe/London')).toBe('09:00');
    expect(t.reminders).toBe('2026-10-26T09:00:00.000Z');
    expect(localClock(t.reminders, 'Europe/London')).toBe('09:00');
    const ny = settingsOf({ 'Time zone': 'America/New_York' }).settings;
    // Monday 2 Nov 2026 09:00 EST (14:00Z); on Friday 30 Oct it was 09:00 EDT (13:00Z).
    expect(nextWorkingSlot('2026-10-31T12:00:00Z', ny)).toBe('2026-11-02T14:00:00.000Z');
    expect(nextWorkingSlot('2026-10-29T22:00:00Z', ny)).toBe('2026-10-30T13:00:00.000Z');
  });

  it('law: the next working slot is in working hours, not before the instant, and nothing working lies between', () => {
    fc.assert(
      fc.property(instant, settings, (at, s) => {
        const slot = nextWorkingSlot(at, s);
        expect(inWorkingHours(slot, s)).toBe(true);
        expect(Date.parse(slot)).toBeGreaterThanOrEqual(Date.parse(at));
        if (inWorkingHours(at, s)) expect(slot).toBe(at);
        else {
          // Every quarter hour between the instant and the slot is outside working hours.
          for (let t = Date.parse(at); t < Date.parse(slot); t += 15 * 60_000)
            expect(inWorkingHours(new Date(t).toISOString(), s)).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('law: every planned send time of a meeting (requests, first and second reminder) is in working hours', () => {
    const meeting = fc.record({
      date: fc.integer({ min: 0, max: 700 }).map((d) => addDays('2026-01-01', d)),
      time: fc.constantFrom('07:30', '08:00', '10:00', '14:00', '18:45'),
    });
    fc.assert(
      fc.property(meeting, settings, (m, s) => {
        const t = meetingTimes(m, s);
        for (const at of [t.requests, t.reminders, t.secondReminders!])
          expect(inWorkingHours(at, s)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('law: outside working hours the schedule sends nothing (no requests, no reminder of either rung)', () => {
    const meetings = [
      { Date: '2026-10-29', Time: '10:00', Status: 'Planned' },
      { ...sent, Date: '2026-11-05', 'Requests sent': '2026-11-02T10:00:00Z' },
    ];
    const r = readRegister(register({ ...records, Meetings: meetings })).register;
    const sends = new Set(['requests', 'reminders', 'second-reminders']);
    fc.assert(
      fc.property(
        fc
          .integer({ min: Date.parse('2026-10-24T00:00:00Z'), max: Date.parse('2026-11-05T12:00:00Z') })
          .map((ms) => new Date(ms).toISOString()),
        (now) => {
          const phases = duePhases(r, now).filter((d) => sends.has(d.phase));
          if (!inWorkingHours(now, r.settings)) expect(phases).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads Working hours and Working days, and says what is wrong with a bad value (runs stop)', () => {
    expect(
      settingsOf({ 'Working hours': '8:30 – 18:00', 'Working days': 'Sun to Thu' }).settings,
    ).toMatchObject({
      workingHours: { start: '08:30', end: '18:00' },
      workingDays: [0, 1, 2, 3, 4],
    });
    expect(settingsOf({ 'Working days': 'Mon, Wed, Fri' }).settings.workingDays).toEqual([1, 3, 5]);
    const late = settingsOf({ 'Working hours': '17:30-09:00' }).problems;
    expect(late).toEqual([
      expect.stringContaining(
        '"Working hours" is "17:30-09:00"; expected two 24-hour times, the first earlier, such as 09:00-17:30. Every run',
      ),
    ]);
    expect(settingsOf({ 'Working days': 'weekdays' }).problems).toEqual([
      expect.stringContaining(
        '"Working days" is "weekdays"; expected weekdays such as Mon-Fri, or Mon, Tue, Thu.',
      ),
    ]);
    expect(() =>
      planRequests(register(records, { 'Working hours': 'all day' }), '2026-11-30T10:00:00Z'),
    ).toThrow(/Working hours/);
  });

  it('an older register without the new settings uses the defaults', () => {
    const snap = register(records);
    const settingsTab = snap.tables.find((t) => t.name === 'Settings')!;
    const keep = [
      'Working hours',
      'Working days',
      'Second reminder (hours after deadline)',
      'Escalate after missed meetings',
    ];
    settingsTab.rows = settingsTab.rows.filter((row) => !keep.includes(String(row[0])));
    const { register: r, problems } = readRegister(snap);
    expect(problems.filter((p) => p.tab === 'Settings')).toEqual([]);
    expect(r.settings).toMatchObject({
      workingHours: { start: '09:00', end: '17:30' },
      workingDays: [1, 2, 3, 4, 5],
      secondReminderHoursAfterDeadline: 0,
      escalateAfterMissed: 2,
    });
  });
});

describe('the reminder ladder', () => {
  const reminders = (
    now: string,
    meetings: Record<string, Cell>[] = [sent],
    values: Record<string, Cell> = {},
  ) => planRequests(register({ ...records, Meetings: meetings }, values), now, { reminders: true });

  it('first reminder: to the owner alone; second: copying their delegate and the process manager', () => {
    const first = reminders('2026-12-02T09:00:00Z');
    expect(first.rung).toBe('reminder');
    expect(first.plan.emails.map((e) => [e.key, e.to, e.cc])).toEqual([
      ['reminder/2026-12-03/ann@example.com', ['ann@example.com'], []],
      ['reminder/2026-12-03/bob@example.com', ['bob@example.com'], []],
    ]);
    const second = reminders('2026-12-02T10:00:00Z', [{ ...sent, 'Reminders sent': '2026-12-02T09:00:00Z' }]);
    expect(second.rung).toBe('second-reminder');
    // Ann's delegate is Dan; Cat is the process manager. Bob has no delegate.
    expect(second.plan.emails.map((e) => [e.key, e.to, e.cc])).toEqual([
      ['reminder-2/2026-12-03/ann@example.com', ['ann@example.com'], ['dan@example.com', 'cat@example.com']],
      ['reminder-2/2026-12-03/bob@example.com', ['bob@example.com'], ['cat@example.com']],
    ]);
    expect(second.plan.emails[0]!.subject).toMatch(/^Second reminder: /);
    expect(second.plan.emails[0]!.text).toContain('Your delegate and the process manager are copied');
    expect(second.plan.writes.filter((w) => w.tab === 'Meetings')).toEqual([
      expect.objectContaining({ column: 'Second reminders sent', value: '2026-12-02T10:00:00Z' }),
    ]);
  });

  it('each rung is due once: recorded in Meetings, it is not due again', () => {
    const r = (row: Record<string, Cell>) => readRegister(register({ ...records, Meetings: [row] })).register;
    const phases = (row: Record<string, Cell>, now: string) =>
      duePhases(r(row), now)
        .map((d) => d.phase)
        .filter((p) => p !== 'sync' && p !== 'pack');
    expect(phases(sent, '2026-12-02T09:30:00Z')).toEqual(['reminders']);
    expect(phases({ ...sent, 'Reminders sent': '2026-12-02T09:00:00Z' }, '2026-12-02T09:30:00Z')).toEqual([]);
    expect(phases({ ...sent, 'Reminders sent': '2026-12-02T09:00:00Z' }, '2026-12-02T11:00:00Z')).toEqual([
      'second-reminders',
    ]);
    const both = {
      ...sent,
      'Reminders sent': '2026-12-02T09:00:00Z',
      'Second reminders sent': '2026-12-02T10:00:00Z',
    };
    expect(phases(both, '2026-12-02T11:00:00Z')).toEqual([]);
  });

  it('"Second reminder" no: the ladder stops at the first reminder', () => {
    const off = { 'Second reminder (hours after deadline)': 'no' };
    expect(settingsOf(off).settings.secondReminderHoursAfterDeadline).toBeUndefined();
    expect(settingsOf({ 'Second reminder (hours after deadline)': 'later' }).problems).toEqual([
      expect.stringContaining(
        'expected a number of hours from 0 to 8760, or no (no second reminder). Every run',
      ),
    ]);
    expect(reminders('2026-12-02T11:00:00Z', [sent], off).rung).toBe('reminder');
    const r = readRegister(register({ ...records, Meetings: [sent] }, off)).register;
    expect(duePhases(r, '2026-12-02T11:00:00Z').map((d) => d.phase)).not.toContain('second-reminders');
  });

  it('a register without the "Second reminders sent" column keeps working: nothing written, no problem', () => {
    const snap = register({ ...records, Meetings: [sent] });
    const i = snap.tables.findIndex((t) => t.name === 'Meetings');
    const headers = snap.tables[i]!.headers.filter((h) => h !== 'Second reminders sent');
    snap.tables[i] = table('Meetings', headers, [sent]);
    const second = planRequests(snap, '2026-12-02T11:00:00Z', { reminders: true });
    expect(second.plan.emails.map((e) => e.key)).toEqual([
      'reminder-2/2026-12-03/ann@example.com',
      'reminder-2/2026-12-03/bob@example.com',
    ]);
    expect(second.plan.writes.filter((w) => w.tab === 'Meetings')).toEqual([]);
    expect(second.problems).toEqual([]);
  });
});

describe('owners silent for meetings in a row', () => {
  const held = (date: string) => ({
    Date: date,
    Time: '10:00',
    Status: 'Held',
    'Requests sent': `${addDays(date, -3)}T10:00:00Z`,
    'Wrapped up': `${date}T12:00:00Z`,
  });
  const update = (email: string, meeting: string) => ({
    Received: `${addDays(meeting, -2)}T09:00:00Z`,
    'Response ID': `${meeting}-${email}`,
    Meeting: meeting,
    Email: email,
    Result: 'Applied: no changes',
  });
  const meetings = [held('2026-11-26'), { ...sent }];
  const snap = (updates: Record<string, Cell>[], values: Record<string, Cell> = {}) =>
    register({ ...records, Meetings: meetings, Updates: updates }, { Leader: 'lead@example.com', ...values });

  it('names an owner who sent nothing for the last two meetings; one answer clears them', () => {
    const r = readRegister(snap([update('ann@example.com', '2026-11-26')])).register;
    expect(repeatedNonResponders(r, r.meetings[1]!)).toEqual(['bob@example.com']);
    const answered = readRegister(
      snap([update('ann@example.com', '2026-11-26'), update('bob@example.com', '2026-12-03')]),
    ).register;
    expect(repeatedNonResponders(answered, answered.meetings[1]!)).toEqual([]);
    const never = readRegister(snap([], { 'Escalate after missed meetings': 0 })).register;
    expect(repeatedNonResponders(never, never.meetings[1]!)).toEqual([]);
  });

  it('says so in one line of the pack at a glance and in the pack email, copied to the leader', () => {
    const p = planPack(
      snap([update('ann@example.com', '2026-11-26')]),
      [],
      '2026-12-02T16:00:00Z',
      (m) => m.date,
    );
    const email = p.plan.emails.find((e) => e.kind === 'pack')!;
    expect(email.text).toContain('No update 2 meetings in a row: Bob Ray.');
    expect(email.cc).toEqual(['lead@example.com']);
    const lines = JSON.stringify(p.document).match(/No update 2 meetings in a row/g);
    expect(lines).toHaveLength(1);
    const quiet = planPack(
      snap([update('ann@example.com', '2026-11-26'), update('bob@example.com', '2026-11-26')]),
      [],
      '2026-12-02T16:00:00Z',
      (m) => m.date,
    );
    expect(quiet.plan.emails.find((e) => e.kind === 'pack')!.cc).toEqual([]);
    expect(JSON.stringify(quiet.document)).not.toContain('meetings in a row');
  });
});
