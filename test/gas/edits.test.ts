/**
 * People editing the register in the browser, with the real bundle (appsscript/Code.js) in the
 * fakes: the simple onEdit trigger on pasted ranges (new IDs, notes on the cells with problems),
 * rows deleted and ranges sorted (no onEdit fires: the next sync must still write every value to
 * its own milestone, and an ID is never given twice), and a hand edit of Status recorded in
 * Changes at once and shown in the next pack's "changed since last meeting".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COSTS, isDate } from '../../gas-fakes/core';
import type { EditEvent } from '../../gas-fakes/events';
import { loadBundle } from '../../gas-fakes/load';
import type { GasWorld } from '../../gas-fakes/world';
import type { Snapshot } from '../../src/core/types';
import { BUNDLE, bundleExists, newWorld, registerOf, respondAll, run, sampleSnapshot, T } from './week';

const TOM = 'tom.becker@northwind.example';
/** Milestones columns (1-based). */
const COL = { id: 1, priority: 2, title: 3, owner: 4, due: 5, status: 6 };
/** Calls a simple trigger may not make (they need authorisation) — the fakes refuse them, too. */
const AUTHORISED = ['MailApp.', 'FormApp.', 'DriveApp.', 'Docs.', 'ScriptApp.', 'Form.', 'File.', 'Folder.'];

let sample: Snapshot;
beforeAll(async () => {
  expect(bundleExists(), 'appsscript/Code.js: run npm run build:gas (npm test does)').toBe(true);
  sample = await sampleSnapshot();
});

/**
 * Runs the simple onEdit trigger with the event a person's edit sends (authMode LIMITED, 30 s),
 * as Apps Script does; checks it ran as one: nothing needing authorisation, within its 30 s.
 */
function onEdit(world: GasWorld, event: EditEvent): void {
  expect(String(event.authMode)).toBe('LIMITED');
  const counts = world.counts();
  const at = world.now();
  loadBundle(BUNDLE, world).call('onEdit', event);
  expect(world.now() - at).toBeLessThan(30_000);
  const calls = Object.entries(world.counts()).filter(([k, n]) => n !== (counts[k] ?? 0));
  expect(calls.filter(([k]) => AUTHORISED.some((p) => k.startsWith(p)))).toEqual([]);
  expect(world.logs.filter((l) => l.level === 'error')).toEqual([]);
}

/** The Milestones tab by ID: every cell as text (dates as ISO), for comparing rows between worlds. */
function milestoneRows(world: GasWorld): Map<string, string[]> {
  const [, ...rows] = world.values('Milestones');
  return new Map(
    rows.map((r) => [String(r[0]), r.map((v) => (isDate(v) ? v.toISOString() : String(v)))] as const),
  );
}

function note(world: GasWorld, row: number, col: number): string {
  return world.sheet('Milestones').cell(row, col)?.note ?? '';
}

describe('onEdit on a pasted range', () => {
  it('gives each new row an ID; a cell with a problem gets a note explaining it and keeps its value; the others have none', () => {
    const world = newWorld(sample, { costs: DEFAULT_COSTS });
    run(world, 'milepostSetup', T.setup);
    world.setNow(new Date('2026-12-01T09:00:00Z'));
    const tom = world.person(TOM);
    const last = world.sheet('Milestones').lastRow();
    expect(last).toBe(32);
    // Three rows copied from elsewhere, pasted from the Priority column on (no IDs).
    const edit = tom.paste('Milestones', `B${last + 1}`, [
      ['Self-serve growth', 'Referral programme live', TOM, '2027-01-20', 'On track'],
      ['Self-serve growth', 'Partner directory', 'nobody@elsewhere.example', '2027-02-03', 'On track'],
      ['Enterprise readiness', 'SCIM provisioning', TOM, 'next spring', 'Might miss'],
    ]);
    expect(edit.value).toBeUndefined(); // a paste sends neither value nor oldValue
    onEdit(world, edit);

    const ids = [33, 34, 35].map((r) => world.sheet('Milestones').cell(r, COL.id)?.v);
    expect(ids).toEqual(['M-0032', 'M-0033', 'M-0034']);
    // The problems: an owner not on Team, a due date that is not a date. The edits stay.
    expect(world.values('Milestones')[33]![COL.owner - 1]).toBe('nobody@elsewhere.example');
    expect(note(world, 34, COL.owner)).toMatch(
      /^Milestones, row 34, column Owner: found "nobody@elsewhere\.example"; expected the email \(or unique name\) of someone on the Team tab/,
    );
    expect(world.values('Milestones')[34]![COL.due - 1]).toBe('next spring');
    expect(note(world, 35, COL.due)).toMatch(
      /^Milestones, row 35, column Due: found "next spring"; expected a date/,
    );
    // Every other pasted cell has no note.
    for (let r = 33; r <= 35; r++) {
      for (let c = COL.priority; c <= COL.status; c++) {
        if ((r === 34 && c === COL.owner) || (r === 35 && c === COL.due)) continue;
        expect(note(world, r, c), `row ${r}, column ${c}`).toBe('');
      }
    }
    // One read and one write of the notes, whatever the size of the paste.
    expect(world.count('Range.setNotes')).toBe(1);

    // The person fixes the owner: that note goes; the other stays.
    onEdit(world, tom.setValue('Milestones', 'D34', TOM));
    expect(note(world, 34, COL.owner)).toBe('');
    expect(note(world, 35, COL.due)).toMatch(/column Due/);
    // The hand-typed Status of the new row ("Might miss") is a change from the default, recorded.
    const changes = registerOf(world).changes.filter((c) => c.milestone === 'M-0034');
    expect(changes.map((c) => [c.field, c.from, c.to, c.source])).toEqual([
      ['Status', 'On track', 'Might miss', 'sheet'],
    ]);
  });
});

