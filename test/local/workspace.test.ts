import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureWorkspace, workspacePaths } from '../../src/local/workspace';

describe('workspacePaths', () => {
  it('names every file of the workspace, from an absolute directory', () => {
    const root = path.resolve('some/space');
    expect(workspacePaths('some/space')).toEqual({
      dir: root,
      register: path.join(root, 'register.xlsx'),
      responses: path.join(root, 'responses.jsonl'),
      outbox: path.join(root, 'outbox'),
      packs: path.join(root, 'packs'),
      lock: path.join(root, '.milepost.lock'),
    });
  });

  it('ensureWorkspace creates the directory with its outbox and packs folders, and can run twice', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-ws-'));
    try {
      const dir = path.join(base, 'team');
      const paths = await ensureWorkspace(dir);
      await ensureWorkspace(dir);
      expect((await fs.readdir(dir)).sort()).toEqual(['outbox', 'packs']);
      expect(paths.dir).toBe(dir);
    } finally {
      await fs.rm(base, { recursive: true, force: true });
    }
  });
});
