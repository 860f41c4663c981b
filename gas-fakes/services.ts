/**
 * Fake MailApp, PropertiesService, LockService, ScriptApp (triggers), Session, Logger, console
 * and Utilities.
 *
 * - MailApp counts recipients against a daily quota as Google does (to + cc + bcc, each address
 *   one; the day starts at the first send and lasts 24 hours); over it: "Service invoked too many
 *   times for one day: email." Sent messages are recorded in `world.mail.sent`. Also Google's
 *   per-message limits: 50 recipients ("Limit Exceeded: Email Recipients Per Message."), 200 KB of
 *   body ("Limit Exceeded: Email Body Size."), 250 characters of subject.
 * - Properties are strings; 9 KB per value ("Argument too large: value" — the message reported
 *   for it) and 500 KB per store, keys and values in UTF-8 ("You have exceeded the property
 *   storage quota. Please remove some properties and try again.").
 * - Locks: one state per kind (script, document, user) shared by every Lock object, held by an
 *   execution until it releases it or ends (Apps Script releases a script's locks when it ends).
 *   `world.holdLock(kind, until?)` makes "another execution" hold it (until a virtual time, or for
 *   ever): tryLock / waitLock then wait — the clock advances by the timeout, or to `until` if that
 *   comes first — and fail ("Lock timeout: another process was holding the lock for too long.").
 *   A test calling a Lock outside any execution holds it as "the host", which executions wait for.
 * - Triggers: at most 20 per user per script ("This script has too many triggers. Triggers must
 *   be deleted from the script before more can be added."); everyMinutes takes 1, 5, 10, 15 or
 *   30, everyHours 1, 2, 4, 6, 8 or 12; atHour needs everyDays or onWeekDay.
 * - Utilities.sleep(ms) advances the clock by ms; formatDate takes Java's SimpleDateFormat
 *   patterns.
 * - Session.getActiveUser() / getEffectiveUser() are the world's user in every mode (Apps Script
 *   may give an empty email to a simple trigger run by someone outside the owner's domain).
 */
import {
  type Accepts,
  Enums,
  Fake,
  type GasEnum,
  isDate,
  type LockKind,
  type TriggerKind,
  type TriggerState,
  type World,
} from './core';
import type { FakeForm } from './forms';
import type { FakeSpreadsheet } from './spreadsheet';
import { formatJava } from './time';

// ---------- MailApp ----------

const EMAIL = /^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$/;
const DAY_MS = 86_400_000;

export interface MailMessage {
  to?: string;
  cc?: string;
  bcc?: string;
  subject?: string;
  body?: string;
  htmlBody?: string;
  name?: string;
  replyTo?: string;
  noReply?: boolean;
}

function addresses(w: World, list: unknown): string[] {
  if (list === undefined || list === null || list === '') return [];
  return String(list)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((a) => {
      const address = /<([^<>]+)>\s*$/.exec(a)?.[1] ?? a;
      if (!EMAIL.test(address)) throw w.error(`Invalid email: ${a}`);
      return address;
    });
}

