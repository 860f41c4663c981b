/** The meeting pack as a Google Doc, against the Workspace emulator (Sheets, Docs, Drive). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { docs, type docs_v1 } from '@googleapis/docs';
import { drive } from '@googleapis/drive';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateRegister, snapshotOf } from '../../bench/generate';
import { DocsState, MAX_DOCUMENT_CHARACTERS } from '../../emulator/docs';
import { type Emulator, startEmulator } from '../../emulator/server';
import { planPack } from '../../src/core/cycle';
import type { Document } from '../../src/core/document';
import { readRegister } from '../../src/core/register';
import { type DocsRequest, renderDocsSteps } from '../../src/core/render-docs';
import { renderMarkdown } from '../../src/core/render-markdown';
import type { RawSubmission } from '../../src/core/types';
import { once, packGoogle, readGoogle, safeCall, wrapUpGoogle } from '../../src/google/backend';
import { connect, docsClient, driveClient, gmailClient, sheetsClient } from '../../src/google/clients';
import { sendEmails } from '../../src/google/gmail';
import { DOC_MIME, DOCS_BATCH_LIMITS, docsBatches, packToGoogle } from '../../src/google/pack';
import { readSnapshot } from '../../src/google/sheets';
import { initWorkspace } from '../../src/local/init';
import { readResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { sampleResponses, tempDir } from '../cli/helpers';

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

/** `packGoogle`, with Docs batchUpdate calls of at most `limits`. */
async function packWithLimits(
  spreadsheetId: string,
  raw: RawSubmission[],
  now: string,
  env: NodeJS.ProcessEnv,
  limits: { bytes: number; requests: number },
) {
  const c = connect(env);
  const api = sheetsClient(c);
  const sheet = await readSnapshot(api, spreadsheetId, safeCall);
  const calls = { read: safeCall, write: safeCall, once };
  return packToGoogle(api, spreadsheetId, sheet, raw, now, {
    docs: docsClient(c),
    drive: driveClient(c),
    calls,
    send: (emails) => sendEmails(gmailClient(c), emails, now, calls, { throttleMs: 0 }),
    docsBatchLimits: limits,
  });
}

const DOCS_WRITE = /^\/v1\/documents\/[^/]+:batchUpdate$/;

describe('docsBatches', () => {
  const text = (n: number, at = 1): DocsRequest => ({
    insertText: { text: 'x'.repeat(n), location: { index: at } },
  });
  const clear = [{ deleteContentRange: { range: { startIndex: 1, endIndex: 10 } } }];

  it('opens the first call with the clear and cuts only between steps, within the limits', () => {
    const steps = [[text(10), text(10)], [text(10)], [text(10), text(10), text(10)], [text(10)]];
    const batches = docsBatches(clear, steps, { bytes: 1_000_000, requests: 4 });
    expect(batches.map((b) => b.length)).toEqual([4, 4]);
    expect(batches[0]![0]).toEqual(clear[0]);
    expect(batches.flat().slice(1)).toEqual(steps.flat());
    const size = Buffer.byteLength(JSON.stringify(steps[0]));
    const bySize = docsBatches([], steps, { bytes: 2 * size, requests: 100 });
    expect(bySize.map((b) => b.length)).toEqual([3, 4]);
    for (const b of bySize) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(2 * size);
  });

  it('sends a step larger than a call alone rather than cutting it, and one call for a small pack', () => {
    const big = Array.from({ length: 5 }, () => text(10));
    expect(
      docsBatches([], [[text(1)], big, [text(1)]], { bytes: 1e6, requests: 3 }).map((b) => b.length),
    ).toEqual([1, 5, 1]);
    expect(docsBatches(clear, [[text(10)]])).toHaveLength(1);
    expect(DOCS_BATCH_LIMITS.bytes).toBeLessThan(10_485_760);
  });
});

