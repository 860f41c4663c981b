import * as path from 'node:path';
import { type PackOutcome, planPack } from '../../core/cycle';
import { packGoogle, spreadsheetIdFrom } from '../../google/backend';
import { runLocal } from '../../local/backend';
import { packFiles, packLocation } from '../../local/packs';
import { emitJson, type GlobalOptions, plural, resolveNow, say } from '../output';
import { backendOf, responsesFile } from '../source';
import { reportApply } from './shared';
import { saySync } from './sync';

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
    health: outcome.health
      ? {
          anticipationRate: outcome.health.anticipationRate,
          surpriseMisses: outcome.health.surpriseMisses,
          responseRate: outcome.health.responseRate,
          missingUpdates: outcome.health.missingUpdates,
          statusCounts: outcome.health.statusCounts,
        }
      : null,
  };
}

export async function packCommand(opts: GlobalOptions): Promise<number> {
  if (backendOf(opts) === 'google') return packGoogleCommand(opts);
  const now = resolveNow(opts);
  const { outcome, paths } = await runLocal(
    opts.workspace,
    'pack',
    now,
    (read) => {
      const o = planPack(read.snapshot, read.responses, now, (m) => packLocation(m.date));
      return { ...o, problems: [...read.responseProblems, ...o.problems] };
    },
    packFiles,
    { syncsResponses: true },
  ).then((r) => {
    saySync(r.outcome);
    reportApply(r.report);
    return r;
  });
  const files = outcome.meeting
    ? ['html', 'md'].map((ext) => path.join(paths.packs, `${outcome.meeting!.date}.${ext}`))
    : [];
  if (!outcome.meeting) say('No planned meeting ahead: nothing to pack.');
  else {
    const above = outcome.topics.filter((t) => !t.belowCut).length;
    say(`Pack for ${outcome.meeting.date}: ${files[0]}`);
    say(
      `  ${plural(outcome.topics.length, 'topic')}, ${above} above the cut line.${outcome.circulated ? ' Circulated to the team (outbox).' : ''}`,
    );
  }
  emitJson(opts, packJson(outcome, files));
  return 0;
}

/** The pack as a Google Doc, after a sync of the form's responses (and --responses lines, if given). */
async function packGoogleCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const id = spreadsheetIdFrom(opts.spreadsheet);
  const responses = await responsesFile(opts);
  const run = await packGoogle(id, responses, now);
  saySync(run.outcome);
  reportApply({ ...run.result, emailsWritten: [], emailsSkipped: [] });
  if (!run.outcome.meeting) say('No planned meeting ahead: nothing to pack.');
  else {
    say(`Pack for ${run.outcome.meeting.date}: ${run.url}`);
    if (run.emails.sent.length)
      say(`  Circulated to the team by Gmail (${plural(run.emails.sent.length, 'email')}).`);
    if (run.emails.skipped.length)
      say(`  ${plural(run.emails.skipped.length, 'email')} already sent, not repeated.`);
  }
  emitJson(opts, packJson(run.outcome, run.url ? [run.url] : []));
  return 0;
}
