/**
 * The update form as a Google Form (Forms API v1): the core's form spec (src/core/form.ts)
 * turned into Forms items, the form brought to that spec with one batchUpdate (only what
 * differs), and responses read back since a watermark.
 *
 * - Setup creates the form unpublished (`unpublished=true`), adds its settings and items, and
 *   only then publishes it, so nobody can answer a half-built form. It is found again by its
 *   id in Settings, or else by its name in Drive, so a run stopped half-way makes no second form.
 * - Every item and question id comes from the spec: a milestone keeps its question ids across
 *   weeks, and answers are read by question id, never by title or position.
 * - Rebuilding compares the items Google returns with the spec and sends only the difference
 *   (deletes, moves, updates, creates), guarded by the revision read just before: a form
 *   somebody edited in between is read again rather than overwritten blindly.
 */
import type { drive_v3 } from '@googleapis/drive';
import type { forms_v1 } from '@googleapis/forms';
import { WATERMARK_OVERLAP_MS } from '../core/cycle';
import type {
  FormActionSpec,
  FormQuestionSpec,
  FormResponseInput,
  FormSectionSpec,
  FormSpec,
} from '../core/form';
import { formResponseReader } from '../core/form';
import type { RawSubmission, Register } from '../core/types';
import { responseKey } from '../core/updates';
import type { ApiCalls } from './retry';

export const FORM_MIME = 'application/vnd.google-apps.form';
type Item = forms_v1.Schema$Item;
type Request = forms_v1.Schema$Request;

export function formName(registerTitle: string): string {
  return `Milepost update form — ${registerTitle}`;
}

// ---------- spec → items ----------

function paragraphItem(q: FormQuestionSpec): Item {
  return {
    itemId: q.itemId,
    title: q.title,
    ...(q.description ? { description: q.description } : {}),
    questionItem: {
      question: { questionId: q.questionId, required: false, textQuestion: { paragraph: true } },
    },
  };
}

/** The Forms items of a spec, in order. */
export function formItems(spec: FormSpec): Item[] {
  if (!spec.who.options.length) {
    // Nobody has an open milestone: a choice needs options, so the form just says so.
    return [
      {
        itemId: spec.who.itemId,
        title: 'Nobody has an open milestone yet',
        description: 'Update requests come with the next meeting once milestones are in the register.',
        textItem: {},
      },
    ];
  }
  const items: Item[] = [
    {
      itemId: spec.who.itemId,
      title: spec.who.title,
      ...(spec.who.description ? { description: spec.who.description } : {}),
      questionItem: {
        question: {
          questionId: spec.who.questionId,
          required: true,
          choiceQuestion: {
            type: 'RADIO',
            // Each owner, then their "no change this week", which submits at once.
            options: spec.who.options.flatMap((o) => [
              { value: o.value, goToSectionId: o.sectionId },
              ...spec.who.noChange
                .filter((n) => n.email === o.email)
                .map((n) => ({ value: n.value, goToAction: 'SUBMIT_FORM' })),
            ]),
          },
        },
      },
    },
  ];
  for (const s of spec.sections) items.push(...sectionItems(s));
  return items;
}

