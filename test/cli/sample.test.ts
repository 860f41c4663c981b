/**
 * The sample team (templates/sample) agrees with templates/layout.json and with itself: every
 * column and setting the layout names, responses inside the week the demo plays. A column added
 * to the layout without the sample following fails here, not in a newcomer's demo.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './helpers';

it('the sample register and responses pass scripts/check-sample.mjs', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'check-sample.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(run.stdout + run.stderr).toMatch(/templates\/sample is consistent/);
  expect(run.status).toBe(0);
});
