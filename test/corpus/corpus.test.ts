/**
 * Registers as LibreOffice and openpyxl save them (test/corpus, see its README): each one syncs
 * the sample team's week through the CLI, and afterwards every part of the package other than
 * our cells is unchanged — compared part by part, and inside the sheets Milepost wrote, outside
 * the rows and columns it owns.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABS } from '../../src/core/layout';
import { readWorkbook } from '../../src/local/workbook';
import { SheetPart } from '../../src/local/xlsx/sheet';
import { inflate, readZip } from '../../src/local/xlsx/zip';
import { milepost, sampleResponses, tempDir } from '../cli/helpers';

interface Fixture {
  file: string;
  tool: string;
  contains: string[];
  parts: string[];
}

const CORPUS = __dirname;
const MANIFEST: Fixture[] = JSON.parse(fs.readFileSync(path.join(CORPUS, 'MANIFEST.json'), 'utf8'));
const SYNC_AT = '2026-12-02T12:00:00Z';

function parts(file: string): Map<string, Buffer> {
  return new Map(readZip(fs.readFileSync(file)).map((e) => [e.name, inflate(e)]));
}

/** The sheet parts by tab name, from the workbook part and its relationships. */
function sheetPartsByTab(all: Map<string, Buffer>): Map<string, string> {
  const workbook = all.get('xl/workbook.xml')!.toString();
  const rels = all.get('xl/_rels/workbook.xml.rels')!.toString();
  const out = new Map<string, string>();
  for (const m of workbook.matchAll(/<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"/g)) {
    const rel = new RegExp(`<Relationship\\b[^>]*Id="${m[2]}"[^>]*/>`).exec(rels)?.[0] ?? '';
    const target = /Target="([^"]*)"/.exec(rel)?.[1] ?? '';
    out.set(m[1]!, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  return out;
}

/** A sheet part's text outside `<sheetData>…</sheetData>` and `<dimension/>`. */
function outsideSheetData(xml: string): string {
  return xml
    .replace(/<sheetData\b[\s\S]*<\/sheetData>|<sheetData\/>/, '')
    .replace(/<dimension\b[^>]*\/>/, '');
}

/** Every cell of a sheet part: A1 ref → the cell's XML. */
function cellsOf(xml: Buffer): Map<string, string> {
  const sheet = new SheetPart(xml);
  const out = new Map<string, string>();
  const text = xml.toString();
  for (const row of sheet.allRows()) {
    for (const c of sheet.cells(row)) out.set(`${c.col}:${row.r}`, text.slice(c.start, c.end));
  }
  return out;
}

/** Parts that hold notes: comments, their VML drawings, and the relationships and types naming them. */
const NOTE_PART = /^xl\/.*(comment[^/]*\.xml|\.vml)$|_rels\/sheet\d+\.xml\.rels$|^\[Content_Types\]\.xml$/;
const MILEPOST_VALIDATION = /errorTitle="[^"]*(?: value|: a date)"/;

/**
 * Checks that a note part changed only by Milepost's additions: every comment, shape,
 * relationship and content type the person's file had is still there byte for byte (Milepost's
 * own notes aside), and what was added is Milepost's.
 */
function expectNotesOnlyAdded(name: string, before: Buffer | undefined, after: Buffer): void {
  const a = after.toString();
  if (!before) {
    expect(name, 'a part Milepost added').toMatch(
      /^xl\/comments\d+\.xml$|^xl\/drawings\/vmlDrawing\d+\.vml$|_rels\/sheet\d+\.xml\.rels$/,
    );
    return;
  }
  const b = before.toString();
  const elements = (x: string) =>
    [
      ...x.matchAll(
        /<((?:\w+:)?)(comment|shape|Relationship|Override|Default|author)\b(?:[^>]*?\/>|[\s\S]*?<\/\1\2>)/g,
      ),
    ].map((m) => m[0]);
  for (const e of elements(b)) expect(a, `${name} lost ${e.slice(0, 120)}`).toContain(e);
  for (const e of elements(a).filter((x) => !b.includes(x))) {
    expect(e, `${name} gained something not Milepost's`).toMatch(
      /authorId="\d+"|_x0000_s\d+|>Milepost<|relationships\/(comments|vmlDrawing)"|(comments\+xml|vmlDrawing)"/,
    );
  }
}

