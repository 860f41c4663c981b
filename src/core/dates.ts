/**
 * Calendar dates ('YYYY-MM-DD'), instants (ISO-8601 UTC) and spreadsheet serials
 * (days since 1899-12-30 in the register's time zone). Everything time-zone related
 * goes through Intl, which both Node and Apps Script V8 provide.
 */

const DAY_MS = 86_400_000;
/** 1899-12-30T00:00:00Z: serial 0 in Sheets and in Excel's 1900 system (after Feb 1900). */
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

const QUARTER_HOUR = 900_000;
const offsets = new Map<string, number>();

/**
 * Wall-clock time in `tz` of a UTC instant, as milliseconds "as if UTC". Offsets are cached
 * per quarter hour: every zone's offset changes only on quarter-hour boundaries of UTC, and
 * Intl is slow enough to dominate reading a large register.
 */
function wallMs(utcMs: number, tz: string): number {
  const bucket = Math.floor(utcMs / QUARTER_HOUR);
  const key = `${tz}|${bucket}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const start = bucket * QUARTER_HOUR;
    const parts: Record<string, number> = {};
    for (const p of formatter(tz).formatToParts(new Date(start))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    offset =
      Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - start;
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return utcMs + offset;
}

/** Offset of `tz` from UTC at a UTC instant, in milliseconds. */
export function offsetMs(utcMs: number, tz: string): number {
  return wallMs(utcMs, tz) - utcMs;
}

/**
 * UTC instant of a wall-clock time in `tz`. The offsets in force 36 hours before and after
 * bracket any transition. A time that occurs twice (the autumn hour) is read as the earlier
 * instant; a time that does not exist (the spring gap) is read with the offset from before
 * the gap, so 01:30 on a spring-forward night in London becomes 02:30 BST.
 */
export function wallToUtcMs(wall: number, tz: string): number {
  const before = offsetMs(wall - 36 * 3_600_000, tz);
  const after = offsetMs(wall + 36 * 3_600_000, tz);
  const candidates = [wall - before, wall - after].filter((utc) => wallMs(utc, tz) === wall);
  if (candidates.length) return Math.min(...candidates);
  return wall - before;
}

export function parseIsoDate(text: string): string | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  return m[0];
}

/** Instant text: with a zone or offset it is absolute; without, it is wall time in `tz`. */
export function parseInstant(text: string, tz: string): string | undefined {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) {
    const date = parseIsoDate(text);
    return date ? new Date(wallToUtcMs(dateToMs(date), tz)).toISOString() : undefined;
  }
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (!parseIsoDate(`${m[1]}-${m[2]}-${m[3]}`) || h > 23 || mi > 59 || s > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s) + Math.round(frac);
  const zone = m[8];
  let utc: number;
  if (!zone) utc = wallToUtcMs(wall, tz);
  else if (zone === 'Z') utc = wall;
  else {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    utc = wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(utc).toISOString();
}

export function dateToMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function msToDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return msToDate(dateToMs(date) + days * DAY_MS);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return Math.round((dateToMs(b) - dateToMs(a)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(dateToMs(date)).getUTCDay();
}

/** The calendar date in `tz` at a UTC instant. */
export function dateInZone(instant: string, tz: string): string {
  return msToDate(wallMs(Date.parse(instant), tz));
}

/** The UTC instant of a local date and 'HH:MM' time in `tz`. */
export function zonedInstant(date: string, time: string, tz: string): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return new Date(wallToUtcMs(dateToMs(date) + (h * 60 + m) * 60_000, tz)).toISOString();
}

export function addHours(instant: string, hours: number): string {
  return new Date(Date.parse(instant) + hours * 3_600_000).toISOString();
}

// ---------- spreadsheet serials ----------

export function serialToDate(serial: number): string {
  return msToDate(SERIAL_EPOCH_MS + Math.floor(serial) * DAY_MS);
}

export function dateToSerial(date: string): number {
  return Math.round((dateToMs(date) - SERIAL_EPOCH_MS) / DAY_MS);
}

/** A serial with a time part is wall time in `tz`. Rounded to the millisecond. */
export function serialToInstant(serial: number, tz: string): string {
  const wall = Math.round(SERIAL_EPOCH_MS + serial * DAY_MS);
  return new Date(wallToUtcMs(wall, tz)).toISOString();
}

export function instantToSerial(instant: string, tz: string): number {
  return (wallMs(Date.parse(instant), tz) - SERIAL_EPOCH_MS) / DAY_MS;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export function parseWeekday(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t.length < 2) return undefined;
  const i = WEEKDAYS.findIndex((d) => d.startsWith(t));
  return i < 0 ? undefined : i;
}
