/**
 * The state and semantics of the emulated Gmail v1 API (users.messages send / list / get), with
 * no HTTP. A sent message is stored as its raw RFC 5322 bytes plus what Gmail derives from them:
 * headers (RFC 2047 encoded-words decoded), the MIME tree, a thread, labelIds ['SENT'] and the
 * emulator clock as internalDate. Errors are Gmail's: Google's shape plus the legacy `errors` list.
 *
 * `q` supports `rfc822msgid:ID` (with or without <>), `in:LABEL`, `label:LABEL`, `subject:WORDS`,
 * `to:` / `cc:` / `bcc:` / `from:` ADDRESS, and bare words (subject or text), a value "quoted"
 * when it holds spaces, `-` before a term to negate it, terms joined by spaces (AND).
 */
import { ApiError } from './errors';
import type { JsonObject } from './sheets';

export interface GmailHeader {
  name: string;
  value: string;
}

export interface MimePart {
  mimeType: string;
  filename: string;
  headers: GmailHeader[];
  /** The decoded content (transfer encoding undone), for leaf parts. */
  data?: Buffer;
  charset?: string;
  parts?: MimePart[];
}

export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** The message as stored (the bytes sent, with any header Gmail adds). */
  raw: Buffer;
  /** Every top-level header, in order, encoded-words decoded. */
  headers: GmailHeader[];
  payload: MimePart;
  internalDate: number;
  historyId: string;
}

export interface GmailOptions {
  /** The authenticated user's address: userId may be it or `me`. */
  user: string;
  /** The account's verified send-as aliases (users.settings.sendAs): a From it may keep. */
  sendAs?: string[];
  now?: () => number;
}

/**
 * "Gmail sending limits in Google Workspace": "Limit for recipients per message sent via SMTP
 * and the Gmail API (addresses in the To, Cc, and Bcc fields of a single email …) - 100." The
 * error Gmail then gives is not documented: a 400 invalidArgument is the emulator's reading.
 */
export const MAX_RECIPIENTS = 100;

export const GMAIL_USER = 'me@example.com';

/** An error in Gmail's shape: Google's, plus `errors: [{message, domain, reason}]`. */
export function gmailError(code: number, reason: string, message: string): ApiError {
  return new ApiError(code, message, { errors: [{ message, domain: 'global', reason }] });
}

const FORMATS = ['minimal', 'full', 'raw', 'metadata'];

export class GmailState {
  private readonly store = new Map<string, GmailMessage>();
  private readonly now: () => number;
  readonly user: string;
  private readonly sendAs: string[];
  private seq = 0;

  constructor(options: GmailOptions) {
    this.user = options.user;
    this.sendAs = (options.sendAs ?? []).map((a) => a.toLowerCase());
    this.now = options.now ?? Date.now;
  }

  /** The live messages, oldest first. */
  get messages(): ReadonlyMap<string, GmailMessage> {
    return this.store;
  }

  /** Throws Gmail's 403 unless userId is `me` or the authenticated user's address. */
  checkUser(userId: string): void {
    if (userId === 'me' || userId.toLowerCase() === this.user.toLowerCase()) return;
    throw gmailError(403, 'forbidden', `Delegation denied for ${this.user}`);
  }

