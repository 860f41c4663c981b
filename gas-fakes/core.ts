/**
 * The core of a fake Apps Script world: one virtual clock, the executions (Apps Script's 6-minute
 * limit, 30 seconds for simple triggers, LIMITED authorization), per-call counting and costs, ids,
 * and the state every service shares (Drive files, triggers, locks, properties, mail, logs, UI).
 *
 * Every fake service object is a `Fake`: its constructor returns a Proxy that, for each call of a
 * public method from outside the fakes (the script, or a test), checks the execution is still
 * alive and allowed to call it, counts it (`Range.getValues`), advances the clock by its cost,
 * converts the result into the calling realm (a vm context has its own Array, Object, Date and
 * Error: results are built there, so `instanceof Array` / `instanceof Date` / `instanceof Error`
 * hold in the script as they do in Apps Script) and turns errors into that realm's Errors. Calls
 * the fakes make to each other are neither counted nor charged. Reading a method Apps Script has
 * but the fake does not gives a function that throws `FakeRange.getFoo is not implemented`.
 */
import { DocsState } from '../emulator/docs';
import type { FormState } from './forms';
import type { SpreadsheetState } from './spreadsheet';

/**
 * The platform's methods K of T as a fake must take them: the same parameters (the last overload
 * when there are several; enum parameters are `unknown` in the fakes), returning the fakes' own
 * objects. Methods returning plain data are checked with `Pick<T, K>` instead.
 */
export type Accepts<T, K extends keyof T> = {
  [P in K]: T[P] extends (...args: infer A) => unknown ? (...args: A) => unknown : never;
};

// ---------- enums ----------

/** An Apps Script enum value: `String(v)` and `v.name()` are its name, compared by identity. */
export class GasEnum {
  constructor(
    readonly enumName: string,
    private readonly key: string,
    private readonly index: number,
  ) {
    Object.freeze(this);
  }
  name(): string {
    return this.key;
  }
  ordinal(): number {
    return this.index;
  }
  toString(): string {
    return this.key;
  }
  toJSON(): string {
    return this.key;
  }
}

function enumOf<const K extends string>(enumName: string, keys: readonly K[]): Readonly<Record<K, GasEnum>> {
  const out = {} as Record<K, GasEnum>;
  keys.forEach((k, i) => {
    out[k] = new GasEnum(enumName, k, i);
  });
  return Object.freeze(out);
}

