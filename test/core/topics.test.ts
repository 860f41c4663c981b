import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSync } from '../../src/core/cycle';
import { readRegister } from '../../src/core/register';
import {
  type Candidate,
  discussionBudget,
  latestResponses,
  rankTopics,
  topicsFor,
} from '../../src/core/topics';
import type { TopicKind } from '../../src/core/types';
import { milestone, raw, register, submission } from './builders';
import { applyToSnapshot } from './memory';
import { settings } from './pack-builders';

const NOW = '2026-12-02T16:00:00Z';

function topics(records: Parameters<typeof register>[0], settings = {}) {
  const { register: r } = readRegister(register(records, settings));
  const meeting = r.meetings.find((m) => m.date === '2026-12-03')!;
  return topicsFor(r, meeting);
}

const responded = (email: string, extra = {}) => ({
  Received: '2026-12-01T09:00:00Z',
  'Response ID': `r-${email}`,
  Meeting: '2026-12-03',
  Email: email,
  Result: 'Applied: no changes',
  ...extra,
});
const allResponded = ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com'].map((e) =>
  responded(e),
);

describe('topic derivation', () => {
  it('derives might-miss (status or late forecast), missed, and stale topics', () => {
    const t = topics({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss' }),
        milestone('M-0002', 'bob@example.com', '2026-12-20', { Forecast: '2026-12-31' }),
        milestone('M-0003', 'cat@example.com', '2026-11-20', { Status: 'Missed' }),
        milestone('M-0004', 'dan@example.com', '2026-12-20', { Status: 'Done' }),
      ],
      Updates: allResponded.filter((u) => u.Email !== 'cat@example.com'),
    });
    expect(t.map((x) => x.identity).sort()).toEqual([
      'might-miss/M-0001',
      'might-miss/M-0002',
      'missed/M-0003',
      'stale/cat@example.com',
    ]);
    expect(t.find((x) => x.identity === 'might-miss/M-0002')!.title).toContain(
      'forecast 2026-12-31 is after due 2026-12-20',
    );
  });

  it('makes a joint dependency topic naming both sides when an upstream milestone of another group is at risk', () => {
    const t = topics({
      Milestones: [
        milestone('M-0001', 'bob@example.com', '2026-12-20', {
          Forecast: '2027-01-10',
          Priority: 'Cut costs',
        }),
        milestone('M-0002', 'ann@example.com', '2027-01-05', {
          'Depends on': 'M-0001',
          Priority: 'Grow revenue',
        }),
      ],
      Updates: allResponded,
    });
    const dep = t.find((x) => x.kind === 'dependency')!;
    expect(dep).toMatchObject({
      identity: 'dependency/M-0001>M-0002',
      owners: ['bob@example.com', 'ann@example.com'],
      groups: ['Engineering', 'Product'],
      milestones: ['M-0001', 'M-0002'],
      priorityRank: 1,
    });
    expect(dep.why).toContain('1 other group affected (+8)');
  });

  it('turns a help request into a topic aimed at the group asked', () => {
    const t = topics({
      Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20')],
      Updates: [
        responded('ann@example.com', { 'Help needed': 'Need two engineers', 'Help from': 'bob@example.com' }),
      ],
    });
    const help = t.find((x) => x.kind === 'help')!;
    expect(help).toMatchObject({
      title: 'Need two engineers',
      helpFrom: 'bob@example.com',
      groups: ['Product', 'Engineering'],
    });
  });

  it('gives a help request sent by a delegate to the person they cover, dated by their next milestone', () => {
    const t = topics({
      Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-10', { Priority: 'Grow revenue' })],
      Updates: [
        responded('dan@example.com', {
          Milestones: 'M-0001',
          'Help needed': 'Legal review this week',
          'Help from': 'Sales',
        }),
      ],
    });
    const help = t.find((x) => x.kind === 'help')!;
    expect(help).toMatchObject({
      identity: 'help/ann@example.com',
      owners: ['ann@example.com'],
      groups: ['Product', 'Sales'],
    });
    expect(help.why).toContain('their next milestone is due in 7 days (+15)');
  });

  it('carries a topic not reached at the previous meeting with Deferrals + 1, and not one that was discussed', () => {
    const t = topics({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss' }),
        milestone('M-0002', 'bob@example.com', '2026-12-20', { Status: 'Might miss' }),
      ],
      Updates: allResponded,
      Topics: [
        {
          'Topic ID': '2026-11-26/might-miss/M-0001',
          Meeting: '2026-11-26',
          Rank: 5,
          Kind: 'might-miss',
          Topic: 'x',
          Deferrals: 1,
        },
        {
          'Topic ID': '2026-11-26/might-miss/M-0002',
          Meeting: '2026-11-26',
          Rank: 1,
          Kind: 'might-miss',
          Topic: 'y',
          Outcome: 'Discussed',
        },
        {
          'Topic ID': '2026-11-26/raised/R-0001',
          Meeting: '2026-11-26',
          Rank: 6,
          Kind: 'raised',
          Topic: 'Office move',
          Owner: 'cat@example.com',
        },
      ],
    });
    const by = Object.fromEntries(t.map((x) => [x.identity, x.deferrals]));
    expect(by).toEqual({ 'might-miss/M-0001': 2, 'might-miss/M-0002': 0, 'raised/R-0001': 1 });
  });

  it("merges the help requests of all of a person's responses, whatever their submit times", () => {
    const help = (t1: string, t2: string) =>
      topics({
        Milestones: [
          milestone('M-0001', 'ann@example.com', '2026-12-20'),
          milestone('M-0002', 'ann@example.com', '2026-12-21'),
        ],
        Updates: [
          responded('ann@example.com', {
            'Response ID': 'x',
            Received: t1,
            Milestones: 'M-0001',
            'Help needed': 'Budget sign-off',
            'Help from': 'Sales',
          }),
          responded('ann@example.com', { 'Response ID': 'y', Received: t2, Milestones: 'M-0002' }),
        ],
      }).find((x) => x.kind === 'help');
    const a = help('2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z');
    const b = help('2026-12-01T11:00:00Z', '2026-12-01T10:00:00Z');
    expect(a).toMatchObject({ title: 'Budget sign-off', helpFrom: 'Sales', groups: ['Product', 'Sales'] });
    expect(b).toEqual(a);
  });

  it("carries unreached topics of a cancelled meeting, keeping a raised topic's date and priority", () => {
    const meetings = [
      { Date: '2026-11-19', Status: 'Held' },
      { Date: '2026-11-26', Status: 'Cancelled' },
      { Date: '2026-12-03', Status: 'Planned' },
    ];
    const t = topics({
      Meetings: meetings,
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-10', {
          Priority: 'Grow revenue',
          Status: 'Might miss',
        }),
      ],
      Updates: allResponded,
      Topics: [
        {
          'Topic ID': '2026-11-19/might-miss/M-0001',
          Meeting: '2026-11-19',
          Rank: 3,
          Kind: 'might-miss',
          Topic: 'x',
        },
        {
          'Topic ID': '2026-11-26/might-miss/M-0001',
          Meeting: '2026-11-26',
          Rank: 1,
          Kind: 'might-miss',
          Topic: 'x',
          Deferrals: 1,
        },
        {
          'Topic ID': '2026-11-26/raised/R-0001',
          Meeting: '2026-11-26',
          Rank: 2,
          Kind: 'raised',
          Topic: 'Launch date?',
          Milestone: 'M-0001',
        },
        { Kind: 'raised', Topic: 'Typed for the cancelled meeting', Meeting: '2026-11-26' },
      ],
    });
    const by = Object.fromEntries(t.map((x) => [x.identity, x]));
    expect(by['might-miss/M-0001']!.deferrals).toBe(2);
    expect(by['raised/R-0001']).toMatchObject({ deferrals: 1, due: '2026-12-10', priorityRank: 1 });
    // It names M-0001, which might miss: one slot with M-0001's own topic, which leads it.
    expect(by['raised/R-0001']).toMatchObject({ slot: 'M-0001', rank: 1, subRank: 1 });
    expect(by['raised/R-0001']!.why).toBe(
      'Slot 1, led by 2026-12-03/might-miss/M-0001: its outcome applies here unless this row has one. ' +
        'Raised (+25); strategic priority 1 (+30); due in 7 days (+15); deferred 1× (+12)',
    );
    expect(t.some((x) => x.title === 'Typed for the cancelled meeting')).toBe(true);
  });

  it('lists a carried raised topic once, on the sync after it was carried', () => {
    const t = topics({
      Updates: allResponded,
      Topics: [
        {
          'Topic ID': '2026-11-26/raised/R-0001',
          Meeting: '2026-11-26',
          Rank: 6,
          Kind: 'raised',
          Topic: 'Office move',
          Deferrals: 0,
        },
        {
          'Topic ID': '2026-12-03/raised/R-0001',
          Meeting: '2026-12-03',
          Rank: 1,
          Kind: 'raised',
          Topic: 'Office move',
          Deferrals: 1,
        },
      ],
    });
    expect(t.map((x) => [x.topicId, x.deferrals])).toEqual([['2026-12-03/raised/R-0001', 1]]);
  });

  it('assigns a raised ID to a topic typed in by hand', () => {
    const t = topics({
      Updates: allResponded,
      Topics: [{ Kind: 'raised', Topic: 'Hiring freeze?', Meeting: '2026-12-03' }],
    });
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ topicId: '2026-12-03/raised/R-0001', sourceRow: 2, kind: 'raised' });
  });
});

