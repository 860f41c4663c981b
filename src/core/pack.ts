/**
 * The meeting pack (docs/architecture.md §5) as a document model: title and agenda, Part 1 per member,
 * the ranked topics with the cut line, deferred topics, tracking by strategic priority and
 * health. Pure: every instant comes in through the input; renderers decide only the looks.
 */

import { actionBlocks, earlierDecision, earlierDecisionText } from './actions';
import { mixBlock, trendBlock } from './charts';
import { addDays, daysBetween } from './dates';
import { type Block, cell, type Document, type Inline, type TableCell } from './document';
import { formatDate, formatDateTime } from './format';
import { atAGlance, problemsBox, problemsMark } from './glance';
import { normaliseName } from './layout';
import { unreadableCells, unreadableStatus, unreadableText } from './problems';
import { isOpen, STATUSES } from './register';
import { renderMarkdown } from './render-markdown';
import { activeMeetings, meetingStart } from './schedule';
import { ownWhy, type Slot, slotLabel, slotsOf } from './slots';
import { discussionBudget, KIND_LABELS, latestUpdates, updatingMembers } from './topics';
import { milestoneTrend, statusMix } from './trend';
import type {
  ChangeRow,
  Health,
  Meeting,
  Milestone,
  Person,
  Problem,
  Register,
  Status,
  Topic,
  TopicKind,
  UpdateRow,
} from './types';
import { isLateUpdate, isNoChangeUpdate, parseComments } from './updates';
import { type SlipWarning, slipWarnings } from './warnings';

export interface PackInput {
  /** The whole register: team, priorities, milestones, updates, changes, settings. */
  register: Register;
  /** The meeting the pack is for. */
  meeting: Meeting;
  /** The last Held meeting before it: "changed since last meeting" means after its start. */
  previousMeeting?: Meeting;
  /** Instant of the previous meeting's start (computed from previousMeeting when absent). */
  previousMeetingStart?: string;
  /** Instant of this meeting's start. */
  meetingStart: string;
  /** Already ranked: rank 1..n in order, belowCut and deferrals set. */
  topics: Topic[];
  health: Health;
  generatedAt: string;
  /**
   * The register's problems still true of `register` (problems.ts `currentProblems`): its errors
   * make the "Register problems" box, and the cells they name are shown as "?" (unreadable).
   */
  problems?: Problem[];
}

/** The end of every meeting: outcomes, deferrals and key items. */

const KIND_STATUS: Partial<Record<TopicKind, Status>> = { 'might-miss': 'Might miss', missed: 'Missed' };

const NO_PRIORITY = 'No priority';
const DASH = '—';

/**
 * Above this many open milestones, the pack summarises: a meeting cannot read more, and a Google
 * Doc cannot hold much more — "Files you can store in Google Drive": "Documents: Up to 1.02
 * million characters". A full pack of 3,000 milestones is about 986,000 characters; 10,000
 * about 2.9 million. In a summary pack each member's table and the tracking tables list only
 * the milestones that need attention (NOTABLE), each list bounded, with the counts of the rest
 * and where to find them. The same rule for every renderer (HTML, Markdown, the Google Doc).
 */
export const FULL_PACK_LIMIT = 150;
/**
 * How much a pack shows, from the full pack down: rows of each member's table and the length
 * of people's free text (wins, learnings, help, comments, topics). A pack whose text is over
 * PACK_CHARACTER_BUDGET is built again at the next level, so no register or text people type
 * can make a pack a Doc refuses.
 */
interface Detail {
  summary: boolean;
  memberRows: number;
  textLimit: number;
}
const DETAILS: Detail[] = [
  { summary: false, memberRows: Number.POSITIVE_INFINITY, textLimit: 2_000 },
  { summary: true, memberRows: 5, textLimit: 600 },
  { summary: true, memberRows: 3, textLimit: 300 },
  { summary: true, memberRows: 0, textLimit: 200 },
];
/** Characters of text (as Markdown renders it) a pack may reach: well under a Doc's 1.02 million. */
export const PACK_CHARACTER_BUDGET = 600_000;
/** Rows of the tracking tables together in a summary pack. */
const TRACKING_ROWS = 200;
/** Rows of the topics below the cut, and of the deferred topics, in a summary pack. */
const TOPIC_ROWS = 50;

export function buildPack(input: PackInput): Document {
  const base = context(input);
  const start = base.register.milestones.filter(isOpen).length > FULL_PACK_LIMIT ? 1 : 0;
  let doc: Document | undefined;
  for (const detail of DETAILS.slice(start)) {
    doc = assemble({ ...base, ...detail });
    if (renderMarkdown(doc).length <= PACK_CHARACTER_BUDGET) return doc;
  }
  return doc!;
}