export const Enums = {
  ProtectionType: enumOf('ProtectionType', ['RANGE', 'SHEET']),
  DataValidationCriteria: enumOf('DataValidationCriteria', [
    'VALUE_IN_LIST',
    'VALUE_IN_RANGE',
    'DATE_IS_VALID_DATE',
  ]),
  BooleanCriteria: enumOf('BooleanCriteria', ['TEXT_EQUAL_TO']),
  PageNavigationType: enumOf('PageNavigationType', ['CONTINUE', 'GO_TO_PAGE', 'RESTART', 'SUBMIT']),
  ItemType: enumOf('ItemType', [
    'CHECKBOX',
    'CHECKBOX_GRID',
    'DATE',
    'DATETIME',
    'DURATION',
    'GRID',
    'IMAGE',
    'LIST',
    'MULTIPLE_CHOICE',
    'PAGE_BREAK',
    'PARAGRAPH_TEXT',
    'SCALE',
    'SECTION_HEADER',
    'TEXT',
    'TIME',
    'VIDEO',
    'FILE_UPLOAD',
  ]),
  EventType: enumOf('EventType', [
    'CLOCK',
    'ON_OPEN',
    'ON_EDIT',
    'ON_FORM_SUBMIT',
    'ON_CHANGE',
    'ON_EVENT_UPDATED',
  ]),
  TriggerSource: enumOf('TriggerSource', ['SPREADSHEETS', 'CLOCK', 'FORMS', 'DOCUMENTS', 'CALENDAR']),
  AuthMode: enumOf('AuthMode', ['NONE', 'CUSTOM_FUNCTION', 'LIMITED', 'FULL']),
  WeekDay: enumOf('Weekday', ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY']),
  Button: enumOf('Button', ['CLOSE', 'OK', 'CANCEL', 'YES', 'NO']),
  ButtonSet: enumOf('ButtonSet', ['OK', 'OK_CANCEL', 'YES_NO', 'YES_NO_CANCEL']),
  ChartType: enumOf('ChartType', [
    'TIMELINE',
    'AREA',
    'BAR',
    'BUBBLE',
    'CANDLESTICK',
    'COLUMN',
    'COMBO',
    'GAUGE',
    'GEO',
    'HISTOGRAM',
    'RADAR',
    'LINE',
    'ORG',
    'PIE',
    'SCATTER',
    'SPARKLINE',
    'STEPPED_AREA',
    'TABLE',
    'TREEMAP',
    'WATERFALL',
  ]),
} as const;

// ---------- costs ----------

export type CostGroup =
  | 'spreadsheet'
  | 'form'
  | 'mail'
  | 'docs'
  | 'drive'
  | 'properties'
  | 'lock'
  | 'script'
  | 'other';

/** Virtual milliseconds each service call takes. */
export interface Costs {
  /** Range methods that read cells: getValues, getDisplayValues, getValue, getNotes, getFormulas… */
  rangeRead: number;
  /** Range methods that change cells: setValues, setValue, setNotes, clearContent, protect… */
  rangeWrite: number;
  /** Every other SpreadsheetApp / Spreadsheet / Sheet / Range call (getRange, getLastRow…). */
  spreadsheet: number;
  /** Every FormApp call (forms, items, choices, responses). */
  form: number;
  /** MailApp.sendEmail (getRemainingDailyQuota is free). */
  mail: number;
  /** Docs.Documents.create and get. */
  docs: number;
  docsBatchUpdate: number;
  drive: number;
  properties: number;
  lock: number;
  script: number;
  /** Session, Logger, console, Utilities (but Utilities.sleep takes its argument), builders, UI. */
  other: number;
  /** Each cell a Range values or notes call reads or writes (getValues, setValues, getNotes…), on top of the call. */
  perCell: number;
  /** Overrides by counted name, e.g. `{ 'Range.getValues': 50 }`. */
  methods: Record<string, number>;
}

export const DEFAULT_COSTS: Costs = {
  rangeRead: 20,
  rangeWrite: 20,
  spreadsheet: 5,
  form: 50,
  mail: 300,
  docs: 100,
  docsBatchUpdate: 200,
  drive: 50,
  properties: 10,
  lock: 10,
  script: 20,
  other: 0,
  perCell: 0,
  methods: {},
};

/** Service calls that take no virtual time: one clock per run, as the local job's --now. */
export const NO_COSTS: Costs = {
  rangeRead: 0,
  rangeWrite: 0,
  spreadsheet: 0,
  form: 0,
  mail: 0,
  docs: 0,
  docsBatchUpdate: 0,
  drive: 0,
  properties: 0,
  lock: 0,
  script: 0,
  other: 0,
  perCell: 0,
  methods: {},
};

/**
 * Costs from published measurements, for measuring what a person waits for (the onEdit figures
 * of `npm run bench`), each rounded to the slower side:
 * - A Range read or write is a round trip to the Sheets backend: Google's "Best Practices"
 *   (Apps Script, "Use batch operations") — its 100 × 100 cell-by-cell example, one call per
 *   cell, is the slow case the page warns of; Bruce McPherson, "Measuring sheet operation
 *   performance" (ramblings.mcpher.com): reads and writes of a whole 1,000–10,000-row sheet in
 *   tens to hundreds of milliseconds, growing with the rows. Taken as 50 ms a call.
 * - Cells: "a single write of a 4000-cell spreadsheet took less than 50ms" (Stack Overflow,
 *   "What is faster: ScriptDb or SpreadsheetApp?", measured with Apps Script's own clock):
 *   12.5 µs a cell, taken as 50 µs (four times slower) for reads and writes alike.
 * - Other Spreadsheet calls (getSheets, getName, getLastRow…) 10 ms; properties and the lock 20 ms.
 */
export const PUBLISHED_COSTS: Costs = {
  ...DEFAULT_COSTS,
  rangeRead: 50,
  rangeWrite: 50,
  spreadsheet: 10,
  properties: 20,
  lock: 20,
  perCell: 0.05,
  methods: {},
};

const RANGE_READS = /^Range\.get(Values|DisplayValues|Value|Formulas|Notes?|DataValidation|NumberFormat)$/;
const RANGE_WRITES = /^Range\.(set|clear|protect)/;

// ---------- realms ----------

/** The constructors results are built with: the host's, or a vm context's. */
export interface Realm {
  Array: ArrayConstructor;
  Object: ObjectConstructor;
  Date: DateConstructor;
  Error: ErrorConstructor;
}

export const HOST_REALM: Realm = { Array, Object, Date, Error };

/** Whether `v` is a Date of any realm. */
export function isDate(v: unknown): v is Date {
  return Object.prototype.toString.call(v) === '[object Date]';
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A copy of `v` built in `realm`: arrays, Dates and plain objects; anything else as it is. */
export function toRealm(v: unknown, realm: Realm): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new realm.Array<unknown>();
    for (let i = 0; i < v.length; i++) out.push(toRealm(v[i], realm));
    return out;
  }
  if (isDate(v)) return new realm.Date(v.getTime());
  if (isPlainObject(v)) {
    const out = new realm.Object() as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) out[k] = toRealm(x, realm);
    return out;
  }
  return v;
}

