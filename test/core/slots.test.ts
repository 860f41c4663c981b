/**
 * One slot per problem (issue 12, item 2): grouping rules, dated help requests, "Handle offline",
 * the outcome of a slot at wrap-up, the pack's Part 2, and the ranking laws for slots.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Block, plainText } from '../../src/core/document';
import { digestEmail } from '../../src/core/emails';
import { buildPack } from '../../src/core/pack';
import { readRegister } from '../../src/core/register';
import { effectiveOutcome, rowsByTopicId, slotLeadOf, slotsOf } from '../../src/core/slots';
import { dateNamedIn } from '../../src/core/text-dates';
import { type Candidate, rankTopics, topicsFor } from '../../src/core/topics';
import type { Topic, TopicKind } from '../../src/core/types';
import { milestone, type Records, register } from './builders';
import { health, meeting, register as packRegister, settings, topic } from './pack-builders';

const MEETING = '2026-12-03';

function read(records: Records, s = {}) {
  return readRegister(register(records, s));
}

function topics(records: Records, s = {}): Topic[] {
  const { register: r } = read(records, s);
  return topicsFor(r, r.meetings.find((m) => m.date === MEETING)!);
}

const update = (email: string, extra: Record<string, string> = {}) => ({
  Received: '2026-12-01T09:00:00Z',
  'Response ID': `r-${email}`,
  Meeting: MEETING,
  Email: email,
  Result: 'Applied: no changes',
  ...extra,
});
const everyone = ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com'];
const responded = (extra: Record<string, Record<string, string>> = {}) =>
  everyone.map((e) => update(e, extra[e] ?? {}));

/** identity → [label, slot] of each ranked topic. */
function layout(ts: Topic[]): Record<string, string> {
  return Object.fromEntries(
    ts.map((t) => [t.identity, t.subRank ? `${t.rank}.${t.subRank}` : String(t.rank)]),
  );
}

