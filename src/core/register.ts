/**
 * Tables → domain. Tabs are found by name and columns by header text (case- and
 * space-insensitive), never by position. Every problem names tab, row, column, the value
 * found and what was expected; one bad row never stops the rest from loading.
 */
import {
  isValidTimeZone,
  parseInstant,
  parseIsoDate,
  parseWeekday,
  serialToDate,
  serialToInstant,
} from './dates';
import {
  type ColumnSpec,
  LISTS,
  normaliseName,
  SETTINGS,
  type TabName,
  type TabSpec,
  tabSpec,
} from './layout';
import type {
  ActionRow,
  ActionStatus,
  Cell,
  ChangeRow,
  Meeting,
  MeetingStatus,
  Milestone,
  Outcome,
  Person,
  PriorityRow,
  Problem,
  Register,
  Role,
  Settings,
  Snapshot,
  Status,
  Table,
  TopicKind,
  TopicRow,
  UpdateRow,
  Weights,
} from './types';

export const STATUSES = LISTS.status as readonly Status[];
export const OPEN_STATUSES: readonly Status[] = ['On track', 'Might miss', 'Missed'];
/** The statuses an owner may set in the form: the process manager drops a milestone, in the register. */
export const OWNER_STATUSES: readonly Status[] = STATUSES.filter((s) => s !== 'Dropped');
export const ID_PATTERN = /^M-(\d{4,})$/;

export function isOpen(m: Milestone): boolean {
  return OPEN_STATUSES.includes(m.status);
}

export function findTable(snapshot: Snapshot, name: string): Table | undefined {
  const want = normaliseName(name);
  return snapshot.tables.find((t) => normaliseName(t.name) === want);
}

/** A tab with its columns located by header. */
export class TabView {
  readonly index = new Map<string, number>();
  constructor(
    readonly spec: TabSpec,
    readonly table: Table,
  ) {
    const wanted = new Map(spec.columns.map((c) => [normaliseName(c.header), c.header]));
    table.headers.forEach((h, i) => {
      const header = wanted.get(normaliseName(String(h ?? '')));
      if (header && !this.index.has(header)) this.index.set(header, i);
    });
  }
  has(header: string): boolean {
    return this.index.has(header);
  }
  cell(row: Cell[], header: string): Cell {
    const i = this.index.get(header);
    return i === undefined ? null : (row[i] ?? null);
  }
  text(row: Cell[], header: string): string {
    return cellText(this.cell(row, header));
  }
  /** 1-based sheet row of rows[i]. */
  static sheetRow(i: number): number {
    return i + 2;
  }
}

export function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value).trim();
}

export function isBlankRow(row: Cell[]): boolean {
  return row.every((c) => cellText(c) === '');
}

type Reader = {
  problems: Problem[];
  tz: string;
};

function problem(
  r: Reader,
  tab: string,
  row: number | undefined,
  column: string | undefined,
  value: Cell | undefined,
  expected: string,
  message?: string,
  severity: Problem['severity'] = 'error',
): void {
  const shown = value === undefined || value === null ? undefined : String(value);
  const where = [tab, row !== undefined ? `row ${row}` : '', column ? `column ${column}` : '']
    .filter(Boolean)
    .join(', ');
  r.problems.push({
    severity,
    tab,
    row,
    column,
    value: shown,
    expected,
    message:
      message ??
      `${where}: found ${shown === undefined || shown === '' ? 'nothing' : `"${shown}"`}; expected ${expected}`,
  });
}

/** A calendar date from a serial, 'YYYY-MM-DD' text, or an ISO instant's date part. */
export function readDate(value: Cell): string | undefined | 'invalid' {
  if (value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? serialToDate(value) : 'invalid';
  const t = String(value).trim();
  if (t === '') return undefined;
  const d = parseIsoDate(t.length > 10 && t[10] === 'T' ? t.slice(0, 10) : t);
  return d ?? 'invalid';
}

export function readInstant(value: Cell, tz: string): string | undefined | 'invalid' {
  if (value === null || value === '') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) && value > 0 ? serialToInstant(value, tz) : 'invalid';
  const t = String(value).trim();
  if (t === '') return undefined;
  return parseInstant(t, tz) ?? 'invalid';
}

function dateField(r: Reader, v: TabView, row: Cell[], rowNo: number, header: string): string | undefined {
  const raw = v.cell(row, header);
  const d = readDate(raw);
  if (d === 'invalid') {
    problem(r, v.spec.name, rowNo, header, raw, 'a date (YYYY-MM-DD, or a date cell)');
    return undefined;
  }
  return d;
}

function instantField(r: Reader, v: TabView, row: Cell[], rowNo: number, header: string): string | undefined {
  const raw = v.cell(row, header);
  const d = readInstant(raw, r.tz);
  if (d === 'invalid') {
    problem(r, v.spec.name, rowNo, header, raw, 'a date and time (YYYY-MM-DD HH:MM, or a date cell)');
    return undefined;
  }
  return d;
}

