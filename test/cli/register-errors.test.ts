/**
 * A register with errors (issue 12: a status "Late", a due date "next week", an owner "Tom B"):
 * `sync`, `pack` and `run` go ahead, list the errors on stderr and exit 5; the pack is built,
 * marked, ends with its Register problems box, shows nothing unreadable as fine, and the missed
 * milestone whose owner is a typo keeps its topic.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TabName } from '../../src/core/layout';
import type { Cell } from '../../src/core/types';
import { createWorkbook } from '../../src/local/workbook';
import { decodeEml, milepost, sampleResponses, tempDir } from './helpers';

type Data = Partial<Record<TabName, Record<string, Cell>[]>>;
const SAMPLE: Data = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../templates/sample/register.json'), 'utf8'),
);
const PACK_AT = '2026-12-02T16:00:00Z';

async function workspaceWithErrors(): Promise<string> {
  const data = structuredClone(SAMPLE);
  const at = (id: string) => data.Milestones!.find((m) => m.ID === id)!;
  at('M-0006').Status = 'Late';
  at('M-0007').Due = 'next week';
  at('M-0008').Owner = 'Tom B';
  const dir = tempDir('register-errors');
  await createWorkbook(data, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
  return dir;
}

const ERRORS = [
  'Milestones, row 7, column Status: found "Late"',
  'Milestones, row 8, column Due: found "next week"',
  'Milestones, row 9, column Owner: found "Tom B"',
];

describe('a register with errors', () => {
  it('pack: exit 5, the errors on stderr, the pack built and marked with its Register problems box', async () => {
    const dir = await workspaceWithErrors();
    expect(milepost('validate', '-w', dir).code).toBe(1);
    const r = milepost('pack', '-w', dir, '--now', PACK_AT, '--json');
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('WARNING: the register has 3 errors');
    for (const e of ERRORS) expect(r.stderr).toContain(e);
    expect(r.stderr).toContain(
      'milepost: Done, but the register has 3 errors (listed above): the pack is marked "built with 3 register problems"',
    );
    const out = r.json() as {
      files: string[];
      topics: { topicId: string }[];
      error: { code: string; exit: number; problems: { row: number; column: string }[] };
    };
    expect(out.error).toMatchObject({ code: 'ran-with-register-errors', exit: 5 });
    expect(out.error.problems.map((p) => [p.row, p.column])).toEqual([
      [7, 'Status'],
      [8, 'Due'],
      [9, 'Owner'],
    ]);
    // The missed milestone whose owner is a typo still gets its topic.
    expect(out.topics.map((t) => t.topicId)).toContain('2026-12-03/missed/M-0008');

    const html = fs.readFileSync(path.join(dir, 'packs', '2026-12-03.html'), 'utf8');
    expect(html).toContain('built with 3 register problems');
    expect(html).toContain('<section class="box box-problems">');
    const md = fs.readFileSync(path.join(dir, 'packs', '2026-12-03.md'), 'utf8');
    expect(md).toContain('## Register problems');
    expect(md).toContain('| Milestones | 7 *(M-0006)* | Status | “Late” |');
    // Nothing unreadable shown as fine: the "Late" milestone's row says so, never On track.
    const lateRows = md.split('\n').filter((l) => l.startsWith('| M-0006 |'));
    expect(lateRows).toHaveLength(1);
    expect(lateRows[0]).toContain('**? (unreadable: Late)**');
    expect(lateRows[0]).not.toContain('On track');
    expect(md.split('\n').find((l) => l.startsWith('| M-0008 |'))).toContain('**? (unreadable: Tom B)**');

    const emails = fs.readdirSync(path.join(dir, 'outbox')).filter((f) => f.startsWith('pack'));
    expect(emails).toHaveLength(1);
    const eml = decodeEml(fs.readFileSync(path.join(dir, 'outbox', emails[0]!), 'utf8'));
    expect(eml).toContain('built with 3 register problems');
  });

  it('sync and run exit 5 too, run even when nothing else is due; validate lists them (exit 1)', async () => {
    const dir = await workspaceWithErrors();
    const s = milepost('sync', '-w', dir, '--now', '2026-12-01T12:00:00Z');
    expect(s.code, s.stderr).toBe(5);
    for (const e of ERRORS) expect(s.stderr).toContain(e);
    expect(s.stderr).toContain('milepost: Done, but the register has 3 errors (listed above). Fix them');
    const run = milepost('run', '-w', dir, '--now', PACK_AT, '--json');
    expect(run.code, run.stderr).toBe(5);
    expect((run.json() as { error: { exit: number } }).error.exit).toBe(5);
    expect(fs.existsSync(path.join(dir, 'packs', '2026-12-03.html'))).toBe(true);
    // Priya's update request lists her "Late" milestone as unreadable, not as On track.
    const request = fs.readdirSync(path.join(dir, 'outbox')).find((f) => /^request.*priya/.test(f))!;
    expect(decodeEml(fs.readFileSync(path.join(dir, 'outbox', request), 'utf8'))).toContain(
      '? (unreadable: Late)',
    );
    // The pack is out; the next run has nothing due, and still says the register needs fixing.
    const idle = milepost('run', '-w', dir, '--now', '2026-12-02T16:20:00Z');
    expect(idle.stderr).toMatch(/Due at [^:]+:\d\d:\d\d\.\d+Z: (nothing|sync)/);
    expect(idle.code).toBe(5);
    for (const e of ERRORS) expect(idle.stderr).toContain(e);
  });

  it('--help documents exit status 5', () => {
    const help = milepost('--help');
    expect(help.stdout).toMatch(/^ {2} 5 {2}done, but the register has errors/m);
  });
});
