/**
 * The desktop OAuth login against a fake token endpoint on 127.0.0.1: the test plays the
 * browser (reads the consent URL, then calls the loopback redirect URI as Google would).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GoogleAuth, JWT, OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, SCOPES } from '../../src/google/clients';
import {
  configDir,
  credentialsFile,
  LoginError,
  type LoginOptions,
  login,
  logout,
  readClientSecretFile,
  storedCredentials,
} from '../../src/google/login';

const CLIENT_ID = '1234-test.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-client-secret-never-logged';
const CODE = '4/0Acode-never-logged';
const ACCESS_TOKEN = 'ya29.access-never-logged';
const REFRESH_TOKEN = '1//0refresh-never-logged';
const REFRESHED_TOKEN = 'ya29.refreshed-access';
const SECRETS = [CLIENT_SECRET, CODE, ACCESS_TOKEN, REFRESH_TOKEN, REFRESHED_TOKEN];

/** What the fake token endpoint answers to the authorization-code grant. */
type Mode = 'ok' | 'no-refresh-token' | 'invalid-grant';

interface FakeOAuth {
  root: string;
  tokenRequests: URLSearchParams[];
  mode: Mode;
}

const fake: FakeOAuth = { root: '', tokenRequests: [], mode: 'ok' };
let server: http.Server;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method !== 'POST' || req.url !== '/token') return json(404, { error: 'not_found' });
      const form = new URLSearchParams(body);
      fake.tokenRequests.push(form);
      if (form.get('grant_type') === 'refresh_token') {
        if (form.get('refresh_token') !== REFRESH_TOKEN || form.get('client_secret') !== CLIENT_SECRET)
          return json(400, {
            error: 'invalid_grant',
            error_description: 'Token has been expired or revoked.',
          });
        return json(200, { access_token: REFRESHED_TOKEN, expires_in: 3599, token_type: 'Bearer' });
      }
      if (fake.mode === 'invalid-grant' || form.get('code') !== CODE)
        return json(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      return json(200, {
        access_token: ACCESS_TOKEN,
        expires_in: 3599,
        token_type: 'Bearer',
        scope: Object.values(SCOPES)
          .filter((s) => s !== SCOPES.gmailRead)
          .join(' '),
        ...(fake.mode === 'no-refresh-token' ? {} : { refresh_token: REFRESH_TOKEN }),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let dir: string;
let env: NodeJS.ProcessEnv;
let clientFile: string;
let lines: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-login-'));
  env = { MILEPOST_CONFIG_DIR: path.join(dir, 'config') };
  clientFile = writeClient({
    installed: {
      client_id: CLIENT_ID,
      project_id: 'milepost-test',
      auth_uri: `${fake.root}/auth`,
      token_uri: `${fake.root}/token`,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_secret: CLIENT_SECRET,
      redirect_uris: ['http://localhost'],
    },
  });
  fake.tokenRequests = [];
  fake.mode = 'ok';
  lines = [];
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeClient(value: unknown, name = 'client_secret.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

/** The browser: the consent URL arrives, and Google's redirect is played with these parameters. */
function browser(answers: Array<Record<string, string | undefined>>): {
  open: LoginOptions['open'];
  consentUrl: () => URL;
  pages: Promise<Array<{ status: number; text: string }>>;
} {
  let consent: URL | undefined;
  let done!: (pages: Array<{ status: number; text: string }>) => void;
  let failed!: (error: unknown) => void;
  const pages = new Promise<Array<{ status: number; text: string }>>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const open = async (url: string) => {
    try {
      consent = new URL(url);
      const state = consent.searchParams.get('state') ?? '';
      const got: Array<{ status: number; text: string }> = [];
      for (const answer of answers) {
        const redirect = new URL(consent.searchParams.get('redirect_uri') ?? '');
        for (const [key, value] of Object.entries({ state, ...answer }))
          if (value !== undefined) redirect.searchParams.set(key, value);
        const res = await fetch(redirect);
        got.push({ status: res.status, text: await res.text() });
      }
      done(got);
    } catch (error) {
      failed(error);
    }
  };
  return {
    open,
    consentUrl: () => {
      if (!consent) throw new Error('the browser was never opened');
      return consent;
    },
    pages,
  };
}

function run(open: LoginOptions['open'], extra: Partial<LoginOptions> = {}) {
  return login({ clientSecretFile: clientFile, env, open, log: (l) => lines.push(l), ...extra });
}

function expectNoSecretIn(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('login', () => {
  it('runs the loopback flow with state and PKCE, and stores the refresh token privately', async () => {
    const b = browser([{ code: CODE }]);
    const result = await run(b.open);

    const url = b.consentUrl();
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.root}/auth`);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('scope')?.split(' ')).toEqual(Object.values(SCOPES));
    expect(q.get('state')).toMatch(/^[\w-]{32,}$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(q.has('client_secret')).toBe(false);

    const pages = await b.pages;
    expect(pages).toHaveLength(1);
    expect(pages[0]?.status).toBe(200);
    expect(pages[0]?.text).toContain('You can close this tab');

    // The fake endpoint got the code, the verifier that matches the challenge, the same redirect URI.
    expect(fake.tokenRequests).toHaveLength(1);
    const exchange = fake.tokenRequests[0]!;
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('code')).toBe(CODE);
    expect(exchange.get('client_id')).toBe(CLIENT_ID);
    expect(exchange.get('redirect_uri')).toBe(q.get('redirect_uri'));
    const verifier = exchange.get('code_verifier') ?? '';
    expect(verifier.length).toBeGreaterThanOrEqual(43);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.get('code_challenge'));

    // Stored, 0600 in a 0700 directory, as an authorized_user credentials file.
    expect(result.file).toBe(path.join(dir, 'config', 'credentials.json'));
    expect(result.file).toBe(credentialsFile(env));
    expect(JSON.parse(fs.readFileSync(result.file, 'utf8'))).toEqual({
      type: 'authorized_user',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
      token_uri: `${fake.root}/token`,
    });
    if (process.platform !== 'win32') {
      expect(fs.statSync(result.file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(result.file)).mode & 0o777).toBe(0o700);
    }
    expect(fs.readdirSync(path.dirname(result.file))).toEqual(['credentials.json']);
    // The fake granted everything but gmail.readonly.
    expect(result.missingScopes).toEqual([SCOPES.gmailRead]);

    // The user saw the URL; nothing secret was logged.
    expect(lines.join('\n')).toContain(url.toString());
    expectNoSecretIn(lines.join('\n'));
    expect(storedCredentials(env)?.refresh_token).toBe(REFRESH_TOKEN);
  });

  it('refuses an answer with a wrong or missing state, and keeps waiting for the right one', async () => {
    const b = browser([{ code: CODE, state: 'forged' }, { code: CODE, state: '' }, { code: CODE }]);
    await run(b.open);
    const pages = await b.pages;
    expect(pages.map((p) => p.status)).toEqual([400, 400, 200]);
    expect(pages[0]?.text).toContain('does not belong to the Milepost login in progress');
    // Only the right answer was exchanged.
    expect(fake.tokenRequests).toHaveLength(1);
  });

  it('fails clearly when access is denied in the browser, and stores nothing', async () => {
    const b = browser([{ error: 'access_denied' }]);
    const error = await run(b.open).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginError);
    expect((error as LoginError).message).toMatch(/Access was denied in the browser \(access_denied\)/);
    expect((error as LoginError).exitCode).toBe(4);
    expect((await b.pages)[0]?.text).toContain('not given access');
    expect(fake.tokenRequests).toHaveLength(0);
    expect(fs.existsSync(credentialsFile(env))).toBe(false);
  });

  it('fails when Google gives no refresh token, saying to revoke access and retry', async () => {
    fake.mode = 'no-refresh-token';
    const b = browser([{ code: CODE }]);
    const error = await run(b.open).catch((e: unknown) => e);
    expect((error as LoginError).exitCode).toBe(4);
    expect((error as Error).message).toMatch(/no refresh token/);
    expect((error as Error).message).toContain('https://myaccount.google.com/permissions');
    expect((await b.pages)[0]?.status).toBe(500);
    expect(fs.existsSync(credentialsFile(env))).toBe(false);
    expectNoSecretIn(`${(error as Error).message}\n${lines.join('\n')}`);
  });

  it("reports the token endpoint's error without the code or the secret", async () => {
    fake.mode = 'invalid-grant';
    const b = browser([{ code: CODE }]);
    const error = await run(b.open).catch((e: unknown) => e);
    expect((error as LoginError).exitCode).toBe(4);
    expect((error as Error).message).toBe('The token exchange failed: invalid_grant: Malformed auth code.');
    expectNoSecretIn(`${(error as Error).message}\n${lines.join('\n')}`);
  });

  it('gives up after the timeout and closes its server', async () => {
    let consent: URL | undefined;
    const error = await run(
      (url) => {
        consent = new URL(url);
      },
      { timeoutMs: 300 },
    ).catch((e: unknown) => e);
    expect((error as LoginError).exitCode).toBe(4);
    expect((error as Error).message).toMatch(/No answer from the browser within 1 second/);
    expect(lines.join('\n')).toContain('Waiting up to 1 second');
    // The redirect URI no longer answers.
    await expect(fetch(consent!.searchParams.get('redirect_uri')!)).rejects.toThrow();
  });

  it('ignores a browser opener that fails, and prints the URL anyway', async () => {
    const b = browser([{ code: CODE }]);
    await run(async (url) => {
      await b.open?.(url);
      throw new Error('no browser here');
    });
    expect(lines.some((l) => l.includes('code_challenge='))).toBe(true);
  });

  it('accepts a "web" client and uses Google\'s endpoints when the file names none', () => {
    const file = writeClient({ web: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } }, 'web.json');
    expect(readClientSecretFile(file)).toMatchObject({ kind: 'web', client_id: CLIENT_ID });
  });
});

describe('the OAuth client file', () => {
  function failure(content: unknown): LoginError {
    const file = writeClient(content);
    try {
      readClientSecretFile(file);
    } catch (error) {
      expect(error).toBeInstanceOf(LoginError);
      expect((error as LoginError).exitCode).toBe(3);
      expect((error as Error).message).toContain(file);
      expectNoSecretIn((error as Error).message);
      return error as LoginError;
    }
    throw new Error('expected an error');
  }

  it('names the file and what is wrong', async () => {
    expect(() => readClientSecretFile(path.join(dir, 'missing.json'))).toThrow(
      /missing\.json: no such file \(the OAuth client JSON given with --client-secret\)/,
    );
    // The JSON error is not quoted: V8 would show a piece of the text, secret included.
    expect(failure(`{"installed": {"client_secret": "${CLIENT_SECRET}"`).message).toMatch(
      /is not valid JSON: download the OAuth client again/,
    );
    expect(failure({ type: 'service_account', private_key: 'x' }).message).toMatch(
      /no "installed" \(or "web"\) client.*"Desktop app"/,
    );
    expect(failure({ installed: { client_id: CLIENT_ID } }).message).toMatch(
      /installed\.client_secret: missing/,
    );
    expect(failure({ installed: { client_id: 7, client_secret: CLIENT_SECRET } }).message).toMatch(
      /installed\.client_id: must be a string/,
    );
    expect(
      failure({
        installed: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_uri: 'http://evil.example/t' },
      }).message,
    ).toMatch(/installed\.token_uri: must be an https URL/);
    expect(failure({ web: 'nope' }).message).toMatch(/: web: /);
    // A bad file stops the login before any server starts or anything is written.
    await expect(
      login({ clientSecretFile: path.join(dir, 'missing.json'), env, log: () => {} }),
    ).rejects.toThrow(LoginError);
    expect(fs.existsSync(configDir(env))).toBe(false);
  });
});

describe('logout and the stored login', () => {
  it('removes the stored file and says whether there was one', async () => {
    expect(await logout(env)).toEqual({ file: credentialsFile(env), removed: false });
    const b = browser([{ code: CODE }]);
    await run(b.open);
    expect(fs.existsSync(credentialsFile(env))).toBe(true);
    expect(await logout(env)).toEqual({ file: credentialsFile(env), removed: true });
    expect(fs.existsSync(credentialsFile(env))).toBe(false);
    expect(storedCredentials(env)).toBeUndefined();
  });

  it('reports a corrupt stored file by its path, without its content', () => {
    const file = credentialsFile(env);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `{"type": "authorized_user", "refresh_token": "${REFRESH_TOKEN}"`);
    let error: unknown;
    try {
      storedCredentials(env);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/not valid JSON; run `milepost logout`/);
    expectNoSecretIn((error as Error).message);
    fs.writeFileSync(file, JSON.stringify({ type: 'service_account', refresh_token: REFRESH_TOKEN }));
    expect(() => storedCredentials(env)).toThrow(
      /is damaged \(type: expected "authorized_user"; client_id: /,
    );
    expect(() => connect(env)).toThrow(LoginError);
  });
});

describe('connect', () => {
  it('uses the stored login, refreshing against its token_uri', async () => {
    const b = browser([{ code: CODE }]);
    await run(b.open);
    fake.tokenRequests = [];
    const c = connect(env);
    expect(c.apiRoot).toBeUndefined();
    expect(c.auth).toBeInstanceOf(OAuth2Client);
    const { token } = await (c.auth as OAuth2Client).getAccessToken();
    expect(token).toBe(REFRESHED_TOKEN);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(fake.tokenRequests[0]?.get('grant_type')).toBe('refresh_token');
    expect(fake.tokenRequests[0]?.get('refresh_token')).toBe(REFRESH_TOKEN);
  });

  it('paces Gmail sends the same against any root: 500 ms, or MILEPOST_GMAIL_SPACING_MS', () => {
    expect(connect({ MILEPOST_GOOGLE_API_ROOT: 'http://127.0.0.1:8085' }).gmailSpacingMs).toBe(500);
    expect(
      connect({ MILEPOST_GOOGLE_API_ROOT: 'http://127.0.0.1:8085', MILEPOST_GMAIL_SPACING_MS: '0' })
        .gmailSpacingMs,
    ).toBe(0);
    expect(() => connect({ MILEPOST_GOOGLE_API_ROOT: 'x', MILEPOST_GMAIL_SPACING_MS: 'fast' })).toThrow(
      'MILEPOST_GMAIL_SPACING_MS must be a whole number of milliseconds, got "fast".',
    );
  });

  it('ignores the stored login with MILEPOST_GOOGLE_API_ROOT or GOOGLE_APPLICATION_CREDENTIALS', async () => {
    const b = browser([{ code: CODE }]);
    await run(b.open);
    fake.tokenRequests = [];

    const emulator = connect({ ...env, MILEPOST_GOOGLE_API_ROOT: 'http://127.0.0.1:8085' });
    expect(emulator.apiRoot).toBe('http://127.0.0.1:8085/');
    expect((await (emulator.auth as OAuth2Client).getAccessToken()).token).toBe('milepost-emulator');

    // A service account key, acting for a person under domain-wide delegation.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = path.join(dir, 'sa.json');
    fs.writeFileSync(
      key,
      JSON.stringify({
        type: 'service_account',
        project_id: 'milepost-test',
        private_key_id: 'k1',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: 'milepost@milepost-test.iam.gserviceaccount.com',
        client_id: '42',
        token_uri: `${fake.root}/token`,
      }),
    );
    const sa = connect({
      ...env,
      GOOGLE_APPLICATION_CREDENTIALS: key,
      MILEPOST_GOOGLE_SUBJECT: 'ceo@example.com',
    });
    expect(sa.auth).toBeInstanceOf(GoogleAuth);
    const client = await (sa.auth as GoogleAuth).getClient();
    expect(client).toBeInstanceOf(JWT);
    expect((client as JWT).subject).toBe('ceo@example.com');
    expect((client as JWT).email).toBe('milepost@milepost-test.iam.gserviceaccount.com');
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('falls back to Application Default Credentials without a stored login', () => {
    expect(connect(env).auth).toBeInstanceOf(GoogleAuth);
  });
});

describe('configDir', () => {
  it('follows the platform conventions, with MILEPOST_CONFIG_DIR first', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/home/ana/.cfg', HOME: '/home/ana' }, 'linux')).toBe(
      '/home/ana/.cfg/milepost',
    );
    expect(configDir({ HOME: '/home/ana' }, 'linux')).toBe('/home/ana/.config/milepost');
    expect(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/ana' }, 'linux')).toBe(
      '/home/ana/.config/milepost',
    );
    expect(configDir({ HOME: '/Users/ana' }, 'darwin')).toBe('/Users/ana/.config/milepost');
    expect(configDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32')).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\milepost',
    );
    expect(configDir({ MILEPOST_CONFIG_DIR: '/srv/milepost', HOME: '/home/ana' }, 'linux')).toBe(
      '/srv/milepost',
    );
  });
});
