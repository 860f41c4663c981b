/**
 * The retry layer for calls to Google's APIs (docs/architecture.md §7).
 *
 * `withRetry` repeats a call only when the caller declares it safe to repeat (`safe: true`):
 * reads, value writes that overwrite cells addressed by key, or writes the caller has first made
 * safe (check before append, a send log keyed by meeting and person). Anything else is sent once.
 *
 * Retried: HTTP 429, 500, 502, 503, 504, connection failures (reset, refused, DNS EAI_AGAIN,
 * broken pipe, "socket hang up", a body cut off mid-way) and request timeouts. Never retried:
 * any other 4xx (400/401/403/404/409 … are thrown at once), a caller's own abort, and anything
 * we cannot classify.
 *
 * Backoff is capped exponential with full jitter: before retry n (n = 1, 2, …) we wait
 * `random() * min(capMs, baseMs * 2^(n-1))`, but never less than the response's `Retry-After`
 * (seconds or an HTTP date), itself capped at `maxRetryAfterMs`.
 *
 * This only works if the googleapis clients do not retry on their own: spread
 * {@link GAXIOS_NO_RETRY} into every client's options.
 */

import type { MethodOptions } from '@googleapis/sheets';

/**
 * Options to spread into every googleapis client (`sheets({ version: 'v4', auth, rootUrl,
 * ...GAXIOS_NO_RETRY })`, and likewise for docs/forms/drive/gmail) so that gaxios never
 * retries behind our back.
 *
 * Why: googleapis-common's `createAPIRequest` sets `options.retry = true` unless the caller
 * passed `retry` explicitly, so by default gaxios 7 retries every GET/HEAD/PUT/OPTIONS/DELETE up
 * to 3 times on 408/429/5xx (after ~0.1 s, 0.5 s, 1.5 s, ignoring `Retry-After`) and twice on
 * a connection error — nested under our own retries that would multiply the calls (6 × 4 = 24
 * sends of one GET) and blow the per-minute quota. POSTs are not in its default method list,
 * but a `retryConfig.httpMethodsToRetry` set anywhere would change that silently.
 *
 * Both keys are needed: gaxios (`getRetryConfig` in gaxios/build/cjs/src/retry.js) skips
 * retrying only when `retry` is falsy AND there is no `retryConfig`; as soon as any
 * `retryConfig` object exists (e.g. a per-call `{ retryConfig: { … } }`) it retries 3 times
 * even with `retry: false`. `retryConfig.retry: 0` stops status retries and
 * `noResponseRetries: 0` stops connection-error retries, and because googleapis-common
 * deep-merges global, per-API and per-call options, a per-call `retryConfig` without those two
 * keys keeps them. Checked against a local server in test/google/retry.test.ts.
 *
 * Token refreshes by google-auth-library go through its own request path and keep their own
 * retry config; that is fine, a refresh is idempotent.
 */
export const GAXIOS_NO_RETRY = {
  retry: false,
  retryConfig: { retry: 0, noResponseRetries: 0 },
} as const satisfies MethodOptions;

/** One Google API call made through this layer, labelled for its errors and logs. */
export type Call = <T>(label: string, fn: () => Promise<T>) => Promise<T>;

/**
 * How calls to any Google API (Sheets, Forms, Drive, Docs, Gmail) are made: reads and
 * overwrites may be repeated; `once` calls (creates, appends, sends) may not.
 */
export interface ApiCalls {
  read: Call;
  write: Call;
  once: Call;
}

export interface RetryOptions {
  /** Total attempts including the first one. Default 6. */
  maxAttempts?: number;
  /** Backoff base in ms: retry n waits up to baseMs * 2^(n-1). Default 500. */
  baseMs?: number;
  /** Upper bound of the exponential part in ms. Default 32_000. */
  capMs?: number;
  /** Upper bound applied to a server's `Retry-After`. Default 120_000. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1). Default Math.random. */
  random?: () => number;
  /** Clock used to read `Retry-After` given as an HTTP date. Default Date.now. */
  now?: () => number;
  /** Called before each wait. `attempt` is the number of the attempt that just failed (1-based). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; label: string }) => void;
}

/**
 * Eight attempts with waits up to 32 s cover about a minute: long enough for a per-minute
 * quota (Sheets: 60 per minute per user) to free up when Google sends no Retry-After.
 */
export const RETRY_DEFAULTS: Readonly<
  Required<Pick<RetryOptions, 'maxAttempts' | 'baseMs' | 'capMs' | 'maxRetryAfterMs'>>
> = {
  maxAttempts: 8,
  baseMs: 500,
  capMs: 32_000,
  maxRetryAfterMs: 120_000,
};

let defaults = { ...RETRY_DEFAULTS };

/**
 * Changes the backoff of every later call that does not pass its own (tests run whole cycles
 * under injected faults with millisecond waits); `configureRetry()` restores the defaults.
 */
export function configureRetry(
  o: Partial<Pick<RetryOptions, 'maxAttempts' | 'baseMs' | 'capMs' | 'maxRetryAfterMs'>> = {},
): void {
  defaults = { ...RETRY_DEFAULTS, ...o };
}

/**
 * A failure that proves the call was not carried out: Google refused it before doing anything
 * (429, or 403 with a rate-limit reason), or the connection was never made. Even a call that
 * must not be repeated blindly (an append, a send, a create) may be repeated after one of these.
 */
function notCarriedOut(error: unknown, verdict: Classification): boolean {
  if (!verdict.retry) return false;
  const status = httpStatusOf(error);
  if (status === 429 || (status === 403 && verdict.reason.startsWith('HTTP 403'))) return true;
  return causeChain(error).some((e) => stringProp(e, 'code') === 'ECONNREFUSED');
}

/** Thrown by {@link withRetry} when a retryable failure persisted through every attempt. */
export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  readonly label: string;
  readonly attempts: number;
  readonly reason: string;
  /** HTTP status of the last failure, when it had one. */
  readonly status: number | undefined;

