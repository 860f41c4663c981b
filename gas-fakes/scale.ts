/**
 * The real bundle on a generated register (bench/generate.ts: N milestones, 500 people), for the
 * batching test and `npm run bench`: the Range reads and writes of `milepostSync` then
 * `milepostPack`, counted by the fakes. Service calls take no virtual time (the counts are what
 * is measured), so the work of a large register is never cut short by the time budget.
 */
import * as fs from 'node:fs';
import { generateRegister } from '../bench/generate';
import { dateToSerial, serialToInstant } from '../src/core/dates';
import { TABS } from '../src/core/layout';
import { type Costs, NO_COSTS, PUBLISHED_COSTS } from './core';
import { loadBundle } from './load';
import type { Table } from './world';
import { createWorld, type GasWorld } from './world';

const TZ = 'Europe/London';
/** The generated story: requests went out Monday 30 November; the sync and the pack run Wednesday. */
export const SCALE_TIMES = { sync: '2026-12-02T12:00:00Z', pack: '2026-12-02T16:00:00Z' };

/** A generated register as a bound Sheet holds it: dates and instants as Dates, in layout order. */
export function generatedTables(milestones: number, people = 500, seed = 42): Table[] {
  const generated = generateRegister({ milestones, people, responses: 0, seed });
  return TABS.map((spec) => {
    const kinds = new Map(spec.columns.map((c) => [c.header, c.type]));
    const headers = spec.columns.map((c) => c.header);
    const rows = (generated.tables[spec.name] ?? []).map((r) =>
      headers.map((h) => {
        const v = r[h] ?? '';
        if (typeof v !== 'string' || v === '') return v;
        if (kinds.get(h) === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v))
          return new Date(serialToInstant(dateToSerial(v), TZ));
        if (kinds.get(h) === 'instant' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return new Date(v);
        return v;
      }),
    );
    return { name: spec.name, headers, rows };
  });
}

/** A world at zero cost with a generated register in its bound Sheet. */
export function generatedWorld(milestones: number, people = 500, costs: Costs = NO_COSTS): GasWorld {
  const world = createWorld({
    now: new Date('2026-11-30T12:00:00Z'),
    timeZone: TZ,
    userEmail: 'owner@northwind.example',
    costs,
  });
  world.seedSpreadsheet(generatedTables(milestones, people));
  return world;
}

export interface PhaseCalls {
  /** Range reads (getValues, getNotes…) and writes (setValues, setNote…). */
  reads: number;
  writes: number;
  getValues: number;
  setValues: number;
  /** Every counted call, by name. */
  counts: Record<string, number>;
}

const READ = /^Range\.get(Values|DisplayValues|Value|Formulas|Notes?|DataValidation|NumberFormat)$/;
const WRITE = /^Range\.(set|clear|protect)/;

function phaseCalls(world: GasWorld): PhaseCalls {
  const counts = world.counts();
  const sum = (re: RegExp) =>
    Object.entries(counts)
      .filter(([k]) => re.test(k))
      .reduce((n, [, v]) => n + v, 0);
  return {
    reads: sum(READ),
    writes: sum(WRITE),
    getValues: world.count('Range.getValues'),
    setValues: world.count('Range.setValues'),
    counts,
  };
}

export interface SyncPackCalls {
  sync: PhaseCalls;
  pack: PhaseCalls;
  world: GasWorld;
}

/**
 * `milepostSync` then `milepostPack` on a generated register of `milestones`; the calls of each.
 * `bundleFile`: appsscript/Code.js, as `npm run build:gas` writes it.
 */
export function syncAndPack(milestones: number, bundleFile: string): SyncPackCalls {
  if (!fs.existsSync(bundleFile)) throw new Error(`${bundleFile} is missing: run npm run build:gas`);
  const world = generatedWorld(milestones);
  const bundle = loadBundle(bundleFile, world, { realTimeoutMs: 120_000 });
  world.setNow(new Date(SCALE_TIMES.sync));
  world.resetCounts();
  bundle.call('milepostSync');
  const sync = phaseCalls(world);
  world.setNow(new Date(SCALE_TIMES.pack));
  world.resetCounts();
  bundle.call('milepostPack');
  const pack = phaseCalls(world);
  return { sync, pack, world };
}

export interface EditTimes {
  /** Virtual ms of the simple onEdit trigger, the lock free. */
  free: number;
  /** The same with another Milepost run holding the lock throughout. */
  contended: number;
  /** What the contended edit logged. */
  contendedLog: string;
  /** The tabs the edit read (Range.getValues on each). */
  reads: number;
  /** Notes and writes the edit made (IDs, Changes rows). */
  changesAppended: number;
}

/**
 * A person sets Status on a Milestones row of a generated register, and the simple onEdit
 * trigger runs on it (LIMITED, 30 s), with the costs of published measurements
 * (PUBLISHED_COSTS): how long the person's edit keeps the trigger busy, lock free and lock held.
 */
export function editTimes(milestones: number, bundleFile: string): EditTimes {
  if (!fs.existsSync(bundleFile)) throw new Error(`${bundleFile} is missing: run npm run build:gas`);
  const world = generatedWorld(milestones, 500, PUBLISHED_COSTS);
  world.setNow(new Date(SCALE_TIMES.sync));
  const bundle = loadBundle(bundleFile, world, { realTimeoutMs: 120_000 });
  const status =
    TABS.find((t) => t.name === 'Milestones')!.columns.findIndex((c) => c.header === 'Status') + 1;
  const statusA1 = (row: number) => `${String.fromCharCode(64 + status)}${row}`;
  const person = world.person('owner@northwind.example');
  const edit = (row: number, value: string) => {
    const event = person.setValue('Milestones', statusA1(row), value);
    const at = world.now();
    bundle.call('onEdit', event);
    return world.now() - at;
  };
  // A first edit records the highest ID given in Settings (once in a register's life); the
  // edits measured are the ones after it.
  edit(4, 'Might miss');
  const changesBefore = world.sheet('Changes').lastRow();
  world.resetCounts();
  const free = edit(2, 'Might miss');
  const reads = world.count('Range.getValues');
  const changesAppended = world.sheet('Changes').lastRow() - changesBefore;
  world.holdLock('script', world.now() + 60_000);
  const logs = world.logs.length;
  const contended = edit(3, 'Might miss');
  return {
    free,
    contended,
    contendedLog: world.logs
      .slice(logs)
      .map((l) => l.message)
      .join(' '),
    reads,
    changesAppended,
  };
}
