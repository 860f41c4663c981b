import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions } from '../output';
import { sayValidation } from '../report';

/** Checks the register and the responses; exit 1 when there are errors. */
export async function validateCommand(opts: GlobalOptions): Promise<number> {
  const { errors, warnings } = sayValidation(await createRuntime(opts).read());
  emitJson(opts, { ok: errors.length === 0, errors, warnings });
  return errors.length ? 1 : 0;
}
