/**
 * `npm run bench`: a generated register of 10,000 milestones, 500 people and 2,000 responses.
 * Prints the median time of the core planning alone (snapshot → sync + pack plan) and of
 * `sync` + `pack` end to end on the local backend (read the .xlsx, plan, write the pack, the
 * outbox and the workbook), and the peak memory of the process. Targets: core < 1 s,
 * end to end < 10 s.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { planPack, planSync } from '../src/core/cycle';
import type { TabName } from '../src/core/layout';
import type { Cell } from '../src/core/types';
import { runGoogle } from '../src/google/backend';
import { runLocal } from '../src/local/backend';
import { packFiles, packLocation } from '../src/local/packs';
import { readResponses } from '../src/local/responses';
import { createWorkbook, readWorkbook } from '../src/local/workbook';
import { startEmulator } from '../test/emulator/server';
import { generateRegister } from './generate';

const SIZE = {
  milestones: Number(process.env.BENCH_MILESTONES ?? 10_000),
  people: 500,
  responses: 2_000,
  seed: 42,
};
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SYNC_AT = '2026-12-02T12:00:00Z';
const PACK_AT = '2026-12-02T16:00:00Z';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main() {
  const started = performance.now();
  const generated = generateRegister(SIZE);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-bench-'));
  const template = path.join(base, 'template');
  fs.mkdirSync(template);
  const data = generated.tables as Partial<Record<TabName, Record<string, Cell>[]>>;
  await createWorkbook(data, 'Europe/London').xlsx.writeFile(path.join(template, 'register.xlsx'));
  fs.writeFileSync(
    path.join(template, 'responses.jsonl'),
    `${generated.responses.map((r) => JSON.stringify(r)).join('\n')}\n`,
  );
  const setup = performance.now() - started;

  const { snapshot } = await readWorkbook(path.join(template, 'register.xlsx'));
  const { raw } = await readResponses(path.join(template, 'responses.jsonl'));

  // The pack phase plans the sync first (responses, auto-miss, topics), then the pack:
  // its plan is the whole of "sync + pack" planning.
  const coreSync: number[] = [];
  const core: number[] = [];
  let topics = 0;
  let applied = 0;
  for (let i = 0; i < RUNS; i++) {
    coreSync.push(await time(() => (applied = planSync(snapshot, raw, SYNC_AT).applied.length)));
    core.push(
      await time(
        () => (topics = planPack(snapshot, raw, PACK_AT, (m) => `packs/${m.date}.html`).topics.length),
      ),
    );
  }

  const endToEnd: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ws = path.join(base, `run-${i}`);
    fs.cpSync(template, ws, { recursive: true });
    endToEnd.push(
      await time(async () => {
        await runLocal(ws, 'sync', SYNC_AT, (read) => planSync(read.snapshot, read.responses, SYNC_AT));
        await runLocal(
          ws,
          'pack',
          PACK_AT,
          (read) => planPack(read.snapshot, read.responses, PACK_AT, (m) => packLocation(m.date)),
          packFiles,
        );
      }),
    );
    fs.rmSync(ws, { recursive: true, force: true });
  }
  const peakMb = process.resourceUsage().maxRSS / 1024;
  fs.rmSync(base, { recursive: true, force: true });

  const rows: [string, string, string][] = [
    ['register', `${SIZE.milestones} milestones, ${SIZE.people} people, ${SIZE.responses} responses`, ''],
    ['core planning: sync', `${median(coreSync).toFixed(0)} ms`, `${coreSync.length} runs`],
    ['core planning: sync + pack', `${median(core).toFixed(0)} ms`, `${core.length} runs, target < 1000 ms`],
    [
      'sync + pack end to end (local .xlsx)',
      `${median(endToEnd).toFixed(0)} ms`,
      `${endToEnd.length} runs, target < 10000 ms`,
    ],
    ['peak memory (RSS)', `${peakMb.toFixed(0)} MB`, 'whole process'],
    ['changes applied / topics ranked', `${applied} / ${topics}`, ''],
    ['setup (generate + write .xlsx)', `${setup.toFixed(0)} ms`, 'not measured above'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`${'measure'.padEnd(w0)} | ${'median'.padEnd(w1)} | notes`);
  console.log(`${'-'.repeat(w0)}-|-${'-'.repeat(w1)}-|------`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c}`);
  if (process.env.BENCH_GOOGLE !== '0') await googleSection();
}

/**
 * The Google backend: a sync on registers of 100, 1,000 and 10,000 milestones in the Workspace
 * emulator with 100 ms of latency per call. The baseline is modelled, not run: a job that reads
 * each tab, then writes each changed cell and appends each row with its own call.
 */
async function googleSection() {
  const LATENCY = 100;
  const out: string[][] = [];
  for (const milestones of [100, 1_000, 10_000]) {
    const generated = generateRegister({
      milestones,
      people: 500,
      responses: Math.min(2_000, milestones),
      seed: 42,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-bench-google-'));
    const data = generated.tables as Partial<Record<TabName, Record<string, Cell>[]>>;
    await createWorkbook(data, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));
    const raw = generated.responses.map((value, i) => ({ where: `response ${i + 1}`, value }));
    const emulator = await startEmulator({ quotaPerMinute: false });
    try {
      const id = await emulator.seedFromWorkbook(path.join(dir, 'register.xlsx'));
      emulator.latency(LATENCY);
      const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot };
      const t = performance.now();
      const run = await runGoogle(id, (snapshot) => planSync(snapshot, raw, SYNC_AT), env);
      const wall = performance.now() - t;
      const calls = emulator.log.length;
      const writes = emulator.log.filter((e) => e.kind === 'write').length;
      const naive = 8 + run.result.writes + run.result.appends;
      out.push([
        String(milestones),
        `${calls} (${writes} writes)`,
        String(calls),
        `${(wall / 1000).toFixed(1)} s`,
        `${naive} calls, ≥ ${((naive * LATENCY) / 1000).toFixed(0)} s, ${Math.ceil(naive / 60)} min of write quota`,
      ]);
    } finally {
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const head = [
    'milestones',
    'API calls (sync)',
    'sequential round trips',
    'wall, 100 ms/call',
    'naive row-by-row baseline (modelled)',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...out.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log('\nGoogle backend (Workspace emulator): sync; the pack joins when the Docs adapter lands');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of out) console.log(line(r));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
