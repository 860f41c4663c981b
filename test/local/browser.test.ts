/**
 * The update form in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; no browser download): open a personal link taken from a generated .eml,
 * change two statuses and a forecast, fill in wins/learnings/help, submit, see the thank-you
 * page; then `milepost sync` applies exactly those changes. Leaves a screenshot of the filled
 * page in test-artifacts/form-filled.png.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startUpdateServer } from '../../src/local/server';
import { createWorkbook, readWorkbook, serialToExcelDate } from '../../src/local/workbook';
import { milepost, ROOT, tempDir } from '../cli/helpers';

const CHROMIUM = '/usr/bin/chromium';
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

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
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
