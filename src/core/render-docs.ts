/**
 * The document model as Google Docs API requests (documents.batchUpdate), for an empty
 * document body. Pure: the Node job sends these with googleapis and the Apps Script runtime
 * with its advanced Docs service — the same request objects.
 *
 * Blocks are inserted last to first, each at index 1, so every index is known without reading
 * the document back: what is already there only moves further down, styles travel with their
 * text, and within a table the cells are filled last to first for the same reason. Indexes are
 * UTF-16 code units, as JavaScript string lengths are. A table inserted at index i is preceded
 * by a newline Docs adds itself, so it starts at i + 1; an empty R×C table starting at S has
 * row r at S + 1 + r(2C + 1) and the paragraph of cell (r, c) at that + 2 + 2c (Google
 * documents S + 3, S + 5, S + 8, S + 10 for a 2×2 table).
 *
 * As few requests as the document needs: consecutive paragraphs, headings, lists and cut lines
 * between two tables are one "flow", written with one insertText; its named styles are set per
 * run of paragraphs of the same style, text styles per run of equally styled text, bullets once
 * per list. A table is one insertTable, one insertText per non-empty cell (cells are separate
 * paragraphs: nothing fills two with one insert), the cells' own text styles, one background
 * request for the header row and one per vertical run of equally coloured status cells.
 *
 * The requests come in steps (`renderDocsSteps`): after each step the document is a valid,
 * partly built pack, so a writer may split the list into several batchUpdate calls between any
 * two steps. A step is a flow, a table's insertion, one table row's cells, or a table's fills.
 */
import { withChartsAsTables } from './charts';
import { type Block, type Document, type Inline, inlineText, type TableCell } from './document';
import { STATUS_FILLS } from './layout';
import type { Status } from './types';

/** The subset of the Docs API request shapes this renderer emits. */
export type DocsRequest =
  | { insertText: { text: string; location: { index: number } } }
  | { insertTable: { rows: number; columns: number; location: { index: number } } }
  | { updateParagraphStyle: { range: Range; paragraphStyle: Record<string, unknown>; fields: string } }
  | { updateTextStyle: { range: Range; textStyle: Record<string, unknown>; fields: string } }
  | { createParagraphBullets: { range: Range; bulletPreset: string } }
  | { deleteParagraphBullets: { range: Range } }
  | {
      updateTableCellStyle: {
        tableCellStyle: Record<string, unknown>;
        tableRange: {
          tableCellLocation: { tableStartLocation: { index: number }; rowIndex: number; columnIndex: number };
          rowSpan: number;
          columnSpan: number;
        };
        fields: string;
      };
    };

interface Range {
  startIndex: number;
  endIndex: number;
}

type Rgb = { red: number; green: number; blue: number };

function rgb(hex: string): { color: { rgbColor: Rgb } } {
  const n = Number.parseInt(hex.slice(1), 16);
  return {
    color: {
      rgbColor: { red: ((n >> 16) & 255) / 255, green: ((n >> 8) & 255) / 255, blue: (n & 255) / 255 },
    },
  };
}

/** The pack's status fills: the register's and the HTML pack's (layout.ts STATUS_COLOURS). */
const STATUS_FILL: Partial<Record<Status, string>> = Object.fromEntries(
  STATUS_FILLS.map((f) => [f.status, f.background]),
);
const CUT_RED = '#C62828';
const HEADER_FILL = '#ECEFF1';
const MUTED = '#5F6368';

const AT = 1;

/** Cell and paragraph text: one line (a newline or carriage return would create paragraphs). */
function oneLine(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ');
}

function safeLink(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url.trim()) ? url.trim() : undefined;
}

/** A text style to apply to [start, end), relative to the start of some text. */
interface StyleRun {
  start: number;
  end: number;
  style: Record<string, unknown>;
  fields: string;
  /** Equal keys, equal styles: adjacent runs with the same key merge. */
  key: string;
}

