import { loadRegister } from '../../core/cycle';
import { dueSteps } from '../../core/schedule';
import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, resolveNow, say } from '../output';
import { endOfRun, sayPhase, sayRegisterProblems } from '../report';

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
  for (const s of steps) {
    if (s.step === 'wrap-up') sayPhase.wrapUp(await rt.wrapUp(now, { meeting: s.meeting }), rt.kind);
    else if (s.step === 'request')
      sayPhase.request(await rt.request(now, s.reminders ? { reminders: true } : {}), rt.kind);
    else if (s.step === 'sync') sayPhase.sync(await rt.sync(now), rt.kind);
    else sayPhase.pack(await rt.pack(now), rt.kind);
  }
  sayRegisterProblems(read.problems);
  const end = endOfRun(read.problems, { pack: steps.some((s) => s.step === 'pack') });
  emitJson(opts, { now, ran: due, ...end.json });
  return end.exit;
}
