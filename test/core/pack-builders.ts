/** Small builders for pack fixtures: domain objects with sensible defaults. */
import type { PackInput } from '../../src/core/pack';
import type {
  ChangeRow,
  Health,
  Meeting,
  Milestone,
  Person,
  PriorityRow,
  Register,
  Settings,
  Status,
  Topic,
  UpdateRow,
} from '../../src/core/types';

export function settings(over: Partial<Settings> = {}): Settings {
  return {
    timeZone: 'Europe/London',
    meetingWeekday: 4,
    meetingTime: '10:00',
    cadenceWeeks: 1,
    meetingLengthMinutes: 90,
    minutesPerMemberUpdate: 5,
    minutesPerTopic: 10,
    wrapUpMinutes: 5,
    requestLeadDays: 3,
    responseDeadlineHours: 24,
    reminderHoursBeforeDeadline: 12,
    secondReminderHoursAfterDeadline: 0,
    escalateAfterMissed: 2,
    workingHours: { start: '09:00', end: '17:30' },
    workingDays: [1, 2, 3, 4, 5],
    packLeadHours: 18,
    teamEmail: '',
    processManager: 'pm@example.com',
    leader: 'lead@example.com',
    autoMiss: true,
    formBaseUrl: '',
    weights: {
      mightMiss: 50,
      missed: 40,
      dependency: 35,
      help: 30,
      raised: 25,
      stale: 10,
      priority: 10,
      dueSoon: 20,
      dueHorizonDays: 28,
      perOtherGroup: 8,
      perDeferral: 12,
    },
    raw: {},
    ...over,
  };
}

let row = 2;

export function person(name: string, group: string, over: Partial<Person> = {}): Person {
  const email = `${name.split(' ')[0]!.toLowerCase()}@example.com`;
  return { row: row++, name, email, group, role: 'member', active: true, ...over };
}

export function priority(name: string, rank: number, sponsor = ''): PriorityRow {
  return { row: row++, name, rank, sponsor };
}

export function milestone(
  id: string,
  title: string,
  owner: string,
  priorityName: string,
  over: Partial<Milestone> = {},
): Milestone {
  const status: Status = over.status ?? 'On track';
  return {
    id,
    row: row++,
    priority: priorityName,
    title,
    owner,
    due: '2026-12-31',
    status,
    statusCell: status,
    forecast: over.due ?? '2026-12-31',
    forecastCell: '',
    dependsOn: [],
    notes: '',
    cells: { id, status, forecast: null, lastUpdate: null },
    ...over,
  };
}

export function update(email: string, meeting: string, over: Partial<UpdateRow> = {}): UpdateRow {
  return {
    row: row++,
    received: `${meeting}T08:00:00.000Z`,
    responseId: `r-${row}`,
    meeting,
    email,
    wins: '',
    learnings: '',
    helpNeeded: '',
    helpFrom: '',
    milestones: [],
    comments: '',
    result: 'Applied',
    ...over,
  };
}

export function change(
  when: string,
  milestoneId: string,
  field: 'Status' | 'Forecast',
  from: string,
  to: string,
  by = 'someone@example.com',
): ChangeRow {
  return { row: row++, when, milestone: milestoneId, field, from, to, by, source: 'form', responseId: '' };
}

export function meeting(date: string, over: Partial<Meeting> = {}): Meeting {
  return { row: row++, date, time: '10:00', status: 'Planned', pack: '', notes: '', ...over };
}

export function topic(rank: number, over: Partial<Topic> = {}): Topic {
  return {
    topicId: `T-${String(rank).padStart(4, '0')}`,
    identity: `raised:${rank}`,
    meeting: '2026-12-03',
    kind: 'raised',
    title: `Topic ${rank}`,
    milestones: [],
    owners: [],
    helpFrom: '',
    groups: [],
    deferrals: 0,
    score: 100 - rank,
    components: [],
    why: 'Raised by hand',
    rank,
    belowCut: false,
    ...over,
  };
}

