import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cell, type Document } from '../../src/core/document';
import { buildPack } from '../../src/core/pack';
import {
  escapeHtml,
  renderHtml,
  renderHtmlFragment,
  STATUS_COLOURS,
  statusClass,
} from '../../src/core/render-html';
import { renderMarkdown, renderText } from '../../src/core/render-markdown';
import type { Status } from '../../src/core/types';
import { samplePackInput, update } from './pack-builders';

const STATUSES: Status[] = ['On track', 'Might miss', 'Missed', 'Done', 'Dropped'];
const ALLOWED_TAGS = new Set([
  '!doctype',
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'main',
  'nav',
  'section',
  'div',
  'h1',
  'h2',
  'h3',
  'p',
  'ul',
  'ol',
  'li',
  'a',
  'strong',
  'em',
  'span',
  'br',
  'table',
  'caption',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  // The pictures: inline SVG, drawn without script.
  'figure',
  'figcaption',
  'svg',
  'line',
  'polyline',
  'circle',
  'rect',
  'text',
]);

const XSS_SCRIPT = '<script>alert(1)</script>';
const XSS_ATTR = '"><img src=x onerror=alert(1)>';

function doc(...blocks: Document['blocks']): Document {
  return { title: 'T', blocks };
}

/** Every tag in the markup, outside the style sheet. */
function tags(html: string): string[] {
  const markup = html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  return [...markup.matchAll(/<\/?([!a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
}

/** A pack in which people typed markup everywhere they can type. */
function hostilePack(): Document {
  const input = samplePackInput();
  const r = input.register;
  r.milestones[0]!.title = `${XSS_SCRIPT} ${XSS_ATTR}`;
  r.milestones[1]!.dependsOn = [XSS_ATTR];
  r.team[1]!.name = `Ben ${XSS_ATTR}`;
  r.team[1]!.group = `Ops ${XSS_SCRIPT}`;
  r.priorities[0]!.name = `Partner ${XSS_SCRIPT}`;
  r.updates.push(
    update('grace@example.com', '2026-12-03', {
      received: '2026-12-02T10:00:00.000Z',
      wins: `${XSS_SCRIPT}\n${XSS_ATTR}`,
      learnings: "' onmouseover='alert(1)",
      helpNeeded: '=HYPERLINK("http://evil","click")',
      helpFrom: XSS_ATTR,
      comments: `M-0001: ${XSS_SCRIPT}`,
    }),
  );
  input.topics[0]!.title = XSS_ATTR;
  input.topics[0]!.why = XSS_SCRIPT;
  return buildPack(input);
}

describe('renderHtml', () => {
  it('is a complete, self-contained HTML5 page', () => {
    const html = renderHtml(buildPack(samplePackInput()));
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<title>Milestone meeting — Thu 3 Dec 2026</title>');
    expect(html).toMatch(/<style>[\s\S]*max-width: 60rem[\s\S]*<\/style>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('gives the sections ids and a table of contents that links to them', () => {
    const html = renderHtml(buildPack(samplePackInput()));
    for (const id of ['agenda', 'part-1', 'part-2', 'deferred', 'tracking', 'health']) {
      expect(html).toContain(`<h2 id="${id}">`);
      expect(html).toContain(`<a href="#${id}">`);
    }
    expect(html).toContain('<h3 id="member-ben-hughes">');
  });

  it('escapes markup people typed in titles, names, groups, priorities, updates and topics', () => {
    for (const html of [renderHtml(hostilePack()), renderHtmlFragment(hostilePack())]) {
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('&#39; onmouseover=&#39;alert(1)');
      expect(html).not.toMatch(/<script|<img/i);
      expect(html).not.toMatch(/<[^>]*\son\w+=/i);
      for (const t of tags(html)) expect(ALLOWED_TAGS).toContain(t);
    }
  });

  it('prints formula-looking text literally', () => {
    const html = renderHtml(hostilePack());
    expect(html).toContain('=HYPERLINK(&quot;http://evil&quot;,&quot;click&quot;)');
  });

  it('escapes every attribute and keeps only http(s) and mailto links', () => {
    const html = renderHtml(
      doc(
        { type: 'heading', level: 2, text: 'x', id: 'a"b' },
        {
          type: 'paragraph',
          content: [
            { text: 'ok', link: 'https://example.com/?q="x"&y=<1>' },
            { text: 'mail', link: 'mailto:ann@example.com' },
            { text: 'js', link: 'javascript:alert(1)' },
            { text: 'js2', link: ' JaVaScRiPt:alert(1)' },
            { text: 'data', link: 'data:text/html,<b>x</b>' },
            { text: 'tab', link: 'https://exa\tmple.com' },
          ],
        },
      ),
    );
    expect(html).toContain('<h2 id="a&quot;b">');
    expect(html).toContain('<a href="https://example.com/?q=&quot;x&quot;&amp;y=&lt;1&gt;">ok</a>');
    expect(html).toContain('<a href="mailto:ann@example.com">mail</a>');
    expect(html).toContain('>jsjs2datatab</p>');
    expect(html).not.toMatch(/href="(javascript|data|\s)/i);
  });

  it('turns newlines in text into line breaks', () => {
    const html = renderHtml(doc({ type: 'paragraph', content: ['one\ntwo'] }));
    expect(html).toContain('<p>one<br>two</p>');
  });

  it('colours status cells: Might miss amber, Missed red, Done green, Dropped grey, On track unfilled', () => {
    const rows = STATUSES.map((s) => [{ content: [s], status: s }]);
    const page = renderHtml(doc({ type: 'table', columns: ['Status'], rows }));
    const fragment = renderHtmlFragment(doc({ type: 'table', columns: ['Status'], rows }));
    expect(STATUS_COLOURS['Might miss'].background).toBe('#FFE08A');
    expect(STATUS_COLOURS.Missed.background).toBe('#F4B6B6');
    expect(STATUS_COLOURS.Done.background).toBe('#C8E6C9');
    expect(STATUS_COLOURS.Dropped.background).toBe('#E0E0E0');
    expect(STATUS_COLOURS['On track'].background).toBeUndefined();
    for (const s of STATUSES) {
      expect(page).toContain(`<td class="${statusClass(s)} nowrap">${s}</td>`);
      const bg = STATUS_COLOURS[s].background;
      if (bg) {
        expect(page).toMatch(
          new RegExp(`\\.${statusClass(s)}[^{]*\\{ background: ${bg}; color: #[0-9A-F]{6}; \\}`),
        );
        expect(fragment).toMatch(new RegExp(`<td style="[^"]*background: ${bg};[^"]*">${s}</td>`));
      }
    }
    expect(page).not.toMatch(/\.status-on-track[^{]*\{/);
  });

  it('shows the cut line as a dashed red rule with its text', () => {
    const html = renderHtml(doc({ type: 'cut', text: 'Cut line — time runs out here' }));
    expect(html).toContain('<div class="cut" role="separator">Cut line — time runs out here</div>');
    expect(html).toMatch(/\.cut \{[^}]*border-top: 3px dashed #C62828/);
    expect(renderHtmlFragment(doc({ type: 'cut', text: 'x' }))).toContain('border-top: 3px dashed #C62828');
  });

  it('prints well: colours kept, no breaks inside rows, headings kept with what follows', () => {
    const html = renderHtml(doc());
    const print = /@media print \{([\s\S]*?)\n\}/.exec(html)?.[1] ?? '';
    expect(print).toContain('print-color-adjust: exact');
    expect(print).toMatch(/tr[^{]*\{[^}]*break-inside: avoid/);
    expect(print).toMatch(/h1, h2, h3 \{[^}]*break-after: avoid/);
  });

  it('on a phone shows each row of a wide table as a card, every cell under its column name', () => {
    const columns = ['ID', 'Milestone', 'Due', 'Forecast', 'Status'];
    const html = renderHtml(
      doc({
        type: 'table',
        columns,
        rows: [
          [
            cell('M-1'),
            cell('Launch'),
            cell('2026-12-01'),
            { content: ['2026-12-09 ', { text: '(+8 days)', bold: true }] },
            { content: ['Missed'], status: 'Missed' },
          ],
        ],
      }),
    );
    // Each cell names its column, and holds one element: label and content side by side.
    expect(html).toContain('<td class="nowrap" data-label="ID"><span>M-1</span></td>');
    expect(html).toMatch(
      /<td data-label="Forecast"><span>(?:(?!<\/td>).)*2026-12-09(?:(?!<\/td>).)*<strong>\(\+8 days\)<\/strong><\/span><\/td>/,
    );
    const phone = /@media screen and \(max-width: 44rem\) \{([\s\S]*?)\n\}/.exec(html)?.[1] ?? '';
    expect(phone).toMatch(/table\.wide thead \{[^}]*position: absolute/);
    expect(phone).toMatch(/table\.wide td::before \{ content: attr\(data-label\)/);
    // A narrow table (three columns or fewer) stays a table.
    expect(
      renderHtml(doc({ type: 'table', columns: ['ID', 'Milestone'], rows: [[cell('M-1'), cell('x')]] })),
    ).not.toMatch(/<td[^>]*data-label/);
  });

  it('renders table headers as left-aligned column headers', () => {
    const html = renderHtml(
      doc({ type: 'table', columns: ['ID', 'Milestone'], rows: [[cell('M-1'), cell('x')]] }),
    );
    expect(html).toContain('<thead><tr><th scope="col">ID</th><th scope="col">Milestone</th></tr></thead>');
    expect(html).toMatch(/th, td \{[^}]*text-align: left/);
  });
});

describe('renderHtmlFragment', () => {
  it('is body content only, styled inline, without a style sheet', () => {
    const html = renderHtmlFragment(buildPack(samplePackInput()));
    expect(html).not.toMatch(/<html|<head|<body|<style|class="toc"/);
    expect(html).toMatch(/^<div style="[^"]+">/);
    expect(html).toContain('<h1 style=');
  });
});

describe('escapeHtml', () => {
  it('escapes the five significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('sample pack', () => {
  it('writes test-artifacts/pack-sample.{html,md,txt} for people to look at', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');
    mkdirSync(root, { recursive: true });
    const pack = buildPack(samplePackInput());
    const html = renderHtml(pack);
    writeFileSync(join(root, 'pack-sample.html'), html);
    writeFileSync(join(root, 'pack-sample.md'), renderMarkdown(pack));
    writeFileSync(join(root, 'pack-sample.txt'), renderText(pack));
    writeFileSync(join(root, 'pack-sample-fragment.html'), renderHtmlFragment(pack));
    expect(html).toContain('Cut line — discussion time runs out here');
  });
});
