/**
 * Early warnings: a "likely to slip" flag on open milestones that nobody has flagged, from
 * evidence already in the register, each with its reasons. A warning never changes a status:
 * this module only returns flags (docs/architecture.md §2). Pure: `now` is an input.
 *
 * A milestone is *unflagged* when its status is On track (a blank status reads as On track)
 * and its forecast is not after its due date — the two signs `health.ts` counts as a flag.
 * It gets a warning when at least one of these holds, from rows dated up to `now`:
 *
 * - (a) its forecast moved later in two or more distinct meetings (Changes rows of field
 *   Forecast, grouped by the meeting they were made for: the first meeting starting after them);
 * - (b) a milestone it depends on is at risk: Might miss or Missed, or open with a forecast (or,
 *   without one, a due date) after this milestone's due date;
 * - (c) it is due before the next meeting and nothing updated it since the last meeting began;
 * - (d) its owner has two or more past surprise misses (a miss nobody anticipated, as `health.ts`
 *   defines it) and it is due before the meeting after the next one.
 *
 * The thresholds of (d) were chosen with the backtest (`npm run backtest`, bench/backtest.ts): one
 * surprise miss, or no due-date horizon, put 40–60 % more warnings in each pack at a lower
 * precision.
 */
import { addDays } from './dates';
import { isAnticipated } from './health';
import { isOpen } from './register';
import { meetingStart } from './schedule';
import type { ChangeRow, Milestone, Register } from './types';

export interface SlipWarning {
  /** Milestone ID */
  id: string;
  /** one short sentence each, e.g. "forecast moved in 2 of the last 3 meetings (4 → 18 → 22 Dec)" */
  reasons: string[];
}

/** How many past surprise misses of an owner make a reason (rule d). */
export const SURPRISE_MISSES_FOR_WARNING = 2;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const key = (id: string): string => id.trim().toUpperCase();

