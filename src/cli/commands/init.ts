import * as fs from 'node:fs/promises';
import sample from '../../../templates/sample/register.json';
import { SETTINGS, type TabName } from '../../core/layout';
import type { Cell } from '../../core/types';
import { writeFileAtomic } from '../../local/atomic';
import { ensureSecret } from '../../local/tokens';
import { createWorkbook, workbookBytes } from '../../local/workbook';
import { workspacePaths } from '../../local/workspace';
import { emitJson, type GlobalOptions, say, UsageError } from '../output';

export interface InitOptions extends GlobalOptions {
  sample?: boolean;
  force?: boolean;
}

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
    throw new UsageError(
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
  if (!hasResponses || opts.force) await writeFileAtomic(paths.responses, '');
  // The secret that signs personal links of the form server (kept across --force).
  await ensureSecret(paths.dir);
  return paths.register;
}

export async function initCommand(opts: InitOptions): Promise<number> {
  const file = await initWorkspace(opts.workspace, opts);
  say(`Created ${file}${opts.sample ? ' with the sample team' : ''}.`);
  if (!opts.sample)
    say(
      'Next: fill in Team, Priorities and Milestones, set "First meeting" in Settings, then run `milepost validate`.',
    );
  emitJson(opts, { register: file, sample: Boolean(opts.sample) });
  return 0;
}
