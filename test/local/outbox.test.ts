import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Email } from '../../src/core/types';
import { emlFileName, writeOutbox } from '../../src/local/outbox';
import { toEml } from '../../src/mail/mime';

const hasPython = spawnSync('python3', ['--version']).status === 0;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-outbox-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function email(overrides: Partial<Email> = {}): Email {
  return {
    key: 'request/2026-12-03/ann@example.com',
    kind: 'request',
    to: ['ann@example.com'],
    cc: [],
    from: 'pm@example.com',
    replyTo: 'pm@example.com',
    subject: 'Milestone update for 3 December',
    text: 'Hello Ann,\nplease send your update.\n',
    html: '<p>Hello Ann,</p>\n<p>please send your update.</p>\n',
    ...overrides,
  };
}

interface Parsed {
  headers: Record<string, string>;
  contentType: string;
  parts: { type: string; charset: string; encoding: string; content: string }[];
  defects: string[];
  date: string;
}

/** Parses an .eml with Python's email package (policy.default): an independent MIME reader. */
function pythonParse(eml: string): Parsed {
  const script = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
parts = [p for p in msg.walk() if not p.is_multipart()]
defects = [str(d) for p in msg.walk() for d in p.defects]
print(json.dumps({
  'headers': {k: str(v) for k, v in msg.items()},
  'contentType': msg.get_content_type(),
  'parts': [{'type': p.get_content_type(), 'charset': p.get_content_charset(),
             'encoding': p['Content-Transfer-Encoding'], 'content': p.get_content()} for p in parts],
  'defects': defects,
  'date': msg['Date'].datetime.isoformat(),
}))`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: Buffer.from(eml, 'utf8') }).toString());
}

const crlf = (text: string) => text.replace(/\n/g, '\r\n');

describe.skipIf(!hasPython)('toEml, checked with Python’s email parser', () => {
  it('is multipart/alternative with a UTF-8 base64 text part and HTML part equal to the input', () => {
    const e = email({
      text: 'Grüße, Zoë!\nWins: 🎉 shipped\n<b>not markup</b> & =1+1\n',
      html: '<p>Grüße, <b>Zoë</b>!</p>\n<p>Wins: 🎉 &amp; =1+1</p>',
    });
    const parsed = pythonParse(toEml(e, '2026-12-02T09:05:07Z'));
    expect(parsed.defects).toEqual([]);
    expect(parsed.contentType).toBe('multipart/alternative');
    expect(parsed.parts).toEqual([
      { type: 'text/plain', charset: 'utf-8', encoding: 'base64', content: crlf(e.text) },
      { type: 'text/html', charset: 'utf-8', encoding: 'base64', content: crlf(e.html) },
    ]);
  });

  it('has From, To, Cc, Subject, Date, Message-ID, MIME-Version and X-Milepost-Key headers', () => {
    const e = email({ to: ['ann@example.com', 'Bob Baker <bob@example.com>'], cc: ['lee@example.com'] });
    const parsed = pythonParse(toEml(e, '2026-12-02T09:05:07Z'));
    expect(parsed.headers).toMatchObject({
      From: 'pm@example.com',
      To: 'ann@example.com, Bob Baker <bob@example.com>',
      Cc: 'lee@example.com',
      Subject: 'Milestone update for 3 December',
      Date: 'Wed, 02 Dec 2026 09:05:07 +0000',
      'MIME-Version': '1.0',
      'X-Milepost-Key': 'request/2026-12-03/ann@example.com',
    });
    expect(parsed.date).toBe('2026-12-02T09:05:07+00:00');
    expect(parsed.headers['Message-ID']).toMatch(/^<[0-9a-f]{32}@milepost\.local>$/);
    expect(pythonParse(toEml(email(), '2026-12-01T00:00:00Z')).headers['Message-ID']).toBe(
      parsed.headers['Message-ID'],
    );
    expect(
      pythonParse(toEml(email({ key: 'request/2026-12-03/bob@example.com' }), '2026-12-01T00:00:00Z'))
        .headers['Message-ID'],
    ).not.toBe(parsed.headers['Message-ID']);
    expect(toEml(email(), '2026-12-01T00:00:00Z')).not.toMatch(/^Cc:/m);
  });

  it('encodes a long non-ASCII subject as folded encoded-words that decode to the subject', () => {
    const subject =
      'Mise à jour des jalons — réunion du 3 décembre 🎯 pour l’équipe Ørsted / 東京 ' + 'é'.repeat(60);
    const eml = toEml(email({ subject, from: 'Zoë Ämtmann <pm@example.com>' }), '2026-12-02T09:00:00Z');
    expect(eml).toContain('Subject: =?UTF-8?B?');
    const parsed = pythonParse(eml);
    expect(parsed.defects).toEqual([]);
    expect(parsed.headers.Subject).toBe(subject);
    expect(parsed.headers.From).toBe('Zoë Ämtmann <pm@example.com>');
  });

  it('folds a long ASCII subject and recipient list without changing them', () => {
    const subject = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const to = Array.from({ length: 8 }, (_, i) => `person.number.${i}@example.com`);
    const parsed = pythonParse(toEml(email({ subject, to }), '2026-12-02T09:00:00Z'));
    expect(parsed.headers.Subject).toBe(subject);
    expect(parsed.headers.To).toBe(to.join(', '));
  });

  it('cannot be given extra headers through the subject, and keeps encoded-word lookalikes literal', () => {
    const parsed = pythonParse(
      toEml(
        email({ subject: 'Hi\r\nBcc: evil@example.com', to: ['ann@example.com\nBcc: x@y'] }),
        '2026-12-02T09:00:00Z',
      ),
    );
    expect(parsed.headers.Bcc).toBeUndefined();
    expect(parsed.headers.Subject).toBe('Hi Bcc: evil@example.com');
    const literal = '=?UTF-8?B?SGFja2Vk?= is not decoded';
    expect(pythonParse(toEml(email({ subject: literal }), '2026-12-02T09:00:00Z')).headers.Subject).toBe(
      literal,
    );
  });

  it('still has a valid From when the register names no process manager', () => {
    const parsed = pythonParse(toEml(email({ from: ' ' }), '2026-12-02T09:00:00Z'));
    expect(parsed.defects).toEqual([]);
    expect(parsed.headers.From).toBe('Milepost <milepost@milepost.local>');
  });

  it('picks a boundary that does not occur in the bodies', () => {
    const first = toEml(email(), '2026-12-02T09:00:00Z');
    const boundary = /boundary="([^"]+)"/.exec(first)![1]!;
    const tricky = email({
      text: `--${boundary}\nContent-Type: text/html\n\nfake`,
      html: `<pre>--${boundary}--</pre>`,
    });
    const eml = toEml(tricky, '2026-12-02T09:00:00Z');
    expect(/boundary="([^"]+)"/.exec(eml)![1]).not.toBe(boundary);
    const parsed = pythonParse(eml);
    expect(parsed.parts.map((p) => p.content)).toEqual([crlf(tricky.text), crlf(tricky.html)]);
  });
});

describe.skipIf(!hasPython)(
  'toEml with an attachment (the pack email), checked with Python’s email parser',
  () => {
    it('is multipart/mixed: the text and HTML as multipart/alternative, then the file, byte for byte', () => {
      const pack = '<!doctype html><html><body><h1>Pack — 3 Dec</h1><p>Grüße</p></body></html>\n';
      const eml = toEml(email({ kind: 'pack', key: 'pack/2026-12-03' }), '2026-12-02T16:00:00Z', {
        attachments: [
          { filename: 'milestone-pack-2026-12-03.html', contentType: 'text/html', content: pack },
        ],
      });
      const script = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
print(json.dumps({
  'type': msg.get_content_type(),
  'tree': [p.get_content_type() for p in msg.walk()],
  'defects': [str(d) for p in msg.walk() for d in p.defects],
  'files': [{'name': a.get_filename(), 'type': a.get_content_type(),
             'content': a.get_payload(decode=True).decode('utf-8')} for a in msg.iter_attachments()],
  'body': msg.get_body(preferencelist=('plain',)).get_content(),
}))`;
      const parsed = JSON.parse(
        execFileSync('python3', ['-c', script], { input: Buffer.from(eml, 'utf8') }).toString(),
      );
      expect(parsed.defects).toEqual([]);
      expect(parsed.tree).toEqual([
        'multipart/mixed',
        'multipart/alternative',
        'text/plain',
        'text/html',
        'text/html',
      ]);
      expect(parsed.files).toEqual([
        { name: 'milestone-pack-2026-12-03.html', type: 'text/html', content: pack },
      ]);
      expect(parsed.body).toBe(crlf(email().text));
    });

    it('without attachments the message is as before: multipart/alternative', () => {
      expect(toEml(email(), '2026-12-02T16:00:00Z', { attachments: [] })).toBe(
        toEml(email(), '2026-12-02T16:00:00Z'),
      );
      expect(toEml(email(), '2026-12-02T16:00:00Z')).toMatch(/^Content-Type: multipart\/alternative;/m);
    });
  },
);

