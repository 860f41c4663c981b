// `npm ci` and `npm install` (no package arguments) run the root package's `prepare` script
// after installing (npm docs, "Scripts" → "Life Cycle Operation Order" → "npm ci": preinstall,
// install, postinstall, prepublish, preprepare, prepare, postprepare;
// https://docs.npmjs.com/cli/v11/using-npm/scripts). Building here makes `npx milepost …` work
// right after `npm ci` on a fresh clone, where dist/ is not checked in.
// An install without devDependencies (`npm ci --omit=dev`, a deployment that ships a built
// dist/) has no esbuild: it keeps the dist/ it was given rather than failing the install.
try {
  await import('esbuild');
} catch {
  process.stderr.write('milepost: esbuild is not installed (--omit=dev?): dist/ is not rebuilt.\n');
  process.exit(0);
}
await import('./build.mjs');
