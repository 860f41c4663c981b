/**
 * The local backend's update form server: `GET /u/<token>` shows a person's update page for
 * the upcoming meeting, `POST /u/<token>` validates it and appends one line to
 * responses.jsonl (the same normalised submission a Google Form response becomes). The token
 * is the identity (see tokens.ts); nothing else is served.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { planValidate } from '../core/cycle';
import {
  answersOfSubmission,
  type FormActionSpec,
  type FormSectionSpec,
  type FormSpec,
  formResponseReader,
  formSpec,
  NO_HELP,
  prefillAnswers,
} from '../core/form';
import { formatDate, formatDateTime } from '../core/format';
import { meetingForInstant, upcomingMeeting } from '../core/schedule';
import { SubmissionSchema } from '../core/schemas';
import type { Meeting, Milestone, Person, Register, Snapshot, Submission } from '../core/types';
import { ingest, lateness, mayUpdateFor } from '../core/updates';
import { assertWorkspace } from './backend';
import { appendResponse, type ResponsesRead, readResponses } from './responses';
import { ensureSecret, verifyToken } from './tokens';
import { type FileStamp, fileStamp, readWorkbook } from './workbook';
import { workspacePaths } from './workspace';

export const BODY_LIMIT = 64 * 1024;
/** Where `milepost serve` listens unless told otherwise (the demo's link names it too). */
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

export interface ServeOptions {
  workspace: string;
  port?: number;
  host?: string;
  /** The clock (tests); defaults to the system clock. */
  now?: () => string;
  /** Where the one-line-per-submission log goes; defaults to stderr. */
  log?: (line: string) => void;
  /** How the workspace's files are read (tests count the reads); defaults to the local backend's readers. */
  readers?: Partial<ServeReaders>;
}

/** The reads the server makes: the whole register and responses, and a file's stamp (a stat). */
export interface ServeReaders {
  register(file: string): Promise<{ snapshot: Snapshot; stamp: FileStamp }>;
  responses(file: string): Promise<ResponsesRead>;
  stamp(file: string): Promise<FileStamp>;
}

const DEFAULT_READERS: ServeReaders = {
  register: readWorkbook,
  responses: readResponses,
  stamp: fileStamp,
};

export interface RunningServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/**
 * A person's update page: the sections of the core's form spec they may answer (their own, then
 * those of the people they cover for as delegate, by the ingestion rule `mayUpdateFor`).
 */
interface Page {
  person: Person;
  meeting: Meeting;
  register: Register;
  /** The register's time zone, for the times shown. */
  timeZone: string;
  token: string;
  spec: FormSpec;
  sections: FormSectionSpec[];
  /** Each field of the page's HTML form → the spec's question id it answers. */
  fields: Map<string, string>;
  /** When the page is shown or sent: from the pack's build time on, an answer is late. */
  now: string;
}

/**
 * The answers of the page as typed, by field name (`status:M-0001`, `wins`…): kept when the
 * form comes back with problems. The field names are the HTML face of the spec's question ids.
 */
type Answers = Record<string, string>;

type Errors = Record<string, string>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title);
  }
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
const h = escapeHtml;

const STYLE = `
:root{color-scheme:light;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
body{margin:0 auto;max-width:44rem;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
fieldset{border:1px solid #6b6b6b;border-radius:6px;margin:0 0 1rem;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label{display:block;margin:.5rem 0 .25rem;font-weight:500}
.choices label{display:inline-flex;align-items:center;gap:.35rem;margin:.25rem 1rem .25rem 0;font-weight:400}
input[type=date],input[type=text],select,textarea{font:inherit;width:100%;box-sizing:border-box;padding:.45rem;border:1px solid #555;border-radius:4px;background:#fff;color:#1a1a1a}
textarea{min-height:5rem}
input[type=radio]{width:1.15rem;height:1.15rem}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:6px;background:#0b57d0;color:#fff;cursor:pointer}
.error{color:#a50e0e;font-weight:600;margin:.25rem 0}
.invalid{border-color:#a50e0e}
.summary{border:2px solid #a50e0e;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.late{border:2px solid #8a5a00;background:#fff8e5;border-radius:6px;padding:.25rem 1rem;margin:1rem 0}
.nochange{border:1px solid #6b6b6b;border-radius:6px;padding:.25rem 1rem;margin:1rem 0}
.nochange button{background:#fff;color:#0b57d0;border:2px solid #0b57d0;margin-left:.25rem}
.muted{color:#4a4a4a}
dl{margin:0}dt{font-weight:600;margin-top:.5rem}dd{margin:0 0 .25rem 0;white-space:pre-wrap}
`;

