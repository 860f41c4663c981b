/**
 * The update form server under load on loopback: 50 people submit at once, each twice (100
 * concurrent POSTs, each after a GET of the page for its CSRF token), bounded in count and
 * time. Every person's later submission is the one sync applies, responses.jsonl stays valid
 * JSONL, and the register after sync equals that of a second workspace where the same final
 * answers were submitted one by one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startUpdateServer } from '../../src/local/server';
import { makeToken, readSecret } from '../../src/local/tokens';
import { createWorkbook, readWorkbook } from '../../src/local/workbook';
import { milepost, ROOT, tempDir } from '../cli/helpers';

const PEOPLE = 50;
const MEETING = '2026-12-03';
const SYNC_AT = '2026-12-01T15:00:00Z';
const DOMAIN = 'northwind.example';

type Fields = Record<string, string>;
interface Person {
  email: string;
  milestones: string[];
}

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const people: Person[] = Array.from({ length: PEOPLE }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  const count = i % 2 === 0 ? 1 : 2;
  return {
    email: `person${n}@${DOMAIN}`,
    milestones: Array.from({ length: count }, (_, k) => `M-${String(1000 + i * 2 + k).padStart(4, '0')}`),
  };
});

/** The sample register with its Team replaced by 50 people, each with one or two open milestones. */
function registerData() {
  const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/sample/register.json'), 'utf8'));
  const groups = ['Operations', 'Engineering', 'Sales', 'Product', 'Finance'];
  sample.Team = people.map((p, i) => ({
    Name: `Person ${String(i + 1).padStart(2, '0')}`,
    Email: p.email,
    Group: groups[i % groups.length],
    Role: i === 0 ? 'leader' : i === 1 ? 'manager' : 'member',
    Delegate: '',
    Active: 'yes',
  }));
  sample.Milestones = people.flatMap((p, i) =>
    p.milestones.map((id, k) => ({
      ID: id,
      Priority: sample.Priorities[(i + k) % sample.Priorities.length].Priority,
      Milestone: `Milestone ${k + 1} of person ${i + 1}`,
      Owner: p.email,
      Due: '2027-01-15',
      Status: 'On track',
      Forecast: '',
      'Depends on': '',
      'Last update': '2026-11-20T10:00:00Z',
      Notes: '',
    })),
  );
  for (const pr of sample.Priorities) pr.Sponsor = people[0]!.email;
  for (const s of sample.Settings) {
    if (s.Setting === 'Leader') s.Value = people[0]!.email;
    if (s.Setting === 'Process manager') s.Value = people[1]!.email;
  }
  sample.Topics = [];
  sample.Updates = [];
  sample.Changes = [];
  return sample;
}

/** Two different answers per person; `which` tags the wins so the recorded one can be told apart. */
function answer(p: Person, i: number, which: 'first' | 'second'): Fields {
  const fields: Fields = {
    wins: `${which} answer of ${p.email}`,
    learnings: which === 'first' ? 'learned early' : `learned late <${i}> & "quoted"`,
    helpNeeded: which === 'second' && i % 3 === 0 ? 'A reviewer' : '',
    helpFrom: which === 'second' && i % 3 === 0 ? 'Engineering' : '',
  };
  p.milestones.forEach((id, k) => {
    if (which === 'first') {
      fields[`status:${id}`] = 'Missed';
      fields[`forecast:${id}`] = '2027-04-30';
      fields[`comment:${id}`] = 'first try';
    } else {
      fields[`status:${id}`] = (i + k) % 2 === 0 ? 'Might miss' : 'Done';
      fields[`forecast:${id}`] = (i + k) % 2 === 0 ? `2027-02-${String(1 + (i % 28)).padStart(2, '0')}` : '';
      fields[`comment:${id}`] = (i + k) % 2 === 0 ? `slips ${i}` : '';
    }
  });
  return fields;
}

async function workspace(name: string, register: Buffer) {
  const dir = tempDir(name);
  const init = milepost('init', '--sample', '-w', dir);
  expect(init.code, init.stderr).toBe(0);
  fs.writeFileSync(path.join(dir, 'register.xlsx'), register);
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), '');
  let clock = Date.parse('2026-12-01T12:00:00Z');
  const server = await startUpdateServer({
    workspace: dir,
    port: 0,
    now: () => {
      clock += 1000;
      return new Date(clock).toISOString();
    },
    log: () => {},
  });
  servers.push(server);
  const secret = (await readSecret(dir))!;
  const link = (email: string) => `${server.url}/u/${makeToken(secret, email, MEETING)}`;
  return { dir, link };
}

async function csrfOf(url: string): Promise<string> {
  const res = await fetch(url);
  const html = await res.text();
  expect(res.status, html).toBe(200);
  return /name="csrf" value="([^"]+)"/.exec(html)![1]!;
}

