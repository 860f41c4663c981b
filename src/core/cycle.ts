/**
 * The phases of the milestone cycle, each a pure function from a snapshot (and `now`) to a
 * plan. Shells read, call one of these, and apply what comes back.
 */
import { milestoneFromAction, milestoneRequests, trackActions } from './actions';
import { fitCell } from './cells';
import { dateInZone } from './dates';
import type { Document } from './document';
import { digestEmail, packEmail, requestEmail, type UnresolvedOwner, unresolvedOwnersEmail } from './emails';
import { type FormSpec, formSpec, prefillAnswers, prefilledUrl } from './form';
import { computeHealth } from './health';
import { RUNG_COLUMN, type Rung } from './ladder';
import { normaliseName, SETTINGS, TABS, type TabName } from './layout';
import { buildPack } from './pack';
import { currentProblems } from './problems';
import { cellText, ID_PATTERN, isOpen, readRegister } from './register';
import {
  meetingStart,
  meetingsToAdd,
  meetingsToWrapUp,
  previousMeeting,
  reminderStep,
  upcomingMeeting,
} from './schedule';
import { askedMembers, identityOf, respondents, topicsFor } from './topics';
import type {
  ActionRow,
  CellWrite,
  Email,
  Health,
  Meeting,
  Plan,
  Problem,
  RawSubmission,
  Register,
  RowAppend,
  Snapshot,
  Topic,
  TopicRow,
} from './types';
import {
  ACTION_STATUS_FIELD,
  type AppliedChange,
  type IngestRecord,
  ingest,
  type Rejection,
} from './updates';

export class RegisterError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}

const emptyPlan = (register: Register): Plan => ({
  timeZone: register.settings.timeZone,
  writes: [],
  appends: [],
  emails: [],
});

/** An email with nobody to send it to (an empty Team tab) is not sent. */
function send(plan: Plan, email: Email): void {
  if (email.to.length > 0) plan.emails.push(email);
}

/**
 * Problems that make a phase unsafe: a missing tab or required column, and a Settings value
 * that decides when something happens or is sent (`stopsRuns`).
 */
function blocking(problems: Problem[]): Problem[] {
  return problems.filter(
    (p) =>
      p.severity === 'error' &&
      ((p.row === undefined && p.tab !== 'Settings') || // missing tab
        (p.row === 1 && /required column/.test(p.message)) ||
        p.stopsRuns === true),
  );
}

/** The register read from `snapshot`; throws RegisterError when no phase can safely run on it. */
function load(snapshot: Snapshot): { register: Register; problems: Problem[] } {
  const { register, problems } = planValidate(snapshot);
  const stop = blocking(problems);
  if (stop.length) throw new RegisterError(stop);
  return { register, problems };
}

/** `load` for a shell that decides what to run (`milepost run`): the same stop as every phase. */
export const loadRegister = load;

/** The register and every problem with it: what the runtime could not read, then the rules'. */
export function planValidate(snapshot: Snapshot): { problems: Problem[]; register: Register } {
  const { register, problems } = readRegister(snapshot);
  return { register, problems: [...(snapshot.problems ?? []), ...problems] };
}

// ---------- settings a runtime records ----------

/**
 * Settings values to record (by setting name), only those that differ from what is there:
 * the ids a runtime makes (form, pack folder) and the form watermark.
 */
export function planSettings(register: Register, values: Record<string, string>): Plan {
  const writes = Object.entries(values)
    .filter(([key, value]) => (register.settings.raw[key] ?? '').trim() !== value)
    .map(([key, value]) => ({
      tab: 'Settings' as const,
      ref: { by: 'key' as const, header: 'Setting', value: key },
      column: 'Value',
      value,
      previous: register.settings.raw[key] ?? '',
    }));
  return { timeZone: register.settings.timeZone, writes, appends: [], emails: [] };
}

/**
 * A Settings value recorded by Milepost within a phase's plan: the row's Value written, or the
 * row appended to a register that predates it (with the layout's own description).
 */
function recordSetting(register: Register, plan: Plan, key: string, value: string): void {
  if (key in register.settings.raw) {
    plan.writes.push(...planSettings(register, { [key]: value }).writes);
    return;
  }
  const about = SETTINGS.find((d) => d.key === key)?.about ?? '';
  plan.appends.push({ tab: 'Settings', values: { Setting: key, Value: value, About: about } });
}

