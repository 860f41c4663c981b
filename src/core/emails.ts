/**
 * The emails of the cycle, built as documents and rendered to text and HTML by the same
 * renderers as the pack. Keys make each email idempotent: a shell never sends a key twice.
 */

import { ACTIONS_TITLE, openActionsByOwner } from './actions';
import { type Block, cell, type Document, type Inline } from './document';
import { formatDate, formatDateTime, plural } from './format';
import { type Rung, repeatedNonResponders, rungCopies } from './ladder';
import { unreadableStatus, unreadableText } from './problems';
import { renderHtmlFragment } from './render-html';
import { renderText } from './render-markdown';
import { meetingStart, meetingTimes, previousMeeting } from './schedule';
import { effectiveOutcome, rowsByTopicId, slotLeadOf } from './slots';
import { ownerNames } from './topics';
import type { ActionRow, Email, Meeting, Milestone, Person, Register } from './types';

function recipients(register: Register): string[] {
  return register.team.filter((p) => p.active).map((p) => p.email);
}

function sender(register: Register): string {
  return register.settings.processManager || register.settings.leader || 'milepost@localhost';
}

/** The whole team: its group address when Settings names one, else every active member. */
function team(register: Register): string[] {
  return register.settings.teamEmail ? [register.settings.teamEmail] : recipients(register);
}

/**
 * An email as the messages a runtime may send, each to at most `max` recipients (To and Cc
 * together): Gmail takes 100 ("Gmail sending limits in Google Workspace": "Limit for recipients
 * per message sent via SMTP and the Gmail API (addresses in the To, Cc, and Bcc fields of a
 * single email …) - 100"), MailApp 50. Each part has a key of its own (`<key>/part-N`), so a
 * run stopped between parts sends only the rest later; an email that fits is one part, its key
 * unchanged. To recipients come first; a part holding only Cc recipients is addressed to them.
 */
export function emailParts(email: Email, max: number): Email[] {
  if (email.to.length + email.cc.length <= max) return [email];
  const all = [...email.to.map((a) => ({ a, cc: false })), ...email.cc.map((a) => ({ a, cc: true }))];
  const parts: Email[] = [];
  for (let i = 0; i < all.length; i += max) {
    const chunk = all.slice(i, i + max);
    const to = chunk.filter((r) => !r.cc).map((r) => r.a);
    const cc = chunk.filter((r) => r.cc).map((r) => r.a);
    parts.push({
      ...email,
      key: `${email.key}/part-${parts.length + 1}`,
      to: to.length ? to : cc,
      cc: to.length ? cc : [],
    });
  }
  return parts;
}

function toEmail(
  key: string,
  kind: Email['kind'],
  to: string[],
  cc: string[],
  from: string,
  doc: Document,
): Email {
  return {
    key,
    kind,
    to,
    cc,
    from,
    replyTo: from,
    subject: doc.title,
    text: renderText(doc),
    html: renderHtmlFragment(doc),
  };
}

/** The submission an owner would send, pre-filled with their milestones (and open actions) as they stand. */
export function prefilledSubmission(
  person: Person,
  meeting: Meeting,
  milestones: Milestone[],
  actions: readonly ActionRow[] = [],
) {
  return {
    responseId: `${meeting.date}-${person.email}`,
    submittedAt: '',
    email: person.email,
    statuses: Object.fromEntries(milestones.map((m) => [m.id, m.status])),
    forecasts: Object.fromEntries(milestones.map((m) => [m.id, m.forecast ?? ''])),
    comments: Object.fromEntries(milestones.map((m) => [m.id, ''])),
    wins: '',
    learnings: '',
    helpNeeded: '',
    helpFrom: '',
    ...(actions.length ? { actions: Object.fromEntries(actions.map((a) => [a.id, a.status])) } : {}),
  };
}

/** The paragraph that says how to send the update: the personal form link, the form, or a reply. */
function howToSend(
  register: Register,
  meeting: Meeting,
  person: Person,
  milestones: Milestone[],
  personalLink?: string,
): Block {
  const s = register.settings;
  const link = personalLink || (s.formBaseUrl ? `${s.formBaseUrl.replace(/\/$/, '')}` : '');
  if (personalLink) {
    return {
      type: 'paragraph',
      content: [
        { text: 'Open your update form', link: personalLink, bold: true },
        ': it opens with your milestones as they stand — change what moved, add your wins, learnings and where you need help, and send.',
      ],
    };
  }
  if (link) {
    return { type: 'paragraph', content: ['Fill in the form: ', { text: link, link }] };
  }
  return {
    type: 'paragraph',
    content: [
      'Reply with your update, or add this line (edited) to responses.jsonl in the Milepost workspace: ',
      {
        text: JSON.stringify(
          prefilledSubmission(person, meeting, milestones, openActionsByOwner(register).get(person.email)),
        ),
        muted: true,
      },
    ],
  };
}

