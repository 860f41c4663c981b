/**
 * The update form through FormApp, built from the same form spec as the Node job's Google Form
 * (src/core/form.ts). FormApp cannot choose item ids, so each item it makes is recorded in a
 * hidden tab, "Milepost form" (form id, item id, the spec's question ids it stands for): a
 * response is read through that map — by id, never by title or position — and becomes the same
 * normalised response the Node job reads from the Forms API. The map keeps the items of earlier
 * builds, so a late answer to last week's form is still read.
 */
import { type FormResponseInput, type FormSectionSpec, type FormSpec, fnv1a, NO_HELP } from '../core/form';
import { unreadableStatus } from '../core/problems';
import type { Register } from '../core/types';
import { sheetByName } from './sheet';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Form = GoogleAppsScript.Forms.Form;

export const FORM_MAP_TAB = 'Milepost form';
const MAP_HEADERS = ['Form ID', 'Item ID', 'Question IDs'];
const BUILT_KEY = 'milepost.form.built';

/** Item id → the spec's question ids, for one form (grid: one per row, in row order). */
export function readFormMap(ss: Spreadsheet, formId: string): Map<string, string[]> {
  const sheet = sheetByName(ss, FORM_MAP_TAB);
  const map = new Map<string, string[]>();
  if (!sheet) return map;
  for (const [form, item, ids] of sheet.getDataRange().getValues().slice(1)) {
    if (String(form) === formId) map.set(String(item), String(ids).split(',').filter(Boolean));
  }
  return map;
}

function recordFormMap(ss: Spreadsheet, formId: string, rows: [string, string][]): void {
  let sheet = sheetByName(ss, FORM_MAP_TAB);
  if (!sheet) {
    sheet = ss.insertSheet(FORM_MAP_TAB);
    sheet.getRange(1, 1, 1, MAP_HEADERS.length).setValues([MAP_HEADERS]);
    sheet.hideSheet();
  }
  if (!rows.length) return;
  sheet
    .getRange(sheet.getLastRow() + 1, 1, rows.length, 3)
    .setValues(rows.map(([item, ids]) => [formId, item, ids]));
}

const PROGRESS_KEY = 'milepost.form.progress';
const FORM_KEY = 'milepost.form.id';

interface Progress {
  /** Which build (form id + spec) this is the progress of. */
  fingerprint: string;
  /** 'clearing' (old items being deleted), then 'sections' (this many added). */
  phase: 'clearing' | 'sections';
  done: number;
}

export interface BuiltForm {
  form: Form;
  created: boolean;
  rebuilt: boolean;
  /** False when the deadline came first: the next run carries on where this one stopped. */
  complete: boolean;
}

/**
 * Rebuilds the form to the spec (only when the spec changed since the last build): every item
 * is replaced, sections end by submitting, "Who is updating?" branches to the owner's section,
 * verified email collection is on, responses are accepted.
 *
 * A large team's form takes many FormApp calls (several per milestone), more than one
 * execution may allow: the build stops at `deadline` and records how far it got in the
 * document properties; the next run carries on from there (the same spec) or starts again (a
 * new one). Until it is complete the form does not accept responses and no link is sent.
 */
export function buildForm(
  ss: Spreadsheet,
  props: GoogleAppsScript.Properties.Properties,
  formId: string | undefined,
  spec: FormSpec,
  deadline = Number.POSITIVE_INFINITY,
): BuiltForm {
  const knownId = formId ?? props.getProperty(FORM_KEY) ?? undefined;
  const created = !knownId;
  const form = knownId ? FormApp.openById(knownId) : FormApp.create(spec.title);
  // Recorded at once: a run stopped before Settings records it still finds this form again.
  if (created) props.setProperty(FORM_KEY, form.getId());
  const fingerprint = fnv1a(`${form.getId()}|${JSON.stringify(spec)}`).toString(16);
  if (props.getProperty(BUILT_KEY) === fingerprint) return { form, created, rebuilt: false, complete: true };

  const saved = JSON.parse(props.getProperty(PROGRESS_KEY) ?? 'null') as Progress | null;
  let progress: Progress =
    saved?.fingerprint === fingerprint ? saved : { fingerprint, phase: 'clearing', done: 0 };
  const save = () => props.setProperty(PROGRESS_KEY, JSON.stringify(progress));
  const stop = (): BuiltForm => {
    save();
    return { form, created, rebuilt: true, complete: false };
  };

  if (progress.phase === 'clearing') {
    if (!clearForm(ss, form, spec, deadline)) return stop();
    progress = { fingerprint, phase: 'sections', done: 0 };
    save();
  }

  const map = readFormMap(ss, form.getId());
  // The latest item standing for these ids (the map keeps the items of earlier builds too).
  const itemFor = (ids: string) => [...map].reverse().find(([, v]) => v.join(',') === ids)?.[0];
  for (let i = progress.done; i < spec.sections.length; i++) {
    if (Date.now() >= deadline) return stop();
    const rows = addSection(form, spec.sections[i]!, i);
    recordFormMap(ss, form.getId(), rows);
    for (const [item, ids] of rows) map.set(item, ids.split(','));
    progress = { ...progress, done: i + 1 };
    save();
  }

  if (!branchWho(form, spec, itemFor, deadline)) return stop();
  // FormApp's publish call ("Publish and manage responders on the form", Apps Script: "Publish
  // the form. This also enables accepting responses."): a form FormApp creates is not open to
  // anyone until then. Not yet typed in @types/google-apps-script 2.0.13.
  (form as unknown as { setPublished(enabled: boolean): void }).setPublished(true);
  form.setAcceptingResponses(true);
  props.setProperty(BUILT_KEY, fingerprint);
  props.deleteProperty(PROGRESS_KEY);
  return { form, created, rebuilt: true, complete: true };
}