async function post(url: string, fields: Fields): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${res.status}: ${html.slice(0, 500)}`);
  return res.status;
}

function jsonl(dir: string): { submittedAt: string; email: string; responseId: string; wins: string }[] {
  const text = fs.readFileSync(path.join(dir, 'responses.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l));
}

async function tab(dir: string, name: string) {
  const { snapshot } = await readWorkbook(path.join(dir, 'register.xlsx'));
  const t = snapshot.tables.find((x) => x.name === name)!;
  return t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h, r[i] ?? null])));
}

/** What sync left in the register, without the instants that depend on when each answer came in. */
async function outcome(dir: string) {
  const milestones = (await tab(dir, 'Milestones'))
    .map(({ 'Last update': _, ...rest }) => rest)
    .sort((a, b) => String(a.ID).localeCompare(String(b.ID)));
  const changes = (await tab(dir, 'Changes'))
    .map(({ When: _, ...rest }) => rest)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { milestones, changes };
}

function sync(dir: string) {
  const r = milepost('sync', '-w', dir, '--now', SYNC_AT, '--json');
  expect(r.code, r.stderr).toBe(0);
  return r.json() as { applied: { milestone: string; field: string; to: string; source: string }[] };
}

describe('update form server under load', () => {
  it('50 people submitting twice at once: later answers win, JSONL intact, same as one by one', async () => {
    const tmp = tempDir('load-register');
    const registerFile = path.join(tmp, 'register.xlsx');
    await createWorkbook(registerData(), 'Europe/London').xlsx.writeFile(registerFile);
    const register = fs.readFileSync(registerFile);

    const loaded = await workspace('load', register);
    const started = performance.now();
    const urls = people.map((p) => loaded.link(p.email));
    const jobs = people.flatMap((p, i) =>
      (['first', 'second'] as const).map(async (which) => {
        const csrf = await csrfOf(urls[i]!);
        return post(urls[i]!, { csrf, ...answer(p, i, which) });
      }),
    );
    expect(jobs).toHaveLength(2 * PEOPLE);
    const statuses = await Promise.all(jobs);
    const elapsed = performance.now() - started;
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(elapsed).toBeLessThan(30_000);

    // Valid JSONL: exactly 100 whole lines, each one submission.
    const lines = jsonl(loaded.dir);
    expect(lines).toHaveLength(2 * PEOPLE);
    for (const l of lines) expect(l.responseId).toBe(`web-${MEETING}-${l.email}`);

    // Per person: two lines; the one submitted later (by submit time) is the final answer.
    const finals = new Map<string, Fields>();
    people.forEach((p, i) => {
      const mine = lines.filter((l) => l.email === p.email);
      expect(mine).toHaveLength(2);
      const later = mine.reduce((a, b) => (Date.parse(b.submittedAt) > Date.parse(a.submittedAt) ? b : a));
      expect(new Set(mine.map((l) => l.wins))).toEqual(
        new Set([`first answer of ${p.email}`, `second answer of ${p.email}`]),
      );
      const which = later.wins.startsWith('first') ? 'first' : 'second';
      finals.set(p.email, answer(p, i, which));
    });

    const applied = sync(loaded.dir).applied.filter((a) => a.source === 'form');
    // Every milestone holds exactly its owner's final answer.
    const milestones = new Map((await tab(loaded.dir, 'Milestones')).map((m) => [m.ID, m]));
    for (const p of people) {
      const final = finals.get(p.email)!;
      for (const id of p.milestones) {
        expect(milestones.get(id)!.Status, `${p.email} ${id}`).toBe(final[`status:${id}`]);
        const statusChanges = applied.filter((a) => a.milestone === id && a.field === 'Status');
        expect(statusChanges.map((a) => a.to)).toEqual([final[`status:${id}`]]);
      }
    }
    // One update per person, the final one.
    const updates = (await tab(loaded.dir, 'Updates')).filter((u) => u.Meeting != null);
    for (const p of people) {
      const mine = updates.filter((u) => u.Email === p.email && String(u.Result ?? '').startsWith('Applied'));
      expect(
        mine.map((u) => u.Wins),
        p.email,
      ).toEqual([finals.get(p.email)!.wins]);
    }

    // The same final answers, one by one, in a second workspace.
    const serial = await workspace('serial', register);
    for (const p of people) {
      const url = serial.link(p.email);
      const csrf = await csrfOf(url);
      await post(url, { csrf, ...finals.get(p.email)! });
    }
    expect(jsonl(serial.dir)).toHaveLength(PEOPLE);
    sync(serial.dir);

    const a = await outcome(loaded.dir);
    const b = await outcome(serial.dir);
    expect(a.changes.length).toBeGreaterThanOrEqual(PEOPLE);
    expect(a.milestones).toEqual(b.milestones);
    expect(a.changes).toEqual(b.changes);
  }, 120_000);
});
