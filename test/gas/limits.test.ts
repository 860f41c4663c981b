/**
 * Apps Script's limits, with the real bundle (appsscript/Code.js) in the fakes: an execution
 * that would outlast 6 minutes stops at its checkpoint and the next trigger finishes the work,
 * no email goes out twice, a mail quota that runs out is reported in the log and in the Sheet,
 * the schedule is one trigger, runs never interleave, and the Range calls of a sync and a pack
 * do not grow with the register.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COSTS, FULL_LIMIT_MS, type SentMail } from '../../gas-fakes/core';
import { loadBundle } from '../../gas-fakes/load';
import { syncAndPack } from '../../gas-fakes/scale';
import type { GasWorld } from '../../gas-fakes/world';
import { dateToSerial } from '../../src/core/dates';
import { updatingMembers } from '../../src/core/topics';
import type { Cell, Snapshot } from '../../src/core/types';
import { BUNDLE, bundleExists, newWorld, registerOf, run, sampleSnapshot, T } from './week';

/** src/gas/main.ts TIME_BUDGET_MS: a run stops itself at 4½ minutes. */
const TIME_BUDGET_MS = 4.5 * 60_000;
/** Requests are due on Monday at the meeting time (Request lead 3 days before Thursday 10:00 London). */
const REQUESTS_DUE = '2026-11-30T10:00:00Z';

let sample: Snapshot;
beforeAll(async () => {
  expect(bundleExists(), 'appsscript/Code.js: run npm run build:gas (npm test does)').toBe(true);
  sample = await sampleSnapshot();
});

/** The sample register with `n` more people on the Team, each owning one open milestone. */
function withOwners(snapshot: Snapshot, n: number): Snapshot {
  const add = (headers: string[], values: Record<string, Cell>): Cell[] =>
    headers.map((h) => values[h] ?? null);
  return {
    tables: snapshot.tables.map((t) => {
      const extra = Array.from({ length: n }, (_, i) => {
        const email = `owner${i + 1}@northwind.example`;
        if (t.name === 'Team')
          return add(t.headers, {
            Name: `Extra Owner ${i + 1}`,
            Email: email,
            Group: 'Sales',
            Role: 'member',
            Active: 'yes',
          });
        if (t.name === 'Milestones')
          return add(t.headers, {
            ID: `M-${String(101 + i).padStart(4, '0')}`,
            Priority: 'Enterprise readiness',
            Milestone: `Regional launch ${i + 1}`,
            Owner: email,
            Due: dateToSerial('2027-02-15'),
            Status: 'On track',
          });
        return undefined;
      });
      return extra[0] ? { ...t, rows: [...t.rows, ...(extra as Cell[][])] } : t;
    }),
  };
}

/** The sample register without its Planned meetings: the request run adds the meeting row itself. */
function withoutPlannedMeetings(snapshot: Snapshot): Snapshot {
  return {
    tables: snapshot.tables.map((t) => {
      if (t.name !== 'Meetings') return t;
      const status = t.headers.indexOf('Status');
      return { ...t, rows: t.rows.filter((r) => r[status] !== 'Planned') };
    }),
  };
}

const isRequest = (m: SentMail) => m.subject.startsWith('Milestone update for');

/** Update requests sent, by recipient (to), counted. */
function requestsByOwner(world: GasWorld): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of world.mail.sent.filter(isRequest)) {
    for (const to of m.to) out.set(to, (out.get(to) ?? 0) + 1);
  }
  return out;
}

function meeting(world: GasWorld, date = '2026-12-03') {
  return registerOf(world).meetings.find((m) => m.date === date);
}

function logged(world: GasWorld, pattern: RegExp): string[] {
  return world.logs.map((l) => l.message).filter((m) => pattern.test(m));
}