// ---------- executions ----------

export type AuthModeName = 'FULL' | 'LIMITED';

export interface Execution {
  functionName: string;
  /** Virtual ms when it started. */
  start: number;
  limitMs: number;
  authMode: AuthModeName;
  /** Whether a user interface is there (menus, simple triggers): SpreadsheetApp.getUi() works. */
  ui: boolean;
  realm: Realm;
  /** Set when the time limit killed it: every later service call throws again. */
  killed: boolean;
}

export const TIME_LIMIT_MESSAGE = 'Exceeded maximum execution time';
export const FULL_LIMIT_MS = 6 * 60_000;
export const SIMPLE_TRIGGER_LIMIT_MS = 30_000;

const SCOPES: readonly [RegExp, string][] = [
  [/^MailApp\./, 'https://www.googleapis.com/auth/script.send_mail'],
  [/^(DriveApp|File|Folder|FileIterator|FolderIterator)\./, 'https://www.googleapis.com/auth/drive'],
  [/^FormApp\.(create|openById)$/, 'https://www.googleapis.com/auth/forms'],
  [/^Docs\.Documents\./, 'https://www.googleapis.com/auth/documents'],
  [
    /^ScriptApp\.(newTrigger|getProjectTriggers|deleteTrigger)$/,
    'https://www.googleapis.com/auth/script.scriptapp',
  ],
  [/^SpreadsheetApp\.openById$/, 'https://www.googleapis.com/auth/spreadsheets'],
];

// ---------- shared state ----------

export type DriveKind = 'folder' | 'spreadsheet' | 'form' | 'document';

export const MIME_TYPES: Readonly<Record<DriveKind, string>> = {
  folder: 'application/vnd.google-apps.folder',
  spreadsheet: 'application/vnd.google-apps.spreadsheet',
  form: 'application/vnd.google-apps.form',
  document: 'application/vnd.google-apps.document',
};

/** A Drive file or folder. Documents keep their name in the DocsState (a title is the name). */
export interface DriveItem {
  id: string;
  kind: DriveKind;
  name: string;
  parents: string[];
  created: number;
}

export type TriggerKind = 'CLOCK' | 'ON_OPEN' | 'ON_EDIT' | 'ON_FORM_SUBMIT';

export interface TriggerState {
  uid: string;
  handler: string;
  eventType: TriggerKind;
  source: 'CLOCK' | 'SPREADSHEETS' | 'FORMS';
  /** The form's or spreadsheet's id; null for a clock trigger. */
  sourceId: string | null;
  /** For clock triggers: what the builder said (everyMinutes: 5, atHour: 9…). */
  schedule: Record<string, number | string>;
}

export type LockKind = 'script' | 'document' | 'user';

/** Who holds a lock: an execution, the test host (calls outside any execution), or "another execution". */
export type LockHolder = Execution | 'host' | 'other';

export interface LockState {
  holder?: LockHolder;
  /** When another execution holds it: the virtual ms it lets go, or undefined for never. */
  otherUntil?: number;
}

export interface SentMail {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
  htmlBody?: string;
  name?: string;
  replyTo?: string;
  at: Date;
}

export interface LogLine {
  source: 'Logger' | 'console';
  level: 'log' | 'info' | 'warn' | 'error';
  message: string;
  at: Date;
  functionName?: string;
}

export type MenuEntry =
  | { caption: string; functionName: string }
  | { separator: true }
  | { caption: string; subMenu: MenuEntry[] };

export interface MenuRecord {
  name: string;
  entries: MenuEntry[];
  addon: boolean;
}

export interface AlertRecord {
  title?: string;
  prompt: string;
  buttons?: string;
}

