/**
 * `milepost setup --backend google`: create the register in a new Google Sheet, or adopt an
 * existing one. Re-running repairs what is missing and changes nothing else: every step first
 * looks at what is there (tabs, headers, frozen rows, dropdowns, date formats, status colours,
 * protections, Settings rows) and asks only for what lacks.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { normaliseName, TABS } from '../core/layout';
import { planRegisterSetup, type RegisterShape, type SetupStep } from '../core/setup';
import type { Call } from './retry';
import { columnLetters, quoteSheet } from './sheets';

export interface ExistingSheet {
  sheetId: number;
  title: string;
  headers: string[];
  frozenRows: number;
  rowCount: number;
  /** Per column of row 2: whether it has a dropdown and a number format. */
  row2: { validation: boolean; numberFormat: boolean }[];
  conditionalFormats: sheets_v4.Schema$ConditionalFormatRule[];
  protectedDescriptions: string[];
}

export interface ExistingSpreadsheet {
  timeZone: string;
  sheets: ExistingSheet[];
  /** Setting names already in the Settings tab, and its Time zone value. */
  settings: string[];
  settingsTimeZone?: string;
}

export interface SetupPlan {
  requests: sheets_v4.Schema$Request[];
  /** Header cells to write: A1 range → values. */
  headerWrites: { range: string; values: string[][] }[];
  /** Settings rows to add. */
  settingsRows: (string | number)[][];
  /** What the plan does, in words (empty when everything is in place). */
  actions: string[];
}

function colour(hex: string): sheets_v4.Schema$Color {
  const n = Number.parseInt(hex.slice(1), 16);
  return { red: ((n >> 16) & 255) / 255, green: ((n >> 8) & 255) / 255, blue: (n & 255) / 255 };
}

/** The spreadsheet as the core's setup reads it. */
function shapeOf(existing: ExistingSpreadsheet): RegisterShape {
  return {
    timeZone: existing.timeZone,
    tabs: existing.sheets.map((s) => ({
      title: s.title,
      headers: s.headers,
      frozenRows: s.frozenRows,
      dropdown: s.row2.map((c) => c.validation),
      format: s.row2.map((c) => c.numberFormat),
      colouredStatuses: s.conditionalFormats.flatMap(
        (r) => r.booleanRule?.condition?.values?.map((v) => String(v.userEnteredValue ?? '')) ?? [],
      ),
    })),
    protections: existing.sheets.flatMap((s) => s.protectedDescriptions),
    settings: existing.settings,
    ...(existing.settingsTimeZone ? { settingsTimeZone: existing.settingsTimeZone } : {}),
  };
}

/**
 * What setup must do to an existing spreadsheet (pure: tested without any API): the core's
 * setup plan (core/setup.ts), as Sheets requests.
 */
export function planSetup(existing: ExistingSpreadsheet): SetupPlan {
  const core = planRegisterSetup(shapeOf(existing));
  const plan: SetupPlan = { requests: [], headerWrites: [], settingsRows: [], actions: core.actions };
  const ids = { next: Math.max(1000, ...existing.sheets.map((s) => s.sheetId + 1)) };
  const sheets = new Map(existing.sheets.map((s) => [s.title, { sheetId: s.sheetId, rowCount: s.rowCount }]));
  for (const step of core.steps) {
    if (step.kind === 'tab') sheets.set(step.title, { sheetId: ids.next++, rowCount: NEW_TAB_ROWS });
    const sheet = 'title' in step ? sheets.get(step.title)! : undefined;
    if (step.kind === 'headers') plan.headerWrites.push(headerWrite(step));
    if (step.kind === 'settings') plan.settingsRows.push(...step.rows);
    const request = sheet
      ? requestOf(step, sheet)
      : step.kind === 'timeZone'
        ? timeZoneRequest(step.timeZone)
        : undefined;
    if (request) plan.requests.push(request);
  }
  return plan;
}

const NEW_TAB_ROWS = 1000;

function timeZoneRequest(timeZone: string): sheets_v4.Schema$Request {
  return { updateSpreadsheetProperties: { properties: { timeZone }, fields: 'timeZone' } };
}

function headerWrite(step: Extract<SetupStep, { kind: 'headers' }>) {
  return { range: `${quoteSheet(step.title)}!${columnLetters(step.start)}1`, values: [step.headers] };
}