/**
 * The form watermark, kept the same way by every runtime that reads a form: Settings' "Form
 * responses synced to", the submit time of the newest response synced. A sync reads again from
 * 10 minutes before it (applying a response twice is harmless), and moves it only when every
 * row of its plan went in: responses behind a conflict are read again.
 */
export const WATERMARK_SETTING = 'Form responses synced to';
export const WATERMARK_OVERLAP_MS = 10 * 60 * 1000;

export function formWatermark(register: Register): string | undefined {
  return register.settings.raw[WATERMARK_SETTING]?.trim() || undefined;
}

/** The Settings write that moves the watermark to `newest` (undefined when it would not move). */
export function planWatermark(register: Register, newest: string | undefined): Plan | undefined {
  const mark = formWatermark(register);
  if (!newest || newest === mark || (mark && Date.parse(newest) <= Date.parse(mark))) return undefined;
  return planSettings(register, { [WATERMARK_SETTING]: newest });
}

/**
 * The watermark once a sync's plan has been applied: moved to the newest response read, unless
 * rows conflicted — the responses behind a conflict must be read again by the next sync.
 */
export function watermarkAfter(
  register: Register,
  newest: string | undefined,
  conflicts: readonly Problem[],
): Plan | undefined {
  return conflicts.length ? undefined : planWatermark(register, newest);
}

/**
 * The newest submit time among raw submissions (a runtime that reads a file of them: the
 * local backend's responses.jsonl); lines that are not submissions are left out.
 */
export function newestSubmitted(raw: readonly RawSubmission[]): string | undefined {
  let newest: number | undefined;
  for (const r of raw) {
    const at = (r.value as { submittedAt?: unknown } | null)?.submittedAt;
    const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (Number.isFinite(ms) && (newest === undefined || ms > newest)) newest = ms;
  }
  return newest === undefined ? undefined : new Date(newest).toISOString();
}

/**
 * A plan whose emails did not all go out (a runtime that stops at a deadline or a spent
 * quota — Apps Script): nothing that records them as sent is written — no
 * Meetings write, and a meeting row added by this run leaves those `columns` empty (a row
 * appended with "Requests sent" filled in would stop the schedule from sending the rest).
 */
export function withoutEmailRecords(plan: Plan, columns: string[]): Plan {
  const strip = (a: RowAppend): RowAppend =>
    a.tab !== 'Meetings'
      ? a
      : { ...a, values: Object.fromEntries(Object.entries(a.values).filter(([k]) => !columns.includes(k))) };
  return {
    ...plan,
    writes: plan.writes.filter((w) => w.tab !== 'Meetings'),
    appends: plan.appends.map(strip),
  };
}

// ---------- sync ----------

export interface SyncOutcome {
  plan: Plan;
  applied: AppliedChange[];
  rejected: Rejection[];
  skipped: { responseId: string; reason: string; where: string }[];
  recorded: number;
  assignedIds: { row: number; id: string }[];
  problems: Problem[];
  /** The register as it will be once the plan is applied. */
  register: Register;
  meeting?: Meeting;
  topics: Topic[];
}

/** IDs ever used: in Milestones, in Changes and in Topics, so a deleted milestone's ID never returns. */
function nextIdNumber(register: Register, idFloor = 0): number {
  let max = Math.max(0, Math.floor(idFloor));
  const see = (text: string) => {
    for (const part of text.split(/[\s,;>/]+/)) {
      const m = ID_PATTERN.exec(part.trim().toUpperCase());
      if (m) max = Math.max(max, Number(m[1]));
    }
  };
  for (const m of register.milestones) see(m.id);
  for (const c of register.changes) see(c.milestone);
  for (const t of register.topics) {
    see(t.milestone);
    see(t.topicId);
  }
  for (const a of register.actions) see(a.createdMilestone);
  return max + 1;
}

function withMeetings(register: Register, appends: RowAppend[]): Register {
  const added: Meeting[] = appends.map((a, i) => ({
    row: -1 - i,
    date: String(a.values.Date),
    time: String(a.values.Time ?? register.settings.meetingTime),
    status: 'Planned',
    pack: '',
    notes: '',
  }));
  return {
    ...register,
    meetings: [...register.meetings, ...added].sort((a, b) => (a.date < b.date ? -1 : 1)),
  };
}

