/**
 * The local workbook as helpful as the Sheet (issue 13 §6): a sync notes each register cell in
 * error (a legacy comment by "Milepost", as Excel and LibreOffice show notes), clears the note
 * once the cell is fixed, never touches a person's note, and adds the dropdowns and date checks
 * an older register lacks — once.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/types';
import { runLocal } from '../../src/local/backend';
import { LocalRuntime } from '../../src/local/runtime';
import { createWorkbook, defaultSettingsRows, workbookBytes } from '../../src/local/workbook';
import { inflate, readZip } from '../../src/local/xlsx/zip';

const NOW = '2026-12-02T12:00:00Z';
const PYTHON = '/usr/bin/python3';
const hasOpenpyxl = spawnSync(PYTHON, ['-c', 'import openpyxl']).status === 0;
const hasSoffice = spawnSync('soffice', ['--version']).status === 0;

const TEAM = [
  { Name: 'Ana', Email: 'ana@example.com', Group: 'Ops', Role: 'member', Active: 'yes' },
  { Name: 'Ben', Email: 'ben@example.com', Group: 'Eng', Role: 'manager', Active: 'yes' },
];
const MILESTONES = [
  { ID: 'M-0001', Priority: 'Grow', Milestone: 'Open', Owner: 'ana@example.com', Due: '2026-12-20' },
  // Row 3: a Due that is not a date, and an owner not in Team.
  { ID: 'M-0002', Priority: 'Grow', Milestone: 'Ship', Owner: 'zed@example.com', Due: 'soon' },
  // Row 4: a Due that is not a date on a cell where a person left a note.
  { ID: 'M-0003', Priority: 'Grow', Milestone: 'Hire', Owner: 'ben@example.com', Due: 'later' },
];

/** A workspace whose register has two cells in error and two notes of a person's (exceljs writes them). */
async function workspace(opts: { validations?: boolean } = {}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-notes-'));
  const wb = createWorkbook(
    {
      Settings: defaultSettingsRows(),
      Team: TEAM,
      Priorities: [{ Priority: 'Grow', Rank: 1, Sponsor: 'ana@example.com' }],
      Milestones: MILESTONES,
    },
    'Europe/London',
  );
  const milestones = wb.getWorksheet('Milestones')!;
  milestones.getCell('C2').note = 'Ana: the opening date is agreed.';
  milestones.getCell('E4').note = 'Ben: waiting for the budget.';
  if (opts.validations === false) {
    // A register made before the dropdowns and date checks: none at all, but one of the person's.
    for (const sheet of wb.worksheets) {
      (sheet as unknown as { dataValidations: { model: object } }).dataValidations.model = {};
    }
    milestones.getCell('G2').dataValidation = {
      type: 'whole',
      operator: 'greaterThan',
      formulae: [0],
      allowBlank: true,
    };
  }
  fs.writeFileSync(path.join(dir, 'register.xlsx'), await workbookBytes(wb));
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), '');
  return dir;
}

const nothing = (): { plan: Plan } => ({
  plan: { timeZone: 'Europe/London', writes: [], appends: [], emails: [] },
});

/** A sync's pass over the workbook (the same option sync and pack use), with `plan` applied. */
function sync(dir: string, plan: () => { plan: Plan } = nothing) {
  return runLocal(dir, 'sync', NOW, plan, undefined, { syncsResponses: true });
}

/** What a person's edit of a cell would be: M-0002's Due set to a date. */
const fixDue = (): { plan: Plan } => ({
  plan: {
    timeZone: 'Europe/London',
    writes: [
      {
        tab: 'Milestones',
        ref: { by: 'key', header: 'ID', value: 'M-0002' },
        column: 'Due',
        value: '2026-12-24',
        previous: 'soon',
      },
    ],
    appends: [],
    emails: [],
  },
});

/** Notes as openpyxl reads them: "Tab!A1" → [author, text]. */
function openpyxlNotes(file: string): Record<string, [string, string]> {
  const script =
    'import sys, json, openpyxl\n' +
    'wb = openpyxl.load_workbook(sys.argv[1])\n' +
    'print(json.dumps({f"{ws.title}!{c.coordinate}": [c.comment.author, c.comment.text] for ws in wb for row in ws.iter_rows() for c in row if c.comment}))';
  const r = spawnSync(PYTHON, ['-c', script, file]);
  expect(r.status, r.stderr.toString()).toBe(0);
  return JSON.parse(r.stdout.toString());
}

