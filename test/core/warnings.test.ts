import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRegister } from '../../src/core/register';
import type { ChangeRow, Milestone, Register, Status, UpdateRow } from '../../src/core/types';
import { dateTrail, slipWarnings } from '../../src/core/warnings';
import { change, milestone, register } from './builders';

// The builders' calendar: 26 Nov (held), then 3, 10, 17, 24 Dec, all 10:00 London (= UTC in winter).
const NOW = '2026-12-02T12:00:00Z';
const NEXT = '2026-12-10';

const update = (email: string, milestones: string, received = '2026-12-01T09:00:00Z') => ({
  Received: received,
  'Response ID': `r-${email}-${received}`,
  Meeting: '2026-12-03',
  Email: email,
  Milestones: milestones,
  Result: 'Applied',
});

function read(records: Parameters<typeof register>[0]): Register {
  const { register: r } = readRegister(register(records));
  return r;
}

const reasonsOf = (r: Register, id: string, now = NOW, next: string | undefined = NEXT) =>
  slipWarnings(r, now, next).find((w) => w.id === id)?.reasons;

describe('slipWarnings: each rule fires with its reason', () => {
  it('(a) forecast moved later in two distinct meetings', () => {
    const r = read({
      Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20', { Forecast: '2026-12-19' })],
      Changes: [
        change('M-0001', '', '2026-12-04', '2026-11-10T09:00:00Z'),
        change('M-0001', '2026-12-04', '2026-12-18', '2026-11-20T09:00:00Z'), // for the 26 Nov meeting
        change('M-0001', '2026-12-18', '2026-12-19', '2026-12-01T09:00:00Z'), // for the 3 Dec meeting
      ],
    });
    expect(reasonsOf(r, 'M-0001')).toEqual(['forecast moved later in 2 meetings (4 → 18 → 19 Dec)']);
  });

  it('(a) does not fire for two moves before the same meeting, nor for moves earlier', () => {
    const sameMeeting = read({
      Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20', { Forecast: '2026-12-19' })],
      Changes: [
        change('M-0001', '2026-12-04', '2026-12-18', '2026-11-30T09:00:00Z'),
        change('M-0001', '2026-12-18', '2026-12-19', '2026-12-01T09:00:00Z'),
      ],
    });
    expect(slipWarnings(sameMeeting, NOW, NEXT)).toEqual([]);
    const earlier = read({
      Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20', { Forecast: '2026-12-04' })],
      Changes: [
        change('M-0001', '2026-12-19', '2026-12-18', '2026-11-20T09:00:00Z'),
        change('M-0001', '2026-12-18', '2026-12-04', '2026-12-01T09:00:00Z'),
      ],
    });
    expect(slipWarnings(earlier, NOW, NEXT)).toEqual([]);
  });

  it('(a) ignores changes after now', () => {
    const r = read({
      Milestones: [milestone('M-0001', 'ann@example.com', '2026-12-20', { Forecast: '2026-12-19' })],
      Changes: [
        change('M-0001', '2026-12-04', '2026-12-18', '2026-11-20T09:00:00Z'),
        change('M-0001', '2026-12-18', '2026-12-19', '2026-12-08T09:00:00Z'),
      ],
    });
    expect(slipWarnings(r, NOW, NEXT)).toEqual([]);
    expect(reasonsOf(r, 'M-0001', '2026-12-09T12:00:00Z', '2026-12-17')).toHaveLength(1);
  });

  it('(b) an upstream dependency marked at risk, or forecast after this due date', () => {
    const r = read({
      Milestones: [
        milestone('M-0002', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0003' }),
        milestone('M-0003', 'bob@example.com', '2026-12-15', { Status: 'Might miss' }),
        milestone('M-0004', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0005, M-0006' }),
        milestone('M-0005', 'bob@example.com', '2026-12-15', { Forecast: '2026-12-22' }),
        milestone('M-0006', 'bob@example.com', '2026-12-15', { Forecast: '2026-12-19' }), // before: fine
        milestone('M-0007', 'ann@example.com', '2026-12-20', { 'Depends on': 'M-0008' }),
        milestone('M-0008', 'bob@example.com', '2026-12-15', { Status: 'Done', Forecast: '2026-12-30' }),
      ],
    });
    expect(reasonsOf(r, 'M-0002')).toEqual(['depends on M-0003, which is marked Might miss']);
    expect(reasonsOf(r, 'M-0004')).toEqual([
      'depends on M-0005, forecast 22 Dec, after this one is due (20 Dec)',
    ]);
    expect(reasonsOf(r, 'M-0007')).toBeUndefined();
    // M-0005 itself is flagged by its own late forecast: no warning for it.
    expect(slipWarnings(r, NOW, NEXT).map((w) => w.id)).toEqual(['M-0002', 'M-0004']);
  });

  it('(c) due before the next meeting with no update since the last one', () => {
    const r = read({
      Milestones: [
        milestone('M-0009', 'ann@example.com', '2026-12-08'),
        milestone('M-0010', 'bob@example.com', '2026-12-08'),
        milestone('M-0011', 'cat@example.com', '2026-12-08', { 'Last update': '2026-11-30T10:00:00Z' }),
        milestone('M-0012', 'dan@example.com', '2026-12-08'),
        milestone('M-0013', 'dan@example.com', '2026-12-10'), // due on the next meeting: not before it
      ],
      Updates: [
        update('bob@example.com', 'M-0010'),
        update('dan@example.com', 'M-0012', '2026-11-20T09:00:00Z'), // before the last meeting
      ],
    });
    expect(reasonsOf(r, 'M-0009')).toEqual([
      'due 8 Dec, before the next meeting (10 Dec), with no update since the last meeting (26 Nov)',
    ]);
    expect(reasonsOf(r, 'M-0010')).toBeUndefined();
    expect(reasonsOf(r, 'M-0011')).toBeUndefined();
    expect(reasonsOf(r, 'M-0012')).toHaveLength(1);
    expect(reasonsOf(r, 'M-0013')).toBeUndefined();
    expect(slipWarnings(r, NOW, undefined).find((w) => w.id === 'M-0009')).toBeUndefined();
  });

  it("(d) the owner's past surprise misses, as health counts them, for what is due within two meetings", () => {
    const missed = (id: string, owner: string) => milestone(id, owner, '2026-11-20', { Status: 'Missed' });
    const r = read({
      Milestones: [
        missed('M-0014', 'bob@example.com'), // never flagged: a surprise
        missed('M-0024', 'bob@example.com'), // never flagged: a surprise
        milestone('M-0015', 'bob@example.com', '2026-12-15'), // before the meeting after next (17 Dec)
        milestone('M-0025', 'bob@example.com', '2026-12-17'), // not before it
        milestone('M-0016', 'cat@example.com', '2026-11-27', { Status: 'Missed' }), // flagged ahead: anticipated
        missed('M-0026', 'cat@example.com'), // never flagged: one surprise only
        milestone('M-0017', 'cat@example.com', '2026-12-15'),
      ],
      Changes: [
        change('M-0014', 'On track', 'Missed', '2026-11-21T09:00:00Z', 'Status'),
        change('M-0016', 'On track', 'Might miss', '2026-11-19T09:00:00Z', 'Status'),
        change('M-0016', 'Might miss', 'Missed', '2026-11-28T09:00:00Z', 'Status'),
      ],
    });
    expect(reasonsOf(r, 'M-0015')).toEqual([
      'the owner missed 2 milestones before without warning (M-0014, M-0024)',
    ]);
    expect(slipWarnings(r, NOW, NEXT).map((w) => w.id)).toEqual(['M-0015']);
    // Without a next meeting there is no horizon: no warning.
    expect(slipWarnings(r, NOW, undefined)).toEqual([]);
  });

  it('orders warnings by due date, then ID, and gathers every reason of a milestone', () => {
    const r = read({
      Milestones: [
        milestone('M-0021', 'ann@example.com', '2027-01-15', { 'Depends on': 'M-0020' }),
        milestone('M-0020', 'bob@example.com', '2026-12-01', { Status: 'Missed' }),
        milestone('M-0022', 'bob@example.com', '2026-11-01', { Status: 'Missed' }),
        milestone('M-0019', 'bob@example.com', '2026-12-08', { 'Depends on': 'M-0020' }),
        milestone('M-0018', 'ann@example.com', '2026-12-08'),
      ],
    });
    const w = slipWarnings(r, NOW, NEXT);
    expect(w.map((x) => x.id)).toEqual(['M-0018', 'M-0019', 'M-0021']);
    expect(w[1]!.reasons).toEqual([
      'depends on M-0020, which is marked Missed',
      'due 8 Dec, before the next meeting (10 Dec), with no update since the last meeting (26 Nov)',
      'the owner missed 2 milestones before without warning (M-0020, M-0022)',
    ]);
  });
});

describe('slipWarnings: only for open milestones nobody has flagged', () => {
  // M-0031 has evidence for every rule: two slips, an upstream Might miss, due before the next
  // meeting with no update, an owner (bob) with two surprise misses.
  const base = (status: string, forecast = '2026-12-07') =>
    read({
      Milestones: [
        milestone('M-0029', 'bob@example.com', '2026-11-13', { Status: 'Missed' }),
        milestone('M-0030', 'bob@example.com', '2026-11-20', { Status: 'Missed' }),
        milestone('M-0031', 'bob@example.com', '2026-12-08', {
          Status: status,
          Forecast: forecast,
          'Depends on': 'M-0032',
        }),
        milestone('M-0032', 'ann@example.com', '2026-12-05', { Status: 'Might miss' }),
      ],
      Changes: [
        change('M-0031', '2026-12-01', '2026-12-04', '2026-11-20T09:00:00Z'),
        change('M-0031', '2026-12-04', '2026-12-07', '2026-12-01T09:00:00Z'),
      ],
    });

  it('fires with all four reasons when On track (or blank)', () => {
    for (const status of ['On track', '']) {
      expect(reasonsOf(base(status), 'M-0031')).toHaveLength(4);
    }
  });

  it.each(['Done', 'Dropped', 'Missed', 'Might miss'] satisfies Status[])('never for %s', (status) => {
    expect(reasonsOf(base(status), 'M-0031')).toBeUndefined();
  });

  it('never when its own forecast is already after its due date (the owner flagged it)', () => {
    expect(reasonsOf(base('On track', '2026-12-09'), 'M-0031')).toBeUndefined();
  });
});

// ---------- properties ----------

const IDS = ['M-0001', 'M-0002', 'M-0003', 'M-0004', 'M-0005', 'M-0006'];
const OWNERS = ['ann@example.com', 'bob@example.com', 'cat@example.com'];
const STATUSES: Status[] = ['On track', 'Might miss', 'Missed', 'Done', 'Dropped'];
const day = fc
  .integer({ min: 0, max: 60 })
  .map((n) => new Date(Date.UTC(2026, 10, 1 + n)).toISOString().slice(0, 10));
const instant = fc
  .integer({ min: 0, max: 50 * 24 })
  .map((h) => new Date(Date.UTC(2026, 10, 1) + h * 3_600_000).toISOString().replace('.000Z', 'Z'));

const arbMilestone = (id: string, row: number): fc.Arbitrary<Milestone> =>
  fc
    .record({
      owner: fc.constantFrom(...OWNERS),
      due: fc.option(day, { nil: undefined }),
      // On track more often than not: the only status a warning is for.
      status: fc.oneof(
        { arbitrary: fc.constant<Status>('On track'), weight: 3 },
        fc.constantFrom(...STATUSES),
      ),
      forecast: fc.option(day, { nil: undefined }),
      dependsOn: fc.subarray(
        IDS.filter((x) => x !== id),
        { maxLength: 2 },
      ),
      lastUpdate: fc.option(instant, { nil: undefined }),
    })
    .map((m) => ({
      ...m,
      id,
      row,
      priority: 'Ship platform',
      title: id,
      statusCell: m.status,
      forecastCell: m.forecast ?? '',
      notes: '',
      cells: { id, status: m.status, forecast: m.forecast ?? null, lastUpdate: m.lastUpdate ?? null },
    }));

const arbChange = (row: number): fc.Arbitrary<ChangeRow> =>
  fc
    .record({
      when: instant,
      milestone: fc.constantFrom(...IDS),
      // Mostly forecast moves between dates, so that rule (a) and its date trail are exercised.
      field: fc.oneof({ arbitrary: fc.constant('Forecast'), weight: 3 }, fc.constant('Status')),
      from: fc.oneof({ arbitrary: day, weight: 4 }, fc.constantFrom('', ...STATUSES)),
      to: fc.oneof({ arbitrary: day, weight: 4 }, fc.constantFrom(...STATUSES)),
    })
    .map((c) => ({ ...c, row, by: '', source: 'form', responseId: '' }));

/** A consistent run of forecast moves of one milestone (each from the one before), earlier or later. */
const arbChain = (id: string): fc.Arbitrary<ChangeRow[]> =>
  fc.tuple(day, fc.array(fc.tuple(instant, day), { maxLength: 5 })).map(([start, moves]) => {
    const sorted = [...moves].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return sorted.map(([when, to], i) => ({
      row: 0,
      when,
      milestone: id,
      field: 'Forecast',
      from: i === 0 ? start : sorted[i - 1]![1],
      to,
      by: '',
      source: 'form',
      responseId: '',
    }));
  });

const arbUpdate = (row: number): fc.Arbitrary<UpdateRow> =>
  fc
    .record({ received: instant, email: fc.constantFrom(...OWNERS), milestones: fc.subarray(IDS) })
    .map((u) => ({
      ...u,
      row,
      responseId: `r${row}`,
      meeting: '',
      wins: '',
      learnings: '',
      helpNeeded: '',
      helpFrom: '',
      comments: '',
      result: '',
    }));

const empty = read({});
const arbRegister: fc.Arbitrary<Register> = fc
  .record({
    milestones: fc.tuple(...IDS.map((id, i) => arbMilestone(id, i + 2))),
    changes: fc
      .array(fc.nat(), { maxLength: 20 })
      .chain((a) => fc.tuple(...a.map((_, i) => arbChange(i + 2)))),
    chains: fc.tuple(arbChain(IDS[0]!), arbChain(IDS[1]!)),
    updates: fc
      .array(fc.nat(), { maxLength: 6 })
      .chain((a) => fc.tuple(...a.map((_, i) => arbUpdate(i + 2)))),
  })
  .map((p) => {
    const chained = p.chains.flat().map((c, i) => ({ ...c, row: p.changes.length + i + 2 }));
    return { ...empty, milestones: p.milestones, changes: [...p.changes, ...chained], updates: p.updates };
  });

const permutation = <T>(items: T[]) =>
  fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });

