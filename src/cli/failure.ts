/**
 * Every way a command can fail, as one paragraph for a person (stderr) and one JSON object for
 * a program (stdout with --json), each with a documented exit status (EXIT_CODES; README "Exit
 * status"). Only a failure nobody foresaw is an internal error (70), and only --debug shows its
 * stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommanderError } from 'commander';
import { RegisterError } from '../core/cycle';
import type { Problem } from '../core/types';
import { GoogleApiError, GoogleConfigError } from '../google/backend';
import { LoginError } from '../google/login';
import { NoWorkspaceError, PlanConflictError } from '../local/backend';
import { DeliveryError } from '../local/delivery';
import { WorkspaceExistsError } from '../local/init';
import { LockedError } from '../local/lock';
import { SmtpConfigError } from '../local/smtp';
import { RegisterChangedError } from '../local/workbook';
import { WorkbookUnreadableError } from '../local/xlsx/errors';
import { RuntimeChoiceError } from '../runtime';
import { ConfigError } from './config';
import { UsageError } from './output';

/** The exit statuses, as `milepost --help` and the README list them. */
export const EXIT_CODES = [
  { code: 0, meaning: 'success' },
  { code: 1, meaning: 'register errors: found by validate, or one that stops a run (nothing was changed)' },
  { code: 2, meaning: 'usage or configuration: an unknown command or option, a bad value, no workspace' },
  { code: 3, meaning: 'locked by another run or open in Excel/LibreOffice, or changed meanwhile: run again' },
  { code: 4, meaning: 'Google refused or failed (API error, login)' },
  {
    code: 5,
    meaning: 'done, but the register has errors (on stderr; the pack says "built with N register problems")',
  },
  { code: 65, meaning: 'register.xlsx is not a readable .xlsx workbook (empty, a CSV, a directory…)' },
  { code: 70, meaning: 'internal error: a bug in Milepost (--debug shows the stack trace)' },
  { code: 74, meaning: 'the file system refused: read-only, disk full, permission denied' },
  {
    code: 75,
    meaning: 'the mail server failed (MILEPOST_SMTP_*): what was not delivered goes out on the next run',
  },
] as const;

export const EXIT = {
  ok: 0,
  registerErrors: 1,
  usage: 2,
  conflict: 3,
  google: 4,
  ranWithRegisterErrors: 5,
  unreadable: 65,
  internal: 70,
  io: 74,
  mail: 75,
} as const;

export interface Where {
  file?: string;
  tab?: string;
  row?: number;
  column?: string;
}

/** A failure as both outputs show it. */
export interface Failure {
  /** Stable, for programs: 'register-unreadable', 'read-only', 'disk-full'… */
  code: string;
  exit: number;
  /** One paragraph: what failed, where, and what to do. */
  message: string;
  where?: Where;
  /** The register's problems behind exit 1 (or the rows behind a conflict). */
  problems?: Problem[];
  /** Whether the text output should add the stack trace hint (internal errors only). */
  internal?: boolean;
}

/** What the failing command was working on, to name files an error leaves unnamed. */
export interface FailureContext {
  /** The workspace's register.xlsx (local backend), when known. */
  register?: string;
  /** The workspace directory, when known. */
  workspace?: string;
}

/** File system error codes: exit 74 (EX_IOERR), or 65 when the register itself is not a file. */
const FS_CODES = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'EISDIR',
  'ENOTDIR',
  'ENOENT',
  'EEXIST',
  'ENOTEMPTY',
  'EMFILE',
  'ENFILE',
  'EIO',
  'ENAMETOOLONG',
  'ELOOP',
  'EBUSY',
  'ETXTBSY',
  'EXDEV',
  'ESTALE',
]);

type ErrnoError = NodeJS.ErrnoException & { code: string };

