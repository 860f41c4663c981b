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
 */
import { type Block, type Document, type Inline, inlineText, type TableCell } from './document';
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

/** The pack's status colours (the same as the HTML pack and the Sheet). */
const STATUS_FILL: Partial<Record<Status, string>> = {
  'Might miss': '#FFE08A',
  Missed: '#F4B6B6',
  Done: '#C8E6C9',
  Dropped: '#E0E0E0',
};
const CUT_RED = '#C62828';
const HEADER_FILL = '#ECEFF1';
const MUTED = '#5F6368';

const AT = 1;

/** Cell and paragraph text: one line (newlines would create paragraphs). */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

function safeLink(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url.trim()) ? url.trim() : undefined;
}

/** Text of inline content with the style runs to apply, relative to its start. */
function runs(content: Inline[]): {
  text: string;
  styles: { start: number; end: number; style: Record<string, unknown>; fields: string }[];
} {
  let text = '';
  const styles: { start: number; end: number; style: Record<string, unknown>; fields: string }[] = [];
  for (const inline of content) {
    const t = oneLine(inlineText(inline));
    const start = text.length;
    text += t;
    if (typeof inline === 'string' || t.length === 0) continue;
    const style: Record<string, unknown> = {};
    const fields: string[] = [];
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
    if (fields.length) styles.push({ start, end: start + t.length, style, fields: fields.join(',') });
  }
  return { text, styles };
}

function styleRequests(base: number, r: ReturnType<typeof runs>): DocsRequest[] {
  return r.styles.map((s) => ({
    updateTextStyle: {
      range: { startIndex: base + s.start, endIndex: base + s.end },
      textStyle: s.style,
      fields: s.fields,
    },
  }));
}

/** Paragraphs (each ending in a newline) inserted at AT, with their named style. */
function paragraphs(
  items: Inline[][],
  namedStyleType: string,
  extra: (range: Range, i: number) => DocsRequest[] = () => [],
): DocsRequest[] {
  const out: DocsRequest[] = [];
  const parts = items.map(runs);
  const text = parts.map((p) => `${p.text}\n`).join('');
  out.push({ insertText: { text, location: { index: AT } } });
  let at = AT;
  parts.forEach((p, i) => {
    const range = { startIndex: at, endIndex: at + p.text.length + 1 };
    out.push({
      updateParagraphStyle: { range, paragraphStyle: { namedStyleType }, fields: 'namedStyleType' },
    });
    out.push(...styleRequests(at, p));
    out.push(...extra(range, i));
    at = range.endIndex;
  });
  return out;
}

function cellContent(c: TableCell): Inline[] {
  return c.content;
}

/** An R×C table at AT: the table, then its cells filled last to first. */
function table(columns: string[], rows: TableCell[][]): DocsRequest[] {
  const all: TableCell[][] = [columns.map((h) => ({ content: [{ text: h, bold: true }] })), ...rows];
  const R = all.length;
  const C = columns.length;
  const S = AT + 1; // Docs puts a newline before the table.
  const out: DocsRequest[] = [{ insertTable: { rows: R, columns: C, location: { index: AT } } }];
  const cellParagraph = (r: number, c: number) => S + 1 + r * (2 * C + 1) + 2 + 2 * c;
  const styles: DocsRequest[] = [];
  for (let r = R - 1; r >= 0; r--) {
    for (let c = C - 1; c >= 0; c--) {
      const cell = all[r]![c] ?? { content: [] };
      const p = runs(cellContent(cell));
      const at = cellParagraph(r, c);
      if (p.text) {
        out.push({ insertText: { text: p.text, location: { index: at } } });
        out.push(...styleRequests(at, p));
      }
      const fill = r === 0 ? HEADER_FILL : cell.status ? STATUS_FILL[cell.status] : undefined;
      if (fill) {
        styles.push({
          updateTableCellStyle: {
            tableCellStyle: { backgroundColor: rgb(fill) },
            tableRange: {
              tableCellLocation: { tableStartLocation: { index: S }, rowIndex: r, columnIndex: c },
              rowSpan: 1,
              columnSpan: 1,
            },
            fields: 'backgroundColor',
          },
        });
      }
    }
  }
  // Cell styles address the table by its start, which the cell text does not move.
  return [...out, ...styles];
}

function block(b: Block, next: Block | undefined): DocsRequest[] {
  // Text inserted before a list would join it: plain paragraphs drop inherited bullets.
  const unbullet = (range: Range): DocsRequest[] =>
    next?.type === 'list' ? [{ deleteParagraphBullets: { range } }] : [];
  switch (b.type) {
    case 'heading':
      return paragraphs([[b.text]], `HEADING_${b.level}`, unbullet);
    case 'paragraph':
      return paragraphs([b.content], 'NORMAL_TEXT', unbullet);
    case 'list': {
      const reqs = paragraphs(b.items, 'NORMAL_TEXT');
      const text = (reqs[0] as { insertText: { text: string } }).insertText.text;
      reqs.push({
        createParagraphBullets: {
          range: { startIndex: AT, endIndex: AT + text.length },
          bulletPreset: b.ordered ? 'NUMBERED_DECIMAL_ALPHA_ROMAN' : 'BULLET_DISC_CIRCLE_SQUARE',
        },
      });
      return reqs;
    }
    case 'table':
      return b.rows.length || b.columns.length ? table(b.columns, b.rows) : [];
    case 'cut':
      return paragraphs([[{ text: b.text, bold: true }]], 'NORMAL_TEXT', (range) => [
        ...unbullet(range),
        {
          updateTextStyle: {
            range: { startIndex: range.startIndex, endIndex: range.endIndex - 1 },
            textStyle: { foregroundColor: rgb(CUT_RED) },
            fields: 'foregroundColor',
          },
        },
        {
          updateParagraphStyle: {
            range,
            paragraphStyle: {
              borderTop: {
                color: rgb(CUT_RED),
                width: { magnitude: 1.5, unit: 'PT' },
                dashStyle: 'DASH',
                padding: { magnitude: 4, unit: 'PT' },
              },
            },
            fields: 'borderTop',
          },
        },
      ]);
  }
}

/** Requests that write `doc` into an empty document. */
export function renderDocsRequests(doc: Document): DocsRequest[] {
  const blocks: Block[] = [
    ...(doc.subtitle ? [{ type: 'paragraph' as const, content: [{ text: doc.subtitle, muted: true }] }] : []),
    ...doc.blocks,
  ];
  const out: DocsRequest[] = [];
  for (let i = blocks.length - 1; i >= 0; i--) out.push(...block(blocks[i]!, blocks[i + 1]));
  // The title, inserted last, becomes the first paragraph, in the document's Title style.
  out.push(
    ...paragraphs([[doc.title]], 'TITLE', (range) =>
      blocks[0]?.type === 'list' ? [{ deleteParagraphBullets: { range } }] : [],
    ),
  );
  return out;
}