  /** users.messages.send (JSON body with `raw`). */
  send(body: unknown): JsonObject {
    const b = (body ?? {}) as JsonObject;
    if (b.raw === undefined || b.raw === null || b.raw === '') {
      throw gmailError(
        400,
        'failedPrecondition',
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
      );
    }
    const encoded = String(b.raw);
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) {
      throw new ApiError(
        400,
        `Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed for "${encoded.slice(0, 40)}"`,
        {
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolations: [
                {
                  field: 'message.raw',
                  description: `Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed for "${encoded.slice(0, 40)}"`,
                },
              ],
            },
          ],
        },
      );
    }
    let raw: Buffer = Buffer.from(encoded, 'base64url');
    let { headers } = splitMessage(raw);
    const recipients: string[] = [];
    for (const name of ['To', 'Cc', 'Bcc']) {
      for (const h of headers.filter((x) => x.name.toLowerCase() === name.toLowerCase())) {
        const list = parseAddresses(h.value);
        if (list === undefined) throw gmailError(400, 'invalidArgument', `Invalid ${name} header`);
        recipients.push(...list);
      }
    }
    if (recipients.length === 0) throw gmailError(400, 'invalidArgument', 'Recipient address required');
    if (recipients.length > MAX_RECIPIENTS) {
      throw gmailError(
        400,
        'invalidArgument',
        `Too many recipients: ${recipients.length} (a message sent through the Gmail API may have at most ${MAX_RECIPIENTS} in To, Cc and Bcc)`,
      );
    }

    const internalDate = this.now();
    const id = this.newId(internalDate);
    // Gmail replaces the Message-ID of a message sent through the API with its own (reported by
    // mail-client projects, e.g. FlowCrypt/flowcrypt-browser#4269: "let Gmail generate message
    // id (as it does now)"; not documented): the reading worse for a sender that looks for it.
    // It sends as the account or one of its send-as aliases ("Managing aliases": "Send-as
    // aliases … the addresses that can be used as the From address"): any other From is
    // replaced by the account's address.
    const from = header(headers, 'From');
    const fromAddress = from ? (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim().toLowerCase() : '';
    const keepFrom = from && (fromAddress === this.user.toLowerCase() || this.sendAs.includes(fromAddress));
    raw = withoutHeaders(raw, keepFrom ? ['Message-ID'] : ['Message-ID', 'From']);
    headers = splitMessage(raw).headers;
    // Gmail adds what a sent message lacks: a Date and a Message-ID.
    const added: string[] = [];
    if (!header(headers, 'Date'))
      added.push(`Date: ${new Date(internalDate).toUTCString().replace('GMT', '+0000')}`);
    if (!header(headers, 'Message-ID')) added.push(`Message-ID: <emulator.${id}@mail.gmail.com>`);
    if (!header(headers, 'From')) added.push(`From: ${this.user}`);
    if (added.length) {
      raw = Buffer.concat([Buffer.from(`${added.join('\r\n')}\r\n`, 'utf8'), raw]);
      headers = splitMessage(raw).headers;
    }
    const threadId = this.threadOf(b.threadId, headers) ?? id;
    const message: GmailMessage = {
      id,
      threadId,
      labelIds: ['SENT'],
      raw,
      headers,
      payload: parsePart(raw),
      internalDate,
      historyId: String(1000 + this.seq),
    };
    this.store.set(id, message);
    return { id, threadId, labelIds: [...message.labelIds] };
  }

  /** users.messages.list */
  list(query: URLSearchParams): JsonObject {
    const match = parseQuery(query.get('q') ?? '');
    const labels = query.getAll('labelIds');
    const found = [...this.store.values()]
      .filter((m) => labels.every((l) => m.labelIds.includes(l)) && match(m))
      .sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
    const maxParam = query.get('maxResults');
    const max = maxParam === null ? 100 : Number(maxParam);
    if (!Number.isInteger(max) || max < 0) {
      throw new ApiError(400, `Invalid value at 'max_results' (TYPE_UINT32), "${maxParam}"`);
    }
    const size = Math.min(max === 0 ? 100 : max, 500);
    const token = query.get('pageToken');
    const from = token === null ? 0 : Number(token);
    if (!Number.isInteger(from) || from < 0) throw gmailError(400, 'invalidArgument', 'Invalid pageToken');
    const page = found.slice(from, from + size);
    const out: JsonObject = {};
    if (page.length) out.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    if (from + size < found.length) out.nextPageToken = String(from + size);
    out.resultSizeEstimate = found.length;
    return out;
  }

  /** users.messages.get */
  get(id: string, query: URLSearchParams): JsonObject {
    const format = (query.get('format') ?? 'full').toLowerCase();
    if (!FORMATS.includes(format)) {
      throw new ApiError(
        400,
        `Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.GetMessageRequest.Format), "${query.get('format')}"`,
      );
    }
    if (!/^[0-9a-f]{1,16}$/i.test(id)) throw gmailError(400, 'invalidArgument', 'Invalid id value');
    const m = this.store.get(id.toLowerCase());
    if (!m) throw gmailError(404, 'notFound', 'Requested entity was not found.');
    const out: JsonObject = {
      id: m.id,
      threadId: m.threadId,
      labelIds: [...m.labelIds],
      snippet: snippetOf(m),
      sizeEstimate: m.raw.length,
      historyId: m.historyId,
      internalDate: String(m.internalDate),
    };
    if (format === 'raw') out.raw = m.raw.toString('base64url');
    if (format === 'metadata') {
      const wanted = query.getAll('metadataHeaders').map((h) => h.toLowerCase());
      out.payload = {
        partId: '',
        mimeType: m.payload.mimeType,
        filename: '',
        headers: rawHeaders(m.raw).filter((h) => !wanted.length || wanted.includes(h.name.toLowerCase())),
      };
    }
    if (format === 'full') out.payload = partJson(m.payload, '', rawHeaders(m.raw));
    return out;
  }

  /** Every message as tests want to see it: decoded headers, recipients, text and html. */
  dump(): JsonObject[] {
    return [...this.store.values()].map((m) => {
      const h = (name: string) => header(m.headers, name);
      const addresses = (name: string) =>
        m.headers
          .filter((x) => x.name.toLowerCase() === name.toLowerCase())
          .flatMap((x) => parseAddresses(x.value) ?? []);
      const out: JsonObject = {
        id: m.id,
        threadId: m.threadId,
        labelIds: [...m.labelIds],
        internalDate: String(m.internalDate),
        from: h('From') ?? null,
        to: addresses('To'),
        cc: addresses('Cc'),
        bcc: addresses('Bcc'),
        subject: h('Subject') ?? null,
        messageId: h('Message-ID') ?? null,
        date: h('Date') ?? null,
        milepostKey: h('X-Milepost-Key') ?? null,
        headers: m.headers.map((x) => ({ ...x })),
        text: textOf(m.payload, 'text/plain') ?? null,
      };
      const html = textOf(m.payload, 'text/html');
      if (html !== undefined) out.html = html;
      return out;
    });
  }

  private newId(time: number): string {
    this.seq++;
    return (BigInt(time) * 0x100000n + BigInt(this.seq)).toString(16).padStart(16, '0').slice(-16);
  }

  /** A reply joins the thread of the message it names (In-Reply-To / References), or `threadId`. */
  private threadOf(threadId: unknown, headers: GmailHeader[]): string | undefined {
    if (typeof threadId === 'string' && [...this.store.values()].some((m) => m.threadId === threadId)) {
      return threadId;
    }
    const refs = `${header(headers, 'In-Reply-To') ?? ''} ${header(headers, 'References') ?? ''}`;
    const ids: string[] = refs.match(/<[^>]+>/g) ?? [];
    for (const m of this.store.values()) {
      const own = header(m.headers, 'Message-ID');
      if (own && ids.includes(own.trim())) return m.threadId;
    }
    return undefined;
  }
}

