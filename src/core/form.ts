/**
 * The update form, as a spec every runtime builds its own way (Forms API requests in the Node
 * job, FormApp in Apps Script), and the two mappings around it: a person's pre-filled answers,
 * and a response's answers back to a submission.
 *
 * Shape (docs/architecture.md §3): a first "Who is updating?" question whose options branch to one
 * section per owner; in each section a grid of the owner's open milestones × statuses, a
 * forecast date and a comment per milestone, then wins, learnings, help needed and "help from".
 * The Forms API cannot set where a section goes when it ends (Apps Script's setGoToPage has no
 * REST equivalent), so "help from" — a required choice that closes every section — sends each
 * of its options to SUBMIT_FORM: an owner never walks on into the next owner's section.
 *
 * Every item and question id is chosen here, from a key (`status:M-0001`, `wins:ann@…`), so the
 * same milestone keeps the same question id in every week's form, and a response is read by
 * question id — never by title or position — even when it answers an older form.
 */

import { openActionsByOwner } from './actions';
import { clipLine, formatDate, formatDateTime } from './format';
import { unreadableStatus } from './problems';
import { isOpen, OWNER_STATUSES } from './register';
import { meetingTimes } from './schedule';
import { askedMembers } from './topics';
import type { ActionRow, Meeting, Milestone, Person, Register } from './types';

/** The answer of "help from" that asks nobody. */
export const NO_HELP = 'No help needed';

/** What a "Who is updating?" option ends with when it says "no change this week" (and submits). */
export const NO_CHANGE_SUFFIX = ' — no change this week';

export interface FormQuestionSpec {
  /** Forms item id (8 hex digits, 00000000–7fffffff). */
  itemId: string;
  /** Forms question id (same form). */
  questionId: string;
  title: string;
  description?: string;
}

export interface FormMilestoneSpec {
  milestone: string;
  /** The grid row of this milestone (the row's question id). */
  statusQuestionId: string;
  rowTitle: string;
  forecast: FormQuestionSpec;
  comment: FormQuestionSpec;
}

/**
 * What an owner may answer of one of their open tracked actions: still open, or done (the
 * process manager drops actions, in the register: never the owner).
 */
export const ACTION_CHOICES = ['Open', 'Done'] as const;

/** One open tracked action of the owner (Actions tab): its status question and a short note. */
export interface FormActionSpec {
  action: string;
  /** 'A-0003 · <action> (due 15 Dec 2026)'; choices ACTION_CHOICES, no section navigation. */
  status: FormQuestionSpec & { options: string[] };
  /** A one-line note (a short answer). */
  note: FormQuestionSpec;
}

export interface FormSectionSpec {
  /** The section's page-break item id: where "Who is updating?" sends this owner. */
  itemId: string;
  owner: string;
  title: string;
  description: string;
  /** The grid item (absent when the owner has no open milestone). */
  grid?: { itemId: string; title: string; columns: string[] };
  milestones: FormMilestoneSpec[];
  /** The owner's open tracked actions, oldest due first ([] when they have none). */
  actions: FormActionSpec[];
  wins: FormQuestionSpec;
  learnings: FormQuestionSpec;
  helpNeeded: FormQuestionSpec;
  /** "Raise a topic for the meeting": becomes a `raised` topic, ranked like any other. */
  topic: FormQuestionSpec;
  /**
   * Required; options [NO_HELP, ...groups, ...people] plus "Other" (free text); every option
   * submits the form.
   */
  helpFrom: FormQuestionSpec & { options: string[] };
}

export interface FormSpec {
  meeting: string;
  title: string;
  /** Says the meeting, the answer deadline, and that an answer after the pack is built is late. */
  description: string;
  /** When answers are due (ISO instant); '' without a meeting. */
  deadline: string;
  /** When the meeting's pack is built (ISO instant): an answer from then on is marked late. */
  packAt: string;
  /**
   * What the form says once an answer is sent, where the runtime can say it (Apps Script's
   * confirmation message; the Forms API has no such setting, so there the description says it).
   */
  confirmation: string;
  who: FormQuestionSpec & {
    options: { value: string; email: string; sectionId: string }[];
    /** One per owner: "<option> — no change this week", which submits the form at once. */
    noChange: { value: string; email: string }[];
  };
  sections: FormSectionSpec[];
}

