/**
 * Fake FormApp: forms, their items (multiple choice, checkbox, list, grid, date, text, paragraph
 * text, page breaks, section headers), branching (page navigation), responses, prefilled URLs.
 *
 * Semantics kept from Google Forms / Apps Script:
 * - item ids are integers, unique, assigned by the fake; every question also gets an entry id
 *   (a grid one per row) used by prefilled URLs: `…/viewform?usp=pp_url&entry.N=value`.
 * - pages: a PageBreakItem starts a page. After a page, the respondent goes where the last
 *   answered multiple-choice / list item with page navigation on that page says, else where the
 *   next PageBreakItem's `setGoToPage` says (it holds the navigation at the end of the page before
 *   it), else on to the next page; after the last page the response is submitted. Choices with
 *   navigation cannot be mixed with choices without in one item. Only items on the pages the
 *   respondent visits are answered (answers to items on skipped pages are dropped, as Forms does).
 * - `ItemResponse.getResponse()`: a string for choice, list, text and date items (a date as
 *   'YYYY-MM-DD', 'MM-DD' without year), a string[] for checkbox items, and for grid items a
 *   string[] with one entry per row, '' for a row left blank (Apps Script's documentation).
 * - `createResponse` on an item checks the value (a choice item takes one of its choices, or any
 *   text when it shows the "other" option); `FormResponse.submit()` checks the form accepts
 *   responses and that required items on the visited pages are answered.
 * - `getRespondentEmail()` is '' unless the form collects emails; `getResponses(date)` returns
 *   the responses whose timestamp is at or after `date` (the documentation says "after").
 * - `FormApp.create(title)` names the Drive file and the form; `setTitle` changes the form's title
 *   only. A response the script creates has no id until it is submitted (`getId()` throws).
 *   Editing a response keeps its id and moves its timestamp.
 */
import { type Accepts, Enums, Fake, type GasEnum, isDate, type World } from './core';
import { formatJava } from './time';

type GForm = GoogleAppsScript.Forms.Form;
type GFormApp = GoogleAppsScript.Forms.FormApp;
type GItem = GoogleAppsScript.Forms.Item;
type GResponse = GoogleAppsScript.Forms.FormResponse;

export type ItemKind =
  | 'MULTIPLE_CHOICE'
  | 'CHECKBOX'
  | 'LIST'
  | 'PAGE_BREAK'
  | 'GRID'
  | 'DATE'
  | 'PARAGRAPH_TEXT'
  | 'TEXT'
  | 'SECTION_HEADER';

export type NavName = 'CONTINUE' | 'GO_TO_PAGE' | 'RESTART' | 'SUBMIT';

export interface Navigation {
  type: NavName;
  /** The PageBreakItem's id, for GO_TO_PAGE. */
  pageId?: number;
}

export interface ChoiceState {
  value: string;
  nav?: Navigation;
}

export interface ItemState {
  id: number;
  kind: ItemKind;
  title: string;
  helpText: string;
  required: boolean;
  choices: ChoiceState[];
  other: boolean;
  rows: string[];
  columns: string[];
  includesYear: boolean;
  /** For a page break: where to go after the page before it. */
  goTo?: Navigation;
  /** The entry id of a question (prefilled URLs); a grid has one per row in rowEntryIds. */
  entryId: number;
  rowEntryIds: number[];
}

export type Answer = string | string[];

export interface ResponseState {
  id: string;
  timestamp: number;
  email: string;
  answers: Map<number, Answer>;
  submitted: boolean;
}

const QUESTION_KINDS: readonly ItemKind[] = [
  'MULTIPLE_CHOICE',
  'CHECKBOX',
  'LIST',
  'GRID',
  'DATE',
  'PARAGRAPH_TEXT',
  'TEXT',
];

export class FormState {
  items: ItemState[] = [];
  readonly responses: ResponseState[] = [];
  description = '';
  /** What the form shows after a response is sent ('' : Google's default). */
  confirmationMessage = '';
  accepting = true;
  /**
   * A form FormApp creates is not published until the script publishes it ("Publish and manage
   * responders on the form", Apps Script: "form.setPublished(true); // Publish the form. This
   * also enables accepting responses."): the reading worse for a script that forgets to.
   */
  published = false;
  collectEmail = false;
  allowEdits = false;
  readonly publishedId: string;
  private fake?: FakeForm;

  constructor(
    readonly w: World,
    readonly id: string,
    public title: string,
  ) {
    this.publishedId = `1FAIpQL${w.token(49)}`;
  }

  item(id: number): ItemState | undefined {
    return this.items.find((i) => i.id === id);
  }

