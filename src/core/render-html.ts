/**
 * Document → HTML. `renderHtml` gives a complete, self-contained, printable page (inline
 * style sheet, no scripts, no external resources); `renderHtmlFragment` gives body content
 * with inline styles, for email bodies where style sheets are often dropped. Every text and
 * attribute is escaped; links are kept only for http(s) and mailto.
 */
import { chartSvg, trendSummary } from './charts';
import type { Block, Document, Inline, TableCell } from './document';

export { renderText } from './render-markdown';

import { STATUS_COLOURS } from './layout';
import type { Status } from './types';

/** Fill and text colour of each status (defined once, in layout.ts). */
export { STATUS_COLOURS };

const CUT_COLOUR = '#C62828';

/**
 * Widths of the short columns of wide tables (fixed layout): the two halves of the topic
 * list around the cut line line up, and long text gets the remaining width.
 */
const COLUMN_WIDTHS: Record<string, number> = {
  // Wide enough for a slot's sub-points: '12.3'.
  '#': 3.4,
  ID: 5.5,
  Due: 6.6,
  Forecast: 6.6,
  Status: 7,
  Kind: 7.5,
  Score: 3.8,
  Owner: 8,
  Owners: 8,
  'Help from': 7,
  'Depends on': 8,
  Time: 7.5,
  Minutes: 5,
  Deferred: 7,
  'Rank now': 7,
};

function columnClass(header: string): string {
  return `col-${
    header
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'n'
  }`;
}
const MUTED_COLOUR = '#5F6368';
const BORDER = '#C4C7CC';

