/**
 * `createWorld(options)`: a fake Apps Script world — the services a Milepost bundle uses, one
 * virtual clock, one spreadsheet open as the active one (the script is bound to it) — and the
 * helpers tests use to set it up, play the people in it and read what happened.
 *
 *   const world = createWorld({ now: new Date('2026-03-02T08:00:00Z'), timeZone: 'Europe/London' });
 *   world.seedSpreadsheet([{ name: 'Milestones', headers: ['ID', 'Due'], rows: [['M1', new Date()]] }]);
 *   const bundle = loadBundle('appsscript/Code.js', world);
 *   bundle.call('onOpen', world.openEvent());
 *   expect(world.menu('Milepost').get('Sync now')).toBe('milepostSync');
 *   world.resetCounts();
 *   bundle.call('milepostSync');
 *   expect(world.count('Range.getValues')).toBe(1);
 *
 * See core.ts (clock, executions, counting), spreadsheet.ts, forms.ts, docs.ts, drive.ts,
 * services.ts (mail, properties, locks, triggers, session, logs, utilities), events.ts and
 * person.ts (people editing and responding), load.ts (running a bundle in a node:vm context).
 */
import { Enums, type LockKind, type MenuEntry, type TriggerRun, World, type WorldOptions } from './core';
import { FakeDocs } from './docs';
import { FakeDriveApp } from './drive';
import { clockEvent, openEvent } from './events';
import { createForm, type FakeForm, FakeFormApp } from './forms';
import { Person, type RespondOptions, type RespondResult, respond } from './person';
import {
  FakeConsole,
  FakeLockService,
  FakeLogger,
  FakeMailApp,
  FakePropertiesService,
  FakeScriptApp,
  FakeSession,
  FakeUtilities,
} from './services';
import {
  type CellValue,
  FakeCharts,
  type FakeSpreadsheet,
  FakeSpreadsheetApp,
  type SheetState,
  SpreadsheetState,
  writeCell,
} from './spreadsheet';

export interface Table {
  name: string;
  headers: readonly string[];
  rows: readonly (readonly unknown[])[];
}

function makeServices(w: World) {
  return {
    SpreadsheetApp: new FakeSpreadsheetApp(w),
    Charts: new FakeCharts(w),
    FormApp: new FakeFormApp(w),
    DriveApp: new FakeDriveApp(w),
    Docs: new FakeDocs(w),
    MailApp: new FakeMailApp(w),
    PropertiesService: new FakePropertiesService(w),
    LockService: new FakeLockService(w),
    ScriptApp: new FakeScriptApp(w),
    Session: new FakeSession(w),
    Logger: new FakeLogger(w),
    console: new FakeConsole(w),
    Utilities: new FakeUtilities(w),
  };
}

export type Services = ReturnType<typeof makeServices>;

export class GasWorld extends World {
  /** The fake services, as the script's globals (calls made through them from a test count too). */
  readonly services: Services;

  constructor(options: WorldOptions = {}) {
    super(options);
    const active = this.createSpreadsheet(options.spreadsheetName ?? 'Milepost');
    this.activeSpreadsheetId = active.id;
    this.services = makeServices(this);
  }

  /** The script's global objects. */
  get globals(): Readonly<Record<string, unknown>> {
    return this.services;
  }

  /** A new spreadsheet (with one empty sheet, 'Sheet1') and its Drive file. */
  createSpreadsheet(name: string, timeZone = this.timeZone): SpreadsheetState {
    const id = this.newId();
    this.files.set(id, { id, kind: 'spreadsheet', name, parents: [this.rootFolderId], created: this.now() });
    const ss = new SpreadsheetState(this, id, timeZone);
    this.spreadsheets.set(id, ss);
    ss.addSheet('Sheet1');
    return ss;
  }

  /** The active (bound) spreadsheet, as the script sees it. */
  get spreadsheet(): FakeSpreadsheet {
    return this.spreadsheets.get(this.activeSpreadsheetId)!.api();
  }

