/**
 * In a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser
 * download):
 *
 * - the update form: open a personal link taken from a generated .eml, change two statuses and a
 *   forecast, fill in wins/learnings/help, submit, see the thank-you page; then `milepost sync`
 *   applies exactly those changes. Leaves test-artifacts/form-filled.png.
 * - the meeting pack of the demo, as a team member reads it: at 390 px (a phone) and 1280 px, the
 *   page never scrolls sideways, "At a glance" is in the first screen, the first topic within the
 *   first two, no word is split mid-letter; printed, page 1 is the at-a-glance box alone. A pack
 *   built on a register with errors shows its Register problems box. Leaves test-artifacts/pack-*
 *   (screenshots and the PDF; test-artifacts/ is git-ignored).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegister } from '../../src/core/register';
import { meetingTimes } from '../../src/core/schedule';
import { type RunningServer, startUpdateServer } from '../../src/local/server';
import { ensureSecret, makeToken } from '../../src/local/tokens';
import { createWorkbook, readWorkbook, serialToExcelDate } from '../../src/local/workbook';
import { milepost, ROOT, sampleResponses, tempDir } from '../cli/helpers';

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless (no sandbox: the tests may run as root). */
function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
const PRIYA = 'priya.shah@northwind.example';
const MEETING = '2026-12-03';
const ARTIFACT = path.join(ROOT, 'test-artifacts', 'form-filled.png');

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.close();
});

async function tab(dir: string, name: string) {
  const { snapshot } = await readWorkbook(path.join(dir, 'register.xlsx'));
  const t = snapshot.tables.find((x) => x.name === name)!;
  return t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h, r[i] ?? null])));
}

/** A date cell (a serial number in the snapshot) as YYYY-MM-DD; other values as text. */
const iso = (v: unknown) =>
  typeof v === 'number' ? serialToExcelDate(v).toISOString().slice(0, 10) : String(v ?? '');

/** The decoded text of an .eml: headers as they are, every base64 block decoded. */
function decodeEml(raw: string): string {
  const decoded = [...raw.matchAll(/(?:^[A-Za-z0-9+/=]{4,76}\r?\n)+/gm)].map((m) =>
    Buffer.from(m[0].replace(/\s/g, ''), 'base64').toString('utf8'),
  );
  return [raw, ...decoded].join('\n');
}

