/**
 * The sample team's week in the fake Apps Script world, for tests that run the real bundle
 * (appsscript/Code.js): the sample register as a bound Sheet holds it, a world with it seeded,
 * the register read back through the core, the sample responses given through FormApp, and an
 * entry point run at a given time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { perOwner } from '../../emulator/respond';
import { type Costs, NO_COSTS, type WorldOptions } from '../../gas-fakes/core';
import { loadBundle } from '../../gas-fakes/load';
import { createWorld, type GasWorld } from '../../gas-fakes/world';
import { instantToSerial, serialToInstant } from '../../src/core/dates';
import { answersOfSubmission, formSpec } from '../../src/core/form';
import { TABS } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import { upcomingMeeting } from '../../src/core/schedule';
import { SubmissionSchema } from '../../src/core/schemas';
import type { Cell, Snapshot, Table } from '../../src/core/types';
import { initWorkspace } from '../../src/local/init';
import { parseResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { ROOT, sampleResponses, tempDir } from '../cli/helpers';

export const BUNDLE = path.join(ROOT, 'appsscript', 'Code.js');
export const TZ = 'Europe/London';
/** The sample week: the register is set up on Friday, the meeting is Thursday 3 December. */
export const T = {
  setup: '2026-11-27T09:00:00Z',
  request: '2026-11-30T08:00:00Z',
  sync: '2026-12-02T09:45:00Z',
  reminders: '2026-12-02T09:50:00Z',
  pack: '2026-12-02T16:00:00Z',
  wrapUp: '2026-12-03T12:00:00Z',
};

/** Service calls take no virtual time unless asked. */
export const INSTANT: Costs = NO_COSTS;

export function bundleExists(): boolean {
  return fs.existsSync(BUNDLE);
}

/** A core snapshot as a bound Sheet holds it: date and instant columns hold Dates, as getValues returns them. */
export function sheetTables(
  snapshot: Snapshot,
  timeZone = TZ,
): { name: string; headers: string[]; rows: unknown[][] }[] {
  return snapshot.tables.map((t) => {
    const spec = TABS.find((s) => s.name === t.name);
    const dated = new Set(
      spec?.columns.filter((c) => c.type === 'date' || c.type === 'instant').map((c) => c.header),
    );
    return {
      name: t.name,
      headers: t.headers,
      rows: t.rows.map((r) =>
        t.headers.map((h, i) => {
          const v = r[i] ?? '';
          return dated.has(h) && typeof v === 'number' ? new Date(serialToInstant(v, timeZone)) : v;
        }),
      ),
    };
  });
}

let sample: Promise<Snapshot> | undefined;

/** The sample register (`milepost init --sample`) as the local backend reads it. */
export function sampleSnapshot(): Promise<Snapshot> {
  sample ??= (async () => {
    const dir = tempDir('gas');
    await initWorkspace(dir, { sample: true });
    return (await readWorkbook(path.join(dir, 'register.xlsx'))).snapshot;
  })();
  return sample;
}

/** A world at setup time with `template` seeded in the bound Sheet (zero costs unless given). */
export function newWorld(template: Snapshot, options: WorldOptions = {}): GasWorld {
  const world = createWorld({
    now: new Date(T.setup),
    timeZone: TZ,
    userEmail: 'cat.byrne@northwind.example',
    ...options,
    costs: options.costs ?? INSTANT,
  });
  world.seedSpreadsheet(sheetTables(template));
  return world;
}

/** The register as the bundle would read it (Dates → serials), for the core. */
export function registerOf(world: GasWorld) {
  return readRegister(snapshotOf(world)).register;
}

/** The bound spreadsheet as a core snapshot (Dates → serials in the register's zone). */
export function snapshotOf(world: GasWorld): Snapshot {
  const tables: Table[] = world.spreadsheet.state.sheets.map((s) => {
    const values = world.values(s.name) as unknown[][];
    const [headers = [], ...rows] = values;
    return {
      name: s.name,
      headers: headers.map(String),
      rows: rows.map((r) =>
        r.map((v) =>
          v instanceof Date ? instantToSerial(v.toISOString(), TZ) : v === '' ? null : (v as Cell),
        ),
      ),
    };
  });
  return { tables };
}

/**
 * People answer the form as the sample lines say, through FormApp — one response per owner a
 * line covers, as the form asks (see emulator/respond.ts). With `fireTriggers`, each response
 * runs the bundle's form-submit trigger.
 */
export function respondAll(
  world: GasWorld,
  fireTriggers: boolean,
  /** The lines to answer (the sample responses unless given). */
  lines = parseResponses(sampleResponses()).raw,
): void {
  const register = registerOf(world);
  const formId = register.settings.raw['Form ID']!;
  const form = world.services.FormApp.openById(formId) as never;
  const spec = formSpec(register, upcomingMeeting(register, T.request));
  const map = world
    .values('Milepost form')
    .slice(1)
    .filter((r) => String(r[0]) === formId);
  const itemOf = new Map<string, { item: number; row: number }>();
  for (const [, item, ids] of map) {
    for (const [row, q] of String(ids).split(',').entries()) itemOf.set(q, { item: Number(item), row });
  }
  const earlier = new Map<string, string>();
  for (const line of lines) {
    for (const [n, s] of perOwner(register, SubmissionSchema.parse(line.value)).entries()) {
      const responseId = n === 0 ? s.responseId : `${s.responseId}/${n + 1}`;
      const answers = new Map<number, unknown>();
      for (const [q, [value]] of Object.entries(answersOfSubmission(spec, register, s))) {
        const at = itemOf.get(q);
        if (!at || value === undefined) continue;
        const rows = map.find((r) => Number(r[1]) === at.item)![2];
        if (String(rows).includes(',')) {
          const grid =
            (answers.get(at.item) as string[] | undefined) ??
            String(rows)
              .split(',')
              .map(() => '');
          grid[at.row] = value;
          answers.set(at.item, grid);
        } else {
          answers.set(at.item, value);
        }
      }
      const editOf = earlier.get(responseId);
      const { response, runs } = world.respond(form, {
        email: s.email,
        at: new Date(s.submittedAt),
        answers,
        fireTriggers,
        ...(editOf ? { editOf } : {}),
      });
      for (const r of runs) expect(r.error, `${line.where}: ${String(r.error)}`).toBeUndefined();
      earlier.set(responseId, response.getId());
    }
  }
}

/** Runs an entry point as a new execution (a menu item), the clock set to `at` first. */
export function run(world: GasWorld, fn: string, at?: string, event?: Record<string, unknown>): unknown {
  if (at) world.setNow(new Date(at));
  return loadBundle(BUNDLE, world).call(fn, event);
}