/** The style's hash for the Content-Security-Policy (no inline script anywhere). */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

const HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function send(res: http.ServerResponse, status: number, html: string, extra: Record<string, string> = {}) {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    ...HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    ...extra,
  });
  res.end(body);
}

function plainPage(title: string): string {
  return layout(title, `<h1>${h(title)}</h1>`);
}

// ---------- what a person may see and update ----------

/** The HTML field of each question of these sections: milestone fields by ID, the person's own by name. */
function fieldsOf(sections: FormSectionSpec[], owner: string): Map<string, string> {
  const fields = new Map<string, string>();
  sections.forEach((section) => {
    for (const m of section.milestones) {
      fields.set(`status:${m.milestone}`, m.statusQuestionId);
      fields.set(`forecast:${m.milestone}`, m.forecast.questionId);
      fields.set(`comment:${m.milestone}`, m.comment.questionId);
    }
    for (const a of section.actions) {
      fields.set(`action:${a.action}`, a.status.questionId);
      fields.set(`actionNote:${a.action}`, a.note.questionId);
    }
    if (section.owner !== owner) return;
    fields.set('wins', section.wins.questionId);
    fields.set('learnings', section.learnings.questionId);
    fields.set('helpNeeded', section.helpNeeded.questionId);
    fields.set('topic', section.topic.questionId);
    fields.set('helpFrom', section.helpFrom.questionId);
  });
  return fields;
}

/** The form spec of each register read and meeting: the same until the register is read again. */
const specs = new WeakMap<Register, Map<string, FormSpec>>();
function specFor(register: Register, meeting: Meeting): FormSpec {
  const byMeeting = specs.get(register) ?? new Map<string, FormSpec>();
  specs.set(register, byMeeting);
  const spec = byMeeting.get(meeting.date) ?? formSpec(register, meeting);
  byMeeting.set(meeting.date, spec);
  return spec;
}

function pageFor(
  register: Register,
  meeting: Meeting,
  email: string,
  token: string,
  now: string,
): Page | undefined {
  const person = register.team.find((p) => p.email === email && p.active);
  if (!person) return undefined;
  const spec = specFor(register, meeting);
  // Their own section, if they own open milestones (the spec has a section for each who does).
  const own = spec.sections.filter((s) => s.owner === person.email);
  const covered = spec.sections.filter(
    (s) =>
      s.owner !== person.email &&
      s.milestones.length > 0 &&
      mayUpdateFor(
        person.email,
        register.team.find((p) => p.email === s.owner),
      ),
  );
  const sections = [...own, ...covered];
  if (!sections.length) return undefined;
  return {
    person,
    meeting,
    register,
    token,
    spec,
    sections,
    fields: fieldsOf(sections, person.email),
    timeZone: register.settings.timeZone,
    now,
  };
}

/** Spec answers (by question id) as the page's fields. */
function asFields(page: Page, byQuestion: Record<string, string | string[]>): Answers {
  const answers: Answers = {};
  for (const [field, id] of page.fields) {
    const v = byQuestion[id];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) answers[field] = value;
  }
  return answers;
}

