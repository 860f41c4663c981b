/**
 * `milepost login`: the OAuth flow for installed (desktop) apps. The user's browser signs in at
 * Google and is sent back to a one-shot server on 127.0.0.1 (a loopback redirect URI on a
 * random port), with a random `state` and PKCE (S256). The refresh token is stored, with the
 * OAuth client it belongs to, in the user's config directory (never in the workspace) as an
 * `authorized_user` credentials file readable only by the user; connect() uses it when no
 * other credentials are configured.
 *
 * Nothing secret (the client secret, the authorization code, an access or refresh token) is
 * ever logged or put in an error message: JSON parse errors are not quoted either, because
 * V8's messages include a piece of the text.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeChallengeMethod, OAuth2Client, type OAuth2ClientOptions } from 'google-auth-library';
import * as z from 'zod';
import { describeZodIssues } from '../core/schemas';
import { SCOPES } from './clients';

/** Google's token endpoint, for a client file or stored login that names none. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** Where a user removes Milepost's access to their account. */
export const REVOKE_ACCESS_URL = 'https://myaccount.google.com/permissions';

/**
 * A login that cannot go on. `exitCode` follows the CLI's convention: 3 for a bad input file
 * (the OAuth client JSON, the stored credentials), 4 for a failure at Google or in the flow.
 */
export class LoginError extends Error {
  constructor(
    message: string,
    readonly exitCode: 3 | 4,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Milepost's config directory: MILEPOST_CONFIG_DIR when set; else %APPDATA%\milepost on
 * Windows, $XDG_CONFIG_HOME/milepost or ~/.config/milepost elsewhere (macOS included).
 */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const override = env.MILEPOST_CONFIG_DIR?.trim();
  if (override) return p.resolve(override);
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim();
    if (appData) return p.join(appData, 'milepost');
    return p.join(env.USERPROFILE?.trim() || os.homedir(), 'AppData', 'Roaming', 'milepost');
  }
  // The XDG spec says a relative $XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME?.trim();
  if (xdg && p.isAbsolute(xdg)) return p.join(xdg, 'milepost');
  return p.join(env.HOME?.trim() || os.homedir(), '.config', 'milepost');
}

/** Where `milepost login` keeps the token. */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'credentials.json');
}