describe('ranking', () => {
  it('orders by score, explains each component, and honours a rank override', () => {
    const t = topics({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2027-03-01', { Status: 'Might miss', Priority: 'Cut costs' }),
        milestone('M-0002', 'bob@example.com', '2026-12-05', {
          Status: 'Might miss',
          Priority: 'Grow revenue',
        }),
        milestone('M-0003', 'cat@example.com', '2026-11-20', { Status: 'Missed', Priority: 'Grow revenue' }),
      ],
      Updates: allResponded,
    });
    expect(t.map((x) => x.milestones[0])).toEqual(['M-0002', 'M-0003', 'M-0001']);
    expect(t[0]!.why).toBe('Might miss (+50); strategic priority 1 (+30); due in 2 days (+18.6)');
    expect(t[0]!.score).toBe(98.6);
    const pinned = topics({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2027-03-01', { Status: 'Might miss', Priority: 'Cut costs' }),
        milestone('M-0002', 'bob@example.com', '2026-12-05', {
          Status: 'Might miss',
          Priority: 'Grow revenue',
        }),
      ],
      Updates: allResponded,
      Topics: [
        {
          'Topic ID': '2026-12-03/might-miss/M-0001',
          Meeting: '2026-12-03',
          Rank: 2,
          Kind: 'might-miss',
          Topic: 'x',
          'Rank override': 1,
        },
      ],
    });
    expect(pinned.map((x) => x.milestones[0])).toEqual(['M-0001', 'M-0002']);
    expect(pinned[0]!.why).toMatch(/^rank set by hand to 1/);
  });

  it('puts the cut line where the discussion time runs out', () => {
    const records = {
      Milestones: ['M-0001', 'M-0002', 'M-0003', 'M-0004'].map((id, i) =>
        milestone(id, ['ann', 'bob', 'cat', 'dan'][i] + '@example.com', '2026-12-20', {
          Status: 'Might miss',
        }),
      ),
      Updates: allResponded,
    };
    // 4 members × 5 min and a 5-minute wrap-up of a 49 min meeting leave 24 min: two 10-minute topics.
    const { register: r } = readRegister(register(records, { 'Meeting length (minutes)': 49 }));
    expect(discussionBudget(r)).toEqual({
      members: 4,
      updateMinutes: 20,
      wrapUpMinutes: 5,
      discussionMinutes: 24,
      topicsThatFit: 2,
    });
    const t = topics(records, { 'Meeting length (minutes)': 49 });
    expect(t.map((x) => x.belowCut)).toEqual([false, false, true, true]);
  });
});