describe('a run too long for one execution', () => {
  it('a form too big to build in one run is built over several, accepting no response and sending no link until whole', () => {
    // 128 owners and FormApp at 400 ms a call: building their sections takes far more than one
    // execution (setup builds it too, and stops at its checkpoint).
    const world = newWorld(withOwners(sample, 120), { costs: { ...DEFAULT_COSTS, form: 400 } });
    const bundle = loadBundle(BUNDLE, world);
    run(world, 'milepostSetup', T.setup);
    expect(logged(world, /setup: the update form is still being built/)).toHaveLength(1);
    bundle.call('milepostInstallSchedule');
    world.setNow(new Date(REQUESTS_DUE));
    const owners = updatingMembers(registerOf(world)).map((p) => p.email);
    let runs = 0;
    while (requestsByOwner(world).size < owners.length && runs < 20) {
      const start = world.now();
      const [r] = world.runDueTriggers();
      expect(r?.error, `run ${runs + 1}`).toBeUndefined();
      expect(world.now() - start).toBeLessThan(FULL_LIMIT_MS);
      world.advance(15 * 60_000);
      runs++;
    }
    expect(runs).toBeGreaterThan(1);
    expect(logged(world, /request: the update form is still being built/).length).toBeGreaterThan(0);
    // Every owner once, each link to a whole form that accepts responses.
    expect([...requestsByOwner(world).values()].every((n) => n === 1)).toBe(true);
    expect(requestsByOwner(world).size).toBe(owners.length);
    const form = world.services.FormApp.openById(registerOf(world).settings.raw['Form ID']!);
    expect(form.isAcceptingResponses()).toBe(true);
    expect(meeting(world)?.requestsSent).toBeDefined();
  }, 120_000);

  it('stops at the 4½-minute checkpoint, not at the 6-minute kill; the next trigger sends the rest, each request once', () => {
    // 128 owners; MailApp takes 2 s a message (a slow day): the requests need about 5 minutes of
    // sending on top of the form's pre-filled links — more than one execution may take.
    const world = newWorld(withOwners(sample, 120), { costs: { ...DEFAULT_COSTS, mail: 2_000 } });
    const bundle = loadBundle(BUNDLE, world);
    run(world, 'milepostSetup', T.setup);
    bundle.call('milepostInstallSchedule');
    world.setNow(new Date(REQUESTS_DUE));
    const owners = updatingMembers(registerOf(world)).map((p) => p.email);
    expect(owners.length).toBe(128);

    // The first time-driven run: requests are due; it sends what fits in its budget.
    let start = world.now();
    const [first] = world.runDueTriggers();
    expect(first?.error).toBeUndefined();
    expect(first?.ok).toBe(true);
    const took = world.now() - start;
    expect(took).toBeGreaterThanOrEqual(TIME_BUDGET_MS);
    expect(took).toBeLessThan(FULL_LIMIT_MS);
    const sentFirst = world.mail.sent.filter(isRequest).length;
    expect(sentFirst).toBeGreaterThan(0);
    expect(sentFirst).toBeLessThan(owners.length);
    expect(
      logged(world, /^Milepost: requests: \d+ sent, 0 already sent, \d+ left for the next run\.$/),
    ).toEqual([
      `Milepost: requests: ${sentFirst} sent, 0 already sent, ${owners.length - sentFirst} left for the next run.`,
    ]);
    expect(logged(world, /out of time before sync/)).toHaveLength(1);
    // Not recorded yet: the schedule still sees the requests as due.
    expect(meeting(world)?.requestsSent).toBeUndefined();

    // 15 minutes later the trigger runs again and finishes.
    world.advance(15 * 60_000);
    start = world.now();
    const [second] = world.runDueTriggers();
    expect(second?.error).toBeUndefined();
    expect(world.now() - start).toBeLessThan(TIME_BUDGET_MS);
    expect(logged(world, /^Milepost: requests: /).at(-1)).toBe(
      `Milepost: requests: ${owners.length - sentFirst} sent, ${sentFirst} already sent, 0 left for the next run.`,
    );
    const byOwner = requestsByOwner(world);
    expect([...byOwner.keys()].sort()).toEqual([...owners].sort());
    expect([...byOwner.values()].every((n) => n === 1)).toBe(true);
    expect(meeting(world)?.requestsSent).toBe(new Date(start).toISOString());

    // Later runs send nothing more.
    world.advance(15 * 60_000);
    world.runDueTriggers();
    expect(world.mail.sent.filter(isRequest)).toHaveLength(owners.length);
  });
});

