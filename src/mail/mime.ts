/**
 * An email of the cycle as an RFC 5322 / MIME message: multipart/alternative text and HTML
 * (inside multipart/mixed when files are attached),
 * UTF-8, base64 bodies, encoded-word headers, and a Message-ID derived from the email's key.
 * Shared by the Node shells: the local outbox writes it to .eml files, the Google backend sends
 * it through Gmail (and finds it again in the sent mail by that Message-ID).
 */
import { createHash } from 'node:crypto';
import type { Email } from '../core/types';

export function hash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export const CRLF = '\r\n';
/** Sender when the register names no process manager: a message needs a From. */
export const DEFAULT_FROM = 'Milepost <milepost@milepost.local>';
/** Recommended maximum line length (RFC 5322 §2.1.1), CRLF excluded. */
const LINE = 78;
/** UTF-8 bytes per encoded-word: 12 characters of =?UTF-8?B?…?= plus 56 of base64 stay under 75. */
const WORD_BYTES = 42;

// ---------- headers ----------

function isPlainAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Newlines and tabs inside a header value would end or fold the header: they become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** RFC 2047 encoded-words (UTF-8, base64), split between code points, never inside one. */
function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += size;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`);
}

/**
 * A header field, folded at `LINE` characters. `units` are never broken; `separator` goes
 * between them and a fold (CRLF plus one space) replaces its trailing space.
 */
function header(name: string, units: string[], separator: string): string {
  let out = `${name}:`;
  let lineLength = out.length;
  units.forEach((unit, i) => {
    const sep = i === 0 ? ' ' : separator;
    if (i > 0 && unit !== '' && lineLength + sep.length + unit.length > LINE) {
      const kept = sep.replace(/ $/, '');
      out += `${kept}${CRLF} ${unit}`;
      lineLength = 1 + unit.length;
    } else {
      out += sep + unit;
      lineLength += sep.length + unit.length;
    }
  });
  return out;
}

/**
 * Unstructured text (Subject, X-Milepost-Key): folded at spaces when it is plain ASCII,
 * otherwise (or when it holds '=?' or a very long word) as encoded-words.
 */
function textHeader(name: string, value: string): string {
  const text = oneLine(value);
  const words = text.split(' ');
  if (isPlainAscii(text) && !text.includes('=?') && words.every((w) => w.length <= LINE - 10)) {
    return header(name, words, ' ');
  }
  return header(name, encodedWords(text), ' ');
}

/** 'ann@example.com' or 'Ann Smith <ann@example.com>'; a non-ASCII display name is encoded. */
function address(text: string): string[] {
  const value = oneLine(text).trim();
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  if (!m) return [value];
  const name = m[1]!.trim().replace(/^"(.*)"$/, '$1');
  const addr = `<${m[2]!.trim()}>`;
  if (!name) return [addr];
  if (!isPlainAscii(name) || name.includes('=?')) return [...encodedWords(name), addr];
  if (/^[\w!#$%&'*+\-/=?^`{|}~ ]+$/.test(name)) return [name, addr];
  return [`"${name.replace(/(["\\])/g, '\\$1')}"`, addr];
}

