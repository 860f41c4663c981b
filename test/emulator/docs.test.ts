/**
 * The Docs v1 and Drive v3 parts of the emulator, through the real googleapis clients over HTTP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { docs_v1 } from '@googleapis/docs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DocsState, type Token, Tokens } from '../../emulator/docs';
import { type Emulator, type EmulatorState, startEmulator } from '../../emulator/server';
import { planPack } from '../../src/core/cycle';
import type { TabName } from '../../src/core/layout';
import { renderDocsSteps } from '../../src/core/render-docs';
import type { Cell } from '../../src/core/types';
import { snapshot } from '../core/builders';
import { docsClient, driveClient, failure, googleError } from './helpers';

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

async function start() {
  emulator = await startEmulator({ quotaPerMinute: false });
  return { docs: docsClient(emulator), drive: driveClient(emulator) };
}

async function newDocument(api: docs_v1.Docs, title = 'Pack') {
  const { data } = await api.documents.create({ requestBody: { title } });
  return data.documentId!;
}

function update(api: docs_v1.Docs, documentId: string, requests: docs_v1.Schema$Request[]) {
  return api.documents.batchUpdate({ documentId, requestBody: { requests } });
}

async function body(api: docs_v1.Docs, documentId: string) {
  return (await api.documents.get({ documentId })).data.body!.content!;
}

/** Each structural element as a short string: 'p 1-5 "abc\n"', 'table 2-14 2x2'. */
function outline(content: docs_v1.Schema$StructuralElement[]): string[] {
  return content.flatMap((e) => {
    if (e.sectionBreak) return [`section ${e.startIndex ?? 0}-${e.endIndex}`];
    if (e.paragraph) {
      const text = e.paragraph.elements!.map((x) => x.textRun!.content).join('');
      return [`p ${e.startIndex}-${e.endIndex} ${JSON.stringify(text)}`];
    }
    const t = e.table!;
    return [
      `table ${e.startIndex}-${e.endIndex} ${t.rows}x${t.columns}`,
      ...t.tableRows!.flatMap((row) => [
        `  row ${row.startIndex}-${row.endIndex}`,
        ...row.tableCells!.flatMap((cell) => [
          `    cell ${cell.startIndex}-${cell.endIndex}`,
          ...outline(cell.content!).map((line) => `      ${line}`),
        ]),
      ]),
    ];
  });
}

describe('Docs documents', () => {
  it('creates an empty document in Google’s shape, and logs the URL forms the client sends', async () => {
    const { docs } = await start();
    const created = await docs.documents.create({ requestBody: { title: 'Weekly pack' } });
    const id = created.data.documentId!;
    expect(id).toMatch(/^1[A-Za-z0-9_-]{43}$/);
    const { data } = await docs.documents.get({ documentId: id });
    expect(data.title).toBe('Weekly pack');
    expect(data.body!.content).toEqual([
      expect.objectContaining({ endIndex: 1, sectionBreak: expect.any(Object) }),
      {
        startIndex: 1,
        endIndex: 2,
        paragraph: {
          elements: [{ startIndex: 1, endIndex: 2, textRun: { content: '\n', textStyle: {} } }],
          paragraphStyle: expect.objectContaining({ namedStyleType: 'NORMAL_TEXT' }),
        },
      },
    ]);
    const reply = await update(docs, id, [{ insertText: { text: 'Hi', location: { index: 1 } } }]);
    expect(reply.data).toEqual({
      documentId: id,
      replies: [{}],
      writeControl: { requiredRevisionId: expect.any(String) },
    });
    const after = (await docs.documents.get({ documentId: id })).data;
    expect(after.revisionId).toBe(reply.data.writeControl!.requiredRevisionId);
    expect(after.revisionId).not.toBe(data.revisionId);
    expect(emulator.log.map((e) => [e.method, e.path, e.kind, e.status])).toEqual([
      ['POST', '/v1/documents', 'write', 200],
      ['GET', `/v1/documents/${id}`, 'read', 200],
      ['POST', `/v1/documents/${id}:batchUpdate`, 'write', 200],
      ['GET', `/v1/documents/${id}`, 'read', 200],
    ]);
  });

  it('places a 2×2 table at Google’s documented offsets', async () => {
    const { docs } = await start();
    const id = await newDocument(docs);
    await update(docs, id, [{ insertTable: { rows: 2, columns: 2, location: { index: 1 } } }]);
    const content = await body(docs, id);
    expect(outline(content)).toEqual([
      'section 0-1',
      'p 1-2 "\\n"',
      'table 2-14 2x2',
      '  row 3-8',
      '    cell 4-6',
      '      p 5-6 "\\n"',
      '    cell 6-8',
      '      p 7-8 "\\n"',
      '  row 8-13',
      '    cell 9-11',
      '      p 10-11 "\\n"',
      '    cell 11-13',
      '      p 12-13 "\\n"',
      'p 14-15 "\\n"',
    ]);
  });
});

