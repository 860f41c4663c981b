import { readRegister } from '../../core/register';
import { duePhases } from '../../core/schedule';
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
  const due = duePhases(readRegister(read.snapshot).register, now);
  say(`Due at ${now}: ${due.map((d) => `${d.phase} (${d.meeting})`).join(', ') || 'nothing'}`);
  const inner = { ...opts, now, json: false };
  const packing = due.some((d) => d.phase === 'pack');
  for (const d of due) {
    if (d.phase === 'wrap-up') await wrapUpCommand({ ...inner, meeting: d.meeting });
    else if (d.phase === 'requests') await requestCommand(inner);
    else if (d.phase === 'reminders') await requestCommand({ ...inner, reminders: true });
    else if (d.phase === 'sync' && !packing)
      await syncCommand(inner); // pack syncs first
    else if (d.phase === 'pack') await packCommand(inner);
  }
  emitJson(opts, { now, ran: due });
  return 0;
}
