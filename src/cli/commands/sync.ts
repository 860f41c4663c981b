import { planSync } from '../../core/cycle';
import type { PhaseRun, RuntimePort } from '../../core/port';
import { currentProblems } from '../../core/problems';
import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow } from '../output';
import { dryRunJson, endOfRun, sayPhase, syncJson } from '../report';

/** `sync --dry-run`: what a sync would change, read from either runtime; nothing is written. */
export async function previewSync(
  rt: RuntimePort,
  now: string,
): Promise<PhaseRun<ReturnType<typeof planSync>>> {
  const read = await rt.read();
  const o = planSync(read.snapshot, read.responses, now);
  return {
    outcome: { ...o, problems: [...read.responseProblems, ...o.problems] },
    report: { writes: 0, appends: 0, conflicts: [], sent: [], skipped: [] },
    notes: [`Dry run on ${read.label}: nothing is written.`],
    extra: {},
    dryRun: true,
  };
}

/** Responses into the register (on Google, the form's since the watermark too); exit 5 on register errors. */
export async function syncCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  const run = opts.dryRun ? await previewSync(rt, now) : await rt.sync(now);
  sayPhase.sync(run, rt.kind);
  const end = endOfRun(currentProblems(run.outcome.problems, run.outcome.register));
  emitJson(opts, { ...syncJson(run.outcome, run.report), ...dryRunJson(run), ...end.json });
  return end.exit;
}
