/**
 * The state and semantics of the emulated Drive v3 API (files only), with no HTTP: files create /
 * list (q) / get / update, returning Drive's full file JSON (the server trims it to `fields`, or
 * to Drive's default `kind,id,name,mimeType`) or throwing an ApiError in Drive's error shape.
 *
 * Creating a file of the Docs type creates an empty document with the same id in the DocsState;
 * renaming it renames the document. Likewise for forms (the FormsState, when given): a Drive-made
 * form is empty, published and accepting responses, and renaming it sets its info.documentTitle.
 * There is no content upload, no permissions, no shared drives.
 * `q` supports `name = '…'`, `name != '…'`, `name contains '…'`, `mimeType = '…'`,
 * `mimeType != '…'`, `trashed = true|false`, `'<id>' in parents`, joined with `and`.
 */
import type { DocsState } from './docs';
import { ApiError } from './errors';
import type { JsonObject } from './sheets';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
export const DOCUMENT_MIME = 'application/vnd.google-apps.document';
export const SPREADSHEET_MIME = 'application/vnd.google-apps.spreadsheet';
export const FORM_MIME = 'application/vnd.google-apps.form';

/** What Drive needs of the forms: an empty form under a given id, and renaming one. */
export interface DriveForms {
  create(body: unknown, options: { id: string }): unknown;
  rename(id: string, title: string): void;
  has(id: string): boolean;
}

export interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  trashed: boolean;
  createdTime: string;
  modifiedTime: string;
  permissions?: DrivePermission[];
}

/**
 * A permission on a file (permissions.create / list / delete). On a form, a `reader` with
 * `view: 'published'` is a responder ("Publish and manage responders on the form": "Share your
 * form with more responders" is a Drive permissions.create with role reader and view
 * published; "Remove responders from your form", a permissions.delete).
 */
export interface DrivePermission {
  id: string;
  type: 'user' | 'group' | 'domain' | 'anyone';
  role: string;
  emailAddress?: string;
  view?: string;
}

export interface DriveOptions {
  docs: DocsState;
  forms?: DriveForms;
  /** New file ids (shared with Docs and Sheets so that they never clash). */
  newId: () => string;
  now?: () => number;
}

export const FILE_DEFAULT_FIELDS = 'kind,id,name,mimeType';
export const LIST_DEFAULT_FIELDS = 'kind,incompleteSearch,files(kind,id,name,mimeType)';

/** An error in Drive's shape: the message again in `errors[0]`, with a reason and a location. */
export function driveError(
  code: number,
  reason: string,
  message: string,
  location?: string,
  locationType = 'parameter',
): ApiError {
  const item: JsonObject = { message, domain: 'global', reason };
  if (location !== undefined) Object.assign(item, { location, locationType });
  return new ApiError(code, message, { errors: [item] });
}

function fileNotFound(id: string, location = 'fileId'): ApiError {
  return driveError(404, 'notFound', `File not found: ${id}.`, location);
}

function invalidQuery(): ApiError {
  return driveError(400, 'invalid', 'Invalid Value', 'q');
}

type Term = (file: DriveFile) => boolean;

const ROOT_NAME = 'My Drive';

export class DriveState {
  private permissionSeq = 0;
  private readonly store = new Map<string, DriveFile>();
  private readonly docs: DocsState;
  private readonly forms?: DriveForms;
  private readonly newId: () => string;
  private readonly now: () => number;
  readonly rootId: string;

  constructor(options: DriveOptions) {
    this.docs = options.docs;
    this.forms = options.forms;
    this.newId = options.newId;
    this.now = options.now ?? Date.now;
    this.rootId = `0A${options.newId().slice(1, 18)}Uk9PVA`;
    const time = this.time();
    this.store.set(this.rootId, {
      id: this.rootId,
      name: ROOT_NAME,
      mimeType: FOLDER_MIME,
      parents: [],
      trashed: false,
      createdTime: time,
      modifiedTime: time,
    });
  }

  /** The live files, the root folder included (mutable: tests may inspect them). */
  get files(): ReadonlyMap<string, DriveFile> {
    return this.store;
  }

  has(id: string): boolean {
    return this.store.has(id);
  }

  private time(): string {
    return new Date(this.now()).toISOString();
  }

  private resolve(id: string): string {
    return id === 'root' ? this.rootId : id;
  }

