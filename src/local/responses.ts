/**
 * responses.jsonl: the local backend's form responses, one JSON object per line, appended by
 * the local form server (or by hand) and read whole by every sync.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Problem, RawSubmission, Submission } from '../core/types';
import { syncDirectory } from './atomic';
import { createExclusive, isAlive } from './lock';

export interface ResponsesRead {
  raw: RawSubmission[];
  problems: Problem[];
}

/**
 * Every line of the file as a raw submission (validation is the core's job). A missing file
 * holds no responses; blank lines are skipped; a line that is not JSON is a problem naming the
 * line, and the other lines are still returned. A UTF-8 BOM and CRLF line ends are accepted.
 */
export async function readResponses(file: string): Promise<ResponsesRead> {
  let content: string;
  try {
    content = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { raw: [], problems: [] };
    throw error;
  }
  return parseResponses(content, path.basename(file));
}

export function parseResponses(content: string, source = 'responses.jsonl'): ResponsesRead {
  const raw: RawSubmission[] = [];
  const problems: Problem[] = [];
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((line, i) => {
    const lineNumber = i + 1;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    try {
      raw.push({ where: `${source} line ${lineNumber}`, value: JSON.parse(text) });
    } catch (error) {
      problems.push({
        severity: 'error',
        tab: source,
        row: lineNumber,
        value: text.length > 80 ? `${text.slice(0, 77)}...` : text,
        message: `line ${lineNumber} is not valid JSON: ${(error as Error).message}`,
        expected: 'one JSON object per line',
      });
    }
  });
  return { raw, problems };
}

/** How the append reaches the file; tests inject failing writes or record the order of calls. */
export interface AppendOptions {
  /** Opens the responses file (default: `fs.open`). */
  open?: (file: string, flags: string) => Promise<fs.FileHandle>;
  /** How long to wait for another appender before giving up (default 10 s). */
  lockTimeoutMs?: number;
}

/** An append lock older than this is taken over whatever its holder: an append takes milliseconds. */
export const STALE_APPEND_LOCK_MS = 30 * 1000;
/** A lock file without readable content is being written, unless it is older than this. */
const UNREADABLE_APPEND_LOCK_MS = 2 * 1000;

/**
 * Appends one submission as one line, and returns only once the line is on disk (fsync), so a
 * post is confirmed only when it is durable.
 *
 * Appenders take turns (a queue in this process, `responses.jsonl.lock` between processes), so
 * that what a line starts on is decided by one appender at a time: a file saved without a final
 * newline (editors do that to a pasted line), or a line left torn by a failed append, gets
 * exactly one newline before the next line, never none and never two.
 * A failed append (a full disk, an I/O error, a failed fsync) takes its bytes back out: the file
 * is cut back to where it ended, so nothing torn is left for the next line to be glued to; and
 * if even that fails, the next appender ends the torn line before writing its own.
 *
 * The whole line goes to the kernel in a single write(2) on a file opened with O_APPEND, so a
 * writer that ignores the lock (a hand edit) still never interleaves with it.
 */
export async function appendResponse(
  file: string,
  submission: Submission,
  options: AppendOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const line = `${JSON.stringify(submission)}\n`;
  await inTurn(path.resolve(file), () =>
    withAppendLock(`${file}.lock`, options.lockTimeoutMs ?? 10_000, async () => {
      const created = await appendLine(file, line, options.open ?? ((f, flags) => fs.open(f, flags)));
      // A new file's name must be durable too, or a crash could lose the whole file.
      if (created) await syncDirectory(dir);
    }),
  );
}