export function health(over: Partial<Health> = {}): Health {
  return {
    statusCounts: { 'On track': 0, 'Might miss': 0, Missed: 0, Done: 0, Dropped: 0 },
    anticipationRate: null,
    misses: 0,
    anticipatedMisses: 0,
    surpriseMisses: [],
    responseRate: null,
    responded: [],
    missingUpdates: [],
    ...over,
  };
}

export function register(over: Partial<Register> = {}): Register {
  return {
    milestones: [],
    team: [],
    priorities: [],
    meetings: [],
    topics: [],
    updates: [],
    changes: [],
    actions: [],
    settings: settings(),
    ...over,
  };
}

export function countStatuses(milestones: Milestone[]): Record<Status, number> {
  const counts: Record<Status, number> = { 'On track': 0, 'Might miss': 0, Missed: 0, Done: 0, Dropped: 0 };
  for (const m of milestones) counts[m.status]++;
  return counts;
}

/**
 * A realistic pack: 8 people in 3 groups, 3 priorities, 15 milestones, updates, changes
 * since the last meeting and ranked topics with a cut line. Used for the sample HTML.
 */
export function samplePackInput(): PackInput {
  const team = [
    person('Amara Okafor', 'Operations', { role: 'leader' }),
    person('Ben Hughes', 'Operations'),
    person('Chloe Martin', 'Operations', { role: 'manager' }),
    person('Dev Patel', 'Product'),
    person('Elena Rossi', 'Product'),
    person('Farid Haddad', 'Product'),
    person('Grace Liu', 'Sales'),
    person('Hugo Schmidt', 'Sales'),
    person('Ivy Former', 'Sales', { active: false }),
  ];
  const e = (first: string) => `${first.toLowerCase()}@example.com`;
  const P1 = 'Grow recurring revenue';
  const P2 = 'Launch the partner platform';
  const P3 = 'Cut delivery lead time';
  const priorities = [priority(P2, 2, e('Dev')), priority(P1, 1, e('Amara')), priority(P3, 3, e('Chloe'))];
  const milestones = [
    milestone('M-0001', 'Pricing page A/B test live', e('Grace'), P1, {
      due: '2026-12-10',
      forecast: '2026-12-10',
    }),
    milestone('M-0002', 'Renewal playbook signed off by the board', e('Hugo'), P1, {
      due: '2026-12-04',
      forecast: '2026-12-18',
      status: 'Might miss',
    }),
    milestone('M-0003', 'Top-20 accounts reviewed', e('Hugo'), P1, {
      due: '2026-11-27',
      forecast: '2026-11-27',
      status: 'Missed',
    }),
    milestone('M-0004', 'CRM migration complete', e('Grace'), P1, {
      due: '2026-11-30',
      forecast: '2026-11-30',
      status: 'Done',
    }),
    milestone('M-0005', 'Partner API beta with 3 partners', e('Dev'), P2, {
      due: '2026-12-17',
      forecast: '2026-12-17',
      dependsOn: ['M-0006'],
    }),
    milestone('M-0006', 'OAuth consent screen approved', e('Elena'), P2, {
      due: '2026-12-08',
      forecast: '2026-12-22',
      status: 'Might miss',
    }),
    milestone('M-0007', 'Partner onboarding docs', e('Farid'), P2, {
      due: '2027-01-14',
      forecast: '2027-01-14',
    }),
    milestone('M-0008', 'Billing integration for partners', e('Dev'), P2, {
      due: '2027-01-28',
      forecast: '2027-01-28',
      dependsOn: ['M-0005'],
    }),
    milestone('M-0009', 'Security review <partner> sandbox', e('Farid'), P2, {
      due: '2026-11-20',
      forecast: '2026-11-20',
      status: 'Dropped',
    }),
    milestone('M-0010', 'Warehouse slotting pilot', e('Ben'), P3, {
      due: '2026-12-15',
      forecast: '2026-12-15',
    }),
    milestone('M-0011', 'Carrier contract renegotiated', e('Chloe'), P3, {
      due: '2026-12-03',
      forecast: '2026-12-03',
      status: 'Might miss',
    }),
    milestone('M-0012', 'Same-day dispatch in 2 regions', e('Ben'), P3, {
      due: '2027-02-01',
      forecast: '2027-02-01',
      dependsOn: ['M-0010', 'M-0011'],
    }),
    milestone('M-0013', 'Returns process redesign', e('Amara'), P3, {
      due: '2027-01-20',
      forecast: '2027-01-20',
    }),
    milestone('M-0014', 'Quarterly ops dashboard', e('Chloe'), P3, { due: '2026-11-25', status: 'Missed' }),
    milestone('M-0015', 'Customer advisory board kickoff', e('Grace'), 'Brand refresh', {
      due: '2027-01-09',
      forecast: '2027-01-09',
    }),
  ];
  const date = '2026-12-03';
  const prevStart = '2026-11-26T10:00:00.000Z';
  const changes = [
    change('2026-11-20T09:00:00.000Z', 'M-0003', 'Status', 'On track', 'Might miss'),
    change('2026-11-27T12:00:00.000Z', 'M-0002', 'Status', 'On track', 'Might miss', e('Hugo')),
    change('2026-11-27T12:00:00.000Z', 'M-0002', 'Forecast', '2026-12-04', '2026-12-18', e('Hugo')),
    change('2026-11-28T00:05:00.000Z', 'M-0003', 'Status', 'Might miss', 'Missed', 'milepost'),
    change('2026-11-29T09:30:00.000Z', 'M-0004', 'Status', 'On track', 'Done', e('Grace')),
    change('2026-11-30T15:10:00.000Z', 'M-0006', 'Forecast', '2026-12-08', '2026-12-22', e('Elena')),
    change('2026-11-30T15:10:00.000Z', 'M-0006', 'Status', 'On track', 'Might miss', e('Elena')),
    change('2026-11-26T00:05:00.000Z', 'M-0014', 'Status', 'On track', 'Missed', 'milepost'),
    change('2026-12-01T11:00:00.000Z', 'M-0011', 'Status', 'On track', 'Might miss', e('Chloe')),
  ];
  const updates = [
    update(e('Grace'), date, {
      received: '2026-12-01T16:20:00.000Z',
      wins: 'CRM migration finished two days early; no data loss.',
      learnings: 'Dual-running the old CRM for a week caught 14 mapping errors.',
      comments: 'M-0001: Variant B copy waiting on legal.\nM-0004: Closed.',
    }),
    update(e('Hugo'), date, {
      received: '2026-12-01T09:00:00.000Z',
      wins: 'Two renewals closed.',
      learnings: '',
      helpNeeded: 'A board slot before Christmas for the renewal playbook.',
      helpFrom: e('Amara'),
      comments: 'M-0002: Board agenda is full until the 18th.\nM-0003: 14 of 20 done; finishing next week.',
    }),
    update(e('Dev'), date, {
      received: '2026-12-01T18:45:00.000Z',
      wins: 'Sandbox up for the first partner.',
      learnings: 'Partners want webhooks before REST polling.',
      comments: 'M-0005: Blocked on OAuth approval (M-0006).',
    }),
    update(e('Elena'), date, {
      received: '2026-11-30T15:10:00.000Z',
      wins: '',
      learnings: 'The consent review queue is 2 weeks, not 3 days.',
      helpNeeded: 'Someone who has been through a Google OAuth verification before.',
      helpFrom: 'Operations',
      comments: 'M-0006: Resubmitted with the new privacy policy <link pending>.',
    }),
    update(e('Ben'), date, {
      received: '2026-12-02T07:30:00.000Z',
      wins: 'Slotting pilot: pick rate up 11% in aisle 4.\nTeam trained on the new scanner flow.',
      learnings: 'Night shift needs its own briefing.',
    }),
    update(e('Chloe'), date, {
      received: '2026-12-01T12:00:00.000Z',
      wins: 'Dashboard data model agreed.',
      helpNeeded: 'Legal review of the carrier contract by Friday.',
      helpFrom: 'Legal',
      comments:
        'M-0011: Carrier wants a 3-year term; needs a decision.\nM-0014: Slipped behind the carrier work.',
    }),
  ];
  const topics: Topic[] = [
    topic(1, {
      kind: 'might-miss',
      title: 'M-0011 Carrier contract renegotiated might miss (due Thu 3 Dec)',
      milestones: ['M-0011'],
      owners: [e('Chloe')],
      groups: ['Operations'],
      score: 98,
      why: 'Might miss +50; priority rank 3 +10; due at the meeting +20; deferred once +12; Legal affected +8',
      deferrals: 1,
    }),
    topic(2, {
      kind: 'dependency',
      title: 'M-0006 OAuth consent screen → M-0005 Partner API beta',
      milestones: ['M-0006', 'M-0005'],
      owners: [e('Elena'), e('Dev')],
      groups: ['Product'],
      score: 83.5,
      why: 'Dependency +35; priority rank 2 +20; forecast 5 days after the downstream due date; due in 5 days +16.4',
    }),
    topic(3, {
      kind: 'might-miss',
      title: 'M-0002 Renewal playbook signed off by the board might miss',
      milestones: ['M-0002'],
      owners: [e('Hugo')],
      groups: ['Sales'],
      score: 79,
      why: 'Might miss +50; priority rank 1 +30 (forecast 14 days late); due tomorrow',
    }),
    topic(4, {
      kind: 'help',
      title: 'Elena needs help: Someone who has been through a Google OAuth verification before.',
      owners: [e('Elena')],
      helpFrom: 'Operations',
      groups: ['Product', 'Operations'],
      score: 58,
      why: 'Help +30; priority rank 2 +20; Operations affected +8',
    }),
    topic(5, {
      kind: 'missed',
      title: 'M-0003 Top-20 accounts reviewed missed',
      milestones: ['M-0003'],
      owners: [e('Hugo')],
      groups: ['Sales'],
      score: 70,
      why: 'Missed +40; priority rank 1 +30',
      rankOverride: 5,
      belowCut: true,
    }),
    topic(6, {
      kind: 'help',
      title: 'Hugo needs help: A board slot before Christmas for the renewal playbook.',
      owners: [e('Hugo')],
      helpFrom: e('Amara'),
      groups: ['Sales', 'Operations'],
      score: 48,
      why: 'Help +30; due in 3 weeks +10; Operations affected +8',
      belowCut: true,
    }),
    topic(7, {
      kind: 'missed',
      title: 'M-0014 Quarterly ops dashboard missed',
      milestones: ['M-0014'],
      owners: [e('Chloe')],
      groups: ['Operations'],
      score: 74,
      why: 'Missed +40; priority rank 3 +10; deferred twice +24',
      rankOverride: 7,
      deferrals: 2,
      belowCut: true,
    }),
    topic(8, {
      kind: 'stale',
      title: 'No update from Farid Haddad',
      owners: [e('Farid')],
      groups: ['Product'],
      score: 30,
      why: 'No update +10; priority rank 2 +20',
      belowCut: true,
    }),
  ];
  return {
    register: register({
      team,
      priorities,
      milestones,
      updates,
      changes,
      settings: settings({ meetingLengthMinutes: 90 }),
      meetings: [meeting('2026-11-26', { status: 'Held' }), meeting(date)],
    }),
    meeting: meeting(date),
    previousMeeting: meeting('2026-11-26', { status: 'Held' }),
    previousMeetingStart: prevStart,
    meetingStart: '2026-12-03T10:00:00.000Z',
    topics,
    health: health({
      statusCounts: countStatuses(milestones),
      anticipationRate: 0.5,
      misses: 2,
      anticipatedMisses: 1,
      surpriseMisses: [
        { milestone: 'M-0014', title: 'Quarterly ops dashboard', owner: e('Chloe'), due: '2026-11-25' },
      ],
      responseRate: 6 / 8,
      responded: [e('Grace'), e('Hugo'), e('Dev'), e('Elena'), e('Ben'), e('Chloe')],
      missingUpdates: [e('Farid'), e('Amara')],
    }),
    generatedAt: '2026-12-02T16:00:00.000Z',
  };
}