/** What the page shows first: each milestone as the register has it (the core's pre-fill). */
function prefilled(page: Page): Answers {
  return asFields(
    page,
    Object.assign({}, ...page.sections.map((s) => prefillAnswers(page.spec, page.register, s.owner))),
  );
}

// ---------- the form ----------

function fieldError(errors: Errors, key: string, id: string): string {
  const e = errors[key];
  return e ? `<p class="error" id="${h(id)}-error">${h(e)}</p>` : '';
}

function described(errors: Errors, key: string, id: string): string {
  return errors[key] ? ` aria-describedby="${h(id)}-error" aria-invalid="true" class="invalid"` : '';
}

/** A safe HTML id for a milestone id. */
const idOf = (prefix: string, milestone: string) => `${prefix}-${milestone.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function milestoneFieldset(
  m: Milestone,
  statuses: readonly string[],
  answers: Answers,
  errors: Errors,
): string {
  const status = answers[`status:${m.id}`] ?? '';
  const forecast = answers[`forecast:${m.id}`] ?? '';
  const comment = answers[`comment:${m.id}`] ?? '';
  const sid = idOf('status', m.id);
  const fid = idOf('forecast', m.id);
  const cid = idOf('comment', m.id);
  const radios = statuses
    .map(
      (s, i) =>
        `<label><input type="radio" name="status:${h(m.id)}" id="${i === 0 ? sid : `${sid}-${i}`}" value="${h(s)}"${s === status ? ' checked' : ''}> ${h(s)}</label>`,
    )
    .join('\n');
  const due = m.due ? ` <span class="muted">(due ${h(formatDate(m.due))})</span>` : '';
  return `<fieldset>
<legend>${h(m.id)} · ${h(m.title)}${due}</legend>
<fieldset class="choices"${errors[`status:${m.id}`] ? ` aria-describedby="${h(sid)}-error"` : ''}>
<legend>Status</legend>
${fieldError(errors, `status:${m.id}`, sid)}
${radios}
</fieldset>
<label for="${h(fid)}">Forecast date</label>
${fieldError(errors, `forecast:${m.id}`, fid)}
<input type="date" id="${h(fid)}" name="forecast:${h(m.id)}" value="${h(forecast)}"${described(errors, `forecast:${m.id}`, fid)}>
<label for="${h(cid)}">Comment</label>
${fieldError(errors, `comment:${m.id}`, cid)}
<textarea id="${h(cid)}" name="comment:${h(m.id)}" maxlength="10000"${described(errors, `comment:${m.id}`, cid)}>${h(comment)}</textarea>
</fieldset>`;
}

/** One open tracked action of the owner: still open or done, and a one-line note. */
function actionFieldset(a: FormActionSpec, answers: Answers, errors: Errors): string {
  const status = answers[`action:${a.action}`] ?? '';
  const note = answers[`actionNote:${a.action}`] ?? '';
  const sid = idOf('action', a.action);
  const nid = idOf('action-note', a.action);
  const radios = a.status.options
    .map(
      (o, i) =>
        `<label><input type="radio" name="action:${h(a.action)}" id="${i === 0 ? sid : `${sid}-${i}`}" value="${h(o)}"${o === status ? ' checked' : ''}> ${h(o)}</label>`,
    )
    .join('\n');
  return `<fieldset class="action">
<legend>${h(a.status.title)}</legend>
<fieldset class="choices"${errors[`action:${a.action}`] ? ` aria-describedby="${h(sid)}-error"` : ''}>
<legend>Still open, or done?</legend>
${fieldError(errors, `action:${a.action}`, sid)}
${radios}
</fieldset>
<label for="${h(nid)}">Note <span class="muted">(optional, one line)</span></label>
${fieldError(errors, `actionNote:${a.action}`, nid)}
<input type="text" id="${h(nid)}" name="actionNote:${h(a.action)}" value="${h(note)}" maxlength="500"${described(errors, `actionNote:${a.action}`, nid)}>
</fieldset>`;
}

function textArea(key: string, label: string, answers: Answers, errors: Errors): string {
  const value = answers[key] ?? '';
  return `<label for="${key}">${h(label)}</label>
