/**
 * The local update form server on the bench's register: the median time of a person's page once
 * the server holds the register (every GET after the first), over GETS requests. Target < 100 ms.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { planValidate } from '../src/core/cycle';
import { upcomingMeeting } from '../src/core/schedule';
import type { Snapshot } from '../src/core/types';
import { startUpdateServer } from '../src/local/server';
import { ensureSecret, makeToken } from '../src/local/tokens';

const GETS = 20;

/** One bench row: the server on a copy of `template` (the bench's register and responses) at `now`. */
export async function serveRow(
  template: string,
  snapshot: Snapshot,
  now: string,
): Promise<[string, string, string]> {
  const workspace = `${template}-serve`;
  fs.cpSync(template, workspace, { recursive: true });
  const { register } = planValidate(snapshot);
  const meeting = upcomingMeeting(register, now);
  // The busiest owner: the largest page.
  const open = new Map<string, number>();
  for (const m of register.milestones)
    if (m.status === 'On track' || m.status === 'Might miss') open.set(m.owner, (open.get(m.owner) ?? 0) + 1);
  const person = register.team
    .filter((p) => p.active && open.has(p.email))
    .sort((a, b) => open.get(b.email)! - open.get(a.email)!)[0];
  if (!meeting || !person) throw new Error('serve bench: no upcoming meeting or no owner of open milestones');
  const secret = await ensureSecret(workspace);
  const server = await startUpdateServer({ workspace, port: 0, now: () => now, log: () => undefined });
  const url = `${server.url}/u/${makeToken(secret, person.email, meeting.date)}`;
  const get = async () => {
    const res = await fetch(url);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`serve bench: ${res.status} ${body.slice(0, 200)}`);
  };
  try {
    await get(); // the first page
    const times: number[] = [];
    for (let i = 0; i < GETS; i++) {
      const t = performance.now();
      await get();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const m = Math.floor(times.length / 2);
    const median = times.length % 2 ? times[m]! : (times[m - 1]! + times[m]!) / 2;
    return [
      `serve page at ${register.milestones.length.toLocaleString('en')} milestones (after first)`,
      `${median.toFixed(0)} ms`,
      `${GETS} GETs, ${open.get(person.email)} milestones on the page, target < 100 ms`,
    ];
  } finally {
    await server.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