  file(id: string): DriveFile {
    const f = this.store.get(this.resolve(id));
    if (!f) throw fileNotFound(id);
    return f;
  }

  private folder(id: string, location: string): string {
    const f = this.store.get(this.resolve(id));
    if (!f) throw fileNotFound(id, location);
    if (f.mimeType !== FOLDER_MIME) {
      throw driveError(400, 'invalidParent', `The parent ${id} is not a folder.`, location);
    }
    return f.id;
  }

  // ----- permissions -----

  createPermission(fileId: string, body: unknown): JsonObject {
    const f = this.file(fileId);
    const b = (body ?? {}) as Record<string, unknown>;
    const type = String(b.type ?? '');
    if (!['user', 'group', 'domain', 'anyone'].includes(type)) {
      throw driveError(
        400,
        'required',
        'Bad Request. User message: "The permission type field is required."',
        'permission.type',
      );
    }
    const role = String(b.role ?? '');
    if (!['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader'].includes(role)) {
      throw driveError(400, 'required', 'The permission role field is required.', 'permission.role');
    }
    const email = typeof b.emailAddress === 'string' ? b.emailAddress.trim().toLowerCase() : undefined;
    if ((type === 'user' || type === 'group') && !email) {
      throw driveError(
        400,
        'invalid',
        'The permission emailAddress field is required for a user or group.',
        'permission.emailAddress',
      );
    }
    if (b.view !== undefined && b.view !== 'published') {
      throw driveError(400, 'invalid', `Invalid value for view: ${String(b.view)}`, 'permission.view');
    }
    f.permissions ??= [];
    const list = f.permissions;
    const same = list.find(
      (p) => p.type === type && p.emailAddress === email && p.view === b.view && p.role === role,
    );
    if (same) return { kind: 'drive#permission', ...same };
    const permission: DrivePermission = {
      id: `perm${String(++this.permissionSeq).padStart(6, '0')}`,
      type: type as DrivePermission['type'],
      role,
      ...(email ? { emailAddress: email } : {}),
      ...(b.view === 'published' ? { view: 'published' } : {}),
    };
    list.push(permission);
    return { kind: 'drive#permission', ...permission };
  }

  listPermissions(fileId: string): JsonObject {
    const f = this.file(fileId);
    return {
      kind: 'drive#permissionList',
      permissions: (f.permissions ?? []).map((p) => ({ kind: 'drive#permission', ...p })),
    };
  }

  deletePermission(fileId: string, permissionId: string): JsonObject {
    const f = this.file(fileId);
    const i = (f.permissions ?? []).findIndex((p) => p.id === permissionId);
    if (i < 0) throw driveError(404, 'notFound', `Permission not found: ${permissionId}.`, 'permissionId');
    f.permissions!.splice(i, 1);
    return {};
  }

  /**
   * Whether `email` may respond to the form `fileId`: a published-view reader permission for
   * them, or one for anyone. How Google treats a published form with no responder permission
   * is not spelled out; the emulator takes the reading worse for a job: nobody may respond.
   */
  mayRespond(fileId: string, email: string | undefined): boolean {
    const perms = this.store.get(this.resolve(fileId))?.permissions ?? [];
    return perms.some(
      (p) =>
        p.view === 'published' &&
        (p.type === 'anyone' || (!!email && p.type === 'user' && p.emailAddress === email.toLowerCase())),
    );
  }

  /** Registers a file made by another API (a document from documents.create), in the root. */
  adopt(id: string, name: string, mimeType: string): DriveFile {
    const time = this.time();
    const file: DriveFile = {
      id,
      name,
      mimeType,
      parents: [this.rootId],
      trashed: false,
      createdTime: time,
      modifiedTime: time,
    };
    this.store.set(id, file);
    return file;
  }

  /** Marks a file modified (a write through another API). */
  touch(id: string): void {
    const f = this.store.get(id);
    if (f) f.modifiedTime = this.time();
  }