/** "What to send": each milestone, each open action (when the owner has any), wins, learnings, help. */
function whatToSend(hasActions: boolean): Block[] {
  return [
    { type: 'heading', level: 2, text: 'What to send' },
    {
      type: 'list',
      ordered: false,
      items: [
        [
          'For each milestone: its status (flag ',
          { text: 'Might miss', bold: true },
          ' early), your forecast date and a comment.',
        ],
        ...(hasActions
          ? [['For each open action: still open, or done (and a note if you like).'] as Inline[]]
          : []),
        ['Wins since the last meeting.'],
        ['Learnings worth sharing.'],
        ['Where you need help, and from whom (a group or a person).'],
      ],
    },
  ];
}

/** "Your open actions": the owner's open tracked actions, under their milestones (none: nothing). */
function openActionBlocks(actions: readonly ActionRow[]): Block[] {
  if (!actions.length) return [];
  return [
    { type: 'heading', level: 2, text: 'Your open actions' },
    {
      type: 'table',
      columns: ['ID', 'Action', 'Due', 'Status'],
      rows: actions.map((a) => [
        cell(a.id),
        cell(a.action),
        cell(a.due ? formatDate(a.due) : ''),
        cell(a.status),
      ]),
    },
  ];
}

export function requestEmail(
  register: Register,
  meeting: Meeting,
  person: Person,
  milestones: Milestone[],
  /** The rung of the ladder (ladder.ts): the request, the first or the second reminder. */
  rung: Rung,
  /** The person's own (pre-filled) form link; else the Form base URL setting, else a reply. */
  personalLink?: string,
): Email {
  const s = register.settings;
  const times = meetingTimes(meeting, s);
  const when = formatDate(meeting.date);
  const deadline = formatDateTime(times.deadline, s.timeZone);
  const copies = rungCopies(register, person, rung);
  const actions = openActionsByOwner(register).get(person.email) ?? [];
  const blocks: Block[] = [
    {
      type: 'paragraph',
      content: [
        `Hello ${person.name.split(' ')[0]}, `,
        rung === 'request'
          ? 'please send your milestone update for '
          : rung === 'reminder'
            ? 'a reminder that your update for '
            : 'a second reminder: we still have no update from you for ',
        { text: `the milestone meeting on ${when}`, bold: true },
        rung === 'second-reminder'
          ? `, due by ${deadline}.`
          : rung === 'reminder'
            ? ` is due by ${deadline}.`
            : ` by ${deadline}.`,
        ...(rung === 'second-reminder' && copies.length
          ? [' Your delegate and the process manager are copied, so that one of you can send it.']
          : []),
      ],
    },
    { type: 'heading', level: 2, text: 'Your open milestones' },
    // Someone asked only about their actions has no milestone table.
    milestones.length === 0
      ? { type: 'paragraph', content: ['None: this week you are asked about your open actions.'] }
      : {
          type: 'table',
          columns: ['ID', 'Milestone', 'Due', 'Forecast', 'Status'],
          rows: milestones.map((m) => [
            cell(m.id),
            cell(m.title),
            cell(m.due ? formatDate(m.due) : ''),
            cell(m.forecast ? formatDate(m.forecast) : ''),
            // A status the register could not read is never shown as On track.
            unreadableStatus(m)
              ? { content: [unreadableText(m.statusCell)] }
              : { content: [m.status], status: m.status },
          ]),
        },
    ...openActionBlocks(actions),
    ...whatToSend(actions.length > 0),
  ];
  blocks.push(howToSend(register, meeting, person, milestones, personalLink));
  const key = rung === 'second-reminder' ? 'reminder-2' : rung;
  const prefix = rung === 'request' ? '' : rung === 'reminder' ? 'Reminder: ' : 'Second reminder: ';
  return toEmail(
    `${key}/${meeting.date}/${person.email}`,
    rung === 'request' ? 'request' : 'reminder',
    [person.email],
    copies,
    sender(register),
    { title: `${prefix}Milestone update for ${when} — due ${deadline}`, blocks },
  );
}

