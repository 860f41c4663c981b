/**
 * What people send cannot be turned against the register, on Google: responses arrive through
 * the update form (as the emulator's respond command fills it in) with the verified respondent
 * email Google Forms collects; formulas and HTML in people's text stay text.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { respond } from '../../emulator/respond';
import { type Emulator, startEmulator } from '../../emulator/server';
import { readRegister } from '../../src/core/register';
import { packGoogle, readGoogle, requestGoogle, setupGoogle, syncGoogle } from '../../src/google/backend';
import { initWorkspace } from '../../src/local/init';
import { tempDir } from '../cli/helpers';

const PRIYA = 'priya.shah@northwind.example';
const SAM = 'sam.whitfield@northwind.example';
const TITLE = '<b>Launch</b> & <script>alert(1)</script>';
const FORMULA = '=IMPORTXML("http://evil.example","//a")';
const HTML_HELP = '<img src=x onerror=alert(1)> a reviewer';

let e: Emulator;
let id: string;
let env: { MILEPOST_GOOGLE_API_ROOT: string; MILEPOST_GMAIL_SPACING_MS: string };

interface Message {
  milepostKey: string;
  to: string[];
  text: string;
  html?: string;
}

beforeAll(async () => {
  const dir = tempDir('gsec');
  await initWorkspace(dir, { sample: true });
  e = await startEmulator({ quotaPerMinute: false });
  id = await e.seedFromWorkbook(path.join(dir, 'register.xlsx'));
  env = { MILEPOST_GOOGLE_API_ROOT: e.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' };
  const sheet = await readGoogle(id, env);
  const { register } = readRegister(sheet.snapshot);
  const row = register.milestones.find((m) => m.id === 'M-0006')!.row;
  const col = sheet.snapshot.tables.find((t) => t.name === 'Milestones')!.headers.indexOf('Milestone');
  // A person types a title with markup into the register.
  e.edit({ op: 'set', sheet: 'Milestones', a1: `${String.fromCharCode(65 + col)}${row}`, value: TITLE });
  await setupGoogle(id, 'x', env);
  await requestGoogle(id, '2026-11-30T08:00:00Z', {}, env);
  const base = { submittedAt: '2026-12-01T09:00:00Z', forecasts: {}, comments: {} };
  const result = await respond({ apiRoot: e.apiRoot, spreadsheetId: id }, [
    {
      where: 'priya',
      value: {
        ...base,
        responseId: 'r-priya',
        email: PRIYA,
        statuses: { 'M-0006': 'Might miss' },
        comments: { 'M-0006': '+SUM(1,2)' },
        wins: FORMULA,
        learnings: '<script>alert(2)</script>',
        helpNeeded: HTML_HELP,
      },
    },
    // Sam is nobody's delegate: he opens the form, picks Priya and sets her milestone to Missed.
    {
      where: 'impostor',
      value: { ...base, responseId: 'r-impostor', email: SAM, statuses: { 'M-0006': 'Missed' } },
    },
    // Someone outside the team: the form is not shared with them, so Google refuses the answer.
    {
      where: 'outsider',
      value: {
        ...base,
        responseId: 'r-outsider',
        email: 'mallory@evil.example',
        statuses: { 'M-0006': 'Done' },
      },
    },
  ]);
  expect(result.refused).toEqual([
    {
      where: 'outsider',
      reason: expect.stringMatching(/mallory@evil\.example is not a responder of this form/),
    },
  ]);
  await syncGoogle(id, { raw: [], problems: [] }, '2026-12-01T18:00:00Z', env);
  await packGoogle(id, { raw: [], problems: [] }, '2026-12-02T16:00:00Z', env);
});
afterAll(() => e.close());

function updatesRow(responseId: string): Record<string, unknown> {
  const [headers, ...rows] = e.values(id, 'Updates', 'FORMULA');
  const row = rows.find((r) => r.includes(responseId))!;
  expect(row, responseId).toBeDefined();
  return Object.fromEntries(headers!.map((h, i) => [String(h), row[i]]));
}

describe('security on Google', () => {
  it('a verified respondent who is not the owner or their delegate changes nothing', async () => {
    const { register } = readRegister((await readGoogle(id, env)).snapshot);
    expect(register.milestones.find((m) => m.id === 'M-0006')!.status).toBe('Might miss');
    expect(String(updatesRow('r-impostor').Result)).toBe(
      `Rejected: no changes; rejected ${SAM} may not update for Priya Shah (${PRIYA}): only they may`,
    );
    // The outsider could not answer at all: the form is shared with the team only.
    expect(e.values(id, 'Updates').some((r) => r.includes('r-outsider'))).toBe(false);
    expect(
      register.changes.filter((c) => c.responseId === 'r-impostor' || c.responseId === 'r-outsider'),
    ).toEqual([]);
  });

  it('formulas and markup stay text in the Sheet', () => {
    const priya = updatesRow('r-priya');
    expect(priya.Wins).toBe(FORMULA);
    expect(priya.Learnings).toBe('<script>alert(2)</script>');
    const sheets = JSON.stringify(e.dump().spreadsheets);
    expect(sheets).not.toMatch(/"formula"\s*:\s*"=IMPORTXML/);
    expect(sheets).not.toMatch(/"formula"\s*:\s*"\+SUM/);
  });

  it('the Doc holds people’s text literally, and every email escapes it', () => {
    const state = e.dump() as unknown as { documents: { text: string }[]; messages: Message[] };
    const pack = state.documents.find((d) => d.text.includes('Milestone meeting'))!;
    expect(pack.text).toContain(TITLE);
    expect(pack.text).toContain(FORMULA);
    expect(pack.text).toContain(HTML_HELP);
    const request = state.messages.find((m) => m.milepostKey === `request/2026-12-03/${PRIYA}`)!;
    expect(request.html).toContain('&lt;b&gt;Launch&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(state.messages.some((m) => m.milepostKey === 'pack/2026-12-03')).toBe(true);
    for (const m of state.messages) {
      expect(m.html ?? '', m.milepostKey).not.toMatch(/<script>|<img src=x|<b>Launch/);
    }
  });

  it('the form shows the title as text, and answers are tied to question ids, not titles', async () => {
    const state = e.dump() as unknown as {
      forms: {
        items: { title?: string; questionGroupItem?: { questions: { rowQuestion: { title: string } }[] } }[];
      }[];
    };
    const rows = state.forms[0]!.items.flatMap((i) => i.questionGroupItem?.questions ?? []);
    expect(rows.some((q) => q.rowQuestion.title.includes(TITLE))).toBe(true);
  });
});
