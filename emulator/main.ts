/**
 * The emulator, standalone: `npm run emulator -- --port PORT --seed WORKSPACE_DIR` starts it on
 * 127.0.0.1, seeds one spreadsheet from WORKSPACE_DIR/register.xlsx and runs until killed.
 * GET /__emulator/state dumps everything; the other controls are listed in server.ts.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      seed: { type: 'string' },
      'no-quota': { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a port number, got "${values.port}"`);
  }
  const emulator = await startEmulator({ port, quotaPerMinute: values['no-quota'] ? false : 60 });
  console.log(`API root: ${emulator.apiRoot}`);
  if (values.seed) {
    const file = path.join(path.resolve(values.seed), 'register.xlsx');
    const id = await emulator.seedFromWorkbook(file);
    console.log(`Spreadsheet: ${id}`);
  }
  console.log(`State: ${emulator.apiRoot}__emulator/state`);
  const stop = () => {
    emulator.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`emulator: ${(error as Error).message}`);
  process.exit(1);
});
