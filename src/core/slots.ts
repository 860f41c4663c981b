/**
 * Slots: one per problem. Topics that stem from the same milestone form one slot, ranked by
 * the best of them and given one topic's time before the cut line (topics.ts `rankTopics`):
 *
 * - its might-miss or missed topic, and the dependency topics it causes (it is upstream);
 * - a help request about it: one naming its ID, or — when the request names none — the one
 *   at-risk milestone of the person asked or of the asker that the request's words and the
 *   register point to (see `helpSlot`);
 * - a topic raised by hand whose Milestone column names it.
 *
 * Every other topic is a slot of its own. The grouping reads only what a topic is about (its
 * kind, milestones, owners, Help from and text) — never its score, due date, groups or
 * deferrals — so those can only move a slot, never regroup it; and it never depends on the
 * order of the candidates. The Topics tab keeps one row per topic: the topics of a slot share
 * its Rank, and the Why of every topic but the lead names the lead's Topic ID, through which
 * the lead's Outcome applies to them at wrap-up (`effectiveOutcome`).
 */
import type { Milestone, Outcome, Topic, TopicCandidate, TopicRow } from './types';

/** What the grouping needs of the register. */
export interface SlotLookup {
  milestone: (id: string) => Milestone | undefined;
  /** The team email a "Help from" entry names, when it names a person (not a group). */
  person: (text: string) => string | undefined;
}

const STOP = new Set(
  'a an and are as at be by can for from get got has have help i in is it its me need needs of on or our so that the this to us we with will would you your please asap'.split(
    ' ',
  ),
);

/** The words of a text that can tie it to a milestone's title: no stop words, plural 's' dropped. */
function words(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (STOP.has(w) || (w.length < 2 && !/\d/.test(w))) continue;
    out.add(w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  }
  return out;
}

function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}

const ID_IN_TEXT = /\b[A-Z]{1,3}-\d{2,}\b/g;

/** The milestone a candidate stems from on its face: its own, or the upstream one it puts at risk. */
function ownSlot(c: TopicCandidate): string | undefined {
  if (c.kind === 'might-miss' || c.kind === 'missed' || c.kind === 'dependency') return c.milestones[0];
  return undefined;
}

/**
 * The at-risk milestone a help request is about, or undefined when that is not clear.
 * Named: the first at-risk milestone in its Milestone column or text. Otherwise the at-risk
 * milestones of the people asked and of the askers are weighed, in this order: words shared
 * between the request and the milestone's title; the request is aimed at the milestone's
 * owner; an asker's milestone depends on it. A single best one is the slot; a tie is none.
 */
export function helpSlot(
  c: Pick<TopicCandidate, 'title' | 'milestones' | 'owners' | 'helpFrom'>,
  atRisk: Map<string, Milestone>,
  dependsOn: Map<string, Set<string>>,
  lookup: SlotLookup,
): string | undefined {
  const named = [...c.milestones, ...(c.title.toUpperCase().match(ID_IN_TEXT) ?? [])].find((id) =>
    atRisk.has(id),
  );
  if (named) return named;
  const askers = new Set(c.owners);
  const asked = new Set(
    c.helpFrom
      .split(/[,;]\s*/)
      .map((t) => lookup.person(t))
      .filter((e): e is string => !!e),
  );
  const text = words(c.title);
  const scored = [...atRisk.values()]
    .filter((m) => askers.has(m.owner) || asked.has(m.owner))
    .map((m) => ({
      id: m.id,
      key: [
        overlap(text, words(m.title)),
        asked.has(m.owner) ? 1 : 0,
        [...(dependsOn.get(m.id) ?? [])].some((down) => askers.has(lookup.milestone(down)?.owner ?? ''))
          ? 1
          : 0,
      ],
    }))
    .sort((a, b) => compareKeys(b.key, a.key) || (a.id < b.id ? -1 : 1));
  const [best, next] = scored;
  if (!best || (next && compareKeys(best.key, next.key) === 0)) return undefined;
  return best.id;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * Sets each candidate's `slot`: the ID of the milestone it stems from, or nothing (a slot of
 * its own). At-risk milestones are those with a might-miss or missed topic or that cause a
 * dependency topic.
 */
