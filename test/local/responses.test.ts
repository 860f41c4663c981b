import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../src/core/types';
import { type AppendOptions, appendResponse, readResponses } from '../../src/local/responses';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-responses-'));
  file = path.join(dir, 'responses.jsonl');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function submission(id: string, padding = 0): Submission {
  return {
    responseId: id,
    submittedAt: '2026-12-02T10:00:00.000Z',
    email: 'ann@example.com',
    statuses: { 'M-0001': 'Might miss' },
    forecasts: { 'M-0001': '2026-12-24' },
    comments: { 'M-0001': 'ünïcode ✓ "quoted"\nsecond line' },
    wins: 'x'.repeat(padding),
    learnings: '',
    helpNeeded: '=1+1',
    helpFrom: '',
  };
}

describe('readResponses', () => {
  it('reads a missing file as no responses', async () => {
    expect(await readResponses(file)).toEqual({ raw: [], problems: [] });
  });

  it('returns one raw submission per line with its line number, skipping blank lines', async () => {
    await fs.writeFile(file, '{"responseId":"a"}\n\n   \n{"responseId":"b"}\n');
    expect(await readResponses(file)).toEqual({
      raw: [
        { where: 'responses.jsonl line 1', value: { responseId: 'a' } },
        { where: 'responses.jsonl line 4', value: { responseId: 'b' } },
      ],
      problems: [],
    });
  });

  it('reports a line that is not JSON by its number and still returns the other lines', async () => {
    await fs.writeFile(file, '{"responseId":"a"}\n{"responseId": "b",\n{"responseId":"c"}');
    const { raw, problems } = await readResponses(file);
    expect(raw.map((r) => r.where)).toEqual(['responses.jsonl line 1', 'responses.jsonl line 3']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      severity: 'error',
      tab: 'responses.jsonl',
      row: 2,
      expected: 'one JSON object per line',
    });
    expect(problems[0]!.message).toMatch(/^line 2 is not valid JSON: \S/);
  });

  it('accepts a UTF-8 byte order mark and CRLF line ends', async () => {
    await fs.writeFile(file, '\uFEFF{"responseId":"a","wins":"ü"}\r\n\r\n{"responseId":"b"}\r\n');
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw).toEqual([
      { where: 'responses.jsonl line 1', value: { responseId: 'a', wins: 'ü' } },
      { where: 'responses.jsonl line 3', value: { responseId: 'b' } },
    ]);
  });
});

describe('appendResponse', () => {
  it('appends one line per submission that reads back equal, creating the file', async () => {
    await appendResponse(file, submission('r1'));
    await appendResponse(file, submission('r2'));
    const text = await fs.readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    const { raw } = await readResponses(file);
    expect(raw.map((r) => r.value)).toEqual([submission('r1'), submission('r2')]);
  });

  it('starts on a new line when the file was saved without a final newline: no answer is glued to another', async () => {
    const typed = JSON.stringify(submission('by-hand'));
    await fs.writeFile(file, typed); // an editor saved the pasted line without a newline
    await appendResponse(file, submission('r1'));
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw.map((r) => (r.value as Submission).responseId)).toEqual(['by-hand', 'r1']);
  });

  it('keeps the next answer whole after a line torn by a failed append', async () => {
    const whole = JSON.stringify(submission('r0'));
    await fs.writeFile(file, `${whole}\n${whole.slice(0, 40)}`); // the disk filled mid-line
    await appendResponse(file, submission('r1'));
    const { raw, problems } = await readResponses(file);
    expect(raw.map((r) => (r.value as Submission).responseId)).toEqual(['r0', 'r1']);
    expect(problems.map((p) => p.row)).toEqual([2]);
  });

  it('never interleaves large lines appended concurrently in one process', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await Promise.all(ids.map((id) => appendResponse(file, submission(id, 100_000))));
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw.map((r) => (r.value as Submission).responseId).sort()).toEqual([...ids].sort());
    expect(raw.every((r) => (r.value as Submission).wins.length === 100_000)).toBe(true);
  });

  it('never interleaves lines appended by several processes at once, and ends a last line without a newline once', async () => {
    await fs.writeFile(file, JSON.stringify(submission('by-hand'))); // saved without a final newline
    const bundle = path.join(dir, 'append.mjs');
    await build({
      entryPoints: [path.resolve('src/local/responses.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    const script = (worker: number) => `
      const { appendResponse } = await import(${JSON.stringify(bundle)});
      const base = ${JSON.stringify(submission('x'))};
      await Promise.all(Array.from({ length: 15 }, (_, i) =>
        appendResponse(${JSON.stringify(file)}, { ...base, responseId: 'w${worker}-' + i, wins: 'w'.repeat(150000 + i) })));
    `;
    const codes = await Promise.all(
      [0, 1, 2, 3].map(
        (worker) =>
          new Promise<number | null>((resolve, reject) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script(worker)], {
              stdio: 'inherit',
            });
            child.on('error', reject);
            child.on('exit', resolve);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw).toHaveLength(61);
    expect(new Set(raw.map((r) => (r.value as Submission).responseId)).size).toBe(61);
    expect(await fs.readFile(file, 'utf8')).not.toContain('\n\n');
    await expect(fs.stat(`${file}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it('starts a file without a final newline on exactly one new line, however many append at once', async () => {
    const typed = JSON.stringify(submission('by-hand'));
    await fs.writeFile(file, typed);
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    await Promise.all(ids.map((id) => appendResponse(file, submission(id))));
    const text = await fs.readFile(file, 'utf8');
    // Not two appenders adding the newline (a blank line), nor none (a glued line).
    expect(text).not.toContain('\n\n');
    expect(text.split('\n')).toHaveLength(22);
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw.map((r) => (r.value as Submission).responseId).sort()).toEqual(['by-hand', ...ids].sort());
  });
});

/** A FileHandle whose write, sync or truncate are replaced (the real handle is passed on). */
type Hooks = Partial<
  Record<'write' | 'sync' | 'truncate', (real: fs.FileHandle, ...args: unknown[]) => Promise<unknown>>
>;
function hooked(hooks: Hooks, calls: string[] = []): NonNullable<AppendOptions['open']> {
  return async (f, flags) => {
    const real = await fs.open(f, flags);
    return new Proxy(real, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          const hook = hooks[prop as keyof Hooks];
          return hook ? hook(target, ...args) : value.apply(target, args);
        };
      },
    });
  };
}

