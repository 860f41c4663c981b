/**
 * The one way the local backend writes a whole file: into a temporary file in the same
 * directory, flushed to disk, then renamed over the target. A reader (or a crash) sees either
 * the old file or the new one, never half of each. Used by the register save, the outbox and
 * the packs.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export type AtomicData = string | Uint8Array | AsyncIterable<string | Uint8Array>;

export interface WriteAtomicOptions {
  /**
   * false: never replace an existing file. The new file is published with link(2), which fails
   * when the name exists, so two writers cannot both "create" it. Default true.
   */
  overwrite?: boolean;
}

/**
 * Writes `data` to `file` atomically. Returns false only when `overwrite` is false and the
 * file already existed (nothing was written). On any failure the target is untouched and the
 * temporary file is removed.
 */
export async function writeFileAtomic(
  file: string,
  data: AtomicData,
  options: WriteAtomicOptions = {},
): Promise<boolean> {
  const overwrite = options.overwrite ?? true;
  const prepared = await prepareFileAtomic(file, data, overwrite);
  if (overwrite) {
    await prepared.commit();
    return true;
  }
  try {
    const published = await publishNew(prepared.temp, file);
    if (published) await syncDirectory(path.dirname(file));
    return published;
  } catch (error) {
    throw namingTarget(error, file, prepared.temp);
  } finally {
    await prepared.abort();
  }
}

/** A file written in full to a temporary name and flushed, waiting to be renamed over its target. */
export interface PreparedFile {
  temp: string;
  /** Renames it over the target (atomic) and makes the rename durable. */
  commit(): Promise<void>;
  /** Removes the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

/**
 * The first half of an atomic write: once this resolves, the bytes are on disk (so a full disk
 * or a read-only directory has already failed) and only the rename is left. A run uses it to
 * know its register write will succeed before it sends anything. The temporary file takes the
 * mode of the file it will replace (`keepMode`).
 */
export async function prepareFileAtomic(
  file: string,
  data: AtomicData,
  keepMode = true,
): Promise<PreparedFile> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const mode = keepMode ? await existingMode(file) : undefined;
    const handle = await fs.open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      mode ?? 0o666,
    );
    try {
      if (mode !== undefined) await handle.chmod(mode);
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else for await (const chunk of data) await handle.writeFile(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw namingTarget(error, file, temp);
  }
  let done = false;
  return {
    temp,
    async commit() {
      if (done) return;
      done = true;
      try {
        await fs.rename(temp, file);
      } catch (error) {
        await fs.rm(temp, { force: true }).catch(() => undefined);
        throw namingTarget(error, file, temp);
      }
      await syncDirectory(dir);
    },
    async abort() {
      if (done) return;
      done = true;
      await fs.rm(temp, { force: true }).catch(() => undefined);
    },
  };
}

/**
 * A file system error names the file being written, not the temporary file (or nothing, as a
 * failed write on an open file does): what a person can act on when the disk is full.
 */
function namingTarget(error: unknown, file: string, temp: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e instanceof Error && typeof e.code === 'string' && (!e.path || e.path === temp)) e.path = file;
  return error;
}

/** Links `temp` to `file` unless `file` exists; falls back to check-then-rename where links are unsupported. */
async function publishNew(temp: string, file: string): Promise<boolean> {
  try {
    await fs.link(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
  }
  if (await exists(file)) return false;
  await fs.rename(temp, file);
  return true;
}

async function existingMode(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Makes the rename itself durable. Not possible on every platform (Windows): best effort. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // A directory that cannot be opened or synced still has the renamed file in it.
  }
}