function addressHeader(name: string, list: string[]): string {
  const units: string[] = [];
  list.forEach((a, i) => {
    const parts = address(a);
    if (i < list.length - 1) parts[parts.length - 1] += ',';
    units.push(...parts);
  });
  return header(name, units, ' ');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time of an instant, in UTC: 'Thu, 03 Dec 2026 09:00:00 +0000'. */
export function rfc5322Date(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) throw new Error(`Not an instant: ${instant}`);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/** The X-Milepost-Key header line of the message for `key`, as toEml writes it. */
export function keyHeaderLine(key: string): string {
  return textHeader('X-Milepost-Key', key) + CRLF;
}

export function messageId(key: string): string {
  return `<${hash(key).slice(0, 32)}@milepost.local>`;
}

// ---------- body ----------

/** Text in canonical form (CRLF line ends, RFC 2046 §4.1.1), UTF-8, base64 in lines of 76. */
function base64Body(text: string): string {
  return base64Lines(Buffer.from(text.replace(/\r\n|\r|\n/g, CRLF), 'utf8'));
}

/** The email as an RFC 5322 message: multipart/alternative with a text and an HTML part. */
export interface EmlOptions {
  /**
   * 'account': no From header — the sending service sends as its signed-in account (Gmail sets
   * it; a From naming anyone else would be replaced unless it is one of the account's send-as
   * aliases, see GmailState). 'register' (default): From as the register says (the outbox).
   */
  from?: 'register' | 'account';
  /** A token carried in the body (a "Ref:" line) so the sent message can be found by search. */
  token?: string;
  /**
   * Files attached after the text and HTML (the local pack email carries the pack): the message
   * becomes multipart/mixed, the text and HTML its first part. None: multipart/alternative.
   */
  attachments?: EmlAttachment[];
}

/** A file attached to a message: an ASCII file name, a MIME type, the bytes (or UTF-8 text). */
export interface EmlAttachment {
  filename: string;
  contentType: string;
  content: string | Buffer;
}

/** Bytes in base64 lines of 76 (RFC 2045 §6.8). */
function base64Lines(bytes: Buffer): string {
  const encoded = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join(CRLF);
}

/** A file name safe in a quoted parameter: ASCII letters, digits, '.', '-', '_' only. */
function safeFilename(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'attachment';
}

/** An attachment as a MIME part (base64), without its boundary line. */
function attachmentPart(a: EmlAttachment): string {
  const name = safeFilename(a.filename);
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream';
  const bytes = typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : a.content;
  return [
    `Content-Type: ${type}${typeof a.content === 'string' ? '; charset=utf-8' : ''}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(bytes),
  ].join(CRLF);
}

/** The search token of the message for `key`: one word, so Gmail's full-text search finds it. */
export function sendToken(key: string): string {
  return `milepost${hash(`token:${key}`).slice(0, 24)}`;
}

export function toEml(email: Email, date: string, opts: EmlOptions = {}): string {
  const ref = (eol: string) => (opts.token ? `${eol}${eol}Ref: ${opts.token}${eol}` : '');
  const text = base64Body(email.text + ref('\n'));
  const html = base64Body(
    email.html + (opts.token ? `<p style="color:#777;font-size:11px">Ref: ${opts.token}</p>\n` : ''),
  );
  // Base64 lines never contain '_', so this boundary cannot occur in the parts; the loop is a guard.
  let boundary = `=_milepost_${hash(`boundary:${email.key}`).slice(0, 24)}`;
  for (let n = 1; [text, html, email.text, email.html].some((p) => p.includes(boundary)); n++) {
    boundary = `=_milepost_${hash(`boundary:${email.key}:${n}`).slice(0, 24)}`;
  }
  const from = email.from.trim() ? email.from : DEFAULT_FROM;
  const replyTo = email.replyTo?.trim() ?? '';
  const headers = [
    ...(opts.from === 'account' ? [] : [addressHeader('From', [from])]),
    ...(replyTo && (opts.from === 'account' || replyTo !== from)
      ? [addressHeader('Reply-To', [replyTo])]
      : []),
    ...(email.to.length ? [addressHeader('To', email.to)] : []),
    ...(email.cc.length ? [addressHeader('Cc', email.cc)] : []),
    textHeader('Subject', email.subject),
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: ${messageId(email.key)}`,
    'MIME-Version: 1.0',
    textHeader('X-Milepost-Key', email.key),
    `X-Milepost-Kind: ${oneLine(email.kind)}`,
  ];
  const part = (type: string, body: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=utf-8`,
      'Content-Transfer-Encoding: base64',
      '',
      body,
    ].join(CRLF);
  const alternative = [part('text/plain', text), part('text/html', html), `--${boundary}--`];
  const alternativeType = `Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"`;
  const preamble = 'This is a multi-part message in MIME format.';
  const files = opts.attachments ?? [];
  if (!files.length) return [...headers, alternativeType, '', preamble, ...alternative, ''].join(CRLF);
  // '_' is never in base64, and no header line of a part holds this boundary.
  const mixed = `=_milepost_mixed_${hash(`mixed:${email.key}`).slice(0, 24)}`;
  return [
    ...headers,
    `Content-Type: multipart/mixed;${CRLF} boundary="${mixed}"`,
    '',
    preamble,
    `--${mixed}`,
    alternativeType,
    '',
    ...alternative,
    ...files.flatMap((f) => [`--${mixed}`, attachmentPart(f)]),
    `--${mixed}--`,
    '',
  ].join(CRLF);
}
