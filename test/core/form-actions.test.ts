/**
 * An owner's open tracked actions in their weekly update (issue: actions in the update form):
 * one question per open action in the owner's section ("Open" or "Done", and a one-line note),
 * pre-filled with its status; the answers come back in the submission, and ingestion turns
 * "Done" into the Actions tab's Status (owner or delegate only), a Changes row and the note in
 * Updates — once, however often the same response is synced. Also: a Status cell the register
 * cannot read is pre-filled with nothing.
 */
import { describe, expect, it } from 'vitest';
import { planRequests, planSync } from '../../src/core/cycle';
import { requestEmail } from '../../src/core/emails';
import { answersOfSubmission, formSpec, prefillAnswers, submissionOfFormResponse } from '../../src/core/form';
import { readRegister } from '../../src/core/register';
import { upcomingMeeting } from '../../src/core/schedule';
import { updatingMembers } from '../../src/core/topics';
import type { Cell } from '../../src/core/types';
import { ingest } from '../../src/core/updates';
import { milestone, raw, register, submission } from './builders';
import { applyToSnapshot } from './memory';

const NOW = '2026-12-01T12:00:00Z';
const ANN = 'ann@example.com';
const BOB = 'bob@example.com';

function actionRow(id: string, over: Record<string, Cell> = {}): Record<string, Cell> {
  return {
    ID: id,
    Action: `Action ${id}`,
    Owner: ANN,
    Due: '2026-12-15',
    Status: 'Open',
    'From meeting': '2026-11-26',
    'Topic ID': `2026-11-26/raised/${id}`,
    ...over,
  };
}

const records = {
  Milestones: [
    milestone('M-0001', ANN, '2026-12-20'),
    milestone('M-0002', BOB, '2026-12-20'),
    milestone('M-0003', ANN, '2026-12-20', { Status: 'Late-ish' }),
  ],
  Actions: [
    actionRow('A-0001'),
    actionRow('A-0002', { Action: 'Agree the\nmetering granularity', Due: '2026-12-08' }),
    actionRow('A-0003', { Status: 'Done' }),
    actionRow('A-0004', { Status: 'Dropped' }),
    actionRow('A-0005', { Owner: 'cat@example.com' }),
  ],
};

function setup(extra: Parameters<typeof register>[0] = records) {
  const { register: r } = readRegister(register(extra));
  const meeting = upcomingMeeting(r, NOW)!;
  return { r, meeting, spec: formSpec(r, meeting) };
}

const sectionOf = (spec: ReturnType<typeof setup>['spec'], owner: string) =>
  spec.sections.find((s) => s.owner === owner)!;