describe('update form in headless Chromium', () => {
  it.skipIf(!fs.existsSync(CHROMIUM))(
    'opens the link from an .eml, records the filled form, and sync applies exactly those changes',
    async () => {
      const dir = tempDir('browser');
      const init = milepost('init', '--sample', '-w', dir);
      expect(init.code, init.stderr).toBe(0);
      fs.writeFileSync(path.join(dir, 'responses.jsonl'), '');

      const logs: string[] = [];
      server = await startUpdateServer({
        workspace: dir,
        port: 0,
        now: () => '2026-12-01T12:00:00.000Z',
        log: (l) => logs.push(l),
      });

      // Settings → Form base URL = this server.
      const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/sample/register.json'), 'utf8'));
      for (const s of sample.Settings) if (s.Setting === 'Form base URL') s.Value = `${server.url}/`;
      await createWorkbook(sample, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));

      const request = milepost('request', '-w', dir, '--now', '2026-11-30T10:00:00Z');
      expect(request.code, request.stderr).toBe(0);
      const outbox = path.join(dir, 'outbox');
      const emls = fs
        .readdirSync(outbox)
        .filter((f) => f.endsWith('.eml'))
        .map((f) => fs.readFileSync(path.join(outbox, f), 'utf8'));
      const priyas = emls.filter((raw) => new RegExp(`^To:.*${PRIYA}`, 'mi').test(raw));
      expect(priyas).toHaveLength(1);
      const escapedUrl = server.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const links = decodeEml(priyas[0]!).match(
        new RegExp(`${escapedUrl}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`, 'g'),
      );
      expect(links, 'personal link in the email').toBeTruthy();
      const link = links![0]!;

      const browser = await launch();
      try {
        const page = await browser.newPage({ viewport: { width: 420, height: 900 }, locale: 'en-GB' });
        const res = await page.goto(link);
        expect(res?.status()).toBe(200);
        await expect(page.locator('h1').textContent()).resolves.toContain('Priya Shah');
        // Pre-selected current statuses.
        expect(await page.isChecked('input[name="status:M-0006"][value="On track"]')).toBe(true);
        expect(await page.isChecked('input[name="status:M-0014"][value="Might miss"]')).toBe(true);

        // Two statuses, one forecast, a comment, then wins/learnings/help and "help from".
        await page
          .getByRole('group', { name: /M-0006/ })
          .getByLabel('Might miss')
          .check();
        await page
          .getByRole('group', { name: /M-0014/ })
          .getByLabel('On track')
          .check();
        await page.fill('#forecast-M-0006', '2027-02-05');
        await page.fill('#comment-M-0006', 'Vendor slipped two weeks');
        await page.getByLabel('Wins since the last meeting').fill('Onboarding beta shipped to 40 teams');
        await page.getByLabel('Learnings worth sharing').fill('Start vendor security review earlier');
        await page.getByLabel('Where do you need help?').fill('An intro to the vendor’s account lead');
        await page.getByLabel('Help needed from').selectOption('Engineering');

        fs.mkdirSync(path.dirname(ARTIFACT), { recursive: true });
        await page.screenshot({ path: ARTIFACT, fullPage: true });
        expect(fs.statSync(ARTIFACT).size).toBeGreaterThan(10_000);

        const submitted = page.waitForResponse((r) => r.request().method() === 'POST');
        await page.getByRole('button', { name: 'Send my update' }).click();
        expect((await submitted).status()).toBe(200);
        await page.waitForSelector('h1:has-text("Thank you")');
        const thanks = (await page.locator('main').textContent()) ?? '';
        expect(thanks).toContain('Thank you, Priya');
        expect(thanks).toContain('Vendor slipped two weeks');
        expect(thanks).toContain('Onboarding beta shipped to 40 teams');
        expect(thanks).toContain('Engineering');
      } finally {
        await browser.close();
      }

      const recorded = fs
        .readFileSync(path.join(dir, 'responses.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        responseId: `web-${MEETING}-${PRIYA}`,
        email: PRIYA,
        statuses: { 'M-0006': 'Might miss', 'M-0014': 'On track', 'M-0031': 'On track' },
        forecasts: { 'M-0006': '2027-02-05' },
        comments: { 'M-0006': 'Vendor slipped two weeks' },
        wins: 'Onboarding beta shipped to 40 teams',
        learnings: 'Start vendor security review earlier',
        helpNeeded: 'An intro to the vendor’s account lead',
        helpFrom: 'Engineering',
      });
      expect(logs).toHaveLength(1);

      const before = await tab(dir, 'Milestones');
      const sync = milepost('sync', '-w', dir, '--now', '2026-12-01T13:00:00Z', '--json');
      expect(sync.code, sync.stderr).toBe(0);
      const out = sync.json() as {
        applied: { milestone: string; field: string; to: string; source: string }[];
      };
      const fromForm = out.applied.filter((a) => a.source === 'form');
      expect(fromForm.map((a) => [a.milestone, a.field, a.to]).sort()).toEqual(
        [
          ['M-0006', 'Forecast', '2027-02-05'],
          ['M-0006', 'Status', 'Might miss'],
          ['M-0014', 'Status', 'On track'],
        ].sort(),
      );

      const after = await tab(dir, 'Milestones');
      const byId = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [r.ID, r]));
      const was = byId(before);
      const now = byId(after);
      expect(now.get('M-0006')).toMatchObject({ Status: 'Might miss' });
      expect(iso(now.get('M-0006')!.Forecast)).toBe('2027-02-05');
      expect(now.get('M-0014')).toMatchObject({ Status: 'On track' });
      expect(now.get('M-0031')!.Status).toBe(was.get('M-0031')!.Status);
      // Nobody else's status or forecast moved because of the form.
      for (const [id, row] of now) {
        if (id === 'M-0006' || id === 'M-0014') continue;
        const old = was.get(id)!;
        if (row.Status !== old.Status)
          expect(out.applied.find((a) => a.milestone === id)?.source).not.toBe('form');
      }

      const changes = (await tab(dir, 'Changes')).filter(
        (c) => c['Response ID'] === `web-${MEETING}-${PRIYA}`,
      );
      expect(changes.map((c) => [c.Milestone, c.Field, iso(c.From), iso(c.To)]).sort()).toEqual(
        [
          ['M-0006', 'Forecast', '', '2027-02-05'],
          ['M-0006', 'Status', 'On track', 'Might miss'],
          ['M-0014', 'Status', 'Might miss', 'On track'],
        ].sort(),
      );
      for (const c of changes) expect(c).toMatchObject({ By: PRIYA, Source: 'form' });
    },
    60_000,
  );
});

// ---------- the meeting pack ----------

