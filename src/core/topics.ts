/**
 * Topics: derived on every sync, scored from transparent components, ranked. The order
 * never depends on when anything was submitted: ties break by due date, then identity
 * (which starts with the kind and the milestone ID).
 */
import { addDays, dateInZone, daysBetween } from './dates';
import { isOpen, splitIds } from './register';
import { previousMeeting } from './schedule';
import { assignSlots, memberNote, notReached, rowsByTopicId } from './slots';
import { dateNamedIn } from './text-dates';
import type {
  Meeting,
  Milestone,
  Person,
  Register,
  ScoreComponent,
  Topic,
  TopicCandidate,
  TopicKind,
  TopicRow,
  UpdateRow,
  Weights,
} from './types';
import { responseKey } from './updates';

export const KIND_LABELS: Record<TopicKind, string> = {
  'might-miss': 'Might miss',
  missed: 'Missed',
  dependency: 'Dependency',
  help: 'Help needed',
  raised: 'Raised',
  stale: 'No update',
};

/** A topic before scoring. */
export type Candidate = TopicCandidate;

export interface Budget {
  /** People giving an update in Part 1: active owners of open milestones. */
  members: number;
  updateMinutes: number;
  wrapUpMinutes: number;
  /** Meeting length minus the members' updates and the wrap-up. */
  discussionMinutes: number;
  /** How many slots (slots.ts: one per problem) fit before the cut line. */
  topicsThatFit: number;
}

export function updatingMembers(register: Register): Person[] {
  const owners = new Set(register.milestones.filter((m) => m.id && isOpen(m)).map((m) => m.owner));
  return register.team.filter((p) => p.active && owners.has(p.email));
}

/**
 * Who the weekly update asks: the updating members, then anyone else active who owns an open
 * tracked action (asked about their actions only). The meeting's member updates, response
 * rates and escalations stay with the updating members.
 */
export function askedMembers(register: Register): Person[] {
  const members = updatingMembers(register);
  const asked = new Set(members.map((p) => p.email));
  const actionOwners = new Set(
    register.actions.filter((a) => a.status === 'Open' && a.id && a.ownerEmail).map((a) => a.ownerEmail),
  );
  return [
    ...members,
    ...register.team.filter((p) => p.active && !asked.has(p.email) && actionOwners.has(p.email)),
  ];
}

export function discussionBudget(register: Register): Budget {
  const s = register.settings;
  const members = updatingMembers(register).length;
  const length = Math.max(0, s.meetingLengthMinutes);
  const updateMinutes = Math.min(length, members * s.minutesPerMemberUpdate);
  const wrapUpMinutes = Math.min(s.wrapUpMinutes, length - updateMinutes);
  const discussionMinutes = length - updateMinutes - wrapUpMinutes;
  return {
    members,
    updateMinutes,
    wrapUpMinutes,
    discussionMinutes,
    topicsThatFit: Math.floor(discussionMinutes / s.minutesPerTopic),
  };
}