// ---------- search ----------

type Test = (m: GmailMessage) => boolean;

function parseQuery(q: string): Test {
  const terms: Test[] = [];
  const re = /(-?)(?:([A-Za-z0-9_]+):)?(?:"([^"]*)"|(\S+))/g;
  for (const m of q.matchAll(re)) {
    const negate = m[1] === '-';
    const op = m[2]?.toLowerCase();
    const value = m[3] ?? m[4] ?? '';
    const t = term(op, value);
    terms.push(negate ? (x) => !t(x) : t);
  }
  return (m) => terms.every((t) => t(m));
}

function term(op: string | undefined, value: string): Test {
  const v = value.toLowerCase();
  switch (op) {
    case 'rfc822msgid': {
      const id = v.replace(/^<|>$/g, '');
      return (m) => (header(m.headers, 'Message-ID') ?? '').trim().toLowerCase().replace(/^<|>$/g, '') === id;
    }
    case 'in':
    case 'label': {
      if (v === 'anywhere') return () => true;
      return (m) => m.labelIds.some((l) => l.toLowerCase() === v);
    }
    case 'subject':
      return (m) => (header(m.headers, 'Subject') ?? '').toLowerCase().includes(v);
    case 'to':
      return addressTerm(['To', 'Cc', 'Bcc'], v);
    case 'cc':
    case 'bcc':
    case 'from':
      return addressTerm([op], v);
    case undefined:
      return (m) =>
        `${header(m.headers, 'Subject') ?? ''}\n${textOf(m.payload, 'text/plain') ?? ''}`
          .toLowerCase()
          .includes(v);
    default: {
      // Gmail searches an unknown operator as words.
      const words = `${op}:${v}`;
      return (m) => (header(m.headers, 'Subject') ?? '').toLowerCase().includes(words);
    }
  }
}

function addressTerm(names: string[], v: string): Test {
  return (m) =>
    m.headers
      .filter((h) => names.some((n) => n.toLowerCase() === h.name.toLowerCase()))
      .some((h) => h.value.toLowerCase().includes(v));
}

// ---------- MIME ----------

function header(headers: GmailHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** The header block and the body of a message or part. */
/** The message without the named headers (folded lines included). */
function withoutHeaders(raw: Buffer, names: string[]): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return raw;
  const [at, len] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
  const lines = raw.subarray(0, at).toString('utf8').split(/\r?\n/);
  const drop = new Set(names.map((n) => n.toLowerCase()));
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (!dropping) kept.push(line);
      continue;
    }
    dropping = drop.has(line.slice(0, line.indexOf(':')).trim().toLowerCase());
    if (!dropping) kept.push(line);
  }
  return Buffer.concat([
    Buffer.from(kept.join('\r\n'), 'utf8'),
    raw.subarray(at, at + len),
    raw.subarray(at + len),
  ]);
}

