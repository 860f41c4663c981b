/**
 * `npm run bench`: a generated register of 10,000 milestones, 500 people and 2,000 responses.
 * Prints the median time of the core planning alone (snapshot → sync + pack plan) and of
 * `sync` + `pack` end to end on the local backend (read the .xlsx, plan, write the pack, the
 * outbox and the workbook), and the peak memory of the process. Targets: core < 1 s,
 * end to end < 10 s. Then the Google backend's calls (see `googleSection`).
 *
 * The Apps Script part is bench/gas.ts (typed against Apps Script's services, so built and
 * checked apart from the Node code); `npm run bench` runs both.
 *
 * BENCH_MILESTONES and BENCH_RUNS change the local part; BENCH_LOCAL=0 or BENCH_GOOGLE=0
 * leave out one part; BENCH_GOOGLE_SIZES (default 100,1000,10000) picks the Google part's sizes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { respond } from '../emulator/respond';
import { type LogEntry, startEmulator } from '../emulator/server';
import { planPack, planSync } from '../src/core/cycle';
import type { Document } from '../src/core/document';
import type { TabName } from '../src/core/layout';
import { renderDocsRequests } from '../src/core/render-docs';
import type { Cell } from '../src/core/types';
import { packGoogle, runGoogle, setupGoogle, syncGoogle } from '../src/google/backend';
import { DOCS_BATCH_LIMITS } from '../src/google/pack';
import { runLocal } from '../src/local/backend';
import { packFiles, packLocation } from '../src/local/packs';
import { readResponses } from '../src/local/responses';
import { createWorkbook, readWorkbook } from '../src/local/workbook';
import { formatToLastRow } from './formatted';
import { generateRegister } from './generate';
import { serveRow } from './serve';
import { printTable } from './table';

const SIZE = {
  milestones: Number(process.env.BENCH_MILESTONES ?? 10_000),
  people: 500,
  responses: 2_000,
  seed: 42,
};
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The Google section's register sizes (BENCH_GOOGLE_SIZES=10000 for one of them). */
const GOOGLE_SIZES = (process.env.BENCH_GOOGLE_SIZES ?? '100,1000,10000').split(',').map(Number);
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
  if (process.env.BENCH_LOCAL !== '0') await localSection();
  if (process.env.BENCH_GOOGLE !== '0') await googleSection();
}

