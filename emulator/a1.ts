/**
 * A1 notation as the Sheets API reads and writes it.
 *
 * Accepted: `Tab`, `'My Tab'`, `Tab!A1`, `Tab!A1:C5`, `Tab!A:C`, `Tab!2:5`, `Tab!A2:Z` (rows open
 * at the bottom), and the same cell parts without a sheet (the first sheet). A sheet name needs
 * single quotes unless it is letters, digits and underscores; inside quotes `''` is one quote.
 * Letters are case-insensitive; reversed corners (`C5:A1`) are put in order. A bare text that is
 * the name of a sheet means that sheet, even when it also reads as a cell (`A1`).
 *
 * Not accepted (Google does accept them; the emulator answers "Unable to parse range"): named
 * ranges, R1C1 notation, and the mixed forms `A:B5` and `A2:5`.
 *
 * Indexes are zero-based and half-open (`endRow` is the first row after the range), as in the
 * API's GridRange; `undefined` means unbounded on that side.
 */
import { badRequest } from './errors';

export interface GridBounds {
  startRow?: number;
  endRow?: number;
  startCol?: number;
  endCol?: number;
}

export interface A1Range extends GridBounds {
  /** The sheet title as written (quotes removed), or undefined for "the first sheet". */
  sheet?: string;
}

export function unableToParse(text: string): Error {
  return badRequest(`Unable to parse range: ${text}`);
}

/**
 * Parses a range. `isSheet` answers whether a bare text (no `!`, no quotes) names a sheet, so that
 * `Milestones` is a sheet and `B7` a cell of the first sheet.
 */
export function parseA1(text: string, isSheet: (name: string) => boolean = () => false): A1Range {
  if (text.startsWith("'")) {
    const { name, rest } = readQuoted(text);
    if (rest === '') return { sheet: name };
    if (!rest.startsWith('!') || rest.length === 1) throw unableToParse(text);
    return { sheet: name, ...parseCells(rest.slice(1), text) };
  }
  const bang = text.indexOf('!');
  if (bang < 0) {
    if (text !== '' && isSheet(text)) return { sheet: text };
    return parseCells(text, text);
  }
  const sheet = text.slice(0, bang);
  if (!/^[\p{L}\p{N}_]+$/u.test(sheet)) throw unableToParse(text);
  return { sheet, ...parseCells(text.slice(bang + 1), text) };
}

function readQuoted(text: string): { name: string; rest: string } {
  let name = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch !== "'") {
      name += ch;
      continue;
    }
    if (text[i + 1] === "'") {
      name += "'";
      i++;
      continue;
    }
    if (name === '') break;
    return { name, rest: text.slice(i + 1) };
  }
  throw unableToParse(text);
}

interface Ref {
  col?: number;
  row?: number;
}

const REF = /^([A-Za-z]{1,3})?([1-9]\d{0,7})?$/;

function parseRef(part: string, whole: string): Ref {
  const m = REF.exec(part);
  if (!m || (m[1] === undefined && m[2] === undefined)) throw unableToParse(whole);
  return {
    col: m[1] === undefined ? undefined : columnIndex(m[1]),
    row: m[2] === undefined ? undefined : Number(m[2]) - 1,
  };
}

function parseCells(cells: string, whole: string): GridBounds {
  const parts = cells.split(':');
  if (parts.length === 1) {
    const ref = parseRef(parts[0]!, whole);
    if (ref.col === undefined || ref.row === undefined) throw unableToParse(whole);
    return { startRow: ref.row, endRow: ref.row + 1, startCol: ref.col, endCol: ref.col + 1 };
  }
  if (parts.length !== 2) throw unableToParse(whole);
  const a = parseRef(parts[0]!, whole);
  const b = parseRef(parts[1]!, whole);
  const hasCol = (r: Ref) => r.col !== undefined;
  const hasRow = (r: Ref) => r.row !== undefined;
  if (hasCol(a) && hasRow(a) && hasCol(b) && hasRow(b)) {
    return {
      startRow: Math.min(a.row!, b.row!),
      endRow: Math.max(a.row!, b.row!) + 1,
      startCol: Math.min(a.col!, b.col!),
      endCol: Math.max(a.col!, b.col!) + 1,
    };
  }
  if (hasCol(a) && !hasRow(a) && hasCol(b) && !hasRow(b)) {
    return { startCol: Math.min(a.col!, b.col!), endCol: Math.max(a.col!, b.col!) + 1 };
  }
  if (!hasCol(a) && hasRow(a) && !hasCol(b) && hasRow(b)) {
    return { startRow: Math.min(a.row!, b.row!), endRow: Math.max(a.row!, b.row!) + 1 };
  }
  if (hasCol(a) && hasRow(a) && hasCol(b) && !hasRow(b)) {
    return { startRow: a.row!, startCol: Math.min(a.col!, b.col!), endCol: Math.max(a.col!, b.col!) + 1 };
  }
  throw unableToParse(whole);
}

/** 'A' → 0, 'Z' → 25, 'AA' → 26. */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** 0 → 'A', 26 → 'AA'. */
export function columnLetters(index: number): string {
  let s = '';
  for (let x = index + 1; x > 0; x = Math.floor((x - 1) / 26))
    s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** A sheet title as Google writes it in a range: quoted only when it has to be. */
export function quoteSheetName(title: string): string {
  const plain =
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) &&
    !/^[A-Za-z]{1,3}\d+$/.test(title) &&
    !/^[Rr]\d*[Cc]\d*$/.test(title) &&
    !/^(true|false)$/i.test(title);
  return plain ? title : `'${title.replaceAll("'", "''")}'`;
}

/** The cell part of a range (`A1`, `A1:C5`, `A:C`, `2:5`, `A2:C`), or '' for a whole sheet. */
export function formatCells(b: GridBounds): string {
  const { startRow, endRow, startCol, endCol } = b;
  const rowsBounded = startRow !== undefined || endRow !== undefined;
  const colsBounded = startCol !== undefined || endCol !== undefined;
  if (!rowsBounded && !colsBounded) return '';
  if (!colsBounded) return `${(startRow ?? 0) + 1}:${endRow ?? ''}`;
  const c0 = columnLetters(startCol ?? 0);
  const c1 = endCol === undefined ? undefined : columnLetters(endCol - 1);
  if (!rowsBounded) return `${c0}:${c1 ?? ''}`;
  const r0 = (startRow ?? 0) + 1;
  if (endRow === undefined) return `${c0}${r0}:${c1 ?? ''}`;
  if (c1 === c0 && endRow === r0) return `${c0}${r0}`;
  return `${c0}${r0}:${c1 ?? ''}${endRow}`;
}

/** `'My Tab'!A1:C5`, `Milestones!A1`, `Milestones` for a whole sheet. */
export function formatA1(sheetTitle: string, b: GridBounds = {}): string {
  const cells = formatCells(b);
  return cells === '' ? quoteSheetName(sheetTitle) : `${quoteSheetName(sheetTitle)}!${cells}`;
}
