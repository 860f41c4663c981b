import { describe, expect, it } from 'vitest';
import {
  planEdit,
  planPack,
  planRequests,
  planSync,
  planWrapUp,
  RegisterError,
  withoutEmailRecords,
} from '../../src/core/cycle';
import { SETTINGS } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import { resolvePlan } from '../../src/core/resolve';
import type { Plan } from '../../src/core/types';
import { baseSettings, milestone, raw, register, submission, table } from './builders';

const records = {
  Milestones: [
    milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss' }),
    milestone('M-0002', 'bob@example.com', '2026-12-20'),
    milestone('', 'bob@example.com', '2026-12-24', { Milestone: 'New one' }),
  ],
  Changes: [
    {
      When: '2026-11-01T09:00:00Z',
      Milestone: 'M-0001',
      Field: 'Status',
      From: 'On track',
      To: 'Might miss',
      By: 'ann@example.com',
      Source: 'form',
    },
    // M-0007 was deleted from the register: its ID is never used again.
    {
      When: '2026-11-01T09:00:00Z',
      Milestone: 'M-0007',
      Field: 'Status',
      From: 'On track',
      To: 'Dropped',
      By: 'ann@example.com',
      Source: 'form',
    },
  ],
};

const writesTo = (plan: Plan, tab: string) => plan.writes.filter((w) => w.tab === tab);

describe('planSync', () => {
  it('keeps the highest ID ever given in Settings, so a row deleted before anything recorded it never gives its ID again', () => {
    // M-0008 is given to the new row, and recorded with it (the row appended: this register's
    // Settings predate the setting).
    const older = {
      ...records,
      Settings: SETTINGS.filter((d) => d.key !== 'Highest milestone ID given').map((d) => ({
        Setting: d.key,
        Value: (baseSettings as Record<string, string>)[d.key] ?? d.value,
      })),
    };
    const first = planSync(register(older), [], '2026-12-01T09:00:00Z');
    expect(first.assignedIds.map((a) => a.id)).toEqual(['M-0008']);
    expect(first.plan.appends.filter((a) => a.tab === 'Settings')).toEqual([
      {
        tab: 'Settings',
        values: {
          Setting: 'Highest milestone ID given',
          Value: 'M-0008',
          About: expect.stringMatching(/never given again/),
        },
      },
    ]);
    // With the row there, it is written.
    expect(
      writesTo(planSync(register(records), [], '2026-12-01T09:00:00Z').plan, 'Settings').map((w) => w.value),
    ).toEqual(['M-0008']);
    // A person deletes the M-0008 row before any Change or Topic names it, and adds another.
    const deleted = {
      ...records,
      Milestones: [
        ...records.Milestones.slice(0, 2),
        milestone('', 'bob@example.com', '2026-12-24', { Milestone: 'Another' }),
      ],
    };
    const next = planSync(
      register(deleted, { 'Highest milestone ID given': 'M-0008' }),
      [],
      '2026-12-02T09:00:00Z',
    );
    expect(next.assignedIds.map((a) => a.id)).toEqual(['M-0009']);
    expect(writesTo(next.plan, 'Settings').map((w) => [w.ref, w.value])).toEqual([
      [{ by: 'key', header: 'Setting', value: 'Highest milestone ID given' }, 'M-0009'],
    ]);
    // Nothing new: nothing written.
    const same = planSync(
      register(records, { 'Highest milestone ID given': 'M-0009' }),
      [],
      '2026-12-02T09:00:00Z',
    );
    expect(same.assignedIds.map((a) => a.id)).toEqual(['M-0010']);
    const settled = planSync(
      register(
        { ...records, Milestones: records.Milestones.slice(0, 2) },
        { 'Highest milestone ID given': 'M-0009' },
      ),
      [],
      '2026-12-02T09:00:00Z',
    );
    expect(writesTo(settled.plan, 'Settings')).toEqual([]);
    expect(settled.plan.appends.filter((a) => a.tab === 'Settings')).toEqual([]);
  });

  it('gives no ID to a row whose ID cell holds something else (TBD, M-2, 2): it is reported, and nothing conflicts', () => {
    for (const typed of ['TBD', 'M-2', 'M-0002x', 2]) {
      const withTypo = {
        ...records,
        Milestones: records.Milestones.map((m) => (m.Milestone === 'New one' ? { ...m, ID: typed } : m)),
      };
      const snapshot = register(withTypo);
      const s = planSync(snapshot, [], '2026-12-01T09:00:00Z');
      expect(s.assignedIds, String(typed)).toEqual([]);
      expect(writesTo(s.plan, 'Milestones').filter((w) => w.column === 'ID')).toEqual([]);
      expect(resolvePlan(s.plan, (tab) => snapshot.tables.find((t) => t.name === tab)).conflicts).toEqual([]);
      expect(readRegister(snapshot).problems.map((p) => [p.tab, p.column])).toContainEqual([
        'Milestones',
        'ID',
      ]);
    }
  });

  it('assigns the next never-used ID by row and cell content, not by a remembered row alone', () => {
    const s = planSync(register(records), [], '2026-12-01T09:00:00Z');
    expect(s.assignedIds).toEqual([{ row: 4, id: 'M-0008' }]);
    expect(writesTo(s.plan, 'Milestones')[0]).toEqual({
      tab: 'Milestones',
      ref: { by: 'match', row: 4, cells: { ID: '', Milestone: 'New one' } },
      column: 'ID',
      value: 'M-0008',
      previous: '',
    });
  });

  it('upserts the topics of the next meeting by Topic ID; a second sync writes nothing new', () => {
    const first = planSync(register(records), [], '2026-12-01T09:00:00Z');
    const appended = first.plan.appends.filter((a) => a.tab === 'Topics');
    expect(appended.map((a) => a.values['Topic ID'])).toContain('2026-12-03/might-miss/M-0001');
    // Apply the appends as rows of the Topics tab and sync again: nothing to write.
    const topics = appended.map((a) => a.values);
    const again = planSync(register({ ...records, Topics: topics }), [], '2026-12-01T09:00:00Z');
    expect(again.plan.appends.filter((a) => a.tab === 'Topics')).toEqual([]);
    expect(writesTo(again.plan, 'Topics')).toEqual([]);
  });

  it('takes the rank away from a topic that no longer applies, and says why', () => {
    const topics = [
      {
        'Topic ID': '2026-12-03/might-miss/M-0002',
        Meeting: '2026-12-03',
        Rank: 1,
        Kind: 'might-miss',
        Topic: 'x',
        Why: 'old',
      },
    ];
    const s = planSync(register({ ...records, Topics: topics }), [], '2026-12-01T09:00:00Z');
    const w = writesTo(s.plan, 'Topics').filter(
      (x) => x.ref.by === 'key' && x.ref.value === '2026-12-03/might-miss/M-0002',
    );
    expect(w.map((x) => [x.column, x.value])).toEqual([
      ['Rank', ''],
      ['Why', 'No longer applies (checked 2026-12-01 09:00 UTC)'],
    ]);
  });

  it('refuses to plan on a register missing a required column, naming it', () => {
    const s = register(records);
    const i = s.tables.findIndex((t) => t.name === 'Team');
    s.tables[i] = table('Team', ['Name', 'Email', 'Role'], []);
    expect(() => planSync(s, [], '2026-12-01T09:00:00Z')).toThrow(RegisterError);
    expect(() => planSync(s, [], '2026-12-01T09:00:00Z')).toThrow(
      'Team: the required column "Group" is missing',
    );
  });
});

