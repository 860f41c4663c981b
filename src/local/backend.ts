/**
 * The local backend: a workspace directory with register.xlsx, responses.jsonl, outbox/ and
 * packs/. One run holds the workspace lock, reads everything once, lets the core plan, and
 * applies the plan: packs and emails first (each idempotent), the workbook last and atomically.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { newestSubmitted, watermarkAfter } from '../core/cycle';
import { readRegister } from '../core/register';
import type { Plan, Problem, RawSubmission, Snapshot } from '../core/types';
import { writeFileAtomic } from './atomic';
import { withLock } from './lock';
import { writeOutbox } from './outbox';
import { readResponses } from './responses';
import { applyPlan, assertUnchanged, prepareWorkbookSave, readWorkbook } from './workbook';
import { type WorkspacePaths, workspacePaths } from './workspace';

export interface LocalRead {
  snapshot: Snapshot;
  responses: RawSubmission[];
  responseProblems: Problem[];
}

export interface ApplyReport {
  writes: number;
  appends: number;
  conflicts: Problem[];
  emailsWritten: string[];
  emailsSkipped: string[];
}

export class NoWorkspaceError extends Error {}

/** The plan did not fit the workbook as it is (a row gone, a cell not as read): nothing was written. */
export class PlanConflictError extends Error {
  constructor(readonly conflicts: Problem[]) {
    super(
      `The register does not hold what this run read, so nothing was written:\n${conflicts
        .map(
          (c) =>
            `  ${c.tab}${c.row ? `, row ${c.row}` : ''}${c.column ? `, column ${c.column}` : ''}: ${c.message}`,
        )
        .join('\n')}`,
    );
  }
}

export async function assertWorkspace(paths: WorkspacePaths): Promise<void> {
  try {
    await fs.access(paths.register);
  } catch {
    throw new NoWorkspaceError(
      `No register at ${paths.register}. Create one with \`milepost init --workspace ${paths.dir}\` (add --sample for a sample team).`,
    );
  }
}

/**
 * Runs one phase on a workspace under its lock. `plan` gets what was read and returns the
 * plan plus whatever the command reports; `files` are written before the workbook.
 */
export async function runLocal<T extends { plan: Plan }>(
  dir: string,
  command: string,
  now: string,
  plan: (read: LocalRead) => T,
  files: (outcome: T, paths: WorkspacePaths) => { path: string; data: string }[] = () => [],
  opts: { syncsResponses?: boolean } = {},
): Promise<{ outcome: T; report: ApplyReport; paths: WorkspacePaths }> {
  const paths = workspacePaths(dir);
  await assertWorkspace(paths);
  return withLock(paths.dir, command, async () => {
    const { snapshot, workbook, stamp } = await readWorkbook(paths.register);
    const { raw, problems } = await readResponses(paths.responses);
    const outcome = plan({ snapshot, responses: raw, responseProblems: problems });
    // Apply in memory first: a plan that does not fit the workbook writes nothing at all,
    // so a response is never recorded as applied while its cell was left as it was.
    const applied = applyPlan(workbook, outcome.plan, outcome.plan.timeZone);
    if (applied.conflicts.length) throw new PlanConflictError(applied.conflicts);
    // The watermark, kept as every runtime keeps it (the file itself is read whole each time).
    const moved =
      opts.syncsResponses && watermarkAfter(readRegister(snapshot).register, newestSubmitted(raw), []);
    if (moved) {
      const m = applyPlan(workbook, moved, moved.timeZone);
      applied.writes += m.writes;
      applied.appends += m.appends;
    }
    // The register is written in full and flushed before anything else: a full disk or a
    // read-only folder fails here, before a pack or an email exists. Only the rename is left.
    const save =
      applied.writes + applied.appends > 0 ? await prepareWorkbookSave(workbook, paths.register) : undefined;
    try {
      await assertUnchanged(paths.register, stamp);
      for (const f of files(outcome, paths)) {
        await fs.mkdir(path.dirname(f.path), { recursive: true });
        await writeFileAtomic(f.path, f.data);
      }
    } catch (error) {
      await save?.abort();
      throw error;
    }
    // The outbox is the send log: an email written here is never written again, even if the
    // rename below fails and the run is repeated.
    let sent: { written: string[]; skipped: string[] };
    try {
      sent = await writeOutbox(paths.outbox, outcome.plan.emails, now);
    } catch (error) {
      await save?.abort();
      throw error;
    }
    const { written, skipped } = sent;
    if (save) {
      await assertUnchanged(paths.register, stamp).catch(async (error) => {
        await save.abort();
        throw error;
      });
      await save.commit();
    }
    return {
      outcome,
      paths,
      report: {
        writes: applied.writes,
        appends: applied.appends,
        conflicts: applied.conflicts,
        emailsWritten: written,
        emailsSkipped: skipped,
      },
    };
  });
}

/** Reads a workspace without locking or writing (validate). */
export async function readLocal(dir: string): Promise<LocalRead & { paths: WorkspacePaths }> {
  const paths = workspacePaths(dir);
  await assertWorkspace(paths);
  const { snapshot } = await readWorkbook(paths.register);
  const { raw, problems } = await readResponses(paths.responses);
  return { snapshot, responses: raw, responseProblems: problems, paths };
}
