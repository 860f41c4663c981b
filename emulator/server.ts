/**
 * The Workspace emulator's HTTP server (Sheets v4, Docs v1, Drive v3 files, Gmail v1 messages,
 * Forms v1): Google's URL forms and error bodies on top of the pure SheetsState, DocsState,
 * DriveState, GmailState and FormsState, plus what tests
 * need around them: a request log, injected faults, latency, "human edits" between calls (Sheets
 * only), per-user per-minute quotas, and a control API (in-process methods, and the same over
 * HTTP under /__emulator/).
 *
 * Docs: POST /v1/documents, GET /v1/documents/ID, POST /v1/documents/ID:batchUpdate.
 * Drive: POST|GET /drive/v3/files, GET|PATCH /drive/v3/files/ID. A document made through either
 * API is both a Drive file and a document with the same id.
 * Gmail: POST /gmail/v1/users/USER/messages/send, GET /gmail/v1/users/USER/messages,
 * GET /gmail/v1/users/USER/messages/ID (USER: `me` or EmulatorOptions.gmailUser).
 * Forms: POST /v1/forms[?unpublished=true], GET /v1/forms/ID, POST /v1/forms/ID:batchUpdate,
 * POST /v1/forms/ID:setPublishSettings, GET /v1/forms/ID/responses[?filter&pageSize&pageToken],
 * GET /v1/forms/ID/responses/RID. A form is also a Drive file (application/vnd.google-apps.form).
 * Responses come from people: Emulator.submitResponse, or POST /__emulator/forms/submit.
 *
 * An API call goes through, in order: its number is counted; edits due before it are applied;
 * the latency is waited; a fault due on it answers instead (unless the fault is `afterApply`,
 * in which case the call is carried out and its answer replaced); 401 without a bearer token;
 * 429 over quota; then the call itself.
 *
 * Control over HTTP (JSON bodies; never counted, logged, authenticated or faulted):
 *   GET  /__emulator/state          { spreadsheets: [...every tab's values...], documents: [...],
 *                                     files: [...Drive files...], messages: [...Gmail messages...],
 *                                     forms: [...each form with its items, publishSettings and
 *                                     responses...], requests: [log] }
 *   GET  /__emulator/requests       the request log
 *   GET  /__emulator/documents/<id>/text   a Doc as plain text (e.g. the pack)
 *   POST /__emulator/faults/fail    FailOptions
 *   POST /__emulator/faults/drop    DropOptions
 *   POST /__emulator/faults/clear   drops pending faults and edits, latency back to 0
 *   POST /__emulator/latency        { ms }
 *   POST /__emulator/edits          { before?: n, edit: EmulatorEdit } (now when `before` is absent)
 *   POST /__emulator/quota          { perMinute: number | false }
 *   POST /__emulator/seed           { tables: Table[], title, timeZone } → { spreadsheetId }
 *   POST /__emulator/forms/submit   { formId, respondentEmail?, submittedAt?, answers, responseId? }
 *                                   → the stored response (FormsState.submit: a person submitting
 *                                     a response in the browser; a responseId the form has is an
 *                                     edit of that response, a new one names the new response)
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Table } from '../src/core/types';
import { type CellData, renderCell, type Scalar, type ValueRenderOption } from './cells';
import { DocsState } from './docs';
import {
  DOCUMENT_MIME,
  DriveState,
  FILE_DEFAULT_FIELDS,
  FORM_MIME,
  LIST_DEFAULT_FIELDS,
  SPREADSHEET_MIME,
} from './drive';
import { ApiError, notEmulated } from './errors';
import { applyFields } from './fields';
import { type FormSubmission, FormsState } from './forms';
import { GMAIL_USER, GmailState } from './gmail';
import { type SeedOptions, seedOfTables, seedOfWorkbook } from './seed';
import { type HumanEdit, type JsonObject, metadataCharacters, SheetsState, seededRandom } from './sheets';

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Sheets requests per minute per user, for reads and for writes each (Google: 60); the other
   * APIs keep their own published quotas (QUOTAS). false: no quota on any API.
   */
  quotaPerMinute?: number | false;
  /** The clock of quotas and of the request log (ms since the epoch). */
  now?: () => number;
  /** Seed of the PRNG behind ids and fault shares. */
  seed?: number;
  /** See SheetsOptions.metadataFollowsSort. */
  metadataFollowsSort?: boolean;
  /** When set, only these bearer tokens are accepted; otherwise any token is. */
  tokens?: string[];
  /**
   * Who may answer a published form: 'granted' (default) only those given a responder
   * permission in Drive (the reading worse for a job, see DriveState.mayRespond); 'anyone'.
   */
  formResponders?: 'granted' | 'anyone';
  /** The authenticated user's address (Gmail's userId besides `me`; the From of sent mail). */
  gmailUser?: string;
  /** The account's send-as aliases: a From that Gmail keeps (any other is replaced by gmailUser). */
  gmailSendAs?: string[];
}