  /** files.create (metadata only). */
  create(body: unknown): JsonObject {
    const b = (body ?? {}) as JsonObject;
    const parents = Array.isArray(b.parents) ? b.parents.map(String) : [];
    if (parents.length > 1) {
      throw driveError(403, 'cannotAddParent', 'A file can only have one parent folder.', 'parents', 'other');
    }
    const parent = parents.length ? this.folder(parents[0]!, 'parents') : this.rootId;
    const mimeType =
      typeof b.mimeType === 'string' && b.mimeType !== '' ? b.mimeType : 'application/octet-stream';
    const id = this.newId();
    const name =
      typeof b.name === 'string' && b.name !== ''
        ? b.name
        : mimeType === DOCUMENT_MIME
          ? 'Untitled document'
          : mimeType === FORM_MIME
            ? 'Untitled form'
            : 'Untitled';
    if (mimeType === DOCUMENT_MIME) this.docs.create({ title: name }, id);
    if (mimeType === FORM_MIME) this.forms?.create({ info: { title: name } }, { id });
    const time = this.time();
    const file: DriveFile = {
      id,
      name,
      mimeType,
      parents: [parent],
      trashed: b.trashed === true,
      createdTime: time,
      modifiedTime: time,
    };
    this.store.set(id, file);
    return this.json(file);
  }

  /** files.get */
  get(id: string): JsonObject {
    return this.json(this.file(id));
  }

  /** files.update: name, trashed; parents through addParents / removeParents. */
  update(id: string, body: unknown, query: URLSearchParams): JsonObject {
    const file = this.file(id);
    if (file.id === this.rootId)
      throw driveError(
        403,
        'insufficientFilePermissions',
        'The user does not have sufficient permissions for this file.',
      );
    const b = (body ?? {}) as JsonObject;
    if (b.parents !== undefined) {
      throw driveError(
        403,
        'fieldNotWritable',
        'The resource body includes fields which are not directly writable.',
      );
    }
    const split = (v: string | null) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    const removing = split(query.get('removeParents')).map((p) => this.resolve(p));
    const adding = split(query.get('addParents')).map((p) => this.folder(p, 'addParents'));
    let parents = file.parents.filter((p) => !removing.includes(p));
    for (const p of adding) if (!parents.includes(p)) parents = [...parents, p];
    if (parents.length > 1) {
      throw driveError(403, 'cannotAddParent', 'Increasing the number of parents is not allowed.');
    }
    if (b.name !== undefined) {
      file.name = String(b.name);
      if (file.mimeType === DOCUMENT_MIME && this.docs.documents.has(file.id))
        this.docs.rename(file.id, file.name);
      if (file.mimeType === FORM_MIME && this.forms?.has(file.id)) this.forms.rename(file.id, file.name);
    }
    if (typeof b.trashed === 'boolean') file.trashed = b.trashed;
    file.parents = parents;
    file.modifiedTime = this.time();
    return this.json(file);
  }

  /** files.list: every file (not the root) matching `q`, in `orderBy` order, a page at a time. */
  list(query: URLSearchParams): JsonObject {
    const q = query.get('q') ?? '';
    const match = q.trim() === '' ? () => true : this.parseQuery(q);
    let files = [...this.store.values()].filter((f) => f.id !== this.rootId && match(f));
    const orderBy = query.get('orderBy');
    if (orderBy) {
      const keys = orderBy.split(',').map((part) => {
        const [key, dir] = part.trim().split(/\s+/);
        if (
          !['name', 'createdTime', 'modifiedTime', 'folder', 'name_natural'].includes(key ?? '') ||
          (dir !== undefined && dir !== 'desc')
        ) {
          throw driveError(400, 'invalid', 'Invalid Value', 'orderBy');
        }
        return { key: key!, desc: dir === 'desc' };
      });
      files = [...files].sort((a, b) => {
        for (const { key, desc } of keys) {
          const va =
            key === 'folder'
              ? String(a.mimeType !== FOLDER_MIME)
              : key === 'name_natural'
                ? a.name
                : String(a[key as keyof DriveFile]);
          const vb =
            key === 'folder'
              ? String(b.mimeType !== FOLDER_MIME)
              : key === 'name_natural'
                ? b.name
                : String(b[key as keyof DriveFile]);
          const c = va < vb ? -1 : va > vb ? 1 : 0;
          if (c !== 0) return desc ? -c : c;
        }
        return 0;
      });
    }
    const size = Number(query.get('pageSize') ?? 100);
    if (!Number.isInteger(size) || size < 1 || size > 1000)
      throw driveError(400, 'invalid', 'Invalid Value', 'pageSize');
    const token = query.get('pageToken');
    const from = token === null ? 0 : Number(token);
    if (!Number.isInteger(from) || from < 0) throw driveError(400, 'invalid', 'Invalid Value', 'pageToken');
    const out: JsonObject = {
      kind: 'drive#fileList',
      incompleteSearch: false,
      files: files.slice(from, from + size).map((f) => this.json(f)),
    };
    if (from + size < files.length) out.nextPageToken = String(from + size);
    return out;
  }