/** One run of a trigger's function: what it returned or threw. */
export interface TriggerRun {
  trigger: TriggerState;
  event: Record<string, unknown>;
  ok: boolean;
  result?: unknown;
  error?: unknown;
}

/** What runs a script function for a trigger (the loaded bundle). A failure is reported, not thrown. */
export interface TriggerRunner {
  runTrigger(trigger: TriggerState, event?: Record<string, unknown>): TriggerRun;
}

export interface WorldOptions {
  /** The virtual clock's start (default 2026-01-05T09:00:00Z, a Monday). */
  now?: Date;
  /** The script's and the active spreadsheet's time zone (default 'Europe/London'). */
  timeZone?: string;
  /** The user running the script, owner of every file (default 'owner@example.com'). */
  userEmail?: string;
  /** Email recipients per day (default 1,500, Google Workspace). */
  mailQuota?: number;
  costs?: Partial<Costs>;
  /** The limit of an execution (default 6 minutes) and of a simple trigger (default 30 s). */
  executionLimitMs?: number;
  simpleTriggerLimitMs?: number;
  /** Seeds the ids (default 20260105). */
  seed?: number;
  /** The name of the active (bound) spreadsheet (default 'Milepost'). */
  spreadsheetName?: string;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Properties a Proxy over a fake answers `undefined` for (promise checks, test printers). */
const NOT_METHODS = new Set(['then', 'toJSON', 'asymmetricMatch', 'nodeType', 'inspect', 'prototype']);

export interface FakeClass {
  readonly gas: string;
  readonly group: CostGroup;
  readonly name: string;
}

type AnyFunction = (...args: unknown[]) => unknown;

export class World {
  readonly timeZone: string;
  readonly userEmail: string;
  readonly costs: Costs;
  readonly executionLimitMs: number;
  readonly simpleTriggerLimitMs: number;
  readonly scriptId: string;

  private nowMs: number;
  private readonly random: () => number;
  private readonly usedNumbers = new Set<number>();
  private readonly calls = new Map<string, number>();
  private readonly executions: Execution[] = [];
  private depth = 0;

  // ----- shared state (read it in tests) -----
  readonly files = new Map<string, DriveItem>();
  readonly rootFolderId: string;
  readonly spreadsheets = new Map<string, SpreadsheetState>();
  activeSpreadsheetId = '';
  readonly forms = new Map<string, FormState>();
  readonly docs: DocsState;
  readonly triggers: TriggerState[] = [];
  readonly locks: Record<LockKind, LockState> = { script: {}, document: {}, user: {} };
  readonly properties: Record<'script' | 'document' | 'user', Map<string, string>> = {
    script: new Map(),
    document: new Map(),
    user: new Map(),
  };
  readonly mail: {
    quota: number;
    used: number;
    sent: SentMail[];
    /** When the current quota day started (the first send); it lasts 24 hours. */
    dayStart?: number;
  };
  readonly logs: LogLine[] = [];
  readonly ui: { menus: MenuRecord[]; alerts: AlertRecord[]; nextButton: string } = {
    menus: [],
    alerts: [],
    nextButton: 'OK',
  };
  /** The loaded bundle, which runs triggers (set by loadBundle). */
  runner?: TriggerRunner;

  constructor(options: WorldOptions = {}) {
    this.nowMs = (options.now ?? new Date('2026-01-05T09:00:00Z')).getTime();
    this.timeZone = options.timeZone ?? 'Europe/London';
    this.userEmail = options.userEmail ?? 'owner@example.com';
    this.costs = { ...DEFAULT_COSTS, ...options.costs, methods: { ...options.costs?.methods } };
    this.executionLimitMs = options.executionLimitMs ?? FULL_LIMIT_MS;
    this.simpleTriggerLimitMs = options.simpleTriggerLimitMs ?? SIMPLE_TRIGGER_LIMIT_MS;
    this.random = seeded(options.seed ?? 20260105);
    this.mail = { quota: options.mailQuota ?? 1500, used: 0, sent: [] };
    this.docs = new DocsState({ random: this.random, newId: () => this.newId() });
    this.scriptId = this.newId();
    this.rootFolderId = this.newId();
    this.files.set(this.rootFolderId, {
      id: this.rootFolderId,
      kind: 'folder',
      name: 'My Drive',
      parents: [],
      created: this.nowMs,
    });
  }

  // ----- the clock -----