function assemble(ctx: Context): Document {
  const { input } = ctx;
  // What to read first comes first: at a glance, then the topics to decide (Part 2), then the
  // agenda in meeting order with the member updates (Part 1), and the reference sections. On a
  // phone Part 2 is then a screen or two down, not ten.
  const problems = input.problems ?? [];
  const blocks: Block[] = [
    ...glance(ctx),
    ...topicList(ctx),
    ...agenda(ctx),
    ...memberUpdates(ctx),
    ...deferredTopics(ctx),
    ...tracking(ctx),
    ...trendSection(ctx),
    ...healthSection(ctx),
    ...problemsBox({ register: ctx.register, problems }),
  ];
  const mark = problemsMark(problems);
  return {
    title: `Milestone meeting — ${formatDate(input.meeting.date)}`,
    subtitle: `Pack generated ${formatDateTime(input.generatedAt, ctx.tz)} (${ctx.tz})${mark ? ` — ${mark}, listed at the end` : ''}`,
    blocks,
  };
}

// ---------- context shared by the sections ----------

interface Context {
  input: PackInput;
  tz: string;
  /** Who gives an update in Part 1 (active owners of open milestones), by group then name. */
  speakers: Person[];
  /** Active people without open milestones. */
  others: Person[];
  nameOf: (who: string) => string;
  personOf: (who: string) => Person | undefined;
  /** Owner email of each milestone, by normalised ID. */
  ownerOf: Map<string, string>;
  /** Every milestone of each owner, by lower-case email. */
  milestonesOf: Map<string, Milestone[]>;
  /** Changes in (previous meeting start, meeting start], per milestone ID (normalised), in time order. */
  changesSince: Map<string, ChangeRow[]>;
  /** The latest accepted update of each submitter for this meeting, by email. */
  updates: Map<string, UpdateRow>;
  /** Owners' comments on milestones for this meeting, by milestone ID (latest wins). */
  comments: Map<string, string>;
  timing: Timing;
  /** More open milestones than a meeting reads (FULL_PACK_LIMIT), or too much text: the pack summarises. */
  summary: boolean;
  memberRows: number;
  textLimit: number;
  register: Register;
  /** The date up to which a milestone counts as due soon: the meeting after this one. */
  dueSoonUntil: string;
  /** "Likely to slip" flags (warnings.ts), most urgent first, and by normalised milestone ID. */
  warnings: SlipWarning[];
  warningOf: Map<string, SlipWarning>;
  /** Milestones cells that could not be read, by row then column: the text found. */
  unreadable: Map<number, Map<string, string>>;
}

interface Timing {
  start: number;
  memberMinutes: number;
  topicMinutes: number;
  wrapUpMinutes: number;
}

function context(input: PackInput): Context {
  const { register, meeting } = input;
  const tz = register.settings.timeZone;
  const byGroupThenName = (a: Person, b: Person) =>
    compareText(a.group, b.group) || compareText(a.name, b.name) || compareText(a.email, b.email);
  const speakers = updatingMembers(register).sort(byGroupThenName);
  const others = register.team.filter((p) => p.active && !speakers.includes(p)).sort(byGroupThenName);

  const byEmail = new Map(register.team.map((p) => [p.email.toLowerCase(), p]));
  const nameOf = (who: string): string => {
    const p = byEmail.get(who.trim().toLowerCase());
    return p?.name ? p.name : who;
  };

  const previousStart =
    input.previousMeetingStart ??
    (input.previousMeeting ? meetingStart(input.previousMeeting, register.settings) : undefined);
  const from = previousStart ? Date.parse(previousStart) : Number.NEGATIVE_INFINITY;
  const to = Date.parse(input.meetingStart);
  const changesSince = new Map<string, ChangeRow[]>();
  const inWindow = register.changes
    .filter((c) => {
      const t = Date.parse(c.when);
      return t > from && t <= to;
    })
    .sort((a, b) => Date.parse(a.when) - Date.parse(b.when) || a.row - b.row);
  for (const c of inWindow) push(changesSince, idKey(c.milestone), c);

  const updates = latestUpdates(register, meeting.date);
  const comments = new Map<string, string>();
  for (const u of [...updates.values()].sort((a, b) => Date.parse(a.received) - Date.parse(b.received))) {
    for (const [id, text] of parseComments(u.comments)) comments.set(id, text);
  }

  // The same budget as the cut line (topics.ts), with the wrap-up taken from the discussion.
  const settings = register.settings;
  const budget = discussionBudget(register);
  const length = Math.max(0, settings.meetingLengthMinutes);
  const memberMinutes = budget.updateMinutes;
  const wrapUpMinutes = budget.wrapUpMinutes;
  const timing: Timing = {
    start: clockMinutes(meeting.time || settings.meetingTime),
    memberMinutes,
    topicMinutes: length - memberMinutes - wrapUpMinutes,
    wrapUpMinutes,
  };
  const personOf = (who: string) => byEmail.get(who.trim().toLowerCase());
  const milestonesOf = new Map<string, Milestone[]>();
  for (const m of register.milestones) push(milestonesOf, m.owner.toLowerCase(), m);
  const ownerOf = new Map(register.milestones.map((m) => [idKey(m.id), m.owner]));
  const dueSoonUntil = addDays(meeting.date, 7 * Math.max(1, settings.cadenceWeeks));
  // The meeting after this one: a milestone due before it falls due before the team meets again.
  const next =
    activeMeetings(register)
      .map((m) => m.date)
      .filter((d) => d > meeting.date)
      .sort()[0] ?? dueSoonUntil;
  const warnings = slipWarnings(register, input.generatedAt, next);
  return {
    ...DETAILS[0]!,
    register,
    dueSoonUntil,
    warnings,
    warningOf: new Map(warnings.map((w) => [idKey(w.id), w])),
    unreadable: unreadableCells(input.problems ?? []),
    input,
    tz,
    speakers,
    others,
    nameOf,
    personOf,
    ownerOf,
    milestonesOf,
    changesSince,
    updates,
    comments,
    timing,
  };
}

