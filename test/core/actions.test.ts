/**
 * Actions that come back (issue 12 §3): decisions become tracked actions at wrap-up, the next
 * pack reports them, at a glance lists those due, a returning topic keeps its decision, wrap-up
 * warns about an action nobody owns or without a date, and an action can become a milestone.
 */
import { describe, expect, it } from 'vitest';
import { actionsToReport, openActionsByOwner } from '../../src/core/actions';
import { ID_FLOOR_SETTING, missingTabs, planPack, planSync, planWrapUp } from '../../src/core/cycle';
import { inlineText, plainText } from '../../src/core/document';
import { readRegister } from '../../src/core/register';
import { renderMarkdown } from '../../src/core/render-markdown';
import type { Cell, Snapshot } from '../../src/core/types';
import { milestone, register } from './builders';

const WRAP_UP = '2026-12-03T12:00:00Z';
/** The pack of the meeting after (10 Dec), built the day before. */
const NEXT_PACK = '2026-12-09T16:00:00Z';

const milestones = [
  milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss', Priority: 'Grow revenue' }),
  milestone('M-0002', 'bob@example.com', '2026-12-20'),
];

function topic(id: string, over: Record<string, Cell> = {}): Record<string, Cell> {
  const [meeting, ...rest] = id.split('/');
  return { 'Topic ID': id, Meeting: meeting!, Rank: 1, Kind: rest[0]!, Topic: `Topic ${id}`, ...over };
}

const decided = [
  topic('2026-12-03/might-miss/M-0001', {
    Milestone: 'M-0001',
    Outcome: 'Resolved',
    'Decision / action': 'Add two engineers to billing',
    'Action owner': 'Bob Ray',
    'Action due': '2026-12-08',
  }),
  topic('2026-12-03/stale/bob@example.com', { Rank: 2 }),
  topic('2026-12-03/help/ann@example.com', {
    Rank: 3,
    Outcome: 'Discussed',
    'Decision / action': 'Ask finance for the audit list',
  }),
];

const meetingsHeld = [
  { Date: '2026-11-26', Time: '10:00', Status: 'Held', 'Wrapped up': '2026-11-26T12:00:00Z' },
  { Date: '2026-12-03', Time: '10:00', Status: 'Held', 'Wrapped up': WRAP_UP },
  { Date: '2026-12-10', Time: '10:00', Status: 'Planned' },
  { Date: '2026-12-17', Time: '10:00', Status: 'Planned' },
];

function actionRow(id: string, over: Record<string, Cell> = {}): Record<string, Cell> {
  return {
    ID: id,
    Action: `Action ${id}`,
    Owner: 'bob@example.com',
    Due: '2026-12-08',
    Status: 'Open',
    'From meeting': '2026-12-03',
    'Topic ID': `2026-12-03/raised/${id}`,
    ...over,
  };
}

const withoutTab = (s: Snapshot): Snapshot => ({ tables: s.tables.filter((t) => t.name !== 'Actions') });