/** https, or plain http to this computer only (a local stand-in): never a secret in clear over the network. */
const endpoint = z.url({ message: 'a URL such as https://oauth2.googleapis.com/token' }).refine(
  (s) => {
    try {
      const u = new URL(s);
      return (
        u.protocol === 'https:' ||
        (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
      );
    } catch {
      return false;
    }
  },
  { message: 'must be an https URL (plain http only to 127.0.0.1 or localhost)' },
);

const required = z
  .string({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a string') })
  .trim()
  .min(1, 'is empty');

const OAuthClientSchema = z.object({
  client_id: required,
  client_secret: required,
  auth_uri: endpoint.optional(),
  token_uri: endpoint.optional(),
  redirect_uris: z.array(z.string()).optional(),
});

export type OAuthClientInfo = z.infer<typeof OAuthClientSchema> & { kind: 'installed' | 'web' };

export const StoredCredentialsSchema = z.object({
  type: z.literal('authorized_user', { message: 'expected "authorized_user"' }),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  refresh_token: z.string().min(1),
  token_uri: endpoint.default(GOOGLE_TOKEN_URI),
});

export type StoredCredentials = z.infer<typeof StoredCredentialsSchema>;

/** Reads the OAuth client JSON downloaded from Google Cloud console ("installed" or "web"). */
export function readClientSecretFile(file: string): OAuthClientInfo {
  const target = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(target, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LoginError(
      code === 'ENOENT'
        ? `${target}: no such file (the OAuth client JSON given with --client-secret).`
        : `${target}: cannot be read (${code ?? 'error'}).`,
      3,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LoginError(
      `${target} is not valid JSON: download the OAuth client again from Google Cloud console (APIs & Services → Credentials).`,
      3,
    );
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const kind = 'installed' in record ? 'installed' : 'web' in record ? 'web' : undefined;
  if (!kind) {
    throw new LoginError(
      `${target} is not an OAuth client file: it has no "installed" (or "web") client. In Google Cloud console, create an OAuth client ID of type "Desktop app" and download its JSON.`,
      3,
    );
  }
  const parsed = OAuthClientSchema.safeParse(record[kind]);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${[kind, ...i.path].join('.')}: ${i.message}`);
    throw new LoginError(`${target}: ${issues.join('; ')}`, 3);
  }
  return { ...parsed.data, kind };
}

/** The stored login, or undefined when there is none. A corrupt file is an error naming it. */
export function storedCredentials(env: NodeJS.ProcessEnv = process.env): StoredCredentials | undefined {
  const file = credentialsFile(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new LoginError(`${file}: the stored Google login cannot be read (${code ?? 'error'}).`, 3);
  }
  const again = 'run `milepost logout`, then `milepost login` again';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LoginError(`${file}: the stored Google login is not valid JSON; ${again}.`, 3);
  }
  const parsed = StoredCredentialsSchema.safeParse(json);
  if (!parsed.success) {
    throw new LoginError(
      `${file}: the stored Google login is damaged (${describeZodIssues(parsed.error)}); ${again}.`,
      3,
    );
  }
  return parsed.data;
}

export interface LoginOptions {
  /** The OAuth client JSON from Google Cloud console. */
  clientSecretFile: string;
  env?: NodeJS.ProcessEnv;
  /** Shows the consent URL to the user (opens a browser); failures are ignored. */
  open?: (url: string) => void | Promise<void>;
  /** Progress lines for the user; never given anything secret. */
  log: (line: string) => void;
  /** How long to wait for the browser; default 5 minutes. */
  timeoutMs?: number;
}

export interface LoginResult {
  /** The credentials file written. */
  file: string;
  clientId: string;
  /** Scopes Milepost asked for that the user did not grant (granular consent). */
  missingScopes: string[];
}

/** Runs the desktop OAuth flow and stores the refresh token; see the module comment. */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const env = options.env ?? process.env;
  const { log } = options;
  const client = readClientSecretFile(options.clientSecretFile);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const scopes: string[] = Object.values(SCOPES);
  const tokenUri = client.token_uri ?? GOOGLE_TOKEN_URI;

  const server = http.createServer();
  await listenOnLoopback(server);
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  let timer: NodeJS.Timeout | undefined;
  try {
    const { oauth, state, codeVerifier, url } = await authorization(client, tokenUri, redirectUri, scopes);
    const flow: Flow = { env, client, tokenUri, scopes, redirectUri, oauth, state, codeVerifier };
    const waiting = awaitAnswer(server, flow, timeoutMs);
    timer = waiting.timer;

    log(`To let Milepost use Google as you, open this URL in a browser on this computer:`);
    log(`  ${url}`);
    if (client.kind === 'web') {
      log(
        `(This is a "web" OAuth client: Google accepts it only if ${redirectUri} is one of its redirect URIs, and the port changes on every run. If Google answers redirect_uri_mismatch, create a "Desktop app" client instead.)`,
      );
    }
    log(`Waiting up to ${describeDuration(timeoutMs)} for the browser…`);
    if (options.open) {
      const open = options.open;
      void Promise.resolve()
        .then(() => open(url))
        .catch(() => undefined);
    }
    return await waiting.answered;
  } finally {
    if (timer) clearTimeout(timer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/** Starts the one-shot server on a random port of 127.0.0.1. */
async function listenOnLoopback(server: http.Server): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new LoginError(`Cannot listen on 127.0.0.1 for Google's answer: ${(error as Error).message}`, 4, {
      cause: error,
    });
  }
}

/** The OAuth client, a random `state`, the PKCE verifier, and the consent URL built from them. */
async function authorization(
  client: OAuthClientInfo,
  tokenUri: string,
  redirectUri: string,
  scopes: string[],
): Promise<{ oauth: OAuth2Client; state: string; codeVerifier: string; url: string }> {
  const endpoints: OAuth2ClientOptions['endpoints'] = { oauth2TokenUrl: tokenUri };
  if (client.auth_uri) endpoints.oauth2AuthBaseUrl = client.auth_uri;
  const oauth = new OAuth2Client({
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri,
    endpoints,
  });
  const state = randomBytes(24).toString('base64url');
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  const url = oauth.generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: scopes,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
  });
  return { oauth, state, codeVerifier, url };
}

