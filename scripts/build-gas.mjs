// Bundles the Apps Script runtime (src/gas/main.ts + the core) into appsscript/Code.js: one
// script file, ES2020, no modules. Apps Script calls top-level functions by name (menu items,
// triggers), so each entry point the bundle exports gets one top-level function that forwards
// to it. appsscript/appsscript.json (the manifest) is kept in the repository.

import { readFile, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['src/gas/main.ts'],
  bundle: true,
  format: 'iife',
  globalName: 'Milepost',
  platform: 'neutral',
  target: 'es2020',
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
const code = result.outputFiles[0].text;
// The entry points: the functions src/gas/main.ts exports (onOpen, onEdit, milepost…).
const source = await readFile('src/gas/main.ts', 'utf8');
const entries = [...source.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
const wrappers = entries.map((name) => `function ${name}(e) { return Milepost.${name}(e); }`).join('\n');
const banner =
  '// Milepost for Google Sheets: built by `npm run build:gas` from src/gas and src/core. Do not edit.\n';
await writeFile('appsscript/Code.js', `${banner}${code}\n${wrappers}\n`);
console.log(
  `appsscript/Code.js: ${(Buffer.byteLength(code) / 1024).toFixed(0)} KB, entry points: ${entries.join(', ')}`,
);
