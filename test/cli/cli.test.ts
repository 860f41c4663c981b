import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TabName } from '../../src/core/layout';
import type { Cell } from '../../src/core/types';
import { createWorkbook, readWorkbook } from '../../src/local/workbook';
import { submission } from '../core/builders';
import { milepost, sampleResponses, tempDir } from './helpers';

type Data = Partial<Record<TabName, Record<string, Cell>[]>>;
const SAMPLE: Data = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../templates/sample/register.json'), 'utf8'),
);
const clone = (): Data => structuredClone(SAMPLE);

async function workspace(data: Data, responses = ''): Promise<string> {
  const dir = tempDir();
  await createWorkbook(data, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), responses);
  return dir;
}

/** One responses.jsonl line from a sample-team member. */
const line = (over: Record<string, unknown>) =>
  JSON.stringify(submission({ responseId: 'r-x', email: 'priya.shah@northwind.example', ...over }));

async function tab(dir: string, name: string) {
  const { snapshot } = await readWorkbook(path.join(dir, 'register.xlsx'));
  const t = snapshot.tables.find((x) => x.name === name)!;
  return t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h, r[i] ?? null])));
}

const NOW = '2026-12-01T12:00:00Z';

describe('milepost CLI', () => {
  it('shows usage with an example for the program and every command', () => {
    const top = milepost('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: milepost');
    for (const cmd of ['init', 'validate', 'request', 'sync', 'pack', 'wrap-up', 'run', 'demo']) {
      const r = milepost(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/Example:\n\s+milepost /);
    }
  });

  it('exits 2 on a usage error', () => {
    const r = milepost('sync', '--no-such-option');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-option'");
    expect(milepost('frobnicate').code).toBe(2);
  });

  it('refuses a --now that is no real day or hour instead of rolling it over (30 February is not 2 March)', () => {
    for (const now of ['2026-02-30T00:00:00Z', '2026-12-01T24:30:00Z', '2026-13-01T00:00:00Z']) {
      const r = milepost('sync', '-w', 'nowhere', '--now', now);
      expect(r.code, now).toBe(2);
      expect(r.stderr, now).toMatch(/--now ".*" is not (a real date and time|an ISO-8601 instant)/);
    }
  });

  it('refuses --responses on the local backend instead of ignoring it, and says where the lines go', () => {
    const dir = tempDir();
    expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
    const r = milepost('sync', '-w', dir, '--responses', path.join(dir, 'other.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--responses is for the Google backend');
    expect(r.stderr).toContain(path.join(dir, 'responses.jsonl'));
  });

  it('init --force replaces the register but keeps the answers already in responses.jsonl, and says so', () => {
    const dir = tempDir('force');
    expect(milepost('init', '-w', dir, '--sample').code).toBe(0);
    const line = sampleResponses().split('\n')[0]!;
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), `${line}\n`);
    const r = milepost('init', '-w', dir, '--sample', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('responses.jsonl, outbox/ and packs/ were kept');
    expect(fs.readFileSync(path.join(dir, 'responses.jsonl'), 'utf8')).toBe(`${line}\n`);
  });

  it('init --sample creates a workspace that validates; init refuses to overwrite it', () => {
    const dir = tempDir();
    expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
    for (const f of ['register.xlsx', 'responses.jsonl', 'outbox', 'packs'])
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    const v = milepost('validate', '-w', dir, '--json');
    expect(v.code).toBe(0);
    expect(v.json()).toMatchObject({ ok: true, errors: [] });
    const again = milepost('init', '-w', dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; nothing was changed');
  });

  it('sync --json reports applied and rejected updates and is idempotent', async () => {
    const dir = await workspace(clone(), sampleResponses());
    const first = milepost('sync', '-w', dir, '--now', NOW, '--json');
    expect(first.code).toBe(0);
    const out = first.json() as { applied: Record<string, string>[]; rejected: Record<string, string>[] };
    expect(out.applied.length).toBeGreaterThan(0);
    for (const a of out.applied)
      expect(Object.keys(a)).toEqual(
        expect.arrayContaining(['responseId', 'milestone', 'field', 'from', 'to']),
      );
    const reasons = out.rejected.map((r) => r.reason).join('\n');
    expect(reasons).toMatch(/is not on the Team tab/);
    expect(reasons).toMatch(/only the owner .* may update/);
    expect(reasons).toMatch(/closed milestones are not updated/);
    expect(reasons).toMatch(/there is no milestone M-0999/);
    const changes = (await tab(dir, 'Changes')).length;
    const second = milepost('sync', '-w', dir, '--now', NOW, '--json');
    const again = second.json() as { applied: unknown[]; rejected: unknown[]; recorded: number };
    expect(again).toMatchObject({ applied: [], rejected: [], recorded: 0 });
    expect((await tab(dir, 'Changes')).length).toBe(changes);
  });

  it('keeps columns reordered and extra columns people added', async () => {
    const data = clone();
    data.Milestones = data.Milestones!.map((m) => {
      const { Notes, Owner, ...rest } = m;
      return { 'My column': `keep ${m.ID}`, Owner: Owner ?? null, Notes: Notes ?? null, ...rest };
    });
    const dir = tempDir();
    // createWorkbook writes the layout order; rebuild Milestones with the columns reordered.
    const wb = createWorkbook(data, 'Europe/London');
    const ws = wb.getWorksheet('Milestones')!;
    ws.spliceColumns(1, 0, []);
    ws.getCell(1, 1).value = 'My column';
    data.Milestones!.forEach((m, i) => {
      ws.getCell(i + 2, 1).value = String(m['My column']);
    });
    await wb.xlsx.writeFile(path.join(dir, 'register.xlsx'));
    fs.writeFileSync(
      path.join(dir, 'responses.jsonl'),
      `${line({ statuses: { 'M-0006': 'Might miss' } })}\n`,
    );
    const r = milepost('sync', '-w', dir, '--now', NOW, '--json');
    expect(r.code).toBe(0);
    const rows = await tab(dir, 'Milestones');
    const m6 = rows.find((x) => x.ID === 'M-0006')!;
    expect(m6.Status).toBe('Might miss');
    expect(m6['My column']).toBe('keep M-0006');
  });

  it('a missing required column is an error naming tab and header, and nothing is written', async () => {
    const data = clone();
    data.Milestones = data.Milestones!.map(({ Due, ...rest }) => rest);
    const dir = await workspace(data, sampleResponses());
    const wb = await import('exceljs').then((m) => new m.default.Workbook());
    await wb.xlsx.readFile(path.join(dir, 'register.xlsx'));
    const ws = wb.getWorksheet('Milestones')!;
    const col = (ws.getRow(1).values as unknown[]).indexOf('Due');
    ws.spliceColumns(col, 1);
    await wb.xlsx.writeFile(path.join(dir, 'register.xlsx'));
    const before = fs.readFileSync(path.join(dir, 'register.xlsx'));
    const v = milepost('validate', '-w', dir);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(
      'Milestones: the required column "Due" is missing from the header row (row 1).',
    );
    const s = milepost('sync', '-w', dir, '--now', NOW);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('nothing was changed');
    expect(fs.readFileSync(path.join(dir, 'register.xlsx')).equals(before)).toBe(true);
  });

  it('validate reports blank rows, duplicate and missing IDs, unknown owners, bad dates, unknown statuses and cycles', async () => {
    const data = clone();
    const ms = data.Milestones!;
    ms[1] = { ...ms[1]!, ID: ms[0]!.ID ?? null }; // duplicate
    ms[2] = { ...ms[2]!, ID: '' }; // missing: assigned at sync
    ms[3] = { ...ms[3]!, Owner: 'ghost@nowhere.example' };
    ms[4] = { ...ms[4]!, Due: '31/02/2026' };
    ms[5] = { ...ms[5]!, Due: 'soon' };
    ms[6] = { ...ms[6]!, Status: 'Finished' };
    ms[7] = { ...ms[7]!, 'Depends on': String(ms[8]!.ID) };
    ms[8] = { ...ms[8]!, 'Depends on': String(ms[7]!.ID) };
    ms.splice(10, 0, {}, {}); // blank rows in the middle
    const dir = await workspace(data);
    const v = milepost('validate', '-w', dir, '--json');
    expect(v.code).toBe(1);
    const { errors } = v.json() as {
      errors: { row: number; column: string; message: string; value: string }[];
    };
    const find = (re: RegExp) => errors.find((e) => re.test(e.message));
    expect(find(/is used on rows 2 and 3/)).toBeTruthy();
    expect(find(/ghost@nowhere.example/)).toMatchObject({ row: 5, column: 'Owner' });
    expect(find(/"31\/02\/2026"/)).toMatchObject({ row: 6, column: 'Due' });
    expect(find(/"soon"/)).toMatchObject({ row: 7, column: 'Due' });
    expect(find(/"Finished"/)).toMatchObject({ row: 8, column: 'Status' });
    expect(find(/is a cycle/)).toBeTruthy();
    expect(errors.some((e) => e.row === 12 || e.row === 13)).toBe(false);
    // The sync still runs: the row without an ID gets the next never-used ID (exit 5: done,
    // with register errors).
    const s = milepost('sync', '-w', dir, '--now', NOW, '--json');
    expect(s.code).toBe(5);
    const assigned = (s.json() as { assignedIds: { row: number; id: string }[] }).assignedIds;
    expect(assigned).toEqual([{ row: 4, id: 'M-0032' }]);
    expect((await tab(dir, 'Milestones'))[2]!.ID).toBe('M-0032');
  });

  it('reports a malformed JSONL line with its line number and still applies the other lines', async () => {
    const responses = [
      line({ responseId: 'a', statuses: { 'M-0006': 'Might miss' } }),
      '{"responseId": oops',
      line({ responseId: 'b', email: 'tom.becker@northwind.example', statuses: { 'M-0029': 'Might miss' } }),
    ].join('\n');
    const dir = await workspace(clone(), responses);
    const r = milepost('sync', '-w', dir, '--now', NOW, '--json');
    expect(r.code).toBe(0);
    const out = r.json() as {
      applied: { milestone: string; source: string }[];
      problems: { row: number; message: string }[];
    };
    expect(out.applied.filter((a) => a.source === 'form').map((a) => a.milestone)).toEqual([
      'M-0006',
      'M-0029',
    ]);
    expect(out.problems).toEqual([
      expect.objectContaining({ row: 2, message: expect.stringContaining('line 2 is not valid JSON') }),
    ]);
    expect(r.stderr).toContain('line 2 is not valid JSON');
    const pack = milepost('pack', '-w', dir, '--now', '2026-12-02T16:00:00Z');
    expect(pack.stderr).toContain('line 2 is not valid JSON');
  });

  it('stores formula-looking text literally and escapes HTML in the pack', async () => {
    const data = clone();
    const open = data.Milestones!.findIndex((m) => m.ID === 'M-0006');
    data.Milestones![open] = {
      ...data.Milestones![open]!,
      Milestone: '<script>alert("x")</script> & <b>bold</b>',
    };
    const text = '=HYPERLINK("http://evil.example","click")';
    const responses = [
      line({
        responseId: 'f',
        email: 'priya.shah@northwind.example',
        wins: text,
        learnings: '+1 for annual',
        helpNeeded: '-help me',
        helpFrom: '@Sales',
      }),
    ].join('\n');
    const dir = await workspace(data, responses);
    expect(milepost('pack', '-w', dir, '--now', '2026-12-02T16:00:00Z').code).toBe(0);
    const updates = await tab(dir, 'Updates');
    const row = updates.find((u) => u['Response ID'] === 'f')!;
    expect(row).toMatchObject({
      Wins: text,
      Learnings: '+1 for annual',
      'Help needed': '-help me',
      'Help from': '@Sales',
    });
    const xml = execFileSync('unzip', ['-p', path.join(dir, 'register.xlsx')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(xml).not.toMatch(/<f>/);
    const html = fs.readFileSync(path.join(dir, 'packs', '2026-12-03.html'), 'utf8');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(');
    expect(html).toContain('=HYPERLINK(');
  });

  it('refuses to run while another run holds the workspace, and changes nothing', async () => {
    const dir = await workspace(clone(), sampleResponses());
    fs.writeFileSync(
      path.join(dir, '.milepost.lock'),
      JSON.stringify({
        pid: process.pid,
        hostname: (await import('node:os')).hostname(),
        command: 'sync',
        started: new Date().toISOString(),
      }),
    );
    const before = fs.readFileSync(path.join(dir, 'register.xlsx'));
    const r = milepost('sync', '-w', dir, '--now', NOW);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/locked by another Milepost run/);
    expect(fs.readFileSync(path.join(dir, 'register.xlsx')).equals(before)).toBe(true);
  });

  it('refuses to run while the register is open in LibreOffice', async () => {
    const dir = await workspace(clone());
    fs.writeFileSync(path.join(dir, '.~lock.register.xlsx#'), 'someone,host,2026');
    const r = milepost('sync', '-w', dir, '--now', NOW);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/open in LibreOffice/);
  });

  it('run does whatever is due: requests on Monday, reminders and the pack later, then the wrap-up', async () => {
    const dir = await workspace(clone());
    const monday = milepost('run', '-w', dir, '--now', '2026-11-30T10:00:00Z', '--json');
    expect(monday.code).toBe(0);
    expect((monday.json() as { ran: { phase: string }[] }).ran.map((d) => d.phase)).toEqual([
      'requests',
      'sync',
    ]);
    const outbox = () => fs.readdirSync(path.join(dir, 'outbox')).sort();
    expect(outbox().filter((f) => f.startsWith('request_'))).toHaveLength(8);
    // Running again at the same time sends nothing twice.
    milepost('run', '-w', dir, '--now', '2026-11-30T10:05:00Z');
    expect(outbox().filter((f) => f.startsWith('request_'))).toHaveLength(8);
    const wed = milepost('run', '-w', dir, '--now', '2026-12-02T16:00:00Z', '--json');
    expect((wed.json() as { ran: { phase: string }[] }).ran.map((d) => d.phase)).toEqual(['sync', 'pack']);
    expect(fs.existsSync(path.join(dir, 'packs', '2026-12-03.html'))).toBe(true);
    const thu = milepost('run', '-w', dir, '--now', '2026-12-03T12:00:00Z', '--json');
    expect((thu.json() as { ran: { phase: string }[] }).ran.map((d) => d.phase)[0]).toBe('wrap-up');
    const meetings = await tab(dir, 'Meetings');
    expect(
      meetings.find(
        (m) => m.Date !== null && String(m.Status) === 'Held' && m.Pack === 'packs/2026-12-03.html',
      ),
    ).toBeTruthy();
  });
});

describe('milepost.config.json', () => {
  it('supplies options the command line leaves out; the command line wins', () => {
    const dir = tempDir();
    expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
    const config = path.join(dir, 'milepost.config.json');
    fs.writeFileSync(config, JSON.stringify({ workspace: dir, backend: 'local' }));
    const v = milepost('validate', '--config', config, '--json');
    expect(v.code).toBe(0);
    expect(v.stderr).toContain(path.join(dir, 'register.xlsx'));
    const elsewhere = milepost('validate', '--config', config, '-w', path.join(dir, 'nope'));
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('No register at');
  });

  it('rejects a bad config with the file and the field', () => {
    const dir = tempDir();
    const config = path.join(dir, 'milepost.config.json');
    fs.writeFileSync(config, JSON.stringify({ backend: 'excel', google: { spreadsheetId: 'short' } }));
    const r = milepost('validate', '--config', config);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(config);
    expect(r.stderr).toMatch(/backend: .*"local"/);
    expect(r.stderr).toContain('google.spreadsheetId: the long id in the Sheet URL');
    fs.writeFileSync(config, '{ not json');
    expect(milepost('validate', '--config', config).stderr).toContain('is not valid JSON');
  });
});
