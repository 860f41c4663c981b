/**
 * Emails through MailApp, each key sent once: a send log in the document properties
 * (`sent:<key>`), written right after each send; the remaining daily quota checked before each
 * send; and a deadline, so a run stops well before Apps Script's 6-minute limit and the next
 * trigger sends the rest — nothing twice.
 */
import type { Email } from '../core/types';

export interface MailResult {
  sent: string[];
  skipped: string[];
  /** Keys left for the next run: the deadline came, or the daily quota ran out. */
  left: string[];
  quotaExhausted: boolean;
}

const PREFIX = 'sent:';

export function sendEmails(
  emails: Email[],
  props: GoogleAppsScript.Properties.Properties,
  deadline: number,
): MailResult {
  const result: MailResult = { sent: [], skipped: [], left: [], quotaExhausted: false };
  for (const email of emails) {
    if (props.getProperty(PREFIX + email.key)) {
      result.skipped.push(email.key);
      continue;
    }
    const recipients = email.to.length + email.cc.length;
    if (Date.now() >= deadline) {
      result.left.push(email.key);
      continue;
    }
    if (result.quotaExhausted || MailApp.getRemainingDailyQuota() < recipients) {
      result.quotaExhausted = true;
      result.left.push(email.key);
      continue;
    }
    MailApp.sendEmail({
      to: email.to.join(','),
      ...(email.cc.length ? { cc: email.cc.join(',') } : {}),
      subject: email.subject,
      body: email.text,
      htmlBody: email.html,
      name: 'Milepost',
    });
    props.setProperty(PREFIX + email.key, new Date().toISOString());
    result.sent.push(email.key);
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
