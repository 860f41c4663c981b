/**
 * The local runtime (the embedded default): the register is register.xlsx in a workspace,
 * responses are responses.jsonl, emails go to outbox/ (one file per email key: the send log),
 * packs to packs/. Each phase runs under the workspace lock (backend.ts runLocal): read, let the
 * core plan, apply the plan as the core resolves it, write the files, save the workbook.
 */
import * as path from 'node:path';
import {
  type PackOutcome,
  planPack,
  planRequests,
  planSync,
  planValidate,
  planWrapUp,
  type RequestOutcome,
  type SyncOutcome,
  type WrapUpOutcome,
} from '../core/cycle';
import type { PhaseReport, PhaseRun, RuntimePort, RuntimeRead } from '../core/port';
import type { Snapshot } from '../core/types';
import { type ApplyReport, readLocal, runLocal } from './backend';
import { packFiles, packLocation } from './packs';
import { makeToken, readSecret } from './tokens';

function reportOf(r: ApplyReport): PhaseReport {
  return {
    writes: r.writes,
    appends: r.appends,
    conflicts: r.conflicts,
    sent: r.emailsWritten,
    skipped: r.emailsSkipped,
  };
}

/**
 * Each person's link to the local form server (`<Form base URL>/u/<token>`), when the
 * workspace has a secret and Settings has a Form base URL.
 */
function personalLinks(
  snapshot: Snapshot,
  secret: Buffer | undefined,
  meeting: string | undefined,
): Record<string, string> | undefined {
  if (!secret || !meeting) return undefined;
  const { register } = planValidate(snapshot);
  const base = register.settings.formBaseUrl.trim().replace(/\/+$/, '');
  if (!base) return undefined;
  return Object.fromEntries(
    register.team.map((p) => [p.email, `${base}/u/${makeToken(secret, p.email, meeting)}`]),
  );
}

export class LocalRuntime implements RuntimePort {
  readonly kind = 'local';

  constructor(readonly workspace: string) {}

  async read(): Promise<RuntimeRead> {
    const read = await readLocal(this.workspace);
    return { label: read.paths.register, ...read };
  }

  async sync(now: string): Promise<PhaseRun<SyncOutcome>> {
    const { outcome, report } = await runLocal(
      this.workspace,
      'sync',
      now,
      (read) => {
        const o = planSync(read.snapshot, read.responses, now);
        return { ...o, problems: [...read.responseProblems, ...o.problems] };
      },
      undefined,
      { syncsResponses: true },
    );
    return { outcome, report: reportOf(report), notes: [], extra: {} };
  }

  async request(now: string, opts: { reminders?: boolean } = {}): Promise<PhaseRun<RequestOutcome>> {
    const secret = await readSecret(this.workspace);
    const { outcome, report } = await runLocal(this.workspace, 'request', now, (read) => {
      const plain = planRequests(read.snapshot, now, { reminders: opts.reminders });
      const links = personalLinks(read.snapshot, secret, plain.meeting?.date);
      return links ? planRequests(read.snapshot, now, { reminders: opts.reminders, links }) : plain;
    });
    return { outcome, report: reportOf(report), notes: [], extra: { files: report.emailsWritten } };
  }

  async pack(now: string): Promise<PhaseRun<PackOutcome> & { where: string[] }> {
    const { outcome, report, paths } = await runLocal(
      this.workspace,
      'pack',
      now,
      (read) => {
        const o = planPack(read.snapshot, read.responses, now, (m) => packLocation(m.date));
        return { ...o, problems: [...read.responseProblems, ...o.problems] };
      },
      packFiles,
      { syncsResponses: true },
    );
    const where = outcome.meeting
      ? ['html', 'md'].map((ext) => path.join(paths.packs, `${outcome.meeting!.date}.${ext}`))
      : [];
    return { outcome, report: reportOf(report), notes: [], extra: {}, where };
  }

  async wrapUp(now: string, opts: { meeting?: string } = {}): Promise<PhaseRun<WrapUpOutcome>> {
    const { outcome, report } = await runLocal(this.workspace, 'wrap-up', now, (read) =>
      planWrapUp(read.snapshot, now, { meeting: opts.meeting }),
    );
    return { outcome, report: reportOf(report), notes: [], extra: { files: report.emailsWritten } };
  }
}