/** The register after an ingest: statuses, forecasts, Updates and Changes rows applied. */
function applyIngest(register: Register, applied: AppliedChange[], records: IngestRecord[]): Register {
  const milestones = register.milestones.map((m) => ({ ...m }));
  const byId = new Map(milestones.filter((m) => m.id).map((m) => [m.id, m]));
  // An owner's "Done" on a tracked action: the Actions row now holds it.
  const done = new Map(
    applied.filter((a) => a.field === ACTION_STATUS_FIELD).map((a) => [a.milestone, a.to]),
  );
  const actions = register.actions.map((a) =>
    done.has(a.id) ? { ...a, status: done.get(a.id) as ActionRow['status'], statusCell: done.get(a.id) } : a,
  );
  for (const a of applied) {
    if (a.field === ACTION_STATUS_FIELD) continue;
    const m = byId.get(a.milestone);
    if (!m) continue;
    // The cell now holds what was written: an unreadable one ('Late') is unreadable no more.
    if (a.field === 'Status') {
      m.status = a.to as typeof m.status;
      m.statusCell = a.to;
    } else {
      m.forecast = a.to || undefined;
      m.forecastCell = a.to;
    }
  }
  const updates = [...register.updates, ...records.flatMap((r) => (r.tab === 'Updates' ? [r.row] : []))];
  const changes = [...register.changes, ...records.flatMap((r) => (r.tab === 'Changes' ? [r.row] : []))];
  return { ...register, milestones, updates, changes, actions };
}

const TOPIC_COLUMNS = [
  'Meeting',
  'Rank',
  'Kind',
  'Topic',
  'Milestone',
  'Owner',
  'Help from',
  'Score',
  'Why',
  'Deferrals',
];

export function topicValues(t: Topic): Record<string, string | number> {
  return {
    'Topic ID': t.topicId,
    Meeting: t.meeting,
    Rank: t.rank,
    Kind: t.kind,
    Topic: fitCell(t.title),
    Milestone: t.milestones.join(', '),
    Owner: t.owners.join(', '),
    'Help from': t.helpFrom,
    Score: t.score,
    Why: fitCell(t.why),
    Deferrals: t.deferrals,
  };
}

/** The machine columns of a Topics row as read. */
function rowValues(row: TopicRow): Record<string, string | number> {
  return {
    Meeting: row.meeting ?? '',
    Rank: row.rank ?? '',
    Kind: row.kind,
    Topic: row.topic,
    Milestone: row.milestone,
    Owner: row.owner,
    'Help from': row.helpFrom,
    Score: row.score ?? '',
    Why: row.why,
    Deferrals: row.deferrals,
  };
}

/** Upserts the meeting's topics into the Topics tab by Topic ID. */
function topicWrites(
  register: Register,
  meeting: Meeting,
  topics: Topic[],
  now: string,
): { writes: CellWrite[]; appends: RowAppend[] } {
  const writes: CellWrite[] = [];
  const appends: RowAppend[] = [];
  const rows = new Map(register.topics.filter((t) => t.topicId).map((t) => [t.topicId, t]));
  const current = new Set(topics.map((t) => t.topicId));
  for (const t of topics) {
    const values = topicValues(t);
    const row = rows.get(t.topicId);
    if (t.sourceRow !== undefined) {
      const src = register.topics.find((x) => x.row === t.sourceRow)!;
      const ref = { by: 'match' as const, row: src.row, cells: { Topic: src.topic } };
      const previous: Record<string, string | number> = {
        ...rowValues(src),
        'Topic ID': '',
        Deferrals: src.deferrals || '',
      };
      // The Topic ID goes last: once written, the row is addressed by it.
      for (const col of [...TOPIC_COLUMNS, 'Topic ID']) {
        if (col === 'Topic' || col === 'Milestone' || col === 'Owner' || col === 'Help from') continue; // people typed these
        writes.push({
          tab: 'Topics',
          ref,
          column: col,
          value: values[col]!,
          previous: previous[col] ?? '',
          as: col === 'Meeting' ? 'date' : undefined,
        });
      }
      continue;
    }
    if (!row) {
      appends.push({ tab: 'Topics', values, dates: { Meeting: 'date' } });
      continue;
    }
    const ref = { by: 'key' as const, header: 'Topic ID', value: t.topicId };
    const previous = rowValues(row);
    for (const col of TOPIC_COLUMNS) {
      if (String(previous[col]) !== String(values[col])) {
        writes.push({
          tab: 'Topics',
          ref,
          column: col,
          value: values[col]!,
          previous: previous[col]!,
          as: col === 'Meeting' ? 'date' : undefined,
        });
      }
    }
  }
  // Machine topics of this meeting that no longer apply lose their rank.
  for (const row of register.topics) {
    if (row.meeting !== meeting.date || !row.topicId || current.has(row.topicId) || row.rank === undefined)
      continue;
    if (identityOf(row.topicId).startsWith('raised/')) continue;
    const ref = { by: 'key' as const, header: 'Topic ID', value: row.topicId };
    writes.push({ tab: 'Topics', ref, column: 'Rank', value: '', previous: row.rank });
    writes.push({
      tab: 'Topics',
      ref,
      column: 'Why',
      value: `No longer applies (checked ${now.slice(0, 16).replace('T', ' ')} UTC)`,
      previous: row.why,
    });
  }
  return { writes, appends };
}

