/**
 * Milepost inside the Sheet (Apps Script, V8). Every entry point Apps Script calls is a method
 * of the object this module exports; the build (scripts/build-gas.mjs) bundles it with the core
 * into appsscript/Code.js and adds one top-level function per entry point, since Apps Script
 * has no modules.
 *
 * The shells here only read and write through Apps Script's services; every decision is the
 * core's (the same plans as the Node job). Every entry point that writes takes the script lock,
 * so two triggers never interleave; work that could outlast the 6-minute limit stops at a
 * deadline and the next trigger carries on.
 */
import {
  editReads,
  formWatermark,
  highestIdNumber,
  missingTabs,
  planEdit,
  planPack,
  planRequests,
  planSettings,
  planSync,
  planValidate,
  planWrapUp,
  today,
  WATERMARK_OVERLAP_MS,
  watermarkAfter,
  withoutEmailRecords,
} from '../core/cycle';
import { DASHBOARD_NOT_OURS, dashboardFor, dashboardTabIsFree } from '../core/dashboard';
import { formResponseReader, formSpec } from '../core/form';
import { readRegister } from '../core/register';
import { dueSteps, upcomingMeeting } from '../core/schedule';
import type { Plan, RawSubmission, Snapshot } from '../core/types';
import { writeDashboard } from './dashboard';
import { createDocument, docIdOf, docUrl, writeDocument } from './docs';
import { buildForm, prefilledLinks, readFormMap, responseInput } from './form';
import { type MailResult, pruneSendLog, sendEmails, wasSent } from './mail';
import { setupRegister } from './setup';
import { type ApplyResult, applyPlan, readSnapshot, sheetByName } from './sheet';

/** Apps Script stops a script at 6 minutes; Milepost stops itself at 4½ and resumes later. */
export const TIME_BUDGET_MS = 4.5 * 60 * 1000;
const WATERMARK = 'milepost.form.watermark';
const ID_MARK = 'milepost.ids.highest';
const SCHEDULE_FUNCTION = 'milepostScheduled';
const SUBMIT_FUNCTION = 'milepostFormSubmitted';

const MENU: [string, string][] = [
  ['Set up register', 'milepostSetup'],
  ['Send update requests', 'milepostRequest'],
  ['Sync updates now', 'milepostSync'],
  ['Build meeting pack', 'milepostPack'],
  ['Wrap up meeting', 'milepostWrapUp'],
  ['Check the register', 'milepostValidate'],
  ['Install schedule', 'milepostInstallSchedule'],
  ['Remove schedule', 'milepostRemoveSchedule'],
];

function spreadsheet(): GoogleAppsScript.Spreadsheet.Spreadsheet {
  return SpreadsheetApp.getActiveSpreadsheet();
}

function props(): GoogleAppsScript.Properties.Properties {
  return PropertiesService.getDocumentProperties();
}

function log(line: string): void {
  console.log(`Milepost: ${line}`);
}

/**
 * Runs `work` holding the script lock; another run holding it for `waitMs` (30 s) means skip this
 * one. onEdit waits less: a simple trigger has 30 s in all, and waiting them out would end it with
 * "Exceeded maximum execution time" instead of the line saying it skipped.
 */
function locked<T>(what: string, work: () => T, waitMs = 30_000): T | undefined {
  started = new Date().toISOString();
  const lock = LockService.getScriptLock();
  if (!lock.tryLock(waitMs)) {
    log(`${what}: another Milepost run holds the lock; skipped (the next trigger runs it).`);
    return undefined;
  }
  try {
    return work();
  } finally {
    lock.releaseLock();
  }
}

/** The time the execution started: one clock for the whole run (Changes, Updates, Meetings). */
let started: string | undefined;

function now(): string {
  return started ?? new Date().toISOString();
}

function settingOf(snapshot: Snapshot, key: string): string {
  return readRegister(snapshot).register.settings.raw[key]?.trim() ?? '';
}

