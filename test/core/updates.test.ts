import { describe, expect, it } from 'vitest';
import { planPack, planSync } from '../../src/core/cycle';
import { instantToSerial } from '../../src/core/dates';
import { readRegister } from '../../src/core/register';
import { renderMarkdown } from '../../src/core/render-markdown';
import { meetingTimes } from '../../src/core/schedule';
import { respondents } from '../../src/core/topics';
import { ingest, isLateUpdate, isNoChangeUpdate } from '../../src/core/updates';
import { milestone, raw, register, submission } from './builders';
import { applyToSnapshot } from './memory';

const NOW = '2026-12-01T12:00:00Z';

function run(records: Parameters<typeof register>[0], ...subs: unknown[]) {
  const { register: r } = readRegister(register(records));
  return ingest(r, raw(...subs), NOW);
}

const ms = {
  Milestones: [
    milestone('M-0001', 'ann@example.com', '2026-12-20'),
    milestone('M-0002', 'bob@example.com', '2026-12-20'),
    milestone('M-0003', 'ann@example.com', '2026-12-20', { Status: 'Done' }),
  ],
  Changes: [
    {
      When: '2026-11-01T10:00:00Z',
      Milestone: 'M-0003',
      Field: 'Status',
      From: 'On track',
      To: 'Done',
      By: 'ann@example.com',
      Source: 'form',
    },
  ],
};

