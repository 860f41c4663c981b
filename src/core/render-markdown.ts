/**
 * Document → GitHub-flavoured Markdown. People's text is escaped so it can never become
 * formatting, links or raw HTML; table cells keep to one line.
 */
import { chartAsTable, trendSummary } from './charts';
import type { Block, Document, Inline, TableCell } from './document';
import type { Status } from './types';

const LOUD: readonly Status[] = ['Might miss', 'Missed'];

export function renderMarkdown(doc: Document): string {
  const out: string[] = [`# ${line(doc.title)}`];
  if (doc.subtitle) out.push(`*${line(doc.subtitle)}*`);
  for (const block of doc.blocks) out.push(renderBlock(block));
  return `${out.join('\n\n')}\n`;
}

function renderBlock(block: Block): string {
  switch (block.type) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${line(block.text)}`;
    case 'paragraph':
      // Leading spaces would start a code block.
      return inlines(block.content, '').trimStart();
    case 'list':
      return block.items
        .map((item, i) => {
          const marker = block.ordered ? `${i + 1}. ` : '- ';
          return marker + inlines(item, ' '.repeat(marker.length));
        })
        .join('\n');
    case 'table':
      return table(block.columns, block.rows, block.caption);
    case 'cut':
      return `---\n\n**${line(block.text)}**`;
    case 'chart':
      return chartAsTable(block).map(renderBlock).join('\n\n');
  }
}

function table(columns: string[], rows: TableCell[][], caption?: string): string {
  const out: string[] = [];
  if (caption) out.push(`*${line(caption)}*`, '');
  out.push(`| ${columns.map((c) => line(c) || ' ').join(' | ')} |`);
  out.push(`| ${columns.map(() => '---').join(' | ')} |`);
  for (const row of rows) {
    const cells = columns.map((_, i) => {
      const c = row[i];
      if (!c) return ' ';
      const text = c.content.map((x) => inline(x, oneLine)).join('');
      return (c.status && LOUD.includes(c.status) && !c.content.some(isBold) ? `**${text}**` : text) || ' ';
    });
    out.push(`| ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

function isBold(x: Inline): boolean {
  return typeof x !== 'string' && Boolean(x.bold);
}

/** Inline content of a paragraph or list item: newlines become hard breaks. */
function inlines(content: Inline[], indent: string): string {
  return content.map((x, i) => inline(x, (t) => multiLine(t, indent, i === 0))).join('');
}

function inline(x: Inline, text: (s: string) => string): string {
  if (typeof x === 'string') return text(x);
  let out = text(x.text);
  if (!out.trim()) return out;
  // Emphasis markers must touch the text: move surrounding spaces outside them.
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(out) ?? [];
  out = core;
  const link = x.link ? safeUrl(x.link) : undefined;
  if (link) out = `[${out}](<${link}>)`;
  if (x.italic || x.muted) out = `*${out}*`;
  if (x.bold || (x.status && LOUD.includes(x.status))) out = `**${out}**`;
  return lead + out + trail;
}

function oneLine(text: string): string {
  return escapeMarkdown(text.replace(/\s*\r?\n\s*/g, ' '));
}

function line(text: string): string {
  return oneLine(text).trim();
}

/** Newlines become hard breaks; `atStart` when the text begins the paragraph or item. */
function multiLine(text: string, indent: string, atStart: boolean): string {
  return text
    .split(/\r?\n/)
    .map((l, i) =>
      i === 0 && !atStart ? escapeMarkdown(l) : escapeMarkdownLine(i === 0 ? l : l.trimStart()),
    )
    .join(`\\\n${indent}`);
}

/**
 * Backslash-escape what Markdown would read as syntax inside a line. Characters that only
 * matter at the start of a line (list markers, numbered items) are escaped there only, by
 * escapeMarkdownLine, so dates, scores and hyphenated words stay readable.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|~!]/g, (c) => `\\${c}`).replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

/** Escaping for text that starts a line of a paragraph or list item. */
export function escapeMarkdownLine(text: string): string {
  return escapeMarkdown(text)
    .replace(/^(\s*)([-+=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

function safeUrl(url: string): string | undefined {
  const u = url.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(u)) return undefined;
  return u.replace(/[\s<>()\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

// ---------- plain text (email text parts) ----------

const TEXT_WIDTH = 100;

/** Plain text: nothing is interpreted, so nothing is escaped; wide tables become records. */
export function renderText(doc: Document): string {
  const out: string[] = [doc.title, '='.repeat(Math.min(TEXT_WIDTH, doc.title.length))];
  if (doc.subtitle) out.push(doc.subtitle);
  const parts = [out.join('\n')];
  for (const b of doc.blocks) parts.push(textBlock(b));
  return `${parts.join('\n\n')}\n`;
}

function textBlock(block: Block): string {
  switch (block.type) {
    case 'heading': {
      const t = flat(block.text);
      return block.level === 2 ? `${t}\n${'-'.repeat(Math.min(TEXT_WIDTH, t.length))}` : `${t}:`;
    }
    case 'paragraph':
      return plain(block.content);
    case 'list':
      return block.items
        .map((item, i) => {
          const marker = block.ordered ? `${i + 1}. ` : '- ';
          return marker + plain(item).replace(/\n/g, `\n${' '.repeat(marker.length)}`);
        })
        .join('\n');
    case 'table': {
      const rows = block.rows.map((r) => block.columns.map((_, i) => flat(r[i] ? plain(r[i]!.content) : '')));
      const widths = block.columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
      const total = widths.reduce((a, w) => a + w + 2, 0);
      if (total <= TEXT_WIDTH) {
        const fmt = (cells: string[]) =>
          cells
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd();
        return [fmt(block.columns), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
      }
      return rows
        .map((r) =>
          r
            .map((c, i) => (c ? `${i === 0 ? '* ' : '  '}${block.columns[i]}: ${c}` : ''))
            .filter(Boolean)
            .join('\n'),
        )
        .join('\n');
    }
    case 'cut':
      return `${'- '.repeat(20)}\n${flat(block.text)}\n${'- '.repeat(20)}`;
    case 'chart':
      // In plain text (an email's text part) the trend reads best as one line per milestone.
      if (block.chart.kind === 'trend')
        return `${flat(block.caption)}\n${trendSummary(block.chart)
          .map((l) => `- ${l}`)
          .join('\n')}`;
      return chartAsTable(block).map(textBlock).join('\n\n');
  }
}

function plain(content: Inline[]): string {
  return content.map((x) => (typeof x === 'string' ? x : x.link ? `${x.text} <${x.link}>` : x.text)).join('');
}

function flat(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
