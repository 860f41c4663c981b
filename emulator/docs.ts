/**
 * The state and semantics of the emulated Docs v1 API, with no HTTP: documents create / get /
 * batchUpdate, returning the JSON Google returns or throwing an ApiError with Google's status
 * and wording.
 *
 * A body is a list of tokens, one per UTF-16 index from index 1 (index 0 is the section break):
 * characters (with a text style), paragraph ends '\n' (with the paragraph's style and bullet),
 * and the markers of tables (table start, row start, cell start with the cell's style, table
 * end). A 2×2 table of empty cells at S is S table, S+1 row, S+2 cell, S+3 '\n', S+4 cell,
 * S+5 '\n', S+6 row, S+7 cell, S+8 '\n', S+9 cell, S+10 '\n', S+11 table end; it ends at S+12.
 *
 * Fast enough for a pack of 10,000 milestones (a few million tokens, ~150,000 requests): the
 * tokens live in a gap buffer (`Tokens`) where writers insert, tokens and styles are immutable
 * (a change replaces them, so a batch works on a cheap copy and stays atomic), and requests look
 * only at the paragraphs or the table they touch instead of re-reading the whole body.
 *
 * Emulated batchUpdate requests (atomically, in order): insertText, insertTable,
 * deleteContentRange, updateParagraphStyle, updateTextStyle, createParagraphBullets,
 * deleteParagraphBullets, updateTableCellStyle. Deliberately not emulated (a clear 400 names
 * them): the other request kinds, headers/footers/footnotes (segment ids), tabs other than the
 * first, nested tables, suggestions.
 */
import { ApiError, badRequest, NOT_FOUND_MESSAGE, notEmulated, requestKind, snake } from './errors';
import { type JsonObject, seededRandom } from './sheets';

export interface CharToken {
  kind: 'char';
  /** One UTF-16 code unit. */
  ch: string;
  style: JsonObject;
}

export interface Bullet {
  listId: string;
  nestingLevel: number;
}

export interface ParagraphToken {
  kind: 'para';
  style: JsonObject;
  /** The text style of the '\n' itself. */
  textStyle: JsonObject;
  bullet?: Bullet;
}

export type Token =
  | CharToken
  | ParagraphToken
  | { kind: 'table' }
  | { kind: 'row' }
  | { kind: 'cell'; style: JsonObject }
  | { kind: 'tableEnd' };

export interface Document {
  documentId: string;
  title: string;
  revision: number;
  revisionId: string;
  tokens: Tokens;
  lists: Record<string, JsonObject>;
}

/** Read access to tokens by position (0-based: the token at document index k + 1). */
export interface TokenSource {
  readonly length: number;
  at(k: number): Token | undefined;
}

/**
 * The tokens of a body in a gap buffer: an insert or a delete moves the gap to its position
 * (copying only the tokens in between) instead of shifting everything after it. Writers insert
 * near where they inserted last (block after block at one index, a table's cells one after the
 * other), so that stays cheap for a body of millions of tokens. Tokens are never changed in
 * place — a change replaces the token — so `clone` (a copy of the array) copies the body.
 */
export class Tokens implements TokenSource {
  private buf: (Token | undefined)[];
  private gapStart: number;
  private gapEnd: number;
  /** Bumped by every insert and delete: structure read before is stale. */
  version = 0;

  constructor(tokens: readonly Token[] = []) {
    this.buf = [...tokens];
    this.gapStart = this.gapEnd = this.buf.length;
  }

  get length(): number {
    return this.buf.length - (this.gapEnd - this.gapStart);
  }

  at(k: number): Token | undefined {
    if (k < 0) return undefined;
    return this.buf[k < this.gapStart ? k : k + this.gapEnd - this.gapStart];
  }

  /** Replaces the token at k. */
  set(k: number, token: Token): void {
    if (k < 0 || k >= this.length) throw new RangeError(`no token ${k}`);
    this.buf[k < this.gapStart ? k : k + this.gapEnd - this.gapStart] = token;
  }

  insert(k: number, tokens: readonly Token[]): void {
    this.moveGap(k);
    if (this.gapEnd - this.gapStart < tokens.length) this.grow(tokens.length);
    for (const t of tokens) this.buf[this.gapStart++] = t;
    this.version++;
  }

  remove(k: number, count: number): void {
    if (count <= 0) return;
    this.moveGap(k);
    this.buf.fill(undefined, this.gapEnd, this.gapEnd + count);
    this.gapEnd += count;
    this.version++;
  }

  toArray(): Token[] {
    return [...this.buf.slice(0, this.gapStart), ...this.buf.slice(this.gapEnd)] as Token[];
  }

  clone(): Tokens {
    const copy = new Tokens();
    copy.buf = this.buf.slice();
    copy.gapStart = this.gapStart;
    copy.gapEnd = this.gapEnd;
    return copy;
  }