describe('Docs batchUpdate', () => {
  it('fills table cells by inserting at the cell paragraphs in reverse order', async () => {
    const { docs } = await start();
    const id = await newDocument(docs);
    await update(docs, id, [{ insertTable: { rows: 2, columns: 2, location: { index: 1 } } }]);
    await update(
      docs,
      id,
      [
        [5, 'A1'],
        [7, 'B1'],
        [10, 'A2'],
        [12, 'B2'],
      ]
        .reverse()
        .map(([index, text]) => ({ insertText: { text: String(text), location: { index: Number(index) } } })),
    );
    const table = (await body(docs, id))[2]!.table!;
    const texts = table.tableRows!.map((row) =>
      row.tableCells!.map((cell) => cell.content![0]!.paragraph!.elements![0]!.textRun!.content),
    );
    expect(texts).toEqual([
      ['A1\n', 'B1\n'],
      ['A2\n', 'B2\n'],
    ]);
    expect(table.tableRows![1]!.tableCells![1]).toMatchObject({ startIndex: 17, endIndex: 21 });
  });

  it('refuses an insert on a table marker or past the end with Google’s 400, and changes nothing', async () => {
    const { docs } = await start();
    const id = await newDocument(docs);
    await update(docs, id, [{ insertTable: { rows: 2, columns: 2, location: { index: 1 } } }]);
    const before = (await docs.documents.get({ documentId: id })).data;
    const onMarker = await failure(
      update(docs, id, [
        { insertText: { text: 'first', location: { index: 1 } } },
        { insertText: { text: 'x', location: { index: 9 } } },
      ]),
    );
    expect(onMarker.status).toBe(400);
    expect(onMarker.data).toEqual(
      googleError(
        400,
        'Invalid requests[1].insertText: The insertion index must be inside the bounds of an existing paragraph. You can still create new paragraphs by inserting newlines.',
        'INVALID_ARGUMENT',
      ),
    );
    const pastEnd = await failure(update(docs, id, [{ insertText: { text: 'x', location: { index: 15 } } }]));
    expect(pastEnd.data).toEqual(
      googleError(
        400,
        'Invalid requests[0].insertText: Index 15 must be less than the end index of the referenced segment, 15.',
        'INVALID_ARGUMENT',
      ),
    );
    const unknown = await failure(update(docs, id, [{ replaceAllText: { replaceText: 'x' } }]));
    expect((unknown.data as { error: { message: string } }).error.message).toContain('replaceAllText');
    expect((await docs.documents.get({ documentId: id })).data).toEqual(before);
  });

  it('clears a body holding a table and paragraphs down to one empty paragraph', async () => {
    const { docs } = await start();
    const id = await newDocument(docs);
    await update(docs, id, [
      { insertText: { text: 'Title\nIntro\n', location: { index: 1 } } },
      { insertTable: { rows: 2, columns: 3, location: { index: 13 } } },
      { insertText: { text: 'cell', location: { index: 17 } } },
    ]);
    const content = await body(docs, id);
    const end = content[content.length - 1]!.endIndex!;
    expect(content.some((e) => e.table)).toBe(true);
    const finalNewline = await failure(
      update(docs, id, [{ deleteContentRange: { range: { startIndex: 1, endIndex: end } } }]),
    );
    expect(finalNewline.status).toBe(400);
    const partTable = await failure(
      update(docs, id, [{ deleteContentRange: { range: { startIndex: 1, endIndex: 16 } } }]),
    );
    expect(partTable.status).toBe(400);
    await update(docs, id, [{ deleteContentRange: { range: { startIndex: 1, endIndex: end - 1 } } }]);
    expect(outline(await body(docs, id))).toEqual(['section 0-1', 'p 1-2 "\\n"']);
  });

  it('splits paragraphs keeping their style, and styles text, paragraphs, bullets and cells', async () => {
    const { docs } = await start();
    const id = await newDocument(docs);
    await update(docs, id, [
      { insertText: { text: 'Heading', location: { index: 1 } } },
      {
        updateParagraphStyle: {
          range: { startIndex: 1, endIndex: 2 },
          paragraphStyle: { namedStyleType: 'HEADING_1', borderTop: { width: { magnitude: 1, unit: 'PT' } } },
          fields: 'namedStyleType,borderTop',
        },
      },
      // Splits "Heading" into "Head" and "ing": both keep HEADING_1.
      { insertText: { text: '\n', location: { index: 5 } } },
      {
        updateTextStyle: {
          range: { startIndex: 1, endIndex: 3 },
          textStyle: { bold: true, link: { url: 'https://example.com' } },
          fields: 'bold,link',
        },
      },
      { insertText: { text: '\n\tone\ntwo', location: { index: 9 } } },
      {
        createParagraphBullets: {
          range: { startIndex: 10, endIndex: 18 },
          bulletPreset: 'BULLET_DISC_CIRCLE_SQUARE',
        },
      },
      { insertTable: { rows: 1, columns: 1, location: { index: 17 } } },
      {
        updateTableCellStyle: {
          tableCellStyle: { backgroundColor: { color: { rgbColor: { red: 1 } } } },
          tableRange: {
            tableCellLocation: { tableStartLocation: { index: 18 }, rowIndex: 0, columnIndex: 0 },
            rowSpan: 1,
            columnSpan: 1,
          },
          fields: 'backgroundColor',
        },
      },
    ]);
    const { data } = await docs.documents.get({ documentId: id });
    const content = data.body!.content!;
    expect(outline(content)).toEqual([
      'section 0-1',
      'p 1-6 "Head\\n"',
      'p 6-10 "ing\\n"',
      'p 10-14 "one\\n"',
      'p 14-18 "two\\n"',
      'table 18-23 1x1',
      '  row 19-22',
      '    cell 20-22',
      '      p 21-22 "\\n"',
      'p 23-24 "\\n"',
    ]);
    const head = content[1]!.paragraph!;
    expect(head.paragraphStyle).toMatchObject({ namedStyleType: 'HEADING_1', borderTop: expect.any(Object) });
    expect(content[2]!.paragraph!.paragraphStyle!.namedStyleType).toBe('HEADING_1');
    expect(
      head.elements!.map((e) => [e.startIndex, e.endIndex, e.textRun!.content, e.textRun!.textStyle]),
    ).toEqual([
      [1, 3, 'He', { bold: true, link: { url: 'https://example.com' } }],
      [3, 6, 'ad\n', {}],
    ]);
    const one = content[3]!.paragraph!;
    const two = content[4]!.paragraph!;
    expect(one.bullet).toEqual({ listId: expect.stringMatching(/^kix\./), nestingLevel: 1, textStyle: {} });
    expect(two.bullet!.listId).toBe(one.bullet!.listId);
    expect(data.lists![one.bullet!.listId!]!.listProperties!.nestingLevels![0]!.glyphSymbol).toBe('●');
    const cell = content[5]!.table!.tableRows![0]!.tableCells![0]!;
    expect(cell.tableCellStyle).toMatchObject({ backgroundColor: { color: { rgbColor: { red: 1 } } } });

    await update(docs, id, [{ deleteParagraphBullets: { range: { startIndex: 10, endIndex: 24 } } }]);
    const after = (await docs.documents.get({ documentId: id })).data;
    expect(after.body!.content![3]!.paragraph!.bullet).toBeUndefined();
    expect(after.lists).toBeUndefined();

    const noTable = await failure(
      update(docs, id, [
        {
          updateTableCellStyle: {
            tableCellStyle: {},
            tableStartLocation: { index: 17 },
            fields: 'backgroundColor',
          },
        },
      ]),
    );
    expect(noTable.status).toBe(400);
  });

  it('sets a page break before a body paragraph, and refuses one in a table cell with a 400', async () => {
    const { docs } = await start();
    const id = await newDocument(docs);
    await update(docs, id, [
      { insertText: { text: 'Part 2\n', location: { index: 1 } } },
      { insertTable: { rows: 2, columns: 2, location: { index: 1 } } },
    ]);
    const pageBreak = (startIndex: number) => ({
      updateParagraphStyle: {
        range: { startIndex, endIndex: startIndex + 1 },
        paragraphStyle: { pageBreakBefore: true },
        fields: 'pageBreakBefore',
      },
    });
    // The cell paragraph at 5 (the table starts at 2), then the body paragraph after the table.
    expect((await failure(update(docs, id, [pageBreak(5)]))).status).toBe(400);
    const content = await body(docs, id);
    const after = content.at(-2)!;
    await update(docs, id, [pageBreak(after.startIndex!)]);
    expect((await body(docs, id)).at(-2)!.paragraph?.paragraphStyle?.pageBreakBefore).toBe(true);
  });
});