const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** What a reader of the pack meets, measured in the page (CSS pixels from the top of the page). */
interface Layout {
  viewport: { width: number; height: number };
  scrollWidth: number;
  pageHeight: number;
  glanceTop: number;
  glanceBottom: number;
  part2Top: number;
  firstTopicTop: number;
  /** Words drawn on more than one line (split mid-letter), with the text they are in. */
  splitWords: string[];
}

/**
 * Measures the page in the browser. A string, so this file needs no DOM types: `main`'s text
 * nodes are walked word by word; a word may wrap after a hyphen, a dash or a slash, so each piece
 * between them must be drawn on one line.
 */
const MEASURE = `(() => {
  const top = (el) => (el ? el.getBoundingClientRect().top + window.scrollY : NaN);
  const glance = document.querySelector('section.box-glance');
  const splitWords = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('thead, nav, style')) continue;
    const text = node.textContent || '';
    for (const m of text.matchAll(/[^\\s\\-–—/]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) splitWords.push(m[0] + ' (in “' + text.slice(0, 60) + '”)');
    }
  }
  return {
    viewport: { width: window.innerWidth, height: window.innerHeight },
    scrollWidth: document.documentElement.scrollWidth,
    pageHeight: document.documentElement.scrollHeight,
    glanceTop: top(glance),
    glanceBottom: glance ? top(glance) + glance.getBoundingClientRect().height : NaN,
    part2Top: top(document.querySelector('#part-2')),
    firstTopicTop: top(document.querySelector('#part-2 ~ table tbody tr')),
    splitWords,
  };
})()`;

async function layoutOf(page: Page): Promise<Layout> {
  return (await page.evaluate(MEASURE)) as Layout;
}

/** The text of each page of a PDF (pdftotext, from poppler-utils), or undefined without it. */
function pdfPages(file: string): string[] | undefined {
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f').slice(0, -1);
  } catch {
    return undefined;
  }
}