export class FakeMailApp
  extends Fake
  implements
    Pick<GoogleAppsScript.Mail.MailApp, 'getRemainingDailyQuota'>,
    Accepts<GoogleAppsScript.Mail.MailApp, 'sendEmail'>
{
  static override readonly gas = 'MailApp';
  static override readonly group = 'mail';

  private day(): void {
    const mail = this.w.mail;
    if (mail.dayStart !== undefined && this.w.now() - mail.dayStart >= DAY_MS) {
      mail.used = 0;
      mail.dayStart = undefined;
    }
  }

  getRemainingDailyQuota(): number {
    this.day();
    return Math.max(0, this.w.mail.quota - this.w.mail.used);
  }

  sendEmail(...args: unknown[]): void {
    const [a, b, c, d] = args;
    let message: MailMessage;
    if (args.length === 1 && typeof a === 'object' && a !== null) message = a as MailMessage;
    else if (args.length >= 3 && args.length <= 4 && [a, b, c].every((x) => typeof x === 'string')) {
      message =
        typeof d === 'string'
          ? { to: a as string, replyTo: b as string, subject: c as string, body: d }
          : {
              ...((d as MailMessage | undefined) ?? {}),
              to: a as string,
              subject: b as string,
              body: c as string,
            };
    } else {
      throw this.w.signatureError('MailApp.sendEmail', args);
    }
    const to = addresses(this.w, message.to);
    const cc = addresses(this.w, message.cc);
    const bcc = addresses(this.w, message.bcc);
    const recipients = to.length + cc.length + bcc.length;
    if (recipients === 0) throw this.w.error('Failed to send email: no recipient');
    if (recipients > 50) throw this.w.error('Limit Exceeded: Email Recipients Per Message.');
    const subject = message.subject === undefined ? '' : String(message.subject);
    if (subject.length > 250) throw this.w.error('Argument too large: subject');
    const body = message.body === undefined ? '' : String(message.body);
    const size = Buffer.byteLength(body) + Buffer.byteLength(message.htmlBody ?? '');
    if (size > 200 * 1024) throw this.w.error('Limit Exceeded: Email Body Size.');
    this.day();
    const mail = this.w.mail;
    if (mail.used + recipients > mail.quota)
      throw this.w.error('Service invoked too many times for one day: email.');
    mail.dayStart ??= this.w.now();
    mail.used += recipients;
    mail.sent.push({
      to,
      cc,
      bcc,
      subject,
      body,
      ...(message.htmlBody !== undefined ? { htmlBody: String(message.htmlBody) } : {}),
      ...(message.name !== undefined ? { name: String(message.name) } : {}),
      ...(message.replyTo !== undefined ? { replyTo: String(message.replyTo) } : {}),
      at: this.w.date(),
    });
  }
}

// ---------- PropertiesService ----------

type StoreKind = 'script' | 'document' | 'user';
const VALUE_LIMIT = 9 * 1024;
const STORE_LIMIT = 500 * 1024;

export class FakePropertiesService
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Properties.PropertiesService,
      'getScriptProperties' | 'getDocumentProperties' | 'getUserProperties'
    >
{
  static override readonly gas = 'PropertiesService';
  static override readonly group = 'properties';

  getScriptProperties(): FakeProperties {
    return new FakeProperties(this.w, 'script');
  }
  getDocumentProperties(): FakeProperties {
    return new FakeProperties(this.w, 'document');
  }
  getUserProperties(): FakeProperties {
    return new FakeProperties(this.w, 'user');
  }
}

/** Each store's size in bytes (keys and values, UTF-8), kept up to date by FakeProperties.apply. */
const sizes = new WeakMap<Map<string, string>, number>();
function storeSize(store: Map<string, string>): number {
  let total = sizes.get(store);
  if (total === undefined) {
    total = 0;
    for (const [k, v] of store) total += Buffer.byteLength(k) + Buffer.byteLength(v);
    sizes.set(store, total);
  }
  return total;
}

