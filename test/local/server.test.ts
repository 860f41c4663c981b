/** The local update form server over real HTTP (loopback, port 0). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prefilledSubmission } from '../../src/core/emails';
import { readRegister } from '../../src/core/register';
import { readResponses } from '../../src/local/responses';
import { type RunningServer, startUpdateServer } from '../../src/local/server';
import { ensureSecret, makeToken, readSecret, SECRET_FILE, verifyToken } from '../../src/local/tokens';
import { createWorkbook, readWorkbook } from '../../src/local/workbook';
import { milepost, tempDir } from '../cli/helpers';
import { formOf } from './page';

const PRIYA = 'priya.shah@northwind.example';
const RAVI = 'ravi.kumar@northwind.example';
const MEETING = '2026-12-03';

let dir: string;
let secret: Buffer;
let server: RunningServer;
let clock: number;
const logs: string[] = [];
const responsesFile = () => path.join(dir, 'responses.jsonl');
const lines = () =>
  fs
    .readFileSync(responsesFile(), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  dir = tempDir('serve');
  const init = milepost('init', '--sample', '-w', dir);
  expect(init.code, init.stderr).toBe(0);
  secret = (await readSecret(dir))!;
  clock = Date.parse('2026-12-01T12:00:00Z');
  server = await startUpdateServer({
    workspace: dir,
    port: 0,
    now: () => {
      clock += 1000;
      return new Date(clock).toISOString();
    },
    log: (l) => logs.push(l),
  });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  fs.writeFileSync(responsesFile(), '');
});

const link = (email: string, meeting = MEETING) => `${server.url}/u/${makeToken(secret, email, meeting)}`;

async function get(url: string) {
  const res = await fetch(url);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

async function post(url: string, fields: Record<string, string> | string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text() };
}

async function tab(name: string) {
  const { snapshot } = await readWorkbook(path.join(dir, 'register.xlsx'));
  const t = snapshot.tables.find((x) => x.name === name)!;
  return t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h, r[i] ?? null])));
}

describe('tokens', () => {
  it('init creates an owner-only secret; tokens verify only for their meeting and intact', () => {
    const stat = fs.statSync(path.join(dir, SECRET_FILE));
    expect(stat.mode & 0o777).toBe(0o600);
    const token = makeToken(secret, PRIYA, MEETING);
    expect(verifyToken(secret, token, MEETING)).toBe(PRIYA);
    expect(verifyToken(secret, token, '2026-12-10')).toBeUndefined();
    expect(verifyToken(Buffer.alloc(32, 1), token, MEETING)).toBeUndefined();
    const [payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ p: RAVI, m: MEETING })).toString('base64url');
    expect(verifyToken(secret, `${forged}.${sig}`, MEETING)).toBeUndefined();
    // Every other last character: some decode to the same bytes (base64url's spare bits).
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.replace(
      sig!.slice(-1),
      '',
    ))
      expect(verifyToken(secret, `${payload}.${sig!.slice(0, -1)}${c}`, MEETING)).toBeUndefined();
    for (const bad of ['', '.', 'abc', `${payload}`, `${payload}.${sig}.x`, '%%%.%%%'])
      expect(verifyToken(secret, bad, MEETING)).toBeUndefined();
  });
});

describe('ensureSecret', () => {
  it('creates a missing secret once (older workspaces), owner-only, and keeps it', async () => {
    const ws = tempDir('secret');
    expect(await readSecret(ws)).toBeUndefined();
    const [a, b] = await Promise.all([ensureSecret(ws), ensureSecret(ws)]);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(32);
    expect(fs.statSync(path.join(ws, SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect((await ensureSecret(ws)).equals(a)).toBe(true);
  });
});

describe('update form server', () => {
  it('serves the page with strict headers, statuses pre-selected, delegate milestones under their owner', async () => {
    const page = await get(link(PRIYA));
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-/);
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.html).not.toContain('<script');
    expect(page.html).toContain('Priya Shah');
    const form = formOf(page.html);
    expect(form['status:M-0006']).toBe('On track');
    expect(form['status:M-0014']).toBe('Might miss');
    expect(form['status:M-0001']).toBeUndefined(); // Done: not open
    expect(form.csrf).toBeTruthy();

    const ravi = await get(link(RAVI));
    expect(ravi.status).toBe(200);
    expect(ravi.html).toContain('Milestones of Ann Marsh');
    expect(formOf(ravi.html)['status:M-0004']).toBe('On track');
  });

  it('records a valid update, shows it, and sync applies it', async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    const res = await post(url, {
      ...form,
      'status:M-0006': 'Might miss',
      'forecast:M-0006': '2027-02-05',
      'comment:M-0006': 'Vendor slipped',
      wins: 'Shipped beta',
      learnings: 'Test earlier',
      helpNeeded: 'Vendor contact',
      helpFrom: 'Engineering',
    });
    expect(res.status, res.html).toBe(200);
    expect(res.html).toContain('Thank you');
    expect(res.html).toContain('Vendor slipped');
    const recorded = lines();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      responseId: `web-${MEETING}-${PRIYA}`,
      email: PRIYA,
      statuses: { 'M-0006': 'Might miss', 'M-0014': 'Might miss' },
      forecasts: { 'M-0006': '2027-02-05' },
      comments: { 'M-0006': 'Vendor slipped' },
      wins: 'Shipped beta',
      helpFrom: 'Engineering',
    });
    expect(logs.at(-1)).toContain(PRIYA);
    expect(logs.at(-1)).not.toContain(url.split('/u/')[1]!);

    const sync = milepost('sync', '-w', dir, '--now', '2026-12-01T13:00:00Z', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    const out = sync.json() as {
      applied: { milestone: string; field: string; to: string; source: string }[];
    };
    const fromForm = out.applied.filter((a) => a.source === 'form');
    expect(fromForm).toEqual([
      expect.objectContaining({ milestone: 'M-0006', field: 'Status', to: 'Might miss' }),
      expect.objectContaining({ milestone: 'M-0006', field: 'Forecast', to: '2027-02-05' }),
    ]);
    const m6 = (await tab('Milestones')).find((r) => r.ID === 'M-0006')!;
    expect(m6.Status).toBe('Might miss');
  });

  it('resubmitting replaces the earlier answer: same response id, later submit time', async () => {
    const url = link(RAVI);
    const form = formOf((await get(url)).html);
    // Ravi owns no open milestone: his page is Ann's milestones, which he covers as delegate.
    expect(formOf((await get(url)).html).wins).toBeUndefined();
    expect((await post(url, { ...form, 'comment:M-0004': 'first' })).status).toBe(200);
    const again = formOf((await get(url)).html);
    expect(again['comment:M-0004']).toBe('first');
    expect(
      (await post(url, { ...again, 'comment:M-0004': 'second', 'status:M-0004': 'Might miss' })).status,
    ).toBe(200);
    const [a, b] = lines();
    expect(a.responseId).toBe(`web-${MEETING}-${RAVI}`);
    expect(b.responseId).toBe(a.responseId);
    expect(Date.parse(b.submittedAt)).toBeGreaterThan(Date.parse(a.submittedAt));
    expect(b).toMatchObject({
      email: RAVI,
      comments: { 'M-0004': 'second' },
      statuses: { 'M-0004': 'Might miss' },
    });
  });

  it('opened again, shows their latest answer for the meeting, and says that sending again replaces it', async () => {
    const url = link(PRIYA);
    const first = await get(url);
    expect(first.html).not.toContain('You sent an update');
    const form = formOf(first.html);
    expect(
      (
        await post(url, {
          ...form,
          'status:M-0006': 'Missed',
          'comment:M-0006': 'Vendor gone',
          wins: 'Beta out',
          helpFrom: 'Engineering',
        })
      ).status,
    ).toBe(200);
    const again = await get(url);
    expect(again.html).toContain('You sent an update on');
    expect(again.html).toContain('Sending again replaces it.');
    const shown = formOf(again.html);
    expect(shown).toMatchObject({
      'status:M-0006': 'Missed',
      'comment:M-0006': 'Vendor gone',
      wins: 'Beta out',
      helpFrom: 'Engineering',
    });
    // A milestone the answer left as it was shows the register's status still.
    expect(shown['status:M-0014']).toBe(form['status:M-0014']);
  });

  it('answers a tampered, other-meeting or unknown-person token with a plain 403', async () => {
    const good = makeToken(secret, PRIYA, MEETING);
    const [payload, sig] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ p: RAVI, m: MEETING })).toString('base64url');
    const bad = [
      `${forged}.${sig}`,
      `${payload}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`,
      makeToken(secret, PRIYA, '2026-12-10'),
      makeToken(secret, 'nobody@northwind.example', MEETING),
      makeToken(secret, 'owen.price@northwind.example', MEETING), // inactive
      makeToken(Buffer.alloc(32, 7), PRIYA, MEETING),
      'garbage',
    ];
    for (const token of bad) {
      const g = await get(`${server.url}/u/${token}`);
      expect(g.status, token).toBe(403);
      expect(g.html).not.toContain('Priya');
      expect(g.html).not.toContain('M-0');
      const p = await post(`${server.url}/u/${token}`, { wins: 'x' });
      expect(p.status, token).toBe(403);
    }
    expect(lines()).toHaveLength(0);
  });

  it('refuses a post without or with a wrong CSRF token', async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    const { csrf: _, ...without } = form;
    expect((await post(url, without)).status).toBe(403);
    expect((await post(url, { ...form, csrf: `${form.csrf!.slice(0, -1)}x` })).status).toBe(403);
    // Another person's CSRF token does not fit this link.
    const ravi = formOf((await get(link(RAVI))).html);
    expect((await post(url, { ...form, csrf: ravi.csrf! })).status).toBe(403);
    expect(lines()).toHaveLength(0);
  });

  it('answers an oversized body with 413 and writes nothing', async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    const res = await post(url, { ...form, wins: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(lines()).toHaveLength(0);
  });

  it('returns the form with 400, the problem next to its field and the answers kept, for a status not allowed', async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    const res = await post(url, { ...form, 'status:M-0006': 'Nearly there', wins: 'kept <b>win</b>' });
    expect(res.status).toBe(400);
    // The ingestion rule says it, as a sync would.
    expect(res.html).toMatch(
      /id="status-M-0006-error">Unknown status &quot;Nearly there&quot;; expected one of On track/,
    );
    const idx = res.html.indexOf('status-M-0006-error');
    expect(idx).toBeGreaterThan(res.html.indexOf('M-0006 · '));
    expect(idx).toBeLessThan(res.html.indexOf('forecast-M-0006'));
    expect(res.html).toContain('kept &lt;b&gt;win&lt;/b&gt;');
    expect(formOf(res.html).wins).toBe('kept <b>win</b>');
    expect(formOf(res.html)['status:M-0014']).toBe('Might miss');
    expect(lines()).toHaveLength(0);
  });

  it('rejects an impossible forecast date with 400', async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    for (const date of ['2026-02-30', '2026-13-01', '1/2/2026']) {
      const res = await post(url, { ...form, 'forecast:M-0014': date });
      expect(res.status, date).toBe(400);
      expect(res.html).toContain('id="forecast-M-0014-error"');
      expect(formOf(res.html)['forecast:M-0014']).toBe(date);
    }
    expect(lines()).toHaveLength(0);
  });

  it("rejects someone else's milestone injected into the post and writes nothing", async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    const injected: Record<string, string>[] = [
      { 'status:M-0004': 'Done' },
      { 'comment:M-0001': 'closed one' },
      { 'forecast:M-9999': '2027-01-01' },
    ];
    for (const extra of injected) {
      const res = await post(url, { ...form, ...extra });
      expect(res.status).toBe(400);
      expect(res.html).toContain('Nothing was recorded');
    }
    expect(lines()).toHaveLength(0);
  });

  it('keeps HTML and formula text literal in responses.jsonl and escaped on the page', async () => {
    const url = link(PRIYA);
    const form = formOf((await get(url)).html);
    const nasty = '<script>alert("x")</script> & \'q\'';
    const formula = '=HYPERLINK("http://evil.example","click")';
    const res = await post(url, { ...form, wins: nasty, learnings: formula, 'comment:M-0014': '+1-1 <i>' });
    expect(res.status).toBe(200);
    expect(res.html).not.toContain('<script>');
    expect(res.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(res.html).toContain('+1-1 &lt;i&gt;');
    const [line] = lines();
    expect(line.wins).toBe(nasty);
    expect(line.learnings).toBe(formula);
    expect(line.comments['M-0014']).toBe('+1-1 <i>');
  });

  it('allows only GET, HEAD and POST, and nothing but /u/<token>', async () => {
    const head = await fetch(link(PRIYA), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/html');
    expect(await head.text()).toBe('');
    const put = await fetch(link(PRIYA), { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await fetch(link(PRIYA), { method: 'DELETE' })).status).toBe(405);
    for (const p of ['/', '/u/', '/responses.jsonl', '/.milepost-secret', '/u/a/b', '/register.xlsx'])
      expect((await get(`${server.url}${p}`)).status, p).toBe(404);
  });
});

describe('request emails', () => {
  it('carry the personal link when Settings has a Form base URL', async () => {
    const ws = tempDir('serve-req');
    expect(milepost('init', '--sample', '-w', ws).code).toBe(0);
    const sample = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../templates/sample/register.json'), 'utf8'),
    );
    for (const s of sample.Settings) if (s.Setting === 'Form base URL') s.Value = 'http://127.0.0.1:8787/';
    await createWorkbook(sample, 'Europe/London').xlsx.writeFile(path.join(ws, 'register.xlsx'));
    const r = milepost('request', '-w', ws, '--now', '2026-11-30T10:00:00Z');
    expect(r.code, r.stderr).toBe(0);
    const wsSecret = (await readSecret(ws))!;
    const emls = fs.readdirSync(path.join(ws, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(emls.length).toBeGreaterThan(0);
    const raw = emls.map((f) => fs.readFileSync(path.join(ws, 'outbox', f), 'utf8')).join('\n');
    // The parts are base64: decode every block of base64 lines.
    const decoded = [...raw.matchAll(/(?:^[A-Za-z0-9+/=]{4,76}\r?\n)+/gm)]
      .map((m) => Buffer.from(m[0].replace(/\s/g, ''), 'base64').toString('utf8'))
      .join('\n');
    const expected = `http://127.0.0.1:8787/u/${makeToken(wsSecret, PRIYA, MEETING)}`;
    expect(decoded).toContain(expected);
    expect(raw + decoded).not.toContain(wsSecret.toString('base64url'));
  });
});

describe('an owner and their delegate answering the same meeting', () => {
  const ANN = 'ann.marsh@northwind.example';
  let ws: string;
  let wsServer: RunningServer;
  let wsSecret: Buffer;
  let wsClock: number;

  beforeEach(async () => {
    ws = tempDir('serve-delegate');
    expect(milepost('init', '--sample', '-w', ws).code).toBe(0);
    wsSecret = (await readSecret(ws))!;
    wsClock = Date.parse('2026-12-01T12:00:00Z');
    wsServer = await startUpdateServer({
      workspace: ws,
      port: 0,
      now: () => {
        wsClock += 60_000;
        return new Date(wsClock).toISOString();
      },
      log: () => undefined,
    });
  });
  afterEach(async () => {
    if (wsServer?.server.listening) await wsServer.close();
  });

  async function registerOf() {
    return readRegister((await readWorkbook(path.join(ws, 'register.xlsx'))).snapshot).register;
  }
  function syncWs() {
    const sync = milepost('sync', '-w', ws, '--now', '2026-12-01T15:00:00Z', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    return sync.json() as { skipped: { responseId: string; reason: string }[] };
  }

  it('records both answers sent through the local page, applied in submit order: the later wins', async () => {
    const annUrl = `${wsServer.url}/u/${makeToken(wsSecret, ANN, MEETING)}`;
    const annForm = formOf((await get(annUrl)).html);
    const owner = await post(annUrl, {
      ...annForm,
      'status:M-0004': 'Might miss',
      'forecast:M-0004': '2026-12-17',
      'comment:M-0004': 'Pricing review late',
      wins: 'Two renewals',
    });
    expect(owner.status, owner.html).toBe(200);
    const raviUrl = `${wsServer.url}/u/${makeToken(wsSecret, RAVI, MEETING)}`;
    const raviForm = formOf((await get(raviUrl)).html);
    const delegate = await post(raviUrl, {
      ...raviForm,
      'status:M-0004': 'Missed',
      'comment:M-0004': 'Slipped past the date, covering for Ann',
    });
    expect(delegate.status, delegate.html).toBe(200);
    await wsServer.close();

    const [a, r] = fs
      .readFileSync(path.join(ws, 'responses.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    // Each sender's answer carries an id of its own.
    expect([a.email, r.email]).toEqual([ANN, RAVI]);
    expect(a.responseId).not.toBe(r.responseId);

    expect(syncWs().skipped).toEqual([]);
    const reg = await registerOf();
    const updates = reg.updates.filter((u) => u.meeting === MEETING);
    expect(updates.map((u) => [u.email, u.result])).toEqual([
      [ANN, 'Applied: 2 changes'],
      [RAVI, 'Applied: 1 change'],
    ]);
    expect(updates[0]!.wins).toBe('Two renewals');
    const m4 = reg.milestones.find((m) => m.id === 'M-0004')!;
    expect([m4.status, m4.forecast]).toEqual(['Missed', '2026-12-17']);
    expect(
      reg.changes.filter((c) => c.milestone === 'M-0004' && c.source === 'form').map((c) => [c.by, c.to]),
    ).toEqual([
      [ANN, 'Might miss'],
      [ANN, '2026-12-17'],
      [RAVI, 'Missed'],
    ]);
  });

  it("records both when the delegate sends the owner's request line (the same response id) with their own email", async () => {
    await wsServer.close();
    const reg = await registerOf();
    const ann = reg.team.find((p) => p.email === ANN)!;
    const meeting = reg.meetings.find((m) => m.date === MEETING)!;
    const line = prefilledSubmission(
      ann,
      meeting,
      reg.milestones.filter((m) => m.owner === ANN && m.status !== 'Done'),
    );
    const owner = {
      ...line,
      submittedAt: '2026-12-01T12:00:00Z',
      statuses: { ...line.statuses, 'M-0004': 'Might miss' },
      wins: 'Two renewals',
    };
    const delegate = {
      ...line,
      email: RAVI,
      submittedAt: '2026-12-01T13:00:00Z',
      statuses: { 'M-0004': 'Missed' },
    };
    fs.writeFileSync(
      path.join(ws, 'responses.jsonl'),
      `${JSON.stringify(owner)}\n${JSON.stringify(delegate)}\n`,
    );
    expect(syncWs().skipped).toEqual([]);
    const after = await registerOf();
    expect(after.updates.filter((u) => u.meeting === MEETING).map((u) => [u.responseId, u.email])).toEqual([
      [line.responseId, ANN],
      [line.responseId, RAVI],
    ]);
    expect(after.milestones.find((m) => m.id === 'M-0004')!.status).toBe('Missed');
    // A second sync applies neither again.
    expect(syncWs().skipped.map((s) => s.reason)).toEqual(['already applied', 'already applied']);
  });
});

describe('the server holds the register', () => {
  it('reads register.xlsx and responses.jsonl once for many pages, and again only when the file changed', async () => {
    const ws = tempDir('serve-cache');
    expect(milepost('init', '--sample', '-w', ws).code).toBe(0);
    const wsSecret = (await readSecret(ws))!;
    const reads = { register: 0, responses: 0 };
    let clock = Date.parse('2026-12-01T12:00:00Z');
    const running = await startUpdateServer({
      workspace: ws,
      port: 0,
      now: () => {
        clock += 1000;
        return new Date(clock).toISOString();
      },
      log: () => undefined,
      readers: {
        register: (file) => {
          reads.register++;
          return readWorkbook(file);
        },
        responses: (file) => {
          reads.responses++;
          return readResponses(file);
        },
      },
    });
    try {
      const url = `${running.url}/u/${makeToken(wsSecret, PRIYA, MEETING)}`;
      for (let i = 0; i < 3; i++) expect((await get(url)).status).toBe(200);
      expect(reads).toEqual({ register: 1, responses: 1 });

      // The register edited (and saved) while the server runs: the next page shows the edit.
      const sample = JSON.parse(
        fs.readFileSync(path.join(__dirname, '../../templates/sample/register.json'), 'utf8'),
      );
      for (const m of sample.Milestones) if (m.ID === 'M-0006') m.Milestone = 'Renamed while serving';
      await createWorkbook(sample, 'Europe/London').xlsx.writeFile(path.join(ws, 'register.xlsx'));
      const edited = await get(url);
      expect(edited.html).toContain('Renamed while serving');
      expect((await get(url)).status).toBe(200);
      expect(reads).toEqual({ register: 2, responses: 1 });

      // A post appends to responses.jsonl: the next page reads it again, and shows the answer.
      const form = formOf(edited.html);
      expect((await post(url, { ...form, 'comment:M-0006': 'Held and reloaded' })).status).toBe(200);
      const again = await get(url);
      expect(again.html).toContain('Held and reloaded');
      expect((await get(url)).status).toBe(200);
      expect(reads).toEqual({ register: 2, responses: 2 });
    } finally {
      await running.close();
    }
  });
});