  constructor(label: string, attempts: number, reason: string, lastError: unknown) {
    super(
      `${label}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} (last failure: ${reason}): ${messageOf(lastError)}`,
      { cause: lastError },
    );
    this.label = label;
    this.attempts = attempts;
    this.reason = reason;
    this.status = httpStatusOf(lastError);
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** System / undici / node-fetch codes that mean the connection failed or broke. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETRESET',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const CONNECTION_MESSAGES = /socket hang up|premature close|other side closed/i;

type Classification = { retry: boolean; reason: string; retryAfterMs?: number };

/**
 * Decides whether a failed call may be repeated (assuming the call itself is safe to repeat).
 *
 * Error shapes seen from `@googleapis/sheets@14` → google-auth-library 10 → gaxios 7.3 (which
 * uses node-fetch 3 on Node unless `fetchImplementation` is given):
 * - HTTP error: a `GaxiosError` with `status` and `response.status` (the HTTP status),
 *   `response.headers` a fetch `Headers` (use `.get('retry-after')`), `code` = the numeric
 *   `error.code` of Google's error body (usually the status), `message` = the body's message,
 *   `cause` = `{ message, code, status }` extracted from the body.
 * - Connection error: a `GaxiosError` without `response`/`status`, `code` = 'ECONNRESET' /
 *   'ECONNREFUSED' / 'ENOTFOUND' …, `cause` = node-fetch `FetchError` (`type: 'system'`,
 *   same `code`), message e.g. "request to … failed, reason: socket hang up". A body cut off
 *   after the headers gives "Invalid response body … aborted", also code 'ECONNRESET'. With
 *   native fetch the cause is `TypeError('fetch failed' | 'terminated')` whose own `cause`
 *   carries an undici code such as 'UND_ERR_SOCKET'.
 * - Timeout (`timeout` option): node-fetch throws `AbortError` (no code); the only sign it was
 *   a timeout is `config.signal.reason.name === 'TimeoutError'`. With native fetch `code` is
 *   'TimeoutError'. A caller's own abort has reason 'AbortError' and is not retried.
 *
 * `instanceof GaxiosError` is deliberately not used: two gaxios copies (7.3.1 for the auth
 * client that sends the requests, 7.1.3 inside googleapis-common) are installed.
 */
export function isRetryable(error: unknown, now: number = Date.now()): Classification {
  const status = httpStatusOf(error);
  if (status !== undefined) {
    // Drive and Gmail signal rate limits with 403 and a reason; Google says to back off and retry.
    const reason = status === 403 ? rateLimitReasonOf(error) : undefined;
    if (reason)
      return { retry: true, reason: `HTTP 403 ${reason}`, retryAfterMs: retryAfterMsOf(error, now) };
    if (!RETRYABLE_STATUS.has(status)) return { retry: false, reason: `HTTP ${status}` };
    const retryAfterMs = retryAfterMsOf(error, now);
    return retryAfterMs === undefined
      ? { retry: true, reason: `HTTP ${status}` }
      : { retry: true, reason: `HTTP ${status}`, retryAfterMs };
  }

  const chain = causeChain(error);
  for (const e of chain) {
    const code = stringProp(e, 'code');
    if (code !== undefined && CONNECTION_CODES.has(code)) return { retry: true, reason: code };
  }
  if (isTimeout(chain)) return { retry: true, reason: 'timeout' };
  for (const e of chain) {
    const message = stringProp(e, 'message');
    if (message !== undefined && CONNECTION_MESSAGES.test(message)) {
      return { retry: true, reason: `connection error (${message.match(CONNECTION_MESSAGES)?.[0]})` };
    }
  }
  const code = chain.map((e) => stringProp(e, 'code')).find((c) => c !== undefined);
  return { retry: false, reason: code ?? stringProp(error, 'name') ?? 'non-HTTP error' };
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** The rate-limit reason of a 403 in Google's error body (`error.errors[].reason`), if any. */
function rateLimitReasonOf(error: unknown): string | undefined {
  const e = error as {
    response?: { data?: { error?: { errors?: { reason?: string }[] } } };
    errors?: { reason?: string }[];
  };
  const reasons = [...(e?.response?.data?.error?.errors ?? []), ...(Array.isArray(e?.errors) ? e.errors : [])]
    .map((x) => x?.reason)
    .filter((r): r is string => typeof r === 'string');
  return reasons.find((r) => RATE_LIMIT_REASONS.has(r));
}

/**
 * Runs `call`, repeating it on retryable failures when `opts.safe` is true. Non-retryable
 * failures, and every failure of an unsafe call, are thrown unchanged at once. When every
 * attempt failed with a retryable error, throws a {@link RetryExhaustedError} whose message
 * names `label` and the number of attempts, with the last error as `cause`.
 */
export async function withRetry<T>(
  label: string,
  call: () => Promise<T>,
  opts: RetryOptions & { safe: boolean },
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? defaults.maxAttempts));
  const baseMs = opts.baseMs ?? defaults.baseMs;
  const capMs = opts.capMs ?? defaults.capMs;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? defaults.maxRetryAfterMs;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;

  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const verdict = isRetryable(error, now());
      if (!verdict.retry || (!opts.safe && !notCarriedOut(error, verdict))) throw error;
      if (attempt >= maxAttempts) throw new RetryExhaustedError(label, attempt, verdict.reason, error);
      const delayMs = backoffDelay(attempt, {
        baseMs,
        capMs,
        random,
        retryAfterMs: verdict.retryAfterMs,
        maxRetryAfterMs,
      });
      opts.onRetry?.({ attempt, delayMs, reason: verdict.reason, label });
      await sleep(delayMs);
    }
  }
}