/**
 * The clearing phase: the form's settings, its old items deleted, "Who is updating?" added (and
 * recorded in the map); false when the deadline came first.
 */
function clearForm(ss: Spreadsheet, form: Form, spec: FormSpec, deadline: number): boolean {
  form.setAcceptingResponses(false);
  form.setTitle(spec.title);
  form.setDescription(spec.description);
  // Shown once an answer is sent: the deadline and the late rule ("Sets the form's confirmation
  // message", FormApp; the Forms API has no such setting, so its form says it in the description).
  form.setConfirmationMessage(spec.confirmation);
  form.setCollectEmail(true);
  // An owner may correct their update: the edit keeps the response id, with a new submit time.
  form.setAllowResponseEdits(true);
  const items = form.getItems();
  for (let i = items.length - 1; i >= 0; i--) {
    if (Date.now() >= deadline) return false;
    form.deleteItem(items[i]!);
  }
  const who = form.addMultipleChoiceItem().setTitle(spec.who.title).setRequired(true);
  if (spec.who.description) who.setHelpText(spec.who.description);
  recordFormMap(ss, form.getId(), [[String(who.getId()), spec.who.questionId]]);
  return true;
}

/** Adds one owner's section (the `i`th) to the form; returns its map rows (item id, question ids). */
function addSection(form: Form, s: FormSectionSpec, i: number): [string, string][] {
  const rows: [string, string][] = [];
  const page = form.addPageBreakItem().setTitle(s.title).setHelpText(s.description);
  // A page break says where the page before it goes: every owner's section ends the form.
  if (i > 0) page.setGoToPage(FormApp.PageNavigationType.SUBMIT);
  rows.push([String(page.getId()), `section:${s.owner}`]);
  if (s.grid && s.milestones.length) {
    const grid = form
      .addGridItem()
      .setTitle(s.grid.title)
      .setRows(s.milestones.map((m) => m.rowTitle))
      .setColumns(s.grid.columns);
    rows.push([String(grid.getId()), s.milestones.map((m) => m.statusQuestionId).join(',')]);
  }
  for (const m of s.milestones) {
    const date = form.addDateItem().setTitle(m.forecast.title).setIncludesYear(true);
    if (m.forecast.description) date.setHelpText(m.forecast.description);
    rows.push([String(date.getId()), m.forecast.questionId]);
    const comment = form.addParagraphTextItem().setTitle(m.comment.title);
    if (m.comment.description) comment.setHelpText(m.comment.description);
    rows.push([String(comment.getId()), m.comment.questionId]);
  }
  // Each open tracked action: "Open" or "Done" (no page navigation: the page break after the
  // section submits), then a one-line note.
  for (const a of s.actions) {
    const status = form.addMultipleChoiceItem().setTitle(a.status.title).setChoiceValues(a.status.options);
    if (a.status.description) status.setHelpText(a.status.description);
    rows.push([String(status.getId()), a.status.questionId]);
    const note = form.addTextItem().setTitle(a.note.title);
    if (a.note.description) note.setHelpText(a.note.description);
    rows.push([String(note.getId()), a.note.questionId]);
  }
  for (const q of [s.wins, s.learnings, s.helpNeeded, s.topic]) {
    const item = form.addParagraphTextItem().setTitle(q.title);
    if (q.description) item.setHelpText(q.description);
    rows.push([String(item.getId()), q.questionId]);
  }
  const help = form.addMultipleChoiceItem().setTitle(s.helpFrom.title).setRequired(true);
  if (s.helpFrom.description) help.setHelpText(s.helpFrom.description);
  // One call for the whole list. A choice made with createChoice(o, SUBMIT) is a FormApp call
  // per option — per person on the team, in every section: a team of 130 spent more than the
  // 6 minutes of an execution on it. The choices need no navigation of their own: the page break
  // after each section already submits (see above), and the last section ends the form.
  help.setChoiceValues(s.helpFrom.options);
  help.showOtherOption(true);
  rows.push([String(help.getId()), s.helpFrom.questionId]);
  return rows;
}