// ---------- at a glance ----------

function glance(ctx: Context): Block[] {
  const { input } = ctx;
  return atAGlance({
    register: ctx.register,
    meeting: input.meeting,
    topics: input.topics,
    health: input.health,
    problems: input.problems ?? [],
    warnings: ctx.warnings,
    nameOf: ctx.nameOf,
    topicMinutes: Math.max(0, ctx.timing.topicMinutes),
    textLimit: ctx.textLimit,
  });
}

// ---------- agenda ----------

function agenda(ctx: Context): Block[] {
  const { timing, speakers, input } = ctx;
  const settings = input.register.settings;
  const perTopic = settings.minutesPerTopic;
  const slots = slotsOf(input.topics);
  const above = slots.filter((slot) => !slot.belowCut).length;
  const t1 = timing.start + timing.memberMinutes;
  const t2 = t1 + timing.topicMinutes;
  const t3 = t2 + timing.wrapUpMinutes;
  const blocks: Block[] = [
    heading(2, 'Agenda', 'agenda'),
    para(
      `${formatDate(input.meeting.date)}, ${clock(timing.start)}–${clock(t3)} (${ctx.tz}), ` +
        `${settings.meetingLengthMinutes} minutes.`,
    ),
    {
      type: 'table',
      columns: ['Time', 'Item', 'Minutes'],
      rows: [
        [
          cell(`${clock(timing.start)}–${clock(t1)}`),
          cell(
            { text: 'Part 1 — Member updates', bold: true },
            `: ${plural(speakers.length, 'member')} × ${settings.minutesPerMemberUpdate} min (wins, learnings, help needed)`,
          ),
          cell(String(timing.memberMinutes)),
        ],
        [
          cell(`${clock(t1)}–${clock(t2)}`),
          cell(
            { text: 'Part 2 — Topics in priority order', bold: true },
            `: ${slotCount(slots, input.topics.length)}, ${above} above the cut line, ${perTopic} min each`,
          ),
          cell(String(timing.topicMinutes)),
        ],
        [
          cell(`${clock(t2)}–${clock(t3)}`),
          cell({ text: 'Wrap-up', bold: true }, ': outcomes, deferred topics, key items to communicate'),
          cell(String(timing.wrapUpMinutes)),
        ],
      ],
    },
  ];
  if (timing.topicMinutes <= 0) {
    blocks.push(
      para({
        text: `Member updates take ${timing.memberMinutes} of the ${settings.meetingLengthMinutes} minutes: no time is left for topics.`,
        bold: true,
      }),
    );
  }
  return blocks;
}

// ---------- Part 1 ----------

function memberUpdates(ctx: Context): Block[] {
  const blocks: Block[] = [heading(2, 'Part 1 — Member updates', 'part-1')];
  if (!ctx.input.previousMeetingStart && !ctx.input.previousMeeting) {
    blocks.push(para(muted('No earlier meeting was held: every recorded change is shown as a change.')));
  }
  const sections = memberSections(ctx);
  const quiet = ctx.others.filter((p) => !sections.includes(p));
  if (sections.length === 0) blocks.push(para('Nobody owns an open milestone.'));
  const ids = new Set<string>();
  for (const person of sections) {
    const who = person.name || person.email;
    blocks.push(heading(3, `${who} — ${person.group || 'No group'}`, uniqueId(ids, 'member', who)));
    blocks.push(...updateBlocks(ctx, person));
    blocks.push(...memberMilestones(ctx, person));
  }
  if (quiet.length > 0) {
    blocks.push(
      para(muted(`No open milestones, no update: ${quiet.map((p) => p.name || p.email).join(', ')}.`)),
    );
  }
  return blocks;
}

/**
 * Who has a section in Part 1, in order (by group, then name): the owners of open milestones, and
 * people without any who sent an update anyway.
 */
function memberSections(ctx: Context): Person[] {
  const speaking = new Set(ctx.speakers);
  const sections = ctx.input.register.team.filter(
    (p) => speaking.has(p) || (p.active && updateOf(ctx, p)?.speaksForThem),
  );
  return [...ctx.speakers, ...ctx.others].filter((p) => sections.includes(p));
}

/**
 * The milestones of a person that Part 1 shows: those that changed since the last meeting or need
 * attention (at risk, missed, likely to slip, unreadable, due before the next meeting), in due
 * order — most urgent first and bounded in a summary pack. The rest are in the tracking section
 * only, so no milestone is listed twice.
 */
function shownInPart1(ctx: Context, person: Person): Milestone[] {
  const wanted = ownMilestones(ctx, person).filter((m) => notable(ctx, m));
  return ctx.summary ? wanted.sort(byUrgency(ctx)).slice(0, ctx.memberRows) : wanted;
}

