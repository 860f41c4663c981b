/**
 * Mail that goes out from the local backend: the outbox is written first and stays the send
 * log, then each email is delivered by SMTP to a real server running in this process
 * (smtp-server) — once, whatever fails and however often a phase runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CLOCK } from '../../src/cli/commands/demo';
import { readRegister } from '../../src/core/register';
import { DELIVERY_LOG, DeliveryError, readDeliveryLog } from '../../src/local/delivery';
import { initWorkspace } from '../../src/local/init';
import { emlFileName } from '../../src/local/outbox';
import { LocalRuntime } from '../../src/local/runtime';
import { SmtpConfigError, smtpSettings } from '../../src/local/smtp';
import { readWorkbook } from '../../src/local/workbook';
import { sampleResponses, tempDir } from '../cli/helpers';
import {
  attachmentsOf,
  headersOf,
  selfSignedCert,
  smtpReply,
  startSmtpServer,
  type TestServer,
} from './smtp-server';

let dir: string;
let server: TestServer | undefined;
beforeEach(async () => {
  dir = tempDir('smtp');
  await initWorkspace(dir, { sample: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const plainEnv = (port: number, extra: Record<string, string> = {}) => ({
  MILEPOST_SMTP_HOST: '127.0.0.1',
  MILEPOST_SMTP_PORT: String(port),
  MILEPOST_SMTP_SECURE: 'none',
  ...extra,
});

const sending = (env: NodeJS.ProcessEnv, tls = {}) => new LocalRuntime(dir, { send: true, env, tls });
const outbox = () => path.join(dir, 'outbox');
const emlFiles = () =>
  fs
    .readdirSync(outbox())
    .filter((f) => f.endsWith('.eml'))
    .sort();
/** The X-Milepost-Key of each message the server took, sorted. */
const keysReceived = (s: TestServer) => s.received.map((m) => headersOf(m.raw)['x-milepost-key']!).sort();

async function requestsSent(): Promise<string> {
  const { register } = readRegister((await readWorkbook(path.join(dir, 'register.xlsx'))).snapshot);
  return register.meetings.find((m) => m.date === '2026-12-03')?.requestsSent ?? '';
}

