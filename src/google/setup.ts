/**
 * `milepost setup --backend google`: create the register in a new Google Sheet, or adopt an
 * existing one. Re-running repairs what is missing and changes nothing else: every step first
 * looks at what is there (tabs, headers, frozen rows, dropdowns, date formats, status colours,
 * protections, Settings rows) and asks only for what lacks.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import {
  LISTS,
  normaliseName,
  protectionDescription,
  SETTINGS,
  STATUS_FILLS,
  TABS,
  type TabSpec,
} from '../core/layout';

export { protectionDescription };

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

/** What setup must do to an existing spreadsheet (pure: tested without any API). */
export function planSetup(existing: ExistingSpreadsheet): SetupPlan {
  const plan: SetupPlan = { requests: [], headerWrites: [], settingsRows: [], actions: [] };
  const ids = { next: Math.max(1000, ...existing.sheets.map((s) => s.sheetId + 1)) };
  TABS.forEach((spec: TabSpec, index) => {
    const { sheet: s, created } = planTab(plan, existing, spec, index, ids);
    const columns = planHeaders(plan, s, spec, created);
    if (!created && s.frozenRows < 1) {
      plan.requests.push({
        updateSheetProperties: {
          properties: { sheetId: s.sheetId, gridProperties: { frozenRowCount: 1 } },
          fields: 'gridProperties.frozenRowCount',
        },
      });
      plan.actions.push(`${s.title}: froze the header row`);
    }
    planColumnRules(plan, s, spec, columns, created);
    if (spec.name === 'Milestones') planStatusColours(plan, s, columns, created);
    if (spec.name === 'Settings') planSettingsRows(plan, existing, created);
  });
  // Sheet serials are wall time in the spreadsheet's zone: it must be the register's.
  const wanted = existing.settingsTimeZone;
  if (wanted && wanted !== existing.timeZone) {
    plan.requests.push({
      updateSpreadsheetProperties: { properties: { timeZone: wanted }, fields: 'timeZone' },
    });
    plan.actions.push(`set the spreadsheet's time zone to ${wanted}`);
  }
  return plan;
}

/** The existing tab for `spec`, or a new one added to the plan (taking the next free sheet id). */
function planTab(
  plan: SetupPlan,
  existing: ExistingSpreadsheet,
  spec: TabSpec,
  index: number,
  ids: { next: number },
): { sheet: ExistingSheet; created: boolean } {
  const found = existing.sheets.find((s) => normaliseName(s.title) === normaliseName(spec.name));
  if (found) return { sheet: found, created: false };
  const sheet: ExistingSheet = {
    sheetId: ids.next++,
    title: spec.name,
    headers: [],
    frozenRows: 1,
    rowCount: 1000,
    row2: [],
    conditionalFormats: [],
    protectedDescriptions: [],
  };
  plan.requests.push({
    addSheet: {
      properties: {
        sheetId: sheet.sheetId,
        title: spec.name,
        index,
        gridProperties: {
          rowCount: 1000,
          columnCount: Math.max(26, spec.columns.length),
          frozenRowCount: 1,
        },
      },
    },
  });
  plan.actions.push(`added the ${spec.name} tab`);
  return { sheet, created: true };
}

