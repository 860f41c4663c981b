/**
 * The fake advanced Docs service (`Docs.Documents.create / get / batchUpdate`), a thin wrapper
 * over the emulator's DocsState (emulator/docs.ts: Google's document structure and request
 * semantics). Google's errors are thrown as the advanced service throws them: an Error named
 * GoogleJsonResponseException whose message is "API call to docs.documents.<method> failed with
 * error: <Google's message>", with `details: { code, message }`.
 *
 * `get(id, { fields })` honours a fields mask (`title,body(content(startIndex,endIndex))`, also
 * with '/' or '.' paths). A document is a Drive file too (DriveApp sees it; renaming the file
 * renames the document).
 */
import { ApiError } from '../emulator/errors';
import { Fake, type World } from './core';

type GDocuments = GoogleAppsScript.Docs.Collection.DocumentsCollection;
type Json = Record<string, unknown>;

type FieldTree = Map<string, FieldTree | null>;

/** Parses a fields mask into a tree (null: the whole value). */
export function parseFields(text: string): FieldTree {
  let i = 0;
  const name = () => {
    const m = /^[A-Za-z0-9_*]+/.exec(text.slice(i));
    if (!m) throw new ApiError(400, `Invalid field selection ${text}`);
    i += m[0].length;
    return m[0];
  };
  const list = (): FieldTree => {
    const tree: FieldTree = new Map();
    for (;;) {
      while (text[i] === ' ') i++;
      let node = tree;
      let key = name();
      while (text[i] === '/' || text[i] === '.') {
        i++;
        let child = node.get(key);
        if (child === null) child = new Map();
        if (!child) {
          child = new Map();
          node.set(key, child);
        }
        node = child;
        key = name();
      }
      if (text[i] === '(') {
        i++;
        const sub = list();
        if (text[i] !== ')') throw new ApiError(400, `Invalid field selection ${text}`);
        i++;
        if (node.get(key) !== null) node.set(key, sub);
      } else {
        node.set(key, null);
      }
      while (text[i] === ' ') i++;
      if (text[i] !== ',') return tree;
      i++;
    }
  };
  const tree = list();
  if (i !== text.length && text[i] !== ')') throw new ApiError(400, `Invalid field selection ${text}`);
  return tree;
}

/** `value` reduced to the fields of `tree`. */
export function pickFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => pickFields(v, tree));
  if (value === null || typeof value !== 'object' || tree.has('*')) return value;
  const out: Json = {};
  for (const [key, sub] of tree) {
    const v = (value as Json)[key];
    if (v !== undefined) out[key] = sub === null ? v : pickFields(v, sub);
  }
  return out;
}

export class FakeDocs extends Fake {
  static override readonly gas = 'Docs';
  static override readonly group = 'docs';
  readonly Documents: FakeDocuments;

  constructor(w: World) {
    super(w);
    this.Documents = new FakeDocuments(w);
  }
}

export class FakeDocuments extends Fake implements Pick<GDocuments, 'create' | 'get' | 'batchUpdate'> {
  static override readonly gas = 'Docs.Documents';
  static override readonly group = 'docs';

  private call<T>(method: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ApiError) {
        throw this.w.error(
          `API call to docs.documents.${method} failed with error: ${e.message}`,
          'GoogleJsonResponseException',
          {
            details: { code: e.code, message: e.message },
          },
        );
      }
      throw e;
    }
  }

  create(resource: GoogleAppsScript.Docs.Schema.Document): GoogleAppsScript.Docs.Schema.Document {
    return this.call('create', () => {
      const doc = this.w.docs.create({ title: resource?.title });
      const id = String(doc.documentId);
      this.w.files.set(id, {
        id,
        kind: 'document',
        name: String(doc.title),
        parents: [this.w.rootFolderId],
        created: this.w.now(),
      });
      return doc as GoogleAppsScript.Docs.Schema.Document;
    });
  }

  get(documentId: string, optionalArgs?: object): GoogleAppsScript.Docs.Schema.Document {
    return this.call('get', () => {
      const args = (optionalArgs ?? {}) as { fields?: unknown; includeTabsContent?: unknown };
      const doc = this.w.docs.get(String(documentId), {
        includeTabsContent: args.includeTabsContent === true,
      });
      const picked =
        typeof args.fields === 'string' && args.fields !== ''
          ? pickFields(doc, parseFields(args.fields))
          : doc;
      return picked as GoogleAppsScript.Docs.Schema.Document;
    });
  }

  batchUpdate(
    resource: GoogleAppsScript.Docs.Schema.BatchUpdateDocumentRequest,
    documentId: string,
  ): GoogleAppsScript.Docs.Schema.BatchUpdateDocumentResponse {
    return this.call('batchUpdate', () => {
      // The vm's arrays and objects are read as they are; the state copies what it keeps.
      const body = JSON.parse(JSON.stringify(resource ?? {}));
      return this.w.docs.batchUpdate(
        String(documentId),
        body,
      ) as GoogleAppsScript.Docs.Schema.BatchUpdateDocumentResponse;
    });
  }
}
