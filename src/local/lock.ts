/**
 * One Milepost run at a time per workspace, and none while an office program has the register
 * open: Milepost rewrites the whole .xlsx, so edits made meanwhile in Excel or LibreOffice would
 * be lost on their next save (or would overwrite Milepost's).
 */
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { workspacePaths } from './workspace';

/** A lock older than this is taken over whatever its owner. */
export const STALE_LOCK_MS = 60 * 60 * 1000;
/** A lock file without readable content is being written, unless it is older than this. */
const UNREADABLE_GRACE_MS = 10 * 1000;

export interface LockInfo {
  pid: number;
  hostname: string;
  command: string;
  started: string;
}

export class LockedError extends Error {
  constructor(
    message: string,
    /** The file that blocks the run: .milepost.lock or an office program's lock file. */
    readonly lockFile: string,
    readonly holder?: LockInfo,
  ) {
    super(message);
    this.name = 'LockedError';
  }
}

/**
 * Runs `fn` holding the workspace lock (`.milepost.lock`, created exclusively, removed
 * afterwards even when `fn` throws). Throws LockedError when another live run holds it or the
 * register is open in an office program. A lock whose process is gone (same host), whose content
 * cannot be read, or that is older than an hour is taken over.
 */
export async function withLock<T>(dir: string, command: string, fn: () => Promise<T>): Promise<T> {
  const paths = workspacePaths(dir);
  await refuseIfOpenInOffice(paths.dir, path.basename(paths.register));
  const content = await acquire(paths.lock, command);
  try {
    await removeOrphanedTemps([paths.dir, paths.packs, paths.outbox]);
    return await fn();
  } finally {
    await release(paths.lock, content);
  }
}

/** A temporary file of an atomic write (atomic.ts): `.<name>.<pid>.<12 hex>.tmp`. */
const TEMP = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temporary files left by runs that were killed before they renamed or removed them.
 * Called holding the lock; a file whose writer is still alive is left alone.
 */
async function removeOrphanedTemps(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const m = TEMP.exec(name);
      if (m && !isAlive(Number(m[1])))
        await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
    }
  }
}

/** The lock files office programs keep next to a document they have open. */
export function officeLockFiles(register: string): { file: string; program: string }[] {
  const files = [
    { file: `.~lock.${register}#`, program: 'LibreOffice' },
    { file: `~$${register}`, program: 'Excel' },
  ];
  // Word-style owner files drop the first two characters of long names (~$gister.xlsx).
  const stem = register.replace(/\.[^.]*$/, '');
  if (stem.length > 7) files.push({ file: `~$${register.slice(2)}`, program: 'Excel' });
  return files;
}

async function refuseIfOpenInOffice(dir: string, register: string): Promise<void> {
  for (const { file, program } of officeLockFiles(register)) {
    try {
      await fs.lstat(path.join(dir, file));
    } catch {
      continue;
    }
    throw new LockedError(
      `${register} is open in ${program} (${file}). Close it first: Milepost rewrites the whole file. ` +
        `If ${program} is not running, delete ${file}.`,
      path.join(dir, file),
    );
  }
}

async function acquire(lockFile: string, command: string): Promise<string> {
  const info: LockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    command,
    started: new Date().toISOString(),
  };
  const content = `${JSON.stringify(info)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(lockFile, content)) return content;
    const existing = await inspect(lockFile);
    if (!existing) continue; // removed meanwhile: try again
    if (!existing.takeOver) {
      throw new LockedError(lockedMessage(existing.info), lockFile, existing.info);
    }
    await takeOver(lockFile, existing.raw);
  }
  throw new LockedError(
    `Could not take the workspace lock ${lockFile}: other Milepost runs keep taking it. Try again.`,
    lockFile,
  );
}

function lockedMessage(info: LockInfo | undefined): string {
  if (!info) {
    return 'The register is locked by another Milepost run that is starting. Wait for it to finish, or delete .milepost.lock if that run is gone.';
  }
  const started = info.started.replace(/\.\d+Z$/, 'Z');
  const where = info.hostname === os.hostname() ? '' : ` on ${info.hostname}`;
  return (
    `The register is locked by another Milepost run (${info.command}, pid ${info.pid}${where}, started ${started}). ` +
    'Wait for it to finish, or delete .milepost.lock if that run is gone.'
  );
}

/** Creates `lockFile` holding `content` unless it exists (false then); removed again if the write fails. */
export async function createExclusive(lockFile: string, content: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(lockFile, { force: true });
    throw error;
  }
  return true;
}

interface Existing {
  raw: string;
  info?: LockInfo;
  takeOver: boolean;
}

/** What the current lock file says, and whether it may be taken over; undefined when it is gone. */
async function inspect(lockFile: string): Promise<Existing | undefined> {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = await fs.readFile(lockFile, 'utf8');
    mtimeMs = (await fs.stat(lockFile)).mtimeMs;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') {
      throw new LockedError(
        `${lockFile} is a directory, not a Milepost lock. Remove it and try again.`,
        lockFile,
      );
    }
    // Unreadable (permissions, a directory…): nobody can prove it is alive.
    return { raw: '', takeOver: true };
  }
  const info = parseLock(raw);
  const age = Date.now() - mtimeMs;
  if (!info) return { raw, takeOver: age > UNREADABLE_GRACE_MS };
  const started = Date.parse(info.started);
  const since = Number.isNaN(started) ? age : Math.max(Date.now() - started, 0);
  if (since > STALE_LOCK_MS) return { raw, info, takeOver: true };
  if (info.hostname !== os.hostname()) return { raw, info, takeOver: false };
  return { raw, info, takeOver: !isAlive(info.pid) };
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo> | null;
    if (!v || typeof v.pid !== 'number' || typeof v.hostname !== 'string') return undefined;
    return {
      pid: v.pid,
      hostname: v.hostname,
      command: String(v.command ?? '?'),
      started: String(v.started ?? ''),
    };
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock without removing a fresh one another run created meanwhile: the stale
 * file is renamed aside (only one run can do that) and checked to be the one judged stale.
 */
async function takeOver(lockFile: string, staleContent: string): Promise<void> {
  const aside = `${lockFile}.${process.pid}.${Date.now()}.stale`;
  try {
    await fs.rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let moved = '';
  try {
    moved = await fs.readFile(aside, 'utf8');
  } catch {
    // unreadable: it was the stale one
  }
  if (moved !== staleContent && parseLock(moved)) {
    // Another run took over first and we moved its fresh lock: put it back (link fails if taken).
    await fs.link(aside, lockFile).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

async function release(lockFile: string, content: string): Promise<void> {
  try {
    if ((await fs.readFile(lockFile, 'utf8')) !== content) return; // taken over: not ours any more
    await fs.rm(lockFile, { force: true });
  } catch {
    // already gone
  }
}
