/**
 * Update submissions → register changes (docs/architecture.md §3). Every rule lives here, the same for
 * every runtime: owner or delegate only; a response is its id and its respondent (`responseKey`),
 * and each version of it (its submit time) is applied once; an edited response re-applies and
 * replaces its earlier versions, never another person's answer; closed or unknown milestones and unknown statuses are rejected
 * per milestone; text is data; every applied change appends a Changes row.
 */
import { fitCell } from './cells';
import { dateInZone, instantToSerial, parseIsoDate, serialToInstant } from './dates';
import { ACTION_CHOICES } from './form';
import { isOpen, matchListValue, OWNER_STATUSES, STATUSES } from './register';
import { meetingForInstant, meetingTimes } from './schedule';
import { describeZodIssues, SubmissionSchema } from './schemas';
import type {
  ActionRow,
  CellWrite,
  ChangeRow,
  Milestone,
  Person,
  Problem,
  RawSubmission,
  Register,
  RowAppend,
  Status,
  Submission,
  UpdateRow,
} from './types';

export interface AppliedChange {
  responseId: string;
  /** The milestone's ID; the action's when `field` is 'Action status'. */
  milestone: string;
  field: 'Status' | 'Forecast' | typeof ACTION_STATUS_FIELD;
  from: string;
  to: string;
  by: string;
  source: 'form' | 'sheet' | 'auto';
}

export interface Rejection {
  responseId: string;
  /** '' when the whole submission was rejected; the action's ID when `field` is 'action'. */
  milestone: string;
  /** The answer the reason is about, when it is one answer of the milestone (or an action's). */
  field?: 'status' | 'forecast' | 'action';
  reason: string;
  where: string;
}

export interface IngestResult {
  applied: AppliedChange[];
  rejected: Rejection[];
  /** Responses already in the register (same id and submit time), or superseded by a later edit. */
  skipped: { responseId: string; reason: string; where: string }[];
  /** Submissions recorded in Updates this run. */
  recorded: number;
  writes: CellWrite[];
  /** The Changes and Updates rows this run adds, in order, as domain rows (row -1: not written yet). */
  records: IngestRecord[];
  /** The same rows as appends (one serializer per tab: `recordAppend`). */
  appends: RowAppend[];
  problems: Problem[];
}

/**
 * A row ingestion adds, with the rows it records: if one of those is not written, the row is
 * not added either, so that the next run applies the response again.
 */
export type IngestRecord = ({ tab: 'Changes'; row: ChangeRow } | { tab: 'Updates'; row: UpdateRow }) & {
  requires?: { tab: 'Milestones' | 'Actions'; key: string }[];
};

/** The Changes `Field` of an owner's answer on a tracked action (the row's Milestone column holds the action's ID). */
export const ACTION_STATUS_FIELD = 'Action status';

/** An ingested row as the row its tab holds. */
export function recordAppend(r: IngestRecord): RowAppend {
  const requires = r.requires ? { requires: r.requires } : {};
  if (r.tab === 'Changes') {
    const c = r.row;
    return {
      tab: 'Changes',
      ...requires,
      values: {
        When: c.when,
        Milestone: c.milestone,
        Field: c.field,
        From: c.from,
        To: c.to,
        By: c.by,
        Source: c.source,
        'Response ID': c.responseId,
      },
      dates: { When: 'instant' },
    };
  }
  const u = r.row;
  return {
    tab: 'Updates',
    ...requires,
    values: {
      Received: u.received,
      'Response ID': u.responseId,
      Meeting: u.meeting,
      Email: u.email,
      Wins: u.wins,
      Learnings: u.learnings,
      'Help needed': u.helpNeeded,
      'Help from': u.helpFrom,
      Milestones: u.milestones.join(', '),
      Comments: u.comments,
      'Raised topic': u.raisedTopic ?? '',
      Result: u.result,
    },
    dates: { Received: 'instant', Meeting: 'date' },
  };
}

/** Working state of one milestone while submissions are applied in order. */
interface Working {
  m: Milestone;
  status: Status;
  forecast: string;
  lastUpdate?: string;
  touched: Set<'Status' | 'Forecast' | 'Last update'>;
}