describe('ingest', () => {
  it('applies an owner update: status and forecast change, Changes rows, Updates row, Last update', () => {
    const r = run(
      ms,
      submission({
        statuses: { 'M-0001': 'Might miss' },
        forecasts: { 'M-0001': '2026-12-24' },
        wins: 'Shipped beta',
      }),
    );
    expect(r.applied).toEqual([
      {
        responseId: 'r1',
        milestone: 'M-0001',
        field: 'Status',
        from: 'On track',
        to: 'Might miss',
        by: 'ann@example.com',
        source: 'form',
      },
      {
        responseId: 'r1',
        milestone: 'M-0001',
        field: 'Forecast',
        from: '',
        to: '2026-12-24',
        by: 'ann@example.com',
        source: 'form',
      },
    ]);
    expect(r.writes.map((w) => [w.ref, w.column, w.value])).toEqual([
      [{ by: 'key', header: 'ID', value: 'M-0001' }, 'Status', 'Might miss'],
      [{ by: 'key', header: 'ID', value: 'M-0001' }, 'Forecast', '2026-12-24'],
      [{ by: 'key', header: 'ID', value: 'M-0001' }, 'Last update', '2026-12-01T09:00:00.000Z'],
    ]);
    const updates = r.appends.filter((a) => a.tab === 'Updates');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.values).toMatchObject({
      Meeting: '2026-12-03',
      Wins: 'Shipped beta',
      Result: 'Applied: 2 changes',
    });
    expect(r.appends.filter((a) => a.tab === 'Changes')).toHaveLength(2);
  });

  it('accepts the delegate and rejects anyone else, changing nothing', () => {
    const r = run(
      ms,
      submission({ responseId: 'd', email: 'dan@example.com', statuses: { 'M-0001': 'Might miss' } }),
      submission({ responseId: 'c', email: 'cat@example.com', statuses: { 'M-0002': 'Missed' } }),
    );
    expect(r.applied.map((a) => [a.responseId, a.milestone])).toEqual([['d', 'M-0001']]);
    expect(r.rejected).toEqual([
      {
        responseId: 'c',
        milestone: 'M-0002',
        reason: 'only the owner (bob@example.com) may update M-0002',
        where: 'responses.jsonl line 2',
      },
    ]);
    expect(r.appends.find((a) => a.values['Response ID'] === 'c')!.values.Result).toMatch(
      /^Rejected: no changes; rejected M-0002/,
    );
  });

  it("keeps a member's own report when every milestone answer is refused: partly applied, and they responded", () => {
    const r = run(
      ms,
      submission({
        responseId: 'w',
        statuses: { 'M-0003': 'On track' },
        wins: 'Closed the audit',
        learnings: '',
      }),
    );
    expect(r.rejected.map((x) => x.reason)).toEqual(['M-0003 is Done; closed milestones are not updated']);
    const row = r.appends.find((a) => a.values['Response ID'] === 'w')!.values;
    expect(row.Result).toMatch(/^Partly applied: no changes; rejected M-0003/);
    expect(row.Wins).toBe('Closed the audit');
    // Without a report of their own, nothing of the response stands.
    const bare = run(ms, submission({ responseId: 'x', statuses: { 'M-0003': 'On track' } }));
    expect(bare.appends.find((a) => a.values['Response ID'] === 'x')!.values.Result).toMatch(/^Rejected/);
    // And the pack's topics: no "No update from Ann" once her report is in.
    const stale = (subs: unknown[]) =>
      planSync(register(ms), raw(...subs), NOW)
        .topics.filter((t) => t.kind === 'stale')
        .map((t) => t.owners[0]);
    expect(
      stale([submission({ responseId: 'w', statuses: { 'M-0003': 'On track' }, wins: 'Closed the audit' })]),
    ).not.toContain('ann@example.com');
    expect(stale([submission({ responseId: 'x', statuses: { 'M-0003': 'On track' } })])).toContain(
      'ann@example.com',
    );
  });

  it('rejects someone not on the Team tab as a whole', () => {
    const r = run(ms, submission({ email: 'eve@elsewhere.com', statuses: { 'M-0001': 'Done' } }));
    expect(r.applied).toEqual([]);
    expect(r.rejected[0]).toMatchObject({
      milestone: '',
      reason: 'eve@elsewhere.com is not on the Team tab',
    });
    expect(r.writes).toEqual([]);
  });

  it('rejects per milestone: Done, unknown ID, unknown status, impossible forecast; the rest applies', () => {
    const r = run(
      ms,
      submission({
        statuses: {
          'M-0001': 'Might miss',
          'M-0003': 'On track',
          'M-0999': 'On track',
          'M-0002': 'Finished',
        },
        forecasts: { 'M-0001': '2026-02-31' },
        email: 'ann@example.com',
      }),
    );
    expect(r.applied).toEqual([]);
    expect(r.rejected.map((x) => [x.milestone, x.reason])).toEqual([
      ['M-0001', 'forecast "2026-02-31" is not a date (expected YYYY-MM-DD)'],
      ['M-0002', 'only the owner (bob@example.com) may update M-0002'],
      ['M-0003', 'M-0003 is Done; closed milestones are not updated'],
      ['M-0999', 'there is no milestone M-0999 in the register'],
    ]);
    const r2 = run(ms, submission({ statuses: { 'M-0001': 'Might miss', 'M-0999': 'On track' } }));
    expect(r2.applied).toHaveLength(1);
    expect(r2.appends.find((a) => a.tab === 'Updates')!.values.Result).toBe(
      'Partly applied: 1 change; rejected M-0999: there is no milestone M-0999 in the register',
    );
  });

  it('applies the same response once however often it is seen; an edited response re-applies', () => {
    const first = submission({ statuses: { 'M-0001': 'Might miss' } });
    const r = run(ms, first, first);
    expect(r.applied).toHaveLength(1);
    expect(r.skipped).toEqual([
      { responseId: 'r1', reason: 'duplicate of an earlier line', where: 'responses.jsonl line 2' },
    ]);
    // Once recorded in Updates, the same line is skipped on the next sync.
    const recorded = {
      ...ms,
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss' }),
        ...ms.Milestones.slice(1),
      ],
      Changes: [
        ...ms.Changes,
        {
          When: '2026-12-01T09:00:00Z',
          Milestone: 'M-0001',
          Field: 'Status',
          From: 'On track',
          To: 'Might miss',
          By: 'ann@example.com',
          Source: 'form',
          'Response ID': 'r1',
        },
      ],
      Updates: [
        {
          Received: '2026-12-01T09:00:00Z',
          'Response ID': 'r1',
          Meeting: '2026-12-03',
          Email: 'ann@example.com',
          Result: 'Applied: 1 change',
        },
      ],
    };
    const again = run(recorded, first);
    expect(again.applied).toEqual([]);
    expect(again.recorded).toBe(0);
    const edited = run(
      recorded,
      first,
      submission({ submittedAt: '2026-12-01T11:00:00Z', statuses: { 'M-0001': 'On track' } }),
    );
    expect(edited.applied.map((a) => [a.field, a.from, a.to])).toEqual([
      ['Status', 'Might miss', 'On track'],
    ]);
    expect(edited.skipped[0]!.reason).toBe('already applied');
  });

  it('keeps only the latest version of a response edited twice before a sync', () => {
    const r = run(
      ms,
      submission({ submittedAt: '2026-12-01T11:00:00Z', statuses: { 'M-0001': 'Missed' } }),
      submission({ submittedAt: '2026-12-01T09:00:00Z', statuses: { 'M-0001': 'Might miss' } }),
    );
    expect(r.applied.map((a) => a.to)).toEqual(['Missed']);
    expect(r.skipped[0]!.reason).toBe('replaced by a later edit of the same response');
  });

  it('stores text literally, formulas and HTML included', () => {
    const text = '=HYPERLINK("http://evil") <b>+1</b> @me -x';
    const r = run(
      ms,
      submission({ wins: text, learnings: '+44', helpNeeded: '@ops', comments: { 'M-0001': '-3 days' } }),
    );
    expect(r.appends[0]!.values).toMatchObject({
      Wins: text,
      Learnings: '+44',
      'Help needed': '@ops',
      Comments: 'M-0001: -3 days',
    });
  });

  it('reports a malformed submission with where it came from, and still applies the others', () => {
    const r = run(
      ms,
      { responseId: '', email: 'not-an-email' },
      submission({ statuses: { 'M-0001': 'Might miss' } }),
    );
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ tab: 'responses.jsonl', row: 1 });
    expect(r.problems[0]!.message).toMatch(
      /^responses.jsonl line 1: responseId: a response id is required; submittedAt/,
    );
    expect(r.applied).toHaveLength(1);
  });

  it('marks overdue open milestones Missed in the register time zone (source auto)', () => {
    const records = {
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-11-30'),
        milestone('M-0002', 'bob@example.com', '2026-12-01'),
      ],
    };
    const { register: r } = readRegister(register(records, { 'Time zone': 'Pacific/Auckland' }));
    // 2026-11-30T12:00Z is already 1 December in Auckland.
    const res = ingest(r, [], '2026-11-30T12:00:00Z');
    expect(res.applied).toEqual([
      {
        responseId: '',
        milestone: 'M-0001',
        field: 'Status',
        from: 'On track',
        to: 'Missed',
        by: 'milepost',
        source: 'auto',
      },
    ]);
    const off = readRegister(
      register(records, { 'Time zone': 'Pacific/Auckland', 'Auto-miss overdue': 'no' }),
    ).register;
    expect(ingest(off, [], '2026-11-30T12:00:00Z').applied).toEqual([]);
  });

  it('records hand edits made in the sheet since the last recorded change (source sheet)', () => {
    const r = run({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss' }),
        milestone('M-0002', 'bob@example.com', '2026-12-20'),
      ],
    });
    expect(r.applied).toEqual([
      {
        responseId: '',
        milestone: 'M-0001',
        field: 'Status',
        from: 'On track',
        to: 'Might miss',
        by: '',
        source: 'sheet',
      },
    ]);
    expect(r.writes).toEqual([]);
  });
});

