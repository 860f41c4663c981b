/**
 * The local backend's mail: each email becomes one RFC 5322 / MIME .eml file in the outbox
 * (open it in a mail client, or hand it to a mail transfer agent). The outbox is also the send
 * log: an email whose file exists is never written again, so re-running a phase never sends
 * twice.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Email } from '../core/types';
import { CRLF, hash, keyHeaderLine, toEml } from '../mail/mime';
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
}

/**
 * Writes each email to `dir` as one .eml file named from its key, atomically and never over an
 * existing file. Two keys that sanitise to the same name are told apart by the key recorded in
 * the file (X-Milepost-Key): the second gets a name with a hash suffix.
 */
export async function writeOutbox(dir: string, emails: Email[], now: string): Promise<OutboxResult> {
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const skipped: string[] = [];
  for (const email of emails) {
    const content = toEml(email, now);
    const keyHeader = keyHeaderLine(email.key);
    const plain = path.join(dir, emlFileName(email.key));
    const hashed = path.join(dir, emlFileName(`${email.key}-${hash(email.key).slice(0, 8)}`));
    let done = false;
    for (const file of [plain, hashed]) {
      if (await writeFileAtomic(file, content, { overwrite: false })) {
        written.push(file);
        done = true;
        break;
      }
      if (await holdsKey(file, keyHeader)) {
        skipped.push(file);
        done = true;
        break;
      }
    }
    if (!done) throw new Error(`Could not find a free outbox file name for email ${email.key} in ${dir}`);
  }
  return { written, skipped };
}

/** Whether an existing outbox file is the email with this key (unreadable files count as sent). */
async function holdsKey(file: string, keyHeader: string): Promise<boolean> {
  try {
    const content = await fs.readFile(file, 'utf8');
    const head = content.split(`${CRLF}${CRLF}`)[0] ?? '';
    return `${head}${CRLF}`.includes(keyHeader);
  } catch {
    return true;
  }
}
