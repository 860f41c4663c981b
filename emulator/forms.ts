/**
 * The state and semantics of the emulated Forms v1 API, with no HTTP: forms create / get /
 * batchUpdate / setPublishSettings, responses list / get, and `submit` — a person filling the
 * form in in the browser. Methods return the JSON Google returns or throw an ApiError with
 * Google's status and wording.
 *
 * Request bodies are read as Google's JSON front end reads them: snake_case names are accepted
 * as well as camelCase, an unknown name, a value of the wrong type, an unknown enum value or two
 * members of a oneof answer 400 with the field's path; default values (false, 0, "", *_UNSPECIFIED,
 * []) are the same as absent, and are left out of the answers, as proto3 JSON does.
 *
 * Emulated item kinds: questionItem (choiceQuestion RADIO / CHECKBOX / DROP_DOWN with options,
 * "other", shuffle and section navigation; textQuestion; dateQuestion), questionGroupItem grids
 * (rowQuestion rows, RADIO or CHECKBOX columns), pageBreakItem (sections) and textItem.
 * Deliberately not emulated (a clear 400 names them): images, videos, scale / time / rating
 * questions, grading (quizzes' answer keys), question groups that are not grids, watches.
 *
 * Choices where Google documents nothing, made here:
 * - Item ids and question ids share one namespace per form: 8 hex digits, 00000000–7fffffff
 *   (upper case accepted and stored lower case); an id in use by any item or question answers 400.
 *   A batch applies in order, so an id freed by a deleteItem may be reused later in the same batch.
 * - A batch's requests are validated one by one, in order, against the form as the requests
 *   before them left it (the reading worse for a client; the batch stays atomic: Forms API
 *   "Method: forms.batchUpdate": "Change the form with a batch of updates."): a goToSectionId
 *   must name a pageBreakItem already in the form when its request is applied — a question may
 *   not point forward to a section created later in the same batch, nor a section be deleted
 *   while a question still points to it. The error names that request.
 * - createItem may insert at index N (the end); the other locations must be within [0, N).
 * - revisionId is an opaque 8-digit counter, bumped by a batchUpdate that changes the form (not
 *   by setPublishSettings: publish settings are not form content). targetRevisionId is accepted
 *   when it is any revision of the form (the emulator never has to transform a change).
 * - Every form has publishSettings: `unpublished=true` starts it unpublished and not accepting
 *   responses; otherwise it starts published and accepting. Both booleans are always written.
 * - The `timestamp` filter of responses.list compares lastSubmittedTime (an edit is a submission);
 *   responses are listed by lastSubmittedTime, oldest first; page tokens carry the last key seen.
 *
 * `submit` refuses what a person in the browser could not send: a form unpublished (403) or not
 * accepting responses (403); no respondentEmail when emailCollectionType is VERIFIED or
 * RESPONDER_INPUT (with DO_NOT_COLLECT, the default, a given email is not recorded); an unknown
 * question id; a value that is not one of a choice's options (unless the question has an "other"
 * option, which takes one free value); several values for a one-answer question; a line break in
 * a short answer; a date not in the question's format (YYYY-MM-DD with includeYear, MM-DD without;
 * " HH:MM" appended with includeTime); an edit (a responseId the form has) by another respondent
 * when emails are VERIFIED (403), or dated before the response's last submission. A responseId
 * the form does not have names the new response. It follows the route a respondent takes: from
 * the first section, to the next, or where the chosen RADIO / DROP_DOWN option sends them (the
 * last such choice in a section wins; navigation on the last section has no effect); an answer to
 * a question in a section off that route, a RESTART_FORM choice or a loop answer 400, and every
 * required question (every required row of a grid) in a section on the route must be answered.
 * An empty string or list is no answer.
 */
import { ApiError, badRequest, NOT_FOUND_MESSAGE, notEmulated } from './errors';
import { type JsonObject, seededRandom } from './sheets';

// ---------- the request schema (Forms v1 messages, as the JSON front end reads them) ----------

type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | { enum: string; values: readonly string[] }
  | { message: string }
  | { list: FieldType };

const S = 'string';
const B = 'bool';
const I = 'int';
const msg = (message: string): FieldType => ({ message });
const list = (of: FieldType): FieldType => ({ list: of });
const enumOf = (name: string, values: readonly string[]): FieldType => ({ enum: name, values });

const CHOICE_TYPES = ['CHOICE_TYPE_UNSPECIFIED', 'RADIO', 'CHECKBOX', 'DROP_DOWN'] as const;
const GO_TO_ACTIONS = ['GO_TO_ACTION_UNSPECIFIED', 'NEXT_SECTION', 'RESTART_FORM', 'SUBMIT_FORM'] as const;
const EMAIL_COLLECTION_TYPES = [
  'EMAIL_COLLECTION_TYPE_UNSPECIFIED',
  'DO_NOT_COLLECT',
  'VERIFIED',
  'RESPONDER_INPUT',
] as const;

