import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../src/core/types';
import { appendResponse, readResponses } from '../../src/local/responses';

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

  it('never interleaves lines appended by several processes at once', async () => {
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
    expect(raw).toHaveLength(60);
    expect(new Set(raw.map((r) => (r.value as Submission).responseId)).size).toBe(60);
  });
});
