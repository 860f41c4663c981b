/**
 * Emails through MailApp, each key sent once: a send log in the document properties, marked
 * before each send (see sendEmails); the remaining daily quota checked before each send; and a
 * deadline, so a run stops well before Apps Script's 6-minute limit and the next trigger sends
 * the rest — nothing twice.
 */
import { emailParts } from '../core/emails';
import { fnv1a } from '../core/form';
import type { Email } from '../core/types';

export interface MailResult {
  sent: string[];
  skipped: string[];
  /** Keys left for the next run: the deadline came, or the daily quota ran out. */
  left: string[];
  quotaExhausted: boolean;
}

const PREFIX = 'sent:';
/** The send log's values: one character each, so the log stays small (see pruneSendLog). */
const PENDING = 'p';
const SENT = 's';
/**
 * How long the send log keeps an email's mark, counted from the meeting date in its key. Only
 * emails of meetings still to come (or just past) are ever planned again; the document
 * properties hold 500 KB ("Quotas for Google Services": "Properties total storage 500 KB /
 * property store"), and a 500-person weekly team sends about 1,020 emails a meeting: at ~30
 * bytes a mark (logKey), 4 weeks' marks stay near 160 KB (test/gas/sendlog.test.ts measures it).
 */
export const SEND_LOG_DAYS = 28;

/**
 * An email part's mark in the log: `sent:<meeting date>:<hash>`, ~29 bytes however long the
 * key (a key with an address and a part number runs to 60 and more). The date keeps pruning
 * possible; the hash is two 32-bit FNV-1a hashes (of the key and of the key reversed), so two
 * of the ~5,000 keys alive at once share a mark about once in 10¹² — a shared mark would skip
 * a send, never repeat one.
 */
export function logKey(key: string): string {
  const date = DATE.exec(key)?.[1] ?? 'undated';
  const reversed = [...key].reverse().join('');
  return `${PREFIX}${date}:${fnv1a(key).toString(36)}${fnv1a(reversed).toString(36)}`;
}
const DATE = /\/(\d{4}-\d{2}-\d{2})(\/|$)/;

/** The part's mark, in this release's form or the key itself (logs written before it). */
function marked(props: GoogleAppsScript.Properties.Properties, key: string): boolean {
  return props.getProperty(logKey(key)) !== null || props.getProperty(PREFIX + key) !== null;
}

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
      if (marked(props, part.key)) continue;
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
      // Marked before the send, as pending: a run that stops between the send and the mark
      // leaves 'p', which counts as sent — never a second send. A send MailApp refuses takes
      // the mark away again, so the email goes out at the next run.
      const mark = logKey(part.key);
      props.setProperty(mark, PENDING);
      try {
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
      } catch (error) {
        props.deleteProperty(mark);
        throw error;
      }
      props.setProperty(mark, SENT);
      sent++;
    }
    if (left) result.left.push(email.key);
    else if (sent) result.sent.push(email.key);
    else result.skipped.push(email.key);
  }
  return result;
}

/**
 * Forgets the marks of meetings more than SEND_LOG_DAYS past (each mark holds its meeting's
 * date), keeping the store small; marks of the earlier form (`sent:<key>`) likewise.
 */
export function pruneSendLog(props: GoogleAppsScript.Properties.Properties, today: string): void {
  const cutoff = Date.parse(`${today}T00:00:00Z`) - SEND_LOG_DAYS * 86_400_000;
  for (const key of props.getKeys()) {
    if (!key.startsWith(PREFIX)) continue;
    const date = /^sent:(\d{4}-\d{2}-\d{2}):/.exec(key)?.[1] ?? DATE.exec(key)?.[1];
    if (date && Date.parse(`${date}T00:00:00Z`) < cutoff) props.deleteProperty(key);
  }
}

/** Whether an email went out already, every part of it: the send log in the document properties. */
export function wasSent(email: Email, props: GoogleAppsScript.Properties.Properties): boolean {
  return partsOf(email).every((part) => marked(props, part.key));
}
