/**
 * The pack's first section, "At a glance" — what the meeting must decide, what is at risk and
 * by how much, what is likely to slip, who has not responded, the health figures in one line —
 * and its "Register problems" box (docs/architecture.md §5). Built from what `pack.ts` already
 * has, as blocks of the document model, so HTML, Markdown, the Google Doc and the pack email
 * show the same. Printed, the at-a-glance section is page 1 (render-html.ts).
 */
import { actionLine, dueActions } from './actions';
import { daysBetween } from './dates';
import type { Block, Inline } from './document';
import { clipLine, plural } from './format';
import { repeatedNonResponders } from './ladder';
import {
  registerErrors,
  registerWarnings,
  unreadableCells,
  unreadableStatus,
  unreadableText,
} from './problems';
import { type Slot, slotsOf } from './slots';
import { atRiskMilestones, riskOf } from './trend';
import type { Health, Meeting, Milestone, Problem, Register, Topic } from './types';
import type { SlipWarning } from './warnings';

export interface GlanceInput {
  register: Register;
  meeting: Meeting;
  /** Ranked, with the cut line set. */
  topics: Topic[];
  health: Health;
  /** The register's problems still true of `register` (problems.ts `currentProblems`). */
  problems: Problem[];
  /** "Likely to slip" flags (warnings.ts), most urgent first. */
  warnings: SlipWarning[];
  nameOf: (who: string) => string;
  /** Minutes of discussion before the cut line. */
  topicMinutes: number;
  /** People's text is cut at this length here (the whole text is in Part 2 and the register). */
  textLimit: number;
}

export const GLANCE_ID = 'at-a-glance';
export const PROBLEMS_ID = 'register-problems';
export const PROBLEMS_TITLE = 'Register problems';

/** Lines of each list in the at-a-glance section; the rest are counted and found further down. */
const DECISION_LINES = 12;
const RISK_LINES = 10;
const WARNING_LINES = 6;
const PEOPLE_LINES = 20;
/** Rows of the Register problems box (`milepost validate` lists every one). */
const PROBLEM_ROWS = 50;
/** People's text in a one-line entry. */
const LINE_TEXT = 140;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 'built with 3 register problems' when the register has errors, else ''. */
export function problemsMark(problems: Problem[]): string {
  const n = registerErrors(problems).length;
  return n ? `built with ${plural(n, 'register problem')}` : '';
}

export function atAGlance(g: GlanceInput): Block[] {
  const blocks: Block[] = [{ type: 'heading', level: 2, text: 'At a glance', id: GLANCE_ID, box: 'glance' }];
  blocks.push(...problemsLine(g));
  blocks.push(...decisions(g));
  blocks.push(...atRisk(g));
  blocks.push(...likelyToSlip(g));
  blocks.push(...actionsDue(g));
  blocks.push(notResponded(g));
  blocks.push(...missedInARow(g));
  blocks.push(para(label('Health: '), healthLine(g)));
  return blocks;
}

// ---------- the lines ----------

/** The register's errors first: what they make doubtful, and where they are listed. */
function problemsLine(g: GlanceInput): Block[] {
  const errors = registerErrors(g.problems);
  if (errors.length === 0) return [];
  const byRow = new Map(g.register.milestones.map((m) => [m.row, m]));
  const doubtful = errors
    .filter((p) => p.tab === 'Milestones' && p.row !== undefined && p.column)
    .map((p) => {
      const m = byRow.get(p.row!);
      const who = m?.id || `row ${p.row}`;
      return `${who} ${p.column!.toLowerCase()} ${p.value?.trim() ? `“${p.value.trim()}”` : 'missing'}`;
    });
  const shown = doubtful.slice(0, 5);
  const rest = doubtful.length - shown.length;
  return [
    para(
      { text: `⚠ Built with ${plural(errors.length, 'register problem')}`, bold: true },
      ': the register has errors, listed under “Register problems” at the end with their tab, row and what to fix. ' +
        'What could not be read is shown as “?”, never as if it were fine.',
      ...(shown.length ? [` Doubtful: ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}.`] : []),
    ),
  ];
}

