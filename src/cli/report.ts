/**
 * What a phase did, in words (stderr) and as JSON (stdout with --json): one printer per phase,
 * the same for every runtime; a runtime's own lines come in `notes`.
 */

import { earlierDecision, earlierDecisionText } from '../core/actions';
import {
  type PackOutcome,
  planValidate,
  type RequestOutcome,
  type SyncOutcome,
  type WrapUpOutcome,
} from '../core/cycle';
import { formatDateTime } from '../core/format';
import { repeatedNonResponders } from '../core/ladder';
import { TABS } from '../core/layout';
import type { PhaseReport, PhaseRun, RuntimeRead } from '../core/port';
import { previewPlan } from '../core/preview';
import { registerErrors } from '../core/problems';
import { type Slot, slotLabel, slotsOf } from '../core/slots';
import { KIND_LABELS, ownerNames } from '../core/topics';
import type { Meeting, Plan, Problem, Register, Topic } from '../core/types';
import type { AppliedChange } from '../core/updates';
import { EXIT } from './failure';
import { plural, say, sayProblems } from './output';

/** Where emails go on each runtime, as a person calls it. */
const MAIL = { local: 'Outbox', google: 'Gmail' } as const;

export function sayReport(report: PhaseReport, kind: 'local' | 'google'): void {
  if (report.sent.length)
    say(`  ${MAIL[kind]}: ${plural(report.sent.length, 'email')} ${kind === 'local' ? 'written' : 'sent'}.`);
  if (report.skipped.length)
    say(`  ${MAIL[kind]}: ${plural(report.skipped.length, 'email')} already sent, not repeated.`);
  if (report.conflicts.length) {
    say(
      `  ${plural(report.conflicts.length, 'row')} changed by someone since the read ${report.conflicts.length === 1 ? 'was' : 'were'} left as ${report.conflicts.length === 1 ? 'it was' : 'they were'}:`,
    );
    sayProblems(report.conflicts);
  }
}

/** The readable summary of a sync, shared by `sync` and `pack`. */
export function saySync(outcome: SyncOutcome): void {
  const fromForms = outcome.applied.filter((a) => a.source === 'form');
  say(
    `Sync: ${plural(outcome.recorded, 'response')} recorded, ${plural(fromForms.length, 'change')} applied, ${plural(outcome.rejected.length, 'update')} rejected, ${plural(outcome.skipped.length, 'response')} already applied or replaced.`,
  );
  sayChanges(outcome.applied.filter((a) => a.source !== 'auto'));
  const auto = outcome.applied.filter((a) => a.source === 'auto');
  if (auto.length) say(`  Auto-miss: ${auto.map((a) => a.milestone).join(', ')} marked Missed (past due).`);
  const sheet = outcome.applied.filter((a) => a.source === 'sheet');
  if (sheet.length) say(`  ${plural(sheet.length, 'hand edit')} recorded in Changes.`);
  if (outcome.assignedIds.length)
    say(`  New IDs: ${outcome.assignedIds.map((a) => `row ${a.row} → ${a.id}`).join(', ')}`);
  for (const r of outcome.rejected)
    say(`  rejected ${r.where}${r.milestone ? ` ${r.milestone}` : ''}: ${r.reason}`);
  if (outcome.meeting)
    say(`  ${plural(outcome.topics.length, 'topic')} for the meeting on ${outcome.meeting.date}.`);
  // The responses' own problems, whatever file they came from (the register's: sayRegisterProblems).
  sayProblems(unsaid(outcome.problems.filter((p) => !REGISTER_TABS.has(p.tab))));
}

/** How many changes a sync lists one by one; the rest are counted (all of them are in Changes and --json). */
export const CHANGES_LISTED = 20;

/** Each change a sync applied: "M-0003 Status: On track → Might miss (by ann@…)", up to CHANGES_LISTED. */
export function sayChanges(applied: readonly AppliedChange[], limit = CHANGES_LISTED): void {
  const shown = (v: string) => (v.trim() === '' ? '(blank)' : v);
  for (const a of applied.slice(0, limit))
    say(
      `  ${a.milestone} ${a.field}: ${shown(a.from)} → ${shown(a.to)} (${a.source === 'sheet' ? `edited in the register${a.by ? ` by ${a.by}` : ''}` : `by ${a.by}`})`,
    );
  if (applied.length > limit)
    say(`  … and ${applied.length - limit} more — see the Changes tab (or --json for all)`);
}

const REGISTER_TABS = new Set(TABS.map((t) => t.name as string));

