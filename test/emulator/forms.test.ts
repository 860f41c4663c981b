/**
 * The Forms v1 part of the emulator (forms create / get / batchUpdate / setPublishSettings,
 * responses list / get, and people submitting responses), through the real googleapis client.
 */
import type { forms_v1 } from '@googleapis/forms';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorState, startEmulator } from '../../emulator/server';
import { driveClient, failure, formsClient, googleError } from './helpers';

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

const CLOCK = Date.UTC(2026, 11, 1, 8, 0);

async function start(): Promise<forms_v1.Forms> {
  // Responders are checked in their own test: here anyone may answer a published form.
  emulator = await startEmulator({ quotaPerMinute: false, now: () => CLOCK, formResponders: 'anyone' });
  return formsClient(emulator);
}

const STATUSES = ['On track', 'Might miss', 'Missed', 'Done'];

/**
 * The update form: an intro; a RADIO status question whose options go to sections; a Recovery
 * section (a required paragraph); a Details section (a required grid and a date). The status
 * question comes first, naming sections created later in the same batch.
 */
function buildRequests(): forms_v1.Schema$Request[] {
  // Sections first: a question's goToSectionId must name a section already in the form
  // (requests are validated one by one, in order).
  return [
    { updateFormInfo: { info: { description: 'Your weekly update' }, updateMask: 'description' } },
    { updateSettings: { settings: { emailCollectionType: 'VERIFIED' }, updateMask: 'emailCollectionType' } },
    {
      createItem: {
        location: { index: 0 },
        item: { itemId: '0000000a', title: 'Recovery', pageBreakItem: {} },
      },
    },
    {
      createItem: {
        location: { index: 1 },
        item: {
          itemId: '00000004',
          title: 'What went wrong?',
          questionItem: {
            question: { questionId: '40000001', required: true, textQuestion: { paragraph: true } },
          },
        },
      },
    },
    {
      createItem: {
        location: { index: 2 },
        item: { itemId: '0000000b', title: 'Details', pageBreakItem: {} },
      },
    },
    {
      createItem: {
        location: { index: 3 },
        item: {
          itemId: '00000002',
          title: 'Milestones',
          questionGroupItem: {
            questions: [
              { questionId: '20000001', required: true, rowQuestion: { title: 'M-0001 Launch' } },
              { questionId: '20000002', required: true, rowQuestion: { title: 'M-0002 Hiring' } },
            ],
            grid: { columns: { type: 'RADIO', options: STATUSES.map((value) => ({ value })) } },
          },
        },
      },
    },
    {
      createItem: {
        location: { index: 4 },
        item: {
          itemId: '00000003',
          title: 'New forecast',
          questionItem: { question: { questionId: '30000001', dateQuestion: { includeYear: true } } },
        },
      },
    },
    {
      createItem: {
        location: { index: 0 },
        item: {
          itemId: '00000001',
          title: 'Overall status',
          questionItem: {
            question: {
              questionId: '10000001',
              required: true,
              choiceQuestion: {
                type: 'RADIO',
                options: [
                  { value: 'On track', goToSectionId: '0000000b' },
                  { value: 'Might miss', goToSectionId: '0000000a' },
                  { value: 'Missed', goToSectionId: '0000000A' },
                  { value: 'Done', goToAction: 'SUBMIT_FORM' },
                ],
              },
            },
          },
        },
      },
    },
    {
      createItem: {
        location: { index: 0 },
        item: { title: 'Hello', description: 'Two minutes', textItem: {} },
      },
    },
  ];
}

async function newForm(api: forms_v1.Forms, unpublished = true): Promise<string> {
  const { data } = await api.forms.create({ unpublished, requestBody: { info: { title: 'Weekly update' } } });
  return data.formId!;
}

async function builtForm(api: forms_v1.Forms): Promise<string> {
  const formId = await newForm(api);
  await api.forms.batchUpdate({ formId, requestBody: { requests: buildRequests() } });
  return formId;
}

function publish(api: forms_v1.Forms, formId: string, isPublished = true, isAcceptingResponses = true) {
  return api.forms.setPublishSettings({
    formId,
    requestBody: {
      publishSettings: { publishState: { isPublished, isAcceptingResponses } },
      updateMask: '*',
    },
  });
}

