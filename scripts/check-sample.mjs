#!/usr/bin/env node
// Checks that templates/sample (register.json, responses.jsonl) agrees with templates/layout.json
// and tells one consistent story. Plain Node, no dependencies: `node scripts/check-sample.mjs`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layout = JSON.parse(readFileSync(join(root, 'templates/layout.json'), 'utf8'));
const register = JSON.parse(readFileSync(join(root, 'templates/sample/register.json'), 'utf8'));
const responseLines = readFileSync(join(root, 'templates/sample/responses.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');

/** The sample's "now": everything in the register happened before it. */
const NOW = '2026-11-30T09:00:00Z';
const RESPONSES_FROM = '2026-11-30T09:30:00Z';
const RESPONSES_UNTIL = '2026-12-02T10:00:00Z';
/** Lines that are wrong on purpose, so the ingestion rules have something to reject. */
const DELIBERATE_UNKNOWN_EMAILS = new Set(['chris.doyle@northwind.example']);
const DELIBERATE_UNKNOWN_IDS = new Set(['M-0999']);

const errors = [];
const fail = (where, message) => errors.push(`${where}: ${message}`);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const isDate = (v) =>
  typeof v === 'string' && ISO_DATE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const isInstant = (v) =>
  typeof v === 'string' && ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)) && isDate(v.slice(0, 10));
const blank = (v) => v === '' || v === null || v === undefined;
const ids = (text) =>
  String(text)
    .split(/[,;\s]+/)
    .filter(Boolean);

// ---------- shape: every tab, exactly the layout's headers, typed cells ----------

for (const name of Object.keys(register)) {
  if (!layout.tabs.some((t) => t.name === name)) fail(name, 'tab is not in the layout');
}
for (const tab of layout.tabs) {
  const rows = register[tab.name];
  if (!Array.isArray(rows)) {
    fail(tab.name, 'tab missing (expected an array of records)');
    continue;
  }
  const headers = tab.columns.map((c) => c.header);
  const keys = new Set();
  rows.forEach((row, i) => {
    const where = `${tab.name} row ${i + 2}`;
    for (const h of headers) if (!(h in row)) fail(where, `missing header "${h}"`);
    for (const k of Object.keys(row)) if (!headers.includes(k)) fail(where, `extra key "${k}"`);
    for (const col of tab.columns) {
      const v = row[col.header];
      if (blank(v)) continue;
      const at = `${where}, ${col.header}`;
      if (col.type === 'date' && !isDate(v)) fail(at, `"${v}" is not a YYYY-MM-DD date`);
      if (col.type === 'instant' && !isInstant(v)) fail(at, `"${v}" is not an ISO UTC instant ending in Z`);
      if (col.type === 'integer' && !Number.isInteger(v)) fail(at, `${JSON.stringify(v)} is not an integer`);
      if (col.type === 'number' && typeof v !== 'number') fail(at, `${JSON.stringify(v)} is not a number`);
      if (col.list && !layout.lists[col.list].includes(v)) fail(at, `"${v}" is not in the list ${col.list}`);
      if (col.type === 'instant' && v >= NOW && tab.name !== 'Meetings')
        fail(at, `${v} is not before ${NOW}`);
    }
    if (tab.key) {
      const key = row[tab.key];
      if (blank(key)) {
        // Only a hand-raised topic may lack its key: Milepost assigns it.
        if (!(tab.name === 'Topics' && row.Kind === 'raised')) fail(where, `blank ${tab.key}`);
      } else if (keys.has(String(key).toLowerCase())) fail(where, `duplicate ${tab.key} "${key}"`);
      else keys.add(String(key).toLowerCase());
    }
  });
}

const t = (name) => (Array.isArray(register[name]) ? register[name] : []);
const team = new Map(t('Team').map((p) => [String(p.Email).toLowerCase(), p]));
const milestones = new Map(t('Milestones').map((m) => [m.ID, m]));
const priorities = new Map(t('Priorities').map((p) => [p.Priority, p]));
const groups = new Set(t('Team').map((p) => p.Group));
const groupOf = (email) => team.get(String(email).toLowerCase())?.Group;
const isOpen = (m) => m.Status !== 'Done' && m.Status !== 'Dropped';

// ---------- Team, Priorities, Settings ----------