/** What a login in progress needs to check and finish an answer. */
interface Flow {
  env: NodeJS.ProcessEnv;
  client: OAuthClientInfo;
  tokenUri: string;
  scopes: string[];
  redirectUri: string;
  oauth: OAuth2Client;
  state: string;
  codeVerifier: string;
}

/** Where a login stands while it waits for the browser's answer. */
interface Waiting {
  /** An answer is being handled (or was): any other is turned away. */
  busy: boolean;
  /** Settled (a timeout included). */
  settled: boolean;
  resolve: (result: LoginResult) => void;
  reject: (error: unknown) => void;
}

/** Waits for the browser's answer on `server`, or for the timeout (its timer is for the caller to clear). */
function awaitAnswer(
  server: http.Server,
  flow: Flow,
  timeoutMs: number,
): { answered: Promise<LoginResult>; timer: NodeJS.Timeout | undefined } {
  let timer: NodeJS.Timeout | undefined;
  const answered = new Promise<LoginResult>((resolveOnce, rejectOnce) => {
    // Once settled (a timeout included), a late answer changes nothing and stores nothing.
    const waiting: Waiting = {
      busy: false,
      settled: false,
      resolve: (result) => {
        waiting.settled = true;
        resolveOnce(result);
      },
      reject: (error) => {
        waiting.settled = true;
        rejectOnce(error);
      },
    };
    timer = setTimeout(() => {
      waiting.reject(
        new LoginError(
          `No answer from the browser within ${describeDuration(timeoutMs)}: the login was abandoned. Run \`milepost login\` again.`,
          4,
        ),
      );
    }, timeoutMs);
    server.on('request', (req, res) => answerRequest(req, res, flow, waiting));
  });
  return { answered, timer };
}

/** Sends a page and resolves once it is sent or the browser has gone away. */
type Finish = (status: number, title: string, body: string) => Promise<void>;

/** The `finish` of one response. */
function finisher(res: http.ServerResponse): Finish {
  return (status, title, body) =>
    new Promise<void>((done) => {
      // 'close' too: a browser that went away must not keep the login waiting.
      res.once('close', () => done());
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'close',
      });
      res.end(page(title, body), () => done());
    });
}

/** Handles one request to the loopback server: Google's answer to this login, or anything else. */
function answerRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  flow: Flow,
  waiting: Waiting,
): void {
  const finish = finisher(res);
  const query = new URL(req.url ?? '/', flow.redirectUri);
  if (req.method !== 'GET' || query.pathname !== '/') {
    void finish(404, 'Not found', 'This address only receives the answer of a Milepost login.');
    return;
  }
  if (!sameSecret(query.searchParams.get('state'), flow.state)) {
    void finish(
      400,
      'Not this login',
      'This answer does not belong to the Milepost login in progress (its state does not match), so it was ignored. Use the link printed by <code>milepost login</code>.',
    );
    return;
  }
  if (waiting.busy) {
    void finish(409, 'Already answered', 'This login has already been answered. You can close this tab.');
    return;
  }
  const error = query.searchParams.get('error');
  if (error) {
    waiting.busy = true;
    const reason = error.replace(/[^\w.-]/g, '').slice(0, 60) || 'unknown';
    void finish(
      400,
      'Milepost was not given access',
      'The sign-in did not give Milepost access. You can close this tab; see the terminal.',
    ).then(() =>
      waiting.reject(
        new LoginError(
          reason === 'access_denied'
            ? 'Access was denied in the browser (access_denied): Milepost got no token. Run `milepost login` again and allow access.'
            : `Google refused the login (${reason}): Milepost got no token.`,
          4,
        ),
      ),
    );
    return;
  }
  const code = query.searchParams.get('code');
  if (!code) {
    void finish(400, 'No authorization code', 'This answer carries no authorization code; it was ignored.');
    return;
  }
  waiting.busy = true;
  void completeLogin(code, flow, waiting, finish);
}

