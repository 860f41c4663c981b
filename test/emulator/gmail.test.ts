/**
 * The Gmail v1 part of the emulator (users.messages send / list / get), through the real
 * googleapis client over HTTP.
 */
import type { gmail_v1 } from '@googleapis/gmail';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorState, startEmulator } from '../../emulator/server';
import { failure, gmailClient } from './helpers';

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

const CLOCK = Date.UTC(2026, 11, 3, 9, 30);

async function start(): Promise<gmail_v1.Gmail> {
  emulator = await startEmulator({ quotaPerMinute: false, now: () => CLOCK });
  return gmailClient(emulator);
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A multipart/alternative UTF-8 message: base64 text part, quoted-printable html part. */
function eml(opts: { to?: string; subject?: string; key?: string; text?: string } = {}): string {
  const subject = opts.subject ?? `=?UTF-8?B?${b64('Café update — Q4')}?=`;
  const text = opts.text ?? 'Bonjour Zoë,\r\nplease update “Launch” by Friday.\r\n';
  return [
    'From: Milepost <milepost@example.com>',
    ...(opts.to === '' ? [] : [`To: ${opts.to ?? '"Lee, Ann" <ann@example.com>, bob@example.com'}`]),
    'Cc: carol@example.com',
    `Subject: ${subject}`,
    'Date: Thu, 03 Dec 2026 09:30:00 +0000',
    `Message-ID: <${opts.key ?? 'request.2026-12-03.ann'}@milepost.local>`,
    'MIME-Version: 1.0',
    `X-Milepost-Key: ${opts.key ?? 'request/2026-12-03/ann'}`,
    'Content-Type: multipart/alternative;',
    ' boundary="=_b1"',
    '',
    'This is a multi-part message in MIME format.',
    '--=_b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(text).replace(/(.{76})/g, '$1\r\n'),
    '--=_b1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<p>Bonjour Zo=C3=AB,</p>=',
    '<p>please update</p>',
    '--=_b1--',
    '',
  ].join('\r\n');
}

describe('Gmail messages', () => {
  it('sends a MIME message, finds it by rfc822msgid, and gets it back in each format', async () => {
    const api = await start();
    const sent = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml()) } });
    expect(sent.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      threadId: sent.data.id,
      labelIds: ['SENT'],
    });
    const id = sent.data.id!;
    expect(emulator.log.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /gmail/v1/users/me/messages/send',
    ]);

    // Gmail replaced our Message-ID with its own, and our From (not the account) with the account.
    const gmailId = `<emulator.${id}@mail.gmail.com>`;
    for (const q of [
      `rfc822msgid:${gmailId.slice(1, -1)} in:sent`,
      `rfc822msgid:${gmailId}`,
      'subject:"café update" to:bob@example.com',
      'to:carol@example.com in:sent',
    ]) {
      const found = await api.users.messages.list({ userId: 'me', q, maxResults: 1 });
      expect(found.data, q).toEqual({ messages: [{ id, threadId: id }], resultSizeEstimate: 1 });
    }
    for (const q of [
      'rfc822msgid:request.2026-12-03.ann@milepost.local',
      'rfc822msgid:other@milepost.local',
      'in:inbox',
      'subject:"weekly pack"',
      'to:dan@example.com',
    ]) {
      const found = await api.users.messages.list({ userId: 'me', q });
      expect(found.data, q).toEqual({ resultSizeEstimate: 0 });
    }
    expect(emulator.log.at(-1)!.query).toEqual({ q: 'to:dan@example.com' });

    const meta = await api.users.messages.get({ userId: 'me', id, format: 'metadata' });
    expect(meta.data).toMatchObject({ id, threadId: id, labelIds: ['SENT'], internalDate: String(CLOCK) });
    const headers = meta.data.payload!.headers!;
    expect(headers.find((h) => h.name === 'Message-ID')!.value).toBe(gmailId);
    expect(headers.find((h) => h.name === 'From')!.value).toBe('me@example.com');
    expect(headers.find((h) => h.name === 'Content-Type')!.value).toBe(
      'multipart/alternative; boundary="=_b1"',
    );

    const raw = await api.users.messages.get({ userId: 'me', id, format: 'raw' });
    const ours = eml()
      .replace(/^From: .*\r\n/m, '')
      .replace(/^Message-ID: .*\r\n/m, '');
    expect(Buffer.from(raw.data.raw!, 'base64url').toString('utf8')).toBe(
      `Message-ID: ${gmailId}\r\nFrom: me@example.com\r\n${ours}`,
    );

    const full = await api.users.messages.get({ userId: 'me', id, format: 'full' });
    const parts = full.data.payload!.parts!;
    expect(parts.map((p) => [p.partId, p.mimeType])).toEqual([
      ['0', 'text/plain'],
      ['1', 'text/html'],
    ]);
    expect(Buffer.from(parts[1]!.body!.data!, 'base64url').toString('utf8')).toBe(
      '<p>Bonjour Zoë,</p><p>please update</p>',
    );

    const state = (await (await fetch(`${emulator.apiRoot}__emulator/state`)).json()) as EmulatorState;
    expect(state.messages).toEqual([
      expect.objectContaining({
        id,
        labelIds: ['SENT'],
        from: 'me@example.com',
        to: ['ann@example.com', 'bob@example.com'],
        cc: ['carol@example.com'],
        subject: 'Café update — Q4',
        messageId: gmailId,
        milepostKey: 'request/2026-12-03/ann',
        internalDate: String(CLOCK),
        text: 'Bonjour Zoë,\r\nplease update “Launch” by Friday.\r\n',
        html: '<p>Bonjour Zoë,</p><p>please update</p>',
      }),
    ]);
  });

  it('decodes Q encoded-words and threads a reply, and lists newest first within maxResults', async () => {
    const api = await start();
    const first = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml()) } });
    const reply = eml({ key: 'reply', subject: '=?utf-8?Q?Re:_Caf=C3=A9?= =?utf-8?Q?_update?=' }).replace(
      'MIME-Version',
      `In-Reply-To: <emulator.${first.data.id}@mail.gmail.com>\r\nMIME-Version`,
    );
    const second = await api.users.messages.send({
      userId: 'me@example.com',
      requestBody: { raw: b64url(reply) },
    });
    expect(second.data.threadId).toBe(first.data.id);
    expect(emulator.dump().messages.map((m) => m.subject)).toEqual(['Café update — Q4', 'Re: Café update']);
    const list = await api.users.messages.list({ userId: 'me', q: 'in:sent', maxResults: 1 });
    expect(list.data).toEqual({
      messages: [{ id: second.data.id, threadId: first.data.id }],
      nextPageToken: '1',
      resultSizeEstimate: 2,
    });
  });

  it('answers Gmail’s errors: no recipient, bad raw, unknown id, another user', async () => {
    const api = await start();
    const noTo = await failure(
      api.users.messages.send({
        userId: 'me',
        requestBody: { raw: b64url(eml({ to: '' }).replace(/^Cc: .*\r\n/m, '')) },
      }),
    );
    expect(noTo.status).toBe(400);
    expect(noTo.data).toEqual({
      error: {
        code: 400,
        message: 'Recipient address required',
        status: 'INVALID_ARGUMENT',
        errors: [{ message: 'Recipient address required', domain: 'global', reason: 'invalidArgument' }],
      },
    });
    const badTo = await failure(
      api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml({ to: 'not an address' })) } }),
    );
    expect(badTo.status).toBe(400);
    expect((badTo.data as { error: { message: string } }).error.message).toBe('Invalid To header');
    for (const requestBody of [{}, { raw: 'not base64url!' }]) {
      const bad = await failure(api.users.messages.send({ userId: 'me', requestBody }));
      expect(bad.status).toBe(400);
    }
    const missing = await failure(api.users.messages.get({ userId: 'me', id: '18c0ffee00000001' }));
    expect(missing.status).toBe(404);
    expect(missing.data).toMatchObject({
      error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
    });
    const other = await failure(api.users.messages.list({ userId: 'someone@example.com' }));
    expect(other.status).toBe(403);
    expect(emulator.gmail.messages.size).toBe(0);
  });

  it('refuses a message to more than 100 recipients (To, Cc and Bcc together)', async () => {
    const api = await start();
    const to = (n: number) => Array.from({ length: n }, (_, i) => `p${i}@example.com`).join(', ');
    // 99 in To + carol in Cc = 100: sent.
    await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml({ to: to(99) })) } });
    const over = await failure(
      api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml({ to: to(100) })) } }),
    );
    expect(over.status).toBe(400);
    expect((over.data as { error: { message: string } }).error.message).toMatch(/Too many recipients: 101/);
    expect(emulator.gmail.messages.size).toBe(1);
  });

  it('keeps a From that is one of the account’s send-as aliases', async () => {
    emulator = await startEmulator({
      quotaPerMinute: false,
      now: () => CLOCK,
      gmailSendAs: ['milepost@example.com'],
    });
    const api = gmailClient(emulator);
    await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml()) } });
    expect(emulator.dump().messages[0]!.from).toBe('Milepost <milepost@example.com>');
  });

  it('lets an injected 503 reach the client, then sends normally', async () => {
    const api = await start();
    emulator.fail({ status: 503, path: '/messages/send$' });
    const failed = await failure(
      api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml()) } }),
    );
    expect(failed.status).toBe(503);
    expect(failed.data).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(emulator.log.map((e) => [e.status, e.fault])).toEqual([[503, 'fail 503']]);
    expect(emulator.gmail.messages.size).toBe(0);
    await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(eml()) } });
    expect(emulator.gmail.messages.size).toBe(1);
  });
});
