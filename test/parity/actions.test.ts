/**
 * Actions that come back (issue 12 §3), over two meetings on each runtime — the local backend,
 * the Node job on the Workspace emulator, the Apps Script bundle on the fakes: a decision recorded
 * at the 3 Dec meeting becomes a tracked action at its wrap-up (once, however often wrap-up runs),
 * appears with its status in the pack of the 10 Dec meeting, and — marked Make milestone — becomes
 * a milestone in the register at the next sync, its ID written back on the action.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABS } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import type { Snapshot } from '../../src/core/types';
import { parseComments } from '../../src/core/updates';
import { initWorkspace } from '../../src/local/init';
import { tempDir } from '../cli/helpers';
import { appsScriptRuntime, googleRuntime, localRuntime, type Runtime, T } from './runtimes';

const MARCUS = 'marcus.hall@northwind.example';
const ACTION = 'Parity: agree the metering granularity with finance';
/** The pack of the next meeting (Thu 10 Dec), built the afternoon before. */
const NEXT_PACK = '2026-12-09T16:00:00Z';

const register = (s: Snapshot) => readRegister(s).register;

/** A pack's line about an action, as its reader sees it (Markdown marks and bullets removed). */
function lineAbout(text: string, id: string): string {
  const line = text.split('\n').find((l) => l.includes(id)) ?? '';
  return line
    .replace(/\*/g, '')
    .replace(/^[\s\-•●]+/, '')
    .trim();
}

async function twoMeetings(rt: Runtime): Promise<Record<string, unknown>> {
  // Meeting 1 (3 Dec): the pack ranks the topics; the manager records a decision on the first.
  await rt.pack(T.pack);
  const first = register(await rt.snapshot()).topics.find((t) => t.meeting === '2026-12-03' && t.rank === 1)!;
  const key = { header: 'Topic ID', value: first.topicId };
  await rt.setCell('Topics', key, 'Outcome', 'Resolved');
  await rt.setCell('Topics', key, 'Decision / action', ACTION);
  await rt.setCell('Topics', key, 'Action owner', MARCUS);
  await rt.setCell('Topics', key, 'Action due', { date: '2026-12-15' });
  await rt.wrapUp(T.wrapUp);
  await rt.wrapUp(new Date(Date.parse(T.wrapUp) + 3600_000).toISOString());
  const tracked = register(await rt.snapshot()).actions.map((a) => ({
    id: a.id,
    action: a.action,
    owner: a.ownerEmail,
    due: a.due,
    status: a.status,
    meeting: a.meeting,
    fromTopic: a.topicId === first.topicId,
  }));
  // Between meetings: the manager asks for a milestone to be made of it.
  const id = tracked[0]?.id ?? 'A-0001';
  await rt.setCell('Actions', { header: 'ID', value: id }, 'Make milestone', 'yes');
  // Meeting 2 (10 Dec): the sync of its pack makes the milestone; the pack reports the action.
  await rt.pack(NEXT_PACK);
  const after = register(await rt.snapshot());
  const action = after.actions.find((a) => a.id === id);
  const made = after.milestones.find((m) => m.id === action?.createdMilestone);
  const topicMilestone = after.milestones.find((m) => m.id === first.milestone.split(/[,\s]+/)[0]);
  const text = await rt.packText('2026-12-10');
  return {
    tracked,
    createdMilestone: action?.createdMilestone,
    milestone: made && {
      title: made.title,
      owner: made.owner,
      due: made.due,
      status: made.status,
      priority: made.priority,
      sameAsTopic: made.priority === (topicMilestone?.priority ?? ''),
    },
    packHasSection: text.includes('Actions from last meeting'),
    packLine: lineAbout(text, id),
  };
}

let template: string;
beforeAll(async () => {
  template = tempDir('parity-actions');
  await initWorkspace(template, { sample: true });
});
afterAll(() => fs.rmSync(template, { recursive: true, force: true }));

const RUNTIMES: [string, () => Promise<Runtime>][] = [
  ['local', () => localRuntime()],
  ['google', () => googleRuntime(template)],
  ['apps script', () => appsScriptRuntime()],
];

/** A register made before the Actions tab: its first wrap-up adds the tab, then the action. */
async function withoutTheTab(rt: Runtime): Promise<Record<string, unknown>> {
  await rt.dropTab('Actions');
  await rt.pack(T.pack);
  const before = await rt.snapshot();
  const first = register(before).topics.find((t) => t.meeting === '2026-12-03' && t.rank === 1)!;
  const key = { header: 'Topic ID', value: first.topicId };
  await rt.setCell('Topics', key, 'Decision / action', ACTION);
  await rt.wrapUp(T.wrapUp);
  const after = await rt.snapshot();
  const tab = after.tables.find((t) => t.name === 'Actions');
  return {
    hadTab: before.tables.some((t) => t.name === 'Actions'),
    headers: tab?.headers.filter(Boolean),
    actions: register(after).actions.map((a) => [a.id, a.action, a.owner, a.status]),
    held: register(after).meetings.find((m) => m.date === '2026-12-03')?.status,
  };
}

describe('a register made before the Actions tab', () => {
  it.each(RUNTIMES)('on %s: the first wrap-up adds the tab and tracks the action', async (_name, start) => {
    const rt = await start();
    try {
      expect(await withoutTheTab(rt)).toEqual({
        hadTab: false,
        headers: TABS.find((t) => t.name === 'Actions')!.columns.map((c) => c.header),
        actions: [['A-0001', ACTION, '', 'Open']],
        held: 'Held',
      });
    } finally {
      await rt.close();
    }
  });
});

