/**
 * Milepost › Set up register, inside the Sheet: the core's setup plan (core/setup.ts) — tabs and
 * headers of the layout (missing ones added, nothing else touched), frozen header rows,
 * dropdowns, date formats, status colours, warning-only protections on the columns Milepost
 * fills in, the Settings defaults, the spreadsheet's time zone — carried out with
 * SpreadsheetApp. Running it again changes nothing.
 */
import { normaliseName, TABS } from '../core/layout';
import { planRegisterSetup, type RegisterShape, type SetupStep } from '../core/setup';
import { sheetByName } from './sheet';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/** The spreadsheet as the core's setup reads it: row 2 of each layout tab, rules, protections. */
function shapeOf(ss: Spreadsheet): RegisterShape {
  const settings = sheetByName(ss, 'Settings');
  const settingsRows = settings ? settings.getDataRange().getValues().slice(1) : [];
  const zoneRow = settingsRows.find((r) => normaliseName(String(r[0])) === 'timezone');
  return {
    timeZone: ss.getSpreadsheetTimeZone(),
    tabs: TABS.flatMap((spec) => {
      const sheet = sheetByName(ss, spec.name);
      if (!sheet) return [];
      const width = Math.max(1, sheet.getLastColumn());
      const row2 = sheet.getRange(2, 1, 1, width);
      const validations = row2.getDataValidations()[0] ?? [];
      const formats = row2.getNumberFormats()[0] ?? [];
      return [
        {
          title: sheet.getName(),
          headers: sheet
            .getRange(1, 1, 1, width)
            .getValues()[0]!
            .map((h) => String(h)),
          frozenRows: sheet.getFrozenRows(),
          dropdown: validations.map((v) => v !== null),
          // The default format of a cell nobody formatted is not a date format.
          format: formats.map((f) => /y/.test(String(f))),
          colouredStatuses: sheet
            .getConditionalFormatRules()
            .flatMap((r) => (r.getBooleanCondition()?.getCriteriaValues() ?? []).map(String)),
        },
      ];
    }),
    protections: ss.getProtections(SpreadsheetApp.ProtectionType.RANGE).map((p) => p.getDescription()),
    settings: settingsRows.map((r) => String(r[0])),
    ...(zoneRow && String(zoneRow[1]).trim() ? { settingsTimeZone: String(zoneRow[1]).trim() } : {}),
  };
}

export function setupRegister(ss: Spreadsheet): string[] {
  const plan = planRegisterSetup(shapeOf(ss));
  for (const step of plan.steps) carryOut(ss, step);
  return plan.actions;
}

/** One setup step with SpreadsheetApp. */
function carryOut(ss: Spreadsheet, step: SetupStep): void {
  if (step.kind === 'timeZone') {
    ss.setSpreadsheetTimeZone(step.timeZone);
    return;
  }
  if (step.kind === 'settings') {
    const settings = sheetByName(ss, 'Settings')!;
    settings.getRange(settings.getLastRow() + 1, 1, step.rows.length, 3).setValues(step.rows);
    return;
  }
  if (step.kind === 'tab') {
    ss.insertSheet(step.title, step.index).setFrozenRows(1);
    return;
  }
  const sheet = sheetByName(ss, step.title)!;
  if (step.kind === 'headers') {
    sheet
      .getRange(1, step.start + 1, 1, step.headers.length)
      .setValues([step.headers])
      .setFontWeight('bold');
    return;
  }
  if (step.kind === 'freeze') sheet.setFrozenRows(1);
  else columnStep(sheet, step);
}

/** A step on the cells below a column's header. */
function columnStep(sheet: Sheet, step: SetupStep): void {
  if (!('column' in step)) return;
  const rows = Math.max(1, sheet.getMaxRows() - 1);
  const below = sheet.getRange(2, step.column + 1, rows, 1);
  if (step.kind === 'dropdown') {
    // "DataValidationBuilder": requireValueInRange — "Sets the data validation rule to require
    // that the input is equal to a value in the given range"; a warning only (allow invalid).
    const source = step.from && sheet.getParent().getSheetByName(step.from.title);
    const builder = SpreadsheetApp.newDataValidation();
    if (step.from && !source) return;
    const rule = source
      ? builder.requireValueInRange(
          source.getRange(2, step.from!.column + 1, Math.max(1, source.getMaxRows() - 1), 1),
          true,
        )
      : builder.requireValueInList([...step.values], true);
    below.setDataValidation(rule.setAllowInvalid(true).build());
  }
  // "requireDate() — Sets the data validation rule to require a date."
  if (step.kind === 'validDate')
    below.setDataValidation(SpreadsheetApp.newDataValidation().requireDate().setAllowInvalid(true).build());
  if (step.kind === 'format') below.setNumberFormat(step.pattern);
  if (step.kind === 'protect')
    sheet
      .getRange(1, step.column + 1, rows + 1, 1)
      .protect()
      .setDescription(step.description)
      .setWarningOnly(true);
  if (step.kind === 'colour') {
    const rule = SpreadsheetApp.newConditionalFormatRule()
      .whenTextEqualTo(step.status)
      .setBackground(step.background)
      .setRanges([below])
      .build();
    sheet.setConditionalFormatRules([...sheet.getConditionalFormatRules(), rule]);
  }
}
