/**
 * A large, realistic register for benchmarks, in the shape of templates/sample/register.json plus
 * the responses of the next meeting (templates/sample/responses.jsonl). Pure and deterministic:
 * the same options give the same register, byte for byte.
 *
 * The story matches the sample: weekly Thursday meetings at 10:00 Europe/London from 2026-10-01
 * (29 Oct cancelled), requests for the next meeting (2026-12-03) go out 2026-11-30T10:00Z. Statuses and
 * the Changes history agree (each chain of changes ends at the register's value), overdue open
 * milestones exist only where no sync has run since their due date (auto-miss flags them next).
 */

import { seededRandom } from '../emulator/sheets';
import { topicValues } from '../src/core/cycle';
import { readRegister } from '../src/core/register';
import { topicsFor } from '../src/core/topics';
import type { Submission, Table } from '../src/core/types';
import layout from '../templates/layout.json';

export interface GenerateOptions {
  milestones: number;
  people: number;
  responses: number;
  seed: number;
}

export type Row = Record<string, string | number>;

/** A generated response is an update submission exactly as the core reads it. */
export type GeneratedResponse = Submission;

export interface GeneratedRegister {
  tables: Record<string, Row[]>;
  responses: GeneratedResponse[];
}

const DOMAIN = 'northwind.example';
const TIME_ZONE = 'Europe/London';
const FIRST_MEETING = '2026-10-01';
const CANCELLED = '2026-10-29';
const LAST_MEETING = '2026-12-10';
const NEXT_MEETING = '2026-12-03';
const NOW_DATE = '2026-11-30';
const DUE_FROM = '2026-10-15';
const DUE_TO = '2027-03-31';
const RESPONSES_FROM = '2026-11-30T09:30:00Z';
const RESPONSES_UNTIL = '2026-12-02T09:00:00Z';
const PEOPLE_PER_GROUP = 20;

/** A comma-separated word list, written as text so that it stays compact. */
function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

const GROUPS = list(`
  Product, Engineering, Sales, Operations, Marketing, Finance, People, Legal, Support, Data,
  Security, Design, Platform, Infrastructure, Partnerships, Customer Success, Procurement,
  Facilities, IT, Research, Quality, Communications, Strategy, Supply Chain, Manufacturing
`);
const FIRST_NAMES = list(`
  Ann, Ben, Chloe, Daniel, Elena, Farah, George, Hana, Ivan, Jade, Kwame, Lena, Marcus, Nadia,
  Owen, Priya, Quinn, Ravi, Sam, Tom, Uma, Victor, Wen, Yusuf, Zoe, Grace, Amir, Bea, Carlos,
  Dita, Emeka, Freya, Hugo, Isla, Jonas, Keiko, Luis, Maya
`);
const LAST_NAMES = list(`
  Okafor, Reyes, Shah, Becker, Novak, Hall, Marsh, Whitfield, Kumar, Price, Adeyemi, Brennan,
  Castillo, Dubois, Eriksen, Fischer, Gallagher, Haddad, Ito, Jensen, Kowalski, Larsen, Moreau,
  Nakamura, Osei, Petrov, Quist, Rossi, Silva, Tanaka, Usman, Varga, Walsh, Xu, Yilmaz, Zhang
`);
const PRIORITIES = [
  'Self-serve growth',
  'Enterprise readiness',
  'Efficient operations',
  'International expansion',
  'Platform reliability',
];
const VERBS = list(`
  Launch, Ship, Complete, Sign off, Roll out, Migrate, Hire for, Publish, Pilot
`);
const OBJECTS = list(`
  usage-based billing, SSO for enterprise customers, EU data residency, SOC 2 evidence pack, the
  partner portal, annual plans, the onboarding checklist, the new pricing page, customer health
  scores, the on-call rota, the data warehouse, the Q1 hiring plan, the support knowledge base,
  the audit log API, the design system, the renewal playbook, vendor consolidation, the board
  pack, the mobile app beta, the reseller programme
`);
const COMMENTS = list(`
  waiting on legal review, vendor confirmed the date, load tests passing, two of three sign-offs
  in, blocked on budget approval, scope cut agreed with sponsor, customer pilot starts next week
`);

