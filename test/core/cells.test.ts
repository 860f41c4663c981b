import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CELL_TEXT_LIMIT, fitCell, keyIndex, sameKey } from '../../src/core/cells';
import type { Cell } from '../../src/core/types';

describe('fitCell', () => {
  it('keeps text that fits one cell as it is', () => {
    const text = 'x'.repeat(CELL_TEXT_LIMIT);
    expect(fitCell(text)).toBe(text);
    expect(fitCell('')).toBe('');
  });

  it('cuts longer text to the limit and says how much was left out', () => {
    const text = 'a'.repeat(40_027);
    const cut = fitCell(text);
    expect(cut.length).toBe(CELL_TEXT_LIMIT);
    const kept = cut.indexOf(' …');
    const left = Number(/\[(\d+) more characters not kept/.exec(cut)![1]);
    expect(kept + left).toBe(text.length);
    expect(cut.startsWith('a'.repeat(kept))).toBe(true);
  });
});

describe('keyIndex', () => {
  // Keys and cells from a small alphabet, so that many of them collide: IDs in any case and
  // spacing, dates as text and as serials (46,000 is in 2025), numbers, booleans, blanks.
  const keyText = fc.oneof(
    fc.constantFrom(
      'M-0001',
      'm-0001',
      ' M-0001 ',
      'M-0002',
      'T-1',
      '2025-12-09',
      '2025-12-09T10:00',
      '46000',
      '',
    ),
    fc.string({ maxLength: 4 }),
  );
  const cell: fc.Arbitrary<Cell> = fc.oneof(
    keyText,
    fc.constantFrom(46_000, 46_000.0000001, 46_000.4166666667, 1, true, null),
  );
  const zone = fc.constantFrom('Europe/London', 'America/New_York', 'Asia/Kolkata');

  it('finds exactly the rows that sameKey finds, in row order (a law)', () => {
    fc.assert(
      fc.property(
        fc.array(cell, { maxLength: 30 }),
        fc.array(keyText, { maxLength: 8 }),
        zone,
        (column, keys, tz) => {
          const find = keyIndex(column, tz);
          for (const key of keys) {
            const expected = column.flatMap((c, i) => (sameKey(c, key, tz) ? [i] : []));
            expect(find(key)).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