/** The form's responses since the watermark, as raw submissions (each read once per sync). */
function formResponses(snapshot: Snapshot): { raw: RawSubmission[]; newest?: string } {
  const formId = settingOf(snapshot, 'Form ID');
  if (!formId) return { raw: [] };
  const form = FormApp.openById(formId);
  const { register } = readRegister(snapshot);
  // Settings, as every runtime keeps it; a register synced by an earlier release has it in the
  // document properties.
  const mark = formWatermark(register) ?? props().getProperty(WATERMARK) ?? undefined;
  const since = mark ? new Date(Date.parse(mark) - WATERMARK_OVERLAP_MS) : undefined;
  const responses = since ? form.getResponses(since) : form.getResponses();
  const map = readFormMap(spreadsheet(), formId);
  let newest = mark ?? undefined;
  const read = formResponseReader(register);
  const raw = responses.map((r) => {
    const input = responseInput(r, map);
    if (!newest || input.submittedAt > newest) newest = input.submittedAt;
    return { where: `form response ${input.responseId}`, value: read(input) };
  });
  return newest ? { raw, newest } : { raw };
}

/** Moves the watermark in Settings once every row of the sync went in (core: planWatermark). */
function advanceWatermark(snapshot: Snapshot, newest: string | undefined, result: ApplyResult): void {
  const moved = watermarkAfter(readRegister(snapshot).register, newest, result.conflicts);
  if (moved) apply(moved);
}

function apply(plan: Plan): ApplyResult {
  const result = applyPlan(spreadsheet(), plan);
  for (const c of result.conflicts) log(`not written: ${c.message}`);
  return result;
}

const QUOTA_NOTE = 'Milepost: the daily email quota ran out';

function reportMail(what: string, mail: MailResult): void {
  log(
    `${what}: ${mail.sent.length} sent, ${mail.skipped.length} already sent, ${mail.left.length} left for the next run.`,
  );
  const meetings = () => sheetByName(spreadsheet(), 'Meetings')?.getRange(1, 1);
  if (mail.quotaExhausted) {
    const message = `the daily email quota ran out (${MailApp.getRemainingDailyQuota()} left); ${mail.left.length} email(s) go out on a later run.`;
    log(message);
    meetings()?.setNote(`Milepost: ${message} (${now()})`);
  } else if (mail.sent.length && !mail.left.length) {
    // Once the emails it spoke of have gone out, the note would only mislead: it goes.
    const cell = meetings();
    if (cell?.getNote().startsWith(QUOTA_NOTE)) cell.setNote('');
  }
}

/**
 * IDs are never given twice: the core gives a new row the ID after the highest one the register
 * shows (Milestones, Changes, Topics), and a row deleted before anything recorded its ID takes
 * that ID out of sight. So the highest ID the Sheet ever held is kept in the document
 * properties and given to the core as the floor of new IDs (`idFloor`).
 */
function idFloor(): number {
  return Number(props().getProperty(ID_MARK)) || 0;
}

/** Records the highest ID a run has seen or given (the snapshot's, and the plan's new ones). */
function recordIds(snapshot: Snapshot, assigned: { id: string }[] = []): void {
  const highest = Math.max(
    highestIdNumber(snapshot),
    ...assigned.map((a) => Number(/\d+/.exec(a.id)?.[0] ?? 0)),
  );
  if (highest > idFloor()) props().setProperty(ID_MARK, String(highest));
}

// ---------- the phases ----------

function sync(): void {
  const { snapshot } = readSnapshot(spreadsheet());
  const responses = formResponses(snapshot);
  const outcome = planSync(snapshot, responses.raw, now(), { idFloor: idFloor() });
  recordIds(snapshot, outcome.assignedIds);
  const result = apply(outcome.plan);
  advanceWatermark(snapshot, responses.newest, result);
  log(
    `sync: ${outcome.recorded} response(s) recorded, ${outcome.applied.length} change(s), ${outcome.rejected.length} rejected.`,
  );
}

