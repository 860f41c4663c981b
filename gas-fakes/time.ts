/**
 * Wall time in a named time zone, for the fakes: what Utilities.formatDate prints (Java's
 * SimpleDateFormat patterns), what a spreadsheet cell displays (Sheets' number-format patterns),
 * and the instant a date typed into a cell means (its wall time in the spreadsheet's zone).
 */

export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** 0 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A valid IANA zone for `tz`, or 'UTC' (Java's TimeZone falls back to GMT for unknown ids). */
export function validZone(tz: string): string {
  if (formatters.has(tz)) return tz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall time of instant `ms` in zone `tz`. */
export function wallTime(ms: number, tz: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(validZone(tz)).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const yearOfEra = Number(parts.year);
  return {
    year: parts.era === 'BC' || parts.era === 'B' ? 1 - yearOfEra : yearOfEra,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    ms: ((ms % 1000) + 1000) % 1000,
    weekday: WEEKDAYS.indexOf(parts.weekday ?? 'Sun'),
  };
}

/** The offset of `tz` from UTC at instant `ms`, in milliseconds (east positive). */
export function zoneOffset(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  const wall = new Date(0);
  wall.setUTCFullYear(w.year, w.month - 1, w.day);
  wall.setUTCHours(w.hour, w.minute, w.second, w.ms);
  return wall.getTime() - ms;
}

/** The instant whose wall time in `tz` is the given one (the earlier one in a DST overlap). */
export function fromWallTime(
  tz: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = guess - zoneOffset(guess, tz);
  const second_ = guess - zoneOffset(first, tz);
  return Math.min(first, second_);
}

/** Days since 1899-12-30 of the wall time of `ms` in `tz`: the number Sheets stores for a date. */
export function serialNumber(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.ms);
  return (wall - Date.UTC(1899, 11, 30)) / 86_400_000;
}

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function offsetText(offsetMs: number, colon: boolean, zForZero: boolean): string {
  if (zForZero && offsetMs === 0) return 'Z';
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(Math.round(offsetMs / 60_000));
  return `${sign}${pad(Math.floor(minutes / 60), 2)}${colon ? ':' : ''}${pad(minutes % 60, 2)}`;
}

/**
 * `Utilities.formatDate`: Java SimpleDateFormat letters y M d H h k K m s S E a Z X u D, quoted
 * literals ('T', '' for a quote). Any other letter throws like Java ("Illegal pattern character").
 */
export function formatJava(ms: number, tz: string, pattern: string): string {
  const zone = validZone(tz);
  const w = wallTime(ms, zone);
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out += "'";
        i += 2;
        continue;
      }
      if (end < 0) throw new Error(`Unterminated quote`);
      out += pattern.slice(i + 1, end).replace(/''/g, "'");
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(ch)) {
      out += ch;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === ch) n++;
    i += n;
    switch (ch) {
      case 'y':
        out += n === 2 ? pad(w.year % 100, 2) : pad(w.year, n);
        break;
      case 'M':
        out += n >= 4 ? MONTHS[w.month - 1]! : n === 3 ? MONTHS[w.month - 1]!.slice(0, 3) : pad(w.month, n);
        break;
      case 'd':
        out += pad(w.day, n);
        break;
      case 'H':
        out += pad(w.hour, n);
        break;
      case 'k':
        out += pad(w.hour === 0 ? 24 : w.hour, n);
        break;
      case 'h':
        out += pad(w.hour % 12 === 0 ? 12 : w.hour % 12, n);
        break;
      case 'K':
        out += pad(w.hour % 12, n);
        break;
      case 'm':
        out += pad(w.minute, n);
        break;
      case 's':
        out += pad(w.second, n);
        break;
      case 'S':
        out += pad(w.ms, n);
        break;
      case 'E':
        out += n >= 4 ? DAYS[w.weekday]! : DAYS[w.weekday]!.slice(0, 3);
        break;
      case 'u':
        out += pad(w.weekday === 0 ? 7 : w.weekday, n);
        break;
      case 'D': {
        const dayOfYear = (Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(w.year, 0, 1)) / 86_400_000 + 1;
        out += pad(dayOfYear, n);
        break;
      }
      case 'a':
        out += w.hour < 12 ? 'AM' : 'PM';
        break;
      case 'Z':
        out += offsetText(zoneOffset(ms, zone), false, false);
        break;
      case 'X':
        out +=
          n === 1
            ? offsetText(zoneOffset(ms, zone), false, true).slice(0, 3)
            : offsetText(zoneOffset(ms, zone), n >= 3, true);
        break;
      default:
        throw new Error(`Illegal pattern character '${ch}'`);
    }
  }
  return out;
}

/**
 * A Sheets number format applied to a date (`yyyy-mm-dd`, `M/d/yyyy H:mm:ss`, `dd mmm yyyy`…):
 * letters are case-insensitive; `m` is minutes after an hour or before seconds, else the month.
 */
export function formatSheetsDate(ms: number, tz: string, pattern: string): string {
  const w = wallTime(ms, validZone(tz));
  const tokens: { letter: string; n: number; literal?: string }[] = [];
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === '"') {
      const end = pattern.indexOf('"', i + 1);
      tokens.push({ letter: '', n: 0, literal: pattern.slice(i + 1, end < 0 ? undefined : end) });
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (/^am\/pm/i.test(pattern.slice(i))) {
      tokens.push({ letter: 'ampm', n: 5 });
      i += 5;
      continue;
    }
    const lower = ch.toLowerCase();
    if ('ymdhs'.includes(lower)) {
      let n = 1;
      while (pattern[i + n]?.toLowerCase() === lower) n++;
      tokens.push({ letter: lower, n });
      i += n;
      continue;
    }
    tokens.push({ letter: '', n: 0, literal: ch === '\\' ? (pattern[i + 1] ?? '') : ch });
    i += ch === '\\' ? 2 : 1;
  }
  const twelveHour = tokens.some((t) => t.letter === 'ampm');
  const letters = tokens.filter((t) => t.letter !== '');
  return tokens
    .map((t) => {
      if (t.literal !== undefined) return t.literal;
      const k = letters.indexOf(t);
      switch (t.letter) {
        case 'y':
          return t.n <= 2 ? pad(w.year % 100, 2) : pad(w.year, 4);
        case 'd':
          return t.n >= 4 ? DAYS[w.weekday]! : t.n === 3 ? DAYS[w.weekday]!.slice(0, 3) : pad(w.day, t.n);
        case 'h': {
          const h = twelveHour ? (w.hour % 12 === 0 ? 12 : w.hour % 12) : w.hour;
          return pad(h, t.n);
        }
        case 's':
          return pad(w.second, t.n);
        case 'ampm':
          return w.hour < 12 ? 'AM' : 'PM';
        case 'm': {
          const minute = letters[k - 1]?.letter === 'h' || letters[k + 1]?.letter === 's';
          if (minute) return pad(w.minute, t.n);
          if (t.n >= 4) return MONTHS[w.month - 1]!;
          if (t.n === 3) return MONTHS[w.month - 1]!.slice(0, 3);
          return pad(w.month, t.n);
        }
        default:
          return '';
      }
    })
    .join('');
}

/** Whether a Sheets number format shows dates or times. */
export function isDateFormat(pattern: string | undefined): boolean {
  if (pattern === undefined) return false;
  const unquoted = pattern.replace(/"[^"]*"/g, '');
  return /[ydhs]/i.test(unquoted) || /m/i.test(unquoted.replace(/am\/pm/gi, ''));
}