describe('grouping: one slot per problem', () => {
  it("gathers a milestone's own topic, the dependencies it causes and the help about it; the rest stand alone", () => {
    const t = topics({
      Milestones: [
        // Bob's billing slips; Ann's launch and Cat's deal depend on it; Dan's M-0004 is at risk on its own.
        milestone('M-0001', 'bob@example.com', '2026-12-08', {
          Status: 'Might miss',
          Priority: 'Grow revenue',
          Milestone: 'Usage billing live',
        }),
        milestone('M-0002', 'ann@example.com', '2026-12-05', { 'Depends on': 'M-0001' }),
        milestone('M-0003', 'cat@example.com', '2027-01-20', {
          'Depends on': 'M-0001',
          Status: 'Might miss',
        }),
        milestone('M-0004', 'dan@example.com', '2027-01-20', { Status: 'Missed' }),
      ],
      Updates: responded({
        // Raised by the owner of the only milestone at risk they own: about it.
        'bob@example.com': { 'Help needed': 'Need a decision on metering', 'Help from': 'Product' },
        // Aimed at that owner (a person): about it.
        'ann@example.com': { 'Help needed': 'A firm date so we can brief customers', 'Help from': 'Bob Ray' },
        // Aimed at a group, by someone whose milestone at risk is another one (their own).
        'dan@example.com': { 'Help needed': 'Need two more testers', 'Help from': 'Sales' },
      }),
    });
    const slotOf = Object.fromEntries(t.map((x) => [x.identity, x.slot]));
    expect(slotOf).toEqual({
      'might-miss/M-0001': 'M-0001',
      'dependency/M-0001>M-0002': 'M-0001',
      'dependency/M-0001>M-0003': 'M-0001',
      'help/bob@example.com': 'M-0001',
      'help/ann@example.com': 'M-0001',
      'might-miss/M-0003': 'M-0003',
      'missed/M-0004': 'M-0004',
      'help/dan@example.com': 'M-0004',
    });
    const slots = slotsOf(t);
    expect(slots.map((s) => [s.lead.identity, s.members.length])).toEqual([
      ['might-miss/M-0001', 4],
      ['might-miss/M-0003', 0],
      ['missed/M-0004', 1],
    ]);
    // One rank per slot, in the Topics tab as in the pack; the lead first, its members best first.
    expect(slots[0]!.members.every((m) => m.rank === 1)).toBe(true);
    expect(slots[0]!.members.map((m) => m.subRank)).toEqual([1, 2, 3, 4]);
    const scores = slots[0]!.members.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(slots[0]!.lead.score).toBeGreaterThanOrEqual(Math.max(...scores));
    for (const m of slots[0]!.members) expect(slotLeadOf(m)).toBe(`${MEETING}/might-miss/M-0001`);
    expect(slotLeadOf(slots[0]!.lead)).toBeUndefined();
  });

  it('a help request naming a milestone at risk joins its slot; words of its title decide between two; a tie stands alone', () => {
    const at = (extra: Record<string, string>) =>
      topics({
        Milestones: [
          milestone('M-0001', 'bob@example.com', '2026-12-20', {
            Status: 'Might miss',
            Milestone: 'SOC 2 audit fieldwork complete',
          }),
          milestone('M-0002', 'bob@example.com', '2026-12-20', {
            Status: 'Missed',
            Milestone: 'EU data region live',
          }),
          milestone('M-0003', 'cat@example.com', '2026-12-20', { Status: 'Might miss' }),
        ],
        Updates: responded({ 'bob@example.com': extra }),
      }).find((x) => x.identity === 'help/bob@example.com')!.slot;
    expect(at({ 'Help needed': 'Evidence owners for the SOC 2 controls', 'Help from': 'Sales' })).toBe(
      'M-0001',
    );
    expect(at({ 'Help needed': 'Capacity for the EU region', 'Help from': 'Sales' })).toBe('M-0002');
    // Named by ID: even another owner's milestone.
    expect(at({ 'Help needed': 'Unblock m-0003 before SOC 2 starts', 'Help from': 'Sales' })).toBe('M-0003');
    // Two at risk and nothing to tell them apart: not grouped.
    expect(at({ 'Help needed': 'Need two more engineers', 'Help from': 'Sales' })).toBeUndefined();
  });

  it('a raised topic whose Milestone column names a milestone at risk joins its slot; a no-update topic never does', () => {
    const t = topics({
      Milestones: [milestone('M-0001', 'bob@example.com', '2026-12-20', { Status: 'Might miss' })],
      Updates: responded().filter((u) => u.Email !== 'bob@example.com'),
      Topics: [
        { Kind: 'raised', Topic: 'Cut scope?', Meeting: MEETING, Milestone: 'M-0001' },
        { Kind: 'raised', Topic: 'Hiring freeze?', Meeting: MEETING },
      ],
    });
    expect(Object.fromEntries(t.map((x) => [x.title, x.slot ?? null]))).toMatchObject({
      'Cut scope?': 'M-0001',
      'Hiring freeze?': null,
      'No update from Bob Ray (1 open milestone)': null,
    });
  });

  it('a slot counts once against the cut line, and every topic of a slot is on the same side of it', () => {
    const records = {
      Milestones: [
        milestone('M-0001', 'bob@example.com', '2026-12-08', {
          Status: 'Might miss',
          Priority: 'Grow revenue',
        }),
        milestone('M-0002', 'ann@example.com', '2026-12-05', { 'Depends on': 'M-0001' }),
        milestone('M-0003', 'cat@example.com', '2026-12-05', { 'Depends on': 'M-0001' }),
        milestone('M-0004', 'dan@example.com', '2026-12-20', { Status: 'Might miss' }),
        milestone('M-0005', 'cat@example.com', '2027-02-20', { Status: 'Might miss', Priority: 'Cut costs' }),
      ],
      Updates: responded(),
    };
    // 4 members × 5 min and a 5-minute wrap-up of a 49 min meeting leave 24 min: two 10-minute slots.
    const t = topics(records, { 'Meeting length (minutes)': 49 });
    expect(layout(t)).toEqual({
      'might-miss/M-0001': '1',
      'dependency/M-0001>M-0002': '1.1',
      'dependency/M-0001>M-0003': '1.2',
      'might-miss/M-0004': '2',
      'might-miss/M-0005': '3',
    });
    expect(t.map((x) => x.belowCut)).toEqual([false, false, false, false, true]);
  });

  it('a Rank override on any topic of a slot moves the whole slot', () => {
    const t = topics({
      Milestones: [
        milestone('M-0001', 'bob@example.com', '2026-12-08', {
          Status: 'Might miss',
          Priority: 'Grow revenue',
        }),
        milestone('M-0002', 'ann@example.com', '2026-12-05', { 'Depends on': 'M-0001' }),
        milestone('M-0004', 'dan@example.com', '2027-02-20', { Status: 'Might miss', Priority: 'Cut costs' }),
      ],
      Updates: responded(),
      Topics: [
        {
          'Topic ID': `${MEETING}/might-miss/M-0004`,
          Meeting: MEETING,
          Rank: 2,
          Kind: 'might-miss',
          Topic: 'x',
          'Rank override': 1,
        },
      ],
    });
    expect(layout(t)).toEqual({
      'might-miss/M-0004': '1',
      'might-miss/M-0001': '2',
      'dependency/M-0001>M-0002': '2.1',
    });
  });
});

