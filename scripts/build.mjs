// Bundles the Node CLI (and the benchmark) with esbuild. Dependencies stay external:
// they are installed by npm ci and loaded from node_modules.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' });
await build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }).catch(() => {
  // The benchmark is optional for the CLI build.
});
