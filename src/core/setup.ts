/**
 * Register setup as a plan: given what a spreadsheet holds now (its shape), the steps that
 * bring it to the layout — tabs, headers, a frozen header row, dropdowns, date formats,
 * warning-only protections on the columns Milepost fills in, status colours, the missing
 * Settings rows, the spreadsheet's time zone. Nothing else is touched, so running setup again
 * plans nothing. The Node job turns the steps into Sheets requests (google/setup.ts), Apps
 * Script into SpreadsheetApp calls (gas/setup.ts); a new local workbook is the layout itself
 * (local/workbook.ts createWorkbook).
 */
import {
  LISTS,
  normaliseName,
  protectionDescription,
  SETTINGS,
  STATUS_FILLS,
  TABS,
  type TabName,
} from './layout';

/** Number formats of date and instant columns (the same in the Sheet and the workbook). */
export const DATE_PATTERN = 'yyyy-mm-dd';
export const INSTANT_PATTERN = 'yyyy-mm-dd hh:mm';

/** One tab as it is now. */
export interface TabShape {
  title: string;
  headers: string[];
  frozenRows: number;
  /** Per column (0-based): whether row 2 has a dropdown, and a number format. */
  dropdown: boolean[];
  format: boolean[];
  /** Statuses that already have a colour rule (Milestones). */
  colouredStatuses: string[];
}

/** What setup needs to know of a spreadsheet. */
export interface RegisterShape {
  /** The spreadsheet's own time zone. */
  timeZone: string;
  tabs: TabShape[];
  /** Descriptions of the protected ranges there are. */
  protections: string[];
  /** Setting names already in the Settings tab, and the value of its Time zone row. */
  settings: string[];
  settingsTimeZone?: string;
}

interface At {
  tab: TabName;
  /** The tab's title as the spreadsheet spells it. */
  title: string;
}
interface AtColumn extends At {
  /** 0-based, in the headers once the missing ones are added. */
  column: number;
  header: string;
}

export type SetupStep =
  | (At & { kind: 'tab'; index: number; columns: number })
  | (At & { kind: 'headers'; start: number; headers: string[] })
  | (At & { kind: 'freeze' })
  /**
   * A dropdown: of fixed `values`, or of the values below the header of another tab's column
   * (`from`: the tab as the spreadsheet spells it, the 0-based column). Always a warning, never a
   * refusal: a value typed outside it is reported by `validate`, not lost.
   */
  | (AtColumn & { kind: 'dropdown'; values: readonly string[]; from?: { title: string; column: number } })
  /** A warning on a value that is not a date, in a date column people fill in. */
  | (AtColumn & { kind: 'validDate' })
  | (AtColumn & { kind: 'format'; type: 'date' | 'instant'; pattern: string })
  | (AtColumn & { kind: 'protect'; description: string })
  | (AtColumn & { kind: 'colour'; status: string; background: string })
  | { kind: 'settings'; rows: [string, string | number, string][] }
  | { kind: 'timeZone'; timeZone: string };

export interface SetupPlan {
  steps: SetupStep[];
  /** What the plan does, in words (empty when everything is in place). */
  actions: string[];
}

const EMPTY_TAB = (title: string): TabShape => ({
  title,
  headers: [],
  frozenRows: 1,
  dropdown: [],
  format: [],
  colouredStatuses: [],
});

/** The steps that bring a spreadsheet of this shape to the layout. */
export function planRegisterSetup(shape: RegisterShape): SetupPlan {
  const plan: SetupPlan = { steps: [], actions: [] };
  const sources = sourceColumns(shape);
  const fed: SetupStep[] = [];
  TABS.forEach((spec, index) => {
    const found = shape.tabs.find((t) => normaliseName(t.title) === normaliseName(spec.name));
    const tab = found ?? EMPTY_TAB(spec.name);
    const at: At = { tab: spec.name, title: tab.title };
    const created = !found;
    // Said once for a new tab; for an existing one, each thing added is said.
    const say = (what: string) => {
      if (!created) plan.actions.push(what);
    };
    if (created) {
      plan.steps.push({ ...at, kind: 'tab', index, columns: spec.columns.length });
      plan.actions.push(`added the ${spec.name} tab`);
    }
    const columns = planHeaders(plan, at, tab, say);
    // What the tab gains column by column, said in one line per tab (a newcomer reads a dozen
    // lines, not seventy).
    const gained = new Gained();
    if (tab.frozenRows < 1) {
      plan.steps.push({ ...at, kind: 'freeze' });
      say(`${tab.title}: froze the header row`);
    }
    for (const c of spec.columns) {
      const column = columns.get(normaliseName(c.header))!;
      const col: AtColumn = { ...at, column, header: c.header };
      const from = c.from && sources.get(`${c.from.tab}.${normaliseName(c.from.column)}`);
      if ((c.list || from) && !tab.dropdown[column]) {
        // A dropdown fed from another tab comes after every tab exists (a request naming a tab
        // not made yet would be refused).
        (from ? fed : plan.steps).push({
          ...col,
          kind: 'dropdown',
          values: c.list ? LISTS[c.list] : [],
          ...(from ? { from } : {}),
        });
        gained.add('dropdown', `"${c.header}"${c.from ? ` (from ${c.from.tab} ${c.from.column})` : ''}`);
      }
      if (c.type === 'date' && c.owner !== 'milepost' && !tab.dropdown[column]) {
        plan.steps.push({ ...col, kind: 'validDate' });
        gained.add('date check', `"${c.header}"`);
      }
      if ((c.type === 'date' || c.type === 'instant') && !tab.format[column]) {
        const pattern = c.type === 'date' ? DATE_PATTERN : INSTANT_PATTERN;
        plan.steps.push({ ...col, kind: 'format', type: c.type, pattern });
        gained.add('date format', `"${c.header}"`);
      }
      const description = protectionDescription(tab.title, c.header);
      if (c.owner === 'milepost' && !shape.protections.includes(description)) {
        plan.steps.push({ ...col, kind: 'protect', description });
        gained.add('warning', `"${c.header}"`);
      }
    }
    if (spec.name === 'Milestones') {
      const column = columns.get(normaliseName('Status'))!;
      for (const { status, background } of STATUS_FILLS) {
        if (tab.colouredStatuses.includes(status)) continue;
        plan.steps.push({ ...at, kind: 'colour', column, header: 'Status', status, background });
        gained.add('colour', `"${status}"`);
      }
    }
    if (!gained.empty) say(`${tab.title}: ${gained.said()}`);
    if (spec.name === 'Settings') planSettingsRows(plan, shape, say);
  });
  plan.steps.push(...fed);
  // Sheet serials are wall time in the spreadsheet's zone: it must be the register's.
  const wanted = shape.settingsTimeZone;
  if (wanted && wanted !== shape.timeZone) {
    plan.steps.push({ kind: 'timeZone', timeZone: wanted });
    plan.actions.push(`set the spreadsheet's time zone to ${wanted}`);
  }
  return plan;
}

