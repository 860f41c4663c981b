import { planRequests, planValidate } from '../../core/cycle';
import type { Snapshot } from '../../core/types';
import { requestGoogle, spreadsheetIdFrom } from '../../google/backend';
import { runLocal } from '../../local/backend';
import { makeToken, readSecret } from '../../local/tokens';
import { emitJson, type GlobalOptions, plural, resolveNow, say } from '../output';
import { backendOf } from '../source';
import { reportApply } from './shared';

export interface RequestOptions extends GlobalOptions {
  reminders?: boolean;
}

/** Requests on Google: the form rebuilt for the meeting, pre-filled links by Gmail. */
async function requestOnGoogle(opts: RequestOptions): Promise<number> {
  const now = resolveNow(opts);
  const run = await requestGoogle(spreadsheetIdFrom(opts.spreadsheet), now, {
    ...(opts.reminders ? { reminders: true } : {}),
  });
  const { outcome } = run;
  if (!outcome.meeting) {
    say('No planned meeting ahead: add one to Meetings or set "First meeting" in Settings.');
  } else {
    say(
      `${outcome.kind === 'request' ? 'Update requests' : 'Reminders'} for the meeting on ${outcome.meeting.date}: ${plural(outcome.recipients.length, 'owner')}.`,
    );
    say(
      `  Update form ${run.formId}: ${run.formRequests ? `rebuilt (${plural(run.formRequests, 'change')})` : 'already up to date'}.`,
    );
    if (run.emails.sent.length) say(`  Sent by Gmail: ${plural(run.emails.sent.length, 'email')}.`);
    if (run.emails.skipped.length)
      say(`  ${plural(run.emails.skipped.length, 'email')} already sent, not repeated.`);
  }
  reportApply({ ...run.result, emailsWritten: [], emailsSkipped: [] });
  emitJson(opts, {
    meeting: outcome.meeting?.date ?? null,
    kind: outcome.kind,
    recipients: outcome.recipients,
    formId: run.formId,
    sent: run.emails.sent,
    skipped: run.emails.skipped,
  });
  return 0;
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

export async function requestCommand(opts: RequestOptions): Promise<number> {
  if (backendOf(opts) === 'google') return requestOnGoogle(opts);
  const now = resolveNow(opts);
  const secret = await readSecret(opts.workspace);
  const { outcome, report } = await runLocal(opts.workspace, 'request', now, (read) => {
    const plain = planRequests(read.snapshot, now, { reminders: opts.reminders });
    const links = personalLinks(read.snapshot, secret, plain.meeting?.date);
    return links ? planRequests(read.snapshot, now, { reminders: opts.reminders, links }) : plain;
  });
  if (!outcome.meeting) {
    say('No planned meeting ahead: add one to Meetings or set "First meeting" in Settings.');
  } else {
    say(
      `${outcome.kind === 'request' ? 'Update requests' : 'Reminders'} for the meeting on ${outcome.meeting.date}: ${plural(outcome.recipients.length, 'owner')}.`,
    );
  }
  reportApply(report);
  emitJson(opts, {
    meeting: outcome.meeting?.date ?? null,
    kind: outcome.kind,
    recipients: outcome.recipients,
    files: report.emailsWritten,
    skipped: report.emailsSkipped,
  });
  return 0;
}