/**
 * The Settings row that keeps the highest milestone ID ever given, in every runtime alike (the
 * register itself: the Sheet on Google and in Apps Script, the workbook locally). Without it a
 * milestone row deleted before anything recorded its ID — no Change, no Topic — would give its
 * ID to the next new row.
 */
export const ID_FLOOR_SETTING = 'Highest milestone ID given';

/** The number in Settings' "Highest milestone ID given" (`M-0042` or `42`), 0 when blank or unreadable. */
function recordedIdFloor(register: Register): number {
  const m = /^(?:M-)?(\d+)$/i.exec((register.settings.raw[ID_FLOOR_SETTING] ?? '').trim());
  return m ? Number(m[1]) : 0;
}

const idText = (n: number) => `M-${String(n).padStart(4, '0')}`;

/**
 * IDs for milestone rows that have a title but no ID yet (never reusing one), as writes; and
 * the highest ID ever given kept in Settings (ID_FLOOR_SETTING) whenever it rises.
 */
function assignMilestoneIds(
  register: Register,
  plan: Plan,
  idFloor = 0,
  extra = 0,
): { register: Register; assignedIds: { row: number; id: string }[]; extraIds: string[] } {
  const assignedIds: { row: number; id: string }[] = [];
  const recorded = recordedIdFloor(register);
  let next = nextIdNumber(register, Math.max(idFloor, recorded));
  const highestNow = next - 1;
  for (const m of register.milestones) {
    // A row whose ID cell holds something that is not an ID ('TBD', 'M-2') is left as the person
    // typed it, with its problem reported: giving it an ID would overwrite what they typed, and a
    // write expecting a blank cell would conflict on every run.
    if (m.id || !m.title || cellText(m.cells.id) !== '') continue;
    const id = idText(next++);
    assignedIds.push({ row: m.row, id });
    plan.writes.push({
      tab: 'Milestones',
      ref: { by: 'match', row: m.row, cells: { ID: '', Milestone: m.title } },
      column: 'ID',
      value: id,
      previous: '',
    });
  }
  // IDs for the milestones made of actions (planSync), after those of the rows people added.
  const extraIds = Array.from({ length: extra }, () => idText(next++));
  const highest = Math.max(highestNow, next - 1);
  if (highest > recorded) recordSetting(register, plan, ID_FLOOR_SETTING, idText(highest));
  if (!assignedIds.length) return { register, assignedIds, extraIds };
  const byRow = new Map(assignedIds.map((a) => [a.row, a.id]));
  return {
    register: {
      ...register,
      milestones: register.milestones.map((m) => (byRow.has(m.row) ? { ...m, id: byRow.get(m.row)! } : m)),
    },
    assignedIds,
    extraIds,
  };
}

/**
 * Options of the phases that assign IDs. `idFloor`: the highest ID number the runtime knows was
 * ever given (Apps Script keeps it in the document properties), so that an ID whose row was
 * deleted before anything recorded it is not given again; the register's own history (IDs in
 * Milestones, Changes and Topics) is always taken into account.
 */
export interface IdOptions {
  idFloor?: number;
}