function diskFull(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** The disk fills after half of the first write: that half is in the file, every later write fails. */
function fillsMidLine(onTorn: () => void = () => undefined, beforeTruncate?: Promise<unknown>): Hooks {
  let writes = 0;
  return {
    truncate: async (real, size) => {
      await beforeTruncate;
      return real.truncate(size as number);
    },
    write: async (real, buffer) => {
      if (writes++ > 0 || !Buffer.isBuffer(buffer)) throw diskFull();
      await real.write(buffer, 0, Math.floor(buffer.length / 2));
      onTorn();
      throw diskFull();
    },
  };
}

describe('appendResponse when the disk fails', () => {
  it('returns only after the line is flushed to disk (fsync after the write)', async () => {
    const calls: string[] = [];
    await appendResponse(file, submission('r1'), { open: hooked({}, calls) });
    const order = calls.filter((c) => ['write', 'sync', 'datasync', 'close'].includes(c));
    expect(order).toEqual(['write', 'sync', 'close']);
  });

  it('takes the bytes of an append that filled the disk back out: nothing torn is left, the next line reads whole', async () => {
    await appendResponse(file, submission('r0'));
    const before = await fs.readFile(file, 'utf8');
    await expect(appendResponse(file, submission('torn'), { open: hooked(fillsMidLine()) })).rejects.toThrow(
      /ENOSPC/,
    );
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    await appendResponse(file, submission('r1'));
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw.map((r) => (r.value as Submission).responseId)).toEqual(['r0', 'r1']);
  });

  it('records nothing when the fsync fails: the post was not confirmed', async () => {
    await appendResponse(file, submission('r0'));
    const before = await fs.readFile(file, 'utf8');
    const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    await expect(
      appendResponse(file, submission('lost'), {
        open: hooked({
          sync: async () => {
            throw eio;
          },
        }),
      }),
    ).rejects.toThrow(/EIO/);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it("never glues a line to another appender's torn line, whichever starts first", async () => {
    await appendResponse(file, submission('r0'));
    let bWriting!: () => void;
    const bReady = new Promise<void>((resolve) => {
      bWriting = resolve;
    });
    let tear!: () => void;
    const torn = new Promise<void>((resolve) => {
      tear = resolve;
    });
    // B has looked at the file's end and is about to write when A's write is torn by a full disk;
    // A takes its torn bytes back out only after B is done.
    const b = appendResponse(file, submission('b'), {
      open: hooked({
        write: async (real, ...args) => {
          bWriting();
          await Promise.race([torn, new Promise((resolve) => setTimeout(resolve, 200))]);
          return (real.write as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      }),
    });
    await bReady;
    const bDone = Promise.race([
      b.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 300)),
    ]);
    const a = appendResponse(file, submission('a'), { open: hooked(fillsMidLine(tear, bDone)) });
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('rejected');
    expect(rb.status).toBe('fulfilled');
    const { raw, problems } = await readResponses(file);
    expect(problems).toEqual([]);
    expect(raw.map((r) => (r.value as Submission).responseId)).toEqual(['r0', 'b']);
  });

  it('waits for another process holding the append lock, and takes over one left by a dead process', async () => {
    const lock = `${file}.lock`;
    await fs.writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, hostname: os.hostname() }));
    await appendResponse(file, submission('after-crash'));
    await expect(fs.stat(lock)).rejects.toThrow(/ENOENT/);
    // A live holder (this very process, as another would be): the append waits, then gives up.
    await fs.writeFile(lock, JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
    await expect(appendResponse(file, submission('blocked'), { lockTimeoutMs: 100 })).rejects.toThrow(
      /held by another process/,
    );
    await fs.rm(lock);
    const { raw } = await readResponses(file);
    expect(raw.map((r) => (r.value as Submission).responseId)).toEqual(['after-crash']);
  });
});
