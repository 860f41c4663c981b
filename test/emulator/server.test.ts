/**
 * The emulator around the Sheets semantics: faults, latency, quotas, auth, the request log,
 * people's edits between calls, the control API over HTTP, and the standalone command.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { sheets_v4 } from '@googleapis/sheets';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorState, quotaOf, startEmulator } from '../../emulator/server';
import sample from '../../templates/sample/register.json';
import { failure, googleError, sampleRegister, sheetsClient } from './helpers';

let registerFile: string;
beforeAll(async () => {
  registerFile = await sampleRegister();
});
afterAll(async () => {
  await fs.rm(path.dirname(registerFile), { recursive: true, force: true });
});

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

const tables = [
  {
    name: 'Milestones',
    headers: ['ID', 'Status'],
    rows: [
      ['M-0001', 'On track'],
      ['M-0002', 'Done'],
    ],
  },
  { name: 'Settings', headers: ['Setting', 'Value'], rows: [['Time zone', 'Europe/Paris']] },
];

async function start(options: Parameters<typeof startEmulator>[0] = {}) {
  emulator = await startEmulator({ quotaPerMinute: false, ...options });
  const id = emulator.seedFromTables(tables, { title: 'T', timeZone: 'Europe/Paris' });
  return { api: sheetsClient(emulator), id };
}

function setStatus(api: sheets_v4.Sheets, id: string, value: string) {
  return api.spreadsheets.values.batchUpdate({
    spreadsheetId: id,
    requestBody: { valueInputOption: 'RAW', data: [{ range: 'Milestones!B2', values: [[value]] }] },
  });
}

describe('faults', () => {
  it('fails the nth call with Google’s status and body, then carries on', async () => {
    const { api, id } = await start();
    emulator.fail({ status: 503, onCall: 2 });
    await setStatus(api, id, 'Might miss');
    const seen = await failure(setStatus(api, id, 'Missed'));
    expect(seen.status).toBe(503);
    expect(seen.data).toEqual({
      error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' },
    });
    expect(emulator.values(id, 'Milestones')[1]).toEqual(['M-0001', 'Might miss']);
    await setStatus(api, id, 'Done');
    expect(emulator.values(id, 'Milestones')[1]).toEqual(['M-0001', 'Done']);
    expect(emulator.log.map((e) => [e.seq, e.status, e.fault])).toEqual([
      [1, 200, undefined],
      [2, 503, 'fail 503'],
      [3, 200, undefined],
    ]);
  });

  it('is a GaxiosError the client can read, with Retry-After when asked', async () => {
    const { api, id } = await start();
    emulator.fail({ status: 429, retryAfterSeconds: 7, path: ':batchUpdate$' });
    const error = await setStatus(api, id, 'x').catch((e: unknown) => e);
    expect((error as Error).constructor.name).toBe('GaxiosError');
    expect((error as { status: number }).status).toBe(429);
    const { headers, data } = (error as { response: { headers: Headers; data: unknown } }).response;
    expect(headers.get('retry-after')).toBe('7');
    expect(data).toEqual(googleError(429, expect.stringContaining("'Write requests'"), 'RESOURCE_EXHAUSTED'));
  });

  it('can fail after carrying the call out, so the client cannot tell it succeeded', async () => {
    const { api, id } = await start();
    emulator.fail({ status: 500, afterApply: true });
    const seen = await failure(setStatus(api, id, 'Missed'));
    expect(seen.data).toEqual(googleError(500, 'Internal error encountered.', 'INTERNAL'));
    expect(emulator.values(id, 'Milestones')[1]).toEqual(['M-0001', 'Missed']);
    expect(emulator.log[0]!.fault).toBe('fail 500 after apply');
  });

  it('drops the connection without an answer', async () => {
    const { api, id } = await start();
    emulator.dropConnection({ onCall: 1 });
    const error = (await setStatus(api, id, 'Missed').catch((e: unknown) => e)) as { response?: unknown };
    expect(error).toBeInstanceOf(Error);
    expect(error.response).toBeUndefined();
    expect(emulator.log[0]!.status).toBe('dropped');
    expect(emulator.values(id, 'Milestones')[1]).toEqual(['M-0001', 'On track']);
    await setStatus(api, id, 'Missed');
    expect(emulator.values(id, 'Milestones')[1]).toEqual(['M-0001', 'Missed']);
  });

  it('fails a share of calls, at most `times`, and answers 502 as Google’s front end does', async () => {
    const { api, id } = await start();
    emulator.fail({ status: 502, share: 1, times: 2 });
    const first = await failure(setStatus(api, id, 'a'));
    expect(first.status).toBe(502);
    expect(String(first.data)).toContain('Error 502 (Server Error)');
    await failure(setStatus(api, id, 'b'));
    await setStatus(api, id, 'c');
    expect(emulator.log.map((e) => e.status)).toEqual([502, 502, 200]);
  });

  it('waits the configured latency on every call', async () => {
    const { api, id } = await start();
    emulator.latency(60);
    const t0 = performance.now();
    await api.spreadsheets.values.get({ spreadsheetId: id, range: 'Milestones' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  });
});

describe('quotas', () => {
  it('answers 429 after 60 reads in a minute per user, counting writes apart, until the minute passes', async () => {
    let clock = Date.parse('2026-12-01T12:00:00Z');
    const { api, id } = await start({ quotaPerMinute: 60, now: () => clock });
    const readOnce = () =>
      api.spreadsheets.values.get({ spreadsheetId: id, range: 'Milestones!A1' }, { retry: false });
    for (let i = 0; i < 60; i++) {
      clock += 500;
      await readOnce();
    }
    const limited = await failure(readOnce());
    expect(limited.status).toBe(429);
    expect(limited.data).toEqual({
      error: expect.objectContaining({
        code: 429,
        message: expect.stringMatching(
          /^Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com'/,
        ),
        status: 'RESOURCE_EXHAUSTED',
      }),
    });
    await setStatus(api, id, 'Done');
    const other = sheetsClient(emulator, 'another-user');
    await other.spreadsheets.values.get({ spreadsheetId: id, range: 'Milestones!A1' }, { retry: false });
    // The two oldest reads leave the window: two more fit, the third does not.
    clock += 31_000;
    await readOnce();
    await readOnce();
    expect((await failure(readOnce())).status).toBe(429);
    emulator.setQuota(false);
    for (let i = 0; i < 5; i++) await readOnce();
  });

  it("counts each API against its own published quota: Sheets' 60 reads leave Gmail, Docs, Forms and Drive alone", async () => {
    const clock = Date.parse('2026-12-01T12:00:00Z');
    const { api, id } = await start({ quotaPerMinute: 60, now: () => clock });
    for (let i = 0; i < 60; i++)
      await api.spreadsheets.values.get({ spreadsheetId: id, range: 'Milestones!A1' });
    const token = { headers: { Authorization: 'Bearer test-token' } };
    // Gmail: 15,000 units a minute, 5 a list: far from spent by 100 lists.
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${emulator.apiRoot}gmail/v1/users/me/messages`, token);
      expect(res.status, `list ${i + 1}`).toBe(200);
    }
    const sheets = await fetch(`${emulator.apiRoot}v4/spreadsheets/${id}`, token);
    expect(sheets.status).toBe(429);
  });

  it('prices calls as Google does (requests, or Gmail units per method)', () => {
    expect(quotaOf('GET', '/v4/spreadsheets/x/values/A1', 'read')).toMatchObject({
      api: 'sheets',
      limit: 60,
      cost: 1,
    });
    expect(quotaOf('POST', '/v1/documents/x:batchUpdate', 'write')).toMatchObject({ api: 'docs', limit: 60 });
    expect(quotaOf('GET', '/v1/documents/x', 'read')).toMatchObject({ api: 'docs', limit: 300 });
    expect(quotaOf('GET', '/v1/forms/x/responses', 'read')).toMatchObject({ api: 'forms', limit: 180 });
    expect(quotaOf('POST', '/v1/forms/x:batchUpdate', 'write')).toMatchObject({ api: 'forms', limit: 150 });
    expect(quotaOf('GET', '/drive/v3/files', 'read')).toMatchObject({ api: 'drive', limit: 12_000 });
    expect(quotaOf('POST', '/gmail/v1/users/me/messages/send', 'write')).toMatchObject({
      api: 'gmail',
      limit: 15_000,
      cost: 100,
    });
    expect(quotaOf('GET', '/gmail/v1/users/me/messages', 'read')).toMatchObject({ cost: 5 });
  });
});

describe('auth and errors', () => {
  it('answers 401 without a bearer token and 404 for an unknown spreadsheet, in Google’s shape', async () => {
    const { api, id } = await start();
    const res = await fetch(`${emulator.apiRoot}v4/spreadsheets/${id}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toEqual(
      googleError(
        401,
        expect.stringContaining('Request is missing required authentication credential'),
        'UNAUTHENTICATED',
      ),
    );
    const missing = await failure(api.spreadsheets.get({ spreadsheetId: 'no-such-spreadsheet' }));
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({
      error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
    });
  });

  it('refuses a token it was not given when tokens are configured', async () => {
    emulator = await startEmulator({ tokens: ['good'] });
    const id = emulator.seedFromTables(tables, { title: 'T', timeZone: 'UTC' });
    const seen = await failure(sheetsClient(emulator, 'bad').spreadsheets.get({ spreadsheetId: id }));
    expect(seen.status).toBe(401);
    await sheetsClient(emulator, 'good').spreadsheets.get({ spreadsheetId: id });
  });

  it('refuses an unknown query parameter and a bad enum value, as Google’s front end does', async () => {
    const { api, id } = await start();
    const unknown = await failure(
      api.spreadsheets.values.get({
        spreadsheetId: id,
        range: 'Milestones',
        valueRenderOptions: 'FORMULA',
      } as never),
    );
    expect(unknown.data).toEqual(
      googleError(
        400,
        expect.stringContaining('Unknown name "valueRenderOptions": Cannot bind query parameter'),
        'INVALID_ARGUMENT',
      ),
    );
    const badEnum = await failure(
      api.spreadsheets.values.get({ spreadsheetId: id, range: 'Milestones', valueRenderOption: 'RAW' }),
    );
    expect(badEnum.data).toEqual(
      googleError(400, expect.stringContaining("Invalid value at 'value_render_option'"), 'INVALID_ARGUMENT'),
    );
  });
});

describe('people editing between calls', () => {
  it('applies a typed value, inserted columns and moved rows before the nth call, and logs them', async () => {
    const { api, id } = await start();
    emulator.editBefore(2, { op: 'set', sheet: 'Milestones', a1: 'C2', value: '2026-12-03' });
    emulator.editBefore(2, { op: 'insertColumns', sheet: 'Milestones', at: 'B', count: 1 });
    emulator.editBefore(3, { op: 'moveRows', sheet: 'Milestones', from: 3, count: 1, to: 2 });
    const read = async () =>
      (
        await api.spreadsheets.values.get({
          spreadsheetId: id,
          range: 'Milestones',
          valueRenderOption: 'UNFORMATTED_VALUE',
        })
      ).data.values;
    expect(await read()).toEqual([
      ['ID', 'Status'],
      ['M-0001', 'On track'],
      ['M-0002', 'Done'],
    ]);
    expect(await read()).toEqual([
      ['ID', '', 'Status'],
      ['M-0001', '', 'On track', 46359],
      ['M-0002', '', 'Done'],
    ]);
    expect(await read()).toEqual([
      ['ID', '', 'Status'],
      ['M-0002', '', 'Done'],
      ['M-0001', '', 'On track', 46359],
    ]);
    expect(emulator.log[1]!.edits).toHaveLength(2);
  });
});

describe('the control API over HTTP', () => {
  it('dumps the whole state and sets faults, edits and quotas', async () => {
    const { api, id } = await start();
    const post = (p: string, body: unknown) =>
      fetch(`${emulator.apiRoot}__emulator/${p}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('faults/fail', { status: 500, onCall: 1 })).status).toBe(200);
    await post('edits', { before: 2, edit: { op: 'deleteRows', sheet: 'Milestones', at: 2, count: 1 } });
    await failure(setStatus(api, id, 'Missed'));
    await api.spreadsheets.values.get({
      spreadsheetId: id,
      range: 'Milestones!A1:B',
      valueRenderOption: 'FORMULA',
    });
    const state = (await (await fetch(`${emulator.apiRoot}__emulator/state`)).json()) as EmulatorState;
    expect(state.spreadsheets).toHaveLength(1);
    const milestones = (
      state.spreadsheets[0]!.sheets as { properties: { title: string }; values: unknown[][] }[]
    )[0]!;
    expect(milestones.properties.title).toBe('Milestones');
    expect(milestones.values).toEqual([
      ['ID', 'Status'],
      ['M-0002', 'Done'],
    ]);
    expect(state.requests).toEqual([
      expect.objectContaining({
        seq: 1,
        method: 'POST',
        path: `/v4/spreadsheets/${id}/values:batchUpdate`,
        kind: 'write',
        status: 500,
        fault: 'fail 500',
        body: { valueInputOption: 'RAW', data: [{ range: 'Milestones!B2', values: [['Missed']] }] },
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
      expect.objectContaining({
        seq: 2,
        method: 'GET',
        path: `/v4/spreadsheets/${id}/values/Milestones!A1:B`,
        query: { valueRenderOption: 'FORMULA' },
        kind: 'read',
        status: 200,
      }),
    ]);
    const bad = await post('faults/fail', { status: 200 });
    expect(bad.status).toBe(400);
  });
});

describe('the standalone emulator', () => {
  it('starts seeded from a workspace, prints the API root and the spreadsheet id, and serves them', async () => {
    const root = path.resolve(__dirname, '../..');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-emulator-main-'));
    // Built where Node finds the project's node_modules, as dist/emulator.js would be.
    const cache = path.join(root, 'node_modules', '.cache');
    await fs.mkdir(cache, { recursive: true });
    const buildDir = await fs.mkdtemp(path.join(cache, 'milepost-emulator-'));
    try {
      await fs.copyFile(registerFile, path.join(dir, 'register.xlsx'));
      const outfile = path.join(buildDir, 'emulator.js');
      await build({
        entryPoints: [path.join(__dirname, '..', '..', 'emulator', 'main.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'warning',
      });
      const child = spawn(process.execPath, [outfile, '--port', '0', '--seed', dir], { cwd: root });
      try {
        const out = await new Promise<string>((resolve, reject) => {
          let text = '';
          child.stdout.on('data', (d: Buffer) => {
            text += d.toString();
            if (/Spreadsheet: \S+/.test(text)) resolve(text);
          });
          child.stderr.on('data', (d: Buffer) => reject(new Error(d.toString())));
          child.on('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)));
        });
        const apiRoot = /API root: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1]!;
        const spreadsheetId = /Spreadsheet: (\S+)/.exec(out)![1]!;
        const res = await fetch(`${apiRoot}v4/spreadsheets/${spreadsheetId}/values/Team!B2`, {
          headers: { Authorization: 'Bearer x' },
        });
        expect(await res.json()).toEqual({
          range: 'Team!B2',
          majorDimension: 'ROWS',
          values: [[sample.Team[0]!.Email]],
        });
      } finally {
        child.kill();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(buildDir, { recursive: true, force: true });
    }
  });
});