/** The slots above the cut line, one line each: what the meeting is for. */
function decisions(g: GlanceInput): Block[] {
  const slots = slotsOf(g.topics);
  const above = slots.filter((s) => !s.belowCut);
  const unit = slots.length === g.topics.length ? 'topic' : 'slot';
  const head = para(
    label('Decisions needed'),
    muted(
      slots.length === 0
        ? ': no topics for this meeting.'
        : ` (${above.length} of ${plural(slots.length, unit)} fit in ${g.topicMinutes} min):`,
    ),
  );
  if (above.length === 0) return slots.length ? [head, para(muted('None above the cut line.'))] : [head];
  const shown = above.slice(0, DECISION_LINES);
  const blocks: Block[] = [
    head,
    { type: 'list', ordered: true, items: shown.map((s) => decisionLine(g, s)) },
  ];
  if (shown.length < above.length) blocks.push(more(above.length - shown.length, 'topic', 'Part 2'));
  return blocks;
}

function decisionLine(g: GlanceInput, slot: Slot): Inline[] {
  const t = slot.lead;
  const owners = t.owners.filter((o) => o.trim()).map(g.nameOf);
  const of = g.register.milestones.find((m) => m.id && m.id === t.milestones[0]);
  const who = owners.length ? owners.join(' & ') : of ? ownerText(g, of) : 'no owner';
  const line: Inline[] = [clipText(t.title, g.textLimit), ` — ${who}`];
  if (slot.members.length > 0) line.push(muted(` (+${slot.members.length} related)`));
  if (t.deferrals > 0) line.push(' ', { text: `deferred ${t.deferrals}×`, bold: true });
  return line;
}

/** Open milestones flagged, missed or forecast after their due date, with their slip in days. */
function atRisk(g: GlanceInput): Block[] {
  const risky = atRiskMilestones(g.register);
  const head = para(
    label('Milestones at risk'),
    muted(risky.length ? ' (slip = forecast − due):' : ': none.'),
  );
  if (risky.length === 0) return [head];
  const shown = risky.slice(0, RISK_LINES);
  const blocks: Block[] = [head, { type: 'list', ordered: false, items: shown.map((m) => riskLine(g, m)) }];
  if (shown.length < risky.length)
    blocks.push(more(risky.length - shown.length, 'milestone', 'Tracking by strategic priority'));
  return blocks;
}

function riskLine(g: GlanceInput, m: Milestone): Inline[] {
  const risk = riskOf(m)!;
  const line: Inline[] = [...milestoneName(g, m), ': '];
  if (risk === 'late') line.push('forecast after due');
  else line.push({ text: risk, status: risk });
  if (unreadableStatus(m)) line.push(` (status ${unreadableText(m.statusCell)})`);
  const year = g.meeting.date.slice(0, 4);
  if (m.forecast && m.due) {
    const slip = daysBetween(m.due, m.forecast);
    line.push(
      ' ',
      { text: signed(slip), bold: true },
      ` (due ${day(m.due, year)}, forecast ${day(m.forecast, year)})`,
    );
  } else if (m.due) {
    const late = risk === 'Missed' ? daysBetween(m.due, g.meeting.date) : 0;
    line.push(` (due ${day(m.due, year)}, no forecast${late > 0 ? `, ${plural(late, 'day')} overdue` : ''})`);
  } else line.push(' (no due date)');
  return line;
}

