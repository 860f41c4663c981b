/**
 * Plain-text `pack` / `run` list the pack's ranked slots as Part 2 does (number, kind, lead topic,
 * its other topics indented, deferrals, the cut line); `--json` carries them too. A request run
 * names its rung of the reminder ladder as the emails do; the Google pack says when it left the
 * team's own Dashboard tab alone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  notToWrapUp,
  packJson,
  RUNG_LABEL,
  SLOTS_LISTED,
  sayPack,
  sayPackSlots,
  sayRequest,
} from '../../src/cli/report';
import type { PackOutcome, RequestOutcome } from '../../src/core/cycle';
import type { PhaseRun } from '../../src/core/port';
import { slotLabel, slotsOf } from '../../src/core/slots';
import type { Topic } from '../../src/core/types';
import { meeting, milestone, person, register, settings, topic } from '../core/pack-builders';
import { said } from './helpers';

afterEach(() => vi.restoreAllMocks());

/** Two slots above the cut (the first of three topics), one below. */
function slottedTopics(): Topic[] {
  return [
    topic(1, { kind: 'might-miss', title: 'M-0003 Billing live (flagged Might miss)', topicId: 'T-0001' }),
    topic(1, {
      kind: 'help',
      title: 'Metering decision',
      subRank: 1,
      topicId: 'T-0002',
      helpFrom: 'Product',
    }),
    topic(1, {
      kind: 'dependency',
      title: 'M-0003 puts M-0004 at risk',
      subRank: 2,
      topicId: 'T-0003',
      deferrals: 1,
    }),
    topic(2, { kind: 'missed', title: 'M-0008 Pricing page (missed)', topicId: 'T-0004' }),
    topic(3, { kind: 'raised', title: 'Holiday cover', topicId: 'T-0005', belowCut: true, deferrals: 2 }),
  ];
}

describe('pack lists the ranked slots', () => {
  it('one line per slot in rank order, its other topics indented under it, the cut line where it falls', () => {
    const lines = said(() => sayPackSlots(slottedTopics(), register()));
    expect(lines).toEqual([
      '  3 slots (5 topics), 2 above the cut line, in priority order:',
      '    1. Might miss: M-0003 Billing live (flagged Might miss) — one slot with the 2 related topics below',
      '        1.1 Help needed: Metering decision — help from Product',
      '        1.2 Dependency: M-0003 puts M-0004 at risk — deferred 1×',
      '    2. Missed: M-0008 Pricing page (missed)',
      '    -- cut line: the slots below are deferred to the next meeting unless time allows --',
      '    3. Raised: Holiday cover — deferred 2×',
    ]);
  });

  it('in the order of the pack’s Part 2, whatever order the topics come in', () => {
    const topics = slottedTopics().reverse();
    const numbers = said(() => sayPackSlots(topics, register()))
      .slice(1)
      .filter((l) => !l.includes('cut line'))
      .map((l) => l.trim().split(' ')[0]!.replace(/\.$/, ''));
    expect(numbers).toEqual(slotsOf(topics).flatMap((s) => [s.lead, ...s.members].map(slotLabel)));
  });

  it('many slots: the first ones, then how many more and where they all are', () => {
    const many = Array.from({ length: SLOTS_LISTED + 7 }, (_, i) => topic(i + 1));
    const lines = said(() => sayPackSlots(many, register()));
    expect(lines).toHaveLength(1 + SLOTS_LISTED + 1);
    expect(lines.at(-1)).toBe('    … and 7 more slots — see Part 2 of the pack (or --json for all)');
  });

  it('--json keeps the topics and adds the slots, each with its topics numbered as in the pack', () => {
    const outcome = {
      topics: slottedTopics(),
      meeting: meeting('2026-12-03'),
      circulated: false,
    } as PackOutcome;
    const json = packJson(outcome, []);
    expect(json.topics).toHaveLength(5);
    expect(json.slots.map((s) => [s.rank, s.belowCut, s.topics.map((t) => t.number)])).toEqual([
      [1, false, ['1', '1.1', '1.2']],
      [2, false, ['2']],
      [3, true, ['3']],
    ]);
  });

  it('says when the team’s own Dashboard tab was left alone, and why', () => {
    const run = {
      outcome: {
        topics: [],
        meeting: meeting('2026-12-03'),
        register: register(),
        plan: { emails: [], writes: [], appends: [] },
        circulated: false,
      } as unknown as PackOutcome,
      report: { writes: 0, appends: 0, conflicts: [], sent: [], skipped: [] },
      notes: [],
      extra: { dashboardSkipped: 'The register has a "Dashboard" tab of its own.' },
      where: ['https://docs.google.com/document/d/x/edit'],
    };
    expect(said(() => sayPack(run, 'google'))).toContain(
      '  Dashboard tab left alone: The register has a "Dashboard" tab of its own.',
    );
    expect(said(() => sayPack({ ...run, extra: {} }, 'google')).join('\n')).not.toContain('Dashboard');
  });
});