/** A setup step as a Sheets request on its sheet (undefined for steps that are value writes). */
function requestOf(
  step: SetupStep,
  sheet: { sheetId: number; rowCount: number },
): sheets_v4.Schema$Request | undefined {
  const { sheetId } = sheet;
  const below = (column: number) => ({
    sheetId,
    startRowIndex: 1,
    endRowIndex: sheet.rowCount,
    startColumnIndex: column,
    endColumnIndex: column + 1,
  });
  switch (step.kind) {
    case 'tab':
      return {
        addSheet: {
          properties: {
            sheetId,
            title: step.title,
            index: step.index,
            gridProperties: {
              rowCount: NEW_TAB_ROWS,
              columnCount: Math.max(26, step.columns),
              frozenRowCount: 1,
            },
          },
        },
      };
    case 'headers':
      return {
        repeatCell: {
          range: {
            sheetId,
            startRowIndex: 0,
            endRowIndex: 1,
            startColumnIndex: step.start,
            endColumnIndex: step.start + step.headers.length,
          },
          cell: { userEnteredFormat: { textFormat: { bold: true }, backgroundColor: colour('#ECEFF1') } },
          fields: 'userEnteredFormat(textFormat.bold,backgroundColor)',
        },
      };
    case 'freeze':
      return {
        updateSheetProperties: {
          properties: { sheetId, gridProperties: { frozenRowCount: 1 } },
          fields: 'gridProperties.frozenRowCount',
        },
      };
    default:
      return columnRequest(step, below);
  }
}

/** A tab's column below its header in A1 notation, the tab's name quoted: `'Team'!$B$2:$B`. */
export function sourceRange(from: { title: string; column: number }): string {
  const letter = columnLetters(from.column);
  return `${quoteSheet(from.title)}!$${letter}$2:$${letter}`;
}

/** A step on the cells below a column's header, as a Sheets request. */
function columnRequest(
  step: SetupStep,
  below: (column: number) => sheets_v4.Schema$GridRange,
): sheets_v4.Schema$Request | undefined {
  switch (step.kind) {
    case 'dropdown':
      return {
        setDataValidation: {
          range: below(step.column),
          rule: step.from
            ? {
                // Sheets API "ConditionType": "ONE_OF_RANGE — The cell's value must be listed in
                // the grid in condition value's range. Supported by data validation. Requires a
                // single ConditionValue, and the value should be a valid range in A1 notation."
                condition: {
                  type: 'ONE_OF_RANGE',
                  values: [{ userEnteredValue: `=${sourceRange(step.from)}` }],
                },
                inputMessage: `One of the ${step.from.title} tab's column ${columnLetters(step.from.column)}`,
                strict: false,
                showCustomUi: true,
              }
            : {
                condition: { type: 'ONE_OF_LIST', values: step.values.map((v) => ({ userEnteredValue: v })) },
                inputMessage: `One of: ${step.values.join(', ')}`,
                strict: false,
                showCustomUi: true,
              },
        },
      };
    case 'validDate':
      return {
        setDataValidation: {
          range: below(step.column),
          // "ConditionType": "DATE_IS_VALID — The cell's value must be a date. Supported by data
          // validation. Requires no ConditionValues." A warning (strict false), never a refusal.
          rule: {
            condition: { type: 'DATE_IS_VALID' },
            inputMessage: 'A date, e.g. 2026-12-18',
            strict: false,
          },
        },
      };
    case 'format':
      return {
        repeatCell: {
          range: below(step.column),
          cell: {
            userEnteredFormat: {
              numberFormat: { type: step.type === 'date' ? 'DATE' : 'DATE_TIME', pattern: step.pattern },
            },
          },
          fields: 'userEnteredFormat.numberFormat',
        },
      };
    case 'protect':
      return {
        addProtectedRange: {
          protectedRange: { range: below(step.column), description: step.description, warningOnly: true },
        },
      };
    case 'colour':
      return {
        addConditionalFormatRule: {
          index: 0,
          rule: {
            ranges: [below(step.column)],
            booleanRule: {
              condition: { type: 'TEXT_EQ', values: [{ userEnteredValue: step.status }] },
              format: { backgroundColor: colour(step.background) },
            },
          },
        },
      };
    default:
      return undefined;
  }
}

