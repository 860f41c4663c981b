import { daysBetween } from '../../core/dates';
import { readRegister } from '../../core/register';
import type { Register } from '../../core/types';
import { createRuntime } from '../../runtime';
import { calendarDate, emitJson, type GlobalOptions, resolveNow, UsageError } from '../output';
import { dryRunJson, endOfRun, notToWrapUp, sayPhase, wrapUpJson } from '../report';

export interface WrapUpOptions extends GlobalOptions {
  meeting?: string;
}

/** How many meetings a --meeting that is none lists, the nearest first. */
const NEAREST = 3;

/**
 * A --meeting that names no meeting in the register is a usage error (exit 2) that lists the
 * nearest meetings, not a quiet "No meeting to wrap up".
 */
export function assertMeeting(register: Register, date: string): void {
  if (register.meetings.some((m) => m.date === date)) return;
  const nearest = register.meetings
    .filter((m) => /^\d{4}-\d{2}-\d{2}$/.test(m.date))
    .map((m) => ({ m, away: Math.abs(daysBetween(m.date, date)) }))
    .sort((a, b) => a.away - b.away || (a.m.date < b.m.date ? -1 : 1))
    .slice(0, NEAREST)
    .map((x) => x.m)
    .sort((a, b) => (a.date < b.date ? -1 : 1));
  const listed = nearest.length
    ? `; the nearest: ${nearest.map((m) => `${m.date} (${m.status})`).join(', ')}`
    : ': the Meetings tab has none';
  throw new UsageError(`--meeting ${date} is not a meeting in the register${listed}.`);
}

/** The key-items digest of the meeting that ended, once; the meeting marked Held (--dry-run: neither). */
export async function wrapUpCommand(opts: WrapUpOptions): Promise<number> {
  const now = resolveNow(opts);
  const meeting = opts.meeting === undefined ? undefined : calendarDate('--meeting', opts.meeting);
  const rt = createRuntime(opts);
  const register = meeting ? readRegister((await rt.read()).snapshot).register : undefined;
  if (register && meeting) assertMeeting(register, meeting);
  const run = await rt.wrapUp(now, { meeting, ...(opts.dryRun ? { dryRun: true } : {}) });
  const m = register?.meetings.find((x) => x.date === meeting);
  const named = m && register ? { meeting: m, timeZone: register.settings.timeZone } : undefined;
  sayPhase.wrapUp(run, rt.kind, named);
  const end = endOfRun(run.outcome.problems);
  // A meeting wrapped up before (or Held by hand, or Cancelled): said, nothing done, exit 0.
  const already =
    named && !run.outcome.meetings.length && notToWrapUp(named.meeting, named.timeZone)
      ? {
          alreadyWrappedUp: {
            meeting: named.meeting.date,
            status: named.meeting.status,
            wrappedUp: named.meeting.wrappedUp ?? null,
          },
        }
      : {};
  emitJson(opts, { ...wrapUpJson(run), ...already, ...dryRunJson(run), ...end.json });
  return end.exit;
}