for (const p of t('Team')) {
  const where = `Team ${p.Email}`;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(p.Email)) fail(where, 'not an email address');
  if (!blank(p.Delegate) && !team.has(p.Delegate)) fail(where, `delegate ${p.Delegate} is not in Team`);
  if (p.Delegate === p.Email) fail(where, 'is their own delegate');
}
for (const role of ['leader', 'manager']) {
  const n = t('Team').filter((p) => p.Role === role).length;
  if (n !== 1) fail('Team', `expected one ${role}, found ${n}`);
}
const ranks = t('Priorities')
  .map((p) => p.Rank)
  .sort((a, b) => a - b);
if (ranks.some((r, i) => r !== i + 1)) fail('Priorities', `ranks ${ranks.join(', ')} are not 1..n`);
for (const p of t('Priorities')) {
  if (!team.has(p.Sponsor)) fail(`Priorities ${p.Priority}`, `sponsor ${p.Sponsor} is not in Team`);
}

const settings = new Map(t('Settings').map((s) => [s.Setting, s.Value]));
for (const s of layout.settings) {
  if (!settings.has(s.key)) fail('Settings', `missing "${s.key}"`);
  else if (typeof settings.get(s.key) !== typeof s.value) {
    fail(`Settings ${s.key}`, `value ${JSON.stringify(settings.get(s.key))} should be a ${typeof s.value}`);
  }
}
for (const key of settings.keys()) {
  if (!layout.settings.some((s) => s.key === key)) fail('Settings', `unknown setting "${key}"`);
}
for (const key of ['Process manager', 'Leader']) {
  const role = key === 'Leader' ? 'leader' : 'manager';
  if (team.get(settings.get(key))?.Role !== role) fail(`Settings ${key}`, `should be the Team's ${role}`);
}
if (!isDate(settings.get('First meeting'))) fail('Settings First meeting', 'not a date');

// ---------- Milestones ----------

for (const m of t('Milestones')) {
  const where = `Milestones ${m.ID}`;
  if (!/^M-\d{4,}$/.test(m.ID)) fail(where, 'ID should look like M-0007');
  const owner = team.get(String(m.Owner).toLowerCase());
  if (!owner) fail(where, `owner ${m.Owner} is not in Team`);
  else if (owner.Active !== 'yes' && isOpen(m)) fail(where, `open milestone owned by inactive ${m.Owner}`);
  if (!priorities.has(m.Priority)) fail(where, `priority "${m.Priority}" is not in Priorities`);
  if (blank(m.Due)) fail(where, 'Due is required');
  for (const dep of ids(m['Depends on'])) {
    if (!milestones.has(dep)) fail(where, `depends on unknown ${dep}`);
    if (dep === m.ID) fail(where, 'depends on itself');
  }
}
// Cycles: depth-first search with colours.
const colour = new Map();
const visit = (id, path) => {
  if (colour.get(id) === 'done') return;
  if (colour.get(id) === 'active') {
    fail('Milestones', `dependency cycle ${[...path, id].join(' -> ')}`);
    return;
  }
  colour.set(id, 'active');
  for (const dep of ids(milestones.get(id)?.['Depends on'] ?? ''))
    if (milestones.has(dep)) visit(dep, [...path, id]);
  colour.set(id, 'done');
};
for (const id of milestones.keys()) visit(id, []);

// ---------- Meetings ----------

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
for (const mt of t('Meetings')) {
  const where = `Meetings ${mt.Date}`;
  const day = weekdays[new Date(`${mt.Date}T00:00:00Z`).getUTCDay()];
  if (day !== settings.get('Meeting weekday')) fail(where, `is a ${day}`);
  if (mt.Status === 'Planned') {
    for (const h of ['Pack', 'Requests sent', 'Reminders sent', 'Wrapped up']) {
      if (!blank(mt[h])) fail(where, `a planned meeting has ${h} filled`);
    }
  }
  if (mt.Status === 'Held' && (blank(mt['Requests sent']) || blank(mt['Wrapped up']))) {
    fail(where, 'a held meeting needs Requests sent and Wrapped up');
  }
}

// ---------- Changes: chains per milestone and field end at the register's values ----------

