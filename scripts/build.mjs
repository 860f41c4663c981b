// Bundles the Node CLI and the benchmark with esbuild. Dependencies stay external:
// npm ci installs them and Node loads them from node_modules.
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
// The Workspace emulator (emulator/main.ts) and its respond command are bundled too, for
// `npm run emulator` and `npm run emulator:respond`.
await build({
  ...common,
  entryPoints: {
    cli: 'src/cli.ts',
    bench: 'bench/bench.ts',
    'bench-gas': 'bench/gas.ts',
    // `npm run backtest`: the early warnings scored over a generated year of meetings.
    backtest: 'bench/backtest.ts',
    emulator: 'emulator/main.ts',
    'emulator-respond': 'emulator/respond-main.ts',
    // `npm run test:live`: the Google contract, against the emulator or (MILEPOST_LIVE=1) Google.
    live: 'test/live/run.ts',
  },
  outdir: 'dist',
});
