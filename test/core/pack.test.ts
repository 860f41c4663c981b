import { describe, expect, it } from 'vitest';
import { type Block, type Document, plainText, type TableCell } from '../../src/core/document';
import { buildPack, describeChanges, type PackInput } from '../../src/core/pack';
import type { Status } from '../../src/core/types';
import { parseComments } from '../../src/core/updates';
import {
  change,
  countStatuses,
  health,
  meeting,
  milestone,
  person,
  priority,
  register,
  samplePackInput,
  settings,
  topic,
  update,
} from './pack-builders';

type Table = Extract<Block, { type: 'table' }>;

/** The blocks of a section: from its heading to the next heading of the same or a higher level. */
function section(doc: Document, id: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.type === 'heading' && b.id === id);
  if (start < 0) throw new Error(`no section ${id}`);
  const level = (doc.blocks[start] as Extract<Block, { type: 'heading' }>).level;
  const end = doc.blocks.findIndex((b, i) => i > start && b.type === 'heading' && b.level <= level);
  return doc.blocks.slice(start + 1, end < 0 ? undefined : end);
}

function headings(blocks: Block[], level: 2 | 3): string[] {
  return blocks.flatMap((b) => (b.type === 'heading' && b.level === level ? [b.text] : []));
}

function tables(blocks: Block[]): Table[] {
  return blocks.filter((b): b is Table => b.type === 'table');
}

function blockText(b: Block): string {
  switch (b.type) {
    case 'heading':
      return b.text;
    case 'paragraph':
      return plainText(b.content);
    case 'list':
      return b.items.map(plainText).join('\n');
    case 'table':
      return b.rows.map((r) => r.map((c) => plainText(c.content)).join(' | ')).join('\n');
    case 'chart':
      return b.alt;
    case 'cut':
      return b.text;
  }
}

function text(blocks: Block[]): string {
  return blocks.map(blockText).join('\n');
}

function column(table: Table, header: string): TableCell[] {
  const i = table.columns.indexOf(header);
  if (i < 0) throw new Error(`no column ${header} in ${table.columns.join(', ')}`);
  return table.rows.map((r) => r[i]!);
}

const cellText = (c: TableCell) => plainText(c.content);

