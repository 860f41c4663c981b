/**
 * The register in a Google Sheet: one snapshot read in two calls (the tab list, then every
 * tab's values in one batchGet), whatever the size of the register.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import type { Cell, Snapshot, Table } from '../core/types';

/** A sheet name in A1 notation: always quoted, quotes doubled. */
export function quoteSheet(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

function toCell(value: unknown): Cell {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** Rows as Sheets returns them (trailing empties omitted) → a core table. */
export function tableOf(title: string, values: unknown[][] | null | undefined): Table {
  const rows = (values ?? []).map((r) => r.map(toCell));
  const header = rows[0] ?? [];
  const body = rows.slice(1).map((r) => {
    let end = r.length;
    while (end > 0 && r[end - 1] === null) end--;
    return r.slice(0, end);
  });
  while (body.length && body[body.length - 1]!.length === 0) body.pop();
  return { name: title, headers: header.map((h) => (h === null ? '' : String(h))), rows: body };
}

export interface SheetInfo {
  sheetId: number;
  title: string;
}

export interface SheetSnapshot {
  snapshot: Snapshot;
  sheets: SheetInfo[];
  timeZone: string;
  title: string;
}

export async function readSnapshot(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  retry: <T>(label: string, call: () => Promise<T>) => Promise<T> = (_l, call) => call(),
): Promise<SheetSnapshot> {
  const meta = await retry('spreadsheets.get', () =>
    api.spreadsheets.get({
      spreadsheetId,
      fields: 'properties(title,timeZone),sheets(properties(sheetId,title,index))',
    }),
  );
  const sheets = (meta.data.sheets ?? [])
    .map((s) => s.properties!)
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
    .map((p) => ({ sheetId: p.sheetId ?? 0, title: p.title ?? '' }));
  const values = sheets.length
    ? await retry('values.batchGet', () =>
        api.spreadsheets.values.batchGet({
          spreadsheetId,
          ranges: sheets.map((s) => quoteSheet(s.title)),
          valueRenderOption: 'UNFORMATTED_VALUE',
          dateTimeRenderOption: 'SERIAL_NUMBER',
          majorDimension: 'ROWS',
        }),
      )
    : undefined;
  const ranges = values?.data.valueRanges ?? [];
  return {
    snapshot: {
      tables: sheets.map((s, i) => tableOf(s.title, ranges[i]?.values as unknown[][] | undefined)),
    },
    sheets,
    timeZone: meta.data.properties?.timeZone ?? 'UTC',
    title: meta.data.properties?.title ?? '',
  };
}
