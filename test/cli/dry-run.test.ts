/**
 * `--dry-run` on the commands that write and send (request, pack, wrap-up, run; sync has its own
 * tests), local backend: it says what a real run would send (kind, recipients, subject) and
 * write (cells from → to, rows, the pack's files), and leaves the workspace byte for byte as it
 * was — no outbox file, no pack, no lock, no mail server contacted. (Google: google.test.ts.)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { milepost, milepostWith, sampleResponses, tempDir } from './helpers';

/** Every file under `dir` with a hash of its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha1').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** A mail server nobody listens on: a command that tried to send would fail (exit 75). */
const SMTP = { MILEPOST_SMTP_HOST: '127.0.0.1', MILEPOST_SMTP_PORT: '1', MILEPOST_SMTP_SECURE: 'none' };

let dir = '';
beforeAll(() => {
  dir = tempDir('dry-run');
  expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
});

/** Runs a dry run and checks it changed nothing in the workspace. */
function dryRun(...args: string[]) {
  const before = tree(dir);
  const r = milepostWith(SMTP, ...args, '-w', dir, '--dry-run');
  expect(r.code, r.stderr).toBe(0);
  expect(tree(dir)).toEqual(before);
  expect(r.stderr).toContain('Dry run: nothing was written or sent. A real run would:');
  return r;
}

describe('--dry-run (local backend)', () => {
  it('request: lists each email with its recipients and subject and the Meetings cell, sends and writes nothing', () => {
    const r = dryRun('request', '--now', '2026-11-30T10:00:00Z', '--json');
    expect(r.stderr).toMatch(/send 8 emails \(Outbox\):/);
    expect(r.stderr).toContain(
      'request to ann.marsh@northwind.example, cc ravi.kumar@northwind.example — "Milestone update for Thu 3 Dec 2026',
    );
    expect(r.stderr).toContain(
      'Meetings, Date 2026-12-03, Requests sent: (blank) → 2026-11-30T10:00:00.000Z',
    );
    const json = r.json() as {
      dryRun: boolean;
      sent: string[];
      wouldDo: { emails: { kind: string; to: string[]; subject: string }[]; writes: unknown[] };
    };
    expect(json.dryRun).toBe(true);
    expect(json.sent).toEqual([]);
    expect(json.wouldDo.emails).toHaveLength(8);
    expect(json.wouldDo.emails[0]).toMatchObject({
      kind: 'request',
      subject: expect.stringContaining('3 Dec'),
    });
  });

  it('pack: names the pack files it would build and the email circulating it, builds and sends nothing', () => {
    const r = dryRun('pack', '--now', '2026-12-02T16:00:00Z');
    expect(r.stderr).toContain(
      `Pack for 2026-12-03 (dry run), would be built in ${path.join(dir, 'packs', '2026-12-03.html')}`,
    );
    expect(r.stderr).toContain('Would be circulated to the team (outbox).');
    expect(r.stderr).toMatch(/pack to grace\.okafor@northwind\.example, .* — "Meeting pack: /);
    // The sync inside the pack: the changes it would make, from → to.
    expect(r.stderr).toContain('Milestones, ID M-0014, Status: Might miss → On track');
    expect(r.stderr).toMatch(/add \d+ rows to the register: .*\d+ to Changes/);
  });

  it('wrap-up: the digest it would send and the meeting it would mark Held', () => {
    const r = dryRun('wrap-up', '--now', '2026-12-03T12:00:00Z');
    expect(r.stderr).toContain(
      'Would wrap up the meeting on 2026-12-03: mark it Held and send the key-items digest.',
    );
    expect(r.stderr).toMatch(/digest to .* — "Key items: /);
    expect(r.stderr).toContain('Meetings, Date 2026-12-03, Status: Planned → Held');
  });

  it('run: every step due, planned and not applied', () => {
    const r = dryRun('run', '--now', '2026-12-03T12:00:00Z', '--json');
    const json = r.json() as { dryRun: boolean; steps: { step: string; wouldDo: { emails: unknown[] } }[] };
    expect(json.dryRun).toBe(true);
    expect(json.steps.map((s) => s.step)).toEqual(['wrap-up', 'sync']);
    expect(json.steps[0]!.wouldDo.emails).toHaveLength(1);
  });

  it('a real run after the dry run sends what the dry run listed', () => {
    const planned = dryRun('request', '--now', '2026-11-30T10:00:00Z', '--json').json() as {
      wouldDo: { emails: { key: string }[] };
    };
    const real = milepost('request', '-w', dir, '--now', '2026-11-30T10:00:00Z', '--no-send', '--json');
    expect(real.code, real.stderr).toBe(0);
    expect((real.json() as { sent: string[] }).sent).toHaveLength(planned.wouldDo.emails.length);
    // Sent now: a dry run says they would not go out again.
    const again = dryRun('request', '--now', '2026-11-30T11:00:00Z');
    expect(again.stderr).toContain('Outbox: 8 emails already sent, not repeated.');
    expect(again.stderr).not.toMatch(/send \d+ emails? \(Outbox\)/);
  });
});
