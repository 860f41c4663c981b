import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sheets } from '@googleapis/sheets';
import fc from 'fast-check';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  GAXIOS_NO_RETRY,
  isRetryable,
  RetryExhaustedError,
  type RetryOptions,
  withRetry,
} from '../../src/google/retry';

/** A GaxiosError-shaped HTTP failure, as gaxios 7 builds it (status copied from the response). */
function httpError(status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    status,
    code: status,
    response: { status, headers: new Headers(headers) },
  });
}

/** Drive/Gmail's rate limit: 403 with reason rateLimitExceeded. */
function rateLimited403(): Error {
  return Object.assign(httpError(403), {
    response: {
      status: 403,
      headers: new Headers(),
      data: { error: { code: 403, errors: [{ reason: 'rateLimitExceeded' }] } },
    },
  });
}

/** A GaxiosError-shaped connection failure: no response, the node-fetch FetchError as cause. */
function connectionError(code: string, reason = 'socket hang up'): Error {
  const cause = Object.assign(new Error(`request to http://x/ failed, reason: ${reason}`), {
    type: 'system',
    errno: code,
    code,
  });
  return Object.assign(new Error(cause.message, { cause }), { code, error: cause });
}

/** A call that plays a script: an Error is thrown, anything else is returned. */
function scripted<T>(steps: Array<Error | T>): { call: () => Promise<T>; calls: () => number } {
  let n = 0;
  return {
    call: async () => {
      const step = steps[Math.min(n, steps.length - 1)];
      n++;
      if (step instanceof Error) throw step;
      return step as T;
    },
    calls: () => n,
  };
}

