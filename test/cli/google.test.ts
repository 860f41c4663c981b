/**
 * The Google backend as a user tries it offline: `npm run emulator` (dist/emulator.js) in its
 * own process, seeded from a workspace; the milepost CLI with MILEPOST_GOOGLE_API_ROOT pointed
 * at it; `npm run emulator:respond` playing the owners filling in the form.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { milepost, milepostWith, ROOT, sampleResponses, tempDir } from './helpers';

let child: ChildProcess | undefined;
let apiRoot = '';
let spreadsheetId = '';
let dir = '';

beforeAll(async () => {
  dir = tempDir('cli-google');
  expect(milepost('init', '--sample', '-w', dir).code).toBe(0);
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
  child = spawn(process.execPath, [path.join(ROOT, 'dist', 'emulator.js'), '--port', '0', '--seed', dir], {
    cwd: ROOT,
  });
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    child!.stdout!.on('data', (d) => {
      text += d;
      if (/State: /.test(text)) resolve(text);
    });
    child!.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  apiRoot = /API root: (\S+)/.exec(out)![1]!;
  spreadsheetId = /Spreadsheet: (\S+)/.exec(out)![1]!;
});
afterAll(() => {
  child?.kill();
});

function google(...args: string[]) {
  return milepostWith(
    { MILEPOST_GOOGLE_API_ROOT: apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' },
    ...args,
    '--backend',
    'google',
    '--spreadsheet',
    spreadsheetId,
  );
}

describe('milepost --backend google against `npm run emulator`', () => {
  it('runs a week from the command line, with emulator:respond filling in the form', async () => {
    const setup = google('setup');
    expect(setup.code, setup.stdout + setup.stderr).toBe(0);
    expect(setup.stdout + setup.stderr).toContain('created the update form');

    const request = google('request', '--now', '2026-11-30T08:00:00Z', '--json');
    expect(request.code, request.stderr).toBe(0);
    const sent = request.json() as { sent: string[]; formId: string };
    expect(sent.sent.length).toBeGreaterThan(3);

    const respond = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'emulator-respond.js'),
        '--api-root',
        apiRoot,
        '--responses',
        path.join(dir, 'responses.jsonl'),
      ],
      { encoding: 'utf8', cwd: ROOT },
    );
    expect(respond.status, respond.stderr).toBe(0);
    // Chris (not on the Team tab) cannot answer: the form is shared with the team only.
    expect(respond.stdout).toMatch(/\d+ submitted, 1 refused\./);

    // A dry run reads the form's responses as the sync will, and moves nothing (the watermark
    // included): the real sync after it applies the same changes.
    const dry = google('sync', '--now', '2026-12-01T18:00:00Z', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const previewed = dry.json() as {
      applied: { milestone: string; field: string; to: string }[];
      recorded: number;
    };
    expect(previewed.applied.length).toBeGreaterThan(3);

    const sync = google('sync', '--now', '2026-12-01T18:00:00Z', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    const synced = sync.json() as {
      applied: { source: string; milestone: string; field: string; to: string }[];
      recorded: number;
    };
    const change = (a: { milestone: string; field: string; to: string }) =>
      `${a.milestone} ${a.field} ${a.to}`;
    expect(synced.applied.map(change)).toEqual(previewed.applied.map(change));
    expect(synced.recorded).toBeGreaterThan(5);
    expect(synced.applied.filter((a) => a.source === 'form').length).toBeGreaterThan(3);
    // Run again: nothing new.
    const again = google('sync', '--now', '2026-12-01T18:05:00Z', '--json');
    expect((again.json() as { recorded: number }).recorded).toBe(0);

    const pack = google('pack', '--now', '2026-12-02T16:00:00Z');
    expect(pack.code, pack.stderr).toBe(0);
    expect(pack.stdout + pack.stderr).toMatch(
      /Pack for 2026-12-03: https:\/\/docs\.google\.com\/document\/d\//,
    );

    // After the meeting, the scheduled `run` does what is due: the wrap-up first.
    const run = google('run', '--now', '2026-12-03T12:00:00Z', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect((run.json() as { ran: { phase: string }[] }).ran[0]).toMatchObject({ phase: 'wrap-up' });

    const state = (await (await fetch(`${apiRoot}__emulator/state`)).json()) as {
      forms: { responses: unknown[] }[];
      messages: { milepostKey: string }[];
    };
    expect(state.forms[0]!.responses.length).toBeGreaterThan(5);
    const keys = state.messages.map((m) => m.milepostKey);
    expect(keys).toContain('pack/2026-12-03');
    expect(keys).toContain('digest/2026-12-03');
  });

  // After the week above (the form set up, the 3 December meeting wrapped up): the next one.
  it('--dry-run on request, pack, wrap-up and run says what would be sent and written, and calls Google only to read', async () => {
    const log = async () =>
      (await (await fetch(`${apiRoot}__emulator/requests`)).json()) as {
        kind: string;
        method: string;
        path: string;
      }[];
    const before = (await log()).length;
    const request = google('request', '--now', '2026-12-07T10:00:00Z', '--dry-run', '--json');
    expect(request.code, request.stderr).toBe(0);
    expect(request.stderr).toContain('A real run would:');
    expect(request.stderr).toMatch(
      /request to priya\.shah@northwind\.example — "Milestone update for Thu 10 Dec 2026/,
    );
    const planned = request.json() as {
      dryRun: boolean;
      sent: string[];
      wouldDo: { emails: { to: string[] }[] };
    };
    expect(planned).toMatchObject({ dryRun: true, sent: [] });
    expect(planned.wouldDo.emails.length).toBeGreaterThan(3);

    const pack = google('pack', '--now', '2026-12-09T16:00:00Z', '--dry-run');
    expect(pack.code, pack.stderr).toBe(0);
    expect(pack.stderr).toContain('Pack for 2026-12-10 (dry run), would be built in a new Google Doc');
    expect(pack.stderr).toMatch(/pack to .* — "Meeting pack: milestone meeting Thu 10 Dec 2026"/);
    expect(pack.stderr).toMatch(/Meetings, Date 2026-12-10, Pack: \(blank\) →/);

    const wrapUp = google('wrap-up', '--now', '2026-12-10T12:00:00Z', '--meeting', '2026-12-10', '--dry-run');
    expect(wrapUp.code, wrapUp.stderr).toBe(0);
    expect(wrapUp.stderr).toContain('Would wrap up the meeting on 2026-12-10');
    expect(wrapUp.stderr).toContain('Meetings, Date 2026-12-10, Status: Planned → Held');

    const run = google('run', '--now', '2026-12-07T10:00:00Z', '--dry-run', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect((run.json() as { dryRun: boolean; steps: { step: string }[] }).steps.map((s) => s.step)).toContain(
      'request',
    );

    const calls = (await log()).slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.kind !== 'read').map((c) => `${c.method} ${c.path}`)).toEqual([]);
  });

  it('says what to do when the register has no update form yet', async () => {
    const blank = tempDir('cli-google-blank');
    expect(milepost('init', '-w', blank).code).toBe(0);
    const seeded = (await (
      await fetch(`${apiRoot}__emulator/seed`, {
        method: 'POST',
        body: JSON.stringify({ tables: [], title: 'Blank', timeZone: 'Europe/London' }),
      })
    ).json()) as { spreadsheetId: string };
    const run = milepostWith(
      { MILEPOST_GOOGLE_API_ROOT: apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' },
      'request',
      '--backend',
      'google',
      '--spreadsheet',
      seeded.spreadsheetId,
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/run `milepost setup --backend google/);
  });
});