/** One response as every runtime normalises it: answers by question id. */
export interface FormResponseInput {
  responseId: string;
  /** ISO-8601 instant of the last submit (an edited response keeps its id, with a new time). */
  submittedAt: string;
  /** The verified respondent email; '' when the form did not collect it. */
  email: string;
  answers: Record<string, string[]>;
}

// ---------- ids ----------

/** FNV-1a (32 bits) over UTF-16 units: a short stable hash of a text. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A key's hash folded into Forms' id range 00000000–7fffffff. */
function hashId(text: string): string {
  return (fnv1a(text) & 0x7fffffff).toString(16).padStart(8, '0');
}

/**
 * Ids of every key, distinct: keys are taken in sorted order and a key whose hash is taken
 * probes `key#1`, `key#2`… So ids depend only on the set of keys, and a key keeps its id unless
 * a new key that sorts before it lands on the same hash (one chance in ~10⁵ at 10,000
 * milestones; the response then reads as its new owner's and the owner check rejects it).
 */
export function formItemIds(keys: Iterable<string>): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const key of [...new Set(keys)].sort()) {
    let id = hashId(key);
    for (let n = 1; taken.has(id); n++) id = hashId(`${key}#${n}`);
    taken.add(id);
    ids.set(key, id);
  }
  return ids;
}

const PERSON_FIELDS = ['section', 'grid', 'wins', 'learnings', 'help', 'topic', 'helpFrom'] as const;
const MILESTONE_FIELDS = ['status', 'forecast', 'comment'] as const;
const ACTION_FIELDS = ['action', 'actionNote'] as const;

/** Every id key of the register: items are `item:KEY`, questions `q:KEY`. */
function idKeys(register: Register): string[] {
  const keys = ['item:who', 'q:who'];
  for (const p of register.team) {
    for (const f of PERSON_FIELDS) keys.push(`item:${f}:${p.email}`, `q:${f}:${p.email}`);
  }
  for (const m of register.milestones) {
    if (!m.id) continue;
    for (const f of MILESTONE_FIELDS) keys.push(`item:${f}:${m.id}`, `q:${f}:${m.id}`);
  }
  // Every action with an ID, whatever its status: an answer to last week's form (an action done
  // since) is still read by its question id.
  for (const a of register.actions) {
    if (!a.id) continue;
    for (const f of ACTION_FIELDS) keys.push(`item:${f}:${a.id}`, `q:${f}:${a.id}`);
  }
  return keys;
}

interface IdBook {
  item(key: string): string;
  question(key: string): string;
  /** Question id → its key ('status:M-0001', 'wins:ann@…', 'who'). */
  keyOf(questionId: string): string | undefined;
}

function idBook(register: Register): IdBook {
  const ids = formItemIds(idKeys(register));
  const byQuestion = new Map<string, string>();
  for (const [key, id] of ids) if (key.startsWith('q:')) byQuestion.set(id, key.slice(2));
  const get = (key: string) => {
    const id = ids.get(key);
    if (id === undefined) throw new Error(`No form id for ${key}`);
    return id;
  };
  return {
    item: (key) => get(`item:${key}`),
    question: (key) => get(`q:${key}`),
    keyOf: (id) => byQuestion.get(id.toLowerCase()),
  };
}

// ---------- the spec ----------

function whoValue(p: Person): string {
  return `${p.name} (${p.email})`;
}

function rowTitle(m: Milestone): string {
  return `${m.id} · ${m.title}${m.due ? ` (due ${formatDate(m.due)})` : ''}`;
}