describe('a help request with a date', () => {
  it('reads weekdays, days and months, ISO dates and "tomorrow" from the day it was written', () => {
    const tue = '2026-12-01';
    expect(dateNamedIn('Decision on metering granularity by Friday', tue)).toBe('2026-12-04');
    expect(dateNamedIn('sign-off by Fri please', tue)).toBe('2026-12-04');
    expect(dateNamedIn('before Tuesday', tue)).toBe('2026-12-01');
    expect(dateNamedIn('by 12 Dec', tue)).toBe('2026-12-12');
    expect(dateNamedIn('by December 12th', tue)).toBe('2026-12-12');
    expect(dateNamedIn('by 12 Jan', tue)).toBe('2027-01-12');
    expect(dateNamedIn('was due 30 Nov', tue)).toBe('2026-11-30');
    expect(dateNamedIn('by 2026-12-09', tue)).toBe('2026-12-09');
    expect(dateNamedIn('tomorrow at the latest', tue)).toBe('2026-12-02');
    expect(dateNamedIn('by 12 Jan, or Friday at a pinch', tue)).toBe('2026-12-04');
    // Not dates: short weekday words standing alone, a month without a day, numbers alone.
    expect(dateNamedIn('we sat down with the Sun team', tue)).toBeUndefined();
    expect(dateNamedIn('we may need 12 controls reviewed in March', tue)).toBeUndefined();
    expect(dateNamedIn('audit moves to May 2027', tue)).toBeUndefined();
  });

  const withHelp = (help: string, received = '2026-12-01T09:00:00Z') =>
    topics({
      // Bob's next milestone is far off: without a date his request would score little for closeness.
      Milestones: [milestone('M-0001', 'bob@example.com', '2027-03-01')],
      Updates: [update('bob@example.com', { 'Help needed': help, 'Help from': 'Sales', Received: received })],
    }).find((x) => x.kind === 'help')!;

  it('needed before the next meeting: due at this one, with the date in Why', () => {
    const friday = withHelp('Decision on metering granularity by Friday');
    expect(friday).toMatchObject({ due: MEETING, neededBy: '2026-12-04' });
    expect(friday.why).toContain('needed by 2026-12-04, before the next meeting (+20)');
    // Already past at the meeting: due on its own date.
    expect(withHelp('by Wednesday')).toMatchObject({ due: '2026-12-02', neededBy: '2026-12-02' });
    // After the next meeting: due on its date, which counts as any due date does.
    const later = withHelp('by 17 Dec');
    expect(later).toMatchObject({ due: '2026-12-17', neededBy: '2026-12-17' });
    expect(later.why).toContain('needed by 2026-12-17 (due in 14 days)');
    // No date: the asker's next milestone, as before.
    const none = withHelp('Need a designer');
    expect(none.due).toBe('2027-03-01');
    expect(none.neededBy).toBeUndefined();
    expect(friday.score).toBeGreaterThan(none.score);
  });

  it('the date is read from the day the request was written, in the register time zone', () => {
    // Written on Friday 27 Nov (late evening in London is still Friday): "by Friday" is that day.
    expect(withHelp('by Friday', '2026-11-27T22:30:00Z')).toMatchObject({ due: '2026-11-27' });
  });
});

