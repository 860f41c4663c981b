import { describe, expect, it } from 'vitest';
import { computeHealth } from '../../src/core/health';
import { readRegister } from '../../src/core/register';
import { milestone, register } from './builders';

const change = (id: string, to: string, when: string, field = 'Status') => ({
  When: when,
  Milestone: id,
  Field: field,
  From: '',
  To: to,
  By: 'x',
  Source: 'form',
});

describe('health', () => {
  const { register: r } = readRegister(
    register({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-11-27', { Status: 'Missed' }), // flagged before the 26 Nov meeting
        milestone('M-0002', 'bob@example.com', '2026-11-27', { Status: 'Missed' }), // flagged after the last meeting before due
        milestone('M-0003', 'cat@example.com', '2026-11-27', { Status: 'Missed', Forecast: '2026-12-04' }), // late forecast counts as a flag
        milestone('M-0004', 'dan@example.com', '2026-12-20', { Status: 'Done' }),
        milestone('M-0005', 'dan@example.com', '2026-12-20'),
      ],
      Changes: [
        change('M-0001', 'Might miss', '2026-11-20T09:00:00Z'),
        change('M-0001', 'Missed', '2026-11-28T00:00:00Z'),
        change('M-0002', 'Might miss', '2026-11-26T11:00:00Z'),
        change('M-0002', 'Missed', '2026-11-28T00:00:00Z'),
        change('M-0003', '2026-12-04', '2026-11-19T09:00:00Z', 'Forecast'),
        change('M-0003', 'Missed', '2026-11-28T00:00:00Z'),
      ],
      Updates: [
        {
          Received: '2026-12-01T09:00:00Z',
          'Response ID': 'a',
          Meeting: '2026-12-03',
          Email: 'dan@example.com',
          Milestones: 'M-0001, M-0005',
          Result: 'Applied: 1 change',
        },
      ],
    }),
  );

  it('computes the anticipation rate and lists surprise misses', () => {
    const h = computeHealth(r, r.meetings.find((m) => m.date === '2026-12-03')!);
    expect(h.statusCounts).toEqual({ 'On track': 1, 'Might miss': 0, Missed: 3, Done: 1, Dropped: 0 });
    expect(h.misses).toBe(3);
    expect(h.anticipatedMisses).toBe(2);
    expect(h.anticipationRate).toBeCloseTo(2 / 3);
    expect(h.surpriseMisses).toEqual([
      { milestone: 'M-0002', title: 'Milestone M-0002', owner: 'Bob Ray', due: '2026-11-27' },
    ]);
  });

  it('counts responses of owners with open milestones, a delegate covering for an owner included', () => {
    const h = computeHealth(r, r.meetings.find((m) => m.date === '2026-12-03')!);
    // Owners of open milestones: ann, bob, cat, dan. Dan answered for himself and, as Ann's delegate, for M-0001.
    expect(h.responded).toEqual(['ann@example.com', 'dan@example.com']);
    expect(h.missingUpdates).toEqual(['bob@example.com', 'cat@example.com']);
    expect(h.responseRate).toBe(0.5);
  });
});
