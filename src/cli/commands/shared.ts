import type { ApplyReport } from '../../local/backend';
import { plural, say, sayProblems } from '../output';

export function reportApply(report: ApplyReport): void {
  if (report.emailsWritten.length) say(`  Outbox: ${plural(report.emailsWritten.length, 'email')} written.`);
  if (report.emailsSkipped.length)
    say(`  Outbox: ${plural(report.emailsSkipped.length, 'email')} already sent, not repeated.`);
  if (report.conflicts.length) {
    say(
      `  ${plural(report.conflicts.length, 'cell')} changed by someone else since the read were left as they are:`,
    );
    sayProblems(report.conflicts);
  }
}