export interface FailOptions {
  /** The HTTP status to answer with, in Google's error shape (502 is Google's HTML page). */
  status: number;
  /** The nth API call from now (1-based; counting only calls matching `path`). Default 1. */
  onCall?: number;
  /** Instead of (or from) `onCall`: fail this share of calls (0..1), drawn from the seeded PRNG. */
  share?: number;
  /** How many calls fail: consecutive calls from `onCall`, or at most this many with `share`. */
  times?: number;
  retryAfterSeconds?: number;
  /** A regular expression matched against the decoded path, e.g. ':batchUpdate$' or 'values:append'. */
  path?: string;
  message?: string;
  /** Carry the call out, then answer with the failure (the client cannot know it succeeded). */
  afterApply?: boolean;
  /**
   * Fail the first attempt of every distinct call (same method, path, query and body) and let
   * its repeats through: "every call fails once". Unlimited unless `times` is given.
   */
  eachOnce?: boolean;
}

export type DropOptions = Omit<FailOptions, 'status' | 'retryAfterSeconds' | 'message'>;

export type EmulatorEdit = HumanEdit & {
  /** Which spreadsheet; may be left out while the emulator holds exactly one. */
  spreadsheetId?: string;
};

export interface LogEntry {
  seq: number;
  method: string;
  /** Decoded path, e.g. `/v4/spreadsheets/ID/values/'Changes'!A1:append`. */
  path: string;
  query: Record<string, string | string[]>;
  kind: 'read' | 'write';
  /** HTTP status sent, or 'dropped' when the connection was destroyed. */
  status: number | 'dropped';
  /** The emulator clock when the call arrived (ISO-8601). */
  time: string;
  body?: unknown;
  /** 'fail 503', 'drop', 'fail 503 after apply'… when a fault answered. */
  fault?: string;
  /** The edits applied just before this call. */
  edits?: HumanEdit[];
}

export interface EmulatorState {
  spreadsheets: JsonObject[];
  /** Every document as documents.get returns it, plus its `text`. */
  documents: JsonObject[];
  /** Every Drive file (the root folder first) with all its fields. */
  files: JsonObject[];
  /** Every sent Gmail message, oldest first, headers decoded, with its text/plain (and html) body. */
  messages: JsonObject[];
  /** Every form as forms.get returns it, plus `responses` (each as responses.get returns it). */
  forms: JsonObject[];
  requests: LogEntry[];
}

export interface Emulator {
  /** 'http://127.0.0.1:PORT/', the rootUrl to give the googleapis clients. */
  readonly apiRoot: string;
  readonly port: number;
  /** The spreadsheets, live. */
  readonly state: SheetsState;
  /** The documents, live. */
  readonly docs: DocsState;
  /** The Drive files, live. */
  readonly drive: DriveState;
  /** The Gmail mailbox, live. */
  readonly gmail: GmailState;
  /** The forms and their responses, live. */
  readonly forms: FormsState;
  readonly log: readonly LogEntry[];
  /** API calls received so far. */
  readonly calls: number;
  fail(options: FailOptions): void;
  dropConnection(options?: DropOptions): void;
  /** Milliseconds added to every API call (0 turns it off). */
  latency(ms: number): void;
  /** Drops pending faults and edits, and sets the latency back to 0. */
  clearFaults(): void;
  /** Applies a person's edit before the nth API call from now (1 = the next call). */
  editBefore(n: number, edit: EmulatorEdit): void;
  /** Applies a person's edit now. */
  edit(edit: EmulatorEdit): void;
  setQuota(perMinute: number | false): void;
  seedFromTables(tables: Table[], opts: SeedOptions): string;
  seedFromWorkbook(file: string, opts?: Partial<SeedOptions>): Promise<string>;
  /** A tab's values as a read with the given render option returns them (default UNFORMATTED_VALUE). */
  values(spreadsheetId: string, sheet: string, render?: ValueRenderOption): Scalar[][];
  /** Developer metadata characters (keys and values) in use: the spreadsheet's own, and per sheet title. */
  metadataCharacters(spreadsheetId: string): { spreadsheet: number; sheets: Record<string, number> };
  /**
   * A person submits (or, with the `responseId` of one, edits) a response to a form in the browser;
   * returns it as responses.get would. Throws an ApiError (403, 400, 404) when they could not.
   */
  submitResponse(formId: string, submission: FormSubmission): JsonObject;
  dump(): EmulatorState;
  close(): Promise<void>;
}

interface Fault {
  drop: boolean;
  status: number;
  message?: string;
  retryAfterSeconds?: number;
  afterApply: boolean;
  path?: RegExp;
  onCall?: number;
  share?: number;
  remaining: number;
  seen: number;
  /** eachOnce: the signatures of the calls already failed once. */
  failed?: Set<string>;
}

const STANDARD_PARAMS = [
  'fields',
  'alt',
  'prettyPrint',
  'key',
  'quotaUser',
  'access_token',
  'oauth_token',
  '$.xgafv',
  'callback',
  'upload_protocol',
  'uploadType',
  'userIp',
];

const GFE_502 = `<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 502 (Server Error)!!1</title>
  <p><b>502.</b> <ins>That’s an error.</ins>
  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins>
`;