describe('writeOutbox for a mail server', () => {
  it('writes From as the sender set, with the register’s sender as Reply-To', async () => {
    const { files } = await writeOutbox(dir, [email()], '2026-12-02T09:00:00Z', {
      from: 'Milepost <milepost@example.com>',
    });
    const head = (await fs.readFile(files[0]!.file, 'utf8')).split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^From: Milepost <milepost@example\.com>$/m);
    expect(head).toMatch(/^Reply-To: pm@example\.com$/m);
  });

  it('tells beforeWrite the emails about to be written, before their files exist, and only those', async () => {
    await writeOutbox(dir, [email()], '2026-12-02T09:00:00Z');
    const seen: string[] = [];
    const bob = email({ key: 'request/2026-12-03/bob@example.com', to: ['bob@example.com'] });
    const result = await writeOutbox(dir, [email(), bob], '2026-12-02T10:00:00Z', {
      beforeWrite: async (placed) => {
        for (const p of placed) {
          seen.push(p.email.key);
          await expect(fs.access(p.file)).rejects.toThrow();
        }
      },
    });
    expect(seen).toEqual([bob.key]);
    expect(result.files.map((f) => f.written)).toEqual([false, true]);
  });
});

describe('toEml, line format', () => {
  it('uses CRLF line ends only, lines of at most 78 characters, and base64 lines of 76', () => {
    const eml = toEml(
      email({ subject: 'ü'.repeat(100), text: 'long '.repeat(500), html: `<p>${'ä'.repeat(400)}</p>` }),
      '2026-12-02T09:00:00Z',
    );
    expect(eml).not.toMatch(/[^\r]\n/);
    expect(eml).not.toMatch(/\r(?!\n)/);
    const lines = eml.split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(78);
    const body = lines.filter((l) => /^[A-Za-z0-9+/]{76}$/.test(l));
    expect(body.length).toBeGreaterThan(10);
  });
});

