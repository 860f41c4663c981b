/** `milepost login` / `logout` as a user runs them, against a fake token endpoint on 127.0.0.1. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { milepostAsync, milepostWith, ROOT, type Run, tempDir } from './helpers';

const CLIENT_SECRET = 'GOCSPX-cli-secret';
const CODE = '4/0Acli-code';
const REFRESH_TOKEN = '1//0cli-refresh';
const ACCESS_TOKEN = 'ya29.cli-access';

let server: http.Server;
let root = '';
let dir: string;
let env: Record<string, string>;
let clientFile: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const ok = req.url === '/token' && form.get('code') === CODE && form.get('code_verifier');
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok
            ? {
                access_token: ACCESS_TOKEN,
                refresh_token: REFRESH_TOKEN,
                expires_in: 3599,
                token_type: 'Bearer',
              }
            : { error: 'invalid_grant' },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = tempDir('login');
  env = { MILEPOST_CONFIG_DIR: path.join(dir, 'config') };
  clientFile = path.join(dir, 'client.json');
  fs.writeFileSync(
    clientFile,
    JSON.stringify({
      installed: {
        client_id: 'cli.apps.googleusercontent.com',
        client_secret: CLIENT_SECRET,
        token_uri: `${root}/token`,
      },
    }),
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `milepost login --no-browser`, and answers the printed URL as Google would. */
function loginAndConsent(): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'milepost.js'), 'login', '--client-secret', clientFile, '--no-browser'],
      { cwd: ROOT, env: { ...process.env, ...env } },
    );
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      const match = /https:\/\/accounts\.google\.com\/\S+/.exec(stderr);
      if (match && !answered) {
        answered = true;
        const consent = new URL(match[0]);
        const redirect = new URL(consent.searchParams.get('redirect_uri')!);
        redirect.searchParams.set('code', CODE);
        redirect.searchParams.set('state', consent.searchParams.get('state')!);
        fetch(redirect).catch(reject);
      }
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }),
    );
  });
}

describe('milepost login / logout', () => {
  it('signs in with --no-browser, stores the token, and logs out', async () => {
    const run = await loginAndConsent();
    expect(run.code).toBe(0);
    const file = path.join(dir, 'config', 'credentials.json');
    expect(run.stderr).toContain(`Signed in. The token is stored in ${file}`);
    for (const secret of [CLIENT_SECRET, CODE, REFRESH_TOKEN, ACCESS_TOKEN])
      expect(run.stdout + run.stderr).not.toContain(secret);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).refresh_token).toBe(REFRESH_TOKEN);

    const out = await milepostAsync(env, 'logout');
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(`Logged out: removed ${file}.`);
    expect(fs.existsSync(file)).toBe(false);
    const again = milepostWith(env, 'logout');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Not logged in');
  });

  it('exits 2 without --client-secret and 3 for a bad client file', () => {
    expect(milepostWith(env, 'login').code).toBe(2);
    const missing = milepostWith(
      env,
      'login',
      '--client-secret',
      path.join(dir, 'nope.json'),
      '--no-browser',
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`${path.join(dir, 'nope.json')}: no such file`);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ installed: { client_id: 'x' } }));
    const invalid = milepostWith(env, 'login', '--client-secret', bad, '--no-browser');
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain('installed.client_secret: missing');
  });
});