/** Appends one line (with the newline the file lacks, if any); true when the file was new. */
async function appendLine(
  file: string,
  line: string,
  open: NonNullable<AppendOptions['open']>,
): Promise<boolean> {
  const handle = await open(file, 'a+');
  try {
    const { size } = await handle.stat();
    const lead = size > 0 && !(await endsWithNewline(handle, size)) ? '\n' : '';
    const bytes = Buffer.from(`${lead}${line}`, 'utf8');
    try {
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
      if (bytesWritten !== bytes.length) {
        throw new Error(
          `Only ${bytesWritten} of ${bytes.length} bytes of a response were written to ${file}`,
        );
      }
      await handle.sync();
    } catch (error) {
      await takeBack(handle, size);
      throw error;
    }
    return size === 0;
  } finally {
    await handle.close();
  }
}

/**
 * Cuts the file back to `size` after a failed append (only this appender writes meanwhile), so
 * the post that was not confirmed leaves nothing behind; failing that, ends the torn line.
 */
async function takeBack(handle: fs.FileHandle, size: number): Promise<void> {
  try {
    await handle.truncate(size);
  } catch {
    // The next appender sees the missing newline and starts on a line of its own.
    await handle.write('\n').catch(() => undefined);
    return;
  }
  await handle.sync().catch(() => undefined);
}

/** Whether the last byte of a non-empty file is a newline. */
async function endsWithNewline(handle: fs.FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/** The appends of this process waiting for their turn, by file. */
const queues = new Map<string, Promise<void>>();

/** Runs `fn` after every append to `file` this process started before it. */
async function inTurn(file: string, fn: () => Promise<void>): Promise<void> {
  const before = queues.get(file) ?? Promise.resolve();
  const mine = before.then(fn, fn);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(file, settled);
  try {
    await mine;
  } finally {
    if (queues.get(file) === settled) queues.delete(file);
  }
}

/**
 * Runs `fn` holding the append lock: a file created exclusively (O_EXCL) naming this process,
 * removed afterwards. Waits while another live appender holds it; a lock whose process is gone
 * (same host), or older than STALE_APPEND_LOCK_MS, is taken over.
 */
async function withAppendLock(lockFile: string, timeoutMs: number, fn: () => Promise<void>): Promise<void> {
  const content = `${JSON.stringify({ pid: process.pid, hostname: os.hostname(), started: new Date().toISOString(), nonce: randomBytes(6).toString('hex') })}\n`;
  const deadline = Date.now() + timeoutMs;
  while (!(await createExclusive(lockFile, content))) {
    const stale = await staleLock(lockFile);
    if (stale !== undefined) await takeOverLock(lockFile, stale);
    else if (Date.now() > deadline) {
      throw new Error(
        `${path.basename(lockFile)} is held by another process writing responses; the response was not recorded. Try again (delete ${lockFile} if no Milepost is running).`,
      );
    } else await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
  }
  try {
    await fn();
  } finally {
    try {
      if ((await fs.readFile(lockFile, 'utf8')) === content) await fs.rm(lockFile, { force: true });
    } catch {
      // already gone (taken over)
    }
  }
}

/** The content of the lock when it may be taken over; undefined while its holder may be alive. */
async function staleLock(lockFile: string): Promise<string | undefined> {
  let raw: string;
  let age: number;
  try {
    raw = await fs.readFile(lockFile, 'utf8');
    age = Date.now() - (await fs.stat(lockFile)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // released: try again
    throw error;
  }
  if (age > STALE_APPEND_LOCK_MS) return raw;
  let holder: { pid?: unknown; hostname?: unknown };
  try {
    holder = JSON.parse(raw);
  } catch {
    return age > UNREADABLE_APPEND_LOCK_MS ? raw : undefined;
  }
  const sameHost = holder?.hostname === os.hostname();
  return sameHost && typeof holder.pid === 'number' && !isAlive(holder.pid) ? raw : undefined;
}

/**
 * Removes a stale lock without removing a fresh one another appender created meanwhile: it is
 * renamed aside (only one can do that) and put back if it is not the one judged stale.
 */
async function takeOverLock(lockFile: string, stale: string): Promise<void> {
  const aside = `${lockFile}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fs.rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => stale);
  if (moved !== stale) await fs.link(aside, lockFile).catch(() => undefined);
  await fs.rm(aside, { force: true });
}
