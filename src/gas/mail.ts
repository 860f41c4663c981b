/**
 * Emails through MailApp, each key sent once: a send log in the document properties
 * (`sent:<key>`), written right after each send; the remaining daily quota checked before each
 * send; and a deadline, so a run stops well before Apps Script's 6-minute limit and the next
 * trigger sends the rest — nothing twice.
 */
import { emailParts } from '../core/emails';
import type { Email } from '../core/types';

export interface MailResult {
  sent: string[];
  skipped: string[];
  /** Keys left for the next run: the deadline came, or the daily quota ran out. */
  left: string[];
  quotaExhausted: boolean;
}

const PREFIX = 'sent:';

/**
 * MailApp takes at most 50 recipients per message (to, cc and bcc together): more throws "Limit
 * Exceeded: Email Recipients Per Message." The pack and the digest go to the whole team, so a
 * team of more than 50 gets them as several messages of at most 50 (the core's emailParts, the
 * same rule as Gmail's 100) — each part keyed on its own (`<key>/part-N`) in the send log, so a
 * run that stops between parts sends only the rest later.
 */
export const MAX_RECIPIENTS = 50;

const partsOf = (email: Email): Email[] => emailParts(email, MAX_RECIPIENTS);

export function sendEmails(
  emails: Email[],
  props: GoogleAppsScript.Properties.Properties,
  deadline: number,
): MailResult {
  const result: MailResult = { sent: [], skipped: [], left: [], quotaExhausted: false };
  for (const email of emails) {
    let sent = 0;
    let left = 0;
    for (const part of partsOf(email)) {
      if (props.getProperty(PREFIX + part.key)) continue;
      const recipients = part.to.length + part.cc.length;
      if (Date.now() >= deadline) {
        left++;
        continue;
      }
      if (result.quotaExhausted || MailApp.getRemainingDailyQuota() < recipients) {
        result.quotaExhausted = true;
        left++;
        continue;
      }
      MailApp.sendEmail({
        // A part with only cc recipients (a long cc list) is addressed to them.
        to: (part.to.length ? part.to : part.cc).join(','),
        ...(part.to.length && part.cc.length ? { cc: part.cc.join(',') } : {}),
        subject: email.subject,
        body: email.text,
        htmlBody: email.html,
        name: 'Milepost',
        // MailApp sends as the account running the script; answers go to the process manager.
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
      });
      props.setProperty(PREFIX + part.key, new Date().toISOString());
      sent++;
    }
    if (left) result.left.push(email.key);
    else if (sent) result.sent.push(email.key);
    else result.skipped.push(email.key);
  }
  return result;
}

/** Forgets send-log entries of meetings long past (keys hold the meeting date), keeping the store small. */
export function pruneSendLog(props: GoogleAppsScript.Properties.Properties, today: string): void {
  const cutoff = Date.parse(`${today}T00:00:00Z`) - 60 * 86_400_000;
  for (const key of props.getKeys()) {
    if (!key.startsWith(PREFIX)) continue;
    const date = /\/(\d{4}-\d{2}-\d{2})(\/|$)/.exec(key)?.[1];
    if (date && Date.parse(`${date}T00:00:00Z`) < cutoff) props.deleteProperty(key);
  }
}

/** Whether an email went out already, every part of it: the send log in the document properties. */
export function wasSent(email: Email, props: GoogleAppsScript.Properties.Properties): boolean {
  return partsOf(email).every((part) => props.getProperty(PREFIX + part.key) !== null);
}