  private moveGap(k: number): void {
    if (k < 0 || k > this.length) throw new RangeError(`no position ${k}`);
    const { buf } = this;
    if (k < this.gapStart) {
      const n = this.gapStart - k;
      buf.copyWithin(this.gapEnd - n, k, this.gapStart);
      this.gapStart = k;
      this.gapEnd -= n;
    } else if (k > this.gapStart) {
      const n = k - this.gapStart;
      buf.copyWithin(this.gapStart, this.gapEnd, this.gapEnd + n);
      this.gapStart = k;
      this.gapEnd += n;
    }
  }

  private grow(needed: number): void {
    const size = this.length;
    const gap = Math.max(needed, 1024, size >> 1);
    const buf: (Token | undefined)[] = new Array(size + gap);
    for (let k = 0; k < this.gapStart; k++) buf[k] = this.buf[k];
    const tail = this.buf.length - this.gapEnd;
    for (let k = 0; k < tail; k++) buf[this.gapStart + gap + k] = this.buf[this.gapEnd + k];
    this.buf = buf;
    this.gapEnd = this.gapStart + gap;
  }
}

/** A paragraph's span of document indexes: [start, end), the end after its '\n'. */
interface ParaSpan {
  kind: 'para';
  start: number;
  end: number;
}

interface CellSpan {
  start: number;
  end: number;
  style: JsonObject;
  content: ParaSpan[];
}

interface TableSpan {
  kind: 'table';
  start: number;
  end: number;
  rows: { start: number; end: number; cells: CellSpan[] }[];
  /** Every marker index (table, rows, cells, table end). */
  markers: number[];
}

type Span = ParaSpan | TableSpan;

export interface DocsOptions {
  random?: () => number;
  /** New document ids; by default 44 characters from `random`. */
  newId?: () => string;
}

const NAMED_STYLES = [
  'NORMAL_TEXT',
  'TITLE',
  'SUBTITLE',
  'HEADING_1',
  'HEADING_2',
  'HEADING_3',
  'HEADING_4',
  'HEADING_5',
  'HEADING_6',
] as const;

const BULLET_GLYPHS: Readonly<Record<string, readonly string[]>> = {
  BULLET_DISC_CIRCLE_SQUARE: ['●', '○', '■'],
  BULLET_DIAMONDX_ARROW3D_SQUARE: ['❖', '➢', '■'],
  BULLET_CHECKBOX: ['☐'],
  BULLET_ARROW_DIAMOND_DISC: ['➔', '◆', '●'],
  BULLET_STAR_CIRCLE_SQUARE: ['★', '○', '■'],
  BULLET_ARROW3D_CIRCLE_SQUARE: ['➢', '○', '■'],
  BULLET_LEFTTRIANGLE_DIAMOND_DISC: ['◄', '◆', '●'],
  BULLET_DIAMONDX_HOLLOWDIAMOND_SQUARE: ['❖', '◇', '■'],
  BULLET_DIAMOND_CIRCLE_SQUARE: ['◆', '○', '■'],
};

const NUMBERED_GLYPHS: Readonly<Record<string, readonly string[]>> = {
  NUMBERED_DECIMAL_ALPHA_ROMAN: ['DECIMAL', 'ALPHA', 'ROMAN'],
  NUMBERED_DECIMAL_ALPHA_ROMAN_PARENS: ['DECIMAL', 'ALPHA', 'ROMAN'],
  NUMBERED_DECIMAL_NESTED: ['DECIMAL'],
  NUMBERED_UPPERALPHA_ALPHA_ROMAN: ['UPPER_ALPHA', 'ALPHA', 'ROMAN'],
  NUMBERED_UPPERROMAN_UPPERALPHA_DECIMAL: ['UPPER_ROMAN', 'UPPER_ALPHA', 'DECIMAL'],
  NUMBERED_ZERODECIMAL_ALPHA_ROMAN: ['ZERO_DECIMAL', 'ALPHA', 'ROMAN'],
};

/** Every request kind of Docs v1 (Schema$Request), to tell "unsupported" from "unknown". */
const GOOGLE_REQUEST_KINDS: readonly string[] = [
  'createFooter',
  'createFootnote',
  'createHeader',
  'createNamedRange',
  'createParagraphBullets',
  'deleteContentRange',
  'deleteFooter',
  'deleteHeader',
  'deleteNamedRange',
  'deleteParagraphBullets',
  'deletePositionedObject',
  'deleteTableColumn',
  'deleteTableRow',
  'insertInlineImage',
  'insertPageBreak',
  'insertSectionBreak',
  'insertTable',
  'insertTableColumn',
  'insertTableRow',
  'insertText',
  'mergeTableCells',
  'pinTableHeaderRows',
  'replaceAllText',
  'replaceImage',
  'replaceNamedRangeContent',
  'unmergeTableCells',
  'updateDocumentStyle',
  'updateParagraphStyle',
  'updateSectionStyle',
  'updateTableCellStyle',
  'updateTableColumnProperties',
  'updateTableRowStyle',
  'updateTextStyle',
  'addDocumentTab',
  'deleteTab',
  'updateDocumentTabProperties',
  'insertPerson',
  'insertDate',
];

// ---------- small JSON helpers ----------

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, where: string): JsonObject {
  if (v === undefined) return {};
  if (!isObject(v)) throw badRequest(`Invalid value at '${where}': expected an object`);
  return v;
}