export class FakeProperties
  extends Fake
  implements
    Pick<GoogleAppsScript.Properties.Properties, 'getProperty' | 'getProperties' | 'getKeys'>,
    Accepts<
      GoogleAppsScript.Properties.Properties,
      'setProperty' | 'deleteProperty' | 'setProperties' | 'deleteAllProperties'
    >
{
  static override readonly gas = 'Properties';
  static override readonly group = 'properties';

  constructor(
    w: World,
    readonly kind: StoreKind,
  ) {
    super(w);
  }

  private get store(): Map<string, string> {
    return this.w.properties[this.kind];
  }

  /**
   * Applies `changes` (undefined deletes) if the store stays within Apps Script's limits: all or
   * nothing. The store's size is counted from the changed entries only, so a store of thousands
   * of properties costs the same to write as a small one.
   */
  private apply(changes: Map<string, string | undefined>, clearOthers = false): void {
    const store = this.store;
    const size = (k: string, v: string | undefined) =>
      v === undefined ? 0 : Buffer.byteLength(k) + Buffer.byteLength(v);
    let total = clearOthers ? 0 : storeSize(store);
    for (const [k, v] of changes) {
      if (v !== undefined && Buffer.byteLength(v) > VALUE_LIMIT)
        throw this.w.error('Argument too large: value');
      total += size(k, v) - (clearOthers ? 0 : size(k, store.get(k)));
    }
    if (total > STORE_LIMIT) {
      throw this.w.error(
        'You have exceeded the property storage quota. Please remove some properties and try again.',
      );
    }
    if (clearOthers) store.clear();
    for (const [k, v] of changes) {
      if (v === undefined) store.delete(k);
      else store.set(k, v);
    }
    sizes.set(store, total);
  }

  private key(key: unknown, method: string): string {
    if (key === null || key === undefined) throw this.w.signatureError(`Properties.${method}`, [key]);
    return String(key);
  }

  getProperty(key: string): string | null {
    return this.store.get(this.key(key, 'getProperty')) ?? null;
  }

  setProperty(key: string, value: string): this {
    this.apply(new Map([[this.key(key, 'setProperty'), String(value)]]));
    return this;
  }

  deleteProperty(key: string): this {
    this.apply(new Map([[this.key(key, 'deleteProperty'), undefined]]));
    return this;
  }

  getProperties(): { [key: string]: string } {
    return Object.fromEntries(this.store);
  }

  setProperties(properties: { [key: string]: string }, deleteAllOthers = false): this {
    if (properties === null || typeof properties !== 'object') {
      throw this.w.signatureError('Properties.setProperties', [properties]);
    }
    this.apply(new Map(Object.entries(properties).map(([k, v]) => [k, String(v)])), Boolean(deleteAllOthers));
    return this;
  }

  getKeys(): string[] {
    return [...this.store.keys()];
  }

  deleteAllProperties(): this {
    this.store.clear();
    return this;
  }
}

// ---------- LockService ----------

export const LOCK_TIMEOUT = 'Lock timeout: another process was holding the lock for too long.';

export class FakeLockService
  extends Fake
  implements Accepts<GoogleAppsScript.Lock.LockService, 'getScriptLock' | 'getDocumentLock' | 'getUserLock'>
{
  static override readonly gas = 'LockService';
  static override readonly group = 'lock';

  getScriptLock(): FakeLock {
    return new FakeLock(this.w, 'script');
  }
  getDocumentLock(): FakeLock {
    return new FakeLock(this.w, 'document');
  }
  getUserLock(): FakeLock {
    return new FakeLock(this.w, 'user');
  }
}

export class FakeLock
  extends Fake
  implements Pick<GoogleAppsScript.Lock.Lock, 'tryLock' | 'waitLock' | 'releaseLock' | 'hasLock'>
{
  static override readonly gas = 'Lock';
  static override readonly group = 'lock';

  constructor(
    w: World,
    readonly kind: LockKind,
  ) {
    super(w);
  }

  private acquire(timeoutInMillis: unknown, method: string): boolean {
    if (typeof timeoutInMillis !== 'number') throw this.w.signatureError(`Lock.${method}`, [timeoutInMillis]);
    const lock = this.w.locks[this.kind];
    const me = this.w.caller;
    const timeout = Math.max(0, timeoutInMillis);
    if (lock.holder === undefined || lock.holder === me) {
      lock.holder = me;
      return true;
    }
    if (
      lock.holder === 'other' &&
      lock.otherUntil !== undefined &&
      lock.otherUntil <= this.w.now() + timeout
    ) {
      this.w.setNow(lock.otherUntil);
      lock.holder = me;
      lock.otherUntil = undefined;
      return true;
    }
    this.w.advance(timeout);
    this.w.checkTime();
    return false;
  }

  tryLock(timeoutInMillis: number): boolean {
    return this.acquire(timeoutInMillis, 'tryLock');
  }

  waitLock(timeoutInMillis: number): void {
    if (!this.acquire(timeoutInMillis, 'waitLock')) throw this.w.error(LOCK_TIMEOUT);
  }

  releaseLock(): void {
    const lock = this.w.locks[this.kind];
    if (lock.holder === this.w.caller) lock.holder = undefined;
  }

  hasLock(): boolean {
    return this.w.locks[this.kind].holder === this.w.caller;
  }
}