describe('planRequests', () => {
  it('asks every owner of open milestones once, copying their delegate, and records when', () => {
    const r = planRequests(register(records), '2026-11-30T10:00:00Z');
    expect(r.kind).toBe('request');
    expect(r.recipients).toEqual(['ann@example.com', 'bob@example.com']);
    const ann = r.plan.emails.find((e) => e.to[0] === 'ann@example.com')!;
    expect(ann).toMatchObject({
      key: 'request/2026-12-03/ann@example.com',
      cc: ['dan@example.com'],
      from: 'cat@example.com',
    });
    expect(ann.subject).toBe('Milestone update for Thu 3 Dec 2026 — due Wed 2 Dec 2026 10:00');
    expect(ann.text).toContain('M-0001');
    expect(ann.text).not.toContain('M-0002');
    expect(writesTo(r.plan, 'Meetings')).toEqual([
      expect.objectContaining({ column: 'Requests sent', value: '2026-11-30T10:00:00Z', as: 'instant' }),
    ]);
  });

  it('reminds only the owners who have not responded', () => {
    const meetings = [{ Date: '2026-12-03', Status: 'Planned', 'Requests sent': '2026-11-30T10:00:00Z' }];
    const updates = [
      {
        Received: '2026-12-01T09:00:00Z',
        'Response ID': 'a',
        Meeting: '2026-12-03',
        Email: 'ann@example.com',
        Result: 'Applied: no changes',
      },
    ];
    const r = planRequests(
      register({ ...records, Meetings: meetings, Updates: updates }),
      '2026-12-01T23:00:00Z',
      { reminders: true },
    );
    expect(r.kind).toBe('reminder');
    expect(r.recipients).toEqual(['bob@example.com']);
    expect(r.plan.emails[0]!.subject).toMatch(/^Reminder: /);
    expect(writesTo(r.plan, 'Meetings')).toEqual([
      expect.objectContaining({ column: 'Reminders sent', value: '2026-12-01T23:00:00Z' }),
    ]);
  });

  it('run again, plans the same keyed requests and keeps the time they were first sent', () => {
    const meetings = [{ Date: '2026-12-03', Status: 'Planned', 'Requests sent': '2026-11-30T10:00:00Z' }];
    const r = planRequests(register({ ...records, Meetings: meetings }), '2026-12-01T23:00:00Z');
    expect(r.kind).toBe('request');
    expect(r.plan.emails.map((e) => e.key)).toEqual([
      'request/2026-12-03/ann@example.com',
      'request/2026-12-03/bob@example.com',
    ]);
    expect(writesTo(r.plan, 'Meetings')).toEqual([]);
  });
});