/** The action's question: 'A-0003 · <action on one line, clipped> (due 15 Dec 2026)'. */
function actionTitle(a: ActionRow): string {
  return `${a.id} · ${clipLine(a.action, ACTION_TITLE_CHARS)}${a.due ? ` (due ${formatDate(a.due)})` : ''}`;
}
/** How much of an action's text its question title shows (a decision may run to paragraphs). */
const ACTION_TITLE_CHARS = 200;

function helpFromOptions(register: Register): string[] {
  const groups = [...new Set(register.team.filter((p) => p.active && p.group).map((p) => p.group))].sort();
  const people = register.team.filter((p) => p.active).map((p) => p.name);
  return [...new Set([NO_HELP, ...groups, ...people])];
}

/** The update form of `meeting`: one section per owner with open milestones. */
/**
 * Who may answer the update form: every active member of the team and the delegates they name
 * (a delegate answers for someone), lower-case, sorted. Runtimes share the form with exactly
 * these people and take the access of anyone else away.
 */
export function formResponders(register: Register): string[] {
  const out = new Set<string>();
  for (const p of register.team) {
    if (!p.active) continue;
    if (p.email) out.add(p.email.trim().toLowerCase());
    for (const d of (p.delegate ?? '').split(/[,;]/))
      if (d.trim().includes('@')) out.add(d.trim().toLowerCase());
  }
  return [...out].sort();
}

export function formSpec(register: Register, meeting: Meeting | undefined): FormSpec {
  const ids = idBook(register);
  const s = register.settings;
  const owners = askedMembers(register);
  const help = helpFromOptions(register);
  const actions = openActionsByOwner(register);
  const q = (key: string, title: string, description?: string): FormQuestionSpec => ({
    itemId: ids.item(key),
    questionId: ids.question(key),
    title,
    ...(description ? { description } : {}),
  });
  const sections = owners.map((p): FormSectionSpec => {
    const theirs = register.milestones.filter((m) => m.id && m.owner === p.email && isOpen(m));
    return {
      itemId: ids.item(`section:${p.email}`),
      owner: p.email,
      title: `Update from ${p.name}`,
      description: theirs.length
        ? `${theirs.length} open milestone${theirs.length === 1 ? '' : 's'}. Flag "Might miss" early; give a forecast date when it moves.`
        : actions.get(p.email)?.length
          ? 'No open milestones: your open actions, then wins, learnings and help.'
          : 'No open milestones: wins, learnings and help only.',
      ...(theirs.length
        ? {
            grid: {
              itemId: ids.item(`grid:${p.email}`),
              title: 'Status of each milestone',
              columns: [...OWNER_STATUSES],
            },
          }
        : {}),
      milestones: theirs.map((m) => ({
        milestone: m.id,
        statusQuestionId: ids.question(`status:${m.id}`),
        rowTitle: rowTitle(m),
        forecast: q(`forecast:${m.id}`, `Forecast date — ${m.id}`, m.title),
        comment: q(`comment:${m.id}`, `Comment — ${m.id}`, m.title),
      })),
      actions: (actions.get(p.email) ?? []).map((a) => actionSpec(a, q)),
      wins: q(`wins:${p.email}`, 'Wins since the last meeting'),
      learnings: q(`learnings:${p.email}`, 'Learnings worth sharing'),
      helpNeeded: q(`help:${p.email}`, 'Where do you need help?'),
      topic: q(
        `topic:${p.email}`,
        'Raise a topic for the meeting',
        'Optional: something the leadership team should discuss. It is ranked with the other topics.',
      ),
      helpFrom: {
        ...q(`helpFrom:${p.email}`, 'Help needed from', 'A group or a person; this sends your update.'),
        options: help,
      },
    };
  });
  return {
    ...formIntro(meeting, s),
    who: {
      ...q(
        'who',
        'Who is updating?',
        'Choose yourself, or the person you are covering for as their delegate.',
      ),
      options: owners.map((p) => ({
        value: whoValue(p),
        email: p.email,
        sectionId: ids.item(`section:${p.email}`),
      })),
      noChange: owners.map((p) => ({ value: `${whoValue(p)}${NO_CHANGE_SUFFIX}`, email: p.email })),
    },
    sections,
  };
}

