/**
 * The data of the core: the snapshot it reads, the domain it builds, the plan it returns.
 * Calendar dates are 'YYYY-MM-DD' strings; instants are ISO-8601 UTC strings ('…Z').
 */
import type { TabName } from './layout';

// ---------- snapshot (what a shell reads) ----------

/**
 * One cell as a shell hands it over. Dates arrive either as spreadsheet serial numbers
 * (days since 1899-12-30, in the register's time zone), as 'YYYY-MM-DD' text, or as
 * ISO instants; the core converts them (see dates.ts).
 */
export type Cell = string | number | boolean | null;

export interface Table {
  /** The tab name as found in the workbook (may differ in case/spaces from the layout). */
  name: string;
  headers: string[];
  /** rows[i] is sheet row i + 2 (row 1 is the header). Trailing empty cells may be missing. */
  rows: Cell[][];
}

export interface Snapshot {
  tables: Table[];
  /** What the runtime could not read faithfully (a formula with no saved result), by cell. */
  problems?: Problem[];
}

/** A submission as read from its source, before validation. */
export interface RawSubmission {
  /** Where it came from, for error messages: 'responses.jsonl line 12', 'form response ABC'. */
  where: string;
  value: unknown;
}

// ---------- problems ----------

export interface Problem {
  severity: 'error' | 'warning';
  /** Tab name, or the source of a response ('responses.jsonl'). */
  tab: string;
  row?: number;
  column?: string;
  value?: string;
  expected?: string;
  message: string;
  /**
   * The register cannot be used until this is fixed: every phase (sync, request, pack, wrap-up,
   * run) stops with it, while `validate` reports it like any other error. Set on Settings values
   * that decide when something happens or is sent (time zone, meeting day and time, cadence,
   * leads and deadlines, auto-miss).
   */
  stopsRuns?: boolean;
}

// ---------- domain ----------

export type Status = 'On track' | 'Might miss' | 'Missed' | 'Done' | 'Dropped';
export type Role = 'member' | 'manager' | 'leader';
export type MeetingStatus = 'Planned' | 'Held' | 'Cancelled';
/** 'Handle offline': assigned to someone (Action owner) without discussion; not deferred, not carried over. */
export type Outcome = 'Discussed' | 'Deferred' | 'Resolved' | 'Dropped' | 'Handle offline';
export type TopicKind = 'might-miss' | 'missed' | 'dependency' | 'help' | 'raised' | 'stale';
export type ChangeSource = 'form' | 'sheet' | 'auto';

export interface Milestone {
  /** '' when the row has no ID yet. */
  id: string;
  row: number;
  priority: string;
  title: string;
  /** Resolved Team email (lower case), or '' when the owner could not be resolved. */
  owner: string;
  due?: string;
  /** The status as read; rows with an unreadable status count as 'On track' and carry a problem. */
  status: Status;
  statusCell: string;
  forecast?: string;
  forecastCell: string;
  dependsOn: string[];
  lastUpdate?: string;
  notes: string;
  /** The cells Milepost may write, exactly as read: what a write expects to find there. */
  cells: { id: Cell; status: Cell; forecast: Cell; lastUpdate: Cell };
}

export interface Person {
  row: number;
  name: string;
  email: string;
  group: string;
  role: Role;
  delegate?: string;
  active: boolean;
}

export interface PriorityRow {
  row: number;
  name: string;
  rank: number;
  sponsor: string;
}

export interface Meeting {
  row: number;
  date: string;
  /** 'HH:MM', local; defaults to the Settings meeting time. */
  time: string;
  status: MeetingStatus;
  pack: string;
  requestsSent?: string;
  remindersSent?: string;
  secondRemindersSent?: string;
  wrappedUp?: string;
  notes: string;
}

export interface TopicRow {
  row: number;
  topicId: string;
  meeting?: string;
  rank?: number;
  kind: TopicKind | '';
  topic: string;
  milestone: string;
  owner: string;
  helpFrom: string;
  score?: number;
  why: string;
  deferrals: number;
  rankOverride?: number;
  outcome: Outcome | '';
  decision: string;
  actionOwner: string;
  actionDue?: string;
}

