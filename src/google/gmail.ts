/**
 * Sending the cycle's emails through Gmail, never twice. Each email has a Message-ID derived
 * from its key (the same as the local outbox's); before sending, the sent mail is searched for
 * it, and after a failed send it is searched again before any repeat. A job killed and re-run
 * therefore sends each request, pack and digest once.
 */
import type { gmail_v1 } from '@googleapis/gmail';
import type { Email } from '../core/types';
import { messageId, toEml } from '../mail/mime';
import type { SheetCalls } from './apply';

export interface SendResult {
  sent: string[];
  skipped: string[];
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function alreadySent(api: gmail_v1.Gmail, email: Email, calls: SheetCalls): Promise<boolean> {
  const id = messageId(email.key).replace(/^<|>$/g, '');
  const found = await calls.read('gmail.messages.list', () =>
    api.users.messages.list({ userId: 'me', q: `rfc822msgid:${id} in:sent`, maxResults: 1 }),
  );
  return (found.data.messages ?? []).length > 0;
}

export async function sendEmails(
  api: gmail_v1.Gmail,
  emails: Email[],
  now: string,
  calls: SheetCalls,
  opts: { throttleMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<SendResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const result: SendResult = { sent: [], skipped: [] };
  for (const email of emails) {
    if (await alreadySent(api, email, calls)) {
      result.skipped.push(email.key);
      continue;
    }
    const raw = base64url(toEml(email, now));
    for (let attempt = 1; ; attempt++) {
      try {
        await calls.once(`gmail.messages.send ${email.key}`, () =>
          api.users.messages.send({ userId: 'me', requestBody: { raw } }),
        );
        break;
      } catch (error) {
        // The message may have gone out although the answer was lost: look before resending.
        if (await alreadySent(api, email, calls)) break;
        if (attempt >= 3) throw error;
      }
    }
    result.sent.push(email.key);
    // Gmail limits sending per user per second and per day; spacing sends keeps under it.
    if (opts.throttleMs) await sleep(opts.throttleMs);
  }
  return result;
}