describe('Forms forms', () => {
  it('creates an unpublished form in Google’s shape that is also a Drive file', async () => {
    const api = await start();
    const { data } = await api.forms.create({
      unpublished: true,
      requestBody: { info: { title: 'Weekly update' } },
    });
    const formId = data.formId!;
    expect(formId).toMatch(/^1[A-Za-z0-9_-]{43}$/);
    expect(data).toEqual({
      formId,
      info: { title: 'Weekly update', documentTitle: 'Weekly update' },
      settings: {},
      revisionId: expect.any(String),
      responderUri: expect.stringMatching(
        /^https:\/\/docs\.google\.com\/forms\/d\/e\/1FAIpQLS[\w-]+\/viewform$/,
      ),
      publishSettings: { publishState: { isPublished: false, isAcceptingResponses: false } },
    });
    expect((await api.forms.get({ formId })).data).toEqual(data);
    const file = await driveClient(emulator).files.get({
      fileId: formId,
      fields: 'id,name,mimeType,webViewLink',
    });
    expect(file.data).toEqual({
      id: formId,
      name: 'Weekly update',
      mimeType: 'application/vnd.google-apps.form',
      webViewLink: `https://docs.google.com/forms/d/${formId}/edit`,
    });
    // Renaming the file in Drive renames the form's document title, not its title.
    await driveClient(emulator).files.update({ fileId: formId, requestBody: { name: 'Update (Q4)' } });
    expect((await api.forms.get({ formId })).data.info).toEqual({
      title: 'Weekly update',
      documentTitle: 'Update (Q4)',
    });

    const legacy = await api.forms.create({
      requestBody: { info: { title: 'Open', documentTitle: 'Open form' } },
    });
    expect(legacy.data.publishSettings).toEqual({
      publishState: { isPublished: true, isAcceptingResponses: true },
    });
    expect(legacy.data.info).toEqual({ title: 'Open', documentTitle: 'Open form' });
  });

  it('refuses at create time anything but the title, and unknown names, as Google does', async () => {
    const api = await start();
    const only =
      'Only info.title can be set when creating a form. To add items and change settings, use batchUpdate.';
    for (const requestBody of [
      { info: { title: 'T' }, items: [{ title: 'Q', textItem: {} }] },
      { info: { title: 'T' }, settings: { emailCollectionType: 'VERIFIED' } },
      { info: { title: 'T', description: 'D' } },
    ] as forms_v1.Schema$Form[]) {
      const seen = await failure(api.forms.create({ requestBody }));
      expect(seen.status).toBe(400);
      expect(seen.data).toEqual(googleError(400, only, 'INVALID_ARGUMENT'));
    }
    const unknown = await failure(
      api.forms.create({ requestBody: { info: { title: 'T', subtitle: 'x' } } as never }),
    );
    expect(unknown.data).toEqual(
      googleError(
        400,
        `Invalid JSON payload received. Unknown name "subtitle" at 'info': Cannot find field.`,
        'INVALID_ARGUMENT',
      ),
    );
    expect(emulator.forms.forms.size).toBe(0);
  });

  it('builds a form with sections, branching, a grid, a date and a paragraph, keeping chosen ids', async () => {
    const api = await start();
    const formId = await newForm(api);
    const before = (await api.forms.get({ formId })).data.revisionId!;
    const { data } = await api.forms.batchUpdate({
      formId,
      requestBody: { includeFormInResponse: true, requests: buildRequests() },
    });
    const intro = data.replies![8]!.createItem!.itemId!;
    expect(intro).toMatch(/^[0-7][0-9a-f]{7}$/);
    expect(data.replies).toEqual([
      {},
      {},
      { createItem: { itemId: '0000000a' } },
      { createItem: { itemId: '00000004', questionId: ['40000001'] } },
      { createItem: { itemId: '0000000b' } },
      { createItem: { itemId: '00000002', questionId: ['20000001', '20000002'] } },
      { createItem: { itemId: '00000003', questionId: ['30000001'] } },
      { createItem: { itemId: '00000001', questionId: ['10000001'] } },
      { createItem: { itemId: intro } },
    ]);
    expect(data.writeControl!.requiredRevisionId).not.toBe(before);
    const form = (await api.forms.get({ formId })).data;
    expect(data.form).toEqual(form);
    expect(form.revisionId).toBe(data.writeControl!.requiredRevisionId);
    expect(form.info).toEqual({
      title: 'Weekly update',
      description: 'Your weekly update',
      documentTitle: 'Weekly update',
    });
    expect(form.settings).toEqual({ emailCollectionType: 'VERIFIED' });
    expect(form.items!.map((i) => [i.itemId, i.title])).toEqual([
      [intro, 'Hello'],
      ['00000001', 'Overall status'],
      ['0000000a', 'Recovery'],
      ['00000004', 'What went wrong?'],
      ['0000000b', 'Details'],
      ['00000002', 'Milestones'],
      ['00000003', 'New forecast'],
    ]);
    expect(form.items![0]).toEqual({
      itemId: intro,
      title: 'Hello',
      description: 'Two minutes',
      textItem: {},
    });
    expect(form.items![1]!.questionItem).toEqual({
      question: {
        questionId: '10000001',
        required: true,
        choiceQuestion: {
          type: 'RADIO',
          options: [
            { value: 'On track', goToSectionId: '0000000b' },
            { value: 'Might miss', goToSectionId: '0000000a' },
            { value: 'Missed', goToSectionId: '0000000a' },
            { value: 'Done', goToAction: 'SUBMIT_FORM' },
          ],
        },
      },
    });
    expect(form.items![5]!.questionGroupItem).toEqual({
      questions: [
        { questionId: '20000001', required: true, rowQuestion: { title: 'M-0001 Launch' } },
        { questionId: '20000002', required: true, rowQuestion: { title: 'M-0002 Hiring' } },
      ],
      grid: { columns: { type: 'RADIO', options: STATUSES.map((value) => ({ value })) } },
    });
    expect(form.items![6]!.questionItem).toEqual({
      question: { questionId: '30000001', dateQuestion: { includeYear: true } },
    });
    // Defaults are left out, as proto3 JSON does.
    await api.forms.batchUpdate({
      formId,
      requestBody: {
        requests: [
          {
            createItem: {
              location: { index: 7 },
              item: {
                title: 'Short',
                questionItem: { question: { required: false, textQuestion: { paragraph: false } } },
              },
            },
          },
        ],
      },
    });
    const short = (await api.forms.get({ formId })).data.items![7]!;
    expect(short).toEqual({
      itemId: expect.stringMatching(/^[0-7][0-9a-f]{7}$/),
      title: 'Short',
      questionItem: {
        question: { questionId: expect.stringMatching(/^[0-7][0-9a-f]{7}$/), textQuestion: {} },
      },
    });
  });

  it('updates, moves and deletes items, and keeps the revision when nothing changes', async () => {
    const api = await start();
    const formId = await builtForm(api);
    const update = (requests: forms_v1.Schema$Request[], requiredRevisionId?: string) =>
      api.forms.batchUpdate({
        formId,
        requestBody: { requests, ...(requiredRevisionId ? { writeControl: { requiredRevisionId } } : {}) },
      });
    const r0 = (await api.forms.get({ formId })).data.revisionId!;
    const r1 = (
      await update(
        [
          {
            updateItem: {
              location: { index: 6 },
              item: { title: 'Forecast date', questionItem: { question: { required: true } } },
              updateMask: 'title,questionItem.question.required',
            },
          },
          { moveItem: { originalLocation: { index: 0 }, newLocation: { index: 6 } } },
        ],
        r0,
      )
    ).data.writeControl!.requiredRevisionId!;
    expect(r1).not.toBe(r0);
    let items = (await api.forms.get({ formId })).data.items!;
    expect(items[5]).toEqual({
      itemId: '00000003',
      title: 'Forecast date',
      questionItem: {
        question: { questionId: '30000001', required: true, dateQuestion: { includeYear: true } },
      },
    });
    expect(items[6]!.title).toBe('Hello');
    // The same title again changes nothing: the revision stays.
    const same = await update([
      { updateFormInfo: { info: { title: 'Weekly update' }, updateMask: 'title' } },
    ]);
    expect(same.data.writeControl!.requiredRevisionId).toBe(r1);
    // A stale required revision is refused.
    const stale = await failure(update([{ deleteItem: { location: { index: 6 } } }], r0));
    expect(stale.status).toBe(400);
    // '*' replaces the whole item; ids left blank are generated afresh (as Google documents).
    await update([
      {
        updateItem: {
          location: { index: 5 },
          item: { title: 'When?', questionItem: { question: { dateQuestion: {} } } },
          updateMask: '*',
        },
      },
      { deleteItem: { location: { index: 6 } } },
    ]);
    items = (await api.forms.get({ formId })).data.items!;
    expect(items).toHaveLength(6);
    expect(items[5]!.itemId).not.toBe('00000003');
    expect(items[5]!.questionItem!.question!.questionId).not.toBe('30000001');
    expect(items[5]!.questionItem!.question!.dateQuestion).toEqual({});
  });

  it('takes a targetRevisionId of any revision the form had, and no other', async () => {
    const api = await start();
    const formId = await newForm(api);
    const first = (await api.forms.get({ formId })).data.revisionId!;
    await api.forms.batchUpdate({ formId, requestBody: { requests: buildRequests() } });
    const rename = (targetRevisionId: string) =>
      api.forms.batchUpdate({
        formId,
        requestBody: {
          requests: [{ updateFormInfo: { info: { title: targetRevisionId }, updateMask: 'title' } }],
          writeControl: { targetRevisionId },
        },
      });
    await rename(first);
    expect((await api.forms.get({ formId })).data.info!.title).toBe(first);
    expect((await failure(rename('99999999'))).status).toBe(400);
    const both = await failure(
      api.forms.batchUpdate({
        formId,
        requestBody: {
          requests: [{ deleteItem: { location: { index: 0 } } }],
          writeControl: { requiredRevisionId: first, targetRevisionId: first },
        },
      }),
    );
    expect(both.data).toEqual(
      googleError(
        400,
        expect.stringContaining("(oneof), oneof field 'control' is already set"),
        'INVALID_ARGUMENT',
      ),
    );
  });

  it('lets a batch reuse an id that a deleteItem earlier in it freed', async () => {
    const api = await start();
    const formId = await builtForm(api);
    const { data } = await api.forms.batchUpdate({
      formId,
      requestBody: {
        requests: [
          { deleteItem: { location: { index: 6 } } },
          {
            createItem: {
              location: { index: 6 },
              item: {
                itemId: '00000003',
                questionItem: { question: { questionId: '30000001', textQuestion: {} } },
              },
            },
          },
        ],
      },
    });
    expect(data.replies![1]).toEqual({ createItem: { itemId: '00000003', questionId: ['30000001'] } });
  });
});

