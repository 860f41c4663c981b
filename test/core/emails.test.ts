import { describe, expect, it } from 'vitest';
import { emailParts } from '../../src/core/emails';
import type { Email } from '../../src/core/types';

const email = (to: number, cc = 0): Email => ({
  key: 'pack/2026-12-03',
  kind: 'pack',
  to: Array.from({ length: to }, (_, i) => `to${i}@example.com`),
  cc: Array.from({ length: cc }, (_, i) => `cc${i}@example.com`),
  from: 'pm@example.com',
  replyTo: 'pm@example.com',
  subject: 'Pack',
  text: 'text',
  html: '<p>text</p>',
});

describe('emailParts', () => {
  it('keeps an email that fits as it is, key unchanged', () => {
    expect(emailParts(email(100), 100)).toEqual([email(100)]);
  });

  it('splits 101 recipients into 100 + 1, each part keyed on its own, everyone once', () => {
    const parts = emailParts(email(101), 100);
    expect(parts.map((p) => [p.key, p.to.length + p.cc.length])).toEqual([
      ['pack/2026-12-03/part-1', 100],
      ['pack/2026-12-03/part-2', 1],
    ]);
    expect(new Set(parts.flatMap((p) => [...p.to, ...p.cc])).size).toBe(101);
    expect(parts.every((p) => p.subject === 'Pack' && p.html === '<p>text</p>')).toBe(true);
  });

  it('counts Cc with To, and addresses a part of only Cc recipients to them', () => {
    const parts = emailParts(email(40, 70), 50);
    expect(parts.map((p) => [p.to.length, p.cc.length])).toEqual([
      [40, 10],
      [50, 0],
      [10, 0],
    ]);
  });
});