/** Milestone IDs in a response as the register writes them: 'm-0006 ' is M-0006. */
function byMilestoneId(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, value] of Object.entries(map)) out[id.trim().toUpperCase()] = value;
  return out;
}

export function parseSubmissions(raws: RawSubmission[]): {
  submissions: (Submission & { where: string })[];
  problems: Problem[];
} {
  const submissions: (Submission & { where: string })[] = [];
  const problems: Problem[] = [];
  for (const raw of raws) {
    const parsed = SubmissionSchema.safeParse(raw.value);
    if (!parsed.success) {
      const [tab, rowText] = raw.where.split(' line ');
      problems.push({
        severity: 'error',
        tab: tab ?? raw.where,
        row: rowText ? Number(rowText) : undefined,
        expected:
          'an update submission {responseId, submittedAt, email, statuses, forecasts, comments, wins, learnings, helpNeeded, helpFrom}',
        message: `${raw.where}: ${describeZodIssues(parsed.error)}; this response was not applied.`,
      });
      continue;
    }
    const d = parsed.data;
    submissions.push({
      ...d,
      statuses: byMilestoneId(d.statuses),
      forecasts: byMilestoneId(d.forecasts),
      comments: byMilestoneId(d.comments),
      ...(d.actions ? { actions: byMilestoneId(d.actions) } : {}),
      ...(d.actionNotes ? { actionNotes: byMilestoneId(d.actionNotes) } : {}),
      submittedAt: new Date(d.submittedAt).toISOString(),
      where: raw.where,
    });
  }
  return { submissions, problems };
}

/** Lines 'M-0001: text' of the comments of one submission, in ID order. */
export function formatComments(comments: Record<string, string>): string {
  return Object.keys(comments)
    .sort()
    .filter((id) => comments[id]!.trim() !== '')
    .map((id) => `${id}: ${comments[id]!.trim().replace(/\s*\n\s*/g, ' ')}`)
    .join('\n');
}

/** Reads formatComments' lines back; a line without an ID continues the comment before it. */
export function parseComments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+-\d+)\s*:\s?(.*)$/.exec(line);
    if (m) {
      last = m[1]!.trim().toUpperCase();
      const before = out.get(last);
      out.set(last, before ? `${before} ${m[2]!.trim()}` : m[2]!.trim());
    } else if (last && line.trim()) {
      out.set(last, `${out.get(last)} ${line.trim()}`.trim());
    }
  }
  return out;
}

/**
 * A response's identity: its id and who sent it. The same id from another person (an owner and
 * their delegate answering one pre-filled request, a line copied from someone else's email) is
 * another response: it never replaces theirs, and is never skipped as a duplicate of it. A later
 * submit from the same person under the same id is an edit of their answer, and replaces it.
 */
export function responseKey(responseId: string, email: string): string {
  return JSON.stringify([responseId.trim(), email.trim().toLowerCase()]);
}

/**
 * When an answer sent at `instant` is late: the meeting it is for, and when that meeting's pack
 * was built (its scheduled build time, Settings' pack lead before the start); undefined when it
 * is on time. A late answer is accepted all the same, and marked late in Updates and the pack.
 */
export function lateness(
  register: Register,
  instant: string,
): { meeting: string; packAt: string } | undefined {
  const meeting = meetingForInstant(register, instant);
  if (!meeting) return undefined;
  const packAt = meetingTimes(meeting, register.settings).pack;
  return Date.parse(instant) >= Date.parse(packAt) ? { meeting: meeting.date, packAt } : undefined;
}

/** The words that open the Result of a late answer's Updates row: 'Applied (late): 1 change'. */
const LATE_RESULT = /^[A-Za-z ]+ \(late\):/;

/** True when an Updates row records an answer that came after its meeting's pack was built. */
export function isLateUpdate(u: Pick<UpdateRow, 'result'>): boolean {
  return LATE_RESULT.test(u.result);
}

/** The Result of a "no change this week" answer (after 'Applied' or 'Applied (late)'). */
export const NO_CHANGE_RESULT = 'no change this week';

/** True when an Updates row records a "no change this week" answer. */
export function isNoChangeUpdate(u: Pick<UpdateRow, 'result'>): boolean {
  return u.result.endsWith(`: ${NO_CHANGE_RESULT}`);
}