/** The questions of one open tracked action: "Open" or "Done", and a one-line note. */
function actionSpec(
  a: ActionRow,
  q: (key: string, title: string, description?: string) => FormQuestionSpec,
): FormActionSpec {
  return {
    action: a.id,
    status: {
      ...q(
        `action:${a.id}`,
        actionTitle(a),
        'Your action from a meeting: still open, or done? (The process manager drops actions, in the register.)',
      ),
      options: [...ACTION_CHOICES],
    },
    note: q(`actionNote:${a.id}`, `Note — ${a.id}`, 'Optional, one line.'),
  };
}

/** The form's title and what it says first: the meeting, the deadline, the late rule, "no change". */
function formIntro(
  meeting: Meeting | undefined,
  s: Register['settings'],
): Pick<FormSpec, 'meeting' | 'deadline' | 'packAt' | 'confirmation' | 'title' | 'description'> {
  const link = 'Use the link in your email: it opens with your milestones filled in as they stand.';
  const noChange = 'Nothing changed? Choose your name "— no change this week" and send.';
  if (!meeting) {
    return {
      meeting: '',
      deadline: '',
      packAt: '',
      confirmation: 'Thank you: your update is recorded.',
      title: 'Milestone update',
      description: `Your update for the next milestone meeting. ${link} ${noChange}`,
    };
  }
  const times = meetingTimes(meeting, s);
  const late = lateNote(times.pack, s.timeZone);
  return {
    meeting: meeting.date,
    deadline: times.deadline,
    packAt: times.pack,
    confirmation: `Thank you: your update is recorded. ${late}`,
    title: `Milestone update — meeting on ${formatDate(meeting.date)}`,
    description: `Your update for the milestone meeting on ${formatDate(meeting.date)}, due by ${formatDateTime(times.deadline, s.timeZone)}. ${late} ${link} ${noChange}`,
  };
}

/** What every form says of answers sent once the pack is built (`packAt`). */
export function lateNote(packAt: string, timeZone: string): string {
  return `The meeting pack is built at ${formatDateTime(packAt, timeZone)}: an update sent after that is still recorded, marked late, and shown as late in the pack.`;
}

// ---------- pre-filled answers ----------

/**
 * What a person's link fills in: who is updating, each milestone's status (none when its Status
 * cell is unreadable) and forecast, each open action's status.
 */
export function prefillAnswers(spec: FormSpec, register: Register, owner: string): Record<string, string> {
  const option = spec.who.options.find((o) => o.email === owner);
  const section = spec.sections.find((s) => s.owner === owner);
  if (!option || !section) return {};
  const answers: Record<string, string> = { [spec.who.questionId]: option.value };
  for (const m of section.milestones) {
    const row = register.milestones.find((r) => r.id === m.milestone);
    if (!row) continue;
    // A Status cell the register could not read is a problem to fix, not "On track": the owner chooses.
    if (!unreadableStatus(row)) answers[m.statusQuestionId] = row.status;
    if (row.forecast) answers[m.forecast.questionId] = row.forecast;
  }
  for (const a of section.actions) {
    const row = register.actions.find((r) => r.id === a.action);
    if (row && (ACTION_CHOICES as readonly string[]).includes(row.status))
      answers[a.status.questionId] = row.status;
  }
  answers[section.helpFrom.questionId] = NO_HELP;
  return answers;
}

/** The answers of a one-click "no change this week" link: the owner's "no change" option. */
export function noChangeAnswers(spec: FormSpec, owner: string): Record<string, string> {
  const option = spec.who.noChange.find((o) => o.email === owner);
  return option ? { [spec.who.questionId]: option.value } : {};
}

