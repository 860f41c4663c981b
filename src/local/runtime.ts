/**
 * The local runtime (the embedded default): the register is register.xlsx in a workspace,
 * responses are responses.jsonl, emails go to outbox/ (one file per email key: the send log),
 * packs to packs/. Each phase runs under the workspace lock (backend.ts runLocal): read, let the
 * core plan, apply the plan as the core resolves it, write the files, save the workbook.
 */
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
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
import type { PhaseOptions, PhaseReport, PhaseRun, RuntimePort, RuntimeRead } from '../core/port';
import type { Email, Plan, Snapshot } from '../core/types';
import {
  type ApplyReport,
  type LocalMail,
  type LocalRead,
  type RunFile,
  readLocal,
  runLocal,
} from './backend';
import { deliveryNotes } from './delivery';
import { packAttachment, packFiles, packLocation } from './packs';
import { type SmtpSettings, smtpSender, smtpSettings } from './smtp';
import { makeToken, readSecret } from './tokens';

/** Whether a run's emails go to a mail server, and how (see README "Sending the emails"). */
export interface LocalMailOptions {
  /**
   * true: deliver by SMTP when MILEPOST_SMTP_HOST is set (the CLI's commands). false: the outbox
   * only, and the run says so (--no-send). Left out: the outbox only, silently (the demo).
   */
  send?: boolean;
  /** Where the MILEPOST_SMTP_* settings are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** TLS options added to the connection (a test's own certificate authority). */
  tls?: ConnectionOptions;
}

/** The pack email carries the pack: the HTML this run writes to packs/<date>.html. */
function attachPack(email: Email, files: RunFile[]) {
  return email.kind === 'pack' ? files.flatMap(packAttachment) : [];
}

/** PhaseRun.dryRun, set only on a dry run. */
const dry = (opts: PhaseOptions): { dryRun?: true } => (opts.dryRun ? { dryRun: true } : {});

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
  /** The outbox-only notice is said once per runtime (a `run` goes through several phases). */
  private toldOutboxOnly = false;

  constructor(
    readonly workspace: string,
    private readonly mailOptions: LocalMailOptions = {},
  ) {}

  /** The SMTP settings when this runtime sends (a bad MILEPOST_SMTP_* value fails here, before any write). */
  private smtp(): SmtpSettings | undefined {
    return this.mailOptions.send ? smtpSettings(this.mailOptions.env ?? process.env) : undefined;
  }

  /**
   * Runs a phase that writes emails with the mail set up for it (the server connection closed
   * after), and returns what the delivery did in words (notes) and for --json (extra).
   */
  private async mailing<R extends { report: ApplyReport }>(
    attachments: LocalMail['attachments'] | undefined,
    phase: (mail: LocalMail) => Promise<R>,
    dryRun = false,
  ): Promise<R & { notes: string[]; delivery: Record<string, unknown> }> {
    // A dry run writes no outbox and talks to no mail server.
    if (dryRun) return { ...(await phase({})), notes: [], delivery: {} };
    const settings = this.smtp();
    const sender = settings ? smtpSender(settings, this.mailOptions.tls) : undefined;
    try {
      const result = await phase({
        ...(sender ? { sender } : {}),
        ...(settings?.from ? { from: settings.from } : {}),
        ...(attachments ? { attachments } : {}),
      });
      const emails = result.report.emailsWritten.length + result.report.emailsSkipped.length;
      // Said when asked to send and cannot (no server), or told not to (--no-send); a runtime
      // made without the option (the demo) writes the outbox as it always did, silently.
      const { send } = this.mailOptions;
      const why = send === false ? 'no-send' : send && !settings ? 'no-server' : undefined;
      const tell = why !== undefined && emails > 0 && !this.toldOutboxOnly;
      if (tell) this.toldOutboxOnly = true;
      const { notes, json } = deliveryNotes(result.report, tell ? why : undefined);
      return { ...result, notes, delivery: json };
    } finally {
      sender?.close();
    }
  }

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
    return { outcome, report: reportOf(report), notes: tidyNotes(report), extra: {} };
  }

  async request(
    now: string,
    opts: { reminders?: boolean } & PhaseOptions = {},
  ): Promise<PhaseRun<RequestOutcome>> {
    const secret = await readSecret(this.workspace);
    return this.emailPhase(
      'request',
      now,
      (read) => {
        const plain = planRequests(read.snapshot, now, { reminders: opts.reminders });
        const links = personalLinks(read.snapshot, secret, plain.meeting?.date);
        return links ? planRequests(read.snapshot, now, { reminders: opts.reminders, links }) : plain;
      },
      opts,
    );
  }

  async pack(now: string, opts: PhaseOptions = {}): Promise<PhaseRun<PackOutcome> & { where: string[] }> {
    const { outcome, report, paths, notes, delivery } = await this.mailing(
      attachPack,
      (mail) =>
        runLocal(
          this.workspace,
          'pack',
          now,
          (read) => {
            const o = planPack(read.snapshot, read.responses, now, (m) => packLocation(m.date));
            return { ...o, problems: [...read.responseProblems, ...o.problems] };
          },
          packFiles,
          { syncsResponses: true, mail, dryRun: opts.dryRun },
        ),
      opts.dryRun,
    );
    const where = outcome.meeting
      ? ['html', 'md'].map((ext) => path.join(paths.packs, `${outcome.meeting!.date}.${ext}`))
      : [];
    return {
      outcome,
      report: reportOf(report),
      notes: [...tidyNotes(report), ...notes],
      extra: { ...delivery },
      where,
      ...dry(opts),
    };
  }

  async wrapUp(
    now: string,
    opts: { meeting?: string } & PhaseOptions = {},
  ): Promise<PhaseRun<WrapUpOutcome>> {
    return this.emailPhase(
      'wrap-up',
      now,
      (read) => planWrapUp(read.snapshot, now, { meeting: opts.meeting }),
      opts,
    );
  }

  /** A phase whose only output is email (request, wrap-up): planned, applied, mailed. */
  private async emailPhase<T extends { plan: Plan }>(
    command: 'request' | 'wrap-up',
    now: string,
    plan: (read: LocalRead) => T,
    opts: PhaseOptions,
  ): Promise<PhaseRun<T>> {
    const { outcome, report, notes, delivery } = await this.mailing(
      undefined,
      (mail) => runLocal(this.workspace, command, now, plan, undefined, { mail, dryRun: opts.dryRun }),
      opts.dryRun,
    );
    return {
      outcome,
      report: reportOf(report),
      notes,
      extra: { files: report.emailsWritten, ...delivery },
      ...dry(opts),
    };
  }
}

/** What a sync did to the workbook besides its plan, in words (nothing when it did nothing). */
export function tidyNotes(report: ApplyReport): string[] {
  const t = report.tidied;
  if (!t) return [];
  return [
    ...(t.validations.length ? [`Register: added ${t.validations.join('; ')}.`] : []),
    ...(t.notes.length
      ? [
          `Register: notes on cells in error brought up to date on ${t.notes.join(', ')} (open register.xlsx to read them).`,
        ]
      : []),
  ];
}
