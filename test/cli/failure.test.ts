/**
 * The mapping from an error to what `milepost` reports, for errors the end-to-end tests cannot
 * provoke on every machine: each file system errno built by hand, as Node would throw it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFailure, EXIT, EXIT_CODES, failureJson } from '../../src/cli/failure';
import { RegisterError } from '../../src/core/cycle';
import { readRegister } from '../../src/core/register';
import { WorkbookUnreadableError } from '../../src/local/xlsx/errors';
import { register } from '../core/builders';
import { tempDir } from './helpers';

/** A system error as Node's fs throws it (`path` absent for a write on an open file). */
function errno(code: string, syscall: string, file?: string): NodeJS.ErrnoException {
  const e = new Error(
    `${code}: something failed, ${syscall}${file ? ` '${file}'` : ''}`,
  ) as NodeJS.ErrnoException;
  e.code = code;
  e.errno = -1;
  e.syscall = syscall;
  if (file) e.path = file;
  return e;
}

const ws = '/srv/team';
const ctx = { workspace: ws, register: `${ws}/register.xlsx` };

describe('describeFailure', () => {
  it.each([
    ['EACCES', 'open', 'permission-denied'],
    ['EPERM', 'rename', 'permission-denied'],
    ['EROFS', 'open', 'read-only'],
    ['ENOSPC', 'write', 'disk-full'],
    ['EDQUOT', 'write', 'disk-full'],
    ['ENOTDIR', 'open', 'file-system'],
    ['EIO', 'read', 'file-system'],
  ])('%s (%s) is exit 74, %s, naming the file and the workspace', (code, syscall, expected) => {
    const f = describeFailure(errno(code, syscall, `${ws}/outbox/x.eml`), ctx);
    expect(f).toMatchObject({ exit: 74, code: expected, where: { file: `${ws}/outbox/x.eml` } });
    expect(f.message).toContain(`${ws}/outbox/x.eml`);
    expect(f.message).toContain(ws);
    expect(f.message).toContain('register.xlsx is as it was');
    expect(f.internal).toBeUndefined();
  });

  it('a write without a path (a full disk mid-write) names the workspace', () => {
    const f = describeFailure(errno('ENOSPC', 'write'), ctx);
    expect(f).toMatchObject({ exit: 74, code: 'disk-full' });
    expect(f.where).toBeUndefined();
    expect(f.message).toContain(`Cannot write a file in the workspace ${ws}: no space left on the device`);
  });

  it('EISDIR on the register that is a directory is exit 65; on another file, 74', () => {
    const dir = tempDir('isdir');
    fs.mkdirSync(path.join(dir, 'register.xlsx'));
    const onRegister = describeFailure(errno('EISDIR', 'read'), {
      workspace: dir,
      register: path.join(dir, 'register.xlsx'),
    });
    expect(onRegister).toMatchObject({
      exit: 65,
      code: 'register-unreadable',
      where: { file: path.join(dir, 'register.xlsx') },
    });
    expect(describeFailure(errno('EISDIR', 'read'), ctx)).toMatchObject({ exit: 74, code: 'file-system' });
  });

  it('a register that is no workbook is exit 65, whichever reader says so', () => {
    const file = `${ws}/register.xlsx`;
    const fromReader = describeFailure(new WorkbookUnreadableError(file, 'the file is empty'), ctx);
    expect(fromReader).toMatchObject({ exit: 65, code: 'register-unreadable', where: { file } });
    expect(fromReader.message).toContain(`${file} is not a readable .xlsx workbook: the file is empty.`);
    const exceljs = describeFailure(
      new Error(`${file} could not be read as an .xlsx workbook: Can't find end of central directory`),
      ctx,
    );
    expect(exceljs).toMatchObject({ exit: 65, code: 'register-unreadable', where: { file } });
  });

  it('a port already in use is a usage error naming the address', () => {
    const e = Object.assign(errno('EADDRINUSE', 'listen'), { address: '127.0.0.1', port: 8787 });
    const f = describeFailure(e, {});
    expect(f).toMatchObject({ exit: 2, code: 'cannot-listen' });
    expect(f.message).toContain('127.0.0.1:8787');
  });

  it('a register error names the file, tab, row and column of its first problem', () => {
    const problems = readRegister(register({}, { 'Cadence (weeks)': 0 })).problems.filter((p) => p.stopsRuns);
    expect(problems).toHaveLength(1);
    const f = describeFailure(new RegisterError(problems), ctx);
    expect(f).toMatchObject({
      exit: 1,
      code: 'register-errors',
      where: { file: ctx.register, tab: 'Settings', row: problems[0]!.row, column: 'Value' },
    });
    expect(f.problems).toEqual(problems);
  });

  it('anything else is an internal error (70), network errors included', () => {
    expect(describeFailure(new TypeError('x is undefined'), ctx)).toMatchObject({
      exit: 70,
      code: 'internal',
      message: 'internal error: x is undefined',
      internal: true,
    });
    expect(describeFailure(errno('ECONNRESET', 'read'), ctx)).toMatchObject({ exit: 70 });
    expect(describeFailure('a string', ctx)).toMatchObject({ exit: 70 });
  });

  it('every exit status is documented once, and the JSON error carries it', () => {
    const documented = EXIT_CODES.map((e) => e.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    for (const code of documented) expect(readme).toMatch(new RegExp(`^\\| ${code} \\| `, 'm'));
    expect(failureJson(describeFailure(errno('EROFS', 'open', '/x'), {}))).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'read-only', exit: 74, where: { file: '/x' } }),
    });
  });
});
