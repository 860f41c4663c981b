/**
 * The local backend: a workspace directory with register.xlsx, responses.jsonl, outbox/ and
 * packs/. One run holds the workspace lock, reads everything once, lets the core plan, and
 * applies the plan: packs and emails first (each idempotent), the workbook last and atomically.
 */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { missingTabs, newestSubmitted, watermarkAfter } from '../core/cycle';
import { currentProblems } from '../core/problems';
import { readRegister } from '../core/register';
import type { Email, Plan, Problem, RawSubmission, Register, Snapshot } from '../core/types';
import type { EmlAttachment } from '../mail/mime';
import { writeFileAtomic } from './atomic';
import { type DeliveryReport, deliver, queue, undelivered } from './delivery';
import { withLock } from './lock';
import { emlFileName, writeOutbox } from './outbox';
import { readResponses } from './responses';
import type { Sender } from './smtp';
import {
  addLayoutTabs,
  applyPlan,
  assertUnchanged,
  prepareWorkbookSave,
  readWorkbook,
  tidyWorkbook,
} from './workbook';
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
  /** What the mail server was given (a run that sends). */
  delivery?: DeliveryReport;
  /** A run that does not send: the emails of its plan that an earlier run left undelivered. */
  undelivered?: string[];
  /** A sync's care of the workbook: the validations it added, the sheets whose notes changed. */
  tidied?: { validations: string[]; notes: string[] };
}

/** A file a run writes besides the register (the packs). */
export interface RunFile {
  path: string;
  data: string;
}

/** How a run's emails go out: always to the outbox, then to the mail server when there is one. */
export interface LocalMail {
  /** The mail server; none: the outbox only (no SMTP server set, --no-send, the demo). */
  sender?: Sender;
  /** MILEPOST_SMTP_FROM: the From of every message written. */
  from?: string;
  /** The files an email carries, from those this run writes (the pack email: the pack). */
  attachments?: (email: Email, files: RunFile[]) => EmlAttachment[];
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
  files: (outcome: T, paths: WorkspacePaths) => RunFile[] = () => [],
  opts: { syncsResponses?: boolean; mail?: LocalMail; dryRun?: boolean } = {},
): Promise<{ outcome: T; report: ApplyReport; paths: WorkspacePaths }> {
  const paths = workspacePaths(dir);
  await assertWorkspace(paths);
  if (opts.dryRun) return dryRunLocal(paths, plan);
  return withLock(paths.dir, command, async () => {
    const { snapshot, workbook, stamp, raw, outcome, applied } = await planInMemory(paths, plan);
    // The watermark, kept as every runtime keeps it (the file itself is read whole each time).
    const moved =
      opts.syncsResponses && watermarkAfter(readRegister(snapshot).register, newestSubmitted(raw), []);
    if (moved) {
      const m = applyPlan(workbook, moved, moved.timeZone);
      applied.writes += m.writes;
      applied.appends += m.appends;
    }
    // A sync also adds the dropdowns and date checks the register lacks and notes its cells in error.
    const problems = problemsOf(outcome);
    const tidied = !opts.syncsResponses
      ? undefined
      : problems
        ? tidyWorkbook(workbook, snapshot, problems)
        : tidyWorkbook(workbook);
    const tidy = tidied ? tidied.validations.length + tidied.notes.length : 0;
    // The register is written in full and flushed before anything else: a full disk or a
    // read-only folder fails here, before a pack or an email exists. Only the rename is left.
    const save =
      applied.writes + applied.appends + tidy > 0
        ? await prepareWorkbookSave(workbook, paths.register)
        : undefined;
    const written = files(outcome, paths);
    try {
      await assertUnchanged(paths.register, stamp);
      for (const f of written) {
        await fs.mkdir(path.dirname(f.path), { recursive: true });
        await writeFileAtomic(f.path, f.data);
      }
    } catch (error) {
      await save?.abort();
      throw error;
    }
    // The outbox is the send log: an email written here is never written again, even if the
    // rename below fails and the run is repeated. A mail server that fails leaves the register
    // as it was: the next run plans the same emails and delivers only those not delivered.
    let sent: Awaited<ReturnType<typeof sendEmails>>;
    try {
      sent = await sendEmails(paths, outcome.plan.emails, now, written, opts.mail);
    } catch (error) {
      await save?.abort();
      throw error;
    }
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
        emailsWritten: sent.written,
        emailsSkipped: sent.skipped,
        ...(sent.delivery ? { delivery: sent.delivery } : {}),
        ...(sent.undelivered ? { undelivered: sent.undelivered } : {}),
        ...(tidy > 0 ? { tidied } : {}),
      },
    };
  });
}