/** A level-3 part of a document (its heading and what follows, up to the next heading). */
function subsection(doc: Document, title: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.type === 'heading' && b.level === 3 && b.text === title);
  if (start < 0) return [];
  const rest = doc.blocks.slice(start + 1);
  const end = rest.findIndex((b) => b.type === 'heading');
  return [doc.blocks[start]!, ...(end < 0 ? rest : rest.slice(0, end))];
}

/** One level-2 section of a document (its heading and what follows, up to the next one). */
function section(doc: Document, title: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.type === 'heading' && b.level <= 2 && b.text === title);
  if (start < 0) return [];
  const rest = doc.blocks.slice(start + 1);
  const end = rest.findIndex((b) => b.type === 'heading' && b.level <= 2);
  return [doc.blocks[start]!, ...(end < 0 ? rest : rest.slice(0, end))];
}

/**
 * The email that circulates the pack: its "At a glance" section, agenda and trend pictures (the
 * same blocks as the pack, so the email and the pack say the same), and the link. A pack built with register
 * problems says so in the subject too.
 */
export function packEmail(register: Register, meeting: Meeting, pack: Document, where: string): Email {
  const when = formatDate(meeting.date);
  const problems = pack.blocks.some((b) => b.type === 'heading' && b.box === 'problems');
  const mark = problems ? / — (built with \d+ register problems?)/.exec(pack.subtitle ?? '')?.[1] : undefined;
  const blocks: Block[] = [
    {
      type: 'paragraph',
      content: [
        `The pack for the milestone meeting on ${when} is ready: `,
        /^https?:/.test(where) ? { text: where, link: where } : where,
      ],
    },
    ...section(pack, 'At a glance'),
    ...subsection(pack, ACTIONS_TITLE),
    ...section(pack, 'Agenda'),
    ...section(pack, 'Trend'),
    {
      type: 'paragraph',
      content: [
        'The topics with the reasons for each rank, the member updates, deferred topics, the tracking table by strategic priority and health are in the pack.',
        ...(problems ? [' The register problems are listed at its end, with what to fix.'] : []),
      ],
    },
  ];
  // An owner named for missing meetings in a row is named to the leader: copied when not already reached.
  const to = team(register);
  const leader = register.settings.leader;
  const copyLeader = leader && !to.includes(leader) && repeatedNonResponders(register, meeting).length > 0;
  return toEmail(`pack/${meeting.date}`, 'pack', to, copyLeader ? [leader] : [], sender(register), {
    title: `Meeting pack: milestone meeting ${when}${mark ? ` (${mark})` : ''}`,
    blocks,
  });
}

/** The note on a decision recorded on a slot's lead that the slot's other topics take. */
function alsoCovers(n: number): Inline[] {
  if (!n) return [];
  return [
    { text: ` (and the ${n === 1 ? 'related topic' : `${n} related topics`} of its slot)`, muted: true },
  ];
}

