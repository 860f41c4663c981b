import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockedError, withLock } from '../../src/local/lock';

let dir: string;
let lockFile: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-lock-'));
  lockFile = path.join(dir, '.milepost.lock');
});
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid);
  children = [];
  await fs.rm(dir, { recursive: true, force: true });
});

async function writeLock(content: object | string, ageMs = 0): Promise<void> {
  await fs.writeFile(lockFile, typeof content === 'string' ? content : JSON.stringify(content));
  if (ageMs) {
    const then = new Date(Date.now() - ageMs);
    await fs.utimes(lockFile, then, then);
  }
}

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

describe('withLock', () => {
  it('holds .milepost.lock with the run details while fn runs, and removes it afterwards', async () => {
    const seen = await withLock(dir, 'sync', async () => JSON.parse(await fs.readFile(lockFile, 'utf8')));
    expect(seen).toEqual({
      pid: process.pid,
      hostname: os.hostname(),
      command: 'sync',
      started: expect.any(String),
    });
    expect(Date.now() - Date.parse(seen.started)).toBeLessThan(10_000);
    expect(await exists(lockFile)).toBe(false);
  });

  it('refuses a second concurrent run with LockedError while the first completes', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const first = withLock(dir, 'sync', async () => {
      await gate;
      return 'first done';
    });
    await new Promise((r) => setTimeout(r, 20));
    let ran = false;
    const second = withLock(dir, 'pack', async () => {
      ran = true;
    });
    await expect(second).rejects.toBeInstanceOf(LockedError);
    await expect(second).rejects.toThrow(
      new RegExp(
        `^The register is locked by another Milepost run \\(sync, pid ${process.pid}, started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\\. ` +
          'Wait for it to finish, or delete \\.milepost\\.lock if that run is gone\\.$',
      ),
    );
    expect(ran).toBe(false);
    expect(await exists(lockFile)).toBe(true);
    finish();
    await expect(first).resolves.toBe('first done');
    expect(await exists(lockFile)).toBe(false);
  });

  it('refuses while another live process on this host holds the lock', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    children.push(child);
    await writeLock({ pid: child.pid, hostname: os.hostname(), command: 'remind', started: ago(60_000) });
    await expect(withLock(dir, 'sync', async () => 1)).rejects.toThrow(`(remind, pid ${child.pid}, started`);
    expect(JSON.parse(await fs.readFile(lockFile, 'utf8')).pid).toBe(child.pid);
  });

  it('removes the lock when fn throws, and passes the error on', async () => {
    await expect(
      withLock(dir, 'sync', async () => {
        throw new Error('core failed');
      }),
    ).rejects.toThrow('core failed');
    expect(await exists(lockFile)).toBe(false);
    await expect(withLock(dir, 'sync', async () => 'again')).resolves.toBe('again');
  });

  it('takes over a lock whose process is gone', async () => {
    await writeLock({ pid: deadPid(), hostname: os.hostname(), command: 'sync', started: ago(1000) });
    const holder = await withLock(dir, 'pack', async () => JSON.parse(await fs.readFile(lockFile, 'utf8')));
    expect(holder).toMatchObject({ pid: process.pid, command: 'pack' });
    expect(await exists(lockFile)).toBe(false);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('removes temporary files of writes a killed run left behind, not those of a live writer', async () => {
    const dead = deadPid();
    await fs.mkdir(path.join(dir, 'packs'));
    const left = [
      `.register.xlsx.${dead}.0123456789ab.tmp`,
      path.join('packs', `.2026-12-03.html.${dead}.ba9876543210.tmp`),
    ];
    const live = `.register.xlsx.${process.pid}.aaaaaaaaaaaa.tmp`;
    for (const f of [...left, live]) await fs.writeFile(path.join(dir, f), 'half');
    await withLock(dir, 'sync', async () => undefined);
    for (const f of left) expect(await exists(path.join(dir, f)), f).toBe(false);
    expect(await exists(path.join(dir, live))).toBe(true);
  });

  it('takes over a lock older than an hour, even of a live process', async () => {
    await writeLock({
      pid: process.pid,
      hostname: os.hostname(),
      command: 'sync',
      started: ago(61 * 60_000),
    });
    await expect(withLock(dir, 'sync', async () => 'ok')).resolves.toBe('ok');
  });

  it('respects a recent lock from another host (its process cannot be checked) but not an old one', async () => {
    await writeLock({ pid: 1, hostname: 'laptop-of-ann', command: 'sync', started: ago(5 * 60_000) });
    await expect(withLock(dir, 'sync', async () => 'no')).rejects.toThrow(/pid 1 on laptop-of-ann/);
    await writeLock({ pid: 1, hostname: 'laptop-of-ann', command: 'sync', started: ago(2 * 3_600_000) });
    await expect(withLock(dir, 'sync', async () => 'yes')).resolves.toBe('yes');
  });

  it('takes over an unreadable lock file, unless it was created a moment ago (its writer is still writing)', async () => {
    await writeLock('');
    await expect(withLock(dir, 'sync', async () => 'no')).rejects.toBeInstanceOf(LockedError);
    await writeLock('{"pid": 12', 60_000);
    await expect(withLock(dir, 'sync', async () => 'yes')).resolves.toBe('yes');
  });

  it('leaves alone a lock that another run took over meanwhile', async () => {
    const theirs = JSON.stringify({
      pid: process.pid,
      hostname: os.hostname(),
      command: 'other',
      started: ago(0),
    });
    await withLock(dir, 'sync', async () => {
      await fs.writeFile(lockFile, theirs);
    });
    expect(await fs.readFile(lockFile, 'utf8')).toBe(theirs);
  });

  it('refuses while LibreOffice has the register open', async () => {
    await fs.writeFile(path.join(dir, '.~lock.register.xlsx#'), ',Ann,laptop,02.12.2026 12:00,file:///…;');
    let ran = false;
    const run = withLock(dir, 'sync', async () => {
      ran = true;
    });
    await expect(run).rejects.toBeInstanceOf(LockedError);
    await expect(run).rejects.toThrow(
      'register.xlsx is open in LibreOffice (.~lock.register.xlsx#). Close it first: Milepost rewrites the whole file.',
    );
    expect(ran).toBe(false);
    expect(await exists(lockFile)).toBe(false);
  });

  it('refuses while Excel has the register open', async () => {
    await fs.writeFile(path.join(dir, '~$register.xlsx'), 'Ann');
    await expect(withLock(dir, 'sync', async () => 1)).rejects.toThrow(
      'register.xlsx is open in Excel (~$register.xlsx). Close it first',
    );
  });
});