const SCHEMA: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = {
  Form: {
    formId: S,
    info: msg('Info'),
    settings: msg('FormSettings'),
    items: list(msg('Item')),
    revisionId: S,
    responderUri: S,
    linkedSheetId: S,
    publishSettings: msg('PublishSettings'),
  },
  Info: { title: S, description: S, documentTitle: S },
  FormSettings: {
    quizSettings: msg('QuizSettings'),
    emailCollectionType: enumOf('EmailCollectionType', EMAIL_COLLECTION_TYPES),
  },
  QuizSettings: { isQuiz: B },
  Item: {
    itemId: S,
    title: S,
    description: S,
    questionItem: msg('QuestionItem'),
    questionGroupItem: msg('QuestionGroupItem'),
    pageBreakItem: msg('PageBreakItem'),
    textItem: msg('TextItem'),
    imageItem: msg('ImageItem'),
    videoItem: msg('VideoItem'),
  },
  QuestionItem: { question: msg('Question'), image: msg('Image') },
  Question: {
    questionId: S,
    required: B,
    grading: msg('Grading'),
    choiceQuestion: msg('ChoiceQuestion'),
    textQuestion: msg('TextQuestion'),
    scaleQuestion: msg('ScaleQuestion'),
    dateQuestion: msg('DateQuestion'),
    timeQuestion: msg('TimeQuestion'),
    fileUploadQuestion: msg('FileUploadQuestion'),
    rowQuestion: msg('RowQuestion'),
    ratingQuestion: msg('RatingQuestion'),
  },
  ChoiceQuestion: { type: enumOf('ChoiceType', CHOICE_TYPES), options: list(msg('Option')), shuffle: B },
  Option: {
    value: S,
    image: msg('Image'),
    isOther: B,
    goToAction: enumOf('GoToAction', GO_TO_ACTIONS),
    goToSectionId: S,
  },
  TextQuestion: { paragraph: B },
  ScaleQuestion: { low: I, high: I, lowLabel: S, highLabel: S },
  DateQuestion: { includeTime: B, includeYear: B },
  TimeQuestion: { duration: B },
  FileUploadQuestion: {
    folderId: S,
    types: list(
      enumOf('FileType', [
        'FILE_TYPE_UNSPECIFIED',
        'ANY',
        'DOCUMENT',
        'PRESENTATION',
        'SPREADSHEET',
        'DRAWING',
        'PDF',
        'IMAGE',
        'VIDEO',
        'AUDIO',
      ]),
    ),
    maxFiles: I,
    maxFileSize: S,
  },
  RowQuestion: { title: S },
  RatingQuestion: {
    ratingScaleLevel: I,
    iconType: enumOf('RatingIconType', ['RATING_ICON_TYPE_UNSPECIFIED', 'STAR', 'HEART', 'THUMB_UP']),
  },
  Grading: {
    pointValue: I,
    correctAnswers: msg('CorrectAnswers'),
    whenRight: msg('Feedback'),
    whenWrong: msg('Feedback'),
    generalFeedback: msg('Feedback'),
  },
  CorrectAnswers: { answers: list(msg('CorrectAnswer')) },
  CorrectAnswer: { value: S },
  Feedback: { text: S, material: list(msg('ExtraMaterial')) },
  ExtraMaterial: { link: msg('TextLink'), video: msg('VideoLink') },
  TextLink: { uri: S, displayText: S },
  VideoLink: { displayText: S, youtubeUri: S },
  QuestionGroupItem: { questions: list(msg('Question')), image: msg('Image'), grid: msg('Grid') },
  Grid: { columns: msg('ChoiceQuestion'), shuffleQuestions: B },
  PageBreakItem: {},
  TextItem: {},
  ImageItem: { image: msg('Image') },
  Image: { contentUri: S, altText: S, properties: msg('MediaProperties'), sourceUri: S },
  MediaProperties: {
    alignment: enumOf('Alignment', ['ALIGNMENT_UNSPECIFIED', 'LEFT', 'RIGHT', 'CENTER']),
    width: I,
  },
  VideoItem: { video: msg('Video'), caption: S },
  Video: { youtubeUri: S, properties: msg('MediaProperties') },
  PublishSettings: { publishState: msg('PublishState') },
  PublishState: { isPublished: B, isAcceptingResponses: B },
  BatchUpdateFormRequest: {
    includeFormInResponse: B,
    requests: list(msg('Request')),
    writeControl: msg('WriteControl'),
  },
  Request: {
    updateFormInfo: msg('UpdateFormInfoRequest'),
    updateSettings: msg('UpdateSettingsRequest'),
    createItem: msg('CreateItemRequest'),
    moveItem: msg('MoveItemRequest'),
    deleteItem: msg('DeleteItemRequest'),
    updateItem: msg('UpdateItemRequest'),
  },
  UpdateFormInfoRequest: { info: msg('Info'), updateMask: S },
  UpdateSettingsRequest: { settings: msg('FormSettings'), updateMask: S },
  CreateItemRequest: { item: msg('Item'), location: msg('Location') },
  MoveItemRequest: { originalLocation: msg('Location'), newLocation: msg('Location') },
  DeleteItemRequest: { location: msg('Location') },
  UpdateItemRequest: { item: msg('Item'), location: msg('Location'), updateMask: S },
  Location: { index: I },
  WriteControl: { requiredRevisionId: S, targetRevisionId: S },
  SetPublishSettingsRequest: { publishSettings: msg('PublishSettings'), updateMask: S },
};

const ITEM_KINDS = [
  'questionItem',
  'questionGroupItem',
  'pageBreakItem',
  'textItem',
  'imageItem',
  'videoItem',
] as const;

const QUESTION_KINDS = [
  'choiceQuestion',
  'textQuestion',
  'scaleQuestion',
  'dateQuestion',
  'timeQuestion',
  'fileUploadQuestion',
  'rowQuestion',
  'ratingQuestion',
] as const;

const ONEOFS: Readonly<Record<string, { name: string; fields: readonly string[] }>> = {
  Item: { name: 'kind', fields: ITEM_KINDS },
  Question: { name: 'kind', fields: QUESTION_KINDS },
  Request: { name: 'kind', fields: Object.keys(SCHEMA.Request!) },
  Option: { name: 'go_to_section', fields: ['goToAction', 'goToSectionId'] },
  WriteControl: { name: 'control', fields: ['requiredRevisionId', 'targetRevisionId'] },
};

const PACKAGE = 'type.googleapis.com/google.apps.forms.v1';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function child(path: string, name: string): string {
  return path === '' ? snake(name) : `${path}.${snake(name)}`;
}

/** A JSON value read as the message `type`: names in camelCase, null dropped, types checked. */
function normalize(value: unknown, type: FieldType, path: string): unknown {
  const invalid = (kind: string): never => {
    throw badRequest(`Invalid value at '${path}' (${kind}), ${JSON.stringify(value)}`);
  };
  if (type === 'string') return typeof value === 'string' ? value : invalid('TYPE_STRING');
  if (type === 'bool') return typeof value === 'boolean' ? value : invalid('TYPE_BOOL');
  if (type === 'int') {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > 2 ** 31) invalid('TYPE_INT32');
    return n;
  }
  if ('enum' in type) {
    if (typeof value !== 'string' || !type.values.includes(value)) invalid(`${PACKAGE}.${type.enum}`);
    return value;
  }
  if ('list' in type) {
    if (!Array.isArray(value)) {
      const of = type.list;
      return invalid(typeof of === 'object' && 'message' in of ? `${PACKAGE}.${of.message}` : 'list');
    }
    return value.map((v, i) => {
      if (v === null) throw badRequest(`Invalid value at '${path}[${i}]': a list element must not be null`);
      return normalize(v, type.list, `${path}[${i}]`);
    });
  }
  const fields = SCHEMA[type.message]!;
  if (!isObject(value)) return invalid(`${PACKAGE}.${type.message}`);
  const out: JsonObject = {};
  const oneof = ONEOFS[type.message];
  let setMember: string | undefined;
  for (const [key, v] of Object.entries(value)) {
    const name = camel(key);
    const field = fields[name];
    if (!field) {
      throw badRequest(
        `Invalid JSON payload received. Unknown name "${key}"${path === '' ? '' : ` at '${path}'`}: Cannot find field.`,
      );
    }
    if (v === null || v === undefined) continue;
    if (oneof?.fields.includes(name)) {
      if (setMember !== undefined && setMember !== name) {
        throw badRequest(
          `Invalid value at '${path}' (oneof), oneof field '${oneof.name}' is already set. Cannot overwrite with '${snake(name)}'`,
        );
      }
      setMember = name;
    }
    out[name] = normalize(v, field, child(path, name));
  }
  return out;
}

