import { describe, expect, it } from 'vitest';
import { TABS } from '../../src/core/layout';
import { planRegisterSetup, type RegisterShape, type SetupStep } from '../../src/core/setup';

const EMPTY: RegisterShape = { timeZone: 'Europe/London', tabs: [], protections: [], settings: [] };

/** The spreadsheet a plan leaves behind, as setup would read it again. */
function applied(shape: RegisterShape, steps: SetupStep[]): RegisterShape {
  const next: RegisterShape = structuredClone(shape);
  const tab = (title: string) => next.tabs.find((t) => t.title === title)!;
  for (const s of steps) {
    if (s.kind === 'tab')
      next.tabs.push({
        title: s.title,
        headers: [],
        frozenRows: 1,
        dropdown: [],
        format: [],
        colouredStatuses: [],
      });
    if (s.kind === 'headers') tab(s.title).headers.splice(s.start, s.headers.length, ...s.headers);
    if (s.kind === 'freeze') tab(s.title).frozenRows = 1;
    if (s.kind === 'dropdown' || s.kind === 'validDate') tab(s.title).dropdown[s.column] = true;
    if (s.kind === 'format') tab(s.title).format[s.column] = true;
    if (s.kind === 'protect') next.protections.push(s.description);
    if (s.kind === 'colour') tab(s.title).colouredStatuses.push(s.status);
    if (s.kind === 'settings') next.settings.push(...s.rows.map((r) => r[0]));
    if (s.kind === 'timeZone') next.timeZone = s.timeZone;
  }
  return next;
}

describe('planRegisterSetup (setup as a plan, every runtime)', () => {
  it('builds every tab of the layout in an empty spreadsheet, and then plans nothing', () => {
    const plan = planRegisterSetup(EMPTY);
    expect(plan.steps.filter((s) => s.kind === 'tab').map((s) => (s as { tab: string }).tab)).toEqual(
      TABS.map((t) => t.name),
    );
    expect(plan.actions).toEqual(TABS.map((t) => `added the ${t.name} tab`));
    const settings = plan.steps.find((s) => s.kind === 'settings');
    expect(settings).toMatchObject({
      rows: expect.arrayContaining([['Time zone', 'Europe/London', expect.any(String)]]),
    });
    const again = planRegisterSetup(applied(EMPTY, plan.steps));
    expect(again).toEqual({ steps: [], actions: [] });
  });

  it('adds only what a hand-made register lacks, after its own columns, and says so', () => {
    const full = applied(EMPTY, planRegisterSetup(EMPTY).steps);
    const milestones = full.tabs.find((t) => t.title === 'Milestones')!;
    const status = milestones.headers.indexOf('Status');
    // A person removed the Status column's dropdown and colours, unfroze the header, added a column.
    milestones.headers.splice(status, 1, 'My notes');
    milestones.dropdown[status] = false;
    milestones.colouredStatuses = [];
    milestones.frozenRows = 0;
    full.settingsTimeZone = 'America/New_York';
    const plan = planRegisterSetup(full);
    const end = milestones.headers.length;
    expect(plan.steps).toEqual(
      expect.arrayContaining([
        { kind: 'headers', tab: 'Milestones', title: 'Milestones', start: end, headers: ['Status'] },
        { kind: 'freeze', tab: 'Milestones', title: 'Milestones' },
        expect.objectContaining({ kind: 'dropdown', column: end, header: 'Status' }),
        expect.objectContaining({ kind: 'colour', column: end, status: 'Missed' }),
        { kind: 'timeZone', timeZone: 'America/New_York' },
      ]),
    );
    expect(plan.actions).toContain('Milestones: added the column "Status"');
    expect(plan.steps.some((s) => s.kind === 'tab' || s.kind === 'settings')).toBe(false);
  });

  it('feeds Owner from the Team tab’s Email column and Priority from Priorities, wherever those columns are; checks the dates people type', () => {
    const full = applied(EMPTY, planRegisterSetup(EMPTY).steps);
    const team = full.tabs.find((t) => t.title === 'Team')!;
    // Someone renamed the tab's case and put a column of their own first.
    team.title = 'team';
    team.headers.unshift('Photo');
    const milestones = full.tabs.find((t) => t.title === 'Milestones')!;
    milestones.dropdown = [];
    const plan = planRegisterSetup(full);
    const at = (header: string) => milestones.headers.indexOf(header);
    const steps = plan.steps.filter((s) => 'tab' in s && s.tab === 'Milestones');
    expect(steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'dropdown',
          header: 'Owner',
          values: [],
          from: { title: 'team', column: team.headers.indexOf('Email') },
        }),
        expect.objectContaining({
          kind: 'dropdown',
          header: 'Priority',
          from: { title: 'Priorities', column: 0 },
        }),
        expect.objectContaining({
          kind: 'dropdown',
          header: 'Status',
          values: expect.arrayContaining(['Might miss']),
        }),
        { kind: 'validDate', tab: 'Milestones', title: 'Milestones', column: at('Due'), header: 'Due' },
        {
          kind: 'validDate',
          tab: 'Milestones',
          title: 'Milestones',
          column: at('Forecast'),
          header: 'Forecast',
        },
      ]),
    );
    // Milepost fills Last update itself: no check there.
    expect(steps.some((s) => s.kind === 'validDate' && s.header === 'Last update')).toBe(false);
    expect(plan.actions).toContainEqual(
      expect.stringMatching(/^Milestones: dropdowns? for .*"Owner" \(from Team Email\)/),
    );
  });
});