/** The items of one owner's section: its page break, status grid, milestones, and closing questions. */
function sectionItems(s: FormSectionSpec): Item[] {
  const items: Item[] = [{ itemId: s.itemId, title: s.title, description: s.description, pageBreakItem: {} }];
  if (s.grid && s.milestones.length) {
    items.push({
      itemId: s.grid.itemId,
      title: s.grid.title,
      questionGroupItem: {
        questions: s.milestones.map((m) => ({
          questionId: m.statusQuestionId,
          required: false,
          rowQuestion: { title: m.rowTitle },
        })),
        grid: { columns: { type: 'RADIO', options: s.grid.columns.map((value) => ({ value })) } },
      },
    });
  }
  for (const m of s.milestones) {
    // No forecast rule can be set here: the Forms API's DateQuestion has only includeTime and
    // includeYear ("DateQuestion: A date question. Date questions default to just month + day.",
    // https://developers.google.com/workspace/forms/api/reference/rest/v1/forms#datequestion),
    // and no validation of any date question. The sync checks each forecast (core/updates.ts:
    // not in the past, none for Done) and names the rejected one in Updates and its report.
    items.push({
      itemId: m.forecast.itemId,
      title: m.forecast.title,
      ...(m.forecast.description ? { description: m.forecast.description } : {}),
      questionItem: {
        question: {
          questionId: m.forecast.questionId,
          required: false,
          dateQuestion: { includeYear: true, includeTime: false },
        },
      },
    });
    items.push(paragraphItem(m.comment));
  }
  items.push(...s.actions.flatMap(actionItems));
  items.push(paragraphItem(s.wins), paragraphItem(s.learnings), paragraphItem(s.helpNeeded));
  items.push(paragraphItem(s.topic));
  items.push({
    itemId: s.helpFrom.itemId,
    title: s.helpFrom.title,
    ...(s.helpFrom.description ? { description: s.helpFrom.description } : {}),
    questionItem: {
      question: {
        questionId: s.helpFrom.questionId,
        required: true,
        choiceQuestion: {
          type: 'RADIO',
          // Every answer ends the form: a section must not run on into the next owner's.
          options: [
            ...s.helpFrom.options.map((value) => ({ value, goToAction: 'SUBMIT_FORM' })),
            { isOther: true, goToAction: 'SUBMIT_FORM' },
          ],
        },
      },
    },
  });
  return items;
}

/**
 * An open tracked action's two items: "Open" or "Done" (a RADIO question), then a one-line note
 * (a short answer: one line, as the emulator holds Google to). None of its options navigates —
 * all or none must (Apps Script reference "Enum PageNavigationType": "Choices that use page
 * navigation cannot be combined in the same item with choices that do not use page
 * navigation.") — so "Help needed from", the section's last choice, still sends the answer.
 */
function actionItems(a: FormActionSpec): Item[] {
  return [
    {
      itemId: a.status.itemId,
      title: a.status.title,
      ...(a.status.description ? { description: a.status.description } : {}),
      questionItem: {
        question: {
          questionId: a.status.questionId,
          required: false,
          choiceQuestion: { type: 'RADIO', options: a.status.options.map((value) => ({ value })) },
        },
      },
    },
    {
      itemId: a.note.itemId,
      title: a.note.title,
      ...(a.note.description ? { description: a.note.description } : {}),
      questionItem: {
        question: { questionId: a.note.questionId, required: false, textQuestion: { paragraph: false } },
      },
    },
  ];
}

// ---------- items → the requests that make the form match ----------

/** True when every field `want` sets is the same in `have` (Google adds defaults we do not set). */
function covers(have: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') {
    return have === want || (want === false && have === undefined);
  }
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
  const h = have as Record<string, unknown>;
  return Object.entries(want as Record<string, unknown>).every(([k, v]) => covers(h[k], v));
}

/** The kind of an item: changing it means deleting and re-creating the item. */
function kindOf(item: Item): string {
  const q = item.questionItem?.question;
  if (q) {
    if (q.choiceQuestion) return 'choice';
    if (q.dateQuestion) return 'date';
    if (q.textQuestion) return q.textQuestion.paragraph ? 'paragraph' : 'text';
    return 'question';
  }
  return Object.keys(item).find((k) => k.endsWith('Item')) ?? 'item';
}

/** The sections an item's choices go to ('' when it goes to none). */
function targetsOf(item: Item | undefined): string {
  const options = item?.questionItem?.question?.choiceQuestion?.options ?? [];
  return options
    .map((o) => o.goToSectionId ?? '')
    .join(',')
    .replace(/^,+$/, '');
}