/** The number of the highest milestone ID a snapshot holds (in Milestones, Changes or Topics). */
export function highestIdNumber(snapshot: Snapshot): number {
  return nextIdNumber(readRegister(snapshot).register) - 1;
}

export function planSync(
  snapshot: Snapshot,
  responses: RawSubmission[],
  now: string,
  opts: IdOptions = {},
): SyncOutcome {
  const { register: read, problems } = load(snapshot);
  const plan = emptyPlan(read);

  const meetingRows = meetingsToAdd(read, now);
  plan.appends.push(...meetingRows);
  let register = withMeetings(read, meetingRows);

  const made = milestoneRequests(register);
  const ids = assignMilestoneIds(register, plan, opts.idFloor, made.requests.length);
  register = ids.register;
  const assignedIds = ids.assignedIds;

  const result = ingest(register, responses, now);
  plan.writes.push(...result.writes);
  plan.appends.push(...result.appends);
  register = applyIngest(register, result.applied, result.records);
  // Milestones made of actions join after the ingest: nothing may write to a row the plan adds
  // (an overdue one is marked Missed by the next sync, as any other).
  register = withActionMilestones(register, plan, made.requests, ids.extraIds);

  const meeting = upcomingMeeting(register, now);
  let topics: Topic[] = [];
  if (meeting) {
    topics = topicsFor(register, meeting);
    const tw = topicWrites(register, meeting, topics, now);
    plan.writes.push(...tw.writes);
    plan.appends.push(...tw.appends);
  }
  return {
    plan,
    applied: result.applied,
    rejected: result.rejected,
    skipped: result.skipped,
    recorded: result.recorded,
    assignedIds,
    problems: [...problems, ...made.problems, ...result.problems],
    register,
    meeting,
    topics,
  };
}

/**
 * The milestones made of actions marked Make milestone (actions.ts): each a Milestones row with
 * its ID, and the action's Created milestone written; the register as it will read then.
 */
function withActionMilestones(
  register: Register,
  plan: Plan,
  requests: ReturnType<typeof milestoneRequests>['requests'],
  ids: string[],
): Register {
  if (!requests.length) return register;
  const made = requests.map((r, i) => milestoneFromAction(r, ids[i]!, i));
  // The action's write first: the row is added only if that write went in (`requires`).
  plan.writes.push(...made.map((m) => m.write));
  plan.appends.push(...made.map((m) => m.append));
  const createdOf = new Map(made.map((m, i) => [requests[i]!.action.id, m.milestone.id]));
  return {
    ...register,
    milestones: [...register.milestones, ...made.map((m) => m.milestone)],
    actions: register.actions.map((a) =>
      createdOf.has(a.id) ? { ...a, createdMilestone: createdOf.get(a.id)! } : a,
    ),
  };
}

// ---------- requests and reminders ----------

export interface RequestOutcome {
  plan: Plan;
  meeting?: Meeting;
  kind: 'request' | 'reminder';
  /** The ladder's rung sent (ladder.ts): a reminder run after the second reminder's time sends the second. */
  rung: Rung;
  /** The Meetings column that records the rung as sent. */
  column: string;
  recipients: string[];
  /** Open milestones whose owner is not on the Team tab: no request; the process manager is told. */
  unresolved?: UnresolvedOwner[];
  problems: Problem[];
  /** The update form of the meeting (runtimes with a form build it to this spec). */
  form?: FormSpec;
}

/**
 * Update requests for the next meeting, or — once they have gone out — reminders to the
 * owners who have not responded yet.
 */
