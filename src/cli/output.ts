/** What a command prints: a JSON result on stdout with --json, readable lines on stderr. */
import { parseIsoDate } from '../core/dates';
import type { Problem } from '../core/types';

export interface GlobalOptions {
  workspace: string;
  now?: string;
  json?: boolean;
  /** 'local' (default) or 'google'. */
  backend?: string;
  spreadsheet?: string;
  /** A responses.jsonl to read instead of the backend's own responses. */
  responses?: string;
  dryRun?: boolean;
  /** false with --no-send: the local backend writes the outbox and sends nothing. */
  send?: boolean;
}

export class UsageError extends Error {}

export function resolveNow(opts: GlobalOptions): string {
  if (!opts.now) return new Date().toISOString();
  const t = Date.parse(opts.now);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(opts.now);
  if (!m || Number.isNaN(t)) {
    throw new UsageError(`--now "${opts.now}" is not an ISO-8601 instant such as 2026-12-02T16:00:00Z`);
  }
  // Date.parse rolls 30 February over to 2 March and 24:30 to the next day: a typo, not an instant.
  const [, y, mo, d, h, mi] = m.map(Number) as number[];
  const day = new Date(Date.UTC(y!, mo! - 1, d!));
  if (day.getUTCMonth() !== mo! - 1 || day.getUTCDate() !== d! || h! > 23 || mi! > 59) {
    throw new UsageError(`--now "${opts.now}" is not a real date and time (no such day or hour)`);
  }
  return new Date(t).toISOString();
}

/** A calendar-date option (`--meeting 2026-12-03`): a UsageError naming the option when it is none. */
export function calendarDate(option: string, value: string): string {
  const date = parseIsoDate(value);
  if (!date || date !== value.trim())
    throw new UsageError(
      `${option} "${value}" is not a date: expected a real day as YYYY-MM-DD, e.g. 2026-12-03`,
    );
  return date;
}

export function say(line = ''): void {
  process.stderr.write(`${line}\n`);
}

/** Whether this process has printed its JSON result: a failure then adds no second object. */
let jsonWritten = false;

export function emitJson(opts: GlobalOptions, value: unknown): void {
  if (opts.json) writeJson(value);
}

/** Prints `value` as the JSON result on stdout (once per run). */
export function writeJson(value: unknown): void {
  jsonWritten = true;
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function jsonWasWritten(): boolean {
  return jsonWritten;
}

export function formatProblem(p: Problem): string {
  return `${p.severity === 'error' ? 'error' : 'warning'}: ${p.message}`;
}

export function sayProblems(problems: Problem[], limit = 50): void {
  for (const p of problems.slice(0, limit)) say(`  ${formatProblem(p)}`);
  if (problems.length > limit) say(`  … and ${problems.length - limit} more (use --json for all)`);
}

export { plural } from '../core/format';