// ---------- outcomes: Handle offline, and a slot's outcome at wrap-up ----------

/** A register whose previous meeting (26 Nov) left these Topics rows. */
function leftBy(rows: Record<string, string | number>[]) {
  return {
    Milestones: [
      milestone('M-0001', 'bob@example.com', '2026-12-20', { Status: 'Might miss' }),
      milestone('M-0002', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0001' }),
    ],
    Updates: responded(),
    Topics: rows.map((r) => ({ Meeting: '2026-11-26', ...r })),
  };
}
const lead = {
  'Topic ID': '2026-11-26/might-miss/M-0001',
  Rank: 1,
  Kind: 'might-miss',
  Topic: 'M-0001 slips',
  Milestone: 'M-0001',
  Why: 'Might miss (+50)',
};
const member = (id: string, kind: string, extra: Record<string, string> = {}) => ({
  'Topic ID': `2026-11-26/${id}`,
  Rank: 1,
  Kind: kind,
  Topic: id,
  Why: 'Slot 1, led by 2026-11-26/might-miss/M-0001: its outcome applies here unless this row has one. Raised (+25)',
  ...extra,
});

describe('Handle offline, and the outcome of a slot', () => {
  it('"Handle offline" is an outcome of the register: read without a problem', () => {
    const { register: r, problems } = read(leftBy([{ ...lead, Outcome: 'Handle offline' }]));
    expect(r.topics[0]!.outcome).toBe('Handle offline');
    expect(problems.filter((p) => p.tab === 'Topics')).toEqual([]);
  });

  it('a topic handled offline is not carried over; a deferred or unreached one is', () => {
    const t = topics(
      leftBy([
        { ...lead, Outcome: 'Handle offline' },
        {
          'Topic ID': '2026-11-26/raised/R-0001',
          Rank: 2,
          Kind: 'raised',
          Topic: 'Offline one',
          Outcome: 'Handle offline',
        },
        {
          'Topic ID': '2026-11-26/raised/R-0002',
          Rank: 3,
          Kind: 'raised',
          Topic: 'Deferred one',
          Outcome: 'Deferred',
        },
        { 'Topic ID': '2026-11-26/raised/R-0003', Rank: 4, Kind: 'raised', Topic: 'Not reached' },
      ]),
    );
    const by = Object.fromEntries(t.map((x) => [x.identity, x]));
    // Still at risk, so derived again — but not counted as deferred.
    expect(by['might-miss/M-0001']!.deferrals).toBe(0);
    expect(by['raised/R-0001']).toBeUndefined();
    expect(by['raised/R-0002']!.deferrals).toBe(1);
    expect(by['raised/R-0003']!.deferrals).toBe(1);
  });

  it("the outcome recorded on a slot's lead applies to its topics that have none of their own", () => {
    const rows = [
      { ...lead, Outcome: 'Handle offline' },
      member('raised/R-0001', 'raised'),
      member('raised/R-0002', 'raised', { Outcome: 'Deferred' }),
      member('dependency/M-0001>M-0002', 'dependency'),
    ];
    const { register: r } = read(leftBy(rows));
    const byId = rowsByTopicId(r.topics);
    expect(r.topics.map((row) => effectiveOutcome(row, byId))).toEqual([
      'Handle offline',
      'Handle offline',
      'Deferred',
      'Handle offline',
    ]);
    const by = Object.fromEntries(topics(leftBy(rows)).map((x) => [x.identity, x]));
    expect(by['raised/R-0001']).toBeUndefined();
    expect(by['raised/R-0002']!.deferrals).toBe(1);
    expect(by['dependency/M-0001>M-0002']!.deferrals).toBe(0);
    // With no outcome on the lead, the whole slot was not reached: all of it comes back.
    const none = Object.fromEntries(
      topics(leftBy(rows.map((row) => (row === rows[0] ? lead : row)))).map((x) => [x.identity, x]),
    );
    expect(none['might-miss/M-0001']!.deferrals).toBe(1);
    expect(none['raised/R-0001']!.deferrals).toBe(1);
    expect(none['dependency/M-0001>M-0002']!.deferrals).toBe(1);
  });

  it('the digest lists a slot once under its decision, and only what was not reached as deferred', () => {
    const rows: Record<string, string | number>[] = [
      { ...lead, Outcome: 'Resolved', 'Decision / action': 'Ship seats first' },
      member('raised/R-0001', 'raised'),
      member('dependency/M-0001>M-0002', 'dependency'),
      {
        'Topic ID': '2026-11-26/raised/R-0009',
        Rank: 2,
        Kind: 'raised',
        Topic: 'Offline',
        Outcome: 'Handle offline',
        'Action owner': 'cat@example.com',
      },
      { 'Topic ID': '2026-11-26/raised/R-0010', Rank: 3, Kind: 'raised', Topic: 'Later' },
    ];
    const { register: r } = read(leftBy(rows));
    const digest = digestEmail(r, r.meetings.find((m) => m.date === '2026-11-26')!, '2026-11-26T12:00:00Z');
    expect(digest.text).toContain('Topic: M-0001 slips (and the 2 related topics of its slot)');
    expect(digest.text).toContain('Outcome: Handle offline');
    const deferred = digest.text.slice(digest.text.indexOf('Deferred to the next meeting'));
    expect(deferred).toContain('- Later');
    expect(deferred).not.toContain('R-0001');
    expect(deferred).not.toContain('M-0001>M-0002');
  });
});

// ---------- the pack ----------

describe("the pack's Part 2", () => {
  it('lists each slot once, its topics under it (1, 1.1…), the cut after whole slots', () => {
    const ts = [
      topic(1, { identity: 'a', title: 'Lead of one', subRank: 0 }),
      topic(1, {
        identity: 'b',
        title: 'Member of one',
        subRank: 1,
        why: 'Slot 1, led by T-0001: its outcome applies here unless this row has one. Own reasons',
      }),
      topic(2, { identity: 'c', title: 'Alone', subRank: 0 }),
      topic(3, { identity: 'd', title: 'Lead of three', subRank: 0, belowCut: true }),
      topic(3, { identity: 'e', title: 'Member of three', subRank: 1, belowCut: true }),
    ];
    const doc = buildPack({
      register: packRegister({ settings: settings() }),
      meeting: meeting(MEETING),
      meetingStart: `${MEETING}T10:00:00Z`,
      topics: ts,
      health: health(),
      generatedAt: '2026-12-02T16:00:00Z',
    });
    const start = doc.blocks.findIndex((b) => b.type === 'heading' && b.id === 'part-2');
    const end = doc.blocks.findIndex((b, i) => i > start && b.type === 'heading' && b.level === 2);
    const part2 = doc.blocks.slice(start + 1, end);
    const tables = part2.filter((b): b is Extract<Block, { type: 'table' }> => b.type === 'table');
    const rows = tables.map((tb) =>
      tb.rows.map((r) => [plainText(r[0]!.content), plainText(r[2]!.content), plainText(r[6]!.content)]),
    );
    expect(rows.map((tb) => tb.map((r) => r[0]))).toEqual([
      ['1', '1.1', '2'],
      ['3', '3.1'],
    ]);
    expect(rows[0]![0]![1]).toContain('one slot with the related topic below');
    expect(rows[0]![1]![1]).toBe('↳ Member of one');
    expect(rows[0]![1]![2]).toBe('Own reasons');
    const agenda = doc.blocks
      .map((b) =>
        b.type === 'table' ? b.rows.map((r) => r.map((c) => plainText(c.content)).join(' ')).join('\n') : '',
      )
      .join('\n');
    expect(agenda).toContain('3 slots (5 topics), 2 above the cut line');
  });
});

// ---------- laws for slots ----------

const { weights } = settings();
const kinds: TopicKind[] = ['might-miss', 'missed', 'dependency', 'help', 'raised', 'stale'];
const day = fc
  .integer({ min: -20, max: 60 })
  .map((d) => new Date(Date.UTC(2026, 11, 3 + d)).toISOString().slice(0, 10));
const candidate = fc.record({
  kind: fc.constantFrom(...kinds),
  n: fc.integer({ min: 1, max: 9999 }),
  slot: fc.option(fc.constantFrom('M-0001', 'M-0002', 'M-0003', 'M-0004'), { nil: undefined }),
  due: fc.option(day, { nil: undefined }),
  priorityRank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  groups: fc.integer({ min: 1, max: 4 }),
  deferrals: fc.integer({ min: 0, max: 5 }),
});
const candidates = fc
  .uniqueArray(candidate, { selector: (c) => `${c.kind}/${c.n}`, minLength: 1, maxLength: 25 })
  .map((cs) =>
    cs.map(
      (c): Candidate => ({
        identity: `${c.kind}/M-${String(c.n).padStart(4, '0')}`,
        kind: c.kind,
        title: 't',
        milestones: [],
        owners: [],
        helpFrom: '',
        groups: Array.from({ length: c.groups }, (_, i) => `g${i}`),
        due: c.due,
        priorityRank: c.priorityRank,
        deferrals: c.deferrals,
        slot: c.slot,
      }),
    ),
  );
const FIT = 3;
const rank = (cs: Candidate[]) => rankTopics(cs, MEETING, weights, 3, FIT);
const slotRank = (cs: Candidate[], identity: string) => rank(cs).find((t) => t.identity === identity)!.rank;

describe('ranking laws for slots', () => {
  it('the order in which topics arrive never changes the slots or their order', () => {
    fc.assert(
      fc.property(candidates, fc.func(fc.integer()), (cs, key) => {
        const shuffled = [...cs].sort((a, b) => key(a.identity) - key(b.identity));
        const view = (xs: Candidate[]) =>
          rank(xs).map((t) => [t.identity, t.rank, t.subRank, t.belowCut, t.why]);
        expect(view(shuffled)).toEqual(view(cs));
      }),
    );
  });

  it('grouping never hides a topic: every topic is in exactly one slot, its slot whole on one side of the cut', () => {
    fc.assert(
      fc.property(candidates, (cs) => {
        const ranked = rank(cs);
        const slots = slotsOf(ranked);
        const listed = slots.flatMap((s) => [s.lead, ...s.members].map((t) => t.identity));
        expect([...listed].sort()).toEqual(cs.map((c) => c.identity).sort());
        expect(new Set(listed).size).toBe(listed.length);
        // One slot per milestone a topic stems from, and one per topic that stems from none.
        const keys = new Set(cs.map((c) => c.slot ?? `own:${c.identity}`));
        expect(slots).toHaveLength(keys.size);
        slots.forEach((s, i) => {
          const all = [s.lead, ...s.members];
          expect(new Set(all.map((t) => t.slot ?? `own:${t.identity}`)).size).toBe(1);
          expect(all.every((t) => t.rank === i + 1 && t.belowCut === i >= FIT)).toBe(true);
          // The lead is the best: the slot ranks by the best of its topics.
          expect(Math.max(...all.map((t) => t.score))).toBe(s.lead.score);
        });
      }),
    );
  });

  const improvements: [string, (c: Candidate) => Candidate][] = [
    [
      'a higher strategic priority',
      (c) => ({ ...c, priorityRank: c.priorityRank === undefined ? 3 : Math.max(1, c.priorityRank - 1) }),
    ],
    ['one more deferral', (c) => ({ ...c, deferrals: c.deferrals + 1 })],
    ['one more affected group', (c) => ({ ...c, groups: [...c.groups, 'another'] })],
    [
      'a closer due date',
      (c) => ({
        ...c,
        due: c.due ? new Date(Date.parse(c.due) - 3 * 86_400_000).toISOString().slice(0, 10) : '2027-06-01',
      }),
    ],
  ];
  for (const [what, improve] of improvements) {
    it(`${what} for any topic of a slot never lowers the slot`, () => {
      fc.assert(
        fc.property(candidates, fc.nat(), (cs, pick) => {
          const i = pick % cs.length;
          const before = slotRank(cs, cs[i]!.identity);
          const better = cs.map((c, j) => (j === i ? improve(c) : c));
          expect(slotRank(better, cs[i]!.identity)).toBeLessThanOrEqual(before);
        }),
        { numRuns: 400 },
      );
    });
  }
});