/** Every milestone Part 1 shows. */
function part1Milestones(ctx: Context): Set<Milestone> {
  return new Set(memberSections(ctx).flatMap((p) => shownInPart1(ctx, p)));
}

function memberMilestones(ctx: Context, person: Person): Block[] {
  const all = ownMilestones(ctx, person);
  if (all.length === 0) return [para(muted('No open milestones.'))];
  const own = shownInPart1(ctx, person);
  const rest = all.length - own.length;
  const needing = all.filter((m) => notable(ctx, m)).length - own.length;
  const where = 'in Tracking by strategic priority.';
  const restText = (n: number) =>
    needing
      ? `${plural(n, 'milestone')}, ${needing} needing attention: ${where}`
      : `${plural(n, 'open milestone')}, on track and unchanged: ${where}`;
  if (own.length === 0) return [para(muted(restText(rest)))];
  const blocks: Block[] = [
    {
      type: 'table',
      columns: ['ID', 'Milestone', 'Due', 'Forecast', 'Status', 'Changed since last meeting', 'Comment'],
      rows: own.map((m) => [
        idCell(ctx, m),
        titleCell(ctx, m),
        dueCell(ctx, m),
        forecastCell(ctx, m),
        milestoneStatus(m),
        cell(changeLines(ctx.changesSince.get(idKey(m.id)) ?? []).join(';\n') || DASH),
        cell(clip(ctx, ctx.comments.get(idKey(m.id)) ?? '')),
      ]),
    },
  ];
  if (rest > 0) blocks.push(para(muted(`… and ${restText(rest).replace(/^(\d+) /, '$1 more ')}`)));
  return blocks;
}

interface PersonUpdate {
  update: UpdateRow;
  /** Submitted by someone else: a delegate covering the person's milestones. */
  delegate?: string;
  /** The wins, learnings and help are the person's: their own, or from a delegate with no milestones of their own. */
  speaksForThem: boolean;
}

/**
 * The person's own update, or the latest one a delegate sent covering their milestones
 * (as topics.ts counts respondents). A delegate who owns milestones too speaks for
 * themselves: only their status changes count for the person.
 */
function updateOf(ctx: Context, person: Person): PersonUpdate | undefined {
  const ownerOf = ctx.ownerOf;
  const own = ctx.updates.get(person.email);
  // A delegate's submission that covered only the milestones of the person they cover is
  // that person's update, not the delegate's own.
  const onBehalf =
    own !== undefined &&
    own.milestones.length > 0 &&
    own.milestones.every((id) => ownerOf.get(idKey(id)) !== person.email);
  if (own && !onBehalf) return { update: own, speaksForThem: true };
  const covering = [...ctx.updates.values()]
    .filter(
      (u) => u.email !== person.email && u.milestones.some((id) => ownerOf.get(idKey(id)) === person.email),
    )
    .sort((a, b) => Date.parse(b.received) - Date.parse(a.received) || compareText(a.email, b.email));
  const update = covering[0];
  if (!update) return undefined;
  return {
    update,
    delegate: update.email,
    speaksForThem: !ctx.speakers.some((p) => p.email === update.email),
  };
}

function updateBlocks(ctx: Context, person: Person): Block[] {
  const found = updateOf(ctx, person);
  if (!found) return [para({ text: 'No update received.', italic: true })];
  const { update, delegate, speaksForThem } = found;
  const when = formatDateTime(update.received, ctx.tz);
  if (!speaksForThem) {
    return [
      para({ text: 'No update of their own.', italic: true }),
      para(muted(`${ctx.nameOf(update.email)} (delegate) updated their milestones ${when}`)),
    ];
  }
  const by = delegate ? ` from ${ctx.nameOf(delegate)} (delegate)` : '';
  return [
    {
      type: 'list',
      ordered: false,
      items: [
        labelled('Wins', clip(ctx, update.wins)),
        labelled('Learnings', clip(ctx, update.learnings)),
        helpItem(ctx, update),
      ],
    },
    para(
      muted(
        `Update received${by} ${when}${isNoChangeUpdate(update) ? ': no change this week' : ''}${isLateUpdate(update) ? ' — late: after the pack was built' : ''}`,
      ),
    ),
  ];
}

function helpItem(ctx: Context, update: UpdateRow): Inline[] {
  const item = labelled('Help needed', clip(ctx, update.helpNeeded));
  if (update.helpNeeded.trim() && update.helpFrom.trim()) item.push(` (from ${ctx.nameOf(update.helpFrom)})`);
  return item;
}

/** Open milestones of a person, plus those closed since the last meeting. */
function ownMilestones(ctx: Context, person: Person): Milestone[] {
  const theirs = ctx.milestonesOf.get(person.email.toLowerCase()) ?? [];
  return sortMilestones(theirs.filter((m) => isOpen(m) || closedSince(ctx, m)));
}

function closedSince(ctx: Context, m: Milestone): boolean {
  return (ctx.changesSince.get(idKey(m.id)) ?? []).some(
    (c) => normaliseName(c.field) === 'status' && normaliseName(c.to) === normaliseName(m.status),
  );
}