interface Call {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

interface Route {
  kind: 'read' | 'write';
  params: readonly string[];
  run: () => unknown;
  /** The partial response when the call names no `fields` (Drive's default file fields). */
  defaultFields?: string;
}

const DRIVE_COMMON_PARAMS = [
  'supportsAllDrives',
  'supportsTeamDrives',
  'includePermissionsForView',
  'includeLabels',
] as const;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const random = seededRandom(options.seed ?? 1);
  const state = new SheetsState({
    random: seededRandom((options.seed ?? 1) + 1),
    metadataFollowsSort: options.metadataFollowsSort,
  });
  const idRandom = seededRandom((options.seed ?? 1) + 2);
  const issued = new Set<string>();
  /** Ids of documents and Drive files, never one of another file or spreadsheet. */
  const newFileId = (): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (;;) {
      let id = '1';
      for (let i = 1; i < 44; i++) id += alphabet[Math.floor(idRandom() * alphabet.length)];
      if (!state.spreadsheets.has(id) && !issued.has(id)) {
        issued.add(id);
        return id;
      }
    }
  };
  const docs = new DocsState({ random: seededRandom((options.seed ?? 1) + 3), newId: newFileId });
  const forms = new FormsState({ random: seededRandom((options.seed ?? 1) + 4), newId: newFileId, now });
  const drive = new DriveState({ docs, forms, newId: newFileId, now });
  const responders = options.formResponders ?? 'granted';
  const gmail = new GmailState({ user: options.gmailUser ?? GMAIL_USER, sendAs: options.gmailSendAs, now });
  const log: LogEntry[] = [];
  let faults: Fault[] = [];
  const edits: { at: number; edit: EmulatorEdit }[] = [];
  let calls = 0;
  let latencyMs = 0;
  let quota: number | false = options.quotaPerMinute ?? 60;
  const windows = new Map<string, { at: number; cost: number }[]>();

  const applyEdit = (edit: EmulatorEdit): void => {
    const { spreadsheetId, ...human } = edit;
    let id = spreadsheetId;
    if (id === undefined) {
      const ids = [...state.spreadsheets.keys()];
      if (ids.length !== 1)
        throw new Error(`The edit names no spreadsheetId and the emulator holds ${ids.length}`);
      id = ids[0]!;
    }
    state.edit(id, human as HumanEdit);
  };

  const pickFault = (path: string, signature: string): Fault | undefined => {
    let chosen: Fault | undefined;
    for (const f of faults) {
      if (f.path && !f.path.test(path)) continue;
      f.seen++;
      if (chosen || f.remaining <= 0) continue;
      if (f.failed) {
        if (f.failed.has(signature)) continue;
        f.failed.add(signature);
      }
      const due = f.onCall === undefined || f.seen >= f.onCall;
      if (!due) continue;
      if (f.share !== undefined && random() >= f.share) continue;
      chosen = f;
      f.remaining--;
    }
    faults = faults.filter((f) => f.remaining > 0);
    return chosen;
  };

  /** Each API's own per-user per-minute quota, counted in requests or (Gmail) in units. */
  const overQuota = (
    token: string,
    method: string,
    path: string,
    kind: 'read' | 'write',
  ): ApiError | undefined => {
    if (quota === false) return undefined;
    const q = quotaOf(method, path, kind);
    const limit = q.api === 'sheets' ? quota : q.limit;
    const key = `${token}\u0000${q.api}\u0000${q.metric}`;
    const t = now();
    const recent = (windows.get(key) ?? []).filter((x) => x.at > t - 60_000);
    const used = recent.reduce((n, x) => n + x.cost, 0);
    if (used + q.cost > limit) {
      windows.set(key, recent);
      return quotaError({ ...q, limit });
    }
    recent.push({ at: t, cost: q.cost });
    windows.set(key, recent);
    return undefined;
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, 500, new ApiError(500, `Emulator failure: ${(error as Error).message}`).body());
      }
    });
  });
  // Node closes an idle kept-alive connection after 5 s; a client reusing it then sees a reset on
  // a call it cannot safely repeat. Google's front ends keep idle connections far longer: so
  // does the emulator (a job that plans a large register for several seconds between calls).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const text = await readBody(req);
    if (url.pathname.startsWith('/__emulator/')) {
      control(req.method ?? 'GET', url.pathname.slice('/__emulator/'.length), text, res);
      return;
    }
    const seq = ++calls;
    const method = req.method ?? 'GET';
    const path = safeDecode(url.pathname);
    const entry: LogEntry = {
      seq,
      method,
      path,
      query: queryObject(url.searchParams),
      kind: kindOf(method, path),
      status: 0,
      time: new Date(now()).toISOString(),
    };
    log.push(entry);
    const due = edits.filter((e) => e.at === seq);
    for (const e of due) edits.splice(edits.indexOf(e), 1);
    try {
      for (const e of due) applyEdit(e.edit);
    } catch (error) {
      entry.status = 500;
      send(res, 500, new ApiError(500, `Emulator edit failed: ${(error as Error).message}`).body());
      return;
    }
    if (due.length) entry.edits = due.map((e) => e.edit);
    if (latencyMs > 0) await sleep(latencyMs);

    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = Symbol.for('invalid-json');
    }
    if (typeof body !== 'symbol' && body !== undefined) entry.body = body;

    const fault = pickFault(path, `${method} ${req.url ?? ''} ${text}`);
    if (fault && !fault.afterApply) {
      answerFault(fault, entry, req, res);
      return;
    }
    const { status, payload, headers } = respond(req, url, method, body);
    if (fault) {
      answerFault(fault, entry, req, res, ' after apply');
      return;
    }
    entry.status = status;
    send(res, status, payload, headers);
  }

  function answerFault(
    fault: Fault,
    entry: LogEntry,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    suffix = '',
  ): void {
    if (fault.drop) {
      entry.status = 'dropped';
      entry.fault = `drop${suffix}`;
      req.socket.destroy();
      return;
    }
    entry.status = fault.status;
    entry.fault = `fail ${fault.status}${suffix}`;
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
    if (fault.status === 502 && fault.message === undefined) {
      res.writeHead(502, { 'Content-Type': 'text/html; charset=UTF-8', ...headers });
      res.end(GFE_502);
      return;
    }
    const error =
      fault.status === 429 && fault.message === undefined
        ? quotaError(quotaOf(entry.method, entry.path, entry.kind))
        : new ApiError(fault.status, fault.message);
    send(res, fault.status, error.body(), headers);
  }

  /** Auth, quota, routing and the call itself; every failure becomes Google's error body. */
  function respond(
    req: http.IncomingMessage,
    url: URL,
    method: string,
    body: unknown,
  ): { status: number; payload: unknown; headers?: Record<string, string> } {
    try {
      const token = bearer(req, url);
      if (token === undefined) throw missingCredentials();
      if (options.tokens && !options.tokens.includes(token)) throw invalidCredentials();
      if (typeof body === 'symbol') {
        throw new ApiError(400, 'Invalid JSON payload received. Unexpected token.');
      }
      const route = routeOf({
        method,
        segments: url.pathname.split('/').slice(1),
        query: url.searchParams,
        body,
      });
      for (const name of new Set(url.searchParams.keys())) {
        if (!route.params.includes(name) && !STANDARD_PARAMS.includes(name)) {
          throw new ApiError(
            400,
            `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
          );
        }
      }
      const limited = overQuota(token, method, url.pathname, route.kind);
      if (limited) throw limited;
      const result = route.run();
      const fields = url.searchParams.get('fields')?.replace(/\s+/g, '') || route.defaultFields;
      return { status: 200, payload: applyFields(result, fields) };
    } catch (error) {
      if (error instanceof ApiError)
        return { status: error.code, payload: error.body(), headers: error.headers };
      throw error;
    }
  }

  function routeOf(call: Call): Route {
    const { method, segments, query, body } = call;
    const notFound = () => new ApiError(404, 'Method not found.');
    if (segments[0] === 'v1' && segments[1] === 'documents') return docsRoute(call);
    if (segments[0] === 'v1' && segments[1] === 'forms') return formsRoute(call);
    if (segments[0] === 'drive' && segments[1] === 'v3' && segments[2] === 'files') return driveRoute(call);
    if (segments[0] === 'gmail' && segments[1] === 'v1' && segments[2] === 'users') return gmailRoute(call);
    if (segments[0] !== 'v4') throw notFound();
    const [collection, idPart, sub, rest, ...extra] = segments.slice(1);
    if (collection !== 'spreadsheets') throw notFound();
    if (idPart === undefined || idPart === '') {
      if (method !== 'POST') throw notFound();
      return {
        kind: 'write',
        params: [],
        run: () => {
          // A spreadsheet is a Drive file too (in the root, as Google makes it).
          const made = state.create(body ?? {}) as JsonObject;
          const title = ((made.properties as JsonObject | undefined)?.title as string | undefined) ?? '';
          drive.adopt(String(made.spreadsheetId), title, SPREADSHEET_MIME);
          return made;
        },
      };
    }
    const [rawId, verb, ...more] = idPart.split(':');
    if (more.length) throw notFound();
    const id = safeDecode(rawId!);
    const read = (params: readonly string[], run: () => unknown): Route => ({ kind: 'read', params, run });
    const write = (params: readonly string[], run: () => unknown): Route => ({ kind: 'write', params, run });
    const readParams = ['majorDimension', 'valueRenderOption', 'dateTimeRenderOption'] as const;
    const writeParams = [
      'valueInputOption',
      'includeValuesInResponse',
      'responseValueRenderOption',
      'responseDateTimeRenderOption',
    ] as const;
    const q = () => Object.fromEntries(query) as JsonObject;
    if (sub === undefined) {
      if (verb === undefined && method === 'GET') {
        return read(['ranges', 'includeGridData', 'excludeTablesInBandedRanges'], () =>
          state.get(id, {
            ranges: query.getAll('ranges'),
            includeGridData: query.get('includeGridData') === 'true',
          }),
        );
      }
      if (verb === 'batchUpdate' && method === 'POST') return write([], () => state.batchUpdate(id, body));
      if (verb === 'getByDataFilter' && method === 'POST')
        return read([], () => state.getByDataFilter(id, body));
      throw notFound();
    }
    if (verb !== undefined || extra.length) throw notFound();
    if (sub.startsWith('values')) {
      if (rest === undefined) {
        const [word, action] = sub.split(':');
        if (word !== 'values' || action === undefined) throw notFound();
        if (action === 'batchGet' && method === 'GET') {
          return read(['ranges', ...readParams], () => state.valuesBatchGet(id, query.getAll('ranges'), q()));
        }
        if (method !== 'POST') throw notFound();
        switch (action) {
          case 'batchUpdate':
            return write([], () => state.valuesBatchUpdate(id, body));
          case 'batchClear':
            return write([], () => state.valuesBatchClear(id, body));
          case 'batchGetByDataFilter':
            return read([], () => state.valuesBatchGetByDataFilter(id, body));
          case 'batchUpdateByDataFilter':
            return write([], () => state.valuesBatchUpdateByDataFilter(id, body));
          case 'batchClearByDataFilter':
            return write([], () => state.valuesBatchClearByDataFilter(id, body));
          default:
            throw notFound();
        }
      }
      if (sub !== 'values') throw notFound();
      const m = /^(.*?)(?::(append|clear))?$/.exec(rest)!;
      const range = safeDecode(m[1]!);
      const action = m[2];
      if (action === undefined && method === 'GET')
        return read(readParams, () => state.valuesGet(id, range, q()));
      if (action === undefined && method === 'PUT') {
        return write(writeParams, () => state.valuesUpdate(id, range, q(), body ?? {}));
      }
      if (action === 'append' && method === 'POST') {
        return write([...writeParams, 'insertDataOption'], () =>
          state.valuesAppend(id, range, q(), body ?? {}),
        );
      }
      if (action === 'clear' && method === 'POST') return write([], () => state.valuesClear(id, range));
      throw notFound();
    }
    if (sub === 'developerMetadata:search' && rest === undefined && method === 'POST') {
      return read([], () => state.searchDeveloperMetadata(id, body));
    }
    if (sub === 'developerMetadata' && rest !== undefined && method === 'GET') {
      return read([], () => state.getDeveloperMetadata(id, Number(rest)));
    }
    throw notFound();
  }

  /** Docs v1: POST /v1/documents, GET /v1/documents/ID, POST /v1/documents/ID:batchUpdate. */
  function docsRoute({ method, segments, query, body }: Call): Route {
    const notFound = () => new ApiError(404, 'Method not found.');
    const [idPart, ...extra] = segments.slice(2);
    if (extra.length) throw notFound();
    if (idPart === undefined || idPart === '') {
      if (method !== 'POST') throw notFound();
      return {
        kind: 'write',
        params: [],
        run: () => {
          const doc = docs.create(body ?? {});
          drive.adopt(String(doc.documentId), String(doc.title), DOCUMENT_MIME);
          return doc;
        },
      };
    }
    const [rawId, verb, ...more] = idPart.split(':');
    if (more.length) throw notFound();
    const id = safeDecode(rawId!);
    if (verb === undefined && method === 'GET') {
      return {
        kind: 'read',
        params: ['includeTabsContent', 'suggestionsViewMode'],
        run: () => docs.get(id, { includeTabsContent: query.get('includeTabsContent') === 'true' }),
      };
    }
    if (verb === 'batchUpdate' && method === 'POST') {
      return {
        kind: 'write',
        params: [],
        run: () => {
          const reply = docs.batchUpdate(id, body);
          drive.touch(id);
          return reply;
        },
      };
    }
    throw notFound();
  }

  /** Forms v1: forms create / get / batchUpdate / setPublishSettings, responses list / get. */
  function formsRoute({ method, segments, query, body }: Call): Route {
    const notFound = () => new ApiError(404, 'Method not found.');
    const [idPart, sub, responsePart, ...extra] = segments.slice(2);
    if (extra.length) throw notFound();
    if (idPart === undefined || idPart === '') {
      if (method !== 'POST' || sub !== undefined) throw notFound();
      return {
        kind: 'write',
        params: ['unpublished'],
        run: () => {
          const flag = query.get('unpublished');
          if (flag !== null && flag !== 'true' && flag !== 'false') {
            throw new ApiError(400, `Invalid value at 'unpublished' (TYPE_BOOL), "${flag}"`);
          }
          const form = forms.create(body ?? {}, { unpublished: flag === 'true' });
          const id = String(form.formId);
          drive.adopt(id, String((form.info as JsonObject).documentTitle), FORM_MIME);
          return form;
        },
      };
    }
    const [rawId, verb, ...more] = idPart.split(':');
    if (more.length) throw notFound();
    const id = safeDecode(rawId!);
    if (sub === undefined) {
      if (verb === undefined && method === 'GET')
        return { kind: 'read', params: [], run: () => forms.get(id) };
      if (method !== 'POST') throw notFound();
      if (verb === 'batchUpdate') {
        return {
          kind: 'write',
          params: [],
          run: () => {
            const reply = forms.batchUpdate(id, body);
            drive.touch(id);
            return reply;
          },
        };
      }
      if (verb === 'setPublishSettings') {
        return { kind: 'write', params: [], run: () => forms.setPublishSettings(id, body) };
      }
      throw notFound();
    }
    if (verb !== undefined) throw notFound();
    if (sub === 'watches') throw notEmulated('Forms watches');
    if (sub !== 'responses' || method !== 'GET') throw notFound();
    if (responsePart === undefined || responsePart === '') {
      return {
        kind: 'read',
        params: ['filter', 'pageSize', 'pageToken'],
        run: () => forms.listResponses(id, query),
      };
    }
    const responseId = safeDecode(responsePart);
    return { kind: 'read', params: [], run: () => forms.getResponse(id, responseId) };
  }

  /** Drive v3 files: create, list, get, update (metadata only). */
  function driveRoute({ method, segments, query, body }: Call): Route {
    const notFound = () => new ApiError(404, 'Method not found.');
    const [idPart, ...extra] = segments.slice(3);
    if (extra[0] === 'permissions' && idPart) {
      const fileId = safeDecode(idPart);
      const params = [
        ...DRIVE_COMMON_PARAMS,
        'sendNotificationEmail',
        'emailMessage',
        'transferOwnership',
        'moveToNewOwnersRoot',
        'useDomainAdminAccess',
        'pageSize',
        'pageToken',
        'enforceExpansiveAccess',
      ];
      if (extra.length === 1 && method === 'POST')
        return { kind: 'write', params, run: () => drive.createPermission(fileId, body) };
      if (extra.length === 1 && method === 'GET')
        return { kind: 'read', params, run: () => drive.listPermissions(fileId) };
      if (extra.length === 2 && method === 'DELETE')
        return { kind: 'write', params, run: () => drive.deletePermission(fileId, safeDecode(extra[1]!)) };
      throw notFound();
    }
    if (extra.length) throw notFound();
    const writeParams = [
      ...DRIVE_COMMON_PARAMS,
      'ignoreDefaultVisibility',
      'keepRevisionForever',
      'ocrLanguage',
      'useContentAsIndexableText',
      'enforceSingleParent',
    ];
    if (idPart === undefined || idPart === '') {
      if (method === 'POST') {
        return {
          kind: 'write',
          params: writeParams,
          defaultFields: FILE_DEFAULT_FIELDS,
          run: () => drive.create(body ?? {}),
        };
      }
      if (method === 'GET') {
        return {
          kind: 'read',
          params: [
            ...DRIVE_COMMON_PARAMS,
            'q',
            'pageSize',
            'pageToken',
            'orderBy',
            'spaces',
            'corpora',
            'corpus',
            'driveId',
            'teamDriveId',
            'includeItemsFromAllDrives',
            'includeTeamDriveItems',
          ],
          defaultFields: LIST_DEFAULT_FIELDS,
          run: () => drive.list(query),
        };
      }
      throw notFound();
    }
    const id = safeDecode(idPart);
    if (method === 'GET') {
      return {
        kind: 'read',
        params: [...DRIVE_COMMON_PARAMS, 'acknowledgeAbuse'],
        defaultFields: FILE_DEFAULT_FIELDS,
        run: () => drive.get(id),
      };
    }
    if (method === 'PATCH') {
      return {
        kind: 'write',
        params: [...writeParams, 'addParents', 'removeParents'],
        defaultFields: FILE_DEFAULT_FIELDS,
        run: () => drive.update(id, body ?? {}, query),
      };
    }
    throw notFound();
  }

  /** Gmail v1 users.messages: send (JSON `raw`), list, get. */
  function gmailRoute({ method, segments, query, body }: Call): Route {
    const notFound = () => new ApiError(404, 'Method not found.');
    const [rawUser, collection, idPart, ...extra] = segments.slice(3);
    if (
      rawUser === undefined ||
      rawUser === '' ||
      (collection !== 'messages' && collection !== 'profile') ||
      extra.length
    )
      throw notFound();
    const user = safeDecode(rawUser);
    const checked =
      <T>(run: () => T) =>
      () => {
        gmail.checkUser(user);
        return run();
      };
    if (idPart === undefined && collection === 'profile') {
      // users.getProfile: the account's address (the contract sends to it).
      if (method !== 'GET') throw notFound();
      return {
        kind: 'read',
        params: [],
        run: checked(() => ({
          emailAddress: gmail.user,
          messagesTotal: gmail.messages.size,
          threadsTotal: gmail.messages.size,
          historyId: '1',
        })),
      };
    }
    if (idPart === undefined || idPart === '') {
      if (method !== 'GET') throw notFound();
      return {
        kind: 'read',
        params: ['q', 'maxResults', 'pageToken', 'labelIds', 'includeSpamTrash'],
        run: checked(() => gmail.list(query)),
      };
    }
    if (idPart === 'send' && method === 'POST') {
      return { kind: 'write', params: [], run: checked(() => gmail.send(body)) };
    }
    if (method === 'GET') {
      const id = safeDecode(idPart);
      return {
        kind: 'read',
        params: ['format', 'metadataHeaders'],
        run: checked(() => gmail.get(id, query)),
      };
    }
    throw notFound();
  }

  function control(method: string, path: string, text: string, res: http.ServerResponse): void {
    const doc = /^documents\/([^/]+)\/text$/.exec(path);
    if (method === 'GET' && doc) {
      // A Doc as plain text, to read a pack the job built without a browser.
      const found = (emulator.dump().documents as { documentId: string; text: string }[]).find(
        (d) => d.documentId === decodeURIComponent(doc[1]!),
      );
      res.writeHead(found ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(found ? found.text : 'No such document.\n');
      return;
    }
    try {
      send(res, 200, controlAnswer(method, path, text === '' ? {} : (JSON.parse(text) as JsonObject)));
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(400, (error as Error).message);
      send(res, e.code, e.body());
    }
  }

  function controlAnswer(method: string, path: string, body: JsonObject): unknown {
    const ok = { ok: true };
    if (method === 'GET' && path === 'state') return emulator.dump();
    if (method === 'GET' && path === 'requests') return log;
    if (method !== 'POST') throw new ApiError(404, 'No such emulator control.');
    switch (path) {
      case 'faults/fail':
        emulator.fail(body as unknown as FailOptions);
        return ok;
      case 'faults/drop':
        emulator.dropConnection(body as DropOptions);
        return ok;
      case 'faults/clear':
        emulator.clearFaults();
        return ok;
      case 'latency':
        emulator.latency(Number(body.ms ?? 0));
        return ok;
      case 'quota':
        emulator.setQuota(body.perMinute === false ? false : Number(body.perMinute));
        return ok;
      case 'edits': {
        const edit = body.edit as EmulatorEdit;
        if (body.before === undefined) emulator.edit(edit);
        else emulator.editBefore(Number(body.before), edit);
        return ok;
      }
      case 'forms/submit': {
        const { formId, ...submission } = body;
        if (typeof formId !== 'string') throw new ApiError(400, 'forms/submit needs a formId.');
        return emulator.submitResponse(formId, submission as unknown as FormSubmission);
      }
      case 'seed':
        return {
          spreadsheetId: emulator.seedFromTables(body.tables as Table[], {
            title: String(body.title ?? 'Milestone register'),
            timeZone: String(body.timeZone ?? 'UTC'),
          }),
        };
      default:
        throw new ApiError(404, 'No such emulator control.');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const emulator: Emulator = {
    apiRoot: `http://127.0.0.1:${port}/`,
    port,
    state,
    docs,
    drive,
    gmail,
    forms,
    log,
    get calls() {
      return calls;
    },
    fail(o) {
      if (!Number.isInteger(o.status) || o.status < 400 || o.status > 599) {
        throw new Error(`fail: status must be an HTTP error status, got ${o.status}`);
      }
      faults.push(faultOf(o, false));
    },
    dropConnection(o = {}) {
      faults.push(faultOf({ ...o, status: 0 }, true));
    },
    latency(ms) {
      latencyMs = Math.max(0, ms);
    },
    clearFaults() {
      faults = [];
      edits.length = 0;
      latencyMs = 0;
    },
    editBefore(n, edit) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`editBefore: n must be 1 or more, got ${n}`);
      edits.push({ at: calls + n, edit });
    },
    edit(edit) {
      applyEdit(edit);
    },
    setQuota(perMinute) {
      quota = perMinute === false || perMinute <= 0 ? false : perMinute;
      windows.clear();
    },
    seedFromTables(tables, opts) {
      return state.seed(seedOfTables(tables, opts));
    },
    async seedFromWorkbook(file, opts) {
      return state.seed(await seedOfWorkbook(file, opts));
    },
    values(spreadsheetId, sheet, render = 'UNFORMATTED_VALUE') {
      const ss = state.spreadsheet(spreadsheetId);
      const tab = ss.sheets.find((s) => s.properties.title.toLowerCase() === sheet.toLowerCase());
      if (!tab) throw new Error(`No sheet "${sheet}" in ${spreadsheetId}`);
      return tabValues(tab.rows, render);
    },
    metadataCharacters(spreadsheetId) {
      const ss = state.spreadsheet(spreadsheetId);
      const used = metadataCharacters(ss);
      const sheets: Record<string, number> = {};
      for (const sh of ss.sheets) sheets[sh.properties.title] = used.sheets.get(sh.properties.sheetId) ?? 0;
      return { spreadsheet: used.spreadsheet, sheets };
    },
    submitResponse(formId, submission) {
      // Only responders the form was shared with may answer (DriveState.mayRespond).
      if (
        responders === 'granted' &&
        drive.has(formId) &&
        !drive.mayRespond(formId, submission.respondentEmail)
      ) {
        throw new ApiError(
          403,
          `${submission.respondentEmail ?? 'An anonymous respondent'} is not a responder of this form: share it with them (Drive permission, role reader, view published).`,
        );
      }
      return forms.submit(formId, submission);
    },
    dump() {
      return {
        spreadsheets: state.dump(),
        documents: docs.dump(),
        files: drive.dump(),
        messages: gmail.dump(),
        forms: forms.dump(),
        requests: structuredClone(log),
      };
    },
    close() {
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return emulator;

  function faultOf(o: FailOptions, drop: boolean): Fault {
    if (o.share !== undefined && (o.share < 0 || o.share > 1)) throw new Error('share must be within 0..1');
    if (o.onCall !== undefined && (!Number.isInteger(o.onCall) || o.onCall < 1)) {
      throw new Error('onCall must be 1 or more');
    }
    return {
      drop,
      status: o.status,
      message: o.message,
      retryAfterSeconds: o.retryAfterSeconds,
      afterApply: o.afterApply === true,
      path: o.path === undefined ? undefined : new RegExp(o.path),
      onCall: o.onCall ?? (o.share === undefined && !o.eachOnce ? 1 : undefined),
      share: o.share,
      remaining: o.times ?? (o.share === undefined && !o.eachOnce ? 1 : Number.POSITIVE_INFINITY),
      seen: 0,
      ...(o.eachOnce ? { failed: new Set<string>() } : {}),
    };
  }
}

// ---------- helpers ----------

function tabValues(
  rows: ({ cells: (CellData | undefined)[] } | undefined)[],
  render: ValueRenderOption,
): Scalar[][] {
  const out = rows.map((row) => {
    const cells = (row?.cells ?? []).map((c) => renderCell(c, render, 'SERIAL_NUMBER'));
    let end = cells.length;
    while (end > 0 && cells[end - 1] === undefined) end--;
    return cells.slice(0, end).map((v) => v ?? '');
  });
  let end = out.length;
  while (end > 0 && out[end - 1]!.length === 0) end--;
  return out.slice(0, end);
}

function kindOf(method: string, path: string): 'read' | 'write' {
  if (method === 'GET') return 'read';
  return /:(batchGetByDataFilter|getByDataFilter|search)$/.test(path) ? 'read' : 'write';
}

function bearer(req: http.IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (m) return m[1];
  return url.searchParams.get('access_token') ?? undefined;
}

function missingCredentials(): ApiError {
  return new ApiError(
    401,
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'CREDENTIALS_MISSING',
          domain: 'googleapis.com',
          metadata: { service: 'sheets.googleapis.com' },
        },
      ],
      headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' },
    },
  );
}