describe('rows deleted and a range sorted (no onEdit fires)', () => {
  it('the next sync writes every value to its own milestone, and a deleted ID is never given again', () => {
    // Two worlds, the same week: in one, a person deletes and sorts rows before the sync.
    const worlds = [newWorld(sample), newWorld(sample)] as const;
    for (const world of worlds) {
      run(world, 'milepostSetup', T.setup);
      run(world, 'milepostRequest', T.request);
      world.setNow(new Date(T.sync));
      respondAll(world, false);
    }
    const [control, edited] = worlds;
    const before = milestoneRows(edited);
    const person = edited.person(TOM);
    // M-0031 (the newest ID: no change or topic ever recorded it) and M-0002 (Tom's, answered in
    // his response) go; the rest is sorted by owner, then the tab is pasted a new row.
    expect(edited.values('Milestones')[31]![0]).toBe('M-0031');
    person.deleteRows('Milestones', 32);
    expect(edited.values('Milestones')[2]![0]).toBe('M-0002');
    person.deleteRows('Milestones', 3);
    const rows = edited.sheet('Milestones').lastRow();
    person.sortRange('Milestones', `A2:J${rows}`, COL.owner);
    const order = edited.values('Milestones').map((r) => r[0]);
    expect(order).not.toEqual([...order].sort());

    for (const world of worlds) run(world, 'milepostSync', T.sync);
    const synced = milestoneRows(control);
    const after = milestoneRows(edited);
    // The sync changed rows (statuses, forecasts, Last update from the responses)…
    const changed = [...after.keys()].filter((id) => before.get(id)!.join('|') !== after.get(id)!.join('|'));
    expect(changed.length).toBeGreaterThan(5);
    // …and every row holds what the same sync wrote for that milestone where nothing moved.
    expect(new Set(after.keys())).toEqual(
      new Set([...synced.keys()].filter((id) => id !== 'M-0031' && id !== 'M-0002')),
    );
    for (const [id, row] of after) expect(row, id).toEqual(synced.get(id));
    // The rows stay where the person sorted them.
    expect(edited.values('Milestones').map((r) => r[0])).toEqual(order);

    // A new row: the next ID, not the deleted M-0031.
    const next = edited.sheet('Milestones').lastRow() + 1;
    onEdit(
      edited,
      person.paste('Milestones', `B${next}`, [
        ['Self-serve growth', 'In-app upgrade flow', TOM, '2027-02-10'],
      ]),
    );
    expect(edited.values('Milestones')[next - 1]![0]).toBe('M-0032');
    const ids = edited
      .values('Milestones')
      .slice(1)
      .map((r) => String(r[0]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('M-0031');
    expect(ids).not.toContain('M-0002');
  });
});

/** The pack Doc's tables, each under the last heading before it, rows as cell texts. */
function docTables(world: GasWorld, documentId: string): { heading: string; rows: string[][] }[] {
  type El = {
    paragraph?: {
      elements?: { textRun?: { content?: string } }[];
      paragraphStyle?: { namedStyleType?: string };
    };
    table?: { tableRows?: { tableCells?: { content?: El[] }[] }[] };
  };
  const doc = world.docs.get(documentId) as { body: { content: El[] } };
  const text = (els: El[] = []): string =>
    els
      .map((e) => (e.paragraph?.elements ?? []).map((x) => x.textRun?.content ?? '').join(''))
      .join('')
      .trim();
  const out: { heading: string; rows: string[][] }[] = [];
  let heading = '';
  for (const e of doc.body.content) {
    // (The empty paragraph before a table may carry a heading style: it is no heading.)
    if (e.paragraph?.paragraphStyle?.namedStyleType?.startsWith('HEADING') && text([e])) heading = text([e]);
    if (e.table)
      out.push({
        heading,
        rows: (e.table.tableRows ?? []).map((r) => (r.tableCells ?? []).map((c) => text(c.content))),
      });
  }
  return out;
}

describe('a hand edit to Status', () => {
  it('is in Changes at once (source sheet), and in the next pack under "changed since last meeting"', () => {
    const world = newWorld(sample, { costs: DEFAULT_COSTS });
    run(world, 'milepostSetup', T.setup);
    run(world, 'milepostSync', T.request);
    const changesBefore = world.values('Changes').length;
    // Tom marks his pricing test (M-0002, row 3) Might miss in the Sheet.
    world.setNow(new Date('2026-12-01T09:00:00Z'));
    expect(world.values('Milestones')[2]!.slice(0, 1)).toEqual(['M-0002']);
    const edit = world.person(TOM).setValue('Milestones', `F3`, 'Might miss');
    expect([edit.oldValue, edit.value]).toEqual(['On track', 'Might miss']);
    onEdit(world, edit);
    // One row, read back as the core reads the tab (When: the edit's time, to the minute).
    const added = registerOf(world).changes.slice(changesBefore - 1);
    expect(
      added.map((c) => [
        c.when.slice(0, 16),
        c.milestone,
        c.field,
        c.from,
        c.to,
        c.by,
        c.source,
        c.responseId,
      ]),
    ).toEqual([['2026-12-01T09:00', 'M-0002', 'Status', 'On track', 'Might miss', '', 'sheet', '']]);

    run(world, 'milepostPack', T.pack);
    // Recorded once: the pack's sync does not record the hand edit again.
    expect(
      registerOf(world).changes.filter((c) => c.milestone === 'M-0002' && c.to === 'Might miss'),
    ).toHaveLength(1);
    const link = registerOf(world).meetings.find((m) => m.date === '2026-12-03')!.pack;
    const documentId = /\/document\/d\/([\w-]+)/.exec(link)![1]!;
    const tom = registerOf(world).team.find((p) => p.email === TOM)!;
    const table = docTables(world, documentId).find(
      (t) => t.heading === `${tom.name} — ${tom.group}` && t.rows[0]?.includes('Changed since last meeting'),
    );
    expect(table, `no table of ${tom.name}'s milestones in the pack`).toBeDefined();
    const column = table!.rows[0]!.indexOf('Changed since last meeting');
    const row = table!.rows.find((r) => r[0] === 'M-0002')!;
    expect(row[column]).toBe('Status On track → Might miss');
    expect(row[table!.rows[0]!.indexOf('Status')]).toBe('Might miss');
  });
});

describe('onEdit is a simple trigger', () => {
  it('on every tab it makes no call needing authorisation and ends well within its 30 s (default costs)', () => {
    const world = newWorld(sample, { costs: DEFAULT_COSTS });
    run(world, 'milepostSetup', T.setup);
    run(world, 'milepostRequest', T.request);
    const person = world.person(TOM);
    const tabs = world.spreadsheet.state.sheets.map((s) => s.name);
    expect(tabs).toEqual(expect.arrayContaining(['Milestones', 'Settings', 'Milepost form']));
    for (const tab of tabs) {
      // The person pastes row 2 back onto itself, and types one cell of it again.
      const row = world.values(tab)[1] ?? [''];
      onEdit(world, person.paste(tab, 'A2', [row]));
      const first = row[0];
      onEdit(world, person.setValue(tab, 'A2', isDate(first) ? first.toISOString().slice(0, 10) : first));
    }
    expect(world.logs.filter((l) => /holds the lock|Exception|Error/.test(l.message))).toEqual([]);
  });
});