/** 'Status On track → Might miss; Forecast 2026-12-01 → 2026-12-15' */
export function describeChanges(changes: ChangeRow[]): string {
  return changeLines(changes).join('; ');
}

/** One line per field that changed: 'Status On track → Might miss'. */
export function changeLines(changes: ChangeRow[]): string[] {
  const byField = new Map<string, { field: string; values: string[] }>();
  for (const c of changes) {
    const key = normaliseName(c.field);
    let entry = byField.get(key);
    if (!entry) {
      entry = { field: c.field.trim(), values: [c.from.trim() || DASH] };
      byField.set(key, entry);
    }
    const to = c.to.trim() || DASH;
    if (entry.values[entry.values.length - 1] !== to) entry.values.push(to);
  }
  return [...byField.values()]
    .filter((e) => e.values.length > 1)
    .map((e) => `${e.field} ${e.values.join(' → ')}`);
}

// ---------- Part 2 ----------

function topicList(ctx: Context): Block[] {
  const { topics } = ctx.input;
  const blocks: Block[] = [heading(2, 'Part 2 — Topics in priority order', 'part-2')];
  // Last meeting's actions first, one line each: what was decided comes back before what is new.
  const { register, meeting, previousMeeting: previous } = ctx.input;
  blocks.push(...actionBlocks(register, meeting, previous, ctx.nameOf));
  if (topics.length === 0) return [...blocks, para('No topics for this meeting.')];
  const slots = slotsOf(topics);
  blocks.push(
    para(
      muted(
        'Ranked by score; the reasons are under Why. Topics that stem from the same milestone are one slot ' +
          '(1, 1.1, 1.2…), ranked by its best topic and discussed together in one topic’s time; an outcome ' +
          'recorded on its first topic applies to the rest. The manager may override a rank.',
      ),
    ),
  );
  const columns = ['#', 'Kind', 'Topic', 'Owners', 'Help from', 'Score', 'Why'];
  const rows = (ss: Slot[]) =>
    ss.flatMap((slot) => [slot.lead, ...slot.members].map((t) => topicRow(ctx, t, slot)));
  const above = slots.filter((slot) => !slot.belowCut);
  const below = slots.filter((slot) => slot.belowCut);
  if (above.length > 0) blocks.push({ type: 'table', columns, rows: rows(above) });
  if (below.length > 0) {
    const perTopic = ctx.input.register.settings.minutesPerTopic;
    blocks.push({
      type: 'cut',
      text:
        `Cut line — discussion time runs out here (${ctx.timing.topicMinutes} min of discussion, ` +
        `${perTopic} min per topic). Topics below are deferred to the next meeting unless time allows.`,
    });
    const shown = ctx.summary ? below.slice(0, TOPIC_ROWS) : below;
    blocks.push({ type: 'table', columns, rows: rows(shown) });
    if (shown.length < below.length) {
      blocks.push(
        more(below.length - shown.length, 'slot', 'every topic is in the Topics tab of the register'),
      );
    }
  } else {
    blocks.push(
      para(
        muted(
          `All ${slotCount(slots, topics.length)} fit in the ${ctx.timing.topicMinutes} minutes of discussion.`,
        ),
      ),
    );
  }
  return blocks;
}

/** '13 slots (18 topics)', or '3 topics' when every slot is one topic. */
function slotCount(slots: Slot[], topics: number): string {
  return slots.length === topics
    ? plural(topics, 'topic')
    : `${plural(slots.length, 'slot')} (${plural(topics, 'topic')})`;
}

/**
 * One topic of a slot: the lead with the slot's number, the others below it ('1.1', '1.2'…),
 * each with its own kind, score and reasons.
 */
function topicRow(ctx: Context, t: Topic, slot: Slot): TableCell[] {
  const member = t !== slot.lead;
  const topic: Inline[] = [...(member ? [muted('↳ ')] : []), clip(ctx, t.title)];
  const missing = t.milestones.filter((id) => !t.title.includes(id));
  if (missing.length > 0) topic.push(muted(` (${missing.join(', ')})`));
  if (t.deferrals > 0) topic.push(' ', { text: `deferred ${t.deferrals}×`, bold: true });
  const decided = earlierDecision(ctx.register, t);
  if (decided) topic.push(muted(` — ${earlierDecisionText(decided, Math.min(ctx.textLimit, 200))}`));
  if (!member && slot.members.length > 0)
    topic.push(
      muted(
        ` — one slot with the ${slot.members.length === 1 ? 'related topic' : `${slot.members.length} related topics`} below`,
      ),
    );
  const kindStatus = KIND_STATUS[t.kind];
  const why = member ? ownWhy(t.why) : t.why;
  return [
    cell(slotLabel(t)),
    { content: [KIND_LABELS[t.kind] ?? t.kind], status: kindStatus },
    { content: topic },
    cell(ownerNames(ctx, t)),
    cell(t.helpFrom.trim() ? ctx.nameOf(t.helpFrom) : ''),
    cell(formatScore(t.score)),
    t.rankOverride !== undefined ? cell(muted('Rank set by the manager. '), why) : cell(why),
  ];
}

