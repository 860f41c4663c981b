import { readRegister } from '../../core/register';
import { dueSteps } from '../../core/schedule';
import { emitJson, type GlobalOptions, resolveNow, say } from '../output';
import { readSource } from '../source';
import { packCommand } from './pack';
import { requestCommand } from './request';
import { syncCommand } from './sync';
import { wrapUpCommand } from './wrap-up';

/**
 * Runs whatever the schedule says is due now: what a cron job or a timer calls (on either
 * backend; each phase reads the register afresh).
 */
export async function runCommand(opts: GlobalOptions): Promise<number> {
  const now = resolveNow(opts);
  const read = await readSource(opts);
  const { due, steps } = dueSteps(readRegister(read.snapshot).register, now);
  say(`Due at ${now}: ${due.map((d) => `${d.phase} (${d.meeting})`).join(', ') || 'nothing'}`);
  const inner = { ...opts, now, json: false };
  for (const s of steps) {
    if (s.step === 'wrap-up') await wrapUpCommand({ ...inner, meeting: s.meeting });
    else if (s.step === 'request') await requestCommand(s.reminders ? { ...inner, reminders: true } : inner);
    else if (s.step === 'sync') await syncCommand(inner);
    else await packCommand(inner);
  }
  emitJson(opts, { now, ran: due });
  return 0;
}
