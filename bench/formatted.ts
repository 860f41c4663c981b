/**
 * A register someone formatted down to the last row of the sheet (1,048,576, Excel's limit:
 * "Excel specifications and limits": "Total number of rows and columns on a worksheet:
 * 1,048,576 rows by 16,384 columns"): every row below the data styled, each with one styled
 * empty cell — what selecting a whole column and colouring it leaves in the file.
 */
import * as fs from 'node:fs';
import { XlsxPackage } from '../src/local/xlsx/package';

export const LAST_ROW = 1_048_576;

/** Rewrites `file` with the tabs in `tabs` formatted from below their data to row 1,048,576. */
export async function formatToLastRow(file: string, tabs: string[], style = '1'): Promise<void> {
  const pkg = await XlsxPackage.open(fs.readFileSync(file), file);
  for (const tab of tabs) {
    const info = pkg.sheets.find((s) => s.name === tab)!;
    const xml = pkg.text(info.part)!;
    const close = xml.indexOf('</sheetData>');
    const lastRow = [...xml.slice(0, close).matchAll(/<row r="(\d+)"/g)].map((m) => Number(m[1])).at(-1) ?? 0;
    const rows: string[] = [];
    for (let r = lastRow + 1; r <= LAST_ROW; r++) {
      rows.push(`<row r="${r}" s="${style}" customFormat="1"><c r="C${r}" s="${style}"/></row>`);
    }
    pkg.replace(info.part, xml.slice(0, close) + rows.join('') + xml.slice(close));
  }
  fs.writeFileSync(file, await pkg.bytes());
}