describe('SMTP delivery of the local outbox', () => {
  it('delivers each update request once, byte for byte the outbox file, to its To addresses', async () => {
    server = await startSmtpServer();
    const run = await sending(plainEnv(server.port)).request(DEMO_CLOCK.requests);
    const files = emlFiles();
    expect(files.length).toBeGreaterThan(3);
    expect(server.received).toHaveLength(files.length);
    const addresses = (header = '') => header.match(/[\w.+-]+@[\w.-]+/g) ?? [];
    for (const m of server.received) {
      const h = headersOf(m.raw);
      const file = path.join(outbox(), emlFileName(h['x-milepost-key']!));
      expect(m.raw.toString('utf8')).toBe(fs.readFileSync(file, 'utf8'));
      // The envelope is the file's To and Cc (a delegate is copied on their owner's request).
      expect(m.to).toEqual([...addresses(h.to), ...addresses(h.cc)]);
      expect(m.from).toBe('daniel.reyes@northwind.example');
    }
    expect(server.received.some((m) => m.to.length > 1)).toBe(true);
    expect(run.notes.join('\n')).toContain(`${files.length} emails delivered to 127.0.0.1:${server.port}`);
    expect(run.extra.delivery).toMatchObject({ sent: true, delivered: expect.any(Array) });
    // The log: queued, sending, delivered for each, with the server's reply.
    const log = await readDeliveryLog(outbox());
    expect([...log.values()].map((l) => l.event)).toEqual(files.map(() => 'delivered'));
    expect([...log.values()][0]!.response).toMatch(/^250 .*queued as test-/);
    expect(await requestsSent()).not.toBe('');
  });

  it('running the phase again sends nothing twice', async () => {
    server = await startSmtpServer();
    const rt = sending(plainEnv(server.port));
    await rt.request(DEMO_CLOCK.requests);
    const first = server.received.length;
    const again = await rt.request('2026-11-30T11:00:00Z');
    expect(server.received).toHaveLength(first);
    expect(again.notes.join('\n')).toContain(`${first} emails delivered by an earlier run, not sent again`);
    expect(new Set(keysReceived(server)).size).toBe(first);
  });

  it('the pack email carries the pack as an attachment, the HTML of packs/<date>.html', async () => {
    server = await startSmtpServer();
    const rt = sending(plainEnv(server.port));
    fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
    const run = await rt.pack(DEMO_CLOCK.pack);
    expect(run.outcome.circulated).toBe(true);
    const pack = server.received.find((m) => headersOf(m.raw)['x-milepost-kind'] === 'pack')!;
    expect(pack).toBeDefined();
    expect(pack.to.length).toBeGreaterThan(5);
    const [attached, ...more] = attachmentsOf(pack.raw);
    expect(more).toEqual([]);
    expect(attached!.filename).toBe('milestone-pack-2026-12-03.html');
    expect(attached!.type).toBe('text/html');
    expect(attached!.content.toString('utf8')).toBe(
      fs.readFileSync(path.join(dir, 'packs', '2026-12-03.html'), 'utf8'),
    );
    // The outbox file is the message sent: it carries the pack too.
    expect(attachmentsOf(fs.readFileSync(path.join(outbox(), 'pack_2026-12-03.eml')))).toHaveLength(1);
    // Text and HTML stay a multipart/alternative inside.
    expect(pack.raw.toString('latin1')).toMatch(/Content-Type: multipart\/alternative;/);
  });

  it('a server that fails mid-run: those delivered are logged, the rest go next run, none twice', async () => {
    server = await startSmtpServer();
    server.onMessage = (n) => {
      if (n === 3) throw smtpReply(421, 'Service not available, try again later');
    };
    const rt = sending(plainEnv(server.port));
    const failed = await rt.request(DEMO_CLOCK.requests).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DeliveryError);
    expect((failed as DeliveryError).message).toMatch(
      /failed while sending .*421 Service not available.* 2 of \d+ emails were delivered now/,
    );
    expect(server.received).toHaveLength(2);
    // Nothing records the requests as sent: the next run plans them again.
    expect(await requestsSent()).toBe('');
    const total = emlFiles().length;
    const states = [...(await readDeliveryLog(outbox())).values()].map((l) => l.event);
    expect(states.filter((s) => s === 'delivered')).toHaveLength(2);
    expect(states.filter((s) => s === 'failed')).toHaveLength(1);
    expect(states.filter((s) => s === 'queued')).toHaveLength(total - 3);

    server.onMessage = undefined;
    const next = await rt.request('2026-11-30T10:15:00Z');
    expect(server.received).toHaveLength(total);
    expect(new Set(keysReceived(server)).size).toBe(total);
    expect(next.notes.join('\n')).toContain(`${total - 2} emails delivered`);
    expect(next.notes.join('\n')).toContain('2 emails delivered by an earlier run');
    expect(await requestsSent()).not.toBe('');
  });

  it('a server that goes down mid-run (connection refused): the next run, to the server back up, sends the rest once', async () => {
    server = await startSmtpServer();
    server.onMessage = (n) => {
      if (n === 2) server!.stopListening();
    };
    const first = await sending(plainEnv(server.port))
      .request(DEMO_CLOCK.requests)
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DeliveryError);
    expect((first as DeliveryError).message).toMatch(/ECONNECTION|ESOCKET|ECONNREFUSED/);
    const before = server.received;
    expect(before).toHaveLength(2);
    await server.close();
    server = await startSmtpServer();
    await sending(plainEnv(server.port)).request('2026-11-30T10:30:00Z');
    const all = [...before.map((m) => headersOf(m.raw)['x-milepost-key']!), ...keysReceived(server)];
    expect(all).toHaveLength(emlFiles().length);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a recipient the server refuses for good (550) is logged and not retried; the others go', async () => {
    server = await startSmtpServer();
    server.onRecipient = (address) => {
      if (address === 'tom.becker@northwind.example') throw smtpReply(550, 'No such user');
    };
    const rt = sending(plainEnv(server.port));
    const run = await rt.request(DEMO_CLOCK.requests);
    expect(server.received).toHaveLength(emlFiles().length - 1);
    expect(run.notes.join('\n')).toMatch(
      /the server refused request_2026-12-03_tom\.becker@northwind\.example\.eml \(.*550 No such user\); it is not tried again/,
    );
    expect(await requestsSent()).not.toBe('');
    server.onRecipient = undefined;
    await rt.request('2026-11-30T11:00:00Z');
    expect(server.received).toHaveLength(emlFiles().length - 1);
  });

  it('--no-send writes the outbox only; a later run that sends does not send those emails', async () => {
    server = await startSmtpServer();
    const quiet = new LocalRuntime(dir, { send: false, env: plainEnv(server.port) });
    const run = await quiet.request(DEMO_CLOCK.requests);
    expect(run.notes).toEqual(['  Mail: not sent (--no-send): emails are written to outbox/ only.']);
    expect(emlFiles().length).toBeGreaterThan(3);
    expect(fs.existsSync(path.join(outbox(), DELIVERY_LOG))).toBe(false);
    const later = await sending(plainEnv(server.port)).request('2026-11-30T11:00:00Z');
    expect(server.received).toHaveLength(0);
    expect(later.notes.join('\n')).toContain(
      `${emlFiles().length} emails in outbox/ were written by a run that did not send`,
    );
    // Deleting an .eml file has the next run write it again, and send it.
    fs.rmSync(path.join(outbox(), emlFiles()[0]!));
    await sending(plainEnv(server.port)).request('2026-11-30T12:00:00Z');
    expect(server.received).toHaveLength(1);
  });

  it('with no SMTP server set, emails go to the outbox only and the runtime says so once', async () => {
    const rt = new LocalRuntime(dir, { send: true, env: {} });
    const first = await rt.request(DEMO_CLOCK.requests);
    expect(first.notes).toEqual([
      '  Mail: not sent: no SMTP server is set (MILEPOST_SMTP_HOST), so emails are written to outbox/ only.',
    ]);
    expect(first.extra.delivery).toEqual({ sent: false, undelivered: [] });
    const reminders = await rt.request(DEMO_CLOCK.reminders, { reminders: true });
    expect(reminders.notes).toEqual([]);
    expect(reminders.report.sent.length).toBeGreaterThan(0);
  });

  it('a run stopped while sending: the next run sends that email again and says it may arrive twice', async () => {
    server = await startSmtpServer();
    // The first run is killed the moment the server has taken the first message.
    server.onMessage = (n) => {
      if (n === 1) throw smtpReply(421, 'stand-in for a crash');
    };
    await sending(plainEnv(server.port))
      .request(DEMO_CLOCK.requests)
      .catch(() => undefined);
    // As a crash leaves it: "sending" is the last line of that email.
    const log = path.join(outbox(), DELIVERY_LOG);
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(log, `${lines.slice(0, -1).join('\n')}\n{"at":"2026-11-30T10:00:01Z","event":"deliv`);
    server.onMessage = undefined;
    const next = await sending(plainEnv(server.port)).request('2026-11-30T10:05:00Z');
    expect(next.notes.join('\n')).toMatch(
      /was being sent when an earlier run stopped: sent again, so it may arrive twice/,
    );
    expect(server.received).toHaveLength(emlFiles().length);
    // The cut line was closed before the next ones were added.
    expect(fs.readFileSync(log, 'utf8')).toMatch(/"event":"deliv\n\{/);
  });
});