describe('milepost wrap-up --backend google', () => {
  it('sends the key items once and marks the meeting Held', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
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
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));
    await packGoogle(id, raw, NOW, env);
    // The Sheet write that records the wrap-up fails for good: the run stops after the send.
    emulator.fail({ status: 400, path: 'values:batchUpdate$', onCall: 1 });
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
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
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
    // Printed, the at-a-glance is page 1: the next section starts a page, and only it.
    const { data: doc } = await clients(emulator).docs.documents.get({ documentId: first.documentId! });
    const breaks = (doc.body?.content ?? []).flatMap((el) =>
      el.paragraph?.paragraphStyle?.pageBreakBefore
        ? [(el.paragraph.elements ?? []).map((x) => x.textRun?.content ?? '').join('')]
        : [],
    );
    expect(breaks).toEqual(['Part 2 — Topics in priority order\n']);

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

  it('writes a pack too big for one call in several, and rebuilds it whole when an answer is lost', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
    const { raw } = await readResponses(path.join(template, 'responses.jsonl'));
    const docsWrites = () =>
      emulator!.log
        .filter((e) => DOCS_WRITE.test(e.path))
        .map((e) => e.body as docs_v1.Schema$BatchUpdateDocumentRequest);

    // One call with the default limits.
    const whole = await packGoogle(id, raw, NOW, env);
    expect(docsWrites()).toHaveLength(1);
    const documentId = whole.documentId!;
    const body = async () =>
      JSON.stringify((await clients(emulator!).docs.documents.get({ documentId })).data.body).replace(
        /kix\.\w+/g,
        'list',
      );
    const text = await documentText(emulator, documentId);
    const json = await body();

    // Small calls: the first clears, each names the revision it was made for; the document is
    // the one a single call makes.
    const limits = { bytes: 20_000, requests: 150 };
    const steps = renderDocsSteps(whole.outcome.document!);
    const expected = docsBatches([{ deleteContentRange: {} }], steps, limits).length;
    expect(expected).toBeGreaterThan(3);
    const before = docsWrites().length;
    const split = await packWithLimits(id, raw, NOW, env, limits);
    expect(split.documentId).toBe(documentId);
    expect(split.outcome.document).toEqual(whole.outcome.document);
    const calls = docsWrites().slice(before);
    expect(calls).toHaveLength(expected);
    expect(calls[0]!.requests![0]!.deleteContentRange).toBeDefined();
    expect(calls.slice(1).every((b) => b.requests!.every((r) => !r.deleteContentRange))).toBe(true);
    expect(calls.every((b) => b.writeControl?.requiredRevisionId)).toBe(true);
    for (const b of calls)
      expect(Buffer.byteLength(JSON.stringify(b.requests))).toBeLessThanOrEqual(limits.bytes);
    expect(await documentText(emulator, documentId)).toBe(text);
    expect(await body()).toBe(json);

    // The third call is applied but its answer lost: the retry is refused (its revision is
    // gone) instead of writing the same rows twice, and the write starts again from the clear.
    emulator.dropConnection({ path: DOCS_WRITE.source, onCall: 3, afterApply: true });
    const mark = docsWrites().length;
    await packWithLimits(id, raw, NOW, env, limits);
    expect(docsWrites().length - mark).toBe(3 + 1 + expected);
    expect(await body()).toBe(json);
  });

  it('never leaves a second document behind when the answer to a create is lost', async () => {
    emulator = await startEmulator({ quotaPerMinute: false });
    const id = await emulator.seedFromWorkbook(path.join(template, 'register.xlsx'));
    const env = { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
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

describe('a pack that fits any register', () => {
  const PACK_AT = '2026-12-02T16:00:00Z';
  function docLength(
    milestones: number,
    people = 500,
    long?: (value: Record<string, unknown>) => Record<string, unknown>,
  ): { length: number; doc: Document } {
    const generated = generateRegister({
      milestones,
      people,
      responses: Math.min(2_000, milestones),
      seed: 42,
    });
    const raw = generated.responses.map((value, i) => ({
      where: `response ${i + 1}`,
      value: long ? long(value as unknown as Record<string, unknown>) : value,
    }));
    const packed = planPack(snapshotOf(generated), raw, PACK_AT, (m) => `packs/${m.date}.html`);
    const doc = packed.document!;
    // Written into a document of the strict Docs emulator, in the calls the job makes.
    const state = new DocsState();
    const id = String(state.create({ title: 'pack' }).documentId);
    for (const batch of docsBatches([], renderDocsSteps(doc))) state.batchUpdate(id, { requests: batch });
    return { length: state.document(id).tokens.length, doc };
  }

  it('summarises a 10,000-milestone register and stays well under a Doc’s 1.02 million characters', () => {
    const { length, doc } = docLength(10_000);
    expect(length).toBeLessThan(MAX_DOCUMENT_CHARACTERS / 2);
    const text = renderMarkdown(doc);
    expect(text).toMatch(/more than a meeting reads/);
    expect(text).toMatch(
      /\| Strategic priority \| On track \| Might miss \| Missed \| Done \| Dropped \| All \|/,
    );
    expect(text).toMatch(/more: every topic is in the Topics tab/);
  });

  it('cuts people’s text shorter when there is too much of it, so the pack stays within its budget', () => {
    const text = (c: string) => c.repeat(10_000);
    const { length, doc } = docLength(140, 140, (v) => ({
      ...v,
      wins: text('w'),
      learnings: text('l'),
      helpNeeded: text('h'),
    }));
    expect(length).toBeLessThan(MAX_DOCUMENT_CHARACTERS / 2);
    expect(renderMarkdown(doc)).toMatch(/more characters in the register\)/);
  });

  it('lists every milestone in full below the limit (the sample team)', () => {
    const { doc } = docLength(100);
    expect(renderMarkdown(doc)).not.toMatch(/more than a meeting reads/);
  });

  it('the strict emulator refuses a document over 1.02 million characters', () => {
    const state = new DocsState();
    const id = String(state.create({ title: 'big' }).documentId);
    const insert = (n: number) => ({ insertText: { location: { index: 1 }, text: 'x'.repeat(n) } });
    state.batchUpdate(id, { requests: [insert(1_000_000)] });
    expect(() => state.batchUpdate(id, { requests: [insert(20_000)] })).toThrow(/at most 1020000/);
    expect(state.document(id).tokens.length).toBeLessThan(MAX_DOCUMENT_CHARACTERS);
  });
});