describe('ingest across syncs', () => {
  const base = () => register(ms);
  const sync = (snap: ReturnType<typeof register>, subs: unknown[], now = NOW) => {
    const out = planSync(snap, raw(...subs), now);
    return { out, next: applyToSnapshot(snap, out.plan) };
  };
  const statusOf = (snap: ReturnType<typeof register>, id: string) =>
    readRegister(snap).register.milestones.find((m) => m.id === id)!.status;

  it('reads milestone IDs in any case and with spaces', () => {
    const r = run(
      ms,
      submission({ statuses: { ' m-0001 ': 'Might miss' }, forecasts: { 'm-0001': '2027-01-05' } }),
    );
    expect(r.applied.map((a) => [a.milestone, a.field, a.to])).toEqual([
      ['M-0001', 'Status', 'Might miss'],
      ['M-0001', 'Forecast', '2027-01-05'],
    ]);
  });

  it('an older response arriving after a newer one does not override it', () => {
    const newer = submission({
      responseId: 'b',
      submittedAt: '2026-12-01T11:00:00Z',
      statuses: { 'M-0001': 'Might miss' },
    });
    const older = submission({
      responseId: 'a',
      submittedAt: '2026-12-01T10:00:00Z',
      statuses: { 'M-0001': 'On track' },
    });
    const { next } = sync(base(), [newer]);
    const late = sync(next, [newer, older]);
    expect(statusOf(late.next, 'M-0001')).toBe('Might miss');
    expect(late.out.rejected.map((r) => [r.responseId, r.milestone])).toEqual([['a', 'M-0001']]);
    expect(late.out.rejected[0]!.reason).toMatch(
      /^a later update \(2026-12-01T11:00:00.000Z\) is already recorded/,
    );
    // Both arrival orders end in the same register state.
    const together = sync(base(), [older, newer]);
    expect(statusOf(together.next, 'M-0001')).toBe('Might miss');
    // And nothing is invented on the next sync.
    expect(sync(late.next, [newer, older]).out.applied).toEqual([]);
  });

  it('lets an edited response reopen what its own earlier version closed', () => {
    const done = submission({ submittedAt: '2026-12-01T09:00:00Z', statuses: { 'M-0001': 'Done' } });
    const { next } = sync(base(), [done]);
    expect(statusOf(next, 'M-0001')).toBe('Done');
    const edit = submission({ submittedAt: '2026-12-01T10:00:00Z', statuses: { 'M-0001': 'Might miss' } });
    const after = sync(next, [done, edit]);
    expect(statusOf(after.next, 'M-0001')).toBe('Might miss');
    // Another response still cannot touch a closed milestone.
    const other = submission({
      responseId: 'other',
      submittedAt: '2026-12-01T11:00:00Z',
      statuses: { 'M-0003': 'On track' },
    });
    expect(sync(after.next, [other]).out.rejected[0]!.reason).toBe(
      'M-0003 is Done; closed milestones are not updated',
    );
  });

  it('applies a response submitted in the repeated autumn hour once, even though its time reads back differently', () => {
    // 01:30 happens twice in London on 25 Oct 2026; 00:30Z and 01:30Z both show as 01:30.
    const snap = register({ ...ms, Meetings: [{ Date: '2026-10-29', Status: 'Planned' }] });
    const first = submission({ submittedAt: '2026-10-25T01:30:00Z', statuses: { 'M-0001': 'Might miss' } });
    const { next } = sync(snap, [first], '2026-10-25T02:00:00Z');
    // Store Received the way a sheet does: as a wall-clock serial.
    const updates = next.tables.find((t) => t.name === 'Updates')!;
    const col = updates.headers.indexOf('Received');
    updates.rows[0]![col] = instantToSerial(String(updates.rows[0]![col]), 'Europe/London');
    const again = sync(next, [first], '2026-10-25T03:00:00Z');
    expect(again.out.recorded).toBe(0);
    expect(again.out.skipped.map((x) => x.reason)).toEqual(['already applied']);
  });
});

