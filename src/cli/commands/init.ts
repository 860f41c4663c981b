import { initWorkspace } from '../../local/init';
import { emitJson, type GlobalOptions, say } from '../output';

export interface InitOptions extends GlobalOptions {
  sample?: boolean;
  force?: boolean;
}

export async function initCommand(opts: InitOptions): Promise<number> {
  const file = await initWorkspace(opts.workspace, opts);
  say(`Created ${file}${opts.sample ? ' with the sample team' : ''}.`);
  if (opts.force) say('  responses.jsonl, outbox/ and packs/ were kept as they were.');
  if (!opts.sample)
    say(
      'Next: fill in Team, Priorities and Milestones, set "First meeting" in Settings, then run `milepost validate`.',
    );
  emitJson(opts, { register: file, sample: Boolean(opts.sample) });
  return 0;
}