const last = new Map();
for (const [i, c] of t('Changes').entries()) {
  const where = `Changes row ${i + 2}`;
  const m = milestones.get(c.Milestone);
  if (!m) fail(where, `unknown milestone ${c.Milestone}`);
  if (c.Field !== 'Status' && c.Field !== 'Forecast') fail(where, `Field "${c.Field}"`);
  if (c.Field === 'Status' && !layout.lists.status.includes(c.To)) fail(where, `status "${c.To}"`);
  if (c.Field === 'Forecast' && !isDate(c.To)) fail(where, `forecast "${c.To}" is not a date`);
  if (c.Source === 'auto') {
    if (c.By !== 'milepost') fail(where, 'an auto change is made By "milepost"');
    if (c.Field !== 'Status' || c.To !== 'Missed') fail(where, 'an auto change sets Status to Missed');
  } else if (!team.has(String(c.By).toLowerCase()) && !(c.Source === 'sheet' && c.By === '')) {
    fail(where, `By ${c.By} is not in Team`);
  }
  if ((c.Source === 'form') !== !blank(c['Response ID']))
    fail(where, 'Response ID is set exactly for form changes');
  const key = `${c.Milestone}/${c.Field}`;
  const prev = last.get(key);
  if (prev && prev.When > c.When) fail(where, 'out of order');
  const from = prev ? prev.To : c.Field === 'Status' ? 'On track' : '';
  if (prev && c.From !== from) fail(where, `From "${c.From}" but the previous change set "${from}"`);
  last.set(key, c);
}
// Milepost compares each milestone with its last change and records any difference as a hand
// edit ('sheet') on the next sync, so every status but On track and every forecast needs a chain.
for (const m of milestones.values()) {
  for (const [field, current, initial] of [
    ['Status', m.Status, 'On track'],
    ['Forecast', m.Forecast, ''],
  ]) {
    const c = last.get(`${m.ID}/${field}`);
    const expected = c ? c.To : initial;
    if (current !== expected) {
      fail(`Milestones ${m.ID}`, `${field} is "${current}" but the Changes history ends at "${expected}"`);
    }
  }
}

// ---------- Updates: one row per response, Result agrees with Changes ----------

const updateIds = new Set();
const updateMeetings = new Set();
for (const [i, u] of t('Updates').entries()) {
  const where = `Updates row ${i + 2} (${u['Response ID']})`;
  if (updateIds.has(u['Response ID'])) fail(where, 'duplicate Response ID');
  updateIds.add(u['Response ID']);
  updateMeetings.add(u.Meeting);
  if (!team.has(String(u.Email).toLowerCase())) fail(where, `email ${u.Email} is not in Team`);
  if (!t('Meetings').some((mt) => mt.Date === u.Meeting && mt.Status === 'Held')) {
    fail(where, `meeting ${u.Meeting} is not a held meeting`);
  }
  const n = t('Changes').filter((c) => c['Response ID'] === u['Response ID']).length;
  const expected = n === 0 ? 'Applied: no changes' : `Applied: ${n} change${n === 1 ? '' : 's'}`;
  if (String(u.Result).startsWith('Applied') && u.Result !== expected) {
    fail(where, `Result "${u.Result}" but Changes has ${n} rows for it`);
  }
  if (!blank(u['Help from']) && !groups.has(u['Help from']) && !team.has(u['Help from'])) {
    fail(where, `Help from "${u['Help from']}" is neither a group nor a Team email`);
  }
  const covers = ids(u.Milestones);
  for (const id of covers) {
    const m = milestones.get(id);
    const by = String(u.Email).toLowerCase();
    if (!m) fail(where, `Milestones names unknown ${id}`);
    else if (m.Owner !== by && team.get(m.Owner)?.Delegate !== by) fail(where, `${by} may not update ${id}`);
  }
  for (const c of t('Changes').filter((x) => x['Response ID'] === u['Response ID'])) {
    if (c.When !== u.Received) fail(where, `change of ${c.Milestone} is not dated at the submit time`);
    if (!covers.includes(c.Milestone)) fail(where, `Milestones does not list changed ${c.Milestone}`);
  }
  for (const line of String(u.Comments).split('\n').filter(Boolean)) {
    const id = line.split(':')[0];
    if (!milestones.has(id)) fail(where, `comment names unknown milestone ${id}`);
  }
}
for (const [i, c] of t('Changes').entries()) {
  const meeting = String(c['Response ID']).slice(5, 15);
  if (c.Source === 'form' && updateMeetings.has(meeting) && !updateIds.has(c['Response ID'])) {
    fail(`Changes row ${i + 2}`, `no Updates row for ${c['Response ID']}`);
  }
}

// ---------- Topics ----------

