/** A new local workspace: the register from the layout (empty, or the sample team), the folders, the secret. */
import * as fs from 'node:fs/promises';
import sample from '../../templates/sample/register.json';
import { SETTINGS, type TabName } from '../core/layout';
import type { Cell } from '../core/types';
import { writeFileAtomic } from './atomic';
import { ensureSecret } from './tokens';
import { createWorkbook, workbookBytes } from './workbook';
import { workspacePaths } from './workspace';

/** The workspace already has a register, and replacing it was not asked for. */
export class WorkspaceExistsError extends Error {}

export function sampleData(): Partial<Record<TabName, Record<string, Cell>[]>> {
  return structuredClone(sample) as Partial<Record<TabName, Record<string, Cell>[]>>;
}

export function defaultData(): Partial<Record<TabName, Record<string, Cell>[]>> {
  return { Settings: SETTINGS.map((s) => ({ Setting: s.key, Value: s.value, About: s.about })) };
}

export async function initWorkspace(
  dir: string,
  opts: { sample?: boolean; force?: boolean },
): Promise<string> {
  const paths = workspacePaths(dir);
  await fs.mkdir(paths.dir, { recursive: true });
  const exists = await fs
    .access(paths.register)
    .then(() => true)
    .catch(() => false);
  if (exists && !opts.force) {
    throw new WorkspaceExistsError(
      `${paths.register} already exists; nothing was changed (use --force to replace it).`,
    );
  }
  const data = opts.sample ? sampleData() : defaultData();
  const tz = String(data.Settings?.find((s) => s.Setting === 'Time zone')?.Value ?? 'UTC');
  const workbook = createWorkbook(data, tz);
  await writeFileAtomic(paths.register, await workbookBytes(workbook));
  await fs.mkdir(paths.outbox, { recursive: true });
  await fs.mkdir(paths.packs, { recursive: true });
  const hasResponses = await fs
    .access(paths.responses)
    .then(() => true)
    .catch(() => false);
  // Confirmed answers are never thrown away: --force replaces the register, not responses.jsonl
  // (a new register ignores answers for milestones it does not have; sync says so).
  if (!hasResponses) await writeFileAtomic(paths.responses, '');
  // The secret that signs personal links of the form server (kept across --force).
  await ensureSecret(paths.dir);
  return paths.register;
}
