import { startUpdateServer } from '../../local/server';
import { say, UsageError } from '../output';

export interface ServeOptions {
  workspace: string;
  port: string;
  host: string;
}

/** `milepost serve`: the update form server of the local backend, until interrupted. */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const port = Number(opts.port);
  if (!/^\d+$/.test(String(opts.port)) || port > 65_535) {
    throw new UsageError(`--port "${opts.port}" is not a port number (0–65535)`);
  }
  const running = await startUpdateServer({ workspace: opts.workspace, port, host: opts.host });
  say(`Update form server on ${running.url} for the workspace ${opts.workspace}.`);
  say(`Personal links look like ${running.url}/u/<token>; set "Form base URL" in Settings to this address.`);
  say('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  say('Stopped.');
  return 0;
}