describe('actions that come back, over two meetings', () => {
  const seen = new Map<string, Record<string, unknown>>();
  it.each(RUNTIMES)('on %s', async (name, start) => {
    const rt = await start();
    try {
      const observed = await twoMeetings(rt);
      // Wrap-up tracked the decision once, with its owner, date and meeting.
      expect(observed.tracked).toEqual([
        {
          id: 'A-0001',
          action: ACTION,
          owner: MARCUS,
          due: '2026-12-15',
          status: 'Open',
          meeting: '2026-12-03',
          fromTopic: true,
        },
      ]);
      // The next sync made the milestone and wrote its ID back on the action.
      expect(observed.createdMilestone).toMatch(/^M-\d{4}$/);
      expect(observed.milestone).toEqual({
        title: ACTION,
        owner: MARCUS,
        due: '2026-12-15',
        status: 'On track',
        priority: expect.any(String),
        sameAsTopic: true,
      });
      // The pack of the next meeting reports it with its status.
      expect(observed.packHasSection).toBe(true);
      expect(observed.packLine).toBe(
        `A-0001 ${ACTION} — Marcus Hall, due 15 Dec: Open → milestone ${observed.createdMilestone}`,
      );
      seen.set(name, observed);
    } finally {
      await rt.close();
    }
  });
  it('gives the same observation on all three runtimes', () => {
    expect(seen.size, 'every runtime ran').toBe(3);
    expect(seen.get('google')).toEqual(seen.get('local'));
    expect(seen.get('apps script')).toEqual(seen.get('local'));
  });
});

// ---------- the owner answers on their action in the next update ----------

/** Meeting 2 (Thu 10 Dec): its update requests go out on Monday 7 Dec. */
const NEXT_REQUEST = '2026-12-07T10:00:00Z';
const ANSWERED = '2026-12-08T09:00:00Z';
const SYNCED = '2026-12-09T08:00:00Z';
const NOTE = 'Agreed with finance: metered per seat, daily';

/**
 * An action recorded at meeting 1 is asked about in its owner's update for meeting 2 (the form as
 * each runtime builds it), the owner answers Done with a note through that form, and two syncs
 * later the Actions tab holds Done, once.
 */
async function askedThenDone(rt: Runtime): Promise<Record<string, unknown>> {
  await rt.pack(T.pack);
  const first = register(await rt.snapshot()).topics.find((t) => t.meeting === '2026-12-03' && t.rank === 1)!;
  const key = { header: 'Topic ID', value: first.topicId };
  await rt.setCell('Topics', key, 'Outcome', 'Resolved');
  await rt.setCell('Topics', key, 'Decision / action', ACTION);
  await rt.setCell('Topics', key, 'Action owner', MARCUS);
  await rt.setCell('Topics', key, 'Action due', { date: '2026-12-15' });
  await rt.wrapUp(T.wrapUp);
  // Someone types a status the register cannot read on one of Marcus's milestones.
  await rt.setCell('Milestones', { header: 'ID', value: 'M-0011' }, 'Status', 'Late-ish');
  await rt.request(NEXT_REQUEST);
  const asked = await rt.actionQuestions(MARCUS, NEXT_REQUEST);
  const statuses = await rt.prefilledStatuses(MARCUS, NEXT_REQUEST);
  await rt.answer({
    responseId: 'marcus-actions',
    submittedAt: ANSWERED,
    email: MARCUS,
    actions: { 'A-0001': 'Done' },
    actionNotes: { 'A-0001': NOTE },
  });
  await rt.sync(SYNCED);
  await rt.sync(new Date(Date.parse(SYNCED) + 3600_000).toISOString());
  const after = register(await rt.snapshot());
  return {
    asked,
    statuses,
    actions: after.actions.map((a) => [a.id, a.status]),
    changes: after.changes
      .filter((c) => c.milestone === 'A-0001')
      .map((c) => [c.field, c.from, c.to, c.by, c.source]),
    notes: after.updates
      .filter((u) => u.email === MARCUS && u.comments.includes('A-0001'))
      .map((u) => [parseComments(u.comments).get('A-0001'), u.result]),
  };
}

describe("an action in its owner's next update, on every runtime", () => {
  const seen = new Map<string, Record<string, unknown>>();
  it.each(RUNTIMES)(
    'on %s: asked in the form, answered Done, Done in the Actions tab once',
    async (name, start) => {
      const rt = await start();
      try {
        const observed = await askedThenDone(rt);
        expect(observed.asked).toEqual([
          { title: `A-0001 · ${ACTION} (due Tue 15 Dec 2026)`, options: ['Open', 'Done'], chosen: 'Open' },
        ]);
        // M-0011's Status cannot be read: nothing is chosen for it (the others as they stand).
        expect(observed.statuses).toEqual(['Might miss', 'On track', 'On track']);
        expect(observed.actions).toEqual([['A-0001', 'Done']]);
        expect(observed.changes).toEqual([['Action status', 'Open', 'Done', MARCUS, 'form']]);
        expect(observed.notes).toEqual([[NOTE, 'Applied: 1 change']]);
        seen.set(name, observed);
      } finally {
        await rt.close();
      }
    },
  );
  it('gives the same observation on all three runtimes', () => {
    expect(seen.size, 'every runtime ran').toBe(3);
    expect(seen.get('google')).toEqual(seen.get('local'));
    expect(seen.get('apps script')).toEqual(seen.get('local'));
  });
});