  addItem(kind: ItemKind): ItemState {
    const item: ItemState = {
      id: this.w.newNumber(),
      kind,
      title: '',
      helpText: '',
      required: false,
      choices: [],
      other: false,
      rows: [],
      columns: [],
      includesYear: true,
      entryId: QUESTION_KINDS.includes(kind) && kind !== 'GRID' ? this.w.newNumber() : 0,
      rowEntryIds: [],
    };
    this.items.push(item);
    return item;
  }

  response(id: string): ResponseState | undefined {
    return this.responses.find((r) => r.id === id);
  }

  viewUrl(): string {
    return `https://docs.google.com/forms/d/e/${this.publishedId}/viewform`;
  }

  api(): FakeForm {
    this.fake ??= new FakeForm(this.w, this);
    return this.fake;
  }
}

function isQuestion(item: ItemState): boolean {
  return QUESTION_KINDS.includes(item.kind);
}

/** Checks `value` as an answer to `item` and returns it as getResponse() gives it. */
export function checkAnswer(w: World, item: ItemState, value: unknown): Answer {
  const where = `item ${item.id} ("${item.title}")`;
  const choices = item.choices.map((c) => c.value);
  switch (item.kind) {
    case 'MULTIPLE_CHOICE':
    case 'LIST': {
      if (typeof value !== 'string') throw w.error(`Invalid response for ${where}: expected a string.`);
      if (!choices.includes(value) && !(item.kind === 'MULTIPLE_CHOICE' && item.other && value !== '')) {
        throw w.error(`Invalid response for ${where}: "${value}" is not one of its choices.`);
      }
      return value;
    }
    case 'CHECKBOX': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw w.error(`Invalid response for ${where}: expected an array of strings.`);
      }
      const others = value.filter((v) => !choices.includes(v));
      if (others.length > (item.other ? 1 : 0)) {
        throw w.error(
          `Invalid response for ${where}: "${others[others.length - 1]}" is not one of its choices.`,
        );
      }
      return [...value] as string[];
    }
    case 'GRID': {
      if (!Array.isArray(value) || value.length !== item.rows.length) {
        throw w.error(`Invalid response for ${where}: expected one answer per row (${item.rows.length}).`);
      }
      return value.map((v) => {
        if (v === null || v === undefined || v === '') return '';
        if (typeof v !== 'string' || !item.columns.includes(v)) {
          throw w.error(`Invalid response for ${where}: "${String(v)}" is not one of its columns.`);
        }
        return v;
      });
    }
    case 'DATE': {
      const pattern = item.includesYear ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{2}-\d{2}$/;
      if (typeof value !== 'string' || !pattern.test(value)) {
        throw w.error(`Invalid response for ${where}: expected a date.`);
      }
      return value;
    }
    case 'TEXT':
    case 'PARAGRAPH_TEXT':
      if (typeof value !== 'string') throw w.error(`Invalid response for ${where}: expected a string.`);
      return value;
    default:
      throw w.error(`Item ${item.id} of type ${item.kind} takes no responses.`);
  }
}

function isBlank(answer: Answer | undefined): boolean {
  if (answer === undefined || answer === '') return true;
  return Array.isArray(answer) && answer.every((a) => a === '');
}

/**
 * The items a respondent with these answers sees, following the form's page navigation; throws
 * when the answers lead to RESTART (such a response can never be submitted).
 */
export function visitedItems(w: World, form: FormState, answers: ReadonlyMap<number, Answer>): Set<number> {
  const pages: { breakItem?: ItemState; items: ItemState[] }[] = [{ items: [] }];
  for (const item of form.items) {
    if (item.kind === 'PAGE_BREAK') pages.push({ breakItem: item, items: [] });
    else pages[pages.length - 1]!.items.push(item);
  }
  const pageOf = (pageId: number | undefined) => pages.findIndex((p) => p.breakItem?.id === pageId);
  const visited = new Set<number>();
  const seen = new Set<number>();
  let p = 0;
  while (p >= 0 && p < pages.length) {
    if (seen.has(p))
      throw w.error('The answers lead the respondent round in a loop: the response cannot be submitted.');
    seen.add(p);
    const page = pages[p]!;
    for (const item of page.items) visited.add(item.id);
    let nav: Navigation | undefined;
    for (const item of page.items) {
      if (item.kind !== 'MULTIPLE_CHOICE' && item.kind !== 'LIST') continue;
      const answer = answers.get(item.id);
      const choice = item.choices.find((c) => c.value === answer);
      if (choice?.nav) nav = choice.nav;
    }
    nav ??= pages[p + 1]?.breakItem?.goTo ?? { type: 'CONTINUE' };
    switch (nav.type) {
      case 'SUBMIT':
        return visited;
      case 'RESTART':
        throw w.error('The answers send the respondent back to the start: the response cannot be submitted.');
      case 'GO_TO_PAGE':
        p = pageOf(nav.pageId);
        break;
      default:
        p++;
    }
  }
  return visited;
}

