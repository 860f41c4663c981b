/**
 * Plain-text `sync` says which changes it applied — milestone, field, from → to, by whom — not
 * only how many; past CHANGES_LISTED it counts the rest and points at the Changes tab.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHANGES_LISTED, sayChanges } from '../../src/cli/report';
import type { AppliedChange } from '../../src/core/updates';
import { milepost, said, sampleResponses, tempDir } from './helpers';

const change = (i: number): AppliedChange => ({
  responseId: `r-${i}`,
  milestone: `M-${String(i).padStart(4, '0')}`,
  field: 'Status',
  from: 'On track',
  to: 'Might miss',
  by: 'ann@example.com',
  source: 'form',
});

afterEach(() => vi.restoreAllMocks());

describe('sync lists the changes it applied', () => {
  it('each one as milestone, field, from → to and by whom; a blank value says so; a hand edit says where', () => {
    const lines = said(() =>
      sayChanges([
        change(3),
        { ...change(4), field: 'Forecast', from: '', to: '2027-01-15' },
        { ...change(5), by: '', source: 'sheet' },
      ]),
    );
    expect(lines).toEqual([
      '  M-0003 Status: On track → Might miss (by ann@example.com)',
      '  M-0004 Forecast: (blank) → 2027-01-15 (by ann@example.com)',
      '  M-0005 Status: On track → Might miss (edited in the register)',
    ]);
  });

  it('hundreds of changes: the first ones, then how many more and where they all are', () => {
    const lines = said(() => sayChanges(Array.from({ length: 300 }, (_, i) => change(i + 1))));
    expect(lines).toHaveLength(CHANGES_LISTED + 1);
    expect(lines.at(-1)).toBe(
      `  … and ${300 - CHANGES_LISTED} more — see the Changes tab (or --json for all)`,
    );
  });

  it("milepost sync (plain text) names the sample team's changes", () => {
    const dir = tempDir('sync-list');
    expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
    const r = milepost('sync', '-w', dir, '--now', '2026-12-02T16:00:00Z');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('  M-0014 Status: Might miss → On track (by priya.shah@northwind.example)');
    expect(r.stderr).toContain('  M-0013 Forecast: (blank) → 2027-01-15 (by lena.novak@northwind.example)');
  });
});