export function digestEmail(register: Register, meeting: Meeting, now: string): Email {
  const when = formatDate(meeting.date);
  const topics = register.topics
    .filter((t) => t.meeting === meeting.date && t.topicId && t.rank !== undefined)
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  // A topic of a slot with no outcome of its own takes the one recorded on the slot's lead.
  const byTopicId = rowsByTopicId(register.topics);
  const outcome = (t: (typeof topics)[number]) => effectiveOutcome(t, byTopicId);
  const decided = topics.filter((t) => t.outcome && t.outcome !== 'Deferred');
  const deferred = topics.filter((t) => !outcome(t) || outcome(t) === 'Deferred');
  const covered = (t: (typeof topics)[number]) =>
    topics.filter((m) => !m.outcome && m !== t && slotLeadOf(m) === t.topicId && outcome(m) === t.outcome)
      .length;
  const name = (email: string) => ownerNames(register, email.split(/[,;]\s*/).filter(Boolean));
  const prev = previousMeeting(register, meeting);
  const since = prev ? Date.parse(meetingStart(prev, register.settings)) : 0;
  const until = Date.parse(now);
  const changes = register.changes.filter(
    (c) => c.field === 'Status' && Date.parse(c.when) > since && Date.parse(c.when) <= until,
  );
  const title = (id: string) => register.milestones.find((m) => m.id === id)?.title ?? '';
  // A decision tracked in the Actions tab carries its ID: what the next pack and updates call it.
  const actionOf = new Map(
    register.actions.filter((a) => a.topicId).map((a) => [a.topicId.toLowerCase(), a.id]),
  );
  const trackedAs = (decision: string, topicId: string) => {
    const id = decision ? actionOf.get(topicId.toLowerCase()) : undefined;
    return id ? `${decision} (tracked as ${id})` : decision;
  };
  const blocks: Block[] = [
    { type: 'paragraph', content: [`Key items from the milestone meeting on ${when}.`] },
    { type: 'heading', level: 2, text: 'Decisions and actions' },
    decided.length
      ? {
          type: 'table',
          columns: ['Topic', 'Outcome', 'Decision / action', 'Action owner', 'Due'],
          rows: decided.map((t) => [
            cell(t.topic, ...alsoCovers(covered(t))),
            cell(t.outcome),
            cell(trackedAs(t.decision, t.topicId)),
            cell(t.actionOwner ? name(t.actionOwner) : ''),
            cell(t.actionDue ? formatDate(t.actionDue) : ''),
          ]),
        }
      : { type: 'paragraph', content: ['No outcomes were recorded in the Topics tab.'] },
    { type: 'heading', level: 2, text: 'Status changes since the last meeting' },
    changes.length
      ? {
          type: 'table',
          columns: ['Milestone', 'From', 'To', 'By'],
          rows: changes.map((c) => [
            cell(`${c.milestone} ${title(c.milestone)}`),
            { content: [c.from || '—'] },
            { content: [c.to], status: c.to as Milestone['status'] },
            cell(c.by ? name(c.by) : c.source),
          ]),
        }
      : { type: 'paragraph', content: ['None.'] },
    { type: 'heading', level: 2, text: 'Deferred to the next meeting' },
    deferred.length
      ? {
          type: 'list',
          ordered: false,
          items: deferred.map((t): Inline[] => [
            `${t.topic}${t.deferrals ? ` (already deferred ${t.deferrals}×)` : ''}`,
          ]),
        }
      : { type: 'paragraph', content: ['Nothing: every topic was reached.'] },
  ];
  return toEmail(`digest/${meeting.date}`, 'digest', team(register), [], sender(register), {
    title: `Key items: milestone meeting ${when}`,
    blocks,
  });
}

/** A Milestones row whose Owner names nobody on the Team tab (register.ts reports the cell). */
export interface UnresolvedOwner {
  row: number;
  /** The milestone's ID, '' when it has none yet. */
  id: string;
  title: string;
  /** The Owner cell as written ('Tom B'), '' when blank. */
  owner: string;
}

/**
 * To the process manager: the open milestones whose owner is not on the Team tab get no update
 * request, so each is listed with its row, the Owner cell and what to write there. Once per
 * meeting (keyed by it), from whichever request or reminder run first finds one.
 */
export function unresolvedOwnersEmail(
  register: Register,
  meeting: Meeting,
  rows: UnresolvedOwner[],
): Email | undefined {
  const to = register.settings.processManager || register.settings.leader;
  if (!to || rows.length === 0) return undefined;
  const when = formatDate(meeting.date);
  const n = rows.length;
  const blocks: Block[] = [
    {
      type: 'paragraph',
      content: [
        `${n === 1 ? 'One open milestone has' : `${n} open milestones have`} an owner who is not on the Team tab, so `,
        {
          text: n === 1 ? 'no one was asked for its update' : 'no one was asked for their updates',
          bold: true,
        },
        ` for the milestone meeting on ${when}:`,
      ],
    },
    {
      type: 'table',
      columns: ['Tab', 'Row', 'ID', 'Milestone', 'Owner as written'],
      rows: rows.map((r) => [
        cell('Milestones'),
        cell(String(r.row)),
        cell(r.id || '(none yet)'),
        cell(r.title),
        cell(r.owner ? `"${r.owner}"` : '(blank)'),
      ]),
    },
    {
      type: 'paragraph',
      content: [
        'To fix: write in Owner the email (or the unique name) of someone on the Team tab, or add the person to the Team tab. ',
        'The next request run then sends them their request (`milepost validate` checks the register).',
      ],
    },
  ];
  return toEmail(`unresolved-owners/${meeting.date}`, 'notice', [to], [], sender(register), {
    title: `Milestone owners not on the Team tab: ${plural(n, 'milestone')} without an update request for ${when}`,
    blocks,
  });
}
