/**
 * Sending the cycle's emails through Gmail, never twice. Each message carries a token derived
 * from its key, as one word in its body ("Ref: milepost…"); before sending, the sent mail is
 * searched for it, and after a failed send it is searched again before any repeat. A job killed
 * and re-run therefore sends each request, pack and digest once.
 *
 * Not the Message-ID: Gmail replaces the Message-ID of a message sent through the API with its
 * own (reported by mail-client projects, e.g. FlowCrypt/flowcrypt-browser#4269: "let Gmail
 * generate message id (as it does now)"; Google's reference says nothing), so a search for ours
 * would never find what was sent.
 *
 * Sent as the signed-in account: no From header (Gmail sends as the account, or as one of its
 * send-as aliases); Reply-To is the process manager. An email to more than 100 people goes as
 * several messages (core emailParts), each found and sent on its own.
 */
import type { gmail_v1 } from '@googleapis/gmail';
import { emailParts } from '../core/emails';
import type { Email } from '../core/types';
import { sendToken, toEml } from '../mail/mime';
import type { ApiCalls } from './retry';

/**
 * "Gmail sending limits in Google Workspace": "Limit for recipients per message sent via SMTP
 * and the Gmail API (addresses in the To, Cc, and Bcc fields of a single email …) - 100."
 */
export const GMAIL_MAX_RECIPIENTS = 100;

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

async function alreadySent(api: gmail_v1.Gmail, email: Email, calls: ApiCalls): Promise<boolean> {
  const found = await calls.read('gmail.messages.list', () =>
    api.users.messages.list({ userId: 'me', q: `${sendToken(email.key)} in:sent`, maxResults: 1 }),
  );
  return (found.data.messages ?? []).length > 0;
}

export async function sendEmails(
  api: gmail_v1.Gmail,
  emails: Email[],
  now: string,
  calls: ApiCalls,
  opts: { throttleMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<SendResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const result: SendResult = { sent: [], skipped: [] };
  for (const email of emails.flatMap((e) => emailParts(e, GMAIL_MAX_RECIPIENTS))) {
    if (await alreadySent(api, email, calls)) {
      result.skipped.push(email.key);
      continue;
    }
    const raw = base64url(toEml(email, now, { from: 'account', token: sendToken(email.key) }));
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
