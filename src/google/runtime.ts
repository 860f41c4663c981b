/**
 * The Google runtime of the Node job: the register is a Google Sheet, responses come from the
 * update form (Google Forms) since the watermark, plus the lines of a --responses file if one is
 * given; emails go through Gmail, the pack is a Google Doc. Each phase is one function of
 * backend.ts; this class is the port (core/port.ts) over them.
 */

import type { PackOutcome, RequestOutcome, SyncOutcome, WrapUpOutcome } from '../core/cycle';
import { plural } from '../core/format';
import type { PhaseOptions, PhaseReport, PhaseRun, RuntimePort, RuntimeRead } from '../core/port';
import type { Problem, RawSubmission } from '../core/types';
import {
  packGoogle,
  readGoogle,
  readGoogleResponses,
  requestGoogle,
  syncGoogle,
  wrapUpGoogle,
} from './backend';
import type { SendResult } from './gmail';
import { packName } from './pack';

/** PhaseRun.dryRun (and the backend's option), set only on a dry run. */
const dry = (opts: PhaseOptions): { dryRun?: true } => (opts.dryRun ? { dryRun: true } : {});

function reportOf(
  result: { writes: number; appends: number; conflicts: Problem[] },
  emails: SendResult = { sent: [], skipped: [] },
): PhaseReport {
  return { ...result, sent: emails.sent, skipped: emails.skipped };
}

export class GoogleRuntime implements RuntimePort {
  readonly kind = 'google';

  /**
   * `extra`: answers gathered outside the form (a --responses file), read with the form's own;
   * `env`: where the clients find credentials and the API root (process.env unless given).
   */
  constructor(
    readonly spreadsheetId: string,
    private readonly extra: () => Promise<{ raw: RawSubmission[]; problems: Problem[] }> = async () => ({
      raw: [],
      problems: [],
    }),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async read(): Promise<RuntimeRead> {
    const sheet = await readGoogle(this.spreadsheetId, this.env);
    const responses = await readGoogleResponses(sheet.snapshot, await this.extra(), this.env);
    return {
      label: `Google Sheet "${sheet.title}" (${this.spreadsheetId})`,
      snapshot: sheet.snapshot,
      responses: responses.raw,
      responseProblems: responses.problems,
    };
  }

  async sync(now: string): Promise<PhaseRun<SyncOutcome>> {
    const run = await syncGoogle(this.spreadsheetId, await this.extra(), now, this.env);
    return {
      outcome: run.outcome,
      report: reportOf(run.result),
      notes: [
        `Google Sheet "${run.sheet.title}": ${plural(run.responsesRead, 'form response')} read, ${plural(run.result.writes, 'cell')} written, ${plural(run.result.appends, 'row')} added.`,
      ],
      extra: {},
    };
  }

  async request(
    now: string,
    opts: { reminders?: boolean } & PhaseOptions = {},
  ): Promise<PhaseRun<RequestOutcome>> {
    const run = await requestGoogle(
      this.spreadsheetId,
      now,
      { ...(opts.reminders ? { reminders: true } : {}), ...dry(opts) },
      this.env,
    );
    if (opts.dryRun) {
      const form = `  Update form ${run.formId}: would be brought up to date for the meeting (not changed by a dry run).`;
      return {
        outcome: run.outcome,
        report: reportOf(run.result, run.emails),
        notes: run.outcome.meeting ? [form] : [],
        extra: { formId: run.formId },
        dryRun: true,
      };
    }
    const notes = run.outcome.meeting
      ? [
          `  Update form ${run.formId}: ${run.formRequests ? `rebuilt (${plural(run.formRequests, 'change')})` : 'already up to date'}.`,
        ]
      : [];
    return {
      outcome: run.outcome,
      report: reportOf(run.result, run.emails),
      notes,
      extra: { formId: run.formId },
    };
  }

  async pack(now: string, opts: PhaseOptions = {}): Promise<PhaseRun<PackOutcome> & { where: string[] }> {
    const run = await packGoogle(this.spreadsheetId, await this.extra(), now, this.env, dry(opts));
    const meeting = run.outcome.meeting;
    // A dry run creates no Doc: a meeting without one would get a new Doc in the pack folder.
    const planned =
      opts.dryRun && meeting && !run.url ? [`a new Google Doc "${packName(meeting.date)}"`] : [];
    return {
      outcome: run.outcome,
      report: reportOf(run.result, run.emails),
      notes: [],
      // sayPack says it in a line; --json carries it.
      extra: run.dashboardSkipped ? { dashboardSkipped: run.dashboardSkipped } : {},
      where: run.url ? [run.url] : planned,
      ...dry(opts),
    };
  }

  async wrapUp(
    now: string,
    opts: { meeting?: string } & PhaseOptions = {},
  ): Promise<PhaseRun<WrapUpOutcome>> {
    const run = await wrapUpGoogle(this.spreadsheetId, now, opts, this.env);
    return {
      outcome: run.outcome,
      report: reportOf(run.result, run.emails),
      notes: [],
      extra: {},
      ...dry(opts),
    };
  }
}
