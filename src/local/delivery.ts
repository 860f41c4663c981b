/**
 * Delivery of the outbox by SMTP, and its log. The outbox stays the send log: an email is
 * written there first (once, never again), then handed to the mail server; `outbox/delivery.jsonl`
 * records, one JSON line per step, what happened to each email key:
 *
 *   queued     a run that sends is about to write it (logged before its .eml file exists)
 *   sending    handed to the server now (logged before the SMTP transaction)
 *   delivered  the server took it: its reply, the Message-ID, the recipients it took and refused
 *   refused    the server refused this message for good (5xx): not tried again
 *   failed     the connection, the login or a 4xx reply failed: tried again by the next run
 *
 * An email's state is its last line. A run delivers the emails of its plan whose state is queued,
 * sending or failed, and skips those delivered or refused; an .eml with no line at all was written
 * by a run that did not send (--no-send, no SMTP server): it is not sent, only reported.
 *
 * At least once: a run stopped after the server took a message but before "delivered" is
 * logged (a kill, a power cut, a connection lost while the server answered the end of the
 * message) leaves it "sending" or "failed", and the next run sends it again — said in the run's
 * output, as it may then arrive twice. Nothing else is ever sent twice.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import { CRLF } from '../mail/mime';
import type { OutboxFile } from './outbox';
import { type Accepted, describeSmtpError, refusedForGood, type Sender } from './smtp';

export const DELIVERY_LOG = 'delivery.jsonl';

export type DeliveryEvent = 'queued' | 'sending' | 'delivered' | 'refused' | 'failed';

export interface DeliveryLine extends Partial<Accepted> {
  at: string;
  event: DeliveryEvent;
  key: string;
  /** The outbox file's name. */
  file: string;
  server?: string;
  error?: string;
}