export type ActionStatus = 'Open' | 'Done' | 'Dropped';

/** A tracked action (the Actions tab): a decision's action, made at the wrap-up of its meeting. */
export interface ActionRow {
  row: number;
  /** 'A-0001'; '' when the ID cell holds no action ID. */
  id: string;
  action: string;
  /** The Owner cell as typed (an email or a unique name). */
  owner: string;
  /** The owner's Team email (lower case), or '' when the cell names nobody on the Team tab. */
  ownerEmail: string;
  due?: string;
  status: ActionStatus;
  /** The date of the meeting that decided it. */
  meeting?: string;
  topicId: string;
  /** The milestone IDs of the topic it came from. */
  milestones: string[];
  /** The manager asked for a milestone to be made of it (Make milestone: yes). */
  makeMilestone: boolean;
  /** The ID of the milestone made of it (written by the sync that made it). */
  createdMilestone: string;
  /** The Status cell as read (what a write of the owner's answer expects to find); absent for a new row. */
  statusCell?: Cell;
}

export interface UpdateRow {
  row: number;
  received: string;
  responseId: string;
  meeting: string;
  email: string;
  wins: string;
  learnings: string;
  helpNeeded: string;
  helpFrom: string;
  /** IDs of the milestones the submission updated (its owner's, or those it covered as a delegate). */
  milestones: string[];
  comments: string;
  /** A topic raised in the form ('' when none; Updates' optional "Raised topic" column). */
  raisedTopic?: string;
  result: string;
}

export interface ChangeRow {
  row: number;
  when: string;
  milestone: string;
  field: 'Status' | 'Forecast' | string;
  from: string;
  to: string;
  by: string;
  source: ChangeSource | string;
  responseId: string;
}

export interface Weights {
  mightMiss: number;
  missed: number;
  dependency: number;
  help: number;
  raised: number;
  stale: number;
  priority: number;
  dueSoon: number;
  dueHorizonDays: number;
  perOtherGroup: number;
  perDeferral: number;
}

export interface Settings {
  timeZone: string;
  meetingWeekday: number; // 0 = Sunday … 6 = Saturday
  meetingTime: string; // 'HH:MM'
  cadenceWeeks: number;
  firstMeeting?: string;
  meetingLengthMinutes: number;
  minutesPerMemberUpdate: number;
  minutesPerTopic: number;
  wrapUpMinutes: number;
  requestLeadDays: number;
  responseDeadlineHours: number;
  reminderHoursBeforeDeadline: number;
  /** Hours after the deadline of the second reminder (copying delegate and process manager); undefined: none. */
  secondReminderHoursAfterDeadline?: number;
  /** Meetings in a row without an update after which an owner is named to the leader; 0: never. */
  escalateAfterMissed: number;
  /** Local 'HH:MM' times between which requests and reminders go out (start included, end not). */
  workingHours: { start: string; end: string };
  /** The days they may go out, 0 = Sunday … 6 = Saturday. */
  workingDays: number[];
  packLeadHours: number;
  processManager: string;
  leader: string;
  /** A group address that reaches the whole team ('' when none): the pack and digest go to it. */
  teamEmail: string;
  autoMiss: boolean;
  formBaseUrl: string;
  weights: Weights;
  /** Every key/value as found, including ones Milepost does not know (Google ids…). */
  raw: Record<string, string>;
}

export interface Register {
  milestones: Milestone[];
  team: Person[];
  priorities: PriorityRow[];
  meetings: Meeting[];
  topics: TopicRow[];
  updates: UpdateRow[];
  changes: ChangeRow[];
  /** The Actions tab ([] when the register has none yet). */
  actions: ActionRow[];
  settings: Settings;
}

/**
 * One form response, normalised (docs/architecture.md §3): the type of what the submission
 * schema accepts (core/schemas.ts), so the two cannot drift.
 */
export type { Submission } from './schemas';

// ---------- topics ----------

export interface ScoreComponent {
  label: string;
  points: number;
}

