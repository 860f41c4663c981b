import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answersOfPrefilledUrl,
  answersOfSubmission,
  formItemIds,
  formSpec,
  NO_HELP,
  noChangeAnswers,
  prefillAnswers,
  prefilledUrl,
  submissionOfFormResponse,
} from '../../src/core/form';
import { readRegister } from '../../src/core/register';
import { meetingTimes, upcomingMeeting } from '../../src/core/schedule';
import { ingest } from '../../src/core/updates';
import { milestone, raw, register } from './builders';

const NOW = '2026-12-01T12:00:00Z';
const records = {
  Milestones: [
    milestone('M-0001', 'ann@example.com', '2026-12-20'),
    milestone('M-0002', 'bob@example.com', '2026-12-20', { Status: 'Might miss', Forecast: '2027-01-10' }),
    milestone('M-0003', 'ann@example.com', '2026-12-20', { Status: 'Done' }),
    milestone('M-0004', 'ann@example.com', '2027-01-20'),
  ],
};

function setup(extra = records) {
  const { register: r } = readRegister(register(extra));
  const meeting = upcomingMeeting(r, NOW)!;
  return { r, meeting, spec: formSpec(r, meeting) };
}

describe('form ids', () => {
  it('are 8 hex digits in Forms range, distinct, and depend only on the set of keys', () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `q:status:M-${String(i).padStart(5, '0')}`);
    const ids = formItemIds(keys);
    const values = [...ids.values()];
    expect(new Set(values).size).toBe(keys.length);
    for (const id of values.slice(0, 1000)) {
      expect(id).toMatch(/^[0-7][0-9a-f]{7}$/);
    }
    const shuffled = formItemIds([...keys].reverse());
    expect([...shuffled.entries()].sort()).toEqual([...ids.entries()].sort());
  });

  it('keep a milestone question id from week to week and when milestones are added', () => {
    const a = setup().spec;
    const more = setup({
      Milestones: [...records.Milestones, milestone('M-0005', 'bob@example.com', '2027-02-01')],
    }).spec;
    const ann = (s: typeof a) => s.sections.find((x) => x.owner === 'ann@example.com')!;
    expect(ann(more).milestones.map((m) => m.statusQuestionId)).toEqual(
      ann(a).milestones.map((m) => m.statusQuestionId),
    );
    expect(more.who.questionId).toBe(a.who.questionId);
  });
});