function invalidCredentials(): ApiError {
  return new ApiError(401, undefined, {
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
        domain: 'googleapis.com',
        metadata: { service: 'sheets.googleapis.com' },
      },
    ],
    headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}

/** One API's quota that a call counts against. */
export interface Quota {
  api: 'sheets' | 'docs' | 'drive' | 'forms' | 'gmail';
  service: string;
  /** Google's metric name, as its 429 names it. */
  metric: string;
  limitName: string;
  /** Per user per minute. */
  limit: number;
  /** What this call costs: 1 request, or Gmail's quota units. */
  cost: number;
}

/**
 * Each API's published per-user per-minute quota (the emulator applies the per-user ones: a
 * job runs as one user):
 * - Sheets API "Usage limits": read requests and write requests "Per minute per user per
 *   project 60" each.
 * - Docs API "Usage limits": "Read requests Per minute per user per project 300"; "Write
 *   requests Per minute per user per project 60".
 * - Forms API "Usage limits": "Read requests … Per minute per user per project 390";
 *   "Expensive read requests (Used for forms.responses.list requests.) … Per minute per user
 *   per project 180"; "Write requests … Per minute per user per project 150".
 * - Drive API "Usage limits": "Queries per 60 seconds per user 12,000".
 * - Gmail API "Usage limits": "Per user rate limit 15,000 quota units per user per minute",
 *   with a cost per method ("Per-method quota usage": messages.send 100, messages.list 5,
 *   messages.get 5).
 */
