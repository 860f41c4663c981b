/**
 * A milestone whose Owner names nobody on the Team tab ("Tom B", a typo) gets no update request:
 * the request run tells the process manager, once per meeting, which rows to fix and how.
 */
import { describe, expect, it } from 'vitest';
import { planRequests } from '../../src/core/cycle';
import { milestone, register } from './builders';

const records = {
  Milestones: [
    milestone('M-0001', 'ann@example.com', '2026-12-20'),
    milestone('M-0002', 'Tom B', '2026-12-22'),
    milestone('M-0003', 'Tom B', '2026-11-01', { Status: 'Done' }),
    milestone('', '', '2027-01-10', { Milestone: 'New row, no owner yet' }),
  ],
};

describe('owners not on the Team tab', () => {
  it('the request run tells the process manager which open milestones got no request, and how to fix them', () => {
    const r = planRequests(register(records), '2026-11-30T10:00:00Z');
    expect(r.recipients).toEqual(['ann@example.com']);
    // The Done milestone is not asked about: nothing to fix for this meeting.
    expect(r.unresolved).toEqual([
      { row: 3, id: 'M-0002', title: 'Milestone M-0002', owner: 'Tom B' },
      { row: 5, id: '', title: 'New row, no owner yet', owner: '' },
    ]);
    const notices = r.plan.emails.filter((e) => e.kind === 'notice');
    expect(notices).toHaveLength(1);
    const notice = notices[0]!;
    expect(notice).toMatchObject({
      key: 'unresolved-owners/2026-12-03',
      to: ['cat@example.com'],
      cc: [],
    });
    expect(notice.subject).toBe(
      'Milestone owners not on the Team tab: 2 milestones without an update request for Thu 3 Dec 2026',
    );
    expect(notice.text).toContain('"Tom B"');
    expect(notice.text).toMatch(/Milestones\s+3\s+M-0002\s+Milestone M-0002\s+"Tom B"/);
    expect(notice.text).toContain('(blank)');
    expect(notice.text).toContain('the email (or the unique name) of someone on the Team tab');
  });

  it('is keyed by the meeting: the reminder run plans the same key, so it is never sent twice', () => {
    const first = planRequests(register(records), '2026-11-30T10:00:00Z');
    const meetings = [{ Date: '2026-12-03', Status: 'Planned', 'Requests sent': '2026-11-30T10:00:00Z' }];
    const again = planRequests(register({ ...records, Meetings: meetings }), '2026-12-01T10:00:00Z');
    const reminder = planRequests(register({ ...records, Meetings: meetings }), '2026-12-01T23:00:00Z', {
      reminders: true,
    });
    const key = (r: typeof first) => r.plan.emails.filter((e) => e.kind === 'notice').map((e) => e.key);
    expect(key(first)).toEqual(['unresolved-owners/2026-12-03']);
    expect(key(again)).toEqual(key(first));
    expect(key(reminder)).toEqual(key(first));
  });

  it('no notice when every open milestone has an owner on the Team tab', () => {
    const r = planRequests(
      register({ Milestones: [milestone('M-0001', 'Ann Lee', '2026-12-20')] }),
      '2026-11-30T10:00:00Z',
    );
    expect(r.unresolved).toEqual([]);
    expect(r.plan.emails.map((e) => e.kind)).toEqual(['request']);
  });

  it('without a process manager the leader is told; with neither, no email (validate still lists the rows)', () => {
    const leader = planRequests(
      register(records, { 'Process manager': '', Leader: 'bob@example.com' }),
      '2026-11-30T10:00:00Z',
    );
    expect(leader.plan.emails.find((e) => e.kind === 'notice')?.to).toEqual(['bob@example.com']);
    const nobody = planRequests(
      register(records, { 'Process manager': '', Leader: '' }),
      '2026-11-30T10:00:00Z',
    );
    expect(nobody.plan.emails.filter((e) => e.kind === 'notice')).toEqual([]);
    expect(nobody.unresolved).toHaveLength(2);
  });
});
