/**
 * The meeting calendar: cadence → Meetings rows, and what is due at a given instant.
 * Lead times in days keep the local clock time (a request 3 days before a 10:00 meeting
 * goes out at 10:00 local, whatever DST did in between); lead times in hours are elapsed hours.
 */
import { addDays, addHours, dateInZone, daysBetween, weekday, zonedInstant } from './dates';
import type { Meeting, Register, RowAppend, Settings } from './types';

export type Phase = 'requests' | 'reminders' | 'sync' | 'pack' | 'wrap-up';

export interface DuePhase {
  phase: Phase;
  meeting: string;
  /** When the phase became due. */
  at: string;
  reason: string;
}

export interface MeetingTimes {
  start: string;
  end: string;
  requests: string;
  deadline: string;
  reminders: string;
  pack: string;
}

export function meetingStart(m: Pick<Meeting, 'date' | 'time'>, s: Settings): string {
  return zonedInstant(m.date, m.time || s.meetingTime, s.timeZone);
}

export function meetingTimes(m: Pick<Meeting, 'date' | 'time'>, s: Settings): MeetingTimes {
  const time = m.time || s.meetingTime;
  const start = zonedInstant(m.date, time, s.timeZone);
  const deadline = addHours(start, -s.responseDeadlineHours);
  return {
    start,
    end: addHours(start, s.meetingLengthMinutes / 60),
    requests: zonedInstant(addDays(m.date, -s.requestLeadDays), time, s.timeZone),
    deadline,
    reminders: addHours(deadline, -s.reminderHoursBeforeDeadline),
    pack: addHours(start, -s.packLeadHours),
  };
}

/** Meetings that will take place (not cancelled), in date order. */
export function activeMeetings(register: Register): Meeting[] {
  return register.meetings.filter((m) => m.status !== 'Cancelled');
}

/** The meeting an update submitted at `instant` is for: the first one starting after it. */
export function meetingForInstant(register: Register, instant: string): Meeting | undefined {
  const t = Date.parse(instant);
  return plannedStarts(register).find((p) => p.start > t)?.meeting;
}

const startsCache = new WeakMap<Meeting[], { meeting: Meeting; start: number }[]>();
/** Planned meetings with their start instants, computed once per meetings list. */
function plannedStarts(register: Register): { meeting: Meeting; start: number }[] {
  let starts = startsCache.get(register.meetings);
  if (!starts) {
    starts = register.meetings
      .filter((m) => m.status === 'Planned')
      .map((meeting) => ({ meeting, start: Date.parse(meetingStart(meeting, register.settings)) }));
    startsCache.set(register.meetings, starts);
  }
  return starts;
}

/** The next Planned meeting that has not ended at `now`. */
export function upcomingMeeting(register: Register, now: string): Meeting | undefined {
  const t = Date.parse(now);
  return register.meetings.find(
    (m) => m.status === 'Planned' && Date.parse(meetingTimes(m, register.settings).end) > t,
  );
}

/** The last meeting held (or due to be wrapped up) before `meeting`. */
export function previousMeeting(register: Register, meeting: Meeting): Meeting | undefined {
  const before = register.meetings.filter((m) => m.date < meeting.date && m.status !== 'Cancelled');
  return before[before.length - 1];
}

/** Planned meetings that have ended at `now` and have not been wrapped up, oldest first. */
export function meetingsToWrapUp(register: Register, now: string): Meeting[] {
  const t = Date.parse(now);
  return register.meetings.filter(
    (m) => m.status === 'Planned' && !m.wrappedUp && Date.parse(meetingTimes(m, register.settings).end) <= t,
  );
}

/**
 * Meetings rows to add so that `horizon` future meetings are on the calendar. New slots
 * come after the last row and never within half a cadence step of an existing row, so a
 * meeting people moved (either way) or cancelled is never re-created.
 */
export function meetingsToAdd(register: Register, now: string, horizon = 4): RowAppend[] {
  const s = register.settings;
  const today = dateInZone(now, s.timeZone);
  const step = 7 * s.cadenceWeeks;
  let anchor = s.firstMeeting;
  if (!anchor) {
    anchor = today;
    while (weekday(anchor) !== s.meetingWeekday) anchor = addDays(anchor, 1);
  }
  const dates = register.meetings.map((m) => m.date);
  const last = dates.length ? dates[dates.length - 1]! : undefined;
  const future = register.meetings.filter((m) => m.status === 'Planned' && m.date >= today).length;
  const out: RowAppend[] = [];
  // First slot strictly after the last row (and not in the past).
  const from = last && last >= today ? addDays(last, 1) : today;
  let k = Math.max(0, Math.ceil(daysBetween(anchor, from) / step));
  for (let n = future; n < horizon; k++) {
    const date = addDays(anchor, k * step);
    // A row within half a cadence step is this slot's meeting, moved: the slot is taken.
    if (dates.some((d) => Math.abs(daysBetween(d, date)) < step / 2)) continue;
    n++;
    out.push({
      tab: 'Meetings',
      values: { Date: date, Time: s.meetingTime, Status: 'Planned' },
      dates: { Date: 'date' },
    });
  }
  return out;
}

/** What the schedule says is due at `now`, in the order it should run. */
export function duePhases(register: Register, now: string): DuePhase[] {
  const out: DuePhase[] = [];
  const t = Date.parse(now);
  for (const m of meetingsToWrapUp(register, now)) {
    out.push({
      phase: 'wrap-up',
      meeting: m.date,
      at: meetingTimes(m, register.settings).end,
      reason: 'the meeting has ended',
    });
  }
  const next = upcomingMeeting(register, now);
  if (!next) return out;
  const times = meetingTimes(next, register.settings);
  if (t >= Date.parse(times.requests) && !next.requestsSent) {
    out.push({
      phase: 'requests',
      meeting: next.date,
      at: times.requests,
      reason: 'update requests have not been sent',
    });
  }
  out.push({ phase: 'sync', meeting: next.date, at: now, reason: 'responses are compiled on every run' });
  if (
    next.requestsSent &&
    !next.remindersSent &&
    t >= Date.parse(times.reminders) &&
    t < Date.parse(times.deadline)
  ) {
    out.push({
      phase: 'reminders',
      meeting: next.date,
      at: times.reminders,
      reason: 'the response deadline is near',
    });
  }
  if (t >= Date.parse(times.pack)) {
    out.push({
      phase: 'pack',
      meeting: next.date,
      at: times.pack,
      reason: next.pack ? 'the pack is rebuilt until the meeting' : 'the pack is due',
    });
  }
  return out;
}

/** One thing a runtime does for a due phase (what `run` and the Apps Script schedule carry out). */
export type Step =
  | { step: 'wrap-up'; meeting: string }
  | { step: 'request'; reminders: boolean }
  | { step: 'sync' }
  | { step: 'pack' };

/**
 * The steps for the phases due at `now`, in order: one dispatch for every runtime. A sync due
 * with a pack is left out: the pack syncs first.
 */
export function dueSteps(register: Register, now: string): { due: DuePhase[]; steps: Step[] } {
  const due = duePhases(register, now);
  const packing = due.some((d) => d.phase === 'pack');
  const stepOf = (d: DuePhase): Step[] => {
    if (d.phase === 'wrap-up') return [{ step: 'wrap-up', meeting: d.meeting }];
    if (d.phase === 'requests' || d.phase === 'reminders')
      return [{ step: 'request', reminders: d.phase === 'reminders' }];
    if (d.phase === 'sync') return packing ? [] : [{ step: 'sync' }];
    return [{ step: 'pack' }];
  };
  const steps = due.flatMap(stepOf);
  return { due, steps };
}