describe('the form spec asks an owner about their open actions', () => {
  it("puts one question per open action in the owner's section, earliest due first, with Open and Done", () => {
    const { spec } = setup();
    const ann = sectionOf(spec, ANN);
    expect(ann.actions.map((a) => [a.action, a.status.title, a.status.options])).toEqual([
      ['A-0002', 'A-0002 · Agree the metering granularity (due Tue 8 Dec 2026)', ['Open', 'Done']],
      ['A-0001', 'A-0001 · Action A-0001 (due Tue 15 Dec 2026)', ['Open', 'Done']],
    ]);
    expect(ann.actions[0]!.note.title).toBe('Note — A-0002');
    // Every id is distinct from the rest of the form's.
    const ids = spec.sections.flatMap((s) => [
      s.itemId,
      ...s.milestones.flatMap((m) => [m.statusQuestionId, m.forecast.itemId, m.forecast.questionId]),
      ...s.actions.flatMap((a) => [a.status.itemId, a.status.questionId, a.note.itemId, a.note.questionId]),
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('asks an owner with no open action nothing about actions', () => {
    const { spec } = setup();
    expect(sectionOf(spec, BOB).actions).toEqual([]);
    expect(setup({ Milestones: records.Milestones }).spec.sections.every((s) => s.actions.length === 0)).toBe(
      true,
    );
  });

  it('keeps the question ids of an action from week to week, when actions are added', () => {
    const before = sectionOf(setup().spec, ANN).actions.find((a) => a.action === 'A-0001')!;
    const more = setup({ ...records, Actions: [...records.Actions, actionRow('A-0006')] }).spec;
    const after = sectionOf(more, ANN).actions.find((a) => a.action === 'A-0001')!;
    expect(after).toEqual(before);
    expect(sectionOf(more, ANN).actions.map((a) => a.action)).toEqual(['A-0002', 'A-0001', 'A-0006']);
  });

  it('pre-fills each open action with its status, and an unreadable milestone Status with nothing', () => {
    const { r, spec } = setup();
    const ann = sectionOf(spec, ANN);
    const answers = prefillAnswers(spec, r, ANN);
    for (const a of ann.actions) expect(answers[a.status.questionId]).toBe('Open');
    const m1 = ann.milestones.find((m) => m.milestone === 'M-0001')!;
    const m3 = ann.milestones.find((m) => m.milestone === 'M-0003')!;
    expect(answers[m1.statusQuestionId]).toBe('On track');
    // 'Late-ish' is no status: the owner must choose one, not find "On track" chosen for them.
    expect(answers[m3.statusQuestionId]).toBeUndefined();
  });

  it('reads the action answers of a response back into the submission', () => {
    const { r, spec } = setup();
    const sent = {
      email: ANN,
      statuses: { 'M-0001': 'On track' },
      actions: { 'A-0002': 'Done', 'A-0001': 'Open' },
      actionNotes: { 'A-0002': 'Agreed with finance on Tuesday' },
    };
    const answers = answersOfSubmission(spec, r, sent);
    const back = submissionOfFormResponse(r, {
      responseId: 'r1',
      submittedAt: NOW,
      email: ANN,
      answers,
    });
    expect(back.actions).toEqual(sent.actions);
    expect(back.actionNotes).toEqual(sent.actionNotes);
    // A response without action answers carries none.
    const plain = submissionOfFormResponse(r, {
      responseId: 'r2',
      submittedAt: NOW,
      email: BOB,
      answers: answersOfSubmission(spec, r, { email: BOB, statuses: { 'M-0002': 'On track' } }),
    });
    expect(plain).not.toHaveProperty('actions');
    expect(plain).not.toHaveProperty('actionNotes');
  });
});

describe('ingest: an owner answers on their actions', () => {
  const ingestOne = (over: Record<string, unknown>) =>
    ingest(setup().r, raw(submission({ submittedAt: '2026-12-01T09:00:00Z', ...over })), NOW);

  it('turns "Done" into the Status of the Actions row, a Changes row, and keeps the note in Updates', () => {
    const r = ingestOne({
      actions: { 'a-0002': 'Done', 'A-0001': 'Open' },
      actionNotes: { 'A-0002': 'Agreed with finance' },
    });
    expect(r.rejected).toEqual([]);
    expect(r.writes).toEqual([
      {
        tab: 'Actions',
        ref: { by: 'key', header: 'ID', value: 'A-0002' },
        column: 'Status',
        value: 'Done',
        previous: 'Open',
      },
    ]);
    const changes = r.appends.filter((a) => a.tab === 'Changes');
    expect(changes.map((c) => c.values)).toEqual([
      {
        When: '2026-12-01T09:00:00.000Z',
        Milestone: 'A-0002',
        Field: 'Action status',
        From: 'Open',
        To: 'Done',
        By: ANN,
        Source: 'form',
        'Response ID': 'r1',
      },
    ]);
    expect(changes[0]!.requires).toEqual([{ tab: 'Actions', key: 'A-0002' }]);
    const update = r.appends.find((a) => a.tab === 'Updates')!;
    expect(update.values.Comments).toBe('A-0002: Agreed with finance');
    expect(update.values.Result).toBe('Applied: 1 change');
    expect(update.requires).toEqual([{ tab: 'Actions', key: 'A-0002' }]);
  });

  it("rejects an answer on someone else's action, naming the response and the action", () => {
    const r = ingestOne({ email: BOB, actions: { 'A-0001': 'Done' } });
    expect(r.writes).toEqual([]);
    expect(r.rejected).toEqual([
      {
        responseId: 'r1',
        milestone: 'A-0001',
        field: 'action',
        reason: `action A-0001 is not ${BOB}'s to update: only its owner (${ANN}) or their delegate (dan@example.com) may`,
        where: 'responses.jsonl line 1',
      },
    ]);
    expect(r.appends.find((a) => a.tab === 'Updates')!.values.Result).toContain(
      'rejected A-0001: action A-0001',
    );
    expect(r.appends.some((a) => a.tab === 'Changes')).toBe(false);
  });

  it("accepts the owner's delegate answering for them", () => {
    const r = ingestOne({ email: 'dan@example.com', onBehalfOf: ANN, actions: { 'A-0001': 'Done' } });
    expect(r.rejected).toEqual([]);
    expect(r.writes.map((w) => [w.tab, w.ref, w.value])).toEqual([
      ['Actions', { by: 'key', header: 'ID', value: 'A-0001' }, 'Done'],
    ]);
  });

  it('rejects an unknown action ID, a Dropped answer and an answer on a closed action', () => {
    const r = ingestOne({ actions: { 'A-0099': 'Done', 'A-0001': 'Dropped', 'A-0003': 'Open' } });
    expect(r.writes).toEqual([]);
    expect(r.rejected.map((x) => [x.milestone, x.reason])).toEqual([
      ['A-0001', 'owners cannot drop action A-0001: the process manager drops actions, in the register'],
      ['A-0003', 'action A-0003 is Done; closed actions are not updated'],
      ['A-0099', 'there is no action A-0099 in the Actions tab'],
    ]);
  });

  it('leaves actions as they are on "no change this week"', () => {
    const r = ingestOne({ noChange: true, actions: { 'A-0001': 'Done' } });
    expect(r.writes).toEqual([]);
    expect(r.rejected).toEqual([]);
    expect(r.appends.find((a) => a.tab === 'Updates')!.values.Result).toBe('Applied: no change this week');
  });

  it('writes once: syncing the same response again changes nothing', () => {
    const line = submission({ actions: { 'A-0002': 'Done' }, actionNotes: { 'A-0002': 'done' } });
    const first = planSync(register(records), raw(line), NOW);
    expect(first.plan.writes.filter((w) => w.tab === 'Actions')).toHaveLength(1);
    // The register the sync leaves behind already holds the action as Done.
    expect(first.register.actions.find((a) => a.id === 'A-0002')!.status).toBe('Done');
    const after = applyToSnapshot(register(records), first.plan);
    expect(readRegister(after).register.actions.find((a) => a.id === 'A-0002')!.status).toBe('Done');
    const again = planSync(after, raw(line), '2026-12-01T13:00:00Z');
    expect(again.skipped.map((s) => s.reason)).toEqual(['already applied']);
    expect(again.plan.writes.filter((w) => w.tab === 'Actions')).toEqual([]);
    expect(again.plan.appends.filter((a) => a.tab === 'Changes' || a.tab === 'Updates')).toEqual([]);
  });
});

describe('the update request', () => {
  it("lists the owner's open actions under their milestones", () => {
    const { r, meeting } = setup();
    const person = r.team.find((p) => p.email === ANN)!;
    const mine = r.milestones.filter((m) => m.owner === ANN);
    const email = requestEmail(r, meeting, person, mine, 'request', 'https://example.com/form');
    const text = email.text;
    expect(text).toContain('Your open actions');
    expect(text.indexOf('Your open actions')).toBeGreaterThan(text.indexOf('Your open milestones'));
    expect(text).toContain('A-0002');
    expect(text).toContain('A-0001');
    expect(text).not.toContain('A-0003');
    const bob = r.team.find((p) => p.email === BOB)!;
    const bobs = requestEmail(r, meeting, bob, [], 'request', 'https://example.com/form');
    expect(bobs.text).not.toContain('Your open actions');
  });
});

describe('someone who owns an open action but no open milestone', () => {
  const CAT = 'cat@example.com';
  it('gets a section of the form with their actions only, and a request that lists them', () => {
    const { r, spec } = setup();
    const cat = sectionOf(spec, CAT);
    expect(cat.grid).toBeUndefined();
    expect(cat.milestones).toEqual([]);
    expect(cat.actions.map((a) => a.action)).toEqual(['A-0005']);
    expect(cat.description).toContain('your open actions');
    const planned = planRequests(register(records), NOW);
    expect(planned.recipients).toContain(CAT);
    const email = planned.plan.emails.find((e) => e.to.includes(CAT))!;
    expect(email.text).toContain('None: this week you are asked about your open actions.');
    expect(email.text).toContain('A-0005');
    // The meeting's member updates and response figures stay with milestone owners.
    expect(updatingMembers(r).map((p) => p.email)).not.toContain(CAT);
  });
});
