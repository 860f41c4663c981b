/** Runs the built CLI (bin/milepost.js → dist/cli.js) as a user would. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vi } from 'vitest';

export const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'milepost.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

export function milepost(...args: string[]): Run {
  return milepostWith({}, ...args);
}

/** Runs the CLI with extra environment variables (e.g. MILEPOST_GOOGLE_API_ROOT). */
export function milepostWith(env: Record<string, string>, ...args: string[]): Run {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run npm run build (npm test does)');
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
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

/**
 * Runs the CLI without blocking this process: needed when the CLI talks to a server running
 * in the test process (the Workspace emulator), which spawnSync would starve.
 */
export function milepostAsync(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }),
    );
  });
}

/** The decoded text of an .eml (headers as they are, every base64 block decoded). */
export function decodeEml(raw: string): string {
  const decoded = [...raw.matchAll(/(?:^[A-Za-z0-9+/=]{4,76}\r?\n)+/gm)].map((m) =>
    Buffer.from(m[0].replace(/\s/g, ''), 'base64').toString('utf8'),
  );
  return [raw, ...decoded].join('\n');
}

/** What `fn` writes to stderr (the CLI's human output), line by line. */
export function said(fn: () => void): string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk).replace(/\n$/, ''));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines;
}
