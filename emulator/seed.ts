/**
 * Seeds the emulator from the core's tables or from a local workspace's register.xlsx, the way
 * `milepost setup` would leave a Google register: one tab per table, header row frozen, the
 * layout's date and instant columns formatted as dates so FORMATTED reads look right.
 */
import { type ColumnType, normaliseName, TABS } from '../src/core/layout';
import type { Table } from '../src/core/types';
import { readWorkbook } from '../src/local/workbook';
import type { NumberFormat } from './cells';
import type { SpreadsheetSeed } from './sheets';

export interface SeedOptions {
  title: string;
  /** IANA time zone of the spreadsheet (the register's Settings "Time zone"). */
  timeZone: string;
  locale?: string;
}

const FORMATS: Partial<Record<ColumnType, NumberFormat>> = {
  date: { type: 'DATE', pattern: 'yyyy-mm-dd' },
  instant: { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm' },
};

/** A spreadsheet seed holding the tables as RAW values, with the layout's date formats. */
export function seedOfTables(tables: Table[], opts: SeedOptions): SpreadsheetSeed {
  return {
    title: opts.title,
    timeZone: opts.timeZone,
    locale: opts.locale,
    sheets: tables.map((table) => {
      const spec = TABS.find((t) => normaliseName(t.name) === normaliseName(table.name));
      const columnFormats = table.headers.map((header) => {
        const column = spec?.columns.find((c) => normaliseName(c.header) === normaliseName(header));
        return column ? FORMATS[column.type] : undefined;
      });
      return {
        title: table.name,
        rows: [table.headers, ...table.rows],
        columnFormats,
        frozenRowCount: 1,
      };
    }),
  };
}

/** The register's time zone: the Settings tab's "Time zone" value, or UTC. */
export function timeZoneOf(tables: Table[]): string {
  const settings = tables.find((t) => normaliseName(t.name) === 'settings');
  if (!settings) return 'UTC';
  const key = settings.headers.findIndex((h) => normaliseName(h) === 'setting');
  const value = settings.headers.findIndex((h) => normaliseName(h) === 'value');
  if (key < 0 || value < 0) return 'UTC';
  const row = settings.rows.find((r) => normaliseName(String(r[key] ?? '')) === 'timezone');
  const tz = row?.[value];
  return typeof tz === 'string' && tz.trim() !== '' ? tz.trim() : 'UTC';
}

/** A spreadsheet seed from a register.xlsx (dates arrive from exceljs as serial numbers). */
export async function seedOfWorkbook(
  file: string,
  opts: Partial<SeedOptions> = {},
): Promise<SpreadsheetSeed> {
  const { snapshot } = await readWorkbook(file);
  return seedOfTables(snapshot.tables, {
    title: opts.title ?? 'Milestone register',
    timeZone: opts.timeZone ?? timeZoneOf(snapshot.tables),
    locale: opts.locale,
  });
}
