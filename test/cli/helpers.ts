/** Runs the built CLI (bin/milepost.js → dist/cli.js) as a user would. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'milepost.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

export function milepost(...args: string[]): Run {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run npm run build (npm test does)');
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout),
  };
}

export function tempDir(name = 'ws'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `milepost-${name}-`));
}

export function sampleResponses(): string {
  return fs.readFileSync(path.join(ROOT, 'templates', 'sample', 'responses.jsonl'), 'utf8');
}