/** Six people in two groups (one inactive, one without milestones), two priorities. */
function smallInput(over: Partial<PackInput> = {}): PackInput {
  const ann = person('Ann Lee', 'Ops');
  const bob = person('Bob Ng', 'Ops');
  const cat = person('Cat Diaz', 'Sales');
  const dan = person('Dan Wu', 'Sales');
  const eve = person('Eve Old', 'Sales', { active: false });
  const fay = person('Fay Boss', 'Ops', { role: 'leader' });
  const milestones = [
    milestone('M-0001', 'Ship the thing', ann.email, 'Revenue', {
      due: '2026-12-01',
      forecast: '2026-12-15',
      status: 'Might miss',
    }),
    milestone('M-0002', 'Hire two engineers', ann.email, 'Efficiency', {
      due: '2026-12-20',
      forecast: '2026-12-20',
    }),
    milestone('M-0003', 'Close the pilot', bob.email, 'Revenue', { due: '2026-11-30', status: 'Done' }),
    milestone('M-0004', 'Old report', bob.email, 'Revenue', { due: '2026-10-01', status: 'Done' }),
    milestone('M-0005', 'Price list', cat.email, 'Revenue', { due: '2026-11-20', status: 'Missed' }),
    milestone('M-0006', 'Partner deal', dan.email, 'Unknown thing', {
      due: '2027-01-10',
      dependsOn: ['M-0001'],
    }),
    milestone('M-0007', 'Dropped idea', dan.email, 'Efficiency', { due: '2027-01-10', status: 'Dropped' }),
  ];
  const date = '2026-12-03';
  return {
    register: register({
      team: [dan, cat, eve, bob, ann, fay],
      priorities: [priority('Efficiency', 2, ann.email), priority('Revenue', 1, 'Board')],
      milestones,
      updates: [
        update(ann.email, date, {
          received: '2026-12-01T09:00:00.000Z',
          wins: 'old win',
        }),
        update(ann.email, date, {
          received: '2026-12-02T09:00:00.000Z',
          wins: 'Shipped beta',
          learnings: 'Test earlier',
          helpNeeded: 'Two reviewers',
          helpFrom: cat.email,
          comments: 'M-0001: Waiting on legal\nM-0002: One offer out',
        }),
        update(ann.email, date, {
          received: '2026-12-02T10:00:00.000Z',
          wins: 'rejected text',
          result: 'Rejected: not an owner',
        }),
        update(bob.email, '2026-11-26', { wins: 'last week' }),
        update(cat.email, date, { wins: '' }),
      ],
      changes: [
        change('2026-11-20T09:00:00.000Z', 'M-0001', 'Status', 'Might miss', 'On track'),
        change('2026-11-28T09:00:00.000Z', 'M-0001', 'Status', 'On track', 'Might miss'),
        change('2026-11-28T09:00:00.000Z', 'M-0001', 'Forecast', '2026-12-01', '2026-12-15'),
        change('2026-11-29T09:00:00.000Z', 'M-0003', 'Status', 'On track', 'Done'),
        change('2026-12-04T09:00:00.000Z', 'M-0002', 'Status', 'On track', 'Might miss'),
      ],
      settings: settings({ meetingLengthMinutes: 60, minutesPerMemberUpdate: 5, minutesPerTopic: 10 }),
    }),
    meeting: meeting(date),
    previousMeeting: meeting('2026-11-26', { status: 'Held' }),
    previousMeetingStart: '2026-11-26T10:00:00.000Z',
    meetingStart: '2026-12-03T10:00:00.000Z',
    topics: [
      topic(1, {
        kind: 'might-miss',
        title: 'M-0001 Ship the thing might miss',
        milestones: ['M-0001'],
        owners: [ann.email],
      }),
      topic(2, {
        kind: 'dependency',
        title: 'M-0001 → M-0006',
        milestones: ['M-0001', 'M-0006'],
        owners: [ann.email, dan.email],
        groups: ['Ops', 'Sales'],
      }),
      topic(3, {
        kind: 'help',
        title: 'Ann needs reviewers',
        owners: [ann.email],
        helpFrom: cat.email,
        deferrals: 2,
      }),
      topic(4, { kind: 'missed', title: 'M-0005 Price list missed', owners: [cat.email], belowCut: true }),
      topic(5, {
        kind: 'stale',
        title: 'No update from Dan Wu',
        owners: [dan.email],
        belowCut: true,
        deferrals: 1,
      }),
    ],
    health: health({
      statusCounts: countStatuses(milestones),
      anticipationRate: 0,
      misses: 1,
      anticipatedMisses: 0,
      surpriseMisses: [{ milestone: 'M-0005', title: 'Price list', owner: cat.email, due: '2026-11-20' }],
      responseRate: 0.5,
      responded: [ann.email, cat.email],
      missingUpdates: [bob.email, dan.email],
    }),
    generatedAt: '2026-12-02T16:05:00.000Z',
    ...over,
  };
}