  private parseQuery(q: string): Term {
    const tokens: { kind: 'str' | 'word' | 'op'; text: string }[] = [];
    let i = 0;
    while (i < q.length) {
      const c = q[i]!;
      if (/\s/.test(c)) {
        i++;
      } else if (c === "'") {
        let text = '';
        i++;
        for (;;) {
          if (i >= q.length) throw invalidQuery();
          const d = q[i]!;
          if (d === '\\') {
            text += q[i + 1] ?? '';
            i += 2;
          } else if (d === "'") {
            i++;
            break;
          } else {
            text += d;
            i++;
          }
        }
        tokens.push({ kind: 'str', text });
      } else if (c === '=' || c === '!' || c === '<' || c === '>') {
        const m = /^(!=|<=|>=|=|<|>)/.exec(q.slice(i));
        if (!m) throw invalidQuery();
        tokens.push({ kind: 'op', text: m[1]! });
        i += m[1]!.length;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i));
        if (!m) throw invalidQuery();
        tokens.push({ kind: 'word', text: m[0] });
        i += m[0].length;
      }
    }
    const terms: Term[] = [];
    let k = 0;
    const next = () => tokens[k++] ?? invalidQueryToken();
    for (;;) {
      const a = next();
      const op = next();
      const b = next();
      terms.push(this.term(a, op, b));
      if (k >= tokens.length) break;
      const and = next();
      if (and.kind !== 'word' || and.text.toLowerCase() !== 'and') throw invalidQuery();
    }
    return (file) => terms.every((t) => t(file));
  }

  private term(
    a: { kind: string; text: string },
    op: { kind: string; text: string },
    b: { kind: string; text: string },
  ): Term {
    if (
      a.kind === 'str' &&
      op.kind === 'word' &&
      op.text === 'in' &&
      b.kind === 'word' &&
      b.text === 'parents'
    ) {
      const id = this.resolve(a.text);
      return (f) => f.parents.includes(id);
    }
    if (a.kind !== 'word') throw invalidQuery();
    const eq = op.kind === 'op' && (op.text === '=' || op.text === '!=');
    const negate = op.text === '!=';
    switch (a.text) {
      case 'name':
      case 'mimeType': {
        if (b.kind !== 'str') throw invalidQuery();
        const key = a.text;
        if (op.kind === 'word' && op.text === 'contains') {
          return (f) => f[key].toLowerCase().includes(b.text.toLowerCase());
        }
        if (!eq) throw invalidQuery();
        return (f) => (f[key] === b.text) !== negate;
      }
      case 'trashed': {
        if (!eq || b.kind !== 'word' || !['true', 'false'].includes(b.text)) throw invalidQuery();
        const want = b.text === 'true';
        return (f) => (f.trashed === want) !== negate;
      }
      default:
        throw invalidQuery();
    }
  }

  json(file: DriveFile): JsonObject {
    const out: JsonObject = {
      kind: 'drive#file',
      id: file.id,
      name: file.name,
      mimeType: file.mimeType,
      parents: [...file.parents],
      trashed: file.trashed,
      webViewLink: webViewLink(file),
      createdTime: file.createdTime,
      modifiedTime: file.modifiedTime,
    };
    if (file.id === this.rootId) delete out.parents;
    return out;
  }

  dump(): JsonObject[] {
    return [...this.store.values()].map((f) => this.json(f));
  }
}

function invalidQueryToken(): never {
  throw invalidQuery();
}

export function webViewLink(file: { id: string; mimeType: string }): string {
  switch (file.mimeType) {
    case DOCUMENT_MIME:
      return `https://docs.google.com/document/d/${file.id}/edit`;
    case SPREADSHEET_MIME:
      return `https://docs.google.com/spreadsheets/d/${file.id}/edit`;
    case FORM_MIME:
      return `https://docs.google.com/forms/d/${file.id}/edit`;
    case FOLDER_MIME:
      return `https://drive.google.com/drive/folders/${file.id}`;
    default:
      return `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`;
  }
}