describe('Forms validation', () => {
  const question = (
    id: string,
    qid: string,
    choice: forms_v1.Schema$ChoiceQuestion,
  ): forms_v1.Schema$Request => ({
    createItem: {
      location: { index: 0 },
      item: {
        itemId: id,
        title: 'Q',
        questionItem: { question: { questionId: qid, choiceQuestion: choice } },
      },
    },
  });
  const harmless: forms_v1.Schema$Request = {
    createItem: { location: { index: 0 }, item: { title: 'Harmless', textItem: {} } },
  };
  const radio = (options: forms_v1.Schema$Option[]) => ({ type: 'RADIO', options });
  const grid = (
    questions: forms_v1.Schema$Question[],
    options: forms_v1.Schema$Option[],
  ): forms_v1.Schema$Request => ({
    createItem: {
      location: { index: 0 },
      item: {
        title: 'Grid',
        questionGroupItem: { questions, grid: { columns: { type: 'RADIO', options } } },
      },
    },
  });

  const cases: [string, forms_v1.Schema$Request[], RegExp][] = [
    [
      'an item id that is not 8 hex digits',
      [harmless, { createItem: { location: { index: 0 }, item: { itemId: 'abc', textItem: {} } } }],
      /^Invalid requests\[1\]\.createItem: Invalid item ID "abc"/,
    ],
    [
      'an item id above 7fffffff',
      [harmless, { createItem: { location: { index: 0 }, item: { itemId: '80000000', textItem: {} } } }],
      /^Invalid requests\[1\]\.createItem: Invalid item ID "80000000"/,
    ],
    [
      'a question id in use',
      [harmless, question('00000009', '10000001', radio([{ value: 'A' }]))],
      /^Invalid requests\[1\]\.createItem: The question ID 10000001 is already in use/,
    ],
    [
      'an item id used by a question',
      [harmless, { createItem: { location: { index: 0 }, item: { itemId: '20000002', pageBreakItem: {} } } }],
      /^Invalid requests\[1\]\.createItem: The item ID 20000002 is already in use/,
    ],
    [
      'an item id twice in one batch',
      [
        { createItem: { location: { index: 0 }, item: { itemId: '00000077', textItem: {} } } },
        { createItem: { location: { index: 0 }, item: { itemId: '00000077', textItem: {} } } },
      ],
      /^Invalid requests\[1\]\.createItem: The item ID 00000077 is already in use/,
    ],
    [
      'a location past the end',
      [harmless, { createItem: { location: { index: 9 }, item: { textItem: {} } } }],
      /^Invalid requests\[1\]\.createItem: location\.index 9 is out of range/,
    ],
    [
      'a delete past the last item',
      [harmless, { deleteItem: { location: { index: 8 } } }],
      /^Invalid requests\[1\]\.deleteItem: location\.index 8 is out of range/,
    ],
    [
      'a move from a negative index',
      [{ moveItem: { originalLocation: { index: -1 }, newLocation: { index: 0 } } }],
      /^Invalid requests\[0\]\.moveItem: originalLocation\.index -1 is out of range/,
    ],
    [
      'a goToSectionId naming no section',
      [harmless, question('00000009', '10000009', radio([{ value: 'A', goToSectionId: '00000002' }]))],
      /^Invalid requests\[1\]\.createItem: goToSectionId 00000002 of item 00000009 does not name a section/,
    ],
    [
      // Read one by one, in order: the section does not exist yet when the question names it.
      'a goToSectionId naming a section created later in the same batch',
      [
        harmless,
        question('00000009', '10000009', radio([{ value: 'A', goToSectionId: '00000066' }])),
        { createItem: { location: { index: 0 }, item: { itemId: '00000066', pageBreakItem: {} } } },
      ],
      /^Invalid requests\[1\]\.createItem: goToSectionId 00000066 of item 00000009 does not name a section/,
    ],
    [
      'deleting a section a question goes to',
      [harmless, { deleteItem: { location: { index: 5 } } }],
      /^Invalid requests\[1\]\.deleteItem: goToSectionId 0000000b of item 00000001 does not name a section/,
    ],
    [
      'goToAction and goToSectionId together',
      [
        harmless,
        question(
          '00000009',
          '10000009',
          radio([{ value: 'A', goToAction: 'NEXT_SECTION', goToSectionId: '0000000a' }]),
        ),
      ],
      /^Invalid value at 'requests\[1\]\.create_item\.item\.question_item\.question\.choice_question\.options\[0\]' \(oneof\)/,
    ],
    [
      'branching on check boxes',
      [
        harmless,
        question('00000009', '10000009', {
          type: 'CHECKBOX',
          options: [{ value: 'A', goToAction: 'SUBMIT_FORM' }],
        }),
      ],
      /^Invalid requests\[1\]\.createItem: .*section navigation .* needs a RADIO or DROP_DOWN question/,
    ],
    [
      'branching in a grid',
      [harmless, grid([{ rowQuestion: { title: 'R' } }], [{ value: 'A', goToAction: 'SUBMIT_FORM' }])],
      /^Invalid requests\[1\]\.createItem: .*section navigation is not allowed in a grid/,
    ],
    [
      'a choice without options',
      [harmless, question('00000009', '10000009', radio([]))],
      /^Invalid requests\[1\]\.createItem: questionItem\.question\.choiceQuestion\.options must not be empty/,
    ],
    [
      'an option without a value',
      [harmless, question('00000009', '10000009', radio([{ value: 'A' }, { value: '' }]))],
      /^Invalid requests\[1\]\.createItem: .*options\[1\]\.value must not be empty/,
    ],
    [
      'an option value twice',
      [harmless, question('00000009', '10000009', radio([{ value: 'A' }, { value: 'A' }]))],
      /^Invalid requests\[1\]\.createItem: .*the option value "A" appears twice/,
    ],
    [
      'a choice without a type',
      [harmless, question('00000009', '10000009', { options: [{ value: 'A' }] })],
      /^Invalid requests\[1\]\.createItem: questionItem\.question\.choiceQuestion\.type is required/,
    ],
    [
      'a grid without rows',
      [harmless, grid([], [{ value: 'A' }])],
      /^Invalid requests\[1\]\.createItem: A grid needs at least one row/,
    ],
    [
      'a grid without columns',
      [harmless, grid([{ rowQuestion: { title: 'R' } }], [])],
      /^Invalid requests\[1\]\.createItem: questionGroupItem\.grid\.columns\.options must not be empty/,
    ],
    [
      'a drop-down grid',
      [
        harmless,
        {
          createItem: {
            location: { index: 0 },
            item: {
              questionGroupItem: {
                questions: [{ rowQuestion: { title: 'R' } }],
                grid: { columns: { type: 'DROP_DOWN', options: [{ value: 'A' }] } },
              },
            },
          },
        },
      ],
      /^Invalid requests\[1\]\.createItem: .*must be RADIO or CHECKBOX/,
    ],
    [
      'an update without a mask',
      [harmless, { updateFormInfo: { info: { title: 'New' } } }],
      /^Invalid requests\[1\]\.updateFormInfo: At least one field must be listed in update_mask/,
    ],
    [
      'an item update without a mask',
      [harmless, { updateItem: { location: { index: 1 }, item: { title: 'New' } } }],
      /^Invalid requests\[1\]\.updateItem: At least one field must be listed in update_mask/,
    ],
    [
      'a mask naming no field',
      [harmless, { updateSettings: { settings: {}, updateMask: 'emailCollection' } }],
      /^Invalid requests\[1\]\.updateSettings: Invalid field mask path "email_collection"/,
    ],
    [
      'an update turning an item into two kinds',
      [harmless, { updateItem: { location: { index: 2 }, item: { textItem: {} }, updateMask: 'textItem' } }],
      /^Invalid requests\[1\]\.updateItem: Invalid value at 'item' \(oneof\)/,
    ],
    [
      'a request of two kinds',
      [{ ...harmless, deleteItem: { location: { index: 0 } } }],
      /^Invalid value at 'requests\[0\]' \(oneof\), oneof field 'kind' is already set\. Cannot overwrite with 'delete_item'$/,
    ],
    [
      'an unknown field',
      [harmless, { createItem: { location: { index: 0 }, item: { textItem: {}, colour: 'red' } } } as never],
      /^Invalid JSON payload received\. Unknown name "colour" at 'requests\[1\]\.create_item\.item': Cannot find field\.$/,
    ],
    [
      'an unknown enum value',
      [harmless, { updateSettings: { settings: { emailCollectionType: 'ALWAYS' }, updateMask: '*' } }],
      /^Invalid value at 'requests\[1\]\.update_settings\.settings\.email_collection_type' \(type\.googleapis\.com\/google\.apps\.forms\.v1\.EmailCollectionType\), "ALWAYS"$/,
    ],
    [
      'an image item',
      [
        harmless,
        { createItem: { location: { index: 0 }, item: { imageItem: { image: { sourceUri: 'x' } } } } },
      ],
      /^Invalid requests\[1\]\.createItem: An imageItem is not supported by the Milepost emulator\.$/,
    ],
  ];

  for (const [what, requests, message] of cases) {
    it(`answers 400 for ${what}, and the form is unchanged`, async () => {
      const api = await start();
      const formId = await builtForm(api);
      const before = (await api.forms.get({ formId })).data;
      const seen = await failure(api.forms.batchUpdate({ formId, requestBody: { requests } }));
      expect(seen.status).toBe(400);
      expect(seen.data).toEqual(googleError(400, expect.stringMatching(message), 'INVALID_ARGUMENT'));
      expect((await api.forms.get({ formId })).data).toEqual(before);
    });
  }

  it('refuses publish settings that accept responses unpublished, or that lack a field', async () => {
    const api = await start();
    const formId = await newForm(api);
    const accepting = await failure(publish(api, formId, false, true));
    expect(accepting.status).toBe(400);
    const half = await failure(
      api.forms.setPublishSettings({
        formId,
        requestBody: { publishSettings: { publishState: { isPublished: true } } },
      }),
    );
    expect(half.data).toEqual(
      googleError(
        400,
        'When updating publish_state, both is_published and is_accepting_responses must be set.',
        'INVALID_ARGUMENT',
      ),
    );
    expect((await api.forms.get({ formId })).data.publishSettings).toEqual({
      publishState: { isPublished: false, isAcceptingResponses: false },
    });
    const missing = await failure(api.forms.get({ formId: 'no-such-form' }));
    expect(missing.data).toEqual(googleError(404, 'Requested entity was not found.', 'NOT_FOUND'));
  });
});