/** Drops proto3 defaults (false, 0, "", *_UNSPECIFIED, []) the way proto3 JSON leaves them out. */
function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === false || v === 0 || v === '' || v === undefined) continue;
    if (typeof v === 'string' && v.endsWith('_UNSPECIFIED')) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = compact(v);
  }
  return out as T;
}

function read(body: unknown, message: string): JsonObject {
  return normalize(body ?? {}, msg(message), '') as JsonObject;
}

/** JSON with sorted keys, to tell whether a batch changed the form. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function maskPaths(mask: unknown, what: string): string[] {
  const paths =
    typeof mask === 'string'
      ? mask
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '')
      : [];
  if (paths.length === 0) {
    throw badRequest(
      `At least one field must be listed in update_mask of ${what}. (Use '*' to indicate all fields.)`,
    );
  }
  return paths.map((p) => (p === '*' ? p : p.split('.').map(camel).join('.')));
}

/** Sets (or clears, when `source` lacks it) each masked path of `target`, a message `type`. */
function applyMask(target: JsonObject, source: JsonObject, paths: string[], type: string): void {
  if (paths.includes('*')) {
    for (const k of Object.keys(target)) delete target[k];
    Object.assign(target, structuredClone(source));
    return;
  }
  for (const path of paths) {
    const keys = path.split('.');
    let t: string = type;
    keys.forEach((k, i) => {
      const field = SCHEMA[t]?.[k];
      if (!field)
        throw badRequest(`Invalid field mask path "${snake(path)}": ${t} has no field "${snake(k)}".`);
      if (i < keys.length - 1) {
        if (typeof field === 'string' || !('message' in field)) {
          throw badRequest(`Invalid field mask path "${snake(path)}": "${snake(k)}" is not a message.`);
        }
        t = field.message;
      }
    });
    let from: unknown = source;
    for (const k of keys) from = isObject(from) ? from[k] : undefined;
    let node = target;
    for (const k of keys.slice(0, -1)) {
      if (!isObject(node[k])) node[k] = {};
      node = node[k] as JsonObject;
    }
    const last = keys[keys.length - 1]!;
    if (from === undefined) delete node[last];
    else node[last] = structuredClone(from);
  }
}

// ---------- ids and times ----------

const ID_PATTERN = /^[0-7][0-9a-fA-F]{7}$/;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A timestamp as a string that sorts in time order: 9 fraction digits, Z. */
function sortableTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) return iso;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// ---------- the state ----------

export interface PublishState {
  isPublished: boolean;
  isAcceptingResponses: boolean;
}

export interface StoredResponse {
  responseId: string;
  createTime: string;
  lastSubmittedTime: string;
  respondentEmail?: string;
  /** Values by question id, as textAnswers list them. */
  answers: Record<string, string[]>;
  /** Order of submission, to break ties between equal lastSubmittedTime. */
  seq: number;
}

export interface StoredForm {
  formId: string;
  /** title, description, documentTitle (title and description absent when empty). */
  info: JsonObject;
  settings: JsonObject;
  /** The items as forms.get returns them. */
  items: JsonObject[];
  revision: number;
  responderId: string;
  publishState: PublishState;
  responses: Map<string, StoredResponse>;
}

/** A response as a person submits it in the browser. */
export interface FormSubmission {
  /** The signed-in or typed address; required when the form collects emails. */
  respondentEmail?: string;
  /** When the person pressed Submit (ISO-8601); the emulator clock by default. */
  submittedAt?: string;
  /** Values by question id (grid rows by their row question ids). */
  answers: Record<string, string | string[]>;
  /**
   * The response's id. An existing one is an edit (the id and createTime stay, the answers are
   * replaced, lastSubmittedTime is the new submit); a new one names the new response (so a test
   * can refer to it); without it, the id is made up as Google's are.
   */
  responseId?: string;
}

export interface FormsOptions {
  random?: () => number;
  /** New form ids; by default 44 characters from `random`. */
  newId?: () => string;
  /** The clock of submissions without `submittedAt`. */
  now?: () => number;
}

interface Question {
  questionId: string;
  title: string;
  kind: 'choice' | 'text' | 'date' | 'row';
  question: JsonObject;
  /** The choices: a choiceQuestion, or a grid's columns. */
  choice?: JsonObject;
  section: number;
}

interface Section {
  /** The pageBreakItem's id (none for the first section). */
  id?: string;
  title: string;
  questions: Question[];
}

interface Work {
  info: JsonObject;
  settings: JsonObject;
  items: JsonObject[];
}

export class FormsState {
  private readonly store = new Map<string, StoredForm>();
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly now: () => number;
  private seq = 0;

  constructor(options: FormsOptions = {}) {
    this.random = options.random ?? seededRandom(20261205);
    this.newId = options.newId ?? (() => this.randomString('1', 43));
    this.now = options.now ?? Date.now;
  }

  /** The live forms (mutable: tests may inspect them). */
  get forms(): ReadonlyMap<string, StoredForm> {
    return this.store;
  }

  has(id: string): boolean {
    return this.store.has(id);
  }

  form(id: string): StoredForm {
    const form = this.store.get(id);
    if (!form) throw new ApiError(404, NOT_FOUND_MESSAGE);
    return form;
  }

