/**
 * `npm run bench`, the Apps Script part: the size of appsscript/Code.js, and the Range reads and
 * writes of sync + pack counted by the Apps Script fakes (gas-fakes/). Kept apart from
 * bench/bench.ts because it is typed against Apps Script's services (test/gas/tsconfig.json).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { editTimes, syncAndPack } from '../gas-fakes/scale';
import { printTable } from './table';

/**
 * The Apps Script runtime: the size of appsscript/Code.js (built first if missing), and the Range
 * reads and writes of `milepostSync` then `milepostPack` on generated registers of 100, 1,000 and
 * 10,000 milestones (500 people), run in node:vm against the Apps Script fakes, which count every
 * service call (at zero virtual cost: calls, not time, are measured).
 */
function appsscriptSection() {
  const file = path.resolve('appsscript', 'Code.js');
  if (!fs.existsSync(file)) {
    const built = spawnSync(process.execPath, ['scripts/build-gas.mjs'], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:gas failed');
  }
  const bytes = fs.statSync(file).size;
  const out: string[][] = [];
  for (const milestones of [100, 1_000, 10_000]) {
    const t = performance.now();
    const { sync, pack, world } = syncAndPack(milestones, file);
    const wall = performance.now() - t;
    const docs = world.count('Docs.Documents.batchUpdate');
    out.push([
      milestones.toLocaleString('en-GB'),
      `${sync.reads} / ${sync.writes}`,
      `${pack.reads} / ${pack.writes}`,
      `${sync.getValues + pack.getValues} / ${sync.setValues + pack.setValues}`,
      `${docs} batchUpdate, ${world.count('MailApp.sendEmail')} sendEmail`,
      `${(wall / 1000).toFixed(1)} s`,
    ]);
  }
  const head = [
    'milestones',
    'sync: Range reads / writes',
    'pack: Range reads / writes',
    'getValues / setValues (both)',
    'pack: Docs and MailApp calls',
    'wall (node:vm, fakes)',
  ];
  printTable(
    `\nApps Script (appsscript/Code.js, ${bytes.toLocaleString('en-GB')} bytes = ${(bytes / 1024).toFixed(0)} KB; 500 people): sync, then pack, counted by the fakes`,
    head,
    out,
  );
  console.log(
    'Range reads (getValues, getNote…): one per tab, again per tab written (rows are found by key as they are\n' +
      'then) and a header row per tab appended to; writes (setValues, setNote…): one per column written and per\n' +
      'tab appended to — whatever the number of rows. The pack goes out in messages of at most 50 recipients\n' +
      "(MailApp's limit).",
  );
}

/**
 * The simple onEdit trigger on generated registers of 1,000 and 5,000 milestones (500 people),
 * a person setting one Status, at the costs of published measurements (gas-fakes/core.ts
 * PUBLISHED_COSTS: 50 ms a Range call, 50 µs a cell): virtual time, against the trigger's 30 s.
 */
function onEditSection() {
  const file = path.resolve('appsscript', 'Code.js');
  const out = [1_000, 5_000].map((milestones) => {
    const t = editTimes(milestones, file);
    return [
      milestones.toLocaleString('en-GB'),
      `${(t.free / 1000).toFixed(1)} s`,
      `${(t.contended / 1000).toFixed(1)} s (left to the next sync)`,
      String(t.reads),
    ];
  });
  const head = ['milestones', 'onEdit, lock free', 'onEdit, another run holds the lock', 'Range reads'];
  printTable(
    '\nApps Script onEdit (one Status set by hand; 500 people; published per-call and per-cell costs; a simple trigger has 30 s)',
    head,
    out,
  );
}

appsscriptSection();
onEditSection();