function intAt(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw badRequest(`Invalid value at '${where}' (TYPE_INT32), ${JSON.stringify(v)}`);
  }
  return n;
}

/** JSON with sorted keys, to compare styles. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Sets or resets (when absent from `source`) each field mask path of `target`. */
function applyMask(target: JsonObject, source: JsonObject, fields: unknown, where: string): void {
  if (typeof fields !== 'string' || fields.trim() === '') {
    throw badRequest(`At least one field must be listed in 'fields'. (Use '*' to indicate all fields.)`);
  }
  const paths = fields
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (paths.includes('*')) {
    for (const k of Object.keys(target)) delete target[k];
    Object.assign(target, structuredClone(source));
    return;
  }
  for (const path of paths) {
    const keys = path.split('.');
    let from: unknown = source;
    for (const k of keys) from = isObject(from) ? from[k] : undefined;
    let node = target;
    for (const k of keys.slice(0, -1)) {
      if (!isObject(node[k])) node[k] = {};
      node = node[k] as JsonObject;
    }
    const last = keys[keys.length - 1]!;
    if (!/^[A-Za-z]+$/.test(last)) throw badRequest(`Invalid field mask path '${path}' in ${where}.`);
    if (from === undefined) delete node[last];
    else node[last] = structuredClone(from) as JsonObject[string];
  }
}

/** The style of unstyled text and cells; styles are shared and never changed in place. */
const NO_STYLE: JsonObject = Object.freeze({}) as JsonObject;

/**
 * A style change as a function from the old style to the new: a copy with the field mask
 * applied, one copy per distinct old style (a range of text mostly shares one style).
 */
function restyler(
  source: JsonObject,
  fields: unknown,
  where: string,
  after: (style: JsonObject) => void = () => {},
): (style: JsonObject) => JsonObject {
  const done = new Map<JsonObject, JsonObject>();
  return (style) => {
    let next = done.get(style);
    if (!next) {
      next = structuredClone(style);
      applyMask(next, source, fields, where);
      after(next);
      done.set(style, next);
    }
    return next;
  };
}

const canonicalKeys = new WeakMap<JsonObject, string>();

/** `canonical` of a style, remembered: styles are never changed in place. */
function canonicalStyle(style: JsonObject): string {
  let key = canonicalKeys.get(style);
  if (key === undefined) {
    key = canonical(style);
    canonicalKeys.set(style, key);
  }
  return key;
}

const boundsMessage =
  'The insertion index must be inside the bounds of an existing paragraph. You can still create new paragraphs by inserting newlines.';

function newParagraph(style: JsonObject = { namedStyleType: 'NORMAL_TEXT' }): ParagraphToken {
  return { kind: 'para', style: structuredClone(style), textStyle: {} };
}

/** The structure of a body, or an Error when the tokens are not a valid body. */
export function parseBody(tokens: TokenSource): Span[] {
  return parser(tokens, 0).body();
}

/** The table whose table-start token is at position `from`, or an Error when it is not valid. */
function parseTable(tokens: TokenSource, from: number): TableSpan {
  return parser(tokens, from).table();
}

function parser(tokens: TokenSource, from: number) {
  let i = from;
  const at = (k: number) => tokens.at(k)?.kind;
  const malformed = (why: string): never => {
    throw new Error(`malformed body at index ${i + 1}: ${why}`);
  };
  const paragraphs = (): ParaSpan[] => {
    const out: ParaSpan[] = [];
    while (at(i) === 'char' || at(i) === 'para') {
      const start = i;
      while (at(i) === 'char') i++;
      if (at(i) !== 'para') malformed('text without a paragraph end');
      i++;
      out.push({ kind: 'para', start: start + 1, end: i + 1 });
    }
    return out;
  };
  const table = (): TableSpan => {
    const start = i;
    const markers = [i + 1];
    i++;
    const rows: TableSpan['rows'] = [];
    while (at(i) === 'row') {
      const rowStart = i;
      markers.push(i + 1);
      i++;
      const cells: CellSpan[] = [];
      while (at(i) === 'cell') {
        const cellStart = i;
        const style = (tokens.at(i) as { style: JsonObject }).style;
        markers.push(i + 1);
        i++;
        const content = paragraphs();
        if (content.length === 0) malformed('a table cell without a paragraph');
        cells.push({ start: cellStart + 1, end: i + 1, style, content });
      }
      if (cells.length === 0) malformed('a table row without cells');
      rows.push({ start: rowStart + 1, end: i + 1, cells });
    }
    if (at(i) !== 'tableEnd') malformed('a table without its end');
    if (rows.length === 0) malformed('a table without rows');
    if (rows.some((r) => r.cells.length !== rows[0]!.cells.length)) malformed('a ragged table');
    markers.push(i + 1);
    i++;
    return { kind: 'table', start: start + 1, end: i + 1, rows, markers };
  };
  const body = (): Span[] => {
    const out: Span[] = [];
    while (i < tokens.length) {
      if (at(i) === 'table') {
        if (out[out.length - 1]?.kind !== 'para') malformed('a table not preceded by a paragraph');
        out.push(table());
      } else {
        const ps = paragraphs();
        if (ps.length === 0) malformed(`an unexpected ${at(i)} marker`);
        for (const p of ps) out.push(p);
      }
    }
    if (out[out.length - 1]?.kind !== 'para') malformed('the body does not end with a paragraph');
    return out;
  };
  return { body, table };
}

