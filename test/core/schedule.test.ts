import { describe, expect, it } from 'vitest';
import {
  dateInZone,
  instantToSerial,
  parseInstant,
  serialToInstant,
  zonedInstant,
} from '../../src/core/dates';
import { readRegister } from '../../src/core/register';
import { duePhases, dueSteps, meetingForInstant, meetingsToAdd, meetingTimes } from '../../src/core/schedule';
import { register } from './builders';

function reg(meetings: Record<string, unknown>[], settings = {}) {
  return readRegister(register({ Meetings: meetings as never }, settings)).register;
}

describe('time zones', () => {
  it('converts local wall times to UTC on both sides of a DST change', () => {
    expect(zonedInstant('2026-10-22', '10:00', 'Europe/London')).toBe('2026-10-22T09:00:00.000Z'); // BST
    expect(zonedInstant('2026-10-29', '10:00', 'Europe/London')).toBe('2026-10-29T10:00:00.000Z'); // GMT
    expect(zonedInstant('2026-03-09', '09:30', 'America/New_York')).toBe('2026-03-09T13:30:00.000Z');
    // 02:30 does not exist on 29 March 2026 in London: read with the offset before the gap.
    expect(zonedInstant('2026-03-29', '01:30', 'Europe/London')).toBe('2026-03-29T01:30:00.000Z');
    expect(dateInZone('2026-11-30T12:00:00Z', 'Pacific/Auckland')).toBe('2026-12-01');
  });

  it('round-trips instants through spreadsheet serials in the register time zone', () => {
    const t = '2026-07-01T08:15:30.250Z';
    expect(serialToInstant(instantToSerial(t, 'Europe/London'), 'Europe/London')).toBe(t);
    expect(parseInstant('2026-07-01 09:15', 'Europe/London')).toBe('2026-07-01T08:15:00.000Z');
  });
});