  /**
   * The form's page at its responderUri, as a browser gets it: each question an input named
   * `entry.<question id read as hexadecimal>` (grid rows: their row question's), and the values
   * of a pre-filled link (`?usp=pp_url&entry.N=…`) filled in. Google documents none of this —
   * it is what its pages carry and what Apps Script's toPrefilledUrl builds; the live contract
   * (test/live) checks the same on Google. Undefined for a link to no form, or to a form that
   * is not published (Google shows a page saying it cannot be opened).
   */
  page(url: string): string | undefined {
    const [base, query = ''] = url.split('?');
    const form = [...this.store.values()].find(
      (f) => base === `https://docs.google.com/forms/d/e/${f.responderId}/viewform`,
    );
    if (!form?.publishState.isPublished) return undefined;
    const filled = new Map(
      query
        .split('&')
        .map((p) => /^entry\.(\d+)=(.*)$/.exec(p))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1]!, decodeURIComponent(m[2]!.replace(/\+/g, ' '))]),
    );
    const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const inputs = form.items.flatMap(questionIdsOf).map((id) => {
      const entry = String(Number.parseInt(id, 16));
      return `<input type="hidden" name="entry.${entry}" value="${attr(filled.get(entry) ?? '')}">`;
    });
    return `<!DOCTYPE html><html><body><form action="formResponse">${inputs.join('')}</form></body></html>`;
  }

  private randomString(prefix: string, length: number): string {
    let s = prefix;
    for (let i = 0; i < length; i++) s += ID_ALPHABET[Math.floor(this.random() * ID_ALPHABET.length)];
    return s;
  }

  private newItemId(taken: ReadonlySet<string>): string {
    for (;;) {
      const id = Math.floor(this.random() * 0x80000000)
        .toString(16)
        .padStart(8, '0');
      if (!taken.has(id)) return id;
    }
  }

  /** forms.create: only info.title and info.documentTitle are taken. */
  create(body: unknown, options: { unpublished?: boolean; id?: string } = {}): JsonObject {
    const b = compact(read(body, 'Form'));
    const info = (b.info ?? {}) as JsonObject;
    const settings = (b.settings ?? {}) as JsonObject;
    if (b.items !== undefined || Object.keys(settings).length > 0 || info.description !== undefined) {
      throw badRequest(
        'Only info.title can be set when creating a form. To add items and change settings, use batchUpdate.',
      );
    }
    const formId = options.id ?? this.newId();
    if (this.store.has(formId)) throw new ApiError(409, `Form ${formId} already exists.`);
    const title = typeof info.title === 'string' ? info.title : undefined;
    const form: StoredForm = {
      formId,
      info: {
        ...(title === undefined ? {} : { title }),
        documentTitle: String(info.documentTitle ?? title ?? 'Untitled form'),
      },
      settings: {},
      items: [],
      revision: 1,
      responderId: this.randomString('1FAIpQLS', 48),
      publishState: { isPublished: !options.unpublished, isAcceptingResponses: !options.unpublished },
      responses: new Map(),
    };
    this.store.set(formId, form);
    return this.json(form);
  }

  /** The Drive name of the form's file (its documentTitle) changed. */
  rename(id: string, title: string): void {
    this.form(id).info.documentTitle = title;
  }

  /** forms.get */
  get(id: string): JsonObject {
    return this.json(this.form(id));
  }

  // ----- batchUpdate -----

  /** Applies every request in order, atomically: one invalid request and nothing changes. */
  batchUpdate(id: string, body: unknown): JsonObject {
    const form = this.form(id);
    const b = compact(read(body, 'BatchUpdateFormRequest'));
    const requests = (b.requests ?? []) as JsonObject[];
    if (requests.length === 0) throw badRequest('Must specify at least one request.');
    const control = (b.writeControl ?? {}) as JsonObject;
    if (control.requiredRevisionId !== undefined && control.requiredRevisionId !== revisionId(form)) {
      throw badRequest(
        `The revision ID ${String(control.requiredRevisionId)} does not match the latest revision ID of the form, ${revisionId(form)}.`,
      );
    }
    if (control.targetRevisionId !== undefined) {
      const text = String(control.targetRevisionId);
      const n = /^\d{8}$/.test(text) ? Number(text) : 0;
      if (n < 1 || n > form.revision) {
        throw badRequest(`The target revision ID ${text} is not a recent revision of the form.`);
      }
    }
    const work: Work = {
      info: structuredClone(form.info),
      settings: structuredClone(form.settings),
      items: structuredClone(form.items),
    };
    const before = canonical([work.info, work.settings, work.items]);
    const replies = requests.map((r, i) => {
      const kind = Object.keys(r)[0];
      if (kind === undefined) throw badRequest(`Invalid requests[${i}]: No request set.`);
      try {
        const reply = this.apply(work, kind, r[kind] as JsonObject, i);
        this.checkSections(work);
        return reply;
      } catch (e) {
        if (e instanceof ApiError && !/^Invalid (requests\[|JSON)/.test(e.message)) {
          throw new ApiError(e.code, `Invalid requests[${i}].${kind}: ${e.message}`);
        }
        throw e;
      }
    });
    if (canonical([work.info, work.settings, work.items]) !== before) {
      form.info = work.info;
      form.settings = work.settings;
      form.items = work.items;
      form.revision++;
    }
    const out: JsonObject = {};
    if (b.includeFormInResponse === true) out.form = this.json(form);
    out.replies = replies;
    out.writeControl = { requiredRevisionId: revisionId(form) };
    return out;
  }

  private apply(work: Work, kind: string, req: JsonObject, index: number): JsonObject {
    switch (kind) {
      case 'updateFormInfo': {
        const paths = maskPaths(req.updateMask, 'updateFormInfo');
        if (paths.some((p) => p === 'documentTitle' || p.startsWith('documentTitle.'))) {
          throw badRequest(
            'info.document_title cannot be changed by batchUpdate; rename the form with the Drive API.',
          );
        }
        const info = (req.info ?? {}) as JsonObject;
        const { documentTitle } = work.info;
        applyMask(work.info, info, paths.includes('*') ? ['title', 'description'] : paths, 'Info');
        work.info.documentTitle = documentTitle;
        return {};
      }
      case 'updateSettings': {
        const paths = maskPaths(req.updateMask, 'updateSettings');
        applyMask(work.settings, (req.settings ?? {}) as JsonObject, paths, 'FormSettings');
        work.settings = compact(work.settings);
        return {};
      }
      case 'createItem': {
        if (req.item === undefined) throw badRequest('item is required.');
        const at = this.location(work, req.location, 'location', true);
        const item = this.prepareItem(work, req.item as JsonObject);
        work.items.splice(at, 0, item);
        const questionIds = questionIdsOf(item);
        return {
          createItem: { itemId: item.itemId, ...(questionIds.length ? { questionId: questionIds } : {}) },
        };
      }
      case 'updateItem': {
        const at = this.location(work, req.location, 'location');
        const paths = maskPaths(req.updateMask, 'updateItem');
        const old = work.items[at]!;
        const next = structuredClone(old);
        applyMask(next, (req.item ?? {}) as JsonObject, paths, 'Item');
        const item = this.prepareItem(work, compact(next), old);
        work.items[at] = item;
        return {};
      }
      case 'moveItem': {
        const from = this.location(work, req.originalLocation, 'originalLocation');
        const to = this.location(work, req.newLocation, 'newLocation');
        const [item] = work.items.splice(from, 1);
        work.items.splice(to, 0, item!);
        return {};
      }
      case 'deleteItem': {
        const at = this.location(work, req.location, 'location');
        work.items.splice(at, 1);
        return {};
      }
      default:
        throw badRequest(`Invalid requests[${index}]: No request set.`);
    }
  }

  private location(work: Work, location: unknown, name: string, insertion = false): number {
    if (location === undefined) throw badRequest(`${name} is required.`);
    const index = Number((location as JsonObject).index ?? 0);
    const n = work.items.length;
    const max = insertion ? n : n - 1;
    if (index < 0 || index > max) {
      throw badRequest(
        n === 0 && !insertion
          ? `${name}.index ${index} is out of range: the form has no items.`
          : `${name}.index ${index} is out of range: it must be from 0 to ${max} (the form has ${n} item${n === 1 ? '' : 's'}).`,
      );
    }
    return index;
  }

  /**
   * Checks an item (new, or an existing one after an update's mask was applied) and gives it the
   * ids it lacks. `replacing`: the item it replaces, whose ids it may keep.
   */
  private prepareItem(work: Work, raw: JsonObject, replacing?: JsonObject): JsonObject {
    const item = structuredClone(raw);
    const inUse = new Set(work.items.filter((it) => it !== replacing).flatMap(idsOf));
    const claim = (given: unknown, what: string): string => {
      if (given === undefined) {
        const id = this.newItemId(inUse);
        inUse.add(id);
        return id;
      }
      const text = String(given);
      if (!ID_PATTERN.test(text)) {
        throw badRequest(
          `Invalid ${what} "${text}": an ID must be 8 hexadecimal digits from 00000000 to 7fffffff.`,
        );
      }
      const id = text.toLowerCase();
      if (inUse.has(id)) throw badRequest(`The ${what} ${id} is already in use in this form.`);
      inUse.add(id);
      return id;
    };
    const kinds = ITEM_KINDS.filter((k) => item[k] !== undefined);
    if (kinds.length === 0) {
      throw badRequest(
        'The item has no kind: set one of questionItem, questionGroupItem, pageBreakItem, textItem, imageItem, videoItem.',
      );
    }
    if (kinds.length > 1) {
      throw badRequest(
        `Invalid value at 'item' (oneof), oneof field 'kind' is already set. Cannot overwrite with '${snake(kinds[1]!)}'`,
      );
    }
    const kind = kinds[0]!;
    const itemId = claim(item.itemId, 'item ID');
    const body = item[kind] as JsonObject;
    switch (kind) {
      case 'imageItem':
      case 'videoItem':
        throw notEmulated(`An ${kind}`);
      case 'questionItem': {
        if (body.image !== undefined) throw notEmulated('An image in a question (questionItem.image)');
        const question = body.question as JsonObject | undefined;
        if (question === undefined) throw badRequest('questionItem.question is required.');
        checkQuestion(question, 'questionItem.question');
        question.questionId = claim(question.questionId, 'question ID');
        body.question = { questionId: question.questionId, ...question };
        break;
      }
      case 'questionGroupItem': {
        if (body.image !== undefined)
          throw notEmulated('An image in a question group (questionGroupItem.image)');
        const grid = body.grid as JsonObject | undefined;
        if (grid === undefined)
          throw notEmulated('A question group that is not a grid (questionGroupItem.grid)');
        const rows = (body.questions ?? []) as JsonObject[];
        if (rows.length === 0)
          throw badRequest('A grid needs at least one row: questionGroupItem.questions is empty.');
        if (grid.columns === undefined) throw badRequest('questionGroupItem.grid.columns is required.');
        checkChoice(grid.columns as JsonObject, 'questionGroupItem.grid.columns', 'grid');
        body.questions = rows.map((row, k) => {
          const where = `questionGroupItem.questions[${k}]`;
          const kinds = QUESTION_KINDS.filter((q) => row[q] !== undefined);
          if (kinds.length !== 1 || kinds[0] !== 'rowQuestion') {
            throw badRequest(`${where}: every question of a grid must be a rowQuestion.`);
          }
          if (row.grading !== undefined) throw notEmulated('Grading (quizzes)');
          if ((row.rowQuestion as JsonObject).title === undefined) {
            throw badRequest(`${where}.rowQuestion.title must not be empty.`);
          }
          const questionId = claim(row.questionId, 'question ID');
          return { questionId, ...row };
        });
        break;
      }
      default:
        break;
    }
    const out: JsonObject = { itemId };
    for (const k of ['title', 'description'] as const) if (item[k] !== undefined) out[k] = item[k];
    out[kind] = body;
    return out;
  }

  /** Every goToSectionId names a pageBreakItem of the form (checked after each request). */
  private checkSections(work: Work): void {
    const sections = new Set(
      work.items.filter((it) => it.pageBreakItem !== undefined).map((it) => it.itemId),
    );
    for (const item of work.items) {
      const choice = ((item.questionItem as JsonObject | undefined)?.question as JsonObject | undefined)
        ?.choiceQuestion as JsonObject | undefined;
      for (const option of (choice?.options ?? []) as JsonObject[]) {
        const target = option.goToSectionId;
        if (target === undefined || sections.has(target)) continue;
        throw badRequest(
          `goToSectionId ${String(target)} of item ${String(item.itemId)} does not name a section (a pageBreakItem) of the form.`,
        );
      }
    }
  }

  // ----- publish settings -----

  /** forms.setPublishSettings */
  setPublishSettings(id: string, body: unknown): JsonObject {
    const form = this.form(id);
    const b = read(body, 'SetPublishSettingsRequest');
    const settings = b.publishSettings as JsonObject | undefined;
    if (settings === undefined) throw badRequest('publish_settings is required.');
    const paths =
      typeof b.updateMask === 'string' && b.updateMask.trim() !== '' ? b.updateMask.split(',') : ['*'];
    for (const p of paths.map((x) => x.trim())) {
      if (!['*', 'publishState', 'publish_state'].includes(p)) {
        throw badRequest(`Invalid field mask path "${p}": only "publish_state" and "*" can be updated.`);
      }
    }
    const state = (settings.publishState ?? {}) as JsonObject;
    if (typeof state.isPublished !== 'boolean' || typeof state.isAcceptingResponses !== 'boolean') {
      throw badRequest(
        'When updating publish_state, both is_published and is_accepting_responses must be set.',
      );
    }
    if (state.isAcceptingResponses && !state.isPublished) {
      throw badRequest(
        'A form that is not published cannot accept responses: is_accepting_responses must be false.',
      );
    }
    form.publishState = { isPublished: state.isPublished, isAcceptingResponses: state.isAcceptingResponses };
    return { formId: form.formId, publishSettings: { publishState: { ...form.publishState } } };
  }

  // ----- responses -----

  /** forms.responses.list: `filter`, `pageSize` (0 or none: 5000, the most), `pageToken`. */
  listResponses(id: string, query: URLSearchParams): JsonObject {
    const form = this.form(id);
    const filter = query.get('filter') ?? '';
    const match = parseFilter(filter);
    const sizeText = query.get('pageSize');
    const size = sizeText === null || sizeText === '' ? 0 : Number(sizeText);
    if (!Number.isInteger(size) || size > 2 ** 31 - 1) {
      throw badRequest(`Invalid value at 'page_size' (TYPE_INT32), "${sizeText}"`);
    }
    if (size < 0) throw badRequest('page_size must not be negative.');
    const limit = size === 0 || size > 5000 ? 5000 : size;
    let after: [string, number] | undefined;
    const token = query.get('pageToken');
    if (token !== null && token !== '') {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const t = decoded as { f?: unknown; k?: unknown } | undefined;
      if (!t || !Array.isArray(t.k) || typeof t.k[0] !== 'string' || typeof t.k[1] !== 'number') {
        throw badRequest('The page token is invalid.');
      }
      if (t.f !== filter)
        throw badRequest('The filter must be the same as in the request that gave the page token.');
      after = [t.k[0], t.k[1]];
    }
    const key = (r: StoredResponse): [string, number] => [sortableTime(r.lastSubmittedTime), r.seq];
    const before = (a: [string, number], b: [string, number]) =>
      a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const all = [...form.responses.values()]
      .filter((r) => match(sortableTime(r.lastSubmittedTime)))
      .sort((a, b) => (before(key(a), key(b)) ? -1 : before(key(b), key(a)) ? 1 : 0))
      .filter((r) => after === undefined || before(after, key(r)));
    const page = all.slice(0, limit);
    const out: JsonObject = {};
    if (page.length) out.responses = page.map((r) => this.responseJson(form, r, false));
    if (all.length > limit) {
      const last = page[page.length - 1]!;
      out.nextPageToken = Buffer.from(JSON.stringify({ f: filter, k: key(last) })).toString('base64url');
    }
    return out;
  }

  /** forms.responses.get */
  getResponse(id: string, responseId: string): JsonObject {
    const form = this.form(id);
    const r = form.responses.get(responseId);
    if (!r) throw new ApiError(404, NOT_FOUND_MESSAGE);
    return this.responseJson(form, r, true);
  }

  /** A person submits (or edits) a response in the browser; returns it as responses.get would. */
  submit(id: string, submission: FormSubmission): JsonObject {
    const form = this.form(id);
    if (!form.publishState.isPublished) {
      throw new ApiError(403, `The form ${id} is not published: nobody can open it to respond.`);
    }
    if (!form.publishState.isAcceptingResponses) {
      throw new ApiError(403, `The form ${id} is no longer accepting responses.`);
    }
    const s = (submission ?? {}) as FormSubmission;
    let time = new Date(this.now()).toISOString();
    if (s.submittedAt !== undefined) {
      const t = Date.parse(String(s.submittedAt));
      if (!/^\d{4}-\d\d-\d\dT/.test(String(s.submittedAt)) || Number.isNaN(t)) {
        throw badRequest(`submittedAt must be an ISO-8601 time, got ${JSON.stringify(s.submittedAt)}.`);
      }
      time = new Date(t).toISOString();
    }
    const email = this.respondentEmail(form, s.respondentEmail);
    if (!isObject(s.answers ?? {})) throw badRequest('answers must be an object of values by question id.');
    const { sections, questions } = layout(form.items);
    const answers: Record<string, string[]> = {};
    for (const [qid, given] of Object.entries(s.answers ?? {})) {
      const q = questions.get(qid);
      if (!q) throw badRequest(`The form ${id} has no question ${qid}.`);
      const values = answerValues(q, given);
      if (values.length) answers[qid] = values;
    }
    const route = visitedSections(sections, answers);
    for (const qid of Object.keys(answers)) {
      const q = questions.get(qid)!;
      if (!route.has(q.section)) {
        const section = sections[q.section]!;
        throw badRequest(
          `Question ${qid} ("${q.title}") is in section ${section.id} ("${section.title}"), which these answers skip: a respondent would not see it.`,
        );
      }
    }
    for (const q of questions.values()) {
      if (q.question.required === true && route.has(q.section) && answers[q.questionId] === undefined) {
        throw badRequest(`Question ${q.questionId} ("${q.title}") is required.`);
      }
    }
    if (s.responseId !== undefined && (typeof s.responseId !== 'string' || s.responseId.trim() === '')) {
      throw badRequest(`responseId must be a non-empty string, got ${JSON.stringify(s.responseId)}.`);
    }
    const existing = s.responseId === undefined ? undefined : form.responses.get(s.responseId);
    let stored: StoredResponse;
    if (existing) {
      if (
        form.settings.emailCollectionType === 'VERIFIED' &&
        existing.respondentEmail?.toLowerCase() !== email?.toLowerCase()
      ) {
        throw new ApiError(403, `Response ${existing.responseId} belongs to another respondent.`);
      }
      if (sortableTime(time) < sortableTime(existing.lastSubmittedTime)) {
        throw badRequest(
          `submittedAt ${time} is before the response's last submission, ${existing.lastSubmittedTime}.`,
        );
      }
      stored = { ...existing, lastSubmittedTime: time, answers, seq: ++this.seq };
      if (email === undefined) delete stored.respondentEmail;
      else stored.respondentEmail = email;
    } else {
      let responseId = s.responseId;
      while (responseId === undefined || form.responses.has(responseId)) {
        responseId = this.randomString('ACYDBN', 50);
      }
      stored = { responseId, createTime: time, lastSubmittedTime: time, answers, seq: ++this.seq };
      if (email !== undefined) stored.respondentEmail = email;
    }
    form.responses.set(stored.responseId, stored);
    return this.responseJson(form, stored, true);
  }

  private respondentEmail(form: StoredForm, given: unknown): string | undefined {
    const collection = form.settings.emailCollectionType ?? 'DO_NOT_COLLECT';
    if (collection === 'DO_NOT_COLLECT') return undefined;
    const email = typeof given === 'string' ? given.trim() : '';
    if (email === '') {
      throw badRequest(
        collection === 'VERIFIED'
          ? `The form ${form.formId} collects verified email addresses: the respondent must be signed in (give respondentEmail).`
          : `The form ${form.formId} asks for the respondent's email address (give respondentEmail).`,
      );
    }
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw badRequest(`"${email}" is not a valid email address.`);
    return email;
  }

  // ----- JSON -----

  private json(form: StoredForm): JsonObject {
    const out: JsonObject = {
      formId: form.formId,
      info: structuredClone(form.info),
      settings: structuredClone(form.settings),
    };
    if (form.items.length) out.items = structuredClone(form.items);
    out.revisionId = revisionId(form);
    out.responderUri = `https://docs.google.com/forms/d/e/${form.responderId}/viewform`;
    out.publishSettings = { publishState: { ...form.publishState } };
    return out;
  }

  private responseJson(form: StoredForm, r: StoredResponse, withFormId: boolean): JsonObject {
    const out: JsonObject = {};
    if (withFormId) out.formId = form.formId;
    out.responseId = r.responseId;
    out.createTime = r.createTime;
    out.lastSubmittedTime = r.lastSubmittedTime;
    if (r.respondentEmail !== undefined) out.respondentEmail = r.respondentEmail;
    const entries = Object.entries(r.answers);
    if (entries.length) {
      out.answers = Object.fromEntries(
        entries.map(([questionId, values]) => [
          questionId,
          { questionId, textAnswers: { answers: values.map((value) => ({ value })) } },
        ]),
      );
    }
    return out;
  }

  /** Every form as forms.get returns it, with its responses (oldest submission first). */
  dump(): JsonObject[] {
    return [...this.store.values()].map((form) => ({
      ...this.json(form),
      responses: [...form.responses.values()]
        .sort((a, b) => a.seq - b.seq)
        .map((r) => this.responseJson(form, r, true)),
    }));
  }
}