/** A sheet's text outside the cells, without what Milepost adds there (validations, a legacy drawing). */
function outsideWithoutOurs(xml: string, before: string): string {
  return outsideSheetData(xml)
    .replace(/<dataValidation\b[\s\S]*?<\/dataValidation>/g, (e) =>
      !before.includes(e) && MILEPOST_VALIDATION.test(e) ? '' : e,
    )
    .replace(/(<dataValidations\b[^>]*?)\s*count="\d+"/, '$1')
    .replace(/<legacyDrawing\b[^>]*\/>/, (e) => (before.includes('<legacyDrawing') ? e : ''));
}

const OWNED = new Map(TABS.map((t) => [t.name as string, new Set(t.columns.map((c) => c.header))]));

function sync(dir: string) {
  return milepost('sync', '-w', dir, '--now', SYNC_AT, '--json');
}

function hasPython(module: string): boolean {
  return spawnSync('/usr/bin/python3', ['-c', `import ${module}`]).status === 0;
}

describe('a register saved by LibreOffice or openpyxl', () => {
  it('the corpus holds notes, charts, tables, filters, a pivot, images, validations, rich text and formulas', () => {
    const all = new Set(MANIFEST.flatMap((f) => f.contains));
    for (const feature of [
      'note',
      'chart',
      'table',
      'filter',
      'image',
      'pivot',
      'validation',
      'richtext',
      'formula-no-cache',
      'formula-cached',
    ]) {
      expect(all, feature).toContain(feature);
    }
    expect(new Set(MANIFEST.map((f) => f.tool))).toEqual(new Set(['libreoffice', 'openpyxl']));
  });

  for (const fixture of MANIFEST) {
    it(`${fixture.file} (${fixture.contains.join(', ') || 'plain'}): syncs, and only our cells change`, async () => {
      const dir = tempDir('corpus');
      const register = path.join(dir, 'register.xlsx');
      fs.copyFileSync(path.join(CORPUS, fixture.file), register);
      fs.writeFileSync(path.join(dir, 'responses.jsonl'), sampleResponses());
      const before = parts(register);
      const headersBefore = new Map(
        (await readWorkbook(register)).snapshot.tables.map((t) => [t.name, t.headers]),
      );

      const run = sync(dir);
      expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      // A formula saved without its result (openpyxl) is an unreadable value: the run goes ahead
      // and says so with exit 5 (here the formula ID leaves M-0003's dependants unresolved).
      const expected = fixture.contains.includes('formula-no-cache') ? 5 : 0;
      expect(run.code, run.stderr).toBe(expected);
      if (expected) expect(run.stderr).toMatch(/no saved result/);
      const report = run.json() as { applied?: unknown[]; changes?: unknown[] };
      expect(JSON.stringify(report)).toMatch(/M-00\d\d/); // the week's answers were applied

      const after = parts(register);
      const sheets = sheetPartsByTab(before);
      const sheetByPart = new Map([...sheets].map(([tab, part]) => [part, tab]));
      // 1. Every part but the sheets, the styles (formats may be added) and the calculation
      //    chain (dropped when a formula is overwritten) is byte for byte what was saved.
      //    A table grows over the rows appended right below it: only its ranges move.
      const ranges = (x: Buffer | undefined) => x?.toString().replace(/\bref="[^"]*"/g, 'ref=""');
      for (const [name, data] of before) {
        if (sheetByPart.has(name) || name === 'xl/styles.xml' || name === 'xl/calcChain.xml') continue;
        if (NOTE_PART.test(name)) {
          expectNotesOnlyAdded(name, data, after.get(name)!);
          continue;
        }
        if (name.startsWith('xl/tables/')) expect(ranges(after.get(name)), name).toBe(ranges(data));
        else expect(after.get(name), name).toEqual(data);
      }
      if (fixture.contains.includes('table')) {
        const updates = [...after].find(([n, x]) => n.startsWith('xl/tables/') && x.includes('UpdatesTable'));
        const rows = (await readWorkbook(register)).snapshot.tables.find((t) => t.name === 'Updates')!.rows
          .length;
        expect(updates?.[1].toString()).toContain(`:K${rows + 1}"`);
      }
      // Parts added: only those of Milepost's notes (a sheet that had none).
      for (const n of [...after.keys()].filter((n) => !before.has(n)))
        expectNotesOnlyAdded(n, undefined, after.get(n)!);
      // Styles: only additions, at the end of the cell formats.
      const styles = (b: Map<string, Buffer>) => b.get('xl/styles.xml')?.toString() ?? '';
      const xfs = (s: string) => /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(s)?.[1] ?? '';
      expect(xfs(styles(after)).startsWith(xfs(styles(before)))).toBe(true);
      // 2. In each sheet: everything outside the cells is as saved; a cell changes only in a
      //    column Milepost owns on a tab of its layout.
      for (const [tab, part] of sheets) {
        const b = before.get(part)!;
        const a = after.get(part)!;
        if (b.equals(a)) continue;
        // Outside the cells, only Milepost's missing dropdowns and date checks and its notes' drawing.
        expect(outsideWithoutOurs(a.toString(), b.toString()), `${tab}: outside the cells`).toBe(
          outsideWithoutOurs(b.toString(), b.toString()),
        );
        const owned = OWNED.get(tab);
        expect(owned, `${tab} is not Milepost's, yet it changed`).toBeDefined();
        const headers = headersBefore.get(tab) ?? [];
        const cellsBefore = cellsOf(b);
        const cellsAfter = cellsOf(a);
        for (const [key, xml] of cellsBefore) {
          if (cellsAfter.get(key) === xml) continue;
          const header = headers[Number(key.split(':')[0]) - 1] ?? '';
          expect(
            owned!.has(header),
            `${tab} cell ${key} (${header}) changed: ${xml} → ${cellsAfter.get(key)}`,
          ).toBe(true);
        }
      }
      // 3. The register reads back, and a second sync has nothing left to do.
      await readWorkbook(register);
      const again = sync(dir);
      expect(again.code, again.stderr).toBe(expected);
      expect(parts(register).get(sheets.get('Milestones')!)).toEqual(after.get(sheets.get('Milestones')!));
      // 4. Where openpyxl is installed, it opens the result (an independent reader).
      if (hasPython('openpyxl')) {
        const check = spawnSync('/usr/bin/python3', [
          '-c',
          'import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); print(len(wb.sheetnames))',
          register,
        ]);
        expect(check.status, check.stderr?.toString()).toBe(0);
        // The notes as openpyxl reads them: a person's kept, Milepost's on the cells in error.
        const notes = spawnSync('/usr/bin/python3', [
          '-c',
          'import sys, json, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); print(json.dumps({f"{ws.title}!{c.coordinate}": c.comment.author for ws in wb for row in ws.iter_rows() for c in row if c.comment}))',
          register,
        ]);
        const authors = JSON.parse(notes.stdout.toString()) as Record<string, string>;
        if (fixture.contains.includes('note')) {
          expect(authors['Milestones!C4']).toMatch(/Grace Okafor|^\s*$/);
          expect(authors['Team!B5']).toMatch(/Daniel Reyes|^\s*$/);
        }
        if (fixture.contains.includes('formula-no-cache')) expect(authors['Milestones!A4']).toBe('Milepost');
      }
    }, 60_000);
  }
});
