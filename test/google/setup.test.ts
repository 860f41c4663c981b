/** Setting up the register in Google Sheets, against the Workspace emulator. */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import { protectionDescription, TABS } from '../../src/core/layout';
import { readRegister } from '../../src/core/register';
import { readGoogle, setupGoogle } from '../../src/google/backend';
import { planSetup } from '../../src/google/setup';
import { initWorkspace } from '../../src/local/init';
import { milepostAsync, tempDir } from '../cli/helpers';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start() {
  emulator = await startEmulator({ quotaPerMinute: false });
  return { emulator, env: { MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot, MILEPOST_GMAIL_SPACING_MS: '0' } };
}

describe('planSetup', () => {
  it('asks for every tab, header, dropdown, date format, colour and protection of a blank spreadsheet', () => {
    const plan = planSetup({ timeZone: 'America/New_York', sheets: [], settings: [] });
    const kinds = plan.requests.map((r) => Object.keys(r)[0]);
    expect(kinds.filter((k) => k === 'addSheet')).toHaveLength(TABS.length); // Actions included
    expect(kinds.filter((k) => k === 'addConditionalFormatRule')).toHaveLength(4);
    expect(kinds).toContain('setDataValidation');
    expect(kinds).toContain('addProtectedRange');
    expect(plan.headerWrites.map((h) => h.range)).toContain("'Milestones'!A1");
    expect(plan.settingsRows.find((r) => r[0] === 'Time zone')![1]).toBe('America/New_York');
  });
});

describe('milepost setup --backend google', () => {
  it('creates a complete register; running it again changes nothing', async () => {
    const { emulator: e, env } = await start();
    const first = await setupGoogle(undefined, 'Leadership milestones', env);
    expect(first.created).toBe(true);
    const sheet = await readGoogle(first.spreadsheetId, env);
    const { problems, register } = readRegister(sheet.snapshot);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(register.settings.timeZone).toBe(sheet.timeZone);
    const dump = e.dump().spreadsheets[0] as {
      sheets: {
        properties: { title: string; gridProperties: { frozenRowCount?: number } };
        dataValidations?: unknown[];
        protectedRanges?: { description: string; warningOnly: boolean }[];
        conditionalFormats?: unknown[];
      }[];
    };
    const milestones = dump.sheets.find((s) => s.properties.title === 'Milestones')!;
    expect(milestones.properties.gridProperties.frozenRowCount).toBe(1);
    expect(milestones.dataValidations?.length).toBeGreaterThan(0);
    // Owner from the Team tab's emails, Priority from Priorities, a date check on Due and Forecast.
    const rules = JSON.stringify(milestones.dataValidations);
    expect(rules).toContain("'Team'!$B$2:$B");
    expect(rules).toContain('ONE_OF_RANGE');
    expect(rules).toContain("'Priorities'!$A$2:$A");
    expect(rules).toContain('DATE_IS_VALID');
    expect(milestones.conditionalFormats).toHaveLength(4);
    expect(milestones.protectedRanges!.map((p) => p.description)).toContain(
      protectionDescription('Milestones', 'ID'),
    );
    expect(milestones.protectedRanges!.every((p) => p.warningOnly)).toBe(true);

    const calls = e.log.length;
    const again = await setupGoogle(first.spreadsheetId, 'ignored', env);
    expect(again.actions).toEqual([]);
    expect(e.log.slice(calls).filter((x) => x.kind === 'write')).toEqual([]);
  });

  it('adopts an existing register without touching its data, and repairs what people removed', async () => {
    const { emulator: e, env } = await start();
    const dir = tempDir('setup');
    await initWorkspace(dir, { sample: true });
    const id = await e.seedFromWorkbook(path.join(dir, 'register.xlsx'));
    const before = (await readGoogle(id, env)).snapshot;
    const adopted = await setupGoogle(id, 'x', env);
    expect(adopted.actions.some((a) => a.startsWith('Milestones: dropdown'))).toBe(true);
    const adoptedSnap = (await readGoogle(id, env)).snapshot;
    // (Recording the ids goes through the journal: its hidden tab is Milepost's, not people's.)
    const others = (snap: typeof before) =>
      snap.tables.filter((t) => t.name !== 'Settings' && t.name !== 'Milepost journal');
    expect(others(adoptedSnap)).toEqual(others(before));
    // Settings keeps every value people set; setup records only its own ids (and adds missing rows).
    const settings = (snap: typeof before) =>
      Object.fromEntries(
        snap.tables.find((t) => t.name === 'Settings')!.rows.map((r) => [r[0], r[1] ?? null]),
      );
    const recorded = ['Form ID', 'Form base URL', 'Pack folder ID'];
    for (const [key, value] of Object.entries(settings(before))) {
      if (!recorded.includes(String(key)))
        expect(settings(adoptedSnap)[String(key)], String(key)).toEqual(value);
    }
    expect(settings(adoptedSnap)['Form ID']).toBe(adopted.formId);
    expect(settings(adoptedSnap)['Pack folder ID']).toBe(adopted.folderId);
    expect(settings(adoptedSnap)['Form base URL']).toBe(adopted.responderUri);
    // Someone deletes the Notes column and the Changes tab.
    const notes = before.tables.find((t) => t.name === 'Milestones')!.headers.indexOf('Notes');
    e.edit({ op: 'deleteColumns', sheet: 'Milestones', at: String.fromCharCode(65 + notes), count: 1 });
    const repaired = await setupGoogle(id, 'x', env);
    expect(repaired.actions).toContain('Milestones: added the column "Notes"');
    const after = (await readGoogle(id, env)).snapshot.tables.find((t) => t.name === 'Milestones')!;
    expect(after.headers[after.headers.length - 1]).toBe('Notes');
    expect(after.rows[0]![0]).toBe('M-0001');
  });

  it('runs from the CLI, and says so when there is nothing to do', async () => {
    const { env } = await start();
    const made = await milepostAsync(env, 'setup', '--backend', 'google', '--json');
    expect(made.code).toBe(0);
    const { spreadsheetId } = made.json() as { spreadsheetId: string };
    const again = await milepostAsync(env, 'setup', '--backend', 'google', '--spreadsheet', spreadsheetId);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('is complete: nothing to do');
    const local = await milepostAsync({}, 'setup');
    expect(local.code).toBe(2);
  });
});
