/**
 * The runtime port: what a runtime does for Milepost, whatever it runs on (docs/architecture.md
 * §4). The core decides; a runtime reads the register and the responses since the watermark,
 * applies the plan the core resolves against the rows as they are (`resolvePlan`), sends each
 * email once, writes the pack where its people read it, and keeps the watermark and the ID floor
 * in Settings as the core plans them. Each phase of the cycle is one method.
 *
 * The layout is google-auth-library's: one interface, one class per platform, one factory —
 * `LocalRuntime` (src/local/runtime.ts), `GoogleRuntime` (src/google/runtime.ts),
 * `createRuntime` (src/runtime.ts). Apps Script is synchronous: it runs the same phases with the
 * same core rules through its own driver (src/gas/main.ts), and the parity suite holds all three
 * to the same results (test/parity).
 *
 * Types only: the core stays pure.
 */
import type { PackOutcome, RequestOutcome, SyncOutcome, WrapUpOutcome } from './cycle';
import type { Problem, RawSubmission, Snapshot } from './types';

/** The register and the responses a phase would read, read without writing (validate, dry runs, run). */
export interface RuntimeRead {
  /** How the register is named in messages: a file path, or 'Google Sheet "…" (id)'. */
  label: string;
  snapshot: Snapshot;
  responses: RawSubmission[];
  responseProblems: Problem[];
}

/** What carrying out a phase's plan did. */
export interface PhaseReport {
  writes: number;
  appends: number;
  /** Rows left as people set them (changed since the read), or not there. */
  conflicts: Problem[];
  /** Emails sent now (keys, or outbox files), and those already sent before (not repeated). */
  sent: string[];
  skipped: string[];
}

export interface PhaseRun<T> {
  outcome: T;
  report: PhaseReport;
  /** What this runtime did besides (lines for a person: "Google Sheet …: 3 form responses read"). */
  notes: string[];
  /** Runtime-specific figures for `--json` (the form id, the outbox files…). */
  extra: Record<string, unknown>;
  /**
   * A dry run (`--dry-run`): the phase was planned on the register as it is and nothing was
   * applied — no cell, row, file, form or document written, no email sent. `report.skipped`
   * then holds the keys of the planned emails that went out before (not sent again).
   */
  dryRun?: boolean;
}

/** Options of every phase: `dryRun` plans it and applies nothing (PhaseRun.dryRun). */
export interface PhaseOptions {
  dryRun?: boolean;
}

export interface RuntimePort {
  readonly kind: 'local' | 'google';
  /** Reads without writing. */
  read(): Promise<RuntimeRead>;
  /** Responses into the register (and, on Google, the form's since the watermark). */
  sync(now: string): Promise<PhaseRun<SyncOutcome>>;
  /** Update requests (or reminders): each owner's email once, then Meetings records it. */
  request(now: string, opts?: { reminders?: boolean } & PhaseOptions): Promise<PhaseRun<RequestOutcome>>;
  /** A sync, then the meeting's pack written where the runtime keeps packs, and circulated once. */
  pack(now: string, opts?: PhaseOptions): Promise<PhaseRun<PackOutcome> & { where: string[] }>;
  /** The key-items digest once, then the meeting marked Held. */
  wrapUp(now: string, opts?: { meeting?: string } & PhaseOptions): Promise<PhaseRun<WrapUpOutcome>>;
}
