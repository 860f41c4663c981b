/**
 * What the demo does to a local workspace that people would do by hand: the meeting's outcomes
 * typed into the Topics tab (a person with a spreadsheet program; exceljs here), and the
 * sample responses that arrive over the week.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { normaliseName } from '../core/layout';
import { slotLeadOf } from '../core/slots';
import { writeFileAtomic } from './atomic';
import { workbookBytes } from './workbook';

export function templatesDir(): string {
  // Bundled (dist/cli.js) or from source (src/cli/commands/), templates/ sits above us.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, 'layout.json'))) return candidate;
  }
  throw new Error('templates/ not found next to the Milepost installation');
}

/**
 * What people do in the meeting: the manager records outcomes for the slots reached, on each
 * slot's first topic (its lead); the slot's other topics take that outcome at wrap-up.
 */
export async function holdMeeting(registerFile: string, meeting: string): Promise<number> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(registerFile);
  const ws = wb.worksheets.find((w) => normaliseName(w.name) === 'topics')!;
  const headers = new Map<string, number>();
  ws.getRow(1).eachCell((c, col) => headers.set(normaliseName(String(c.value)), col));
  const col = (h: string) => headers.get(normaliseName(h))!;
  let reached = 0;
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const m = row.getCell(col('Meeting')).value;
    const date = m instanceof Date ? m.toISOString().slice(0, 10) : String(m ?? '');
    const rank = Number(row.getCell(col('Rank')).value);
    if (date !== meeting || !rank || rank > 3) return;
    if (slotLeadOf({ why: String(row.getCell(col('Why')).value ?? '') })) return;
    reached++;
    row.getCell(col('Outcome')).value = rank === 1 ? 'Resolved' : 'Discussed';
    row.getCell(col('Decision / action')).value =
      rank === 1
        ? 'Agreed a recovery plan; re-baseline the date next week'
        : 'Owners to meet this week and report back';
    // Every decision gets an owner (the topic's) and a date (a week on): the wrap-up tracks it
    // and the owner's next update request asks about it.
    row.getCell(col('Action owner')).value = row.getCell(col('Owner')).value;
    row.getCell(col('Action due')).value = new Date(Date.parse(`${meeting}T00:00:00Z`) + 7 * 86_400_000);
  });
  await writeFileAtomic(registerFile, await workbookBytes(wb));
  return reached;
}