/** Order of application: by submit time, then response id, then respondent (never by arrival order). */
export function bySubmitTime(a: Submission, b: Submission): number {
  const ta = Date.parse(a.submittedAt);
  const tb = Date.parse(b.submittedAt);
  if (ta !== tb) return ta - tb;
  const ka = responseKey(a.responseId, a.email);
  const kb = responseKey(b.responseId, b.email);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Everything ingest's phases share: the register, its indexes, and the result being built. */
interface IngestRun {
  register: Register;
  now: string;
  tz: string;
  result: IngestResult;
  people: Map<string, Person>;
  byId: Map<string, Milestone[]>;
  /** What Milepost last recorded for each 'milestone|field'. */
  lastValue: Map<string, string>;
  /** When each milestone was last updated. */
  lastAt: Map<string, number>;
  /** Which response (`responseKey`) last recorded each milestone's status. */
  lastStatusBy: Map<string, string>;
  working: Map<string, Working>;
  /** Tracked actions (Actions tab) whose Status an owner's answer changes, by ID. */
  actionWork: Map<string, { a: ActionRow; status: string }>;
}

/** One pending response while phase 3 applies it. */
interface ResponseTally {
  s: Submission & { where: string };
  reasons: string[];
  changes: number;
  accepted: number;
  covered: string[];
  /** Milestones this response writes to (status, forecast or Last update). */
  touched: string[];
  /** Actions this response writes to (their Status). */
  actionsTouched: string[];
  /** Notes on the actions this response answered, kept with its comments in Updates. */
  actionNotes: Record<string, string>;
}

/**
 * Instants compared as the register stores them (wall time in its zone), so that a time in
 * the repeated autumn hour still matches itself after a round trip through a sheet.
 */
function storedInstant(instant: string, tz: string): number {
  return Date.parse(serialToInstant(instantToSerial(instant, tz), tz));
}

/** Milestones by ID (more than one when the ID is duplicated in the register). */
function milestonesById(register: Register): Map<string, Milestone[]> {
  const byId = new Map<string, Milestone[]>();
  for (const m of register.milestones) if (m.id) byId.set(m.id, [...(byId.get(m.id) ?? []), m]);
  return byId;
}

/** Builds the shared state of one ingest run, with what the register last recorded. */
function startRun(register: Register, problems: Problem[], now: string): IngestRun {
  const run: IngestRun = {
    register,
    now,
    tz: register.settings.timeZone,
    result: {
      applied: [],
      rejected: [],
      skipped: [],
      recorded: 0,
      writes: [],
      records: [],
      appends: [],
      problems,
    },
    people: new Map(register.team.map((p) => [p.email, p])),
    byId: milestonesById(register),
    lastValue: new Map(),
    lastAt: new Map(),
    lastStatusBy: new Map(),
    working: new Map(),
    actionWork: new Map(),
  };
  // What Milepost last recorded for each milestone (Changes is append-only: row order is
  // the order of recording), when it was last updated, and by which response.
  const { lastValue, lastAt, lastStatusBy } = run;
  for (const c of [...register.changes].sort((a, b) => a.row - b.row)) {
    if (c.field !== 'Status' && c.field !== 'Forecast') continue;
    lastValue.set(`${c.milestone}|${c.field}`, c.to);
    lastAt.set(c.milestone, Math.max(lastAt.get(c.milestone) ?? 0, Date.parse(c.when)));
    if (c.field === 'Status') lastStatusBy.set(c.milestone, responseKey(c.responseId, c.by));
  }
  for (const m of register.milestones) {
    if (m.id && m.lastUpdate) lastAt.set(m.id, Math.max(lastAt.get(m.id) ?? 0, Date.parse(m.lastUpdate)));
  }
  return run;
}

/** The working state of a milestone, created from the register on first use. */
function work(run: IngestRun, m: Milestone): Working {
  let w = run.working.get(m.id);
  if (!w) {
    w = { m, status: m.status, forecast: m.forecast ?? '', lastUpdate: m.lastUpdate, touched: new Set() };
    run.working.set(m.id, w);
  }
  return w;
}

/** Applies one change to a milestone's working state and records it (applied list and Changes row). */
function change(
  run: IngestRun,
  w: Working,
  field: 'Status' | 'Forecast',
  to: string,
  by: string,
  when: string,
  source: AppliedChange['source'],
  responseId: string,
): void {
  const from = field === 'Status' ? w.status : w.forecast;
  if (field === 'Status') {
    w.status = to as Status;
    run.lastStatusBy.set(w.m.id, responseKey(responseId, by));
  } else w.forecast = to;
  w.touched.add(field);
  // A hand edit found in the sheet is already there; every other change is a write.
  const requires = source === 'sheet' ? undefined : { tab: 'Milestones' as const, key: w.m.id };
  recordChange(run, { responseId, milestone: w.m.id, field, from, to, by, source }, when, requires);
}

/**
 * Records an applied change: in the run's applied list, and as a Changes row that lands only
 * with the write it records (`requires`), when there is one.
 */
function recordChange(
  run: IngestRun,
  c: AppliedChange,
  when: string,
  requires?: { tab: 'Milestones' | 'Actions'; key: string },
): void {
  run.result.applied.push(c);
  run.result.records.push({
    tab: 'Changes',
    ...(requires ? { requires: [requires] } : {}),
    row: { row: -1, when, ...c },
  });
}

/**
 * Phase 1. Hand edits since the last recorded change become 'sheet' changes, so anticipation
 * and "changed since last meeting" see them even where no edit trigger exists.
 */
function recordHandEdits(run: IngestRun): void {
  const { lastValue, now } = run;
  for (const [id, ms] of run.byId) {
    if (ms.length !== 1) continue;
    const m = ms[0]!;
    if (m.statusCell !== '' && !matchListValue(m.statusCell, STATUSES)) continue;
    const lastStatus = lastValue.get(`${id}|Status`);
    if (lastStatus !== undefined ? lastStatus !== m.status : m.status !== 'On track') {
      const w = work(run, m);
      w.status = (lastStatus ?? 'On track') as Status;
      change(run, w, 'Status', m.status, '', now, 'sheet', '');
      w.touched.delete('Status');
    }
    const lastForecast = lastValue.get(`${id}|Forecast`);
    const forecast = m.forecast ?? '';
    if (m.forecastCell === '' || m.forecast) {
      if (lastForecast !== undefined ? lastForecast !== forecast : forecast !== '') {
        const w = work(run, m);
        w.forecast = lastForecast ?? '';
        change(run, w, 'Forecast', forecast, '', now, 'sheet', '');
        w.touched.delete('Forecast');
      }
    }
  }
}

/**
 * Phase 2. Which submissions are new: not yet in Updates with the same id, respondent and submit
 * time, and not replaced by a later version of the same response (same id and respondent,
 * wherever that version is). Another person's answer under the same id is a response of its own.
 */
function newSubmissions(
  run: IngestRun,
  submissions: (Submission & { where: string })[],
): (Submission & { where: string })[] {
  const { register, result } = run;
  const stored = (instant: string) => storedInstant(instant, run.tz);
  const latestVersion = new Map<string, number>();
  const seenVersion = (response: string, t: number) => {
    if (t > (latestVersion.get(response) ?? Number.NEGATIVE_INFINITY)) latestVersion.set(response, t);
  };
  for (const u of register.updates) seenVersion(responseKey(u.responseId, u.email), stored(u.received));
  for (const s of submissions) seenVersion(responseKey(s.responseId, s.email), stored(s.submittedAt));
  const alreadyApplied = new Set(
    register.updates.map((u) => `${responseKey(u.responseId, u.email)}|${stored(u.received)}`),
  );
  const seen = new Set<string>();
  const pending: (Submission & { where: string })[] = [];
  for (const s of [...submissions].sort(bySubmitTime)) {
    const t = stored(s.submittedAt);
    const response = responseKey(s.responseId, s.email);
    const key = `${response}|${t}`;
    if (seen.has(key)) {
      result.skipped.push({
        responseId: s.responseId,
        reason: 'duplicate of an earlier line',
        where: s.where,
      });
      continue;
    }
    seen.add(key);
    if (alreadyApplied.has(key)) {
      result.skipped.push({ responseId: s.responseId, reason: 'already applied', where: s.where });
      continue;
    }
    if (latestVersion.get(response)! > t) {
      result.skipped.push({
        responseId: s.responseId,
        reason: 'replaced by a later edit of the same response',
        where: s.where,
      });
      continue;
    }
    pending.push(s);
  }
  return pending;
}

/** Rejects a response, or one milestone of it ('' for the whole response). */
function reject(
  run: IngestRun,
  tally: ResponseTally,
  milestone: string,
  reason: string,
  field?: Rejection['field'],
): void {
  const { s } = tally;
  run.result.rejected.push({
    responseId: s.responseId,
    milestone,
    ...(field ? { field } : {}),
    reason,
    where: s.where,
  });
  tally.reasons.push(milestone ? `${milestone}: ${reason}` : reason);
}

/**
 * Who may update for an owner: the owner and their delegate. The one rule ingestion and every
 * form that offers someone's milestones (the local update page) share.
 */
export function mayUpdateFor(
  respondent: string,
  owner: Pick<Person, 'email' | 'delegate'> | undefined,
): boolean {
  return !!owner && (respondent === owner.email || (!!owner.delegate && respondent === owner.delegate));
}

/** Whether the respondent may report (for themselves, or for whom "Who is updating?" names); rejects if not. */
function mayReport(run: IngestRun, tally: ResponseTally): boolean {
  const { s } = tally;
  const person = run.people.get(s.email);
  const behalf = s.onBehalfOf === undefined ? undefined : run.people.get(s.onBehalfOf);
  if (!person) {
    reject(run, tally, '', `${s.email || 'a respondent without a verified email'} is not on the Team tab`);
  } else if (s.onBehalfOf !== undefined && !behalf) {
    reject(run, tally, '', `"Who is updating?" names ${s.onBehalfOf}, who is not on the Team tab`);
  } else if (behalf && !mayUpdateFor(s.email, behalf)) {
    reject(
      run,
      tally,
      '',
      `${s.email} may not update for ${behalf.name} (${behalf.email}): only they${behalf.delegate ? ` or their delegate (${behalf.delegate})` : ''} may`,
    );
  } else return true;
  return false;
}

/**
 * The one milestone `id` names, if this respondent may update it and no later update is already
 * recorded for it; otherwise rejects and returns undefined.
 */
function answerableMilestone(run: IngestRun, tally: ResponseTally, id: string): Milestone | undefined {
  const { s } = tally;
  const ms = run.byId.get(id);
  if (!ms) {
    reject(run, tally, id, `there is no milestone ${id} in the register`);
    return undefined;
  }
  if (ms.length > 1) {
    reject(
      run,
      tally,
      id,
      `${id} is on rows ${ms.map((m) => m.row).join(' and ')} of Milestones; fix the duplicate ID first`,
    );
    return undefined;
  }
  const m = ms[0]!;
  const delegate = run.people.get(m.owner)?.delegate;
  if (!m.owner) {
    reject(run, tally, id, `${id} has no valid owner in the register`);
    return undefined;
  }
  if (!mayUpdateFor(s.email, { email: m.owner, delegate })) {
    reject(
      run,
      tally,
      id,
      `only the owner (${m.owner})${delegate ? ` or their delegate (${delegate})` : ''} may update ${id}`,
    );
    return undefined;
  }
  const latest = run.lastAt.get(id);
  if (latest !== undefined && latest > Date.parse(s.submittedAt)) {
    reject(
      run,
      tally,
      id,
      `a later update (${new Date(latest).toISOString()}) is already recorded; this one from ${s.submittedAt} changes nothing`,
    );
    return undefined;
  }
  return m;
}

/**
 * A new forecast, if it may stand: an open milestone's forecast is not before the day the answer
 * was sent (in the register's time zone), and a Done milestone takes none. Otherwise the forecast
 * alone is rejected, named in Updates and the sync's report; the status still applies.
 */
function checkedForecast(
  run: IngestRun,
  tally: ResponseTally,
  id: string,
  forecast: string,
  status: Status,
): string | undefined {
  const sentOn = dateInZone(tally.s.submittedAt, run.tz);
  if (status === 'Done') {
    reject(
      run,
      tally,
      id,
      `a Done milestone takes no forecast (got ${forecast}); leave it blank`,
      'forecast',
    );
  } else if (forecast < sentOn) {
    reject(
      run,
      tally,
      id,
      `forecast ${forecast} is in the past (the answer was sent on ${sentOn}); give the date you now expect`,
      'forecast',
    );
  } else return forecast;
  return undefined;
}

/** Applies one response's status and forecast for milestone `id`, or rejects them. */
function applyAnswer(run: IngestRun, tally: ResponseTally, id: string): void {
  const { s } = tally;
  const statusText = (s.statuses[id] ?? '').trim();
  const forecastText = (s.forecasts[id] ?? '').trim();
  const m = answerableMilestone(run, tally, id);
  if (!m) return;
  const w = work(run, m);
  // An edited response may reopen what its own earlier version closed.
  if (
    !isOpen({ ...m, status: w.status }) &&
    run.lastStatusBy.get(id) !== responseKey(s.responseId, s.email)
  ) {
    reject(run, tally, id, `${id} is ${w.status}; closed milestones are not updated`);
    return;
  }
  const status = statusText ? matchListValue(statusText, STATUSES) : undefined;
  if (statusText && !status) {
    reject(
      run,
      tally,
      id,
      `unknown status "${statusText}"; expected one of ${STATUSES.join(', ')}`,
      'status',
    );
    return;
  }
  if (status && !OWNER_STATUSES.includes(status) && status !== w.status) {
    reject(
      run,
      tally,
      id,
      `owners cannot set "${status}": the process manager drops a milestone, in the register`,
      'status',
    );
    return;
  }
  const parsed = forecastText ? parseIsoDate(forecastText) : undefined;
  if (forecastText && !parsed) {
    reject(run, tally, id, `forecast "${forecastText}" is not a date (expected YYYY-MM-DD)`, 'forecast');
    return;
  }
  const forecast =
    parsed && parsed !== w.forecast ? checkedForecast(run, tally, id, parsed, status ?? w.status) : undefined;
  if (status && status !== w.status) {
    change(run, w, 'Status', status, s.email, s.submittedAt, 'form', s.responseId);
    tally.changes++;
  }
  if (forecast && forecast !== w.forecast) {
    change(run, w, 'Forecast', forecast, s.email, s.submittedAt, 'form', s.responseId);
    tally.changes++;
  }
  tally.accepted++;
  tally.covered.push(id);
  if (status || forecast || s.comments[id]) {
    tally.touched.push(id);
    w.lastUpdate = s.submittedAt;
    w.touched.add('Last update');
    run.lastAt.set(id, Math.max(run.lastAt.get(id) ?? 0, Date.parse(s.submittedAt)));
  }
}

/** Rejects one answer on a tracked action, naming the action (the response is the rejection's). */
function rejectAction(run: IngestRun, tally: ResponseTally, id: string, reason: string): void {
  reject(run, tally, id, reason, 'action');
}

/**
 * The one tracked action `id` names, if the respondent may answer it: its owner, or their
 * delegate; otherwise rejects and returns undefined.
 */
function answerableAction(run: IngestRun, tally: ResponseTally, id: string): ActionRow | undefined {
  const { s } = tally;
  const rows = run.register.actions.filter((a) => a.id === id);
  if (!rows.length) {
    rejectAction(run, tally, id, `there is no action ${id} in the Actions tab`);
    return undefined;
  }
  if (rows.length > 1) {
    rejectAction(
      run,
      tally,
      id,
      `action ${id} is on rows ${rows.map((a) => a.row).join(' and ')} of Actions; fix the duplicate ID first`,
    );
    return undefined;
  }
  const a = rows[0]!;
  const owner = a.ownerEmail ? run.people.get(a.ownerEmail) : undefined;
  if (!mayUpdateFor(s.email, owner)) {
    const who = a.ownerEmail
      ? `its owner (${a.ownerEmail})${owner?.delegate ? ` or their delegate (${owner.delegate})` : ''}`
      : 'its owner, and it has none on the Team tab';
    rejectAction(run, tally, id, `action ${id} is not ${s.email}'s to update: only ${who} may`);
    return undefined;
  }
  return a;
}

/**
 * Applies one response's answer on tracked action `id`: "Done" closes an open action (its Status
 * cell, and a Changes row); "Open" leaves it open. Owners cannot drop an action, nor answer on
 * one that is closed.
 */
function applyActionAnswer(run: IngestRun, tally: ResponseTally, id: string): void {
  const { s } = tally;
  const text = (s.actions?.[id] ?? '').trim();
  const note = (s.actionNotes?.[id] ?? '').trim();
  const a = answerableAction(run, tally, id);
  if (!a) return;
  const work = run.actionWork.get(id) ?? { a, status: a.status };
  const answer = text ? matchListValue(text, ACTION_CHOICES) : undefined;
  if (text && !answer) {
    rejectAction(
      run,
      tally,
      id,
      text.toLowerCase() === 'dropped'
        ? `owners cannot drop action ${id}: the process manager drops actions, in the register`
        : `unknown answer "${text}" for action ${id}; expected ${ACTION_CHOICES.join(' or ')}`,
    );
    return;
  }
  if (work.status !== 'Open' && answer && answer !== work.status) {
    rejectAction(run, tally, id, `action ${id} is ${work.status}; closed actions are not updated`);
    return;
  }
  if (answer === 'Done' && work.status === 'Open') {
    run.actionWork.set(id, { a, status: 'Done' });
    const done: AppliedChange = {
      responseId: s.responseId,
      milestone: id,
      field: ACTION_STATUS_FIELD,
      from: work.status,
      to: 'Done',
      by: s.email,
      source: 'form',
    };
    recordChange(run, done, s.submittedAt, { tab: 'Actions', key: id });
    tally.changes++;
    tally.actionsTouched.push(id);
  }
  if (note) tally.actionNotes[id] = note;
}

/** Appends the Updates row that records one response and what became of it. */
function recordUpdate(run: IngestRun, tally: ResponseTally, reporter: boolean): void {
  const { s, reasons, changes, accepted, covered, touched } = tally;
  const meeting = meetingForInstant(run.register, s.submittedAt);
  // Someone who may report and whose every milestone answer was refused still reported: their
  // wins, learnings and help stand, and they are not "No update received". (The form on Google
  // only offers their open milestones, so the same person's report counts there too: one rule
  // for every runtime.)
  const reported = reporter && [s.wins, s.learnings, s.helpNeeded].some((t) => t.trim() !== '');
  const applied = !reasons.length ? 'Applied' : accepted || reported ? 'Partly applied' : 'Rejected';
  const late = lateness(run.register, s.submittedAt) ? ' (late)' : '';
  const what =
    s.noChange && reporter
      ? NO_CHANGE_RESULT
      : `${changes === 1 ? '1 change' : `${changes || 'no'} changes`}${reasons.length ? `; rejected ${reasons.join('; ')}` : ''}`;
  const summary = `${applied}${late}: ${what}`;
  run.result.records.push({
    tab: 'Updates',
    requires: [
      ...touched.map((key) => ({ tab: 'Milestones' as const, key })),
      ...tally.actionsTouched.map((key) => ({ tab: 'Actions' as const, key })),
    ],
    row: {
      row: -1,
      received: s.submittedAt,
      responseId: s.responseId,
      meeting: meeting?.date ?? '',
      email: s.email,
      wins: fitCell(s.wins),
      learnings: fitCell(s.learnings),
      helpNeeded: fitCell(s.helpNeeded),
      helpFrom: fitCell(s.helpFrom),
      milestones: fitCell(covered.join(', ')).split(', ').filter(Boolean),
      // Notes on actions go with the comments, by action ID ('A-0003: …').
      comments: fitCell(formatComments({ ...s.comments, ...tally.actionNotes })),
      raisedTopic: fitCell(s.raisedTopic?.trim() ?? ''),
      result: fitCell(summary),
    },
  });
  run.result.recorded++;
}

/**
 * "No change this week": the owner answered and nothing of theirs changes. The answer covers
 * the open milestones of the person "Who is updating?" names, or else of everyone the
 * respondent may update for (themselves, and whom they cover as delegate), so each of those
 * owners counts as responded; any milestone answers sent with it are ignored.
 */
function coverUnchanged(run: IngestRun, tally: ResponseTally): void {
  const { s } = tally;
  for (const [id, ms] of run.byId) {
    const m = ms[0]!;
    if (ms.length !== 1 || !isOpen({ ...m, status: run.working.get(id)?.status ?? m.status })) continue;
    const owner = run.people.get(m.owner);
    const forOwner = s.onBehalfOf === undefined ? mayUpdateFor(s.email, owner) : m.owner === s.onBehalfOf;
    if (forOwner) tally.covered.push(id);
  }
  tally.covered.sort();
}

/**
 * Phase 3. Apply in submit-time order. A response older than the latest update already recorded
 * for a milestone does not change it: only the latest word on a milestone counts,
 * whatever order the responses arrive in.
 */
function applySubmissions(run: IngestRun, pending: (Submission & { where: string })[]): void {
  for (const s of pending) {
    const tally: ResponseTally = {
      s,
      reasons: [],
      changes: 0,
      accepted: 0,
      covered: [],
      touched: [],
      actionsTouched: [],
      actionNotes: {},
    };
    const reporter = mayReport(run, tally);
    if (reporter && s.noChange) coverUnchanged(run, tally);
    else if (reporter) {
      const ids = [
        ...new Set([...Object.keys(s.statuses), ...Object.keys(s.forecasts), ...Object.keys(s.comments)]),
      ].sort();
      for (const id of ids) applyAnswer(run, tally, id);
      const actionIds = [...new Set([...Object.keys(s.actions ?? {}), ...Object.keys(s.actionNotes ?? {})])];
      for (const id of actionIds.sort()) applyActionAnswer(run, tally, id);
    }
    recordUpdate(run, tally, reporter);
  }
}

/** Phase 4. Overdue open milestones become Missed (in the register's time zone). */
function markOverdue(run: IngestRun): void {
  if (!run.register.settings.autoMiss) return;
  const today = dateInZone(run.now, run.tz);
  for (const [, ms] of run.byId) {
    if (ms.length !== 1) continue;
    const m = ms[0]!;
    const w = run.working.get(m.id);
    const status = w?.status ?? m.status;
    if (m.due && m.due < today && (status === 'On track' || status === 'Might miss')) {
      change(run, work(run, m), 'Status', 'Missed', 'milepost', run.now, 'auto', '');
    }
  }
}

/** Phase 5. One write per changed cell, addressed by ID, expecting the cell exactly as it was read. */
function writeChangedCells(run: IngestRun): void {
  const { writes } = run.result;
  for (const [id, w] of [...run.actionWork].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (w.status === w.a.status) continue;
    writes.push({
      tab: 'Actions',
      ref: { by: 'key', header: 'ID', value: id },
      column: 'Status',
      value: w.status,
      previous: w.a.statusCell ?? w.a.status,
    });
  }
  for (const w of [...run.working.values()].sort((a, b) => (a.m.id < b.m.id ? -1 : 1))) {
    const ref = { by: 'key' as const, header: 'ID', value: w.m.id };
    if (w.touched.has('Status') && w.status !== w.m.status) {
      writes.push({
        tab: 'Milestones',
        ref,
        column: 'Status',
        value: w.status,
        previous: w.m.cells.status,
      });
    }
    if (w.touched.has('Forecast') && w.forecast !== (w.m.forecast ?? '')) {
      writes.push({
        tab: 'Milestones',
        ref,
        column: 'Forecast',
        value: w.forecast,
        previous: w.m.cells.forecast,
        as: 'date',
      });
    }
    if (w.touched.has('Last update') && w.lastUpdate && w.lastUpdate !== w.m.lastUpdate) {
      writes.push({
        tab: 'Milestones',
        ref,
        column: 'Last update',
        value: w.lastUpdate,
        previous: w.m.cells.lastUpdate,
        as: 'instant',
      });
    }
  }
}

/** Applies update submissions to the register in five phases (see each phase's function). */
export function ingest(register: Register, raws: RawSubmission[], now: string): IngestResult {
  const { submissions, problems } = parseSubmissions(raws);
  const run = startRun(register, problems, now);
  recordHandEdits(run); // 1
  const pending = newSubmissions(run, submissions); // 2
  applySubmissions(run, pending); // 3
  markOverdue(run); // 4
  writeChangedCells(run); // 5
  return { ...run.result, appends: run.result.records.map(recordAppend) };
}
