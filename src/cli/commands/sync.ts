import { planSync, type SyncOutcome } from '../../core/cycle';
import { TABS } from '../../core/layout';
import type { Problem, RawSubmission, Snapshot } from '../../core/types';
import { spreadsheetIdFrom, syncGoogle } from '../../google/backend';
import { runLocal } from '../../local/backend';
import { emitJson, type GlobalOptions, plural, resolveNow, say, sayProblems } from '../output';
import { backendOf, readSource, responsesFile } from '../source';
import { reportApply } from './shared';

/** The readable summary of a sync, shared by `sync` and `pack`. */
export function saySync(outcome: SyncOutcome): void {
  const fromForms = outcome.applied.filter((a) => a.source === 'form');
  say(
    `Sync: ${plural(outcome.recorded, 'response')} recorded, ${plural(fromForms.length, 'change')} applied, ${plural(outcome.rejected.length, 'update')} rejected, ${plural(outcome.skipped.length, 'response')} already applied or replaced.`,
  );
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
  // The responses' own problems (the register's are `validate`'s): whatever file they came from.
  const registerTabs = new Set(TABS.map((t) => t.name as string));
  sayProblems(outcome.problems.filter((p) => p.severity === 'error' && !registerTabs.has(p.tab)));
}

/** `sync --dry-run`: what a sync would change, read from either backend; nothing is written. */
async function previewSync(opts: GlobalOptions, now: string) {
  const read = await readSource(opts);
  say(`Dry run on ${read.label}: nothing is written.`);
  return {
    outcome: plan(read.snapshot, read.responses, read.responseProblems, now),
    report: { writes: 0, appends: 0, conflicts: [], emailsWritten: [], emailsSkipped: [] },
  };
}

/** The sync plan, with the problems found while reading the responses reported with it. */
function plan(
  snapshot: Snapshot,
  responses: RawSubmission[],
  responseProblems: Problem[],
  now: string,
): SyncOutcome {
  const o = planSync(snapshot, responses, now);
  return { ...o, problems: [...responseProblems, ...o.problems] };
}

/** A sync on a Google Sheet register: the update form's responses, plus --responses lines if given. */
async function syncOnGoogle(opts: GlobalOptions, now: string) {
  const id = spreadsheetIdFrom(opts.spreadsheet);
  const responses = await responsesFile(opts);
  const run = await syncGoogle(id, responses, now);
  say(
    `Google Sheet "${run.sheet.title}": ${plural(run.responsesRead, 'form response')} read, ${plural(run.result.writes, 'cell')} written, ${plural(run.result.appends, 'row')} added.`,
  );
  return {
    outcome: run.outcome,
    report: { ...run.result, emailsWritten: [], emailsSkipped: [] },
  };
}

export async function syncCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const { outcome, report } = opts.dryRun
    ? await previewSync(opts, now)
    : backendOf(opts) === 'google'
      ? await syncOnGoogle(opts, now)
      : await runLocal(
          opts.workspace,
          'sync',
          now,
          (read) => plan(read.snapshot, read.responses, read.responseProblems, now),
          undefined,
          { syncsResponses: true },
        );
  saySync(outcome);
  reportApply(report);
  emitJson(opts, {
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
  });
  return 0;
}