function intField(r: Reader, v: TabView, row: Cell[], rowNo: number, header: string): number | undefined {
  const raw = v.cell(row, header);
  const t = cellText(raw);
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) {
    problem(r, v.spec.name, rowNo, header, raw, 'a whole number');
    return undefined;
  }
  return n;
}

function listField<T extends string>(
  r: Reader,
  v: TabView,
  row: Cell[],
  rowNo: number,
  header: string,
  list: readonly T[],
  fallback: T,
): T {
  const raw = v.cell(row, header);
  const t = cellText(raw);
  if (t === '') return fallback;
  const found = matchListValue(t, list);
  if (found === undefined) {
    problem(r, v.spec.name, rowNo, header, raw, `one of ${list.join(', ')}`);
    return fallback;
  }
  return found;
}

/** List values match case- and space-insensitively ('might  miss' is 'Might miss'). */
export function matchListValue<T extends string>(text: string, list: readonly T[]): T | undefined {
  const n = normaliseName(text);
  return list.find((x) => normaliseName(x) === n);
}

/** Tabs a register may lack: Milepost adds them (setup, or the first wrap-up that needs one). */
export const OPTIONAL_TABS: readonly TabName[] = ['Actions'];

function openTab(r: Reader, snapshot: Snapshot, name: TabName): TabView | undefined {
  const spec = tabSpec(name);
  const table = findTable(snapshot, name);
  if (!table && OPTIONAL_TABS.includes(name)) return undefined;
  if (!table) {
    problem(
      r,
      name,
      undefined,
      undefined,
      undefined,
      `a tab named "${name}"`,
      `The register has no "${name}" tab.`,
    );
    return undefined;
  }
  const view = new TabView(spec, table);
  const missing = spec.columns.filter((c: ColumnSpec) => c.required && !view.has(c.header));
  for (const c of missing) {
    problem(
      r,
      name,
      1,
      c.header,
      undefined,
      `a column headed "${c.header}"`,
      `${name}: the required column "${c.header}" is missing from the header row (row 1).`,
    );
  }
  return missing.length ? undefined : view;
}

function rows(v: TabView | undefined): { row: Cell[]; rowNo: number }[] {
  if (!v) return [];
  const out: { row: Cell[]; rowNo: number }[] = [];
  v.table.rows.forEach((row, i) => {
    if (!isBlankRow(row)) out.push({ row, rowNo: TabView.sheetRow(i) });
  });
  return out;
}

// ---------- Settings ----------

const DEFAULTS = new Map(SETTINGS.map((s) => [normaliseName(s.key), s]));

/** The values a numeric setting may take (README: "Settings"). */
export interface SettingRange {
  min: number;
  max: number;
  /** Whole numbers only. */
  whole?: boolean;
  /** What the number counts ('weeks'), for messages; '' for a plain number. */
  unit: string;
  /**
   * true: a value out of range stops every run until it is fixed, because it decides when
   * something happens or is sent; false: the default is used meanwhile, and every run says so.
   */
  stopsRuns: boolean;
}

const WEIGHT: SettingRange = { min: 0, max: 1000, unit: '', stopsRuns: false };

/** Every numeric setting and its range. */
export const SETTING_RANGES: Readonly<Record<string, SettingRange>> = {
  'Cadence (weeks)': { min: 1, max: 52, whole: true, unit: 'weeks', stopsRuns: true },
  'Meeting length (minutes)': { min: 1, max: 1440, unit: 'minutes', stopsRuns: true },
  'Request lead (days)': { min: 0, max: 365, whole: true, unit: 'days', stopsRuns: true },
  'Response deadline (hours before)': { min: 0, max: 8760, unit: 'hours', stopsRuns: true },
  'Reminder (hours before deadline)': { min: 0, max: 8760, unit: 'hours', stopsRuns: true },
  'Second reminder (hours after deadline)': { min: 0, max: 8760, unit: 'hours', stopsRuns: true },
  'Escalate after missed meetings': { min: 0, max: 52, whole: true, unit: 'meetings', stopsRuns: false },
  'Pack lead (hours before)': { min: 0, max: 8760, unit: 'hours', stopsRuns: true },
  'Minutes per member update': { min: 0, max: 1440, unit: 'minutes', stopsRuns: false },
  'Minutes per topic': { min: 1, max: 1440, unit: 'minutes', stopsRuns: false },
  'Wrap-up (minutes)': { min: 0, max: 1440, unit: 'minutes', stopsRuns: false },
  'Weight might-miss': WEIGHT,
  'Weight missed': WEIGHT,
  'Weight dependency': WEIGHT,
  'Weight help': WEIGHT,
  'Weight raised': WEIGHT,
  'Weight stale': WEIGHT,
  'Weight priority': WEIGHT,
  'Weight due soon': WEIGHT,
  'Due horizon (days)': { min: 1, max: 365, unit: 'days', stopsRuns: false },
  'Weight per other group': WEIGHT,
  'Weight per deferral': WEIGHT,
};

/** The dates "First meeting" may hold. */
export const FIRST_MEETING_RANGE = { from: '2000-01-01', to: '2199-12-31' } as const;