// ---------- the state ----------

/** "Files you can store in Google Drive": "Documents: Up to 1.02 million characters". */
export const MAX_DOCUMENT_CHARACTERS = 1_020_000;

export class DocsState {
  private readonly store = new Map<string, Document>();
  private readonly random: () => number;
  private readonly newId: () => string;

  constructor(options: DocsOptions = {}) {
    this.random = options.random ?? seededRandom(20261204);
    this.newId = options.newId ?? (() => this.randomId());
  }

  /** The live documents (mutable: tests may inspect them). */
  get documents(): ReadonlyMap<string, Document> {
    return this.store;
  }

  document(id: string): Document {
    const doc = this.store.get(id);
    if (!doc) throw new ApiError(404, NOT_FOUND_MESSAGE);
    return doc;
  }

  private randomId(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (;;) {
      let id = '1';
      for (let i = 1; i < 44; i++) id += alphabet[Math.floor(this.random() * alphabet.length)];
      if (!this.store.has(id)) return id;
    }
  }

  private revisionId(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    let id = 'ALBJ4Ls';
    for (let i = 0; i < 40; i++) id += alphabet[Math.floor(this.random() * alphabet.length)];
    return id;
  }

  /** documents.create: an empty document (the body's one empty paragraph). */
  create(body: unknown, id?: string): JsonObject {
    const b = objectAt(body, 'document');
    const documentId = id ?? this.newId();
    if (this.store.has(documentId)) throw new ApiError(409, `Document ${documentId} already exists.`);
    const doc: Document = {
      documentId,
      title: b.title === undefined || b.title === '' ? 'Untitled document' : String(b.title),
      revision: 1,
      revisionId: this.revisionId(),
      tokens: new Tokens([newParagraph()]),
      lists: {},
    };
    this.store.set(documentId, doc);
    return this.json(doc);
  }

  rename(id: string, title: string): void {
    this.document(id).title = title;
  }

  /** documents.get */
  get(id: string, query: { includeTabsContent?: boolean } = {}): JsonObject {
    return this.json(this.document(id), query.includeTabsContent === true);
  }

  // ----- batchUpdate -----