describe('Forms responses', () => {
  const onTrack = (email: string, at: string, forecast = '2026-12-18') => ({
    respondentEmail: email,
    submittedAt: at,
    answers: { '10000001': 'On track', '20000001': 'On track', '20000002': 'Done', '30000001': forecast },
  });

  it('publishes, takes submissions, lists them by timestamp a page at a time, and keeps an edit’s id', async () => {
    const api = await start();
    const formId = await builtForm(api);
    const revision = (await api.forms.get({ formId })).data.revisionId;
    const published = await publish(api, formId);
    expect(published.data).toEqual({
      formId,
      publishSettings: { publishState: { isPublished: true, isAcceptingResponses: true } },
    });
    expect((await api.forms.get({ formId })).data.revisionId).toBe(revision);

    const ann = emulator.submitResponse(formId, onTrack('ann@example.com', '2026-11-30T08:00:00Z'));
    const bob = emulator.submitResponse(formId, {
      respondentEmail: 'bob@example.com',
      submittedAt: '2026-11-30T09:00:00Z',
      answers: {
        '10000001': 'Might miss',
        '40000001': 'Supplier late.\nRecovering next week.',
        '20000001': 'Might miss',
        '20000002': ['On track'],
      },
    });
    // Over HTTP, as a test driving the standalone emulator would.
    const res = await fetch(`${emulator.apiRoot}__emulator/forms/submit`, {
      method: 'POST',
      body: JSON.stringify({
        formId,
        respondentEmail: 'cat@example.com',
        submittedAt: '2026-11-30T10:00:00.500Z',
        answers: { '10000001': 'Done', '20000001': '' },
      }),
    });
    expect(res.status).toBe(200);
    const cat = (await res.json()) as Record<string, unknown>;

    expect(ann).toEqual({
      formId,
      responseId: expect.stringMatching(/^ACYDBN[\w-]+$/),
      createTime: '2026-11-30T08:00:00.000Z',
      lastSubmittedTime: '2026-11-30T08:00:00.000Z',
      respondentEmail: 'ann@example.com',
      answers: {
        '10000001': { questionId: '10000001', textAnswers: { answers: [{ value: 'On track' }] } },
        '20000001': { questionId: '20000001', textAnswers: { answers: [{ value: 'On track' }] } },
        '20000002': { questionId: '20000002', textAnswers: { answers: [{ value: 'Done' }] } },
        '30000001': { questionId: '30000001', textAnswers: { answers: [{ value: '2026-12-18' }] } },
      },
    });
    expect(cat.answers).toEqual({
      '10000001': { questionId: '10000001', textAnswers: { answers: [{ value: 'Done' }] } },
    });
    const got = await api.forms.responses.get({ formId, responseId: String(bob.responseId) });
    expect(got.data).toEqual(bob);

    const all = (await api.forms.responses.list({ formId })).data;
    expect(all.nextPageToken).toBeUndefined();
    const { formId: _omitted, ...annInList } = ann;
    expect(all.responses).toEqual([annInList, expect.any(Object), expect.any(Object)]);
    expect(all.responses!.map((r) => r.respondentEmail)).toEqual([
      'ann@example.com',
      'bob@example.com',
      'cat@example.com',
    ]);
    expect(all.responses!.every((r) => r.formId === undefined)).toBe(true);

    const emails = async (filter: string) =>
      ((await api.forms.responses.list({ formId, filter })).data.responses ?? []).map(
        (r) => r.respondentEmail,
      );
    expect(await emails('timestamp > 2026-11-30T09:00:00Z')).toEqual(['cat@example.com']);
    expect(await emails('timestamp >= 2026-11-30T09:00:00Z')).toEqual(['bob@example.com', 'cat@example.com']);
    expect(await emails('timestamp>2026-11-30T10:00:00.4999Z')).toEqual(['cat@example.com']);
    expect(await emails('timestamp > 2026-11-30T10:00:00.5Z')).toEqual([]);
    const empty = await api.forms.responses.list({ formId, filter: 'timestamp > 2027-01-01T00:00:00Z' });
    expect(empty.data).toEqual({});

    // A page at a time; the token holds the filter.
    const filter = 'timestamp >= 2026-11-30T00:00:00Z';
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = (await api.forms.responses.list({ formId, filter, pageSize: 2, pageToken })).data;
      expect(page.responses!.length).toBeLessThanOrEqual(2);
      seen.push(...page.responses!.map((r) => r.respondentEmail!));
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    expect(seen).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com']);
    const first = (await api.forms.responses.list({ formId, filter, pageSize: 1 })).data;
    const otherFilter = await failure(
      api.forms.responses.list({
        formId,
        filter: 'timestamp > 2026-11-30T00:00:00Z',
        pageToken: first.nextPageToken!,
      }),
    );
    expect(otherFilter.status).toBe(400);

    // Ann edits her response: same id and createTime, new answers and lastSubmittedTime.
    const edited = emulator.submitResponse(formId, {
      ...onTrack('ann@example.com', '2026-12-01T07:30:00Z', '2027-01-08'),
      responseId: String(ann.responseId),
    });
    expect(edited).toEqual({
      ...ann,
      lastSubmittedTime: '2026-12-01T07:30:00.000Z',
      answers: {
        ...(ann.answers as object),
        '30000001': { questionId: '30000001', textAnswers: { answers: [{ value: '2027-01-08' }] } },
      },
    });
    expect(await emails('timestamp > 2026-11-30T10:00:00.5Z')).toEqual(['ann@example.com']);
    expect((await api.forms.responses.list({ formId })).data.responses).toHaveLength(3);

    // A new response may be named; only its respondent may edit it, and not back in time.
    const named = emulator.submitResponse(formId, {
      ...onTrack('dan@example.com', '2026-12-01T08:00:00Z'),
      responseId: 'resp-1',
    });
    expect(named.responseId).toBe('resp-1');
    expect(() =>
      emulator.submitResponse(formId, {
        ...onTrack('eve@example.com', '2026-12-01T09:00:00Z'),
        responseId: 'resp-1',
      }),
    ).toThrow(/belongs to another respondent/);
    expect(() =>
      emulator.submitResponse(formId, {
        ...onTrack('dan@example.com', '2026-12-01T07:00:00Z'),
        responseId: 'resp-1',
      }),
    ).toThrow(/is before the response's last submission/);
    expect((await api.forms.responses.get({ formId, responseId: 'resp-1' })).data).toEqual(named);
  });

  it('answers 400 for a filter Google does not support, and for a bad page size or token', async () => {
    const api = await start();
    const formId = await builtForm(api);
    for (const filter of [
      'timestamp < 2026-11-30T09:00:00Z',
      'createTime > 2026-11-30T09:00:00Z',
      'timestamp > 2026-11-30',
      'timestamp > 2026-11-30T09:00:00+01:00',
      'timestamp > 2026-13-30T09:00:00Z',
    ]) {
      const seen = await failure(api.forms.responses.list({ formId, filter }));
      expect(seen.data, filter).toEqual(
        googleError(400, expect.stringContaining('Invalid filter'), 'INVALID_ARGUMENT'),
      );
    }
    expect((await failure(api.forms.responses.list({ formId, pageSize: -1 }))).status).toBe(400);
    expect((await failure(api.forms.responses.list({ formId, pageToken: 'nonsense' }))).status).toBe(400);
    const missing = await failure(api.forms.responses.get({ formId, responseId: 'ACYDBNnope' }));
    expect(missing.status).toBe(404);
  });

  it('refuses what a person could not submit, and stores nothing', async () => {
    const api = await start();
    const formId = await builtForm(api);
    const refused = (submission: Parameters<Emulator['submitResponse']>[1]) => {
      try {
        emulator.submitResponse(formId, submission);
      } catch (error) {
        const e = error as { code: number; message: string };
        return `${e.code} ${e.message}`;
      }
      throw new Error('the submission was accepted');
    };
    const good = onTrack('ann@example.com', '2026-11-30T08:00:00Z');
    expect(refused(good)).toMatch(/^403 The form \S+ is not published/);
    await publish(api, formId, true, false);
    expect(refused(good)).toMatch(/^403 The form \S+ is no longer accepting responses/);
    await publish(api, formId);

    const answers = good.answers;
    expect(refused({ ...good, respondentEmail: undefined })).toMatch(
      /^400 .*collects verified email addresses/,
    );
    expect(refused({ ...good, answers: { ...answers, '99999999': 'x' } })).toMatch(
      /^400 .*has no question 99999999/,
    );
    expect(refused({ ...good, answers: { ...answers, '10000001': 'Fine' } })).toMatch(
      /^400 Question 10000001 \("Overall status"\): "Fine" is not one of its options/,
    );
    expect(refused({ ...good, answers: { ...answers, '10000001': ['On track', 'Done'] } })).toMatch(
      /takes one answer, got 2/,
    );
    expect(refused({ ...good, answers: { ...answers, '20000002': 'Late' } })).toMatch(
      /Question 20000002 \("Milestones \[M-0002 Hiring\]"\): "Late" is not one of its options/,
    );
    expect(refused({ ...good, answers: { ...answers, '30000001': '18/12/2026' } })).toMatch(
      /"18\/12\/2026" is not a date in the question's format, YYYY-MM-DD/,
    );
    expect(refused({ ...good, answers: { ...answers, '30000001': '2026-02-30' } })).toMatch(/not a date/);
    const { '20000002': _row, ...withoutRow } = answers;
    expect(refused({ ...good, answers: withoutRow })).toMatch(/^400 Question 20000002 .* is required/);
    const { '10000001': _status, ...withoutStatus } = answers;
    expect(refused({ ...good, answers: withoutStatus })).toMatch(/^400 Question 10000001 .* is required/);
    // "Might miss" goes to Recovery, whose paragraph is required.
    expect(refused({ ...good, answers: { ...answers, '10000001': 'Might miss' } })).toMatch(
      /^400 Question 40000001 \("What went wrong\?"\) is required/,
    );
    // "On track" skips Recovery: its question cannot be answered.
    expect(refused({ ...good, answers: { ...answers, '40000001': 'Nothing' } })).toMatch(
      /^400 Question 40000001 .* is in section 0000000a \("Recovery"\), which these answers skip/,
    );
    // "Done" submits straight away: nothing after it can be answered.
    expect(refused({ ...good, answers: { ...answers, '10000001': 'Done' } })).toMatch(
      /which these answers skip/,
    );
    expect(refused({ ...good, submittedAt: 'yesterday' })).toMatch(
      /^400 submittedAt must be an ISO-8601 time/,
    );
    expect(refused({ ...good, responseId: '' })).toMatch(/^400 responseId must be a non-empty string/);
    expect(emulator.forms.forms.get(formId)!.responses.size).toBe(0);

    // The same answers, given right, are taken.
    expect(emulator.submitResponse(formId, good).respondentEmail).toBe('ann@example.com');
  });

  it('records an email only when the form collects one, and takes "other" and check-box answers', async () => {
    const api = await start();
    const formId = await newForm(api, false);
    await api.forms.batchUpdate({
      formId,
      requestBody: {
        requests: [
          {
            createItem: {
              location: { index: 0 },
              item: {
                title: 'Blockers',
                questionItem: {
                  question: {
                    questionId: '00000101',
                    choiceQuestion: {
                      type: 'CHECKBOX',
                      options: [{ value: 'Budget' }, { value: 'People' }, { isOther: true }],
                    },
                  },
                },
              },
            },
          },
          {
            createItem: {
              location: { index: 1 },
              item: {
                title: 'Short',
                questionItem: { question: { questionId: '00000102', textQuestion: {} } },
              },
            },
          },
          {
            createItem: {
              location: { index: 2 },
              item: {
                title: 'Day',
                questionItem: { question: { questionId: '00000103', dateQuestion: {} } },
              },
            },
          },
        ],
      },
    });
    const r = emulator.submitResponse(formId, {
      respondentEmail: 'ann@example.com',
      answers: { '00000101': ['Vendors', 'Budget'], '00000103': '02-29' },
    });
    expect(r.respondentEmail).toBeUndefined();
    expect(r.createTime).toBe(new Date(CLOCK).toISOString());
    expect(r.answers).toEqual({
      '00000101': {
        questionId: '00000101',
        textAnswers: { answers: [{ value: 'Budget' }, { value: 'Vendors' }] },
      },
      '00000103': { questionId: '00000103', textAnswers: { answers: [{ value: '02-29' }] } },
    });
    expect(() => emulator.submitResponse(formId, { answers: { '00000101': ['Vendors', 'Travel'] } })).toThrow(
      /"Travel" is not one of its options/,
    );
    expect(() => emulator.submitResponse(formId, { answers: { '00000102': 'two\nlines' } })).toThrow(
      /is a short answer: it takes one line/,
    );
    expect(() => emulator.submitResponse(formId, { answers: { '00000103': '2026-12-01' } })).toThrow(
      /not a date in the question's format, MM-DD/,
    );

    await api.forms.batchUpdate({
      formId,
      requestBody: {
        requests: [
          { updateSettings: { settings: { emailCollectionType: 'RESPONDER_INPUT' }, updateMask: '*' } },
        ],
      },
    });
    expect(() => emulator.submitResponse(formId, { answers: {} })).toThrow(/asks for the respondent's email/);
    expect(() => emulator.submitResponse(formId, { respondentEmail: 'ann', answers: {} })).toThrow(
      /not a valid email address/,
    );
    expect(emulator.submitResponse(formId, { respondentEmail: 'bo@example.com', answers: {} })).toEqual({
      formId,
      responseId: expect.any(String),
      createTime: expect.any(String),
      lastSubmittedTime: expect.any(String),
      respondentEmail: 'bo@example.com',
    });
  });
});

describe('Forms around the emulator', () => {
  it('logs Forms calls as reads and writes, and dumps each form with its responses', async () => {
    const api = await start();
    const formId = await builtForm(api);
    await publish(api, formId);
    const response = emulator.submitResponse(formId, onTrackAnswers());
    await api.forms.responses.list({ formId, filter: 'timestamp >= 2026-11-30T00:00:00Z', pageSize: 10 });
    expect(emulator.log.map((e) => [e.method, e.path, e.kind, e.status])).toEqual([
      ['POST', '/v1/forms', 'write', 200],
      ['POST', `/v1/forms/${formId}:batchUpdate`, 'write', 200],
      ['POST', `/v1/forms/${formId}:setPublishSettings`, 'write', 200],
      ['GET', `/v1/forms/${formId}/responses`, 'read', 200],
    ]);
    expect(emulator.log[0]!.query).toEqual({ unpublished: 'true' });
    expect(emulator.log[3]!.query).toEqual({ filter: 'timestamp >= 2026-11-30T00:00:00Z', pageSize: '10' });

    const state = (await (await fetch(`${emulator.apiRoot}__emulator/state`)).json()) as EmulatorState;
    expect(state.forms).toEqual([
      {
        ...(await api.forms.get({ formId })).data,
        responses: [response],
      },
    ]);
    expect(state.forms[0]!.items).toHaveLength(7);
    expect(state.forms[0]!.publishSettings).toEqual({
      publishState: { isPublished: true, isAcceptingResponses: true },
    });
    expect(state.files.map((f) => f.mimeType)).toContain('application/vnd.google-apps.form');
    expect(emulator.dump().forms).toEqual(state.forms);

    const bad = await fetch(`${emulator.apiRoot}__emulator/forms/submit`, {
      method: 'POST',
      body: JSON.stringify({ formId, answers: {} }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual(
      googleError(400, expect.stringContaining('collects verified email addresses'), 'INVALID_ARGUMENT'),
    );
  });

  it('refuses an unknown query parameter and answers watches with a clear 400', async () => {
    const api = await start();
    const formId = await newForm(api);
    const unknown = await failure(api.forms.get({ formId, view: 'FULL' } as never));
    expect(unknown.data).toEqual(
      googleError(
        400,
        expect.stringContaining('Unknown name "view": Cannot bind query parameter'),
        'INVALID_ARGUMENT',
      ),
    );
    const watches = await failure(api.forms.watches.list({ formId }));
    expect(watches.data).toEqual(
      googleError(400, 'Forms watches is not supported by the Milepost emulator.', 'INVALID_ARGUMENT'),
    );
  });
});

function onTrackAnswers() {
  return {
    respondentEmail: 'ann@example.com',
    submittedAt: '2026-11-30T08:00:00Z',
    answers: { '10000001': 'On track', '20000001': 'On track', '20000002': 'Done' },
  };
}
