/**
 * The elements of a worksheet after its cells, in the order the schema fixes (ECMA-376 Part 1,
 * 18.3.1.99 CT_Worksheet's sequence): an element Milepost adds goes before the first one of
 * those that must follow it, everything already there staying as it was.
 */
import { columnNumber } from './xml';

const AFTER_SHEET_DATA = [
  'sheetCalcPr',
  'sheetProtection',
  'protectedRanges',
  'scenarios',
  'autoFilter',
  'sortState',
  'dataConsolidate',
  'customSheetViews',
  'mergeCells',
  'phoneticPr',
  'conditionalFormatting',
  'dataValidations',
  'hyperlinks',
  'printOptions',
  'pageMargins',
  'pageSetup',
  'headerFooter',
  'rowBreaks',
  'colBreaks',
  'customProperties',
  'cellWatches',
  'ignoredErrors',
  'smartTags',
  'drawing',
  'legacyDrawing',
  'legacyDrawingHF',
  'drawingHF',
  'picture',
  'oleObjects',
  'controls',
  'webPublishItems',
  'tableParts',
  'extLst',
] as const;

export type TailElement = (typeof AFTER_SHEET_DATA)[number];

/** `tail` with `xml` (an element named `local`) inserted where the sequence puts it. */
export function insertElement(tail: string, p: string, local: TailElement, xml: string): string {
  const later = AFTER_SHEET_DATA.slice(AFTER_SHEET_DATA.indexOf(local) + 1);
  let at = -1;
  for (const name of later) {
    const m = new RegExp(`<${p}${name}[\\s/>]`).exec(tail);
    if (m && (at < 0 || m.index < at)) at = m.index;
  }
  // Form controls and OLE objects are often wrapped for older readers (markup compatibility).
  const alternate = /<\w+:AlternateContent\b/.exec(tail);
  if (alternate && AFTER_SHEET_DATA.indexOf(local) < AFTER_SHEET_DATA.indexOf('oleObjects')) {
    if (at < 0 || alternate.index < at) at = alternate.index;
  }
  if (at < 0) at = tail.lastIndexOf(`</${p}worksheet>`);
  if (at < 0) throw new Error('the worksheet element is not closed');
  return tail.slice(0, at) + xml + tail.slice(at);
}

/** One range of a sqref list: 1-based columns and rows, open ends for whole columns or rows. */
export interface Area {
  c1: number;
  c2: number;
  r1: number;
  r2: number;
}

/** The ranges of a space-separated reference list (`A1:B3 D5`, `F:F`, `$A$2:$A$9`). */
export function areas(sqref: string): Area[] {
  const out: Area[] = [];
  for (const part of sqref.trim().split(/\s+/)) {
    const m = /^\$?([A-Z]{0,3})\$?(\d*)(?::\$?([A-Z]{0,3})\$?(\d*))?$/.exec(part.replace(/^.*!/, ''));
    if (!m || (!m[1] && !m[2])) continue;
    const c1 = m[1] ? columnNumber(m[1]) : 1;
    const r1 = m[2] ? Number(m[2]) : 1;
    const c2 = m[3] !== undefined ? (m[3] ? columnNumber(m[3]) : 16_384) : m[1] ? c1 : 16_384;
    const r2 = m[4] !== undefined ? (m[4] ? Number(m[4]) : 1_048_576) : m[2] ? r1 : 1_048_576;
    out.push({ c1: Math.min(c1, c2), c2: Math.max(c1, c2), r1: Math.min(r1, r2), r2: Math.max(r1, r2) });
  }
  return out;
}

/**
 * The areas covered by data validations in a worksheet's tail: the `<dataValidation sqref>` of
 * the sheet, and those Excel keeps in its extension list (`<x14:dataValidation>…<xm:sqref>`).
 */
export function validatedAreas(tail: string, p: string): Area[] {
  const out: Area[] = [];
  for (const m of tail.matchAll(new RegExp(`<${p}dataValidation\\b[^>]*?\\bsqref\\s*=\\s*"([^"]*)"`, 'g')))
    out.push(...areas(m[1]!));
  const extension =
    /<(\w+:)dataValidation\b(?:(?!<\/\1dataValidation>)[\s\S])*?<\w+:sqref>([^<]*)<\/\w+:sqref>/g;
  for (const m of tail.matchAll(extension)) if (m[1] !== p) out.push(...areas(m[2]!));
  return out;
}

export function covers(list: Area[], r: number, col: number): boolean {
  return list.some((a) => a.c1 <= col && col <= a.c2 && a.r1 <= r && r <= a.r2);
}

/** `tail` with `<dataValidation>` elements added to its `<dataValidations>` (made if need be). */
export function addDataValidations(tail: string, p: string, elements: string[]): string {
  if (!elements.length) return tail;
  const open = new RegExp(`<${p}dataValidations\\b([^>]*?)(/?)>`).exec(tail);
  if (!open) {
    const xml = `<${p}dataValidations count="${elements.length}">${elements.join('')}</${p}dataValidations>`;
    return insertElement(tail, p, 'dataValidations', xml);
  }
  const count = /\bcount\s*=\s*"(\d+)"/.exec(open[1]!);
  const attrs = count
    ? open[1]!.replace(count[0], `count="${Number(count[1]) + elements.length}"`)
    : open[1]!;
  if (open[2]) {
    const xml = `<${p}dataValidations${attrs}>${elements.join('')}</${p}dataValidations>`;
    return tail.slice(0, open.index) + xml + tail.slice(open.index + open[0].length);
  }
  const close = tail.indexOf(`</${p}dataValidations>`, open.index);
  if (close < 0) throw new Error('the dataValidations element is not closed');
  return (
    tail.slice(0, open.index) +
    `<${p}dataValidations${attrs}>` +
    tail.slice(open.index + open[0].length, close) +
    elements.join('') +
    tail.slice(close)
  );
}