/** Submits a response as Forms does (see the file comment); returns it. */
export function submitResponse(w: World, form: FormState, response: ResponseState): ResponseState {
  if (!form.published) {
    throw w.error(`The form ${form.title} is not published: nobody can respond to it.`);
  }
  if (!form.accepting) {
    throw w.error(
      `The form ${form.title} is no longer accepting responses. Try contacting the owner of the form if you think this is a mistake.`,
    );
  }
  const visited = visitedItems(w, form, response.answers);
  for (const id of [...response.answers.keys()]) {
    const item = form.item(id);
    if (!item || !visited.has(id)) response.answers.delete(id);
    else response.answers.set(id, checkAnswer(w, item, response.answers.get(id)));
  }
  for (const item of form.items) {
    if (!visited.has(item.id) || !item.required || !isQuestion(item)) continue;
    const answer = response.answers.get(item.id);
    const blank =
      item.kind === 'GRID' ? !Array.isArray(answer) || answer.some((a) => a === '') : isBlank(answer);
    if (blank) throw w.error(`Item ${item.id} ("${item.title}") is required: this is a required question.`);
  }
  for (const [id, answer] of [...response.answers]) if (isBlank(answer)) response.answers.delete(id);
  if (!response.submitted) {
    response.submitted = true;
    form.responses.push(response);
  }
  return response;
}

function encode(v: string): string {
  return encodeURIComponent(v).replace(/%20/g, '+');
}

export function prefilledUrl(form: FormState, answers: ReadonlyMap<number, Answer>): string {
  let url = `${form.viewUrl()}?usp=pp_url`;
  for (const item of form.items) {
    const answer = answers.get(item.id);
    if (answer === undefined) continue;
    const choices = item.choices.map((c) => c.value);
    if (item.kind === 'GRID') {
      (answer as string[]).forEach((col, r) => {
        if (col !== '') url += `&entry.${item.rowEntryIds[r]}=${encode(col)}`;
      });
    } else if (Array.isArray(answer)) {
      for (const a of answer) {
        url += choices.includes(a)
          ? `&entry.${item.entryId}=${encode(a)}`
          : `&entry.${item.entryId}=__other_option__&entry.${item.entryId}.other_option_response=${encode(a)}`;
      }
    } else if (item.kind === 'MULTIPLE_CHOICE' && !choices.includes(answer)) {
      url += `&entry.${item.entryId}=__other_option__&entry.${item.entryId}.other_option_response=${encode(answer)}`;
    } else {
      url += `&entry.${item.entryId}=${encode(answer)}`;
    }
  }
  return url;
}

// ---------- FormApp ----------

export class FakeFormApp extends Fake implements Accepts<GFormApp, 'create' | 'openById' | 'getActiveForm'> {
  static override readonly gas = 'FormApp';
  static override readonly group = 'form';
  readonly PageNavigationType = Enums.PageNavigationType;
  readonly ItemType = Enums.ItemType;

  create(title: string): FakeForm {
    if (typeof title !== 'string') throw this.w.signatureError('FormApp.create', [title]);
    return createForm(this.w, title).api();
  }

  openById(id: string): FakeForm {
    const form = this.w.forms.get(String(id));
    if (!form) {
      throw this.w.error(
        'No item with the given ID could be found. Possibly because you have not edited this item or you do not have permission to access it.',
      );
    }
    return form.api();
  }

  /** The script is bound to a spreadsheet, not a form. */
  getActiveForm(): FakeForm | null {
    return null;
  }
}

/** A new form (and its Drive file) in the world. */
export function createForm(w: World, title: string): FormState {
  const id = w.newId();
  const form = new FormState(w, id, title);
  w.forms.set(id, form);
  w.files.set(id, { id, kind: 'form', name: title, parents: [w.rootFolderId], created: w.now() });
  return form;
}

// ---------- Form ----------