/** '4 Dec' (or '4 Dec 2026' when `withYear`). */
export function shortDate(date: string, withYear = false): string {
  const [y, m, d] = date.split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1]}${withYear ? ` ${y}` : ''}`;
}

/** A run of dates, the month said once per run: '4 → 18 → 22 Dec', '28 Nov → 4 Dec'. */
export function dateTrail(dates: string[]): string {
  const years = new Set(dates.map((d) => d.slice(0, 4)));
  return dates
    .map((d, i) => {
      const next = dates[i + 1];
      if (next && next.slice(0, 7) === d.slice(0, 7)) return String(Number(d.slice(8)));
      return shortDate(d, years.size > 1);
    })
    .join(' → ');
}

interface Evidence {
  register: Register;
  now: number;
  nextMeeting: string | undefined;
  /** Start instants (ms) of the meetings not cancelled, ascending. */
  starts: number[];
  byId: Map<string, Milestone>;
  changes: Map<string, ChangeRow[]>;
  /** Milestone keys with an update (Updates row, Last update) after the last meeting began. */
  updatedSince: Set<string>;
  lastMeeting: string | undefined;
  /** The meeting after the next one: rule (d) looks at milestones due before it. */
  horizon: string | undefined;
  surprises: Map<string, string[]>;
}

function unflagged(m: Milestone): boolean {
  return m.status === 'On track' && !(m.forecast && m.due && m.forecast > m.due);
}

/** Changes up to `now`, per milestone, in a fixed order whatever the row order. */
export function changesByMilestone(register: Register, now: number): Map<string, ChangeRow[]> {
  const out = new Map<string, ChangeRow[]>();
  for (const c of register.changes) {
    if (Date.parse(c.when) > now) continue;
    const list = out.get(key(c.milestone));
    if (list) list.push(c);
    else out.set(key(c.milestone), [c]);
  }
  for (const list of out.values()) {
    list.sort(
      (a, b) =>
        Date.parse(a.when) - Date.parse(b.when) ||
        compare(a.field, b.field) ||
        compare(a.from, b.from) ||
        compare(a.to, b.to),
    );
  }
  return out;
}

/** One milestone per ID (the first row when IDs repeat), whatever the row order. */
function milestonesById(register: Register): Map<string, Milestone> {
  const out = new Map<string, Milestone>();
  for (const m of [...register.milestones].sort((a, b) => a.row - b.row)) {
    if (m.id && !out.has(key(m.id))) out.set(key(m.id), m);
  }
  return out;
}

/** Past surprise misses by owner: Missed milestones that were not anticipated (health.ts). */
function surpriseMisses(register: Register, byId: Map<string, Milestone>, changes: Map<string, ChangeRow[]>) {
  const out = new Map<string, string[]>();
  for (const [k, m] of byId) {
    if (m.status !== 'Missed' || !m.owner) continue;
    if (isAnticipated(register, m, changes.get(k) ?? [])) continue;
    out.set(m.owner, [...(out.get(m.owner) ?? []), m.id].sort(compare));
  }
  return out;
}

function evidence(register: Register, now: string, nextMeeting: string | undefined): Evidence {
  const t = Date.parse(now);
  const byId = milestonesById(register);
  const changes = changesByMilestone(register, t);
  const meetings = register.meetings
    .filter((m) => m.status !== 'Cancelled')
    .map((m) => ({ date: m.date, start: Date.parse(meetingStart(m, register.settings)) }))
    .sort((a, b) => a.start - b.start);
  const started = meetings.filter((m) => m.start <= t);
  const last = started[started.length - 1];
  const since = last ? last.start : -Infinity;
  const updatedSince = new Set<string>();
  for (const u of register.updates) {
    const r = Date.parse(u.received);
    if (r > since && r <= t) for (const id of u.milestones) updatedSince.add(key(id));
  }
  for (const [k, m] of byId) {
    const r = m.lastUpdate ? Date.parse(m.lastUpdate) : Number.NaN;
    if (r > since && r <= t) updatedSince.add(k);
  }
  const after = meetings.find((m) => nextMeeting && m.date > nextMeeting)?.date;
  const horizon = nextMeeting && (after ?? addDays(nextMeeting, 7 * register.settings.cadenceWeeks));
  return {
    register,
    horizon,
    now: t,
    nextMeeting,
    starts: meetings.map((m) => m.start),
    byId,
    changes,
    updatedSince,
    lastMeeting: last?.date,
    surprises: surpriseMisses(register, byId, changes),
  };
}

/** The meeting a change was made for: the index of the first meeting starting after it. */
function periodOf(starts: number[], when: string): number {
  const t = Date.parse(when);
  const i = starts.findIndex((s) => s > t);
  return i < 0 ? starts.length : i;
}

/** (a) The forecast moved later in two or more distinct meetings. */
function repeatedSlips(ev: Evidence, m: Milestone): string | undefined {
  const moves = (ev.changes.get(key(m.id)) ?? []).filter((c) => c.field === 'Forecast' && DATE.test(c.to));
  const later = moves.filter((c) => DATE.test(c.from) && c.to > c.from);
  const periods = new Set(later.map((c) => periodOf(ev.starts, c.when)));
  if (periods.size < 2) return undefined;
  const first = moves[0]!;
  const trail = [...(DATE.test(first.from) ? [first.from] : []), ...moves.map((c) => c.to)];
  return `forecast moved later in ${periods.size} meetings (${dateTrail(trail)})`;
}

/** (b) An upstream milestone is at risk. */
function upstreamAtRisk(ev: Evidence, m: Milestone): string[] {
  const out: string[] = [];
  for (const dep of [...new Set(m.dependsOn.map(key))].sort(compare)) {
    const u = ev.byId.get(dep);
    if (!u || !isOpen(u)) continue;
    if (u.status === 'Might miss' || u.status === 'Missed') {
      out.push(`depends on ${u.id}, which is marked ${u.status}`);
      continue;
    }
    const date = u.forecast ?? u.due;
    if (m.due && date && date > m.due) {
      const what = u.forecast ? 'forecast' : 'due';
      out.push(`depends on ${u.id}, ${what} ${shortDate(date)}, after this one is due (${shortDate(m.due)})`);
    }
  }
  return out;
}

/** (c) Due before the next meeting, with no update since the last meeting. */
function dueUnattended(ev: Evidence, m: Milestone): string | undefined {
  if (!m.due || !ev.nextMeeting || m.due >= ev.nextMeeting) return undefined;
  if (ev.updatedSince.has(key(m.id))) return undefined;
  const since = ev.lastMeeting ? `since the last meeting (${shortDate(ev.lastMeeting)})` : 'yet';
  return `due ${shortDate(m.due)}, before the next meeting (${shortDate(ev.nextMeeting)}), with no update ${since}`;
}

/** (d) The owner's past surprise misses, for a milestone due before the meeting after the next. */
function ownerSurprises(ev: Evidence, m: Milestone): string | undefined {
  if (!m.due || !ev.horizon || m.due >= ev.horizon) return undefined;
  const past = (ev.surprises.get(m.owner) ?? []).filter((id) => key(id) !== key(m.id));
  if (past.length < SURPRISE_MISSES_FOR_WARNING) return undefined;
  const shown = past.slice(0, 3).join(', ') + (past.length > 3 ? ', …' : '');
  const n = past.length === 1 ? 'a milestone' : `${past.length} milestones`;
  return `the owner missed ${n} before without warning (${shown})`;
}

/**
 * Open, unflagged milestones likely to slip, with their reasons, most urgent (earliest due)
 * first. `nextMeeting` is the date of the meeting after the one being prepared: a milestone due
 * before it falls due before the team meets again.
 */
export function slipWarnings(
  register: Register,
  now: string,
  nextMeeting: string | undefined,
): SlipWarning[] {
  const ev = evidence(register, now, nextMeeting);
  const out: (SlipWarning & { due: string })[] = [];
  for (const m of ev.byId.values()) {
    if (!unflagged(m)) continue;
    const reasons = [
      repeatedSlips(ev, m),
      ...upstreamAtRisk(ev, m),
      dueUnattended(ev, m),
      ownerSurprises(ev, m),
    ].filter((r): r is string => !!r);
    if (reasons.length) out.push({ id: m.id, reasons, due: m.due ?? '9999-12-31' });
  }
  return out
    .sort((a, b) => compare(a.due, b.due) || compare(a.id, b.id))
    .map(({ id, reasons }) => ({ id, reasons }));
}