// ---------- ScriptApp ----------

const TRIGGER_LIMIT = 20;

export class FakeScriptApp
  extends Fake
  implements
    Pick<GoogleAppsScript.Script.ScriptApp, 'getOAuthToken' | 'getScriptId'>,
    Accepts<GoogleAppsScript.Script.ScriptApp, 'getProjectTriggers' | 'newTrigger' | 'deleteTrigger'>
{
  static override readonly gas = 'ScriptApp';
  static override readonly group = 'script';
  readonly EventType = Enums.EventType;
  readonly TriggerSource = Enums.TriggerSource;
  readonly AuthMode = Enums.AuthMode;
  readonly WeekDay = Enums.WeekDay;

  getProjectTriggers(): FakeTrigger[] {
    return this.w.triggers.map((t) => new FakeTrigger(this.w, t));
  }

  newTrigger(functionName: string): FakeTriggerBuilder {
    if (typeof functionName !== 'string') throw this.w.signatureError('ScriptApp.newTrigger', [functionName]);
    return new FakeTriggerBuilder(this.w, functionName);
  }

  deleteTrigger(trigger: unknown): void {
    if (!(trigger instanceof FakeTrigger)) throw this.w.signatureError('ScriptApp.deleteTrigger', [trigger]);
    const i = this.w.triggers.findIndex((t) => t.uid === trigger.state.uid);
    if (i >= 0) this.w.triggers.splice(i, 1);
  }

  getOAuthToken(): string {
    return 'ya29.fake-oauth-token';
  }

  getScriptId(): string {
    return this.w.scriptId;
  }
}

/** Registers a trigger, enforcing Apps Script's 20 per user per script. */
function install(w: World, t: Omit<TriggerState, 'uid'>): FakeTrigger {
  if (w.triggers.length >= TRIGGER_LIMIT) {
    throw w.error(
      'This script has too many triggers. Triggers must be deleted from the script before more can be added.',
    );
  }
  const state: TriggerState = { ...t, uid: String(w.newNumber()) };
  w.triggers.push(state);
  return new FakeTrigger(w, state);
}

export class FakeTriggerBuilder
  extends Fake
  implements Accepts<GoogleAppsScript.Script.TriggerBuilder, 'timeBased' | 'forForm' | 'forSpreadsheet'>
{
  static override readonly gas = 'TriggerBuilder';
  static override readonly group = 'script';

  constructor(
    w: World,
    readonly handler: string,
  ) {
    super(w);
  }

  timeBased(): FakeClockTriggerBuilder {
    return new FakeClockTriggerBuilder(this.w, this.handler);
  }

  forForm(form: FakeForm | string): FakeFormTriggerBuilder {
    const id = typeof form === 'string' ? form : typeof form?.getId === 'function' ? form.getId() : undefined;
    if (id === undefined) throw this.w.signatureError('TriggerBuilder.forForm', [form]);
    if (!this.w.forms.has(id)) throw this.w.error(`No form with id ${id}.`);
    return new FakeFormTriggerBuilder(this.w, this.handler, id);
  }

  forSpreadsheet(sheet: FakeSpreadsheet | string): FakeSpreadsheetTriggerBuilder {
    const id =
      typeof sheet === 'string' ? sheet : typeof sheet?.getId === 'function' ? sheet.getId() : undefined;
    if (id === undefined) throw this.w.signatureError('TriggerBuilder.forSpreadsheet', [sheet]);
    if (!this.w.spreadsheets.has(id)) throw this.w.error(`No spreadsheet with id ${id}.`);
    return new FakeSpreadsheetTriggerBuilder(this.w, this.handler, id);
  }
}