/** What a tab gains, kind by kind (dropdowns first), each in column order: `dropdowns for "Owner", "Status"; …`. */
class Gained {
  private readonly byKind = new Map<string, string[]>();
  add(kind: 'dropdown' | 'date check' | 'date format' | 'warning' | 'colour', what: string): void {
    this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), what]);
  }
  get empty(): boolean {
    return this.byKind.size === 0;
  }
  said(): string {
    const phrase: Record<string, [string, string, string]> = {
      dropdown: ['dropdown', 'dropdowns', 'for'],
      'date check': ['date check', 'date checks', 'for'],
      'date format': ['date format', 'date formats', 'for'],
      warning: ['warning', 'warnings', 'on'],
      colour: ['colour', 'colours', 'for'],
    };
    return Object.keys(phrase)
      .filter((kind) => this.byKind.has(kind))
      .map((kind) => {
        const list = this.byKind.get(kind)!;
        const [one, many, prep] = phrase[kind]!;
        const tail = kind === 'warning' ? ` (Milepost fills ${list.length === 1 ? 'it' : 'them'} in)` : '';
        return `${list.length === 1 ? one : many} ${prep} ${list.join(', ')}${tail}`;
      })
      .join('; ');
  }
}

/**
 * Where each dropdown source (`Tab.column`) is once setup is done: the tab's title as the
 * spreadsheet spells it and the column's 0-based index (a missing column goes after the last header).
 */
function sourceColumns(shape: RegisterShape): Map<string, { title: string; column: number }> {
  const out = new Map<string, { title: string; column: number }>();
  for (const spec of TABS) {
    for (const c of spec.columns) {
      if (!c.from) continue;
      const source = TABS.find((t) => t.name === c.from!.tab)!;
      const tab =
        shape.tabs.find((t) => normaliseName(t.title) === normaliseName(source.name)) ??
        EMPTY_TAB(source.name);
      const columns = resolveColumns(tab, source);
      const column = columns.get(normaliseName(c.from.column));
      if (column !== undefined)
        out.set(`${c.from.tab}.${normaliseName(c.from.column)}`, { title: tab.title, column });
    }
  }
  return out;
}

/** Each layout column's index in a tab once its missing headers are added after the last header. */
function resolveColumns(tab: TabShape, spec: (typeof TABS)[number]): Map<string, number> {
  const columns = new Map<string, number>();
  tab.headers.forEach((h, i) => {
    const n = normaliseName(h);
    if (n && !columns.has(n)) columns.set(n, i);
  });
  let start = tab.headers.length;
  while (start > 0 && !tab.headers[start - 1]?.trim()) start--;
  for (const c of spec.columns) {
    if (!columns.has(normaliseName(c.header))) columns.set(normaliseName(c.header), start++);
  }
  return columns;
}

/** The layout's missing headers, after the last header; returns each column's index by normalised header. */
function planHeaders(
  plan: SetupPlan,
  at: At,
  tab: TabShape,
  say: (what: string) => void,
): Map<string, number> {
  const spec = TABS.find((t) => t.name === at.tab)!;
  const present = new Set(tab.headers.map((h) => normaliseName(h)).filter(Boolean));
  const columns = resolveColumns(tab, spec);
  const missing = spec.columns.filter((c) => !present.has(normaliseName(c.header)));
  if (!missing.length) return columns;
  const start = columns.get(normaliseName(missing[0]!.header))!;
  plan.steps.push({ ...at, kind: 'headers', start, headers: missing.map((c) => c.header) });
  say(
    `${tab.title}: added the column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c.header}"`).join(', ')}`,
  );
  return columns;
}

/** The Settings rows that are missing; a new register keeps the spreadsheet's own time zone. */
function planSettingsRows(plan: SetupPlan, shape: RegisterShape, say: (what: string) => void): void {
  const have = new Set(shape.settings.map(normaliseName));
  const rows: [string, string | number, string][] = SETTINGS.filter(
    (s) => !have.has(normaliseName(s.key)),
  ).map((s) => [s.key, s.key === 'Time zone' && shape.timeZone ? shape.timeZone : s.value, s.about]);
  if (!rows.length) return;
  plan.steps.push({ kind: 'settings', rows });
  say(`Settings: added ${rows.map((r) => `"${r[0]}"`).join(', ')}`);
}
