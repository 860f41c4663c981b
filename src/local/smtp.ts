/**
 * The local backend's mail server: SMTP settings from the environment (never from the workbook,
 * which people share and edit), and the transport that hands one outbox file to the server.
 * Nodemailer does the SMTP: implicit TLS or STARTTLS (certificates checked), AUTH, dot-stuffing,
 * timeouts. The message itself is the outbox file, sent byte for byte: what the outbox shows is
 * what went out. One connection per message (no pool, whose hidden re-sends could duplicate).
 */
import * as net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';

/** How the connection is protected: 'tls' implicit TLS (465), 'starttls' required (587), 'none' plain. */
export type SmtpSecurity = 'none' | 'starttls' | 'tls';

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  user?: string;
  password?: string;
  /** The sender address every message is sent as (MILEPOST_SMTP_FROM), if set. */
  from?: string;
}

/** An SMTP setting in the environment that cannot be used: nothing was written or sent. */
export class SmtpConfigError extends Error {}

export const SMTP_ENV = {
  host: 'MILEPOST_SMTP_HOST',
  port: 'MILEPOST_SMTP_PORT',
  secure: 'MILEPOST_SMTP_SECURE',
  user: 'MILEPOST_SMTP_USER',
  password: 'MILEPOST_SMTP_PASSWORD',
  from: 'MILEPOST_SMTP_FROM',
} as const;

const SECURITY: readonly SmtpSecurity[] = ['none', 'starttls', 'tls'];

/** A server on this machine: the only one a password may go to unencrypted. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}

/**
 * The SMTP settings in `env`, or undefined when MILEPOST_SMTP_HOST is not set (the outbox only).
 * A value that is set but unusable is an error naming the variable.
 */
export function smtpSettings(env: NodeJS.ProcessEnv = process.env): SmtpSettings | undefined {
  const value = (name: string) => env[name]?.trim() || undefined;
  const host = value(SMTP_ENV.host);
  if (!host) return undefined;
  const secure = (value(SMTP_ENV.secure) ?? '').toLowerCase();
  const portText = value(SMTP_ENV.port);
  if (secure && !SECURITY.includes(secure as SmtpSecurity))
    throw new SmtpConfigError(
      `${SMTP_ENV.secure}="${env[SMTP_ENV.secure]}" is not one of none, starttls, tls (tls: port 465; starttls: 587; none: no encryption, for a relay on this machine).`,
    );
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw new SmtpConfigError(`${SMTP_ENV.port}="${portText}" is not a port number (1 to 65535).`);
  const security: SmtpSecurity = (secure as SmtpSecurity) || (port === 465 ? 'tls' : 'starttls');
  const settings: SmtpSettings = {
    host,
    port: port ?? (security === 'tls' ? 465 : security === 'starttls' ? 587 : 25),
    security,
  };
  const user = value(SMTP_ENV.user);
  const password = env[SMTP_ENV.password];
  if (user && !password)
    throw new SmtpConfigError(
      `${SMTP_ENV.user} is set but ${SMTP_ENV.password} is not: set both, or neither.`,
    );
  if (password && !user)
    throw new SmtpConfigError(
      `${SMTP_ENV.password} is set but ${SMTP_ENV.user} is not: set both, or neither.`,
    );
  if (user && password) {
    if (security === 'none' && !isLoopback(host))
      throw new SmtpConfigError(
        `${SMTP_ENV.secure}=none would send the password to ${host} unencrypted: use starttls or tls (none with a password only for a server on this machine).`,
      );
    settings.user = user;
    settings.password = password;
  }
  const from = value(SMTP_ENV.from);
  if (from) {
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(addressOf(from)))
      throw new SmtpConfigError(
        `${SMTP_ENV.from}="${from}" is not an email address (milepost@example.com, or Milepost <milepost@example.com>).`,
      );
    settings.from = from;
  }
  return settings;
}

/** 'Ann <ann@example.com>' → 'ann@example.com'. */
export function addressOf(text: string): string {
  const m = /<([^<>]+)>\s*$/.exec(text);
  return (m ? m[1]! : text).trim();
}

/** How a person reads the server: 'smtp.example.com:587 (STARTTLS)'. */
export function serverLabel(s: SmtpSettings): string {
  return `${s.host}:${s.port} (${s.security === 'tls' ? 'TLS' : s.security === 'starttls' ? 'STARTTLS' : 'no encryption'}${s.user ? `, as ${s.user}` : ''})`;
}

/** What the server said about one message it took. */
export interface Accepted {
  messageId?: string;
  /** The server's final reply, e.g. '250 2.0.0 Ok: queued as 4F2A1'. */
  response: string;
  accepted: string[];
  /** Recipients the server refused while taking the message for the others. */
  rejected: string[];
}

/** Hands one message to a mail server. */
export interface Sender {
  /** The server, for messages: 'smtp.example.com:587 (STARTTLS)'. */
  readonly label: string;
  send(raw: Buffer, envelope: { from: string; to: string[] }): Promise<Accepted>;
  close(): void;
}

/** Seconds to wait: a server that does not answer fails the run instead of holding the workspace lock. */
const TIMEOUTS = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 };

/** The nodemailer SMTP transport for these settings; `tls` adds TLS options (tests: their CA). */
export function smtpSender(settings: SmtpSettings, tls: ConnectionOptions = {}): Sender {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    tls: { servername: net.isIP(settings.host) ? undefined : settings.host, ...tls },
    ...TIMEOUTS,
  });
  return {
    label: serverLabel(settings),
    async send(raw, envelope) {
      const from = settings.from ? addressOf(settings.from) : envelope.from;
      const info = await transport.sendMail({ raw, envelope: { from, to: envelope.to } });
      return {
        messageId: info.messageId,
        response: String(info.response ?? ''),
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
      };
    },
    close: () => transport.close(),
  };
}

/** A nodemailer error: its code ('ECONNECTION', 'EAUTH', 'EENVELOPE'…), the SMTP command and reply. */
interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/**
 * Whether the server refused this one message for good (a 5xx reply to its recipients or its
 * content, or an address it cannot take): sending it again would be refused again, while the
 * other messages may go. A refused sender (MAIL FROM), a login, a connection or a 4xx reply is
 * the server's or the settings' problem, not the message's: the run stops and tries again later.
 */
export function refusedForGood(error: unknown): boolean {
  const e = error as SmtpError;
  if (e?.code === 'EENVELOPE' && e.command === 'API') return /recipient/i.test(e.message);
  if (e?.code !== 'EENVELOPE' && e?.code !== 'EMESSAGE') return false;
  if (e.code === 'EMESSAGE' && e.command === 'MAIL FROM') return true; // larger than the server takes
  return (e.command === 'RCPT TO' || e.command === 'DATA') && (e.responseCode ?? 0) >= 500;
}

/** An error as one line: 'EAUTH: Invalid login: 535 Authentication failed'. */
export function describeSmtpError(error: unknown): string {
  const e = error as SmtpError;
  const text = e instanceof Error ? e.message : String(error);
  return `${e?.code ? `${e.code}: ` : ''}${text}`.replace(/\s+/g, ' ').trim();
}