/** The item with its choices going to no section (the rest of it as it is). */
function withoutTargets(item: Item): Item {
  const question = item.questionItem?.question;
  const choice = question?.choiceQuestion;
  if (!choice?.options) return item;
  return {
    ...item,
    questionItem: {
      ...item.questionItem,
      question: {
        ...question,
        choiceQuestion: {
          ...choice,
          options: choice.options.map(({ goToSectionId: _, ...o }) => o),
        },
      },
    },
  };
}

/**
 * Requests that turn `existing` into `desired` (both in form order), keyed by item id: items no
 * longer wanted (or whose kind changed) are deleted, the rest moved into place and updated
 * where they differ, new ones created. Nothing when the form already matches.
 *
 * Google does not say whether a batch is validated as a whole or request by request, so the
 * requests hold up under the stricter reading (the emulator's): at every step each
 * goToSectionId names a section already in the form. A question whose branching changes
 * ("Who is updating?", when owners come and go) first loses its branching, the sections are
 * deleted, created and moved, and the branching is set last — all in the one atomic batch, so
 * no respondent ever sees the form half-built, and the Forms write quota pays one call.
 */
export function formRequests(existing: Item[], desired: Item[]): Request[] {
  const before = new Map(existing.map((e) => [e.itemId ?? '', e]));
  const rerouted = new Set(
    [...existing, ...desired]
      .filter(
        (i) =>
          targetsOf(i) !== '' &&
          targetsOf(before.get(i.itemId ?? '')) !== targetsOf(desired.find((d) => d.itemId === i.itemId)),
      )
      .map((i) => i.itemId ?? ''),
  );
  const requests: Request[] = [];
  const current = existing.map((e) => e);
  // 1. Branching that is about to change goes first, so no section it names is deleted under it.
  current.forEach((e, index) => {
    if (!rerouted.has(e.itemId ?? '') || targetsOf(e) === '') return;
    const plain = withoutTargets(e);
    requests.push({ updateItem: { item: plain, location: { index }, updateMask: '*' } });
    current[index] = plain;
  });
  // 2. The items, with that branching left out.
  const target = desired.map((d) => (rerouted.has(d.itemId ?? '') ? withoutTargets(d) : d));
  const wanted = new Map(target.map((d) => [d.itemId!, d]));
  for (let i = current.length - 1; i >= 0; i--) {
    const e = current[i]!;
    const d = wanted.get(e.itemId ?? '');
    if (!d || kindOf(d) !== kindOf(e)) {
      requests.push({ deleteItem: { location: { index: i } } });
      current.splice(i, 1);
    }
  }
  target.forEach((d, index) => {
    const at = current.findIndex((e) => e.itemId === d.itemId);
    if (at < 0) {
      requests.push({ createItem: { item: d, location: { index } } });
      current.splice(index, 0, d);
      return;
    }
    if (at !== index) {
      requests.push({ moveItem: { originalLocation: { index: at }, newLocation: { index } } });
      const [moved] = current.splice(at, 1);
      current.splice(index, 0, moved!);
    }
    if (!covers(current[index], d)) {
      requests.push({ updateItem: { item: d, location: { index }, updateMask: '*' } });
      current[index] = d;
    }
  });
  // 3. The branching, now that every section it names is in the form.
  desired.forEach((d, index) => {
    if (rerouted.has(d.itemId ?? '') && targetsOf(d) !== '') {
      requests.push({ updateItem: { item: d, location: { index }, updateMask: '*' } });
    }
  });
  return requests;
}

// ---------- the form itself ----------

export interface FormCalls {
  forms: forms_v1.Forms;
  calls: ApiCalls;
}

export interface FormState {
  formId: string;
  responderUri: string;
  revisionId?: string;
  items: Item[];
  published: boolean;
  accepting: boolean;
  verified: boolean;
  title: string;
  description: string;
}

