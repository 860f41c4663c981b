import { planWrapUp } from '../../core/cycle';
import { spreadsheetIdFrom, wrapUpGoogle } from '../../google/backend';
import { runLocal } from '../../local/backend';
import { emitJson, type GlobalOptions, resolveNow, say } from '../output';
import { backendOf } from '../source';
import { reportApply } from './shared';

export interface WrapUpOptions extends GlobalOptions {
  meeting?: string;
}

export async function wrapUpCommand(opts: WrapUpOptions): Promise<number> {
  const now = resolveNow(opts);
  if (backendOf(opts) === 'google') {
    const run = await wrapUpGoogle(spreadsheetIdFrom(opts.spreadsheet), now, { meeting: opts.meeting });
    if (!run.outcome.meetings.length) say('No meeting to wrap up (none has ended since the last wrap-up).');
    for (const m of run.outcome.meetings)
      say(`Wrapped up the meeting on ${m.date}: marked Held, key items sent by Gmail.`);
    reportApply({ ...run.result, emailsWritten: run.emails.sent, emailsSkipped: run.emails.skipped });
    emitJson(opts, {
      meetings: run.outcome.meetings.map((m) => m.date),
      sent: run.emails.sent,
      skipped: run.emails.skipped,
    });
    return 0;
  }
  const { outcome, report } = await runLocal(opts.workspace, 'wrap-up', now, (read) =>
    planWrapUp(read.snapshot, now, { meeting: opts.meeting }),
  );
  if (!outcome.meetings.length) say('No meeting to wrap up (none has ended since the last wrap-up).');
  for (const m of outcome.meetings)
    say(`Wrapped up the meeting on ${m.date}: marked Held, key-items digest in the outbox.`);
  reportApply(report);
  emitJson(opts, { meetings: outcome.meetings.map((m) => m.date), files: report.emailsWritten });
  return 0;
}
