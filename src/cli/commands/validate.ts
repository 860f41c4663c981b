import { planValidate } from '../../core/cycle';
import { emitJson, type GlobalOptions, plural, say, sayProblems } from '../output';
import { readSource } from '../source';

export async function validateCommand(opts: GlobalOptions): Promise<number> {
  const read = await readSource(opts);
  const { problems, register } = planValidate(read.snapshot);
  const all = [...problems, ...read.responseProblems];
  const errors = all.filter((p) => p.severity === 'error');
  const warnings = all.filter((p) => p.severity === 'warning');
  if (all.length) {
    say(`${read.label}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}`);
    sayProblems(all);
  } else {
    say(
      `${read.label}: OK — ${plural(register.milestones.length, 'milestone')}, ${plural(register.team.length, 'person', 'people')}, ${plural(register.meetings.length, 'meeting')}.`,
    );
  }
  emitJson(opts, { ok: errors.length === 0, errors, warnings });
  return errors.length ? 1 : 0;
}