for (const [i, tp] of t('Topics').entries()) {
  const where = `Topics row ${i + 2} (${tp['Topic ID'] || 'new'})`;
  if (blank(tp['Topic ID'])) {
    if (blank(tp.Topic) || !isDate(tp.Meeting)) fail(where, 'a hand-raised topic needs Topic and Meeting');
    continue;
  }
  const [meeting, kind, subject, ...rest] = String(tp['Topic ID']).split('/');
  if (rest.length || meeting !== tp.Meeting || kind !== tp.Kind)
    fail(where, 'Topic ID is not Meeting/Kind/subject');
  const milestoneIds = ids(tp.Milestone);
  if (kind === 'might-miss' || kind === 'missed') {
    if (subject !== tp.Milestone || !milestones.has(subject)) fail(where, 'subject should be its milestone');
  } else if (kind === 'dependency') {
    const [up, down] = subject.split('>');
    if (!milestones.has(up) || !milestones.has(down)) fail(where, 'subject should be upstream>downstream');
    else if (!ids(milestones.get(down)['Depends on']).includes(up))
      fail(where, `${down} does not depend on ${up}`);
    if (milestoneIds.join(',') !== `${up},${down}`) fail(where, 'Milestone should list upstream, downstream');
  } else if (kind === 'help' || kind === 'stale') {
    if (!team.has(subject) || tp.Owner !== subject) fail(where, 'subject should be the owner email');
  } else if (kind === 'raised' && !/^R-\d{4}$/.test(subject)) fail(where, 'subject should be R-0001');
  for (const owner of ids(tp.Owner)) if (!team.has(owner)) fail(where, `owner ${owner} is not in Team`);
  if (!blank(tp['Action owner']) && !team.has(tp['Action owner'])) fail(where, 'action owner is not in Team');
  if (typeof tp.Score !== 'number' || blank(tp.Why)) fail(where, 'needs Score and Why');
}

// ---------- responses.jsonl ----------

const seen = new Map();
const emailsUsed = new Set();
const idsUsed = new Set();
const rejected = { unknownEmail: 0, unknownId: 0, closedMilestone: 0, notOwner: 0, duplicate: 0, edited: 0 };
for (const [i, line] of responseLines.entries()) {
  const where = `responses.jsonl line ${i + 1}`;
  let r;
  try {
    r = JSON.parse(line);
  } catch (e) {
    fail(where, `does not parse: ${e.message}`);
    continue;
  }
  for (const f of ['responseId', 'submittedAt', 'email', 'wins', 'learnings', 'helpNeeded', 'helpFrom']) {
    if (typeof r[f] !== 'string') fail(where, `${f} should be a string`);
  }
  for (const f of ['statuses', 'forecasts', 'comments']) {
    if (typeof r[f] !== 'object' || r[f] === null || Array.isArray(r[f]))
      fail(where, `${f} should be an object`);
  }
  if (!isInstant(r.submittedAt) || r.submittedAt < RESPONSES_FROM || r.submittedAt > RESPONSES_UNTIL) {
    fail(where, `submittedAt ${r.submittedAt} is outside ${RESPONSES_FROM} .. ${RESPONSES_UNTIL}`);
  }
  const previous = seen.get(r.responseId);
  if (previous) {
    if (previous.submittedAt === r.submittedAt) {
      if (previous.line !== line) fail(where, 'same responseId and submittedAt but different content');
      rejected.duplicate++;
    } else if (previous.submittedAt < r.submittedAt) rejected.edited++;
    else fail(where, 'an edited response should come with a later submittedAt');
  }
  seen.set(r.responseId, { submittedAt: r.submittedAt, line });
  const email = String(r.email).toLowerCase();
  emailsUsed.add(email);
  const person = team.get(email);
  if (!person) {
    if (!DELIBERATE_UNKNOWN_EMAILS.has(email)) fail(where, `email ${email} is not in Team`);
    else rejected.unknownEmail++;
  }
  if (!blank(r.helpFrom) && !groups.has(r.helpFrom) && !team.has(r.helpFrom)) {
    fail(where, `helpFrom "${r.helpFrom}" is neither a group nor a Team email`);
  }
  const touched = new Set([...Object.keys(r.statuses ?? {}), ...Object.keys(r.forecasts ?? {})]);
  for (const id of touched) idsUsed.add(id);
  for (const [id, status] of Object.entries(r.statuses ?? {})) {
    if (!layout.lists.status.includes(status)) fail(where, `status "${status}" for ${id}`);
  }
  for (const [id, date] of Object.entries(r.forecasts ?? {})) {
    if (!isDate(date)) fail(where, `forecast "${date}" for ${id}`);
  }
  for (const id of touched) {
    const m = milestones.get(id);
    if (!m) {
      if (!DELIBERATE_UNKNOWN_IDS.has(id)) fail(where, `unknown milestone ${id}`);
      else rejected.unknownId++;
      continue;
    }
    if (!isOpen(m)) rejected.closedMilestone++;
    const owner = team.get(String(m.Owner).toLowerCase());
    if (person && m.Owner !== email && owner?.Delegate !== email) rejected.notOwner++;
  }
}
for (const [rule, n] of Object.entries(rejected)) {
  if (n === 0) fail('responses.jsonl', `no line exercises the rule "${rule}"`);
}