/** Joint topics name both sides, with their groups when the sides are in different groups. */
function ownerNames(ctx: Context, t: Topic): string {
  const owners = unique(t.owners.map((o) => o.trim()).filter(Boolean));
  const groupOf = (o: string) => ctx.personOf(o)?.group ?? '';
  const groups = new Set(owners.map(groupOf));
  const names = owners.map((o) =>
    groups.size > 1 && groupOf(o) ? `${ctx.nameOf(o)} (${groupOf(o)})` : ctx.nameOf(o),
  );
  return names.length > 0 ? names.join(' & ') : DASH;
}

function deferredTopics(ctx: Context): Block[] {
  const deferred = ctx.input.topics
    .filter((t) => t.deferrals > 0)
    .sort((a, b) => b.deferrals - a.deferrals || a.rank - b.rank || (a.subRank ?? 0) - (b.subRank ?? 0));
  const blocks: Block[] = [heading(2, 'Deferred topics', 'deferred')];
  if (deferred.length === 0) return [...blocks, para('None.')];
  const shown = ctx.summary ? deferred.slice(0, TOPIC_ROWS) : deferred;
  blocks.push({
    type: 'table',
    columns: ['Topic', 'Kind', 'Owners', 'Deferred', 'Rank now'],
    rows: shown.map((t) => [
      cell(clip(ctx, t.title)),
      cell(KIND_LABELS[t.kind] ?? t.kind),
      cell(ownerNames(ctx, t)),
      cell(plural(t.deferrals, 'meeting')),
      cell(slotLabel(t), t.belowCut ? muted(' below the cut') : ''),
    ]),
  });
  if (shown.length < deferred.length) {
    blocks.push(
      more(deferred.length - shown.length, 'deferred topic', ['it is', 'they are'], 'in the Topics tab'),
    );
  }
  return blocks;
}

// ---------- what needs attention (summary packs) ----------

/**
 * Whether a milestone needs the meeting's attention: at risk (Might miss, or forecast after its
 * due date), missed, changed since the last meeting, or due before the next meeting.
 */
function notable(ctx: Context, m: Milestone): boolean {
  if (ctx.unreadable.has(m.row) || unreadableStatus(m)) return true;
  if (m.id && ctx.warningOf.has(idKey(m.id))) return true;
  if (m.status === 'Might miss' || m.status === 'Missed') return true;
  if (m.forecast && m.due && m.forecast > m.due) return true;
  if ((ctx.changesSince.get(idKey(m.id)) ?? []).length > 0) return true;
  return isOpen(m) && !!m.due && m.due <= ctx.dueSoonUntil;
}

/** Most urgent first: missed, at risk, changed, then by due date. */
function byUrgency(ctx: Context): (a: Milestone, b: Milestone) => number {
  const weight = (m: Milestone) =>
    m.status === 'Missed'
      ? 0
      : m.status === 'Might miss' || (m.forecast && m.due && m.forecast > m.due)
        ? 1
        : (ctx.changesSince.get(idKey(m.id)) ?? []).length
          ? 2
          : 3;
  return (a, b) =>
    weight(a) - weight(b) || compareText(a.due ?? '9999', b.due ?? '9999') || compareText(a.id, b.id);
}

/** People's text, cut at the pack's limit: the whole text stays in the register. */
function clip(ctx: Context, text: string): string {
  if (text.length <= ctx.textLimit) return text;
  return `${text.slice(0, ctx.textLimit).trimEnd()}… (${plural(text.length - ctx.textLimit, 'more character')} in the register)`;
}

/** The line under a bounded list: how many more, and where they are ('it is' or 'they are', by n). */
function more(n: number, what: string, where: string | [one: string, many: string], place = ''): Block {
  const said = typeof where === 'string' ? where : `${n === 1 ? where[0] : where[1]} ${place}`;
  return para(muted(`… and ${plural(n, what)} more: ${said}.`));
}

// ---------- tracking ----------

