/**
 * Sending through Gmail as Google runs it (the strict emulator: Gmail assigns its own
 * Message-ID, sends as the signed-in account, refuses more than 100 recipients).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import type { Email } from '../../src/core/types';
import { once, safeCall } from '../../src/google/backend';
import { GMAIL_MAX_RECIPIENTS, sendEmails } from '../../src/google/gmail';
import { gmailClient } from '../emulator/helpers';

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

const CALLS = { read: safeCall, write: safeCall, once };
const NOW = '2026-12-02T16:00:00Z';

function email(to: number, over: Partial<Email> = {}): Email {
  return {
    key: 'pack/2026-12-03',
    kind: 'pack',
    to: Array.from({ length: to }, (_, i) => `member${i + 1}@northwind.example`),
    cc: [],
    from: 'pm@northwind.example',
    replyTo: 'pm@northwind.example',
    subject: 'Meeting pack: milestone meeting 3 December',
    text: 'The pack is ready.',
    html: '<p>The pack is ready.</p>',
    ...over,
  };
}

interface Sent {
  id: string;
  to: string[];
  from: string;
  messageId: string;
}
const messages = () => emulator.dump().messages as unknown as Sent[];

async function start() {
  emulator = await startEmulator({ quotaPerMinute: false, gmailUser: 'milepost-bot@northwind.example' });
  return gmailClient(emulator);
}

describe('sending through Gmail', () => {
  it('sends an email to 150 people as two messages of at most 100, each once however often it runs', async () => {
    const api = await start();
    const first = await sendEmails(api, [email(150)], NOW, CALLS);
    expect(first).toEqual({ sent: ['pack/2026-12-03/part-1', 'pack/2026-12-03/part-2'], skipped: [] });
    const sent = messages();
    expect(sent.map((m) => m.to.length)).toEqual([100, 50]);
    expect(Math.max(...sent.map((m) => m.to.length))).toBeLessThanOrEqual(GMAIL_MAX_RECIPIENTS);
    expect(new Set(sent.flatMap((m) => m.to)).size).toBe(150);
    const again = await sendEmails(api, [email(150)], NOW, CALLS);
    expect(again.sent).toEqual([]);
    expect(messages()).toHaveLength(2);
  });

  it('finds what it sent although Gmail replaced the Message-ID: a lost answer is not sent again', async () => {
    const api = await start();
    emulator.dropConnection({ path: '/messages/send$', afterApply: true });
    const result = await sendEmails(api, [email(3)], NOW, CALLS);
    expect(result.sent).toEqual(['pack/2026-12-03']);
    const sent = messages();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messageId).toMatch(/@mail\.gmail\.com>$/);
  });

  it('a job killed after the first part and run again sends only the second', async () => {
    const api = await start();
    // The job dies on the second send: every later call of that run fails.
    emulator.fail({ status: 400, path: '/messages/send$', onCall: 2, times: 1_000_000, message: 'killed' });
    await expect(sendEmails(api, [email(150)], NOW, CALLS)).rejects.toThrow();
    expect(messages()).toHaveLength(1);
    emulator.clearFaults();
    const rerun = await sendEmails(api, [email(150)], NOW, CALLS);
    expect(rerun).toEqual({ sent: ['pack/2026-12-03/part-2'], skipped: ['pack/2026-12-03/part-1'] });
    expect(messages().map((m) => m.to.length)).toEqual([100, 50]);
  });

  it('comes from the signed-in account, with replies going to the process manager', async () => {
    const api = await start();
    await sendEmails(api, [email(2)], NOW, CALLS);
    const [m] = messages();
    expect(m!.from).toBe('milepost-bot@northwind.example');
    const got = await api.users.messages.get({ userId: 'me', id: m!.id, format: 'metadata' });
    const headers = got.data.payload!.headers!;
    expect(headers.find((h) => h.name === 'Reply-To')?.value).toBe('pm@northwind.example');
  });
});