  /** Virtual now, in ms. */
  now(): number {
    return this.nowMs;
  }

  /** Virtual now as a host Date. */
  date(): Date {
    return new Date(this.nowMs);
  }

  advance(ms: number): void {
    if (ms > 0) this.nowMs += ms;
  }

  /** The time `n` cells take to read or write (Costs.perCell), past the call itself. */
  cells(n: number): void {
    this.advance(n * this.costs.perCell);
    this.checkTime();
  }

  /** Moves the clock to `to` (it never goes back). */
  setNow(to: Date | number): void {
    this.nowMs = Math.max(this.nowMs, typeof to === 'number' ? to : to.getTime());
  }

  // ----- ids -----

  /** A Drive-style id: 44 characters starting with '1'. */
  newId(): string {
    for (;;) {
      let id = '1';
      for (let i = 1; i < 44; i++) id += ID_ALPHABET[Math.floor(this.random() * ID_ALPHABET.length)];
      if (!this.files.has(id) && !this.docs.documents.has(id)) return id;
    }
  }

  /** A positive int32, unique in this world (item ids, entry ids, sheet ids, trigger ids). */
  newNumber(): number {
    for (;;) {
      const n = 100_000_000 + Math.floor(this.random() * 2_000_000_000);
      if (!this.usedNumbers.has(n)) {
        this.usedNumbers.add(n);
        return n;
      }
    }
  }

  /** A random token of `length` characters, for response ids and the like. */
  token(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ID_ALPHABET[Math.floor(this.random() * (ID_ALPHABET.length - 2))];
    return out;
  }

  // ----- counting -----

  /** How many times each service method was called (by the script or a test), e.g. `Range.getValues`. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The count of one method, or the sum over a prefix ending in '.' (`'Range.'`). */
  count(name: string): number {
    if (!name.endsWith('.')) return this.calls.get(name) ?? 0;
    let sum = 0;
    for (const [k, n] of this.calls) if (k.startsWith(name)) sum += n;
    return sum;
  }

  resetCounts(): void {
    this.calls.clear();
  }

  private costOf(name: string, group: CostGroup): number {
    const override = this.costs.methods[name];
    if (override !== undefined) return override;
    if (RANGE_READS.test(name)) return this.costs.rangeRead;
    if (RANGE_WRITES.test(name)) return this.costs.rangeWrite;
    if (group === 'mail') return name === 'MailApp.sendEmail' ? this.costs.mail : 0;
    if (group === 'docs')
      return name === 'Docs.Documents.batchUpdate' ? this.costs.docsBatchUpdate : this.costs.docs;
    return this.costs[group];
  }

  // ----- executions -----

  /** The running execution, if any. */
  get execution(): Execution | undefined {
    return this.executions[this.executions.length - 1];
  }

  beginExecution(e: Omit<Execution, 'start' | 'killed' | 'limitMs'> & { limitMs?: number }): Execution {
    const ex: Execution = {
      ...e,
      start: this.nowMs,
      killed: false,
      limitMs: e.limitMs ?? (e.authMode === 'LIMITED' ? this.simpleTriggerLimitMs : this.executionLimitMs),
    };
    this.executions.push(ex);
    return ex;
  }

  /** Ends an execution: Apps Script releases the locks it still holds. */
  endExecution(ex: Execution): void {
    const i = this.executions.lastIndexOf(ex);
    if (i >= 0) this.executions.splice(i, 1);
    for (const lock of Object.values(this.locks)) if (lock.holder === ex) lock.holder = undefined;
  }

  /** Who is calling: the running execution, or the test host. */
  get caller(): Execution | 'host' {
    return this.execution ?? 'host';
  }

  /** The realm results go to: the running execution's vm context, or the host. */
  get realm(): Realm {
    return this.execution?.realm ?? HOST_REALM;
  }

  /** An Error of the calling realm, named like Apps Script's (`Exception: …` when printed). */
  error(message: string, name = 'Exception', extra: Record<string, unknown> = {}): Error {
    const e = new this.realm.Error(message);
    e.name = name;
    Object.assign(e, extra);
    return e;
  }

  /** Apps Script's error for arguments no overload takes. */
  signatureError(method: string, args: readonly unknown[]): Error {
    const type = (v: unknown) =>
      v === null || v === undefined
        ? 'null'
        : typeof v === 'string'
          ? 'String'
          : typeof v === 'number'
            ? 'number'
            : typeof v === 'boolean'
              ? 'Boolean'
              : Array.isArray(v)
                ? 'Object[]'
                : isDate(v)
                  ? 'Date'
                  : (((v as object).constructor as unknown as FakeClass | undefined)?.gas ?? 'Object');
    return this.error(
      `The parameters (${args.map(type).join(',')}) don't match the method signature for ${method}.`,
    );
  }

