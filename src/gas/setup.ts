/**
 * Milepost › Set up register, inside the Sheet: the tabs and headers of the layout (missing ones
 * added, nothing else touched), frozen header rows, dropdowns, date formats, status colours,
 * warning-only protections on the columns Milepost fills in, the Settings defaults, the
 * spreadsheet's time zone. Running it again changes nothing.
 */
import {
  LISTS,
  normaliseName,
  protectionDescription,
  SETTINGS,
  STATUS_FILLS,
  TABS,
  type TabSpec,
} from '../core/layout';
import { sheetByName } from './sheet';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

export function setupRegister(ss: Spreadsheet): string[] {
  const actions: string[] = [];
  const protections = new Set(
    ss.getProtections(SpreadsheetApp.ProtectionType.RANGE).map((p) => p.getDescription()),
  );
  TABS.forEach((spec, index) => {
    let sheet = sheetByName(ss, spec.name);
    if (!sheet) {
      sheet = ss.insertSheet(spec.name, index);
      actions.push(`added the tab ${spec.name}`);
    }
    const width = Math.max(1, sheet.getLastColumn());
    const headers = sheet
      .getRange(1, 1, 1, width)
      .getValues()[0]!
      .map((h) => String(h));
    const missing = spec.columns.filter(
      (c) => !headers.some((h) => normaliseName(h) === normaliseName(c.header)),
    );
    if (missing.length) {
      const start = headers.filter((h) => h !== '').length;
      sheet.getRange(1, start + 1, 1, missing.length).setValues([missing.map((c) => c.header)]);
      actions.push(`${spec.name}: added ${missing.map((c) => `"${c.header}"`).join(', ')}`);
    }
    if (sheet.getFrozenRows() < 1) sheet.setFrozenRows(1);
    const all = sheet
      .getRange(1, 1, 1, Math.max(1, sheet.getLastColumn()))
      .getValues()[0]!
      .map((h) => String(h));
    const rows = Math.max(1, sheet.getMaxRows() - 1);
    setupColumns(sheet, spec, all, rows, protections, actions);
    if (spec.name === 'Milestones') statusColours(sheet, all, rows, actions);
  });
  addSettingsDefaults(ss, actions);
  return actions;
}

/** Each column of a tab below its header: dropdowns, date formats, warning-only protections. */
function setupColumns(
  sheet: Sheet,
  spec: TabSpec,
  all: string[],
  rows: number,
  protections: Set<string>,
  actions: string[],
): void {
  for (const c of spec.columns) {
    const col = all.findIndex((h) => normaliseName(h) === normaliseName(c.header)) + 1;
    if (col < 1) continue;
    const range = sheet.getRange(2, col, rows, 1);
    if (c.list && !sheet.getRange(2, col).getDataValidation()) {
      range.setDataValidation(
        SpreadsheetApp.newDataValidation()
          .requireValueInList([...LISTS[c.list]], true)
          .setAllowInvalid(true)
          .build(),
      );
      actions.push(`${spec.name}: dropdown for "${c.header}"`);
    }
    if (
      (c.type === 'date' || c.type === 'instant') &&
      sheet.getRange(2, col).getNumberFormat() !== dateFormat(c.type)
    ) {
      range.setNumberFormat(dateFormat(c.type));
    }
    const description = protectionDescription(spec.name, c.header);
    if (c.owner === 'milepost' && !protections.has(description)) {
      sheet
        .getRange(1, col, rows + 1, 1)
        .protect()
        .setDescription(description)
        .setWarningOnly(true);
      actions.push(`${spec.name}: warning on "${c.header}" (Milepost fills it in)`);
    }
  }
}

/** The Milestones tab's status colours, when the tab has no conditional formatting yet. */
function statusColours(sheet: Sheet, all: string[], rows: number, actions: string[]): void {
  const status = all.findIndex((h) => normaliseName(h) === 'status') + 1;
  const rules = sheet.getConditionalFormatRules();
  if (status > 0 && rules.length === 0) {
    const range = sheet.getRange(2, status, rows, 1);
    sheet.setConditionalFormatRules(
      STATUS_FILLS.map(({ status, background }) =>
        SpreadsheetApp.newConditionalFormatRule()
          .whenTextEqualTo(status)
          .setBackground(background)
          .setRanges([range])
          .build(),
      ),
    );
    actions.push('Milestones: status colours');
  }
}

/** Settings defaults for the keys that are missing. */
function addSettingsDefaults(ss: Spreadsheet, actions: string[]): void {
  const settings = sheetByName(ss, 'Settings')!;
  const have = new Set(
    settings
      .getDataRange()
      .getValues()
      .slice(1)
      .map((r) => normaliseName(String(r[0]))),
  );
  const add = SETTINGS.filter((s) => !have.has(normaliseName(s.key))).map((s) => [
    s.key,
    normaliseName(s.key) === 'timezone' ? ss.getSpreadsheetTimeZone() : s.value,
    s.about,
  ]);
  if (add.length) {
    settings.getRange(settings.getLastRow() + 1, 1, add.length, 3).setValues(add);
    actions.push(`Settings: added ${add.map((r) => `"${r[0]}"`).join(', ')}`);
  }
}

function dateFormat(type: string): string {
  return type === 'date' ? 'yyyy-mm-dd' : 'yyyy-mm-dd hh:mm';
}