describe('a response is its id and its respondent', () => {
  const OWNER = 'ann@example.com';
  const DELEGATE = 'dan@example.com';
  const base = () => register(ms);
  const sync = (snap: ReturnType<typeof register>, subs: unknown[], now = NOW) => {
    const out = planSync(snap, raw(...subs), now);
    return { out, next: applyToSnapshot(snap, out.plan) };
  };
  const m1 = (snap: ReturnType<typeof register>) =>
    readRegister(snap).register.milestones.find((m) => m.id === 'M-0001')!;
  const updatesOf = (snap: ReturnType<typeof register>) =>
    readRegister(snap).register.updates.map((u) => [u.responseId, u.email, u.result]);
  // The one id a pre-filled request carries, answered by the owner and then by their delegate.
  const owner = submission({
    responseId: 'req-2026-12-03',
    email: OWNER,
    submittedAt: '2026-12-01T09:00:00Z',
    statuses: { 'M-0001': 'Might miss' },
    forecasts: { 'M-0001': '2026-12-24' },
    wins: 'Shipped beta',
  });
  const delegate = submission({
    responseId: 'req-2026-12-03',
    email: DELEGATE,
    submittedAt: '2026-12-01T10:00:00Z',
    statuses: { 'M-0001': 'Missed' },
  });

  it("applies the owner's and the delegate's answers under one id as two responses, in submit order", () => {
    const { out, next } = sync(base(), [delegate, owner]);
    expect(out.skipped).toEqual([]);
    expect(out.applied.filter((a) => a.source === 'form').map((a) => [a.by, a.field, a.to])).toEqual([
      [OWNER, 'Status', 'Might miss'],
      [OWNER, 'Forecast', '2026-12-24'],
      [DELEGATE, 'Status', 'Missed'],
    ]);
    expect(updatesOf(next)).toEqual([
      ['req-2026-12-03', OWNER, 'Applied: 2 changes'],
      ['req-2026-12-03', DELEGATE, 'Applied: 1 change'],
    ]);
    // The later answer wins per field; what it left alone keeps the earlier one's.
    expect(m1(next)).toMatchObject({ status: 'Missed', forecast: '2026-12-24' });
    // And the next sync applies neither again.
    const again = sync(next, [owner, delegate]);
    expect(again.out.recorded).toBe(0);
    expect(again.out.skipped.map((x) => x.reason)).toEqual(['already applied', 'already applied']);
  });

  it('is not a duplicate when another person sends the same id at the same time', () => {
    const same = { ...delegate, submittedAt: owner.submittedAt, statuses: {}, wins: 'Covered for Ann' };
    const r = run(ms, owner, same);
    expect(r.skipped).toEqual([]);
    expect(r.recorded).toBe(2);
    expect(r.appends.filter((a) => a.tab === 'Updates').map((a) => [a.values.Email, a.values.Wins])).toEqual([
      [OWNER, 'Shipped beta'],
      [DELEGATE, 'Covered for Ann'],
    ]);
  });

  it("replaces a person's own earlier answer, never another's; once recorded, each is skipped only by its own respondent", () => {
    const edit = { ...owner, submittedAt: '2026-12-01T11:00:00Z', statuses: { 'M-0001': 'On track' } };
    const r = run(ms, owner, delegate, edit);
    expect(r.skipped).toEqual([
      {
        responseId: 'req-2026-12-03',
        reason: 'replaced by a later edit of the same response',
        where: 'responses.jsonl line 1',
      },
    ]);
    expect(r.appends.filter((a) => a.tab === 'Updates').map((a) => a.values.Email)).toEqual([
      DELEGATE,
      OWNER,
    ]);
    // The owner's answer is in Updates: the delegate's, under the same id and time, is still new.
    const { next } = sync(base(), [owner]);
    const later = sync(next, [owner, { ...delegate, submittedAt: owner.submittedAt }]);
    expect(later.out.skipped.map((x) => [x.responseId, x.where, x.reason])).toEqual([
      ['req-2026-12-03', 'responses.jsonl line 1', 'already applied'],
    ]);
    expect(later.out.recorded).toBe(1);
  });

  it('lets only the same person reopen what their response closed, not another under the same id', () => {
    const done = { ...owner, statuses: { 'M-0001': 'Done' }, forecasts: {} };
    const { next } = sync(base(), [done]);
    expect(m1(next).status).toBe('Done');
    const reopen = { ...delegate, statuses: { 'M-0001': 'Might miss' } };
    const r = sync(next, [done, reopen]);
    expect(r.out.rejected.map((x) => [x.milestone, x.reason])).toEqual([
      ['M-0001', 'M-0001 is Done; closed milestones are not updated'],
    ]);
    expect(m1(r.next).status).toBe('Done');
  });
});