describe('schedule', () => {
  it('keeps the local clock time for day leads across a DST change and uses elapsed hours for hour leads', () => {
    const r = reg([{ Date: '2026-10-29', Time: '10:00', Status: 'Planned' }]);
    const t = meetingTimes(r.meetings[0]!, r.settings);
    expect(t.start).toBe('2026-10-29T10:00:00.000Z');
    // Monday 26 October 10:00 GMT (DST ended on Sunday 25th).
    expect(t.requests).toBe('2026-10-26T10:00:00.000Z');
    expect(t.deadline).toBe('2026-10-28T10:00:00.000Z');
    expect(t.pack).toBe('2026-10-28T16:00:00.000Z');
  });

  it('says what is due at an instant', () => {
    const r = reg([
      { Date: '2026-11-26', Time: '10:00', Status: 'Planned' },
      { Date: '2026-12-03', Time: '10:00', Status: 'Planned', 'Requests sent': '2026-11-30T10:00:00Z' },
    ]);
    expect(duePhases(r, '2026-11-30T11:00:00Z').map((d) => [d.phase, d.meeting])).toEqual([
      ['wrap-up', '2026-11-26'],
      ['sync', '2026-12-03'],
    ]);
    // The reminder 12 hours before the deadline (Tuesday 22:00) waits for Wednesday 09:00.
    expect(duePhases(r, '2026-12-01T23:00:00Z').map((d) => d.phase)).toEqual(['wrap-up', 'sync']);
    expect(duePhases(r, '2026-12-02T09:00:00Z').map((d) => d.phase)).toEqual([
      'wrap-up',
      'sync',
      'reminders',
    ]);
    // From the deadline, the second reminder, until the pack goes out.
    expect(duePhases(r, '2026-12-02T15:59:00Z').map((d) => d.phase)).toEqual([
      'wrap-up',
      'sync',
      'second-reminders',
    ]);
    expect(duePhases(r, '2026-12-02T16:00:00Z').map((d) => d.phase)).toEqual(['wrap-up', 'sync', 'pack']);
    const fresh = reg([{ Date: '2026-12-03', Time: '10:00', Status: 'Planned' }]);
    expect(duePhases(fresh, '2026-11-30T09:59:00Z').map((d) => d.phase)).toEqual(['sync']);
    expect(duePhases(fresh, '2026-11-30T10:00:00Z').map((d) => d.phase)).toEqual(['requests', 'sync']);
  });

  it('dispatches the due phases as steps, one rule for every runtime: a pack due makes the sync its own', () => {
    const r = reg([
      { Date: '2026-11-26', Time: '10:00', Status: 'Planned' },
      { Date: '2026-12-03', Time: '10:00', Status: 'Planned', 'Requests sent': '2026-11-30T10:00:00Z' },
    ]);
    expect(dueSteps(r, '2026-12-02T09:30:00Z').steps).toEqual([
      { step: 'wrap-up', meeting: '2026-11-26' },
      { step: 'sync' },
      { step: 'request', reminders: true },
    ]);
    expect(dueSteps(r, '2026-12-02T16:00:00Z').steps).toEqual([
      { step: 'wrap-up', meeting: '2026-11-26' },
      { step: 'pack' },
    ]);
    const fresh = reg([{ Date: '2026-12-03', Time: '10:00', Status: 'Planned' }]);
    expect(dueSteps(fresh, '2026-11-30T10:00:00Z').steps).toEqual([
      { step: 'request', reminders: false },
      { step: 'sync' },
    ]);
  });

  it('adds meetings on the cadence after the last row, never re-creating a moved or cancelled one', () => {
    const r = reg(
      [
        { Date: '2026-12-03', Status: 'Cancelled' },
        { Date: '2026-12-18', Status: 'Planned', Notes: 'moved to Friday' },
      ],
      { 'Cadence (weeks)': 2, 'First meeting': '2026-11-19' },
    );
    // Fortnightly slots: 3 Dec (cancelled), 17 Dec (held on the 18th), then 31 Dec and 14 Jan.
    expect(meetingsToAdd(r, '2026-12-01T09:00:00Z', 3).map((a) => a.values.Date)).toEqual([
      '2026-12-31',
      '2027-01-14',
    ]);
    // The last meeting moved two days earlier: its slot is still taken.
    const moved = reg(
      [
        { Date: '2026-12-17', Status: 'Planned' },
        { Date: '2026-12-22', Status: 'Planned', Notes: 'moved from the 24th' },
      ],
      { 'First meeting': '2026-10-01' },
    );
    expect(meetingsToAdd(moved, '2026-12-04T09:00:00Z', 3).map((a) => a.values.Date)).toEqual(['2026-12-31']);
    const empty = reg([], { 'First meeting': '' });
    // Next Thursday on or after Monday 30 November.
    expect(meetingsToAdd(empty, '2026-11-30T09:00:00Z', 2).map((a) => a.values.Date)).toEqual([
      '2026-12-03',
      '2026-12-10',
    ]);
  });

  it('assigns a submission to the first meeting not cancelled that starts after it', () => {
    const r = reg([
      { Date: '2026-12-03', Status: 'Planned' },
      { Date: '2026-12-10', Status: 'Cancelled' },
      { Date: '2026-12-17', Status: 'Planned' },
    ]);
    expect(meetingForInstant(r, '2026-12-03T09:59:00Z')?.date).toBe('2026-12-03');
    expect(meetingForInstant(r, '2026-12-03T10:00:00Z')?.date).toBe('2026-12-17');
  });

  it('keeps an answer with its meeting once that meeting is Held (it is not next week’s answer)', () => {
    const r = reg([
      { Date: '2026-12-03', Status: 'Held' },
      { Date: '2026-12-10', Status: 'Planned' },
    ]);
    expect(meetingForInstant(r, '2026-11-30T14:03:00Z')?.date).toBe('2026-12-03');
    expect(meetingForInstant(r, '2026-12-03T12:00:00Z')?.date).toBe('2026-12-10');
  });
});