${fieldError(errors, key, key)}
<textarea id="${key}" name="${key}" maxlength="10000"${described(errors, key, key)}>${h(value)}</textarea>`;
}

/** The lines of the workspace's responses that the ingestion schema accepts, as submissions. */
function validSubmissions(read: ResponsesRead): Submission[] {
  const out: Submission[] = [];
  for (const line of read.raw) {
    const parsed = SubmissionSchema.safeParse(line.value);
    if (parsed.success) out.push(parsed.data as Submission);
  }
  return out;
}

/** The person's latest update for the meeting in the workspace's responses, if they sent one. */
function latestSubmission(
  register: Register,
  submissions: Submission[],
  email: string,
  meeting: string,
): Submission | undefined {
  let latest: Submission | undefined;
  for (const s of submissions) {
    if (s.email.toLowerCase() !== email.toLowerCase()) continue;
    if (meetingForInstant(register, s.submittedAt)?.date !== meeting) continue;
    if (!latest || Date.parse(s.submittedAt) >= Date.parse(latest.submittedAt)) latest = s;
  }
  return latest;
}

/**
 * A sent update as the page's answers (the core's `answersOfSubmission`, section by section);
 * milestones it did not cover show the register's values.
 */
function answersFrom(page: Page, s: Submission): Answers {
  const byQuestion = page.sections.map((section) =>
    answersOfSubmission(
      page.spec,
      page.register,
      section.owner === page.person.email
        ? { ...s, onBehalfOf: section.owner }
        : {
            email: s.email,
            onBehalfOf: section.owner,
            statuses: s.statuses,
            forecasts: s.forecasts,
            comments: s.comments,
            ...(s.actions ? { actions: s.actions } : {}),
            ...(s.actionNotes ? { actionNotes: s.actionNotes } : {}),
          },
    ),
  );
  return { ...prefilled(page), ...asFields(page, Object.assign({}, ...byQuestion)) };
}

function formPage(
  page: Page & { previous?: Submission },
  csrf: string,
  answers?: Answers,
  errors: Errors = {},
): string {
  const { person, meeting } = page;
  const sentBefore = page.previous
    ? `<p class="muted">You sent an update on ${h(formatDateTime(page.previous.submittedAt, page.timeZone))}: it is shown below. Sending again replaces it.</p>`
    : '';
  const general = errors._form
    ? `<div class="summary" role="alert"><p class="error">${h(errors._form)}</p></div>`
    : Object.keys(errors).length
      ? `<div class="summary" role="alert"><p class="error">Some answers need a look: see the notes next to them below. Nothing was recorded yet.</p></div>`
      : '';
  const shown = answers ?? prefilled(page);
  const milestone = new Map(page.register.milestones.map((m) => [m.id, m]));
  const sections = page.sections
    .map((section) => {
      const owner = page.register.team.find((p) => p.email === section.owner);
      const heading =
        section.owner === page.person.email
          ? `<h2>Your milestones</h2>`
          : `<h2>Milestones of ${h(owner?.name ?? section.owner)} <span class="muted">(you cover for them as delegate)</span></h2>`;
      const statuses = section.grid?.columns ?? [];
      const body = section.milestones.length
        ? section.milestones
            .map((m) => milestoneFieldset(milestone.get(m.milestone)!, statuses, shown, errors))
            .join('\n')
        : '<p class="muted">No open milestones.</p>';
      const actions = section.actions.length
        ? `\n<h3>${section.owner === page.person.email ? 'Your' : 'Their'} open actions</h3>\n${section.actions.map((a) => actionFieldset(a, shown, errors)).join('\n')}`
        : '';
      return `<section>${heading}\n${body}${actions}</section>`;
    })
    .join('\n');
  const own = page.sections.find((section) => section.owner === page.person.email);
  return layout(
    `Milestone update — ${formatDate(meeting.date)}`,
    `<h1>Milestone update from ${h(person.name)}</h1>
