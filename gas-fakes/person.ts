/**
 * People acting in the world, for tests: editing the spreadsheet in the browser, and answering
 * forms. Nothing here is a service call (nothing is counted or charged, outside any execution).
 *
 * Spreadsheet edits return the event the simple `onEdit(e)` trigger receives, for
 * `bundle.call('onEdit', event)`:
 * - `setValue` (typing in one cell): value and oldValue as strings (see events.ts). A value a data
 *   validation rule rejects (setAllowInvalid(false)) is refused, as Sheets refuses it: throws.
 * - `paste` (several cells): the event has neither value nor oldValue (Apps Script sends none for
 *   a multi-cell edit or a paste). Data validation is not checked (a paste brings values in).
 * - `sortRange` and `deleteRows` return undefined: sorting and deleting rows fire no onEdit in
 *   Apps Script (they are changes: only an installable onChange trigger sees them, with
 *   changeType 'OTHER' / 'REMOVE_ROW', which the fakes do not model). Protections and conditional
 *   format ranges follow deleted rows.
 * - A protected range (not warning-only) refuses edits by anyone but its editors (the owner).
 *
 * `respond(form, …)` submits (or edits) a response as a respondent, then fires the installable
 * form-submit triggers of that form through the loaded bundle, one execution each; a trigger's
 * failure is reported in `runs`, not thrown (the respondent does not see it).
 */

import { isDate, type TriggerRun, type World } from './core';
import { type EditEvent, editEvent, formSubmitEvent } from './events';
import {
  type Answer,
  dateAnswer,
  type FakeForm,
  FakeFormResponse,
  FormState,
  newResponseId,
  type ResponseState,
  submitResponse,
} from './forms';
import {
  type Cell,
  eventValue,
  type FakeRange,
  type FakeSheet,
  hasContent,
  readValue,
  SheetState,
  writeCell,
} from './spreadsheet';
import { serialNumber } from './time';

export type SheetRef = FakeSheet | SheetState | string;

const PROTECTED =
  'You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.';

export class Person {
  constructor(
    readonly w: World,
    readonly email: string,
  ) {}

  private sheet(ref: SheetRef): SheetState {
    if (ref instanceof SheetState) return ref;
    if (typeof ref === 'string') {
      const ss = this.w.spreadsheets.get(this.w.activeSpreadsheetId);
      const sheet = ss?.sheetByName(ref);
      if (!sheet) throw new Error(`No sheet named ${ref}`);
      return sheet;
    }
    return ref.state;
  }

  private range(ref: SheetRef, a1: string): FakeRange {
    const sheet = this.sheet(ref);
    return this.w.internal(() => sheet.api().getRange(a1));
  }

  private checkProtection(
    range: FakeRange,
    numRows = range.area.numRows,
    numCols = range.area.numCols,
  ): void {
    const { sheet, row, col } = range.area;
    for (const p of sheet.parent.protections) {
      if (p.sheet !== sheet || p.warningOnly || p.editors.includes(this.email)) continue;
      const overlaps =
        p.row <= row + numRows - 1 &&
        row <= p.row + p.numRows - 1 &&
        p.col <= col + numCols - 1 &&
        col <= p.col + p.numCols - 1;
      if (overlaps) throw new Error(PROTECTED);
    }
  }

  /** Types `value` into the cell at `a1` (a string is parsed as typed input). */
  setValue(sheet: SheetRef, a1: string, value: unknown): EditEvent {
    const range = this.range(sheet, a1);
    const { sheet: s, row, col } = range.area;
    this.checkProtection(range, 1, 1);
    const cell: Cell = s.writable(row, col);
    const tz = s.parent.timeZone;
    const trial: Cell = { ...cell };
    writeCell(trial, value, tz);
    const rule = cell.dv;
    if (rule && !rule.allowInvalid && hasContent(trial)) {
      const typed = readValue(trial);
      const text = isDate(typed) ? String(value) : String(typed);
      if (!rule.values.includes(text) && !rule.values.includes(String(value))) {
        throw new Error(rule.helpText || `Input must be an item on the specified list: ${String(value)}`);
      }
    }
    const oldValue = eventValue(cell, tz);
    writeCell(cell, value, tz);
    const cellRange = this.w.internal(() => s.api().getRange(row, col));
    return editEvent(cellRange, { value: eventValue(cell, tz), oldValue, user: this.email });
  }

  /** Pastes `values` with their top-left cell at `a1`. */
  paste(sheet: SheetRef, a1: string, values: unknown[][]): EditEvent {
    const start = this.range(sheet, a1);
    const { sheet: s, row, col } = start.area;
    const numCols = Math.max(...values.map((v) => v.length));
    this.checkProtection(start, values.length, numCols);
    const tz = s.parent.timeZone;
    for (const [r, line] of values.entries()) {
      for (const [c, v] of line.entries()) writeCell(s.writable(row + r, col + c), v, tz);
    }
    const pasted = this.w.internal(() => s.api().getRange(row, col, values.length, numCols));
    return editEvent(pasted, { user: this.email });
  }

