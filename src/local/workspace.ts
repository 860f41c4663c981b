/**
 * The local workspace: one directory holding everything the local backend reads and writes.
 *
 *   register.xlsx     the milestone register (docs/architecture.md §1)
 *   responses.jsonl   update submissions, one JSON object per line
 *   outbox/           one .eml file per email; the outbox is the send log
 *   packs/            rendered meeting packs
 *   .milepost.lock    held while a Milepost run changes the workspace
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface WorkspacePaths {
  dir: string;
  register: string;
  responses: string;
  outbox: string;
  packs: string;
  lock: string;
}

export const REGISTER_FILE = 'register.xlsx';
export const RESPONSES_FILE = 'responses.jsonl';
export const LOCK_FILE = '.milepost.lock';

export function workspacePaths(dir: string): WorkspacePaths {
  const root = path.resolve(dir);
  return {
    dir: root,
    register: path.join(root, REGISTER_FILE),
    responses: path.join(root, RESPONSES_FILE),
    outbox: path.join(root, 'outbox'),
    packs: path.join(root, 'packs'),
    lock: path.join(root, LOCK_FILE),
  };
}

/** Creates the workspace directory and its outbox and packs folders when missing. */
export async function ensureWorkspace(dir: string): Promise<WorkspacePaths> {
  const paths = workspacePaths(dir);
  await fs.mkdir(paths.outbox, { recursive: true });
  await fs.mkdir(paths.packs, { recursive: true });
  return paths;
}
