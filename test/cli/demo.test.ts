import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startUpdateServer } from '../../src/local/server';
import { readWorkbook } from '../../src/local/workbook';
import { decodeEml, milepost, tempDir } from './helpers';

describe('milepost demo', () => {
  it('runs a whole cycle on the sample team and produces a pack with every section', () => {
    const dir = path.join(tempDir('demo'), 'demo');
    const r = milepost('demo', dir, '--json');
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(0);
    const out = r.json() as { pack: string; outbox: string[] };
    expect(out.pack).toBe(path.join(dir, 'packs', '2026-12-03.html'));
    const html = fs.readFileSync(out.pack, 'utf8');
    for (const section of [
      'Agenda',
      'Part 1 — Member updates',
      'Part 2 — Topics in priority order',
      'Deferred topics',
      'Tracking by strategic priority',
      'Health',
    ]) {
      expect(html).toContain(section);
    }
    expect(html).toMatch(/Cut line/);
    expect(fs.existsSync(path.join(dir, 'packs', '2026-12-03.md'))).toBe(true);
    const kinds = out.outbox.map((f) => path.basename(f).split('_')[0]);
    expect(new Set(kinds)).toEqual(new Set(['request', 'reminder', 'pack', 'digest']));
    expect(r.stderr).toContain('Done. Look at:');
  });

  it('ends with the command that starts the form server and a personal link that opens a form', async () => {
    const dir = path.join(tempDir('demo-form'), 'demo');
    const r = milepost('demo', dir, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`npx milepost serve -w ${dir}`);
    const { formLink, formMeeting } = r.json() as { formLink: string; formMeeting: string };
    expect(formLink).toMatch(/^http:\/\/127\.0\.0\.1:8787\/u\/[\w-]+\.[\w-]{43}$/);
    expect(r.stderr).toContain(formLink);
    // The server's clock on the day before that meeting (the link is for the meeting ahead).
    const dayBefore = new Date(Date.parse(`${formMeeting}T12:00:00Z`) - 86_400_000).toISOString();
    const running = await startUpdateServer({ workspace: dir, port: 0, log: () => {}, now: () => dayBefore });
    try {
      const page = await fetch(formLink.replace('http://127.0.0.1:8787', running.url.replace(/\/$/, '')));
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Milestone update from');
      // The demo's link is someone's with an action from the meeting: the form asks about it.
      expect(html).toContain('Your open actions');
      expect(html).toMatch(/A-000\d · /);
    } finally {
      await running.close();
    }
  });

  it('goes where -w says, with personal form links in its request emails (Settings "Form base URL" set)', async () => {
    const dir = path.join(tempDir('demo-w'), 'elsewhere');
    const r = milepost('demo', '-w', dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((r.json() as { workspace: string }).workspace).toBe(dir);
    expect(fs.existsSync(path.join(dir, 'packs', '2026-12-03.html'))).toBe(true);
    const { snapshot } = await readWorkbook(path.join(dir, 'register.xlsx'));
    const settings = snapshot.tables.find((t) => t.name === 'Settings')!;
    const [key, value] = ['Setting', 'Value'].map((h) => settings.headers.indexOf(h));
    const row = settings.rows.find((x) => x[key!] === 'Form base URL')!;
    expect(row[value!]).toBe('http://127.0.0.1:8787');
    const requests = fs.readdirSync(path.join(dir, 'outbox')).filter((f) => f.startsWith('request_'));
    expect(requests.length).toBeGreaterThan(3);
    for (const f of requests) {
      const text = decodeEml(fs.readFileSync(path.join(dir, 'outbox', f), 'utf8'));
      expect(text, f).toMatch(/http:\/\/127\.0\.0\.1:8787\/u\/[\w-]+\.[\w-]{43}/);
      expect(text, f).not.toContain('responses.jsonl');
    }
  });

  it('refuses two different directories (DIR and -w DIR)', () => {
    const base = tempDir('demo-two');
    const r = milepost('demo', path.join(base, 'a'), '-w', path.join(base, 'b'), '--json');
    expect(r.code).toBe(2);
    expect((r.json() as { error: { message: string } }).error.message).toContain('give one');
    expect(fs.existsSync(path.join(base, 'a'))).toBe(false);
    expect(fs.existsSync(path.join(base, 'b'))).toBe(false);
  });

  it('refuses to replace a directory that is not a demo workspace', () => {
    const dir = tempDir('notdemo');
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    const r = milepost('demo', dir);
    expect(r.code).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});