export class FakeForm
  extends Fake
  implements
    Pick<
      GForm,
      | 'getId'
      | 'getTitle'
      | 'getDescription'
      | 'getConfirmationMessage'
      | 'getPublishedUrl'
      | 'getEditUrl'
      | 'collectsEmail'
      | 'isAcceptingResponses'
      | 'canEditResponse'
    >,
    Accepts<
      GForm,
      | 'setTitle'
      | 'setDescription'
      | 'setConfirmationMessage'
      | 'getItems'
      | 'getItemById'
      | 'deleteItem'
      | 'moveItem'
      | 'addMultipleChoiceItem'
      | 'addCheckboxItem'
      | 'addListItem'
      | 'addPageBreakItem'
      | 'addGridItem'
      | 'addDateItem'
      | 'addParagraphTextItem'
      | 'addTextItem'
      | 'addSectionHeaderItem'
      | 'setCollectEmail'
      | 'setAcceptingResponses'
      | 'setAllowResponseEdits'
      | 'createResponse'
      | 'getResponses'
      | 'getResponse'
      | 'deleteAllResponses'
    >
{
  static override readonly gas = 'Form';
  static override readonly group = 'form';

  constructor(
    w: World,
    readonly state: FormState,
  ) {
    super(w);
  }

  getId(): string {
    return this.state.id;
  }

  getTitle(): string {
    return this.state.title;
  }

  setTitle(title: string): this {
    this.state.title = String(title);
    return this;
  }

  getDescription(): string {
    return this.state.description;
  }

  setDescription(description: string): this {
    this.state.description = String(description);
    return this;
  }

  getConfirmationMessage(): string {
    return this.state.confirmationMessage;
  }

  setConfirmationMessage(message: string): this {
    this.state.confirmationMessage = String(message);
    return this;
  }

  getPublishedUrl(): string {
    return this.state.viewUrl();
  }

  getEditUrl(): string {
    return `https://docs.google.com/forms/d/${this.state.id}/edit`;
  }

  getItems(itemType?: unknown): FakeItem[] {
    if (itemType !== undefined && !Object.values(Enums.ItemType).includes(itemType as GasEnum)) {
      throw this.w.signatureError('FormApp.Form.getItems', [itemType]);
    }
    const kind = itemType === undefined ? undefined : String(itemType);
    const items = kind === undefined ? this.state.items : this.state.items.filter((i) => i.kind === kind);
    return items.map((i) => new FakeItem(this.w, this.state, i));
  }

  getItemById(id: number): FakeItem | null {
    const item = this.state.item(Number(id));
    return item ? new FakeItem(this.w, this.state, item) : null;
  }

  private indexOfArg(arg: unknown, method: string): number {
    if (typeof arg === 'number') {
      if (!Number.isInteger(arg) || arg < 0 || arg >= this.state.items.length) {
        throw this.w.error(`Invalid item index: ${arg}.`);
      }
      return arg;
    }
    if (arg instanceof ItemBase) {
      const i = this.state.items.indexOf(arg.item);
      if (i < 0) throw this.w.error('The item is not in this form.');
      return i;
    }
    throw this.w.signatureError(method, [arg]);
  }

  deleteItem(item: unknown): void {
    const i = this.indexOfArg(item, 'FormApp.Form.deleteItem');
    const [gone] = this.state.items.splice(i, 1);
    for (const other of this.state.items) {
      for (const c of other.choices) if (c.nav?.pageId === gone!.id) c.nav = { type: 'CONTINUE' };
      if (other.goTo?.pageId === gone!.id) other.goTo = undefined;
    }
  }

  moveItem(from: unknown, toIndex: number): FakeItem {
    const i = this.indexOfArg(from, 'FormApp.Form.moveItem');
    if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= this.state.items.length) {
      throw this.w.error(`Invalid item index: ${toIndex}.`);
    }
    const [item] = this.state.items.splice(i, 1);
    this.state.items.splice(toIndex, 0, item!);
    return new FakeItem(this.w, this.state, item!);
  }

  addMultipleChoiceItem(): FakeMultipleChoiceItem {
    return new FakeMultipleChoiceItem(this.w, this.state, this.state.addItem('MULTIPLE_CHOICE'));
  }

  addCheckboxItem(): FakeCheckboxItem {
    return new FakeCheckboxItem(this.w, this.state, this.state.addItem('CHECKBOX'));
  }

  addListItem(): FakeListItem {
    return new FakeListItem(this.w, this.state, this.state.addItem('LIST'));
  }

  addPageBreakItem(): FakePageBreakItem {
    return new FakePageBreakItem(this.w, this.state, this.state.addItem('PAGE_BREAK'));
  }

  addGridItem(): FakeGridItem {
    return new FakeGridItem(this.w, this.state, this.state.addItem('GRID'));
  }

  addDateItem(): FakeDateItem {
    return new FakeDateItem(this.w, this.state, this.state.addItem('DATE'));
  }

  addParagraphTextItem(): FakeParagraphTextItem {
    return new FakeParagraphTextItem(this.w, this.state, this.state.addItem('PARAGRAPH_TEXT'));
  }

  addTextItem(): FakeTextItem {
    return new FakeTextItem(this.w, this.state, this.state.addItem('TEXT'));
  }

  addSectionHeaderItem(): FakeSectionHeaderItem {
    return new FakeSectionHeaderItem(this.w, this.state, this.state.addItem('SECTION_HEADER'));
  }

  setCollectEmail(collect: boolean): this {
    this.state.collectEmail = Boolean(collect);
    return this;
  }

  collectsEmail(): boolean {
    return this.state.collectEmail;
  }

  setAcceptingResponses(enabled: boolean): this {
    this.state.accepting = Boolean(enabled);
    return this;
  }

  /** Form.setPublished (not yet in @types/google-apps-script 2.0.13): publishing also accepts responses. */
  setPublished(enabled: boolean): this {
    this.state.published = Boolean(enabled);
    if (enabled) this.state.accepting = true;
    return this;
  }

  isPublished(): boolean {
    return this.state.published;
  }

  isAcceptingResponses(): boolean {
    return this.state.accepting;
  }

  setAllowResponseEdits(enabled: boolean): this {
    this.state.allowEdits = Boolean(enabled);
    return this;
  }

  canEditResponse(): boolean {
    return this.state.allowEdits;
  }

  createResponse(): FakeFormResponse {
    return new FakeFormResponse(this.w, this.state, {
      id: '',
      timestamp: this.w.now(),
      email: '',
      answers: new Map(),
      submitted: false,
    });
  }

  getResponses(timestamp?: unknown): FakeFormResponse[] {
    if (timestamp !== undefined && !isDate(timestamp))
      throw this.w.signatureError('FormApp.Form.getResponses', [timestamp]);
    const from = timestamp === undefined ? -Infinity : timestamp.getTime();
    return [...this.state.responses]
      .filter((r) => r.timestamp >= from)
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((r) => new FakeFormResponse(this.w, this.state, r));
  }

  getResponse(responseId: string): FakeFormResponse {
    const r = this.state.response(String(responseId));
    if (!r) throw this.w.error(`No response with ID ${responseId} exists for this form.`);
    return new FakeFormResponse(this.w, this.state, r);
  }

  deleteAllResponses(): this {
    this.state.responses.splice(0);
    return this;
  }
}

