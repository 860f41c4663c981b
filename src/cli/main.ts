/**
 * `milepost`: the command-line shell of the local backend. Each command parses its options,
 * calls one phase of the core through the local backend, and reports.
 */
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_PORT } from '../local/server';
import { workspacePaths } from '../local/workspace';
import { backendOf } from '../runtime';
import { demoCommand } from './commands/demo';
import { initCommand } from './commands/init';
import { type LoginOptions, loginCommand, logoutCommand } from './commands/login';
import { packCommand } from './commands/pack';
import { requestCommand } from './commands/request';
import { runCommand } from './commands/run';
import { type ServeOptions, serveCommand } from './commands/serve';
import { setupCommand } from './commands/setup';
import { syncCommand } from './commands/sync';
import { validateCommand } from './commands/validate';
import { wrapUpCommand } from './commands/wrap-up';
import { readConfig, withConfig } from './config';
import { environmentHelp } from './environment';
import { describeFailure, EXIT_CODES, type FailureContext, failureJson } from './failure';
import { formatProblem, type GlobalOptions, jsonWasWritten, say, UsageError, writeJson } from './output';

function common(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--config <file>', 'options from a JSON file (default: ./milepost.config.json if present)'),
    )
    .addOption(new Option('-w, --workspace <dir>', 'workspace directory holding register.xlsx').default('.'))
    .addOption(new Option('--now <iso>', 'use a fixed clock, e.g. 2026-12-02T16:00:00Z (reproducible runs)'))
    .addOption(new Option('--json', 'print a machine-readable result on stdout'));
}

/** Options of the commands that can also read a Google Sheet register. */
function google(cmd: Command): Command {
  return common(cmd)
    .addOption(
      new Option('--backend <name>', 'where the register is: local (register.xlsx) or google').default(
        'local',
      ),
    )
    .addOption(new Option('--spreadsheet <id>', 'Google backend: the Sheet id (or MILEPOST_SPREADSHEET_ID)'))
    .addOption(new Option('--responses <file>', 'read update submissions from this JSONL file'));
}

/** The option of the commands that email (local backend: SMTP when MILEPOST_SMTP_HOST is set). */
const NO_SEND =
  'local backend: write the emails to outbox/ only and send none (the default without MILEPOST_SMTP_HOST)';

/** The option of the commands that write and send. */
const DRY_RUN =
  'show what would be sent (recipients, subjects) and written (cells, rows, the pack), and write and send nothing';

function example(cmd: Command, text: string): Command {
  return cmd.addHelpText('after', `\nExample:\n  ${text}\n`);
}

/** Fills the options the user did not give from the environment and milepost.config.json. */
function configured<T extends GlobalOptions & { config?: string }>(opts: T, cmd: Command): T {
  const { config } = readConfig(opts.config);
  const given = new Set(
    cmd.options.map((o) => o.attributeName()).filter((name) => cmd.getOptionValueSource(name) === 'cli'),
  );
  return withConfig(opts, given, config);
}

/** A command's action: runs `fn` on the configured options and exits with its code. */
type Act = <T extends GlobalOptions & { config?: string }>(
  fn: (opts: T) => Promise<number>,
) => (opts: T, cmd: Command) => Promise<void>;

/** The "Exit codes:" block of `milepost --help`. */
export function exitCodesHelp(): string {
  return `Exit codes:\n${EXIT_CODES.map((e) => `  ${String(e.code).padStart(2)}  ${e.meaning}`).join('\n')}`;
}

/** What a failure can name: the workspace and its register, once the options are known. */
export function failureContext(opts: {
  workspace?: string;
  backend?: string;
  responses?: string;
}): FailureContext {
  if (!opts.workspace) return {};
  const workspace = path.resolve(opts.workspace);
  let local = true;
  try {
    local = backendOf({ ...opts, workspace }) === 'local';
  } catch {
    // A bad --backend is reported by the command itself.
  }
  return local ? { workspace, register: workspacePaths(workspace).register } : {};
}

