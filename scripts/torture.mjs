#!/usr/bin/env node
// Crash and concurrency torture test of the local backend (plain Node, no dependencies):
//
//   node scripts/torture.mjs [--sync-kills 60] [--pack-kills 30] [--posts 45] [--json] [--seed N]
//
// 1. kill -9 during `sync`: each run copies a prepared workspace, starts `sync`, SIGKILLs it after
//    a random delay in [0, T] (T: median of 3 uninterrupted syncs), checks the register still
//    opens (validate exits 0/1, openpyxl loads it), lists leftover temp/lock files, runs `sync`
//    again and compares the register with an uninterrupted run (Updates, Changes, every tab).
// 2. kill -9 during `pack` (after a completed sync): the same, plus the pack files are absent or
//    complete and the outbox ends with exactly one pack email.
// 3. Concurrent form posts while `sync` runs in a loop: `serve` on a free port, K posts from the
//    team (several each, distinct content), then a final sync; every confirmed post is in
//    responses.jsonl once, recorded in Updates once (or replaced by the same person's later
//    post), applied to Milestones, and responses.jsonl holds only whole JSON lines.
//
// Prints a table (with --json: a JSON summary on stdout, the table on stderr) and exits 1 on any
// corruption, loss, duplication, divergence or failed re-run; 2 when it could not run at all.
// The register is read with /usr/bin/python3 + openpyxl (an independent reader), or with the
// project's own exceljs when openpyxl is missing. Run `npm run build` first (or pass --build).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI the runs start: a snapshot of bin/ and dist/cli.js taken at the start (see snapshotCli). */
let BIN = path.join(ROOT, 'bin', 'milepost.js');
const SYNC_NOW = '2026-12-02T12:00:00Z';
const PACK_NOW = '2026-12-02T16:00:00Z';
const SCENARIOS = ['sync', 'pack', 'serve'];

// ---------- options ----------

const USAGE = `Usage: node scripts/torture.mjs [options]
  --sync-kills N       kill -9 runs during sync (default 60)
  --pack-kills M       kill -9 runs during pack (default 30)
  --posts K            concurrent form posts during the sync loop (default 45)
  --only LIST          scenarios to run, comma-separated: ${SCENARIOS.join(',')} (default all)
  --seed S             seed of the kill delays (default: random, printed)
  --kill-from F        draw delays in [F*T, T] instead of [0, T] (0 <= F < 1; default 0)
  --at-write           kill in the write window instead: a random 0..W ms after the run's first
                       temporary file appears (W: first temp file to register rename, measured)
  --strict-temp        also fail when a kill leaves temporary files that the re-run does not remove
  --post-window-ms MS  spread the posts over this window (default max(5000, 5 x sync time))
  --workdir DIR        where the workspaces go (default: a new directory in the temp dir)
  --keep               keep every workspace (failed runs' workspaces are always kept)
  --build              run \`npm run build --silent\` first
  --json               print the summary as JSON on stdout (the table goes to stderr)
  --verbose            one line per run
  -h, --help           this help`;

function parseArgs(argv) {
  const o = {
    syncKills: 60,
    packKills: 30,
    posts: 45,
    only: [...SCENARIOS],
    seed: Math.floor(Math.random() * 2 ** 31),
    killFrom: 0,
    atWrite: false,
    strictTemp: false,
    postWindowMs: undefined,
    workdir: undefined,
    keep: false,
    build: false,
    json: false,
    verbose: false,
  };
  const ints = {
    '--sync-kills': 'syncKills',
    '--pack-kills': 'packKills',
    '--posts': 'posts',
    '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const int = (v) => {
      if (!/^\d+$/.test(v)) usage(`${a} "${v}" is not a whole number`);
      return Number(v);
    };
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (ints[a]) o[ints[a]] = int(value());
    else if (a === '--only') {
      o.only = value().split(',').filter(Boolean);
      for (const s of o.only) if (!SCENARIOS.includes(s)) usage(`unknown scenario "${s}"`);
    } else if (a === '--kill-from') {
      o.killFrom = Number(value());
      if (!(o.killFrom >= 0 && o.killFrom < 1)) usage('--kill-from must be in [0, 1)');
    } else if (a === '--post-window-ms') o.postWindowMs = int(value());
    else if (a === '--workdir') o.workdir = path.resolve(value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--at-write') o.atWrite = true;
    else if (a === '--strict-temp') o.strictTemp = true;
    else if (a === '--build') o.build = true;
    else if (a === '--json') o.json = true;
    else if (a === '--verbose') o.verbose = true;
    else usage(`unknown option ${a}`);
  }
  return o;
}