function request(reminders: boolean, deadline: number): void {
  const ss = spreadsheet();
  const { snapshot } = readSnapshot(ss);
  const first = planRequests(snapshot, now(), { reminders });
  if (!first.meeting || !first.form) {
    log('request: no planned meeting ahead.');
    return;
  }
  let formId = settingOf(snapshot, 'Form ID') || undefined;
  const built = buildForm(ss, props(), formId, first.form, deadline);
  formId = built.form.getId();
  if (!built.complete) {
    // A large team's form takes more than one run to build: no link goes out before it is whole.
    if (!settingOf(snapshot, 'Form ID'))
      apply(planSettings(readRegister(snapshot).register, { 'Form ID': formId }));
    log(
      `request: the update form is still being built; the next run finishes it and sends the ${reminders ? 'reminders' : 'requests'}.`,
    );
    return;
  }
  // Links only for the owners still to email, as time allows (half the time left, the rest for sending).
  const unsent = new Set(first.plan.emails.filter((e) => !wasSent(e, props())).flatMap((e) => e.to));
  const linkDeadline = Date.now() + (deadline - Date.now()) / 2;
  const links = prefilledLinks(
    built.form,
    first.form,
    readRegister(snapshot).register,
    readFormMap(ss, formId),
    {
      owners: unsent,
      deadline: linkDeadline,
    },
  );
  const planned = planRequests(snapshot, now(), { reminders, links });
  // An owner whose link was not made yet waits for the next run (an email is never sent without it).
  const ready = planned.plan.emails.filter((e) => wasSent(e, props()) || e.to.every((to) => links[to]));
  const outcome = { ...planned, plan: { ...planned.plan, emails: ready } };
  const mail = sendEmails(outcome.plan.emails, props(), deadline);
  mail.left.push(...planned.plan.emails.filter((e) => !ready.includes(e)).map((e) => e.key));
  reportMail(outcome.kind === 'request' ? 'requests' : 'reminders', mail);
  // Meetings records the step only once every email went out: a stopped run is finished next time
  // (the schedule sends requests only while "Requests sent" is empty).
  apply(mail.left.length ? withoutEmailRecords(outcome.plan, [outcome.column]) : outcome.plan);
  if (built.created)
    apply(
      planSettings(readRegister(readSnapshot(ss).snapshot).register, {
        'Form ID': formId,
        'Form base URL': built.form.getPublishedUrl(),
      }),
    );
  installSubmitTrigger(built.form);
}

function pack(deadline: number): void {
  const ss = spreadsheet();
  const { snapshot } = readSnapshot(ss);
  const { register } = readRegister(snapshot);
  const meeting = upcomingMeeting(register, now());
  if (!meeting) {
    log('pack: no planned meeting ahead.');
    return;
  }
  const responses = formResponses(snapshot);
  // The document is found again by its link in Meetings, or by the id recorded the moment it was
  // made: a run stopped in between never leaves a second document behind.
  const madeKey = `pack:${meeting.date}`;
  let documentId = docIdOf(meeting.pack) ?? props().getProperty(madeKey) ?? undefined;
  if (!documentId) {
    documentId = createDocument(`Milestone meeting pack ${meeting.date}`);
    props().setProperty(madeKey, documentId);
  }
  const id = documentId;
  const outcome = planPack(snapshot, responses.raw, now(), () => docUrl(id), { idFloor: idFloor() });
  recordIds(snapshot, outcome.assignedIds);
  if (outcome.document) writeDocument(id, outcome.document);
  const mail = sendEmails(outcome.plan.emails, props(), deadline);
  reportMail('pack', mail);
  const result = apply(mail.left.length ? withoutEmailRecords(outcome.plan, ['Pack']) : outcome.plan);
  advanceWatermark(snapshot, responses.newest, result);
  // Last: the Dashboard's pictures, from the register as this pack left it (dashboard.ts).
  if (outcome.meeting && !dashboardTabIsFree(snapshot)) log(`pack: ${DASHBOARD_NOT_OURS}`);
  else if (outcome.meeting) writeDashboard(ss, dashboardFor(outcome.register, outcome.meeting.date, now()));
}