  /** Sorts the rows of the range `a1` by the sheet column `byColumn` (1-based). Fires no onEdit. */
  sortRange(sheet: SheetRef, a1: string, byColumn: number, ascending = true): undefined {
    const range = this.range(sheet, a1);
    this.checkProtection(range);
    const { sheet: s, row, col, numRows, numCols } = range.area;
    if (byColumn < col || byColumn >= col + numCols)
      throw new Error(`Column ${byColumn} is outside the range ${a1}`);
    const lines = Array.from({ length: numRows }, (_, r) =>
      Array.from({ length: numCols }, (_, c) => s.cell(row + r, col + c)),
    );
    const key = (line: (Cell | undefined)[]) => line[byColumn - col];
    const rank = (c: Cell | undefined) => {
      if (!hasContent(c)) return 3;
      const v = readValue(c);
      return typeof v === 'number' || isDate(v) ? 0 : typeof v === 'string' ? 1 : 2;
    };
    const compare = (a: Cell | undefined, b: Cell | undefined): number => {
      const [ra, rb] = [rank(a), rank(b)];
      if (ra === 3 || rb === 3) return ra === rb ? 0 : ra === 3 ? 1 : -1;
      let cmp = ra - rb;
      if (cmp === 0) {
        const [va, vb] = [readValue(a), readValue(b)];
        const num = (v: unknown) => (isDate(v) ? serialNumber(v.getTime(), s.parent.timeZone) : Number(v));
        cmp =
          ra === 1 ? String(va).localeCompare(String(vb), 'en', { sensitivity: 'base' }) : num(va) - num(vb);
      }
      return ascending ? cmp : -cmp;
    };
    const sorted = [...lines].sort((a, b) => compare(key(a), key(b)));
    for (const [r, line] of sorted.entries()) {
      let target = s.rows[row + r - 1];
      if (!target) {
        target = [];
        s.rows[row + r - 1] = target;
      }
      for (const [c, cell] of line.entries()) target[col + c - 1] = cell;
    }
    return undefined;
  }

  /** Deletes rows in the browser. Fires no onEdit. */
  deleteRows(sheet: SheetRef, row: number, count = 1): undefined {
    const s = this.sheet(sheet);
    this.checkProtection(this.w.internal(() => s.api().getRange(row, 1, count, s.maxCols)));
    if (row < 1 || row + count - 1 > s.maxRows) throw new Error('Those rows are out of bounds.');
    s.deleteRows(row, count);
    return undefined;
  }
}

export interface RespondOptions {
  /** The respondent (recorded when the form collects emails). */
  email: string;
  /** When the response is submitted (default: the world's now); the clock moves there if later. */
  at?: Date;
  /** Answers by item id: a string, a string[] (checkbox; grid: one per row, '' or null when blank), a Date (date item). null clears an answer when editing. */
  answers: ReadonlyMap<number, unknown> | Record<number, unknown>;
  /** Edits this earlier response (the form must allow response edits). */
  editOf?: string;
  /** Fire the form's installable form-submit triggers (default true). */
  fireTriggers?: boolean;
}

export interface RespondResult {
  response: FakeFormResponse;
  /** The form-submit trigger runs this response fired. */
  runs: TriggerRun[];
}

function formState(form: FakeForm | FormState): FormState {
  return form instanceof FormState ? form : form.state;
}

function asAnswer(w: World, form: FormState, itemId: number, value: unknown): Answer | undefined {
  if (value === null || value === undefined) return undefined;
  const item = form.item(itemId);
  if (!item) throw new Error(`No item ${itemId} in the form ${form.title}`);
  if (isDate(value)) return dateAnswer(w, item, value);
  if (Array.isArray(value)) return value.map((v) => (v === null || v === undefined ? '' : String(v)));
  return String(value);
}

/** A respondent submits (or edits) a response to `form`; fires its form-submit triggers. */
export function respond(form: FakeForm | FormState, options: RespondOptions): RespondResult {
  const state = formState(form);
  const w = state.w;
  const at = options.at?.getTime() ?? w.now();
  w.setNow(at);
  const given =
    options.answers instanceof Map
      ? [...options.answers]
      : Object.entries(options.answers).map(([k, v]) => [Number(k), v] as const);
  let response: ResponseState;
  if (options.editOf !== undefined) {
    if (!state.allowEdits) throw new Error(`The form ${state.title} does not allow editing responses.`);
    const original = state.response(options.editOf);
    if (!original) throw new Error(`No response ${options.editOf} in the form ${state.title}`);
    const answers = new Map(original.answers);
    for (const [id, v] of given) {
      const answer = asAnswer(w, state, Number(id), v);
      if (answer === undefined) answers.delete(Number(id));
      else answers.set(Number(id), answer);
    }
    const edited: ResponseState = { ...original, answers, timestamp: at, submitted: true };
    w.internal(() => submitResponse(w, state, edited));
    original.answers = edited.answers;
    original.timestamp = at;
    response = original;
  } else {
    const answers = new Map<number, Answer>();
    for (const [id, v] of given) {
      const answer = asAnswer(w, state, Number(id), v);
      if (answer !== undefined) answers.set(Number(id), answer);
    }
    response = { id: newResponseId(w), timestamp: at, email: options.email, answers, submitted: false };
    w.internal(() => submitResponse(w, state, response));
  }
  const fake = new FakeFormResponse(w, state, response);
  const runs: TriggerRun[] = [];
  if (options.fireTriggers !== false) {
    const triggers = w.triggers.filter(
      (t) => t.eventType === 'ON_FORM_SUBMIT' && t.source === 'FORMS' && t.sourceId === state.id,
    );
    if (triggers.length > 0 && !w.runner) {
      throw new Error(
        'The form has form-submit triggers but no bundle is loaded: call loadBundle(file, world) first.',
      );
    }
    for (const t of triggers) runs.push(w.runner!.runTrigger(t, formSubmitEvent(state.api(), fake, t)));
  }
  return { response: fake, runs };
}