async function localSection() {
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
  const { plain, formatted } = await formattedSyncs(template, base);
  const serve = await serveRow(template, snapshot, SYNC_AT);
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
    ['sync end to end (local .xlsx)', `${median(plain).toFixed(0)} ms`, `${plain.length} runs`],
    [
      'sync, same register formatted to row 1,048,576',
      `${median(formatted).toFixed(0)} ms`,
      `${formatted.length} runs, ${(median(formatted) / median(plain)).toFixed(2)}x, target < 1.5x`,
    ],
    serve,
    ['peak memory (RSS)', `${peakMb.toFixed(0)} MB`, 'whole process'],
    ['changes applied / topics ranked', `${applied} / ${topics}`, ''],
    ['setup (generate + write .xlsx)', `${setup.toFixed(0)} ms`, 'not measured above'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`${'measure'.padEnd(w0)} | ${'median'.padEnd(w1)} | notes`);
  console.log(`${'-'.repeat(w0)}-|-${'-'.repeat(w1)}-|------`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c}`);
}

/**
 * `sync` on the register as generated and on the same register with Milestones, Updates and
 * Changes formatted down to the sheet's last row: reading must stop at the last value.
 */
async function formattedSyncs(
  template: string,
  base: string,
): Promise<{ plain: number[]; formatted: number[] }> {
  const formattedTemplate = path.join(base, 'formatted');
  fs.cpSync(template, formattedTemplate, { recursive: true });
  await formatToLastRow(path.join(formattedTemplate, 'register.xlsx'), ['Milestones', 'Updates', 'Changes']);
  const out = { plain: [] as number[], formatted: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, from] of [
      ['plain', template],
      ['formatted', formattedTemplate],
    ] as const) {
      const ws = path.join(base, `${kind}-${i}`);
      fs.cpSync(from, ws, { recursive: true });
      out[kind].push(
        await time(() =>
          runLocal(ws, 'sync', SYNC_AT, (read) => planSync(read.snapshot, read.responses, SYNC_AT)),
        ),
      );
      fs.rmSync(ws, { recursive: true, force: true });
    }
  }
  return out;
}

/** What one phase did on the emulator, from its request log. */
interface Calls {
  calls: number;
  writes: number;
  /** documents.batchUpdate calls. */
  docsWrites: number;
  /** Calls that had to wait for the one before: arrived at least one latency after it. */
  roundTrips: number;
  wall: number;
}

function callsOf(log: readonly LogEntry[], latency: number, wall: number): Calls {
  let roundTrips = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of log) {
    const t = Date.parse(e.time);
    if (t - last >= latency) roundTrips++;
    last = t;
  }
  return {
    calls: log.length,
    writes: log.filter((e) => e.kind === 'write').length,
    docsWrites: log.filter((e) => /^\/v1\/documents\/[^/]+:batchUpdate$/.test(e.path)).length,
    roundTrips,
    wall,
  };
}

/**
 * The naive job's Docs calls for a pack: read the document, clear it, then one call per
 * paragraph, heading, list or cut line and, for a table, one to insert it and one per row
 * (header included) — the cells of a row and their colours with that row.
 */
function naiveDocsCalls(doc: Document): number {
  let calls = 2 + 1 + (doc.subtitle ? 1 : 0);
  for (const b of doc.blocks) calls += b.type === 'table' ? 2 + b.rows.length : 1;
  return calls;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The Google backend: `sync`, then `pack` (sync again, build the pack Doc, circulate it by
 * Gmail, record its link), on registers of 100, 1,000 and 10,000 milestones (500 people) in the
 * Workspace emulator with 100 ms of latency per call and its 60-per-minute quotas, each run in
 * a fresh emulator; wall times are medians of 3 runs, 1 run for 10,000 milestones (to keep the
 * benchmark within a few minutes). Counted from the emulator's request log: calls, writes
 * (Sheets, Docs, Drive, Gmail together; Docs' own write calls apart) and sequential round trips
 * (a call arriving within one latency of the previous one would have run alongside it: none
 * does).
 *
 * The baseline is modelled, not run: a job that reads each tab, writes each changed cell and
 * appends each row with its own call, and writes the pack Doc block by block and row by row
 * (`naiveDocsCalls`); its Drive and Gmail calls are counted as ours.
 */
async function googleSection() {
  const LATENCY = 100;
  const out: string[][] = [];
  const limits: string[][] = [];
  const notes: string[] = [];
  let sequential = true;
  for (const milestones of GOOGLE_SIZES) {
    const runs = milestones >= 10_000 ? 1 : 3;
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
    const results: {
      sync: Calls;
      pack: Calls;
      naive: number;
      naiveWrites: number;
      requests: number;
      mb: number;
      metadata: number;
      packLength: number;
      recipients: number;
    }[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        // Google's per-minute quotas on (60 reads and 60 writes per minute per user): a run
        // that needed more would wait for them, and its wall time would show it.
        const emulator = await startEmulator();
        try {
          const id = await emulator.seedFromWorkbook(path.join(dir, 'register.xlsx'));
          emulator.latency(LATENCY);
          const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
          let t = performance.now();
          const synced = await runGoogle(id, (snapshot) => planSync(snapshot, raw, SYNC_AT), env);
          const sync = callsOf(emulator.log, LATENCY, performance.now() - t);
          const mark = emulator.log.length;
          t = performance.now();
          const packed = await packGoogle(id, raw, PACK_AT, env);
          const packLog = emulator.log.slice(mark);
          const pack = callsOf(packLog, LATENCY, performance.now() - t);
          const doc = packed.outcome.document!;
          const requests = renderDocsRequests(doc);
          // The naive job: each phase reads the 8 tabs and writes a call per cell and per row;
          // the Doc block by block; Drive and Gmail as ours. Each API has its own quota of 60
          // writes per minute per user: the busiest one sets the minutes.
          const sheetsWrites =
            synced.result.writes + synced.result.appends + packed.result.writes + packed.result.appends;
          const others = packLog.filter(
            (e) => !e.path.startsWith('/v4/') && !e.path.startsWith('/v1/documents'),
          );
          const docsCalls = naiveDocsCalls(doc);
          const used = emulator.metadataCharacters(id);
          const state = emulator.dump() as unknown as {
            documents: { text: string }[];
            messages: { to: string[]; cc: string[] }[];
          };
          results.push({
            metadata: Math.max(used.spreadsheet, ...Object.values(used.sheets)),
            packLength: Math.max(0, ...state.documents.map((d) => d.text.length)),
            recipients: Math.max(0, ...state.messages.map((m) => m.to.length + m.cc.length)),
            sync,
            pack,
            naive: 16 + sheetsWrites + others.length + docsCalls,
            naiveWrites: Math.max(sheetsWrites, docsCalls - 1),
            requests: requests.length,
            mb: Buffer.byteLength(JSON.stringify(requests)) / 1e6,
          });
        } finally {
          await emulator.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const r = results[0]!;
    sequential &&= results.every(
      (x) => x.sync.roundTrips === x.sync.calls && x.pack.roundTrips === x.pack.calls,
    );
    const med = (f: (x: (typeof results)[number]) => number) => median(results.map(f));
    out.push([
      milestones.toLocaleString('en-GB'),
      `${r.sync.calls} + ${r.pack.calls} (${r.sync.writes + r.pack.writes} writes)`,
      `${r.pack.docsWrites} (${r.requests.toLocaleString('en-GB')} requests, ${r.mb.toFixed(1)} MB)`,
      String(r.sync.roundTrips + r.pack.roundTrips),
      `${seconds(med((x) => x.sync.wall))} + ${seconds(med((x) => x.pack.wall))} (${runs === 1 ? '1 run' : `median of ${runs}`})`,
      `${r.naive.toLocaleString('en-GB')} calls, ≥ ${((r.naive * LATENCY) / 1000).toFixed(0)} s, ${Math.ceil(r.naiveWrites / 60)} min of write quota`,
    ]);
    limits.push([
      milestones.toLocaleString('en-GB'),
      r.metadata.toLocaleString('en-GB'),
      r.packLength.toLocaleString('en-GB'),
      String(r.recipients),
    ]);
    if (results.some((x) => x.sync.calls !== r.sync.calls || x.pack.calls !== r.pack.calls)) {
      notes.push(`${milestones}: call counts differ between runs`);
    }
  }
  const head = [
    'milestones',
    'API calls: sync + pack',
    'Docs batchUpdate calls',
    'sequential round trips',
    'wall, 100 ms/call: sync + pack',
    'naive row-by-row baseline (modelled)',
  ];
  printTable(
    '\nGoogle backend (Workspace emulator, 500 people): sync, then pack (sync + Doc + email + record)',
    head,
    out,
  );
  const { bytes, requests } = DOCS_BATCH_LIMITS;
  console.log(
    `${sequential ? 'Every call waited for the one before (round trips = calls). ' : ''}` +
      `One Docs batchUpdate carries at most ${bytes / 1e6} MB / ${requests.toLocaleString('en-GB')} requests;\n` +
      'Docs, like Sheets, allows 60 writes per minute per user. The baseline reads the tabs and writes each\n' +
      'cell and row with its own call, the Doc block by block and row by row; its minutes are those of the\n' +
      "busiest API's 60 writes per minute.",
  );
  for (const n of notes) console.log(n);
  printTable(
    "\nGoogle's limits after sync + pack (500 people): metadata characters in use on the spreadsheet or any one sheet (limit 30,000 each), the pack Doc's length (limit 1.02 million), the most recipients of any message (Gmail: 100)",
    [
      'milestones',
      'metadata characters (most on one sheet)',
      'pack Doc characters',
      'most recipients of a message',
    ],
    limits,
  );
  if (process.env.BENCH_INGESTION !== '0') await ingestionSection();
}

/**
 * Form-response ingestion on Google: 2,000 responses submitted through the update form in the
 * emulator (as people would, after setup built the form), then one sync that reads them with
 * the Forms API and applies them. Timed: the sync (no latency, quotas off: the CPU work).
 */
async function ingestionSection() {
  const rows: string[][] = [];
  for (const milestones of GOOGLE_SIZES) {
    const generated = generateRegister({ milestones, people: 500, responses: 2_000, seed: 42 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-bench-forms-'));
    const data = generated.tables as Partial<Record<TabName, Record<string, Cell>[]>>;
    await createWorkbook(data, 'Europe/London').xlsx.writeFile(path.join(dir, 'register.xlsx'));
    const emulator = await startEmulator({ quotaPerMinute: false });
    try {
      const id = await emulator.seedFromWorkbook(path.join(dir, 'register.xlsx'));
      const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
      await setupGoogle(id, 'bench', env);
      const lines = generated.responses.map((value, i) => ({ where: `response ${i + 1}`, value }));
      const answered = await respond({ apiRoot: emulator.apiRoot, spreadsheetId: id }, lines);
      const t = performance.now();
      const synced = await syncGoogle(id, { raw: [], problems: [] }, SYNC_AT, env);
      const wall = performance.now() - t;
      rows.push([
        milestones.toLocaleString('en-GB'),
        answered.submitted.length.toLocaleString('en-GB'),
        synced.responsesRead.toLocaleString('en-GB'),
        seconds(wall),
      ]);
    } finally {
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(
    '\nForm-response ingestion on Google (500 people, 2,000 answers through the form; target < 10 s at 10,000 milestones)',
    [
      'milestones',
      'answers submitted',
      'form responses read by the sync (an edited response counts once)',
      'sync wall time',
    ],
    rows,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