function wrapUp(deadline: number, meeting?: string): void {
  let { snapshot } = readSnapshot(spreadsheet());
  let outcome = planWrapUp(snapshot, now(), meeting ? { meeting } : {});
  if (missingTabs(outcome.plan, snapshot).length) {
    // A register made before the Actions tab: the setup adds it (and only what else is
    // missing), then the wrap-up is planned again on the Sheet as it is now.
    for (const a of setupRegister(spreadsheet())) log(a);
    snapshot = readSnapshot(spreadsheet()).snapshot;
    outcome = planWrapUp(snapshot, now(), meeting ? { meeting } : {});
  }
  const mail = sendEmails(outcome.plan.emails, props(), deadline);
  reportMail('wrap-up', mail);
  apply(mail.left.length ? withoutEmailRecords(outcome.plan, []) : outcome.plan);
}

function installSubmitTrigger(form: GoogleAppsScript.Forms.Form): void {
  const exists = ScriptApp.getProjectTriggers().some(
    (t) => t.getHandlerFunction() === SUBMIT_FUNCTION && t.getTriggerSourceId() === form.getId(),
  );
  if (!exists) ScriptApp.newTrigger(SUBMIT_FUNCTION).forForm(form).onFormSubmit().create();
}

// ---------- entry points ----------

export function onOpen(): void {
  const menu = SpreadsheetApp.getUi().createMenu('Milepost');
  MENU.forEach(([caption, fn], i) => {
    if (i === 5) menu.addSeparator();
    menu.addItem(caption, fn);
  });
  menu.addToUi();
}

/**
 * How long an edit waits for another Milepost run to finish: 5 of a simple trigger's 30 s
 * (Apps Script "Simple Triggers": "They cannot run for longer than 30 seconds"). When the lock
 * stays taken the edit is left to the next sync, which gives IDs and records hand edits too —
 * nothing is lost; measured with published per-call costs in `npm run bench` (bench/gas.ts).
 */
const EDIT_LOCK_WAIT_MS = 5_000;

/** Simple trigger: IDs for new rows, notes explaining problems, hand edits recorded in Changes. */
export function onEdit(e: GoogleAppsScript.Events.SheetsOnEdit): void {
  const range = e.range;
  const sheet = range.getSheet();
  const edited = {
    tab: sheet.getName(),
    row: range.getRow(),
    column: range.getColumn(),
    numRows: range.getNumRows(),
    numColumns: range.getNumColumns(),
  };
  locked(
    'onEdit',
    () => {
      const { snapshot } = readSnapshot(spreadsheet(), editReads(edited.tab));
      const outcome = planEdit(snapshot, edited, now(), { idFloor: idFloor() });
      recordIds(snapshot, outcome.assignedIds);
      apply(outcome.plan);
      if (outcome.notes.length) {
        // One read and one write of the range's notes, whatever its size.
        const notes = range.getNotes();
        for (const n of outcome.notes) {
          const row = notes[n.row - range.getRow()];
          if (row && n.column - range.getColumn() < row.length) row[n.column - range.getColumn()] = n.note;
        }
        range.setNotes(notes);
      }
    },
    EDIT_LOCK_WAIT_MS,
  );
}

export function milepostSetup(): void {
  const setupDeadline = Date.now() + TIME_BUDGET_MS;
  locked('setup', () => {
    const ss = spreadsheet();
    for (const a of setupRegister(ss)) log(a);
    const { snapshot } = readSnapshot(ss);
    recordIds(snapshot);
    const { register } = readRegister(snapshot);
    const built = buildForm(
      ss,
      props(),
      settingOf(snapshot, 'Form ID') || undefined,
      formSpec(register, upcomingMeeting(register, now())),
      setupDeadline,
    );
    if (!built.complete)
      log(
        'setup: the update form is still being built; the next run (requests, or the schedule) finishes it.',
      );
    apply(
      planSettings(readRegister(snapshot).register, {
        'Form ID': built.form.getId(),
        'Form base URL': built.form.getPublishedUrl(),
      }),
    );
    installSubmitTrigger(built.form);
  });
}

