/**
 * The pack's "At a glance" section and its "Register problems" box (src/core/glance.ts), on the
 * sample register as `planPack` builds it: what the meeting must decide, the milestones at risk
 * with their slip, the "likely to slip" flags, who has not responded and the health in one
 * line; a register with errors marked, boxed, and nothing unreadable shown as fine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPack } from '../../src/core/cycle';
import { daysBetween } from '../../src/core/dates';
import { type Block, type Document, plainText, type TableCell } from '../../src/core/document';
import type { TabName } from '../../src/core/layout';
import { isOpen } from '../../src/core/register';
import { renderDocsRequests } from '../../src/core/render-docs';
import { renderHtml } from '../../src/core/render-html';
import { renderMarkdown } from '../../src/core/render-markdown';
import { slotsOf } from '../../src/core/slots';
import type { Cell } from '../../src/core/types';
import { slipWarnings } from '../../src/core/warnings';
import { raw, snapshot } from './builders';

type Data = Partial<Record<TabName, Record<string, Cell>[]>>;
const ROOT = path.join(__dirname, '../..');
const SAMPLE: Data = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/sample/register.json'), 'utf8'));
const RESPONSES = fs
  .readFileSync(path.join(ROOT, 'templates/sample/responses.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const NOW = '2026-12-02T16:00:00Z';

function build(data: Data = structuredClone(SAMPLE)) {
  return planPack(snapshot(data), raw(...RESPONSES), NOW, (m) => `packs/${m.date}.html`);
}

/** The sample with the errors of issue 12: a status "Late", a due date "next week", an owner "Tom B". */
function withErrors(): Data {
  const data = structuredClone(SAMPLE);
  const at = (id: string) => data.Milestones!.find((m) => m.ID === id)!;
  at('M-0006').Status = 'Late';
  at('M-0007').Due = 'next week';
  at('M-0008').Owner = 'Tom B';
  return data;
}

function section(doc: Document, id: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.type === 'heading' && b.id === id);
  if (start < 0) throw new Error(`no section ${id}`);
  const end = doc.blocks.findIndex((b, i) => i > start && b.type === 'heading' && b.level <= 2);
  return doc.blocks.slice(start + 1, end < 0 ? undefined : end);
}

function text(blocks: Block[]): string {
  return blocks
    .map((b) =>
      b.type === 'paragraph'
        ? plainText(b.content)
        : b.type === 'list'
          ? b.items.map(plainText).join('\n')
          : b.type === 'table'
            ? b.rows.map((r) => r.map((c) => plainText(c.content)).join(' | ')).join('\n')
            : b.type === 'chart'
              ? b.alt
              : b.text,
    )
    .join('\n');
}

/** The list that follows the paragraph starting with `label`. */
function listAfter(blocks: Block[], label: string): string[] {
  const i = blocks.findIndex((b) => b.type === 'paragraph' && plainText(b.content).startsWith(label));
  const list = blocks[i + 1];
  if (i < 0 || list?.type !== 'list') throw new Error(`no list after ${label}`);
  return list.items.map(plainText);
}

type Table = Extract<Block, { type: 'table' }>;
const tables = (blocks: Block[]) => blocks.filter((b): b is Table => b.type === 'table');

/** Every milestone row of the Part 1 and tracking tables: its ID and its cells by column. */
function milestoneRows(doc: Document): { id: string; where: string; cells: Record<string, TableCell> }[] {
  const out: { id: string; where: string; cells: Record<string, TableCell> }[] = [];
  for (const where of ['part-1', 'tracking']) {
    for (const t of tables(section(doc, where))) {
      if (!t.columns.includes('ID')) continue;
      for (const r of t.rows) {
        const cells = Object.fromEntries(t.columns.map((c, i) => [c, r[i]!]));
        out.push({ id: plainText(cells.ID!.content), where, cells });
      }
    }
  }
  return out;
}