describe('slipWarnings: properties', () => {
  it('row order never matters: shuffled milestone, Changes and Updates rows give the same warnings', () => {
    fc.assert(
      fc.property(
        arbRegister.chain((r) =>
          fc.tuple(
            fc.constant(r),
            fc.record({
              milestones: permutation(r.milestones),
              changes: permutation(r.changes),
              updates: permutation(r.updates),
            }),
          ),
        ),
        instant,
        fc.option(day, { nil: undefined }),
        ([r, shuffled], now, next) => {
          expect(slipWarnings({ ...r, ...shuffled }, now, next)).toEqual(slipWarnings(r, now, next));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a warning is for an open, unflagged milestone and always carries a reason', () => {
    fc.assert(
      fc.property(arbRegister, instant, fc.option(day, { nil: undefined }), (r, now, next) => {
        for (const w of slipWarnings(r, now, next)) {
          const m = r.milestones.find((x) => x.id === w.id)!;
          expect(m.status).toBe('On track');
          expect(!!(m.forecast && m.due && m.forecast > m.due)).toBe(false);
          expect(w.reasons.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no warning without evidence: no changes, dependencies, misses or next meeting → none', () => {
    fc.assert(
      fc.property(arbRegister, instant, (r, now) => {
        const plain = r.milestones.map((m) => ({
          ...m,
          dependsOn: [],
          status: m.status === 'Missed' ? ('Done' as Status) : m.status,
        }));
        expect(slipWarnings({ ...r, milestones: plain, changes: [] }, now, undefined)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and leaves the register as it was', () => {
    fc.assert(
      fc.property(arbRegister, instant, fc.option(day, { nil: undefined }), (r, now, next) => {
        const before = structuredClone(r);
        const first = slipWarnings(r, now, next);
        expect(slipWarnings(r, now, next)).toEqual(first);
        expect(r).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });
});

describe('dateTrail', () => {
  it('says the month once per run and the year only across years', () => {
    expect(dateTrail(['2026-12-04', '2026-12-18', '2026-12-22'])).toBe('4 → 18 → 22 Dec');
    expect(dateTrail(['2026-11-28', '2026-12-04'])).toBe('28 Nov → 4 Dec');
    expect(dateTrail(['2026-12-22', '2027-01-05'])).toBe('22 Dec 2026 → 5 Jan 2027');
  });
});
