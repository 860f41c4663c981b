/**
 * Parity: each scenario of one table runs through all three runtimes (the local backend, the
 * Node job on the Workspace emulator, the Apps Script bundle on the fakes) and must give the
 * same observation on each, and the observation the rule asks for.
 *
 * The rules here are the ones that lived in one runtime only and differed: the ID floor (a
 * deleted milestone's ID is never given again), the form watermark (kept in Settings, the same
 * way everywhere), and a batch of emails that went out in part (nothing records it as sent;
 * the next run sends the rest, each email once).
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID_FLOOR_SETTING, planRequests, WATERMARK_SETTING } from '../../src/core/cycle';
import { readRegister } from '../../src/core/register';
import { upcomingMeeting } from '../../src/core/schedule';
import type { Snapshot } from '../../src/core/types';
import { initWorkspace } from '../../src/local/init';
import { parseResponses } from '../../src/local/responses';
import { sampleResponses, tempDir } from '../cli/helpers';
import { appsScriptRuntime, googleRuntime, localRuntime, type Runtime, T } from './runtimes';

const OWNER = 'ann.lee@northwind.example';
const later = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

const register = (s: Snapshot) => readRegister(s).register;
const idOf = (s: Snapshot, title: string) => register(s).milestones.find((m) => m.title === title)?.id ?? '';
const idNumber = (id: string) => Number(/(\d+)$/.exec(id)?.[1] ?? Number.NaN);

interface Scenario {
  name: string;
  /** What happens, through the runtime's own interface; returns what a person would see. */
  run: (rt: Runtime) => Promise<Record<string, unknown>>;
  /** What the rule asks of that observation, on every runtime. */
  rule: (seen: Record<string, unknown>) => void;
}

const scenarios: Scenario[] = [
  {
    name: "the ID floor: a deleted milestone's ID is never given again",
    run: async (rt) => {
      await rt.addMilestone({ title: 'Parity one', owner: OWNER, due: '2027-03-01' });
      await rt.sync(T.sync);
      const first = idOf(await rt.snapshot(), 'Parity one');
      await rt.deleteMilestone('Parity one');
      await rt.addMilestone({ title: 'Parity two', owner: OWNER, due: '2027-03-08' });
      await rt.sync(later(T.sync, 30));
      const after = await rt.snapshot();
      return {
        first,
        second: idOf(after, 'Parity two'),
        floor: register(after).settings.raw[ID_FLOOR_SETTING],
      };
    },
    rule: (seen) => {
      expect(seen.first).toMatch(/^M-\d+$/);
      expect(idNumber(String(seen.second))).toBe(idNumber(String(seen.first)) + 1);
      expect(seen.floor).toBe(seen.second);
    },
  },
  {
    name: 'the watermark: kept in Settings as the newest response synced; a second sync adds nothing',
    run: async (rt) => {
      await rt.respond();
      await rt.sync(T.sync);
      const once = await rt.snapshot();
      await rt.sync(later(T.sync, 30));
      const twice = await rt.snapshot();
      return {
        watermark: register(once).settings.raw[WATERMARK_SETTING],
        recorded: register(once).updates.length > 0,
        addedBySecondSync: register(twice).updates.length - register(once).updates.length,
      };
    },
    rule: (seen) => {
      // The newest answer of a team member (the sample's last line is from someone outside it,
      // whom a Google Form does not let answer).
      const times = parseResponses(sampleResponses())
        .raw.map((l) => l.value as { submittedAt: string; email: string })
        .filter((v) => v.email !== 'chris.doyle@northwind.example')
        .map((v) => new Date(v.submittedAt).toISOString())
        .sort();
      expect(seen.watermark).toBe(times.at(-1));
      expect(seen.recorded).toBe(true);
      expect(seen.addedBySecondSync).toBe(0);
    },
  },
  {
    name: 'partly sent emails: nothing records the batch as sent; the next run sends the rest, each once',
    run: async (rt) => {
      const emails = planRequests(await rt.snapshot(), T.request).plan.emails;
      await rt.failSendFrom(emails[2]!, emails.slice(0, 2));
      await rt.request(T.request);
      const partly = await rt.snapshot();
      const meetingOf = (s: Snapshot) => {
        const r = register(s);
        const next = upcomingMeeting(r, T.request);
        return r.meetings.find((m) => m.date === next?.date);
      };
      const sentFirst = await rt.requestsSent();
      await rt.sendsWork();
      await rt.request(later(T.request, 30));
      return {
        planned: emails.map((e) => [...e.to].sort().join(',')).sort(),
        sentFirst,
        recordedFirst: Boolean(meetingOf(partly)?.requestsSent),
        sentInAll: await rt.requestsSent(),
        recordedInAll: Boolean(meetingOf(await rt.snapshot())?.requestsSent),
      };
    },
    rule: (seen) => {
      expect((seen.planned as string[]).length).toBeGreaterThan(3);
      expect(seen.sentFirst).toHaveLength(2);
      expect(seen.recordedFirst).toBe(false);
      expect(seen.sentInAll).toEqual(seen.planned);
      expect(seen.recordedInAll).toBe(true);
    },
  },
];

let template: string;
beforeAll(async () => {
  template = tempDir('parity');
  await initWorkspace(template, { sample: true });
});
afterAll(() => fs.rmSync(template, { recursive: true, force: true }));

const RUNTIMES: [string, () => Promise<Runtime>][] = [
  ['local', () => localRuntime()],
  ['google', () => googleRuntime(template)],
  ['apps script', () => appsScriptRuntime()],
];

describe.each(scenarios)('parity: $name', (scenario) => {
  const seen = new Map<string, Record<string, unknown>>();
  it.each(RUNTIMES)('on %s', async (name, start) => {
    const rt = await start();
    try {
      const observed = await scenario.run(rt);
      scenario.rule(observed);
      seen.set(name, observed);
    } finally {
      await rt.close();
    }
  });
  it('gives the same observation on all three runtimes', () => {
    expect(seen.size, 'every runtime ran').toBe(3);
    expect(seen.get('google')).toEqual(seen.get('local'));
    expect(seen.get('apps script')).toEqual(seen.get('local'));
  });
});
