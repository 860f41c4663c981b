import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/local/atomic';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a file, then replaces it whole, leaving no temporary file', async () => {
    const file = path.join(dir, 'pack.md');
    expect(await writeFileAtomic(file, 'first')).toBe(true);
    expect(await writeFileAtomic(file, Buffer.from('second, longer'))).toBe(true);
    expect(await fs.readFile(file, 'utf8')).toBe('second, longer');
    expect(await fs.readdir(dir)).toEqual(['pack.md']);
  });

  it('writes streamed chunks in order', async () => {
    const file = path.join(dir, 'big.txt');
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield `chunk ${i};`;
    }
    await writeFileAtomic(file, chunks());
    expect(await fs.readFile(file, 'utf8')).toBe('chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;');
  });

  it('leaves the original untouched and removes the temporary file when writing fails midway', async () => {
    const file = path.join(dir, 'register.xlsx');
    await fs.writeFile(file, 'original bytes');
    async function* failing() {
      yield 'half of the new';
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(file, failing())).rejects.toThrow('disk on fire');
    expect(await fs.readFile(file, 'utf8')).toBe('original bytes');
    expect(await fs.readdir(dir)).toEqual(['register.xlsx']);
  });

  it('removes the temporary file when the final rename fails', async () => {
    const target = path.join(dir, 'occupied');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual(['occupied']);
    expect(await fs.readdir(target)).toEqual(['inside']);
  });

  it('keeps the permissions of the file it replaces', async () => {
    const file = path.join(dir, 'private');
    await fs.writeFile(file, 'a');
    await fs.chmod(file, 0o600);
    await writeFileAtomic(file, 'b');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('with overwrite false, never replaces an existing file and reports it', async () => {
    const file = path.join(dir, 'sent.eml');
    expect(await writeFileAtomic(file, 'one', { overwrite: false })).toBe(true);
    expect(await writeFileAtomic(file, 'two', { overwrite: false })).toBe(false);
    expect(await fs.readFile(file, 'utf8')).toBe('one');
    expect(await fs.readdir(dir)).toEqual(['sent.eml']);
  });

  it('with overwrite false, exactly one of many concurrent writers wins', async () => {
    const file = path.join(dir, 'race.eml');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, `writer ${i}`, { overwrite: false })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await fs.readFile(file, 'utf8')).toBe(`writer ${results.indexOf(true)}`);
    expect(await fs.readdir(dir)).toEqual(['race.eml']);
  });
});