/** Accepted responses for a meeting: the latest version of each response (id and respondent: `responseKey`). */
export function latestResponses(register: Register, meetingDate: string): UpdateRow[] {
  const out = new Map<string, UpdateRow>();
  for (const u of register.updates) {
    if (u.meeting !== meetingDate || u.result.startsWith('Rejected')) continue;
    const key = responseKey(u.responseId, u.email);
    const prev = out.get(key);
    if (!prev || Date.parse(u.received) > Date.parse(prev.received)) out.set(key, u);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
}

/** The latest accepted update of each person for a meeting. */
export function latestUpdates(register: Register, meetingDate: string): Map<string, UpdateRow> {
  const out = new Map<string, UpdateRow>();
  for (const u of register.updates) {
    if (u.meeting !== meetingDate || u.result.startsWith('Rejected')) continue;
    const prev = out.get(u.email);
    if (
      !prev ||
      Date.parse(u.received) > Date.parse(prev.received) ||
      (u.received === prev.received && u.responseId > prev.responseId)
    )
      out.set(u.email, u);
  }
  return out;
}

/**
 * Owners who responded for a meeting: an accepted update of their own, or one their
 * delegate sent that covered at least one of their milestones.
 */
export function respondents(register: Register, meetingDate: string): Set<string> {
  const out = new Set<string>();
  const ownerOf = new Map(register.milestones.filter((m) => m.id).map((m) => [m.id, m.owner]));
  for (const u of register.updates) {
    if (u.meeting !== meetingDate || u.result.startsWith('Rejected')) continue;
    out.add(u.email);
    for (const id of u.milestones) {
      const owner = ownerOf.get(id);
      if (owner) out.add(owner);
    }
  }
  return out;
}

function priorityRanks(register: Register): Map<string, number> {
  return new Map(register.priorities.map((p) => [p.name.trim().toLowerCase(), p.rank]));
}

function groupOf(register: Register, email: string): string {
  return register.team.find((p) => p.email === email)?.group ?? '';
}

/** The group a "Help from" answer points at: a group name, or a person's email or name. */
export function helpGroup(register: Register, helpFrom: string): string | undefined {
  const t = helpFrom.trim().toLowerCase();
  if (!t) return undefined;
  const group = register.team.find((p) => p.group.toLowerCase() === t);
  if (group) return group.group;
  const person = register.team.find((p) => p.email === t || p.name.toLowerCase() === t);
  return person?.group;
}

/**
 * A "Help from" answer as the register records it: a group by its name, a person by their
 * email (a form offers names, a file may hold either), anything else as written.
 */
export function helpTarget(register: Register, helpFrom: string): string {
  const t = helpFrom.trim();
  const lower = t.toLowerCase();
  const group = register.team.find((p) => p.group.toLowerCase() === lower);
  if (group) return group.group;
  const person = register.team.find((p) => p.email === lower || p.name.toLowerCase() === lower);
  return person?.email ?? t;
}

function nameOf(register: Register, email: string): string {
  return register.team.find((p) => p.email === email)?.name ?? email;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function minRank(ranks: (number | undefined)[]): number | undefined {
  const known = ranks.filter((r): r is number => r !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

/** Topic identity without the meeting: 'might-miss/M-0007'. */
export function identityOf(topicId: string): string {
  const i = topicId.indexOf('/');
  return /^\d{4}-\d{2}-\d{2}\//.test(topicId) ? topicId.slice(i + 1) : topicId;
}

/** What deriveCandidates' topic kinds share: the register indexed by milestone and owner. */
interface DeriveContext {
  register: Register;
  rankOf: (m: Milestone) => number | undefined;
  byId: Map<string, Milestone>;
  open: Milestone[];
  openOf: Map<string, Milestone[]>;
}

/** Indexes the register once for every kind of topic. */
function deriveContext(register: Register): DeriveContext {
  const ranks = priorityRanks(register);
  const rankOf = (m: Milestone) => ranks.get(m.priority.trim().toLowerCase());
  const byId = new Map(register.milestones.filter((m) => m.id).map((m) => [m.id, m]));
  const open = register.milestones.filter((m) => m.id && m.owner && isOpen(m));
  const openOf = new Map<string, Milestone[]>();
  for (const m of open) openOf.set(m.owner, [...(openOf.get(m.owner) ?? []), m]);
  return { register, rankOf, byId, open, openOf };
}

/** A person's topics take the earliest due date and best priority of their open milestones. */
function mostPressing(ctx: DeriveContext, theirs: Milestone[]): Pick<Candidate, 'due' | 'priorityRank'> {
  return {
    due: theirs
      .map((m) => m.due)
      .filter((d): d is string => !!d)
      .sort()[0],
    priorityRank: minRank(theirs.map(ctx.rankOf)),
  };
}

/** The fields of a topic about one milestone, taken from that milestone. */
function milestoneBase(ctx: DeriveContext, m: Milestone) {
  return {
    milestones: [m.id],
    // A milestone whose Owner cell names nobody (a typo) still gets its topic, with no owner.
    owners: m.owner ? [m.owner] : [],
    helpFrom: '',
    groups: m.owner ? [groupOf(ctx.register, m.owner)] : [],
    due: m.due,
    priorityRank: ctx.rankOf(m),
    deferrals: 0,
  };
}

/** Might-miss and missed topics: open milestones flagged so, or forecast after their due date. */
function statusTopics(ctx: DeriveContext): Candidate[] {
  const out: Candidate[] = [];
  // Every open milestone, with an owner or not: a register problem never hides a miss.
  for (const m of ctx.register.milestones.filter((x) => x.id && isOpen(x))) {
    const late = m.forecast && m.due && m.forecast > m.due;
    if (m.status === 'Might miss' || (m.status === 'On track' && late)) {
      const why =
        m.status === 'Might miss' ? 'flagged Might miss' : `forecast ${m.forecast} is after due ${m.due}`;
      out.push({
        identity: `might-miss/${m.id}`,
        kind: 'might-miss',
        title: `${m.id} ${m.title} (${why})`,
        ...milestoneBase(ctx, m),
      });
    } else if (m.status === 'Missed') {
      out.push({
        identity: `missed/${m.id}`,
        kind: 'missed',
        title: `${m.id} ${m.title} (missed due ${m.due ?? '?'})`,
        ...milestoneBase(ctx, m),
      });
    }
  }
  return out;
}

/** Dependency topics: an open milestone whose open upstream is at risk or due after it. */
function dependencyTopics(ctx: DeriveContext): Candidate[] {
  const { register, byId, rankOf } = ctx;
  const out: Candidate[] = [];
  for (const down of ctx.open) {
    for (const upId of down.dependsOn) {
      const up = byId.get(upId);
      if (!up || up === down || !up.owner || !isOpen(up)) continue;
      const upDate = up.forecast ?? up.due;
      const atRisk =
        up.status === 'Might miss' || up.status === 'Missed' || (!!upDate && !!down.due && upDate > down.due);
      if (!atRisk) continue;
      const owners = unique([up.owner, down.owner]);
      out.push({
        identity: `dependency/${up.id}>${down.id}`,
        kind: 'dependency',
        title: `${up.id} ${up.title} (${up.status}${up.forecast ? `, forecast ${up.forecast}` : ''}) puts ${down.id} ${down.title} (due ${down.due ?? '?'}) at risk`,
        milestones: [up.id, down.id],
        owners,
        helpFrom: '',
        groups: unique(owners.map((o) => groupOf(register, o))),
        due: down.due,
        priorityRank: minRank([rankOf(up), rankOf(down)]),
        deferrals: 0,
      });
    }
  }
  return out;
}

/** The date of the meeting after `meeting` (the next one not cancelled, else one cadence on). */
export function nextMeetingDate(register: Register, meeting: Meeting): string {
  const later = register.meetings
    .filter((m) => m.date > meeting.date && m.status !== 'Cancelled')
    .map((m) => m.date)
    .sort()[0];
  return later ?? addDays(meeting.date, 7 * Math.max(1, register.settings.cadenceWeeks));
}

/**
 * A help topic's date: its asker's most pressing open milestone, or the date the request
 * names when that is earlier. A request needed before the next meeting cannot wait for it:
 * it is due at this meeting (or on its own date, if that is earlier still).
 */
function helpDue(
  pressing: Pick<Candidate, 'due' | 'priorityRank'>,
  named: string | undefined,
  meeting: Meeting,
  next: string,
): Pick<Candidate, 'due' | 'neededBy'> {
  if (!named) return { due: pressing.due };
  const due = named < next && named > meeting.date ? meeting.date : named;
  return pressing.due && pressing.due < due ? { due: pressing.due } : { due, neededBy: named };
}

/** Help topics: one per asker, gathering their requests for this meeting. */
function helpTopics(ctx: DeriveContext, meeting: Meeting): Candidate[] {
  const { register, byId, openOf } = ctx;
  // Help requests: every accepted response for this meeting counts (the latest version of
  // each response), so two responses from one person never hide each other's request.
  const helpByAsker = new Map<
    string,
    { askers: string[]; texts: string[]; from: string[]; dates: string[] }
  >();
  for (const u of latestResponses(register, meeting.date)) {
    if (!u.helpNeeded.trim()) continue;
    // A delegate asking on behalf of the person they cover: the request is that person's.
    const own = openOf.has(u.email);
    const covered = unique(
      u.milestones.map((id) => byId.get(id)?.owner ?? '').filter((o) => o && o !== u.email),
    );
    const askers = own || !covered.length ? [u.email] : covered;
    const entry = helpByAsker.get(askers[0]!) ?? { askers, texts: [], from: [], dates: [] };
    entry.texts.push(u.helpNeeded.trim());
    const named = dateNamedIn(u.helpNeeded, dateInZone(u.received, register.settings.timeZone));
    if (named) entry.dates.push(named);
    if (u.helpFrom.trim()) entry.from.push(helpTarget(register, u.helpFrom));
    helpByAsker.set(askers[0]!, entry);
  }
  const out: Candidate[] = [];
  const next = nextMeetingDate(register, meeting);
  for (const [asker, h] of [...helpByAsker].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const targets = unique(h.from.map((f) => helpGroup(register, f)).filter((g): g is string => !!g));
    const pressing = mostPressing(
      ctx,
      h.askers.flatMap((a) => openOf.get(a) ?? []),
    );
    out.push({
      identity: `help/${asker}`,
      kind: 'help',
      title: unique(h.texts).join(' · '),
      milestones: [],
      owners: h.askers,
      helpFrom: unique(h.from).join(', '),
      groups: unique([...h.askers.map((a) => groupOf(register, a)), ...targets]),
      ...pressing,
      ...helpDue(pressing, h.dates.sort()[0], meeting, next),
      deferrals: 0,
    });
  }
  return out;
}

/** Stale topics: members giving an update who sent no response for this meeting. */
function staleTopics(ctx: DeriveContext, meeting: Meeting): Candidate[] {
  const out: Candidate[] = [];
  const responded = respondents(ctx.register, meeting.date);
  for (const p of updatingMembers(ctx.register)) {
    if (responded.has(p.email)) continue;
    const theirs = ctx.openOf.get(p.email) ?? [];
    out.push({
      identity: `stale/${p.email}`,
      kind: 'stale',
      title: `No update from ${p.name} (${theirs.length} open milestone${theirs.length === 1 ? '' : 's'})`,
      milestones: [],
      owners: [p.email],
      helpFrom: '',
      groups: [p.group],
      ...mostPressing(ctx, theirs),
      deferrals: 0,
    });
  }
  return out;
}

/**
 * A topic written in the Topics tab (raised by hand, or carried over): owners as listed (or
 * the milestone's), dated and prioritised by its milestones, else by its owners' open ones.
 * The same row gives the same candidate whether it is new or carried.
 */
function topicFromRow(
  ctx: DeriveContext,
  t: TopicRow,
  kind: 'raised' | 'help',
  deferrals: number,
): Candidate {
  const { register, byId, openOf } = ctx;
  const milestones = splitIds(t.milestone).filter((id) => byId.has(id));
  const listed = t.owner
    .split(/[,;]\s*/)
    .map((o) => o.trim().toLowerCase())
    .filter(Boolean);
  const owners = listed.length ? listed : unique(milestones.map((id) => byId.get(id)!.owner).filter(Boolean));
  const theirs = milestones.length
    ? milestones.map((id) => byId.get(id)!).filter((m) => isOpen(m))
    : owners.flatMap((o) => openOf.get(o) ?? []);
  const target = helpGroup(register, t.helpFrom);
  return {
    identity: identityOf(t.topicId),
    kind,
    title: t.topic,
    milestones,
    owners,
    helpFrom: t.helpFrom,
    groups: unique([...owners.map((o) => groupOf(register, o)), ...(target ? [target] : [])].filter(Boolean)),
    ...mostPressing(ctx, theirs),
    deferrals,
  };
}

/**
 * Topics people raised by hand for this meeting (or for no meeting in particular, or for a
 * meeting since the last one that was cancelled).
 */
function raisedTopics(ctx: DeriveContext, meeting: Meeting): Candidate[] {
  const { register } = ctx;
  const out: Candidate[] = [];
  const carried = new Set(carrySources(register, meeting));
  const byTopicId = rowsByTopicId(register.topics);
  let nextRaised =
    Math.max(0, ...register.topics.map((t) => Number(/\/raised\/R-(\d+)$/.exec(t.topicId)?.[1] ?? 0))) + 1;
  for (const t of register.topics) {
    const raised = t.kind === 'raised' || (t.kind === '' && !t.topicId && t.topic !== '');
    // Rows of earlier meetings that were ranked there come back through carry-over instead.
    const earlier = t.meeting && t.meeting !== meeting.date;
    if (!raised || (earlier && (!carried.has(t.meeting!) || t.topicId))) continue;
    // A topic raised in the form is derived from its answer (formTopics), while it stands.
    if (identityOf(t.topicId).startsWith(FORM_RAISED)) continue;
    if (!notReached(t, byTopicId)) continue;
    out.push({
      ...topicFromRow(ctx, t, 'raised', t.deferrals),
      identity: t.topicId ? identityOf(t.topicId) : `raised/R-${String(nextRaised++).padStart(4, '0')}`,
      sourceRow: t.topicId ? undefined : t.row,
      rankOverride: t.rankOverride,
    });
  }
  return out;
}

/** The identity prefix of a topic raised in the update form: 'raised-by/ann@example.com'. */
const FORM_RAISED = 'raised-by/';

/**
 * Topics raised in the update form for this meeting: one per person (the latest version of
 * each answer; a delegate's answer for the person they cover is that person's), owned by them,
 * dated and prioritised by their open milestones, as a row raised by hand would be. An edited
 * answer without the topic withdraws it.
 */
function formTopics(ctx: DeriveContext, meeting: Meeting): Candidate[] {
  const texts = new Map<string, string[]>();
  for (const u of latestResponses(ctx.register, meeting.date)) {
    const text = (u.raisedTopic ?? '').trim();
    if (!text) continue;
    const covered = unique(
      u.milestones.map((id) => ctx.byId.get(id)?.owner ?? '').filter((o) => o && o !== u.email),
    );
    const asker = ctx.openOf.has(u.email) || covered.length !== 1 ? u.email : covered[0]!;
    texts.set(asker, unique([...(texts.get(asker) ?? []), text]));
  }
  return [...texts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([asker, topics]) => ({
      ...topicFromRow(ctx, { ...EMPTY_TOPIC_ROW, owner: asker, topic: topics.join(' · ') }, 'raised', 0),
      identity: `${FORM_RAISED}${asker}`,
    }));
}

const EMPTY_TOPIC_ROW: TopicRow = {
  row: 0,
  topicId: '',
  kind: 'raised',
  topic: '',
  milestone: '',
  owner: '',
  helpFrom: '',
  why: '',
  deferrals: 0,
  outcome: '',
  decision: '',
  actionOwner: '',
};

/** Every topic candidate for `meeting`, one kind at a time, then the ones carried over. */
export function deriveCandidates(register: Register, meeting: Meeting): Candidate[] {
  const ctx = deriveContext(register);
  const out: Candidate[] = [
    ...statusTopics(ctx),
    ...dependencyTopics(ctx),
    ...helpTopics(ctx, meeting),
    ...staleTopics(ctx, meeting),
    ...formTopics(ctx, meeting),
    ...raisedTopics(ctx, meeting),
  ];
  const fromRow = (t: TopicRow, kind: 'raised' | 'help', deferrals: number) =>
    topicFromRow(ctx, t, kind, deferrals);
  const candidates = carryOver(uniqueByIdentity(out), register, meeting, fromRow);
  assignSlots(candidates, {
    milestone: (id) => ctx.byId.get(id),
    person: (text) => {
      const target = helpTarget(register, text);
      return register.team.some((p) => p.email === target) ? target : undefined;
    },
  });
  return candidates;
}

/**
 * Meetings whose unreached topics come to `meeting`: the previous meeting that took place,
 * and any cancelled since (their topics were never reached either).
 */
function carrySources(register: Register, meeting: Meeting): string[] {
  const prev = previousMeeting(register, meeting);
  return register.meetings
    .filter(
      (m) =>
        m.date < meeting.date && (m === prev || (m.status === 'Cancelled' && (!prev || m.date > prev.date))),
    )
    .map((m) => m.date);
}

/** One candidate per identity: the first derived, with the highest deferral count seen. */
function uniqueByIdentity(candidates: Candidate[]): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const c of candidates) {
    const first = out.get(c.identity);
    if (first) first.deferrals = Math.max(first.deferrals, c.deferrals);
    else out.set(c.identity, c);
  }
  return [...out.values()];
}

/**
 * Topics not reached (Outcome blank or Deferred, on the row or on its slot's lead) come back
 * with Deferrals + 1; a topic handled offline does not. Derived topics whose condition no
 * longer holds are not carried: the risk has gone. Raised and help topics are carried as they
 * were, dated and prioritised by their milestones (or their owners').
 */
function carryOver(
  candidates: Candidate[],
  register: Register,
  meeting: Meeting,
  fromRow: (row: TopicRow, kind: 'raised' | 'help', deferrals: number) => Candidate,
): Candidate[] {
  const sources = new Set(carrySources(register, meeting));
  if (!sources.size) return candidates;
  const byIdentity = new Map(candidates.map((c) => [c.identity, c]));
  const byTopicId = rowsByTopicId(register.topics);
  for (const row of register.topics) {
    if (!row.meeting || !sources.has(row.meeting) || !row.topicId || row.rank === undefined) continue;
    // Resolved, Discussed, Dropped and Handle offline (its own or its slot's) end a topic.
    if (!notReached(row, byTopicId)) continue;
    const identity = identityOf(row.topicId);
    const existing = byIdentity.get(identity);
    if (existing) {
      existing.deferrals = Math.max(existing.deferrals, row.deferrals + 1);
    } else if (row.kind === 'raised' || row.kind === 'help') {
      const c = fromRow(row, row.kind, row.deferrals + 1);
      candidates.push(c);
      byIdentity.set(identity, c);
    }
  }
  return candidates;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function scoreCandidate(
  c: Candidate,
  meetingDate: string,
  weights: Weights,
  priorityCount: number,
): ScoreComponent[] {
  const kindWeight: Record<TopicKind, number> = {
    'might-miss': weights.mightMiss,
    missed: weights.missed,
    dependency: weights.dependency,
    help: weights.help,
    raised: weights.raised,
    stale: weights.stale,
  };
  const parts: ScoreComponent[] = [{ label: KIND_LABELS[c.kind], points: kindWeight[c.kind] }];
  if (c.priorityRank !== undefined) {
    const steps = Math.max(0, priorityCount + 1 - c.priorityRank);
    if (steps)
      parts.push({ label: `strategic priority ${c.priorityRank}`, points: round1(weights.priority * steps) });
  }
  if (c.due) {
    const days = daysBetween(meetingDate, c.due);
    const h = weights.dueHorizonDays;
    const share = Math.min(1, Math.max(0, (h - days) / h));
    if (share > 0) {
      const when =
        days < 0
          ? `${-days} day${days === -1 ? '' : 's'} overdue`
          : days === 0
            ? 'due on the meeting day'
            : `due in ${days} day${days === 1 ? '' : 's'}`;
      // Help and no-update topics take the date of the person's most pressing open milestone,
      // or a help request the date it names (moved to the meeting when it falls before the next).
      const label = c.neededBy
        ? c.neededBy > c.due
          ? `needed by ${c.neededBy}, before the next meeting`
          : `needed by ${c.neededBy} (${when})`
        : c.kind === 'help' || c.kind === 'stale'
          ? `their next milestone ${when.replace(/^due /, 'is due ').replace(/ overdue$/, ' overdue')}`
          : when;
      parts.push({ label, points: round1(weights.dueSoon * share) });
    }
  }
  const others = Math.max(0, c.groups.length - 1);
  if (others)
    parts.push({
      label: `${others} other group${others === 1 ? '' : 's'} affected`,
      points: round1(weights.perOtherGroup * others),
    });
  if (c.deferrals)
    parts.push({ label: `deferred ${c.deferrals}×`, points: round1(weights.perDeferral * c.deferrals) });
  return parts;
}

export function whyText(parts: ScoreComponent[]): string {
  return parts.map((p) => `${p.label} (+${p.points})`).join('; ');
}

function compareCandidates(a: Topic, b: Topic): number {
  if (a.score !== b.score) return b.score - a.score;
  const da = a.due ?? '9999-12-31';
  const db = b.due ?? '9999-12-31';
  if (da !== db) return da < db ? -1 : 1;
  return a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0;
}

interface SlotGroup {
  /** Best first: the first is the lead, which ranks the slot. */
  topics: Topic[];
  /** The lowest Rank override of its topics: a topic pinned by hand moves its whole slot. */
  override?: number;
}

/** Scored topics as slots (slots.ts), each with its topics best first. */
function groupSlots(scored: Topic[]): SlotGroup[] {
  const bySlot = new Map<string, Topic[]>();
  for (const t of scored) {
    const key = t.slot !== undefined ? `slot:${t.slot}` : `own:${t.identity}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), t]);
  }
  return [...bySlot.values()].map((ts) => {
    const overrides = ts.map((t) => t.rankOverride).filter((o): o is number => o !== undefined);
    return {
      topics: ts.sort(compareCandidates),
      override: overrides.length ? Math.min(...overrides) : undefined,
    };
  });
}

/**
 * Scores and ranks candidates for a meeting, one slot per problem (slots.ts): a slot ranks
 * by its best topic and counts once against the cut line; its topics share its rank, the
 * lead first (`subRank` 0). A Rank override places its slot at that position; the rest keep
 * their order around it. `topicsThatFit` (slots that fit) sets the cut line.
 */
export function rankTopics(
  candidates: Candidate[],
  meetingDate: string,
  weights: Weights,
  priorityCount: number,
  topicsThatFit: number,
): Topic[] {
  const scored: Topic[] = candidates.map((c) => {
    const components = scoreCandidate(c, meetingDate, weights, priorityCount);
    return {
      ...c,
      topicId: `${meetingDate}/${c.identity}`,
      meeting: meetingDate,
      components,
      score: round1(components.reduce((s, p) => s + p.points, 0)),
      why: whyText(components),
      rank: 0,
      belowCut: false,
    };
  });
  const slots = groupSlots(scored);
  const lead = (g: SlotGroup) => g.topics[0]!;
  const free = slots
    .filter((g) => g.override === undefined)
    .sort((a, b) => compareCandidates(lead(a), lead(b)));
  const pinned = slots
    .filter((g) => g.override !== undefined)
    .sort((a, b) => a.override! - b.override! || compareCandidates(lead(a), lead(b)));
  const ordered = [...free];
  for (const g of pinned) ordered.splice(Math.min(Math.max(g.override! - 1, 0), ordered.length), 0, g);
  return ordered.flatMap((g, i) =>
    g.topics.map((t, j) => {
      const why =
        t.rankOverride !== undefined ? `rank set by hand to ${t.rankOverride}; score ${t.why}` : t.why;
      return {
        ...t,
        rank: i + 1,
        subRank: j,
        belowCut: i >= topicsThatFit,
        why: j ? memberNote(i + 1, lead(g).topicId) + why : why,
      };
    }),
  );
}

export function priorityCount(register: Register): number {
  return Math.max(
    register.priorities.length,
    ...register.priorities.map((p) => (p.rank < 999 ? p.rank : 0)),
    0,
  );
}

/** Derive and rank the topics of a meeting from a register. */
export function topicsFor(register: Register, meeting: Meeting): Topic[] {
  const budget = discussionBudget(register);
  const overrides = new Map(
    register.topics
      .filter((t) => t.meeting === meeting.date && t.topicId && t.rankOverride !== undefined)
      .map((t) => [identityOf(t.topicId), t.rankOverride]),
  );
  const candidates = deriveCandidates(register, meeting);
  for (const c of candidates) if (overrides.has(c.identity)) c.rankOverride = overrides.get(c.identity);
  return rankTopics(
    candidates,
    meeting.date,
    register.settings.weights,
    priorityCount(register),
    budget.topicsThatFit,
  );
}

export function ownerNames(register: Register, owners: string[]): string {
  return owners.map((o) => nameOf(register, o)).join(' & ');
}