<p>For the milestone meeting on <strong>${h(formatDate(meeting.date))}</strong>. Please send it by <strong id="deadline">${h(formatDateTime(page.spec.deadline, page.timeZone))}</strong>. Flag "Might miss" early; give a forecast date when it moves.</p>
${lateBanner(page)}${general}${sentBefore}
<form method="post" action="/u/${h(page.token)}" class="nochange">
<input type="hidden" name="csrf" value="${h(csrf)}">
<input type="hidden" name="noChange" value="yes">
<p>Nothing changed since your last update? <button type="submit" id="no-change">No change this week</button></p>
</form>
<form method="post" action="/u/${h(page.token)}" accept-charset="utf-8">
<input type="hidden" name="csrf" value="${h(csrf)}">
${sections}
${own ? yourUpdate(own, shown, errors) : ''}
<button type="submit">Send my update</button>
</form>`,
  );
}

/** Once the pack is built: the answer is still welcome, and marked late. */
function lateBanner(page: Page): string {
  if (Date.parse(page.now) < Date.parse(page.spec.packAt)) return '';
  return `<div class="late" role="status"><p>The meeting pack was built at ${h(formatDateTime(page.spec.packAt, page.timeZone))}. Your update is still recorded, marked late, and shown as late in the pack.</p></div>\n`;
}

/** The person's own wins, learnings and help (their section of the spec). */
function yourUpdate(own: FormSectionSpec, shown: Answers, errors: Errors): string {
  const helpFrom = shown.helpFrom || NO_HELP;
  const options = own.helpFrom.options
    .map((o) => `<option value="${h(o)}"${o === helpFrom ? ' selected' : ''}>${h(o)}</option>`)
    .join('\n');
  return `<h2>Your update</h2>
<fieldset>
<legend>Wins, learnings and help</legend>
${textArea('wins', own.wins.title, shown, errors)}
${textArea('learnings', own.learnings.title, shown, errors)}
${textArea('helpNeeded', own.helpNeeded.title, shown, errors)}
<label for="helpFrom">${h(own.helpFrom.title)}</label>
${fieldError(errors, 'helpFrom', 'helpFrom')}
<select id="helpFrom" name="helpFrom"${described(errors, 'helpFrom', 'helpFrom')}>
${options}
</select>
</fieldset>
<fieldset>
<legend>${h(own.topic.title)}</legend>
<p class="muted" id="topic-hint">${h(own.topic.description ?? '')}</p>
${fieldError(errors, 'topic', 'topic')}
<textarea id="topic" name="topic" maxlength="10000" aria-label="${h(own.topic.title)}" aria-describedby="topic-hint"${errors.topic ? ' aria-invalid="true" class="invalid"' : ''}>${h(shown.topic ?? '')}</textarea>
</fieldset>`;
}

function thanksPage(page: Page, submission: Submission): string {
  const milestone = new Map(page.register.milestones.map((m) => [m.id, m]));
  const rows = page.sections
    .flatMap((section) => section.milestones.map((m) => milestone.get(m.milestone)!))
    .filter((m) => submission.statuses[m.id] !== undefined || submission.comments[m.id] !== undefined)
    .map(
      (m) => `<dt>${h(m.id)} · ${h(m.title)}</dt>