describe('SMTP security: STARTTLS, implicit TLS, login', () => {
  const cert = selfSignedCert();
  const auth = { user: 'milepost', pass: 's3cret pass' };
  const tlsEnv = (port: number, secure: string, extra: Record<string, string> = {}) => ({
    MILEPOST_SMTP_HOST: '127.0.0.1',
    MILEPOST_SMTP_PORT: String(port),
    MILEPOST_SMTP_SECURE: secure,
    MILEPOST_SMTP_USER: auth.user,
    MILEPOST_SMTP_PASSWORD: auth.pass,
    ...extra,
  });

  it('STARTTLS with a login: every message over TLS, as the user, From the sender set', async () => {
    server = await startSmtpServer({ tls: cert, auth });
    const env = tlsEnv(server.port, 'starttls', {
      MILEPOST_SMTP_FROM: 'Milepost <milepost@northwind.example>',
    });
    await sending(env, { ca: cert.cert }).request(DEMO_CLOCK.requests);
    expect(server.received.length).toBe(emlFiles().length);
    for (const m of server.received) {
      expect(m).toMatchObject({ secure: true, user: 'milepost', from: 'milepost@northwind.example' });
      const h = headersOf(m.raw);
      expect(h.from).toBe('Milepost <milepost@northwind.example>');
      expect(h['reply-to']).toContain('daniel.reyes@northwind.example');
    }
  });

  it('implicit TLS (port 465 style)', async () => {
    server = await startSmtpServer({ tls: cert, auth, implicitTls: true });
    await sending(tlsEnv(server.port, 'tls'), { ca: cert.cert }).request(DEMO_CLOCK.requests);
    expect(server.received.length).toBe(emlFiles().length);
    expect(server.received.every((m) => m.secure)).toBe(true);
  });

  it('a certificate the client does not trust stops the run: nothing is sent in the clear', async () => {
    server = await startSmtpServer({ tls: cert, auth });
    const failed = await sending(tlsEnv(server.port, 'starttls'))
      .request(DEMO_CLOCK.requests)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DeliveryError);
    expect((failed as Error).message).toMatch(/certificate/i);
    expect(server.received).toHaveLength(0);
  });

  it('starttls refuses a server that does not offer it', async () => {
    server = await startSmtpServer();
    const env = { ...plainEnv(server.port), MILEPOST_SMTP_SECURE: 'starttls' };
    const failed = await sending(env)
      .request(DEMO_CLOCK.requests)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DeliveryError);
    expect(server.received).toHaveLength(0);
  });

  it('a wrong password stops the run (EAUTH), nothing delivered, the register left as it was', async () => {
    server = await startSmtpServer({ tls: cert, auth });
    const env = tlsEnv(server.port, 'starttls', { MILEPOST_SMTP_PASSWORD: 'wrong' });
    const failed = await sending(env, { ca: cert.cert })
      .request(DEMO_CLOCK.requests)
      .catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/EAUTH/);
    expect(server.received).toHaveLength(0);
    expect(await requestsSent()).toBe('');
  });

  it('a login over a plain connection to a server on this machine (allowInsecureAuth)', async () => {
    server = await startSmtpServer({ auth });
    await sending(tlsEnv(server.port, 'none')).request(DEMO_CLOCK.requests);
    expect(server.received.every((m) => m.user === 'milepost' && !m.secure)).toBe(true);
  });
});