describe('formSpec', () => {
  it('has "Who is updating?" branching to one section per owner, with only their open milestones', () => {
    const { spec } = setup();
    expect(spec.who.options.map((o) => o.value)).toEqual([
      'Ann Lee (ann@example.com)',
      'Bob Ray (bob@example.com)',
    ]);
    for (const o of spec.who.options) {
      expect(spec.sections.find((s) => s.owner === o.email)!.itemId).toBe(o.sectionId);
    }
    const ann = spec.sections[0]!;
    expect(ann.milestones.map((m) => m.milestone)).toEqual(['M-0001', 'M-0004']);
    expect(ann.grid!.columns).toEqual(['On track', 'Might miss', 'Missed', 'Done']);
    expect(ann.helpFrom.options[0]).toBe(NO_HELP);
    expect(ann.helpFrom.options).toEqual(expect.arrayContaining(['Product', 'Engineering', 'Bob Ray']));
    expect(spec.title).toContain('3 Dec 2026');
    const all = [
      spec.who.itemId,
      spec.who.questionId,
      ...spec.sections.flatMap((s) => [
        s.itemId,
        s.grid?.itemId ?? '',
        ...s.milestones.flatMap((m) => [
          m.statusQuestionId,
          m.forecast.itemId,
          m.forecast.questionId,
          m.comment.itemId,
          m.comment.questionId,
        ]),
        ...[s.wins, s.learnings, s.helpNeeded, s.helpFrom].flatMap((q) => [q.itemId, q.questionId]),
      ]),
    ].filter(Boolean);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('pre-filled links', () => {
  it("carry who is updating, each open milestone's status and forecast, as entry.<decimal id>", () => {
    const { r, spec } = setup();
    const answers = prefillAnswers(spec, r, 'bob@example.com');
    const url = prefilledUrl('https://docs.google.com/forms/d/e/RESP/viewform', answers);
    expect(url.startsWith('https://docs.google.com/forms/d/e/RESP/viewform?usp=pp_url&entry.')).toBe(true);
    expect(url).toContain(
      `entry.${Number.parseInt(spec.who.questionId, 16)}=Bob%20Ray%20(bob%40example.com)`,
    );
    const bob = spec.sections.find((s) => s.owner === 'bob@example.com')!;
    expect(answersOfPrefilledUrl(url)).toEqual({
      [spec.who.questionId]: 'Bob Ray (bob@example.com)',
      [bob.milestones[0]!.statusQuestionId]: 'Might miss',
      [bob.milestones[0]!.forecast.questionId]: '2027-01-10',
      [bob.helpFrom.questionId]: NO_HELP,
    });
  });
});

describe('responses', () => {
  it('are read by question id: titles and order do not matter', () => {
    const { r, spec } = setup();
    const ann = spec.sections[0]!;
    const sub = submissionOfFormResponse(r, {
      responseId: 'R1',
      submittedAt: '2026-12-01T09:00:00Z',
      email: 'ann@example.com',
      answers: {
        [ann.helpFrom.questionId]: ['Engineering'],
        [ann.milestones[1]!.forecast.questionId]: ['2027-02-01'],
        [ann.milestones[0]!.statusQuestionId]: ['Might miss'],
        [ann.wins.questionId]: ['=HYPERLINK("x")'],
        [spec.who.questionId]: ['Ann Lee (ann@example.com)'],
        ffffffff: ['an answer to a question we never made'],
      },
    });
    expect(sub).toEqual({
      responseId: 'R1',
      submittedAt: '2026-12-01T09:00:00Z',
      email: 'ann@example.com',
      onBehalfOf: 'ann@example.com',
      statuses: { 'M-0001': 'Might miss' },
      forecasts: { 'M-0004': '2027-02-01' },
      comments: {},
      wins: '=HYPERLINK("x")',
      learnings: '',
      helpNeeded: '',
      helpFrom: 'Engineering',
    });
  });

  it('answersOfSubmission and submissionOfFormResponse are inverse for what a section can carry', () => {
    const { r, spec } = setup();
    const text = fc.string({ maxLength: 30 }).filter((s) => s.trim() === s && s !== NO_HELP);
    fc.assert(
      fc.property(
        fc.constantFrom('On track', 'Might miss', 'Missed', 'Done'),
        fc.constantFrom('', '2027-03-01'),
        text,
        text,
        fc.constantFrom('', 'Product', 'Bob Ray', 'someone outside'),
        (status, forecast, comment, wins, helpFrom) => {
          const line = {
            email: 'dan@example.com',
            statuses: { 'M-0004': status } as Record<string, string>,
            forecasts: (forecast ? { 'M-0004': forecast } : {}) as Record<string, string>,
            comments: (comment ? { 'M-0004': comment } : {}) as Record<string, string>,
            wins,
            learnings: '',
            helpNeeded: '',
            helpFrom,
          };
          const answers = answersOfSubmission(spec, r, line);
          const back = submissionOfFormResponse(r, {
            responseId: 'X',
            submittedAt: NOW,
            email: 'dan@example.com',
            answers,
          });
          // Dan is Ann's delegate: the line updates Ann's milestone, so he chose Ann.
          expect(back.onBehalfOf).toBe('ann@example.com');
          expect(back.statuses).toEqual(line.statuses);
          expect(back.forecasts).toEqual(line.forecasts);
          expect(back.comments).toEqual(line.comments);
          expect(back.wins).toBe(wins);
          expect(back.helpFrom).toBe(helpFrom);
        },
      ),
    );
  });
});

describe('"Who is updating?" is checked against the verified respondent', () => {
  const { r, spec } = setup();
  const ann = spec.sections[0]!;
  const response = (email: string, who: string) => ({
    responseId: `R-${email}-${who}`,
    submittedAt: '2026-12-01T09:00:00Z',
    email,
    answers: {
      [spec.who.questionId]: [who],
      [ann.milestones[0]!.statusQuestionId]: ['Missed'],
      [ann.wins.questionId]: ['shipped'],
    },
  });
  const sync = (email: string, who: string) =>
    ingest(r, [{ where: 'form response R', value: submissionOfFormResponse(r, response(email, who)) }], NOW);

  it('the owner, or their delegate, may update', () => {
    expect(
      sync('ann@example.com', 'Ann Lee (ann@example.com)').applied.filter((a) => a.source === 'form'),
    ).toHaveLength(1);
    expect(
      sync('dan@example.com', 'Ann Lee (ann@example.com)').applied.filter((a) => a.source === 'form'),
    ).toHaveLength(1);
  });

  it('anyone else choosing the owner changes nothing, and the Updates row says why', () => {
    const res = sync('bob@example.com', 'Ann Lee (ann@example.com)');
    expect(res.applied.filter((a) => a.source === 'form')).toEqual([]);
    expect(res.rejected[0]!.reason).toBe(
      'bob@example.com may not update for Ann Lee (ann@example.com): only they or their delegate (dan@example.com) may',
    );
    const row = res.appends.find((a) => a.tab === 'Updates')!;
    expect(String(row.values.Result)).toMatch(/^Rejected/);
  });

  it('naming someone not on the Team tab is rejected', () => {
    const res = sync('ann@example.com', 'Zed (zed@example.com)');
    expect(res.applied.filter((a) => a.source === 'form')).toEqual([]);
    expect(res.rejected[0]!.reason).toContain('zed@example.com, who is not on the Team tab');
  });

  it('an owner choosing themselves cannot reach another owner’s milestone', () => {
    const bobRow = spec.sections.find((s) => s.owner === 'bob@example.com')!.milestones[0]!;
    const value = submissionOfFormResponse(r, {
      responseId: 'R9',
      submittedAt: '2026-12-01T09:00:00Z',
      email: 'ann@example.com',
      answers: { [spec.who.questionId]: ['Ann Lee (ann@example.com)'], [bobRow.statusQuestionId]: ['Done'] },
    });
    const res = ingest(r, raw(value), NOW);
    expect(res.applied.filter((a) => a.source === 'form')).toEqual([]);
    expect(res.rejected[0]!.reason).toContain('only the owner (bob@example.com)');
  });
});

describe('the form of issue 13', () => {
  it('says when answers are due, and that an answer after the pack is built is marked late', () => {
    const { r, meeting, spec } = setup();
    const times = meetingTimes(meeting, r.settings);
    expect(spec.deadline).toBe(times.deadline);
    expect(spec.packAt).toBe(times.pack);
    expect(spec.description).toContain('due by Wed 2 Dec 2026 10:00');
    expect(spec.description).toContain('marked late');
    expect(spec.confirmation).toContain('marked late');
  });

  it('offers each owner a "no change this week" that reads as a no-change answer for them', () => {
    const { r, spec } = setup();
    expect(spec.who.noChange.map((o) => o.value)).toEqual([
      'Ann Lee (ann@example.com) — no change this week',
      'Bob Ray (bob@example.com) — no change this week',
    ]);
    const answers = answersOfSubmission(spec, r, { email: 'ann@example.com', noChange: true });
    expect(answers).toEqual({
      [spec.who.questionId]: [noChangeAnswers(spec, 'ann@example.com')[spec.who.questionId]],
    });
    const sub = submissionOfFormResponse(r, {
      responseId: 'R1',
      submittedAt: NOW,
      email: 'ann@example.com',
      answers: answers,
    });
    expect(sub).toMatchObject({ onBehalfOf: 'ann@example.com', noChange: true, statuses: {} });
    expect(ingest(r, [{ where: 'form', value: sub }], NOW).records.at(-1)!.row).toMatchObject({
      result: 'Applied: no change this week',
      milestones: ['M-0001', 'M-0004'],
    });
  });

  it('has a "raise a topic" question in every section, read back as the raised topic', () => {
    const { r, spec } = setup();
    for (const s of spec.sections) expect(s.topic.title).toBe('Raise a topic for the meeting');
    const answers = answersOfSubmission(spec, r, { email: 'bob@example.com', raisedTopic: 'Budget for Q1' });
    const sub = submissionOfFormResponse(r, {
      responseId: 'R2',
      submittedAt: NOW,
      email: 'bob@example.com',
      answers,
    });
    expect(sub.raisedTopic).toBe('Budget for Q1');
  });
});
