/**
 * Health figures of the pack. A miss is *anticipated* when the milestone was flagged —
 * status Might miss, or a forecast after its due date — before at least one meeting that
 * took place on or before its due date. Any other miss is a *surprise miss*.
 */
import { unreadableStatus } from './problems';
import { STATUSES } from './register';
import { activeMeetings, meetingStart } from './schedule';
import { respondents, updatingMembers } from './topics';
import type { ChangeRow, Health, Meeting, Milestone, Register, Status } from './types';

/** When a milestone was flagged: a change to Might miss, or a forecast after its due date. */
export function flagTimes(changes: ChangeRow[], m: Milestone): string[] {
  return changes
    .filter(
      (c) =>
        c.milestone === m.id &&
        ((c.field === 'Status' && c.to === 'Might miss') ||
          (c.field === 'Forecast' && !!m.due && c.to > m.due)),
    )
    .map((c) => c.when);
}

/** Anticipated: flagged before the start of at least one meeting held on or before the due date. */
export function isAnticipated(register: Register, m: Milestone, changes = register.changes): boolean {
  if (!m.due) return false;
  const starts = activeMeetings(register)
    .filter((x) => x.date <= m.due!)
    .map((x) => Date.parse(meetingStart(x, register.settings)));
  const lastStart = Math.max(-Infinity, ...starts);
  return flagTimes(changes, m).some((f) => Date.parse(f) <= lastStart);
}

export function computeHealth(register: Register, meeting: Meeting): Health {
  const statusCounts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const withId = register.milestones.filter((m) => m.id);
  // A status cell that holds no status ('Late') is counted as unreadable, never as On track.
  let unreadable = 0;
  for (const m of withId) {
    if (unreadableStatus(m)) unreadable++;
    else statusCounts[m.status]++;
  }
  const missed = withId.filter((m) => m.status === 'Missed');
  const byMilestone = new Map<string, ChangeRow[]>();
  for (const c of register.changes) {
    const list = byMilestone.get(c.milestone);
    if (list) list.push(c);
    else byMilestone.set(c.milestone, [c]);
  }
  const surprises = missed.filter((m) => !isAnticipated(register, m, byMilestone.get(m.id) ?? []));
  const owners = updatingMembers(register);
  const responded = respondents(register, meeting.date);
  const name = (email: string) => register.team.find((p) => p.email === email)?.name ?? email;
  return {
    statusCounts,
    ...(unreadable ? { unreadableStatus: unreadable } : {}),
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
