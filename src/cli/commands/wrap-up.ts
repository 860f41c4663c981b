import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { endOfRun, sayPhase, wrapUpJson } from '../report';

export interface WrapUpOptions extends GlobalOptions {
  meeting?: string;
}

/** The key-items digest of the meeting that ended, once; the meeting marked Held. */
export async function wrapUpCommand(opts: WrapUpOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = await rt.wrapUp(now, { meeting: opts.meeting });
  sayPhase.wrapUp(run, rt.kind);
  const end = endOfRun(run.outcome.problems);
  emitJson(opts, { ...wrapUpJson(run), ...end.json });
  return end.exit;
}