describe('the form rules (issue 13)', () => {
  const updatesRow = (r: ReturnType<typeof run>) =>
    r.records.flatMap((x) => (x.tab === 'Updates' ? [x.row] : []))[0]!;

  it('"no change this week" counts the owner as responded and changes none of their milestones', () => {
    const sync = planSync(
      register(ms),
      raw(
        submission({
          noChange: true,
          // Whatever else a "no change" answer carries, it changes no milestone.
          statuses: { 'M-0001': 'Missed' },
          forecasts: { 'M-0001': '2027-03-01' },
        }),
      ),
      NOW,
    );
    expect(sync.applied.filter((c) => c.source === 'form')).toEqual([]);
    expect(sync.plan.writes.filter((w) => w.tab === 'Milestones')).toEqual([]);
    const row = sync.register.updates.at(-1)!;
    expect(row.result).toBe('Applied: no change this week');
    expect(row.milestones).toEqual(['M-0001']);
    expect(isNoChangeUpdate(row)).toBe(true);
    expect(respondents(sync.register, '2026-12-03').has('ann@example.com')).toBe(true);
    expect(sync.topics.some((t) => t.identity === 'stale/ann@example.com')).toBe(false);
  });

  it('refuses Dropped from an owner: the process manager drops a milestone, in the register', () => {
    const r = run(ms, submission({ statuses: { 'M-0001': 'Dropped' } }));
    expect(r.applied).toEqual([]);
    expect(r.rejected).toEqual([
      expect.objectContaining({
        milestone: 'M-0001',
        field: 'status',
        reason: expect.stringContaining('Dropped'),
      }),
    ]);
  });

  it('refuses a forecast in the past and a forecast for Done, naming the milestone; the status still applies', () => {
    const past = run(
      ms,
      submission({ statuses: { 'M-0001': 'Might miss' }, forecasts: { 'M-0001': '2026-11-30' } }),
    );
    expect(past.applied.map((c) => [c.field, c.to])).toEqual([['Status', 'Might miss']]);
    expect(past.rejected).toEqual([
      expect.objectContaining({
        milestone: 'M-0001',
        field: 'forecast',
        reason: expect.stringContaining('2026-11-30 is in the past'),
        where: 'responses.jsonl line 1',
      }),
    ]);
    expect(updatesRow(past).result).toMatch(
      /^Partly applied: 1 change; rejected M-0001: forecast 2026-11-30 is in the past/,
    );
    // The day it was sent is not the past.
    expect(run(ms, submission({ forecasts: { 'M-0001': '2026-12-01' } })).rejected).toEqual([]);

    const done = run(
      ms,
      submission({ statuses: { 'M-0001': 'Done' }, forecasts: { 'M-0001': '2020-01-01' } }),
    );
    expect(done.applied.map((c) => [c.field, c.to])).toEqual([['Status', 'Done']]);
    expect(done.rejected).toEqual([
      expect.objectContaining({
        milestone: 'M-0001',
        field: 'forecast',
        reason: expect.stringContaining('Done'),
      }),
    ]);
  });

  it('accepts an answer sent after the pack was built, marked late in Updates and in the pack', () => {
    const { register: r } = readRegister(register(ms));
    const packAt = meetingTimes(r.meetings.find((m) => m.date === '2026-12-03')!, r.settings).pack;
    const before = new Date(Date.parse(packAt) - 60_000).toISOString();
    const after = new Date(Date.parse(packAt) + 60_000).toISOString();
    expect(updatesRow(run(ms, submission({ submittedAt: before }))).result).toBe('Applied: no changes');
    const late = run(ms, submission({ submittedAt: after, statuses: { 'M-0001': 'Might miss' } }));
    expect(late.applied).toHaveLength(1);
    expect(updatesRow(late).result).toBe('Applied (late): 1 change');
    expect(isLateUpdate(updatesRow(late))).toBe(true);
    const pack = planPack(
      register(ms),
      raw(submission({ submittedAt: after, wins: 'Beta' })),
      after,
      () => 'p',
    );
    expect(renderMarkdown(pack.document!)).toMatch(/Update received .* — late: after the pack was built/);
  });

  it('turns a topic raised in the form into a raised topic of the meeting, ranked and written to Topics', () => {
    const sync = planSync(
      register(ms),
      raw(submission({ raisedTopic: 'Hiring freeze: which roles go first?' })),
      NOW,
    );
    expect(sync.register.updates.at(-1)!.raisedTopic).toBe('Hiring freeze: which roles go first?');
    const topic = sync.topics.find((t) => t.kind === 'raised')!;
    expect(topic).toMatchObject({
      title: 'Hiring freeze: which roles go first?',
      owners: ['ann@example.com'],
      meeting: '2026-12-03',
    });
    expect(topic.rank).toBeGreaterThan(0);
    expect(sync.plan.appends).toContainEqual(
      expect.objectContaining({
        tab: 'Topics',
        values: expect.objectContaining({ Kind: 'raised', Topic: 'Hiring freeze: which roles go first?' }),
      }),
    );
  });
});