describe('wrap-up: each decision becomes a tracked action', () => {
  const snapshot = register({ Milestones: milestones, Topics: decided });

  it('adds one Actions row per decision, with its own ID, owner, due date and meeting', () => {
    const w = planWrapUp(snapshot, WRAP_UP);
    expect(w.actions).toEqual(['A-0001', 'A-0002']);
    const rows = w.plan.appends.filter((a) => a.tab === 'Actions').map((a) => a.values);
    expect(rows).toEqual([
      {
        ID: 'A-0001',
        Action: 'Add two engineers to billing',
        Owner: 'bob@example.com',
        Due: '2026-12-08',
        Status: 'Open',
        'From meeting': '2026-12-03',
        'Topic ID': '2026-12-03/might-miss/M-0001',
        Milestone: 'M-0001',
      },
      expect.objectContaining({
        ID: 'A-0002',
        Owner: '',
        Due: '',
        'Topic ID': '2026-12-03/help/ann@example.com',
      }),
    ]);
    // The digest names each decision by the ID it is tracked under.
    const digest = w.plan.emails.find((e) => e.kind === 'digest')!;
    expect(digest.text).toContain('Add two engineers to billing (tracked as A-0001)');
  });

  it('never adds an action twice: a decision already tracked (by Topic ID) is skipped, IDs continue', () => {
    const tracked = register({
      Milestones: milestones,
      Topics: decided,
      Actions: [actionRow('A-0007', { 'Topic ID': '2026-12-03/might-miss/M-0001' })],
    });
    const w = planWrapUp(tracked, WRAP_UP);
    expect(w.actions).toEqual(['A-0008']);
    expect(w.plan.appends.filter((a) => a.tab === 'Actions').map((a) => a.values['Topic ID'])).toEqual([
      '2026-12-03/help/ann@example.com',
    ]);
  });

  it('a topic handed to its Action owner without discussion (Handle offline) is tracked too', () => {
    const topics = [
      topic('2026-12-03/missed/M-0002', {
        Topic: 'M-0002 missed',
        Outcome: 'Handle offline',
        'Action owner': 'bob@example.com',
        'Action due': '2026-12-09',
      }),
      topic('2026-12-03/stale/ann@example.com', { Outcome: 'Handle offline' }), // nobody to hand it to
    ];
    const w = planWrapUp(register({ Milestones: milestones, Topics: topics }), WRAP_UP);
    expect(
      w.plan.appends.filter((a) => a.tab === 'Actions').map((a) => [a.values.Action, a.values.Owner]),
    ).toEqual([['Handle offline: M-0002 missed', 'bob@example.com']]);
  });

  it('warns about an action with no owner, an owner not on the Team tab, or no due date', () => {
    const topics = [
      ...decided,
      topic('2026-12-03/raised/R-0001', { 'Decision / action': 'Call the bank', 'Action owner': 'Tom B' }),
    ];
    const w = planWrapUp(register({ Milestones: milestones, Topics: topics }), WRAP_UP);
    const warnings = w.problems.filter((p) => p.severity === 'warning' && p.tab === 'Topics');
    expect(warnings.map((p) => [p.row, p.column])).toEqual([
      [4, 'Action owner'],
      [4, 'Action due'],
      [5, 'Action owner'],
      [5, 'Action due'],
    ]);
    expect(warnings[0]!.message).toMatch(/A-0002.*has no owner/);
    expect(warnings[2]!.message).toMatch(/“Tom B”, who is not on the Team tab/);
    // The first decision has both: no warning for it.
    expect(warnings.some((p) => p.row === 2)).toBe(false);
  });

  it('works on a register made before the Actions tab: no problem reading it, the shell adds the tab', () => {
    const old = withoutTab(snapshot);
    const read = readRegister(old);
    expect(read.problems.filter((p) => p.tab === 'Actions')).toEqual([]);
    expect(read.register.actions).toEqual([]);
    const w = planWrapUp(old, WRAP_UP);
    expect(w.actions).toEqual(['A-0001', 'A-0002']);
    expect(missingTabs(w.plan, old)).toEqual(['Actions']);
    expect(missingTabs(w.plan, snapshot)).toEqual([]);
  });
});

