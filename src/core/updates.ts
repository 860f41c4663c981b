/**
 * Update submissions → register changes (docs/architecture.md §3). Every rule lives here, the same for
 * every runtime: owner or delegate only; each response (id + submit time) applied once; an
 * edited response re-applies; closed or unknown milestones and unknown statuses are rejected
 * per milestone; text is data; every applied change appends a Changes row.
 */
import { fitCell } from './cells';
import { dateInZone, instantToSerial, parseIsoDate, serialToInstant } from './dates';
import { isOpen, matchListValue, STATUSES } from './register';
import { meetingForInstant } from './schedule';
import { describeZodIssues, SubmissionSchema } from './schemas';
import type {
  CellWrite,
  Milestone,
  Problem,
  RawSubmission,
  Register,
  RowAppend,
  Status,
  Submission,
} from './types';

export interface AppliedChange {
  responseId: string;
  milestone: string;
  field: 'Status' | 'Forecast';
  from: string;
  to: string;
  by: string;
  source: 'form' | 'sheet' | 'auto';
}

export interface Rejection {
  responseId: string;
  /** '' when the whole submission was rejected. */
  milestone: string;
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
  appends: RowAppend[];
  problems: Problem[];
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

/** Order of application: by submit time, then response id (never by arrival order). */
export function bySubmitTime(a: Submission, b: Submission): number {
  const ta = Date.parse(a.submittedAt);
  const tb = Date.parse(b.submittedAt);
  if (ta !== tb) return ta - tb;
  return a.responseId < b.responseId ? -1 : a.responseId > b.responseId ? 1 : 0;
}

export function ingest(register: Register, raws: RawSubmission[], now: string): IngestResult {
  const { submissions, problems } = parseSubmissions(raws);
  const result: IngestResult = {
    applied: [],
    rejected: [],
    skipped: [],
    recorded: 0,
    writes: [],
    appends: [],
    problems,
  };
  const tz = register.settings.timeZone;
  const people = new Map(register.team.map((p) => [p.email, p]));
  /**
   * Instants compared as the register stores them (wall time in its zone), so that a time in
   * the repeated autumn hour still matches itself after a round trip through a sheet.
   */
  const stored = (instant: string) => Date.parse(serialToInstant(instantToSerial(instant, tz), tz));

  const byId = new Map<string, Milestone[]>();
  for (const m of register.milestones) if (m.id) byId.set(m.id, [...(byId.get(m.id) ?? []), m]);

  // What Milepost last recorded for each milestone (Changes is append-only: row order is
  // the order of recording), when it was last updated, and by which response.
  const lastValue = new Map<string, string>();
  const lastAt = new Map<string, number>();
  const lastStatusBy = new Map<string, string>();
  for (const c of [...register.changes].sort((a, b) => a.row - b.row)) {
    if (c.field !== 'Status' && c.field !== 'Forecast') continue;
    lastValue.set(`${c.milestone}|${c.field}`, c.to);
    lastAt.set(c.milestone, Math.max(lastAt.get(c.milestone) ?? 0, Date.parse(c.when)));
    if (c.field === 'Status') lastStatusBy.set(c.milestone, c.responseId);
  }
  for (const m of register.milestones) {
    if (m.id && m.lastUpdate) lastAt.set(m.id, Math.max(lastAt.get(m.id) ?? 0, Date.parse(m.lastUpdate)));
  }

  const working = new Map<string, Working>();
  const work = (m: Milestone): Working => {
    let w = working.get(m.id);
    if (!w) {
      w = { m, status: m.status, forecast: m.forecast ?? '', lastUpdate: m.lastUpdate, touched: new Set() };
      working.set(m.id, w);
    }
    return w;
  };
  const change = (
    w: Working,
    field: 'Status' | 'Forecast',
    to: string,
    by: string,
    when: string,
    source: AppliedChange['source'],
    responseId: string,
  ) => {
    const from = field === 'Status' ? w.status : w.forecast;
    if (field === 'Status') {
      w.status = to as Status;
      lastStatusBy.set(w.m.id, responseId);
    } else w.forecast = to;
    w.touched.add(field);
    result.applied.push({ responseId, milestone: w.m.id, field, from, to, by, source });
    result.appends.push({
      tab: 'Changes',
      // A hand edit found in the sheet is already there; every other change is a write.
      requires: source === 'sheet' ? undefined : [{ tab: 'Milestones', key: w.m.id }],
      values: {
        When: when,
        Milestone: w.m.id,
        Field: field,
        From: from,
        To: to,
        By: by,
        Source: source,
        'Response ID': responseId,
      },
      dates: { When: 'instant' },
    });
  };

  // 1. Hand edits since the last recorded change become 'sheet' changes, so anticipation
  //    and "changed since last meeting" see them even where no edit trigger exists.
  for (const [id, ms] of byId) {
    if (ms.length !== 1) continue;
    const m = ms[0]!;
    if (m.statusCell !== '' && !matchListValue(m.statusCell, STATUSES)) continue;
    const lastStatus = lastValue.get(`${id}|Status`);
    if (lastStatus !== undefined ? lastStatus !== m.status : m.status !== 'On track') {
      const w = work(m);
      w.status = (lastStatus ?? 'On track') as Status;
      change(w, 'Status', m.status, '', now, 'sheet', '');
      w.touched.delete('Status');
    }
    const lastForecast = lastValue.get(`${id}|Forecast`);
    const forecast = m.forecast ?? '';
    if (m.forecastCell === '' || m.forecast) {
      if (lastForecast !== undefined ? lastForecast !== forecast : forecast !== '') {
        const w = work(m);
        w.forecast = lastForecast ?? '';
        change(w, 'Forecast', forecast, '', now, 'sheet', '');
        w.touched.delete('Forecast');
      }
    }
  }

  // 2. Which submissions are new: not yet in Updates with the same id and submit time, and
  //    not replaced by a later version of the same response (wherever that version is).
  const latestVersion = new Map<string, number>();
  const seenVersion = (id: string, t: number) => {
    if (t > (latestVersion.get(id) ?? Number.NEGATIVE_INFINITY)) latestVersion.set(id, t);
  };
  for (const u of register.updates) seenVersion(u.responseId, stored(u.received));
  for (const s of submissions) seenVersion(s.responseId, stored(s.submittedAt));
  const alreadyApplied = new Set(register.updates.map((u) => `${u.responseId}|${stored(u.received)}`));
  const seen = new Set<string>();
  const pending: (Submission & { where: string })[] = [];
  for (const s of [...submissions].sort(bySubmitTime)) {
    const t = stored(s.submittedAt);
    const key = `${s.responseId}|${t}`;
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
    if (latestVersion.get(s.responseId)! > t) {
      result.skipped.push({
        responseId: s.responseId,
        reason: 'replaced by a later edit of the same response',
        where: s.where,
      });
      continue;
    }
    pending.push(s);
  }

  // 3. Apply in submit-time order. A response older than the latest update already recorded
  //    for a milestone does not change it: only the latest word on a milestone counts,
  //    whatever order the responses arrive in.
  for (const s of pending) {
    const person = people.get(s.email);
    const meeting = meetingForInstant(register, s.submittedAt);
    const submitted = Date.parse(s.submittedAt);
    const reasons: string[] = [];
    let changes = 0;
    let accepted = 0;
    const covered: string[] = [];
    /** Milestones this response writes to (status, forecast or Last update). */
    const touched: string[] = [];
    const reject = (milestone: string, reason: string) => {
      result.rejected.push({ responseId: s.responseId, milestone, reason, where: s.where });
      reasons.push(milestone ? `${milestone}: ${reason}` : reason);
    };
    const behalf = s.onBehalfOf === undefined ? undefined : people.get(s.onBehalfOf);
    /** The respondent may report (for themselves, or for whom "Who is updating?" names). */
    let mayReport = false;
    if (!person) {
      reject('', `${s.email || 'a respondent without a verified email'} is not on the Team tab`);
    } else if (s.onBehalfOf !== undefined && !behalf) {
      reject('', `"Who is updating?" names ${s.onBehalfOf}, who is not on the Team tab`);
    } else if (behalf && s.email !== behalf.email && s.email !== behalf.delegate) {
      reject(
        '',
        `${s.email} may not update for ${behalf.name} (${behalf.email}): only they${behalf.delegate ? ` or their delegate (${behalf.delegate})` : ''} may`,
      );
    } else {
      mayReport = true;
      const ids = [
        ...new Set([...Object.keys(s.statuses), ...Object.keys(s.forecasts), ...Object.keys(s.comments)]),
      ].sort();
      for (const id of ids) {
        const statusText = (s.statuses[id] ?? '').trim();
        const forecastText = (s.forecasts[id] ?? '').trim();
        const ms = byId.get(id);
        if (!ms) {
          reject(id, `there is no milestone ${id} in the register`);
          continue;
        }
        if (ms.length > 1) {
          reject(
            id,
            `${id} is on rows ${ms.map((m) => m.row).join(' and ')} of Milestones; fix the duplicate ID first`,
          );
          continue;
        }
        const m = ms[0]!;
        const delegate = people.get(m.owner)?.delegate;
        if (!m.owner) {
          reject(id, `${id} has no valid owner in the register`);
          continue;
        }
        if (s.email !== m.owner && s.email !== delegate) {
          reject(
            id,
            `only the owner (${m.owner})${delegate ? ` or their delegate (${delegate})` : ''} may update ${id}`,
          );
          continue;
        }
        const latest = lastAt.get(id);
        if (latest !== undefined && latest > submitted) {
          reject(
            id,
            `a later update (${new Date(latest).toISOString()}) is already recorded; this one from ${s.submittedAt} changes nothing`,
          );
          continue;
        }
        const w = work(m);
        // An edited response may reopen what its own earlier version closed.
        if (!isOpen({ ...m, status: w.status }) && lastStatusBy.get(id) !== s.responseId) {
          reject(id, `${id} is ${w.status}; closed milestones are not updated`);
          continue;
        }
        const status = statusText ? matchListValue(statusText, STATUSES) : undefined;
        if (statusText && !status) {
          reject(id, `unknown status "${statusText}"; expected one of ${STATUSES.join(', ')}`);
          continue;
        }
        const forecast = forecastText ? parseIsoDate(forecastText) : undefined;
        if (forecastText && !forecast) {
          reject(id, `forecast "${forecastText}" is not a date (expected YYYY-MM-DD)`);
          continue;
        }
        if (status && status !== w.status) {
          change(w, 'Status', status, s.email, s.submittedAt, 'form', s.responseId);
          changes++;
        }
        if (forecast && forecast !== w.forecast) {
          change(w, 'Forecast', forecast, s.email, s.submittedAt, 'form', s.responseId);
          changes++;
        }
        accepted++;
        covered.push(id);
        if (status || forecast || s.comments[id]) {
          touched.push(id);
          w.lastUpdate = s.submittedAt;
          w.touched.add('Last update');
          lastAt.set(id, Math.max(lastAt.get(id) ?? 0, submitted));
        }
      }
    }
    // Someone who may report and whose every milestone answer was refused still reported: their
    // wins, learnings and help stand, and they are not "No update received". (The form on Google
    // only offers their open milestones, so the same person's report counts there too: one rule
    // for every runtime.)
    const reported = mayReport && [s.wins, s.learnings, s.helpNeeded].some((t) => t.trim() !== '');
    const applied = !reasons.length ? 'Applied' : accepted || reported ? 'Partly applied' : 'Rejected';
    const summary = `${applied}: ${changes === 1 ? '1 change' : `${changes || 'no'} changes`}${reasons.length ? `; rejected ${reasons.join('; ')}` : ''}`;
    result.appends.push({
      tab: 'Updates',
      requires: touched.map((key) => ({ tab: 'Milestones' as const, key })),
      values: {
        Received: s.submittedAt,
        'Response ID': s.responseId,
        Meeting: meeting?.date ?? '',
        Email: s.email,
        Wins: fitCell(s.wins),
        Learnings: fitCell(s.learnings),
        'Help needed': fitCell(s.helpNeeded),
        'Help from': fitCell(s.helpFrom),
        Milestones: fitCell(covered.join(', ')),
        Comments: fitCell(formatComments(s.comments)),
        Result: fitCell(summary),
      },
      dates: { Received: 'instant', Meeting: 'date' },
    });
    result.recorded++;
  }

  // 4. Overdue open milestones become Missed (in the register's time zone).
  if (register.settings.autoMiss) {
    const today = dateInZone(now, tz);
    for (const [, ms] of byId) {
      if (ms.length !== 1) continue;
      const m = ms[0]!;
      const w = working.get(m.id);
      const status = w?.status ?? m.status;
      if (m.due && m.due < today && (status === 'On track' || status === 'Might miss')) {
        change(work(m), 'Status', 'Missed', 'milepost', now, 'auto', '');
      }
    }
  }

  // 5. One write per changed cell, addressed by ID, expecting the cell exactly as it was read.
  for (const w of [...working.values()].sort((a, b) => (a.m.id < b.m.id ? -1 : 1))) {
    const ref = { by: 'key' as const, header: 'ID', value: w.m.id };
    if (w.touched.has('Status') && w.status !== w.m.status) {
      result.writes.push({
        tab: 'Milestones',
        ref,
        column: 'Status',
        value: w.status,
        previous: w.m.cells.status,
      });
    }
    if (w.touched.has('Forecast') && w.forecast !== (w.m.forecast ?? '')) {
      result.writes.push({
        tab: 'Milestones',
        ref,
        column: 'Forecast',
        value: w.forecast,
        previous: w.m.cells.forecast,
        as: 'date',
      });
    }
    if (w.touched.has('Last update') && w.lastUpdate && w.lastUpdate !== w.m.lastUpdate) {
      result.writes.push({
        tab: 'Milestones',
        ref,
        column: 'Last update',
        value: w.lastUpdate,
        previous: w.m.cells.lastUpdate,
        as: 'instant',
      });
    }
  }
  return result;
}