/**
 * Last, "Who is updating?" branches to every section: two calls per owner, made within the
 * deadline too (a run that runs out before the end leaves it to the next run, which starts
 * here); false when the deadline came first.
 */
function branchWho(
  form: Form,
  spec: FormSpec,
  itemFor: (ids: string) => string | undefined,
  deadline: number,
): boolean {
  const whoId = itemFor(spec.who.questionId);
  const who = form.getItemById(Number(whoId)).asMultipleChoiceItem();
  if (spec.who.options.length) {
    const choices: GoogleAppsScript.Forms.Choice[] = [];
    for (const o of spec.who.options) {
      if (Date.now() >= deadline) return false;
      choices.push(
        who.createChoice(o.value, form.getItemById(Number(itemFor(`section:${o.email}`))).asPageBreakItem()),
      );
      // Their "no change this week": submits at once.
      for (const n of spec.who.noChange.filter((n) => n.email === o.email))
        choices.push(who.createChoice(n.value, FormApp.PageNavigationType.SUBMIT));
    }
    who.setChoices(choices);
  } else {
    who.setChoiceValues(['Nobody has an open milestone yet']);
  }
  return true;
}

/** Each owner's pre-filled link (FormApp's toPrefilledUrl), by email; items found through the map. */
export function prefilledLinks(
  form: Form,
  spec: FormSpec,
  register: Register,
  map: Map<string, string[]>,
  opts: { owners?: Set<string>; deadline?: number } = {},
): Record<string, string> {
  // Items are looked up as needed (the latest item standing for a question), each once.
  const latest = new Map<string, string>();
  for (const [itemId, ids] of map) latest.set(ids.join(','), itemId);
  const cache = new Map<string, GoogleAppsScript.Forms.Item | null>();
  const itemOf = (ids: string) => {
    if (!cache.has(ids)) {
      const id = latest.get(ids);
      cache.set(ids, id === undefined ? null : form.getItemById(Number(id)));
    }
    return cache.get(ids) ?? undefined;
  };
  const statusOf = (id: string) => register.milestones.find((r) => r.id === id);
  // A Status cell the register could not read is no answer: the owner chooses (core prefillAnswers).
  const shownStatus = (id: string) => {
    const m = statusOf(id);
    return m && !unreadableStatus(m) ? m.status : '';
  };
  const out: Record<string, string> = {};
  const who = itemOf(spec.who.questionId)?.asMultipleChoiceItem();
  if (!who) return out;
  for (const o of spec.who.options) {
    if (opts.owners && !opts.owners.has(o.email)) continue;
    // Out of time: the owners left get their link (and their email) on the next run.
    if (opts.deadline !== undefined && Date.now() >= opts.deadline) break;
    const section = spec.sections.find((s) => s.owner === o.email);
    if (!section) continue;
    let response = form.createResponse().withItemResponse(who.createResponse(o.value));
    const grid = itemOf(section.milestones.map((m) => m.statusQuestionId).join(','))?.asGridItem();
    if (grid) {
      response = response.withItemResponse(
        grid.createResponse(section.milestones.map((m) => shownStatus(m.milestone))),
      );
    }
    for (const m of section.milestones) {
      const forecast = statusOf(m.milestone)?.forecast;
      if (!forecast) continue;
      const item = itemOf(m.forecast.questionId)?.asDateItem();
      if (item) response = response.withItemResponse(item.createResponse(new Date(`${forecast}T12:00:00Z`)));
    }
    for (const a of section.actions) {
      const status = register.actions.find((r) => r.id === a.action)?.status ?? '';
      const item = itemOf(a.status.questionId)?.asMultipleChoiceItem();
      if (item && a.status.options.includes(status))
        response = response.withItemResponse(item.createResponse(status));
    }
    const help = itemOf(section.helpFrom.questionId)?.asMultipleChoiceItem();
    if (help) response = response.withItemResponse(help.createResponse(NO_HELP));
    out[o.email] = response.toPrefilledUrl();
  }
  return out;
}

/** A FormApp response as the normalised response every runtime reads (answers by the spec's question ids). */
export function responseInput(
  response: GoogleAppsScript.Forms.FormResponse,
  map: Map<string, string[]>,
): FormResponseInput {
  const answers: Record<string, string[]> = {};
  for (const r of response.getItemResponses()) {
    const ids = map.get(String(r.getItem().getId()));
    if (!ids) continue;
    const value = r.getResponse() as unknown;
    if (Array.isArray(value) && ids.length > 1) {
      ids.forEach((id, i) => {
        const v = value[i];
        if (v !== null && v !== undefined && v !== '') answers[id] = [String(v)];
      });
    } else if (ids.length === 1) {
      const v = Array.isArray(value) ? value.join(', ') : value;
      if (v !== null && v !== undefined && v !== '') answers[ids[0]!] = [String(v)];
    }
  }
  return {
    responseId: response.getId(),
    submittedAt: response.getTimestamp().toISOString(),
    email: response.getRespondentEmail().toLowerCase(),
    answers,
  };
}
