import { currentProblems } from '../../core/problems';
import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { endOfRun, packJson, sayPhase } from '../report';

/**
 * A sync, then the meeting's pack (the workspace's packs/, or a Google Doc), circulated once. On a
 * register with errors the pack is still built, marked and with its Register problems box: exit 5.
 */
export async function packCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = await rt.pack(now);
  sayPhase.pack(run, rt.kind);
  const end = endOfRun(currentProblems(run.outcome.problems, run.outcome.register), {
    pack: !!run.outcome.document,
  });
  emitJson(opts, { ...packJson(run.outcome, run.where), ...run.extra, ...end.json });
  return end.exit;
}