/** 'a whole number of weeks from 1 to 52'. */
export function describeRange(range: SettingRange): string {
  const what = `${range.whole ? 'a whole number' : 'a number'}${range.unit ? ` of ${range.unit}` : ''}`;
  return `${what} from ${range.min} to ${range.max}`;
}

/** What a bad setting does meanwhile: the runs stop, or `fallback` (the default) is used. */
type Meanwhile = { stops: true } | { fallback: string };

/** Accessors for the Settings values, falling back to the defaults and reporting bad values. */
interface SettingsLookup {
  /** The value for `key`, or its default when blank or absent. */
  get: (key: string) => string;
  /** Reports the value for `key` as not what was expected, and what happens until it is fixed. */
  bad: (key: string, expected: string, meanwhile: Meanwhile) => void;
  /** A number within the key's SETTING_RANGES (the default when it is not). */
  num: (key: string) => number;
  /** A yes/no value (the default when it is neither; runs stop). */
  yesNo: (key: string) => boolean;
}

/** The Settings tab as written: each setting's text, and the row it is on. */
function readRawSettings(v: TabView | undefined): {
  raw: Record<string, string>;
  rowOf: Map<string, number>;
} {
  const raw: Record<string, string> = {};
  const rowOf = new Map<string, number>();
  for (const { row, rowNo } of rows(v)) {
    const key = v!.text(row, 'Setting');
    if (!key) continue;
    const cell = v!.cell(row, 'Value');
    // A date typed into Settings may arrive as a serial.
    raw[key] =
      typeof cell === 'number' && normaliseName(key) === normaliseName('First meeting')
        ? serialToDate(cell)
        : cellText(cell);
    rowOf.set(normaliseName(key), rowNo);
  }
  return { raw, rowOf };
}

/** Reports a bad Settings value on its row, column Value, saying what happens until it is fixed. */
function settingProblem(
  r: Reader,
  key: string,
  row: number | undefined,
  value: string | undefined,
  expected: string,
  meanwhile: Meanwhile,
): void {
  const where = ['Settings', row !== undefined ? `row ${row}` : '', 'column Value']
    .filter(Boolean)
    .join(', ');
  const found = value === undefined || value === '' ? 'nothing' : `"${value}"`;
  const then =
    'stops' in meanwhile
      ? 'Every run (sync, request, pack, wrap-up, run) stops until it is fixed.'
      : `Until it is fixed, Milepost uses the default, ${meanwhile.fallback}.`;
  r.problems.push({
    severity: 'error',
    tab: 'Settings',
    row,
    column: 'Value',
    value,
    expected,
    message: `${where}: "${key}" is ${found}; expected ${expected}. ${then}`,
    ...('stops' in meanwhile ? { stopsRuns: true } : {}),
  });
}

/** Builds the accessors for settings read from the tab. */
function settingsLookup(r: Reader, raw: Record<string, string>, rowOf: Map<string, number>): SettingsLookup {
  const lookup = new Map(Object.entries(raw).map(([k, val]) => [normaliseName(k), val]));
  const fallbackOf = (key: string) => String(DEFAULTS.get(normaliseName(key))?.value ?? '');
  const get = (key: string): string => {
    const v2 = lookup.get(normaliseName(key));
    if (v2 !== undefined && v2 !== '') return v2;
    return fallbackOf(key);
  };
  const bad = (key: string, expected: string, meanwhile: Meanwhile) =>
    settingProblem(
      r,
      key,
      rowOf.get(normaliseName(key)),
      lookup.get(normaliseName(key)),
      expected,
      meanwhile,
    );
  const num = (key: string): number => {
    const range = SETTING_RANGES[key];
    if (!range) throw new Error(`No range for the setting "${key}"`);
    const t = get(key);
    const n = Number(t);
    const fits = t !== '' && Number.isFinite(n) && n >= range.min && n <= range.max;
    if (fits && (!range.whole || Number.isInteger(n))) return n;
    const fallback = Number(fallbackOf(key) || range.min);
    bad(key, describeRange(range), range.stopsRuns ? { stops: true } : { fallback: String(fallback) });
    return fallback;
  };
  const yesNo = (key: string): boolean => {
    const t = get(key).toLowerCase();
    if (['yes', 'y', 'true', '1', 'on'].includes(t)) return true;
    if (['no', 'n', 'false', '0', 'off'].includes(t)) return false;
    bad(key, 'yes or no', { stops: true });
    return fallbackOf(key) === 'yes';
  };
  return { get, bad, num, yesNo };
}

