/**
 * The register in a Google Sheet: one snapshot read in two calls (the tab list, then every
 * tab's values in one batchGet), whatever the size of the register.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { tableOf } from '../core/cells';
import type { Snapshot } from '../core/types';

export { tableOf };

/** A sheet name in A1 notation: always quoted, quotes doubled. */
export function quoteSheet(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/** A 0-based column index as A1 letters (0 → A, 26 → AA). */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
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
  /** The spreadsheet's own developer metadata (key → value): Milepost's marks, e.g. ROWS_MARK. */
  marks: Record<string, string>;
}

export async function readSnapshot(
  api: sheets_v4.Sheets,
  spreadsheetId: string,
  retry: <T>(label: string, call: () => Promise<T>) => Promise<T> = (_l, call) => call(),
): Promise<SheetSnapshot> {
  const meta = await retry('spreadsheets.get', () =>
    api.spreadsheets.get({
      spreadsheetId,
      fields:
        'properties(title,timeZone),sheets(properties(sheetId,title,index)),developerMetadata(metadataKey,metadataValue)',
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
    marks: Object.fromEntries(
      (meta.data.developerMetadata ?? []).map((m) => [m.metadataKey ?? '', m.metadataValue ?? '']),
    ),
  };
}
