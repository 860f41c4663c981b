/**
 * Health figures of the pack. A miss is *anticipated* when the milestone was flagged —
 * status Might miss, or a forecast after its due date — before at least one meeting that
 * took place on or before its due date. Any other miss is a *surprise miss*.
 */
import { STATUSES } from './register';
import { activeMeetings, meetingStart } from './schedule';
import { respondents, updatingMembers } from './topics';
import type { Health, Meeting, Milestone, Register, Status } from './types';

export function flagTimes(register: Register, m: Milestone): string[] {
  return register.changes
    .filter(
      (c) =>
        c.milestone === m.id &&
        ((c.field === 'Status' && c.to === 'Might miss') ||
          (c.field === 'Forecast' && !!m.due && c.to > m.due)),
    )
    .map((c) => c.when);
}

export function isAnticipated(register: Register, m: Milestone): boolean {
  if (!m.due) return false;
  const meetings = activeMeetings(register).filter((x) => x.date <= m.due!);
  const starts = meetings.map((x) => Date.parse(meetingStart(x, register.settings)));
  return flagTimes(register, m).some((f) => starts.some((s) => Date.parse(f) <= s));
}

export function computeHealth(register: Register, meeting: Meeting): Health {
  const statusCounts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const withId = register.milestones.filter((m) => m.id);
  for (const m of withId) statusCounts[m.status]++;
  const missed = withId.filter((m) => m.status === 'Missed');
  const surprises = missed.filter((m) => !isAnticipated(register, m));
  const owners = updatingMembers(register);
  const responded = respondents(register, meeting.date);
  const name = (email: string) => register.team.find((p) => p.email === email)?.name ?? email;
  return {
    statusCounts,
    misses: missed.length,
    anticipatedMisses: missed.length - surprises.length,
    anticipationRate: missed.length ? (missed.length - surprises.length) / missed.length : null,
    surpriseMisses: surprises
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((m) => ({ milestone: m.id, title: m.title, owner: name(m.owner), due: m.due })),
    responseRate: owners.length ? owners.filter((p) => responded.has(p.email)).length / owners.length : null,
    responded: owners.filter((p) => responded.has(p.email)).map((p) => p.email),
    missingUpdates: owners.filter((p) => !responded.has(p.email)).map((p) => p.email),
  };
}