export async function readForm(f: FormCalls, formId: string): Promise<FormState> {
  const got = await f.calls.read('forms.get', () => f.forms.forms.get({ formId }));
  const form = got.data;
  const state = form.publishSettings?.publishState;
  return {
    formId,
    responderUri: form.responderUri ?? '',
    ...(form.revisionId ? { revisionId: form.revisionId } : {}),
    items: form.items ?? [],
    // A form made before publish settings existed has none and is published.
    published: state ? state.isPublished === true : true,
    accepting: state ? state.isAcceptingResponses === true : true,
    verified: form.settings?.emailCollectionType === 'VERIFIED',
    title: form.info?.title ?? '',
    description: form.info?.description ?? '',
  };
}

/** Creates the form, unpublished, with only its title (all `create` keeps). */
export async function createForm(f: FormCalls, title: string, documentTitle: string): Promise<string> {
  const made = await f.calls.once('forms.create', () =>
    f.forms.forms.create({ unpublished: true, requestBody: { info: { title, documentTitle } } }),
  );
  return made.data.formId!;
}

/**
 * Brings the form to the spec: info, verified email collection and items in one batchUpdate
 * (atomic), then publishes it and opens it to responses. Returns how many requests were sent.
 */
export async function applyFormSpec(f: FormCalls, form: FormState, spec: FormSpec): Promise<number> {
  let state = form;
  let sent = 0;
  for (let attempt = 1; ; attempt++) {
    const requests: Request[] = [];
    // The description says the deadline and that an answer after the pack is built is marked
    // late: the Forms API has no confirmation message to say it after a submit (FormSettings
    // holds only emailCollectionType and quizSettings, REST reference "forms", FormSettings).
    if (state.title !== spec.title || state.description !== spec.description) {
      requests.push({
        updateFormInfo: {
          info: { title: spec.title, description: spec.description },
          updateMask: 'title,description',
        },
      });
    }
    if (!state.verified) {
      requests.push({
        updateSettings: { settings: { emailCollectionType: 'VERIFIED' }, updateMask: 'emailCollectionType' },
      });
    }
    requests.push(...formRequests(state.items, formItems(spec)));
    if (!requests.length) break;
    try {
      // Repeating this call is safe: it is guarded by the revision it was computed from.
      await f.calls.write('forms.batchUpdate', () =>
        f.forms.forms.batchUpdate({
          formId: state.formId,
          requestBody: {
            requests,
            ...(state.revisionId ? { writeControl: { requiredRevisionId: state.revisionId } } : {}),
          },
        }),
      );
      sent = requests.length;
      break;
    } catch (error) {
      // Someone changed the form since it was read (or our own write went through and its answer
      // was lost): read it again and send only what still differs.
      if (attempt >= 3) throw error;
      state = await readForm(f, state.formId);
    }
  }
  if (!state.published || !state.accepting) {
    await f.calls.write('forms.setPublishSettings', () =>
      f.forms.forms.setPublishSettings({
        formId: state.formId,
        requestBody: {
          publishSettings: { publishState: { isPublished: true, isAcceptingResponses: true } },
          updateMask: 'publishState',
        },
      }),
    );
  }
  return sent;
}

// ---------- responders ----------

/**
 * Shares the form with exactly `emails` as responders, through Drive permissions ("Publish and
 * manage responders on the form": "Share your form with more responders" — permissions.create
 * with role reader and view published; "Remove responders from your form" — permissions.delete;
 * Forms API release notes, April 08, 2025: "use the Drive API to have granular control over who
 * can respond to forms"). One list call, then one call per person added or removed: Drive has
 * no batch for permissions in this client, so a team change costs a call per person changed,
 * like the emails. Returns who was added and removed.
 */