/**
 * The wait before the retry that follows failed attempt `attempt` (1-based): full jitter over
 * `min(capMs, baseMs * 2^(attempt-1))`, raised to `min(retryAfterMs, maxRetryAfterMs)` when the
 * server asked for a pause.
 */
export function backoffDelay(
  attempt: number,
  p: {
    baseMs: number;
    capMs: number;
    random: () => number;
    retryAfterMs?: number | undefined;
    maxRetryAfterMs: number;
  },
): number {
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** (attempt - 1));
  const jittered = Math.floor(clamp01(p.random()) * ceiling);
  if (p.retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(p.retryAfterMs, p.maxRetryAfterMs));
}

/** The HTTP status of a failed call (gaxios: `response.status`, also copied to `status`). */
export function httpStatusOf(error: unknown): number | undefined {
  if (!isObject(error)) return undefined;
  const response = error['response'];
  if (isObject(response) && typeof response['status'] === 'number') return response['status'];
  return typeof error['status'] === 'number' ? error['status'] : undefined;
}

/** `Retry-After` of the failed response in ms (delta-seconds or an HTTP date), if any. */
export function retryAfterMsOf(error: unknown, now: number = Date.now()): number | undefined {
  if (!isObject(error)) return undefined;
  const response = error['response'];
  if (!isObject(response)) return undefined;
  const value = headerOf(response['headers'], 'retry-after');
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  const get = headers['get'];
  if (typeof get === 'function') {
    const v: unknown = get.call(headers, name);
    return typeof v === 'string' ? v : undefined;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) {
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    }
  }
  return undefined;
}

function isTimeout(chain: readonly unknown[]): boolean {
  for (const e of chain) {
    if (stringProp(e, 'code') === 'TimeoutError' || stringProp(e, 'name') === 'TimeoutError') return true;
    if (!isObject(e)) continue;
    const config = e['config'];
    if (!isObject(config)) continue;
    const signal = config['signal'];
    if (
      isObject(signal) &&
      signal['aborted'] === true &&
      stringProp(signal['reason'], 'name') === 'TimeoutError'
    ) {
      return true;
    }
  }
  return false;
}

/** The error, its `cause`s and gaxios's legacy `error` property, without cycles. */
function causeChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 10) {
    const e = queue.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    if (isObject(e)) queue.push(e['cause'], e['error']);
  }
  return out;
}

function stringProp(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'string' ? v : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return stringProp(error, 'message') ?? String(error);
}

function clamp01(x: number): number {
  if (!(x > 0)) return 0;
  return Math.min(x, 1);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
