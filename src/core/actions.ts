/**
 * Actions that come back (docs/architecture.md §5): each decision recorded in the Topics tab
 * (`Decision / action`, `Action owner`, `Action due`; or a topic to `Handle offline`) becomes a
 * tracked action with its own ID in the Actions tab at the wrap-up of its meeting; the next pack
 * opens Part 2 with the actions
 * of the last meeting and their status; at a glance lists those due or overdue; a topic decided
 * before keeps the decision when it returns; and an action the manager marks `Make milestone`
 * becomes a milestone at the next sync (same owner, due date, and the priority of its topic's
 * milestone), its ID written back on the action. Pure: every rule returns rows and writes for a
 * shell to apply.
 */
import { fitCell } from './cells';
import { daysBetween } from './dates';
import type { Block, Inline } from './document';
import { clipLine, formatDate, plural } from './format';
import { ACTION_ID_PATTERN, resolvePerson } from './register';
import { identityOf } from './topics';
import type {
  ActionRow,
  CellWrite,
  Meeting,
  Milestone,
  Problem,
  Register,
  RowAppend,
  Topic,
  TopicRow,
} from './types';

const actionIdText = (n: number) => `A-${String(n).padStart(4, '0')}`;

/** The number the next action ID takes: one above the highest in the Actions tab. */
function nextActionNumber(register: Register): number {
  let max = 0;
  for (const a of register.actions) {
    const m = ACTION_ID_PATTERN.exec(a.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

export interface TrackedActions {
  /** The Actions rows to add, one per decision not yet tracked. */
  appends: RowAppend[];
  /** The actions those rows hold, as the register will read them. */
  actions: ActionRow[];
  /** An action with no owner (or one nobody on the Team tab has) or no due date. */
  problems: Problem[];
}

/**
 * The decisions of the `meetings` being wrapped up as tracked actions: every Topics row of those
 * meetings with a `Decision / action`, in Topics row order, that the Actions tab does not hold yet
 * (by Topic ID: wrapping up again never adds an action twice).
 */
export function trackActions(register: Register, meetings: readonly Meeting[]): TrackedActions {
  const out: TrackedActions = { appends: [], actions: [], problems: [] };
  const tracked = new Set(register.actions.map((a) => a.topicId.toLowerCase()).filter(Boolean));
  const dates = new Set(meetings.map((m) => m.date));
  let next = nextActionNumber(register);
  const rows = register.topics
    .filter((t) => t.meeting && dates.has(t.meeting) && t.topicId && actionText(t))
    .sort((a, b) => a.row - b.row);
  for (const t of rows) {
    if (tracked.has(t.topicId.toLowerCase())) continue;
    tracked.add(t.topicId.toLowerCase());
    const id = actionIdText(next++);
    const person = resolvePerson(register.team, t.actionOwner);
    const action: ActionRow = {
      row: -1 - out.actions.length,
      id,
      action: actionText(t),
      owner: person?.email ?? t.actionOwner.trim(),
      ownerEmail: person?.email ?? '',
      due: t.actionDue,
      status: 'Open',
      meeting: t.meeting,
      topicId: t.topicId,
      milestones: t.milestone
        .split(/[\s,;]+/)
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
      makeMilestone: false,
      createdMilestone: '',
    };
    out.actions.push(action);
    out.appends.push({
      tab: 'Actions',
      values: {
        ID: id,
        Action: fitCell(action.action),
        Owner: action.owner,
        Due: action.due ?? '',
        Status: 'Open',
        'From meeting': t.meeting ?? '',
        'Topic ID': t.topicId,
        Milestone: action.milestones.join(', '),
      },
      dates: { Due: 'date', 'From meeting': 'date' },
    });
    out.problems.push(...actionWarnings(t, action));
  }
  return out;
}

/**
 * What a Topics row asks to be done: its `Decision / action`, or — a topic handed to its Action
 * owner without discussion (`Handle offline`) — the topic itself. '' when it asks nothing.
 */
function actionText(t: TopicRow): string {
  if (t.decision.trim()) return t.decision.trim();
  return t.outcome === 'Handle offline' && t.actionOwner.trim() ? `Handle offline: ${t.topic}` : '';
}

/** Wrap-up's warnings about an action that nobody owns or that has no date. */
function actionWarnings(t: TopicRow, a: ActionRow): Problem[] {
  const what = `the action “${clipLine(a.action, 80)}” (${a.id})`;
  const warn = (column: string, value: string, expected: string, says: string): Problem => ({
    severity: 'warning',
    tab: 'Topics',
    row: t.row,
    column,
    value,
    expected,
    message: `Topics, row ${t.row}: ${what} ${says}; set it in the Actions tab, or set its Status to Dropped if nothing is to be done.`,
  });
  const out: Problem[] = [];
  if (!t.actionOwner.trim()) out.push(warn('Action owner', '', 'one accountable owner', 'has no owner'));
  else if (!a.ownerEmail)
    out.push(
      warn(
        'Action owner',
        t.actionOwner,
        'the email (or unique name) of someone on the Team tab',
        `names “${t.actionOwner.trim()}”, who is not on the Team tab`,
      ),
    );
  if (!a.due) out.push(warn('Action due', '', 'a due date', 'has no due date'));
  return out;
}

// ---------- actions that become milestones ----------

/** An action the manager marked `Make milestone` that has no milestone yet, and can have one. */
export interface MilestoneRequest {
  action: ActionRow;
  owner: string;
  due: string;
  priority: string;
}

/**
 * The actions to make milestones of (Make milestone: yes, no Created milestone, not Dropped), and
 * problems for those that cannot be made yet: a milestone needs one accountable owner and a date.
 */
export function milestoneRequests(register: Register): { requests: MilestoneRequest[]; problems: Problem[] } {
  const requests: MilestoneRequest[] = [];
  const problems: Problem[] = [];
  const byId = new Map(register.milestones.filter((m) => m.id).map((m) => [m.id, m]));
  for (const a of register.actions) {
    if (!a.makeMilestone || a.createdMilestone || a.status === 'Dropped' || !a.id) continue;
    const missing = [!a.ownerEmail ? 'Owner' : '', !a.due ? 'Due' : ''].filter(Boolean);
    if (missing.length) {
      problems.push({
        severity: 'warning',
        tab: 'Actions',
        row: a.row,
        column: missing[0],
        value: missing[0] === 'Owner' ? a.owner : '',
        expected: missing.join(' and '),
        message: `Actions, row ${a.row}: ${a.id} is marked Make milestone, but a milestone needs ${missing.map((m) => (m === 'Owner' ? 'an owner on the Team tab' : 'a due date')).join(' and ')}; no milestone is made until it has them.`,
      });
      continue;
    }
    const priority = a.milestones.map((id) => byId.get(id)?.priority ?? '').find(Boolean) ?? '';
    requests.push({ action: a, owner: a.ownerEmail, due: a.due!, priority });
  }
  return { requests, problems };
}

/**
 * The milestone each request becomes, given its new ID: the Milestones row to add (only if the
 * action's Created milestone is written too), that write, and the milestone as the register
 * will read it.
 */
export function milestoneFromAction(
  request: MilestoneRequest,
  id: string,
  index: number,
): { append: RowAppend; write: CellWrite; milestone: Milestone } {
  const { action: a } = request;
  const title = fitCell(a.action);
  const notes = `Made from action ${a.id}${a.meeting ? ` (meeting ${a.meeting})` : ''}`;
  return {
    append: {
      tab: 'Milestones',
      values: {
        ID: id,
        Priority: request.priority,
        Milestone: title,
        Owner: request.owner,
        Due: request.due,
        Status: 'On track',
        Notes: notes,
      },
      dates: { Due: 'date' },
      requires: [{ tab: 'Actions', key: a.id }],
    },
    write: {
      tab: 'Actions',
      ref: { by: 'key', header: 'ID', value: a.id },
      column: 'Created milestone',
      value: id,
      previous: '',
    },
    milestone: {
      id,
      row: -1000 - index,
      priority: request.priority,
      title,
      owner: request.owner,
      due: request.due,
      status: 'On track',
      statusCell: 'On track',
      forecastCell: '',
      dependsOn: [],
      notes,
      cells: { id, status: 'On track', forecast: null, lastUpdate: null },
    },
  };
}

// ---------- who owns what ----------

/**
 * Each person's open actions (by Team email, lower case), oldest due first: what their weekly
 * update can ask about. Actions whose owner is not on the Team tab are left out.
 */
export function openActionsByOwner(register: Register): Map<string, ActionRow[]> {
  const out = new Map<string, ActionRow[]>();
  const open = register.actions
    .filter((a) => a.status === 'Open' && a.ownerEmail && a.id)
    .sort((a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999') || a.id.localeCompare(b.id));
  for (const a of open) out.set(a.ownerEmail, [...(out.get(a.ownerEmail) ?? []), a]);
  return out;
}

/** Open actions due on or before `date` (the meeting's): overdue first. */
export function dueActions(register: Register, date: string): ActionRow[] {
  return register.actions
    .filter((a) => a.status === 'Open' && a.id && a.due && a.due <= date)
    .sort((a, b) => a.due!.localeCompare(b.due!) || a.id.localeCompare(b.id));
}

/**
 * The actions a meeting's pack reports: those decided at the last meeting before it (whatever
 * their status), then older ones still open.
 */
export function actionsToReport(register: Register, meeting: Meeting, previous?: Meeting): ActionRow[] {
  const last = previous?.date;
  const fromLast = register.actions.filter((a) => a.id && last && a.meeting === last);
  const older = register.actions.filter(
    (a) => a.id && a.status === 'Open' && a.meeting && a.meeting < (last ?? meeting.date),
  );
  return [...fromLast, ...older.sort((a, b) => (a.meeting ?? '').localeCompare(b.meeting ?? ''))];
}

// ---------- a topic that returns ----------

export interface EarlierDecision {
  meeting: string;
  decision: string;
  /** The tracked action of that decision, when there is one. */
  actionId?: string;
}

/**
 * The latest decision on the same topic at an earlier meeting (by topic identity): a topic
 * Resolved (or decided) before that comes back carries it.
 */
export function earlierDecision(register: Register, topic: Topic): EarlierDecision | undefined {
  const earlier = register.topics
    .filter(
      (t) =>
        t.meeting &&
        t.meeting < topic.meeting &&
        t.topicId &&
        identityOf(t.topicId) === topic.identity &&
        (t.outcome === 'Resolved' || (t.decision.trim() && t.outcome !== 'Deferred')),
    )
    .sort((a, b) => (a.meeting! < b.meeting! ? 1 : a.meeting! > b.meeting! ? -1 : 0));
  const t = earlier[0];
  if (!t) return undefined;
  const action = register.actions.find((a) => a.topicId.toLowerCase() === t.topicId.toLowerCase());
  return { meeting: t.meeting!, decision: t.decision.trim(), ...(action ? { actionId: action.id } : {}) };
}

/** 'decided at meeting 26 Nov 2026 (A-0002): Annual plans launch…' */
export function earlierDecisionText(d: EarlierDecision, limit = LINE_TEXT): string {
  const what = d.decision ? `: ${clipLine(d.decision, limit)}` : ' (resolved)';
  return `decided at meeting ${formatDate(d.meeting)}${d.actionId ? ` (${d.actionId})` : ''}${what}`;
}

// ---------- in the pack ----------

export const ACTIONS_TITLE = 'Actions from last meeting';
/** Lines of the actions list in a pack; the rest are counted (the Actions tab has them all). */
const ACTION_LINES = 8;
const LINE_TEXT = 110;

/** How an action stands at `date`: 'Open', 'Open, 3 days overdue', 'Done'…, and its milestone. */
export function actionState(a: ActionRow, date: string): Inline[] {
  const out: Inline[] = [];
  const late = a.status === 'Open' && a.due ? daysBetween(a.due, date) : 0;
  if (late > 0) out.push({ text: `Open, ${plural(late, 'day')} overdue`, bold: true });
  else out.push(a.status === 'Done' ? { text: 'Done', status: 'Done' } : a.status);
  if (a.createdMilestone) out.push(muted(` → milestone ${a.createdMilestone}`));
  return out;
}

/** One line per action: 'A-0001 Ship seat-based billing — Marcus Hall, due 4 Dec: Open'. */
export function actionLine(a: ActionRow, date: string, nameOf: (who: string) => string): Inline[] {
  const who = a.ownerEmail ? nameOf(a.ownerEmail) : a.owner ? `${a.owner} (not on the Team tab)` : 'no owner';
  return [
    { text: a.id, bold: true },
    ` ${clipLine(a.action, LINE_TEXT)} — ${who}, ${a.due ? `due ${shortDate(a.due, date)}` : 'no due date'}: `,
    ...actionState(a, date),
  ];
}

/**
 * "Actions from last meeting", as a short heading and one line per action (nothing when there
 * are none): the pack opens Part 2 with it, and the pack email carries it.
 */
export function actionBlocks(
  register: Register,
  meeting: Meeting,
  previous: Meeting | undefined,
  nameOf: (who: string) => string,
): Block[] {
  const actions = actionsToReport(register, meeting, previous);
  if (actions.length === 0) return [];
  const shown = actions.slice(0, ACTION_LINES);
  const items = shown.map((a) => {
    const line = actionLine(a, meeting.date, nameOf);
    if (previous && a.meeting !== previous.date && a.meeting)
      line.push(muted(` (from ${shortDate(a.meeting, meeting.date)})`));
    return line;
  });
  const blocks: Block[] = [
    { type: 'heading', level: 3, text: ACTIONS_TITLE, id: 'actions' },
    { type: 'list', ordered: false, items },
  ];
  if (shown.length < actions.length)
    blocks.push({
      type: 'paragraph',
      content: [muted(`… and ${plural(actions.length - shown.length, 'more action')}: see the Actions tab.`)],
    });
  return blocks;
}

// ---------- helpers ----------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '4 Dec' ('4 Dec 2027' in another year than `today`'s). */
function shortDate(date: string, today: string): string {
  const [y, mo, d] = date.split('-');
  return `${Number(d)} ${MONTHS[Number(mo) - 1]}${y === today.slice(0, 4) ? '' : ` ${y}`}`;
}

function muted(text: string): Inline {
  return { text, muted: true };
}