/** Validations as openpyxl reads them: "Tab" → ["sqref type"]. */
function openpyxlValidations(file: string): Record<string, string[]> {
  const script =
    'import sys, json, openpyxl\n' +
    'wb = openpyxl.load_workbook(sys.argv[1])\n' +
    'print(json.dumps({ws.title: sorted(f"{d.sqref} {d.type}" for d in ws.data_validations.dataValidation) for ws in wb}))';
  const r = spawnSync(PYTHON, ['-c', script, file]);
  expect(r.status, r.stderr.toString()).toBe(0);
  return JSON.parse(r.stdout.toString());
}

function parts(file: string): Map<string, string> {
  return new Map(readZip(fs.readFileSync(file)).map((e) => [e.name, inflate(e).toString()]));
}

/** The part of the sheet named `tab`. */
function sheetPart(all: Map<string, string>, tab: string): string {
  const workbook = all.get('xl/workbook.xml')!;
  const rels = all.get('xl/_rels/workbook.xml.rels')!;
  const id = new RegExp(`<sheet\\b[^>]*name="${tab}"[^>]*r:id="([^"]*)"`).exec(workbook)![1];
  const target = new RegExp(`<Relationship\\b[^>]*Id="${id}"[^>]*/>`)
    .exec(rels)![0]
    .match(/Target="\/?([^"]*)"/)![1]!;
  return target.startsWith('xl/') ? target : `xl/${target}`;
}