/** Text of inline content with its style runs (relative to its start), adjacent equal runs merged. */
function runs(
  content: Inline[],
  extra?: { style: Record<string, unknown>; field: string },
): {
  text: string;
  styles: StyleRun[];
} {
  let text = '';
  const styles: StyleRun[] = [];
  for (const inline of content) {
    const t = oneLine(inlineText(inline));
    const start = text.length;
    text += t;
    if (t.length === 0) continue;
    const style: Record<string, unknown> = {};
    const fields: string[] = [];
    if (typeof inline !== 'string') {
      if (inline.bold) {
        style.bold = true;
        fields.push('bold');
      }
      if (inline.italic) {
        style.italic = true;
        fields.push('italic');
      }
      if (inline.muted) {
        style.foregroundColor = rgb(MUTED);
        fields.push('foregroundColor');
      }
      const link = inline.link ? safeLink(inline.link) : undefined;
      if (link) {
        style.link = { url: link };
        fields.push('link');
      }
    }
    if (extra) {
      Object.assign(style, extra.style);
      if (!fields.includes(extra.field)) fields.push(extra.field);
    }
    if (fields.length === 0) continue;
    const key = JSON.stringify([fields, style]);
    const last = styles[styles.length - 1];
    if (last && last.end === start && last.key === key) last.end = start + t.length;
    else styles.push({ start, end: start + t.length, style, fields: fields.join(','), key });
  }
  return { text, styles };
}

function styleRequests(base: number, styles: StyleRun[]): DocsRequest[] {
  return styles.map((s) => ({
    updateTextStyle: {
      range: { startIndex: base + s.start, endIndex: base + s.end },
      textStyle: s.style,
      fields: s.fields,
    },
  }));
}

// ---------- flows: paragraphs, headings, lists and cut lines between tables ----------

type FlowBlock =
  | Exclude<Block, { type: 'table' } | { type: 'chart' } | { type: 'heading' }>
  /** `pageBreak`: the heading starts a new page (the one after the at-a-glance box). */
  | (Extract<Block, { type: 'heading' }> & { pageBreak?: boolean })
  | { type: 'title'; text: string };

const CUT_BORDER = {
  borderTop: {
    color: rgb(CUT_RED),
    width: { magnitude: 1.5, unit: 'PT' },
    dashStyle: 'DASH',
    padding: { magnitude: 4, unit: 'PT' },
  },
};

interface FlowParagraph {
  text: string;
  styles: StyleRun[];
  namedStyleType: string;
  /** The cut line's border. */
  cut?: boolean;
  pageBreak?: boolean;
}

function flowParagraphs(b: FlowBlock): FlowParagraph[] {
  switch (b.type) {
    case 'title':
      return [{ ...runs([b.text]), namedStyleType: 'TITLE' }];
    case 'heading':
      return [{ ...runs([b.text]), namedStyleType: `HEADING_${b.level}`, pageBreak: b.pageBreak }];
    case 'paragraph':
      return [{ ...runs(b.content), namedStyleType: 'NORMAL_TEXT' }];
    case 'list':
      return b.items.map((item) => ({ ...runs(item), namedStyleType: 'NORMAL_TEXT' }));
    case 'cut':
      return [
        {
          ...runs([{ text: b.text, bold: true }], {
            style: { foregroundColor: rgb(CUT_RED) },
            field: 'foregroundColor',
          }),
          namedStyleType: 'NORMAL_TEXT',
          cut: true,
        },
      ];
  }
}

/** What the first paragraph of a part has that a paragraph split from it would keep. */
type Lead = 'list item' | 'cut' | 'plain';

/**
 * Consecutive non-table blocks inserted at AT with one insertText. The new paragraphs take the
 * paragraph style and bullet of the paragraph at AT they are inserted before — a table's
 * leading newline (see `table`) or the body's last paragraph: a plain paragraph. Their named
 * styles are then set, the cut line's border, and each list gets its own bullets.
 */
