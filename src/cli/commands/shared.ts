import type { ApplyReport } from '../../local/backend';
import { plural, say, sayProblems } from '../output';

export function reportApply(report: ApplyReport): void {
  if (report.emailsWritten.length) say(`  Outbox: ${plural(report.emailsWritten.length, 'email')} written.`);
  if (report.emailsSkipped.length)
    say(`  Outbox: ${plural(report.emailsSkipped.length, 'email')} already sent, not repeated.`);
  if (report.conflicts.length) {
    say(
      `  ${plural(report.conflicts.length, 'row')} changed by someone since the read ${report.conflicts.length === 1 ? 'was' : 'were'} left as ${report.conflicts.length === 1 ? 'it was' : 'they were'}:`,
    );
    sayProblems(report.conflicts);
  }
}
