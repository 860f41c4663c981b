import { planWrapUp } from '../../core/cycle';
import { runLocal } from '../../local/backend';
import { emitJson, type GlobalOptions, resolveNow, say } from '../output';
import { reportApply } from './shared';

export interface WrapUpOptions extends GlobalOptions {
  meeting?: string;
}

export async function wrapUpCommand(opts: WrapUpOptions): Promise<number> {
  const now = resolveNow(opts);
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
