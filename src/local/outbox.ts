/**
 * The local backend's mail: each email becomes one RFC 5322 / MIME .eml file in the outbox
 * (open it in a mail client, or hand it to a mail transfer agent). The outbox is also the send
 * log: an email whose file exists is never written again, so re-running a phase never sends
 * twice.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Email } from '../core/types';
import { CRLF, type EmlAttachment, hash, keyHeaderLine, toEml } from '../mail/mime';
import { writeFileAtomic } from './atomic';

// ---------- the outbox ----------

const MAX_NAME = 200;

/** The outbox file name of an email key: 'request/2026-12-03/ann@example.com' → 'request_2026-12-03_ann@example.com.eml'. */
export function emlFileName(key: string): string {
  let stem = key.replace(/[^A-Za-z0-9@._+-]/g, '_').replace(/^\./, '_');
  if (!stem) stem = '_';
  if (stem.length > MAX_NAME) stem = `${stem.slice(0, MAX_NAME - 9)}-${hash(key).slice(0, 8)}`;
  return `${stem}.eml`;
}

export interface OutboxResult {
  /** Paths of the files written now. */
  written: string[];
  /** Paths of the files that already existed (sent before): not written again. */
  skipped: string[];
  /** Each email with its outbox file, in the order given. */
  files: OutboxFile[];
}

export interface OutboxFile {
  email: Email;
  file: string;
  /** Written by this call (false: it was in the outbox already). */
  written: boolean;
}

export interface OutboxOptions {
  /**
   * The From of every message (MILEPOST_SMTP_FROM, the address the mail server lets this account
   * send as); the register's sender then becomes its Reply-To.
   */
  from?: string;
  /** Files an email carries (the pack email: the pack). */
  attachments?: (email: Email) => EmlAttachment[];
  /**
   * Called once with the emails about to be written (none of them in the outbox yet), before the
   * first is written: the delivery log records them as to be sent before their files exist.
   */
  beforeWrite?: (placed: { email: Email; file: string }[]) => Promise<void>;
}

/**
 * Writes each email to `dir` as one .eml file named from its key, atomically and never over an
 * existing file. Two keys that sanitise to the same name are told apart by the key recorded in
 * the file (X-Milepost-Key): the second gets a name with a hash suffix.
 */
export async function writeOutbox(
  dir: string,
  emails: Email[],
  now: string,
  opts: OutboxOptions = {},
): Promise<OutboxResult> {
  await fs.mkdir(dir, { recursive: true });
  const placed: { email: Email; file?: string; exists: boolean }[] = [];
  const claimed = new Map<string, string>();
  for (const email of emails) placed.push({ email, ...(await placeOf(dir, email.key, claimed)) });
  const fresh = placed.flatMap((p) => (p.file && !p.exists ? [{ email: p.email, file: p.file }] : []));
  if (fresh.length && opts.beforeWrite) await opts.beforeWrite(fresh);
  const files: OutboxFile[] = [];
  // In order: the emails before one with no free name are written (a batch written in part).
  for (const { email, file, exists } of placed) {
    if (!file) throw new Error(`Could not find a free outbox file name for email ${email.key} in ${dir}`);
    let written = false;
    if (!exists) {
      const message = opts.from ? { ...email, from: opts.from } : email;
      const content = toEml(message, now, { attachments: opts.attachments?.(email) ?? [] });
      written = await writeFileAtomic(file, content, { overwrite: false });
      // Another program made the file since it was looked for: it is ours only if it holds the key.
      if (!written && (await fileState(file, keyHeaderLine(email.key))) !== 'ours')
        throw new Error(`Could not find a free outbox file name for email ${email.key} in ${dir}`);
    }
    files.push({ email, file, written });
  }
  return {
    written: files.filter((f) => f.written).map((f) => f.file),
    skipped: files.filter((f) => !f.written).map((f) => f.file),
    files,
  };
}

/**
 * The outbox file of the email with this key: the one holding it, or the first free name.
 * `claimed` holds the names given to earlier emails of the same batch (name → key).
 */
async function placeOf(
  dir: string,
  key: string,
  claimed: Map<string, string>,
): Promise<{ file?: string; exists: boolean }> {
  const keyHeader = keyHeaderLine(key);
  const plain = path.join(dir, emlFileName(key));
  const hashed = path.join(dir, emlFileName(`${key}-${hash(key).slice(0, 8)}`));
  for (const file of [plain, hashed]) {
    const owner = claimed.get(file);
    if (owner !== undefined) {
      if (owner === key) return { file, exists: true };
      continue;
    }
    const state = await fileState(file, keyHeader);
    if (state === 'other') continue;
    claimed.set(file, key);
    return { file, exists: state === 'ours' };
  }
  // Both names hold another program's files: the write loop stops at this email.
  return { exists: false };
}

/**
 * Whether a name is free, holds the email with this key, or holds something else (another
 * program's file). An unreadable file counts as the email: sent.
 */
async function fileState(file: string, keyHeader: string): Promise<'free' | 'ours' | 'other'> {
  let content: string;
  try {
    content = await fs.readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'free' : 'ours';
  }
  const head = content.split(`${CRLF}${CRLF}`)[0] ?? '';
  return `${head}${CRLF}`.includes(keyHeader) ? 'ours' : 'other';
}
