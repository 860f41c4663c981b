/**
 * The real Apps Script bundle (appsscript/Code.js, built by `npm run build:gas`, which
 * `npm test` runs first) in node:vm with only the Apps Script fakes as globals, driven through
 * its entry points exactly as Apps Script calls them: the menu, the form-submit trigger, the
 * time-driven schedule, onEdit events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DocsState } from '../../emulator/docs';
import { loadBundle } from '../../gas-fakes/load';
import { planPack } from '../../src/core/cycle';
import type { Document } from '../../src/core/document';
import { formSpec } from '../../src/core/form';
import { readRegister } from '../../src/core/register';
import { docsBatches, renderDocsSteps } from '../../src/core/render-docs';
import { meetingTimes, upcomingMeeting } from '../../src/core/schedule';
import type { Snapshot, Table } from '../../src/core/types';
import { initWorkspace } from '../../src/local/init';
import { parseResponses } from '../../src/local/responses';
import { readWorkbook } from '../../src/local/workbook';
import { milepost, sampleResponses, tempDir } from '../cli/helpers';
import {
  BUNDLE,
  newWorld as newSampleWorld,
  registerOf,
  respondAll,
  run,
  sampleSnapshot,
  snapshotOf,
  T,
} from './week';

let local: Snapshot;
let template: Snapshot;
let localPack: Document;
let localEmails: string[];

beforeAll(async () => {
  expect(fs.existsSync(BUNDLE), 'appsscript/Code.js: run npm run build:gas (npm test does)').toBe(true);
  template = await sampleSnapshot();
  // The same week on the local backend, for parity.
  const ws = tempDir('gas-local');
  await initWorkspace(ws, { sample: true });
  fs.writeFileSync(path.join(ws, 'responses.jsonl'), sampleResponses());
  milepost('request', '-w', ws, '--now', T.request);
  milepost('sync', '-w', ws, '--now', T.sync);
  milepost('request', '-w', ws, '--reminders', '--now', T.reminders);
  const beforePack = (await readWorkbook(path.join(ws, 'register.xlsx'))).snapshot;
  localPack = planPack(beforePack, parseResponses(sampleResponses()).raw, T.pack, () => 'x').document!;
  milepost('pack', '-w', ws, '--now', T.pack);
  milepost('wrap-up', '-w', ws, '--now', T.wrapUp);
  local = (await readWorkbook(path.join(ws, 'register.xlsx'))).snapshot;
  localEmails = fs
    .readdirSync(path.join(ws, 'outbox'))
    .map((f) => {
      const head = fs
        .readFileSync(path.join(ws, 'outbox', f), 'utf8')
        .split(/\r?\n\r?\n/)[0]!
        .replace(/\r?\n[ \t]+/g, ' ');
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1] ?? '';
      // RFC 2047 encoded words (adjacent ones joined), as a mail client shows the subject.
      const subject = field('Subject')
        .replace(/\?=\s+=\?/g, '?==?')
        .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b64: string) =>
          Buffer.from(b64, 'base64').toString('utf8'),
        );
      return `${subject} → ${field('To').split(/,\s*/).sort().join(', ')}`;
    })
    .sort();
});

/** The sample register, seeded at setup time, service calls taking no virtual time. */
function newWorld() {
  return newSampleWorld(template);
}

describe('the Apps Script bundle in node:vm', () => {
  it('is one script of at most 300 KB with no import or export, and only Apps Script globals', () => {
    const code = fs.readFileSync(BUNDLE, 'utf8');
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(300 * 1024);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const world = newWorld();
    const fns = loadBundle(BUNDLE, world).functions();
    expect(fns).toEqual(expect.arrayContaining(['onOpen', 'onEdit', 'milepostSync', 'milepostScheduled']));
  });

  it('runs the week through its entry points: menu, setup, requests, form submits, pack, wrap-up', () => {
    const world = newWorld();
    const bundle = loadBundle(BUNDLE, world);
    bundle.call('onOpen', world.openEvent());
    expect([...world.menu('Milepost').keys()]).toEqual([
      'Set up register',
      'Send update requests',
      'Sync updates now',
      'Build meeting pack',
      'Wrap up meeting',
      'Check the register',
      'Install schedule',
      'Remove schedule',
    ]);
    run(world, 'milepostSetup', T.setup);
    expect(registerOf(world).settings.raw['Form ID']).toBeTruthy();
    // Setup's dropdowns: Owner from the Team tab's emails, a date check on Due (the core's plan).
    const sheets = [...world.spreadsheets.values()][0]!.sheets;
    const milestoneSheet = sheets.find((s) => s.name === 'Milestones')!;
    const column = (header: string) => milestoneSheet.rows[0]!.findIndex((c) => c?.v === header) + 1;
    expect(milestoneSheet.cell(2, column('Owner'))?.dv).toMatchObject({
      criteria: 'VALUE_IN_RANGE',
      range: { sheet: 'Team', a1: expect.stringMatching(/^B2:B\d+$/) },
      allowInvalid: true,
    });
    expect(milestoneSheet.cell(2, column('Due'))?.dv).toMatchObject({ criteria: 'DATE_IS_VALID_DATE' });
    run(world, 'milepostRequest', T.request);
    const requests = world.mail.sent.filter((m) => /Milestone update for/.test(m.subject));
    expect(requests.length).toBeGreaterThan(3);
    for (const m of requests) expect(m.body).toMatch(/viewform\?usp=pp_url/);
    // The owners answer; then the sync runs at the same time as the local job's.
    world.setNow(new Date(T.sync));
    respondAll(world, false);
    run(world, 'milepostSync', T.sync);
    // The form watermark is kept in Settings, as the Node job keeps it (the core's planWatermark).
    const newest = Math.max(...[...world.forms.values()].flatMap((f) => f.responses.map((r) => r.timestamp)));
    expect(registerOf(world).settings.raw['Form responses synced to']).toBe(new Date(newest).toISOString());
    expect(
      world.services.PropertiesService.getDocumentProperties().getProperty('milepost.form.watermark'),
    ).toBeNull();
    run(world, 'milepostReminders', T.reminders);
    // The pack: the same model as the local backend's, and the Doc holds exactly its rendering.
    const beforePack = snapshotOf(world);
    expect(planPack(beforePack, [], T.pack, () => 'x').document).toEqual(localPack);
    run(world, 'milepostPack', T.pack);
    run(world, 'milepostWrapUp', T.wrapUp);
    const register = registerOf(world);
    const meeting = register.meetings.find((m) => m.date === '2026-12-03')!;
    const docId = /\/document\/d\/([\w-]+)/.exec(meeting.pack)![1]!;
    const expectedDoc = new DocsState();
    const made = expectedDoc.create({ title: 'expected' }) as { documentId: string };
    for (const requests of docsBatches([], renderDocsSteps(localPack))) {
      expectedDoc.batchUpdate(made.documentId, { requests });
    }
    const text = (d: unknown) => (d as { text: string }).text;
    const gasDoc = world.docs.dump().find((d) => d.documentId === docId);
    expect(text(gasDoc)).toBe(text(expectedDoc.dump().find((d) => d.documentId === made.documentId)));
    expect(text(gasDoc)).toContain('Part 2 — Topics in priority order');
    // The emails: the same messages to the same people as the local outbox.
    const gasEmails = world.mail.sent.map((m) => `${m.subject} → ${[...m.to].sort().join(', ')}`).sort();
    expect(gasEmails).toEqual(localEmails);
    expect(meeting.status).toBe('Held');
    expect(meeting.pack).toMatch(/^https:\/\/docs\.google\.com\/document\/d\//);
    expect(world.mail.sent.filter((m) => /Meeting pack/.test(m.subject))).toHaveLength(1);
    // Parity with the local backend on the same register, responses and clock.
    const tab = (snap: { tables: Table[] }, name: string) => snap.tables.find((t) => t.name === name)!;
    const gas = { tables: world.spreadsheet.state.sheets.map((s) => s.name) };
    expect(gas.tables).toEqual(expect.arrayContaining(['Milestones', 'Changes']));
    const milestones = register.milestones.map((m) => [m.id, m.status, m.forecast ?? '']);
    const localMilestones = readRegister(local).register.milestones.map((m) => [
      m.id,
      m.status,
      m.forecast ?? '',
    ]);
    expect(milestones).toEqual(localMilestones);
    const changes = (r: ReturnType<typeof registerOf>) =>
      r.changes.map((c) => [c.when, c.milestone, c.field, c.from, c.to, c.by, c.source].join(' | ')).sort();
    // The same rows; their order differs because Apps Script syncs each response as it arrives.
    expect(changes(register)).toEqual(changes(readRegister(local).register));
    const topics = (r: ReturnType<typeof registerOf>) =>
      r.topics.map((t) => [
        t.topicId,
        t.meeting,
        t.rank,
        t.kind,
        t.topic,
        t.owner,
        t.helpFrom,
        t.score,
        t.why,
        t.deferrals,
        t.outcome,
      ]);
    expect(topics(register)).toEqual(topics(readRegister(local).register));
    const meetings = (r: ReturnType<typeof registerOf>) =>
      r.meetings.map((m) => [m.date, m.status, m.requestsSent, m.remindersSent, m.wrappedUp]);
    expect(meetings(register)).toEqual(meetings(readRegister(local).register));
    void tab;
  });

  it('builds the form of issue 13: deadline, late rule, one-click "no change", a topic question, no Dropped', () => {
    const world = newWorld();
    run(world, 'milepostSetup', T.setup);
    run(world, 'milepostRequest', T.request);
    const register = registerOf(world);
    const spec = formSpec(register, upcomingMeeting(register, T.request));
    const priya = spec.sections.find((s) => s.owner === 'priya.shah@northwind.example')!;
    const map = world.values('Milepost form').slice(1);
    const itemOf = (q: string) => Number(map.find((r) => String(r[2]).split(',').includes(q))![1]);
    const form = world.services.FormApp.openById(register.settings.raw['Form ID']!);
    expect(form.getDescription()).toContain('due by Wed 2 Dec 2026 10:00');
    // FormApp can say it once an answer is sent: the confirmation message.
    expect((form as unknown as { getConfirmationMessage(): string }).getConfirmationMessage()).toContain(
      'marked late',
    );
    const choices = form.getItemById(itemOf(spec.who.questionId))!.asMultipleChoiceItem().getChoices();
    const noChange = choices.find(
      (c) => c.getValue() === 'Priya Shah (priya.shah@northwind.example) — no change this week',
    )!;
    expect(noChange.getPageNavigationType()).toBe(world.services.FormApp.PageNavigationType.SUBMIT);
    expect(form.getItemById(itemOf(priya.topic.questionId))!.getTitle()).toBe(
      'Raise a topic for the meeting',
    );
    expect(
      form.getItemById(itemOf(priya.milestones[0]!.statusQuestionId))!.asGridItem().getColumns(),
    ).not.toContain('Dropped');

    // Priya: no change, in one choice. Tom: a topic, sent after the pack was built.
    const times = meetingTimes(register.meetings.find((m) => m.date === '2026-12-03')!, register.settings);
    world.setNow(new Date('2026-12-01T09:00:00Z'));
    world.respond(form as never, {
      email: 'priya.shah@northwind.example',
      answers: new Map<number, unknown>([[itemOf(spec.who.questionId), noChange.getValue()]]),
    });
    const tom = spec.sections.find((s) => s.owner === 'tom.becker@northwind.example')!;
    world.setNow(new Date(Date.parse(times.pack) + 60_000));
    world.respond(form as never, {
      email: 'tom.becker@northwind.example',
      answers: new Map<number, unknown>([
        [itemOf(spec.who.questionId), 'Tom Becker (tom.becker@northwind.example)'],
        [itemOf(tom.topic.questionId), 'Pricing page: who decides?'],
        [itemOf(tom.helpFrom.questionId), 'No help needed'],
      ]),
    });
    const updates = registerOf(world).updates;
    const last = (email: string) => updates.filter((u) => u.email === email).at(-1)!;
    expect(last('priya.shah@northwind.example')).toMatchObject({ result: 'Applied: no change this week' });
    expect(last('tom.becker@northwind.example')).toMatchObject({
      raisedTopic: 'Pricing page: who decides?',
      result: expect.stringMatching(/^Applied \(late\): /),
    });
  });

  it('syncs a response the moment it is submitted (the installable form-submit trigger)', () => {
    const world = newWorld();
    run(world, 'milepostSetup', T.setup);
    run(world, 'milepostRequest', T.request);
    const register = registerOf(world);
    const spec = formSpec(register, upcomingMeeting(register, T.request));
    const priya = spec.sections.find((s) => s.owner === 'priya.shah@northwind.example')!;
    const map = world.values('Milepost form').slice(1);
    const itemOf = (q: string) => Number(map.find((r) => String(r[2]).split(',').includes(q))![1]);
    const gridIds = String(
      map.find((r) => String(r[2]).split(',').includes(priya.milestones[0]!.statusQuestionId))![2],
    ).split(',');
    const grid = gridIds.map((q) => (q === priya.milestones[0]!.statusQuestionId ? 'Might miss' : ''));
    const form = world.services.FormApp.openById(register.settings.raw['Form ID']!) as never;
    world.setNow(new Date('2026-12-01T09:00:00Z'));
    const { runs } = world.respond(form, {
      email: 'priya.shah@northwind.example',
      answers: new Map<number, unknown>([
        [itemOf(spec.who.questionId), 'Priya Shah (priya.shah@northwind.example)'],
        [itemOf(priya.milestones[0]!.statusQuestionId), grid],
        [itemOf(priya.wins.questionId), '=HYPERLINK("http://evil.example")'],
        [itemOf(priya.helpFrom.questionId), 'No help needed'],
      ]),
    });
    expect(runs.map((r) => [r.trigger.handler, r.ok, r.error])).toEqual([
      ['milepostFormSubmitted', true, undefined],
    ]);
    const after = registerOf(world);
    expect(after.milestones.find((m) => m.id === priya.milestones[0]!.milestone)!.status).toBe('Might miss');
    const row = after.updates.find(
      (u) => u.email === 'priya.shah@northwind.example' && u.received.startsWith('2026-12-01'),
    )!;
    expect(row.wins).toBe('=HYPERLINK("http://evil.example")');
    // Text stays text: no formula was written anywhere.
    expect(
      world.spreadsheet.state.sheets.map((s) => s.formulas()).filter((f) => Object.keys(f).length),
    ).toEqual([]);
  });
});