/**
 * A pre-filled link: Google's `viewform?usp=pp_url&entry.N=value` form, where N is the
 * question id read as a hexadecimal number (the Forms API has no method for it; Apps Script's
 * toPrefilledUrl builds the same). Grid rows take their row question's entry.
 */
export function prefilledUrl(responderUri: string, answers: Record<string, string>): string {
  const params = Object.entries(answers).map(
    ([id, value]) => `entry.${Number.parseInt(id, 16)}=${encodeURIComponent(value)}`,
  );
  const base = responderUri.replace(/[?#].*$/, '');
  return `${base}?usp=pp_url${params.length ? `&${params.join('&')}` : ''}`;
}

/** The answers a pre-filled link carries, by question id (the inverse of prefilledUrl). */
export function answersOfPrefilledUrl(url: string): Record<string, string> {
  const query = url.split('?')[1] ?? '';
  const answers: Record<string, string> = {};
  for (const part of query.split('&')) {
    const m = /^entry\.(\d+)=(.*)$/.exec(part);
    if (!m) continue;
    answers[Number(m[1]).toString(16).padStart(8, '0')] = decodeURIComponent(m[2]!.replace(/\+/g, ' '));
  }
  return answers;
}

// ---------- responses back to submissions ----------

/** The email a "Who is updating?" answer names: by the current options, else the "(email)" it ends with. */
function whoEmail(register: Register, value: string): string | undefined {
  const v = withoutNoChange(value).trim();
  const person = register.team.find((p) => whoValue(p) === v);
  if (person) return person.email;
  const m = /\(([^()\s]+@[^()\s]+)\)\s*$/.exec(v);
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * The submission of one form response (docs/architecture.md §3): answers read by question id; the
 * respondent is the verified email; "Who is updating?" becomes `onBehalfOf`, which ingestion
 * checks against the respondent (themselves, or someone they are the delegate of). Wins,
 * learnings and help come from the chosen person's section only.
 */
export function submissionOfFormResponse(register: Register, response: FormResponseInput) {
  return formResponseReader(register)(response);
}

/**
 * Reads any number of form responses against one register: the form's id map is built once
 * (it hashes every milestone's keys: about 150 ms at 10,000 milestones), so a sync's ingestion
 * is linear in its responses.
 */
export function formResponseReader(register: Register) {
  const ids = idBook(register);
  return (response: FormResponseInput) => readResponse(register, ids, response);
}

function readResponse(register: Register, ids: IdBook, response: FormResponseInput) {
  const statuses: Record<string, string> = {};
  const forecasts: Record<string, string> = {};
  const comments: Record<string, string> = {};
  const actions: Record<string, string> = {};
  const actionNotes: Record<string, string> = {};
  const personal: Record<string, Record<string, string>> = {};
  let who: string | undefined;
  let noChange = false;
  for (const [questionId, values] of Object.entries(response.answers)) {
    const key = ids.keyOf(questionId);
    const value = (values ?? []).join(', ').trim();
    if (!key || !value) continue;
    const [field, subject] = splitKey(key);
    if (field === 'who') {
      who = whoEmail(register, value) ?? withoutNoChange(value);
      noChange = isNoChange(value);
    } else if (field === 'status') statuses[subject] = value;
    else if (field === 'forecast') forecasts[subject] = value;
    else if (field === 'comment') comments[subject] = value;
    else if (field === 'action') actions[subject] = value;
    else if (field === 'actionNote') actionNotes[subject] = value;
    else personal[subject] = { ...personal[subject], [field]: value };
  }
  const own = personal[who ?? response.email.toLowerCase()] ?? {};
  const helpFrom = own.helpFrom ?? '';
  return {
    responseId: response.responseId,
    submittedAt: response.submittedAt,
    email: response.email,
    ...(who !== undefined ? { onBehalfOf: who } : {}),
    statuses,
    forecasts,
    comments,
    wins: own.wins ?? '',
    learnings: own.learnings ?? '',
    helpNeeded: own.help ?? '',
    helpFrom: helpFrom === NO_HELP ? '' : helpFrom,
    ...(noChange ? { noChange: true } : {}),
    ...(own.topic ? { raisedTopic: own.topic } : {}),
    ...(Object.keys(actions).length ? { actions } : {}),
    ...(Object.keys(actionNotes).length ? { actionNotes } : {}),
  };
}

/** True when a "Who is updating?" answer is a "no change this week" option. */
function isNoChange(value: string): boolean {
  return value.trim().endsWith(NO_CHANGE_SUFFIX.trim());
}

function withoutNoChange(value: string): string {
  const v = value.trim();
  return isNoChange(v) ? v.slice(0, v.length - NO_CHANGE_SUFFIX.trim().length) : v;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)];
}

/**
 * The answers a person gives when they send `submission` through the form: "Who is updating?"
 * names `onBehalfOf` (or the owner of the milestones it updates), then that owner's section.
 * The emulator's respond command and tests fill the form with it, as a person would.
 */
export function answersOfSubmission(
  spec: FormSpec,
  register: Register,
  submission: {
    email: string;
    onBehalfOf?: string;
    statuses?: Record<string, string>;
    forecasts?: Record<string, string>;
    comments?: Record<string, string>;
    wins?: string;
    learnings?: string;
    helpNeeded?: string;
    helpFrom?: string;
    noChange?: boolean;
    raisedTopic?: string;
    actions?: Record<string, string>;
    actionNotes?: Record<string, string>;
  },
): Record<string, string[]> {
  const ids = [
    ...Object.keys(submission.statuses ?? {}),
    ...Object.keys(submission.forecasts ?? {}),
    ...Object.keys(submission.comments ?? {}),
  ].map((id) => id.trim().toUpperCase());
  const ownerOfLine = register.milestones.find((m) => ids.includes(m.id))?.owner;
  const owner = submission.onBehalfOf ?? ownerOfLine ?? submission.email;
  const option = spec.who.options.find((o) => o.email === owner);
  const section = spec.sections.find((s) => s.owner === owner);
  const answers: Record<string, string[]> = {};
  answers[spec.who.questionId] = [option?.value ?? owner];
  if (submission.noChange) {
    // The "no change" option submits the form at once: no section is answered.
    answers[spec.who.questionId] = [spec.who.noChange.find((o) => o.email === owner)?.value ?? owner];
    return answers;
  }
  if (!section) return answers;
  const put = (id: string, value: string | undefined) => {
    if (value?.trim()) answers[id] = [value];
  };
  const byId = (map: Record<string, string> | undefined, id: string) =>
    Object.entries(map ?? {}).find(([k]) => k.trim().toUpperCase() === id)?.[1];
  for (const m of section.milestones) {
    put(m.statusQuestionId, byId(submission.statuses, m.milestone));
    put(m.forecast.questionId, byId(submission.forecasts, m.milestone));
    put(m.comment.questionId, byId(submission.comments, m.milestone));
  }
  for (const a of section.actions) {
    put(a.status.questionId, byId(submission.actions, a.action));
    put(a.note.questionId, byId(submission.actionNotes, a.action));
  }
  put(section.wins.questionId, submission.wins);
  put(section.learnings.questionId, submission.learnings);
  put(section.helpNeeded.questionId, submission.helpNeeded);
  put(section.topic.questionId, submission.raisedTopic);
  const from = submission.helpFrom?.trim();
  const option2 = from
    ? (section.helpFrom.options.find((o) => o.toLowerCase() === from.toLowerCase()) ??
      section.helpFrom.options.find(
        (o) => o === register.team.find((p) => p.email === from.toLowerCase())?.name,
      ))
    : undefined;
  // Text that is none of the options goes in "Other", as a person would type it.
  answers[section.helpFrom.questionId] = [option2 || from || NO_HELP];
  return answers;
}
