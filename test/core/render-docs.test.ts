import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withChartsAsTables } from '../../src/core/charts';
import { planPack } from '../../src/core/cycle';
import { cell, type Document } from '../../src/core/document';
import type { TabName } from '../../src/core/layout';
import { type DocsRequest, renderDocsRequests, renderDocsSteps } from '../../src/core/render-docs';
import type { Cell } from '../../src/core/types';
import { snapshot } from './builders';

/**
 * A small model of a Docs body, enough to check the requests: one token per index (a
 * character, a paragraph's newline, or a table/row/cell marker), body starting at index 1.
 */
type Token =
  | { t: 'char'; c: string }
  | { t: 'nl' }
  | { t: 'table' }
  | { t: 'row' }
  | { t: 'cell' }
  | { t: 'end' };

function simulate(requests: DocsRequest[]): Token[] {
  const doc: Token[] = [{ t: 'nl' }];
  const at = (index: number) => {
    const tok = doc[index - 1];
    if (!tok || (tok.t !== 'char' && tok.t !== 'nl'))
      throw new Error(`index ${index} is not inside a paragraph`);
  };
  const within = (start: number, end: number) => {
    if (start < 1 || end > doc.length + 1 || start >= end)
      throw new Error(`range ${start}..${end} outside 1..${doc.length + 1}`);
  };
  for (const r of requests) {
    if ('insertText' in r) {
      const i = r.insertText.location.index;
      at(i);
      const toks: Token[] = [...r.insertText.text].map((c) => (c === '\n' ? { t: 'nl' } : { t: 'char', c }));
      // UTF-16 units: a character outside the BMP takes two indexes.
      const units = toks.flatMap((tk) =>
        tk.t === 'char' && tk.c.length === 2 ? [tk, { t: 'char', c: '' } as Token] : [tk],
      );
      doc.splice(i - 1, 0, ...units);
    } else if ('insertTable' in r) {
      const { rows, columns, location } = r.insertTable;
      at(location.index);
      const toks: Token[] = [{ t: 'nl' }, { t: 'table' }];
      for (let x = 0; x < rows; x++) {
        toks.push({ t: 'row' });
        for (let y = 0; y < columns; y++) toks.push({ t: 'cell' }, { t: 'nl' });
      }
      toks.push({ t: 'end' });
      doc.splice(location.index - 1, 0, ...toks);
    } else if ('updateTextStyle' in r)
      within(r.updateTextStyle.range.startIndex, r.updateTextStyle.range.endIndex);
    else if ('updateParagraphStyle' in r)
      within(r.updateParagraphStyle.range.startIndex, r.updateParagraphStyle.range.endIndex);
    else if ('createParagraphBullets' in r)
      within(r.createParagraphBullets.range.startIndex, r.createParagraphBullets.range.endIndex);
    else if ('deleteParagraphBullets' in r)
      within(r.deleteParagraphBullets.range.startIndex, r.deleteParagraphBullets.range.endIndex);
    else if ('updateTableCellStyle' in r) {
      const s = r.updateTableCellStyle.tableRange.tableCellLocation.tableStartLocation.index;
      if (doc[s - 1]?.t !== 'table') throw new Error(`no table starts at ${s}`);
    }
  }
  return doc;
}

/** The text a reader sees: paragraphs on lines, cells separated by ' | '. */
function reading(doc: Token[]): string {
  let out = '';
  let inCell = false;
  for (const tok of doc) {
    if (tok.t === 'char') out += tok.c;
    else if (tok.t === 'nl') out += inCell ? '' : '\n';
    else if (tok.t === 'cell') {
      out += inCell ? ' | ' : '';
      inCell = true;
    } else if (tok.t === 'row') {
      out += inCell ? '\n' : '';
      inCell = false;
    } else if (tok.t === 'end') {
      out += '\n';
      inCell = false;
    }
  }
  return out;
}