describe('notes on cells in error (local sync)', () => {
  it.runIf(hasOpenpyxl)(
    'puts the problem on the right cell, by Milepost, and keeps a person’s notes',
    async () => {
      const dir = await workspace();
      const file = path.join(dir, 'register.xlsx');
      await sync(dir);
      const notes = openpyxlNotes(file);
      expect(notes['Milestones!E3']?.[0]).toBe('Milepost');
      expect(notes['Milestones!E3']?.[1]).toMatch(/^Milepost: .*Due/);
      expect(notes['Milestones!E3']?.[1]).toMatch(/soon/);
      expect(notes['Milestones!D3']?.[0]).toBe('Milepost');
      expect(notes['Milestones!D3']?.[1]).toMatch(/zed@example\.com/);
      // A cell in error that has a person's note keeps theirs; theirs elsewhere are untouched.
      expect(notes['Milestones!E4']?.[1]).toBe('Ben: waiting for the budget.');
      expect(notes['Milestones!E4']?.[0]).not.toBe('Milepost');
      expect(notes['Milestones!C2']?.[1]).toBe('Ana: the opening date is agreed.');
      // Nothing on cells without a problem.
      expect(Object.keys(notes).sort()).toEqual(
        ['Milestones!C2', 'Milestones!D3', 'Milestones!E3', 'Milestones!E4'].sort(),
      );
    },
  );

  it.runIf(hasOpenpyxl)(
    'clears its note once the cell is fixed, and writes nothing when nothing changed',
    async () => {
      const dir = await workspace();
      const file = path.join(dir, 'register.xlsx');
      await sync(dir);
      const once = fs.readFileSync(file);
      // A second sync with nothing new: the same notes, so the register is not written.
      await sync(dir);
      expect(fs.readFileSync(file).equals(once)).toBe(true);
      await sync(dir, fixDue);
      const notes = openpyxlNotes(file);
      expect(notes['Milestones!E3']).toBeUndefined();
      expect(notes['Milestones!D3']?.[0]).toBe('Milepost');
      expect(notes['Milestones!E4']?.[1]).toBe('Ben: waiting for the budget.');
      expect(notes['Milestones!C2']?.[1]).toBe('Ana: the opening date is agreed.');
      // The VML drawing holds one note box per note: the cleared one's box went with it.
      const all = parts(file);
      const vml = [...all].filter(([n]) => n.endsWith('.vml')).map(([, x]) => x);
      const boxes = vml.join('').match(/ObjectType="Note"/g) ?? [];
      expect(boxes.length).toBe(3);
    },
  );

  it.runIf(hasOpenpyxl)('does the same in a real sync, from the problems the sync found', async () => {
    const dir = await workspace();
    const file = path.join(dir, 'register.xlsx');
    const runtime = new LocalRuntime(dir);
    const first = await runtime.sync(NOW);
    expect(openpyxlNotes(file)['Milestones!E3']?.[1]).toMatch(/^Milepost: .*soon/);
    // The run says so; a second sync with nothing new to note says nothing.
    expect(first.notes).toContainEqual(
      expect.stringMatching(/^Register: notes on cells in error .*Milestones/),
    );
    expect((await runtime.sync(NOW)).notes.filter((n) => n.startsWith('Register:'))).toEqual([]);
    // The person fixes the cell (a run that only writes it, as their spreadsheet program would).
    await runLocal(dir, 'edit', NOW, fixDue);
    expect(openpyxlNotes(file)['Milestones!E3']?.[1]).toMatch(/soon/);
    await runtime.sync(NOW);
    const notes = openpyxlNotes(file);
    expect(notes['Milestones!E3']).toBeUndefined();
    expect(notes['Milestones!D3']?.[0]).toBe('Milepost');
    expect(notes['Milestones!E4']?.[1]).toBe('Ben: waiting for the budget.');
  });

  it.runIf(hasOpenpyxl)(
    'makes the comments part, its drawing and the links on a sheet with no notes',
    async () => {
      const dir = await workspace();
      const file = path.join(dir, 'register.xlsx');
      // Team row 3 gets an error: an email that is not one.
      const badEmail = (): { plan: Plan } => ({
        plan: {
          timeZone: 'Europe/London',
          writes: [
            {
              tab: 'Team',
              ref: { by: 'key', header: 'Email', value: 'ben@example.com' },
              column: 'Group',
              value: '',
              previous: 'Eng',
            },
          ],
          appends: [{ tab: 'Team', values: { Name: 'Cy', Email: 'not an email', Role: 'member' } }],
          emails: [],
        },
      });
      await sync(dir, badEmail);
      // A reader that matches relationship targets as written (exceljs keys comments by them)
      // finds the notes too: the targets are relative, as Excel writes them.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const noted: string[] = [];
      wb.getWorksheet('Team')!.eachRow((row) =>
        row.eachCell((c) => {
          if (c.note) noted.push(c.address);
        }),
      );
      expect(noted.length).toBeGreaterThan(0);
      const notes = openpyxlNotes(file);
      const team = Object.entries(notes).filter(([k]) => k.startsWith('Team!'));
      expect(team.length).toBeGreaterThan(0);
      expect(team.every(([, [author]]) => author === 'Milepost')).toBe(true);
      const all = parts(file);
      const types = all.get('[Content_Types].xml')!;
      const sheetRels = [...all].filter(([n]) => /worksheets\/_rels\/sheet\d+\.xml\.rels$/.test(n));
      const teamRels = sheetRels.find(([, x]) => x.includes('comments') && !x.includes('vmlDrawing1.vml'));
      expect(teamRels, 'the Team sheet links its comments and drawing').toBeDefined();
      for (const target of teamRels![1].matchAll(/Target="\/?([^"]*)"/g)) {
        const name = target[1]!.replace(/^\.\.\//, 'xl/');
        expect(all.has(name), name).toBe(true);
        expect(types, `content type of ${name}`).toMatch(
          new RegExp(`PartName="/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"|Extension="vml"`),
        );
      }
      const made = [...teamRels![1].matchAll(/Target="\/?([^"]*)"/g)].map((m) => m[1]!);
      // Fixed, the Team sheet's only notes go, and with them the parts Milepost made for them.
      const fixEmail = (): { plan: Plan } => ({
        plan: {
          timeZone: 'Europe/London',
          writes: [
            {
              tab: 'Team',
              ref: { by: 'key', header: 'Email', value: 'not an email' },
              column: 'Email',
              value: 'cy@example.com',
              previous: 'not an email',
            },
          ],
          appends: [],
          emails: [],
        },
      });
      await sync(dir, fixEmail);
      expect(Object.keys(openpyxlNotes(file)).filter((k) => k.startsWith('Team!'))).toEqual([]);
      const fixed = parts(file);
      for (const name of made) {
        expect(fixed.has(name), name).toBe(false);
        expect(fixed.get('[Content_Types].xml')).not.toContain(`/${name}"`);
      }
      const teamPart = sheetPart(fixed, 'Team');
      expect(fixed.get(teamPart)).not.toContain('legacyDrawing');
      expect(fixed.get(teamPart.replace('worksheets/', 'worksheets/_rels/') + '.rels') ?? '').not.toMatch(
        /comments|vmlDrawing/,
      );
      // Milestones keeps its notes.
      expect(openpyxlNotes(file)['Milestones!E3']?.[0]).toBe('Milepost');
    },
  );

  it.runIf(hasOpenpyxl && hasSoffice)(
    'LibreOffice reads the notes',
    async () => {
      const dir = await workspace();
      const file = path.join(dir, 'register.xlsx');
      await sync(dir);
      const out = path.join(dir, 'lo');
      const r = spawnSync(
        'soffice',
        [
          `-env:UserInstallation=file://${dir}/profile`,
          '--headless',
          '--convert-to',
          'xlsx',
          '--outdir',
          out,
          file,
        ],
        { timeout: 120_000 },
      );
      expect(r.status, r.stderr?.toString()).toBe(0);
      const notes = openpyxlNotes(path.join(out, 'register.xlsx'));
      expect(notes['Milestones!E3']?.[1]).toMatch(/soon/);
      expect(notes['Milestones!E4']?.[1]).toBe('Ben: waiting for the budget.');
      // Saved by LibreOffice (which writes every note's author as " "), Milepost still knows its
      // notes by their text: the fixed cell's goes, the others stay, none is doubled.
      fs.copyFileSync(path.join(out, 'register.xlsx'), file);
      await sync(dir, fixDue);
      const after = openpyxlNotes(file);
      expect(after['Milestones!E3']).toBeUndefined();
      expect(after['Milestones!D3']?.[1]).toMatch(/^Milepost: .*zed@example\.com/);
      expect(after['Milestones!E4']?.[1]).toBe('Ben: waiting for the budget.');
      expect(after['Milestones!C2']?.[1]).toBe('Ana: the opening date is agreed.');
      const comments = [...parts(file)]
        .filter(([n]) => /comments?\d*\.xml$/.test(n))
        .map(([, x]) => x)
        .join('');
      expect(comments.match(/zed@example\.com/g)?.length).toBe(1);
    },
    180_000,
  );
});