describe('At a glance', () => {
  it('comes first, as a box, and lists the slots above the cut line one line each, in rank order', () => {
    const out = build();
    const doc = out.document!;
    expect(doc.blocks[0]).toMatchObject({ type: 'heading', level: 2, text: 'At a glance', box: 'glance' });
    const glance = section(doc, 'at-a-glance');
    const above = slotsOf(out.topics).filter((s) => !s.belowCut);
    expect(above.length).toBeGreaterThan(0);
    const lines = listAfter(glance, 'Decisions needed');
    expect(lines).toHaveLength(above.length);
    above.forEach((slot, i) => {
      expect(lines[i]!.startsWith(slot.lead.title)).toBe(true);
      expect(lines[i]).not.toContain('\n');
    });
    expect(lines[0]).toContain('Marcus Hall');
    expect(text(glance)).toContain(`Decisions needed (${above.length} of `);
  });

  it('lists every open milestone at risk with its slip in days (forecast − due), missed first', () => {
    const out = build();
    const lines = listAfter(section(out.document!, 'at-a-glance'), 'Milestones at risk');
    const atRisk = out.register.milestones.filter(
      (m) =>
        isOpen(m) &&
        (m.status === 'Might miss' ||
          m.status === 'Missed' ||
          (!!m.forecast && !!m.due && m.forecast > m.due)),
    );
    expect(lines.map((l) => l.split(' ')[0]).sort()).toEqual(atRisk.map((m) => m.id).sort());
    for (const m of atRisk.filter((x) => x.forecast && x.due)) {
      const line = lines.find((l) => l.startsWith(`${m.id} `))!;
      expect(line).toContain(`+${daysBetween(m.due!, m.forecast!)}\u00A0days`);
    }
    expect(lines.find((l) => l.startsWith('M-0003 '))).toBe(
      'M-0003 Usage-based billing live in Stripe — Marcus Hall: Might miss +18\u00A0days (due 4 Dec, forecast 22 Dec)',
    );
    expect(lines.find((l) => l.startsWith('M-0008 '))).toContain(
      'Missed (due 27 Nov, no forecast, 6 days overdue)',
    );
    const firstMightMiss = lines.findIndex((l) => l.includes('Might miss'));
    expect(lines.slice(0, firstMightMiss).every((l) => l.includes('Missed'))).toBe(true);
  });

  it('shows the "likely to slip" flags of warnings.ts with their reasons, in the box and at the milestone', () => {
    const out = build();
    const doc = out.document!;
    const warnings = slipWarnings(out.register, NOW, '2026-12-10');
    expect(warnings.length).toBeGreaterThan(0);
    const lines = listAfter(section(doc, 'at-a-glance'), 'Likely to slip');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(warnings.map((w) => w.id));
    expect(lines.find((l) => l.startsWith('M-0004 '))).toContain(
      'depends on M-0003, which is marked Might miss',
    );
    // The milestone's own row says so too, wherever it is listed (once).
    const row = milestoneRows(doc).filter((r) => r.id === 'M-0004');
    expect(row).toHaveLength(1);
    expect(plainText(row[0]!.cells.Milestone!.content)).toContain(
      'Likely to slip: depends on M-0003, which is marked Might miss',
    );
  });

  it('names who has not responded and gives the health figures in one line; no actions line without tracked actions', () => {
    const out = build();
    const glance = text(section(out.document!, 'at-a-glance'));
    expect(glance).toContain('Not responded: Sam Whitfield, Tom Becker (2 of 8).');
    const health = glance.split('\n').filter((l) => l.startsWith('Health: '));
    expect(health).toEqual([
      'Health: 31 milestones: 17 on track, 4 might miss, 3 missed, 6 done, 1 dropped · 1 of 3 misses anticipated (33%) · 2 surprise misses · 75% responded (6 of 8).',
    ]);
    expect(glance).not.toMatch(/action/i);
  });

  it('is what the pack email says, in the same words', () => {
    const out = build();
    const email = out.plan.emails.find((e) => e.kind === 'pack')!;
    expect(email.subject).toBe('Meeting pack: milestone meeting Thu 3 Dec 2026');
    for (const line of text(section(out.document!, 'at-a-glance')).split('\n'))
      expect(email.text).toContain(line);
    expect(email.html).toContain('Decisions needed');
  });

  it('lists each open milestone once: Part 1 what changed or needs attention, tracking the rest', () => {
    const out = build();
    const rows = milestoneRows(out.document!);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of out.register.milestones.filter(isOpen)) expect(ids).toContain(m.id);
    // On track, unchanged, not due before the next meeting: in tracking only.
    expect(rows.find((r) => r.id === 'M-0030')?.where).toBe('tracking');
    expect(rows.find((r) => r.id === 'M-0003')?.where).toBe('part-1');
  });
});

