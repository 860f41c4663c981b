/**
 * A date named in people's free text ("by Friday", "by 12 Dec", "Dec 12th", "2026-12-04",
 * "tomorrow"), read relative to the day the text was written. Used for help requests: one
 * whose date falls before the next meeting cannot wait for it (topics.ts). Pure and
 * deterministic; where a phrase allows two readings the earlier date is taken, so a request
 * is never ranked as less urgent than it may be.
 */
import { addDays, daysBetween, parseIsoDate, weekday } from './dates';

const WEEKDAYS: [RegExp, number][] = [
  [/^sun(day)?$/, 0],
  [/^mon(day)?$/, 1],
  [/^tue(s|sday)?$/, 2],
  [/^wed(nesday)?$/, 3],
  [/^thu(r|rs|rsday)?$/, 4],
  [/^fri(day)?$/, 5],
  [/^sat(urday)?$/, 6],
];
/** Words before a weekday's short name that make it a date ("by Fri"): "sat" or "sun" alone is not one. */
const BEFORE_DAY = new Set(['by', 'on', 'before', 'until', 'till', 'this', 'next', 'due', 'latest']);

/** The weekday a word names: a full name anywhere, a short one ("Fri", "Thurs") after "by", "on"… */
function weekdayOf(word: string, before: string | undefined): number | undefined {
  const found = WEEKDAYS.find(([re]) => re.test(word));
  if (!found) return undefined;
  const full = word.length >= 6;
  return full || (before !== undefined && BEFORE_DAY.has(before)) ? found[1] : undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthOf(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w.length < 3) return undefined;
  const i = MONTHS.findIndex((m) => w.startsWith(m));
  if (i < 0) return undefined;
  const full = [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ][i]!;
  // 'mar' + 'ch' is March; 'marketing' is not a month.
  return full.startsWith(w) || (w === 'sept' && i === 8) ? i : undefined;
}

/** The day `day` of month `month` (0-based) nearest to `from`: last year's, this year's or next year's. */
function nearestDayMonth(from: string, month: number, day: number): string | undefined {
  if (day < 1 || day > 31) return undefined;
  const year = Number(from.slice(0, 4));
  const options = [year - 1, year, year + 1]
    .map((y) => `${y}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`)
    .filter((d) => parseIsoDate(d) === d);
  options.sort((a, b) => Math.abs(daysBetween(from, a)) - Math.abs(daysBetween(from, b)) || (a < b ? -1 : 1));
  return options[0];
}

/** The first `day` (0 = Sunday) on or after `from`. */
function nextWeekday(from: string, day: number): string {
  return addDays(from, (day - weekday(from) + 7) % 7);
}

/** Every date the text names, in the order they appear. */
function datesIn(text: string, written: string): string[] {
  const out: string[] = [];
  const words = text.toLowerCase().match(/\d{4}-\d{2}-\d{2}|[a-z]+|\d+(?:st|nd|rd|th)?/g) ?? [];
  const dayNumber = (w: string | undefined) =>
    w !== undefined && /^\d{1,2}(st|nd|rd|th)?$/.test(w) ? Number.parseInt(w, 10) : undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const iso = parseIsoDate(w);
    if (iso) out.push(iso);
    else if (w === 'today') out.push(written);
    else if (w === 'tomorrow') out.push(addDays(written, 1));
    else if (weekdayOf(w, words[i - 1]) !== undefined)
      out.push(nextWeekday(written, weekdayOf(w, words[i - 1])!));
    else if (monthOf(w) !== undefined) {
      // "12 Dec" or "Dec 12(th)".
      const day = dayNumber(words[i - 1]) ?? dayNumber(words[i + 1]);
      const date = day === undefined ? undefined : nearestDayMonth(written, monthOf(w)!, day);
      if (date) out.push(date);
    }
  }
  return out;
}

/**
 * The earliest date a text names, read from the day it was written (`written`, YYYY-MM-DD):
 * a weekday is its next occurrence on or after that day ("by Friday" written on a Friday is
 * that day; "next Friday" reads as the coming one, the earlier of its two readings), a day
 * and month without a year is the one nearest that day. Undefined when the text names none.
 */
export function dateNamedIn(text: string, written: string): string | undefined {
  return datesIn(text, written).sort()[0];
}
