/**
 * The update form's build and rebuilds hold up when Forms validates a batch request by request
 * (the emulator's reading; Google documents neither): "Who is updating?" never names a section
 * that is not in the form yet, nor one already deleted — when the form is first built, and when
 * owners join and leave between meetings. One batch each time.
 */
import type { forms_v1 } from '@googleapis/forms';
import { describe, expect, it } from 'vitest';
import { FormsState } from '../../emulator/forms';
import { answersOfSubmission, formSpec, submissionOfFormResponse } from '../../src/core/form';
import { readRegister } from '../../src/core/register';
import { upcomingMeeting } from '../../src/core/schedule';
import { ingest } from '../../src/core/updates';
import { formItems, formRequests, normaliseResponse } from '../../src/google/forms';
import { milestone, register } from '../core/builders';

type Item = forms_v1.Schema$Item;

const hex = (n: number) => n.toString(16).padStart(8, '0');
/** The form for these owners: who is updating (branching to each owner's section), then each section and its question. */
function formFor(owners: number[]): Item[] {
  return [
    {
      itemId: '00000001',
      title: 'Who is updating?',
      questionItem: {
        question: {
          questionId: '00000002',
          required: true,
          choiceQuestion: {
            type: 'RADIO',
            options: owners.map((o) => ({ value: `Owner ${o}`, goToSectionId: hex(0x100 + o) })),
          },
        },
      },
    },
    ...owners.flatMap((o) => [
      { itemId: hex(0x100 + o), title: `Owner ${o}`, pageBreakItem: {} },
      {
        itemId: hex(0x200 + o),
        title: 'Wins',
        questionItem: { question: { questionId: hex(0x300 + o), textQuestion: { paragraph: true } } },
      },
    ]),
  ];
}

function rebuild(state: FormsState, formId: string, owners: number[]): number {
  const existing = (state.get(formId).items ?? []) as Item[];
  const requests = formRequests(existing, formFor(owners));
  if (requests.length) state.batchUpdate(formId, { requests });
  const items = state.get(formId).items as Item[];
  expect(items.map((i) => i.itemId)).toEqual(formFor(owners).map((i) => i.itemId));
  expect(items[0]!.questionItem!.question!.choiceQuestion!.options!.map((o) => o.goToSectionId)).toEqual(
    owners.map((o) => hex(0x100 + o)),
  );
  return requests.length;
}

describe('the update form under request-by-request validation', () => {
  it('is built, and rebuilt as owners join, leave and change order, in one batch each time', () => {
    const state = new FormsState();
    const formId = String(
      state.create({ info: { title: 'Milestone update' } }, { unpublished: true }).formId,
    );
    rebuild(state, formId, [1, 2, 3]);
    rebuild(state, formId, [2, 3, 4]); // 1 left, 4 joined
    rebuild(state, formId, [4, 2]); // 3 left, order changed
    rebuild(state, formId, [5]);
    rebuild(state, formId, [5, 6, 7, 1]);
  });

  it('sends nothing when the form already matches', () => {
    const state = new FormsState();
    const formId = String(
      state.create({ info: { title: 'Milestone update' } }, { unpublished: true }).formId,
    );
    rebuild(state, formId, [1, 2]);
    expect(rebuild(state, formId, [1, 2])).toBe(0);
  });
});