  /** Applies every request in order, atomically: one invalid request and nothing changes. */
  batchUpdate(id: string, body: unknown): JsonObject {
    const original = this.document(id);
    const b = objectAt(body, 'request');
    if (b.requests !== undefined && !Array.isArray(b.requests)) {
      throw badRequest(`Invalid value at 'requests': expected a list`);
    }
    const requests = (b.requests ?? []) as unknown[];
    if (requests.length === 0) throw badRequest('Must specify at least one request.');
    const control = objectAt(b.writeControl, 'write_control');
    const required = control.requiredRevisionId ?? control.targetRevisionId;
    if (required !== undefined && required !== original.revisionId) {
      throw badRequest(
        `The revision ID ${String(required)} does not match the latest revision ID of the document, ${original.revisionId}.`,
      );
    }
    // Tokens and styles are immutable: copying the token list and the lists copies the body.
    const doc: Document = { ...original, tokens: original.tokens.clone(), lists: { ...original.lists } };
    const replies = requests.map((request, i) => {
      const r = objectAt(request, `requests[${i}]`);
      const { kind, handler } = requestKind(r, i, REQUEST_HANDLERS, GOOGLE_REQUEST_KINDS, 'request');
      try {
        return (handler.call(this, doc, objectAt(r[kind], `requests[${i}].${snake(kind)}`)) ??
          {}) as JsonObject;
      } catch (e) {
        if (e instanceof ApiError && !/^Invalid (requests\[|value at|JSON)/.test(e.message)) {
          throw new ApiError(e.code, `Invalid requests[${i}].${kind}: ${e.message}`);
        }
        throw e;
      }
    });
    // "Files you can store in Google Drive": "Documents: Up to 1.02 million characters". What
    // Docs answers past it is not documented: a 400 that applies nothing is the emulator's reading.
    if (doc.tokens.length > MAX_DOCUMENT_CHARACTERS) {
      throw badRequest(
        `The document would have ${doc.tokens.length} characters; a Google Doc holds at most ${MAX_DOCUMENT_CHARACTERS}.`,
      );
    }
    doc.revision++;
    doc.revisionId = this.revisionId();
    this.store.set(id, doc);
    return { documentId: id, replies, writeControl: { requiredRevisionId: doc.revisionId } };
  }

  // ----- locations and ranges -----

  private segment(where: JsonObject): void {
    if (where.segmentId !== undefined && where.segmentId !== '') {
      throw notEmulated('Headers, footers and footnotes (segmentId)');
    }
    if (where.tabId !== undefined && where.tabId !== '' && where.tabId !== 't.0') {
      throw notEmulated('Tabs other than the first (tabId)');
    }
  }

  /** The index of an insertion (`location` or `endOfSegmentLocation`), checked to be in a paragraph. */
  private insertionIndex(doc: Document, req: JsonObject): number {
    const end = doc.tokens.length + 1;
    if (req.endOfSegmentLocation !== undefined) {
      this.segment(objectAt(req.endOfSegmentLocation, 'end_of_segment_location'));
      return end - 1;
    }
    if (req.location === undefined) throw badRequest('A location or an end of segment location must be set.');
    const loc = objectAt(req.location, 'location');
    this.segment(loc);
    const index = intAt(loc.index, 'location.index') ?? 0;
    if (index >= end) {
      throw badRequest(`Index ${index} must be less than the end index of the referenced segment, ${end}.`);
    }
    const kind = doc.tokens.at(index - 1)?.kind;
    if (kind !== 'char' && kind !== 'para') throw badRequest(boundsMessage);
    return index;
  }

  private range(doc: Document, req: JsonObject, allowEmpty = false): { start: number; end: number } {
    if (req.range === undefined) throw badRequest('The range must be set.');
    const r = objectAt(req.range, 'range');
    this.segment(r);
    const start = intAt(r.startIndex, 'range.start_index') ?? 0;
    const end = intAt(r.endIndex, 'range.end_index') ?? 0;
    const segmentEnd = doc.tokens.length + 1;
    if (start < 1) throw badRequest(`Index ${start} must be greater than or equal to 1.`);
    if (end > segmentEnd) {
      throw badRequest(
        `Index ${end - 1} must be less than the end index of the referenced segment, ${segmentEnd}.`,
      );
    }
    if (start > end || (!allowEmpty && start === end)) {
      throw badRequest(
        start === end
          ? 'The range should not be empty.'
          : 'The start index must not be greater than the end index.',
      );
    }
    return { start, end };
  }

  /** The paragraphs a range touches (an empty range touches the paragraph it is in). */
  private paragraphsIn(doc: Document, start: number, end: number): ParaSpan[] {
    const hi = Math.max(end, start + 1);
    const { tokens } = doc;
    // From the start of the paragraph holding `start` (when it is in one), to the end of the
    // last paragraph starting before `hi`; markers in between belong to no paragraph.
    let k = start - 1;
    const kind = tokens.at(k)?.kind;
    if (kind === 'char' || kind === 'para') while (tokens.at(k - 1)?.kind === 'char') k--;
    const out: ParaSpan[] = [];
    let from = -1;
    for (; k < tokens.length && (k + 1 < hi || from >= 0); k++) {
      const t = tokens.at(k)!.kind;
      if (t === 'char') {
        if (from < 0) from = k;
      } else if (t === 'para') {
        out.push({ kind: 'para', start: (from < 0 ? k : from) + 1, end: k + 2 });
        from = -1;
      } else from = -1;
    }
    return out;
  }

  private paragraphEnd(doc: Document, p: ParaSpan): ParagraphToken {
    return doc.tokens.at(p.end - 2) as ParagraphToken;
  }

  /** Replaces the '\n' token ending `p` with a changed copy. */
  private changeParagraph(doc: Document, p: ParaSpan, change: Partial<ParagraphToken>): void {
    const token = this.paragraphEnd(doc, p);
    const next: ParagraphToken = { ...token, ...change };
    if ('bullet' in change && change.bullet === undefined) delete next.bullet;
    doc.tokens.set(p.end - 2, next);
  }

  private insertAt(doc: Document, index: number, text: string): void {
    let container: ParagraphToken | undefined;
    for (let k = index - 1; k < doc.tokens.length; k++) {
      const t = doc.tokens.at(k)!;
      if (t.kind === 'para') {
        container = t;
        break;
      }
    }
    if (!container) throw badRequest(boundsMessage);
    // New paragraphs share the container's style and bullet: styles are never changed in place.
    const paragraph: ParagraphToken = {
      kind: 'para',
      style: container.style,
      textStyle: NO_STYLE,
      ...(container.bullet ? { bullet: container.bullet } : {}),
    };
    const inserted: Token[] = new Array(text.length);
    for (let k = 0; k < text.length; k++) {
      const ch = text[k]!;
      inserted[k] = ch === '\n' ? { ...paragraph } : { kind: 'char', ch, style: NO_STYLE };
    }
    doc.tokens.insert(index - 1, inserted);
  }

  // ----- request handlers (called with `this` bound; they return the reply or nothing) -----

  insertText(doc: Document, req: JsonObject): void {
    if (req.text !== undefined && typeof req.text !== 'string') {
      throw badRequest(
        `Invalid value at 'requests.insert_text.text' (TYPE_STRING), ${JSON.stringify(req.text)}`,
      );
    }
    const index = this.insertionIndex(doc, req);
    this.insertAt(doc, index, String(req.text ?? '').replace(/\r\n?/g, '\n'));
  }

  insertTable(doc: Document, req: JsonObject): void {
    const rows = intAt(req.rows, 'rows') ?? 0;
    const columns = intAt(req.columns, 'columns') ?? 0;
    if (rows < 1) throw badRequest('The number of rows must be at least 1.');
    if (columns < 1) throw badRequest('The number of columns must be at least 1.');
    if (columns > 20) throw badRequest('The number of columns must be at most 20.');
    const index = this.insertionIndex(doc, req);
    // In a table when the paragraphs before it go back to a cell rather than a table's end or
    // the body's start.
    let k = index - 2;
    while (k >= 0 && (doc.tokens.at(k)!.kind === 'char' || doc.tokens.at(k)!.kind === 'para')) k--;
    if (doc.tokens.at(k)?.kind === 'cell') throw notEmulated('Nested tables');
    this.insertAt(doc, index, '\n');
    const table: Token[] = [{ kind: 'table' }];
    for (let r = 0; r < rows; r++) {
      table.push({ kind: 'row' });
      for (let c = 0; c < columns; c++) table.push({ kind: 'cell', style: NO_STYLE }, newParagraph());
    }
    table.push({ kind: 'tableEnd' });
    doc.tokens.insert(index, table);
  }

  deleteContentRange(doc: Document, req: JsonObject): void {
    const { start, end } = this.range(doc, req);
    if (end === doc.tokens.length + 1) {
      throw badRequest('The range cannot include the newline character at the end of the segment.');
    }
    for (const span of parseBody(doc.tokens)) {
      if (span.kind !== 'table' || (start <= span.start && span.end <= end)) continue;
      if (span.markers.some((m) => start <= m && m < end)) {
        throw badRequest('Invalid deletion range. Cannot delete the requested range.');
      }
    }
    const after = doc.tokens.clone();
    after.remove(start - 1, end - start);
    try {
      parseBody(after);
    } catch {
      throw badRequest('Invalid deletion range. Cannot delete the requested range.');
    }
    doc.tokens = after;
  }

  updateParagraphStyle(doc: Document, req: JsonObject): void {
    const style = objectAt(req.paragraphStyle, 'paragraph_style');
    const named = style.namedStyleType;
    if (named !== undefined && !NAMED_STYLES.includes(named as (typeof NAMED_STYLES)[number])) {
      throw badRequest(
        `Invalid value at 'requests.update_paragraph_style.paragraph_style.named_style_type' (type.googleapis.com/google.apps.docs.v1.NamedStyleType), "${String(named)}"`,
      );
    }
    const { start, end } = this.range(doc, req, true);
    // "ParagraphStyle": "Attempting to update page_break_before for paragraphs in unsupported
    // regions, including Table, Header, Footer and Footnote, can result in an invalid document
    // state that returns a 400 bad request error" — the emulator always refuses it.
    if (
      String(req.fields ?? '')
        .split(',')
        .some((f) => f.trim() === 'pageBreakBefore' || f.trim() === '*')
    ) {
      const inTable = parseBody(doc.tokens).some(
        (span) => span.kind === 'table' && start < span.end && span.start < end,
      );
      if (inTable && style.pageBreakBefore !== undefined) {
        throw badRequest(
          'Invalid requests[0].updateParagraphStyle: page break before is not supported in a table.',
        );
      }
    }
    const restyle = restyler(style, req.fields, 'paragraph_style', (s) => {
      if (s.namedStyleType === undefined) s.namedStyleType = 'NORMAL_TEXT';
    });
    for (const p of this.paragraphsIn(doc, start, end)) {
      this.changeParagraph(doc, p, { style: restyle(this.paragraphEnd(doc, p).style) });
    }
  }

  updateTextStyle(doc: Document, req: JsonObject): void {
    const style = objectAt(req.textStyle, 'text_style');
    const { start, end } = this.range(doc, req);
    const restyle = restyler(style, req.fields, 'text_style');
    for (let k = start - 1; k < end - 1; k++) {
      const t = doc.tokens.at(k)!;
      if (t.kind === 'char') doc.tokens.set(k, { ...t, style: restyle(t.style) });
      else if (t.kind === 'para') doc.tokens.set(k, { ...t, textStyle: restyle(t.textStyle) });
    }
  }

  createParagraphBullets(doc: Document, req: JsonObject): void {
    const preset = req.bulletPreset;
    if (typeof preset !== 'string' || !(preset in BULLET_GLYPHS || preset in NUMBERED_GLYPHS)) {
      throw badRequest(
        preset === undefined
          ? 'The bullet preset must be set.'
          : `Invalid value at 'requests.create_paragraph_bullets.bullet_preset' (type.googleapis.com/google.apps.docs.v1.BulletGlyphPreset), "${String(preset)}"`,
      );
    }
    const { start, end } = this.range(doc, req, true);
    const paragraphs = this.paragraphsIn(doc, start, end);
    const listId = this.newListId(doc);
    doc.lists[listId] = listOf(preset);
    for (const p of [...paragraphs].reverse()) {
      let tabs = 0;
      while (tabs < 8 && (doc.tokens.at(p.start - 1 + tabs) as CharToken).ch === '\t') tabs++;
      this.changeParagraph(doc, p, { bullet: { listId, nestingLevel: tabs } });
      doc.tokens.remove(p.start - 1, tabs);
    }
  }

  deleteParagraphBullets(doc: Document, req: JsonObject): void {
    const { start, end } = this.range(doc, req, true);
    for (const p of this.paragraphsIn(doc, start, end)) {
      if (this.paragraphEnd(doc, p).bullet) this.changeParagraph(doc, p, { bullet: undefined });
    }
  }

  updateTableCellStyle(doc: Document, req: JsonObject): void {
    const style = objectAt(req.tableCellStyle, 'table_cell_style');
    let location: JsonObject;
    let rowIndex = 0;
    let columnIndex = 0;
    let rowSpan: number | undefined;
    let columnSpan: number | undefined;
    if (req.tableRange !== undefined) {
      const range = objectAt(req.tableRange, 'table_range');
      const cell = objectAt(range.tableCellLocation, 'table_range.table_cell_location');
      location = objectAt(cell.tableStartLocation, 'table_range.table_cell_location.table_start_location');
      rowIndex = intAt(cell.rowIndex, 'table_range.table_cell_location.row_index') ?? 0;
      columnIndex = intAt(cell.columnIndex, 'table_range.table_cell_location.column_index') ?? 0;
      rowSpan = intAt(range.rowSpan, 'table_range.row_span') ?? 0;
      columnSpan = intAt(range.columnSpan, 'table_range.column_span') ?? 0;
    } else if (req.tableStartLocation !== undefined) {
      location = objectAt(req.tableStartLocation, 'table_start_location');
    } else {
      throw badRequest('A table range or a table start location must be set.');
    }
    this.segment(location);
    const index = intAt(location.index, 'table_start_location.index') ?? 0;
    const table = this.tableAt(doc, index);
    if (!table)
      throw badRequest(`The provided table start location (index ${index}) does not refer to a table.`);
    rowSpan ??= table.rows.length;
    columnSpan ??= table.rows[0]!.cells.length;
    if (
      rowIndex < 0 ||
      columnIndex < 0 ||
      rowSpan < 1 ||
      columnSpan < 1 ||
      rowIndex + rowSpan > table.rows.length ||
      columnIndex + columnSpan > table.rows[0]!.cells.length
    ) {
      throw badRequest('The table range is outside the bounds of the table.');
    }
    const restyle = restyler(style, req.fields, 'table_cell_style');
    for (let r = rowIndex; r < rowIndex + rowSpan; r++) {
      for (let c = columnIndex; c < columnIndex + columnSpan; c++) {
        const cell = table.rows[r]!.cells[c]!;
        const token = doc.tokens.at(cell.start - 1) as { kind: 'cell'; style: JsonObject };
        doc.tokens.set(cell.start - 1, { kind: 'cell', style: restyle(token.style) });
      }
    }
  }

  /** The last table read: a writer styles a table's cells one request after the other. */
  private lastTable?: { tokens: Tokens; version: number; span: TableSpan };

  /** The table starting at document index `index`, if one does. */
  private tableAt(doc: Document, index: number): TableSpan | undefined {
    const cached = this.lastTable;
    if (cached && cached.tokens === doc.tokens && cached.version === doc.tokens.version) {
      if (cached.span.start === index) return cached.span;
    }
    if (index < 1 || doc.tokens.at(index - 1)?.kind !== 'table') return undefined;
    const span = parseTable(doc.tokens, index - 1);
    this.lastTable = { tokens: doc.tokens, version: doc.tokens.version, span };
    return span;
  }

  private newListId(doc: Document): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    for (;;) {
      let id = 'kix.';
      for (let i = 0; i < 12; i++) id += alphabet[Math.floor(this.random() * alphabet.length)];
      if (!(id in doc.lists)) return id;
    }
  }