describe('the ladder’s last rung in the pack', () => {
  it('names the owners silent for "Escalate after missed meetings" meetings in a row, and whether the leader is copied', () => {
    const tom = person('Tom Becker', 'Product');
    const leader = 'lead@example.com';
    const r = register({
      team: [tom],
      milestones: [milestone('M-0001', 'Pricing page', tom.email, 'Growth')],
      meetings: [
        meeting('2026-11-26', { status: 'Held', requestsSent: '2026-11-23T10:00:00Z' }),
        meeting('2026-12-03', { requestsSent: '2026-11-30T10:00:00Z' }),
      ],
      settings: settings({ escalateAfterMissed: 2, leader }),
    });
    const run = (cc: string[]) => ({
      outcome: {
        topics: [],
        meeting: r.meetings[1]!,
        register: r,
        plan: { emails: [{ kind: 'pack', cc }], writes: [], appends: [] },
        circulated: true,
      } as unknown as PackOutcome,
      report: { writes: 0, appends: 0, conflicts: [], sent: [], skipped: [] },
      notes: [],
      extra: {},
      where: ['packs/2026-12-03.html'],
    });
    expect(said(() => sayPack(run([leader]), 'local'))).toContain(
      "  Escalation: Tom Becker sent no update for 2 meetings in a row — named to the leader in the pack's at-a-glance (the leader is copied on the pack email).",
    );
    expect(said(() => sayPack(run([]), 'local'))).toContain(
      "  Escalation: Tom Becker sent no update for 2 meetings in a row — named to the leader in the pack's at-a-glance.",
    );
  });
});

describe('a request run names its rung of the ladder as the emails do', () => {
  const run = (rung: RequestOutcome['rung']): PhaseRun<RequestOutcome> => ({
    outcome: {
      plan: { emails: [], writes: [], appends: [] } as unknown as RequestOutcome['plan'],
      meeting: meeting('2026-12-03'),
      kind: rung === 'request' ? 'request' : 'reminder',
      rung,
      column: '',
      recipients: ['a@example.com', 'b@example.com'],
      problems: [],
    },
    report: { writes: 0, appends: 0, conflicts: [], sent: [], skipped: [] },
    notes: [],
    extra: {},
  });
  it('request, first reminder (the owner alone), second reminder (copying delegate and process manager)', () => {
    expect(said(() => sayRequest(run('request')))).toEqual([
      'Update requests for the meeting on 2026-12-03: 2 owners.',
    ]);
    expect(said(() => sayRequest(run('reminder')))).toEqual([
      'First reminders (to the owner alone) for the meeting on 2026-12-03: 2 owners.',
    ]);
    expect(said(() => sayRequest(run('second-reminder')))).toEqual([
      'Second reminders (copying the delegate and the process manager) for the meeting on 2026-12-03: 2 owners.',
    ]);
    expect(RUNG_LABEL['second-reminder']).toMatch(/process manager/);
  });
});

describe('wrap-up --meeting on a meeting that is no longer Planned', () => {
  it('wrapped up before: says when; Held by hand: says so and how to wrap it up; Cancelled: nothing to do', () => {
    const held = meeting('2026-12-03', { status: 'Held', wrappedUp: '2026-12-03T12:00:00Z' });
    expect(notToWrapUp(held, 'Europe/London')).toBe(
      'The meeting on 2026-12-03 was already wrapped up on Thu 3 Dec 2026 12:00 (marked Held, its key-items digest sent then): nothing to do, nothing sent again.',
    );
    expect(notToWrapUp(meeting('2026-12-03', { status: 'Held' }), 'UTC')).toMatch(
      /already marked Held in the Meetings tab \(by hand.*set its Status back to Planned/,
    );
    expect(notToWrapUp(meeting('2026-12-03', { status: 'Cancelled' }), 'UTC')).toBe(
      'The meeting on 2026-12-03 is Cancelled: nothing to wrap up.',
    );
    expect(notToWrapUp(meeting('2026-12-03'), 'UTC')).toBeUndefined();
  });
});
