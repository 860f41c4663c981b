/**
 * A real SMTP server in the test process (smtp-server, from the nodemailer project), recording
 * every message it accepts; and a self-signed certificate for 127.0.0.1 made with openssl, so
 * TLS is checked as in production (the client trusts the test CA, nothing is left unverified).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
  user?: string;
}

export interface TestServer {
  port: number;
  received: Received[];
  /**
   * Called for each message before the server answers it: throw to refuse it (an Error with a
   * responseCode); the answer waits for a returned promise (a test kills the client meanwhile).
   */
  onMessage?: (n: number, raw: Buffer) => void | Promise<void>;
  /** Called for each recipient: throw to refuse the recipient. */
  onRecipient?: (address: string) => void;
  /** Stops taking connections (the server goes down): the next connection is refused. */
  stopListening(): void;
  close(): Promise<void>;
}

/** An error the server answers with: `code` 421 (try later), 550 (refused for good)… */
export function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export interface ServerMode {
  /** A certificate: STARTTLS offered (or, with `implicitTls`, TLS from the first byte). */
  tls?: { key: string; cert: string };
  implicitTls?: boolean;
  /** Credentials the server requires (AUTH PLAIN/LOGIN); without TLS only with allowInsecureAuth. */
  auth?: { user: string; pass: string };
}

export async function startSmtpServer(mode: ServerMode = {}): Promise<TestServer> {
  const received: Received[] = [];
  const state: TestServer = {
    port: 0,
    received,
    stopListening: () => undefined,
    close: async () => undefined,
  };
  const options: SMTPServerOptions = {
    logger: false,
    secure: mode.implicitTls === true,
    ...(mode.tls ? { key: mode.tls.key, cert: mode.tls.cert } : {}),
    disabledCommands: [
      ...(mode.auth ? [] : ['AUTH']),
      ...(mode.tls && !mode.implicitTls ? [] : ['STARTTLS']),
    ],
    authOptional: !mode.auth,
    allowInsecureAuth: !mode.tls,
    onAuth(auth, _session, callback) {
      if (mode.auth && auth.username === mode.auth.user && auth.password === mode.auth.pass)
        callback(null, { user: auth.username });
      else callback(smtpReply(535, 'Authentication failed'));
    },
    onRcptTo(address, _session, callback) {
      try {
        state.onRecipient?.(address.address);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const n = received.length + 1;
        const entry = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          secure: session.secure,
          ...(session.user !== undefined ? { user: String(session.user) } : {}),
        };
        try {
          await state.onMessage?.(n, raw);
        } catch (error) {
          callback(error as Error);
          return;
        }
        // Taken: from here the message is the server's, whether or not the client hears the reply.
        received.push(entry);
        callback(null, `Ok: queued as test-${received.length}`);
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.stopListening = () => server.server.close();
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** A self-signed certificate for 127.0.0.1 and localhost (the test's own CA), in a temp dir. */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
}

/** The headers of a received message, unfolded, by lower-case name. */
export function headersOf(raw: Buffer): Record<string, string> {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return Object.fromEntries(
    head
      .split('\r\n')
      .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

/** The attachments of a multipart/mixed message: file name and decoded bytes. */
export function attachmentsOf(raw: Buffer): { filename: string; type: string; content: Buffer }[] {
  const text = raw.toString('latin1');
  const boundary = /multipart\/mixed;\s*boundary="([^"]+)"/.exec(text.replace(/\r\n[ \t]+/g, ' '))?.[1];
  if (!boundary) return [];
  return text
    .split(`--${boundary}`)
    .filter((part) => /Content-Disposition: attachment/i.test(part))
    .map((part) => {
      const [head, body] = [
        part.slice(0, part.indexOf('\r\n\r\n')),
        part.slice(part.indexOf('\r\n\r\n') + 4),
      ];
      return {
        filename: /filename="([^"]+)"/.exec(head)?.[1] ?? '',
        type: /Content-Type: ([^;\r\n]+)/i.exec(head)?.[1] ?? '',
        content: Buffer.from(body.replace(/\s+/g, ''), 'base64'),
      };
    });
}