export function buildProgram(
  exit: (code: number) => void,
  seen: (opts: { workspace?: string; backend?: string }) => void = () => undefined,
): Command {
  const program = new Command('milepost')
    .description(
      'Milestone management for leadership teams: a register, weekly update requests, a sync, and a prioritised meeting pack.',
    )
    .version('0.1.0')
    .option('--debug', 'print the stack trace of a failure (for a bug report)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .addHelpText(
      'after',
      `
A week with the local backend (a workspace directory with register.xlsx):
  milepost init --sample -w team      create a workspace with a sample team
  milepost request -w team            email update requests (written to team/outbox)
  milepost sync -w team               compile team/responses.jsonl into the register
  milepost pack -w team               build team/packs/<date>.html and .md
  milepost wrap-up -w team            mark the meeting Held and send the key items
  milepost run -w team                whatever is due now (for cron)
  npx milepost demo                   the whole cycle on a sample team, with a fixed clock

With --json, stdout carries the result, or on any failure {"ok": false, "error": {"code",
"exit", "message", "where"}}; messages always go to stderr.

${exitCodesHelp()}

${environmentHelp()}`,
    );
  const act: Act =
    <T extends GlobalOptions & { config?: string }>(fn: (opts: T) => Promise<number>) =>
    async (opts: T, cmd: Command) => {
      seen(opts);
      const options = configured(opts, cmd);
      seen(options);
      exit(await fn(options));
    };

  addRegisterCommands(program, act);
  addCycleCommands(program, act);
  addLocalCommands(program, exit, seen);
  addLoginCommands(program, exit);
  for (const cmd of [program, ...program.commands]) hintAfterError(cmd);
  return program;
}

/**
 * A usage error is one line and where to read more, not the whole help:
 * "error: unknown option '--bogus' — see `milepost sync --help`".
 */