export function milepostRequest(): void {
  const deadline = Date.now() + TIME_BUDGET_MS;
  locked('request', () => request(false, deadline));
}

export function milepostReminders(): void {
  const deadline = Date.now() + TIME_BUDGET_MS;
  locked('reminders', () => request(true, deadline));
}

export function milepostSync(): void {
  locked('sync', () => sync());
}

export function milepostPack(): void {
  const deadline = Date.now() + TIME_BUDGET_MS;
  locked('pack', () => pack(deadline));
}

export function milepostWrapUp(): void {
  const deadline = Date.now() + TIME_BUDGET_MS;
  locked('wrap-up', () => wrapUp(deadline));
}

export function milepostValidate(): void {
  const { problems } = planValidate(readSnapshot(spreadsheet()).snapshot);
  const errors = problems.filter((p) => p.severity === 'error');
  const text = problems.length
    ? problems
        .slice(0, 30)
        .map((p) => `${p.tab}${p.row ? ` row ${p.row}` : ''}${p.column ? ` ${p.column}` : ''}: ${p.message}`)
        .join('\n')
    : 'The register is complete: no problems found.';
  log(text);
  SpreadsheetApp.getUi().alert(
    `${errors.length} error(s), ${problems.length - errors.length} warning(s)\n\n${text}`,
  );
}

/** Installable form-submit trigger: that one response is ingested at once. */
export function milepostFormSubmitted(): void {
  locked('form submit', () => sync());
}

/** Time-driven trigger: whatever the schedule says is due, in order, within the time budget. */
export function milepostScheduled(): void {
  const deadline = Date.now() + TIME_BUDGET_MS;
  locked('schedule', () => {
    const ss = spreadsheet();
    const { register } = readRegister(readSnapshot(ss).snapshot);
    pruneSendLog(props(), today(register, now()));
    for (const s of dueSteps(register, now()).steps) {
      if (Date.now() >= deadline) {
        log(`schedule: out of time before ${s.step}; the next trigger runs it.`);
        break;
      }
      if (s.step === 'wrap-up') wrapUp(deadline, s.meeting);
      else if (s.step === 'request') request(s.reminders, deadline);
      else if (s.step === 'sync') sync();
      else pack(deadline);
    }
  });
}

/**
 * Installs the 15-minute schedule; installing it twice leaves one trigger. The trigger fires at
 * any hour and decides nothing: each run asks the core what is due at that instant, and requests
 * and reminders are due only in the register's working hours (schedule.ts), so a run at night
 * sends none. A fixed-hour trigger would not do: its time is not exact (Apps Script guide
 * "Installable Triggers": "The time may be slightly randomized — for example, if you create a
 * recurring 9 a.m. trigger, Apps Script chooses a time between 9 a.m. and 10 a.m."), and its
 * hour is the script's time zone, not the register's (reference "Class ClockTriggerBuilder",
 * atHour: "Runs between 5am-6am in the timezone of the script").
 */
export function milepostInstallSchedule(): void {
  locked('install schedule', () => {
    const existing = ScriptApp.getProjectTriggers().filter(
      (t) => t.getHandlerFunction() === SCHEDULE_FUNCTION,
    );
    for (const t of existing.slice(1)) ScriptApp.deleteTrigger(t);
    if (!existing.length) ScriptApp.newTrigger(SCHEDULE_FUNCTION).timeBased().everyMinutes(15).create();
    log('schedule installed: every 15 minutes.');
  });
}

export function milepostRemoveSchedule(): void {
  locked('remove schedule', () => {
    for (const t of ScriptApp.getProjectTriggers()) {
      if (t.getHandlerFunction() === SCHEDULE_FUNCTION) ScriptApp.deleteTrigger(t);
    }
    log('schedule removed.');
  });
}