  // ----- JSON -----

  private json(doc: Document, tabs = false): JsonObject {
    const spans = parseBody(doc.tokens);
    const used = new Set<string>();
    const paragraph = (p: ParaSpan): JsonObject => {
      const elements: JsonObject[] = [];
      let runStart = p.start;
      let content = '';
      let key = '';
      let style: JsonObject = {};
      const flush = (endIndex: number) => {
        if (content === '') return;
        elements.push({
          startIndex: runStart,
          endIndex,
          textRun: { content, textStyle: structuredClone(style) },
        });
      };
      for (let index = p.start; index < p.end; index++) {
        const t = doc.tokens.at(index - 1) as CharToken | ParagraphToken;
        const s = t.kind === 'char' ? t.style : t.textStyle;
        const k = s === style ? key : canonicalStyle(s);
        if (content !== '' && k !== key) {
          flush(index);
          runStart = index;
          content = '';
        }
        key = k;
        style = s;
        content += t.kind === 'char' ? t.ch : '\n';
      }
      flush(p.end);
      const end = this.paragraphEnd(doc, p);
      const out: JsonObject = {
        elements,
        paragraphStyle: { direction: 'LEFT_TO_RIGHT', ...structuredClone(end.style) },
      };
      if (end.bullet) {
        used.add(end.bullet.listId);
        const bullet: JsonObject = { listId: end.bullet.listId, textStyle: {} };
        if (end.bullet.nestingLevel > 0) bullet.nestingLevel = end.bullet.nestingLevel;
        out.bullet = bullet;
      }
      return { startIndex: p.start, endIndex: p.end, paragraph: out };
    };
    const content: JsonObject[] = [
      {
        endIndex: 1,
        sectionBreak: {
          sectionStyle: {
            columnSeparatorStyle: 'NONE',
            contentDirection: 'LEFT_TO_RIGHT',
            sectionType: 'CONTINUOUS',
          },
        },
      },
    ];
    for (const span of spans) {
      if (span.kind === 'para') {
        content.push(paragraph(span));
        continue;
      }
      const columns = span.rows[0]!.cells.length;
      content.push({
        startIndex: span.start,
        endIndex: span.end,
        table: {
          rows: span.rows.length,
          columns,
          tableRows: span.rows.map((row) => ({
            startIndex: row.start,
            endIndex: row.end,
            tableCells: row.cells.map((cell) => ({
              startIndex: cell.start,
              endIndex: cell.end,
              content: cell.content.map(paragraph),
              tableCellStyle: { rowSpan: 1, columnSpan: 1, ...structuredClone(cell.style) },
            })),
            tableRowStyle: { minRowHeight: { unit: 'PT' } },
          })),
          tableStyle: {
            tableColumnProperties: Array.from({ length: columns }, () => ({
              widthType: 'EVENLY_DISTRIBUTED',
            })),
          },
        },
      });
    }
    const documentTab: JsonObject = {
      body: { content },
      documentStyle: {
        pageSize: {
          height: { magnitude: 841.8897637795277, unit: 'PT' },
          width: { magnitude: 595.2755905511812, unit: 'PT' },
        },
        marginTop: { magnitude: 72, unit: 'PT' },
        marginBottom: { magnitude: 72, unit: 'PT' },
        marginLeft: { magnitude: 72, unit: 'PT' },
        marginRight: { magnitude: 72, unit: 'PT' },
      },
    };
    const lists = Object.fromEntries(
      Object.entries(doc.lists)
        .filter(([id]) => used.has(id))
        .map(([id, list]) => [id, structuredClone(list)]),
    );
    if (Object.keys(lists).length) documentTab.lists = lists;
    const head: JsonObject = { title: doc.title };
    const tail: JsonObject = {
      revisionId: doc.revisionId,
      suggestionsViewMode: 'SUGGESTIONS_INLINE',
      documentId: doc.documentId,
    };
    if (tabs) {
      return {
        ...head,
        ...tail,
        tabs: [{ tabProperties: { tabId: 't.0', title: 'Tab 1', index: 0 }, documentTab }],
      };
    }
    return { ...head, ...documentTab, ...tail };
  }