describe('renderDocsRequests', () => {
  it('fills an empty 2×2 table at the indexes Google documents (5, 7, 10, 12 for a table inserted at 1)', () => {
    const doc: Document = {
      title: 'T',
      blocks: [{ type: 'table', columns: ['A1', 'B1'], rows: [[cell('A2'), cell('B2')]] }],
    };
    const reqs = renderDocsRequests(doc);
    expect(reqs[0]).toEqual({ insertTable: { rows: 2, columns: 2, location: { index: 1 } } });
    const inserts = reqs
      .filter((r): r is Extract<DocsRequest, { insertText: unknown }> => 'insertText' in r)
      .slice(0, 4);
    expect(inserts.map((r) => [r.insertText.text, r.insertText.location.index])).toEqual([
      ['B2', 12],
      ['A2', 10],
      ['B1', 7],
      ['A1', 5],
    ]);
  });

  it('writes blocks in reading order, with headings, lists, coloured status cells and the cut line', () => {
    const doc: Document = {
      title: 'Milestone meeting — Thu 3 Dec 2026',
      subtitle: 'Pack generated Wed 2 Dec',
      blocks: [
        { type: 'heading', level: 2, text: 'Part 2' },
        { type: 'list', ordered: true, items: [['First ', { text: 'bold', bold: true }], ['Second']] },
        { type: 'cut', text: 'Cut line' },
        {
          type: 'table',
          columns: ['ID', 'Status'],
          rows: [[cell('M-0001'), { content: ['Might miss'], status: 'Might miss' }]],
        },
        {
          type: 'paragraph',
          content: ['<script>alert(1)</script> =SUM(A1) ', { text: 'link', link: 'javascript:alert(1)' }],
        },
      ],
    };
    const reqs = renderDocsRequests(doc);
    const text = reading(simulate(reqs));
    expect(text.indexOf('Milestone meeting')).toBe(0);
    const order = [
      'Milestone meeting',
      'Pack generated',
      'Part 2',
      'First bold',
      'Second',
      'Cut line',
      'ID | Status',
      'M-0001 | Might miss',
      '<script>alert(1)</script> =SUM(A1) link',
    ];
    const positions = order.map((s) => text.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(reqs).toContainEqual(
      expect.objectContaining({
        createParagraphBullets: expect.objectContaining({ bulletPreset: 'NUMBERED_DECIMAL_ALPHA_ROMAN' }),
      }),
    );
    const fills = reqs.filter(
      (r): r is Extract<DocsRequest, { updateTableCellStyle: unknown }> => 'updateTableCellStyle' in r,
    );
    // The header row in one request, the Might miss cell in another.
    expect(fills.map((f) => f.updateTableCellStyle.tableRange)).toEqual([
      expect.objectContaining({ tableCellLocation: expect.objectContaining({ rowIndex: 0 }), columnSpan: 2 }),
      expect.objectContaining({
        tableCellLocation: expect.objectContaining({ rowIndex: 1, columnIndex: 1 }),
      }),
    ]);
    // Text is data: no link for a javascript: URL.
    expect(JSON.stringify(reqs)).not.toContain('javascript:');
    expect(
      reqs.some(
        (r) =>
          'updateParagraphStyle' in r && r.updateParagraphStyle.paragraphStyle.namedStyleType === 'TITLE',
      ),
    ).toBe(true);
  });

  it('writes a run of paragraphs, headings and lists with one insertText, and merges equal styles', () => {
    const doc: Document = {
      title: 'T',
      blocks: [
        { type: 'heading', level: 2, text: 'H' },
        {
          type: 'paragraph',
          content: ['plain ', { text: 'bo', bold: true }, { text: 'ld', bold: true }, ' end'],
        },
        { type: 'list', ordered: false, items: [['a'], ['b']] },
        { type: 'list', ordered: true, items: [['c']] },
        { type: 'paragraph', content: [{ text: 'x', muted: true }] },
        { type: 'paragraph', content: ['y'] },
      ],
    };
    const reqs = renderDocsRequests(doc);
    expect(reqs[0]).toEqual({
      insertText: { text: 'T\nH\nplain bold end\na\nb\nc\nx\ny\n', location: { index: 1 } },
    });
    expect(reqs.filter((r) => 'insertText' in r)).toHaveLength(1);
    const named = reqs.flatMap((r) =>
      'updateParagraphStyle' in r
        ? [[r.updateParagraphStyle.paragraphStyle.namedStyleType, r.updateParagraphStyle.range]]
        : [],
    );
    expect(named).toEqual([
      ['TITLE', { startIndex: 1, endIndex: 3 }],
      ['HEADING_2', { startIndex: 3, endIndex: 5 }],
      ['NORMAL_TEXT', { startIndex: 5, endIndex: 30 }],
    ]);
    const text = reqs.flatMap((r) =>
      'updateTextStyle' in r ? [[r.updateTextStyle.fields, r.updateTextStyle.range]] : [],
    );
    expect(text).toEqual([
      ['bold', { startIndex: 11, endIndex: 15 }],
      ['foregroundColor', { startIndex: 26, endIndex: 27 }],
    ]);
    // Each list its own bullets, the last first; no bullets to delete.
    const bullets = reqs.flatMap((r) => ('createParagraphBullets' in r ? [r.createParagraphBullets] : []));
    expect(bullets).toEqual([
      { range: { startIndex: 24, endIndex: 26 }, bulletPreset: 'NUMBERED_DECIMAL_ALPHA_ROMAN' },
      { range: { startIndex: 20, endIndex: 24 }, bulletPreset: 'BULLET_DISC_CIRCLE_SQUARE' },
    ]);
    expect(reqs.some((r) => 'deleteParagraphBullets' in r)).toBe(false);
    expect(reading(simulate(reqs))).toBe('T\nH\nplain bold end\na\nb\nc\nx\ny\n\n');
  });

  it('colours runs of equal status cells with one request each', () => {
    const status = (s: 'Missed' | 'Done' | 'On track') => ({ content: [s], status: s });
    const doc: Document = {
      title: 'T',
      blocks: [
        {
          type: 'table',
          columns: ['ID', 'Status'],
          rows: [
            [cell('1'), status('Missed')],
            [cell('2'), status('Missed')],
            [cell('3'), status('Done')],
            [cell('4'), status('On track')],
            [cell('5'), status('Missed')],
          ],
        },
      ],
    };
    const fills = renderDocsRequests(doc).flatMap((r) =>
      'updateTableCellStyle' in r
        ? [
            [
              r.updateTableCellStyle.tableRange.tableCellLocation.rowIndex,
              r.updateTableCellStyle.tableRange.tableCellLocation.columnIndex,
              r.updateTableCellStyle.tableRange.rowSpan,
              r.updateTableCellStyle.tableRange.columnSpan,
            ],
          ]
        : [],
    );
    expect(fills).toEqual([
      [0, 0, 1, 2],
      [1, 1, 2, 1],
      [3, 1, 1, 1],
      [5, 1, 1, 1],
    ]);
  });

  it('keeps the cut line apart and its border from spreading to what comes before it', () => {
    const doc: Document = {
      title: 'T',
      blocks: [
        { type: 'table', columns: ['A'], rows: [[cell('above')]] },
        { type: 'cut', text: 'Cut' },
        { type: 'table', columns: ['A'], rows: [[cell('below')]] },
      ],
    };
    const steps = renderDocsSteps(doc);
    const reqs = steps.flat();
    expect(reqs).toContainEqual({
      updateTextStyle: {
        range: { startIndex: 1, endIndex: 4 },
        textStyle: { bold: true, foregroundColor: expect.any(Object) },
        fields: 'bold,foregroundColor',
      },
    });
    // The table above is inserted before the cut line: the newline Docs puts before it would
    // keep the cut's border (and its named style), so both are reset there.
    const aboveTable = reqs.findIndex((r, i) => i > 0 && 'insertTable' in r);
    expect(reqs[aboveTable + 1]).toEqual({
      updateParagraphStyle: {
        range: { startIndex: 1, endIndex: 2 },
        paragraphStyle: { namedStyleType: 'NORMAL_TEXT' },
        fields: 'namedStyleType,borderTop',
      },
    });
    expect(reading(simulate(reqs))).toBe('T\n\nA\nabove\nCut\n\nA\nbelow\n\n');
  });

  it('renders the whole sample pack with valid indexes throughout, one insertText per run of text or cell', () => {
    const data = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../templates/sample/register.json'), 'utf8'),
    ) as Partial<Record<TabName, Record<string, Cell>[]>>;
    const pack = planPack(snapshot(data), [], '2026-12-02T16:00:00Z', (m) => m.date);
    const steps = renderDocsSteps(pack.document!);
    const reqs = renderDocsRequests(pack.document!);
    expect(steps.flat()).toEqual(reqs);
    const text = reading(simulate(reqs));
    // Between any two steps the document is valid: a writer may end a call there.
    for (let k = 1; k < steps.length; k++) simulate(steps.slice(0, k).flat());
    // A chart is written as its caption and a table (charts.ts).
    const blocks = withChartsAsTables(pack.document!.blocks);
    const runsOfText = blocks.filter(
      (b, i) => b.type !== 'table' && (i === 0 || blocks[i - 1]!.type === 'table'),
    );
    const cells = blocks.flatMap((b) =>
      b.type === 'table'
        ? [b.columns.map((c) => [c]), ...b.rows.map((r) => r.map((x) => x.content))].flat()
        : [],
    );
    const filled = cells.filter((c) => c.some((x) => (typeof x === 'string' ? x : x.text) !== '')).length;
    const first = blocks[0]!.type === 'table' ? 1 : 0; // the title's own run when a table comes first
    expect(reqs.filter((r) => 'insertText' in r)).toHaveLength(runsOfText.length + first + filled);
    for (const heading of [
      'Agenda',
      'Part 1 — Member updates',
      'Part 2 — Topics in priority order',
      'Tracking by strategic priority',
      'Health',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text.indexOf('At a glance')).toBeLessThan(text.indexOf('Agenda'));
    expect(text.indexOf('Agenda')).toBeLessThan(text.lastIndexOf('Health'));
    expect(text).toContain('Pricing page A/B test <v2> & FAQ');
  });
});