describe('an action made a milestone (Make milestone: yes)', () => {
  const snapshot = (make: Record<string, Cell>) =>
    register({
      Milestones: milestones,
      Meetings: meetingsHeld,
      Topics: decided,
      Actions: [
        actionRow('A-0001', { Milestone: 'M-0001', ...make }),
        actionRow('A-0002', { Status: 'Done' }),
      ],
    });

  it('the next sync adds the milestone (same owner, due date, priority of the topic) and writes its ID back', () => {
    const s = planSync(snapshot({ 'Make milestone': 'yes' }), [], NEXT_PACK);
    const row = s.plan.appends.find((a) => a.tab === 'Milestones')!;
    expect(row.values).toEqual({
      ID: 'M-0003',
      Priority: 'Grow revenue',
      Milestone: 'Action A-0001',
      Owner: 'bob@example.com',
      Due: '2026-12-08',
      Status: 'On track',
      Notes: 'Made from action A-0001 (meeting 2026-12-03)',
    });
    // Added only if the action records it: a conflict there holds the row back.
    expect(row.requires).toEqual([{ tab: 'Actions', key: 'A-0001' }]);
    const write = s.plan.writes.find((w) => w.tab === 'Actions')!;
    expect([write.ref, write.column, write.value]).toEqual([
      { by: 'key', header: 'ID', value: 'A-0001' },
      'Created milestone',
      'M-0003',
    ]);
    const floor = s.plan.writes.find(
      (w) => w.tab === 'Settings' && w.ref.by === 'key' && w.ref.value === ID_FLOOR_SETTING,
    );
    expect(floor?.value).toBe('M-0003');
    expect(s.register.milestones.map((m) => m.id)).toContain('M-0003');
    // Due before this sync, yet nothing in the plan writes to the row it adds (the next sync may).
    expect(
      s.plan.writes.some((w) => w.tab === 'Milestones' && w.ref.by === 'key' && w.ref.value === 'M-0003'),
    ).toBe(false);
    expect(s.problems.filter((p) => p.tab === 'Actions')).toEqual([]);
  });

  it('a ticked checkbox counts as yes; once Created milestone is filled in, nothing more is made', () => {
    expect(
      planSync(snapshot({ 'Make milestone': true }), [], NEXT_PACK).plan.appends.some(
        (a) => a.tab === 'Milestones',
      ),
    ).toBe(true);
    const done = planSync(
      snapshot({ 'Make milestone': 'yes', 'Created milestone': 'M-0003' }),
      [],
      NEXT_PACK,
    );
    expect(done.plan.appends.some((a) => a.tab === 'Milestones')).toBe(false);
    expect(done.plan.writes.some((w) => w.tab === 'Actions')).toBe(false);
  });

  it('an action without an owner or a due date is not made a milestone, and says why', () => {
    const s = planSync(snapshot({ 'Make milestone': 'yes', Owner: '', Due: '' }), [], NEXT_PACK);
    expect(s.plan.appends.some((a) => a.tab === 'Milestones')).toBe(false);
    const p = s.problems.find((x) => x.tab === 'Actions')!;
    expect(p.message).toMatch(
      /A-0001 is marked Make milestone, but a milestone needs an owner .* and a due date/,
    );
  });
});

