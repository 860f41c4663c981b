import { createRuntime } from '../../runtime';
import { emitJson, type GlobalOptions, plural } from '../output';
import { sayValidation } from '../report';

/** Checks the register and the responses; exit 1 when there are errors. */
export async function validateCommand(opts: GlobalOptions): Promise<number> {
  const { errors, warnings } = sayValidation(await createRuntime(opts).read());
  const error = errors.length
    ? {
        error: {
          code: 'register-errors',
          exit: 1,
          message: `The register has ${plural(errors.length, 'error')}: see "errors".`,
        },
      }
    : {};
  emitJson(opts, { ok: errors.length === 0, ...error, errors, warnings });
  return errors.length ? 1 : 0;
}
