/**
 * Settings values: every numeric and time setting has a range; a value outside it is an error on
 * its row, column Value, and either stops every phase (it decides when something happens or is
 * sent) or falls back to the default — never silently, never a crash deep in the schedule.
 */
import { describe, expect, it } from 'vitest';
import { planRequests, planSync, planWrapUp, RegisterError } from '../../src/core/cycle';
import { SETTINGS } from '../../src/core/layout';
import { FIRST_MEETING_RANGE, readRegister, SETTING_RANGES } from '../../src/core/register';
import type { Cell, Settings } from '../../src/core/types';
import { register } from './builders';

const NOW = '2026-12-01T12:00:00Z';
/** The sheet row of a setting (builders lay Settings out in layout order, header on row 1). */
const rowOf = (key: string) => SETTINGS.findIndex((s) => s.key === key) + 2;
const defaultOf = (key: string) => Number(SETTINGS.find((s) => s.key === key)!.value);

function settingProblems(values: Record<string, Cell>) {
  const { register: r, problems } = readRegister(register({}, values));
  return { settings: r.settings, problems: problems.filter((p) => p.tab === 'Settings') };
}

/** The Settings field each numeric setting fills. */
const FIELD: Record<string, (s: Settings) => number> = {
  'Cadence (weeks)': (s) => s.cadenceWeeks,
  'Meeting length (minutes)': (s) => s.meetingLengthMinutes,
  'Request lead (days)': (s) => s.requestLeadDays,
  'Response deadline (hours before)': (s) => s.responseDeadlineHours,
  'Reminder (hours before deadline)': (s) => s.reminderHoursBeforeDeadline,
  'Second reminder (hours after deadline)': (s) => s.secondReminderHoursAfterDeadline ?? Number.NaN,
  'Escalate after missed meetings': (s) => s.escalateAfterMissed,
  'Pack lead (hours before)': (s) => s.packLeadHours,
  'Minutes per member update': (s) => s.minutesPerMemberUpdate,
  'Minutes per topic': (s) => s.minutesPerTopic,
  'Wrap-up (minutes)': (s) => s.wrapUpMinutes,
  'Weight might-miss': (s) => s.weights.mightMiss,
  'Weight missed': (s) => s.weights.missed,
  'Weight dependency': (s) => s.weights.dependency,
  'Weight help': (s) => s.weights.help,
  'Weight raised': (s) => s.weights.raised,
  'Weight stale': (s) => s.weights.stale,
  'Weight priority': (s) => s.weights.priority,
  'Weight due soon': (s) => s.weights.dueSoon,
  'Due horizon (days)': (s) => s.weights.dueHorizonDays,
  'Weight per other group': (s) => s.weights.perOtherGroup,
  'Weight per deferral': (s) => s.weights.perDeferral,
};

describe('numeric settings', () => {
  it('every numeric setting of the layout has a range', () => {
    const numeric = SETTINGS.filter((s) => typeof s.value === 'number').map((s) => s.key);
    expect(Object.keys(SETTING_RANGES).sort()).toEqual([...numeric].sort());
    expect(Object.keys(FIELD).sort()).toEqual([...numeric].sort());
  });

  for (const [key, range] of Object.entries(SETTING_RANGES)) {
    it(`${key}: ${range.min} to ${range.max}${range.whole ? ', whole' : ''}; outside, an error on its row (${range.stopsRuns ? 'runs stop' : 'the default is used'})`, () => {
      for (const ok of [range.min, range.max]) {
        const { settings, problems } = settingProblems({ [key]: ok });
        expect(problems, `${key} = ${ok}`).toEqual([]);
        expect(FIELD[key]!(settings)).toBe(ok);
      }
      const bad: Cell[] = [range.min - 1, range.max + 1, 1e308, 'lots'];
      if (range.whole) bad.push(range.min + 0.5);
      for (const value of bad) {
        const { settings, problems } = settingProblems({ [key]: value });
        expect(problems, `${key} = ${value}`).toHaveLength(1);
        const p = problems[0]!;
        expect(p).toMatchObject({ severity: 'error', tab: 'Settings', row: rowOf(key), column: 'Value' });
        expect(p.message).toContain(`Settings, row ${rowOf(key)}, column Value: "${key}" is "${value}"`);
        expect(p.message).toContain(`from ${range.min} to ${range.max}`);
        expect(Boolean(p.stopsRuns)).toBe(range.stopsRuns);
        if (!range.stopsRuns) expect(p.message).toContain(`the default, ${defaultOf(key)}`);
        expect(FIELD[key]!(settings)).toBe(defaultOf(key));
      }
    });
  }
});

describe('a setting that stops runs', () => {
  const stopping: Record<string, Cell> = {
    'Time zone': 'Mars/Olympus',
    'Meeting weekday': 'Someday',
    'Meeting time': '25:00',
    'First meeting': '1999-12-31',
    'Auto-miss overdue': 'perhaps',
    'Cadence (weeks)': 1_000_000,
    'Meeting length (minutes)': 1e300,
    'Response deadline (hours before)': 1e12,
    'Reminder (hours before deadline)': 1e12,
    'Pack lead (hours before)': 1e12,
    'Request lead (days)': 100_000_000,
  };

  for (const [key, value] of Object.entries(stopping)) {
    it(`${key} = ${value}: validate reports the row; sync, request and wrap-up stop with a RegisterError naming it`, () => {
      const snapshot = register({}, { [key]: value });
      const problems = readRegister(snapshot).problems.filter((p) => p.tab === 'Settings');
      expect(problems).toEqual([
        expect.objectContaining({ row: rowOf(key), column: 'Value', stopsRuns: true, severity: 'error' }),
      ]);
      for (const phase of [
        () => planSync(snapshot, [], NOW),
        () => planRequests(snapshot, NOW),
        () => planWrapUp(snapshot, NOW),
      ]) {
        let thrown: unknown;
        try {
          phase();
        } catch (error) {
          thrown = error;
        }
        expect(thrown, key).toBeInstanceOf(RegisterError);
        expect((thrown as RegisterError).problems).toEqual(problems);
      }
    });
  }

  it(`First meeting: a date from ${FIRST_MEETING_RANGE.from} to ${FIRST_MEETING_RANGE.to}, or blank`, () => {
    for (const ok of [FIRST_MEETING_RANGE.from, FIRST_MEETING_RANGE.to, ''])
      expect(settingProblems({ 'First meeting': ok }).problems, ok).toEqual([]);
    for (const bad of ['2200-01-01', '1999-12-31', '2026-02-30', 'next week'])
      expect(settingProblems({ 'First meeting': bad }).problems, bad).toHaveLength(1);
  });
});

describe('a setting that falls back', () => {
  it('is an error validate reports, and the sync goes ahead with the default, carrying the problem', () => {
    const snapshot = register({}, { 'Weight missed': 5000, 'Minutes per topic': 0 });
    const outcome = planSync(snapshot, [], NOW);
    expect(outcome.register.settings.weights.missed).toBe(40);
    expect(outcome.register.settings.minutesPerTopic).toBe(10);
    expect(outcome.problems.filter((p) => p.tab === 'Settings').map((p) => p.row)).toEqual([
      rowOf('Minutes per topic'),
      rowOf('Weight missed'),
    ]);
  });
});