  /** The documents as plain text per paragraph plus their full JSON, for the state dump. */
  dump(): JsonObject[] {
    return [...this.store.values()].map((doc) => ({
      ...this.json(doc),
      text: doc.tokens
        .toArray()
        .map((t) => (t.kind === 'char' ? t.ch : t.kind === 'para' ? '\n' : ''))
        .join(''),
    }));
  }
}

function listOf(preset: string): JsonObject {
  const symbols = BULLET_GLYPHS[preset];
  const types = NUMBERED_GLYPHS[preset] ?? ['DECIMAL'];
  const nestingLevels = Array.from({ length: 9 }, (_, level) => {
    const base: JsonObject = {
      bulletAlignment: 'START',
      indentFirstLine: { magnitude: 18 + 36 * level, unit: 'PT' },
      indentStart: { magnitude: 36 + 36 * level, unit: 'PT' },
      startNumber: 1,
      textStyle: { underline: false },
    };
    if (symbols) return { ...base, glyphSymbol: symbols[level % symbols.length]!, glyphFormat: `%${level}` };
    const parens = preset.endsWith('_PARENS');
    const nested = preset === 'NUMBERED_DECIMAL_NESTED';
    const format = nested
      ? Array.from({ length: level + 1 }, (_, k) => `%${k}.`).join('')
      : parens
        ? `%${level})`
        : `%${level}.`;
    return { ...base, glyphType: types[level % types.length]!, glyphFormat: format };
  });
  return { listProperties: { nestingLevels } };
}

/** A request handler returns its reply, or nothing for requests whose reply is `{}`. */
type Handler = (this: DocsState, doc: Document, req: JsonObject) => unknown;

const REQUEST_HANDLERS: Readonly<Record<string, Handler>> = {
  insertText: DocsState.prototype.insertText,
  insertTable: DocsState.prototype.insertTable,
  deleteContentRange: DocsState.prototype.deleteContentRange,
  updateParagraphStyle: DocsState.prototype.updateParagraphStyle,
  updateTextStyle: DocsState.prototype.updateTextStyle,
  createParagraphBullets: DocsState.prototype.createParagraphBullets,
  deleteParagraphBullets: DocsState.prototype.deleteParagraphBullets,
  updateTableCellStyle: DocsState.prototype.updateTableCellStyle,
};

export const SUPPORTED_DOCS_REQUESTS: readonly string[] = Object.keys(REQUEST_HANDLERS);