/** Problems already said by this process: `run` and the demo go through several phases on one register. */
const said = new Set<string>();

/** The problems not said yet by this process, now marked said. */
function unsaid(problems: Problem[]): Problem[] {
  const fresh = problems.filter((p) => {
    const key = `${p.severity}|${p.tab}|${p.row ?? ''}|${p.column ?? ''}|${p.message}`;
    if (said.has(key)) return false;
    said.add(key);
    return true;
  });
  return fresh;
}

/**
 * The register's problems a phase went ahead with (validate lists them too): said in plain text
 * as well as in the --json result, never only there.
 */
export function sayRegisterProblems(problems: Problem[]): void {
  const fresh = unsaid(problems.filter((p) => REGISTER_TABS.has(p.tab)));
  if (!fresh.length) return;
  const errors = fresh.filter((p) => p.severity === 'error').length;
  const counts = [
    errors ? plural(errors, 'error') : '',
    fresh.length - errors ? plural(fresh.length - errors, 'warning') : '',
  ].filter(Boolean);
  say(
    `WARNING: the register has ${counts.join(' and ')} (this run went ahead; fix ${fresh.length === 1 ? 'it' : 'them'}, \`milepost validate\` checks again):`,
  );
  sayProblems(fresh, 20);
}

/**
 * How a command that went ahead on a register with errors ends (README "Exit status"): the errors
 * were said above (the WARNING block); one closing line, exit status 5, and an `error` object in
 * the --json result. Exit 0 and nothing more when the register has no errors.
 */
export function endOfRun(problems: Problem[], what: { pack?: boolean } = {}): { exit: number; json: object } {
  const errors = registerErrors(problems);
  if (errors.length === 0) return { exit: EXIT.ok, json: {} };
  const n = plural(errors.length, 'error');
  const message =
    `Done, but the register has ${n} (listed above)${what.pack ? `: the pack is marked "built with ${plural(errors.length, 'register problem')}" and lists them` : ''}. ` +
    `Fix ${errors.length === 1 ? 'it' : 'them'} in the register (\`milepost validate\` checks it); exit status ${EXIT.ranWithRegisterErrors}.`;
  say(`milepost: ${message}`);
  return {
    exit: EXIT.ranWithRegisterErrors,
    json: {
      error: {
        code: 'ran-with-register-errors',
        exit: EXIT.ranWithRegisterErrors,
        message,
        problems: errors,
      },
    },
  };
}

export function syncJson(outcome: SyncOutcome, report: PhaseReport) {
  return {
    meeting: outcome.meeting?.date ?? null,
    applied: outcome.applied.map(({ responseId, milestone, field, from, to, by, source }) => ({
      responseId,
      milestone,
      field,
      from,
      to,
      by,
      source,
    })),
    rejected: outcome.rejected.map(({ responseId, milestone, reason, where }) => ({
      responseId,
      milestone,
      reason,
      where,
    })),
    skipped: outcome.skipped,
    recorded: outcome.recorded,
    assignedIds: outcome.assignedIds,
    conflicts: report.conflicts,
    problems: outcome.problems,
  };
}

export function sayRequest(run: PhaseRun<RequestOutcome>): void {
  const { outcome } = run;
  if (!outcome.meeting) {
    say('No planned meeting ahead: add one to Meetings or set "First meeting" in Settings.');
    return;
  }
  say(
    `${RUNG_LABEL[outcome.rung]} for the meeting on ${outcome.meeting.date}: ${plural(outcome.recipients.length, 'owner')}.`,
  );
  const unresolved = outcome.unresolved ?? [];
  if (unresolved.length) {
    const notice = outcome.plan.emails.find((e) => e.kind === 'notice');
    say(
      `  ${plural(unresolved.length, 'open milestone')} with an owner not on the Team tab (no request sent)${notice ? `; the process manager (${notice.to.join(', ')}) is told, once for this meeting` : '; no process manager or leader in Settings to tell'}:`,
    );
    for (const u of unresolved)
      say(
        `    Milestones row ${u.row}${u.id ? ` ${u.id}` : ''}: Owner ${u.owner ? `"${u.owner}"` : '(blank)'}`,
      );
  }
  for (const n of run.notes) say(n);
}

/**
 * Each rung of the reminder ladder (ladder.ts) as the emails call it: the request, "Reminder:"
 * to the owner alone, "Second reminder:" copying their delegate and the process manager. The
 * last rung, the escalation to the leader, is the pack's (sayPack).
 */