describe('planPack', () => {
  it('records where the pack is and circulates it once, on the first build', () => {
    const first = planPack(register(records), [], '2026-12-02T16:00:00Z', (m) => `packs/${m.date}.html`);
    expect(first.circulated).toBe(true);
    expect(first.plan.emails.map((e) => e.key)).toEqual(['pack/2026-12-03']);
    expect(writesTo(first.plan, 'Meetings')).toEqual([
      expect.objectContaining({ column: 'Pack', value: 'packs/2026-12-03.html', previous: '' }),
    ]);
    const meetings = [{ Date: '2026-12-03', Status: 'Planned', Pack: 'packs/2026-12-03.html' }];
    const again = planPack(
      register({ ...records, Meetings: meetings }),
      [],
      '2026-12-02T17:00:00Z',
      (m) => `packs/${m.date}.html`,
    );
    expect(again.circulated).toBe(false);
    expect(again.plan.emails).toEqual([]);
    expect(writesTo(again.plan, 'Meetings')).toEqual([]);
  });

  it("sends the pack to the whole team, or to the team's group address when Settings names one", () => {
    const each = planPack(register(records), [], '2026-12-02T16:00:00Z', (m) => m.date);
    expect(each.plan.emails[0]!.to.length).toBeGreaterThan(1);
    const group = planPack(
      register(records, { 'Team group email': 'Leadership@Example.com' }),
      [],
      '2026-12-02T16:00:00Z',
      (m) => m.date,
    );
    expect(group.plan.emails[0]!.to).toEqual(['leadership@example.com']);
    expect(group.plan.emails[0]!.replyTo).toBe(group.plan.emails[0]!.from);
  });

  it('sees responses not yet synced: the pack reflects them', () => {
    const p = planPack(
      register(records),
      raw(submission({ statuses: { 'M-0001': 'On track' }, wins: 'Unblocked' })),
      '2026-12-02T16:00:00Z',
      (m) => m.date,
    );
    expect(p.topics.some((t) => t.identity === 'might-miss/M-0001')).toBe(false);
    expect(p.health?.responded).toContain('ann@example.com');
  });
});