// ---------- items ----------

abstract class ItemBase
  extends Fake
  implements
    Pick<GItem, 'getId' | 'getIndex' | 'getTitle' | 'getHelpText'>,
    Accepts<GItem, 'getType' | 'setTitle' | 'setHelpText'>
{
  static override readonly group = 'form';

  constructor(
    w: World,
    readonly form: FormState,
    readonly item: ItemState,
  ) {
    super(w);
  }

  getId(): number {
    return this.item.id;
  }

  getIndex(): number {
    const i = this.form.items.indexOf(this.item);
    if (i < 0) throw this.w.error('This item has been deleted.');
    return i;
  }

  getType(): GasEnum {
    return Enums.ItemType[this.item.kind];
  }

  getTitle(): string {
    return this.item.title;
  }

  setTitle(title: string): this {
    this.item.title = String(title);
    return this;
  }

  getHelpText(): string {
    return this.item.helpText;
  }

  setHelpText(text: string): this {
    this.item.helpText = String(text);
    return this;
  }
}

/** A generic Item (from getItems / getItemById), converted with as…Item(). */
export class FakeItem
  extends ItemBase
  implements
    Accepts<
      GItem,
      | 'asMultipleChoiceItem'
      | 'asGridItem'
      | 'asDateItem'
      | 'asParagraphTextItem'
      | 'asTextItem'
      | 'asPageBreakItem'
      | 'asSectionHeaderItem'
      | 'asCheckboxItem'
      | 'asListItem'
    >
{
  static override readonly gas = 'Item';

  private as<T>(kind: ItemKind, make: new (w: World, form: FormState, item: ItemState) => T): T {
    if (this.item.kind !== kind) throw this.w.error(`Invalid conversion for item type: ${this.item.kind}`);
    return new make(this.w, this.form, this.item);
  }

  asMultipleChoiceItem(): FakeMultipleChoiceItem {
    return this.as('MULTIPLE_CHOICE', FakeMultipleChoiceItem);
  }
  asCheckboxItem(): FakeCheckboxItem {
    return this.as('CHECKBOX', FakeCheckboxItem);
  }
  asListItem(): FakeListItem {
    return this.as('LIST', FakeListItem);
  }
  asGridItem(): FakeGridItem {
    return this.as('GRID', FakeGridItem);
  }
  asDateItem(): FakeDateItem {
    return this.as('DATE', FakeDateItem);
  }
  asParagraphTextItem(): FakeParagraphTextItem {
    return this.as('PARAGRAPH_TEXT', FakeParagraphTextItem);
  }
  asTextItem(): FakeTextItem {
    return this.as('TEXT', FakeTextItem);
  }
  asPageBreakItem(): FakePageBreakItem {
    return this.as('PAGE_BREAK', FakePageBreakItem);
  }
  asSectionHeaderItem(): FakeSectionHeaderItem {
    return this.as('SECTION_HEADER', FakeSectionHeaderItem);
  }
}