function revisionId(form: StoredForm): string {
  return String(form.revision).padStart(8, '0');
}

function questionIdsOf(item: JsonObject): string[] {
  const single = (item.questionItem as JsonObject | undefined)?.question as JsonObject | undefined;
  if (single) return [String(single.questionId)];
  const rows = ((item.questionGroupItem as JsonObject | undefined)?.questions ?? []) as JsonObject[];
  return rows.map((q) => String(q.questionId));
}

function idsOf(item: JsonObject): string[] {
  return [String(item.itemId), ...questionIdsOf(item)];
}

function checkQuestion(question: JsonObject, where: string): void {
  const kinds = QUESTION_KINDS.filter((k) => question[k] !== undefined);
  if (kinds.length === 0) {
    throw badRequest(`${where} has no kind: set choiceQuestion, textQuestion or dateQuestion.`);
  }
  if (kinds.length > 1) {
    throw badRequest(
      `Invalid value at '${snake(where)}' (oneof), oneof field 'kind' is already set. Cannot overwrite with '${snake(kinds[1]!)}'`,
    );
  }
  if (question.grading !== undefined) throw notEmulated('Grading (quizzes)');
  const kind = kinds[0]!;
  switch (kind) {
    case 'choiceQuestion':
      checkChoice(question.choiceQuestion as JsonObject, `${where}.choiceQuestion`, 'question');
      return;
    case 'textQuestion':
    case 'dateQuestion':
      return;
    case 'rowQuestion':
      throw badRequest(`${where}: a rowQuestion can only be a row of a questionGroupItem grid.`);
    case 'fileUploadQuestion':
      throw badRequest('The API currently does not support creating file upload questions.');
    default:
      throw notEmulated(`A ${kind}`);
  }
}