function hintAfterError(cmd: Command): void {
  const help = cmd.parent ? `milepost ${cmd.name()} --help` : 'milepost --help';
  cmd.configureOutput({
    outputError: (text, write) => {
      const [first = '', ...rest] = text.replace(/\n$/, '').split('\n');
      write(`${[`${first} — see \`${help}\``, ...rest].join('\n')}\n`);
    },
  });
}

/** The commands that make and check a register: init, setup, validate. */
function addRegisterCommands(program: Command, act: Act): void {
  example(
    common(
      program
        .command('init')
        .description('create a workspace: register.xlsx, responses.jsonl, outbox/, packs/'),
    ),
    'milepost init --sample --workspace team',
  )
    .option('--sample', 'fill the register with the sample team')
    .option('--force', 'replace an existing register')
    .action(act(initCommand));
  example(
    google(
      program
        .command('setup')
        .description(
          'Google backend: create the register in a new Sheet, or adopt and repair an existing one',
        ),
    ),
    'milepost setup --backend google --title "Leadership milestones"',
  )
    .option('--title <title>', 'title of a new spreadsheet', 'Milestone register')
    .action(act(setupCommand));
  example(
    google(
      program
        .command('validate')
        .description('check the register and responses; exit 1 when there are errors'),
    ),
    'milepost validate --backend google --spreadsheet 1AbC…xyz --json',
  ).action(act(validateCommand));
}

/** The commands of the weekly cycle: request, sync, pack, wrap-up, and run (whichever is due). */
function addCycleCommands(program: Command, act: Act): void {
  example(
    google(
      program
        .command('request')
        .description(
          'update requests (or reminders) for the next meeting: to outbox/, or on Google the form rebuilt and pre-filled links sent by Gmail',
        ),
    ),
    'milepost request --workspace team --now 2026-11-30T10:00:00Z   # or: --backend google --spreadsheet ID',
  )
    .option('--reminders', 'remind the owners who have not responded yet')
    .option('--dry-run', DRY_RUN)
    .option('--no-send', NO_SEND)
    .action(act(requestCommand));
  example(
    google(
      program
        .command('sync')
        .description(
          'apply the responses (responses.jsonl, or the Google Form) to the register, mark overdue milestones, refresh topics',
        ),
    ),
    'milepost sync --workspace team --json   # or: --backend google --spreadsheet ID --dry-run',
  )
    .option('--dry-run', 'show what the sync would change and write nothing')
    .action(act(syncCommand));
  example(
    google(
      program
        .command('pack')
        .description('sync, then build the meeting pack (packs/<date>.html and .md, or a Google Doc)'),
    ),
    'milepost pack --workspace team --now 2026-12-02T16:00:00Z --json',
  )
    .option('--dry-run', DRY_RUN)
    .option('--no-send', NO_SEND)
    .action(act(packCommand));
  example(
    google(
      program.command('wrap-up').description('after the meeting: mark it Held and send the key-items digest'),
    ),
    'milepost wrap-up --workspace team --meeting 2026-12-03',
  )
    .option('--meeting <date>', 'the meeting to wrap up, YYYY-MM-DD (default: every meeting that has ended)')
    .option('--dry-run', DRY_RUN)
    .option('--no-send', NO_SEND)
    .action(act(wrapUpCommand));
  example(
    google(
      program
        .command('run')
        .description('run whatever the schedule says is due now (requests, reminders, sync, pack, wrap-up)'),
    ),
    'milepost run --workspace team   # from cron, every 15 minutes; or: --backend google --spreadsheet ID',
  )
    .option('--dry-run', DRY_RUN)
    .option('--no-send', NO_SEND)
    .action(act(runCommand));
}

/** The local backend's form server and the demo (both use their options as given). */
function addLocalCommands(
  program: Command,
  exit: (code: number) => void,
  seen: (opts: { workspace?: string }) => void,
): void {
  example(
    program
      .command('serve')
      .description("local backend: serve each owner's update form at <Form base URL>/u/<token>")
      .addOption(
        new Option('-w, --workspace <dir>', 'workspace directory holding register.xlsx').default('.'),
      )
      .addOption(new Option('--port <n>', 'port to listen on').default(String(DEFAULT_PORT)))
      .addOption(
        new Option('--host <address>', 'address to bind (only this machine by default)').default('127.0.0.1'),
      ),
    `milepost serve --workspace team --port ${DEFAULT_PORT}`,
  ).action(async (opts: ServeOptions) => {
    seen(opts);
    exit(await serveCommand(opts));
  });
  example(
    common(
      program
        .command('demo')
        .argument('[dir]', 'where to create the demo workspace, as -w does (default: ./demo)')
        .description('run one whole cycle on a sample team with a fixed clock'),
    ),
    'milepost demo /tmp/milepost-demo   # or: milepost demo -w /tmp/milepost-demo',
  ).action(async (dir: string | undefined, opts: GlobalOptions, cmd: Command) => {
    const target = demoDirectory(dir, opts.workspace, cmd.getOptionValueSource('workspace') === 'cli');
    seen({ workspace: target });
    exit(await demoCommand(target, opts));
  });
}

/** Where the demo goes: [dir], or -w DIR (both: they must agree), else ./demo. */
export function demoDirectory(dir: string | undefined, workspace: string, workspaceGiven: boolean): string {
  if (dir !== undefined && workspaceGiven && path.resolve(dir) !== path.resolve(workspace))
    throw new UsageError(
      `demo was given two directories, ${dir} and -w ${workspace}: give one (milepost demo DIR, or milepost demo -w DIR).`,
    );
  return dir ?? (workspaceGiven ? workspace : 'demo');
}

/** The Google sign-in commands: login and logout. */
function addLoginCommands(program: Command, exit: (code: number) => void): void {
  example(
    program
      .command('login')
      .description(
        'Google backend: sign in with your Google account in a browser; the token is kept in your config directory',
      ),
    'milepost login --client-secret ~/Downloads/client_secret_123.apps.googleusercontent.com.json',
  )
    .requiredOption(
      '--client-secret <file>',
      'the OAuth client JSON ("Desktop app") downloaded from Google Cloud console',
    )
    .option('--no-browser', 'only print the URL to open, do not start a browser')
    .action(async (opts: LoginOptions) => exit(await loginCommand(opts)));
  program
    .command('logout')
    .description('remove the Google login stored by `milepost login`')
    .action(async () => exit(await logoutCommand()));
}

/** --json and --debug as typed: a usage error stops commander before it parses options. */
export function flagsOf(argv: string[]): { json: boolean; debug: boolean } {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const before = end === -1 ? args : args.slice(0, end);
  return { json: before.includes('--json'), debug: before.includes('--debug') };
}

export async function main(argv: string[]): Promise<number> {
  const flags = flagsOf(argv);
  let code = 0;
  let ctx: FailureContext = {};
  const program = buildProgram(
    (c) => {
      code = c;
    },
    (opts) => {
      ctx = failureContext(opts);
    },
  );
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Help and version exit 0.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    return reportFailure(err, ctx, flags);
  }
  if (code !== 0 && flags.json && !jsonWasWritten()) {
    writeJson({
      ok: false,
      error: {
        code: 'failed',
        exit: code,
        message: `milepost stopped with exit status ${code}; see stderr.`,
      },
    });
  }
  return code;
}

/** Says what failed (stderr; the stack only with --debug), prints the JSON error with --json; returns the exit status. */
export function reportFailure(
  err: unknown,
  ctx: FailureContext,
  flags: { json: boolean; debug: boolean },
): number {
  const failure = describeFailure(err, ctx);
  const stack = flags.debug && err instanceof Error ? err.stack : undefined;
  // Commander has already printed its own message and the usage.
  if (!(err instanceof CommanderError)) {
    const hint = failure.internal && !flags.debug ? ' (run again with --debug for the stack trace)' : '';
    say(`milepost: ${failure.message}${hint}`);
    if (failure.code === 'register-errors')
      for (const p of failure.problems ?? []) say(`  ${formatProblem(p)}`);
    if (stack) say(stack);
  }
  if (flags.json && !jsonWasWritten()) writeJson(failureJson(failure, stack));
  return failure.exit;
}