abstract class QuestionItem extends ItemBase {
  setRequired(enabled: boolean): this {
    this.item.required = Boolean(enabled);
    return this;
  }

  isRequired(): boolean {
    return this.item.required;
  }

  protected respond(value: unknown): FakeItemResponse {
    return new FakeItemResponse(this.w, this.form, this.item, checkAnswer(this.w, this.item, value));
  }
}

abstract class ChoiceItem extends QuestionItem {
  protected makeChoice(value: string, arg: unknown, navigation: boolean): FakeChoice {
    const state: ChoiceState = { value: String(value) };
    if (arg instanceof ItemBase) {
      if (!navigation || arg.item.kind !== 'PAGE_BREAK')
        throw this.w.signatureError('createChoice', [value, arg]);
      state.nav = { type: 'GO_TO_PAGE', pageId: arg.item.id };
    } else if (Object.values(Enums.PageNavigationType).includes(arg as GasEnum)) {
      if (!navigation) throw this.w.signatureError('createChoice', [value, arg]);
      const type = (arg as GasEnum).name() as NavName;
      if (type === 'GO_TO_PAGE')
        throw this.w.error('Use createChoice(value, pageBreakItem) to go to a page.');
      state.nav = { type };
    } else if (arg !== undefined && typeof arg !== 'boolean') {
      throw this.w.signatureError('createChoice', [value, arg]);
    }
    return new FakeChoice(this.w, this.form, state);
  }

  protected storeChoices(choices: unknown, navigation: boolean): void {
    if (!Array.isArray(choices) || choices.some((c) => !(c instanceof FakeChoice))) {
      throw this.w.signatureError('setChoices', [choices]);
    }
    if (choices.length === 0) throw this.w.error('Array of choices cannot be empty.');
    const states = (choices as FakeChoice[]).map((c) => ({
      ...c.choice,
      nav: c.choice.nav ? { ...c.choice.nav } : undefined,
    }));
    const withNav = states.filter((c) => c.nav).length;
    if (withNav > 0 && (!navigation || withNav < states.length)) {
      throw this.w.error(
        'Choices that use page navigation cannot be combined in the same item with choices that do not use page navigation.',
      );
    }
    this.item.choices = states;
  }

  protected storeValues(values: string[]): void {
    if (!Array.isArray(values)) throw this.w.signatureError('setChoiceValues', [values]);
    if (values.length === 0) throw this.w.error('Array of choices cannot be empty.');
    this.item.choices = values.map((v) => ({ value: String(v) }));
  }

  getChoices(): FakeChoice[] {
    return this.item.choices.map((c) => new FakeChoice(this.w, this.form, c));
  }

  setChoiceValues(values: string[]): this {
    this.storeValues(values);
    return this;
  }
}

/** A choice item that may offer "Other" (free text): multiple choice and checkboxes. */
abstract class OtherChoiceItem extends ChoiceItem {
  showOtherOption(enabled: boolean): this {
    this.item.other = Boolean(enabled);
    return this;
  }
  hasOtherOption(): boolean {
    return this.item.other;
  }
}

export class FakeMultipleChoiceItem
  extends OtherChoiceItem
  implements
    Pick<GoogleAppsScript.Forms.MultipleChoiceItem, 'hasOtherOption' | 'isRequired'>,
    Accepts<
      GoogleAppsScript.Forms.MultipleChoiceItem,
      | 'setChoices'
      | 'setChoiceValues'
      | 'getChoices'
      | 'createChoice'
      | 'showOtherOption'
      | 'setRequired'
      | 'createResponse'
    >
{
  static override readonly gas = 'MultipleChoiceItem';

  createChoice(value: string, arg?: unknown): FakeChoice {
    return this.makeChoice(value, arg, true);
  }
  setChoices(choices: unknown): this {
    this.storeChoices(choices, true);
    return this;
  }
  createResponse(response: string): FakeItemResponse {
    return this.respond(response);
  }
}

export class FakeCheckboxItem
  extends OtherChoiceItem
  implements
    Pick<GoogleAppsScript.Forms.CheckboxItem, 'hasOtherOption' | 'isRequired'>,
    Accepts<
      GoogleAppsScript.Forms.CheckboxItem,
      | 'setChoices'
      | 'setChoiceValues'
      | 'getChoices'
      | 'createChoice'
      | 'showOtherOption'
      | 'setRequired'
      | 'createResponse'
    >
{
  static override readonly gas = 'CheckboxItem';

  createChoice(value: string, isCorrect?: boolean): FakeChoice {
    return this.makeChoice(value, isCorrect, false);
  }
  setChoices(choices: unknown): this {
    this.storeChoices(choices, false);
    return this;
  }
  createResponse(responses: string[]): FakeItemResponse {
    return this.respond(responses);
  }
}

