/**
 * The meeting calendar: cadence → Meetings rows, and what is due at a given instant.
 * Lead times in days keep the local clock time (a request 3 days before a 10:00 meeting
 * goes out at 10:00 local, whatever DST did in between); lead times in hours are elapsed hours.
 * Requests and reminders go out only in working hours (Settings "Working hours" and "Working
 * days", in the register's time zone): a send time outside them moves to the next working slot.
 */
import { addDays, addHours, dateInZone, daysBetween, offsetMs, weekday, zonedInstant } from './dates';
import type { Meeting, Register, RowAppend, Settings } from './types';

export type Phase = 'requests' | 'reminders' | 'second-reminders' | 'sync' | 'pack' | 'wrap-up';

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
  /** The first reminder (to the owner). */
  reminders: string;
  /** The second reminder (copying delegate and process manager); undefined when Settings turn it off. */
  secondReminders?: string;
  pack: string;
}

/** The local 'HH:MM' of an instant in `tz`. */
export function localClock(instant: string, tz: string): string {
  const ms = Date.parse(instant);
  return new Date(ms + offsetMs(ms, tz)).toISOString().slice(11, 16);
}

/** True when `instant` is within working hours on a working day, in the register's time zone. */
export function inWorkingHours(instant: string, s: Settings): boolean {
  const date = dateInZone(instant, s.timeZone);
  if (!s.workingDays.includes(weekday(date))) return false;
  const t = Date.parse(instant);
  return (
    t >= Date.parse(zonedInstant(date, s.workingHours.start, s.timeZone)) &&
    t < Date.parse(zonedInstant(date, s.workingHours.end, s.timeZone))
  );
}

/**
 * `instant` when it is in working hours, else the start of the next working slot (the working
 * day's start, local time: 09:00 stays 09:00 across a DST change).
 */
export function nextWorkingSlot(instant: string, s: Settings): string {
  if (inWorkingHours(instant, s)) return instant;
  const t = Date.parse(instant);
  const today = dateInZone(instant, s.timeZone);
  // Within 8 days there is a working day (Working days is never empty).
  for (let d = 0; d <= 8; d++) {
    const date = addDays(today, d);
    if (!s.workingDays.includes(weekday(date))) continue;
    const start = zonedInstant(date, s.workingHours.start, s.timeZone);
    if (Date.parse(start) > t) return start;
  }
  return instant;
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
    requests: nextWorkingSlot(zonedInstant(addDays(m.date, -s.requestLeadDays), time, s.timeZone), s),
    deadline,
    reminders: nextWorkingSlot(addHours(deadline, -s.reminderHoursBeforeDeadline), s),
    ...(s.secondReminderHoursAfterDeadline === undefined
      ? {}
      : { secondReminders: nextWorkingSlot(addHours(deadline, s.secondReminderHoursAfterDeadline), s) }),
    pack: addHours(start, -s.packLeadHours),
  };
}

/** Meetings that will take place (not cancelled), in date order. */
export function activeMeetings(register: Register): Meeting[] {
  return register.meetings.filter((m) => m.status !== 'Cancelled');
}

/**
 * The meeting an update submitted at `instant` is for: the first one starting after it that is
 * not cancelled — whatever its status now (a meeting already Held keeps the answers sent for it;
 * they never become answers for the week after).
 */
export function meetingForInstant(register: Register, instant: string): Meeting | undefined {
  const t = Date.parse(instant);
  return meetingStarts(register).find((p) => p.start > t)?.meeting;
}

const startsCache = new WeakMap<Meeting[], { meeting: Meeting; start: number }[]>();
/** Meetings not cancelled, with their start instants, computed once per meetings list. */
function meetingStarts(register: Register): { meeting: Meeting; start: number }[] {
  let starts = startsCache.get(register.meetings);
  if (!starts) {
    starts = activeMeetings(register).map((meeting) => ({
      meeting,
      start: Date.parse(meetingStart(meeting, register.settings)),
    }));
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
  // A run outside working hours (a cron job, a trigger) sends nothing: what is due waits for the next slot.
  const sending = inWorkingHours(now, register.settings);
  if (sending && t >= Date.parse(times.requests) && !next.requestsSent) {
    out.push({
      phase: 'requests',
      meeting: next.date,
      at: times.requests,
      reason: 'update requests have not been sent',
    });
  }
  out.push({ phase: 'sync', meeting: next.date, at: now, reason: 'responses are compiled on every run' });
  if (sending && next.requestsSent) out.push(...dueReminders(next, times, t));
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

/**
 * The reminder ladder's step due at `t` (once requests have gone out): the first reminder from
 * its time until the deadline, the second from its time until the pack goes out (an answer after
 * that is late: the pack is built without it). Each only while its Meetings column is empty;
 * whatever the columns say, each email is keyed and never sent twice.
 */
function dueReminders(next: Meeting, times: MeetingTimes, t: number): DuePhase[] {
  const second = times.secondReminders;
  if (second && !next.secondRemindersSent && t >= Date.parse(second) && t < Date.parse(times.pack))
    return [
      {
        phase: 'second-reminders',
        meeting: next.date,
        at: second,
        reason: 'the response deadline has passed',
      },
    ];
  if (!next.remindersSent && t >= Date.parse(times.reminders) && t < Date.parse(times.deadline))
    return [
      {
        phase: 'reminders',
        meeting: next.date,
        at: times.reminders,
        reason: 'the response deadline is near',
      },
    ];
  return [];
}

/** The ladder step a reminder run at `now` sends: 2 from the second reminder's time on, else 1. */
export function reminderStep(m: Pick<Meeting, 'date' | 'time'>, s: Settings, now: string): 1 | 2 {
  const second = meetingTimes(m, s).secondReminders;
  return second && Date.parse(now) >= Date.parse(second) ? 2 : 1;
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
    if (d.phase === 'requests' || d.phase === 'reminders' || d.phase === 'second-reminders')
      return [{ step: 'request', reminders: d.phase !== 'requests' }];
    if (d.phase === 'sync') return packing ? [] : [{ step: 'sync' }];
    return [{ step: 'pack' }];
  };
  const steps = due.flatMap(stepOf);
  return { due, steps };
}