export async function shareWithResponders(
  d: { drive: drive_v3.Drive; calls: FormCalls['calls'] },
  formId: string,
  emails: string[],
): Promise<{ added: string[]; removed: string[] }> {
  const list = async () =>
    (
      await d.calls.read('drive.permissions.list', () =>
        d.drive.permissions.list({ fileId: formId, fields: 'permissions(id,type,role,emailAddress,view)' }),
      )
    ).data.permissions ?? [];
  const current = (await list()).filter(
    (p) => p.view === 'published' && p.type === 'user' && p.role === 'reader',
  );
  const granted = new Set(current.map((p) => (p.emailAddress ?? '').toLowerCase()));
  const wanted = new Set(emails.map((e) => e.toLowerCase()));
  const added: string[] = [];
  for (const email of [...wanted].filter((e) => !granted.has(e))) {
    // A second create of the same permission changes nothing: safe to repeat.
    await d.calls.write(`drive.permissions.create ${email}`, () =>
      d.drive.permissions.create({
        fileId: formId,
        sendNotificationEmail: false,
        requestBody: { type: 'user', role: 'reader', view: 'published', emailAddress: email },
      }),
    );
    added.push(email);
  }
  const removed: string[] = [];
  for (const p of current.filter((x) => !wanted.has((x.emailAddress ?? '').toLowerCase()))) {
    await d.calls.write(`drive.permissions.delete ${p.emailAddress}`, () =>
      d.drive.permissions.delete({ fileId: formId, permissionId: p.id! }),
    );
    removed.push((p.emailAddress ?? '').toLowerCase());
  }
  return { added, removed };
}

// ---------- responses ----------

export interface FormResponses {
  submissions: RawSubmission[];
  /** The newest submit time seen (the next watermark), or the old one when there was none. */
  watermark?: string;
  read: number;
}

/** Form answers as every runtime normalises them: question id → the answer texts. */
export function normaliseResponse(r: forms_v1.Schema$FormResponse): FormResponseInput {
  const answers: Record<string, string[]> = {};
  for (const [id, a] of Object.entries(r.answers ?? {})) {
    answers[a.questionId ?? id] = (a.textAnswers?.answers ?? []).map((x) => x.value ?? '');
  }
  return {
    responseId: r.responseId ?? '',
    submittedAt: r.lastSubmittedTime ?? r.createTime ?? '',
    email: (r.respondentEmail ?? '').toLowerCase(),
    answers,
  };
}

/**
 * Responses submitted since the watermark (less the overlap), every page, as submissions.
 * A response seen twice is harmless: ingestion applies a response id + submit time once.
 */
export async function readResponses(
  f: FormCalls,
  formId: string,
  register: Register,
  watermark: string | undefined,
): Promise<FormResponses> {
  const since = watermark ? Date.parse(watermark) : Number.NaN;
  const filter = Number.isFinite(since)
    ? `timestamp >= ${new Date(since - WATERMARK_OVERLAP_MS).toISOString()}`
    : undefined;
  const all: forms_v1.Schema$FormResponse[] = [];
  let pageToken: string | undefined;
  do {
    const token = pageToken;
    const page = await f.calls.read('forms.responses.list', () =>
      f.forms.forms.responses.list({
        formId,
        ...(filter ? { filter } : {}),
        pageSize: 5000,
        ...(token ? { pageToken: token } : {}),
      }),
    );
    all.push(...(page.data.responses ?? []));
    pageToken = page.data.nextPageToken ?? undefined;
  } while (pageToken);
  // Dedupe by response (id and respondent, the core's `responseKey`), keeping the latest submit.
  const latest = new Map<string, FormResponseInput>();
  for (const r of all.map(normaliseResponse)) {
    const key = responseKey(r.responseId, r.email);
    const seen = latest.get(key);
    if (!seen || Date.parse(r.submittedAt) > Date.parse(seen.submittedAt)) latest.set(key, r);
  }
  const ordered = [...latest.values()].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  const newest = ordered.reduce<string | undefined>(
    (max, r) => (max === undefined || Date.parse(r.submittedAt) > Date.parse(max) ? r.submittedAt : max),
    watermark,
  );
  const read = formResponseReader(register);
  return {
    submissions: ordered.map((r) => ({ where: `form response ${r.responseId}`, value: read(r) })),
    ...(newest ? { watermark: newest } : {}),
    read: ordered.length,
  };
}