function tracking(ctx: Context): Block[] {
  const { register } = ctx.input;
  const blocks: Block[] = [heading(2, 'Tracking by strategic priority', 'tracking')];
  const priorities = [...register.priorities].sort((a, b) => a.rank - b.rank || compareText(a.name, b.name));
  const known = new Map(priorities.map((p) => [normaliseName(p.name), p]));
  const groups = new Map<string, Milestone[]>();
  for (const m of register.milestones) {
    const key = known.has(normaliseName(m.priority)) ? normaliseName(m.priority) : NO_PRIORITY;
    push(groups, key, m);
  }
  const ids = new Set<string>();
  const sections: { title: string; sponsor?: string; key: string }[] = priorities.map((p) => ({
    title: `${p.rank}. ${p.name}`,
    sponsor: p.sponsor,
    key: normaliseName(p.name),
  }));
  if (groups.has(NO_PRIORITY)) sections.push({ title: NO_PRIORITY, key: NO_PRIORITY });
  if (ctx.summary) {
    blocks.push(
      para(
        muted(
          `${plural(register.milestones.filter(isOpen).length, 'open milestone')}: more than a meeting reads, so this section counts them all and lists only those that need attention — at risk, missed, changed since the last meeting, or due by ${formatDate(ctx.dueSoonUntil)}. Every milestone is in the register's Milestones tab.`,
        ),
      ),
    );
    blocks.push(countsTable(sections, groups));
  }
  let budget = TRACKING_ROWS;
  const seen = new Set<string>();
  // What Part 1 shows under its owner is not listed again here: each milestone once.
  const inPart1 = part1Milestones(ctx);
  for (const s of sections) {
    if (seen.has(s.key)) continue;
    seen.add(s.key);
    const all = groups.get(s.key) ?? [];
    const current = all.filter((m) => isOpen(m) || closedSince(ctx, m));
    const listed = current.filter((m) => !inPart1.has(m));
    const wanted = ctx.summary
      ? listed.filter((m) => notable(ctx, m)).sort(byUrgency(ctx))
      : sortMilestones(listed);
    const shown = ctx.summary ? wanted.slice(0, Math.max(0, budget)) : wanted;
    budget -= shown.length;
    blocks.push(heading(3, s.title, uniqueId(ids, 'priority', s.title)));
    const summary: Inline[] = [];
    if (s.sponsor?.trim()) summary.push(`Sponsor: ${ctx.nameOf(s.sponsor)}. `);
    summary.push(statusSummary(all));
    const above = sortMilestones(current.filter((m) => inPart1.has(m))).map((m) => m.id || `row ${m.row}`);
    if (above.length > 0) {
      const ids = above.slice(0, 20).join(', ') + (above.length > 20 ? ` and ${above.length - 20} more` : '');
      summary.push(muted(` Changed or needing attention, under their owner in Part 1: ${ids}.`));
    }
    const hidden = all.length - current.length;
    if (hidden > 0)
      summary.push(muted(` ${plural(hidden, 'milestone')} closed before the last meeting not shown.`));
    if (shown.length < wanted.length) {
      summary.push(
        muted(
          ` ${plural(wanted.length - shown.length, 'milestone')} needing attention not listed here (the list is bounded).`,
        ),
      );
    }
    blocks.push(para(...summary));
    if (shown.length === 0) continue;
    blocks.push({
      type: 'table',
      columns: ['ID', 'Milestone', 'Owner', 'Due', 'Forecast', 'Status', 'Depends on'],
      rows: shown.map((m) => [
        idCell(ctx, m),
        titleCell(ctx, m),
        ownerCell(ctx, m),
        dueCell(ctx, m),
        forecastCell(ctx, m),
        milestoneStatus(m),
        cell(m.dependsOn.join(', ')),
      ]),
    });
  }
  if (register.milestones.length === 0) blocks.push(para('No milestones in the register.'));
  return blocks;
}

/** Counts by strategic priority and status (summary packs). */
function countsTable(sections: { title: string; key: string }[], groups: Map<string, Milestone[]>): Block {
  const seen = new Set<string>();
  const rows: TableCell[][] = [];
  for (const s of sections) {
    if (seen.has(s.key)) continue;
    seen.add(s.key);
    const all = groups.get(s.key) ?? [];
    rows.push([
      cell(s.title),
      ...STATUSES.map((st) => cell(String(all.filter((m) => m.status === st).length))),
      cell(String(all.length)),
    ]);
  }
  return { type: 'table', columns: ['Strategic priority', ...STATUSES, 'All'], rows };
}

