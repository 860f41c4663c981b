/**
 * The update form's build and rebuilds hold up when Forms validates a batch request by request
 * (the emulator's reading; Google documents neither): "Who is updating?" never names a section
 * that is not in the form yet, nor one already deleted — when the form is first built, and when
 * owners join and leave between meetings. One batch each time.
 */
import type { forms_v1 } from '@googleapis/forms';
import { describe, expect, it } from 'vitest';
import { FormsState } from '../../emulator/forms';
import { formRequests } from '../../src/google/forms';

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