<dd>Status: ${h(submission.statuses[m.id] ?? '')}${submission.forecasts[m.id] ? `; forecast ${h(formatDate(submission.forecasts[m.id]!))}` : ''}</dd>${submission.comments[m.id] ? `\n<dd>Comment: ${h(submission.comments[m.id])}</dd>` : ''}`,
    )
    .join('\n');
  const actionRows = page.sections
    .flatMap((section) => section.actions)
    .filter((a) => submission.actions?.[a.action] || submission.actionNotes?.[a.action])
    .map(
      (a) =>
        `<dt>${h(a.status.title)}</dt>\n<dd>${h(submission.actions?.[a.action] ?? '')}${submission.actionNotes?.[a.action] ? `; note: ${h(submission.actionNotes[a.action])}` : ''}</dd>`,
    )
    .join('\n');
  const item = (label: string, value: string) => `<dt>${h(label)}</dt>\n<dd>${value ? h(value) : '—'}</dd>`;
  const late = lateness(page.register, submission.submittedAt);
  const lateText = late
    ? `<div class="late" role="status"><p><strong>Marked late:</strong> the meeting pack was built at ${h(formatDateTime(late.packAt, page.timeZone))}, before your update arrived. It is recorded all the same and shown as late in the pack.</p></div>\n`
    : '';
  const unchanged = submission.noChange
    ? `<p id="no-change-recorded">You told us nothing changed this week: your milestones stay as they are, and you count as responded.</p>\n`
    : '';
  return layout(
    'Thank you',
    `<h1>Thank you, ${h(page.person.name.split(' ')[0])}</h1>