/** '5 milestones: 3 on track, 1 missed, 1 with an unreadable status.' — never an unreadable one as On track. */
function statusSummary(ms: Milestone[]): string {
  if (ms.length === 0) return 'No milestones.';
  const readable = ms.filter((m) => !unreadableStatus(m));
  const parts = STATUSES.map((s) => [s, readable.filter((m) => m.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.toLowerCase()}`);
  const unreadable = ms.length - readable.length;
  if (unreadable > 0) parts.push(`${unreadable} with an unreadable status`);
  return `${plural(ms.length, 'milestone')}: ${parts.join(', ')}.`;
}

// ---------- health ----------

/** The pictures: the milestone trend of what is at risk, and the status mix per priority. */
function trendSection(ctx: Context): Block[] {
  const { register, meeting, generatedAt } = ctx.input;
  const trend = milestoneTrend(register, meeting.date, generatedAt);
  const mix = statusMix(register);
  if (!trend.series.length && !mix.length) return [];
  return [
    heading(2, 'Trend', 'trend'),
    ...(trend.series.length ? [trendBlock(trend)] : [para(muted('No milestone at risk: no trend to draw.'))]),
    ...(mix.length ? [mixBlock(mix)] : []),
  ];
}

function healthSection(ctx: Context): Block[] {
  const h = ctx.input.health;
  const blocks: Block[] = [heading(2, 'Health', 'health')];
  blocks.push({
    type: 'table',
    columns: ['Status', 'Milestones'],
    rows: [
      ...STATUSES.map((s) => [statusCell(s), cell(String(h.statusCounts[s] ?? 0))]),
      ...(h.unreadableStatus
        ? [[cell({ text: '? unreadable status', bold: true }), cell(String(h.unreadableStatus))]]
        : []),
    ],
  });
  blocks.push(
    para(
      { text: 'Anticipation: ', bold: true },
      h.anticipationRate === null || h.misses === 0
        ? 'No misses yet.'
        : `${percent(h.anticipationRate)} — ${h.anticipatedMisses} of ${plural(h.misses, 'miss', 'misses')} ` +
            `${h.anticipatedMisses === 1 || h.misses === 1 ? 'was' : 'were'} flagged Might miss at least one meeting ahead.`,
    ),
  );
  blocks.push(para({ text: 'Surprise misses', bold: true }, ' (On track straight to Missed):'));
  if (h.surpriseMisses.length === 0) blocks.push(para('None.'));
  else
    blocks.push({
      type: 'list',
      ordered: false,
      items: h.surpriseMisses.map((s) => [
        { text: s.milestone, bold: true },
        ` ${s.title} — ${s.owner ? ctx.nameOf(s.owner) : 'no owner'}${s.due ? `, due ${s.due}` : ''}`,
      ]),
    });
  const asked = h.responded.length + h.missingUpdates.length;
  blocks.push(
    para(
      { text: 'Response rate: ', bold: true },
      h.responseRate === null || asked === 0
        ? 'Nobody was asked for an update.'
        : `${h.responded.length} of ${plural(asked, 'owner')} responded (${percent(h.responseRate)}).`,
    ),
  );
  if (asked > 0) {
    blocks.push(
      para(
        { text: 'Not responded: ', bold: true },
        h.missingUpdates.length === 0
          ? 'everyone responded.'
          : `${h.missingUpdates
              .map((e) => ctx.nameOf(e))
              .sort(compareText)
              .join(', ')}.`,
      ),
    );
  }
  return blocks;
}

// ---------- cells and inlines ----------

function statusCell(status: Status): TableCell {
  return { content: [status], status };
}

/** A Milestones cell the register could not read ('Late', 'next week', 'Tom B'), as '? (unreadable: …)'. */
function unreadableCell(ctx: Context, m: Milestone, column: string): TableCell | undefined {
  const found = ctx.unreadable.get(m.row)?.get(column);
  return found === undefined ? undefined : cell({ text: unreadableText(found), bold: true });
}

function idCell(ctx: Context, m: Milestone): TableCell {
  return (m.id ? undefined : unreadableCell(ctx, m, 'ID')) ?? cell(m.id || DASH);
}

/** The title, and under it why the milestone is likely to slip when warnings.ts says so. */
function titleCell(ctx: Context, m: Milestone): TableCell {
  const warning = m.id ? ctx.warningOf.get(idKey(m.id)) : undefined;
  if (!warning) return cell(m.title);
  return cell(m.title, '\n', { text: 'Likely to slip: ', bold: true }, warning.reasons.join('; '));
}

function ownerCell(ctx: Context, m: Milestone): TableCell {
  if (m.owner) return cell(ctx.nameOf(m.owner));
  return unreadableCell(ctx, m, 'Owner') ?? cell(muted('No owner'));
}

function dueCell(ctx: Context, m: Milestone): TableCell {
  return (m.due ? undefined : unreadableCell(ctx, m, 'Due')) ?? cell(m.due ?? DASH);
}

/** The status; one the register could not read is '? (unreadable: Late)', never On track. */
function milestoneStatus(m: Milestone): TableCell {
  const found = unreadableStatus(m);
  return found ? cell({ text: unreadableText(found), bold: true }) : statusCell(m.status);
}

/** The forecast, with how far it is past the due date when it is. */
function forecastCell(ctx: Context, m: Milestone): TableCell {
  if (!m.forecast) return unreadableCell(ctx, m, 'Forecast') ?? cell(DASH);
  if (m.due && m.forecast > m.due) {
    const days = daysBetween(m.due, m.forecast);
    return cell(m.forecast, { text: ` (+${plural(days, 'day')})`, bold: true });
  }
  return cell(m.forecast);
}

function labelled(label: string, text: string): Inline[] {
  return [{ text: `${label}: `, bold: true }, text.trim() ? text.trim() : muted(DASH)];
}

function heading(level: 2 | 3, text: string, id: string): Block {
  return { type: 'heading', level, text, id };
}

function para(...content: Inline[]): Block {
  return { type: 'paragraph', content };
}

function muted(text: string): Inline {
  return { text, muted: true };
}

// ---------- formatting ----------

function clockMinutes(time: string): number {
  const m = /^(\d{1,2}):(\d{2})/.exec(time.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

function clock(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------- small helpers ----------

function sortMilestones(ms: Milestone[]): Milestone[] {
  return [...ms].sort(
    (a, b) => compareText(a.due ?? '9999', b.due ?? '9999') || compareText(a.id, b.id) || a.row - b.row,
  );
}

function idKey(id: string): string {
  return id.trim().toUpperCase();
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = v.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function uniqueId(used: Set<string>, prefix: string, text: string): string {
  const slug =
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x';
  let id = `${prefix}-${slug}`;
  for (let i = 2; used.has(id); i++) id = `${prefix}-${slug}-${i}`;
  used.add(id);
  return id;
}