describe('Register problems', () => {
  it('marks the pack and boxes each error with its tab, row, column, what was found and what to fix', () => {
    const out = build(withErrors());
    const doc = out.document!;
    expect(doc.subtitle).toContain('built with 3 register problems');
    const last = doc.blocks.findIndex((b) => b.type === 'heading' && b.id === 'register-problems');
    expect(doc.blocks[last]).toMatchObject({ text: 'Register problems', box: 'problems' });
    const [box] = tables(section(doc, 'register-problems'));
    expect(box!.columns).toEqual(['Tab', 'Row', 'Column', 'Found', 'What to fix']);
    expect(box!.rows.map((r) => r.map((c) => plainText(c.content)))).toEqual([
      [
        'Milestones',
        '7 (M-0006)',
        'Status',
        '“Late”',
        'Enter one of On track, Might miss, Missed, Done, Dropped.',
      ],
      ['Milestones', '8 (M-0007)', 'Due', '“next week”', 'Enter a date (YYYY-MM-DD, or a date cell).'],
      [
        'Milestones',
        '9 (M-0008)',
        'Owner',
        '“Tom B”',
        'Enter the email (or unique name) of someone on the Team tab.',
      ],
    ]);
    const glance = text(section(doc, 'at-a-glance'));
    expect(glance).toContain('⚠ Built with 3 register problems');
    expect(glance).toContain('Doubtful: M-0006 status “Late”, M-0007 due “next week”, M-0008 owner “Tom B”.');
    const email = out.plan.emails.find((e) => e.kind === 'pack')!;
    expect(email.subject).toBe(
      'Meeting pack: milestone meeting Thu 3 Dec 2026 (built with 3 register problems)',
    );
    expect(email.text).toContain('⚠ Built with 3 register problems');
  });

  it('never shows or counts an unreadable status as On track', () => {
    const out = build(withErrors());
    const doc = out.document!;
    const late = milestoneRows(doc).filter((r) => r.id === 'M-0006');
    expect(late).toHaveLength(1);
    expect(plainText(late[0]!.cells.Status!.content)).toBe('? (unreadable: Late)');
    expect(late[0]!.cells.Status!.status).toBeUndefined();
    expect(out.health!.statusCounts['On track']).toBe(16);
    expect(out.health!.unreadableStatus).toBe(1);
    const all = text(doc.blocks);
    expect(all).toContain(
      '9 milestones: 4 on track, 1 might miss, 1 missed, 2 done, 1 with an unreadable status.',
    );
    expect(all).toContain(
      '31 milestones: 16 on track, 4 might miss, 3 missed, 6 done, 1 dropped, 1 with an unreadable status',
    );
  });

  it('shows an unreadable due date and owner as "?", and a missed milestone with an owner typo keeps its topic', () => {
    const out = build(withErrors());
    const rows = milestoneRows(out.document!);
    expect(plainText(rows.find((r) => r.id === 'M-0007')!.cells.Due!.content)).toBe(
      '? (unreadable: next week)',
    );
    const missed = rows.find((r) => r.id === 'M-0008')!;
    expect(plainText(missed.cells.Owner!.content)).toBe('? (unreadable: Tom B)');
    expect(out.topics.map((t) => t.topicId)).toContain('2026-12-03/missed/M-0008');
    const decisions = listAfter(section(out.document!, 'at-a-glance'), 'Decisions needed');
    expect(decisions.some((l) => l.startsWith('M-0008 ') && l.endsWith('owner ? (“Tom B”)'))).toBe(true);
  });

  it('is absent, and the pack unmarked, when the register has no errors', () => {
    const doc = build().document!;
    expect(doc.subtitle).not.toContain('register problem');
    expect(doc.blocks.some((b) => b.type === 'heading' && b.box === 'problems')).toBe(false);
    expect(text(doc.blocks)).not.toContain('unreadable');
  });

  it('renders the boxes in every format: HTML sections (at a glance alone on printed page 1), Markdown, the Doc', () => {
    const doc = build(withErrors()).document!;
    const html = renderHtml(doc);
    const glance = html.indexOf('<section class="box box-glance">');
    expect(glance).toBeGreaterThan(0);
    expect(glance).toBeLessThan(html.indexOf('<nav class="toc"'));
    expect(html).toContain('<section class="box box-problems">');
    expect(html).toMatch(/@media print \{[^}]*\n[\s\S]*section\.box-glance \{ break-after: page;/);
    expect(html).not.toContain('overflow-wrap: anywhere');
    const md = renderMarkdown(doc);
    expect(md.indexOf('## At a glance')).toBeLessThan(md.indexOf('## Part 2'));
    expect(md).toContain('## Register problems');
    const docsText = renderDocsRequests(doc)
      .flatMap((r) => ('insertText' in r ? [r.insertText.text] : []))
      .join('');
    expect(docsText).toContain('At a glance');
    expect(docsText).toContain('Register problems');
  });
});
