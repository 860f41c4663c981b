#!/usr/bin/env node
// The built CLI lives in dist/ (npm run build). `npm ci` and `npm install` build it (the `prepare`
// script, scripts/prepare.mjs), and so do `npm start` and `npm test`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
import(cli.href).catch((error) => {
  // Only reached when dist/cli.js cannot be loaded: the CLI reports its own failures.
  const built = existsSync(cli);
  const message = built
    ? `internal error: ${error?.message ?? error}`
    : 'milepost is not built: dist/cli.js is missing. Run `npm run build` in the Milepost checkout (npm ci, npm install, npm start and npm test build it).';
  const debug = process.argv.includes('--debug');
  const hint = built && !debug ? ' (run again with --debug for the stack trace)' : '';
  process.stderr.write(`milepost: ${message}${hint}\n${debug && error?.stack ? `${error.stack}\n` : ''}`);
  if (process.argv.includes('--json')) {
    const code = built ? 'internal' : 'not-built';
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code, exit: 70, message } }, null, 2)}\n`);
  }
  process.exitCode = 70;
});
