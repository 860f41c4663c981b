/**
 * Every failure a user can meet: one paragraph naming the file (or the Settings row) and what
 * to do, a documented exit status, a JSON error object on stdout with --json, and no stack trace
 * without --debug. Run against the built CLI, as a user would.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TabName } from '../../src/core/layout';
import type { Cell } from '../../src/core/types';
import { createWorkbook } from '../../src/local/workbook';
import { milepost, milepostWith, ROOT, type Run, sampleResponses, tempDir } from './helpers';

type Data = Partial<Record<TabName, Record<string, Cell>[]>>;
const SAMPLE: Data = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/sample/register.json'), 'utf8'));
const BIN = path.join(ROOT, 'bin', 'milepost.js');
const NOW = '2026-12-01T12:00:00Z';

/** A workspace with the sample team, some Settings values replaced. */
async function workspace(settings: Record<string, Cell> = {}): Promise<string> {
  const data = structuredClone(SAMPLE);
  data.Settings = data.Settings!.map((s) =>
    String(s.Setting) in settings ? { ...s, Value: settings[String(s.Setting)]! } : s,
  );
  const dir = tempDir('fail');
  await createWorkbook(data, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
  return dir;
}

/** The sheet row of a setting in the sample's Settings tab (header on row 1). */
const settingsRow = (key: string) => SAMPLE.Settings!.findIndex((s) => s.Setting === key) + 2;

const STACK = /^\s+at .+[:(]/m;

/** A failure as the CLI must report it: the exit status, no stack, and the JSON error object. */
function expectFailure(r: Run, exit: number, code: string) {
  expect(r.code, r.stderr).toBe(exit);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).toMatch(/^milepost: |^error: /m);
  const out = r.json() as {
    ok: boolean;
    error: { code: string; exit: number; message: string; where?: object };
  };
  expect(out.ok).toBe(false);
  expect(out.error.exit).toBe(exit);
  expect(out.error.code).toBe(code);
  expect(out.error.message.length).toBeGreaterThan(10);
  return out.error;
}

function spawn(
  command: string,
  args: string[],
  opts: { uid?: number; gid?: number; env?: object } = {},
): Run {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 120_000,
    env: { ...process.env, ...opts.env },
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

/** Whether this machine lets the tests mount a file system in a user namespace (unshare -rm). */
let canMount = false;
beforeAll(() => {
  const probe = tempDir('probe');
  canMount =
    spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs '${probe}'`], {
      timeout: 10_000,
    }).status === 0;
});

describe('a register.xlsx that is no workbook: exit 65 naming the file', () => {
  it('a directory named register.xlsx', () => {
    const dir = tempDir('isdir');
    fs.mkdirSync(path.join(dir, 'register.xlsx'));
    for (const cmd of ['validate', 'sync']) {
      const r = milepost(cmd, '-w', dir, '--now', NOW, '--json');
      const error = expectFailure(r, 65, 'register-unreadable');
      expect(error.where).toEqual({ file: path.join(dir, 'register.xlsx') });
      expect(r.stderr).toContain(`${path.join(dir, 'register.xlsx')} is`);
      expect(r.stderr).toContain('milepost init --force');
    }
    expect(fs.existsSync(path.join(dir, '.milepost.lock'))).toBe(false);
  });

  it('an empty file, and a CSV saved as register.xlsx', () => {
    for (const [name, content] of [
      ['empty', ''],
      ['csv', 'ID,Priority,Milestone\nM-0001,Growth,Launch\n'],
    ] as const) {
      const dir = tempDir(name);
      fs.writeFileSync(path.join(dir, 'register.xlsx'), content);
      const r = milepost('sync', '-w', dir, '--now', NOW, '--json');
      expectFailure(r, 65, 'register-unreadable');
      expect(r.stderr, name).toContain(path.join(dir, 'register.xlsx'));
      expect(r.stderr, name).toContain('.xlsx');
      expect(fs.readFileSync(path.join(dir, 'register.xlsx'), 'utf8'), name).toBe(content);
      const plain = milepost('validate', '-w', dir);
      expect(plain.code, name).toBe(65);
      expect(plain.stdout, name).toBe('');
    }
  });
});

describe('the file system refuses: exit 74 naming the file and what to do', () => {
  it('a workspace this user may not write (permission denied)', async () => {
    const dir = await workspace();
    const before = fs.readFileSync(path.join(dir, 'register.xlsx'));
    fs.chmodSync(dir, 0o555);
    try {
      // root writes whatever the mode says: run the CLI as an unprivileged user instead.
      const asRoot = process.getuid?.() === 0;
      const r = spawn(process.execPath, [BIN, 'sync', '-w', dir, '--now', NOW, '--json'], {
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      const error = expectFailure(r, 74, 'permission-denied');
      expect(error.where).toEqual({ file: path.join(dir, '.milepost.lock') });
      expect(r.stderr).toContain(`Cannot open ${path.join(dir, '.milepost.lock')}: permission denied`);
      expect(r.stderr).toContain('register.xlsx is as it was');
    } finally {
      fs.chmodSync(dir, 0o755);
    }
    expect(fs.readFileSync(path.join(dir, 'register.xlsx')).equals(before)).toBe(true);
  });

  it('a read-only file system (a read-only bind mount)', async (ctx) => {
    if (!canMount) ctx.skip(); // needs unshare -rm (user and mount namespaces)
    const dir = await workspace();
    const cli = [process.execPath, BIN, 'sync', '-w', dir, '--now', NOW, '--json'].map((a) => `'${a}'`);
    const r = spawn('unshare', [
      '-rm',
      'sh',
      '-c',
      `mount --bind '${dir}' '${dir}' && mount -o remount,ro,bind '${dir}' '${dir}' && exec ${cli.join(' ')}`,
    ]);
    const error = expectFailure(r, 74, 'read-only');
    expect(error.where).toEqual({ file: path.join(dir, '.milepost.lock') });
    expect(r.stderr).toContain('the file system is read-only');
    expect(r.stderr).toContain(`make ${dir} writable`);
  });

  it('a full disk: the register save fails, the register is as it was', async (ctx) => {
    if (!canMount) ctx.skip(); // needs unshare -rm (user and mount namespaces)
    const dir = await workspace();
    const register = fs.statSync(path.join(dir, 'register.xlsx')).size;
    // Room for the workspace and the lock, not for a second copy of the register.
    const pages = Math.ceil(register / 4096) + 3;
    const disk = tempDir('disk');
    const cli = [process.execPath, BIN, 'sync', '-w', disk, '--now', NOW].map((a) => `'${a}'`);
    const r = spawn('unshare', [
      '-rm',
      'sh',
      '-c',
      `mount -t tmpfs -o size=${pages * 4096} tmpfs '${disk}' && cp -r '${dir}/.' '${disk}/' && ${cli.join(' ')}; code=$?; ` +
        `cmp -s '${disk}/register.xlsx' '${dir}/register.xlsx' && echo REGISTER-UNCHANGED; exit $code`,
    ]);
    expect(r.code, r.stderr).toBe(74);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).toContain(
      `Cannot write ${path.join(disk, 'register.xlsx')}: no space left on the device`,
    );
    expect(r.stdout).toContain('REGISTER-UNCHANGED');
  });
});

describe('an internal error', () => {
  /** A preloaded module that makes every time zone computation throw: a stand-in for a bug. */
  function crashing(): Record<string, string> {
    const file = path.join(tempDir('bug'), 'bug.mjs');
    fs.writeFileSync(
      file,
      "Intl.DateTimeFormat.prototype.formatToParts = () => { throw new TypeError('simulated bug'); };\n",
    );
    return { NODE_OPTIONS: `--import=${file}` };
  }

  it('is one line and exit 70; the stack trace only with --debug', async () => {
    const dir = await workspace();
    const env = crashing();
    const r = milepostWith(env, 'sync', '-w', dir, '--now', NOW, '--json');
    expectFailure(r, 70, 'internal');
    expect(r.stderr.trim()).toBe(
      'milepost: internal error: simulated bug (run again with --debug for the stack trace)',
    );
    const debug = milepostWith(env, 'sync', '-w', dir, '--now', NOW, '--debug');
    expect(debug.code).toBe(70);
    expect(debug.stderr).toContain('milepost: internal error: simulated bug');
    expect(debug.stderr).toMatch(STACK);
    expect(fs.existsSync(path.join(dir, '.milepost.lock'))).toBe(false);
  });
});

describe('--json: a JSON error object on stdout for every failure', () => {
  it('usage errors (exit 2), even those commander finds before it parses --json', () => {
    expectFailure(milepost('sync', '--no-such-option', '--json'), 2, 'usage');
    expectFailure(milepost('frobnicate', '--json'), 2, 'usage');
    expectFailure(milepost('sync', '-w', 'nowhere', '--now', '2026-02-30T00:00:00Z', '--json'), 2, 'usage');
    expectFailure(milepost('validate', '-w', tempDir('empty'), '--json'), 2, 'no-workspace');
  });

  it('a locked workspace (exit 3), naming the lock file', async () => {
    const dir = await workspace();
    const lock = path.join(dir, '.milepost.lock');
    fs.writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        hostname: os.hostname(),
        command: 'sync',
        started: new Date().toISOString(),
      }),
    );
    const error = expectFailure(milepost('sync', '-w', dir, '--now', NOW, '--json'), 3, 'locked');
    expect(error.where).toEqual({ file: lock });
  });

  it('validate with errors (exit 1) keeps its result and adds the error object', async () => {
    const dir = await workspace({ 'Cadence (weeks)': 0 });
    const r = milepost('validate', '-w', dir, '--json');
    expect(r.code).toBe(1);
    const out = r.json() as { ok: boolean; error: { exit: number; code: string }; errors: unknown[] };
    expect(out).toMatchObject({ ok: false, error: { exit: 1, code: 'register-errors' } });
    expect(out.errors).toHaveLength(1);
  });

  it('--help lists every exit status', () => {
    const help = milepost('--help').stdout;
    expect(help).toContain('Exit codes:');
    for (const code of [0, 1, 2, 3, 4, 65, 70, 74])
      expect(help).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  });

  it('demo refuses a file as its directory (exit 2) and leaves the file alone', () => {
    const file = path.join(tempDir('demo-file'), 'notes.txt');
    fs.writeFileSync(file, 'keep me');
    expectFailure(milepost('demo', file, '--json'), 2, 'usage');
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });
});

describe('Settings values out of range', () => {
  it('Cadence (weeks) 1000000: validate names the row; sync and run stop with exit 1, nothing written', async () => {
    const dir = await workspace({ 'Cadence (weeks)': 1_000_000 });
    const row = settingsRow('Cadence (weeks)');
    const where = `Settings, row ${row}, column Value`;
    const v = milepost('validate', '-w', dir);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(
      `${where}: "Cadence (weeks)" is "1000000"; expected a whole number of weeks from 1 to 52`,
    );
    const before = fs.readFileSync(path.join(dir, 'register.xlsx'));
    const s = milepost('sync', '-w', dir, '--now', NOW);
    expect(s.code, s.stderr).toBe(1);
    expect(s.stderr).toContain(where);
    expect(s.stderr).not.toContain('Invalid time value');
    expect(s.stdout).toBe('');
    const run = milepost('run', '-w', dir, '--now', NOW, '--json');
    const error = expectFailure(run, 1, 'register-errors');
    expect(run.stderr).not.toContain('Due at'); // stops before deciding what is due
    expect(error.where).toEqual({
      file: path.join(dir, 'register.xlsx'),
      tab: 'Settings',
      row,
      column: 'Value',
    });
    expect(fs.readFileSync(path.join(dir, 'register.xlsx')).equals(before)).toBe(true);
  });

  it('an invalid time zone is an error in plain text, naming the row, and stops the run', async () => {
    const dir = await workspace({ 'Time zone': 'Mars/Olympus' });
    const where = `Settings, row ${settingsRow('Time zone')}, column Value`;
    const v = milepost('validate', '-w', dir);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(`${where}: "Time zone" is "Mars/Olympus"`);
    const s = milepost('sync', '-w', dir, '--now', NOW);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`${where}: "Time zone" is "Mars/Olympus"; expected an IANA time zone`);
  });

  it('a weight out of range: the run goes ahead with the default and says so in plain text', async () => {
    const dir = await workspace({ 'Weight missed': 5000 });
    const s = milepost('sync', '-w', dir, '--now', NOW);
    // Done, with a register error: exit 5 (README "Exit status").
    expect(s.code, s.stderr).toBe(5);
    expect(s.stderr).toContain('WARNING: the register has 1 error');
    expect(s.stderr).toContain(
      `Settings, row ${settingsRow('Weight missed')}, column Value: "Weight missed" is "5000"; expected a number from 0 to 1000. Until it is fixed, Milepost uses the default, 40.`,
    );
  });
});