/** The meeting schedule settings (time zone, weekday, time, first meeting); sets the reader's zone. */
function readSchedule(
  r: Reader,
  s: SettingsLookup,
): Pick<Settings, 'timeZone' | 'meetingWeekday' | 'meetingTime' | 'firstMeeting'> {
  const { get, bad } = s;
  const stops = { stops: true } as const;
  let timeZone = get('Time zone');
  if (!isValidTimeZone(timeZone)) {
    bad('Time zone', 'an IANA time zone such as Europe/London', stops);
    timeZone = 'UTC';
  }
  r.tz = timeZone;
  let meetingWeekday = parseWeekday(get('Meeting weekday'));
  if (meetingWeekday === undefined) {
    bad('Meeting weekday', 'a weekday such as Thursday', stops);
    meetingWeekday = 4;
  }
  let meetingTime = get('Meeting time');
  const tm = /^(\d{1,2}):(\d{2})$/.exec(meetingTime);
  if (!tm || Number(tm[1]) > 23 || Number(tm[2]) > 59) {
    bad('Meeting time', 'a 24-hour time such as 10:00', stops);
    meetingTime = '10:00';
  } else meetingTime = `${tm[1]!.padStart(2, '0')}:${tm[2]}`;
  const first = get('First meeting');
  let firstMeeting: string | undefined;
  if (first) {
    firstMeeting = parseIsoDate(first);
    const { from, to } = FIRST_MEETING_RANGE;
    if (!firstMeeting || firstMeeting < from || firstMeeting > to) {
      bad('First meeting', `a date (YYYY-MM-DD) from ${from} to ${to}, or blank`, stops);
      firstMeeting = undefined;
    }
  }
  return { timeZone, meetingWeekday, meetingTime, firstMeeting };
}

/** The dash of a range ('Mon-Fri', '09:00–17:30', 'Mon to Fri'). */
const RANGE_DASH = /\s*(?:-|–|\bto\b)\s*/i;

/** '09:00' from 'H:MM' or 'HH:MM' (24-hour); undefined when it is not a time of day. */
function clockTime(text: string): string | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && m[2] !== '00'))
    return undefined;
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

/** 'Mon-Fri', 'Mon, Wed, Fri', 'Sun-Thu' → the weekdays (0 = Sunday), in order; undefined when unreadable. */
function parseWorkingDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.split(/[,;]/)) {
    if (!part.trim()) continue;
    const ends = part.split(RANGE_DASH).map((d) => parseWeekday(d));
    const [from, to] = [ends[0], ends[ends.length - 1]];
    if (ends.length > 2 || from === undefined || to === undefined) return undefined;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return days.size ? [...days].sort((a, b) => a - b) : undefined;
}

/**
 * When requests and reminders may go out (working hours and days) and the reminder ladder
 * (schedule.ts, ladder.ts). Bad hours or days stop the runs: they decide when mail is sent.
 */
function readLadder(
  s: SettingsLookup,
): Pick<
  Settings,
  'workingHours' | 'workingDays' | 'secondReminderHoursAfterDeadline' | 'escalateAfterMissed'
> {
  const { get, bad, num } = s;
  const stops = { stops: true } as const;
  const [from, to, extra] = get('Working hours').split(RANGE_DASH);
  let start = clockTime(from ?? '');
  let end = clockTime(to ?? '');
  if (!start || !end || extra !== undefined || start >= end) {
    bad('Working hours', 'two 24-hour times, the first earlier, such as 09:00-17:30', stops);
    start = '09:00';
    end = '17:30';
  }
  let workingDays = parseWorkingDays(get('Working days'));
  if (!workingDays) {
    bad('Working days', 'weekdays such as Mon-Fri, or Mon, Tue, Thu', stops);
    workingDays = [1, 2, 3, 4, 5];
  }
  return {
    workingHours: { start, end },
    workingDays,
    secondReminderHoursAfterDeadline: secondReminder(s),
    escalateAfterMissed: num('Escalate after missed meetings'),
  };
}

/** "Second reminder (hours after deadline)": hours within its range, or no (undefined: none). */
function secondReminder({ get, bad }: SettingsLookup): number | undefined {
  const key = 'Second reminder (hours after deadline)';
  const text = get(key).trim();
  if (/^(no|off|none|never)$/i.test(text)) return undefined;
  const range = SETTING_RANGES[key]!;
  const n = Number(text);
  if (text !== '' && Number.isFinite(n) && n >= range.min && n <= range.max) return n;
  bad(key, `${describeRange(range)}, or no (no second reminder)`, { stops: true });
  return 0;
}

/** The topic scoring weights. */
function readWeights({ num }: SettingsLookup): Weights {
  return {
    mightMiss: num('Weight might-miss'),
    missed: num('Weight missed'),
    dependency: num('Weight dependency'),
    help: num('Weight help'),
    raised: num('Weight raised'),
    stale: num('Weight stale'),
    priority: num('Weight priority'),
    dueSoon: num('Weight due soon'),
    dueHorizonDays: num('Due horizon (days)'),
    perOtherGroup: num('Weight per other group'),
    perDeferral: num('Weight per deferral'),
  };
}