export class FakeClockTriggerBuilder
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Script.ClockTriggerBuilder,
      'everyMinutes' | 'everyHours' | 'everyDays' | 'atHour' | 'onWeekDay' | 'create'
    >
{
  static override readonly gas = 'ClockTriggerBuilder';
  static override readonly group = 'script';
  private readonly schedule: Record<string, number | string> = {};

  constructor(
    w: World,
    readonly handler: string,
  ) {
    super(w);
  }

  everyMinutes(n: number): this {
    if (![1, 5, 10, 15, 30].includes(n))
      throw this.w.error('The value you passed to everyMinutes must be 1, 5, 10, 15 or 30.');
    this.schedule.everyMinutes = n;
    return this;
  }

  everyHours(n: number): this {
    if (![1, 2, 4, 6, 8, 12].includes(n))
      throw this.w.error('The value you passed to everyHours must be 1, 2, 4, 6, 8 or 12.');
    this.schedule.everyHours = n;
    return this;
  }

  everyDays(n: number): this {
    if (!Number.isInteger(n) || n < 1)
      throw this.w.error('The value you passed to everyDays must be a positive integer.');
    this.schedule.everyDays = n;
    return this;
  }

  atHour(hour: number): this {
    if (!Number.isInteger(hour) || hour < 0 || hour > 23)
      throw this.w.error('The hour must be between 0 and 23.');
    this.schedule.atHour = hour;
    return this;
  }

  onWeekDay(day: unknown): this {
    if (!Object.values(Enums.WeekDay).includes(day as GasEnum))
      throw this.w.signatureError('ClockTriggerBuilder.onWeekDay', [day]);
    this.schedule.onWeekDay = (day as GasEnum).name();
    return this;
  }

  create(): FakeTrigger {
    const s = this.schedule;
    const recurrences = ['everyMinutes', 'everyHours', 'everyDays', 'onWeekDay'].filter((k) => k in s);
    if (recurrences.length === 0) {
      throw this.w.error(
        'The trigger has no schedule: call everyMinutes, everyHours, everyDays or onWeekDay.',
      );
    }
    if ('atHour' in s && !('everyDays' in s || 'onWeekDay' in s)) {
      throw this.w.error('atHour can only be used with everyDays or onWeekDay.');
    }
    if (('everyMinutes' in s || 'everyHours' in s) && recurrences.length > 1) {
      throw this.w.error('The trigger has more than one schedule.');
    }
    return install(this.w, {
      handler: this.handler,
      eventType: 'CLOCK',
      source: 'CLOCK',
      sourceId: null,
      schedule: { ...s },
    });
  }
}

export class FakeFormTriggerBuilder
  extends Fake
  implements Accepts<GoogleAppsScript.Script.FormTriggerBuilder, 'onFormSubmit' | 'create'>
{
  static override readonly gas = 'FormTriggerBuilder';
  static override readonly group = 'script';
  private event?: TriggerKind;

  constructor(
    w: World,
    readonly handler: string,
    readonly formId: string,
  ) {
    super(w);
  }

  onFormSubmit(): this {
    this.event = 'ON_FORM_SUBMIT';
    return this;
  }

  create(): FakeTrigger {
    if (!this.event) throw this.w.error('The trigger has no event: call onFormSubmit().');
    return install(this.w, {
      handler: this.handler,
      eventType: this.event,
      source: 'FORMS',
      sourceId: this.formId,
      schedule: {},
    });
  }
}

export class FakeSpreadsheetTriggerBuilder
  extends Fake
  implements
    Accepts<
      GoogleAppsScript.Script.SpreadsheetTriggerBuilder,
      'onEdit' | 'onOpen' | 'onFormSubmit' | 'create'
    >
{
  static override readonly gas = 'SpreadsheetTriggerBuilder';
  static override readonly group = 'script';
  private event?: TriggerKind;

  constructor(
    w: World,
    readonly handler: string,
    readonly spreadsheetId: string,
  ) {
    super(w);
  }

  onEdit(): this {
    this.event = 'ON_EDIT';
    return this;
  }

  onOpen(): this {
    this.event = 'ON_OPEN';
    return this;
  }

  onFormSubmit(): this {
    this.event = 'ON_FORM_SUBMIT';
    return this;
  }

  create(): FakeTrigger {
    if (!this.event)
      throw this.w.error('The trigger has no event: call onEdit(), onOpen() or onFormSubmit().');
    return install(this.w, {
      handler: this.handler,
      eventType: this.event,
      source: 'SPREADSHEETS',
      sourceId: this.spreadsheetId,
      schedule: {},
    });
  }
}