describe('SMTP settings from the environment', () => {
  it('none without MILEPOST_SMTP_HOST; defaults by security', () => {
    expect(smtpSettings({})).toBeUndefined();
    expect(smtpSettings({ MILEPOST_SMTP_HOST: '  ' })).toBeUndefined();
    expect(smtpSettings({ MILEPOST_SMTP_HOST: 'smtp.example.com' })).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
    });
    expect(smtpSettings({ MILEPOST_SMTP_HOST: 'smtp.example.com', MILEPOST_SMTP_PORT: '465' })).toMatchObject(
      {
        port: 465,
        security: 'tls',
      },
    );
    expect(smtpSettings({ MILEPOST_SMTP_HOST: 'h', MILEPOST_SMTP_SECURE: 'TLS' })).toMatchObject({
      port: 465,
      security: 'tls',
    });
    expect(smtpSettings({ MILEPOST_SMTP_HOST: 'h', MILEPOST_SMTP_SECURE: 'none' })).toMatchObject({
      port: 25,
    });
  });

  it('refuses values it cannot use, naming the variable', () => {
    const bad = (env: Record<string, string>, message: RegExp) =>
      expect(() => smtpSettings({ MILEPOST_SMTP_HOST: 'smtp.example.com', ...env })).toThrow(message);
    bad({ MILEPOST_SMTP_PORT: 'abc' }, /MILEPOST_SMTP_PORT="abc" is not a port number/);
    bad({ MILEPOST_SMTP_PORT: '70000' }, /MILEPOST_SMTP_PORT/);
    bad({ MILEPOST_SMTP_SECURE: 'ssl' }, /MILEPOST_SMTP_SECURE="ssl" is not one of none, starttls, tls/);
    bad({ MILEPOST_SMTP_USER: 'u' }, /MILEPOST_SMTP_PASSWORD is not/);
    bad({ MILEPOST_SMTP_PASSWORD: 'p' }, /MILEPOST_SMTP_USER is not/);
    bad(
      { MILEPOST_SMTP_SECURE: 'none', MILEPOST_SMTP_USER: 'u', MILEPOST_SMTP_PASSWORD: 'p' },
      /would send the password to smtp\.example\.com unencrypted/,
    );
    bad({ MILEPOST_SMTP_FROM: 'not an address' }, /MILEPOST_SMTP_FROM/);
    expect(() => smtpSettings({ MILEPOST_SMTP_HOST: 'h', MILEPOST_SMTP_PORT: '0' })).toThrow(SmtpConfigError);
  });

  it('a password over a plain connection only to this machine', () => {
    const env = { MILEPOST_SMTP_SECURE: 'none', MILEPOST_SMTP_USER: 'u', MILEPOST_SMTP_PASSWORD: 'p' };
    for (const host of ['localhost', '127.0.0.1', '::1', '[::1]'])
      expect(smtpSettings({ ...env, MILEPOST_SMTP_HOST: host })).toMatchObject({ user: 'u', password: 'p' });
  });
});