function flow(blocks: FlowBlock[]): { requests: DocsRequest[]; first?: Lead } {
  const paragraphs: (FlowParagraph & { start: number })[] = [];
  const lists: { range: Range; ordered: boolean }[] = [];
  let at = AT;
  for (const b of blocks) {
    const from = at;
    for (const p of flowParagraphs(b)) {
      paragraphs.push({ ...p, start: at });
      at += p.text.length + 1;
    }
    if (b.type === 'list' && at > from)
      lists.push({ range: { startIndex: from, endIndex: at }, ordered: b.ordered });
  }
  if (paragraphs.length === 0) return { requests: [] };
  const out: DocsRequest[] = [
    { insertText: { text: paragraphs.map((p) => `${p.text}\n`).join(''), location: { index: AT } } },
  ];
  // Named styles, one request per run of paragraphs with the same style (the cut line alone).
  for (let i = 0; i < paragraphs.length; ) {
    const first = paragraphs[i]!;
    let j = i + 1;
    const alone = (p: FlowParagraph) => p.cut || p.pageBreak;
    while (
      j < paragraphs.length &&
      !alone(first) &&
      !alone(paragraphs[j]!) &&
      paragraphs[j]!.namedStyleType === first.namedStyleType
    )
      j++;
    const last = paragraphs[j - 1]!;
    out.push({
      updateParagraphStyle: {
        range: { startIndex: first.start, endIndex: last.start + last.text.length + 1 },
        paragraphStyle: {
          namedStyleType: first.namedStyleType,
          ...(first.cut ? CUT_BORDER : {}),
          ...(first.pageBreak ? { pageBreakBefore: true } : {}),
        },
        fields: `namedStyleType${first.cut ? ',borderTop' : ''}${first.pageBreak ? ',pageBreakBefore' : ''}`,
      },
    });
    i = j;
  }
  for (const p of paragraphs) out.push(...styleRequests(p.start, p.styles));
  // Last list first: a leading tab becomes a nesting level and leaves the text, moving what
  // follows it — never an index still to be used.
  for (const l of [...lists].reverse()) {
    out.push({
      createParagraphBullets: {
        range: l.range,
        bulletPreset: l.ordered ? 'NUMBERED_DECIMAL_ALPHA_ROMAN' : 'BULLET_DISC_CIRCLE_SQUARE',
      },
    });
  }
  const first: Lead = lists[0]?.range.startIndex === AT ? 'list item' : paragraphs[0]!.cut ? 'cut' : 'plain';
  return { requests: out, first };
}

// ---------- tables ----------

function cellFill(status: Status | undefined): string | undefined {
  return status ? STATUS_FILL[status] : undefined;
}

function fillRequest(
  S: number,
  fill: string,
  rowIndex: number,
  columnIndex: number,
  rowSpan: number,
  columnSpan: number,
): DocsRequest {
  return {
    updateTableCellStyle: {
      tableCellStyle: { backgroundColor: rgb(fill) },
      tableRange: {
        tableCellLocation: { tableStartLocation: { index: S }, rowIndex, columnIndex },
        rowSpan,
        columnSpan,
      },
      fields: 'backgroundColor',
    },
  };
}

/**
 * An R×C table at AT, in steps: the table; then each row's cells, last row first and each row
 * last cell first (an earlier cell never moves a later one); then the cell backgrounds, which
 * address the table by its start — the cell text does not move it.
 */
function table(columns: string[], rows: TableCell[][], before: Lead): DocsRequest[][] {
  const all: TableCell[][] = [columns.map((h) => ({ content: [{ text: h, bold: true }] })), ...rows];
  const R = all.length;
  const C = columns.length;
  const S = AT + 1; // Docs puts a newline before the table.
  const first: DocsRequest[] = [{ insertTable: { rows: R, columns: C, location: { index: AT } } }];
  // That newline splits the paragraph at AT and keeps its style and bullet: neither a heading's
  // style, the cut line's border nor a list may start there (nor spread to the paragraphs
  // inserted before it) — it is a plain empty line above the table.
  const leading = { startIndex: AT, endIndex: AT + 1 };
  if (before === 'list item') first.push({ deleteParagraphBullets: { range: leading } });
  first.push({
    updateParagraphStyle: {
      range: leading,
      paragraphStyle: { namedStyleType: 'NORMAL_TEXT' },
      fields: before === 'cut' ? 'namedStyleType,borderTop' : 'namedStyleType',
    },
  });
  const steps: DocsRequest[][] = [first];
  const cellParagraph = (r: number, c: number) => S + 1 + r * (2 * C + 1) + 2 + 2 * c;
  for (let r = R - 1; r >= 0; r--) {
    const step: DocsRequest[] = [];
    for (let c = C - 1; c >= 0; c--) {
      const p = runs(all[r]![c]?.content ?? []);
      if (!p.text) continue;
      const at = cellParagraph(r, c);
      step.push({ insertText: { text: p.text, location: { index: at } } });
      step.push(...styleRequests(at, p.styles));
    }
    if (step.length) steps.push(step);
  }
  const fills: DocsRequest[] = [fillRequest(S, HEADER_FILL, 0, 0, 1, C)];
  for (let c = 0; c < C; c++) {
    for (let r = 1; r < R; ) {
      const fill = cellFill(all[r]![c]?.status);
      let end = r + 1;
      while (end < R && fill !== undefined && cellFill(all[end]![c]?.status) === fill) end++;
      if (fill) fills.push(fillRequest(S, fill, r, c, end - r, 1));
      r = end;
    }
  }
  steps.push(fills);
  return steps;
}

