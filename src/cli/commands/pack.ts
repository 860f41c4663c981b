import { currentProblems } from '../../core/problems';
import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { dryRunJson, endOfRun, packJson, sayPhase } from '../report';

/**
 * A sync, then the meeting's pack (the workspace's packs/, or a Google Doc), circulated once. On a
 * register with errors the pack is still built, marked and with its Register problems box: exit 5.
 * --dry-run: what would be built, written and sent; nothing is.
 */
export async function packCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = await rt.pack(now, opts.dryRun ? { dryRun: true } : {});
  sayPhase.pack(run, rt.kind);
  const end = endOfRun(currentProblems(run.outcome.problems, run.outcome.register), {
    pack: !!run.outcome.document,
  });
  emitJson(opts, { ...packJson(run.outcome, run.where), ...run.extra, ...dryRunJson(run), ...end.json });
  return end.exit;
}
