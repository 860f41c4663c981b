/**
 * `npx milepost …` right after `npm ci` on a fresh clone: dist/ is not checked in, so npm ci
 * builds it through the root package's `prepare` script (npm runs it after installing; npm docs,
 * "Scripts", Life Cycle Operation Order, npm ci). Checked on a copy of the checkout without
 * dist/, sharing node_modules: the `prepare` script as npm ci runs it, then the command.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers';

/** What a clone has that the build reads (no dist/). */
const CHECKOUT = [
  'package.json',
  'bin',
  'scripts',
  'src',
  'bench',
  'emulator',
  'gas-fakes',
  'test/live',
  'templates',
];

describe('a fresh clone after npm ci', () => {
  it('has a prepare script that builds dist/', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs');
    expect(fs.readFileSync(path.join(ROOT, 'scripts', 'prepare.mjs'), 'utf8')).toContain(
      "import('./build.mjs')",
    );
  });

  it('runs `milepost` once prepare has run, and says how to build it before', () => {
    const clone = tempDir('clone');
    for (const p of CHECKOUT) fs.cpSync(path.join(ROOT, p), path.join(clone, p), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    const milepost = () =>
      spawnSync(process.execPath, [path.join(clone, 'bin', 'milepost.js'), '--version'], {
        cwd: clone,
        encoding: 'utf8',
      });

    const unbuilt = milepost();
    expect(unbuilt.status).toBe(70);
    expect(unbuilt.stderr).toContain('milepost is not built');

    // What npm ci runs once node_modules is in place.
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const prepare = spawnSync(npm, ['run', 'prepare', '--silent'], { cwd: clone, encoding: 'utf8' });
    expect(prepare.status, prepare.stderr).toBe(0);
    expect(fs.existsSync(path.join(clone, 'dist', 'cli.js'))).toBe(true);

    const built = milepost();
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout.trim()).toBe('0.1.0');
  }, 60_000);
});