export class FakeListItem
  extends ChoiceItem
  implements
    Pick<GoogleAppsScript.Forms.ListItem, 'isRequired'>,
    Accepts<
      GoogleAppsScript.Forms.ListItem,
      'setChoices' | 'setChoiceValues' | 'getChoices' | 'createChoice' | 'setRequired' | 'createResponse'
    >
{
  static override readonly gas = 'ListItem';

  createChoice(value: string, arg?: unknown): FakeChoice {
    return this.makeChoice(value, arg, true);
  }
  setChoices(choices: unknown): this {
    this.storeChoices(choices, true);
    return this;
  }
  createResponse(response: string): FakeItemResponse {
    return this.respond(response);
  }
}

export class FakeGridItem
  extends QuestionItem
  implements
    Pick<GoogleAppsScript.Forms.GridItem, 'getRows' | 'getColumns' | 'isRequired'>,
    Accepts<GoogleAppsScript.Forms.GridItem, 'setRows' | 'setColumns' | 'setRequired' | 'createResponse'>
{
  static override readonly gas = 'GridItem';

  setRows(rows: string[]): this {
    if (!Array.isArray(rows) || rows.length === 0)
      throw this.w.signatureError('FormApp.GridItem.setRows', [rows]);
    this.item.rows = rows.map(String);
    this.item.rowEntryIds = this.item.rows.map(() => this.w.newNumber());
    return this;
  }
  getRows(): string[] {
    return [...this.item.rows];
  }
  setColumns(columns: string[]): this {
    if (!Array.isArray(columns) || columns.length === 0) {
      throw this.w.signatureError('FormApp.GridItem.setColumns', [columns]);
    }
    this.item.columns = columns.map(String);
    return this;
  }
  getColumns(): string[] {
    return [...this.item.columns];
  }
  createResponse(responses: string[]): FakeItemResponse {
    return this.respond(responses);
  }
}

export class FakeDateItem
  extends QuestionItem
  implements
    Pick<GoogleAppsScript.Forms.DateItem, 'includesYear' | 'isRequired'>,
    Accepts<GoogleAppsScript.Forms.DateItem, 'setIncludesYear' | 'setRequired' | 'createResponse'>
{
  static override readonly gas = 'DateItem';

  setIncludesYear(enableYear: boolean): this {
    this.item.includesYear = Boolean(enableYear);
    return this;
  }
  includesYear(): boolean {
    return this.item.includesYear;
  }
  createResponse(response: unknown): FakeItemResponse {
    if (!isDate(response)) throw this.w.signatureError('FormApp.DateItem.createResponse', [response]);
    return this.respond(dateAnswer(this.w, this.item, response));
  }
}

/** A date as a date item's response: 'YYYY-MM-DD' (or 'MM-DD') in the script's time zone. */
export function dateAnswer(w: World, item: ItemState, date: Date): string {
  return formatJava(date.getTime(), w.timeZone, item.includesYear ? 'yyyy-MM-dd' : 'MM-dd');
}

export class FakeTextItem
  extends QuestionItem
  implements
    Pick<GoogleAppsScript.Forms.TextItem, 'isRequired'>,
    Accepts<GoogleAppsScript.Forms.TextItem, 'setRequired' | 'createResponse'>
{
  static override readonly gas = 'TextItem';

  createResponse(response: string): FakeItemResponse {
    return this.respond(response);
  }
}

export class FakeParagraphTextItem
  extends QuestionItem
  implements
    Pick<GoogleAppsScript.Forms.ParagraphTextItem, 'isRequired'>,
    Accepts<GoogleAppsScript.Forms.ParagraphTextItem, 'setRequired' | 'createResponse'>
{
  static override readonly gas = 'ParagraphTextItem';

  createResponse(response: string): FakeItemResponse {
    return this.respond(response);
  }
}

export class FakePageBreakItem
  extends ItemBase
  implements
    Accepts<GoogleAppsScript.Forms.PageBreakItem, 'setGoToPage' | 'getGoToPage' | 'getPageNavigationType'>
{
  static override readonly gas = 'PageBreakItem';

  setGoToPage(target: unknown): this {
    if (target instanceof ItemBase && target.item.kind === 'PAGE_BREAK') {
      this.item.goTo = { type: 'GO_TO_PAGE', pageId: target.item.id };
    } else if (Object.values(Enums.PageNavigationType).includes(target as GasEnum)) {
      const type = (target as GasEnum).name() as NavName;
      if (type === 'GO_TO_PAGE') throw this.w.error('Use setGoToPage(pageBreakItem) to go to a page.');
      this.item.goTo = { type };
    } else {
      throw this.w.signatureError('FormApp.PageBreakItem.setGoToPage', [target]);
    }
    return this;
  }

  getGoToPage(): FakePageBreakItem | null {
    const target = this.item.goTo?.pageId === undefined ? undefined : this.form.item(this.item.goTo.pageId);
    return target ? new FakePageBreakItem(this.w, this.form, target) : null;
  }

  getPageNavigationType(): GasEnum {
    return Enums.PageNavigationType[this.item.goTo?.type ?? 'CONTINUE'];
  }
}