/**
 * The register's problems still true once a phase's plan is applied (a sync's outcome has both
 * its problems and the register as it will be); undefined when the outcome has none.
 */
function problemsOf(outcome: object): Problem[] | undefined {
  const o = outcome as { problems?: Problem[]; register?: Register };
  if (!Array.isArray(o.problems)) return undefined;
  return o.register ? currentProblems(o.problems, o.register) : o.problems;
}

/**
 * Reads the workspace, plans the phase and applies the plan to the workbook in memory — the same
 * for a real run and a dry one. A register made before a tab the plan writes to (Actions) gets it,
 * with its headers. A plan that does not fit the workbook throws, so nothing at all is written and
 * a response is never recorded as applied while its cell was left as it was.
 */
async function planInMemory<T extends { plan: Plan }>(paths: WorkspacePaths, plan: (read: LocalRead) => T) {
  const { snapshot, workbook, stamp } = await readWorkbook(paths.register);
  const { raw, problems } = await readResponses(paths.responses);
  const outcome = plan({ snapshot, responses: raw, responseProblems: problems });
  const missing = missingTabs(outcome.plan, snapshot);
  if (missing.length) addLayoutTabs(workbook, missing, outcome.plan.timeZone);
  const applied = applyPlan(workbook, outcome.plan, outcome.plan.timeZone);
  if (applied.conflicts.length) throw new PlanConflictError(applied.conflicts);
  return { snapshot, workbook, stamp, raw, outcome, applied };
}

/**
 * A dry run (`--dry-run`): the phase planned on the workspace as it is, writing nothing — no
 * lock, no workbook, no pack, no outbox file, no mail. The plan is applied to the workbook in
 * memory only, to count what it would change; `emailsSkipped` holds the keys of the planned
 * emails already in the outbox (sent before, never sent again).
 */
async function dryRunLocal<T extends { plan: Plan }>(
  paths: WorkspacePaths,
  plan: (read: LocalRead) => T,
): Promise<{ outcome: T; report: ApplyReport; paths: WorkspacePaths }> {
  const { outcome, applied } = await planInMemory(paths, plan);
  const inOutbox = outcome.plan.emails.filter((e) => existsSync(path.join(paths.outbox, emlFileName(e.key))));
  return {
    outcome,
    paths,
    report: {
      writes: applied.writes,
      appends: applied.appends,
      conflicts: [],
      emailsWritten: [],
      emailsSkipped: inOutbox.map((e) => e.key),
    },
  };
}

/** Writes a run's emails to the outbox, then hands them to the mail server when there is one. */
async function sendEmails(
  paths: WorkspacePaths,
  emails: Email[],
  now: string,
  written: RunFile[],
  mail: LocalMail = {},
): Promise<{ written: string[]; skipped: string[]; delivery?: DeliveryReport; undelivered?: string[] }> {
  const attach = mail.attachments;
  const out = await writeOutbox(paths.outbox, emails, now, {
    ...(mail.from ? { from: mail.from } : {}),
    ...(attach ? { attachments: (e: Email) => attach(e, written) } : {}),
    ...(mail.sender ? { beforeWrite: queue(paths.outbox) } : {}),
  });
  const { written: w, skipped } = out;
  if (!mail.sender) return { written: w, skipped, undelivered: await undelivered(paths.outbox, out.files) };
  return { written: w, skipped, delivery: await deliver(paths.outbox, out.files, mail.sender) };
}

/** Reads a workspace without locking or writing (validate). */
export async function readLocal(dir: string): Promise<LocalRead & { paths: WorkspacePaths }> {
  const paths = workspacePaths(dir);
  await assertWorkspace(paths);
  const { snapshot } = await readWorkbook(paths.register);
  const { raw, problems } = await readResponses(paths.responses);
  return { snapshot, responses: raw, responseProblems: problems, paths };
}