function checkChoice(choice: JsonObject, where: string, mode: 'question' | 'grid'): void {
  const type = choice.type as string | undefined;
  if (type === undefined) throw badRequest(`${where}.type is required.`);
  if (mode === 'grid' && type === 'DROP_DOWN') {
    throw badRequest(`${where}.type must be RADIO or CHECKBOX: a grid's columns cannot be a drop-down.`);
  }
  const options = (choice.options ?? []) as JsonObject[];
  if (options.length === 0) throw badRequest(`${where}.options must not be empty.`);
  const values = new Set<string>();
  let others = 0;
  options.forEach((o, k) => {
    const at = `${where}.options[${k}]`;
    if (o.image !== undefined) throw notEmulated(`An image in an option (${at}.image)`);
    if (o.isOther === true) {
      if (mode === 'grid')
        throw badRequest(`${at}: an "other" option is not allowed in a questionGroupItem.`);
      if (type === 'DROP_DOWN')
        throw badRequest(`${at}: an "other" option only applies to RADIO and CHECKBOX.`);
      if (++others > 1) throw badRequest(`${where}: only one option can be "other".`);
    } else {
      const value = o.value as string | undefined;
      if (value === undefined) throw badRequest(`${at}.value must not be empty.`);
      if (values.has(value)) throw badRequest(`${where}: the option value "${value}" appears twice.`);
      values.add(value);
    }
    if (o.goToAction !== undefined || o.goToSectionId !== undefined) {
      if (mode === 'grid') throw badRequest(`${at}: section navigation is not allowed in a grid.`);
      if (type === 'CHECKBOX') {
        throw badRequest(
          `${at}: section navigation (go_to_action, go_to_section_id) needs a RADIO or DROP_DOWN question.`,
        );
      }
      if (o.goToSectionId !== undefined) {
        const target = String(o.goToSectionId);
        if (!ID_PATTERN.test(target)) throw badRequest(`${at}.goToSectionId "${target}" is not an item ID.`);
        o.goToSectionId = target.toLowerCase();
      }
    }
  });
}

