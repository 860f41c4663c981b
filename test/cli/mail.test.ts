/**
 * The built CLI sending mail from the local backend, configured by MILEPOST_SMTP_* as a user
 * (or cron) sets them, against a real SMTP server in this process (so the CLI runs in a child
 * process that does not block it: milepostAsync).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLOCK } from '../../src/cli/commands/demo';
import { headersOf, selfSignedCert, smtpReply, startSmtpServer, type TestServer } from '../local/smtp-server';
import { milepostAsync, ROOT, tempDir } from './helpers';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const env = (port: number, extra: Record<string, string> = {}) => ({
  MILEPOST_SMTP_HOST: '127.0.0.1',
  MILEPOST_SMTP_PORT: String(port),
  MILEPOST_SMTP_SECURE: 'none',
  ...extra,
});

async function sampleWorkspace(): Promise<string> {
  const dir = tempDir('mail');
  const r = await milepostAsync({}, 'init', '--sample', '-w', dir);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

const emls = (dir: string) => fs.readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
const keys = (s: TestServer) => s.received.map((m) => headersOf(m.raw)['x-milepost-key']!);

describe('milepost sends the local outbox by SMTP', () => {
  it('request delivers each email once, says so, and a second run sends nothing again', async () => {
    server = await startSmtpServer();
    const dir = await sampleWorkspace();
    const r = await milepostAsync(
      env(server.port),
      'request',
      '-w',
      dir,
      '--now',
      DEMO_CLOCK.requests,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const n = emls(dir).length;
    expect(n).toBeGreaterThan(3);
    expect(server.received).toHaveLength(n);
    expect(r.stderr).toContain(`Mail: ${n} emails delivered to 127.0.0.1:${server.port} (no encryption).`);
    const json = r.json() as { delivery: { sent: boolean; delivered: string[] } };
    expect(json.delivery.sent).toBe(true);
    expect(json.delivery.delivered).toHaveLength(n);
    const again = await milepostAsync(
      env(server.port),
      'request',
      '-w',
      dir,
      '--now',
      '2026-11-30T11:00:00Z',
    );
    expect(again.code, again.stderr).toBe(0);
    expect(server.received).toHaveLength(n);
    expect(again.stderr).toContain(`Mail: ${n} emails delivered by an earlier run, not sent again.`);
  });

  it('over STARTTLS with a login, trusting a private CA through NODE_EXTRA_CA_CERTS', async () => {
    const cert = selfSignedCert();
    server = await startSmtpServer({ tls: cert, auth: { user: 'pm', pass: 'pw' } });
    const dir = await sampleWorkspace();
    const r = await milepostAsync(
      env(server.port, {
        MILEPOST_SMTP_SECURE: 'starttls',
        MILEPOST_SMTP_USER: 'pm',
        MILEPOST_SMTP_PASSWORD: 'pw',
        NODE_EXTRA_CA_CERTS: cert.certFile,
      }),
      'request',
      '-w',
      dir,
      '--now',
      DEMO_CLOCK.requests,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`(STARTTLS, as pm)`);
    expect(server.received.length).toBe(emls(dir).length);
    expect(server.received.every((m) => m.secure && m.user === 'pm')).toBe(true);
    // The password is never printed.
    expect(r.stderr).not.toContain('pw)');
  });

  it('--no-send on request, pack, wrap-up and run writes the outbox and sends nothing', async () => {
    server = await startSmtpServer();
    const dir = await sampleWorkspace();
    const e = env(server.port);
    const req = await milepostAsync(e, 'request', '-w', dir, '--now', DEMO_CLOCK.requests, '--no-send');
    expect(req.code, req.stderr).toBe(0);
    expect(req.stderr).toContain('Mail: not sent (--no-send): emails are written to outbox/ only.');
    const pack = await milepostAsync(e, 'pack', '-w', dir, '--now', DEMO_CLOCK.pack, '--no-send');
    expect(pack.code, pack.stderr).toBe(0);
    const wrap = await milepostAsync(e, 'wrap-up', '-w', dir, '--now', DEMO_CLOCK.wrapUp, '--no-send');
    expect(wrap.code, wrap.stderr).toBe(0);
    const run = await milepostAsync(e, 'run', '-w', dir, '--now', '2026-12-07T10:00:00Z', '--no-send');
    expect(run.code, run.stderr).toBe(0);
    expect(emls(dir).some((f) => f.startsWith('pack_'))).toBe(true);
    expect(emls(dir).some((f) => f.startsWith('digest_'))).toBe(true);
    expect(server.received).toHaveLength(0);
  });

  it('without MILEPOST_SMTP_HOST the run writes the outbox and says once that nothing is sent', async () => {
    const dir = await sampleWorkspace();
    const r = await milepostAsync({ MILEPOST_SMTP_HOST: '' }, 'run', '-w', dir, '--now', DEMO_CLOCK.requests);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/no SMTP server is set \(MILEPOST_SMTP_HOST\)/g)).toHaveLength(1);
    expect(emls(dir).length).toBeGreaterThan(3);
  });

  it('a server failing mid-run: exit 75 with a JSON error; the next run sends the rest, none twice', async () => {
    server = await startSmtpServer();
    server.onMessage = (n) => {
      if (n === 3) throw smtpReply(451, 'Local error in processing');
    };
    const dir = await sampleWorkspace();
    const failed = await milepostAsync(
      env(server.port),
      'request',
      '-w',
      dir,
      '--now',
      DEMO_CLOCK.requests,
      '--json',
    );
    expect(failed.code, failed.stderr).toBe(75);
    const error = (failed.json() as { error: { code: string; exit: number; message: string } }).error;
    expect(error).toMatchObject({ code: 'mail-server', exit: 75 });
    expect(error.message).toMatch(/451 Local error in processing.*2 of \d+ emails were delivered now/);
    expect(failed.stderr).toContain('The register was left as it was');
    expect(server.received).toHaveLength(2);
    server.onMessage = undefined;
    const next = await milepostAsync(env(server.port), 'request', '-w', dir, '--now', '2026-11-30T10:20:00Z');
    expect(next.code, next.stderr).toBe(0);
    expect(server.received).toHaveLength(emls(dir).length);
    expect(new Set(keys(server)).size).toBe(server.received.length);
  });

  it('killed after the server took a message: the next run sends that one again and says it may arrive twice', async () => {
    server = await startSmtpServer();
    const dir = await sampleWorkspace();
    const bin = path.join(ROOT, 'bin', 'milepost.js');
    const child = spawn(process.execPath, [bin, 'request', '-w', dir, '--now', DEMO_CLOCK.requests], {
      cwd: ROOT,
      env: { ...process.env, ...env(server.port) },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // The server takes the second message, and the run is killed before it hears "250".
    server.onMessage = async (n) => {
      if (n !== 2) return;
      child.kill('SIGKILL');
      await exited;
    };
    await exited;
    // The server records the message once its hook returns, just after the kill.
    for (let i = 0; i < 100 && server.received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.received).toHaveLength(2);
    const log = fs.readFileSync(path.join(dir, 'outbox', 'delivery.jsonl'), 'utf8');
    expect(log.trimEnd().split('\n').at(-1)).toMatch(/"event":"sending"/);
    server.onMessage = undefined;
    const next = await milepostAsync(env(server.port), 'request', '-w', dir, '--now', '2026-11-30T10:20:00Z');
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(
      /was being sent when an earlier run stopped: sent again, so it may arrive twice/,
    );
    const all = keys(server);
    expect(all).toHaveLength(emls(dir).length + 1);
    // At least once: only the message in flight at the kill arrived twice.
    const twice = all.filter((k, i) => all.indexOf(k) !== i);
    expect(twice).toEqual([keys(server)[1]]);
  });

  it('a bad MILEPOST_SMTP_* value stops the run before anything is written (exit 2)', async () => {
    const dir = await sampleWorkspace();
    const r = await milepostAsync(
      { MILEPOST_SMTP_HOST: 'smtp.example.com', MILEPOST_SMTP_PORT: 'abc' },
      'request',
      '-w',
      dir,
      '--now',
      DEMO_CLOCK.requests,
      '--json',
    );
    expect(r.code).toBe(2);
    expect((r.json() as { error: { code: string } }).error.code).toBe('smtp-config');
    expect(r.stderr).toContain('MILEPOST_SMTP_PORT="abc" is not a port number');
    expect(emls(dir)).toEqual([]);
  });

  it('the demo never sends, even with an SMTP server set', async () => {
    server = await startSmtpServer();
    const dir = path.join(tempDir('mail-demo'), 'demo');
    const r = await milepostAsync(env(server.port), 'demo', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(emls(dir).length).toBeGreaterThan(5);
    expect(server.received).toHaveLength(0);
  });

  it('--no-send is refused on the Google backend', async () => {
    const r = await milepostAsync(
      {},
      'request',
      '--backend',
      'google',
      '--spreadsheet',
      'x'.repeat(20),
      '--no-send',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-send is for the local backend');
  });
});
