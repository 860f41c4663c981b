/**
 * Who can answer the update form on Google: the team, and only the team. The strict emulator
 * refuses a response from anyone the form is not shared with (a Drive permission, role reader,
 * view published); Milepost shares it with the core's formResponders and takes access away
 * from people who left the team.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import { once, safeCall } from '../../src/google/backend';
import { createForm, shareWithResponders } from '../../src/google/forms';
import { driveClient, formsClient } from '../emulator/helpers';

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

const CALLS = { read: safeCall, write: safeCall, once };

async function publishedForm() {
  emulator = await startEmulator({ quotaPerMinute: false });
  const forms = formsClient(emulator);
  const formId = await createForm({ forms, calls: CALLS }, 'Milestone update', 'Milestone update');
  await forms.forms.batchUpdate({
    formId,
    requestBody: {
      requests: [
        {
          createItem: {
            location: { index: 0 },
            item: {
              itemId: '00000001',
              title: 'Wins',
              questionItem: { question: { questionId: '10000001', textQuestion: {} } },
            },
          },
        },
      ],
    },
  });
  await forms.forms.setPublishSettings({
    formId,
    requestBody: {
      publishSettings: { publishState: { isPublished: true, isAcceptingResponses: true } },
      updateMask: 'publishState',
    },
  });
  return formId;
}

const answer = (email: string) => ({
  respondentEmail: email,
  submittedAt: '2026-11-30T09:00:00Z',
  answers: { '10000001': ['Shipped'] },
});

describe('the form’s responders', () => {
  it('nobody may answer a published form until it is shared with them', async () => {
    const formId = await publishedForm();
    expect(() => emulator.submitResponse(formId, answer('ann@example.com'))).toThrow(
      /not a responder of this form/,
    );
  });

  it('shares the form with exactly the team, and takes access away from someone who left', async () => {
    const formId = await publishedForm();
    const d = { drive: driveClient(emulator), calls: CALLS };
    expect(await shareWithResponders(d, formId, ['ann@example.com', 'bob@example.com'])).toEqual({
      added: ['ann@example.com', 'bob@example.com'],
      removed: [],
    });
    expect(emulator.submitResponse(formId, answer('ann@example.com'))).toBeTruthy();
    expect(() => emulator.submitResponse(formId, answer('mallory@evil.example'))).toThrow(/not a responder/);
    // Run again: nothing to do.
    expect(await shareWithResponders(d, formId, ['bob@example.com', 'ann@example.com'])).toEqual({
      added: [],
      removed: [],
    });
    // Ann leaves the team; Carol joins.
    expect(await shareWithResponders(d, formId, ['bob@example.com', 'carol@example.com'])).toEqual({
      added: ['carol@example.com'],
      removed: ['ann@example.com'],
    });
    expect(() => emulator.submitResponse(formId, answer('ann@example.com'))).toThrow(/not a responder/);
    expect(emulator.submitResponse(formId, answer('carol@example.com'))).toBeTruthy();
    const perms = await driveClient(emulator).permissions.list({ fileId: formId });
    expect(perms.data.permissions!.map((p) => [p.emailAddress, p.role, p.view])).toEqual([
      ['bob@example.com', 'reader', 'published'],
      ['carol@example.com', 'reader', 'published'],
    ]);
  });
});