describe('a mail quota that runs out', () => {
  it('stops sending and says so in the log and on Meetings!A1; nothing goes twice; the next day sends the rest', () => {
    const world = newWorld(sample, { mailQuota: 5 });
    run(world, 'milepostSetup', T.setup);
    const owners = updatingMembers(registerOf(world)).map((p) => p.email);
    expect(owners.length).toBeGreaterThan(5);
    const note = () => world.spreadsheet.getSheetByName('Meetings')!.getRange(1, 1).getNote();

    run(world, 'milepostRequest', REQUESTS_DUE);
    expect(world.mail.sent.filter(isRequest)).toHaveLength(5);
    const left = owners.length - 5;
    expect(logged(world, /quota/)).toEqual([
      `Milepost: the daily email quota ran out (0 left); ${left} email(s) go out on a later run.`,
    ]);
    expect(note()).toBe(
      `Milepost: the daily email quota ran out (0 left); ${left} email(s) go out on a later run. (${REQUESTS_DUE.replace('Z', '.000Z')})`,
    );
    expect(meeting(world)?.requestsSent).toBeUndefined();

    // The same day: still out of quota — nothing is sent, nothing twice.
    run(world, 'milepostRequest', '2026-11-30T11:00:00Z');
    expect(world.mail.sent.filter(isRequest)).toHaveLength(5);
    expect(logged(world, /^Milepost: requests: /).at(-1)).toBe(
      `Milepost: requests: 0 sent, 5 already sent, ${left} left for the next run.`,
    );
    expect(meeting(world)?.requestsSent).toBeUndefined();

    // A new quota day: the rest go out, each owner has exactly one request, Meetings records it,
    // and the note, now untrue, is gone.
    world.newMailDay();
    run(world, 'milepostRequest', '2026-12-01T07:00:00Z');
    const byOwner = requestsByOwner(world);
    expect([...byOwner.keys()].sort()).toEqual([...owners].sort());
    expect([...byOwner.values()].every((n) => n === 1)).toBe(true);
    expect(meeting(world)?.requestsSent).toBe('2026-12-01T07:00:00.000Z');
    expect(note()).toBe('');
  });

  it('a meeting row the request run adds keeps "Requests sent" empty until all went out, so the schedule sends the rest', () => {
    const world = newWorld(withoutPlannedMeetings(sample), { mailQuota: 5 });
    const bundle = loadBundle(BUNDLE, world);
    run(world, 'milepostSetup', T.setup);
    bundle.call('milepostInstallSchedule');
    expect(meeting(world)).toBeUndefined();
    const owners = updatingMembers(registerOf(world)).map((p) => p.email);

    run(world, 'milepostRequest', REQUESTS_DUE);
    expect(world.mail.sent.filter(isRequest)).toHaveLength(5);
    // The run added the meeting's row, without claiming the requests went out.
    expect(meeting(world)).toMatchObject({ status: 'Planned', requestsSent: undefined });

    world.newMailDay();
    // The next trigger in working hours (requests wait for 09:00: Settings "Working hours").
    world.setNow(new Date('2026-12-01T09:00:00Z'));
    for (const r of world.runDueTriggers()) expect(r.error).toBeUndefined();
    const byOwner = requestsByOwner(world);
    expect([...byOwner.keys()].sort()).toEqual([...owners].sort());
    expect([...byOwner.values()].every((n) => n === 1)).toBe(true);
    expect(meeting(world)?.requestsSent).toBe('2026-12-01T09:00:00.000Z');
  });
});