// ---------- the story the demo relies on ----------

const scenario = [];
const expect = (what, ok) => {
  scenario.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) fail('scenario', what);
};
const all = [...milestones.values()];
const changesOf = (id, field = 'Status') =>
  t('Changes').filter((c) => c.Milestone === id && c.Field === field);
const owners = new Set(all.filter(isOpen).map((m) => m.Owner));
const autoMiss = all.filter((m) => m.Status === 'On track' && m.Due < NOW.slice(0, 10));
expect(
  `auto-miss candidate (overdue, On track): ${autoMiss.map((m) => m.ID).join(', ')}`,
  autoMiss.length > 0,
);
const missed = all.filter((m) => m.Status === 'Missed');
const anticipated = missed.filter((m) => changesOf(m.ID).some((c) => c.To === 'Might miss'));
const surprise = missed.filter((m) => !changesOf(m.ID).some((c) => c.To === 'Might miss'));
expect(`anticipated miss: ${anticipated.map((m) => m.ID).join(', ')}`, anticipated.length > 0);
expect(`surprise miss: ${surprise.map((m) => m.ID).join(', ')}`, surprise.length > 0);
const atRisk = all.flatMap((down) =>
  ids(down['Depends on'])
    .map((id) => milestones.get(id))
    .filter((up) => up && up.Status === 'Might miss' && up.Forecast > down.Due)
    .filter((up) => groupOf(up.Owner) !== groupOf(down.Owner))
    .map((up) => `${up.ID}>${down.ID}`),
);
expect(`cross-group dependency at risk: ${atRisk.join(', ')}`, atRisk.length > 0);
const links = all.flatMap((m) => ids(m['Depends on']).map((d) => [d, m.ID]));
const cross = links.filter(
  ([u, d]) => groupOf(milestones.get(u)?.Owner) !== groupOf(milestones.get(d)?.Owner),
);
expect(
  `${links.length} dependency links, ${cross.length} across groups`,
  links.length >= 8 && cross.length > 4,
);
const delegates = t('Team').filter((p) => !blank(p.Delegate));
expect(`delegate: ${delegates.map((p) => `${p.Delegate} for ${p.Email}`).join(', ')}`, delegates.length > 0);
const responders = new Set(
  responseLines
    .map((l) => {
      try {
        return JSON.parse(l).email.toLowerCase();
      } catch {
        return '';
      }
    })
    .filter(Boolean)
    .flatMap((e) => [
      e,
      ...t('Team')
        .filter((p) => p.Delegate === e)
        .map((p) => p.Email),
    ]),
);
const stale = [...owners].filter((o) => !responders.has(o));
expect(
  `stale owners: ${stale.join(', ')} (of ${owners.size} owners)`,
  stale.length === 2 && owners.size === 8,
);
expect(
  `every response email but the deliberate ones is in Team`,
  [...emailsUsed].every((e) => team.has(e) || DELIBERATE_UNKNOWN_EMAILS.has(e)),
);
expect(`deliberate unknown IDs used: ${[...DELIBERATE_UNKNOWN_IDS].join(', ')}`, idsUsed.has('M-0999'));

for (const s of scenario) console.log(s);
console.log(
  `rules exercised by responses.jsonl: ${Object.entries(rejected)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`,
);
if (errors.length) {
  console.error(`\n${errors.length} problem(s) in templates/sample:`);
  for (const e of errors) console.error(`  ${e}`);
  process.exit(1);
}
console.log(
  `templates/sample is consistent: ${Object.entries(register)
    .map(([k, v]) => `${k} ${v.length}`)
    .join(', ')}; ${responseLines.length} responses`,
);