function splitMessage(raw: Buffer): { headers: GmailHeader[]; body: Buffer } {
  const { head, body } = splitHead(raw);
  return { headers: rawHeadersOf(head).map((h) => ({ name: h.name, value: decodeWords(h.value) })), body };
}

function splitHead(raw: Buffer): { head: string; body: Buffer } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return { head: raw.toString('latin1'), body: Buffer.alloc(0) };
  const [at, len] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
  return { head: raw.subarray(0, at).toString('utf8'), body: raw.subarray(at + len) };
}

/** Headers as sent (unfolded, not decoded), as Gmail's metadata and full formats give them. */
function rawHeaders(raw: Buffer): GmailHeader[] {
  return rawHeadersOf(splitHead(raw).head);
}

function rawHeadersOf(head: string): GmailHeader[] {
  const out: GmailHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) {
      out[out.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return out;
}

/** RFC 2047: `=?charset?B|Q?text?=`, whitespace between adjacent encoded-words dropped. */
export function decodeWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1')
    .replace(word, (all, charset: string, enc: string, text: string) => {
      try {
        const bytes =
          enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' '), false);
        return decodeText(bytes, charset.split('*')[0]!);
      } catch {
        return all;
      }
    });
}

function decodeText(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function qpBytes(text: string, soft = true): Buffer {
  const source = soft ? text.replace(/=\r?\n/g, '') : text;
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(source.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(source.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** `type/subtype; a=b; c="d"` → the type (lower case) and its parameters. */
function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const m of rest.join(';').matchAll(/([^\s=;]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))/g)) {
    params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return { type: (type ?? '').trim().toLowerCase() || 'text/plain', params };
}

function parsePart(raw: Buffer): MimePart {
  const { headers, body } = splitMessage(raw);
  const { type, params } = contentType(header(headers, 'Content-Type'));
  const disposition = contentType(header(headers, 'Content-Disposition'));
  const filename = disposition.params.filename ?? params.name ?? '';
  if (type.startsWith('multipart/') && params.boundary) {
    const parts: MimePart[] = [];
    const delimiter = `--${params.boundary}`;
    const text = body.toString('latin1');
    const chunks = text.split(new RegExp(`(?:^|\\r?\\n)${escapeRegExp(delimiter)}`));
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      parts.push(parsePart(Buffer.from(chunk.replace(/^[ \t]*\r?\n/, ''), 'latin1')));
    }
    return { mimeType: type, filename, headers, parts };
  }
  const encoding = (header(headers, 'Content-Transfer-Encoding') ?? '7bit').trim().toLowerCase();
  const data =
    encoding === 'base64'
      ? Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? qpBytes(body.toString('latin1'))
        : body;
  return { mimeType: type, filename, headers, data, charset: params.charset };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first non-attachment part of this type, decoded to text. */
function textOf(part: MimePart, type: string): string | undefined {
  if (part.parts) {
    for (const p of part.parts) {
      const t = textOf(p, type);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (part.mimeType !== type || part.filename !== '' || !part.data) return undefined;
  return decodeText(part.data, part.charset);
}

function partJson(part: MimePart, partId: string, headers: GmailHeader[]): JsonObject {
  const out: JsonObject = { partId, mimeType: part.mimeType, filename: part.filename, headers };
  if (part.parts) {
    out.body = { size: 0 };
    out.parts = part.parts.map((p, i) => {
      const raw = p.headers.map((h) => ({ ...h }));
      return partJson(p, partId === '' ? String(i) : `${partId}.${i}`, raw);
    });
  } else {
    const data = part.data ?? Buffer.alloc(0);
    out.body = data.length ? { size: data.length, data: data.toString('base64url') } : { size: 0 };
  }
  return out;
}

function snippetOf(m: GmailMessage): string {
  const text = textOf(m.payload, 'text/plain') ?? '';
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** `a@x, "B, b" <b@y>` → ['a@x', 'b@y']; undefined when a part holds no address. */
export function parseAddresses(value: string): string[] | undefined {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>') angle--;
    if (c === ',' && !quoted && angle === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  const out: string[] = [];
  for (const part of parts.map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(part) ?? /^([^\s<>@",]+@[^\s<>@",]+)$/.exec(part);
    if (!m) return undefined;
    out.push(m[1]!);
  }
  return out;
}
