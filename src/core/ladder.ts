/**
 * The reminder ladder: who each rung reaches. The request goes to the owner (copying their
 * delegate); the first reminder to the owner alone; the second copies their delegate and the
 * process manager; an owner who sent no update for "Escalate after missed meetings" meetings in
 * a row is named to the leader (the pack's at-a-glance and the pack email). When each rung is
 * due is the schedule's (schedule.ts); each email is keyed, so no rung is ever sent twice.
 */
import { activeMeetings } from './schedule';
import { respondents, updatingMembers } from './topics';
import type { Meeting, Person, Register } from './types';

export type Rung = 'request' | 'reminder' | 'second-reminder';

/** The Meetings column that records a rung as sent. */
export const RUNG_COLUMN: Readonly<Record<Rung, string>> = {
  request: 'Requests sent',
  reminder: 'Reminders sent',
  'second-reminder': 'Second reminders sent',
};

/** Who is copied on a rung's email to `person` (never the person themself, never twice). */
export function rungCopies(register: Register, person: Person, rung: Rung): string[] {
  const copies =
    rung === 'request'
      ? [person.delegate]
      : rung === 'second-reminder'
        ? [person.delegate, register.settings.processManager]
        : [];
  return [...new Set(copies.filter((c): c is string => !!c && c !== person.email))];
}

/**
 * The owners (emails) who sent no update for the last `Escalate after missed meetings` meetings
 * in a row, up to and including `meeting`: meetings whose requests went out, not cancelled. A
 * meeting with no requests sent breaks the run (nobody was asked). [] when the setting is 0.
 */
export function repeatedNonResponders(register: Register, meeting: Meeting): string[] {
  const n = register.settings.escalateAfterMissed;
  if (n <= 0) return [];
  const asked = activeMeetings(register).filter((m) => m.date <= meeting.date);
  const last = asked.slice(-n);
  if (last.length < n || last.some((m) => !m.requestsSent)) return [];
  const answered = last.map((m) => respondents(register, m.date));
  return updatingMembers(register)
    .map((p) => p.email)
    .filter((email) => answered.every((set) => !set.has(email)));
}