export function quotaOf(method: string, path: string, kind: 'read' | 'write'): Quota {
  const rw = (api: Quota['api'], service: string, read: number, write: number): Quota => ({
    api,
    service,
    metric: kind === 'read' ? 'Read requests' : 'Write requests',
    limitName: `${kind === 'read' ? 'Read' : 'Write'}RequestsPerMinutePerUser`,
    limit: kind === 'read' ? read : write,
    cost: 1,
  });
  if (path.startsWith('/gmail/')) {
    const cost = /\/messages\/send$/.test(path) ? 100 : 5;
    return {
      api: 'gmail',
      service: 'gmail.googleapis.com',
      metric: 'Queries',
      limitName: 'QueriesPerMinutePerUser',
      limit: 15_000,
      cost,
    };
  }
  if (path.startsWith('/drive/')) {
    return {
      ...rw('drive', 'drive.googleapis.com', 12_000, 12_000),
      metric: 'Queries',
      limitName: 'QueriesPerMinutePerUser',
    };
  }
  if (path.startsWith('/v1/forms')) {
    if (method === 'GET' && /\/responses$/.test(path)) {
      return {
        api: 'forms',
        service: 'forms.googleapis.com',
        metric: 'Expensive read requests',
        limitName: 'ExpensiveReadRequestsPerMinutePerUser',
        limit: 180,
        cost: 1,
      };
    }
    return rw('forms', 'forms.googleapis.com', 390, 150);
  }
  if (path.startsWith('/v1/documents')) return rw('docs', 'docs.googleapis.com', 300, 60);
  return rw('sheets', 'sheets.googleapis.com', 60, 60);
}

function quotaError(q: Quota): ApiError {
  return new ApiError(
    429,
    `Quota exceeded for quota metric '${q.metric}' and limit '${q.metric} per minute per user' of service '${q.service}' for consumer 'project_number:000000000000'.`,
    {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: {
            quota_metric: `${q.service}/${q.metric.toLowerCase().replace(/ /g, '_')}`,
            quota_limit: q.limitName,
            quota_limit_value: String(q.limit),
            quota_location: 'global',
            service: q.service,
            consumer: 'projects/000000000000',
          },
        },
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [
            {
              description: 'Request a higher quota limit.',
              url: 'https://cloud.google.com/docs/quotas/help/request_increase',
            },
          ],
        },
      ],
    },
  );
}

function send(
  res: http.ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(payload, null, 2);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
