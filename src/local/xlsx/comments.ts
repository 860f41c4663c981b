/**
 * Milepost's notes on a worksheet's cells, as legacy comments (what Excel calls notes and
 * LibreOffice comments): the sheet's comments part (ECMA-376 Part 1, 18.7 Comments) holds the
 * text, its VML drawing (Part 4, 19 VML; the `x:ClientData ObjectType="Note"` shapes) the box
 * Excel shows, and the sheet's `<legacyDrawing r:id>` ties the drawing to it.
 *
 * Milepost's notes are those of the author "Milepost" or whose text starts "Milepost: ": only
 * they are replaced or removed. A
 * person's note is never touched, and a cell that has one gets none of Milepost's. Every other
 * comment and shape stays byte for byte as it was.
 */
import type { XlsxPackage } from './package';
import { insertElement } from './tail';
import { attributes, columnNumber, escapeText, prefixOf, stringItemText, unescapeXml } from './xml';

export const NOTE_AUTHOR = 'Milepost';
/**
 * The start of the text of each of Milepost's notes. The author alone does not last: LibreOffice
 * saves every note's author as " ".
 */
export const NOTE_PREFIX = 'Milepost: ';

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_COMMENTS = `${REL}/comments`;
const REL_VML = `${REL}/vmlDrawing`;
const TYPE_COMMENTS = 'application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml';
const TYPE_VML = 'application/vnd.openxmlformats-officedocument.vmlDrawing';
const NS_V = 'urn:schemas-microsoft-com:vml';
const NS_O = 'urn:schemas-microsoft-com:office:office';
const NS_X = 'urn:schemas-microsoft-com:office:excel';

interface Existing {
  /** Milepost's notes: A1 ref → text. */
  ours: Map<string, string>;
  /** Cells with a note of someone else's. */
  theirs: Set<string>;
  /** Index of Milepost among the authors (-1: not there). */
  author: number;
}

function readComments(xml: string | undefined): Existing {
  const out: Existing = { ours: new Map(), theirs: new Set(), author: -1 };
  if (!xml) return out;
  const p = prefixOf(xml, 'comments');
  const authors = /<(?:\w+:)?authors\b[^>]*>([\s\S]*?)<\/(?:\w+:)?authors>/.exec(xml)?.[1] ?? '';
  const names = [
    ...authors.matchAll(new RegExp(`<${p}author\\b[^>]*?(?:/>|>([\\s\\S]*?)</${p}author>)`, 'g')),
  ];
  out.author = names.findIndex((m) => unescapeXml(m[1] ?? '') === NOTE_AUTHOR);
  for (const m of commentElements(xml, p)) {
    const a = attributes(m.attrs);
    if (!a.ref) continue;
    const text = stringItemText(m.body, p);
    const mine = (out.author >= 0 && Number(a.authorId) === out.author) || text.startsWith(NOTE_PREFIX);
    if (mine) out.ours.set(a.ref, text);
    else out.theirs.add(a.ref);
  }
  return out;
}

function commentElements(xml: string, p: string): { xml: string; attrs: string; body: string }[] {
  const re = new RegExp(`<${p}comment\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${p}comment>)`, 'g');
  return [...xml.matchAll(re)].map((m) => ({ xml: m[0], attrs: m[1] ?? '', body: m[2] ?? '' }));
}

/** The relationship id of the tail's `<legacyDrawing r:id>`, if any. */
function legacyDrawingId(tail: string, p: string): string | undefined {
  const m = new RegExp(`<${p}legacyDrawing\\b([^>]*?)/?>`).exec(tail);
  if (!m) return undefined;
  const a = attributes(m[1]!);
  return Object.entries(a).find(([k]) => k === 'id' || k.endsWith(':id'))?.[1];
}

function freeName(pkg: XlsxPackage, name: (n: number) => string): string {
  let n = 1;
  while (pkg.hasPart(name(n))) n++;
  return name(n);
}

/**
 * Sets Milepost's notes on worksheet `sheet` to `notes` (A1 ref → text; a ref left out has
 * none of Milepost's). Returns whether anything changed.
 */