/** The form's sections (split at page breaks) and its questions by id. */
function layout(items: readonly JsonObject[]): { sections: Section[]; questions: Map<string, Question> } {
  const sections: Section[] = [{ title: '', questions: [] }];
  const questions = new Map<string, Question>();
  const add = (q: Question) => {
    sections[q.section]!.questions.push(q);
    questions.set(q.questionId, q);
  };
  for (const item of items) {
    const title = String(item.title ?? '');
    if (item.pageBreakItem !== undefined) {
      sections.push({ id: String(item.itemId), title, questions: [] });
      continue;
    }
    const section = sections.length - 1;
    const single = (item.questionItem as JsonObject | undefined)?.question as JsonObject | undefined;
    if (single) {
      const choice = single.choiceQuestion as JsonObject | undefined;
      const kind = choice ? 'choice' : single.dateQuestion !== undefined ? 'date' : 'text';
      add({ questionId: String(single.questionId), title, kind, question: single, choice, section });
    }
    const group = item.questionGroupItem as JsonObject | undefined;
    if (group) {
      const columns = (group.grid as JsonObject).columns as JsonObject;
      for (const row of (group.questions ?? []) as JsonObject[]) {
        const rowTitle = `${title} [${String((row.rowQuestion as JsonObject).title)}]`;
        add({
          questionId: String(row.questionId),
          title: rowTitle,
          kind: 'row',
          question: row,
          choice: columns,
          section,
        });
      }
    }
  }
  return { sections, questions };
}