export const RUNG_LABEL = {
  request: 'Update requests',
  reminder: 'First reminders (to the owner alone)',
  'second-reminder': 'Second reminders (copying the delegate and the process manager)',
} as const;

export function requestJson(run: PhaseRun<RequestOutcome>) {
  return {
    meeting: run.outcome.meeting?.date ?? null,
    kind: run.outcome.kind,
    recipients: run.outcome.recipients,
    unresolvedOwners: run.outcome.unresolved ?? [],
    sent: run.report.sent,
    skipped: run.report.skipped,
    problems: run.outcome.problems,
    ...run.extra,
  };
}

export function packJson(outcome: PackOutcome, files: string[]) {
  return {
    meeting: outcome.meeting?.date ?? null,
    files,
    circulated: outcome.circulated,
    topics: outcome.topics.map((t) => ({
      rank: t.rank,
      topicId: t.topicId,
      kind: t.kind,
      title: t.title,
      milestone: t.milestones.join(', '),
      owners: t.owners,
      helpFrom: t.helpFrom,
      score: t.score,
      why: t.why,
      deferrals: t.deferrals,
      belowCut: t.belowCut,
    })),
    slots: slotsOf(outcome.topics).map((slot) => ({
      rank: slot.rank,
      title: slot.lead.title,
      kind: slot.lead.kind,
      belowCut: slot.belowCut,
      topics: [slot.lead, ...slot.members].map((t) => ({
        number: slotLabel(t),
        topicId: t.topicId,
        kind: t.kind,
        title: t.title,
        deferrals: t.deferrals,
      })),
    })),
    health: outcome.health
      ? {
          anticipationRate: outcome.health.anticipationRate,
          surpriseMisses: outcome.health.surpriseMisses,
          responseRate: outcome.health.responseRate,
          missingUpdates: outcome.health.missingUpdates,
          statusCounts: outcome.health.statusCounts,
          ...(outcome.health.unreadableStatus ? { unreadableStatus: outcome.health.unreadableStatus } : {}),
        }
      : null,
  };
}

export function sayPack(run: PhaseRun<PackOutcome> & { where: string[] }, kind: 'local' | 'google'): void {
  const { outcome } = run;
  if (!outcome.meeting) {
    say('No planned meeting ahead: nothing to pack.');
    return;
  }
  say(
    `Pack for ${outcome.meeting.date}${run.dryRun ? ' (dry run), would be built in' : ':'} ${run.where.join(' and ')}`,
  );
  sayPackSlots(outcome.topics, outcome.register);
  if (outcome.circulated)
    say(
      `  ${run.dryRun ? 'Would be circulated' : 'Circulated'} to the team (${kind === 'local' ? 'outbox' : 'Gmail'}).`,
    );
  // The ladder's last rung (ladder.ts): owners silent for meetings in a row, named to the leader.
  const escalated = repeatedNonResponders(outcome.register, outcome.meeting);
  const leader = outcome.register.settings.leader;
  const copied = !!leader && outcome.plan.emails.some((e) => e.kind === 'pack' && e.cc.includes(leader));
  if (escalated.length)
    say(
      `  Escalation: ${escalated.map((e) => ownerNames(outcome.register, [e])).join(', ')} sent no update for ${plural(outcome.register.settings.escalateAfterMissed, 'meeting')} in a row — named to the leader in the pack's at-a-glance${copied ? ' (the leader is copied on the pack email)' : ''}.`,
    );
  const skipped = run.extra.dashboardSkipped;
  if (typeof skipped === 'string' && skipped) say(`  Dashboard tab left alone: ${skipped}`);
}

/** How many slots the plain-text pack summary lists one by one (all of them: the pack and --json). */
export const SLOTS_LISTED = 20;

/**
 * The pack's Part 2 in a few lines: one per slot in rank order (its number, kind, lead topic and
 * owners), the slot's other topics indented under it ('1.1', '1.2'…), deferrals and an earlier
 * decision as the pack shows them, and the cut line where it falls.
 */
export function sayPackSlots(topics: Topic[], register: Register, limit = SLOTS_LISTED): void {
  const slots = slotsOf(topics);
  const above = slots.filter((slot) => !slot.belowCut).length;
  const count =
    slots.length === topics.length
      ? plural(topics.length, 'topic')
      : `${plural(slots.length, 'slot')} (${plural(topics.length, 'topic')})`;
  say(`  ${count}, ${above} above the cut line${slots.length ? ', in priority order:' : '.'}`);
  let cutSaid = false;
  for (const slot of slots.slice(0, limit)) {
    if (slot.belowCut && !cutSaid) {
      cutSaid = true;
      say('    -- cut line: the slots below are deferred to the next meeting unless time allows --');
    }
    say(`    ${slotLine(slot.lead, slot, register)}`);
    for (const t of slot.members) say(`        ${slotLine(t, slot, register)}`);
  }
  if (slots.length > limit)
    say(
      `    … and ${plural(slots.length - limit, 'more slot')} — see Part 2 of the pack (or --json for all)`,
    );
}