// ---------- laws ----------

const { weights } = settings();
const kinds: TopicKind[] = ['might-miss', 'missed', 'dependency', 'help', 'raised', 'stale'];
const day = fc
  .integer({ min: -20, max: 60 })
  .map((d) => new Date(Date.UTC(2026, 11, 3 + d)).toISOString().slice(0, 10));
const candidate = fc.record({
  kind: fc.constantFrom(...kinds),
  n: fc.integer({ min: 1, max: 9999 }),
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
      }),
    ),
  );
const rankOf = (cs: Candidate[], identity: string) =>
  rankTopics(cs, '2026-12-03', weights, 3, 5).find((t) => t.identity === identity)!.rank;

describe('ranking laws', () => {
  it('the ranking does not depend on the order of its input', () => {
    fc.assert(
      fc.property(candidates, fc.func(fc.integer()), (cs, key) => {
        const shuffled = [...cs].sort((a, b) => key(a.identity) - key(b.identity));
        const ids = (xs: Candidate[]) => rankTopics(xs, '2026-12-03', weights, 3, 5).map((t) => t.identity);
        expect(ids(shuffled)).toEqual(ids(cs));
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
    it(`${what} never lowers a topic's rank`, () => {
      fc.assert(
        fc.property(candidates, fc.nat(), (cs, pick) => {
          const i = pick % cs.length;
          const before = rankOf(cs, cs[i]!.identity);
          const better = cs.map((c, j) => (j === i ? improve(c) : c));
          expect(rankOf(better, cs[i]!.identity)).toBeLessThanOrEqual(before);
        }),
      );
    });
  }

  it('the ranked topics do not depend on the order, submit times or syncs in which responses touching different milestones arrive', () => {
    const owners = ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com'];
    const records = {
      Milestones: Array.from({ length: 12 }, (_, i) =>
        milestone(
          `M-${String(i + 1).padStart(4, '0')}`,
          owners[i % 4]!,
          `2026-12-${String(5 + i).padStart(2, '0')}`,
          {
            Priority: ['Grow revenue', 'Ship platform', 'Cut costs'][i % 3]!,
            // Some depend on another owner's milestone: dependency topics, and slots that gather them.
            ...(i % 3 === 2 ? { 'Depends on': `M-${String(i).padStart(4, '0')}` } : {}),
          },
        ),
      ),
    };
    // Each owner sends up to three responses; response j of an owner touches only that owner's
    // j-th milestone, so no two responses touch the same milestone.
    const response = fc.record({
      owner: fc.integer({ min: 0, max: 3 }),
      slot: fc.integer({ min: 0, max: 2 }),
      status: fc.constantFrom('On track', 'Might miss', 'Missed', 'Done'),
      forecast: fc.option(fc.constantFrom('2026-12-24', '2027-01-15'), { nil: undefined }),
      // Requests that join a slot (by ID, by the person asked, by their asker) or carry a date.
      help: fc.constantFrom(
        '',
        'Need budget sign-off',
        'Need a designer',
        'Unblock M-0002 by Friday',
        'Scope call by 12 Dec',
      ),
      from: fc.constantFrom('Engineering', 'Bob Ray', 'cat@example.com'),
    });
    const toSubmission = (
      r: { owner: number; slot: number; status: string; forecast?: string; help: string; from: string },
      minute: number,
    ) => {
      const id = String(records.Milestones.filter((m) => m.Owner === owners[r.owner])[r.slot]!.ID);
      return submission({
        responseId: `resp-${r.owner}-${r.slot}`,
        email: owners[r.owner],
        submittedAt: new Date(Date.parse('2026-11-30T10:00:00Z') + minute * 60_000).toISOString(),
        statuses: { [id]: r.status },
        forecasts: r.forecast ? { [id]: r.forecast } : {},
        helpNeeded: r.help,
        helpFrom: r.help ? r.from : '',
      });
    };
    const ranked = (batches: unknown[][]) => {
      let snap = register(records);
      let out = planSync(snap, [], NOW);
      let seen: unknown[] = [];
      for (const batch of batches) {
        // responses.jsonl grows: each sync sees every line so far.
        seen = [...seen, ...batch];
        out = planSync(snap, raw(...seen), NOW);
        snap = applyToSnapshot(snap, out.plan);
      }
      return out.topics.map((t) => [t.rank, t.subRank, t.topicId, t.score, t.why]);
    };
    fc.assert(
      fc.property(
        fc.uniqueArray(response, { selector: (r) => `${r.owner}/${r.slot}`, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 8, maxLength: 8 }),
        fc.func(fc.integer()),
        fc.nat(),
        (rs, timesA, timesB, key, cut) => {
          const a = ranked([rs.map((r, i) => toSubmission(r, timesA[i]!))]);
          const shuffled = rs
            .map((r, i) => toSubmission(r, timesB[i]!))
            .sort((x, y) => key(x.responseId) - key(y.responseId));
          const split = shuffled.length ? cut % (shuffled.length + 1) : 0;
          const b = ranked([shuffled.slice(0, split), shuffled.slice(split)]);
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('latestResponses', () => {
  it("keeps the latest version of each response by id and respondent: a delegate's answer under the owner's id hides neither", () => {
    const row = (email: string, received: string, help: string) => ({
      Received: received,
      'Response ID': 'req-2026-12-03',
      Meeting: '2026-12-03',
      Email: email,
      'Help needed': help,
      Result: 'Applied: 1 change',
    });
    const { register: r } = readRegister(
      register({
        Updates: [
          row('ann@example.com', '2026-12-01T09:00:00Z', 'first'),
          row('dan@example.com', '2026-12-01T10:00:00Z', 'from the delegate'),
          row('ann@example.com', '2026-12-01T11:00:00Z', 'edited'),
        ],
      }),
    );
    expect(latestResponses(r, '2026-12-03').map((u) => [u.email, u.helpNeeded])).toEqual([
      ['ann@example.com', 'edited'],
      ['dan@example.com', 'from the delegate'],
    ]);
  });
});
