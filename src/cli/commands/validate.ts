import { planValidate } from '../../core/cycle';
import { readLocal } from '../../local/backend';
import { emitJson, type GlobalOptions, plural, say, sayProblems } from '../output';

export async function validateCommand(opts: GlobalOptions): Promise<number> {
  const read = await readLocal(opts.workspace);
  const { problems, register } = planValidate(read.snapshot);
  const all = [...problems, ...read.responseProblems];
  const errors = all.filter((p) => p.severity === 'error');
  const warnings = all.filter((p) => p.severity === 'warning');
  if (all.length) {
    say(`${read.paths.register}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}`);
    sayProblems(all);
  } else {
    say(
      `${read.paths.register}: OK — ${plural(register.milestones.length, 'milestone')}, ${plural(register.team.length, 'person', 'people')}, ${plural(register.meetings.length, 'meeting')}.`,
    );
  }
  emitJson(opts, { ok: errors.length === 0, errors, warnings });
  return errors.length ? 1 : 0;
}