export function planRequests(
  snapshot: Snapshot,
  now: string,
  opts: {
    reminders?: boolean;
    /** The Google Form's responder address: each email then carries the person's pre-filled link. */
    responderUri?: string;
    /** Each person's own link, made by the runtime (Apps Script's toPrefilledUrl), by email. */
    links?: Record<string, string>;
  } = {},
): RequestOutcome {
  const { register: read, problems } = load(snapshot);
  const plan = emptyPlan(read);
  const added = meetingsToAdd(read, now);
  plan.appends.push(...added);
  const register = withMeetings(read, added);
  const meeting = upcomingMeeting(register, now);
  if (!meeting)
    return { plan, kind: 'request', rung: 'request', column: RUNG_COLUMN.request, recipients: [], problems };
  // Reminders only when asked for (`--reminders`, or the schedule): running `request` again is
  // harmless — every email is keyed and never sent twice; only an owner new since gets theirs.
  const kind = opts.reminders ? 'reminder' : 'request';
  const rung: Rung =
    kind === 'request'
      ? 'request'
      : reminderStep(meeting, register.settings, now) === 2
        ? 'second-reminder'
        : 'reminder';
  const responded = respondents(register, meeting.date);
  const owners = askedMembers(register).filter((p) => kind === 'request' || !responded.has(p.email));
  const form = formSpec(register, meeting);
  for (const p of owners) {
    const theirs = register.milestones.filter((m) => m.id && m.owner === p.email && isOpen(m));
    const link =
      opts.links?.[p.email] ??
      (opts.responderUri
        ? prefilledUrl(opts.responderUri, prefillAnswers(form, register, p.email))
        : undefined);
    send(plan, requestEmail(register, meeting, p, theirs, rung, link));
  }
  const unresolved = unresolvedOwners(register, problems);
  const notice = unresolvedOwnersEmail(register, meeting, unresolved);
  if (notice) send(plan, notice);
  const column = RUNG_COLUMN[rung];
  const previous =
    rung === 'request'
      ? meeting.requestsSent
      : rung === 'reminder'
        ? meeting.remindersSent
        : meeting.secondRemindersSent;
  if (previous || !hasColumn(snapshot, 'Meetings', column)) {
    // Already recorded: the first time stands. A register older than the column keeps working:
    // the emails are keyed (never sent twice) and setup adds the column.
  } else if (meeting.row > 0) {
    plan.writes.push({
      tab: 'Meetings',
      ref: { by: 'key', header: 'Date', value: meeting.date },
      column,
      value: now,
      previous: previous ?? '',
      as: 'instant',
    });
  } else {
    const row = plan.appends.find((a) => a.values.Date === meeting.date)!;
    row.values[column] = now;
    row.dates = { ...row.dates, [column]: 'instant' };
  }
  return {
    plan,
    meeting,
    kind,
    rung,
    column,
    recipients: owners.map((p) => p.email),
    unresolved,
    problems,
    form,
  };
}

/**
 * The open milestones whose Owner cell names nobody on the Team tab (the register's problems
 * say which cells): they get no update request, so the process manager is told.
 */
export function unresolvedOwners(register: Register, problems: Problem[]): UnresolvedOwner[] {
  const cells = new Map(
    problems
      .filter((p) => p.tab === 'Milestones' && p.column === 'Owner' && p.row !== undefined)
      .map((p) => [p.row!, p.value ?? ''] as const),
  );
  return register.milestones
    .filter((m) => !m.owner && cells.has(m.row) && isOpen(m))
    .map((m) => ({ row: m.row, id: m.id, title: m.title, owner: cells.get(m.row)! }));
}

/** True when the snapshot's `tab` has a column headed `header` (case- and space-insensitive). */
function hasColumn(snapshot: Snapshot, tab: TabName, header: string): boolean {
  const table = snapshot.tables.find((t) => normaliseName(t.name) === normaliseName(tab));
  return !!table?.headers.some((h) => normaliseName(h) === normaliseName(header));
}

// ---------- pack ----------

export interface PackOutcome extends SyncOutcome {
  document?: Document;
  health?: Health;
  /** True when the pack is circulated to the team by this run (the first build). */
  circulated: boolean;
}

/**
 * Sync, then build the meeting pack. `location` is where the shell puts it (a file path or a
 * document link); it is recorded in Meetings and sent to the team the first time.
 */
export function planPack(
  snapshot: Snapshot,
  responses: RawSubmission[],
  now: string,
  location: (meeting: Meeting) => string,
  opts: IdOptions = {},
): PackOutcome {
  const sync = planSync(snapshot, responses, now, opts);
  const meeting = sync.meeting;
  if (!meeting) return { ...sync, circulated: false };
  const register = sync.register;
  const prev = previousMeeting(register, meeting);
  const health = computeHealth(register, meeting);
  const document = buildPack({
    register,
    meeting,
    previousMeeting: prev,
    previousMeetingStart: prev ? meetingStart(prev, register.settings) : undefined,
    meetingStart: meetingStart(meeting, register.settings),
    topics: sync.topics,
    health,
    generatedAt: now,
    problems: currentProblems(sync.problems, register),
  });
  const where = location(meeting);
  const circulated = !meeting.pack;
  if (meeting.pack !== where) {
    if (meeting.row > 0) {
      sync.plan.writes.push({
        tab: 'Meetings',
        ref: { by: 'key', header: 'Date', value: meeting.date },
        column: 'Pack',
        value: where,
        previous: meeting.pack,
      });
    } else {
      const row = sync.plan.appends.find((a) => a.tab === 'Meetings' && a.values.Date === meeting.date);
      if (row) row.values.Pack = where;
    }
  }
  if (circulated) send(sync.plan, packEmail(register, meeting, document, where));
  return { ...sync, document, health, circulated };
}