/** Each email key's last line in the log (none: no log yet). A line cut short by a crash is skipped. */
export async function readDeliveryLog(outbox: string): Promise<Map<string, DeliveryLine>> {
  const state = new Map<string, DeliveryLine>();
  let text: string;
  try {
    text = await fs.readFile(path.join(outbox, DELIVERY_LOG), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return state;
    throw error;
  }
  for (const line of text.split('\n')) {
    try {
      const entry = JSON.parse(line) as DeliveryLine;
      if (entry && typeof entry.key === 'string' && typeof entry.event === 'string')
        state.set(entry.key, entry);
    } catch {
      // An empty line, or the end of a line a crash cut short: that step did not complete.
    }
  }
  return state;
}

/** Appends lines to the log and flushes them to disk before returning. */
export async function appendDeliveryLog(outbox: string, lines: Omit<DeliveryLine, 'at'>[]): Promise<void> {
  if (!lines.length) return;
  await fs.mkdir(outbox, { recursive: true });
  const handle = await fs.open(path.join(outbox, DELIVERY_LOG), 'a+');
  try {
    const { size } = await handle.stat();
    // A line a crash left without its newline is closed first, so the new ones start clean.
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    const at = new Date().toISOString();
    await handle.appendFile(lead + lines.map((l) => `${JSON.stringify({ at, ...l })}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What a run's delivery did, by outbox file. */
export interface DeliveryReport {
  server: string;
  /** Delivered now. */
  delivered: string[];
  /** Delivered by an earlier run: not sent again. */
  already: string[];
  /** Refused by the server for good (now or earlier), with its reply: not tried again. */
  refused: { file: string; reason: string }[];
  /** Delivered, but these recipients were refused. */
  partly: { file: string; rejected: string[] }[];
  /** Found "sending" (a run stopped while sending it): sent again now, so it may arrive twice. */
  resent: string[];
  /** Written by a run that did not send (--no-send, or no SMTP server then): not sent. */
  outboxOnly: string[];
}

/** The mail server failed (not one message's refusal): the rest waits for the next run. */
export class DeliveryError extends Error {
  constructor(
    readonly report: DeliveryReport,
    /** The outbox files still to be delivered (the one that failed first). */
    readonly left: string[],
    readonly reason: string,
  ) {
    const done = report.delivered.length;
    super(
      `The mail server ${report.server} failed while sending ${path.basename(left[0] ?? '')}: ${reason}. ` +
        `${done} of ${done + left.length} emails were delivered now${done ? ` (outbox/${DELIVERY_LOG} records them: they are never sent again)` : ''}; ` +
        `${done ? 'the other' : 'all'} ${left.length} are sent by the next run. The register was left as it was: run again once the server works (check the MILEPOST_SMTP_* settings).`,
    );
  }
}

/** The addresses of the From, To and Cc headers of an .eml file. */
export function envelopeOf(raw: Buffer): { from: string; to: string[] } {
  const text = raw.toString('latin1');
  const end = text.indexOf(`${CRLF}${CRLF}`);
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const field = (name: string) =>
    head
      .split(CRLF)
      .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      .map((l) => l.slice(name.length + 1));
  const addresses = (values: string[]) =>
    values.flatMap((v) => addressparser(v, { flatten: true }).map((a) => a.address ?? '')).filter(Boolean);
  return {
    from: addresses(field('From'))[0] ?? '',
    to: [...addresses(field('To')), ...addresses(field('Cc'))],
  };
}

/** Sorts the emails of a run by their state in the log: to send now, or already settled. */
function sortByState(files: OutboxFile[], state: Map<string, DeliveryLine>, report: DeliveryReport) {
  const toSend: { file: OutboxFile; again: boolean }[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    // An email listed twice is one email.
    if (seen.has(f.email.key)) continue;
    seen.add(f.email.key);
    const last = state.get(f.email.key);
    if (!last) report.outboxOnly.push(f.file);
    else if (last.event === 'delivered') report.already.push(f.file);
    else if (last.event === 'refused') report.refused.push({ file: f.file, reason: last.error ?? '' });
    else toSend.push({ file: f, again: last.event === 'sending' });
  }
  return toSend;
}

/**
 * Delivers the emails of a run (their outbox files) that the log does not show as delivered or
 * refused, one at a time, logging each step. A message the server refuses for good is logged and
 * the others go on; any other failure stops here with a DeliveryError (the rest: next run).
 */
export async function deliver(outbox: string, files: OutboxFile[], sender: Sender): Promise<DeliveryReport> {
  const report: DeliveryReport = {
    server: sender.label,
    delivered: [],
    already: [],
    refused: [],
    partly: [],
    resent: [],
    outboxOnly: [],
  };
  const toSend = sortByState(files, await readDeliveryLog(outbox), report);
  for (const [i, { file: f, again }] of toSend.entries()) {
    const line = { key: f.email.key, file: path.basename(f.file), server: sender.label };
    const raw = await fs.readFile(f.file);
    await appendDeliveryLog(outbox, [{ ...line, event: 'sending' }]);
    let accepted: Accepted;
    try {
      accepted = await sender.send(raw, envelopeOf(raw));
    } catch (error) {
      const reason = describeSmtpError(error);
      if (refusedForGood(error)) {
        await appendDeliveryLog(outbox, [{ ...line, event: 'refused', error: reason }]);
        report.refused.push({ file: f.file, reason });
        continue;
      }
      await appendDeliveryLog(outbox, [{ ...line, event: 'failed', error: reason }]);
      throw new DeliveryError(
        report,
        toSend.slice(i).map((s) => s.file.file),
        reason,
      );
    }
    await appendDeliveryLog(outbox, [{ ...line, event: 'delivered', ...accepted }]);
    report.delivered.push(f.file);
    if (again) report.resent.push(f.file);
    if (accepted.rejected.length) report.partly.push({ file: f.file, rejected: accepted.rejected });
  }
  return report;
}

/** The emails of a run the log shows as still to deliver (a run that does not send reports them). */
export async function undelivered(outbox: string, files: OutboxFile[]): Promise<string[]> {
  const state = await readDeliveryLog(outbox);
  return files
    .filter((f) => {
      const e = state.get(f.email.key)?.event;
      return e === 'queued' || e === 'sending' || e === 'failed';
    })
    .map((f) => f.file);
}

/** Logs the emails a run that sends is about to write: from here on they are to be delivered. */
export function queue(outbox: string): (placed: { email: { key: string }; file: string }[]) => Promise<void> {
  return (placed) =>
    appendDeliveryLog(
      outbox,
      placed.map((p) => ({ event: 'queued' as const, key: p.email.key, file: path.basename(p.file) })),
    );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What a run's mail did, as lines for a person and an object for --json. `outboxOnly` says why
 * this run does not send, when that is to be said (once per run).
 */
export function deliveryNotes(
  report: { delivery?: DeliveryReport; undelivered?: string[] },
  outboxOnly?: 'no-send' | 'no-server',
): { notes: string[]; json: Record<string, unknown> } {
  const notes: string[] = [];
  const say = (text: string) => notes.push(`  Mail: ${text}`);
  if (outboxOnly === 'no-send') say('not sent (--no-send): emails are written to outbox/ only.');
  if (outboxOnly === 'no-server')
    say('not sent: no SMTP server is set (MILEPOST_SMTP_HOST), so emails are written to outbox/ only.');
  const d = report.delivery;
  if (!d) {
    const left = report.undelivered ?? [];
    if (left.length)
      say(
        `${plural(left.length, 'email')} that an earlier run queued for the mail server ${left.length === 1 ? 'is' : 'are'} still not delivered; this run does not send.`,
      );
    return { notes, json: { delivery: { sent: false, undelivered: left } } };
  }
  const name = (f: string) => path.basename(f);
  if (d.delivered.length) say(`${plural(d.delivered.length, 'email')} delivered to ${d.server}.`);
  if (d.already.length)
    say(`${plural(d.already.length, 'email')} delivered by an earlier run, not sent again.`);
  for (const r of d.refused) say(`the server refused ${name(r.file)} (${r.reason}); it is not tried again.`);
  for (const p of d.partly)
    say(`${name(p.file)} delivered, but the server refused ${p.rejected.join(', ')}.`);
  for (const f of d.resent)
    say(`${name(f)} was being sent when an earlier run stopped: sent again, so it may arrive twice.`);
  if (d.outboxOnly.length)
    say(
      `${plural(d.outboxOnly.length, 'email')} in outbox/ ${d.outboxOnly.length === 1 ? 'was' : 'were'} written by a run that did not send (--no-send, or no SMTP server then): not sent now. To send one, delete its .eml file and run again.`,
    );
  return {
    notes,
    json: {
      delivery: {
        sent: true,
        server: d.server,
        delivered: d.delivered,
        alreadyDelivered: d.already,
        refused: d.refused,
        partlyRefused: d.partly,
        resent: d.resent,
        outboxOnly: d.outboxOnly,
      },
    },
  };
}