export function statusClass(status: Status): string {
  return `status-${status.toLowerCase().replace(/\s+/g, '-')}`;
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1F2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.25rem 0 .75rem; padding-bottom: .3rem; border-bottom: 2px solid #D0D7DE; }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h2 a.anchor, h3 a.anchor { color: inherit; text-decoration: none; }
p { margin: .5rem 0; }
ul, ol { margin: .5rem 0; padding-left: 1.5rem; }
li { margin: .15rem 0; }
a { color: #0B57D0; }
.subtitle { color: ${MUTED_COLOUR}; margin: 0 0 1rem; }
.muted { color: ${MUTED_COLOUR}; }
p.note { font-size: .875rem; }
figure.chart { margin: .5rem 0 1.25rem; break-inside: avoid; }
figure.chart .note { font-size: .875rem; color: #5F6368; margin: .25rem 0; }
nav.toc { font-size: .9rem; margin: 1rem 0 0; padding: .5rem .75rem; background: #F6F8FA; border-radius: 6px; }
nav.toc ol { margin: .25rem 0; padding-left: 1.25rem; columns: 2; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
table.wide { width: 100%; table-layout: fixed; }
/* Words wrap at spaces and hyphens; only a word longer than its whole cell is split. */
table.wide td { overflow-wrap: break-word; word-break: normal; hyphens: manual; }
section.box { margin: 1.25rem 0 1.5rem; padding: .1rem 1rem .6rem; border-radius: 8px; }
section.box > h2:first-child { margin-top: .6rem; border-bottom: 0; padding-bottom: 0; }
section.box p { margin: .45rem 0 .2rem; }
section.box ol, section.box ul { margin: .15rem 0 .4rem; }
section.box-glance { background: #F6F8FA; border: 1px solid #D0D7DE; }
section.box-problems { background: #FFF4F4; border: 2px solid ${CUT_COLOUR}; }
section.box-problems table { background: #fff; }
table.narrow { min-width: 24rem; }
${Object.entries(COLUMN_WIDTHS)
  .map(([header, rem]) => `th.${columnClass(header)} { width: ${rem}rem; }`)
  .join('\n')}
caption { text-align: left; color: ${MUTED_COLOUR}; padding: .25rem 0; }
th, td { border: 1px solid ${BORDER}; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #EEF1F4; font-weight: 600; }
tbody tr:nth-child(even) td { background: #F8F9FA; }
td.nowrap, .date { white-space: nowrap; }
${(Object.keys(STATUS_COLOURS) as Status[])
  .map((s) => {
    const c = STATUS_COLOURS[s];
    const rules = [c.background ? `background: ${c.background}` : '', c.color ? `color: ${c.color}` : '']
      .filter(Boolean)
      .join('; ');
    return rules ? `.${statusClass(s)}, tbody tr:nth-child(even) td.${statusClass(s)} { ${rules}; }` : '';
  })
  .filter(Boolean)
  .join('\n')}
td.status-might-miss, td.status-missed { font-weight: 600; }
span[class^="status-"] { padding: 0 .25rem; border-radius: 3px; white-space: nowrap; }
.cut { margin: 1.25rem 0; padding-top: .4rem; border-top: 3px dashed ${CUT_COLOUR}; color: #B71C1C; font-weight: 600; }
/* A phone (390 px): a wide table's columns would be squeezed to a letter each, so each row
   becomes a card, every cell under its column's name. */
@media screen and (max-width: 44rem) {
  main { padding: .75rem .8rem 3rem; }
  h1 { font-size: 1.4rem; }
  h2 { font-size: 1.2rem; margin-top: 1.6rem; }
  h3 { font-size: 1.05rem; }
  /* The top of the pack, compact, so the first topic comes within two screens. */
  .subtitle { font-size: .85rem; margin-bottom: .5rem; }
  p.note { font-size: .8rem; line-height: 1.35; }
  #part-2 { margin-top: 1.2rem; }
  /* The contents as one strip of links that scrolls sideways in its own box, so Part 2 stays near the top. */
  nav.toc { font-size: .875rem; padding: .3rem .6rem; overflow-x: auto; }
  nav.toc strong { display: none; }
  nav.toc ol { columns: auto; display: flex; gap: 1.1rem; margin: 0; padding-left: 0; list-style: none; white-space: nowrap; }
  section.box { margin: .75rem -.25rem 1rem; padding: .1rem .6rem .4rem; font-size: .875rem; line-height: 1.35; }
  section.box > h2:first-child { margin-top: .4rem; margin-bottom: .3rem; font-size: 1.1rem; }
  section.box p { margin: .35rem 0 .1rem; }
  section.box li { margin: .05rem 0; }
  section.box ol, section.box ul { padding-left: 1.1rem; margin: .1rem 0 .3rem; }
  table.wide, table.wide tbody, table.wide tr, table.wide td { display: block; width: 100%; }
  table.wide thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.wide tr { border: 1px solid ${BORDER}; border-radius: 6px; margin: 0 0 .75rem; overflow: hidden; }
  table.wide td { border: 0; border-top: 1px solid #E6E8EB; display: grid; grid-template-columns: 6.5rem 1fr; gap: .5rem; }
  table.wide td:first-child { border-top: 0; }
  table.wide td:empty { display: none; }
  table.wide td::before { content: attr(data-label); font-weight: 600; color: ${MUTED_COLOUR}; }
  table.wide td.nowrap { white-space: normal; }
  table.narrow { min-width: 0; width: 100%; }
}
@page { margin: 14mm 12mm; }
@media print {
  html { font-size: 12px; }
  body { font-size: 10pt; }
  h2 { margin-top: 1.5rem; }
  section.sub { break-inside: avoid; page-break-inside: avoid; }
  /* Page 1 is the title and the at-a-glance box, alone. */
  section.box-glance { break-after: page; page-break-after: always; margin-top: .75rem; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, li, .cut { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
`;

export function renderHtml(doc: Document): string {
  // The contents come right after the at-a-glance box (render `body`), so they do not list it.
  const toc = doc.blocks.filter((b) => b.type === 'heading' && b.level === 2 && b.id && !b.box) as Extract<
    Block,
    { type: 'heading' }
  >[];
  const nav =
    toc.length > 1
      ? `<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>${toc
          .map((h) => `<li><a href="#${attr(h.id!)}">${text(h.text)}</a></li>`)
          .join('')}</ol></nav>\n`
      : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(doc, false),
    body(doc, false, nav),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Body content only, styled inline: for email bodies. */
export function renderHtmlFragment(doc: Document): string {
  return `<div style="font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; font-size: 14px; line-height: 1.5; color: #1F2328; max-width: 60rem;">\n${header(doc, true)}\n${body(doc, true)}\n</div>\n`;
}

function header(doc: Document, inline: boolean): string {
  const h1 = `<h1${inline ? ' style="font-size: 24px; margin: 0 0 4px;"' : ''}>${text(doc.title)}</h1>`;
  if (!doc.subtitle) return h1;
  return `${h1}\n<p class="subtitle"${inline ? ` style="color: ${MUTED_COLOUR}; margin: 0 0 12px;"` : ''}>${text(doc.subtitle)}</p>`;
}

/** Inline styles of the boxes (a heading's `box`) in an email, where style sheets are often dropped. */
const BOX_STYLE = {
  glance:
    'margin: 16px 0; padding: 4px 16px 10px; background: #F6F8FA; border: 1px solid #D0D7DE; border-radius: 8px;',
  problems: `margin: 16px 0; padding: 4px 16px 10px; background: #FFF4F4; border: 2px solid ${CUT_COLOUR}; border-radius: 8px;`,
} as const;

/**
 * On the page, each level-3 heading and what follows it (one member, one priority) is a
 * section, so print can keep it on one page when it fits; a level-2 heading with a `box` opens
 * a boxed section up to the next level-2 heading (the at-a-glance box, printed alone on page 1,
 * with the contents `nav` after it — or first when there is no such box).
 */
function body(doc: Document, inline: boolean, nav = ''): string {
  const out: string[] = [];
  const hasGlance = doc.blocks.some((b) => b.type === 'heading' && b.box === 'glance');
  if (!hasGlance && nav) out.push(nav);
  let sub = false;
  let box: 'glance' | 'problems' | undefined;
  for (const b of doc.blocks) {
    if (b.type === 'heading' && sub) {
      out.push('</section>');
      sub = false;
    }
    if (b.type === 'heading' && b.level <= 2 && box) {
      out.push(inline ? '</div>' : '</section>');
      if (box === 'glance' && nav) out.push(nav);
      box = undefined;
    }
    if (b.type === 'heading' && b.level === 2 && b.box) {
      box = b.box;
      out.push(inline ? `<div style="${BOX_STYLE[box]}">` : `<section class="box box-${box}">`);
    }
    if (b.type === 'heading' && b.level === 3 && !inline) {
      out.push('<section class="sub">');
      sub = true;
    }
    out.push(block(b, inline));
  }
  if (sub) out.push('</section>');
  if (box) {
    out.push(inline ? '</div>' : '</section>');
    if (box === 'glance' && nav) out.push(nav);
  }
  return out.join('\n');
}

function block(b: Block, inline: boolean): string {
  switch (b.type) {
    case 'heading': {
      const id = b.id ? ` id="${attr(b.id)}"` : '';
      const style = inline
        ? b.level === 2
          ? ' style="font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #D0D7DE;"'
          : ' style="font-size: 16px; margin: 20px 0 6px;"'
        : '';
      const content =
        b.id && !inline ? `<a class="anchor" href="#${attr(b.id)}">${text(b.text)}</a>` : text(b.text);
      return `<h${b.level}${id}${style}>${content}</h${b.level}>`;
    }
    case 'paragraph': {
      // A note (every part muted) is set smaller than the text it explains.
      const note =
        !inline && b.content.length > 0 && b.content.every((x) => typeof x !== 'string' && x.muted);
      return `<p${note ? ' class="note"' : ''}>${inlines(b.content, inline)}</p>`;
    }
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>\n${b.items.map((item) => `<li>${inlines(item, inline)}</li>`).join('\n')}\n</${tag}>`;
    }
    case 'table':
      return table(b.columns, b.rows, b.caption, inline);
    case 'chart':
      return figure(b, inline);
    case 'cut':
      return `<div class="cut" role="separator"${
        inline
          ? ` style="margin: 16px 0; padding-top: 6px; border-top: 3px dashed ${CUT_COLOUR}; color: #B71C1C; font-weight: bold;"`
          : ''
      }>${text(b.text)}</div>`;
  }
}

/**
 * A chart as inline SVG (no script), its caption, and for the trend its lines in words: what a
 * mail program that drops SVG still shows, and what a screen reader reads.
 */
function figure(b: Extract<Block, { type: 'chart' }>, inline: boolean): string {
  const caption = `<figcaption${inline ? ` style="color: ${MUTED_COLOUR}; font-size: 13px;"` : ' class="note"'}>${text(b.caption)}</figcaption>`;
  const words =
    b.chart.kind === 'trend' && b.chart.series.length
      ? `<ul${inline ? ' style="font-size: 13px;"' : ' class="note"'}>${trendSummary(b.chart)
          .map((l) => `<li>${text(l)}</li>`)
          .join('')}</ul>`
      : '';
  return `<figure class="chart"${inline ? ' style="margin: 8px 0 16px;"' : ''}>${caption}${chartSvg(b.chart, b.alt)}${words}</figure>`;
}

function table(columns: string[], rows: TableCell[][], caption: string | undefined, inline: boolean): string {
  const cellStyle = `border: 1px solid ${BORDER}; padding: 5px 8px; text-align: left; vertical-align: top;`;
  const wide = columns.length > 3;
  const tableAttr = inline
    ? ` style="border-collapse: collapse;${wide ? ' width: 100%;' : ''} margin: 8px 0 16px; font-size: 13px;"`
    : ` class="${wide ? 'wide' : 'narrow'}"`;
  const th = (c: string) => {
    const known = wide && COLUMN_WIDTHS[c] !== undefined;
    const attrs = inline
      ? ` style="${attr(`${cellStyle} background: #EEF1F4;`)}"`
      : known
        ? ` class="${attr(columnClass(c))}"`
        : '';
    return `<th scope="col"${attrs}>${text(c)}</th>`;
  };
  const td = (c: TableCell | undefined, header: string) => {
    const classes: string[] = [];
    const styles: string[] = [];
    if (c?.status) {
      classes.push(statusClass(c.status));
      styles.push(statusStyle(c.status));
      if (c.status === 'Might miss' || c.status === 'Missed') styles.push('font-weight: bold;');
    }
    if (/^(ID|Due|Status|Time|#|Score|Minutes|Milestones)$/.test(header)) {
      classes.push('nowrap');
      styles.push('white-space: nowrap;');
    }
    const attrs = inline
      ? ` style="${attr(`${cellStyle} ${styles.join(' ')}`.trim())}"`
      : (classes.length > 0 ? ` class="${attr(classes.join(' '))}"` : '') +
        (wide ? ` data-label="${attr(header)}"` : '');
    const content = c ? inlines(c.content, inline) : '';
    // On a phone a wide table's cell is a grid of its label and its content: one element.
    return `<td${attrs}>${wide && !inline && content ? `<span>${content}</span>` : content}</td>`;
  };
  return [
    `<table${tableAttr}>`,
    caption ? `<caption>${text(caption)}</caption>` : '',
    `<thead><tr>${columns.map(th).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${columns.map((h, i) => td(r[i], h)).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ]
    .filter(Boolean)
    .join('\n');
}

function statusStyle(status: Status): string {
  const c = STATUS_COLOURS[status];
  return [c.background ? `background: ${c.background};` : '', c.color ? `color: ${c.color};` : '']
    .filter(Boolean)
    .join(' ');
}

function inlines(content: Inline[], inline: boolean): string {
  return content.map((x) => inlineHtml(x, inline)).join('');
}

function inlineHtml(x: Inline, inline: boolean): string {
  if (typeof x === 'string') return inlineText(x, inline);
  let out = inlineText(x.text, inline);
  const href = x.link ? safeUrl(x.link) : undefined;
  if (href) out = `<a href="${attr(href)}">${out}</a>`;
  if (x.italic) out = `<em>${out}</em>`;
  if (x.bold) out = `<strong>${out}</strong>`;
  if (x.status) {
    const style = inline
      ? ` style="${attr(`${statusStyle(x.status)} padding: 0 3px; white-space: nowrap;`)}"`
      : '';
    out = `<span class="${statusClass(x.status)}"${style}>${out}</span>`;
  }
  if (x.muted) out = `<span class="muted"${inline ? ` style="color: ${MUTED_COLOUR};"` : ''}>${out}</span>`;
  return out;
}

/** Escape for element content; newlines become line breaks. */
function text(s: string): string {
  return escapeHtml(s).replace(/\r?\n/g, '<br>');
}

/** Inline content text: as `text`, and dates and IDs stay on one line (browsers break them after a hyphen). */
function inlineText(s: string, inline: boolean): string {
  return text(s).replace(/\b(\d{4}-\d{2}-\d{2}|[A-Z]{1,3}-\d{2,})\b/g, (d) =>
    inline ? `<span style="white-space: nowrap;">${d}</span>` : `<span class="date">${d}</span>`,
  );
}

function attr(s: string): string {
  return escapeHtml(s);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function safeUrl(url: string): string | undefined {
  const u = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(u) && !/[\u0000-\u001F\u007F]/.test(u) ? u : undefined;
}