// ---------- wrap-up ----------

export interface WrapUpOutcome {
  plan: Plan;
  meetings: Meeting[];
  problems: Problem[];
  /** The IDs of the actions this wrap-up starts tracking (the Actions tab). */
  actions: string[];
}

/**
 * After a meeting: mark it Held and send the key-items digest (decisions and actions,
 * what changed, what was deferred to the next meeting). Topics not reached carry over
 * automatically at the next sync.
 */
export function planWrapUp(snapshot: Snapshot, now: string, opts: { meeting?: string } = {}): WrapUpOutcome {
  const { register, problems } = load(snapshot);
  const plan = emptyPlan(register);
  const meetings = opts.meeting
    ? register.meetings.filter((m) => m.date === opts.meeting && m.status === 'Planned' && !m.wrappedUp)
    : meetingsToWrapUp(register, now);
  // Each decision becomes a tracked action, once (by Topic ID), with a warning when it has no
  // owner or no date; the digest names each by its ID.
  const tracked = trackActions(register, meetings);
  const withActions = { ...register, actions: [...register.actions, ...tracked.actions] };
  for (const meeting of meetings) {
    const ref = { by: 'key' as const, header: 'Date', value: meeting.date };
    plan.writes.push({ tab: 'Meetings', ref, column: 'Status', value: 'Held', previous: meeting.status });
    plan.writes.push({
      tab: 'Meetings',
      ref,
      column: 'Wrapped up',
      value: now,
      previous: meeting.wrappedUp ?? '',
      as: 'instant',
    });
    send(plan, digestEmail(withActions, meeting, now));
  }
  plan.appends.push(...tracked.appends);
  return {
    plan,
    meetings,
    problems: [...problems, ...tracked.problems],
    actions: tracked.actions.map((a) => a.id),
  };
}

/**
 * The tabs a plan writes to that the snapshot does not have (a register made before the Actions
 * tab): the shell adds them with the layout's headers (its setup) and plans again.
 */
export function missingTabs(plan: Plan, snapshot: Snapshot): TabName[] {
  const wanted = new Set<TabName>([...plan.writes.map((w) => w.tab), ...plan.appends.map((a) => a.tab)]);
  const have = new Set(snapshot.tables.map((t) => normaliseName(t.name)));
  return [...wanted].filter((t) => !have.has(normaliseName(t)));
}

export function today(register: Register, now: string): string {
  return dateInZone(now, register.settings.timeZone);
}

// ---------- a person's edit (Apps Script onEdit) ----------

/** The cells a person just edited: a tab, 1-based first row and column, and the size. */
export interface EditedRange {
  tab: string;
  row: number;
  column: number;
  numRows: number;
  numColumns: number;
}

/** A note to put on a cell ('' clears it). Columns are 1-based, as in the sheet. */
export interface CellNote {
  tab: string;
  row: number;
  column: number;
  note: string;
}

export interface EditOutcome {
  plan: Plan;
  /** Notes for every cell of the edited range that Milepost checks: the problem, or '' to clear. */
  notes: CellNote[];
  assignedIds: { row: number; id: string }[];
  /** Status and forecast changes made by hand, recorded in Changes (source 'sheet'). */
  applied: AppliedChange[];
}

/**
 * The tabs planEdit needs for an edit of `tab`: the register's own (Settings, Team, Priorities,
 * Milestones — IDs and owners), Changes (the last recorded Status and Forecast, without which
 * every milestone not On track would look hand-edited), and the edited tab for its notes.
 * Updates, Topics and Meetings — the tabs that grow with every meeting — are read only when
 * they are the one edited: an edit's simple trigger has 30 s in all (Apps Script "Simple
 * Triggers": "They cannot run for longer than 30 seconds").
 */