/** Plans the missing headers; returns each layout column's index (normalised header → column). */
function planHeaders(
  plan: SetupPlan,
  s: ExistingSheet,
  spec: TabSpec,
  created: boolean,
): Map<string, number> {
  // Headers: the layout's columns that are missing go after the last header.
  const columns = new Map<string, number>();
  s.headers.forEach((h, i) => {
    const n = normaliseName(h);
    if (n && !columns.has(n)) columns.set(n, i);
  });
  const missing = spec.columns.filter((c) => !columns.has(normaliseName(c.header)));
  if (missing.length) {
    const start = s.headers.length;
    missing.forEach((c, i) => {
      columns.set(normaliseName(c.header), start + i);
    });
    plan.headerWrites.push({
      range: `${quoteSheet(s.title)}!${columnLetters(start)}1`,
      values: [missing.map((c) => c.header)],
    });
    plan.requests.push({
      repeatCell: {
        range: {
          sheetId: s.sheetId,
          startRowIndex: 0,
          endRowIndex: 1,
          startColumnIndex: start,
          endColumnIndex: start + missing.length,
        },
        cell: { userEnteredFormat: { textFormat: { bold: true }, backgroundColor: colour('#ECEFF1') } },
        fields: 'userEnteredFormat(textFormat.bold,backgroundColor)',
      },
    });
    if (!created)
      plan.actions.push(
        `${s.title}: added the column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c.header}"`).join(', ')}`,
      );
  }
  return columns;
}

/** Plans each column's missing dropdown, date format and protection warning. */
function planColumnRules(
  plan: SetupPlan,
  s: ExistingSheet,
  spec: TabSpec,
  columns: Map<string, number>,
  created: boolean,
): void {
  for (const c of spec.columns) {
    const col = columns.get(normaliseName(c.header))!;
    const range = {
      sheetId: s.sheetId,
      startRowIndex: 1,
      endRowIndex: s.rowCount,
      startColumnIndex: col,
      endColumnIndex: col + 1,
    };
    const row2 = s.row2[col];
    if (c.list && !row2?.validation) {
      plan.requests.push({
        setDataValidation: {
          range,
          rule: {
            condition: { type: 'ONE_OF_LIST', values: LISTS[c.list].map((v) => ({ userEnteredValue: v })) },
            inputMessage: `One of: ${LISTS[c.list].join(', ')}`,
            strict: false,
            showCustomUi: true,
          },
        },
      });
      if (!created) plan.actions.push(`${s.title}: dropdown for "${c.header}"`);
    }
    if ((c.type === 'date' || c.type === 'instant') && !row2?.numberFormat) {
      plan.requests.push({
        repeatCell: {
          range,
          cell: {
            userEnteredFormat: {
              numberFormat:
                c.type === 'date'
                  ? { type: 'DATE', pattern: 'yyyy-mm-dd' }
                  : { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm' },
            },
          },
          fields: 'userEnteredFormat.numberFormat',
        },
      });
      if (!created) plan.actions.push(`${s.title}: date format for "${c.header}"`);
    }
    if (c.owner === 'milepost') {
      const description = protectionDescription(s.title, c.header);
      if (!s.protectedDescriptions.includes(description)) {
        plan.requests.push({
          addProtectedRange: { protectedRange: { range, description, warningOnly: true } },
        });
        if (!created) plan.actions.push(`${s.title}: warning on "${c.header}" (Milepost fills it in)`);
      }
    }
  }
}

/** Plans the Milestones tab's missing status colours (conditional formats on Status). */
function planStatusColours(
  plan: SetupPlan,
  s: ExistingSheet,
  columns: Map<string, number>,
  created: boolean,
): void {
  const col = columns.get(normaliseName('Status'))!;
  const has = (status: string) =>
    s.conditionalFormats.some((r) =>
      r.booleanRule?.condition?.values?.some((v) => v.userEnteredValue === status),
    );
  for (const { status, background: hex } of STATUS_FILLS) {
    if (has(status)) continue;
    plan.requests.push({
      addConditionalFormatRule: {
        index: 0,
        rule: {
          ranges: [
            {
              sheetId: s.sheetId,
              startRowIndex: 1,
              endRowIndex: s.rowCount,
              startColumnIndex: col,
              endColumnIndex: col + 1,
            },
          ],
          booleanRule: {
            condition: { type: 'TEXT_EQ', values: [{ userEnteredValue: status }] },
            format: { backgroundColor: colour(hex) },
          },
        },
      },
    });
    if (!created) plan.actions.push(`Milestones: colour for "${status}"`);
  }
}

/** Plans the Settings rows that are missing. */
function planSettingsRows(plan: SetupPlan, existing: ExistingSpreadsheet, created: boolean): void {
  const have = new Set(existing.settings.map(normaliseName));
  for (const setting of SETTINGS) {
    if (have.has(normaliseName(setting.key))) continue;
    // A new register keeps the spreadsheet's own time zone (the owner's locale).
    const value = setting.key === 'Time zone' && existing.timeZone ? existing.timeZone : setting.value;
    plan.settingsRows.push([setting.key, value, setting.about]);
  }
  if (plan.settingsRows.length && !created)
    plan.actions.push(`Settings: added ${plan.settingsRows.map((r) => `"${r[0]}"`).join(', ')}`);
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