function usage(message) {
  process.stderr.write(`torture: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = (line) => process.stderr.write(`${line}\n`);
const vlog = (line) => opts.verbose && log(line);

/** Seeded random numbers in [0, 1) (mulberry32): the same seed draws the same delays. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A sleep that does not keep the process alive (for races with a process exit). */
const sleepUnref = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

// ---------- running the CLI ----------

/** Runs `milepost <args>` to completion. */
function run(args, timeoutMs = 120_000) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/**
 * Starts `milepost <args>` and SIGKILLs it `delayMs` later (unless it exited first): later than
 * its start, or with `atWriteIn` (the workspace), than the first temporary file it creates there.
 */
function runKilled(args, delayMs, atWriteIn) {
  return new Promise((resolve) => {
    const started = performance.now();
    let exited = false;
    let timer;
    let triggeredAt;
    const watchers = [];
    const arm = () => {
      timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, delayMs);
    };
    if (atWriteIn) {
      for (const d of ['', 'packs', 'outbox']
        .map((sub) => path.join(atWriteIn, sub))
        .filter((x) => fs.existsSync(x))) {
        watchers.push(
          fs.watch(d, (_type, name) => {
            if (triggeredAt !== undefined || !name?.endsWith('.tmp')) return;
            triggeredAt = performance.now() - started;
            arm();
          }),
        );
      }
    }
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    if (!atWriteIn) arm();
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      resolve({
        code,
        signal,
        stderr,
        ms: performance.now() - started,
        killed: signal === 'SIGKILL',
        triggeredAt,
      });
    });
  });
}

const syncArgs = (dir, now = SYNC_NOW) => ['sync', '-w', dir, ...(now ? ['--now', now] : []), '--json'];
const packArgs = (dir) => ['pack', '-w', dir, '--now', PACK_NOW, '--json'];

// ---------- reading the register ----------

const PY_DUMP = `
import sys, json, datetime
try:
    import openpyxl
except Exception as e:
    print(json.dumps({"ok": False, "noReader": True, "error": "openpyxl: %s" % e})); sys.exit(0)
def v(x):
    if isinstance(x, (datetime.datetime, datetime.date, datetime.time)): return x.isoformat()
    if isinstance(x, datetime.timedelta): return "timedelta:%s" % x.total_seconds()
    return x
out = []
for f in sys.argv[1:]:
    try:
        wb = openpyxl.load_workbook(f)
        out.append({"ok": True, "sheets": {ws.title: [[v(c) for c in r] for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}})
    except Exception as e:
        out.append({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
print(json.dumps(out, default=str))
`;

let reader;

/** Chooses the register reader: openpyxl under /usr/bin/python3 (or $MILEPOST_PYTHON), else exceljs. */
async function chooseReader() {
  const candidates = [process.env.MILEPOST_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import openpyxl; print(openpyxl.__version__)'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return { name: `openpyxl ${probe.stdout.trim()} (${python})`, python };
  }
  const { default: ExcelJS } = await import('exceljs');
  return { name: 'exceljs (openpyxl not found)', ExcelJS };
}

/** Trims trailing rows that hold nothing (formatting-only rows). */
function trimRows(rows) {
  const out = rows.map((r) => r.map((c) => (c === undefined ? null : c)));
  while (out.length && out[out.length - 1].every((c) => c === null || c === '')) out.pop();
  return out;
}

/** Every tab of each workbook as rows of values: { ok, sheets } or { ok: false, error }. */
async function readRegisters(files) {
  if (reader.python) {
    const r = spawnSync(reader.python, ['-c', PY_DUMP, ...files], { encoding: 'utf8', maxBuffer: 256 << 20 });
    let parsed;
    try {
      parsed = JSON.parse(r.stdout);
    } catch {
      return files.map(() => ({ ok: false, error: `reader failed: ${r.stderr.trim().slice(-500)}` }));
    }
    return parsed.map((d) =>
      d.ok
        ? { ok: true, sheets: Object.fromEntries(Object.entries(d.sheets).map(([k, v]) => [k, trimRows(v)])) }
        : d,
    );
  }
  return Promise.all(files.map(readWithExcelJs));
}

async function readWithExcelJs(file) {
  try {
    const wb = new reader.ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheets = {};
    wb.eachSheet((ws) => {
      const rows = [];
      for (let r = 1; r <= ws.rowCount; r++) {
        const values = ws.getRow(r).values.slice(1);
        rows.push(
          values.map((c) =>
            c instanceof Date ? c.toISOString() : c && typeof c === 'object' ? JSON.stringify(c) : c,
          ),
        );
      }
      sheets[ws.name] = trimRows(rows);
    });
    return { ok: true, sheets };
  } catch (error) {
    return { ok: false, error: `${error.name}: ${error.message}` };
  }
}

const readRegister = async (file) => (await readRegisters([file]))[0];

/** The data rows of a tab (not the header, not empty rows), as JSON strings. */
function rowsOf(dump, sheet) {
  const rows = dump.sheets[sheet] ?? [];
  return rows
    .slice(1)
    .filter((r) => r.some((c) => c !== null && c !== ''))
    .map((r) => JSON.stringify(r));
}

/** The rows of `rows` missing from `base`, and those beyond `base`'s count (multisets). */
function multisetDiff(base, rows) {
  const count = new Map();
  for (const r of base) count.set(r, (count.get(r) ?? 0) + 1);
  const extra = [];
  for (const r of rows) {
    const n = count.get(r) ?? 0;
    if (n > 0) count.set(r, n - 1);
    else extra.push(r);
  }
  const missing = [...count.entries()].flatMap(([r, n]) => Array(n).fill(r));
  return { missing, extra };
}

/** Rows appearing more than once. */
function duplicates(rows) {
  const seen = new Map();
  for (const r of rows) seen.set(r, (seen.get(r) ?? 0) + 1);
  return [...seen.entries()].filter(([, n]) => n > 1).map(([r, n]) => ({ row: r, times: n }));
}

function columnOf(dump, sheet, name) {
  return (dump.sheets[sheet]?.[0] ?? []).indexOf(name);
}

/** Updates rows as their identity (Response ID, Email, Received). */
function updateKeys(dump) {
  const header = dump.sheets.Updates?.[0] ?? [];
  const [id, email, received] = ['Response ID', 'Email', 'Received'].map((h) => header.indexOf(h));
  return rowsOf(dump, 'Updates').map((r) => {
    const row = JSON.parse(r);
    return JSON.stringify([row[id], row[email], row[received]]);
  });
}

const sameSheet = (a, b, sheet) => JSON.stringify(a.sheets[sheet]) === JSON.stringify(b.sheets[sheet]);
const sameDump = (a, b) => JSON.stringify(a.sheets) === JSON.stringify(b.sheets);

/**
 * Compares a register with an uninterrupted run's: Updates and Changes rows missing (lost) or
 * extra (duplicated), Response IDs, and which other tabs differ.
 */
function compareWithBaseline(dump, base) {
  const updates = multisetDiff(rowsOf(base, 'Updates'), rowsOf(dump, 'Updates'));
  const changes = multisetDiff(rowsOf(base, 'Changes'), rowsOf(dump, 'Changes'));
  const idCol = columnOf(dump, 'Updates', 'Response ID');
  const ids = (d) => rowsOf(d, 'Updates').map((r) => JSON.parse(r)[idCol]);
  const baseIds = new Set(ids(base));
  const gotIds = new Set(ids(dump));
  const otherTabs = [...new Set([...Object.keys(base.sheets), ...Object.keys(dump.sheets)])].filter(
    (s) => s !== 'Updates' && s !== 'Changes' && !sameSheet(dump, base, s),
  );
  return {
    updatesMissing: updates.missing,
    updatesExtra: updates.extra,
    updatesDuplicateKeys: duplicates(updateKeys(dump)),
    changesMissing: changes.missing,
    changesExtra: changes.extra,
    changesDuplicateRows: duplicates(rowsOf(dump, 'Changes')),
    responseIdsMissing: [...baseIds].filter((x) => !gotIds.has(x)),
    responseIdsExtra: [...gotIds].filter((x) => !baseIds.has(x)),
    otherTabsDiffer: otherTabs,
    tabDiffs: otherTabs.map((s) => tabDiff(base, dump, s)),
  };
}

/** The first few differing rows of a tab, for the report. */
function tabDiff(base, dump, sheet) {
  const a = base.sheets[sheet] ?? [];
  const b = dump.sheets[sheet] ?? [];
  const rows = [];
  for (let i = 0; i < Math.max(a.length, b.length) && rows.length < 5; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) rows.push({ row: i + 1, expected: a[i], got: b[i] });
  }
  return { sheet, rowsExpected: a.length, rowsGot: b.length, first: rows };
}

// ---------- workspaces ----------

const TEMP_NAME = /\.tmp$|\.stale$|^\.milepost\.lock$|\.jsonl\.lock$/;

/** Temporary and lock files anywhere in the workspace (relative paths). */
function leftovers(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => TEMP_NAME.test(path.basename(f)));
}

let workRoot;
let counter = 0;
function freshCopy(template, label) {
  const dir = path.join(workRoot, `${label}-${String(++counter).padStart(4, '0')}`);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

function removeDir(dir) {
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
}

async function mustRun(args, what) {
  const r = await run(args);
  if (r.code !== 0)
    throw new Error(`${what} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr.trim()}`);
  return r;
}

/** The prepared workspaces: `sample` (init --sample + the sample responses) and `synced` (after a sync). */
async function prepare() {
  const sample = path.join(workRoot, 'template-sample');
  await mustRun(['init', '--sample', '-w', sample], 'init --sample');
  fs.copyFileSync(
    path.join(ROOT, 'templates', 'sample', 'responses.jsonl'),
    path.join(sample, 'responses.jsonl'),
  );
  const synced = path.join(workRoot, 'template-synced');
  fs.cpSync(sample, synced, { recursive: true });
  await mustRun(syncArgs(synced), 'sync of the template');
  return { sample, synced };
}

/** Median duration of 3 uninterrupted runs (each on a fresh copy), and the copies' end states. */
async function timeRuns(template, args, label) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const dir = freshCopy(template, `${label}-timing`);
    const events = watchWrites(dir);
    const r = await mustRun(args(dir), `uninterrupted ${label}`);
    runs.push({ dir, ms: r.ms, events: events.stop() });
  }
  const at = (key) => {
    const xs = runs.map((r) => r.events[key]).filter((x) => x !== undefined);
    return xs.length ? Math.round(median(xs)) : undefined;
  };
  return {
    median: median(runs.map((r) => r.ms)),
    runs,
    window: {
      lock: at('lock'),
      firstTemp: at('firstTemp'),
      lastTemp: at('lastTemp'),
      register: at('register'),
    },
  };
}

/**
 * When a run touches its workspace, in ms from now (inotify, approximate): the workspace lock
 * taken, the first and last temporary file, the register renamed into place.
 */
function watchWrites(dir) {
  const t0 = performance.now();
  const events = {};
  const watchers = ['', 'packs', 'outbox']
    .map((sub) => path.join(dir, sub))
    .filter((d) => fs.existsSync(d))
    .map((d) =>
      fs.watch(d, (_type, name) => {
        const t = performance.now() - t0;
        if (!name) return;
        if (name === '.milepost.lock') events.lock ??= t;
        if (name.endsWith('.tmp')) {
          events.firstTemp ??= t;
          events.lastTemp = t;
        }
        if (name === 'register.xlsx') events.register = t;
      }),
    );
  return {
    stop() {
      for (const w of watchers) w.close();
      return events;
    },
  };
}

/**
 * A copy of the built CLI (bin/milepost.js, dist/cli.js) in the work directory, with links to
 * the checkout's node_modules and templates: a rebuild of dist/ while the torture runs (others
 * working in the checkout) would otherwise change the program between the baseline and the runs.
 */
function snapshotCli(into) {
  const dir = path.join(into, 'cli');
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'bin', 'milepost.js'), path.join(dir, 'bin', 'milepost.js'));
  for (const f of ['cli.js', 'cli.js.map']) {
    if (fs.existsSync(path.join(ROOT, 'dist', f)))
      fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(dir, 'dist', f));
  }
  for (const link of ['node_modules', 'templates'])
    fs.symlinkSync(path.join(ROOT, link), path.join(dir, link), 'dir');
  const cli = fs.readFileSync(path.join(dir, 'dist', 'cli.js'));
  return {
    bin: path.join(dir, 'bin', 'milepost.js'),
    built: fs.statSync(path.join(ROOT, 'dist', 'cli.js')).mtime.toISOString(),
    sha256: createHash('sha256').update(cli).digest('hex').slice(0, 16),
  };
}

// ---------- scenario 1 and 2: kill -9 ----------

/** What a kill -9 scenario needs: the template, the baseline, and how to check pack files. */
async function killBaseline(kind, templates) {
  const template = kind === 'sync' ? templates.sample : templates.synced;
  const args = kind === 'sync' ? (d) => syncArgs(d) : packArgs;
  log(`${kind}: measuring 3 uninterrupted runs…`);
  const timing = await timeRuns(template, args, kind);
  const [before, ...after] = await readRegisters([
    path.join(template, 'register.xlsx'),
    ...timing.runs.map((r) => path.join(r.dir, 'register.xlsx')),
  ]);
  for (const d of [before, ...after])
    if (!d.ok) throw new Error(`cannot read a baseline register: ${d.error}`);
  const base = after[0];
  const deterministic = after.every((d) => sameDump(d, base));
  // Running it again on the finished workspace must not change the register (the re-run after a late kill).
  const files = baselineFiles(timing.runs.map((r) => r.dir));
  const again = timing.runs[0].dir;
  await mustRun(args(again), `second ${kind}`);
  const twice = await readRegister(path.join(again, 'register.xlsx'));
  for (const r of timing.runs) removeDir(r.dir);
  log(
    `${kind}: uninterrupted ${kind} takes ${timing.median.toFixed(0)} ms (median of ${timing.runs
      .map((r) => r.ms.toFixed(0))
      .join(', ')} ms); baseline ${deterministic ? 'deterministic' : 'NOT deterministic'}, ` +
      `idempotent: ${twice.ok && sameDump(twice, base) ? 'yes' : 'NO'}; ${describeWindow(timing.window)}`,
  );
  return {
    kind,
    template,
    args,
    T: timing.median,
    window: timing.window,
    timings: timing.runs.map((r) => r.ms),
    before,
    base,
    deterministic,
    idempotent: twice.ok && sameDump(twice, base),
    files,
  };
}

const describeWindow = (w) =>
  `lock taken ~${w.lock ?? '?'} ms, temp files ~${w.firstTemp ?? '?'}–${w.lastTemp ?? '?'} ms, register renamed ~${w.register ?? '—'} ms`;

/** The packs/ and outbox/ files of uninterrupted runs: their bytes, when every run made the same. */
function baselineFiles(dirs) {
  const list = (dir) =>
    ['packs', 'outbox'].flatMap((sub) =>
      fs.existsSync(path.join(dir, sub))
        ? fs
            .readdirSync(path.join(dir, sub))
            .filter((f) => !TEMP_NAME.test(f))
            .map((f) => `${sub}/${f}`)
        : [],
    );
  const files = {};
  for (const f of list(dirs[0])) {
    const bytes = dirs.map((d) =>
      fs.existsSync(path.join(d, f)) ? fs.readFileSync(path.join(d, f)) : undefined,
    );
    files[f] = { bytes: bytes[0], deterministic: bytes.every((b) => b?.equals(bytes[0])) };
  }
  return { names: list(dirs[0]).sort(), files };
}

/** Where the killed run left the register: as before, as after an uninterrupted run, or neither. */
function stageOf(dump, b) {
  if (!dump.ok) return 'unreadable';
  if (sameDump(dump, b.before)) return 'untouched';
  if (b.deterministic && sameDump(dump, b.base)) return 'committed';
  if (!b.deterministic) return 'changed';
  return 'mixed';
}

/** A pack or outbox file: absent, complete (as an uninterrupted run's), or partial. */
function fileState(dir, name, b) {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return 'absent';
  const bytes = fs.readFileSync(file);
  const ref = b.files.files[name];
  if (ref?.deterministic) return bytes.equals(ref.bytes) ? 'complete' : 'partial';
  if (name.endsWith('.html'))
    return bytes.toString('utf8').trimEnd().endsWith('</html>') ? 'complete' : 'partial';
  if (name.endsWith('.eml')) return /--\S+--\s*$/.test(bytes.toString('utf8')) ? 'complete' : 'partial';
  return bytes.length > 0 ? 'complete' : 'partial';
}

/** The pack emails in the outbox. */
const packEmails = (dir) =>
  fs.existsSync(path.join(dir, 'outbox'))
    ? fs.readdirSync(path.join(dir, 'outbox')).filter((f) => /^pack_.*\.eml$/.test(f))
    : [];

/** Checks of the pack files and the outbox (scenario 2), after the kill or after the re-run. */
function packChecks(dir, b, final) {
  const problems = [];
  const states = {};
  for (const name of b.files.names) {
    const state = fileState(dir, name, b);
    states[name] = state;
    if (state === 'partial') problems.push({ type: 'corrupt', what: `${name} is partial` });
    if (final && state === 'absent')
      problems.push({ type: 'lost', what: `${name} missing after the re-run` });
  }
  const html = b.files.names.find((n) => n.endsWith('.html'));
  if (html && states[html] !== 'absent') {
    const text = fs.readFileSync(path.join(dir, html), 'utf8');
    if (!text.trimEnd().endsWith('</html>'))
      problems.push({ type: 'corrupt', what: `${html} does not end with </html>` });
  }
  const emails = packEmails(dir);
  if (emails.length > 1)
    problems.push({ type: 'duplicated', what: `${emails.length} pack emails: ${emails.join(', ')}` });
  if (final && emails.length === 0) problems.push({ type: 'lost', what: 'no pack email after the re-run' });
  const outbox = fs.existsSync(path.join(dir, 'outbox'))
    ? fs.readdirSync(path.join(dir, 'outbox')).filter((f) => !TEMP_NAME.test(f))
    : [];
  const expected = b.files.names.filter((n) => n.startsWith('outbox/')).map((n) => n.slice(7));
  const unexpected = outbox.filter((f) => !expected.includes(f));
  if (unexpected.length)
    problems.push({ type: 'duplicated', what: `unexpected outbox files: ${unexpected.join(', ')}` });
  return { states, packEmails: emails.length, problems };
}

/** One kill -9 run: copy, start, kill, inspect, re-run, compare. */
async function killRun(b, i, delay) {
  const dir = freshCopy(b.template, `${b.kind}-kill`);
  const register = path.join(dir, 'register.xlsx');
  const killed = await runKilled(b.args(dir), delay, opts.atWrite ? dir : undefined);
  const r = {
    run: i + 1,
    dir,
    delayMs: Math.round(delay * 10) / 10,
    killed: killed.killed,
    exit: killed.code,
    problems: [],
  };
  if (opts.atWrite)
    r.firstTempAtMs = killed.triggeredAt === undefined ? undefined : Math.round(killed.triggeredAt);
  const problem = (type, what) => r.problems.push({ type, what });
  if (!killed.killed) r.note = `exited (${killed.code}) before the kill`;
  // The register still opens.
  const validate = await run(['validate', '-w', dir, '--json']);
  r.validateExit = validate.code;
  if (validate.code !== 0 && validate.code !== 1) {
    problem('corrupt', `validate exited ${validate.code}: ${validate.stderr.trim().split('\n')[0]}`);
  }
  const dump = await readRegister(register);
  if (!dump.ok) problem('corrupt', `${reader.name} cannot load the register: ${dump.error}`);
  r.stage = stageOf(dump, b);
  if (r.stage === 'mixed')
    problem('corrupt', 'the register is neither as before nor as after an uninterrupted run');
  r.leftoversAfterKill = leftovers(dir);
  if (b.kind === 'pack') {
    const p = packChecks(dir, b, false);
    r.afterKill = p.states;
    r.packEmailsAfterKill = p.packEmails;
    r.problems.push(...p.problems);
  }
  // Run it again to completion.
  const rerun = await run(b.args(dir));
  r.rerunExit = rerun.code;
  if (rerun.code !== 0) {
    problem(
      'failed',
      `re-run exited ${rerun.code}${rerun.signal ? ` (${rerun.signal})` : ''}: ${rerun.stderr.trim().split('\n').slice(0, 3).join(' | ')}`,
    );
  }
  r.leftoversAfterRerun = leftovers(dir);
  finalChecks(r, b, await readRegister(register), dir);
  const seen = new Set();
  r.problems = r.problems.filter((p) => !seen.has(`${p.type}|${p.what}`) && seen.add(`${p.type}|${p.what}`));
  return r;
}

/** After the re-run: the register as an uninterrupted run's, the pack files and outbox whole. */
function finalChecks(r, b, dump, dir) {
  const problem = (type, what) => r.problems.push({ type, what });
  if (!dump.ok) {
    problem('corrupt', `after the re-run, ${reader.name} cannot load the register: ${dump.error}`);
    return;
  }
  const c = compareWithBaseline(dump, b.base);
  r.compare = {
    updatesMissing: c.updatesMissing.length,
    updatesExtra: c.updatesExtra.length,
    changesMissing: c.changesMissing.length,
    changesExtra: c.changesExtra.length,
    otherTabsDiffer: c.otherTabsDiffer,
  };
  if (c.updatesMissing.length) problem('lost', `Updates rows missing: ${c.updatesMissing.join(' ; ')}`);
  if (c.changesMissing.length) problem('lost', `Changes rows missing: ${c.changesMissing.join(' ; ')}`);
  if (c.responseIdsMissing.length)
    problem('lost', `Response IDs missing from Updates: ${c.responseIdsMissing.join(', ')}`);
  if (c.responseIdsExtra.length)
    problem('duplicated', `Response IDs not in an uninterrupted run: ${c.responseIdsExtra.join(', ')}`);
  if (c.updatesExtra.length) problem('duplicated', `Updates rows extra: ${c.updatesExtra.join(' ; ')}`);
  if (c.updatesDuplicateKeys.length)
    problem('duplicated', `Updates duplicated: ${JSON.stringify(c.updatesDuplicateKeys)}`);
  if (c.changesExtra.length) problem('duplicated', `Changes rows extra: ${c.changesExtra.join(' ; ')}`);
  if (c.changesDuplicateRows.length)
    problem('duplicated', `Changes duplicated: ${JSON.stringify(c.changesDuplicateRows)}`);
  if (b.deterministic && c.otherTabsDiffer.length) {
    problem('diverged', `tabs differ from an uninterrupted run: ${JSON.stringify(c.tabDiffs)}`);
  }
  if (b.kind === 'pack') r.problems.push(...packChecks(dir, b, true).problems);
}

async function killScenario(kind, templates, runs, seed) {
  const b = await killBaseline(kind, templates);
  const random = rng(seed);
  const results = [];
  for (let i = 0; i < runs; i++) {
    const delay = opts.atWrite
      ? random() * atWriteSpan(b)
      : (opts.killFrom + random() * (1 - opts.killFrom)) * b.T;
    const r = await killRun(b, i, delay);
    results.push(r);
    const bad = r.problems.filter((p) => p.type !== 'leftover');
    vlog(
      `${kind} kill ${i + 1}/${runs}: ${r.delayMs} ms → ${r.killed ? 'killed' : 'finished first'}, stage ${r.stage}, ` +
        `validate ${r.validateExit}, leftovers [${r.leftoversAfterKill.join(', ')}], re-run ${r.rerunExit}` +
        `${bad.length ? ` — ${bad.map((p) => `${p.type}: ${p.what}`).join('; ')}` : ''}`,
    );
    if (!opts.verbose && (i + 1) % 10 === 0) log(`${kind}: ${i + 1}/${runs} kills done`);
    if (!r.problems.length) removeDir(r.dir);
  }
  return summarise(kind, b, results, seed);
}

/** How long after its first temporary file a run renames the register (+5 ms): the --at-write kill window. */
const atWriteSpan = (b) =>
  Math.max(
    1,
    (b.window.register ?? b.window.lastTemp ?? b.window.firstTemp ?? 0) - (b.window.firstTemp ?? 0),
  ) + 5;

function summarise(kind, b, results, seed) {
  const has = (r, type) => r.problems.some((p) => p.type === type);
  const count = (type) => results.filter((r) => has(r, type)).length;
  const stages = {};
  for (const r of results) stages[r.stage] = (stages[r.stage] ?? 0) + 1;
  const tempAfterKill = results.filter((r) => r.leftoversAfterKill.some((f) => f.endsWith('.tmp'))).length;
  const lockAfterKill = results.filter((r) => r.leftoversAfterKill.some((f) => f.endsWith('.lock'))).length;
  const stillThere = results.flatMap((r) => r.leftoversAfterRerun);
  const notes = [
    opts.atWrite
      ? `kill at first temp file + 0–${atWriteSpan(b).toFixed(0)} ms (--at-write)`
      : `kill window ${(opts.killFrom * b.T).toFixed(0)}–${b.T.toFixed(0)} ms`,
    describeWindow(b.window),
    `kills between first temp and rename ${
      opts.atWrite
        ? 'all (--at-write)'
        : b.window.firstTemp === undefined
          ? '?'
          : results.filter(
              (r) => r.delayMs >= b.window.firstTemp && r.delayMs <= (b.window.register ?? b.window.lastTemp),
            ).length
    }`,
    `stages: ${Object.entries(stages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `finished before kill ${results.filter((r) => !r.killed).length}`,
    `temp left by kill ${tempAfterKill}, lock left ${lockAfterKill}`,
    `left after re-run: ${stillThere.length} file(s) (${[...new Set(stillThere.map((f) => path.basename(f).replace(/\.\d+\.[0-9a-f]+\.tmp$/, '.<pid>.<hex>.tmp')))].join(', ') || 'none'})`,
  ];
  if (kind === 'pack')
    notes.push(
      `pack emails after kill: ${[...new Set(results.map((r) => r.packEmailsAfterKill))].join('/')}`,
    );
  if (count('diverged')) notes.push(`DIVERGED ${count('diverged')}`);
  if (!b.deterministic) notes.push('baseline not deterministic: only row checks');
  if (!b.idempotent) notes.push('a second uninterrupted run changes the register');
  return {
    scenario: `kill -9 during ${kind}`,
    runs: results.length,
    corrupt: count('corrupt'),
    lost: count('lost'),
    duplicated: count('duplicated'),
    failedReruns: count('failed'),
    diverged: count('diverged'),
    leftoverTempRuns: results.filter((r) => r.leftoversAfterRerun.some((f) => f.endsWith('.tmp'))).length,
    medianMs: Math.round(b.T),
    writeWindowMs: b.window,
    timingsMs: b.timings.map(Math.round),
    seed,
    notes,
    failures: results
      .filter((r) => r.problems.length)
      .map((r) => ({ run: r.run, dir: r.dir, delayMs: r.delayMs, stage: r.stage, problems: r.problems })),
    runsDetail: results.map(({ dir: _dir, problems: _p, ...rest }) => rest),
  };
}

// ---------- scenario 3: concurrent posts during syncs ----------

const unescapeHtml = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The fields a browser would send for the page as shown (as test/local/server.test.ts reads them). */
function formOf(html) {
  const out = {};
  for (const m of html.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1];
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    if (!name) continue;
    if (/type="radio"/.test(attrs) && !/ checked/.test(attrs)) continue;
    out[unescapeHtml(name)] = unescapeHtml(value);
  }
  for (const m of html.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  for (const m of html.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2]);
    out[unescapeHtml(m[1])] = unescapeHtml(selected?.[1] ?? '');
  }
  return out;
}

/** A personal token, as src/local/tokens.ts makes it. */
function makeToken(secret, email, meeting) {
  const payload = Buffer.from(JSON.stringify({ p: email.trim().toLowerCase(), m: meeting }), 'utf8').toString(
    'base64url',
  );
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** Starts `milepost serve --port 0` and waits for the address it prints. */
function startServer(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '-w', dir, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let done = false;
    const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    const onData = (d) => {
      output += d;
      const m = /(http:\/\/[^\s/]+:\d+)/.exec(output);
      if (m && !done) {
        done = true;
        resolve({ child, url: m[1], output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      if (!done) reject(new Error(`serve exited ${code} before listening: ${output.trim()}`));
    });
    const timer = setTimeout(() => {
      if (!done) {
        child.kill('SIGKILL');
        reject(new Error(`serve printed no address within 20 s: ${output.trim()}`));
      }
    }, 20_000);
    timer.unref();
  });
}

async function http(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, redirected: res.redirected, html: await res.text() };
}

/** The upcoming meeting the server serves (its clock is the real one), and each person's page. */
async function findPages(url, secret, register) {
  const team = rowsOf(register, 'Team').map((r) => JSON.parse(r));
  const th = register.sheets.Team[0];
  const people = team
    .filter((p) => String(p[th.indexOf('Active')] ?? '').toLowerCase() !== 'no')
    .map((p) => String(p[th.indexOf('Email')]));
  const dates = rowsOf(register, 'Meetings')
    .map((r) => String(JSON.parse(r)[0]).slice(0, 10))
    .filter((d) => d >= new Date(Date.now() - 86_400_000).toISOString().slice(0, 10))
    .sort();
  for (const meeting of dates) {
    const pages = [];
    for (const email of people) {
      const link = `${url}/u/${makeToken(secret, email, meeting)}`;
      const page = await http(link);
      if (page.status === 200) pages.push({ email, link });
    }
    if (pages.length) return { meeting, pages };
  }
  return { meeting: undefined, pages: [] };
}

/** Milestones whose status a post may flip between On track and Might miss: open, not due soon. */
function flippable(register) {
  const h = register.sheets.Milestones[0];
  const soon = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const ok = new Set();
  for (const r of rowsOf(register, 'Milestones').map((x) => JSON.parse(x))) {
    const [id, due, status, forecast] = ['ID', 'Due', 'Status', 'Forecast'].map((c) => r[h.indexOf(c)]);
    const date = (v) => (v ? String(v).slice(0, 10) : '');
    if (!['On track', 'Might miss'].includes(status)) continue;
    if (date(due) && date(due) < soon) continue;
    if (date(forecast) && date(forecast) < soon) continue;
    ok.add(String(id));
  }
  return ok;
}

/** One post as a person would make it: open the link, change the answers, send. */
async function postOnce(post, flip) {
  const started = performance.now();
  try {
    const page = await http(post.link);
    if (page.status !== 200)
      return { ...post, stage: 'get', status: page.status, ms: performance.now() - started };
    const form = formOf(page.html);
    const fields = {};
    const milestones = Object.keys(form)
      .filter((k) => k.startsWith('status:') || k.startsWith('comment:'))
      .map((k) => k.slice(k.indexOf(':') + 1));
    const ids = [...new Set(milestones)].sort();
    post.statuses = {};
    for (const [k, v] of Object.entries(form)) {
      const [field, id] = k.split(':');
      // Only the milestones it changes; the others stay as the register has them.
      if (id && (field === 'status' || field === 'forecast') && !flip.has(id)) continue;
      fields[k] = v;
    }
    for (const id of ids) {
      if (!flip.has(id) || form[`status:${id}`] === undefined) continue;
      fields[`status:${id}`] = post.nth % 2 ? 'On track' : 'Might miss';
      post.statuses[id] = fields[`status:${id}`];
    }
    if ('wins' in form) fields.wins = `Win ${post.marker} (post ${post.i} by ${post.email})`;
    if (ids.length) fields[`comment:${ids[0]}`] = `Note ${post.marker}`;
    const res = await http(post.link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const errors = [...res.html.matchAll(/class="error"[^>]*>([^<]*)</g)].map((m) => unescapeHtml(m[1]));
    return {
      ...post,
      stage: 'post',
      status: res.status,
      redirected: res.redirected,
      confirmed: res.status >= 200 && res.status < 400 && /Thank you/i.test(res.html),
      errors,
      ms: performance.now() - started,
    };
  } catch (error) {
    return {
      ...post,
      stage: 'error',
      error: String(error?.message ?? error),
      ms: performance.now() - started,
    };
  }
}

/** Syncs (real clock) one after another until `stop()` says so. */
async function syncLoop(dir, stop) {
  const syncs = [];
  while (!stop()) {
    const r = await run(syncArgs(dir, null));
    syncs.push({
      code: r.code,
      ms: Math.round(r.ms),
      err: r.code ? r.stderr.trim().split('\n')[0] : undefined,
    });
  }
  return syncs;
}

async function serveScenario(templates, k, syncMs) {
  const dir = freshCopy(templates.synced, 'serve');
  const secret = Buffer.from(fs.readFileSync(path.join(dir, '.milepost-secret'), 'utf8').trim(), 'base64url');
  const initial = await readRegister(path.join(dir, 'register.xlsx'));
  if (!initial.ok) throw new Error(`cannot read the serve workspace's register: ${initial.error}`);
  const linesBefore = readLines(dir).filter((l) => l.trim()).length;
  const server = await startServer(dir);
  log(`serve: ${server.url} on ${dir}`);
  const { meeting, pages } = await findPages(server.url, secret, initial);
  if (!pages.length) {
    server.child.kill('SIGTERM');
    throw new Error('no personal link opens a page: no upcoming meeting for the real clock?');
  }
  const flip = flippable(initial);
  const tag = Date.now().toString(36);
  const nth = new Map();
  const posts = Array.from({ length: k }, (_, i) => {
    const p = pages[i % pages.length];
    nth.set(p.email, (nth.get(p.email) ?? 0) + 1);
    return {
      i: i + 1,
      email: p.email,
      link: p.link,
      nth: nth.get(p.email),
      marker: `TORTURE-${tag}-${String(i + 1).padStart(4, '0')}-END`,
    };
  });
  const windowMs = opts.postWindowMs ?? Math.max(5000, 5 * syncMs);
  const burst = Math.ceil(k / 3);
  const random = rng(opts.seed + 3);
  log(
    `serve: meeting ${meeting}, ${pages.length} people with a page, ${k} posts (${burst} at once, the rest over ${windowMs} ms) while sync loops`,
  );
  let postsDone = false;
  const loop = syncLoop(dir, () => postsDone);
  const started = performance.now();
  const results = await Promise.all(
    posts.map(async (p, i) => {
      if (i >= burst) await sleep(random() * windowMs);
      return postOnce(p, flip);
    }),
  );
  const postMs = performance.now() - started;
  postsDone = true;
  const syncs = await loop;
  server.child.kill('SIGTERM');
  const stopped = await Promise.race([server.exited, sleepUnref(10_000).then(() => undefined)]);
  if (!stopped) server.child.kill('SIGKILL');
  const final = await run(syncArgs(dir, null));
  const validate = await run(['validate', '-w', dir, '--json']);
  const register = await readRegister(path.join(dir, 'register.xlsx'));
  const report = checkServe({ dir, results, register, linesBefore, final, validate, syncs });
  report.notes.unshift(
    `meeting ${meeting}; ${pages.length} people; posts took ${Math.round(postMs)} ms; ${syncs.length} loop syncs (${syncs.filter((s) => s.code !== 0).length} failed)`,
  );
  const serverErrors = server
    .output()
    .split('\n')
    .filter((l) => /error/i.test(l));
  if (serverErrors.length) report.notes.push(`server errors: ${serverErrors.slice(0, 3).join(' | ')}`);
  const logged = server
    .output()
    .split('\n')
    .filter((l) => l.includes('update from')).length;
  if (logged !== report.confirmed)
    report.notes.push(`server logged ${logged} updates for ${report.confirmed} confirmed`);
  if (report.ok) removeDir(dir);
  else report.dir = dir;
  return report;
}

function readLines(dir) {
  const file = path.join(dir, 'responses.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
}

/** The checks of scenario 3 once the server stopped and a final sync ran. */
function checkServe({ dir, results, register, linesBefore, final, validate, syncs }) {
  const problems = [];
  const problem = (type, what) => problems.push({ type, what });
  const confirmed = results.filter((r) => r.confirmed);
  const refused = results.filter((r) => !r.confirmed);
  // responses.jsonl: only whole JSON lines, ending with a newline.
  const raw = fs.readFileSync(path.join(dir, 'responses.jsonl'), 'utf8');
  const lines = raw.split('\n');
  if (raw && !raw.endsWith('\n')) problem('corrupt', 'responses.jsonl does not end with a newline');
  const parsed = [];
  lines.forEach((line, n) => {
    if (!line.trim()) return;
    try {
      parsed.push({ n: n + 1, line, value: JSON.parse(line) });
    } catch (error) {
      problem(
        'corrupt',
        `responses.jsonl line ${n + 1} is not JSON (glued or partial): ${error.message}: ${line.slice(0, 160)}`,
      );
    }
  });
  const linesOf = (marker) => parsed.filter((p) => p.line.includes(marker));
  for (const r of confirmed) {
    const found = linesOf(r.marker);
    r.submittedAt = found[0]?.value?.submittedAt;
    if (found.length === 0) problem('lost', `confirmed post ${r.i} (${r.email}) is not in responses.jsonl`);
    if (found.length > 1)
      problem(
        'duplicated',
        `post ${r.i} is in responses.jsonl ${found.length} times (lines ${found.map((f) => f.n).join(', ')})`,
      );
  }
  const phantoms = refused.filter((r) => linesOf(r.marker).length);
  for (const r of phantoms)
    problem('phantom', `post ${r.i} was not confirmed (${r.status ?? r.error}) but is in responses.jsonl`);
  if (final.code !== 0)
    problem('failed', `final sync exited ${final.code}: ${final.stderr.trim().split('\n')[0]}`);
  if (validate.code !== 0 && validate.code !== 1) problem('corrupt', `validate exited ${validate.code}`);
  const superseded = registerChecks(register, confirmed, problem);
  const byStatus = {};
  for (const r of refused) {
    const k = r.status ? `${r.stage} ${r.status}` : r.stage;
    byStatus[k] = (byStatus[k] ?? 0) + 1;
  }
  const count = (type) => problems.filter((p) => p.type === type).length;
  const notes = [
    `confirmed ${confirmed.length}/${results.length}${refused.length ? `, refused ${JSON.stringify(byStatus)}` : ''}`,
    `responses.jsonl: ${parsed.length} JSON lines = ${linesBefore} before + ${parsed.length - linesBefore} posted`,
    `${superseded} replaced by the same person's later post before a sync recorded them`,
    `post latency median ${Math.round(median(results.map((r) => r.ms)))} ms, max ${Math.round(Math.max(...results.map((r) => r.ms)))} ms`,
  ];
  if (count('phantom')) notes.push(`PHANTOM ${count('phantom')}`);
  if (refused.length) {
    const errs = [...new Set(refused.flatMap((r) => r.errors ?? [r.error]).filter(Boolean))].slice(0, 3);
    if (errs.length) notes.push(`refusals: ${errs.join(' | ')}`);
  }
  return {
    scenario: 'posts during syncs',
    runs: results.length,
    confirmed: confirmed.length,
    corrupt: count('corrupt'),
    lost: count('lost'),
    duplicated: count('duplicated'),
    failedReruns: count('failed'),
    phantom: count('phantom'),
    loopSyncs: syncs,
    ok: problems.length === 0,
    notes,
    problems,
    posts: results.map(({ link: _link, ...r }) => r),
  };
}

/**
 * Each confirmed post is recorded once in Updates (or replaced by a later post of the same
 * person), no Updates or Changes row twice, and each flipped milestone holds the status of the
 * latest confirmed post that set it. Returns how many posts were replaced before being recorded.
 */
function registerChecks(register, confirmed, problem) {
  if (!register.ok) {
    problem('corrupt', `${reader.name} cannot load the register: ${register.error}`);
    return 0;
  }
  const header = register.sheets.Updates[0];
  const updates = rowsOf(register, 'Updates').map((r) => JSON.parse(r));
  const text = (row) => ['Wins', 'Comments'].map((c) => String(row[header.indexOf(c)] ?? '')).join('\n');
  const recorded = (r) => updates.filter((u) => text(u).includes(r.marker)).length;
  let superseded = 0;
  for (const r of confirmed) {
    const n = recorded(r);
    if (n > 1) problem('duplicated', `post ${r.i} (${r.email}) is in Updates ${n} times`);
    if (n === 1) continue;
    const later = confirmed.some(
      (o) =>
        o.email === r.email &&
        o.submittedAt &&
        r.submittedAt &&
        o.submittedAt > r.submittedAt &&
        recorded(o) === 1,
    );
    if (later) superseded++;
    else problem('lost', `confirmed post ${r.i} (${r.email}, ${r.submittedAt}) is not recorded in Updates`);
  }
  for (const d of duplicates(updateKeys(register)))
    problem('duplicated', `Updates row twice: ${d.row} ×${d.times}`);
  for (const d of duplicates(rowsOf(register, 'Changes')))
    problem('duplicated', `Changes row twice: ${d.row} ×${d.times}`);
  // The latest word on each flipped milestone is the register's.
  const latest = new Map();
  for (const r of confirmed) {
    for (const [id, status] of Object.entries(r.statuses ?? {})) {
      const cur = latest.get(id);
      if (r.submittedAt && (!cur || r.submittedAt > cur.at))
        latest.set(id, { at: r.submittedAt, status, post: r.i });
    }
  }
  const mh = register.sheets.Milestones[0];
  const rows = rowsOf(register, 'Milestones').map((r) => JSON.parse(r));
  for (const [id, want] of latest) {
    const got = rows.find((m) => String(m[mh.indexOf('ID')]) === id)?.[mh.indexOf('Status')];
    if (got !== want.status) {
      problem(
        'lost',
        `${id} is "${got}", but the latest confirmed post (${want.post}, ${want.at}) set "${want.status}"`,
      );
    }
  }
  return superseded;
}

// ---------- the report ----------

function table(rows) {
  const cols = ['scenario', 'runs', 'corrupt', 'lost', 'duplicated', 'failed re-runs', 'notes'];
  const cells = rows.map((r) =>
    [r.scenario, r.runs, r.corrupt, r.lost, r.duplicated, r.failedReruns, r.notes.join('; ')].map(String),
  );
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => (i === 6 ? 0 : r[i].length))));
  const line = (r) =>
    r.map((c, i) => (i === 6 ? c : i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(cols), widths.map((w, i) => '-'.repeat(i === 6 ? 5 : w)).join('-|-'), ...cells.map(line)].join(
    '\n',
  );
}

async function main() {
  const t0 = performance.now();
  if (opts.build) {
    log('building…');
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` (or pass --build)');
  reader = await chooseReader();
  workRoot = opts.workdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-torture-'));
  fs.mkdirSync(workRoot, { recursive: true });
  const cli = snapshotCli(workRoot);
  BIN = cli.bin;
  log(`torture: CLI snapshot of dist/cli.js built ${cli.built} (sha256 ${cli.sha256}…)`);
  log(
    `torture: seed ${opts.seed}, reader ${reader.name}, workspaces in ${workRoot}, ${os.cpus().length} CPUs, Node ${process.version}`,
  );
  const templates = await prepare();
  const rows = [];
  let syncMs;
  if (opts.only.includes('sync')) {
    const r = await killScenario('sync', templates, opts.syncKills, opts.seed + 1);
    syncMs = r.medianMs;
    rows.push(r);
  }
  if (opts.only.includes('pack'))
    rows.push(await killScenario('pack', templates, opts.packKills, opts.seed + 2));
  if (opts.only.includes('serve')) {
    if (syncMs === undefined) syncMs = (await timeRuns(templates.synced, (d) => syncArgs(d), 'sync')).median;
    rows.push(await serveScenario(templates, opts.posts, syncMs));
  }
  const totalMs = performance.now() - t0;
  const failed = rows.some(
    (r) =>
      r.corrupt ||
      r.lost ||
      r.duplicated ||
      r.failedReruns ||
      r.diverged ||
      r.phantom ||
      (opts.strictTemp && r.leftoverTempRuns),
  );
  const out = opts.json ? log : (s) => process.stdout.write(`${s}\n`);
  out('');
  out(table(rows));
  out('');
  const times = rows
    .filter((r) => r.medianMs)
    .map((r) => `${r.scenario.replace('kill -9 during ', '')} ${r.medianMs} ms`);
  out(`median uninterrupted time used for the kill window: ${times.join(', ') || '—'}`);
  out(
    `total ${(totalMs / 1000).toFixed(1)} s; seed ${opts.seed}; reader ${reader.name}; dist/cli.js of ${cli.built} (sha256 ${cli.sha256}…); ${failed ? 'FAILED' : 'all checks passed'}`,
  );
  for (const r of rows) {
    for (const f of r.failures ?? []) {
      out(`  ${r.scenario} run ${f.run} (delay ${f.delayMs} ms, stage ${f.stage}, workspace ${f.dir}):`);
      for (const p of f.problems) out(`    ${p.type}: ${p.what.slice(0, 2000)}`);
    }
    if (r.problems?.length) {
      out(`  ${r.scenario} (workspace ${r.dir}):`);
      for (const p of r.problems) out(`    ${p.type}: ${p.what.slice(0, 2000)}`);
    }
  }
  if (opts.json) {
    const summary = {
      ok: !failed,
      seed: opts.seed,
      totalMs: Math.round(totalMs),
      reader: reader.name,
      cli,
      workdir: workRoot,
      options: {
        syncKills: opts.syncKills,
        packKills: opts.packKills,
        posts: opts.posts,
        killFrom: opts.killFrom,
        atWrite: opts.atWrite,
      },
      scenarios: rows,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  }
  if (!failed && !opts.keep && !opts.workdir) fs.rmSync(workRoot, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  log(`torture: ${error.stack ?? error}`);
  process.exitCode = 2;
});