/** A submitted answer checked against its question, as the values textAnswers will list. */
function answerValues(q: Question, given: unknown): string[] {
  const where = `Question ${q.questionId} ("${q.title}")`;
  if (typeof given !== 'string' && !(Array.isArray(given) && given.every((v) => typeof v === 'string'))) {
    throw badRequest(`${where}: an answer must be a string or a list of strings.`);
  }
  const values = (typeof given === 'string' ? [given] : (given as string[])).filter((v) => v.trim() !== '');
  if (values.length === 0) return [];
  const choice = q.choice;
  const multiple = choice?.type === 'CHECKBOX';
  if (!multiple && values.length > 1) throw badRequest(`${where} takes one answer, got ${values.length}.`);
  if (q.kind === 'text') {
    if (q.question.textQuestion && (q.question.textQuestion as JsonObject).paragraph !== true) {
      if (/[\r\n]/.test(values[0]!)) throw badRequest(`${where} is a short answer: it takes one line.`);
    }
    return values;
  }
  if (q.kind === 'date') {
    const date = q.question.dateQuestion as JsonObject;
    const withYear = date.includeYear === true;
    const withTime = date.includeTime === true;
    const pattern = new RegExp(
      `^${withYear ? '(\\d{4})-' : '()'}(\\d\\d)-(\\d\\d)${withTime ? ' (\\d\\d):(\\d\\d)' : ''}$`,
    );
    const m = pattern.exec(values[0]!);
    const format = `${withYear ? 'YYYY-' : ''}MM-DD${withTime ? ' HH:MM' : ''}`;
    const ok =
      m !== null &&
      validDate(withYear ? Number(m[1]) : 2000, Number(m[2]), Number(m[3])) &&
      (!withTime || (Number(m[4]) < 24 && Number(m[5]) < 60));
    if (!ok) throw badRequest(`${where}: "${values[0]}" is not a date in the question's format, ${format}.`);
    return values;
  }
  const options = (choice!.options ?? []) as JsonObject[];
  const known = options.filter((o) => o.isOther !== true).map((o) => String(o.value));
  const hasOther = options.some((o) => o.isOther === true);
  if (new Set(values).size !== values.length) throw badRequest(`${where}: an option is chosen twice.`);
  const others = values.filter((v) => !known.includes(v));
  if (others.length > (hasOther ? 1 : 0)) {
    throw badRequest(
      `${where}: "${others[hasOther ? 1 : 0]}" is not one of its options (${known.map((v) => `"${v}"`).join(', ')}).`,
    );
  }
  return [...known.filter((v) => values.includes(v)), ...others];
}

/** The sections a respondent giving these answers goes through, from the first. */
function visitedSections(sections: readonly Section[], answers: Record<string, string[]>): Set<number> {
  const visited = new Set<number>();
  let s = 0;
  while (s < sections.length) {
    if (visited.has(s)) {
      throw badRequest(
        `These answers send the respondent back to section ${sections[s]!.id ?? '(the first)'} in a loop: they could not be submitted.`,
      );
    }
    visited.add(s);
    let next = s + 1;
    if (s < sections.length - 1) {
      for (const q of sections[s]!.questions) {
        const type = q.choice?.type;
        const value = answers[q.questionId]?.[0];
        if (q.kind !== 'choice' || (type !== 'RADIO' && type !== 'DROP_DOWN') || value === undefined)
          continue;
        const options = (q.choice!.options ?? []) as JsonObject[];
        const option =
          options.find((o) => o.isOther !== true && o.value === value) ?? options.find((o) => o.isOther);
        if (!option) continue;
        if (option.goToSectionId !== undefined) {
          next = sections.findIndex((x) => x.id === option.goToSectionId);
        } else if (option.goToAction === 'NEXT_SECTION') {
          next = s + 1;
        } else if (option.goToAction === 'SUBMIT_FORM') {
          next = sections.length;
        } else if (option.goToAction === 'RESTART_FORM') {
          throw badRequest(
            `The answer "${value}" to question ${q.questionId} ("${q.title}") restarts the form: a response with it cannot be submitted.`,
          );
        }
      }
    }
    s = next;
  }
  return visited;
}

/** `timestamp > N` or `timestamp >= N`, N in RFC 3339 UTC; an empty filter matches everything. */
function parseFilter(filter: string): (time: string) => boolean {
  if (filter.trim() === '') return () => true;
  const m = /^\s*timestamp\s*(>=|>)\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z)\s*$/.exec(filter);
  const valid = m !== null && !Number.isNaN(Date.parse(m[2]!.replace(/(\.\d{3})\d+Z$/, '$1Z')));
  if (!m || !valid) {
    throw badRequest(
      `Invalid filter "${filter}": only "timestamp > N" and "timestamp >= N" are supported, N an RFC 3339 UTC time such as 2014-10-02T15:01:23Z.`,
    );
  }
  const bound = sortableTime(m[2]!);
  return m[1] === '>' ? (t) => t > bound : (t) => t >= bound;
}