function readSettings(r: Reader, v: TabView | undefined): Settings {
  const { raw, rowOf } = readRawSettings(v);
  const s = settingsLookup(r, raw, rowOf);
  const { get, num, yesNo } = s;
  const { timeZone, meetingWeekday, meetingTime, firstMeeting } = readSchedule(r, s);
  return {
    timeZone,
    meetingWeekday,
    meetingTime,
    cadenceWeeks: num('Cadence (weeks)'),
    firstMeeting,
    meetingLengthMinutes: num('Meeting length (minutes)'),
    minutesPerMemberUpdate: num('Minutes per member update'),
    minutesPerTopic: num('Minutes per topic'),
    wrapUpMinutes: num('Wrap-up (minutes)'),
    requestLeadDays: num('Request lead (days)'),
    responseDeadlineHours: num('Response deadline (hours before)'),
    reminderHoursBeforeDeadline: num('Reminder (hours before deadline)'),
    ...readLadder(s),
    packLeadHours: num('Pack lead (hours before)'),
    processManager: get('Process manager').toLowerCase(),
    leader: get('Leader').toLowerCase(),
    teamEmail: get('Team group email').trim().toLowerCase(),
    autoMiss: yesNo('Auto-miss overdue'),
    formBaseUrl: get('Form base URL'),
    weights: readWeights(s),
    raw,
  };
}

// ---------- Team ----------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readTeam(r: Reader, v: TabView | undefined): Person[] {
  const team: Person[] = [];
  const seen = new Map<string, number>();
  for (const { row, rowNo } of rows(v)) {
    const email = v!.text(row, 'Email').toLowerCase();
    if (!EMAIL.test(email)) {
      problem(r, 'Team', rowNo, 'Email', v!.cell(row, 'Email'), 'an email address');
      continue;
    }
    if (seen.has(email)) {
      problem(r, 'Team', rowNo, 'Email', email, `a unique email (also on row ${seen.get(email)})`);
      continue;
    }
    seen.set(email, rowNo);
    const activeText = v!.has('Active') ? v!.text(row, 'Active').toLowerCase() : '';
    team.push({
      row: rowNo,
      name: v!.text(row, 'Name') || email,
      email,
      group: v!.text(row, 'Group'),
      role: listField(r, v!, row, rowNo, 'Role', LISTS.role as readonly Role[], 'member'),
      delegate: v!.has('Delegate') ? v!.text(row, 'Delegate').toLowerCase() || undefined : undefined,
      active: !['no', 'n', 'false', '0'].includes(activeText),
    });
  }
  for (const p of team) {
    if (p.delegate && !seen.has(p.delegate)) {
      problem(r, 'Team', p.row, 'Delegate', p.delegate, 'the email of someone on the Team tab');
      p.delegate = undefined;
    }
  }
  return team;
}

/** Resolves an Owner cell: a Team email, or a name that only one person has. */
export function resolvePerson(team: Person[], text: string): Person | undefined {
  const t = text.trim().toLowerCase();
  if (!t) return undefined;
  const byEmail = team.find((p) => p.email === t);
  if (byEmail) return byEmail;
  const byName = team.filter((p) => p.name.toLowerCase() === t);
  return byName.length === 1 ? byName[0] : undefined;
}

// ---------- Milestones ----------

/** The Person an Owner cell names; reports the cell when it names no one. */
function milestoneOwner(
  r: Reader,
  v: TabView,
  row: Cell[],
  rowNo: number,
  team: Person[],
): Person | undefined {
  const ownerText = v.text(row, 'Owner');
  const owner = resolvePerson(team, ownerText);
  if (!owner) {
    problem(
      r,
      'Milestones',
      rowNo,
      'Owner',
      ownerText,
      ownerText ? 'the email (or unique name) of someone on the Team tab' : 'one accountable owner',
    );
  }
  return owner;
}

/** One Milestones row (`id` is its ID cell, upper-cased), reporting what is wrong with it. */
function readMilestoneRow(
  r: Reader,
  v: TabView,
  row: Cell[],
  rowNo: number,
  id: string,
  team: Person[],
  priorities: PriorityRow[],
  priorityNames: Set<string>,
): Milestone {
  if (id && !ID_PATTERN.test(id)) {
    problem(
      r,
      'Milestones',
      rowNo,
      'ID',
      v.cell(row, 'ID'),
      'an ID like M-0007, or blank to have one assigned',
    );
  }
  const title = v.text(row, 'Milestone');
  if (!title) problem(r, 'Milestones', rowNo, 'Milestone', '', 'a short description of the milestone');
  const owner = milestoneOwner(r, v, row, rowNo, team);
  const priority = v.text(row, 'Priority');
  if (priority && priorities.length && !priorityNames.has(normaliseName(priority))) {
    problem(
      r,
      'Milestones',
      rowNo,
      'Priority',
      priority,
      'a priority listed on the Priorities tab',
      undefined,
      'warning',
    );
  }
  const due = dateField(r, v, row, rowNo, 'Due');
  if (!due && cellText(v.cell(row, 'Due')) === '') problem(r, 'Milestones', rowNo, 'Due', '', 'a due date');
  const statusCell = v.text(row, 'Status');
  const status = listField(r, v, row, rowNo, 'Status', STATUSES, 'On track');
  const forecastCell = cellText(v.cell(row, 'Forecast'));
  const forecast = dateField(r, v, row, rowNo, 'Forecast');
  const depText = v.has('Depends on') ? v.text(row, 'Depends on') : '';
  const dependsOn = splitIds(depText);
  return {
    id: ID_PATTERN.test(id) ? id : '',
    row: rowNo,
    priority,
    title,
    owner: owner?.email ?? '',
    due,
    status,
    statusCell,
    forecast,
    forecastCell,
    dependsOn,
    lastUpdate: instantField(r, v, row, rowNo, 'Last update'),
    notes: v.has('Notes') ? v.text(row, 'Notes') : '',
    cells: {
      id: v.cell(row, 'ID'),
      status: v.cell(row, 'Status'),
      forecast: v.cell(row, 'Forecast'),
      lastUpdate: v.cell(row, 'Last update'),
    },
  };
}