describe.skipIf(!fs.existsSync(CHROMIUM))('the meeting pack in headless Chromium', () => {
  let browser: Browser;
  let demoPack: string;
  let problemsPack: string;
  const layouts: Record<string, Layout> = {};

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const demo = path.join(tempDir('pack-browser'), 'demo');
    const r = milepost('demo', demo, '--json');
    expect(r.code, r.stderr).toBe(0);
    demoPack = (r.json() as { pack: string }).pack;
    // The sample with the register errors of issue 12.
    const dir = tempDir('pack-problems');
    const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/sample/register.json'), 'utf8'));
    const at = (id: string) => sample.Milestones.find((m: { ID: string }) => m.ID === id);
    at('M-0006').Status = 'Late';
    at('M-0007').Due = 'next week';
    at('M-0008').Owner = 'Tom B';
    await createWorkbook(sample, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
    const pack = milepost('pack', '-w', dir, '--now', '2026-12-02T16:00:00Z');
    expect(pack.code, pack.stderr).toBe(5);
    problemsPack = path.join(dir, 'packs', '2026-12-03.html');
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    // The figures behind the assertions, for the record (vitest prints them with the run).
    if (Object.keys(layouts).length) console.log(JSON.stringify(layouts, null, 1));
  });

  it('at 390 px (a phone): no sideways scroll, at a glance in the first screen, the first topic within two, no word split', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await page.goto(`file://${demoPack}`);
    const l = await layoutOf(page);
    layouts['390'] = l;
    await page.screenshot({ path: path.join(ARTIFACTS, 'pack-390-screen1.png') });
    await page.screenshot({
      path: path.join(ARTIFACTS, 'pack-390-screens1-3.png'),
      clip: { x: 0, y: 0, width: 390, height: 3 * 844 },
      fullPage: true,
    });
    await page.screenshot({ path: path.join(ARTIFACTS, 'pack-390-full.png'), fullPage: true });
    expect(l.scrollWidth).toBeLessThanOrEqual(390);
    expect(l.glanceTop).toBeLessThan(844 / 2);
    expect(l.part2Top).toBeGreaterThan(l.glanceBottom);
    // Clearly within two screens (the phone's compact top: 1,368 of 1,688 px on the demo pack).
    expect(l.firstTopicTop).toBeLessThan(2 * 844 - 250);
    // Compact, nothing hidden: every part of the at-a-glance box is drawn.
    const glance = (await page.evaluate(`(() => {
      const box = document.querySelector('section.box-glance');
      return { text: box.innerText, hidden: [...box.querySelectorAll('*')].filter((e) => e.getClientRects().length === 0).length };
    })()`)) as { text: string; hidden: number };
    expect(glance.hidden).toBe(0);
    for (const part of [
      'Decisions needed',
      'Milestones at risk',
      'Likely to slip',
      'Not responded',
      'Health:',
    ])
      expect(glance.text).toContain(part);
    expect(glance.text).toMatch(/\+28\s+days/);
    expect(l.splitWords).toEqual([]);
    await page.close();
  });

  it('at 1280 px: no sideways scroll, at a glance in the first screen, the first topic within two, no word split', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(`file://${demoPack}`);
    const l = await layoutOf(page);
    layouts['1280'] = l;
    await page.screenshot({ path: path.join(ARTIFACTS, 'pack-1280-screen1.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'pack-1280-full.png'), fullPage: true });
    expect(l.scrollWidth).toBeLessThanOrEqual(1280);
    expect(l.glanceTop).toBeLessThan(800 / 2);
    expect(l.firstTopicTop).toBeLessThan(2 * 800);
    expect(l.splitWords).toEqual([]);
    await page.close();
  });

  it('printed to PDF: page 1 is the title and the at-a-glance box alone, the topics start on page 2', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${demoPack}`);
    const pdf = path.join(ARTIFACTS, 'pack-print.pdf');
    await page.pdf({ path: pdf, format: 'A4' });
    const pages = pdfPages(pdf);
    if (pages) {
      expect(pages[0]).toContain('Milestone meeting — Thu 3 Dec 2026');
      expect(pages[0]).toContain('At a glance');
      expect(pages[0]).toContain('Decisions needed');
      expect(pages[0]).toContain('Milestones at risk');
      expect(pages[0]).toContain('Health:');
      expect(pages[0]).not.toContain('Part 2 — Topics in priority order');
      expect(pages[1]!.trim().startsWith('Part 2 — Topics in priority order')).toBe(true);
      layouts.print = { pages: pages.length } as unknown as Layout;
    } else {
      // Without pdftotext: in print media at A4's width, the box fits A4's height less the margins.
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 718, height: 1000 });
      const l = await layoutOf(page);
      expect(l.glanceBottom).toBeLessThan(((297 - 28) / 25.4) * 96);
    }
    await page.close();
  });

  it('a pack built on a register with errors shows its Register problems box, and keeps to a phone’s width', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await page.goto(`file://${problemsPack}`);
    const l = await layoutOf(page);
    expect(l.scrollWidth).toBeLessThanOrEqual(390);
    expect(l.splitWords).toEqual([]);
    const box = page.locator('section.box-problems');
    await box.screenshot({ path: path.join(ARTIFACTS, 'pack-problems-390.png') });
    const boxText = (await box.textContent()) ?? '';
    expect(boxText).toContain('This pack was built with 3 register problems.');
    expect(boxText).toContain('“Late”');
    expect(await page.locator('.subtitle').textContent()).toContain('built with 3 register problems');
    await page
      .locator('section.box-glance')
      .screenshot({ path: path.join(ARTIFACTS, 'pack-problems-glance-390.png') });
    await page.close();
  });
});

// ---------- the form's rules of issue 13 ----------

