/**
 * The README's emulator walkthrough ("Trying it offline: the Workspace emulator"), run as a
 * newcomer types it: every command of its shell blocks, in order, read from the README itself.
 * Only what a test cannot do the same way is translated: `npx milepost` and `npm run emulator…`
 * run the built files directly, the emulator listens on a free port instead of 8085, `<id>` and
 * `<doc-id>` are what the previous commands printed, and `curl` is fetch. The pack at the end
 * must hold the sample team's responses.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers';

const SECTION = '### Trying it offline: the Workspace emulator';

/** The commands of the section's ```sh blocks, comments and blank lines left out. */
function walkthrough(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '');
}

let emulator: ChildProcess | undefined;
afterAll(() => emulator?.kill());

/** Starts `npm run emulator -- …` on a free port; resolves with what it printed. */
function startEmulator(args: string[], cwd: string): Promise<string> {
  const free = args.map((a, i) => (args[i - 1] === '--port' ? '0' : a));
  emulator = spawn(process.execPath, [path.join(ROOT, 'dist', 'emulator.js'), ...free], { cwd });
  return new Promise<string>((resolve, reject) => {
    let text = '';
    emulator!.stdout!.on('data', (d) => {
      text += d;
      if (/State: /.test(text)) resolve(text);
    });
    emulator!.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${text}`)));
  });
}

it('the emulator walkthrough, word for word, gives a pack with the sample team’s responses', async () => {
  const cwd = tempDir('readme');
  // The walkthrough runs in the repository's folder: it names templates/ by a relative path.
  fs.symlinkSync(path.join(ROOT, 'templates'), path.join(cwd, 'templates'));
  const env: Record<string, string> = { MILEPOST_GMAIL_SPACING_MS: '0' };
  let port = '';
  let spreadsheetId = '';
  let docId = '';
  const expand = (word: string) =>
    word
      .replace(/\$(\w+)/g, (_, v: string) => env[v] ?? '')
      .replace('<id>', spreadsheetId)
      .replace('<doc-id>', docId)
      .replace('127.0.0.1:8085', `127.0.0.1:${port}`);
  const run = (file: string, args: string[]) => {
    const r = spawnSync(process.execPath, [file, ...args], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...env },
    });
    expect(r.status, `${file} ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
    return r.stdout + r.stderr;
  };
  let packText = '';
  for (const line of walkthrough()) {
    const [cmd, ...rest] = line.split(/\s+/);
    const args = rest.map(expand);
    if (cmd === 'export') {
      for (const kv of args) {
        const [k, v] = kv.split('=');
        env[k!] = v!;
      }
    } else if (cmd === 'npx' && args[0] === 'milepost') {
      const out = run(path.join(ROOT, 'bin', 'milepost.js'), args.slice(1));
      docId = /document\/d\/([^/\s]+)\/edit/.exec(out)?.[1] ?? docId;
    } else if (cmd === 'npm' && args[0] === 'run' && args[1] === 'emulator') {
      const out = await startEmulator(args.slice(3), cwd);
      port = /API root: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]!;
      spreadsheetId = /Spreadsheet: (\S+)/.exec(out)![1]!;
    } else if (cmd === 'npm' && args[0] === 'run' && args[1] === 'emulator:respond') {
      expect(run(path.join(ROOT, 'dist', 'emulator-respond.js'), args.slice(3))).toMatch(
        /9 submitted, 1 refused/,
      );
    } else if (cmd === 'curl') {
      const url = args.find((a) => a.startsWith('http'))!;
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      const body = await res.text();
      if (url.includes('/documents/')) packText = body;
    } else {
      throw new Error(`the walkthrough has a command this test does not know: ${line}`);
    }
  }
  // The sample team's answers are in the pack: a win, a forecast move, a status an owner set.
  expect(packText).toContain('Milestone meeting — Thu 3 Dec 2026');
  expect(packText).toContain('Board approved the FY27 hiring plan');
  expect(packText).toMatch(/2026-12-22|22 Dec/);
  expect(packText).not.toMatch(/0 of \d+ (owners )?responded/);
}, 240_000);