function isErrno(err: unknown): err is ErrnoError {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** The failure `err` is, for `milepost` to report. */
export function describeFailure(err: unknown, ctx: FailureContext = {}): Failure {
  return (
    knownFailure(err, ctx) ??
    unreadableRegister(err, ctx) ??
    fileSystemFailure(err, ctx) ?? {
      code: 'internal',
      exit: EXIT.internal,
      message: `internal error: ${err instanceof Error ? err.message : String(err)}`,
      internal: true,
    }
  );
}

/** Milepost's own errors: they already say what is wrong and what to do. */
function knownFailure(err: unknown, ctx: FailureContext): Failure | undefined {
  if (err instanceof CommanderError) {
    return { code: 'usage', exit: EXIT.usage, message: err.message.replace(/^error: /, '') };
  }
  if (err instanceof RegisterError) return registerFailure(err, ctx);
  const usage: [new (...a: never[]) => Error, string][] = [
    [UsageError, 'usage'],
    [RuntimeChoiceError, 'usage'],
    [ConfigError, 'config'],
    [GoogleConfigError, 'google-config'],
    [SmtpConfigError, 'smtp-config'],
    [NoWorkspaceError, 'no-workspace'],
    [WorkspaceExistsError, 'workspace-exists'],
  ];
  for (const [type, code] of usage)
    if (err instanceof type) return { code, exit: EXIT.usage, message: err.message };
  if (err instanceof LockedError)
    return { code: 'locked', exit: EXIT.conflict, message: err.message, where: { file: err.lockFile } };
  if (err instanceof RegisterChangedError)
    return { code: 'register-changed', exit: EXIT.conflict, message: err.message, ...file(ctx.register) };
  if (err instanceof PlanConflictError)
    return { code: 'conflict', exit: EXIT.conflict, message: err.message, problems: err.conflicts };
  if (err instanceof GoogleApiError)
    return { code: 'google-api', exit: EXIT.google, message: `Google API: ${err.message}` };
  if (err instanceof DeliveryError)
    return { code: 'mail-server', exit: EXIT.mail, message: err.message, ...file(err.left[0]) };
  if (err instanceof LoginError) return { code: 'login', exit: err.exitCode, message: err.message };
  if (isErrno(err) && err.syscall === 'listen') return listenFailure(err);
  return undefined;
}

const file = (f: string | undefined): { where?: Where } => (f ? { where: { file: f } } : {});

function registerFailure(err: RegisterError, ctx: FailureContext): Failure {
  const first = err.problems[0];
  const where: Where = {
    ...(ctx.register ? { file: ctx.register } : {}),
    ...(first?.tab ? { tab: first.tab } : {}),
    ...(first?.row !== undefined ? { row: first.row } : {}),
    ...(first?.column ? { column: first.column } : {}),
  };
  return {
    code: 'register-errors',
    exit: EXIT.registerErrors,
    message: `The register cannot be used as it is; nothing was changed. Fix ${err.problems.length === 1 ? 'this' : 'these'} in the register, then run again (\`milepost validate\` checks it):`,
    where,
    problems: err.problems,
  };
}

/** `serve` could not listen: the port is taken or not allowed; another --port or --host fixes it. */
function listenFailure(err: ErrnoError & { address?: string; port?: number }): Failure {
  const at = `${err.address ?? ''}${err.port !== undefined ? `:${err.port}` : ''}`;
  const why =
    err.code === 'EADDRINUSE'
      ? 'another program is already listening there'
      : err.code === 'EACCES'
        ? 'this user may not listen on that port (ports below 1024 need privileges)'
        : err.code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address'
          : err.message;
  return {
    code: 'cannot-listen',
    exit: EXIT.usage,
    message: `Cannot listen on ${at || 'that address'}: ${why}. Choose another --port (or --host).`,
  };
}

/** The register is not a workbook: the reader says so, or it is a directory. */
function unreadableRegister(err: unknown, ctx: FailureContext): Failure | undefined {
  let target: string | undefined;
  let detail: string | undefined;
  if (err instanceof WorkbookUnreadableError) {
    target = err.file;
    detail = err.message;
  } else if (err instanceof Error) {
    // The exceljs reader's wording, until every reader throws WorkbookUnreadableError.
    const m = /^(.*) could not be read as an \.xlsx workbook: ([\s\S]*)$/.exec(err.message);
    if (m) {
      target = m[1]!;
      detail = `${m[1]} is not a readable .xlsx workbook: ${firstLine(m[2]!)}`;
    } else if (isErrno(err) && err.code === 'EISDIR' && ctx.register && isDirectory(ctx.register)) {
      target = ctx.register;
      detail = `${ctx.register} is a directory, not an .xlsx workbook`;
    }
  }
  if (!target || !detail) return undefined;
  return {
    code: 'register-unreadable',
    exit: EXIT.unreadable,
    message:
      `${withStop(detail)} Milepost needs the register as an Excel workbook (.xlsx): save it as .xlsx from Excel ` +
      'or LibreOffice, restore it from a backup, or start a new one with `milepost init --force` (this replaces it). ' +
      'Nothing was written.',
    where: { file: target },
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const firstLine = (text: string) => text.split('\n')[0]!.trim();
const withStop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** A file system error: the path it names (or the workspace), what happened, what to do. */
function fileSystemFailure(err: unknown, ctx: FailureContext): Failure | undefined {
  if (!isErrno(err) || !FS_CODES.has(err.code)) return undefined;
  const at = err.path ? err.path : ctx.workspace ? `a file in the workspace ${ctx.workspace}` : 'a file';
  const dir = ctx.workspace ?? (err.path ? path.dirname(err.path) : 'the workspace');
  const doing =
    err.code === 'EROFS' || err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'write' : verb(err.syscall);
  const left = ctx.register
    ? 'register.xlsx is as it was before this run (Milepost replaces it last, in one step); run again once this is fixed.'
    : 'Run again once this is fixed.';
  const [code, message] = ((): [string, string] => {
    switch (err.code) {
      case 'EROFS':
        return [
          'read-only',
          `Cannot ${doing} ${at}: the file system is read-only. Milepost writes in the workspace (register.xlsx, outbox/, packs/, .milepost.lock): make ${dir} writable, or run on a writable copy of it. ${left}`,
        ];
      case 'EACCES':
      case 'EPERM':
        return [
          'permission-denied',
          `Cannot ${doing} ${at}: permission denied. Milepost needs to read and write the workspace ${dir} and the files in it: run as the user who owns them, or change their permissions (ls -l shows them). ${left}`,
        ];
      case 'ENOSPC':
      case 'EDQUOT':
      case 'EFBIG':
        return [
          'disk-full',
          `Cannot ${doing} ${at}: no space left on the device (or over the disk quota). Free some space where ${dir} is. ${left}`,
        ];
      default:
        return [
          'file-system',
          `Cannot ${doing} ${at}: ${errnoText(err)}. Check the workspace ${dir}. ${left}`,
        ];
    }
  })();
  return { code, exit: EXIT.io, message, ...file(err.path) };
}

/** 'no such file or directory' from "ENOENT: no such file or directory, mkdir '/x'". */
function errnoText(err: ErrnoError): string {
  return err.message
    .replace(/^[A-Z]+: /, '')
    .replace(/, \w+(?: '[^']*')?(?: -> '[^']*')?$/, '')
    .trim();
}

/** What the system call was doing, in words. */
function verb(syscall: string | undefined): string {
  if (!syscall) return 'use';
  if (/^(open|access|stat|lstat|scandir|readlink)$/.test(syscall)) return 'open';
  if (/^read/.test(syscall)) return 'read';
  if (/^(write|fsync|fdatasync|ftruncate|copyfile|link|symlink|chmod|fchmod|utime)/.test(syscall))
    return 'write';
  if (syscall === 'mkdir') return 'create the directory';
  if (syscall === 'rename') return 'replace';
  if (/^(unlink|rmdir|rm)$/.test(syscall)) return 'remove';
  return syscall;
}

/** The JSON error object printed on stdout with --json. */
export function failureJson(f: Failure, stack?: string): unknown {
  return {
    ok: false,
    error: {
      code: f.code,
      exit: f.exit,
      message: f.message,
      ...(f.where && Object.keys(f.where).length ? { where: f.where } : {}),
      ...(f.problems ? { problems: f.problems } : {}),
      ...(stack ? { stack } : {}),
    },
  };
}