describe('Docs body storage', () => {
  it('keeps tokens in order through any inserts and deletes (the gap buffer agrees with an array)', () => {
    const op = fc.oneof(
      fc.record({ insert: fc.nat(), count: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ remove: fc.nat(), count: fc.nat(50) }),
      fc.record({ set: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const model: Token[] = [];
        const tokens = new Tokens();
        let n = 0;
        const fresh = (): Token => ({ kind: 'char', ch: String(n++ % 10), style: {} });
        for (const o of ops) {
          if ('insert' in o) {
            const at = o.insert % (model.length + 1);
            const toks = Array.from({ length: o.count }, fresh);
            model.splice(at, 0, ...toks);
            tokens.insert(at, toks);
          } else if ('remove' in o) {
            const at = o.remove % (model.length + 1);
            const count = Math.min(o.count, model.length - at);
            model.splice(at, count);
            tokens.remove(at, count);
          } else if (model.length > 0) {
            const at = o.set % model.length;
            const t = fresh();
            model[at] = t;
            tokens.set(at, t);
          }
          const copy = tokens.clone();
          expect(copy.toArray()).toEqual(model);
          expect(tokens.length).toBe(model.length);
          if (model.length) expect(tokens.at(model.length - 1)).toBe(model[model.length - 1]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('builds the sample pack the same in one batchUpdate or cut between any steps, cut line and lists in place', () => {
    const data = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../templates/sample/register.json'), 'utf8'),
    ) as Partial<Record<TabName, Record<string, Cell>[]>>;
    const pack = planPack(snapshot(data), [], '2026-12-02T16:00:00Z', (m) => m.date).document!;
    const steps = renderDocsSteps(pack);
    const build = (cuts: number[]): string => {
      const state = new DocsState();
      state.create({ title: 'Pack' }, 'doc');
      let from = 0;
      for (const to of [...cuts, steps.length]) {
        if (to > from) state.batchUpdate('doc', { requests: steps.slice(from, to).flat() });
        from = to;
      }
      const { body } = state.get('doc');
      return JSON.stringify(body).replace(/kix\.\w+/g, 'list');
    };
    const whole = build([]);
    expect(build(steps.map((_, k) => k))).toBe(whole);
    expect(build([1, 7, Math.floor(steps.length / 2), steps.length - 1])).toBe(whole);

    const content = (JSON.parse(whole) as docs_v1.Schema$Body).content!;
    const paragraphs = content.flatMap((e) => (e.paragraph ? [e.paragraph] : []));
    const textOf = (p: docs_v1.Schema$Paragraph) => p.elements!.map((x) => x.textRun!.content).join('');
    // Only the cut line has a border; only list items have bullets.
    expect(paragraphs.filter((p) => p.paragraphStyle!.borderTop).map(textOf)).toEqual([
      expect.stringContaining('Cut line'),
    ]);
    const items = pack.blocks.flatMap((b) => (b.type === 'list' ? b.items : [])).length;
    expect(paragraphs.filter((p) => p.bullet)).toHaveLength(items);
    expect(paragraphs[0]!.paragraphStyle!.namedStyleType).toBe('TITLE');
  });
});

describe('Drive files', () => {
  it('makes a folder, a document in it that Docs can read, and lists them by name and parent', async () => {
    const { docs, drive } = await start();
    const folder = await drive.files.create({
      requestBody: { name: 'Milepost', mimeType: 'application/vnd.google-apps.folder' },
      fields: 'id,webViewLink',
    });
    const folderId = folder.data.id!;
    expect(folder.data).toEqual({
      id: folderId,
      webViewLink: `https://drive.google.com/drive/folders/${folderId}`,
    });
    const doc = await drive.files.create({
      requestBody: {
        name: "Pack 'week 1'",
        mimeType: 'application/vnd.google-apps.document',
        parents: [folderId],
      },
    });
    expect(doc.data).toEqual({
      kind: 'drive#file',
      id: expect.any(String),
      name: "Pack 'week 1'",
      mimeType: 'application/vnd.google-apps.document',
    });
    const docId = doc.data.id!;
    const got = await docs.documents.get({ documentId: docId, fields: 'title,body(content(endIndex))' });
    expect(got.data).toEqual({
      title: "Pack 'week 1'",
      body: { content: [{ endIndex: 1 }, { endIndex: 2 }] },
    });
    await newDocument(docs, 'Elsewhere');

    const list = await drive.files.list({
      q: `name = 'Pack \\'week 1\\'' and '${folderId}' in parents and trashed = false`,
      fields: 'files(id, name, parents, webViewLink)',
    });
    expect(list.data).toEqual({
      files: [
        {
          id: docId,
          name: "Pack 'week 1'",
          parents: [folderId],
          webViewLink: `https://docs.google.com/document/d/${docId}/edit`,
        },
      ],
    });
    const docsInRoot = await drive.files.list({
      q: "mimeType = 'application/vnd.google-apps.document' and 'root' in parents",
      fields: 'files(name)',
    });
    expect(docsInRoot.data.files).toEqual([{ name: 'Elsewhere' }]);

    const moved = await drive.files.update({
      fileId: docId,
      addParents: emulator.drive.rootId,
      removeParents: folderId,
      requestBody: { name: 'Renamed' },
      fields: 'name,parents',
    });
    expect(moved.data).toEqual({ name: 'Renamed', parents: [emulator.drive.rootId] });
    expect((await docs.documents.get({ documentId: docId })).data.title).toBe('Renamed');

    const missing = await failure(drive.files.get({ fileId: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({
      error: expect.objectContaining({
        code: 404,
        message: 'File not found: nope.',
        errors: [expect.objectContaining({ reason: 'notFound', location: 'fileId' })],
      }),
    });
    const badQuery = await failure(drive.files.list({ q: "name = 'x' or name = 'y'" }));
    expect(badQuery.status).toBe(400);

    expect(emulator.log.slice(0, 2).map((e) => [e.method, e.path, e.kind])).toEqual([
      ['POST', '/drive/v3/files', 'write'],
      ['POST', '/drive/v3/files', 'write'],
    ]);
    const state = (await (await fetch(`${emulator.apiRoot}__emulator/state`)).json()) as EmulatorState;
    expect(state.documents.map((d) => [d.title, d.text])).toEqual([
      ['Renamed', '\n'],
      ['Elsewhere', '\n'],
    ]);
    expect(state.files.map((f) => f.name)).toEqual(['My Drive', 'Milepost', 'Renamed', 'Elsewhere']);
  });
});

describe('the pack in a Google Doc', () => {
  it('has a plain empty line above each table, never a heading-sized one', async () => {
    const { initWorkspace } = await import('../../src/local/init');
    const { readWorkbook } = await import('../../src/local/workbook');
    const { planPack } = await import('../../src/core/cycle');
    const { renderDocsRequests } = await import('../../src/core/render-docs');
    const os = await import('node:os');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-docs-'));
    await initWorkspace(dir, { sample: true });
    const { snapshot } = await readWorkbook(path.join(dir, 'register.xlsx'));
    const pack = planPack(snapshot, [], '2026-12-02T16:00:00Z', () => 'x');
    const state = new DocsState();
    const { documentId } = state.create({ title: 'pack' }) as { documentId: string };
    state.batchUpdate(documentId, { requests: renderDocsRequests(pack.document!) });
    const content = (state.get(documentId) as { body: { content: Record<string, unknown>[] } }).body.content;
    let checked = 0;
    content.forEach((el, i) => {
      if (!content[i + 1]?.table || !el.paragraph) return;
      const p = el.paragraph as { paragraphStyle?: { namedStyleType?: string } };
      expect(p.paragraphStyle?.namedStyleType ?? 'NORMAL_TEXT').toBe('NORMAL_TEXT');
      checked++;
    });
    expect(checked).toBeGreaterThan(3);
  });
});