// ---------- dates (UTC arithmetic; Europe/London offset by the EU DST rule) ----------

const DAY_MS = 86_400_000;
const dateMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const toDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const toInstant = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const addDays = (date: string, days: number): string => toDate(dateMs(date) + days * DAY_MS);
const daysBetween = (a: string, b: string): number => Math.round((dateMs(b) - dateMs(a)) / DAY_MS);

function lastSunday(year: number, month: number): string {
  const last = Date.UTC(year, month + 1, 0);
  return toDate(last - new Date(last).getUTCDay() * DAY_MS);
}

/** UTC offset of London in hours on a local date: BST from the last Sunday of March to that of October. */
function londonOffsetHours(date: string): number {
  const year = Number(date.slice(0, 4));
  return date >= lastSunday(year, 2) && date < lastSunday(year, 9) ? 1 : 0;
}

/** The UTC instant of a local London date and time. */
function london(date: string, hour: number, minute = 0): string {
  return toInstant(dateMs(date) + ((hour - londonOffsetHours(date)) * 60 + minute) * 60_000);
}

// ---------- rows in layout order ----------

const HEADERS: Record<string, string[]> = Object.fromEntries(
  layout.tabs.map((t) => [t.name, t.columns.map((c) => c.header)]),
);

function row(tab: string, values: Row): Row {
  const headers = HEADERS[tab];
  if (!headers) throw new Error(`No tab ${tab} in the layout`);
  for (const key of Object.keys(values)) {
    if (!headers.includes(key)) throw new Error(`No column ${key} in ${tab}`);
  }
  return Object.fromEntries(headers.map((h) => [h, values[h] ?? '']));
}

/** A tab of a core snapshot from rows made by `row`, in layout column order. */
function table(tab: string, rows: Row[]): Table {
  const headers = HEADERS[tab];
  if (!headers) throw new Error(`No tab ${tab} in the layout`);
  return { name: tab, headers, rows: rows.map((r) => headers.map((h) => r[h] ?? null)) };
}

/** The generated register as a core snapshot (every tab, layout column order). */
export function snapshotOf(generated: GeneratedRegister): { tables: Table[] } {
  return { tables: Object.entries(generated.tables).map(([tab, rows]) => table(tab, rows)) };
}

// ---------- the generator ----------

interface Person {
  name: string;
  email: string;
  local: string;
  group: string;
  role: string;
  delegate: string;
  active: boolean;
}

interface MilestoneState {
  id: string;
  priority: string;
  title: string;
  owner: Person;
  due: string;
  status: string;
  forecast: string;
  dependsOn: string[];
  notes: string;
}

interface Event {
  sync: number;
  when: string;
  field: 'Status' | 'Forecast';
  to: string;
  source: 'form' | 'sheet' | 'auto';
}

interface HeldMeeting {
  date: string;
  requests: string;
  deadline: string;
  sync: string;
  syncDate: string;
}