describe('planWrapUp', () => {
  it('marks ended meetings Held and sends the key items: decisions, changes, deferred topics', () => {
    const meetings = [
      { Date: '2026-11-26', Status: 'Held', 'Wrapped up': '2026-11-26T12:00:00Z' },
      { Date: '2026-12-03', Status: 'Planned' },
    ];
    const topics = [
      {
        'Topic ID': '2026-12-03/might-miss/M-0001',
        Meeting: '2026-12-03',
        Rank: 1,
        Kind: 'might-miss',
        Topic: 'M-0001 late',
        Outcome: 'Resolved',
        'Decision / action': 'Add two engineers',
        'Action owner': 'bob@example.com',
      },
      {
        'Topic ID': '2026-12-03/stale/bob@example.com',
        Meeting: '2026-12-03',
        Rank: 2,
        Kind: 'stale',
        Topic: 'No update from Bob',
      },
    ];
    const changes = [
      ...records.Changes,
      {
        When: '2026-11-30T09:00:00Z',
        Milestone: 'M-0002',
        Field: 'Status',
        From: 'On track',
        To: 'Might miss',
        By: 'bob@example.com',
        Source: 'form',
      },
    ];
    const s = register({ ...records, Meetings: meetings, Topics: topics, Changes: changes });
    expect(planWrapUp(s, '2026-12-03T11:00:00Z').meetings).toEqual([]); // still in the meeting
    const w = planWrapUp(s, '2026-12-03T12:00:00Z');
    expect(w.meetings.map((m) => m.date)).toEqual(['2026-12-03']);
    expect(writesTo(w.plan, 'Meetings').map((x) => [x.column, x.value])).toEqual([
      ['Status', 'Held'],
      ['Wrapped up', '2026-12-03T12:00:00Z'],
    ]);
    const digest = w.plan.emails[0]!;
    expect(digest.key).toBe('digest/2026-12-03');
    expect(digest.to).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com']);
    expect(digest.text).toContain('Add two engineers');
    expect(digest.text).toContain('Bob Ray');
    const changesSection = digest.text.slice(digest.text.indexOf('Status changes since the last meeting'));
    expect(changesSection).toMatch(/M-0002 Milestone M-0002 +On track +Might miss +Bob Ray/);
    expect(digest.text).toContain('No update from Bob');
    expect(digest.html).not.toContain('<script');
  });
});

describe('a register read twice', () => {
  it('gives the same plan (the core is deterministic)', () => {
    const a = planPack(register(records), raw(submission()), '2026-12-02T16:00:00Z', (m) => m.date);
    const b = planPack(register(records), raw(submission()), '2026-12-02T16:00:00Z', (m) => m.date);
    expect(JSON.stringify(a.plan)).toBe(JSON.stringify(b.plan));
    expect(readRegister(register(records)).problems).toEqual([]);
  });
});

describe('planEdit (a person edits the Sheet)', () => {
  it('assigns IDs to new rows, explains problems in notes, records hand edits of Status', () => {
    const snap = register({
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-20', { Status: 'Might miss' }),
        { Priority: 'Ship platform', Milestone: 'A new one', Owner: 'nobody@example.com', Due: 'next week' },
      ],
    });
    const headers = snap.tables.find((t) => t.name === 'Milestones')!.headers;
    const out = planEdit(
      snap,
      { tab: 'Milestones', row: 2, column: 1, numRows: 2, numColumns: headers.length },
      '2026-12-01T10:00:00Z',
    );
    expect(out.assignedIds).toEqual([{ row: 3, id: 'M-0002' }]);
    expect(out.applied).toEqual([
      expect.objectContaining({
        milestone: 'M-0001',
        field: 'Status',
        from: 'On track',
        to: 'Might miss',
        source: 'sheet',
      }),
    ]);
    expect(out.plan.appends.map((a) => a.tab)).toEqual(['Changes']);
    const note = (row: number, header: string) =>
      out.notes.find((n) => n.row === row && n.column === headers.indexOf(header) + 1)?.note;
    expect(note(3, 'Owner')).toMatch(/nobody@example\.com/);
    expect(note(3, 'Due')).toMatch(/next week/);
    expect(note(2, 'Owner')).toBe('');
    expect(out.notes.every((n) => n.row >= 2 && n.row <= 3)).toBe(true);
  });
});

describe('withoutEmailRecords', () => {
  it('keeps a plan from recording emails that did not all go out: no Meetings write, and an added meeting row without them', () => {
    const plan: Plan = {
      timeZone: 'Europe/London',
      writes: [
        {
          tab: 'Meetings',
          ref: { by: 'key', header: 'Date', value: '2026-12-03' },
          column: 'Requests sent',
          value: 'x',
          previous: '',
        },
        {
          tab: 'Milestones',
          ref: { by: 'key', header: 'ID', value: 'M-0001' },
          column: 'Status',
          value: 'Missed',
          previous: 'On track',
        },
      ],
      appends: [
        { tab: 'Meetings', values: { Date: '2026-12-10', Status: 'Planned', 'Requests sent': 'x' } },
        { tab: 'Changes', values: { Milestone: 'M-0001' } },
      ],
      emails: [],
    };
    const kept = withoutEmailRecords(plan, ['Requests sent']);
    expect(kept.writes.map((w) => w.tab)).toEqual(['Milestones']);
    expect(kept.appends).toEqual([
      { tab: 'Meetings', values: { Date: '2026-12-10', Status: 'Planned' } },
      { tab: 'Changes', values: { Milestone: 'M-0001' } },
    ]);
  });
});