  /** A sheet of the active spreadsheet by name (its state: cells, formulas(), values()…). */
  sheet(name: string): SheetState {
    const sheet = this.spreadsheets.get(this.activeSpreadsheetId)!.sheetByName(name);
    if (!sheet) throw new Error(`No sheet named ${name}`);
    return sheet;
  }

  /**
   * Fills sheets of a spreadsheet (the active one by default) with tables: headers on row 1, rows
   * below. A missing sheet is created; an existing one is emptied first. Values are stored as they
   * are (strings stay strings, Dates are dates) — seeding is not typing.
   */
  seedSpreadsheet(tables: readonly Table[], spreadsheet: FakeSpreadsheet = this.spreadsheet): SheetState[] {
    const ss = spreadsheet.state;
    return tables.map((t) => {
      const sheet = ss.sheetByName(t.name) ?? ss.addSheet(t.name);
      sheet.rows = [];
      const lines: readonly (readonly unknown[])[] = [t.headers, ...t.rows];
      for (const [r, line] of lines.entries()) {
        for (const [c, v] of line.entries()) {
          if (v === null || v === undefined || v === '') continue;
          const cell = sheet.writable(r + 1, c + 1);
          if (typeof v === 'string') cell.v = v;
          else writeCell(cell, v, ss.timeZone);
        }
      }
      return sheet;
    });
  }

  /** What getValues would read from a sheet's data range (for assertions). */
  values(sheetName: string): CellValue[][] {
    return this.sheet(sheetName).values();
  }

  /** A form made outside the script (as if someone created it in the browser). */
  createForm(title: string): FakeForm {
    return createForm(this, title).api();
  }

  /** The menu added to the UI under `name` (default: the only one), as caption → function name. */
  menu(name?: string): Map<string, string> {
    const menu = name === undefined ? this.ui.menus[0] : this.ui.menus.find((m) => m.name === name);
    if (!menu) throw new Error(`No menu ${name ?? ''} was added`);
    const out = new Map<string, string>();
    const walk = (entries: MenuEntry[], prefix: string) => {
      for (const e of entries) {
        if ('functionName' in e) out.set(prefix + e.caption, e.functionName);
        else if ('subMenu' in e) walk(e.subMenu, `${prefix}${e.caption} > `);
      }
    };
    walk(menu.entries, '');
    return out;
  }

  /** Someone working in the browser (default: the owner). */
  person(email = this.userEmail): Person {
    return new Person(this, email);
  }

  /** A respondent submits or edits a response; the form's form-submit triggers run. */
  respond(form: FakeForm, options: RespondOptions): RespondResult {
    return respond(form, options);
  }

  /** The event the simple onOpen(e) trigger receives (the owner opens the active spreadsheet). */
  openEvent(user?: string): Record<string, unknown> {
    return openEvent(this.spreadsheet, user);
  }

  /** Makes another execution hold a lock, until `until` (virtual time) or for ever. */
  holdLock(kind: LockKind, until?: Date | number): void {
    this.locks[kind] = {
      holder: 'other',
      otherUntil: until === undefined ? undefined : new Date(until).getTime(),
    };
  }

  /** Frees a lock, whoever holds it. */
  releaseLock(kind: LockKind): void {
    this.locks[kind] = {};
  }

  /** Runs every time-driven trigger once, each as its own execution, in the order installed. */
  runDueTriggers(): TriggerRun[] {
    const runner = this.runner;
    if (!runner) throw new Error('No bundle is loaded: call loadBundle(file, world) first.');
    return this.triggers
      .filter((t) => t.eventType === 'CLOCK')
      .map((t) => runner.runTrigger(t, clockEvent(this, t)));
  }

  /** Starts a new quota day for MailApp. */
  newMailDay(): void {
    this.mail.used = 0;
    this.mail.dayStart = undefined;
  }
}

/** A new fake world (see the file comment). */
export function createWorld(options: WorldOptions = {}): GasWorld {
  return new GasWorld(options);
}

export { Enums };