describe('emlFileName', () => {
  it('turns a key into a safe file name', () => {
    expect(emlFileName('request/2026-12-03/ann@example.com')).toBe('request_2026-12-03_ann@example.com.eml');
    expect(emlFileName('../../etc/passwd')).toBe('_._.._etc_passwd.eml');
    expect(emlFileName('digest/2026-12-03/Zoë Ä')).toBe('digest_2026-12-03_Zo___.eml');
    const long = emlFileName(`pack/${'x'.repeat(400)}`);
    expect(long.length).toBeLessThanOrEqual(205);
  });
});

describe('writeOutbox', () => {
  it('writes one .eml per email, named from its key', async () => {
    const outbox = path.join(dir, 'outbox');
    const emails = [email(), email({ key: 'request/2026-12-03/bob@example.com', to: ['bob@example.com'] })];
    const result = await writeOutbox(outbox, emails, '2026-12-02T09:00:00Z');
    expect({ written: result.written, skipped: result.skipped }).toEqual({
      written: [
        path.join(outbox, 'request_2026-12-03_ann@example.com.eml'),
        path.join(outbox, 'request_2026-12-03_bob@example.com.eml'),
      ],
      skipped: [],
    });
    expect(await fs.readFile(result.written[0]!, 'utf8')).toBe(toEml(emails[0]!, '2026-12-02T09:00:00Z'));
    expect((await fs.readdir(outbox)).sort()).toEqual([
      'request_2026-12-03_ann@example.com.eml',
      'request_2026-12-03_bob@example.com.eml',
    ]);
  });

  it('never writes an email twice: a re-run skips it and leaves the sent file as it was', async () => {
    const first = await writeOutbox(dir, [email()], '2026-12-02T09:00:00Z');
    const sent = await fs.readFile(first.written[0]!, 'utf8');
    const again = await writeOutbox(dir, [email({ subject: 'Changed wording' })], '2026-12-02T10:00:00Z');
    expect({ written: again.written, skipped: again.skipped }).toEqual({
      written: [],
      skipped: first.written,
    });
    expect(await fs.readFile(first.written[0]!, 'utf8')).toBe(sent);
    expect(await fs.readdir(dir)).toHaveLength(1);
  });

  it('keeps two keys that sanitise to the same name apart', async () => {
    const result = await writeOutbox(
      dir,
      [
        email({ key: 'digest/2026 12 03' }),
        email({ key: 'digest/2026_12_03' }),
        email({ key: 'digest/2026 12 03' }),
      ],
      '2026-12-02T09:00:00Z',
    );
    expect(result.written).toHaveLength(2);
    expect(result.skipped).toEqual([result.written[0]]);
    expect(new Set(result.written).size).toBe(2);
    const keys = await Promise.all(
      result.written.map(async (f) => /X-Milepost-Key: (.*)\r\n/.exec(await fs.readFile(f, 'utf8'))![1]),
    );
    expect(keys).toEqual(['digest/2026 12 03', 'digest/2026_12_03']);
  });
});