describe('open actions per owner (for the update form)', () => {
  it("lists each owner's open actions, earliest due first; done, dropped and unowned ones are left out", () => {
    const { register: r } = readRegister(
      register({
        Actions: [
          actionRow('A-0001', { Due: '2026-12-20' }),
          actionRow('A-0002', { Due: '2026-12-05' }),
          actionRow('A-0003', { Status: 'Done' }),
          actionRow('A-0004', { Status: 'Dropped', Owner: 'ann@example.com' }),
          actionRow('A-0005', { Owner: 'Ann Lee' }),
          actionRow('A-0006', { Owner: '' }),
        ],
      }),
    );
    const byOwner = openActionsByOwner(r);
    expect([...byOwner.keys()].sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect(byOwner.get('bob@example.com')!.map((a) => a.id)).toEqual(['A-0002', 'A-0001']);
    expect(byOwner.get('ann@example.com')!.map((a) => a.id)).toEqual(['A-0005']);
  });
});

describe('reading the Actions tab', () => {
  it('a row typed by hand without an action ID is a warning (not an error that stops runs), and not tracked', () => {
    const read = readRegister(
      register({ Actions: [actionRow('A-0001'), actionRow('', { Action: 'By hand' })] }),
    );
    const p = read.problems.filter((x) => x.tab === 'Actions');
    expect(p.map((x) => [x.severity, x.row, x.column])).toEqual([['warning', 3, 'ID']]);
    expect(
      openActionsByOwner(read.register)
        .get('bob@example.com')!
        .map((a) => a.id),
    ).toEqual(['A-0001']);
  });
});

describe('the next pack', () => {
  const snapshot = register({
    Milestones: milestones,
    Meetings: meetingsHeld,
    Topics: decided,
    Actions: [
      actionRow('A-0001', { Action: 'Add two engineers to billing', Due: '2026-12-08' }),
      actionRow('A-0002', {
        Action: 'Ask finance for the audit list',
        Status: 'Done',
        Owner: 'ann@example.com',
      }),
      actionRow('A-0003', {
        Action: 'Old action still open',
        'From meeting': '2026-11-26',
        Due: '2026-12-30',
      }),
      actionRow('A-0004', { Action: 'Old action done', 'From meeting': '2026-11-26', Status: 'Done' }),
    ],
  });
  const pack = planPack(snapshot, [], NEXT_PACK, () => 'packs/2026-12-10.html');
  const blocks = pack.document!.blocks;
  const text = renderMarkdown(pack.document!);

  it('opens Part 2 with "Actions from last meeting": one line per action, with its status', () => {
    const part2 = blocks.findIndex((b) => b.type === 'heading' && b.id === 'part-2');
    const next = blocks[part2 + 1]!;
    expect(next).toMatchObject({ type: 'heading', level: 3, text: 'Actions from last meeting' });
    const list = blocks[part2 + 2]!;
    if (list.type !== 'list') throw new Error('no list');
    const lines = list.items.map(plainText);
    expect(lines).toEqual([
      'A-0001 Add two engineers to billing — Bob Ray, due 8 Dec: Open, 2 days overdue',
      'A-0002 Ask finance for the audit list — Ann Lee, due 8 Dec: Done',
      'A-0003 Old action still open — Bob Ray, due 30 Dec: Open (from 26 Nov)',
    ]);
  });

  it('at a glance lists the open actions due or overdue', () => {
    const glance = text.slice(text.indexOf('At a glance'), text.indexOf('Part 2'));
    expect(glance).toContain('Actions due or overdue');
    expect(glance).toContain(
      '**A-0001** Add two engineers to billing — Bob Ray, due 8 Dec: **Open, 2 days overdue**',
    );
    expect(glance).not.toContain('A-0002');
    expect(glance).not.toContain('A-0003');
  });

  it('the pack email carries the actions too', () => {
    const email = pack.plan.emails.find((e) => e.kind === 'pack')!;
    expect(email.text).toContain('Actions from last meeting');
    expect(email.text).toContain('A-0001 Add two engineers to billing');
  });

  it('reports nothing when there are no actions (no empty heading)', () => {
    const none = planPack(
      register({ Milestones: milestones, Meetings: meetingsHeld }),
      [],
      NEXT_PACK,
      () => 'x',
    );
    expect(renderMarkdown(none.document!)).not.toContain('Actions from last meeting');
    const { register: r } = readRegister(snapshot);
    expect(actionsToReport(r, r.meetings[2]!, r.meetings[1]).map((a) => a.id)).toEqual([
      'A-0001',
      'A-0002',
      'A-0003',
    ]);
  });
});

describe('a topic that returns keeps its earlier decision', () => {
  it('a might-miss topic Resolved at the last meeting shows "decided at meeting …" when it comes back', () => {
    const s = register({
      Milestones: milestones,
      Meetings: meetingsHeld,
      Topics: decided,
      Actions: [actionRow('A-0001', { 'Topic ID': '2026-12-03/might-miss/M-0001' })],
    });
    const pack = planPack(s, [], NEXT_PACK, () => 'x');
    const t = pack.topics.find((x) => x.identity === 'might-miss/M-0001')!;
    expect(t.meeting).toBe('2026-12-10');
    const table = pack.document!.blocks.find(
      (b) =>
        b.type === 'table' &&
        b.columns[0] === '#' &&
        b.rows.some((r) => plainText(r[2]!.content).includes('M-0001')),
    );
    if (table?.type !== 'table') throw new Error('no topic table');
    const cellText = table.rows
      .map((r) => r[2]!.content.map(inlineText).join(''))
      .find((c) => c.includes('M-0001'))!;
    expect(cellText).toContain('decided at meeting Thu 3 Dec 2026 (A-0001): Add two engineers to billing');
  });
});