/** Unflagged milestones the register's evidence says are likely to slip, with the reasons. */
function likelyToSlip(g: GlanceInput): Block[] {
  const byId = new Map(g.register.milestones.filter((m) => m.id).map((m) => [m.id.toUpperCase(), m]));
  const flagged = g.warnings.filter((w) => byId.has(w.id.toUpperCase()));
  if (flagged.length === 0) return [];
  const shown = flagged.slice(0, WARNING_LINES);
  const blocks: Block[] = [
    para(label('Likely to slip'), muted(' — not flagged by their owners:')),
    {
      type: 'list',
      ordered: false,
      items: shown.map((w) => {
        const m = byId.get(w.id.toUpperCase())!;
        const year = g.meeting.date.slice(0, 4);
        return [...milestoneName(g, m), m.due ? `, due ${day(m.due, year)}: ` : ': ', w.reasons.join('; ')];
      }),
    },
  ];
  if (shown.length < flagged.length)
    blocks.push(more(flagged.length - shown.length, 'milestone', 'Tracking by strategic priority'));
  return blocks;
}

/** Tracked actions still open and due by the meeting (actions.ts), one line each. */
function actionsDue(g: GlanceInput): Block[] {
  const due = dueActions(g.register, g.meeting.date);
  if (due.length === 0) return [];
  const shown = due.slice(0, WARNING_LINES);
  const blocks: Block[] = [
    para(label('Actions due or overdue'), muted(' (open, due by this meeting):')),
    { type: 'list', ordered: false, items: shown.map((a) => actionLine(a, g.meeting.date, g.nameOf)) },
  ];
  if (shown.length < due.length) blocks.push(more(due.length - shown.length, 'action', 'Part 2'));
  return blocks;
}

function notResponded(g: GlanceInput): Block {
  const h = g.health;
  const asked = h.responded.length + h.missingUpdates.length;
  if (asked === 0) return para(label('Not responded: '), 'nobody was asked for an update.');
  if (h.missingUpdates.length === 0) return para(label('Not responded: '), 'everyone responded.');
  const names = h.missingUpdates.map(g.nameOf).sort(compare);
  const shown = names.slice(0, PEOPLE_LINES);
  const rest = names.length - shown.length;
  return para(
    label('Not responded: '),
    `${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`,
    muted(` (${h.missingUpdates.length} of ${asked}).`),
  );
}

/** The reminder ladder's last rung (ladder.ts): owners silent for meetings in a row, one line for the leader. */
function missedInARow(g: GlanceInput): Block[] {
  const names = repeatedNonResponders(g.register, g.meeting).map(g.nameOf).sort(compare);
  if (names.length === 0) return [];
  const n = g.register.settings.escalateAfterMissed;
  const shown = names.slice(0, PEOPLE_LINES);
  const rest = names.length - shown.length;
  return [
    para(
      label(`No update ${n} meetings in a row: `),
      `${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}.`,
    ),
  ];
}

/** '31 milestones: 17 on track, 4 might miss, … · anticipation 33% (1 of 3) · 2 surprise misses · responses 6 of 8 (75%)' */
function healthLine(g: GlanceInput): string {
  const h = g.health;
  const counts = Object.entries(h.statusCounts).filter(([, n]) => n > 0);
  const unreadable = h.unreadableStatus ?? 0;
  const total = counts.reduce((a, [, n]) => a + n, 0) + unreadable;
  const parts = [
    `${plural(total, 'milestone')}${counts.length || unreadable ? ': ' : ''}${[
      ...counts.map(([s, n]) => `${n} ${s.toLowerCase()}`),
      ...(unreadable ? [`${unreadable} with an unreadable status`] : []),
    ].join(', ')}`,
    h.anticipationRate === null || h.misses === 0
      ? 'no misses yet'
      : `${h.anticipatedMisses} of ${plural(h.misses, 'miss', 'misses')} anticipated (${percent(h.anticipationRate)})`,
    plural(h.surpriseMisses.length, 'surprise miss', 'surprise misses'),
  ];
  const asked = h.responded.length + h.missingUpdates.length;
  if (h.responseRate !== null && asked > 0)
    parts.push(`${percent(h.responseRate)} responded (${h.responded.length} of ${asked})`);
  return `${parts.join(' · ')}.`;
}

// ---------- the Register problems box ----------