describe.skipIf(!fs.existsSync(CHROMIUM))('the update form’s rules in headless Chromium', () => {
  const TOM = 'tom.becker@northwind.example';
  const LENA = 'lena.novak@northwind.example';
  let browser: Browser;
  let dir: string;
  let running: RunningServer;
  let secret: Buffer;
  let packAt: string;
  /** The server's clock: moved past the pack's build time for the late answer. */
  let clock = '2026-12-01T12:00:00.000Z';
  const linkOf = (email: string) => `${running.url}/u/${makeToken(secret, email, MEETING)}`;
  const shot = (name: string) => path.join(ARTIFACTS, name);
  const recorded = () =>
    fs
      .readFileSync(path.join(dir, 'responses.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dir = tempDir('form-rules');
    const init = milepost('init', '--sample', '-w', dir);
    expect(init.code, init.stderr).toBe(0);
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), '');
    secret = await ensureSecret(dir);
    const { register } = readRegister((await readWorkbook(path.join(dir, 'register.xlsx'))).snapshot);
    packAt = meetingTimes(register.meetings.find((m) => m.date === MEETING)!, register.settings).pack;
    running = await startUpdateServer({ workspace: dir, port: 0, now: () => clock, log: () => {} });
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('shows the answer deadline, the one-click "no change" and the topic field, at 390 px and 1280 px', async () => {
    for (const width of [390, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(linkOf(PRIYA));
      await expect(page.locator('#deadline').textContent()).resolves.toBe('Wed 2 Dec 2026 10:00');
      expect(await page.getByRole('button', { name: 'No change this week' }).isVisible()).toBe(true);
      expect(await page.getByLabel('Raise a topic for the meeting').isVisible()).toBe(true);
      // Owners may not drop a milestone: the manager does, in the register.
      expect(await page.locator('input[type="radio"][value="Dropped"]').count()).toBe(0);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await page.screenshot({ path: shot(`form-${width}.png`), fullPage: true });
      await page.close();
    }
  });

  it('"No change this week" submits in one click and records an answer that changes nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(linkOf(PRIYA));
    await page.getByRole('button', { name: 'No change this week' }).click();
    await page.waitForSelector('h1:has-text("Thank you")');
    await expect(page.locator('#no-change-recorded').textContent()).resolves.toContain('nothing changed');
    await page.screenshot({ path: shot('form-no-change-thanks-390.png'), fullPage: true });
    await page.close();
    expect(recorded().at(-1)).toMatchObject({ email: PRIYA, noChange: true, statuses: {}, forecasts: {} });
  });

  it('raises a topic from the form', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(linkOf(TOM));
    await page.getByLabel('Raise a topic for the meeting').fill('Pricing page rewrite: who decides?');
    await page.getByRole('button', { name: 'Send my update' }).click();
    await page.waitForSelector('h1:has-text("Thank you")');
    expect(await page.locator('main').textContent()).toContain('Pricing page rewrite: who decides?');
    await page.close();
    expect(recorded().at(-1)).toMatchObject({
      email: TOM,
      raisedTopic: 'Pricing page rewrite: who decides?',
    });
  });

  it('refuses a past forecast next to its field, keeping what was typed; sent after the pack, it is marked late', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(linkOf(LENA));
    await page
      .getByRole('group', { name: /M-0013/ })
      .getByLabel('Might miss')
      .check();
    await page.fill('#forecast-M-0013', '2026-11-01');
    await page.getByLabel('Wins since the last meeting').fill('Load tests green');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Send my update' }).click();
    expect((await refused).status()).toBe(400);
    const error = page.locator('#forecast-M-0013-error');
    await expect(error.textContent()).resolves.toContain('2026-11-01 is in the past');
    expect(await page.getAttribute('#forecast-M-0013', 'aria-describedby')).toBe('forecast-M-0013-error');
    expect(await page.inputValue('#forecast-M-0013')).toBe('2026-11-01');
    expect(await page.inputValue('#wins')).toBe('Load tests green');
    await error.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('form-past-forecast-390.png') });
    expect(recorded().some((r) => r.email === LENA)).toBe(false);

    // Corrected once the pack has been built: accepted, and the thank-you page says it is late.
    clock = new Date(Date.parse(packAt) + 60_000).toISOString();
    await page.fill('#forecast-M-0013', '2027-01-08');
    await page.getByRole('button', { name: 'Send my update' }).click();
    await page.waitForSelector('h1:has-text("Thank you")');
    await expect(page.locator('.late').textContent()).resolves.toContain('Marked late');
    await page.screenshot({ path: shot('form-late-thanks-390.png'), fullPage: true });
    await page.goto(linkOf(LENA));
    await expect(page.locator('.late').textContent()).resolves.toContain('marked late');
    await page.close();
    expect(recorded().at(-1)).toMatchObject({ email: LENA, forecasts: { 'M-0013': '2027-01-08' } });
  });

  it('the next pack counts the "no change" answer, ranks the raised topic and marks the late answer', async () => {
    const pack = milepost('pack', '-w', dir, '--now', new Date(Date.parse(packAt) + 120_000).toISOString());
    expect(pack.code, pack.stderr).toBe(0);
    const updates = await tab(dir, 'Updates');
    const resultOf = (email: string) => updates.filter((u) => u.Email === email).at(-1)?.Result;
    expect(resultOf(PRIYA)).toBe('Applied: no change this week');
    expect(resultOf(LENA)).toMatch(/^Applied \(late\): /);
    const topics = await tab(dir, 'Topics');
    expect(topics.find((t) => t.Topic === 'Pricing page rewrite: who decides?')).toMatchObject({
      Kind: 'raised',
      Meeting: expect.anything(),
      Owner: TOM,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${path.join(dir, 'packs', `${MEETING}.html`)}`);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Pricing page rewrite: who decides?');
    expect(text).toMatch(/no change this week/);
    expect(text).toMatch(/late: after the pack was built/);
    const glance = (await page.locator('section.box-glance').textContent()) ?? '';
    expect(glance).not.toMatch(/Not responded:[^.]*Priya Shah/);
    await page.close();
  });
});