/** Requests that write `doc` into an empty document, in steps after each of which the document is valid. */
export function renderDocsSteps(doc: Document): DocsRequest[][] {
  const blocks: (FlowBlock | Extract<Block, { type: 'table' }>)[] = [
    // The title becomes the first paragraph, in the document's Title style.
    { type: 'title', text: doc.title },
    ...(doc.subtitle ? [{ type: 'paragraph' as const, content: [{ text: doc.subtitle, muted: true }] }] : []),
    // A table without rows or columns has nothing to show; a chart is given as a table.
    ...(withChartsAsTables(doc.blocks) as (FlowBlock | Extract<Block, { type: 'table' }>)[]).filter(
      (b) => b.type !== 'table' || b.rows.length > 0 || b.columns.length > 0,
    ),
  ];
  // Printed, the at-a-glance box is page 1: the heading after it starts page 2 ("ParagraphStyle":
  // "pageBreakBefore — Whether the current paragraph should always start at the beginning of a
  // page … Attempting to update page_break_before for paragraphs in unsupported regions, including
  // Table … can result in … a 400 bad request error"). Only after a paragraph, never a table: the
  // heading then never starts an insertion whose style the paragraphs inserted before it take.
  const glance = blocks.findIndex((b) => b.type === 'heading' && b.box === 'glance');
  const next =
    glance < 0 ? -1 : blocks.findIndex((b, i) => i > glance && b.type === 'heading' && b.level <= 2);
  if (next > 0 && blocks[next - 1]!.type !== 'table')
    blocks[next] = { ...(blocks[next] as FlowBlock), pageBreak: true } as FlowBlock;
  const steps: DocsRequest[][] = [];
  // The paragraph at AT, before which the next part is inserted.
  let before: Lead = 'plain';
  for (let end = blocks.length; end > 0; ) {
    const last = blocks[end - 1]!;
    if (last.type === 'table') {
      steps.push(...table(last.columns, last.rows, before));
      before = 'plain';
      end--;
      continue;
    }
    let start = end - 1;
    while (start > 0 && blocks[start - 1]!.type !== 'table') start--;
    const { requests, first } = flow(blocks.slice(start, end) as FlowBlock[]);
    if (first) {
      steps.push(requests);
      before = first;
    }
    end = start;
  }
  return steps;
}

/** Requests that write `doc` into an empty document. */
export function renderDocsRequests(doc: Document): DocsRequest[] {
  return renderDocsSteps(doc).flat();
}

/**
 * The most one documents.batchUpdate call carries: 2,000,000 bytes of requests (as UTF-8 JSON)
 * and 20,000 requests. Google refuses a request body over 10 MiB ("Request payload size exceeds
 * the limit: 10485760 bytes") and documents no cap on the number of requests in a batch, but one
 * call is applied atomically on the whole document, so it is kept well below the payload limit
 * and to a bounded amount of work. Each call counts once against the Docs quota of 60 writes per
 * minute per user whatever its size: a pack of 10,000 milestones (155,000 requests, 13 MB)
 * takes 8 calls, one of 1,000 milestones 2, one of 100 milestones 1 (`npm run bench`).
 */
export const DOCS_BATCH_LIMITS = { bytes: 2_000_000, requests: 20_000 } as const;

/**
 * The pack's requests cut into batchUpdate calls, only between steps (after each step the
 * document is a valid, partly built pack, so each call is valid on its own), each call within
 * `limits` unless one step alone is larger. `first` (the clear) opens the first call.
 */
export function docsBatches<R = DocsRequest>(
  first: readonly R[],
  steps: readonly (readonly DocsRequest[])[],
  limits: { bytes: number; requests: number } = DOCS_BATCH_LIMITS,
): R[][] {
  const out: R[][] = [];
  let batch: R[] = [...first];
  let bytes = utf8Length(JSON.stringify(batch));
  for (const step of steps) {
    if (step.length === 0) continue;
    const size = utf8Length(JSON.stringify(step));
    if (batch.length > 0 && (bytes + size > limits.bytes || batch.length + step.length > limits.requests)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(...(step as unknown as R[]));
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** Bytes of a string in UTF-8 (no TextEncoder/Buffer: the core runs in Apps Script too). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
