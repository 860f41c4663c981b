/**
 * Personal links of the local form server: a per-workspace secret (32 random bytes in
 * `<workspace>/.milepost-secret`, owner-only, never printed) and tokens
 * `base64url(payload).base64url(HMAC-SHA256(secret, payload))` naming a person and a meeting.
 * The token is the identity: whoever holds a person's link may update for them, for that
 * meeting only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export const SECRET_FILE = '.milepost-secret';

export function secretPath(dir: string): string {
  return path.join(path.resolve(dir), SECRET_FILE);
}

function decodeSecret(text: string): Buffer | undefined {
  const bytes = Buffer.from(text.trim(), 'base64url');
  return bytes.length >= 32 ? bytes : undefined;
}

/** The workspace's secret, or undefined when it has none (yet). */
export async function readSecret(dir: string): Promise<Buffer | undefined> {
  try {
    return decodeSecret(await fs.readFile(secretPath(dir), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The workspace's secret, created when missing (at `init`, or on first use in an older
 * workspace). Created exclusively with mode 0600, so two processes never make two secrets.
 */
export async function ensureSecret(dir: string): Promise<Buffer> {
  const existing = await readSecret(dir);
  if (existing) return existing;
  const file = secretPath(dir);
  const secret = randomBytes(32);
  try {
    const handle = await fs.open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${secret.toString('base64url')}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = await readSecret(dir);
    if (!other) throw new Error(`${file} exists but holds no usable secret; delete it to make a new one`);
    return other;
  }
}

function sign(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** The personal token of `email` for the meeting on `meeting` (YYYY-MM-DD). */
export function makeToken(secret: Buffer, email: string, meeting: string): string {
  const payload = Buffer.from(JSON.stringify({ p: email.trim().toLowerCase(), m: meeting }), 'utf8').toString(
    'base64url',
  );
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

const TOKEN = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/;

/**
 * The person a token names, when it is signed with `secret` and is for `meeting`; undefined
 * for a tampered or malformed token or one for another meeting.
 */
export function verifyToken(secret: Buffer, token: string, meeting: string): string | undefined {
  if (typeof token !== 'string') return undefined;
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const payload = m[1]!;
  const given = Buffer.from(m[2]!, 'base64url');
  // Only the signature as issued: base64url's last character carries spare bits, so other
  // spellings decode to the same bytes — a link that was altered is refused, whatever changed.
  if (given.toString('base64url') !== m[2]) return undefined;
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { p, m: forMeeting } = value as { p?: unknown; m?: unknown };
  if (typeof p !== 'string' || typeof forMeeting !== 'string' || !p) return undefined;
  return forMeeting === meeting ? p : undefined;
}
