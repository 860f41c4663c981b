import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Email, Plan } from '../../src/core/types';
import { PlanConflictError, runLocal } from '../../src/local/backend';
import { createWorkbook, defaultSettingsRows, RegisterChangedError } from '../../src/local/workbook';
import { XlsxPackage } from '../../src/local/xlsx/package';

async function workspace(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milepost-backend-'));
  const wb = createWorkbook(
    {
      Settings: defaultSettingsRows(),
      Milestones: [
        {
          ID: 'M-0001',
          Priority: 'P',
          Milestone: 'A',
          Owner: 'a@example.com',
          Due: '2026-12-20',
          Status: 'On track',
        },
      ],
    },
    'Europe/London',
  );
  await wb.xlsx.writeFile(path.join(dir, 'register.xlsx'));
  return dir;
}

const email: Email = {
  key: 'pack/2026-12-03',
  kind: 'pack',
  to: ['a@example.com'],
  cc: [],
  from: 'm@example.com',
  replyTo: 'm@example.com',
  subject: 'Pack',
  text: 'x',
  html: '<p>x</p>',
};
const plan = (previous: string): Plan => ({
  timeZone: 'Europe/London',
  writes: [
    {
      tab: 'Milestones',
      ref: { by: 'key', header: 'ID', value: 'M-0001' },
      column: 'Status',
      value: 'Might miss',
      previous,
    },
  ],
  appends: [
    {
      tab: 'Changes',
      values: {
        When: '2026-12-01T09:00:00Z',
        Milestone: 'M-0001',
        Field: 'Status',
        From: 'On track',
        To: 'Might miss',
      },
      dates: { When: 'instant' },
    },
  ],
  emails: [email],
});
const files = () => [{ path: 'PLACEHOLDER', data: 'pack' }];

describe('runLocal', () => {
  it('applies a plan that fits: cell, rows, files and outbox', async () => {
    const dir = await workspace();
    const { report } = await runLocal(
      dir,
      'test',
      '2026-12-01T09:00:00Z',
      () => ({ plan: plan('On track') }),
      (_, p) => files().map((f) => ({ ...f, path: path.join(p.packs, 'x.html') })),
    );
    expect(report).toMatchObject({ writes: 1, appends: 1, conflicts: [] });
    expect(fs.readdirSync(path.join(dir, 'outbox'))).toEqual(['pack_2026-12-03.eml']);
    expect(fs.existsSync(path.join(dir, 'packs', 'x.html'))).toBe(true);
  });

  it('writes nothing at all — register, files or outbox — when the plan does not fit the workbook', async () => {
    const dir = await workspace();
    const before = fs.readFileSync(path.join(dir, 'register.xlsx'));
    await expect(
      runLocal(
        dir,
        'test',
        '2026-12-01T09:00:00Z',
        () => ({ plan: plan('Missed') }),
        (_, p) => [{ path: path.join(p.packs, 'x.html'), data: 'pack' }],
      ),
    ).rejects.toBeInstanceOf(PlanConflictError);
    expect(fs.readFileSync(path.join(dir, 'register.xlsx')).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'outbox'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'packs'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.milepost.lock'))).toBe(false);
  });

  it('writes nothing when another program changes the register while the run plans', async () => {
    const dir = await workspace();
    const file = path.join(dir, 'register.xlsx');
    await expect(
      runLocal(
        dir,
        'test',
        '2026-12-01T09:00:00Z',
        () => {
          fs.appendFileSync(file, ' '); // someone saves the workbook meanwhile
          return { plan: plan('On track') };
        },
        (_, p) => [{ path: path.join(p.packs, 'x.html'), data: 'pack' }],
      ),
    ).rejects.toBeInstanceOf(RegisterChangedError);
    expect(fs.existsSync(path.join(dir, 'outbox'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'packs'))).toBe(false);
  });

  it('sends nothing and writes no pack when the register cannot be written (disk full): the register is written first', async () => {
    const dir = await workspace();
    const before = fs.readFileSync(path.join(dir, 'register.xlsx'));
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    // The register's bytes cannot be produced or written: the same failure either way.
    const spy = vi.spyOn(XlsxPackage.prototype, 'bytes').mockImplementation(() => {
      throw full;
    });
    try {
      await expect(
        runLocal(
          dir,
          'test',
          '2026-12-01T09:00:00Z',
          () => ({ plan: plan('On track') }),
          (_, p) => [{ path: path.join(p.packs, 'x.html'), data: 'pack' }],
        ),
      ).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(path.join(dir, 'register.xlsx')).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'outbox'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'packs'))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