/** Reports every row of an ID that is on more than one row. */
function reportDuplicateIds(r: Reader, idRows: Map<string, number[]>): void {
  for (const [id, at] of idRows) {
    if (at.length > 1) {
      for (const rowNo of at) {
        problem(
          r,
          'Milestones',
          rowNo,
          'ID',
          id,
          'a unique ID',
          `Milestones, row ${rowNo}, column ID: "${id}" is used on rows ${at.join(' and ')}; each milestone needs its own ID (clear the ID of the copy to get a new one).`,
        );
      }
    }
  }
}

/** Reports dependencies on unknown IDs, on the milestone itself, and in cycles. */
function checkDependencies(r: Reader, out: Milestone[]): void {
  const ids = new Set(out.map((m) => m.id).filter(Boolean));
  for (const m of out) {
    for (const d of m.dependsOn) {
      if (!ids.has(d)) problem(r, 'Milestones', m.row, 'Depends on', d, 'IDs of milestones in this register');
      else if (d === m.id)
        problem(
          r,
          'Milestones',
          m.row,
          'Depends on',
          d,
          'other milestones (a milestone cannot depend on itself)',
        );
    }
  }
  for (const cycle of dependencyCycles(out)) {
    const first = out.find((m) => m.id === cycle[0]);
    problem(
      r,
      'Milestones',
      first?.row,
      'Depends on',
      cycle.join(' → '),
      'dependencies without a cycle',
      `Milestones, column Depends on: ${[...cycle, cycle[0]].join(' → ')} is a cycle; each of these waits for itself. Remove one link.`,
    );
  }
}

function readMilestones(
  r: Reader,
  v: TabView | undefined,
  team: Person[],
  priorities: PriorityRow[],
): Milestone[] {
  const out: Milestone[] = [];
  const idRows = new Map<string, number[]>();
  const priorityNames = new Set(priorities.map((p) => normaliseName(p.name)));
  for (const { row, rowNo } of rows(v)) {
    const id = v!.text(row, 'ID').toUpperCase();
    if (id) idRows.set(id, [...(idRows.get(id) ?? []), rowNo]);
    out.push(readMilestoneRow(r, v!, row, rowNo, id, team, priorities, priorityNames));
  }
  reportDuplicateIds(r, idRows);
  checkDependencies(r, out);
  return out;
}

/** 'M-0001, M-0002; M-0003' → IDs. */
export function splitIds(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/** Cycles in Depends on (each reported once, starting at its smallest ID). */
export function dependencyCycles(milestones: Milestone[]): string[][] {
  const deps = new Map<string, string[]>();
  for (const m of milestones)
    if (m.id)
      deps.set(
        m.id,
        m.dependsOn.filter((d) => d !== m.id),
      );
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (id: string) => {
    state.set(id, 1);
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d)) continue;
      const s = state.get(d);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d));
        const min = [...cycle].sort()[0]!;
        const rotated = [...cycle.slice(cycle.indexOf(min)), ...cycle.slice(0, cycle.indexOf(min))];
        found.set(rotated.join('>'), rotated);
      } else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const id of [...deps.keys()].sort()) if (!state.has(id)) visit(id);
  return [...found.values()];
}

// ---------- the other tabs ----------

function readPriorities(r: Reader, v: TabView | undefined): PriorityRow[] {
  const out: PriorityRow[] = [];
  for (const { row, rowNo } of rows(v)) {
    const name = v!.text(row, 'Priority');
    if (!name) {
      problem(r, 'Priorities', rowNo, 'Priority', '', 'the name of a strategic priority');
      continue;
    }
    const rank = intField(r, v!, row, rowNo, 'Rank');
    if (rank === undefined || rank < 1) {
      if (rank !== undefined || cellText(v!.cell(row, 'Rank')) === '')
        problem(
          r,
          'Priorities',
          rowNo,
          'Rank',
          v!.cell(row, 'Rank'),
          'a rank of 1 or more (1 = most important)',
        );
    }
    out.push({
      row: rowNo,
      name,
      rank: rank && rank > 0 ? rank : 999,
      sponsor: v!.has('Sponsor') ? v!.text(row, 'Sponsor') : '',
    });
  }
  return out;
}

