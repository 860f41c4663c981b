import { planRequests } from '../../core/cycle';
import { runLocal } from '../../local/backend';
import { emitJson, type GlobalOptions, plural, resolveNow, say } from '../output';
import { reportApply } from './shared';

export interface RequestOptions extends GlobalOptions {
  reminders?: boolean;
}

export async function requestCommand(opts: RequestOptions): Promise<number> {
  const now = resolveNow(opts);
  const { outcome, report } = await runLocal(opts.workspace, 'request', now, (read) =>
    planRequests(read.snapshot, now, { reminders: opts.reminders }),
  );
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
