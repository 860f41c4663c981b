/**
 * The pack's two pictures, as data (renderers draw them; the Sheet's Dashboard tab charts them):
 *
 * - the **milestone trend analysis**: for the open milestones at risk (Missed, Might miss, or a
 *   forecast after the due date), the forecast that stood at each meeting so far, plotted against
 *   the meeting date. A flat line keeps its date; a rising one slipped at every meeting; a line
 *   that meets the diagonal (forecast = meeting date) has arrived.
 * - the **status mix per strategic priority**: how many milestones of each priority are in each
 *   status (an unreadable status counted apart, never as On track).
 *
 * The forecast at a meeting is rebuilt from the Changes tab: the value of the last Forecast change
 * made before the meeting began; before any change, what the first change replaced; with no
 * change at all, today's forecast (or the due date when there is none). Pure: `now` is an input.
 */
import { unreadableStatus } from './problems';
import { isOpen, STATUSES } from './register';
import { meetingStart } from './schedule';
import type { Milestone, Register, Status } from './types';
import { changesByMilestone } from './warnings';

/** The most milestones one trend picture shows (the rest are counted), and the meetings it spans. */
export const TREND_MILESTONES = 6;
export const TREND_MEETINGS = 8;

export type Risk = 'Missed' | 'Might miss' | 'late';

export interface TrendSeries {
  id: string;
  title: string;
  risk: Risk;
  due?: string;
  /** One per meeting of `MilestoneTrend.meetings` (same order); undefined where nothing is known. */
  forecasts: (string | undefined)[];
}

export interface MilestoneTrend {
  /** Meeting dates, oldest first; the last is the meeting the pack is for. */
  meetings: string[];
  series: TrendSeries[];
  /** At-risk milestones left out of the picture (over TREND_MILESTONES). */
  omitted: number;
}

export interface StatusMixRow {
  /** The strategic priority ('' for milestones without a known one). */
  priority: string;
  counts: Record<Status, number>;
  unreadable: number;
}

/** Why an open milestone is at risk: its readable status, or a forecast after its due date. */
export function riskOf(m: Milestone): Risk | undefined {
  const readable = unreadableStatus(m) === undefined;
  if (readable && (m.status === 'Missed' || m.status === 'Might miss')) return m.status;
  if (m.forecast && m.due && m.forecast > m.due) return 'late';
  return undefined;
}

/** The open milestones at risk, missed first, then by due date, ID and row. */
export function atRiskMilestones(register: Register): Milestone[] {
  const order = (m: Milestone) => (riskOf(m) === 'Missed' ? 0 : 1);
  return register.milestones
    .filter((m) => isOpen(m) && riskOf(m) !== undefined)
    .sort(
      (a, b) =>
        order(a) - order(b) ||
        compare(a.due ?? '9999', b.due ?? '9999') ||
        compare(a.id, b.id) ||
        a.row - b.row,
    );
}

/** The trend of the milestones at risk over the meetings up to `meeting` (its date). */
export function milestoneTrend(register: Register, meeting: string, now: string): MilestoneTrend {
  const s = register.settings;
  const held = register.meetings
    .filter((m) => m.status !== 'Cancelled' && m.date < meeting)
    .sort((a, b) => compare(a.date, b.date) || a.row - b.row);
  const past = [...new Map(held.map((m) => [m.date, m])).values()].slice(-(TREND_MEETINGS - 1));
  // A past meeting's forecasts are those that stood when it began; this one's, those of now.
  const cutoffs = [...past.map((m) => Date.parse(meetingStart(m, s))), Date.parse(now)];
  const meetings = [...past.map((m) => m.date), meeting];
  const changes = changesByMilestone(register, Date.parse(now));
  const risky = atRiskMilestones(register).filter((m) => m.id);
  const series = risky.slice(0, TREND_MILESTONES).map((m) => {
    const moves = (changes.get(m.id.trim().toUpperCase()) ?? []).filter(
      (c) => c.field === 'Forecast' && (DATE.test(c.to) || c.to === ''),
    );
    const forecasts = cutoffs.map((cutoff, i) => {
      // This meeting's point is the register as it is now, even after an edit no change recorded.
      if (i === cutoffs.length - 1) return m.forecast ?? m.due;
      const upTo = moves.filter((c) => Date.parse(c.when) <= cutoff);
      const before = upTo[upTo.length - 1];
      if (before) return before.to || m.due;
      const after = moves.find((c) => Date.parse(c.when) > cutoff);
      if (after) return DATE.test(after.from) ? after.from : m.due;
      return m.forecast ?? m.due;
    });
    return { id: m.id, title: m.title, risk: riskOf(m)!, due: m.due, forecasts };
  });
  return { meetings, series, omitted: risky.length - series.length };
}

/** Milestones per status for each strategic priority, highest ranked first. */
export function statusMix(register: Register): StatusMixRow[] {
  const ranked = [...register.priorities].sort((a, b) => (a.rank || 999) - (b.rank || 999) || a.row - b.row);
  const known = new Map(ranked.map((p) => [p.name.trim().toLowerCase(), p.name.trim()]));
  const rows = new Map<string, StatusMixRow>();
  const row = (priority: string) => {
    let r = rows.get(priority);
    if (!r) {
      const counts = Object.fromEntries(STATUSES.map((st) => [st, 0])) as Record<Status, number>;
      r = { priority, counts, unreadable: 0 };
      rows.set(priority, r);
    }
    return r;
  };
  for (const name of known.values()) row(name);
  for (const m of register.milestones) {
    const r = row(known.get(m.priority.trim().toLowerCase()) ?? '');
    if (unreadableStatus(m) !== undefined) r.unreadable++;
    else r.counts[m.status]++;
  }
  const total = (r: StatusMixRow) => r.unreadable + STATUSES.reduce((n, st) => n + r.counts[st], 0);
  return [...rows.values()].filter((r) => total(r) > 0);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