describe('the schedule and the lock', () => {
  it('installing the schedule twice leaves one time-driven trigger; removing it leaves none', () => {
    const world = newWorld(sample);
    const bundle = loadBundle(BUNDLE, world);
    run(world, 'milepostSetup', T.setup);
    const clock = () => world.triggers.filter((t) => t.eventType === 'CLOCK');
    const others = world.triggers.filter((t) => t.eventType !== 'CLOCK');
    expect(others.map((t) => t.handler)).toEqual(['milepostFormSubmitted']);

    bundle.call('milepostInstallSchedule');
    bundle.call('milepostInstallSchedule');
    expect(clock().map((t) => [t.handler, t.schedule])).toEqual([
      ['milepostScheduled', { everyMinutes: 15 }],
    ]);
    // A second trigger made some other way (two installs at once, by hand) is removed too.
    world.services.ScriptApp.newTrigger('milepostScheduled').timeBased().everyMinutes(15).create();
    expect(clock()).toHaveLength(2);
    bundle.call('milepostInstallSchedule');
    expect(clock()).toHaveLength(1);

    bundle.call('milepostRemoveSchedule');
    expect(clock()).toEqual([]);
    expect(world.triggers).toEqual(others);
  });

  it('two runs never interleave: with the script lock held elsewhere, each entry point that writes does nothing and says so', () => {
    const world = newWorld(sample, { costs: DEFAULT_COSTS });
    const bundle = loadBundle(BUNDLE, world);
    run(world, 'milepostSetup', T.setup);
    bundle.call('milepostInstallSchedule');
    world.setNow(new Date(T.pack));
    const sheets = () => world.spreadsheet.state.sheets.map((s) => [s.name, JSON.stringify(s.values())]);
    const before = sheets();
    const triggers = [...world.triggers];
    const properties = new Map(world.properties.document);

    world.holdLock('script');
    const writers: [string, string][] = [
      ['milepostSync', 'sync'],
      ['milepostRequest', 'request'],
      ['milepostReminders', 'reminders'],
      ['milepostPack', 'pack'],
      ['milepostWrapUp', 'wrap-up'],
      ['milepostFormSubmitted', 'form submit'],
      ['milepostScheduled', 'schedule'],
      ['milepostSetup', 'setup'],
      ['milepostInstallSchedule', 'install schedule'],
      ['milepostRemoveSchedule', 'remove schedule'],
    ];
    for (const [fn, what] of writers) {
      const at = world.now();
      expect(() => bundle.call(fn)).not.toThrow();
      // It waited for the lock (30 s) and gave up.
      expect(world.now() - at).toBeGreaterThanOrEqual(30_000);
      expect(logged(world, /holds the lock/).at(-1)).toBe(
        `Milepost: ${what}: another Milepost run holds the lock; skipped (the next trigger runs it).`,
      );
    }
    // A person's edit: onEdit (a simple trigger, 30 s in all) waits less, and skips too.
    const edit = world.person('tom.becker@northwind.example').setValue('Milestones', 'F3', 'Might miss');
    const at = world.now();
    expect(() => bundle.call('onEdit', edit)).not.toThrow();
    expect(world.now() - at).toBeLessThan(30_000);
    expect(logged(world, /holds the lock/).at(-1)).toBe(
      'Milepost: onEdit: another Milepost run holds the lock; skipped (the next trigger runs it).',
    );

    // Nothing was written but the person's own cell; no email, trigger or property changed.
    world.sheet('Milestones').writable(3, 6).v = 'On track';
    expect(sheets()).toEqual(before);
    expect(world.mail.sent).toEqual([]);
    expect(world.triggers).toEqual(triggers);
    expect(world.properties.document).toEqual(properties);

    // Another run that lets go within 30 s is waited for.
    world.releaseLock('script');
    world.holdLock('script', world.now() + 10_000);
    bundle.call('milepostSync');
    expect(logged(world, /^Milepost: sync: \d+ response/)).toHaveLength(1);
  });
});

describe('batching', () => {
  it('sync then pack make the same Range reads and writes for 10,000 milestones as for 100', () => {
    const small = syncAndPack(100, BUNDLE);
    const large = syncAndPack(10_000, BUNDLE);
    const range = (c: Record<string, number>) => Object.entries(c).filter(([k]) => k.startsWith('Range.'));
    for (const phase of ['sync', 'pack'] as const) {
      const [a, b] = [small[phase], large[phase]];
      expect(b.getValues, `${phase}: getValues`).toBeLessThanOrEqual(a.getValues + 2);
      expect(b.setValues, `${phase}: setValues`).toBeLessThanOrEqual(a.setValues + 2);
      expect(b.reads, `${phase}: Range reads`).toBeLessThanOrEqual(a.reads + 2);
      expect(b.writes, `${phase}: Range writes`).toBeLessThanOrEqual(a.writes + 2);
      // A constant: one read per tab and a few per tab written, one write per column written.
      expect(b.reads + b.writes, `${phase}: ${JSON.stringify(range(b.counts))}`).toBeLessThan(40);
    }
    // What the two runs did at 10,000: changes applied, the pack built, recorded and sent.
    const world = large.world;
    expect(logged(world, /^Milepost: sync: 0 response\(s\) recorded, \d+ change/)[0]).toMatch(
      /[1-9]\d* change\(s\)/,
    );
    expect(meeting(world)?.pack).toMatch(/^https:\/\/docs\.google\.com\/document\/d\//);
    const team = registerOf(world).team.filter((p) => p.active);
    expect(team.length).toBeGreaterThan(450);
    // The pack goes to the whole team in messages of at most 50 recipients (MailApp's limit).
    const packs = world.mail.sent.filter((m) => m.subject.startsWith('Meeting pack'));
    expect(packs.every((m) => m.to.length + m.cc.length <= 50)).toBe(true);
    expect(packs.flatMap((m) => m.to).sort()).toEqual(team.map((p) => p.email).sort());
  });
});
