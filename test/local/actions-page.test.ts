/**
 * The local update page asks an owner about their open tracked actions (Chromium-free: the
 * server's HTML over real HTTP): "Open" pre-selected, "Done" sends the action's answer and its
 * note into responses.jsonl, and the sync closes the action in the Actions tab. A milestone whose
 * Status cell cannot be read is shown with no status chosen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegister } from '../../src/core/register';
import { type RunningServer, startUpdateServer } from '../../src/local/server';
import { makeToken, readSecret } from '../../src/local/tokens';
import { readWorkbook } from '../../src/local/workbook';
import { milepost, tempDir } from '../cli/helpers';

const PRIYA = 'priya.shah@northwind.example';
const RAVI = 'ravi.kumar@northwind.example';
const ANN = 'ann.marsh@northwind.example';
const MEETING = '2026-12-03';

let dir: string;
let server: RunningServer;
let secret: Buffer;
const book = () => path.join(dir, 'register.xlsx');

/** Sets cells as a person does in a spreadsheet program: Actions rows, and a Status typed wrong. */
async function edit(): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(book());
  const actions = wb.getWorksheet('Actions')!;
  const headers: string[] = [];
  actions.getRow(1).eachCell((c, n) => {
    headers[n] = String(c.value);
  });
  const add = (values: Record<string, unknown>) => {
    const row = actions.getRow(actions.rowCount + 1);
    for (const [h, v] of Object.entries(values))
      row.getCell(headers.indexOf(h)).value = v as ExcelJS.CellValue;
  };
  const base = { Status: 'Open', 'From meeting': new Date('2026-11-26T00:00:00Z') };
  add({
    ...base,
    ID: 'A-0001',
    Action: 'Send <the> audit list',
    Owner: PRIYA,
    Due: new Date('2026-12-08T00:00:00Z'),
    'Topic ID': 't/1',
  });
  add({
    ...base,
    ID: 'A-0002',
    Action: 'Call the vendor',
    Owner: ANN,
    Due: new Date('2026-12-09T00:00:00Z'),
    'Topic ID': 't/2',
  });
  const ms = wb.getWorksheet('Milestones')!;
  let id = 0;
  let status = 0;
  ms.getRow(1).eachCell((c, n) => {
    if (c.value === 'ID') id = n;
    if (c.value === 'Status') status = n;
  });
  for (let r = 2; r <= ms.rowCount; r++)
    if (ms.getRow(r).getCell(id).value === 'M-0006') ms.getRow(r).getCell(status).value = 'Late-ish';
  await wb.xlsx.writeFile(book());
}

beforeAll(async () => {
  dir = tempDir('serve-actions');
  const init = milepost('init', '--sample', '-w', dir);
  expect(init.code, init.stderr).toBe(0);
  await edit();
  secret = (await readSecret(dir))!;
  let clock = Date.parse('2026-12-01T12:00:00Z');
  server = await startUpdateServer({
    workspace: dir,
    port: 0,
    now: () => {
      clock += 1000;
      return new Date(clock).toISOString();
    },
    log: () => {},
  });
});
afterAll(async () => {
  await server?.close();
});

const link = (email: string) => `${server.url}/u/${makeToken(secret, email, MEETING)}`;
const page = async (email: string) => (await fetch(link(email))).text();
const post = async (email: string, fields: Record<string, string>) => {
  const res = await fetch(link(email), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text() };
};
const csrfOf = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)![1]!;
const radios = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`<input type="radio" name="${name}"[^>]*value="([^"]*)"([^>]*)>`, 'g'))].map(
    (m) => [m[1], / checked/.test(m[2]!)],
  );

describe('the local page and tracked actions', () => {
  it("asks the owner about each open action, with Open chosen; a delegate sees their owner's", async () => {
    const html = await page(PRIYA);
    expect(html).toContain('<h3>Your open actions</h3>');
    expect(html).toContain('<legend>A-0001 · Send &lt;the&gt; audit list (due Tue 8 Dec 2026)</legend>');
    expect(radios(html, 'action:A-0001')).toEqual([
      ['Open', true],
      ['Done', false],
    ]);
    expect(html).toContain('name="actionNote:A-0001"');
    expect(html).not.toContain('A-0002');
    const ravi = await page(RAVI);
    expect(ravi).toContain('<h3>Their open actions</h3>');
    expect(radios(ravi, 'action:A-0002')).toEqual([
      ['Open', true],
      ['Done', false],
    ]);
  });

  it('chooses no status for a milestone whose Status cell cannot be read', async () => {
    const html = await page(PRIYA);
    const m6 = radios(html, 'status:M-0006');
    expect(m6.map(([v]) => v)).toEqual(['On track', 'Might miss', 'Missed', 'Done']);
    expect(m6.every(([, checked]) => !checked)).toBe(true);
    expect(radios(html, 'status:M-0014').find(([, c]) => c)?.[0]).toBe('Might miss');
  });

  it('sends "Done" and the note; the sync closes the action in the Actions tab', async () => {
    const html = await page(PRIYA);
    const res = await post(PRIYA, {
      csrf: csrfOf(html),
      'action:A-0001': 'Done',
      'actionNote:A-0001': 'Sent on Monday',
      helpFrom: 'No help needed',
    });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Sent on Monday');
    const lines = fs
      .readFileSync(path.join(dir, 'responses.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    const mine = lines.filter((l) => l.email === PRIYA).at(-1);
    expect(mine.actions).toEqual({ 'A-0001': 'Done' });
    expect(mine.actionNotes).toEqual({ 'A-0001': 'Sent on Monday' });
    const sync = milepost('sync', '-w', dir, '--now', '2026-12-02T08:00:00Z');
    expect([0, 5], sync.stderr).toContain(sync.code);
    const { register } = readRegister((await readWorkbook(book())).snapshot);
    expect(register.actions.map((a) => [a.id, a.status])).toEqual([
      ['A-0001', 'Done'],
      ['A-0002', 'Open'],
    ]);
    expect(register.changes.filter((c) => c.milestone === 'A-0001').map((c) => [c.field, c.to])).toEqual([
      ['Action status', 'Done'],
    ]);
    // Done: the page asks about it no more.
    expect(await page(PRIYA)).not.toContain('action:A-0001');
  });

  it("refuses an answer on someone else's action, naming it", async () => {
    const html = await page(PRIYA);
    const res = await post(PRIYA, {
      csrf: csrfOf(html),
      'action:A-0002': 'Done',
      helpFrom: 'No help needed',
    });
    expect(res.html).toContain('it named A-0002');
    expect(res.html).toContain('Nothing was recorded');
  });
});
