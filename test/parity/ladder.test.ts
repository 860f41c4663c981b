/**
 * Quiet hours and the reminder ladder over one meeting, in every runtime, driven the way it runs
 * unattended: `milepost run` on the local backend and on the emulator (a cron job), the Apps
 * Script time trigger on the fakes. The clock crosses the end of British Summer Time (Sunday 25
 * October 2026, 02:00 BST → 01:00 GMT) on the way to the meeting of Thursday 29 October.
 *
 * What it must show: who gets which email when (request → first reminder to the owner → second
 * reminder copying delegate and process manager → the pack naming owners silent for two meetings
 * in a row), nothing sent twice when a run is repeated, nothing sent outside working hours.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegister } from '../../src/core/register';
import { inWorkingHours } from '../../src/core/schedule';
import { updatingMembers } from '../../src/core/topics';
import { initWorkspace } from '../../src/local/init';
import { tempDir } from '../cli/helpers';
import { appsScriptRuntime, googleRuntime, localRuntime, type Runtime, type SentMail } from './runtimes';

const ANN = 'ann.marsh@northwind.example';
const RAVI = 'ravi.kumar@northwind.example'; // Ann's delegate
const PM = 'daniel.reyes@northwind.example';

/**
 * The clock of the week, UTC. London is on BST (UTC+1) until Sunday 25 Oct 01:00 UTC, then GMT.
 * Requests are due 4 days before the meeting (Sunday 10:00, not a working day) → Monday 09:00 GMT;
 * the schedule is not run on Monday (a machine switched off), so they go on Tuesday at 09:00;
 * the first reminder 12 hours before the Wednesday 10:00 deadline (Tuesday 22:00) → Wednesday
 * 09:00; the second at the deadline; the pack 18 hours before the meeting.
 */
const TICKS: { at: string; sends: string[] }[] = [
  { at: '2026-10-23T16:45:00Z', sends: [] }, // Friday 17:45 BST: after hours (16:45 would be in hours in GMT)
  { at: '2026-10-25T10:00:00Z', sends: [] }, // Sunday 10:00 GMT: the requests' raw time, not a working day
  { at: '2026-10-26T08:30:00Z', sends: [] }, // Monday 08:30 GMT (it would be 09:30 on BST)
  // The machine running the schedule is off all Monday; back at 17:45 GMT (16:45 would be in
  // hours on BST), the requests are due but it is after hours: they wait for Tuesday 09:00.
  { at: '2026-10-26T17:45:00Z', sends: [] },
  { at: '2026-10-27T09:00:00Z', sends: ['request'] },
  { at: '2026-10-27T09:15:00Z', sends: [] }, // run again: nothing twice
  { at: '2026-10-27T22:00:00Z', sends: [] }, // Tuesday 22:00: where the reminder used to go out
  { at: '2026-10-28T09:00:00Z', sends: ['reminder'] },
  { at: '2026-10-28T09:30:00Z', sends: [] },
  { at: '2026-10-28T10:00:00Z', sends: ['reminder-2'] },
  { at: '2026-10-28T12:00:00Z', sends: [] },
  { at: '2026-10-28T16:00:00Z', sends: ['pack'] },
  { at: '2026-10-28T18:00:00Z', sends: [] }, // after hours, nothing due anyway
];

let template: string;
beforeAll(async () => {
  template = tempDir('ladder');
  await initWorkspace(template, { sample: true });
});
afterAll(() => fs.rmSync(template, { recursive: true, force: true }));

const runtimes: [string, () => Promise<Runtime>][] = [
  ['local', () => localRuntime()],
  ['google', () => googleRuntime(template)],
  ['apps script', () => appsScriptRuntime('2026-10-22T12:00:00Z')],
];

const line = (m: SentMail) => `${m.kind} to ${m.to.join(',')}${m.cc.length ? ` cc ${m.cc.join(',')}` : ''}`;

describe.each(runtimes)('the reminder ladder on %s', (_name, make) => {
  it('sends each rung once, to the right people, only in working hours, across the change of clocks', async () => {
    const rt = await make();
    try {
      // The offsite of 29 October goes ahead after all; requests go out 4 days ahead.
      await rt.setCell('Meetings', { header: 'Notes', value: 'Offsite' }, 'Status', 'Planned');
      await rt.setCell('Settings', { header: 'Setting', value: 'Request lead (days)' }, 'Value', '4');
      const register = readRegister(await rt.snapshot()).register;
      const owners = updatingMembers(register).map((p) => p.email);
      expect(owners).toContain(ANN);
      let before = (await rt.mailsSent()).map(line);
      const seen: Record<string, string[]> = {};
      for (const tick of TICKS) {
        await rt.schedule(tick.at);
        const all = await rt.mailsSent();
        // The emails this run sent: those not there before (each runtime lists them its own way).
        const left = [...before];
        const now = all.filter((m) => {
          const i = left.indexOf(line(m));
          if (i >= 0) left.splice(i, 1);
          return i < 0;
        });
        before = all.map(line);
        seen[tick.at] = now.map(line).sort();
        expect([...new Set(now.map((m) => m.kind))], tick.at).toEqual(tick.sends);
        if (now.length) expect(inWorkingHours(tick.at, register.settings), tick.at).toBe(true);
      }
      const at = (t: string) => seen[t]!;
      // Requests: each owner, copying their delegate.
      expect(at('2026-10-27T09:00:00Z')).toHaveLength(owners.length);
      expect(at('2026-10-27T09:00:00Z')).toContain(`request to ${ANN} cc ${RAVI}`);
      // First reminder: the owner alone (nobody answered).
      expect(at('2026-10-28T09:00:00Z')).toEqual(owners.map((o) => `reminder to ${o}`).sort());
      // Second: copying the delegate and the process manager.
      expect(at('2026-10-28T10:00:00Z')).toHaveLength(owners.length);
      expect(at('2026-10-28T10:00:00Z')).toContain(`reminder-2 to ${ANN} cc ${RAVI},${PM}`);
      // Nobody answered for 22 or 29 October: the pack names them to the leader, in one line.
      const pack = await rt.packText('2026-10-29');
      expect(pack.match(/No update 2 meetings in a row:/g)).toHaveLength(1);
      expect(pack).toContain('Ann Marsh');
      // Everything recorded once.
      const row = readRegister(await rt.snapshot()).register.meetings.find((m) => m.date === '2026-10-29')!;
      expect(row.requestsSent).toBe('2026-10-27T09:00:00.000Z');
      expect(row.remindersSent).toBe('2026-10-28T09:00:00.000Z');
      expect(row.secondRemindersSent).toBe('2026-10-28T10:00:00.000Z');
    } finally {
      await rt.close();
    }
  }, 240_000);
});