/** '1. Might miss: M-0003 Usage-based billing… — Marcus Hall — deferred 1× — decided at meeting …' */
function slotLine(t: Topic, slot: Slot, register: Register): string {
  const lead = t === slot.lead;
  const title = t.title.replace(/\s+/g, ' ').trim();
  const parts = [
    `${slotLabel(t)}${lead ? '.' : ''} ${KIND_LABELS[t.kind] ?? t.kind}: ${title.length > 100 ? `${title.slice(0, 99)}…` : title}`,
  ];
  const owners = ownerNames(
    register,
    t.owners.filter((o) => o.trim()),
  );
  if (owners) parts.push(owners);
  if (t.helpFrom.trim()) parts.push(`help from ${ownerNames(register, [t.helpFrom.trim()])}`);
  if (t.deferrals > 0) parts.push(`deferred ${t.deferrals}×`);
  const decided = earlierDecision(register, t);
  if (decided) parts.push(earlierDecisionText(decided, 80));
  if (lead && slot.members.length)
    parts.push(
      `one slot with the ${slot.members.length === 1 ? 'related topic' : `${slot.members.length} related topics`} below`,
    );
  return parts.join(' — ');
}

/**
 * Why `wrap-up --meeting DATE` found nothing to do, when that meeting is no longer Planned: it was
 * wrapped up already (when), marked Held by hand, or cancelled. Nothing is sent again; exit 0.
 */
export function notToWrapUp(meeting: Meeting, timeZone: string): string | undefined {
  const on = `The meeting on ${meeting.date}`;
  if (meeting.wrappedUp)
    return `${on} was already wrapped up on ${formatDateTime(meeting.wrappedUp, timeZone)} (marked ${meeting.status}, its key-items digest sent then): nothing to do, nothing sent again.`;
  if (meeting.status === 'Held')
    return `${on} is already marked Held in the Meetings tab (by hand: no wrap-up time recorded), so it is not wrapped up again: nothing to do. To send its key-items digest, set its Status back to Planned and run wrap-up again.`;
  if (meeting.status === 'Cancelled') return `${on} is Cancelled: nothing to wrap up.`;
  return undefined;
}

export function sayWrapUp(
  run: PhaseRun<WrapUpOutcome>,
  kind: 'local' | 'google',
  /** The meeting `--meeting` named, as the register had it before the run, and its time zone. */
  named?: { meeting: Meeting; timeZone: string },
): void {
  const already = named && notToWrapUp(named.meeting, named.timeZone);
  if (!run.outcome.meetings.length)
    say(already || 'No meeting to wrap up (none has ended since the last wrap-up).');
  for (const m of run.outcome.meetings)
    if (run.dryRun)
      say(`Would wrap up the meeting on ${m.date}: mark it Held and send the key-items digest.`);
    else
      say(
        `Wrapped up the meeting on ${m.date}: marked Held, key items ${kind === 'local' ? 'digest in the outbox' : 'sent by Gmail'}.`,
      );
  const actions = run.outcome.actions;
  if (actions.length)
    say(
      `  ${run.dryRun ? 'Would track' : 'Tracking'} ${plural(actions.length, 'action')} in the Actions tab: ${actions.join(', ')}.`,
    );
}

export function wrapUpJson(run: PhaseRun<WrapUpOutcome>) {
  return {
    meetings: run.outcome.meetings.map((m) => m.date),
    actions: run.outcome.actions,
    sent: run.report.sent,
    skipped: run.report.skipped,
    problems: run.outcome.problems,
    ...run.extra,
  };
}

/** How many cells, rows and emails a dry run lists one by one (all of them: --json). */
const DRY_RUN_LISTED = 20;

function sayListed<T>(items: readonly T[], line: (item: T) => string): void {
  for (const item of items.slice(0, DRY_RUN_LISTED)) say(`    ${line(item)}`);
  if (items.length > DRY_RUN_LISTED)
    say(`    … and ${items.length - DRY_RUN_LISTED} more (--json lists all)`);
}