export class FakeTrigger
  extends Fake
  implements
    Pick<GoogleAppsScript.Script.Trigger, 'getUniqueId' | 'getHandlerFunction' | 'getTriggerSourceId'>,
    Accepts<GoogleAppsScript.Script.Trigger, 'getEventType' | 'getTriggerSource'>
{
  static override readonly gas = 'Trigger';
  static override readonly group = 'script';

  constructor(
    w: World,
    readonly state: TriggerState,
  ) {
    super(w);
  }

  getUniqueId(): string {
    return this.state.uid;
  }

  getHandlerFunction(): string {
    return this.state.handler;
  }

  getEventType(): GasEnum {
    return Enums.EventType[this.state.eventType];
  }

  getTriggerSource(): GasEnum {
    return Enums.TriggerSource[this.state.source];
  }

  /** The form's or spreadsheet's id; null for a clock trigger. */
  getTriggerSourceId(): string {
    return this.state.sourceId as string;
  }
}

// ---------- Session ----------

export class FakeSession
  extends Fake
  implements
    Pick<GoogleAppsScript.Base.Session, 'getScriptTimeZone'>,
    Accepts<GoogleAppsScript.Base.Session, 'getActiveUser' | 'getEffectiveUser'>
{
  static override readonly gas = 'Session';

  getScriptTimeZone(): string {
    return this.w.timeZone;
  }

  getActiveUser(): FakeUser {
    return new FakeUser(this.w, this.w.userEmail);
  }

  getEffectiveUser(): FakeUser {
    return new FakeUser(this.w, this.w.userEmail);
  }
}

export class FakeUser extends Fake implements Pick<GoogleAppsScript.Base.User, 'getEmail'> {
  static override readonly gas = 'User';

  constructor(
    w: World,
    readonly email: string,
  ) {
    super(w);
  }

  getEmail(): string {
    return this.email;
  }
}

// ---------- Logger and console ----------

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isDate(v)) return v.toString();
  if (v instanceof Error || Object.prototype.toString.call(v) === '[object Error]') return String(v);
  if (typeof v === 'object' && v !== null) {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

export class FakeLogger extends Fake implements Accepts<GoogleAppsScript.Base.Logger, 'log'> {
  static override readonly gas = 'Logger';

  /** Logger.log(data) or Logger.log(format, ...values) with %s / %d placeholders. */
  log(data: unknown, ...values: unknown[]): this {
    let message = show(data);
    if (typeof data === 'string' && values.length > 0) {
      let i = 0;
      message = data.replace(/%[sd]/g, (m) => (i < values.length ? show(values[i++]) : m));
    }
    this.w.log('Logger', 'info', message);
    return this;
  }
}

export class FakeConsole extends Fake {
  static override readonly gas = 'console';

  log(...args: unknown[]): void {
    this.w.log('console', 'log', args.map(show).join(' '));
  }
  info(...args: unknown[]): void {
    this.w.log('console', 'info', args.map(show).join(' '));
  }
  warn(...args: unknown[]): void {
    this.w.log('console', 'warn', args.map(show).join(' '));
  }
  error(...args: unknown[]): void {
    this.w.log('console', 'error', args.map(show).join(' '));
  }
}

// ---------- Utilities ----------

export class FakeUtilities
  extends Fake
  implements Pick<GoogleAppsScript.Utilities.Utilities, 'formatDate' | 'sleep'>
{
  static override readonly gas = 'Utilities';

  formatDate(date: Date, timeZone: string, format: string): string {
    if (!isDate(date) || typeof timeZone !== 'string' || typeof format !== 'string') {
      throw this.w.signatureError('Utilities.formatDate', [date, timeZone, format]);
    }
    try {
      return formatJava(date.getTime(), timeZone, format);
    } catch (e) {
      throw this.w.error((e as Error).message);
    }
  }

  sleep(milliseconds: number): void {
    if (typeof milliseconds !== 'number') throw this.w.signatureError('Utilities.sleep', [milliseconds]);
    this.w.advance(milliseconds);
    this.w.checkTime();
  }
}