<p>Your update for the meeting on <strong>${h(formatDate(page.meeting.date))}</strong> was recorded. Open your link again to change it: the new answer replaces this one.</p>
${lateText}${unchanged}<h2>What was recorded</h2>
<dl>
${submission.noChange ? '' : rows}
${submission.noChange ? '' : actionRows}
${item('Wins', submission.wins)}
${item('Learnings', submission.learnings)}
${item('Help needed', submission.helpNeeded)}
${item('Help from', submission.helpFrom || NO_HELP)}
${item('Topic raised', submission.raisedTopic ?? '')}
</dl>`,
  );
}

// ---------- reading and checking a post ----------

/** The page's fields of a post (one value each), or why the post does not fit the page. */
function answersOf(page: Page, form: URLSearchParams): { answers: Answers; errors: Errors } {
  const answers: Answers = {};
  const errors: Errors = {};
  const foreign: string[] = [];
  for (const [key, value] of form) {
    if (key === 'csrf') continue;
    if (key === 'noChange' && value === 'yes') {
      answers.noChange = value;
      continue;
    }
    if (!page.fields.has(key)) foreign.push(key);
    else if (form.getAll(key).length > 1) errors[key] = 'Give one answer only.';
    answers[key] = value;
  }
  if (foreign.length) {
    const named = [
      ...new Set(
        foreign
          .map((k) => /^(?:status|forecast|comment|action|actionNote):(.+)$/.exec(k)?.[1])
          .filter(Boolean),
      ),
    ];
    errors._form = `This form may only update your own open milestones${page.sections.length > 1 ? ' and those you cover for' : ''}; ${named.length ? `it named ${named.join(', ')}` : 'it held fields this form does not have'}. Nothing was recorded.`;
  }
  return { answers, errors };
}

/** The field a schema issue or an ingestion rejection is about. */
function fieldOfPath(head: string | undefined, sub: string | undefined): string {
  if (head === 'statuses') return `status:${sub}`;
  if (head === 'forecasts') return `forecast:${sub}`;
  if (head === 'comments') return `comment:${sub}`;
  if (head === 'actions') return `action:${sub}`;
  if (head === 'actionNotes') return `actionNote:${sub}`;
  return head ?? '_form';
}

/**
 * A post as a form response, read by the core as any form's is (`formResponseReader`, the
 * submission schema) and checked by the ingestion rules themselves (`ingest`, on the register as
 * it is): what a sync would reject is shown next to its answer now, and nothing is recorded.
 */
function check(page: Page, answers: Answers, now: string): { errors: Errors; submission?: Submission } {
  const errors: Errors = {};
  const byQuestion: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(answers)) {
    const id = page.fields.get(field);
    if (id && value.trim()) byQuestion[id] = [value];
  }
  const read = formResponseReader(page.register)({
    responseId: `web-${page.meeting.date}-${page.person.email}`,
    submittedAt: now,
    email: page.person.email,
    answers: byQuestion,
  });
  // The one-click "no change this week": the core's rule (ingest) leaves every milestone as it is.
  const parsed = SubmissionSchema.safeParse(answers.noChange === 'yes' ? { ...read, noChange: true } : read);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, sub] = issue.path.map(String);
      errors[fieldOfPath(head, sub)] ??= issue.message;
    }
    return { errors };
  }
  const submission = parsed.data as Submission;
  const { rejected } = ingest(page.register, [{ where: 'this form', value: submission }], now);
  for (const r of rejected) {
    const key = r.milestone ? `${r.field ?? 'status'}:${r.milestone}` : '_form';
    errors[key] ??= `${r.reason.charAt(0).toUpperCase()}${r.reason.slice(1)}.`;
  }
  return Object.keys(errors).length ? { errors } : { errors, submission };
}

/** Reads a request body up to `limit` bytes; a longer one is a 413 (the rest is drained). */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
      // Far beyond the limit: stop reading altogether.
      if (size > limit * 16) req.destroy();
    });
    req.on('end', () => {
      if (over) reject(new HttpError(413, 'That update is too large to accept.'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

// ---------- the server ----------

/** Per-process key of the CSRF tokens: a form from before a restart is simply sent again. */
function csrfTokens(): {
  csrfOf: (token: string) => string;
  csrfOk: (token: string, given: string | null) => boolean;
} {
  const csrfKey = randomBytes(32);
  const csrfOf = (token: string) => createHmac('sha256', csrfKey).update(token).digest('base64url');
  const csrfOk = (token: string, given: string | null) => {
    if (!given) return false;
    const a = Buffer.from(given, 'utf8');
    const b = Buffer.from(csrfOf(token), 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  };
  return { csrfOf, csrfOk };
}

/** A file's stamp, or undefined while it does not exist. */
async function stampOrMissing(readers: ServeReaders, file: string): Promise<FileStamp | undefined> {
  try {
    return await readers.stamp(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const sameStamp = (a: FileStamp | undefined, b: FileStamp | undefined) =>
  a === b || (!!a && !!b && a.mtimeMs === b.mtimeMs && a.size === b.size);

/**
 * What a file holds, read again only when its stamp (modification time and size, one stat per
 * call) differs from the stamp of the copy held. Concurrent callers share one read.
 */
function cachedFile<T>(
  stamp: () => Promise<FileStamp | undefined>,
  load: () => Promise<{ value: T; stamp: FileStamp | undefined }>,
): () => Promise<T> {
  let held: { value: T; stamp: FileStamp | undefined } | undefined;
  let loading: Promise<{ value: T; stamp: FileStamp | undefined }> | undefined;
  return async () => {
    const now = await stamp();
    if (held && sameStamp(held.stamp, now)) return held.value;
    loading ??= load()
      .then((read) => {
        held = read;
        return read;
      })
      .finally(() => {
        loading = undefined;
      });
    return (await loading).value;
  };
}

/** The workspace as the server reads it: the register and the responses, each re-read only when its file changed. */
export interface ServeWorkspace {
  register(): Promise<Register>;
  submissions(): Promise<Submission[]>;
}

export function serveWorkspace(workspace: string, readers: Partial<ServeReaders> = {}): ServeWorkspace {
  const read = { ...DEFAULT_READERS, ...readers };
  const paths = workspacePaths(workspace);
  const register = cachedFile(
    () => stampOrMissing(read, paths.register),
    async () => {
      // The stamp of the bytes read (taken before reading): a change made meanwhile is read next time.
      const { snapshot, stamp } = await read.register(paths.register);
      return { value: planValidate(snapshot).register, stamp };
    },
  );
  const submissions = cachedFile(
    () => stampOrMissing(read, paths.responses),
    async () => {
      const stamp = await stampOrMissing(read, paths.responses);
      return { value: validSubmissions(await read.responses(paths.responses)), stamp };
    },
  );
  return { register, submissions };
}

/** The page a link opens for the upcoming meeting, with the person's latest answer; a 403 when the link is not valid. */
async function resolvePage(
  opts: ServeOptions & { secret: Buffer },
  files: ServeWorkspace,
  clock: () => string,
  token: string,
): Promise<Page & { previous?: Submission }> {
  const forbidden = () => new HttpError(403, 'This link is not valid.');
  const register = await files.register();
  const meeting = upcomingMeeting(register, clock());
  if (!meeting) throw forbidden();
  const email = verifyToken(opts.secret, token, meeting.date);
  if (!email) throw forbidden();
  const page = pageFor(register, meeting, email, token, clock());
  if (!page) throw forbidden();
  const previous = latestSubmission(register, await files.submissions(), email, meeting.date);
  return previous ? { ...page, previous } : page;
}

export function createUpdateServer(
  opts: ServeOptions & { secret: Buffer; files?: ServeWorkspace },
): http.Server {
  const files = opts.files ?? serveWorkspace(opts.workspace, opts.readers);
  const clock = opts.now ?? (() => new Date().toISOString());
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { csrfOf, csrfOk } = csrfTokens();
  let lastSubmit = 0;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/u\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      send(res, 405, plainPage('Only GET, HEAD and POST are allowed.'), { Allow: 'GET, HEAD, POST' });
      req.resume();
      return;
    }
    if (!match) {
      send(res, 404, plainPage('Not found.'));
      req.resume();
      return;
    }
    const token = match[1]!;
    // HEAD is a GET without the body (link checkers and mail scanners ask it first).
    if (req.method === 'GET' || req.method === 'HEAD') {
      req.resume();
      const page = await resolvePage(opts, files, clock, token);
      // Opened again: their latest answer for this meeting, to change rather than retype.
      send(
        res,
        200,
        formPage(page, csrfOf(token), page.previous ? answersFrom(page, page.previous) : undefined),
      );
      return;
    }
    const body = await readBody(req, BODY_LIMIT);
    const page = await resolvePage(opts, files, clock, token);
    const form = new URLSearchParams(body);
    if (!csrfOk(token, form.get('csrf')))
      throw new HttpError(403, 'This form has expired: open your link again.');
    const { answers, errors: shape } = answersOf(page, form);
    // Submit times strictly increase: two submissions in one millisecond must still be told apart
    // (the later one replaces the earlier, as a Google Form edit does).
    let now = clock();
    if (Date.parse(now) <= lastSubmit) now = new Date(lastSubmit + 1).toISOString();
    lastSubmit = Date.parse(now);
    const { errors, submission } = Object.keys(shape).length ? { errors: shape } : check(page, answers, now);
    if (!submission) {
      send(res, 400, formPage(page, csrfOf(token), answers, errors));
      return;
    }
    await appendResponse(workspacePaths(opts.workspace).responses, submission);
    log(
      `milepost serve: ${now} update from ${page.person.email} for the meeting on ${page.meeting.date}: ${Object.keys(submission.statuses).length} milestone(s)`,
    );
    send(res, 200, thanksPage(page, submission));
  }

  return http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        send(res, error.status, plainPage(error.title), error.status === 413 ? { Connection: 'close' } : {});
        return;
      }
      log(`milepost serve: error: ${(error as Error).message}`);
      send(res, 500, plainPage('Something went wrong; your update was not recorded.'));
    });
  });
}

/** Starts the server on the workspace (creating its secret if an older workspace has none). */
export async function startUpdateServer(opts: ServeOptions): Promise<RunningServer> {
  await assertWorkspace(workspacePaths(opts.workspace)); // fails early without a register
  const files = serveWorkspace(opts.workspace, opts.readers);
  await files.register(); // …or with one that cannot be read; and the first page is quick
  const secret = await ensureSecret(opts.workspace);
  const server = createUpdateServer({ ...opts, secret, files });
  const host = opts.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