export function editReads(tab: string): string[] {
  const needed = ['Settings', 'Team', 'Priorities', 'Milestones', 'Changes'];
  const edited = TABS.find((t) => normaliseName(t.name) === normaliseName(tab));
  return edited && !needed.includes(edited.name) ? [...needed, edited.name] : needed;
}

/** A cell's note for its problems: each message (with what was expected), one a line; '' for none. */
export function noteText(problems: Problem[]): string {
  return problems
    .map((p) =>
      p.expected && !p.message.includes(p.expected) ? `${p.message} (expected: ${p.expected})` : p.message,
    )
    .join('\n');
}

/**
 * The notes a sync puts on the register (a runtime with no edit trigger: the local workbook):
 * one on every cell of a column Milepost checks that has a problem, as an edit of that cell
 * would get (planEdit). Cells not listed have none of Milepost's. `problems`: those of the
 * snapshot, when a phase has them already (a sync's, as `currentProblems` leaves them).
 */
export function problemNotes(
  snapshot: Snapshot,
  problems: Problem[] = planValidate(snapshot).problems,
): CellNote[] {
  const notes: CellNote[] = [];
  for (const table of snapshot.tables) {
    const spec = TABS.find((t) => normaliseName(t.name) === normaliseName(table.name));
    if (!spec) continue;
    const checked = new Set(spec.columns.map((c) => normaliseName(c.header)));
    const columns = new Map<string, number>();
    table.headers.forEach((h, i) => {
      const n = normaliseName(h);
      if (checked.has(n) && !columns.has(n)) columns.set(n, i + 1);
    });
    const cells = new Map<string, Problem[]>();
    for (const p of problems) {
      if (normaliseName(p.tab) !== normaliseName(table.name) || p.row === undefined || p.row < 2) continue;
      const column = p.column === undefined ? undefined : columns.get(normaliseName(p.column));
      if (column === undefined) continue;
      const key = `${p.row}:${column}`;
      const here = cells.get(key) ?? [];
      if (!here.some((h) => h.message === p.message)) here.push(p);
      cells.set(key, here);
    }
    for (const [key, here] of cells) {
      const [row, column] = key.split(':').map(Number) as [number, number];
      notes.push({ tab: table.name, row, column, note: noteText(here) });
    }
  }
  return notes;
}

/**
 * What an edit calls for, without waiting for the next sync: IDs for new milestone rows, a note
 * on each edited cell explaining its problem (the edit itself is never undone), and hand edits
 * of Status or Forecast recorded in Changes. Nothing else (no auto-miss, no topics): that is
 * the sync's job.
 */
export function planEdit(
  snapshot: Snapshot,
  range: EditedRange,
  now: string,
  opts: IdOptions = {},
): EditOutcome {
  const { register: read, problems } = readRegister(snapshot);
  const plan = emptyPlan(read);
  const ids = assignMilestoneIds(read, plan, opts.idFloor);
  const handEdits = ingest(
    { ...ids.register, settings: { ...ids.register.settings, autoMiss: false } },
    [],
    now,
  );
  plan.appends.push(...handEdits.appends.filter((a) => a.tab === 'Changes'));
  const notes: CellNote[] = [];
  const table = snapshot.tables.find((t) => normaliseName(t.name) === normaliseName(range.tab));
  if (table) {
    const spec = TABS.find((t) => normaliseName(t.name) === normaliseName(range.tab));
    const checked = new Set(spec?.columns.map((c) => normaliseName(c.header)) ?? []);
    for (let r = range.row; r < range.row + range.numRows; r++) {
      if (r < 2) continue;
      for (let c = range.column; c < range.column + range.numColumns; c++) {
        const header = table.headers[c - 1] ?? '';
        if (!checked.has(normaliseName(header))) continue;
        const here = problems.filter(
          (p) =>
            normaliseName(p.tab) === normaliseName(range.tab) &&
            p.row === r &&
            p.column !== undefined &&
            normaliseName(p.column) === normaliseName(header),
        );
        notes.push({
          tab: table.name,
          row: r,
          column: c,
          note: noteText(here),
        });
      }
    }
  }
  return {
    plan,
    notes,
    assignedIds: ids.assignedIds,
    applied: handEdits.applied.filter((a) => a.source === 'sheet'),
  };
}
