import layoutJson from '../../templates/layout.json';

/** Who may write a column: people only, Milepost only, or people plus authorised updates. */
export type ColumnOwner = 'people' | 'milepost' | 'update';
export type ColumnType = 'text' | 'date' | 'instant' | 'integer' | 'number';

export interface ColumnSpec {
  header: string;
  owner: ColumnOwner;
  required: boolean;
  type: ColumnType;
  list?: ListName;
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
  | 'Settings';
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
    width: c.width,
  })),
}));

export const SETTINGS: readonly SettingSpec[] = layoutJson.settings;

export function tabSpec(name: TabName): TabSpec {
  const spec = TABS.find((t) => t.name === name);
  if (!spec) throw new Error(`No tab ${name} in the layout`);
  return spec;
}

/** Header and tab names match case- and space-insensitively. */
export function normaliseName(text: string): string {
  return text.toLowerCase().replace(/\s+/g, '');
}

/** Status colours of the register's Status cells (the Sheet's conditional colours, Apps Script's too). */
export const STATUS_COLOURS: Record<string, string> = {
  'Might miss': '#FFE08A',
  Missed: '#F4B6B6',
  Done: '#C8E6C9',
  Dropped: '#E0E0E0',
};

/** The description of the warning-only protection on a column Milepost fills in. */
export function protectionDescription(tab: string, header: string): string {
  return `Milepost: ${tab} › ${header} is filled in by Milepost`;
}