/** Reads what setup needs to know, in two calls. */
export async function readExisting(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  read: Call,
): Promise<ExistingSpreadsheet> {
  const meta = await read('spreadsheets.get', () =>
    api.spreadsheets.get({
      spreadsheetId,
      fields:
        'properties(timeZone),sheets(properties(sheetId,title,gridProperties(rowCount,frozenRowCount)),conditionalFormats,protectedRanges(description))',
    }),
  );
  const sheets = meta.data.sheets ?? [];
  const known = sheets.filter((s) =>
    TABS.some((t) => normaliseName(t.name) === normaliseName(s.properties?.title ?? '')),
  );
  const grid = known.length
    ? await read('spreadsheets.get (headers)', () =>
        api.spreadsheets.get({
          spreadsheetId,
          includeGridData: true,
          ranges: known.map((s) => {
            const title = quoteSheet(s.properties!.title!);
            return normaliseName(s.properties!.title!) === 'settings' ? `${title}!A1:Z` : `${title}!1:2`;
          }),
          fields:
            'sheets(properties(sheetId),data(rowData(values(userEnteredValue,dataValidation,userEnteredFormat(numberFormat)))))',
        }),
      )
    : undefined;
  const settings: string[] = [];
  let settingsTimeZone: string | undefined;
  const out = sheets.map((s) => {
    const p = s.properties!;
    const rows =
      grid?.data.sheets?.find((g) => g.properties?.sheetId === p.sheetId)?.data?.[0]?.rowData ?? [];
    const text = (v: sheets_v4.Schema$CellData | undefined) => {
      const u = v?.userEnteredValue;
      return String(u?.stringValue ?? u?.numberValue ?? u?.boolValue ?? '');
    };
    const headers = (rows[0]?.values ?? []).map(text);
    if (normaliseName(p.title ?? '') === 'settings') {
      const key = headers.findIndex((h) => normaliseName(h) === 'setting');
      const value = headers.findIndex((h) => normaliseName(h) === 'value');
      for (const r of rows.slice(1)) {
        const k = text(r.values?.[key]);
        if (!k) continue;
        settings.push(k);
        if (normaliseName(k) === normaliseName('Time zone'))
          settingsTimeZone = text(r.values?.[value]) || undefined;
      }
    }
    return {
      sheetId: p.sheetId ?? 0,
      title: p.title ?? '',
      headers,
      frozenRows: p.gridProperties?.frozenRowCount ?? 0,
      rowCount: p.gridProperties?.rowCount ?? 1000,
      row2: (rows[1]?.values ?? []).map((v) => ({
        validation: Boolean(v.dataValidation),
        numberFormat: Boolean(v.userEnteredFormat?.numberFormat),
      })),
      conditionalFormats: s.conditionalFormats ?? [],
      protectedDescriptions: (s.protectedRanges ?? []).map((r) => r.description ?? ''),
    };
  });
  return { timeZone: meta.data.properties?.timeZone ?? '', sheets: out, settings, settingsTimeZone };
}

export interface SetupResult {
  spreadsheetId: string;
  created: boolean;
  actions: string[];
}

/** Creates (when `spreadsheetId` is undefined) or adopts a register, then repairs it. */
export async function setupSpreadsheet(
  api: sheets_v4.Sheets,
  spreadsheetId: string | undefined,
  title: string,
  calls: { read: Call; once: Call; write: Call },
): Promise<SetupResult> {
  let id = spreadsheetId;
  const created = !id;
  if (!id) {
    const made = await calls.once('spreadsheets.create', () =>
      api.spreadsheets.create({ requestBody: { properties: { title } }, fields: 'spreadsheetId' }),
    );
    id = made.data.spreadsheetId!;
  }
  const existing = await readExisting(api, id, calls.read);
  const plan = planSetup(existing);
  if (plan.requests.length) {
    // Each request sets a state (add a tab that is missing, a rule that is missing…), and
    // the next run reads before it asks: a failed run is repaired by running setup again.
    await calls.once('spreadsheets.batchUpdate (setup)', () =>
      api.spreadsheets.batchUpdate({ spreadsheetId: id!, requestBody: { requests: plan.requests } }),
    );
  }
  if (plan.headerWrites.length) {
    await calls.write('values.batchUpdate (headers)', () =>
      api.spreadsheets.values.batchUpdate({
        spreadsheetId: id!,
        requestBody: { valueInputOption: 'RAW', data: plan.headerWrites },
      }),
    );
  }
  if (plan.settingsRows.length) {
    const title = existing.sheets.find((s) => normaliseName(s.title) === 'settings')?.title ?? 'Settings';
    await calls.once('values.append (Settings)', () =>
      api.spreadsheets.values.append({
        spreadsheetId: id!,
        range: `${quoteSheet(title)}!A1`,
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values: plan.settingsRows },
      }),
    );
  }
  // The default first tab of a new spreadsheet ("Sheet1") is left alone: it may be in use.
  return {
    spreadsheetId: id,
    created,
    actions: created ? ['created the register', ...plan.actions] : plan.actions,
  };
}