describe('the update form’s rules (issue 13) as Google Form items', () => {
  const NOW = '2026-12-01T12:00:00Z';
  const ANN = 'ann@example.com';
  const built = (actions: Record<string, string>[] = []) => {
    const { register: r } = readRegister(
      register({
        Milestones: [
          milestone('M-0001', ANN, '2026-12-20'),
          milestone('M-0002', 'bob@example.com', '2026-12-20', { Status: 'Might miss' }),
        ],
        Actions: actions,
      }),
    );
    const spec = formSpec(r, upcomingMeeting(r, NOW));
    const state = new FormsState();
    const formId = String(state.create({ info: { title: spec.title } }, { unpublished: true }).formId);
    state.batchUpdate(formId, { requests: formRequests([], formItems(spec)) });
    state.setPublishSettings(formId, {
      publishSettings: { publishState: { isPublished: true, isAcceptingResponses: true } },
      updateMask: 'publishState',
    });
    // The form collects no email here: the respondent is given as Google's verified one would be.
    const send = (answers: Record<string, string[]>, submittedAt = NOW) => ({
      ...normaliseResponse(state.submit(formId, { answers, submittedAt }) as forms_v1.Schema$FormResponse),
      email: ANN,
    });
    const items = state.get(formId).items as Item[];
    return { r, spec, items, send, ann: spec.sections.find((s) => s.owner === ANN)! };
  };

  it('has each owner’s "no change this week", which submits at once, a topic question, and no Dropped', () => {
    const { spec, items, ann } = built();
    const who = items.find((i) => i.itemId === spec.who.itemId)!.questionItem!.question!.choiceQuestion!;
    expect(who.options!.map((o) => [o.value, o.goToSectionId ?? o.goToAction])).toEqual([
      ['Ann Lee (ann@example.com)', ann.itemId],
      ['Ann Lee (ann@example.com) — no change this week', 'SUBMIT_FORM'],
      ['Bob Ray (bob@example.com)', spec.sections[1]!.itemId],
      ['Bob Ray (bob@example.com) — no change this week', 'SUBMIT_FORM'],
    ]);
    const grid = items.find((i) => i.itemId === ann.grid!.itemId)!.questionGroupItem!.grid!;
    expect(grid.columns!.options!.map((o) => o.value)).toEqual(['On track', 'Might miss', 'Missed', 'Done']);
    const topic = items.find((i) => i.itemId === ann.topic.itemId)!;
    expect(topic.title).toBe('Raise a topic for the meeting');
    // The topic comes before "help from", whose every answer submits the section.
    expect(items.indexOf(topic)).toBeLessThan(items.findIndex((i) => i.itemId === ann.helpFrom.itemId));
  });

  it('takes the one-click "no change" (and nothing else with it), and a raised topic, read back by the sync', () => {
    const { r, spec, ann, send } = built();
    const noChange = send(answersOfSubmission(spec, r, { email: ANN, noChange: true }));
    expect(submissionOfFormResponse(r, noChange)).toMatchObject({ noChange: true, onBehalfOf: ANN });
    // A person who chose "no change" never sees their section: Google would not take its answers.
    expect(() =>
      send({ ...answersOfSubmission(spec, r, { email: ANN, noChange: true }), [ann.wins.questionId]: ['x'] }),
    ).toThrow(/skip/);
    const topic = send(answersOfSubmission(spec, r, { email: ANN, raisedTopic: 'Office move' }));
    expect(submissionOfFormResponse(r, topic).raisedTopic).toBe('Office move');
  });

  it('accepts a past forecast (Forms has no date validation), which the sync refuses by name', () => {
    const { r, spec, send } = built();
    const answers = answersOfSubmission(spec, r, {
      email: ANN,
      statuses: { 'M-0001': 'Might miss' },
      forecasts: { 'M-0001': '2020-01-01' },
    });
    const sub = submissionOfFormResponse(r, send(answers));
    const result = ingest(r, [{ where: `form response ${sub.responseId}`, value: sub }], NOW);
    const fromForm = result.applied.filter((c) => c.source === 'form');
    expect(fromForm.map((c) => [c.field, c.to])).toEqual([['Status', 'Might miss']]);
    expect(result.rejected).toEqual([
      expect.objectContaining({
        milestone: 'M-0001',
        field: 'forecast',
        where: `form response ${sub.responseId}`,
        reason: expect.stringContaining('2020-01-01 is in the past'),
      }),
    ]);
  });

  it('asks Ann about her open action (Open or Done, a one-line note) and reads her answer back', () => {
    const action = {
      ID: 'A-0001',
      Action: 'Send the audit list',
      Owner: ANN,
      Status: 'Open',
      'Topic ID': 't/1',
    };
    const { r, spec, items, send, ann } = built([action]);
    const [a] = ann.actions;
    const question = items.find((i) => i.itemId === a!.status.itemId)!;
    expect(question.title).toBe('A-0001 · Send the audit list');
    // No option navigates: "help from", later in the section, still sends the answer.
    expect(question.questionItem!.question!.choiceQuestion!.options).toEqual([
      { value: 'Open' },
      { value: 'Done' },
    ]);
    const note = items.find((i) => i.itemId === a!.note.itemId)!;
    expect(note.questionItem!.question!.textQuestion?.paragraph).toBeUndefined();
    const at = (id: string) => items.findIndex((i) => i.itemId === id);
    expect(at(a!.status.itemId)).toBeGreaterThan(at(ann.milestones.at(-1)!.comment.itemId));
    expect(at(a!.note.itemId)).toBeLessThan(at(ann.wins.itemId));
    // Bob has no open action: no such question in his section.
    expect(spec.sections.find((x) => x.owner === 'bob@example.com')!.actions).toEqual([]);

    const answers = answersOfSubmission(spec, r, {
      email: ANN,
      actions: { 'A-0001': 'Done' },
      actionNotes: { 'A-0001': 'Sent Monday' },
    });
    const sub = submissionOfFormResponse(r, send(answers));
    expect(sub).toMatchObject({ actions: { 'A-0001': 'Done' }, actionNotes: { 'A-0001': 'Sent Monday' } });
    const result = ingest(r, [{ where: `form response ${sub.responseId}`, value: sub }], NOW);
    expect(result.writes.map((w) => [w.tab, w.column, w.value])).toEqual([['Actions', 'Status', 'Done']]);
    // What a person could not send, Google refuses: a choice that is not offered, a note on two lines.
    expect(() => send({ ...answers, [a!.status.questionId]: ['Dropped'] })).toThrow(/not one of its options/);
    expect(() => send({ ...answers, [a!.note.questionId]: ['Sent\nMonday'] })).toThrow(/one line/);
  });
});