/** A cell in a dry run's list: "(blank)", or its text cut to one short line (--json has it whole). */
function cellText(v: unknown): string {
  const text = v === null || v === undefined ? '' : String(v).replace(/\s+/g, ' ').trim();
  if (!text) return '(blank)';
  return text.length > 60 ? `"${text.slice(0, 57)}…"` : text;
}

/**
 * `--dry-run`: what a real run would send and write (the core's plan, previewPlan), said after
 * the phase's own summary. `report.skipped` holds the keys of the emails sent before.
 */
export function sayDryRun(run: PhaseRun<{ plan: Plan }>, kind: 'local' | 'google'): void {
  const preview = previewPlan(run.outcome.plan, run.report.skipped);
  // Those sent before were counted by sayReport ("already sent, not repeated").
  const emails = preview.emails.filter((e) => !e.alreadySent);
  say(`  Dry run: nothing was written or sent. A real run would:`);
  if (emails.length) {
    say(`  send ${plural(emails.length, 'email')} (${MAIL[kind]}):`);
    sayListed(
      emails,
      (e) => `${e.kind} to ${[...e.to, ...e.cc.map((c) => `cc ${c}`)].join(', ')} — "${e.subject}"`,
    );
  }
  if (preview.writes.length) {
    say(`  change ${plural(preview.writes.length, 'cell')} in the register:`);
    sayListed(
      preview.writes,
      (w) => `${w.tab}, ${w.row}, ${w.column}: ${cellText(w.from)} → ${cellText(w.to)}`,
    );
  }
  if (preview.appends.length) {
    const byTab = new Map<string, number>();
    for (const a of preview.appends) byTab.set(a.tab, (byTab.get(a.tab) ?? 0) + 1);
    say(
      `  add ${plural(preview.appends.length, 'row')} to the register: ${[...byTab].map(([tab, n]) => `${n} to ${tab}`).join(', ')}.`,
    );
  }
  if (!emails.length && !preview.writes.length && !preview.appends.length) say('  change nothing.');
}

/** What a dry run's --json result adds: the plan in full. */
export function dryRunJson(run: PhaseRun<{ plan: Plan }>): object {
  return run.dryRun ? { dryRun: true, wouldDo: previewPlan(run.outcome.plan, run.report.skipped) } : {};
}

/** What each phase says, the same from its command, from `run` and from the demo. */
export const sayPhase = {
  sync(run: PhaseRun<SyncOutcome>, kind: 'local' | 'google'): void {
    for (const n of run.notes) say(n);
    saySync(run.outcome);
    sayReport(run.report, kind);
    if (run.dryRun) sayDryRun(run, kind);
    sayRegisterProblems(run.outcome.problems);
  },
  request(run: PhaseRun<RequestOutcome>, kind: 'local' | 'google'): void {
    sayRequest(run);
    sayReport(run.report, kind);
    if (run.dryRun) sayDryRun(run, kind);
    sayRegisterProblems(run.outcome.problems);
  },
  pack(run: PhaseRun<PackOutcome> & { where: string[] }, kind: 'local' | 'google'): void {
    for (const n of run.notes) say(n);
    saySync(run.outcome);
    sayReport(run.report, kind);
    sayPack(run, kind);
    if (run.dryRun) sayDryRun(run, kind);
    sayRegisterProblems(run.outcome.problems);
  },
  wrapUp(
    run: PhaseRun<WrapUpOutcome>,
    kind: 'local' | 'google',
    named?: { meeting: Meeting; timeZone: string },
  ): void {
    for (const n of run.notes) say(n);
    sayWrapUp(run, kind, named);
    sayReport(run.report, kind);
    if (run.dryRun) sayDryRun(run, kind);
    sayRegisterProblems(run.outcome.problems);
  },
};

/** The register's and the responses' problems, or that all is well; returns the errors. */
export function sayValidation(read: RuntimeRead): { errors: Problem[]; warnings: Problem[] } {
  const { problems, register } = planValidate(read.snapshot);
  const all = [...problems, ...read.responseProblems];
  const errors = all.filter((p) => p.severity === 'error');
  const warnings = all.filter((p) => p.severity === 'warning');
  if (all.length) {
    say(`${read.label}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}`);
    sayProblems(all);
  } else {
    say(
      `${read.label}: OK — ${plural(register.milestones.length, 'milestone')}, ${plural(register.team.length, 'person', 'people')}, ${plural(register.meetings.length, 'meeting')}.`,
    );
  }
  return { errors, warnings };
}
