import { flagsOf, main } from './cli/main';

/** The last resort: main reports every failure itself; this only runs if reporting failed too. */
function lastResort(err: unknown): void {
  const { json, debug } = flagsOf(process.argv);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `milepost: internal error: ${message}${debug ? `\n${err instanceof Error ? err.stack : ''}` : ' (run again with --debug for the stack trace)'}\n`,
  );
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: { code: 'internal', exit: 70, message: `internal error: ${message}` } }, null, 2)}\n`,
    );
  }
  process.exitCode = 70;
}

// An error no promise was waiting for (a callback, a stray rejection): reported the same way, then exit.
const fatal = (err: unknown) => {
  lastResort(err);
  process.exit(70);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

main(process.argv).then((code) => {
  process.exitCode = code;
}, lastResort);
