/**
 * onEdit on large registers, with per-call and per-cell costs taken from published measurements
 * (PUBLISHED_COSTS in core.ts): a simple trigger has 30 s in all (Apps Script "Simple
 * Triggers": "They cannot run for longer than 30 seconds"). The edit reads only the tabs it
 * needs (the core's editReads), waits at most 5 s for another run's lock and then leaves the
 * work to the next sync. `npm run bench` prints the same figures.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editTimes } from '../../gas-fakes/scale';
import { editReads } from '../../src/core/cycle';

const BUNDLE = path.resolve(__dirname, '../../appsscript/Code.js');

describe('onEdit on large registers, at published costs', () => {
  it('reads only what an edit needs: never Updates, Topics or Meetings unless they are the tab edited', () => {
    expect(editReads('Milestones')).toEqual(['Settings', 'Team', 'Priorities', 'Milestones', 'Changes']);
    expect(editReads('milestones ')).toEqual(['Settings', 'Team', 'Priorities', 'Milestones', 'Changes']);
    expect(editReads('Topics')).toEqual([
      'Settings',
      'Team',
      'Priorities',
      'Milestones',
      'Changes',
      'Topics',
    ]);
    expect(editReads('Notes of mine')).toEqual(['Settings', 'Team', 'Priorities', 'Milestones', 'Changes']);
  });

  for (const milestones of [1_000, 5_000]) {
    it(`finishes well inside 30 s at ${milestones.toLocaleString('en-GB')} milestones, lock free or held`, () => {
      const t = editTimes(milestones, BUNDLE);
      console.log(
        `${milestones} milestones: onEdit ${(t.free / 1000).toFixed(1)} s (lock free), ${(t.contended / 1000).toFixed(1)} s (lock held), ${t.reads} tabs read`,
      );
      // The hand edit is recorded, from the five tabs it needs (and Changes' header row, read
      // again before appending to it).
      expect(t.changesAppended).toBe(1);
      expect(t.reads).toBe(6);
      expect(t.free).toBeLessThan(15_000);
      // Lock held: 5 s of waiting, then the edit is left to the next sync, and says so.
      expect(t.contended).toBeGreaterThanOrEqual(5_000);
      expect(t.contended).toBeLessThan(6_000);
      expect(t.contendedLog).toMatch(/onEdit: another Milepost run holds the lock; skipped/);
    }, 120_000);
  }
});
