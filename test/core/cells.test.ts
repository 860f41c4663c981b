import { describe, expect, it } from 'vitest';
import { CELL_TEXT_LIMIT, fitCell } from '../../src/core/cells';

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
