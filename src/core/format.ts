/** How dates read in packs and emails: 'Thu 3 Dec 2026', 'Wed 2 Dec 2026 10:00'. */
import { format } from 'date-fns';
import { dateInZone, offsetMs } from './dates';

/** date-fns formats a Date in the host's zone; feed it a Date whose local fields are the calendar date. */
function localDate(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
}

export function formatDate(date: string): string {
  return format(localDate(date), 'EEE d MMM yyyy');
}

/** An instant as wall time in `tz`. */
export function formatDateTime(instant: string, tz: string): string {
  const t = Date.parse(instant);
  const wall = new Date(t + offsetMs(t, tz));
  const hh = String(wall.getUTCHours()).padStart(2, '0');
  const mm = String(wall.getUTCMinutes()).padStart(2, '0');
  return `${formatDate(dateInZone(instant, tz))} ${hh}:${mm}`;
}

/** "1 email", "3 emails" (or the plural given: "2 people"). */
/** `text` on one line (runs of white space as one space), cut to `max` characters and '…'. */
export function clipLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max).trimEnd()}…`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