export function generateRegister(opts: GenerateOptions): GeneratedRegister {
  const rng = seededRandom(opts.seed);
  const chance = (p: number): boolean => rng() < p;
  const int = (min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const between = (fromIso: string, toIso: string): string => {
    const a = Date.parse(fromIso);
    const b = Date.parse(toIso);
    return toInstant(Math.floor((a + rng() * (b - a)) / 60_000) * 60_000);
  };

  // ----- Team -----
  const groupCount = Math.max(1, Math.round(opts.people / PEOPLE_PER_GROUP));
  const groups = Array.from({ length: groupCount }, (_, i) =>
    i < GROUPS.length ? GROUPS[i]! : `${GROUPS[i % GROUPS.length]!} ${Math.floor(i / GROUPS.length) + 1}`,
  );
  const usedEmails = new Set<string>();
  const people: Person[] = [];
  for (let i = 0; i < opts.people; i++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    let local = `${first}.${last}`.toLowerCase();
    for (let n = 2; usedEmails.has(local); n++) local = `${first}.${last}${n}`.toLowerCase();
    usedEmails.add(local);
    people.push({
      name: `${first} ${last}`,
      email: `${local}@${DOMAIN}`,
      local,
      group: groups[i % groupCount]!,
      role: i === 0 ? 'leader' : i === 1 ? 'manager' : 'member',
      delegate: '',
      active: i < 2 || !chance(0.02),
    });
  }
  const leader = people[0]!;
  const manager = people[1] ?? leader;
  const active = people.filter((p) => p.active);
  // About one in twenty has a deputy from their own group.
  for (const p of active) {
    if (p.role !== 'member' || !chance(0.05)) continue;
    const deputy = active.find((q) => q.group === p.group && q !== p && q.delegate !== p.email);
    if (deputy) p.delegate = deputy.email;
  }
  const teamRows = people.map((p) =>
    row('Team', {
      Name: p.name,
      Email: p.email,
      Group: p.group,
      Role: p.role,
      Delegate: p.delegate,
      Active: p.active ? 'yes' : 'no',
    }),
  );

  // ----- Priorities -----
  const priorityCount = 3 + Math.floor(rng() * 3);
  const priorities = PRIORITIES.slice(0, priorityCount).map((name, i) => ({
    name,
    rank: i + 1,
    sponsor: i === 0 ? leader.email : pick(active).email,
  }));
  const priorityRows = priorities.map((p) =>
    row('Priorities', { Priority: p.name, Rank: p.rank, Sponsor: p.sponsor }),
  );

  // ----- Meetings: weekly; requests Monday 10:00, reminders Tuesday 22:00, deadline and sync Wednesday -----
  const meetingRows: Row[] = [];
  const held: HeldMeeting[] = [];
  for (let d = FIRST_MEETING; d <= LAST_MEETING; d = addDays(d, 7)) {
    const status = d >= NEXT_MEETING ? 'Planned' : d === CANCELLED ? 'Cancelled' : 'Held';
    const isHeld = status === 'Held';
    meetingRows.push(
      row('Meetings', {
        Date: d,
        Time: '10:00',
        Status: status,
        Pack: isHeld ? `packs/${d}.html` : '',
        'Requests sent': isHeld ? london(addDays(d, -3), 10) : '',
        'Reminders sent': isHeld ? london(addDays(d, -2), 22) : '',
        'Wrapped up': isHeld ? london(d, 12) : '',
        Notes: d === CANCELLED ? 'Offsite' : '',
      }),
    );
    if (isHeld) {
      held.push({
        date: d,
        requests: london(addDays(d, -3), 10),
        deadline: london(addDays(d, -1), 10),
        sync: london(addDays(d, -1), 12),
        syncDate: addDays(d, -1),
      });
    }
  }
  const lastSync = held.length - 1;
  /** Index of the first sync on or after a date, or -1. */
  const firstSyncFrom = (date: string): number => held.findIndex((m) => m.syncDate >= date);
  /** Index of the last sync before a date, or -1. */
  const lastSyncBefore = (date: string): number => {
    let found = -1;
    held.forEach((m, i) => {
      if (m.syncDate < date) found = i;
    });
    return found;
  };

  // ----- Milestones and their history -----
  const owners = active;
  const dueSpan = daysBetween(DUE_FROM, DUE_TO);
  const states: MilestoneState[] = [];
  const idsByGroup = new Map<string, string[]>();
  const events = new Map<string, Event[]>();
  /** Sync index after which each milestone was no longer open (Done or Dropped); Infinity if open. */
  const openUntil = new Map<string, number>();
  const syncEvent = (sync: number, field: Event['field'], to: string, source: Event['source']): Event => ({
    sync,
    when: '',
    field,
    to,
    source,
  });
  const dropped = (latest: number): Event => {
    const when = between(held[0]!.sync, held[Math.max(0, latest)]!.sync);
    const sync = held.findIndex((m) => m.sync >= when);
    return { sync, when, field: 'Status', to: 'Dropped', source: 'sheet' };
  };

  for (let i = 0; i < opts.milestones; i++) {
    const id = `M-${String(i + 1).padStart(4, '0')}`;
    const priority = pick(priorities);
    const owner = owners[Math.floor(rng() * owners.length)]!;
    const due = addDays(DUE_FROM, Math.floor(rng() * (dueSpan + 1)));
    // Only on lower IDs, so the graph is acyclic, and on milestones due earlier. Half of the
    // links stay within the owner's group, half cross to another group.
    const dependsOn: string[] = [];
    const sameGroup = idsByGroup.get(owner.group) ?? [];
    if (i > 0 && chance(0.3)) {
      const n = chance(0.25) ? 2 : 1;
      for (let tries = 0; tries < 4 && dependsOn.length < n; tries++) {
        const dep =
          sameGroup.length > 0 && chance(0.5)
            ? sameGroup[sameGroup.length - 1 - Math.floor(rng() * Math.min(sameGroup.length, 40))]!
            : `M-${String(Math.max(0, i - 1 - Math.floor(rng() * 300)) + 1).padStart(4, '0')}`;
        const upstream = states[Number(dep.slice(2)) - 1];
        if (upstream && upstream.due < due && !dependsOn.includes(dep)) dependsOn.push(dep);
      }
    }
    sameGroup.push(id);
    idsByGroup.set(owner.group, sameGroup);
    const history: Event[] = [];
    const before = lastSyncBefore(due); // last sync the owner could report at before the due date
    const after = firstSyncFrom(addDays(due, 1)); // first sync that sees it overdue
    const reportable = Math.max(0, before);
    let status = 'On track';
    let forecast = '';
    const roll = rng();
    if (due < NOW_DATE && after >= 0) {
      // Overdue at a sync already: it was closed, or auto-miss (or the owner) marked it Missed.
      if (roll < 0.62) {
        status = 'Done';
        const done = int(Math.max(0, reportable - 1), after);
        if (chance(0.5)) {
          forecast = addDays(due, int(-3, 3));
          history.push(syncEvent(int(0, done), 'Forecast', forecast, 'form'));
        }
        history.push(syncEvent(done, 'Status', 'Done', 'form'));
      } else if (roll < 0.92) {
        status = 'Missed';
        if (chance(0.55) && before > 0) {
          history.push(syncEvent(int(0, before - 1), 'Status', 'Might miss', 'form'));
          history.push(syncEvent(after, 'Status', 'Missed', chance(0.6) ? 'form' : 'auto'));
        } else history.push(syncEvent(after, 'Status', 'Missed', chance(0.3) ? 'form' : 'auto'));
        if (chance(0.8)) {
          forecast = addDays(due, int(7, 60));
          history.push(syncEvent(Math.min(after + int(0, 1), lastSync), 'Forecast', forecast, 'form'));
        }
      } else {
        // Dropped by the manager in the sheet before it fell due (else auto-miss would have struck).
        status = 'Dropped';
        history.push(dropped(reportable));
      }
    } else if (due < NOW_DATE) {
      // Due after the last sync: still open; the next sync's auto-miss will flag the On track ones.
      if (roll < 0.5) status = 'On track';
      else if (roll < 0.8) {
        status = 'Might miss';
        history.push(syncEvent(int(Math.max(0, lastSync - 3), lastSync), 'Status', 'Might miss', 'form'));
      } else {
        status = 'Done';
        history.push(syncEvent(lastSync, 'Status', 'Done', 'form'));
      }
    } else if (roll < 0.78) {
      status = 'On track';
      if (chance(0.3) && lastSync > 0) {
        // A scare that passed: flagged, then back on track a week or more later.
        const flagged = int(0, lastSync - 1);
        history.push(syncEvent(flagged, 'Status', 'Might miss', 'form'));
        history.push(syncEvent(int(flagged + 1, lastSync), 'Status', 'On track', 'form'));
      }
      if (chance(0.85)) {
        // Owners confirm or pull in their date: one or two forecast changes, never after the due date.
        const first = int(0, lastSync);
        forecast = addDays(due, -int(0, 10));
        history.push(syncEvent(first, 'Forecast', forecast, 'form'));
        if (chance(0.7) && first < lastSync) {
          forecast = addDays(due, -int(0, 3));
          history.push(syncEvent(int(first + 1, lastSync), 'Forecast', forecast, 'form'));
        }
      }
    } else if (roll < 0.93) {
      status = 'Might miss';
      const flagged = int(0, lastSync);
      history.push(syncEvent(flagged, 'Status', 'Might miss', 'form'));
      if (chance(0.85)) {
        forecast = addDays(due, int(3, 45));
        history.push(syncEvent(flagged, 'Forecast', forecast, 'form'));
        if (chance(0.5) && flagged < lastSync) {
          forecast = addDays(forecast, int(3, 21));
          history.push(syncEvent(int(flagged + 1, lastSync), 'Forecast', forecast, 'form'));
        }
      }
    } else if (roll < 0.97) {
      status = 'Done';
      const done = int(0, lastSync);
      if (chance(0.5)) {
        forecast = addDays(due, -int(5, 30));
        history.push(syncEvent(int(0, done), 'Forecast', forecast, 'form'));
      }
      history.push(syncEvent(done, 'Status', 'Done', 'form'));
    } else {
      status = 'Dropped';
      history.push(dropped(lastSync));
    }
    // In sync order; within a sync the owner's answer comes before auto-miss (stable sort).
    const order = (e: Event) => e.sync * 2 + (e.source === 'auto' ? 1 : 0);
    history.sort((a, b) => order(a) - order(b));
    events.set(id, history);
    const closing = history.find((e) => e.field === 'Status' && (e.to === 'Done' || e.to === 'Dropped'));
    openUntil.set(
      id,
      !closing ? Number.POSITIVE_INFINITY : closing.source === 'sheet' ? closing.sync - 1 : closing.sync,
    );
    states.push({
      id,
      priority: priority.name,
      title: `${pick(VERBS)} ${pick(OBJECTS)} (${owner.group})`,
      owner,
      due,
      status,
      forecast,
      dependsOn,
      notes: chance(0.1) ? pick(COMMENTS) : '',
    });
  }
  const isOpen = (m: MilestoneState): boolean => m.status !== 'Done' && m.status !== 'Dropped';
  const byOwner = new Map<string, MilestoneState[]>();
  const openOf = new Map<string, MilestoneState[]>();
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const m of states) {
    push(byOwner, m.owner.email, m);
    if (isOpen(m)) push(openOf, m.owner.email, m);
  }

  // ----- Past responses: one per owner and meeting, sent by the owner or now and then their delegate -----
  interface PastResponse {
    id: string;
    received: string;
    sender: string;
  }
  const pastResponses = new Map<string, PastResponse>();
  const responseOf = (sync: number, p: Person): PastResponse => {
    const id = `resp-${held[sync]!.date}-${p.local}`;
    let r = pastResponses.get(id);
    if (!r) {
      const received = between(held[sync]!.requests, held[sync]!.deadline);
      r = { id, received, sender: p.delegate && chance(0.2) ? p.delegate : p.email };
      pastResponses.set(id, r);
    }
    return r;
  };

  // ----- Changes: form changes are dated at the response's submit time, auto-miss at the sync -----
  const changeRows: Row[] = [];
  const changeCount = new Map<string, number>();
  for (const m of states) {
    const last: Record<string, string> = { Status: 'On track', Forecast: '' };
    for (const e of events.get(m.id)!) {
      const r = e.source === 'form' ? responseOf(e.sync, m.owner) : undefined;
      if (r) changeCount.set(r.id, (changeCount.get(r.id) ?? 0) + 1);
      changeRows.push(
        row('Changes', {
          When: r ? r.received : e.source === 'auto' ? held[e.sync]!.sync : e.when,
          Milestone: m.id,
          Field: e.field,
          From: last[e.field]!,
          To: e.to,
          By: r ? r.sender : e.source === 'auto' ? 'milepost' : manager.email,
          Source: e.source,
          'Response ID': r ? r.id : '',
        }),
      );
      last[e.field] = e.to;
    }
  }
  changeRows.sort((a, b) => (a.When! < b.When! ? -1 : a.When! > b.When! ? 1 : 0));

  // ----- Updates: most owners answer each week; every form change belongs to an answer -----
  const ownerIds = [...byOwner.keys()];
  const ownerOf = new Map(people.map((p) => [p.email, p]));
  const lastUpdate = new Map<string, string>();
  const updateRows: Row[] = [];
  held.forEach((meeting, k) => {
    for (const email of ownerIds) {
      const p = ownerOf.get(email)!;
      const covered = byOwner.get(email)!.filter((m) => openUntil.get(m.id)! >= k);
      const n = changeCount.get(`resp-${meeting.date}-${p.local}`) ?? 0;
      if (!covered.length || (n === 0 && chance(0.12))) continue; // nothing open, or did not answer
      const r = responseOf(k, p);
      for (const m of covered) lastUpdate.set(m.id, r.received);
      const asksHelp = chance(0.05);
      const helpFrom = asksHelp
        ? chance(0.7)
          ? pick(groups.filter((g) => g !== p.group))
          : pick(active).email
        : '';
      const helpNeeded = asksHelp ? `Need a decision on ${pick(OBJECTS)}` : '';
      updateRows.push(
        row('Updates', {
          Received: r.received,
          'Response ID': r.id,
          Meeting: meeting.date,
          Email: r.sender,
          Wins: chance(0.6) ? `${pick(VERBS)} ${pick(OBJECTS)}: on plan` : '',
          Learnings: chance(0.3) ? `Start ${pick(OBJECTS)} earlier next time` : '',
          'Help needed': helpNeeded,
          'Help from': helpFrom,
          Milestones: covered.map((m) => m.id).join(', '),
          Comments: '',
          Result: n === 0 ? 'Applied: no changes' : `Applied: ${n} change${n === 1 ? '' : 's'}`,
        }),
      );
    }
  });
  updateRows.sort((a, b) => (a.Received! < b.Received! ? -1 : a.Received! > b.Received! ? 1 : 0));

  const milestoneRows = states.map((m) =>
    row('Milestones', {
      ID: m.id,
      Priority: m.priority,
      Milestone: m.title,
      Owner: m.owner.email,
      Due: m.due,
      Status: m.status,
      Forecast: m.forecast,
      'Depends on': m.dependsOn.join(', '),
      'Last update': lastUpdate.get(m.id) ?? '',
      Notes: m.notes,
    }),
  );

  // ----- Settings -----
  const overrides: Record<string, string | number> = {
    'Time zone': TIME_ZONE,
    'Meeting weekday': 'Thursday',
    'Meeting time': '10:00',
    'Cadence (weeks)': 1,
    'First meeting': FIRST_MEETING,
    'Process manager': manager.email,
    Leader: leader.email,
  };
  const settingRows = layout.settings.map((s) =>
    row('Settings', { Setting: s.key, Value: overrides[s.key] ?? s.value, About: s.about }),
  );

  // ----- Topics of the last held meeting, ranked by the core (src/core/topics.ts) -----
  // The register as of that meeting: the milestones as they stand, its updates and the changes.
  const meeting = held[lastSync]!.date;
  const updatesSoFar = updateRows.filter((u) => String(u.Meeting) <= meeting);
  const { register } = readRegister({
    tables: [
      table('Settings', settingRows),
      table('Team', teamRows),
      table('Priorities', priorityRows),
      table('Milestones', milestoneRows),
      table('Meetings', meetingRows),
      table('Topics', []),
      table('Updates', updatesSoFar),
      table('Changes', changeRows),
    ],
  });
  const lastMeeting = register.meetings.find((m) => m.date === meeting);
  if (!lastMeeting) throw new Error(`No meeting ${meeting} in the generated register`);
  const ranked = topicsFor(register, lastMeeting);
  // The meeting reached the first few topics; the rest carry over to the next one.
  const outcomes = ['Resolved', 'Discussed', 'Discussed', 'Deferred', 'Discussed'];
  const topicRows = ranked.map((t, i) => {
    const outcome = outcomes[i] ?? '';
    return row('Topics', {
      ...topicValues(t), // Topic ID, Meeting, Rank … Deferrals, as the sync writes them
      Outcome: outcome,
      'Decision / action': outcome
        ? `Agreed a recovery plan; ${t.owners.length > 1 ? 'owners' : 'owner'} to report back`
        : '',
      'Action owner': outcome ? t.owners[0]! : '',
      'Action due': outcome ? NEXT_MEETING : '',
    });
  });
  for (let i = 0; i < 3; i++) {
    topicRows.push(
      row('Topics', {
        Meeting: NEXT_MEETING,
        Kind: 'raised',
        Topic: `Who owns ${pick(OBJECTS)} after January?`,
      }),
    );
  }

  // ----- Responses for the next meeting -----
  const responders = [...openOf.keys()];
  const responses: GeneratedResponse[] = [];
  /** Latest version of each response, with the owner it was for (a delegate may have sent it). */
  const latest: { responseId: string; owner: string; email: string; submittedAt: string }[] = [];
  const closedInResponses = new Set<string>();
  // Submit times rise with generation order, so a milestone one answer closes is not listed
  // by an answer of the same owner that is applied after it.
  const submitTimes = Array.from({ length: opts.responses }, () =>
    between(RESPONSES_FROM, RESPONSES_UNTIL),
  ).sort();
  for (let i = 0; i < opts.responses && responders.length > 0; i++) {
    // About one in twenty is an edit of an earlier response: same id, later time, replaces it.
    const previous = latest.length > 0 && chance(0.05) ? pick(latest) : undefined;
    const email = previous ? previous.owner : responders[i % responders.length]!;
    const p = ownerOf.get(email)!;
    const statuses: Record<string, string> = {};
    const forecasts: Record<string, string> = {};
    const comments: Record<string, string> = {};
    for (const m of openOf.get(email)!) {
      if (closedInResponses.has(m.id)) continue; // a form sent later no longer lists it
      let status = m.status;
      const r = rng();
      if (m.status === 'On track' && r < 0.06) status = 'Might miss';
      else if (m.status === 'On track' && r < 0.09) status = 'Done';
      else if (m.status === 'Might miss' && r < 0.2) status = 'On track';
      statuses[m.id] = status;
      if (status === 'Done') closedInResponses.add(m.id);
      if (status === 'Might miss' && chance(0.5)) forecasts[m.id] = addDays(m.due, int(3, 30));
      if (status !== m.status || chance(0.05)) comments[m.id] = pick(COMMENTS);
    }
    const asksHelp = chance(0.04);
    const submittedAt = previous
      ? toInstant(Date.parse(between(previous.submittedAt, RESPONSES_UNTIL)) + 60_000)
      : submitTimes[i]!;
    const sender = previous ? previous.email : p.delegate && chance(0.3) ? p.delegate : email;
    const responseId = previous ? previous.responseId : `resp-${NEXT_MEETING}-${p.local}-${i + 1}`;
    if (previous) previous.submittedAt = submittedAt;
    else latest.push({ responseId, owner: email, email: sender, submittedAt });
    responses.push({
      responseId,
      submittedAt,
      email: sender,
      statuses,
      forecasts,
      comments,
      wins: chance(0.7) ? `${pick(VERBS)} ${pick(OBJECTS)}: done` : '',
      learnings: chance(0.4) ? `Agree ${pick(OBJECTS)} scope before the build` : '',
      helpNeeded: asksHelp ? `Need a decision on ${pick(OBJECTS)}` : '',
      helpFrom: asksHelp
        ? chance(0.7)
          ? pick(groups.filter((g) => g !== p.group))
          : pick(active).email
        : '',
    });
  }

  return {
    tables: {
      Milestones: milestoneRows,
      Team: teamRows,
      Priorities: priorityRows,
      Meetings: meetingRows,
      Topics: topicRows,
      Updates: updateRows,
      Changes: changeRows,
      Settings: settingRows,
    },
    responses,
  };
}