/** Swaps the code for tokens, stores the login (unless already settled), and tells the browser. */
async function completeLogin(code: string, flow: Flow, waiting: Waiting, finish: Finish): Promise<void> {
  const { client } = flow;
  try {
    const tokens = await exchange(flow.oauth, code, flow.codeVerifier, flow.redirectUri);
    if (waiting.settled) return;
    const file = await storeCredentials(flow.env, {
      type: 'authorized_user',
      client_id: client.client_id,
      client_secret: client.client_secret,
      refresh_token: tokens.refreshToken,
      token_uri: flow.tokenUri,
    });
    const granted = tokens.scope === undefined ? undefined : new Set(tokens.scope.split(/\s+/));
    await finish(200, 'Milepost is signed in', 'You can close this tab and return to the terminal.');
    waiting.resolve({
      file,
      clientId: client.client_id,
      missingScopes: granted ? flow.scopes.filter((s) => !granted.has(s)) : [],
    });
  } catch (error) {
    await finish(500, 'Sign-in failed', 'Milepost could not finish the sign-in; see the terminal.');
    waiting.reject(error);
  }
}

/** Swaps the code for tokens; a failure names what Google said, never what was sent. */
async function exchange(
  oauth: OAuth2Client,
  code: string,
  codeVerifier: string,
  redirectUri: string,
): Promise<{ refreshToken: string; scope?: string }> {
  let tokens: { refresh_token?: string | null; scope?: string | null };
  try {
    ({ tokens } = await oauth.getToken({ code, codeVerifier, redirect_uri: redirectUri }));
  } catch (error) {
    throw new LoginError(`The token exchange failed: ${oauthFailure(error)}`, 4, { cause: error });
  }
  if (!tokens.refresh_token) {
    throw new LoginError(
      `Google returned no refresh token (it gives one only at the first consent). Remove Milepost's access at ${REVOKE_ACCESS_URL}, then run \`milepost login\` again.`,
      4,
    );
  }
  return { refreshToken: tokens.refresh_token, ...(tokens.scope ? { scope: tokens.scope } : {}) };
}

/** Google's OAuth error (`invalid_grant: Bad Request`), or the transport's message. */
function oauthFailure(error: unknown): string {
  const data = (error as { response?: { data?: unknown } }).response?.data;
  if (data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string') {
    const { error: name, error_description: description } = data as {
      error: string;
      error_description?: unknown;
    };
    return typeof description === 'string' && description ? `${name}: ${description}` : name;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Writes the credentials atomically, mode 0600, in a 0700 directory. */
async function storeCredentials(env: NodeJS.ProcessEnv, credentials: StoredCredentials): Promise<string> {
  const dir = configDir(env);
  const file = path.join(dir, 'credentials.json');
  const temp = path.join(dir, `.credentials.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await fs.promises.chmod(dir, 0o700);
    const handle = await fs.promises.open(temp, 'wx', 0o600);
    try {
      // The umask may have narrowed the mode, never widened it; make it exactly 0600.
      if (process.platform !== 'win32') await handle.chmod(0o600);
      await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new LoginError(`Cannot store the login in ${file} (${code ?? (error as Error).message}).`, 3, {
      cause: error,
    });
  }
  return file;
}

export interface LogoutResult {
  file: string;
  /** false when there was no stored login. */
  removed: boolean;
}

/** Removes the stored login (the token stays valid at Google until revoked there). */
export async function logout(env: NodeJS.ProcessEnv = process.env): Promise<LogoutResult> {
  const file = credentialsFile(env);
  try {
    await fs.promises.unlink(file);
    return { file, removed: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, removed: false };
    throw new LoginError(
      `${file}: cannot remove the stored login (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      3,
      { cause: error },
    );
  }
}

/** Compares a received secret with the expected one in constant time. */
function sameSecret(received: string | null, expected: string): boolean {
  if (received === null) return false;
  const a = createHash('sha256').update(received).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function describeDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  const s = Math.max(1, Math.round(ms / 1000));
  return s === 1 ? '1 second' : `${s} seconds`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Milepost: ${title}</title></head><body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto"><h1>${title}</h1><p>${body}</p></body></html>\n`;
}
