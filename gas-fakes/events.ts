/**
 * Event objects as Apps Script passes them to trigger functions.
 *
 * - Edit (simple `onEdit(e)` and installable): `{ source, range, value, oldValue, user, authMode,
 *   triggerUid }`. `value` and `oldValue` are there only when one cell was edited, as strings (a
 *   number as its digits, a boolean as 'TRUE' / 'FALSE', a date as its serial number); `oldValue`
 *   is absent when the cell was empty, `value` when the person cleared it. `triggerUid` only for
 *   installable triggers. A simple trigger runs with `authMode` LIMITED, an installable one FULL.
 * - Open (simple and installable): `{ source, authMode, user, triggerUid }`.
 * - Form submit (installable, for a form): `{ source: form, response, authMode: FULL, triggerUid }`.
 * - Time-driven: `{ authMode, 'day-of-month', 'day-of-week' (1 = Monday … 7 = Sunday), hour,
 *   minute, month, second, timezone: 'UTC', triggerUid, 'week-of-year', year }`, in UTC.
 */
import { Enums, type TriggerState, type World } from './core';
import type { FakeForm, FakeFormResponse } from './forms';
import { FakeUser } from './services';
import type { FakeRange, FakeSpreadsheet } from './spreadsheet';

export interface EditEvent extends Record<string, unknown> {
  source: FakeSpreadsheet;
  range: FakeRange;
  value?: string;
  oldValue?: string;
  user: FakeUser;
  authMode: (typeof Enums.AuthMode)[keyof typeof Enums.AuthMode];
  triggerUid?: string;
}

export interface EditEventOptions {
  value?: string;
  oldValue?: string;
  /** The editor (default: the world's user). */
  user?: string;
  /** For an installable edit trigger: its uid (authMode FULL). */
  triggerUid?: string;
}

/** The event an edit of `range` sends; value and oldValue only for a single cell. */
export function editEvent(range: FakeRange, options: EditEventOptions = {}): EditEvent {
  const w = (range as unknown as { w: World }).w;
  const single = range.area.numRows === 1 && range.area.numCols === 1;
  const event: EditEvent = {
    source: range.area.sheet.parent.api(),
    range,
    user: new FakeUser(w, options.user ?? w.userEmail),
    authMode: options.triggerUid === undefined ? Enums.AuthMode.LIMITED : Enums.AuthMode.FULL,
  };
  if (single && options.value !== undefined) event.value = options.value;
  if (single && options.oldValue !== undefined) event.oldValue = options.oldValue;
  if (options.triggerUid !== undefined) event.triggerUid = options.triggerUid;
  return event;
}

/** The event the simple `onOpen(e)` trigger receives when `user` opens the spreadsheet. */
export function openEvent(spreadsheet: FakeSpreadsheet, user?: string): Record<string, unknown> {
  const w = (spreadsheet as unknown as { w: World }).w;
  return {
    source: spreadsheet,
    authMode: Enums.AuthMode.LIMITED,
    user: new FakeUser(w, user ?? w.userEmail),
  };
}

export function formSubmitEvent(
  form: FakeForm,
  response: FakeFormResponse,
  trigger: TriggerState,
): Record<string, unknown> {
  return { source: form, response, authMode: Enums.AuthMode.FULL, triggerUid: trigger.uid };
}

/** ISO week number of a UTC date. */
function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

export function clockEvent(w: World, trigger: TriggerState): Record<string, unknown> {
  const d = w.date();
  return {
    authMode: Enums.AuthMode.FULL,
    'day-of-month': d.getUTCDate(),
    'day-of-week': d.getUTCDay() || 7,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    month: d.getUTCMonth() + 1,
    second: d.getUTCSeconds(),
    timezone: 'UTC',
    triggerUid: trigger.uid,
    'week-of-year': isoWeek(d),
    year: d.getUTCFullYear(),
  };
}