function readMeetings(r: Reader, v: TabView | undefined, settings: Settings): Meeting[] {
  const out: Meeting[] = [];
  for (const { row, rowNo } of rows(v)) {
    const date = dateField(r, v!, row, rowNo, 'Date');
    if (!date) {
      if (cellText(v!.cell(row, 'Date')) === '')
        problem(r, 'Meetings', rowNo, 'Date', '', 'the meeting date');
      continue;
    }
    let time = v!.has('Time') ? readTime(v!.cell(row, 'Time')) : settings.meetingTime;
    if (time === 'invalid') {
      problem(r, 'Meetings', rowNo, 'Time', v!.cell(row, 'Time'), 'a 24-hour time such as 10:00');
      time = settings.meetingTime;
    }
    out.push({
      row: rowNo,
      date,
      time: time || settings.meetingTime,
      status: listField(
        r,
        v!,
        row,
        rowNo,
        'Status',
        LISTS.meetingStatus as readonly MeetingStatus[],
        'Planned',
      ),
      pack: v!.text(row, 'Pack'),
      requestsSent: instantField(r, v!, row, rowNo, 'Requests sent'),
      remindersSent: v!.has('Reminders sent') ? instantField(r, v!, row, rowNo, 'Reminders sent') : undefined,
      secondRemindersSent: v!.has('Second reminders sent')
        ? instantField(r, v!, row, rowNo, 'Second reminders sent')
        : undefined,
      wrappedUp: v!.has('Wrapped up') ? instantField(r, v!, row, rowNo, 'Wrapped up') : undefined,
      notes: v!.has('Notes') ? v!.text(row, 'Notes') : '',
    });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** 'HH:MM' from text or a time-of-day fraction; '' when blank. */
function readTime(value: Cell): string | 'invalid' {
  if (value === null || value === '') return '';
  if (typeof value === 'number') {
    const minutes = Math.round((value % 1) * 1440);
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  }
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(String(value).trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return 'invalid';
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

function readTopics(r: Reader, v: TabView | undefined): TopicRow[] {
  const out: TopicRow[] = [];
  for (const { row, rowNo } of rows(v)) {
    const kindText = v!.text(row, 'Kind');
    let kind: TopicKind | '' = '';
    if (kindText) {
      kind = matchListValue(kindText, LISTS.kind as readonly TopicKind[]) ?? '';
      if (!kind) problem(r, 'Topics', rowNo, 'Kind', kindText, `one of ${LISTS.kind.join(', ')}`);
    }
    const meeting = dateField(r, v!, row, rowNo, 'Meeting');
    out.push({
      row: rowNo,
      topicId: v!.text(row, 'Topic ID'),
      meeting,
      rank: intField(r, v!, row, rowNo, 'Rank'),
      kind,
      topic: v!.text(row, 'Topic'),
      milestone: v!.text(row, 'Milestone'),
      owner: v!.text(row, 'Owner'),
      helpFrom: v!.text(row, 'Help from'),
      score: Number(cellText(v!.cell(row, 'Score'))) || undefined,
      why: v!.text(row, 'Why'),
      deferrals: intField(r, v!, row, rowNo, 'Deferrals') ?? 0,
      rankOverride: v!.has('Rank override') ? intField(r, v!, row, rowNo, 'Rank override') : undefined,
      outcome: v!.has('Outcome')
        ? listField(r, v!, row, rowNo, 'Outcome', [...LISTS.outcome, ''] as readonly (Outcome | '')[], '')
        : '',
      decision: v!.has('Decision / action') ? v!.text(row, 'Decision / action') : '',
      actionOwner: v!.has('Action owner') ? v!.text(row, 'Action owner') : '',
      actionDue: v!.has('Action due') ? dateField(r, v!, row, rowNo, 'Action due') : undefined,
    });
  }
  return out;
}

function readUpdates(r: Reader, v: TabView | undefined): UpdateRow[] {
  const out: UpdateRow[] = [];
  for (const { row, rowNo } of rows(v)) {
    const received = instantField(r, v!, row, rowNo, 'Received');
    const meeting = dateField(r, v!, row, rowNo, 'Meeting');
    if (!received) continue;
    out.push({
      row: rowNo,
      received,
      responseId: v!.text(row, 'Response ID'),
      meeting: meeting ?? '',
      email: v!.text(row, 'Email').toLowerCase(),
      wins: v!.text(row, 'Wins'),
      learnings: v!.text(row, 'Learnings'),
      helpNeeded: v!.text(row, 'Help needed'),
      helpFrom: v!.text(row, 'Help from'),
      milestones: v!.has('Milestones') ? splitIds(v!.text(row, 'Milestones')) : [],
      comments: v!.has('Comments') ? v!.text(row, 'Comments') : '',
      raisedTopic: v!.has('Raised topic') ? v!.text(row, 'Raised topic') : '',
      result: v!.text(row, 'Result'),
    });
  }
  return out;
}

function readChanges(r: Reader, v: TabView | undefined): ChangeRow[] {
  const out: ChangeRow[] = [];
  for (const { row, rowNo } of rows(v)) {
    const when = instantField(r, v!, row, rowNo, 'When');
    if (!when) continue;
    const field = v!.text(row, 'Field');
    const dateLike = (header: string) => {
      const raw = v!.cell(row, header);
      if (field === 'Forecast' && typeof raw === 'number') return serialToDate(raw);
      return cellText(raw);
    };
    out.push({
      row: rowNo,
      when,
      milestone: v!.text(row, 'Milestone').toUpperCase(),
      field,
      from: dateLike('From'),
      to: dateLike('To'),
      by: v!.text(row, 'By'),
      source: v!.text(row, 'Source'),
      responseId: v!.text(row, 'Response ID'),
    });
  }
  return out;
}

export const ACTION_ID_PATTERN = /^A-(\d{4,})$/;
const ACTION_STATUSES = LISTS.actionStatus as readonly ActionStatus[];

/** A yes/no cell: 'yes', a ticked checkbox (TRUE), 'x'; blank is no. */
function ticked(value: Cell): boolean {
  return ['yes', 'y', 'true', 'x', '✓', '✔', '1'].includes(cellText(value).toLowerCase());
}

function readActions(r: Reader, v: TabView | undefined, team: Person[]): ActionRow[] {
  const out: ActionRow[] = [];
  for (const { row, rowNo } of rows(v)) {
    const id = v!.text(row, 'ID').toUpperCase();
    // Milepost adds actions (at wrap-up): a row typed by hand is kept, said, and not tracked.
    if (!ACTION_ID_PATTERN.test(id))
      problem(
        r,
        'Actions',
        rowNo,
        'ID',
        v!.cell(row, 'ID'),
        'an action ID like A-0001 (Milepost gives it at wrap-up)',
        undefined,
        'warning',
      );
    const owner = v!.text(row, 'Owner');
    const ownerEmail = resolvePerson(team, owner)?.email ?? '';
    if (owner && !ownerEmail)
      problem(r, 'Actions', rowNo, 'Owner', owner, 'the email (or unique name) of someone on the Team tab');
    const make = v!.cell(row, 'Make milestone');
    if (cellText(make) && !ticked(make) && !['no', 'n', 'false', '0'].includes(cellText(make).toLowerCase()))
      problem(r, 'Actions', rowNo, 'Make milestone', make, 'yes or no');
    out.push({
      row: rowNo,
      id: ACTION_ID_PATTERN.test(id) ? id : '',
      action: v!.text(row, 'Action'),
      owner,
      ownerEmail,
      due: dateField(r, v!, row, rowNo, 'Due'),
      status: listField(r, v!, row, rowNo, 'Status', ACTION_STATUSES, 'Open'),
      meeting: dateField(r, v!, row, rowNo, 'From meeting'),
      topicId: v!.text(row, 'Topic ID'),
      milestones: splitIds(v!.text(row, 'Milestone')),
      makeMilestone: ticked(make),
      createdMilestone: v!.text(row, 'Created milestone').toUpperCase(),
      statusCell: v!.cell(row, 'Status'),
    });
  }
  return out;
}

export interface ReadResult {
  register: Register;
  problems: Problem[];
  /** Tabs whose required columns are all present (writes go only to these). */
  usable: Set<TabName>;
}

export function readRegister(snapshot: Snapshot): ReadResult {
  const r: Reader = { problems: [], tz: 'UTC' };
  const views = new Map<TabName, TabView | undefined>();
  const order: TabName[] = [
    'Settings',
    'Team',
    'Priorities',
    'Milestones',
    'Meetings',
    'Topics',
    'Updates',
    'Changes',
    'Actions',
  ];
  for (const name of order) views.set(name, openTab(r, snapshot, name));
  const settings = readSettings(r, views.get('Settings'));
  const team = readTeam(r, views.get('Team'));
  const priorities = readPriorities(r, views.get('Priorities'));
  const milestones = readMilestones(r, views.get('Milestones'), team, priorities);
  const register: Register = {
    settings,
    team,
    priorities,
    milestones,
    meetings: readMeetings(r, views.get('Meetings'), settings),
    topics: readTopics(r, views.get('Topics')),
    updates: readUpdates(r, views.get('Updates')),
    changes: readChanges(r, views.get('Changes')),
    actions: readActions(r, views.get('Actions'), team),
  };
  if (views.get('Team') && team.length === 0) {
    problem(
      r,
      'Team',
      2,
      undefined,
      undefined,
      'one row per member of the leadership team',
      'Team: no people yet; add one row per member (Name, Email, Group, Role).',
      'warning',
    );
  }
  if (views.get('Milestones') && milestones.length === 0) {
    problem(
      r,
      'Milestones',
      2,
      undefined,
      undefined,
      'one row per milestone',
      'Milestones: no milestones yet; add one row per step toward a strategic priority (owner, due date).',
      'warning',
    );
  }
  const usable = new Set(order.filter((n) => views.get(n) !== undefined));
  return { register, problems: r.problems, usable };
}
