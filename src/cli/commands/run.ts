import { loadRegister } from '../../core/cycle';
import type { PhaseRun } from '../../core/port';
import { dueSteps } from '../../core/schedule';
import type { Plan } from '../../core/types';
import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow, say } from '../output';
import { dryRunJson, endOfRun, sayPhase, sayRegisterProblems } from '../report';
import { previewSync } from './sync';

/**
 * Runs whatever the schedule says is due now (the core's dueSteps): what a cron job or a timer
 * calls, on either runtime; each phase reads the register afresh. A register with errors is said
 * every time, due or not, and exits 5 (README "Exit status").
 */
export async function runCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const rt = createRuntime(opts);
  // A register no phase can run on stops here, before anything is said to be due.
  const read = loadRegister((await rt.read()).snapshot);
  const { due, steps } = dueSteps(read.register, now);
  say(`Due at ${now}: ${due.map((d) => `${d.phase} (${d.meeting})`).join(', ') || 'nothing'}`);
  // --dry-run: each step due is planned on the register as it is now, and none is applied.
  const dry = opts.dryRun ? { dryRun: true } : {};
  if (opts.dryRun)
    say('Dry run: each step is planned on the register as it is now; nothing is written or sent.');
  const planned: object[] = [];
  const show = <R extends PhaseRun<{ plan: Plan }>>(step: string, run: R, said: (r: R) => void): void => {
    said(run);
    if (opts.dryRun) planned.push({ step, ...dryRunJson(run) });
  };
  for (const s of steps) {
    if (s.step === 'wrap-up')
      show(s.step, await rt.wrapUp(now, { meeting: s.meeting, ...dry }), (r) => sayPhase.wrapUp(r, rt.kind));
    else if (s.step === 'request')
      show(s.step, await rt.request(now, { ...(s.reminders ? { reminders: true } : {}), ...dry }), (r) =>
        sayPhase.request(r, rt.kind),
      );
    else if (s.step === 'sync')
      show(s.step, opts.dryRun ? await previewSync(rt, now) : await rt.sync(now), (r) =>
        sayPhase.sync(r, rt.kind),
      );
    else show(s.step, await rt.pack(now, dry), (r) => sayPhase.pack(r, rt.kind));
  }
  sayRegisterProblems(read.problems);
  const end = endOfRun(read.problems, { pack: steps.some((s) => s.step === 'pack') });
  emitJson(opts, { now, ran: due, ...(opts.dryRun ? { dryRun: true, steps: planned } : {}), ...end.json });
  return end.exit;
}
