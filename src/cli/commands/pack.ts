import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { packJson, sayPhase } from '../report';

/** A sync, then the meeting's pack (the workspace's packs/, or a Google Doc), circulated once. */
export async function packCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = await rt.pack(now);
  sayPhase.pack(run, rt.kind);
  emitJson(opts, packJson(run.outcome, run.where));
  return 0;
}
