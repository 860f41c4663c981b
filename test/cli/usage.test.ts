/**
 * The CLI as a newcomer meets it (issue 13 §4): a usage mistake is one line and where to read
 * more (also as JSON with --json), a date or meeting that is none is an error naming the option,
 * and `--help` lists the exit codes and every environment variable Milepost reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { milepost, ROOT, tempDir } from './helpers';

interface JsonError {
  ok: false;
  error: { code: string; exit: number; message: string };
}

describe('a usage mistake', () => {
  it('an unknown option is one line and a hint, not the whole help', () => {
    const r = milepost('sync', '--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--bogus' — see `milepost sync --help`\n");
    expect(r.stderr).not.toContain('Usage:');
    const top = milepost('--bogus');
    expect(top.stderr).toBe("error: unknown option '--bogus' — see `milepost --help`\n");
  });

  it('with --json, the same mistake is a JSON error on stdout', () => {
    const r = milepost('pack', '--bogus', '--json');
    expect(r.code).toBe(2);
    const json = r.json() as JsonError;
    expect(json).toMatchObject({ ok: false, error: { code: 'usage', exit: 2 } });
    expect(json.error.message).toBe("unknown option '--bogus'");
  });
});

describe('wrap-up --meeting', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir('meeting');
    expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
  });

  it('a date that is no day is an error naming the option and the form expected (exit 2)', () => {
    for (const bad of ['2026-13-45', '2026-02-30', '3 Dec', '2026-12-3']) {
      const r = milepost('wrap-up', '-w', dir, '--meeting', bad, '--json');
      expect(r.code, bad).toBe(2);
      const json = r.json() as JsonError;
      expect(json.error.code).toBe('usage');
      expect(json.error.message).toBe(
        `--meeting "${bad}" is not a date: expected a real day as YYYY-MM-DD, e.g. 2026-12-03`,
      );
      expect(r.stderr).toContain(`milepost: --meeting "${bad}" is not a date`);
    }
  });

  it('a real day that is not a meeting says so and lists the nearest meetings', () => {
    const r = milepost('wrap-up', '-w', dir, '--meeting', '2026-12-04');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'milepost: --meeting 2026-12-04 is not a meeting in the register; the nearest: 2026-11-26 (Held), 2026-12-03 (Planned), 2026-12-10 (Planned).',
    );
    expect(r.stderr).not.toContain('No meeting to wrap up');
  });

  it('a meeting already wrapped up says so and when, sends nothing again and exits 0', () => {
    const ws = tempDir('rewrap');
    expect(milepost('init', '--sample', '-w', ws).code).toBe(0);
    const first = milepost('wrap-up', '-w', ws, '--meeting', '2026-12-03', '--now', '2026-12-03T12:00:00Z');
    expect(first.stderr).toContain('Wrapped up the meeting on 2026-12-03');
    const outbox = fs.readdirSync(path.join(ws, 'outbox')).length;
    const again = milepost(
      'wrap-up',
      '-w',
      ws,
      '--meeting',
      '2026-12-03',
      '--now',
      '2026-12-04T09:00:00Z',
      '--json',
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      'The meeting on 2026-12-03 was already wrapped up on Thu 3 Dec 2026 12:00 (marked Held, its key-items digest sent then): nothing to do, nothing sent again.',
    );
    expect(again.stderr).not.toContain('No meeting to wrap up');
    expect(again.json()).toMatchObject({
      meetings: [],
      alreadyWrappedUp: { meeting: '2026-12-03', status: 'Held', wrappedUp: '2026-12-03T12:00:00.000Z' },
    });
    expect(fs.readdirSync(path.join(ws, 'outbox'))).toHaveLength(outbox);
  });
});

describe('milepost --help', () => {
  const help = milepost('--help').stdout;

  it('lists the exit codes', () => {
    expect(help).toMatch(/Exit codes:\n\s+0 {2}success\n\s+1 {2}register errors/);
    expect(help).toMatch(/\n\s+75 {2}the mail server failed/);
  });

  it('lists every environment variable the source reads', () => {
    const names = new Set<string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts'))
          for (const m of fs
            .readFileSync(p, 'utf8')
            .matchAll(/\b(MILEPOST_[A-Z_]*[A-Z]|GOOGLE_APPLICATION_CREDENTIALS)\b/g))
            names.add(m[1]!);
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(names.size).toBeGreaterThan(8);
    const block = help.slice(help.indexOf('Environment variables:'));
    expect(block).not.toBe(help);
    for (const name of names) expect(block, name).toMatch(new RegExp(`\\n\\s+${name}\\s`));
  });
});
