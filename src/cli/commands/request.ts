import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { endOfRun, requestJson, sayPhase } from '../report';

export interface RequestOptions extends GlobalOptions {
  reminders?: boolean;
}

/** Update requests (or reminders) for the next meeting, each owner's email once. */
export async function requestCommand(opts: RequestOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = await rt.request(now, opts.reminders ? { reminders: true } : {});
  sayPhase.request(run, rt.kind);
  const end = endOfRun(run.outcome.problems);
  emitJson(opts, { ...requestJson(run), ...end.json });
  return end.exit;
}