export class FakeSectionHeaderItem extends ItemBase {
  static override readonly gas = 'SectionHeaderItem';
}

export class FakeChoice
  extends Fake
  implements
    Pick<GoogleAppsScript.Forms.Choice, 'getValue'>,
    Accepts<GoogleAppsScript.Forms.Choice, 'getPageNavigationType' | 'getGotoPage'>
{
  static override readonly gas = 'Choice';
  static override readonly group = 'form';

  constructor(
    w: World,
    readonly form: FormState,
    readonly choice: ChoiceState,
  ) {
    super(w);
  }

  getValue(): string {
    return this.choice.value;
  }

  /** CONTINUE for a choice without navigation. */
  getPageNavigationType(): GasEnum {
    return Enums.PageNavigationType[this.choice.nav?.type ?? 'CONTINUE'];
  }

  getGotoPage(): FakePageBreakItem | null {
    const id = this.choice.nav?.pageId;
    const page = id === undefined ? undefined : this.form.item(id);
    return page ? new FakePageBreakItem(this.w, this.form, page) : null;
  }
}

// ---------- responses ----------

export class FakeItemResponse
  extends Fake
  implements Accepts<GoogleAppsScript.Forms.ItemResponse, 'getItem' | 'getResponse'>
{
  static override readonly gas = 'ItemResponse';
  static override readonly group = 'form';

  constructor(
    w: World,
    readonly form: FormState,
    readonly item: ItemState,
    readonly value: Answer,
  ) {
    super(w);
  }

  getItem(): FakeItem {
    return new FakeItem(this.w, this.form, this.item);
  }

  getResponse(): Answer {
    return Array.isArray(this.value) ? [...this.value] : this.value;
  }
}

export class FakeFormResponse
  extends Fake
  implements
    Pick<
      GResponse,
      'getId' | 'getTimestamp' | 'getRespondentEmail' | 'toPrefilledUrl' | 'getEditResponseUrl'
    >,
    Accepts<GResponse, 'getItemResponses' | 'withItemResponse' | 'submit'>
{
  static override readonly gas = 'FormResponse';
  static override readonly group = 'form';

  constructor(
    w: World,
    readonly form: FormState,
    readonly response: ResponseState,
  ) {
    super(w);
  }

  getId(): string {
    if (!this.response.submitted) throw this.w.error('This response has not been submitted yet.');
    return this.response.id;
  }

  getTimestamp(): Date {
    return new Date(this.response.timestamp);
  }

  getRespondentEmail(): string {
    return this.form.collectEmail ? this.response.email : '';
  }

  getItemResponses(): FakeItemResponse[] {
    const out: FakeItemResponse[] = [];
    for (const item of this.form.items) {
      const value = this.response.answers.get(item.id);
      if (value !== undefined) out.push(new FakeItemResponse(this.w, this.form, item, value));
    }
    return out;
  }

  withItemResponse(response: unknown): this {
    if (!(response instanceof FakeItemResponse))
      throw this.w.signatureError('FormApp.FormResponse.withItemResponse', [response]);
    if (this.response.submitted) throw this.w.error('A submitted response cannot be changed.');
    if (response.form !== this.form) throw this.w.error('The item response belongs to another form.');
    this.response.answers.set(response.item.id, response.value);
    return this;
  }

  toPrefilledUrl(): string {
    return prefilledUrl(this.form, this.response.answers);
  }

  getEditResponseUrl(): string {
    if (!this.response.submitted) throw this.w.error('This response has not been submitted yet.');
    return `${this.form.viewUrl()}?edit2=${this.response.id}`;
  }

  /** Submits a response the script built (checks as a respondent's; fires no trigger in the fake). */
  submit(): this {
    if (this.response.submitted) throw this.w.error('This response has already been submitted.');
    this.response.id = newResponseId(this.w);
    this.response.timestamp = this.w.now();
    this.response.email = this.w.userEmail;
    submitResponse(this.w, this.form, this.response);
    return this;
  }
}

export function newResponseId(w: World): string {
  return `2_ABaOnu${w.token(60)}`;
}