describe('buildPack', () => {
  it('titles the pack with the meeting date and says when and in which zone it was generated', () => {
    const doc = buildPack(smallInput());
    expect(doc.title).toBe('Milestone meeting — Thu 3 Dec 2026');
    expect(doc.subtitle).toBe('Pack generated Wed 2 Dec 2026 16:05 (Europe/London)');
  });

  it('has every section, in the order of the design', () => {
    const doc = buildPack(smallInput());
    // What to read first comes first: at a glance, the topics (Part 2), then the agenda in
    // meeting order with the member updates (Part 1).
    expect(headings(doc.blocks, 2)).toEqual([
      'At a glance',
      'Part 2 — Topics in priority order',
      'Agenda',
      'Part 1 — Member updates',
      'Deferred topics',
      'Tracking by strategic priority',
      'Trend',
      'Health',
    ]);
    const ids = doc.blocks.flatMap((b) => (b.type === 'heading' ? [b.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('times the agenda: updates of the members who own open milestones, topics, a 5-minute wrap-up', () => {
    const doc = buildPack(smallInput());
    const [agenda] = tables(section(doc, 'agenda'));
    // Ann, Bob? no: Bob's milestones are all Done. Ann, Cat, Dan own open milestones: 3 × 5 min.
    expect(column(agenda!, 'Time').map(cellText)).toEqual(['10:00–10:15', '10:15–10:55', '10:55–11:00']);
    expect(column(agenda!, 'Minutes').map(cellText)).toEqual(['15', '40', '5']);
    expect(column(agenda!, 'Item').map(cellText)[0]).toContain('3 members × 5 min');
    expect(column(agenda!, 'Item').map(cellText)[2]).toContain('Wrap-up');
  });

  it('starts the agenda at the meeting row time when it has one', () => {
    const doc = buildPack(smallInput({ meeting: meeting('2026-12-03', { time: '14:30' }) }));
    const [agenda] = tables(section(doc, 'agenda'));
    expect(cellText(column(agenda!, 'Time')[0]!)).toBe('14:30–14:45');
  });

  it('gives Part 1 a section per member with open milestones, ordered by group then name', () => {
    const doc = buildPack(smallInput());
    const part1 = section(doc, 'part-1');
    expect(headings(part1, 3)).toEqual(['Ann Lee — Ops', 'Cat Diaz — Sales', 'Dan Wu — Sales']);
    // Bob (only closed milestones, no update) and Fay (no milestones) are named, Eve (inactive) is not.
    expect(text(part1)).toContain('No open milestones, no update: Bob Ng, Fay Boss.');
    expect(text(part1)).not.toContain('Eve Old');
  });

  it('also gives a section to an active person without open milestones who sent an update', () => {
    const input = smallInput();
    input.register.updates.push(
      update('fay@example.com', '2026-12-03', { wins: 'Board approved the budget' }),
    );
    const part1 = section(buildPack(input), 'part-1');
    expect(headings(part1, 3)).toContain('Fay Boss — Ops');
    expect(text(part1)).toContain('Board approved the budget');
  });

  it('shows the latest accepted update for this meeting: wins, learnings, help needed from whom', () => {
    const doc = buildPack(smallInput());
    const ann = text(section(doc, 'member-ann-lee'));
    expect(ann).toContain('Wins: Shipped beta');
    expect(ann).toContain('Learnings: Test earlier');
    expect(ann).toContain('Help needed: Two reviewers (from Cat Diaz)');
    expect(ann).not.toContain('old win');
    expect(ann).not.toContain('rejected text');
    expect(ann).toContain('Update received Wed 2 Dec 2026 09:00');
  });

  it('takes the update a delegate sent covering the member’s milestones', () => {
    const input = smallInput();
    input.register.team.push(person('Pia Assistant', 'Sales', { email: 'pia@example.com' }));
    input.register.updates.push(
      update('pia@example.com', '2026-12-03', { wins: 'Partner signed LOI', milestones: ['M-0006'] }),
    );
    const dan = text(section(buildPack(input), 'member-dan-wu'));
    expect(dan).toContain('Wins: Partner signed LOI');
    expect(dan).toContain('Update received from Pia Assistant (delegate)');
  });

  it('does not put a delegate’s own wins under the member they cover when the delegate owns milestones', () => {
    const input = smallInput();
    input.register.updates.push(
      update('cat@example.com', '2026-12-03', {
        received: '2026-12-03T09:00:00.000Z',
        wins: 'Cat’s own win',
        milestones: ['M-0005', 'M-0006'],
      }),
    );
    const doc = buildPack(input);
    const dan = text(section(doc, 'member-dan-wu'));
    expect(dan).not.toContain('Cat’s own win');
    expect(dan).toContain('No update of their own.');
    expect(dan).toContain('Cat Diaz (delegate) updated their milestones Thu 3 Dec 2026 09:00');
    expect(text(section(doc, 'member-cat-diaz'))).toContain('Cat’s own win');
  });

  it("says 'No update received' when a member sent nothing for this meeting", () => {
    const doc = buildPack(smallInput());
    expect(text(section(doc, 'member-dan-wu'))).toContain('No update received.');
    expect(text(section(doc, 'member-cat-diaz'))).not.toContain('No update received.');
  });

  it('lists a member’s open milestones and those closed since the last meeting, with what changed', () => {
    const input = smallInput();
    input.register.milestones.push(
      milestone('M-0008', 'Closed this week', 'dan@example.com', 'Revenue', {
        due: '2026-11-29',
        status: 'Done',
      }),
    );
    input.register.changes.push(change('2026-11-29T09:00:00.000Z', 'M-0008', 'Status', 'On track', 'Done'));
    const [dan] = tables(section(buildPack(input), 'member-dan-wu'));
    expect(column(dan!, 'ID').map(cellText)).toEqual(['M-0008', 'M-0006']); // not the Dropped M-0007
    const [ann] = tables(section(buildPack(input), 'member-ann-lee'));
    expect(ann!.columns).toEqual([
      'ID',
      'Milestone',
      'Due',
      'Forecast',
      'Status',
      'Changed since last meeting',
      'Comment',
    ]);
    // Part 1 shows what changed or needs attention; M-0002 (on track, its change after the
    // meeting start does not count) is in the tracking section only.
    expect(column(ann!, 'ID').map(cellText)).toEqual(['M-0001']);
    expect(column(ann!, 'Changed since last meeting').map(cellText)).toEqual([
      'Status On track → Might miss;\nForecast 2026-12-01 → 2026-12-15',
    ]);
    expect(column(ann!, 'Comment').map(cellText)).toEqual(['Waiting on legal']);
    expect(column(ann!, 'Forecast').map(cellText)[0]).toBe('2026-12-15 (+14 days)');
    expect(column(ann!, 'Status').map((c) => c.status)).toEqual(['Might miss']);
    expect(text(section(buildPack(input), 'member-ann-lee'))).toContain(
      '… and 1 more open milestone, on track and unchanged: in Tracking by strategic priority.',
    );
  });

  it('without a previous meeting counts every recorded change', () => {
    const doc = buildPack(smallInput({ previousMeeting: undefined, previousMeetingStart: undefined }));
    const [ann] = tables(section(doc, 'member-ann-lee'));
    expect(cellText(column(ann!, 'Changed since last meeting')[0]!)).toBe(
      'Status Might miss → On track → Might miss;\nForecast 2026-12-01 → 2026-12-15',
    );
  });

  it('puts the cut line exactly after the last topic above the cut, splitting the topic table', () => {
    const doc = buildPack(smallInput());
    const part2 = section(doc, 'part-2');
    const cutAt = part2.findIndex((b) => b.type === 'cut');
    expect(cutAt).toBeGreaterThan(0);
    expect(part2.filter((b) => b.type === 'cut')).toHaveLength(1);
    const before = part2[cutAt - 1] as Table;
    const after = part2[cutAt + 1] as Table;
    expect(before.type).toBe('table');
    expect(after.type).toBe('table');
    expect(column(before, '#').map(cellText)).toEqual(['1', '2', '3']);
    expect(column(after, '#').map(cellText)).toEqual(['4', '5']);
    const cut = part2[cutAt] as Extract<Block, { type: 'cut' }>;
    expect(cut.text).toMatch(
      /^Cut line — discussion time runs out here \(40 min of discussion, 10 min per topic\)/,
    );
    expect(cut.text).toContain('deferred to the next meeting');
  });

  it('draws no cut line when every topic fits, and says so when there are no topics', () => {
    const input = smallInput();
    const all = buildPack({ ...input, topics: input.topics.map((t) => ({ ...t, belowCut: false })) });
    expect(all.blocks.some((b) => b.type === 'cut')).toBe(false);
    expect(text(section(all, 'part-2'))).toContain('All 5 topics fit');
    const none = buildPack({ ...input, topics: [] });
    expect(text(section(none, 'part-2'))).toContain('No topics for this meeting.');
  });

  it('shows each topic with a human kind, owners by name (both sides of a joint topic), help from, score and why', () => {
    const doc = buildPack(smallInput());
    const [above] = tables(section(doc, 'part-2'));
    expect(above!.columns).toEqual(['#', 'Kind', 'Topic', 'Owners', 'Help from', 'Score', 'Why']);
    expect(column(above!, 'Kind').map(cellText)).toEqual(['Might miss', 'Dependency', 'Help needed']);
    expect(column(above!, 'Kind')[0]!.status).toBe('Might miss');
    expect(column(above!, 'Owners').map(cellText)).toEqual([
      'Ann Lee',
      'Ann Lee (Ops) & Dan Wu (Sales)',
      'Ann Lee',
    ]);
    expect(column(above!, 'Help from').map(cellText)[2]).toBe('Cat Diaz');
    expect(column(above!, 'Topic').map(cellText)[2]).toBe('Ann needs reviewers deferred 2×');
    expect(column(above!, 'Score').map(cellText)).toEqual(['99', '98', '97']);
    expect(column(above!, 'Why').map(cellText)[0]).toBe('Raised by hand');
  });

  it('lists deferred topics with their age, most deferred first, or None', () => {
    const doc = buildPack(smallInput());
    const [deferred] = tables(section(doc, 'deferred'));
    expect(column(deferred!, 'Topic').map(cellText)).toEqual([
      'Ann needs reviewers',
      'No update from Dan Wu',
    ]);
    expect(column(deferred!, 'Deferred').map(cellText)).toEqual(['2 meetings', '1 meeting']);
    const input = smallInput();
    const none = buildPack({ ...input, topics: input.topics.map((t) => ({ ...t, deferrals: 0 })) });
    expect(text(section(none, 'deferred'))).toBe('None.');
  });

  it('tracks milestones in one table per priority, in rank order, unknown priorities last', () => {
    const doc = buildPack(smallInput());
    const tracking = section(doc, 'tracking');
    expect(headings(tracking, 3)).toEqual(['1. Revenue', '2. Efficiency', 'No priority']);
    const [revenue, efficiency, none] = tables(tracking);
    expect(revenue!.columns).toEqual(['ID', 'Milestone', 'Owner', 'Due', 'Forecast', 'Status', 'Depends on']);
    // Sorted by due date; M-0004 was Done before the last meeting and is not shown; what Part 1
    // shows under its owner (M-0005 missed, M-0001 might miss, M-0006 likely to slip) is named,
    // not listed twice. Bob Ng has no open milestone, so his M-0003 (done this week) is here.
    expect(column(revenue!, 'ID').map(cellText)).toEqual(['M-0003']);
    expect(column(revenue!, 'Owner').map(cellText)).toEqual(['Bob Ng']);
    expect(column(efficiency!, 'ID').map(cellText)).toEqual(['M-0002']);
    expect(none).toBeUndefined();
    expect(text(tracking)).toContain(
      'Changed or needing attention, under their owner in Part 1: M-0005, M-0001.',
    );
    expect(text(tracking)).toContain('Changed or needing attention, under their owner in Part 1: M-0006.');
    expect(text(tracking)).toContain('Sponsor: Ann Lee.');
    expect(text(tracking)).toContain('1 milestone closed before the last meeting not shown.');
  });

  it('gives every status cell its status so renderers can colour it', () => {
    const doc = buildPack(smallInput());
    const statusCells = tables([...section(doc, 'part-1'), ...section(doc, 'tracking')]).flatMap((t) =>
      column(t, 'Status'),
    );
    expect(statusCells.length).toBeGreaterThan(0);
    for (const c of statusCells) expect(c.status).toBe(cellText(c) as Status);
    expect(new Set(statusCells.map((c) => c.status))).toEqual(
      new Set(['Missed', 'Done', 'Might miss', 'On track']),
    );
  });

  it('reports health: status counts, anticipation, surprise misses, response rate and who has not responded', () => {
    const doc = buildPack(smallInput());
    const h = section(doc, 'health');
    const [counts] = tables(h);
    expect(column(counts!, 'Status').map((c) => c.status)).toEqual([
      'On track',
      'Might miss',
      'Missed',
      'Done',
      'Dropped',
    ]);
    expect(column(counts!, 'Milestones').map(cellText)).toEqual(['2', '1', '1', '2', '1']);
    const t = text(h);
    expect(t).toContain('Anticipation: 0% — 0 of 1 miss was flagged Might miss at least one meeting ahead.');
    expect(t).toContain('M-0005 Price list — Cat Diaz, due 2026-11-20');
    expect(t).toContain('Response rate: 2 of 4 owners responded (50%).');
    expect(t).toContain('Not responded: Bob Ng, Dan Wu.');
  });

  it("says 'No misses yet' and 'Nobody was asked' when there is nothing to measure", () => {
    const doc = buildPack(smallInput({ health: health() }));
    const t = text(section(doc, 'health'));
    expect(t).toContain('Anticipation: No misses yet.');
    expect(t).toContain('Response rate: Nobody was asked for an update.');
    expect(t).not.toContain('Not responded');
  });

  it('keeps what people typed as literal text', () => {
    const input = smallInput();
    input.register.milestones[0]!.title = '=HYPERLINK("http://x","y") <b>**x**</b>';
    input.register.updates[1]!.wins = '+1 @here -2';
    const doc = buildPack(input);
    const [ann] = tables(section(doc, 'member-ann-lee'));
    expect(cellText(column(ann!, 'Milestone')[0]!)).toBe('=HYPERLINK("http://x","y") <b>**x**</b>');
    expect(text(section(doc, 'member-ann-lee'))).toContain('Wins: +1 @here -2');
  });

  it('builds the realistic sample: 8 speakers, 3 priorities plus No priority, a cut line', () => {
    const doc = buildPack(samplePackInput());
    expect(headings(section(doc, 'part-1'), 3)).toHaveLength(8);
    expect(headings(section(doc, 'tracking'), 3)).toEqual([
      '1. Grow recurring revenue',
      '2. Launch the partner platform',
      '3. Cut delivery lead time',
      'No priority',
    ]);
    expect(doc.blocks.filter((b) => b.type === 'cut')).toHaveLength(1);
  });
});

describe('describeChanges', () => {
  it('chains each field from its first value to its last, dropping repeats', () => {
    expect(
      describeChanges([
        change('2026-11-27T00:00:00Z', 'M-1', 'Status', 'On track', 'Might miss'),
        change('2026-11-28T00:00:00Z', 'M-1', 'Forecast', '', '2026-12-15'),
        change('2026-11-29T00:00:00Z', 'M-1', 'Status', 'Might miss', 'Might miss'),
      ]),
    ).toBe('Status On track → Might miss; Forecast — → 2026-12-15');
    expect(describeChanges([])).toBe('');
  });
});

describe('parseComments', () => {
  it('reads one comment per milestone line; lines without an ID continue the comment before', () => {
    const c = parseComments('M-0001: first\nmore of it\n m-0002 :second\nstray');
    expect(c.get('M-0001')).toBe('first more of it');
    expect(c.get('M-0002')).toBe('second stray');
  });
});