/** A topic as derived, before scoring. */
export interface TopicCandidate {
  /** Identity across meetings: kind plus subject; carry-over matches on it. */
  identity: string;
  kind: TopicKind;
  title: string;
  /** Milestone IDs the topic is about (dependency topics name upstream then downstream). */
  milestones: string[];
  /** Emails of the people who own the topic (both sides of a joint topic). */
  owners: string[];
  helpFrom: string;
  groups: string[];
  due?: string;
  priorityRank?: number;
  deferrals: number;
  rankOverride?: number;
  /** A hand-raised Topics row that has no Topic ID yet (the sync writes one). */
  sourceRow?: number;
  /**
   * The milestone the topic stems from (slots.ts): topics with the same one are one slot,
   * ranked and costed together. Undefined: a slot of its own.
   */
  slot?: string;
  /** A help request's own date ("by Friday"), when it names one (text-dates.ts). */
  neededBy?: string;
}

/** A scored, ranked topic of one meeting. */
export interface Topic extends TopicCandidate {
  topicId: string;
  meeting: string;
  score: number;
  components: ScoreComponent[];
  why: string;
  /** The position of the topic's slot: the topics of one slot share it. */
  rank: number;
  /** 0 (or undefined) for the lead of its slot, 1, 2… for the slot's other topics, best first. */
  subRank?: number;
  /** True when the topic's slot falls after the cut line (not expected to be reached). */
  belowCut: boolean;
}

// ---------- health ----------

export interface Health {
  /** Milestones with an ID by status; those whose status cell is unreadable are not in any. */
  statusCounts: Record<Status, number>;
  /** Milestones whose Status cell holds no status ('Late'): counted here, not as On track. */
  unreadableStatus?: number;
  /** Anticipated misses ÷ all misses, or null when there were no misses. */
  anticipationRate: number | null;
  misses: number;
  anticipatedMisses: number;
  surpriseMisses: { milestone: string; title: string; owner: string; due?: string }[];
  /** Owners who responded ÷ owners with open milestones, or null when nobody was asked. */
  responseRate: number | null;
  responded: string[];
  missingUpdates: string[];
}

// ---------- plan (what a shell applies) ----------

/** A row is addressed by its key value at the moment of writing, never by a remembered row number. */
export type RowRef =
  | { by: 'key'; header: string; value: string }
  /** Rows without a key yet (a new milestone): the row number plus the cells that must still match. */
  | { by: 'match'; row: number; cells: Record<string, Cell> };

export interface CellWrite {
  tab: TabName;
  ref: RowRef;
  column: string;
  value: Cell;
  /** The value the core saw; a shell that finds something else reports a conflict. */
  previous: Cell;
  /** How to store the value: a calendar date, an instant, or as-is (text is always literal). */
  as?: 'date' | 'instant';
}

export interface RowAppend {
  tab: TabName;
  values: Record<string, Cell>;
  /** Headers whose values are dates or instants. */
  dates?: Record<string, 'date' | 'instant'>;
  /**
   * Rows whose planned writes this row records (a Changes row, the Updates row of a response):
   * if a shell cannot write one of them, it must not append this row either, so that the next
   * run applies the response again instead of believing it applied.
   */
  requires?: { tab: TabName; key: string }[];
}

export interface Email {
  /** Idempotency key: the same key is never sent twice ('request/2026-12-03/ann@example.com'). */
  key: string;
  /** 'notice': to the process manager about the register (owners not on the Team tab). */
  kind: 'request' | 'reminder' | 'pack' | 'digest' | 'notice';
  to: string[];
  cc: string[];
  /** Whom the email is from as the register says (the local outbox's From). */
  from: string;
  /**
   * Where answers go: the process manager. A runtime that sends as its signed-in account
   * (Gmail, MailApp) sets this as Reply-To, so answers reach the process manager.
   */
  replyTo: string;
  subject: string;
  text: string;
  html: string;
}

export interface Plan {
  /** The register's time zone: instants are written as wall time in it. */
  timeZone: string;
  writes: CellWrite[];
  appends: RowAppend[];
  emails: Email[];
}