export function assignSlots(candidates: TopicCandidate[], lookup: SlotLookup): void {
  const atRisk = new Map<string, Milestone>();
  const dependsOn = new Map<string, Set<string>>();
  for (const c of candidates) {
    const id = ownSlot(c);
    const m = id ? lookup.milestone(id) : undefined;
    if (m) atRisk.set(m.id, m);
    if (c.kind === 'dependency' && c.milestones[1]) {
      dependsOn.set(c.milestones[0]!, (dependsOn.get(c.milestones[0]!) ?? new Set()).add(c.milestones[1]));
    }
  }
  for (const c of candidates) {
    const own = ownSlot(c);
    if (own) c.slot = own;
    else if (c.kind === 'help') c.slot = helpSlot(c, atRisk, dependsOn, lookup);
    else if (c.kind === 'raised') c.slot = c.milestones.find((id) => atRisk.has(id));
    else c.slot = undefined;
  }
}

// ---------- slots of ranked topics ----------

export interface Slot {
  /** The slot's position: the Rank of each of its topics. */
  rank: number;
  /** The best topic of the slot: it ranks the slot. */
  lead: Topic;
  /** The slot's other topics, best first (empty for a slot of one topic). */
  members: Topic[];
  belowCut: boolean;
}

/** Ranked topics (as `rankTopics` returns them) as slots, in rank order. */
export function slotsOf(topics: Topic[]): Slot[] {
  const byRank = new Map<number, Topic[]>();
  for (const t of topics) byRank.set(t.rank, [...(byRank.get(t.rank) ?? []), t]);
  return [...byRank.entries()]
    .sort(([a], [b]) => a - b)
    .map(([rank, ts]) => {
      const sorted = [...ts].sort((a, b) => (a.subRank ?? 0) - (b.subRank ?? 0));
      return { rank, lead: sorted[0]!, members: sorted.slice(1), belowCut: sorted[0]!.belowCut };
    });
}

/** A topic's number in the pack: its slot's rank, and '.1', '.2'… for the slot's other topics. */
export function slotLabel(t: Pick<Topic, 'rank' | 'subRank'>): string {
  return t.subRank ? `${t.rank}.${t.subRank}` : String(t.rank);
}

// ---------- outcomes at wrap-up ----------

/** The Why of a topic that is not its slot's lead starts with this note. */
export function memberNote(rank: number, leadTopicId: string): string {
  return `Slot ${rank}, led by ${leadTopicId}: its outcome applies here unless this row has one. `;
}

const MEMBER_NOTE = /^Slot \d+, led by (\S+?):/;

/** The Topic ID of the lead of the slot a Topics row belongs to, when it is not the lead itself. */
export function slotLeadOf(row: Pick<TopicRow, 'why'>): string | undefined {
  return MEMBER_NOTE.exec(row.why.trim())?.[1];
}

/**
 * A Topics row's outcome: its own, or — when it has none and is part of a slot — the outcome
 * recorded on the slot's lead. `rows` are the Topics rows of the register.
 */
export function effectiveOutcome(row: TopicRow, byTopicId: Map<string, TopicRow>): Outcome | '' {
  if (row.outcome) return row.outcome;
  const lead = slotLeadOf(row);
  const leadRow = lead ? byTopicId.get(lead) : undefined;
  return leadRow && leadRow !== row && leadRow.meeting === row.meeting ? leadRow.outcome : '';
}

/** Topics rows by Topic ID (the first of each), for `effectiveOutcome`. */
export function rowsByTopicId(rows: TopicRow[]): Map<string, TopicRow> {
  const out = new Map<string, TopicRow>();
  for (const r of rows) if (r.topicId && !out.has(r.topicId)) out.set(r.topicId, r);
  return out;
}

/** Whether a topic row was left for a later meeting: no outcome (its own or its slot's), or Deferred. */
export function notReached(row: TopicRow, byTopicId: Map<string, TopicRow>): boolean {
  const o = effectiveOutcome(row, byTopicId);
  return o === '' || o === 'Deferred';
}

/** A topic's Why without the note naming its slot's lead (the pack shows the slot itself). */
export function ownWhy(why: string): string {
  return why.replace(/^Slot \d+, led by \S+?: [^.]*\. /, '');
}