describe('dropdowns and date checks for an existing register (local sync)', () => {
  it.runIf(hasOpenpyxl)('adds the missing ones once, keeping a person’s own', async () => {
    const dir = await workspace({ validations: false });
    const file = path.join(dir, 'register.xlsx');
    expect(Object.values(openpyxlValidations(file)).flat()).toEqual(['G2 whole']);
    await sync(dir);
    const once = openpyxlValidations(file);
    // Status: a fixed list; Owner: from the Team tab; Due: a date check.
    expect(once.Milestones).toEqual(
      expect.arrayContaining(['F2:F1000 list', 'D2:D1000 list', 'E2:E1000 date', 'G2 whole']),
    );
    // Forecast (G) has the person's validation on row 2: no date check of Milepost's over it.
    expect(once.Milestones!.filter((v) => v.startsWith('G'))).toEqual(['G2 whole']);
    expect(once.Team).toEqual(expect.arrayContaining(['D2:D1000 list']));
    const bytes = fs.readFileSync(file);
    await sync(dir);
    expect(openpyxlValidations(file)).toEqual(once);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('leaves a new register’s validations as they are', async () => {
    const dir = await workspace();
    const file = path.join(dir, 'register.xlsx');
    const sheets = (all: Map<string, string>) =>
      [...all]
        .filter(([n]) => n.startsWith('xl/worksheets/sheet'))
        .map(([, x]) => x.match(/<dataValidation\b/g)?.length ?? 0);
    const before = sheets(parts(file));
    await sync(dir);
    expect(sheets(parts(file))).toEqual(before);
  });
});
