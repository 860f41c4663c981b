import { describe, expect, it } from 'vitest';
import { cell, type Document } from '../../src/core/document';
import { buildPack } from '../../src/core/pack';
import { escapeMarkdown, renderMarkdown, renderText } from '../../src/core/render-markdown';
import { samplePackInput } from './pack-builders';

function doc(...blocks: Document['blocks']): Document {
  return { title: 'T', blocks };
}

/** Table cells split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (c === '\\') {
      current += c + (row[i + 1] ?? '');
      i++;
    } else if (c === '|') {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  out.push(current.trim());
  return out.slice(1, -1);
}

describe('escapeMarkdown', () => {
  it('escapes emphasis, code, links, HTML, headings, pipes and strikethrough', () => {
    expect(escapeMarkdown('**bold**')).toBe('\\*\\*bold\\*\\*');
    expect(escapeMarkdown('_it_ `code` [a](b) <b> # h | p ~~s~~ !')).toBe(
      '\\_it\\_ \\`code\\` \\[a\\](b) \\<b\\> \\# h \\| p \\~\\~s\\~\\~ \\!',
    );
    expect(escapeMarkdown('back\\slash')).toBe('back\\\\slash');
  });

  it('escapes entity-looking text but leaves a plain ampersand, dates and hyphens readable', () => {
    expect(escapeMarkdown('&lt;script&gt; &#60;')).toBe('\\&lt;script\\&gt; &\\#60;');
    expect(escapeMarkdown('R&D on 2026-12-01, sign-off 1.5')).toBe('R&D on 2026-12-01, sign-off 1.5');
  });
});

describe('renderMarkdown', () => {
  it('renders title, subtitle, headings, paragraphs and lists', () => {
    const md = renderMarkdown({
      title: 'Milestone meeting — Thu 3 Dec 2026',
      subtitle: 'Pack generated',
      blocks: [
        { type: 'heading', level: 2, text: 'Agenda', id: 'agenda' },
        {
          type: 'paragraph',
          content: ['plain ', { text: 'bold', bold: true }, ' ', { text: 'quiet', muted: true }],
        },
        { type: 'list', ordered: false, items: [['a'], ['b']] },
        { type: 'list', ordered: true, items: [['one'], ['two']] },
      ],
    });
    expect(md).toBe(
      '# Milestone meeting — Thu 3 Dec 2026\n\n*Pack generated*\n\n## Agenda\n\nplain **bold** *quiet*\n\n- a\n- b\n\n1. one\n2. two\n',
    );
  });

  it('keeps people’s text from becoming formatting or HTML', () => {
    const md = renderMarkdown(
      doc({
        type: 'paragraph',
        content: ['**bold** # heading <script>alert(1)</script> [x](javascript:alert(1))'],
      }),
    );
    expect(md).toContain(
      '\\*\\*bold\\*\\* \\# heading \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1))',
    );
    expect(md).not.toMatch(/(^|[^\\])<script/);
  });

  it('escapes what would start a heading, list or quote at the start of a line', () => {
    const md = renderMarkdown(
      doc(
        { type: 'paragraph', content: ['# not a heading'] },
        {
          type: 'paragraph',
          content: ['1. not a list\n- nor this\n+ nor this\n> nor a quote\n=== nor a rule'],
        },
        { type: 'list', ordered: false, items: [['- nested?']] },
      ),
    );
    expect(md).toContain('\\# not a heading');
    expect(md).toContain(
      '1\\. not a list\\\n\\- nor this\\\n\\+ nor this\\\n\\> nor a quote\\\n\\=== nor a rule',
    );
    expect(md).toContain('- \\- nested?');
  });

  it('turns newlines into hard breaks in paragraphs and indented breaks in list items', () => {
    const md = renderMarkdown(
      doc(
        { type: 'paragraph', content: ['line one\nline two'] },
        { type: 'list', ordered: false, items: [[{ text: 'Wins: ', bold: true }, 'first\n  second']] },
      ),
    );
    expect(md).toContain('line one\\\nline two');
    expect(md).toContain('- **Wins:** first\\\n  second');
  });

  it('renders tables with escaped pipes, one line per row and empty cells kept', () => {
    const md = renderMarkdown(
      doc({
        type: 'table',
        columns: ['ID', 'Milestone', 'Notes'],
        rows: [[cell('M-0001'), cell('a | pipe\nand a newline'), cell('')]],
      }),
    );
    const lines = md.trim().split('\n').slice(2); // after '# T' and a blank line
    expect(lines[0]).toBe('| ID | Milestone | Notes |');
    expect(lines[1]).toBe('| --- | --- | --- |');
    expect(lines).toHaveLength(3);
    expect(cells(lines[2]!)).toEqual(['M-0001', 'a \\| pipe and a newline', '']);
  });

  it('prints formula-looking text literally', () => {
    const md = renderMarkdown(
      doc({ type: 'table', columns: ['Milestone'], rows: [[cell('=HYPERLINK("x")')]] }),
    );
    expect(md).toContain('| =HYPERLINK("x") |');
  });

  it('makes Might miss and Missed cells bold and leaves other statuses plain', () => {
    const md = renderMarkdown(
      doc({
        type: 'table',
        columns: ['Status'],
        rows: (['On track', 'Might miss', 'Missed', 'Done', 'Dropped'] as const).map((s) => [
          { content: [s], status: s },
        ]),
      }),
    );
    expect(md).toContain('| On track |\n| **Might miss** |\n| **Missed** |\n| Done |\n| Dropped |');
  });

  it('keeps http(s) and mailto links and renders any other link as text', () => {
    const md = renderMarkdown(
      doc({
        type: 'paragraph',
        content: [
          { text: 'pack', link: 'https://example.com/a b(c)' },
          ' ',
          { text: 'mail', link: 'mailto:ann@example.com' },
          ' ',
          { text: 'bad', link: 'javascript:alert(1)' },
        ],
      }),
    );
    expect(md).toContain('[pack](<https://example.com/a%20b%28c%29>) [mail](<mailto:ann@example.com>) bad');
  });

  it('renders the cut line as a rule and a bold line', () => {
    const md = renderMarkdown(doc({ type: 'cut', text: 'Cut line — time runs out here' }));
    expect(md).toContain('---\n\n**Cut line — time runs out here**');
  });

  it('renders the whole sample pack with every section', () => {
    const md = renderMarkdown(buildPack(samplePackInput()));
    for (const h of [
      '## Agenda',
      '## Part 1 — Member updates',
      '### Ben Hughes — Operations',
      '## Part 2 — Topics in priority order',
      '## Deferred topics',
      '## Tracking by strategic priority',
      '### 1. Grow recurring revenue',
      '## Health',
    ])
      expect(md).toContain(`\n${h}\n`);
    expect(md).toContain('policy \\<link pending\\>');
    expect(md).not.toMatch(/(^|[^\\])<[a-z]/m);
  });
});

describe('renderText', () => {
  it('prints text as typed, without Markdown escapes', () => {
    const text = renderText(
      doc({ type: 'paragraph', content: ['**bold** <b> # x'] }, { type: 'cut', text: 'Cut line — here' }),
    );
    expect(text).toContain('**bold** <b> # x');
    expect(text).toContain('Cut line — here');
  });

  it('aligns narrow tables in columns and writes wide ones as records', () => {
    const narrow = renderText(
      doc({ type: 'table', columns: ['ID', 'Status'], rows: [[cell('M-0001'), cell('Done')]] }),
    );
    expect(narrow).toContain('ID      Status\n------  ------\nM-0001  Done');
    const wide = renderText(
      doc({ type: 'table', columns: ['ID', 'Why'], rows: [[cell('M-0001'), cell('x'.repeat(120))]] }),
    );
    expect(wide).toContain(`* ID: M-0001\n  Why: ${'x'.repeat(120)}`);
  });
});
