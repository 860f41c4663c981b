/**
 * The live contract (contract.ts) in CI: every check passes against the emulator, so emulator
 * and Google answer to one contract; and `npm run test:live` with MILEPOST_LIVE=1 and no
 * credentials says what is missing and exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from './contract';
import { againstEmulator, renderTable } from './run';

const ROOT = path.resolve(__dirname, '../..');

describe('the live contract', () => {
  it('passes against the emulator, every check run', async () => {
    const results = await againstEmulator();
    expect(results.map((r) => r.id)).toEqual(CHECKS.map((c) => c.id));
    const table = renderTable(results.map((r) => ({ ...r, emulator: r })));
    console.log(table);
    for (const r of results)
      expect(`${r.id}: ${r.result} (${r.observed})`).toBe(`${r.id}: pass (${r.observed})`);
    expect(table.split('\n')[0]).toBe('| behaviour | source | emulator | live |');
  }, 60_000);

  it('names a source for every behaviour', () => {
    for (const c of CHECKS) expect(c.source.length, c.id).toBeGreaterThan(30);
  });

  it('with MILEPOST_LIVE=1 and no credentials, says what is missing and exits 2', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-live-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, MILEPOST_LIVE: '1' };
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/live.js')], { env, encoding: 'utf8' });
    fs.rmSync(home, { recursive: true, force: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/MILEPOST_LIVE=1 needs Google credentials, and none were found/);
    expect(run.stderr).toMatch(/milepost login/);
    expect(run.stderr).toMatch(/GOOGLE_APPLICATION_CREDENTIALS is not set/);
    expect(run.stderr).toMatch(/gcloud auth application-default login/);
    expect(run.stdout).toBe('');
  });

  it('with GOOGLE_APPLICATION_CREDENTIALS naming a missing file, says so and exits 2', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-live-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      MILEPOST_LIVE: '1',
      GOOGLE_APPLICATION_CREDENTIALS: path.join(home, 'key.json'),
    };
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/live.js')], { env, encoding: 'utf8' });
    fs.rmSync(home, { recursive: true, force: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/GOOGLE_APPLICATION_CREDENTIALS names .*key\.json, which does not exist/);
  });
});