export function setSheetNotes(pkg: XlsxPackage, sheet: string, notes: Map<string, string>): boolean {
  const info = pkg.sheets.find((s) => s.name === sheet);
  if (!info) return false;
  const rels = pkg.relationships(info.part).filter((r) => !r.external);
  const commentsPart = rels.find((r) => r.type === REL_COMMENTS)?.target;
  const existing = readComments(commentsPart && pkg.text(commentsPart));
  const wanted = new Map(
    [...notes]
      .filter(([ref, text]) => text && !existing.theirs.has(ref))
      .map(([ref, text]) => [ref, NOTE_PREFIX + text]),
  );
  if (sameNotes(wanted, existing.ours)) return false;

  const { tail, p: tailPrefix } = pkg.sheetTail(sheet);
  const drawingId = legacyDrawingId(tail, tailPrefix);
  const vmlPart = rels.find((r) => r.id === drawingId && r.type === REL_VML)?.target;

  const xml = writeComments(commentsPart ? pkg.text(commentsPart) : undefined, existing, wanted);
  const vmlName = vmlPart ?? freeName(pkg, (n) => `xl/drawings/vmlDrawing${n}.vml`);
  const drawing = writeVml(vmlPart ? pkg.text(vmlPart) : undefined, existing.ours, wanted, vmlName);
  const empty = !commentElements(xml, prefixOf(xml, 'comments')).length && !/<(?:\w+:)?shape\b/.test(drawing);
  if (empty) {
    // The last notes went, and they were Milepost's: so do the parts that held them.
    for (const r of rels.filter((r) => r.target === commentsPart || r.target === vmlPart)) {
      pkg.removeRelationship(info.part, r.id);
      pkg.removePart(r.target);
    }
    if (vmlPart)
      pkg.editSheetTail(sheet, (tail, p) => tail.replace(new RegExp(`<${p}legacyDrawing\\b[^>]*?/>`), ''));
    return true;
  }
  if (commentsPart) pkg.replace(commentsPart, xml);
  else {
    const name = freeName(pkg, (n) => `xl/comments${n}.xml`);
    pkg.addPart(name, xml, TYPE_COMMENTS);
    pkg.addRelationship(info.part, REL_COMMENTS, name);
  }
  if (vmlPart) pkg.replace(vmlPart, drawing);
  else {
    pkg.addPart(vmlName, drawing, TYPE_VML);
    const id = pkg.addRelationship(info.part, REL_VML, vmlName);
    const element = `<${tailPrefix}legacyDrawing xmlns:r="${REL}" r:id="${id}"/>`;
    pkg.editSheetTail(sheet, (tail, p) => insertElement(tail, p, 'legacyDrawing', element));
  }
  return true;
}

function sameNotes(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([ref, text]) => b.get(ref) === text);
}

/** A1 ref → 0-based row and column. */
function position(ref: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(ref)!;
  return { row: Number(m[2]) - 1, col: columnNumber(m[1]!) - 1 };
}

function byCell(a: string, b: string): number {
  const x = position(a);
  const y = position(b);
  return x.row - y.row || x.col - y.col;
}

function writeComments(xml: string | undefined, existing: Existing, wanted: Map<string, string>): string {
  let out =
    xml ??
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors></authors><commentList></commentList></comments>';
  const p = prefixOf(out, 'comments');
  let author = existing.author;
  if (author < 0) {
    const authors = /<(?:\w+:)?authors\b[^>]*>([\s\S]*?)<\/(?:\w+:)?authors>/.exec(out)?.[1] ?? '';
    author = [...authors.matchAll(new RegExp(`<${p}author\\b`, 'g'))].length;
    const mine = `<${p}author>${NOTE_AUTHOR}</${p}author>`;
    out = /<(?:\w+:)?authors\s*\/>/.test(out)
      ? out.replace(/<((?:\w+:)?)authors\s*\/>/, `<$1authors>${mine}</$1authors>`)
      : out.replace(/<\/((?:\w+:)?)authors>/, `${mine}</$1authors>`);
  }
  // Milepost's own comments go; a person's stay as they were, in their order.
  for (const c of commentElements(out, p)) {
    const a = attributes(c.attrs);
    if (a.ref && existing.ours.has(a.ref)) out = out.replace(c.xml, '');
  }
  const added = [...wanted.keys()]
    .sort(byCell)
    .map(
      (ref) =>
        `<${p}comment ref="${ref}" authorId="${author}"><${p}text><${p}r><${p}t xml:space="preserve">${escapeText(
          wanted.get(ref)!,
        )}</${p}t></${p}r></${p}text></${p}comment>`,
    )
    .join('');
  if (new RegExp(`<${p}commentList\\s*/>`).test(out))
    return out.replace(new RegExp(`<${p}commentList\\s*/>`), `<${p}commentList>${added}</${p}commentList>`);
  return out.replace(`</${p}commentList>`, `${added}</${p}commentList>`);
}