/** Each error with its tab, row, column, what was found and what to fix; warnings counted. */
export function problemsBox(g: Pick<GlanceInput, 'register' | 'problems'>): Block[] {
  const errors = registerErrors(g.problems);
  if (errors.length === 0) return [];
  const warnings = registerWarnings(g.problems).length;
  const byRow = new Map(g.register.milestones.map((m) => [m.row, m]));
  const shown = errors.slice(0, PROBLEM_ROWS);
  const blocks: Block[] = [
    { type: 'heading', level: 2, text: PROBLEMS_TITLE, id: PROBLEMS_ID, box: 'problems' },
    para(
      { text: `This pack was built with ${plural(errors.length, 'register problem')}.`, bold: true },
      ' Fix each in the register (tab, row and column below), then build the pack again (milepost validate checks the register). ' +
        'Until then what they touch is shown as “?” and counted apart, never as On track.',
    ),
    {
      type: 'table',
      columns: ['Tab', 'Row', 'Column', 'Found', 'What to fix'],
      rows: shown.map((p) => {
        const m = p.tab === 'Milestones' && p.row !== undefined ? byRow.get(p.row) : undefined;
        return [
          { content: [p.tab] },
          { content: p.row === undefined ? ['—'] : [String(p.row), ...(m?.id ? [muted(` (${m.id})`)] : [])] },
          { content: [p.column ?? '—'] },
          { content: [p.value?.trim() ? `“${p.value.trim()}”` : muted('nothing')] },
          { content: [fixOf(p)] },
        ];
      }),
    },
  ];
  if (shown.length < errors.length)
    blocks.push(
      para(
        muted(
          `… and ${plural(errors.length - shown.length, 'more problem')}: milepost validate lists them all.`,
        ),
      ),
    );
  if (warnings > 0)
    blocks.push(
      para(muted(`And ${plural(warnings, 'warning')} (not errors): milepost validate lists them.`)),
    );
  return blocks;
}

/** What to put in the cell ('Enter one of On track, …'), or the problem's own words when it has more to say. */
function fixOf(p: Problem): string {
  if (p.expected && /; expected /.test(p.message)) return `Enter ${p.expected}.`;
  return p.message;
}

// ---------- helpers ----------

/** 'M-0003 Usage-based billing live in Stripe — Marcus Hall' (the owner as found when unreadable). */
function milestoneName(g: GlanceInput, m: Milestone): Inline[] {
  return [
    { text: m.id || `Milestones row ${m.row}`, bold: true },
    ` ${clipText(m.title, g.textLimit)} — ${ownerText(g, m)}`,
  ];
}

/** The owner's name; 'owner ? (“Tom B”)' when the Owner cell names nobody on the Team tab. */
function ownerText(g: GlanceInput, m: Milestone): string {
  if (m.owner) return g.nameOf(m.owner);
  const found = unreadableCells(g.problems).get(m.row)?.get('Owner')?.trim();
  return found ? `owner ? (“${found}”)` : 'no owner';
}

function day(date: string, year: string): string {
  const [y, mo, d] = date.split('-');
  return `${Number(d)} ${MONTHS[Number(mo) - 1]}${y === year ? '' : ` ${y}`}`;
}

function signed(days: number): string {
  // A no-break space: '+28 days' stays on one line.
  return `${days > 0 ? '+' : days < 0 ? '−' : '±'}${plural(Math.abs(days), 'day').replace(' ', '\u00A0')}`;
}

function clipText(text: string, limit: number): string {
  return clipLine(text, Math.min(limit, LINE_TEXT));
}

function more(n: number, what: string, where: string): Block {
  return para(muted(`… and ${plural(n, what)} more: see ${where}.`));
}

function label(text: string): Inline {
  return { text, bold: true };
}

function muted(text: string): Inline {
  return { text, muted: true };
}

function para(...content: Inline[]): Block {
  return { type: 'paragraph', content };
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function compare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