function recorder(): { sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

describe('isRetryable', () => {
  it.each([429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(isRetryable(httpError(status))).toEqual({ retry: true, reason: `HTTP ${status}` });
  });

  it.each(['rateLimitExceeded', 'userRateLimitExceeded'])('retries a Drive/Gmail 403 %s', (reason) => {
    const e = Object.assign(httpError(403), {
      response: { status: 403, headers: new Headers(), data: { error: { code: 403, errors: [{ reason }] } } },
    });
    expect(isRetryable(e)).toMatchObject({ retry: true, reason: `HTTP 403 ${reason}` });
    const denied = Object.assign(httpError(403), {
      response: {
        status: 403,
        headers: new Headers(),
        data: { error: { code: 403, errors: [{ reason: 'forbidden' }] } },
      },
    });
    expect(isRetryable(denied).retry).toBe(false);
  });

  it.each([400, 401, 403, 404, 408, 409, 412, 501])('does not retry HTTP %i', (status) => {
    expect(isRetryable(httpError(status, { 'retry-after': '5' })).retry).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date, from Headers or a plain object', () => {
    expect(isRetryable(httpError(429, { 'Retry-After': '7' })).retryAfterMs).toBe(7000);
    const now = Date.parse('2025-03-03T10:00:00Z');
    const dated = httpError(503, { 'retry-after': 'Mon, 03 Mar 2025 10:00:30 GMT' });
    expect(isRetryable(dated, now).retryAfterMs).toBe(30_000);
    const past = httpError(503, { 'retry-after': 'Mon, 03 Mar 2025 09:00:00 GMT' });
    expect(isRetryable(past, now).retryAfterMs).toBe(0);
    const plain = { status: 429, response: { status: 429, headers: { 'Retry-After': '2' } } };
    expect(isRetryable(plain).retryAfterMs).toBe(2000);
    expect(isRetryable(httpError(429, { 'retry-after': 'soon' })).retryAfterMs).toBeUndefined();
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'])(
    'retries connection error %s',
    (code) => {
      expect(isRetryable(connectionError(code))).toEqual({ retry: true, reason: code });
    },
  );

  it('finds undici codes and "socket hang up" deeper in the cause chain', () => {
    const undici = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(isRetryable(new Error('wrapped', { cause: undici })).retry).toBe(true);
    expect(isRetryable(new Error('request failed, reason: socket hang up')).retry).toBe(true);
  });

  it('retries timeouts but not a caller abort, DNS failures or unknown errors', () => {
    const timedOut = Object.assign(new Error('The operation was aborted.'), {
      config: { signal: AbortSignal.abort(new DOMException('t', 'TimeoutError')) },
    });
    expect(isRetryable(timedOut)).toEqual({ retry: true, reason: 'timeout' });
    expect(isRetryable(Object.assign(new Error('x'), { code: 'TimeoutError' })).retry).toBe(true);
    const aborted = Object.assign(new Error('The operation was aborted.'), {
      config: { signal: AbortSignal.abort() },
    });
    expect(isRetryable(aborted).retry).toBe(false);
    expect(isRetryable(connectionError('ENOTFOUND', 'getaddrinfo ENOTFOUND x')).retry).toBe(false);
    expect(isRetryable(new Error('Missing required parameters: spreadsheetId')).retry).toBe(false);
    expect(isRetryable('a string').retry).toBe(false);
    expect(isRetryable(undefined).retry).toBe(false);
  });
});

describe('withRetry', () => {
  const fast = (r: ReturnType<typeof recorder>, extra: Partial<RetryOptions> = {}) => ({
    sleep: r.sleep,
    random: () => 0,
    ...extra,
  });

  it('retries a 429 and waits at least Retry-After', async () => {
    const r = recorder();
    const infos: unknown[] = [];
    const s = scripted<string>([httpError(429, { 'retry-after': '7' }), 'ok']);
    const out = await withRetry('sheets.values.get Register', s.call, {
      safe: true,
      ...fast(r),
      onRetry: (i) => infos.push(i),
    });
    expect(out).toBe('ok');
    expect(s.calls()).toBe(2);
    expect(r.sleeps).toEqual([7000]);
    expect(infos).toEqual([
      { attempt: 1, delayMs: 7000, reason: 'HTTP 429', label: 'sheets.values.get Register' },
    ]);
  });

  it('keeps the jittered delay when it is longer than Retry-After, and caps Retry-After', async () => {
    const r = recorder();
    const s = scripted<string>([
      httpError(429, { 'retry-after': '1' }),
      httpError(429, { 'retry-after': '86400' }),
      'ok',
    ]);
    await withRetry('x', s.call, { safe: true, sleep: r.sleep, random: () => 0.999, baseMs: 4000 });
    expect(r.sleeps).toEqual([3996, 120_000]);
    const r2 = recorder();
    const s2 = scripted<string>([httpError(503, { 'retry-after': '300' }), 'ok']);
    await withRetry('x', s2.call, { safe: true, ...fast(r2), maxRetryAfterMs: 60_000 });
    expect(r2.sleeps).toEqual([60_000]);
  });

  it('retries a 503 then succeeds', async () => {
    const r = recorder();
    const s = scripted<number>([httpError(503), 42]);
    await expect(withRetry('x', s.call, { safe: true, ...fast(r) })).resolves.toBe(42);
    expect(s.calls()).toBe(2);
    expect(r.sleeps).toHaveLength(1);
  });

  it('retries a dropped connection then succeeds', async () => {
    const r = recorder();
    const s = scripted<string>([connectionError('ECONNRESET'), connectionError('ECONNREFUSED'), 'ok']);
    await expect(withRetry('x', s.call, { safe: true, ...fast(r) })).resolves.toBe('ok');
    expect(s.calls()).toBe(3);
  });

  it.each([400, 401, 403, 404])('throws HTTP %i at once, unchanged', async (status) => {
    const r = recorder();
    const err = httpError(status);
    const s = scripted<string>([err, 'ok']);
    await expect(withRetry('x', s.call, { safe: true, ...fast(r) })).rejects.toBe(err);
    expect(s.calls()).toBe(1);
    expect(r.sleeps).toEqual([]);
  });

  it('does not retry a call not declared safe when it may have been carried out', async () => {
    const r = recorder();
    for (const err of [httpError(503), httpError(500), connectionError('ECONNRESET')]) {
      const s = scripted<string>([err, 'ok']);
      await expect(withRetry('gmail.send', s.call, { safe: false, ...fast(r) })).rejects.toBe(err);
      expect(s.calls()).toBe(1);
    }
    expect(r.sleeps).toEqual([]);
  });

  it('retries even an unsafe call when Google refused it before doing anything (429, rate-limit 403, connection refused)', async () => {
    for (const err of [
      httpError(429, { 'retry-after': '1' }),
      rateLimited403(),
      connectionError('ECONNREFUSED'),
    ]) {
      const r = recorder();
      const s = scripted<string>([err, 'ok']);
      await expect(withRetry('gmail.send', s.call, { safe: false, ...fast(r) })).resolves.toBe('ok');
      expect(s.calls()).toBe(2);
    }
  });

  it('throws a RetryExhaustedError naming the label and the attempts, with the last error as cause', async () => {
    const r = recorder();
    const last = httpError(503);
    const s = scripted<string>([httpError(500), httpError(502), httpError(429), last]);
    const err = await withRetry('sheets.values.batchGet', s.call, {
      safe: true,
      maxAttempts: 4,
      ...fast(r),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    const ex = err as RetryExhaustedError;
    expect(ex.message).toBe(
      'sheets.values.batchGet: gave up after 4 attempts (last failure: HTTP 503): Request failed with status code 503',
    );
    expect(ex.cause).toBe(last);
    expect(ex.attempts).toBe(4);
    expect(ex.status).toBe(503);
    expect(s.calls()).toBe(4);
    expect(r.sleeps).toHaveLength(3);
  });

  it('makes 8 attempts by default (about a minute of waiting)', async () => {
    const r = recorder();
    const s = scripted<string>([connectionError('ETIMEDOUT', 'connect ETIMEDOUT')]);
    await expect(withRetry('x', s.call, { safe: true, ...fast(r) })).rejects.toThrow(
      /x: gave up after 8 attempts/,
    );
    expect(s.calls()).toBe(8);
  });

  it('uses capped exponential backoff with full jitter', async () => {
    const high = recorder();
    const s = scripted<string>([httpError(500)]);
    const opts = { safe: true, maxAttempts: 10, sleep: high.sleep };
    await expect(withRetry('x', s.call, { ...opts, random: () => 0.999999 })).rejects.toThrow();
    // ceilings 500 · 2^(n-1) capped at 32 000; delays sit just under them
    expect(high.sleeps).toEqual([499, 999, 1999, 3999, 7999, 15999, 31999, 31999, 31999]);
    const low = recorder();
    await expect(withRetry('x', s.call, { ...opts, sleep: low.sleep, random: () => 0 })).rejects.toThrow();
    expect(low.sleeps).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const half = recorder();
    await expect(
      withRetry('x', s.call, { ...opts, sleep: half.sleep, random: () => 0.5, baseMs: 100, capMs: 1000 }),
    ).rejects.toThrow();
    expect(half.sleeps).toEqual([50, 100, 200, 400, 500, 500, 500, 500, 500]);
  });

  it('keeps every delay within [0, min(cap, base·2^(n-1))] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        (attempt, r, baseMs, capMs) => {
          const d = backoffDelay(attempt, { baseMs, capMs, random: () => r, maxRetryAfterMs: 120_000 });
          return d >= 0 && d <= Math.min(capMs, baseMs * 2 ** (attempt - 1));
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The real @googleapis/sheets client against a local server that counts requests: proves that
// GAXIOS_NO_RETRY really turns gaxios's own retries off, and documents gaxios's defaults.

type Behaviour = number | 'drop' | { status: number; headers?: Record<string, string> };

describe('with the real @googleapis/sheets client', () => {
  let server: http.Server;
  let rootUrl: string;
  let script: Behaviour[] = [];
  let requests: string[] = [];
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-token' });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const step = script.length > 1 ? script.shift()! : script[0]!;
      if (step === 'drop') {
        req.socket.destroy();
        return;
      }
      const { status, headers = {} } = typeof step === 'number' ? { status: step } : step;
      const body =
        status < 300
          ? { spreadsheetId: 'sheet-1', updates: { updatedRows: 1 } }
          : { error: { code: status, message: `fault ${status}`, status: 'UNAVAILABLE' } };
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rootUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests = [];
  });

  const noRetryClient = () => sheets({ version: 'v4', auth, rootUrl, ...GAXIOS_NO_RETRY });
  const defaultClient = () => sheets({ version: 'v4', auth, rootUrl });
  /** Keeps gaxios's own retry policy but makes its waits instant, so its retries can be counted fast. */
  const instantGaxiosBackoff = { retryConfig: { retryBackoff: async () => {} } };

  it('safe:false sends a failing GET exactly once; safe:true sends it maxAttempts times', async () => {
    script = [503];
    const api = noRetryClient();
    const get = () => api.spreadsheets.get({ spreadsheetId: 'sheet-1' });
    await expect(withRetry('get', get, { safe: false })).rejects.toMatchObject({ status: 503 });
    expect(requests).toEqual(['GET /v4/spreadsheets/sheet-1']);

    requests = [];
    const r = recorder();
    const err = await withRetry('get', get, { safe: true, maxAttempts: 3, sleep: r.sleep }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as Error).message).toMatch(
      /^get: gave up after 3 attempts \(last failure: HTTP 503\): fault 503$/,
    );
    expect(requests).toHaveLength(3);
    expect(r.sleeps).toHaveLength(2);
  });

  it('a dropped connection is not retried by gaxios either (noResponseRetries: 0), and our layer recovers', async () => {
    script = ['drop'];
    const api = noRetryClient();
    const get = () => api.spreadsheets.get({ spreadsheetId: 'sheet-1' });
    await expect(withRetry('get', get, { safe: false })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(requests).toHaveLength(1);

    requests = [];
    script = ['drop', 200];
    const r = recorder();
    const reasons: string[] = [];
    const res = await withRetry('get', get, {
      safe: true,
      sleep: r.sleep,
      onRetry: (i) => reasons.push(i.reason),
    });
    expect(res.data.spreadsheetId).toBe('sheet-1');
    expect(requests).toHaveLength(2);
    expect(reasons).toEqual(['ECONNRESET']);
  });

  it('honours a real Retry-After header on a 429', async () => {
    script = [{ status: 429, headers: { 'retry-after': '3' } }, 200];
    const api = noRetryClient();
    const r = recorder();
    const res = await withRetry('get', () => api.spreadsheets.get({ spreadsheetId: 'sheet-1' }), {
      safe: true,
      sleep: r.sleep,
      random: () => 0,
    });
    expect(res.status).toBe(200);
    expect(requests).toHaveLength(2);
    expect(r.sleeps).toEqual([3000]);
  });

  it('a 400 is thrown at once with its Google error message', async () => {
    script = [400];
    const api = noRetryClient();
    const r = recorder();
    await expect(
      withRetry('get', () => api.spreadsheets.get({ spreadsheetId: 'sheet-1' }), {
        safe: true,
        sleep: r.sleep,
      }),
    ).rejects.toMatchObject({ status: 400, message: 'fault 400' });
    expect(requests).toHaveLength(1);
  });

  it('GAXIOS_NO_RETRY survives a per-call retryConfig that would re-enable gaxios retries', async () => {
    script = [503];
    // retry:false alone is not enough: any retryConfig object switches gaxios retries back on.
    const retryFalseOnly = sheets({ version: 'v4', auth, rootUrl, retry: false });
    await expect(
      retryFalseOnly.spreadsheets.get({ spreadsheetId: 'sheet-1' }, instantGaxiosBackoff),
    ).rejects.toThrow();
    expect(requests).toHaveLength(4);

    requests = [];
    await expect(
      noRetryClient().spreadsheets.get({ spreadsheetId: 'sheet-1' }, instantGaxiosBackoff),
    ).rejects.toThrow();
    expect(requests).toHaveLength(1);
  });

  it('documents the defaults: without GAXIOS_NO_RETRY gaxios retries GETs itself, never POSTs', async () => {
    script = [503];
    const api = defaultClient();
    await expect(api.spreadsheets.get({ spreadsheetId: 'sheet-1' }, instantGaxiosBackoff)).rejects.toThrow();
    expect(requests).toHaveLength(4); // 1 + 3 retries: nested in 6 attempts of ours that would be 24

    requests = [];
    script = ['drop'];
    await expect(api.spreadsheets.get({ spreadsheetId: 'sheet-1' }, instantGaxiosBackoff)).rejects.toThrow();
    expect(requests).toHaveLength(3); // 1 + noResponseRetries (2)

    requests = [];
    script = [503];
    const append = api.spreadsheets.values.append(
      {
        spreadsheetId: 'sheet-1',
        range: 'Changes!A1',
        valueInputOption: 'RAW',
        requestBody: { values: [['a']] },
      },
      instantGaxiosBackoff,
    );
    await expect(append).rejects.toMatchObject({ status: 503 });
    expect(requests).toEqual([
      'POST /v4/spreadsheets/sheet-1/values/Changes%21A1:append?valueInputOption=RAW',
    ]);
  });
});
