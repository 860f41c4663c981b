import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { dryRunJson, endOfRun, requestJson, sayPhase } from '../report';

export interface RequestOptions extends GlobalOptions {
  reminders?: boolean;
}

/** Update requests (or reminders) for the next meeting, each owner's email once (--dry-run: none). */
export async function requestCommand(opts: RequestOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = await rt.request(now, {
    ...(opts.reminders ? { reminders: true } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
  });
  sayPhase.request(run, rt.kind);
  const end = endOfRun(run.outcome.problems);
  emitJson(opts, { ...requestJson(run), ...dryRunJson(run), ...end.json });
  return end.exit;
}
