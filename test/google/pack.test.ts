/** The meeting pack as a Google Doc, against the Workspace emulator (Sheets, Docs, Drive). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { docs, type docs_v1 } from '@googleapis/docs';
import { drive } from '@googleapis/drive';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/cli/commands/init';
import { planPack } from '../../src/core/cycle';
import { readRegister } from '../../src/core/register';
import { packGoogle, readGoogle, wrapUpGoogle } from '../../src/google/backend';
import { DOC_MIME } from '../../src/google/pack';
import { readResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { sampleResponses, tempDir } from '../cli/helpers';
import { type Emulator, startEmulator } from '../emulator/server';

const NOW = '2026-12-02T16:00:00Z';
let template: string;
let emulator: Emulator | undefined;

beforeAll(async () => {
  template = tempDir('gpack');
  await initWorkspace(template, { sample: true });
  fs.writeFileSync(path.join(template, 'responses.jsonl'), sampleResponses());
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function clients(e: Emulator) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test' });
  return {
    docs: docs({ version: 'v1', auth, rootUrl: e.apiRoot }),
    drive: drive({ version: 'v3', auth, rootUrl: e.apiRoot }),
  };
}

/** The document's text, paragraph by paragraph (tables included). */
async function documentText(e: Emulator, documentId: string): Promise<string> {
  const { data } = await clients(e).docs.documents.get({ documentId });
  const out: string[] = [];
  const walk = (content: docs_v1.Schema$StructuralElement[] | null | undefined) => {
    for (const el of content ?? []) {
      if (el.paragraph) out.push((el.paragraph.elements ?? []).map((x) => x.textRun?.content ?? '').join(''));
      for (const row of el.table?.tableRows ?? [])
        for (const cell of row.tableCells ?? []) walk(cell.content);
    }
  };
  walk(data.body?.content);
  return out.join('');
}

describe('milepost wrap-up --backend google', () => {
  it('sends the key items once and marks the meeting Held', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));
    await packGoogle(id, raw, NOW, env);
    // The answer to the send is lost: the re-run finds the message in the sent mail.
    emulator.dropConnection({ path: 'messages/send$', onCall: 1, afterApply: true });
    const first = await wrapUpGoogle(id, '2026-12-03T12:00:00Z', {}, env).catch(() =>
      wrapUpGoogle(id, '2026-12-03T12:00:00Z', {}, env),
    );
    expect(first.outcome.meetings.map((m) => m.date)).toEqual(['2026-12-03']);
    const messages =
      (emulator.dump() as unknown as { messages?: { headers?: Record<string, string> }[] }).messages ?? [];
    const digests = messages.filter((m) => JSON.stringify(m).includes('digest/2026-12-03'));
    expect(digests).toHaveLength(1);
    const { register } = readRegister((await readGoogle(id, env)).snapshot);
    expect(register.meetings.find((m) => m.date === '2026-12-03')!.status).toBe('Held');
    const again = await wrapUpGoogle(id, '2026-12-03T13:00:00Z', {}, env);
    expect(again.outcome.meetings).toEqual([]);
  });
  it('does not send the digest again when the job stopped after sending it but before marking the meeting Held', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));
    await packGoogle(id, raw, NOW, env);
    // The Sheet write that records the wrap-up fails for good: the run stops after the send.
    emulator.fail({ status: 400, path: 'values:batchUpdateByDataFilter$', onCall: 1 });
    await expect(wrapUpGoogle(id, '2026-12-03T12:00:00Z', {}, env)).rejects.toThrow();
    // The re-run finishes the journaled wrap-up (the meeting is marked Held) and sends nothing.
    const rerun = await wrapUpGoogle(id, '2026-12-03T12:05:00Z', {}, env);
    expect(rerun.emails.sent).toEqual([]);
    const { register } = readRegister((await readGoogle(id, env)).snapshot);
    expect(register.meetings.find((m) => m.date === '2026-12-03')!.status).toBe('Held');
    const messages = (emulator.dump() as unknown as { messages?: unknown[] }).messages ?? [];
    expect(messages.filter((m) => JSON.stringify(m).includes('digest/2026-12-03'))).toHaveLength(1);
  });
});

describe('milepost pack --backend google', () => {
  it('builds the pack as a Doc in the pack folder, records its link, and rebuilds it in place', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));

    const first = await packGoogle(id, raw, NOW, env);
    expect(first.url).toMatch(/^https:\/\/docs\.google\.com\/document\/d\/[\w-]+\/edit$/);
    const text = await documentText(emulator, first.documentId!);
    for (const h of [
      'Milestone meeting — Thu 3 Dec 2026',
      'Agenda',
      'Part 1 — Member updates',
      'Part 2 — Topics in priority order',
      'Health',
    ]) {
      expect(text).toContain(h);
    }
    expect(text).toContain('Pricing page A/B test <v2> & FAQ');

    const { register } = readRegister((await readGoogle(id, env)).snapshot);
    expect(register.meetings.find((m) => m.date === '2026-12-03')!.pack).toBe(first.url);
    expect(register.settings.raw['Pack folder ID']).toBe(first.folderId);

    // Same snapshot, same pack model as the local backend.
    const local = await readWorkbook(path.join(template, 'register.xlsx'));
    expect(first.outcome.document).toEqual(planPack(local.snapshot, raw, NOW, () => 'x').document);

    // Circulated once, to the team, with the link.
    expect(first.emails.sent).toEqual(['pack/2026-12-03']);
    const sent = () =>
      (emulator!.dump() as unknown as { messages?: { headers?: Record<string, string>; text?: string }[] })
        .messages ?? [];
    expect(sent()).toHaveLength(1);

    const again = await packGoogle(id, raw, '2026-12-02T17:00:00Z', env);
    expect(again.documentId).toBe(first.documentId);
    expect(again.emails.sent).toEqual([]);
    expect(sent()).toHaveLength(1);
    expect((await documentText(emulator, again.documentId!)).length).toBe(text.length);
    const files = await clients(emulator).drive.files.list({
      q: `mimeType = '${DOC_MIME}' and trashed = false`,
      fields: 'files(id,name,parents)',
    });
    expect(files.data.files?.map((f) => f.id)).toEqual([first.documentId]);
    expect(files.data.files?.[0]?.parents).toEqual([first.folderId]);
  });

  it('never leaves a second document behind when the answer to a create is lost', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));
    emulator.dropConnection({ path: 'drive/v3/files$', onCall: 1, afterApply: true, times: 2 });
    const run = await packGoogle(id, raw, NOW, env).catch(() => packGoogle(id, raw, NOW, env));
    const files = await clients(emulator).drive.files.list({
      q: 'trashed = false',
      fields: 'files(id,mimeType)',
    });
    expect(files.data.files?.filter((f) => f.mimeType === DOC_MIME)).toHaveLength(1);
    expect(run.documentId).toBe(files.data.files?.find((f) => f.mimeType === DOC_MIME)?.id);
  });
});
