import layoutJson from '../../templates/layout.json';
import type { Status } from './types';

/** Who may write a column: people only, Milepost only, or people plus authorised updates. */
export type ColumnOwner = 'people' | 'milepost' | 'update';
export type ColumnType = 'text' | 'date' | 'instant' | 'integer' | 'number';

export interface ColumnSpec {
  header: string;
  owner: ColumnOwner;
  required: boolean;
  type: ColumnType;
  list?: ListName;
  /** A dropdown of the values in another tab's column (Owner: Team Email), a warning only. */
  from?: { tab: TabName; column: string };
  width: number;
}

export interface TabSpec {
  name: TabName;
  /** Header of the column that identifies a row; absent for append-only tabs. */
  key?: string;
  appendOnly: boolean;
  columns: ColumnSpec[];
}

export type TabName =
  | 'Milestones'
  | 'Team'
  | 'Priorities'
  | 'Meetings'
  | 'Topics'
  | 'Updates'
  | 'Changes'
  | 'Settings'
  /** Optional: a register made before tracked actions has none until setup or a wrap-up adds it. */
  | 'Actions';
export type ListName = keyof typeof layoutJson.lists;

export interface SettingSpec {
  key: string;
  value: string | number;
  about: string;
}

export const LISTS: Record<ListName, readonly string[]> = layoutJson.lists;

export const TABS: readonly TabSpec[] = layoutJson.tabs.map((t) => ({
  name: t.name as TabName,
  key: 'key' in t ? t.key : undefined,
  appendOnly: 'appendOnly' in t ? Boolean(t.appendOnly) : false,
  columns: t.columns.map((c) => ({
    header: c.header,
    owner: c.owner as ColumnOwner,
    required: 'required' in c ? Boolean(c.required) : false,
    type: ('type' in c ? c.type : 'text') as ColumnType,
    list: 'list' in c ? (c.list as ListName) : undefined,
    from: 'from' in c ? fromOf(String(c.from)) : undefined,
    width: c.width,
  })),
}));

export const SETTINGS: readonly SettingSpec[] = layoutJson.settings;

function fromOf(text: string): { tab: TabName; column: string } {
  const [tab, column] = text.split('.');
  return { tab: tab as TabName, column: column! };
}

export function tabSpec(name: TabName): TabSpec {
  const spec = TABS.find((t) => t.name === name);
  if (!spec) throw new Error(`No tab ${name} in the layout`);
  return spec;
}

/** Header and tab names match case- and space-insensitively. */
const normalised = new Map<string, string>();

export function normaliseName(text: string): string {
  // Called for every header and key of a large register: remembered (headers repeat).
  let name = normalised.get(text);
  if (name === undefined) {
    name = text.toLowerCase().replace(/\s+/g, '');
    if (normalised.size > 10_000) normalised.clear();
    normalised.set(text, name);
  }
  return name;
}

/**
 * Each status's fill and text colour, defined once: the register's Status cells (the Sheet's
 * conditional formats on the Node job and in Apps Script, the workbook's locally) and the packs
 * (HTML, and the Google Doc's status cells). On track has no fill.
 */
export const STATUS_COLOURS: Readonly<Record<Status, { background?: string; color?: string }>> = {
  'On track': {},
  'Might miss': { background: '#FFE08A', color: '#3D2E00' },
  Missed: { background: '#F4B6B6', color: '#4A0B0B' },
  Done: { background: '#C8E6C9', color: '#0F3D14' },
  Dropped: { background: '#E0E0E0', color: '#303030' },
};

/** The statuses that have a fill, with their colours (for conditional formatting rules). */
export const STATUS_FILLS: readonly { status: Status; background: string; color: string }[] = (
  Object.entries(STATUS_COLOURS) as [Status, { background?: string; color?: string }][]
).flatMap(([status, c]) =>
  c.background ? [{ status, background: c.background, color: c.color ?? '#000000' }] : [],
);

/** The description of the warning-only protection on a column Milepost fills in. */
export function protectionDescription(tab: string, header: string): string {
  return `Milepost: ${tab} › ${header} is filled in by Milepost`;
}