  private toCallerError(e: unknown): unknown {
    const realm = this.realm;
    if (realm === HOST_REALM || !(e instanceof Error)) return e;
    const out = new realm.Error(e.message);
    out.name = e.name === 'Error' ? 'Exception' : e.name;
    for (const [k, v] of Object.entries(e))
      (out as unknown as Record<string, unknown>)[k] = toRealm(v, realm);
    if (e.stack) out.stack = e.stack;
    return out;
  }

  /** Converts `v` into the calling realm. */
  out<T>(v: T): T {
    const realm = this.realm;
    return realm === HOST_REALM ? v : (toRealm(v, realm) as T);
  }

  /** Runs `fn` as the fakes' own work: nothing in it is counted or charged. */
  internal<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private beforeCall(name: string, group: CostGroup): void {
    const ex = this.execution;
    if (ex) {
      if (ex.killed) throw this.error(TIME_LIMIT_MESSAGE);
      if (this.nowMs - ex.start > ex.limitMs) {
        ex.killed = true;
        throw this.error(TIME_LIMIT_MESSAGE);
      }
      if (ex.authMode === 'LIMITED') {
        const scope = SCOPES.find(([re]) => re.test(name))?.[1];
        if (scope)
          throw this.error(`You do not have permission to call ${name}. Required permissions: ${scope}`);
      }
    }
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    this.advance(this.costOf(name, group));
  }

  /** Throws when the running execution is past its limit (for calls that take time, like sleep). */
  checkTime(): void {
    const ex = this.execution;
    if (ex && this.nowMs - ex.start > ex.limitMs) {
      ex.killed = true;
      throw this.error(TIME_LIMIT_MESSAGE);
    }
  }

  private invoke(name: string, group: CostGroup, fn: AnyFunction, self: unknown, args: unknown[]): unknown {
    if (this.depth > 0) return fn.apply(self, args);
    this.depth++;
    try {
      this.beforeCall(name, group);
      return this.out(fn.apply(self, args));
    } catch (e) {
      throw this.toCallerError(e);
    } finally {
      this.depth--;
    }
  }

  /** The Proxy every fake's constructor returns (see the file comment). */
  instrument<T extends object>(target: T): T {
    const ctor = target.constructor as unknown as FakeClass;
    const wrappers = new Map<string, AnyFunction>();
    const world = this;
    return new Proxy(target, {
      get(t, prop, receiver) {
        if (typeof prop === 'symbol' || prop === 'constructor') return Reflect.get(t, prop, receiver);
        if (prop in t) {
          const value: unknown = Reflect.get(t, prop, receiver);
          if (typeof value !== 'function' || Object.hasOwn(t, prop) || prop in Object.prototype) return value;
          let wrapper = wrappers.get(prop);
          if (!wrapper) {
            const name = `${ctor.gas}.${prop}`;
            const method = value as AnyFunction;
            wrapper = function (this: unknown, ...args: unknown[]) {
              return world.invoke(name, ctor.group, method, this, args);
            };
            wrappers.set(prop, wrapper);
          }
          return wrapper;
        }
        if (NOT_METHODS.has(prop) || /^[_$@]/.test(prop)) return undefined;
        let missing = wrappers.get(prop);
        if (!missing) {
          missing = () => {
            throw world.error(`${ctor.name}.${prop} is not implemented`, 'Error');
          };
          wrappers.set(prop, missing);
        }
        return missing;
      },
    });
  }

  // ----- logs -----

  log(source: LogLine['source'], level: LogLine['level'], message: string): void {
    this.logs.push({ source, level, message, at: this.date(), functionName: this.execution?.functionName });
  }
}

/**
 * A fake Apps Script object. Subclasses name themselves as Apps Script does (`static gas`, the
 * prefix of their counted calls) and say which cost they take (`static group`).
 */
export abstract class Fake {
  static readonly gas: string = 'Object';
  static readonly group: CostGroup = 'other';

  constructor(protected readonly w: World) {
    // biome-ignore lint/correctness/noConstructorReturn: the Proxy counts and guards every call.
    return w.instrument(this);
  }
}