/** The note shapes of a VML drawing: the whole `<v:shape>` element and its cell. */
function noteShapes(vml: string): { xml: string; row: number; col: number }[] {
  const out: { xml: string; row: number; col: number }[] = [];
  for (const m of vml.matchAll(/<((?:\w+:)?)shape\b[\s\S]*?<\/\1shape>/g)) {
    if (!/ObjectType\s*=\s*"Note"/.test(m[0])) continue;
    const row = /<(?:\w+:)?Row>\s*(\d+)\s*</.exec(m[0]);
    const col = /<(?:\w+:)?Column>\s*(\d+)\s*</.exec(m[0]);
    if (row && col) out.push({ xml: m[0], row: Number(row[1]), col: Number(col[1]) });
  }
  return out;
}

const SHAPE_TYPE =
  `<v:shapetype xmlns:v="${NS_V}" xmlns:o="${NS_O}" id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">` +
  '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>';

function noteShape(id: number, ref: string): string {
  const { row, col } = position(ref);
  const anchor = `${col + 1}, 15, ${Math.max(0, row - 1)}, 10, ${col + 4}, 15, ${row + 4}, 4`;
  return (
    `<v:shape xmlns:v="${NS_V}" xmlns:o="${NS_O}" xmlns:x="${NS_X}" id="_x0000_s${id}" type="#_x0000_t202" ` +
    'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:90pt;z-index:1;visibility:hidden" ' +
    'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>' +
    '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>' +
    `<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${anchor}</x:Anchor>` +
    `<x:AutoFill>False</x:AutoFill><x:Row>${row}</x:Row><x:Column>${col}</x:Column></x:ClientData></v:shape>`
  );
}

function writeVml(
  vml: string | undefined,
  ours: Map<string, string>,
  wanted: Map<string, string>,
  part: string,
): string {
  // A drawing of its own numbers its shapes in a block of 1024 (o:idmap).
  const block = Number(/(\d+)\.vml$/.exec(part)?.[1] ?? 1);
  let out =
    vml ??
    `<xml xmlns:v="${NS_V}" xmlns:o="${NS_O}" xmlns:x="${NS_X}">` +
      `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${block}"/></o:shapelayout>${SHAPE_TYPE}</xml>`;
  const gone = new Set([...ours.keys()].map((ref) => `${position(ref).row}:${position(ref).col}`));
  for (const s of noteShapes(out)) if (gone.has(`${s.row}:${s.col}`)) out = out.replace(s.xml, '');
  if (!/\bid\s*=\s*"_x0000_t202"/.test(out)) out = out.replace(/<\/xml>\s*$/, `${SHAPE_TYPE}</xml>`);
  const ids = [...out.matchAll(/_x0000_s(\d+)/g)].map((m) => Number(m[1]));
  let next = Math.max(block * 1024, ...ids) + 1;
  const shapes = [...wanted.keys()].sort(byCell).map((ref) => noteShape(next++, ref));
  const close = out.lastIndexOf('</xml>');
  if (close < 0) throw new Error(`${part} is not a VML drawing (no </xml>)`);
  return out.slice(0, close) + shapes.join('') + out.slice(close);
}
