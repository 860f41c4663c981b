/**
 * The Sheets v4 semantics of the emulator, driven through the real googleapis client over HTTP.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { describe, expect, it } from 'vitest';
import { FORMULA_NOT_EVALUATED } from '../../emulator/cells';
import { type Emulator, startEmulator } from '../../emulator/server';
import { dateToSerial, instantToSerial } from '../../src/core/dates';
import { failure, googleError, seedSampleEachTest, sheetsClient } from './helpers';

let emulator: Emulator;
let api: sheets_v4.Sheets;
let id: string;
const seeded = seedSampleEachTest((s) => {
  ({ emulator, api, id } = s);
});

const LONDON = 'Europe/London';

/** Adds an empty tab through the API and returns its sheetId. */
async function addTab(title: string, rowCount = 1000): Promise<number> {
  const res = await api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: { requests: [{ addSheet: { properties: { title, gridProperties: { rowCount } } } }] },
  });
  return res.data.replies![0]!.addSheet!.properties!.sheetId!;
}

async function read(range: string, valueRenderOption = 'UNFORMATTED_VALUE') {
  const res = await api.spreadsheets.values.get({ spreadsheetId: id, range, valueRenderOption });
  return res.data.values ?? [];
}

async function write(range: string, values: unknown[][], valueInputOption: 'RAW' | 'USER_ENTERED' = 'RAW') {
  return (
    await api.spreadsheets.values.update({
      spreadsheetId: id,
      range,
      valueInputOption,
      requestBody: { values },
    })
  ).data;
}

describe('reading a seeded register', () => {
  it('returns every tab with serial dates, trailing empty cells left out and middle ones as ""', async () => {
    const res = await api.spreadsheets.values.batchGet({
      spreadsheetId: id,
      ranges: ["'Milestones'!A1:Z", 'Changes'],
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'SERIAL_NUMBER',
    });
    expect(res.data.spreadsheetId).toBe(id);
    const [milestones, changes] = res.data.valueRanges!;
    expect(milestones!.range).toBe('Milestones!A1:Z1000');
    expect(milestones!.majorDimension).toBe('ROWS');
    const rows = milestones!.values!;
    expect(rows[0]).toEqual([
      'ID',
      'Priority',
      'Milestone',
      'Owner',
      'Due',
      'Status',
      'Forecast',
      'Depends on',
      'Last update',
      'Notes',
    ]);
    expect(rows).toHaveLength(32);
    // M-0001: Forecast and Depends on are blank between filled cells.
    expect(rows[1]).toEqual([
      'M-0001',
      'Self-serve growth',
      'New pricing and packaging published',
      'priya.shah@northwind.example',
      dateToSerial('2026-10-15'),
      'Done',
      '',
      '',
      instantToSerial('2026-10-12T14:20:00Z', LONDON),
      'Approved at the 1 Oct meeting',
    ]);
    // M-0002 has no Notes: the row stops at Last update.
    expect(rows[2]).toHaveLength(9);
    expect(changes!.range).toBe('Changes!A1:Z1000');
    expect(changes!.values![1]![0]).toBe(instantToSerial('2026-10-12T14:20:00Z', LONDON));
  });

  it('formats date and instant columns with FORMATTED_STRING and FORMATTED_VALUE', async () => {
    const formattedString = await api.spreadsheets.values.get({
      spreadsheetId: id,
      range: 'Milestones!E2:I2',
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'FORMATTED_STRING',
    });
    expect(formattedString.data.values).toEqual([['2026-10-15', 'Done', '', '', '2026-10-12 15:20']]);
    const formatted = await read('Priorities!A1:C2', 'FORMATTED_VALUE');
    expect(formatted[1]![1]).toBe('1');
  });

  it('reports the spreadsheet, its tabs and its time zone from the workbook', async () => {
    const res = await api.spreadsheets.get({
      spreadsheetId: id,
      fields:
        'spreadsheetId,properties(title,timeZone),sheets.properties(sheetId,title,index,gridProperties)',
    });
    expect(res.data.properties).toEqual({ title: 'Milestone register', timeZone: LONDON });
    expect(res.data.sheets!.map((s) => s.properties!.title)).toEqual([
      'Milestones',
      'Team',
      'Priorities',
      'Meetings',
      'Topics',
      'Updates',
      'Changes',
      'Settings',
      'Actions',
    ]);
    expect(res.data.sheets![0]!.properties).toEqual({
      sheetId: 0,
      title: 'Milestones',
      index: 0,
      gridProperties: { rowCount: 1000, columnCount: 26, frozenRowCount: 1 },
    });
    expect(Object.keys(res.data)).toEqual(['spreadsheetId', 'properties', 'sheets']);
  });

  it('returns no values key for an empty range and clamps a range to the grid', async () => {
    const empty = await api.spreadsheets.values.get({ spreadsheetId: id, range: 'Milestones!A500:C600' });
    expect(empty.data).toEqual({ range: 'Milestones!A500:C600', majorDimension: 'ROWS' });
    const clamped = await api.spreadsheets.values.get({ spreadsheetId: id, range: 'Priorities!B2:AB5000' });
    expect(clamped.data.range).toBe('Priorities!B2:Z1000');
  });

  it('reads by columns when asked', async () => {
    const res = await api.spreadsheets.values.get({
      spreadsheetId: id,
      range: 'Priorities!A1:B4',
      majorDimension: 'COLUMNS',
      valueRenderOption: 'UNFORMATTED_VALUE',
    });
    expect(res.data.values![1]).toEqual(['Rank', 1, 2, 3]);
  });
});

describe('writing values', () => {
  it('stores RAW text literally and parses USER_ENTERED text as a person typing', async () => {
    await addTab('Scratch');
    await write('Scratch!A1:D1', [['=1+1', '2026-12-03', '123', "'=2"]], 'RAW');
    await write('Scratch!A2:D2', [['=1+1', '2026-12-03', '123', "'=2"]], 'USER_ENTERED');
    await write('Scratch!A3:D3', [['TRUE', '2026-12-03 10:30', '12%', '10:00']], 'USER_ENTERED');
    expect(await read('Scratch')).toEqual([
      ['=1+1', '2026-12-03', '123', "'=2"],
      [FORMULA_NOT_EVALUATED, dateToSerial('2026-12-03'), 123, '=2'],
      [true, dateToSerial('2026-12-03') + 10.5 / 24, 0.12, 10 / 24],
    ]);
    expect((await read('Scratch!A2', 'FORMULA'))[0]).toEqual(['=1+1']);
    expect(await read('Scratch!A2:D3', 'FORMATTED_VALUE')).toEqual([
      [FORMULA_NOT_EVALUATED, '2026-12-03', '123', '=2'],
      ['TRUE', '2026-12-03 10:30:00', '12%', '10:00'],
    ]);
  });

  it('skips null cells and clears cells written as ""', async () => {
    await addTab('Scratch');
    await write('Scratch!A1', [['a', 'b', 'c', 'd']]);
    const res = await write('Scratch!A1', [[null, '', 'z', null]]);
    expect(await read('Scratch')).toEqual([['a', '', 'z', 'd']]);
    expect(res).toEqual({
      spreadsheetId: id,
      updatedRange: 'Scratch!A1:D1',
      updatedRows: 1,
      updatedColumns: 2,
      updatedCells: 2,
    });
    await write('Scratch!C1:D1', [['', '']]);
    expect(await read('Scratch')).toEqual([['a']]);
  });

  it('answers a batchUpdate in Google shape', async () => {
    const res = await api.spreadsheets.values.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        valueInputOption: 'RAW',
        data: [
          { range: 'Milestones!F2', values: [['Might miss']] },
          { range: "'Team'!A12:B13", values: [['New person', 'new@northwind.example'], ['Another']] },
        ],
      },
    });
    expect(res.data).toEqual({
      spreadsheetId: id,
      totalUpdatedRows: 3,
      totalUpdatedColumns: 3,
      totalUpdatedCells: 4,
      totalUpdatedSheets: 2,
      responses: [
        {
          spreadsheetId: id,
          updatedRange: 'Milestones!F2',
          updatedRows: 1,
          updatedColumns: 1,
          updatedCells: 1,
        },
        {
          spreadsheetId: id,
          updatedRange: 'Team!A12:B13',
          updatedRows: 2,
          updatedColumns: 2,
          updatedCells: 3,
        },
      ],
    });
  });

  it('refuses values beyond the range or the grid, and a missing valueInputOption, changing nothing', async () => {
    const beyond = await failure(
      api.spreadsheets.values.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          valueInputOption: 'RAW',
          data: [
            { range: 'Milestones!J2', values: [['changed']] },
            { range: 'Milestones!A2:B2', values: [['x', 'y', 'z']] },
          ],
        },
      }),
    );
    expect(beyond.status).toBe(400);
    expect(beyond.data).toEqual(
      googleError(
        400,
        'Invalid data[1]: Requested writing within range [Milestones!A2:B2], but tried writing to column [C]',
        'INVALID_ARGUMENT',
      ),
    );
    expect((await read('Milestones!J2'))[0]).toEqual(['Approved at the 1 Oct meeting']);
    const grid = await failure(write('Priorities!A999', [['a'], ['b'], ['c']]));
    expect(grid.data).toEqual(
      googleError(
        400,
        'Requested writing within range [Priorities!A999], but tried writing to row [1001]',
        'INVALID_ARGUMENT',
      ),
    );
    const outside = await failure(write('Priorities!A1001', [['a']]));
    expect(outside.data).toEqual(
      googleError(
        400,
        'Range (Priorities!A1001) exceeds grid limits. Max rows: 1000, max columns: 26',
        'INVALID_ARGUMENT',
      ),
    );
    const option = await failure(
      api.spreadsheets.values.update({
        spreadsheetId: id,
        range: 'Milestones!J2',
        requestBody: { values: [['x']] },
      }),
    );
    expect(option.data).toEqual(
      googleError(400, "'valueInputOption' is required but not specified", 'INVALID_ARGUMENT'),
    );
  });

  it('answers "Unable to parse range" for an unknown tab', async () => {
    const res = await failure(api.spreadsheets.values.get({ spreadsheetId: id, range: 'History!A1' }));
    expect(res.status).toBe(400);
    expect(res.data).toEqual({
      error: { code: 400, message: 'Unable to parse range: History!A1', status: 'INVALID_ARGUMENT' },
    });
  });
});

describe('more writes', () => {
  it('writes by columns and returns the written values when asked', async () => {
    await addTab('Scratch');
    const res = await api.spreadsheets.values.update({
      spreadsheetId: id,
      range: 'Scratch!B2',
      valueInputOption: 'USER_ENTERED',
      includeValuesInResponse: true,
      responseValueRenderOption: 'UNFORMATTED_VALUE',
      requestBody: {
        majorDimension: 'COLUMNS',
        values: [
          ['a', 'b'],
          ['1', '2'],
        ],
      },
    });
    expect(res.data.updatedRange).toBe('Scratch!B2:C3');
    expect(res.data.updatedData).toEqual({
      range: 'Scratch!B2:C3',
      majorDimension: 'ROWS',
      values: [
        ['a', 1],
        ['b', 2],
      ],
    });
  });

  it('clears values and keeps formats', async () => {
    const res = await api.spreadsheets.values.batchClear({
      spreadsheetId: id,
      requestBody: { ranges: ['Milestones!E2:E3', 'Team!A2:B'] },
    });
    expect(res.data).toEqual({ spreadsheetId: id, clearedRanges: ['Milestones!E2:E3', 'Team!A2:B1000'] });
    expect((await read('Milestones!E2:F2'))[0]).toEqual(['', 'Done']);
    expect((await read('Team!A1:C2'))[1]).toEqual(['', '', 'Operations']);
    await write('Milestones!E2', [[dateToSerial('2027-01-04')]]);
    expect(await read('Milestones!E2', 'FORMATTED_VALUE')).toEqual([['2027-01-04']]);
  });

  it('sets values and formats with updateCells', async () => {
    const sheetId = await addTab('Scratch');
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            updateCells: {
              start: { sheetId, rowIndex: 1, columnIndex: 0 },
              rows: [
                {
                  values: [
                    { userEnteredValue: { stringValue: '=not a formula' } },
                    {
                      userEnteredValue: { numberValue: dateToSerial('2026-12-03') },
                      userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'd mmm yyyy' } },
                    },
                  ],
                },
              ],
              fields: 'userEnteredValue,userEnteredFormat.numberFormat',
            },
          },
        ],
      },
    });
    expect(await read('Scratch', 'FORMATTED_VALUE')).toEqual([[], ['=not a formula', '3 Dec 2026']]);
  });
});

describe('rows moving', () => {
  it('moves conditional formats and protected ranges with inserted and deleted rows', async () => {
    const sheetId = await addTab('Scratch', 100);
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            addConditionalFormatRule: {
              rule: {
                ranges: [
                  { sheetId, startRowIndex: 10, endRowIndex: 20, startColumnIndex: 0, endColumnIndex: 1 },
                ],
                booleanRule: { condition: { type: 'NOT_BLANK' }, format: { textFormat: { bold: true } } },
              },
            },
          },
          {
            addProtectedRange: {
              protectedRange: { range: { sheetId, startRowIndex: 30, endRowIndex: 31 }, warningOnly: true },
            },
          },
          { insertDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 5, endIndex: 7 } } },
          { deleteDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 15, endIndex: 25 } } },
        ],
      },
    });
    const sheet = (await api.spreadsheets.get({ spreadsheetId: id, ranges: ['Scratch'] })).data.sheets![0]!;
    expect(sheet.properties!.gridProperties!.rowCount).toBe(92);
    expect(sheet.conditionalFormats![0]!.ranges).toEqual([
      { sheetId, startRowIndex: 12, endRowIndex: 15, startColumnIndex: 0, endColumnIndex: 1 },
    ]);
    expect(sheet.protectedRanges![0]!.range).toEqual({ sheetId, startRowIndex: 22, endRowIndex: 23 });
  });

  it('leaves row metadata in place when a range is sorted, by default (the reading worse for a job)', async () => {
    const still = await startEmulator({ quotaPerMinute: false });
    try {
      const sid = await still.seedFromWorkbook(seeded.registerFile());
      const client = sheetsClient(still);
      await client.spreadsheets.batchUpdate({
        spreadsheetId: sid,
        requestBody: {
          requests: [
            {
              createDeveloperMetadata: {
                developerMetadata: {
                  metadataKey: 'milestone',
                  metadataValue: 'M-0001',
                  location: { dimensionRange: { sheetId: 0, dimension: 'ROWS', startIndex: 1, endIndex: 2 } },
                  visibility: 'DOCUMENT',
                },
              },
            },
          ],
        },
      });
      still.edit({ op: 'sortRows', sheet: 'Milestones', by: 'ID', descending: true });
      const got = await client.spreadsheets.values.batchGetByDataFilter({
        spreadsheetId: sid,
        requestBody: { dataFilters: [{ developerMetadataLookup: { metadataKey: 'milestone' } }] },
      });
      expect(got.data.valueRanges![0]!.valueRange!.range).toBe('Milestones!A2:Z2');
      expect(got.data.valueRanges![0]!.valueRange!.values![0]![0]).toBe('M-0031');
    } finally {
      await still.close();
    }
  });
});

describe("Google's limits", () => {
  const tag = (row: number, value: string) => ({
    createDeveloperMetadata: {
      developerMetadata: {
        metadataKey: 'k',
        metadataValue: value,
        location: { dimensionRange: { sheetId: 0, dimension: 'ROWS', startIndex: row, endIndex: row + 1 } },
        visibility: 'DOCUMENT',
      },
    },
  });

  it('refuses developer metadata past 30,000 characters on a sheet, applying nothing of the batch', async () => {
    // 29 tags of 1,000 characters (key 'k' + 999) fit: 29,000.
    const fits = Array.from({ length: 29 }, (_, i) => tag(i + 1, 'x'.repeat(999)));
    await api.spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests: fits } });
    expect(emulator.metadataCharacters(id).sheets.Milestones).toBe(29_000);
    const over = [tag(30, 'y'.repeat(500)), tag(31, 'y'.repeat(500))];
    const err = await failure(
      api.spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests: over } }),
    );
    expect(err.status).toBe(400);
    expect(err.data).toEqual(googleError(400, expect.stringMatching(/30000 characters/), 'INVALID_ARGUMENT'));
    expect(emulator.metadataCharacters(id).sheets.Milestones).toBe(29_000);
    // Another sheet has its own 30,000.
    const other = await addTab('Other');
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [tag(1, 'z'.repeat(999))].map((r) => {
          r.createDeveloperMetadata.developerMetadata.location.dimensionRange.sheetId = other;
          return r;
        }),
      },
    });
    expect(emulator.metadataCharacters(id).sheets.Other).toBe(1000);
  });

  it('refuses a cell of more than 50,000 characters, as Sheets does', async () => {
    await write('Milestones!J2', [['x'.repeat(50_000)]]);
    const err = await failure(write('Milestones!J3', [['x'.repeat(50_001)]]));
    expect(err.data).toEqual(
      googleError(
        400,
        'Your input contains more than the maximum of 50000 characters in a single cell.',
        'INVALID_ARGUMENT',
      ),
    );
  });

  it('refuses growing a spreadsheet past 10 million cells, by a new tab or by appended rows', async () => {
    const big = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          requests: [
            {
              addSheet: {
                properties: { title: 'Huge', gridProperties: { rowCount: 400_000, columnCount: 26 } },
              },
            },
          ],
        },
      }),
    );
    expect(big.data).toEqual(
      googleError(400, expect.stringMatching(/above the limit of 10000000 cells/), 'INVALID_ARGUMENT'),
    );
    // Just under the limit, then one appended row too many.
    const meta = await api.spreadsheets.get({ spreadsheetId: id });
    const used = meta.data.sheets!.reduce(
      (n, s) => n + s.properties!.gridProperties!.rowCount! * s.properties!.gridProperties!.columnCount!,
      0,
    );
    const rows = Math.floor((10_000_000 - used) / 10);
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            addSheet: { properties: { title: 'Full', gridProperties: { rowCount: rows, columnCount: 10 } } },
          },
        ],
      },
    });
    await write(`Full!A${rows}`, [['last']]);
    const err = await failure(
      api.spreadsheets.values.append({
        spreadsheetId: id,
        range: 'Full!A1',
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values: Array.from({ length: 2 }, () => ['x']) },
      }),
    );
    expect(err.data).toEqual(
      googleError(400, expect.stringMatching(/above the limit of 10000000 cells/), 'INVALID_ARGUMENT'),
    );
  });
});

describe('append', () => {
  it('writes below the last row of the table', async () => {
    const res = await api.spreadsheets.values.append({
      spreadsheetId: id,
      range: "'Changes'!A1",
      valueInputOption: 'RAW',
      insertDataOption: 'INSERT_ROWS',
      requestBody: {
        values: [['2026-12-03T09:00:00Z', 'M-0003', 'Status', 'Might miss', 'Missed', 'x', 'auto']],
      },
    });
    const changes = await read('Changes');
    const last = changes.length;
    expect(res.data).toEqual({
      spreadsheetId: id,
      tableRange: `Changes!A1:H${last - 1}`,
      updates: {
        spreadsheetId: id,
        updatedRange: `Changes!A${last}:G${last}`,
        updatedRows: 1,
        updatedColumns: 7,
        updatedCells: 7,
      },
    });
    expect(changes[last - 1]![1]).toBe('M-0003');
  });

  it('INSERT_ROWS moves the rows below, with their metadata; OVERWRITE does not', async () => {
    const sheetId = await addTab('Log', 20);
    await write('Log!A1:B3', [
      ['When', 'What'],
      [1, 'one'],
      [2, 'two'],
    ]);
    await write('Log!A10', [['footer']]);
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            createDeveloperMetadata: {
              developerMetadata: {
                metadataKey: 'footer',
                location: { dimensionRange: { sheetId, dimension: 'ROWS', startIndex: 9, endIndex: 10 } },
                visibility: 'DOCUMENT',
              },
            },
          },
        ],
      },
    });
    const res = await api.spreadsheets.values.append({
      spreadsheetId: id,
      range: 'Log!A1:B5',
      valueInputOption: 'RAW',
      insertDataOption: 'INSERT_ROWS',
      requestBody: { values: [[3, 'three']] },
    });
    expect(res.data.tableRange).toBe('Log!A1:B3');
    expect(res.data.updates!.updatedRange).toBe('Log!A4:B4');
    const values = await read('Log');
    expect(values[3]).toEqual([3, 'three']);
    expect(values[10]).toEqual(['footer']);
    const found = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: id,
      requestBody: { dataFilters: [{ developerMetadataLookup: { metadataKey: 'footer' } }] },
    });
    expect(found.data.matchedDeveloperMetadata![0]!.developerMetadata!.location).toEqual({
      locationType: 'ROW',
      dimensionRange: { sheetId, dimension: 'ROWS', startIndex: 10, endIndex: 11 },
    });
    const grid = await api.spreadsheets.get({
      spreadsheetId: id,
      ranges: ['Log'],
      fields: 'sheets.properties.gridProperties',
    });
    expect(grid.data.sheets![0]!.properties!.gridProperties!.rowCount).toBe(21);

    await api.spreadsheets.values.append({
      spreadsheetId: id,
      range: 'Log!A1:B6',
      valueInputOption: 'RAW',
      insertDataOption: 'OVERWRITE',
      requestBody: { values: [[4, 'four']] },
    });
    expect((await read('Log'))[10]).toEqual(['footer']);
  });
});

describe('developer metadata on rows', () => {
  async function tagRow(row: number, value: string) {
    const res = await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            createDeveloperMetadata: {
              developerMetadata: {
                metadataKey: 'milestone',
                metadataValue: value,
                location: {
                  dimensionRange: { sheetId: 0, dimension: 'ROWS', startIndex: row - 1, endIndex: row },
                },
                visibility: 'DOCUMENT',
              },
            },
          },
        ],
      },
    });
    return res.data.replies![0]!.createDeveloperMetadata!.developerMetadata!;
  }

  const lookup = (value: string): sheets_v4.Schema$DataFilter => ({
    developerMetadataLookup: { metadataKey: 'milestone', metadataValue: value, locationType: 'ROW' },
  });

  async function rowOf(milestoneId: string): Promise<number> {
    const ids = (await read('Milestones!A:A')).map((r) => r[0]);
    return ids.indexOf(milestoneId) + 1;
  }

  it('answers createDeveloperMetadata in Google shape', async () => {
    const created = await tagRow(4, 'M-0003');
    expect(created).toEqual({
      metadataId: expect.any(Number),
      metadataKey: 'milestone',
      metadataValue: 'M-0003',
      location: {
        locationType: 'ROW',
        dimensionRange: { sheetId: 0, dimension: 'ROWS', startIndex: 3, endIndex: 4 },
      },
      visibility: 'DOCUMENT',
    });
    const got = await api.spreadsheets.developerMetadata.get({
      spreadsheetId: id,
      metadataId: created.metadataId!,
    });
    expect(got.data).toEqual(created);
  });

  it('follows its row through inserts, deletes and sorts by people, and batchUpdateByDataFilter hits it', async () => {
    // Sorts move metadata only under the optimistic reading (see SheetsOptions.metadataFollowsSort).
    await seeded.restart({ metadataFollowsSort: true });
    await tagRow(4, 'M-0003');
    await tagRow(5, 'M-0004');
    emulator.editBefore(1, { op: 'insertRows', sheet: 'Milestones', at: 2, count: 3 });
    emulator.editBefore(1, { op: 'deleteRows', sheet: 'Milestones', at: 6, count: 1 });
    emulator.editBefore(1, { op: 'sortRows', sheet: 'Milestones', by: 'Due', descending: true });
    const before = await read('Milestones');
    expect(before[1]![0]).not.toBe('M-0001');
    const row = await rowOf('M-0003');
    expect(row).not.toBe(4);

    const res = await api.spreadsheets.values.batchUpdateByDataFilter({
      spreadsheetId: id,
      requestBody: {
        valueInputOption: 'RAW',
        data: [{ dataFilter: lookup('M-0003'), values: [[null, null, null, null, null, 'Missed']] }],
      },
    });
    expect(res.data).toEqual({
      spreadsheetId: id,
      totalUpdatedRows: 1,
      totalUpdatedColumns: 1,
      totalUpdatedCells: 1,
      totalUpdatedSheets: 1,
      responses: [
        {
          spreadsheetId: id,
          updatedRange: `Milestones!A${row}:F${row}`,
          updatedRows: 1,
          updatedColumns: 1,
          updatedCells: 1,
          dataFilter: lookup('M-0003'),
        },
      ],
    });
    const after = await read('Milestones');
    expect(after[row - 1]!.slice(0, 6)).toEqual([...before[row - 1]!.slice(0, 5), 'Missed']);
    after[row - 1]![5] = before[row - 1]![5]!;
    expect(after).toEqual(before);

    const got = await api.spreadsheets.values.batchGetByDataFilter({
      spreadsheetId: id,
      requestBody: { dataFilters: [lookup('M-0004')], valueRenderOption: 'UNFORMATTED_VALUE' },
    });
    const m4 = await rowOf('M-0004');
    expect(got.data.valueRanges).toEqual([
      {
        valueRange: { range: `Milestones!A${m4}:Z${m4}`, majorDimension: 'ROWS', values: [after[m4 - 1]] },
        dataFilters: [lookup('M-0004')],
      },
    ]);
  });

  it('moves with its row through sortRange and moveDimension requests (optimistic reading)', async () => {
    await seeded.restart({ metadataFollowsSort: true });
    await tagRow(4, 'M-0003');
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            sortRange: {
              range: { sheetId: 0, startRowIndex: 1, endRowIndex: 32 },
              sortSpecs: [
                { dimensionIndex: 3, sortOrder: 'ASCENDING' },
                { dimensionIndex: 0, sortOrder: 'DESCENDING' },
              ],
            },
          },
          {
            moveDimension: {
              source: { sheetId: 0, dimension: 'ROWS', startIndex: 20, endIndex: 25 },
              destinationIndex: 1,
            },
          },
        ],
      },
    });
    const owners = (await read('Milestones!D2:D32')).map((r) => r[0]);
    expect(owners.slice(5)).toEqual([...owners.slice(5)].sort());
    const row = await rowOf('M-0003');
    const found = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: id,
      requestBody: { dataFilters: [lookup('M-0003')] },
    });
    expect(
      found.data.matchedDeveloperMetadata![0]!.developerMetadata!.location!.dimensionRange!.startIndex,
    ).toBe(row - 1);
  });

  it('is deleted with its row, after which a write by data filter changes nothing', async () => {
    const created = await tagRow(4, 'M-0003');
    emulator.editBefore(1, { op: 'deleteRows', sheet: 'Milestones', at: 4, count: 1 });
    const before = await read('Milestones');
    expect(await rowOf('M-0003')).toBe(0);
    const res = await api.spreadsheets.values.batchUpdateByDataFilter({
      spreadsheetId: id,
      requestBody: {
        valueInputOption: 'RAW',
        data: [{ dataFilter: lookup('M-0003'), values: [[null, null, null, null, null, 'Missed']] }],
      },
    });
    expect(res.data).toEqual({ spreadsheetId: id });
    expect(await read('Milestones')).toEqual(before);
    const search = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: id,
      requestBody: { dataFilters: [{ developerMetadataLookup: { metadataId: created.metadataId } }] },
    });
    expect(search.data).toEqual({});
  });

  it('is deleted by deleteDeveloperMetadata through a data filter', async () => {
    await tagRow(4, 'M-0003');
    await tagRow(5, 'M-0004');
    const res = await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          {
            deleteDeveloperMetadata: {
              dataFilter: { developerMetadataLookup: { metadataKey: 'milestone' } },
            },
          },
        ],
      },
    });
    expect(res.data.replies![0]!.deleteDeveloperMetadata!.deletedDeveloperMetadata).toHaveLength(2);
    const search = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: id,
      requestBody: { dataFilters: [{ a1Range: 'Milestones!A1:Z40' }] },
    });
    expect(search.data).toEqual({});
  });
});

describe('spreadsheets.batchUpdate', () => {
  it('creates a spreadsheet and sets up a tab: frozen header, date format, validation, colours, protection', async () => {
    const created = await api.spreadsheets.create({
      requestBody: {
        properties: { title: 'Register', timeZone: LONDON },
        sheets: [{ properties: { title: 'Milestones' } }],
      },
    });
    const newId = created.data.spreadsheetId!;
    expect(created.data.sheets![0]!.properties).toEqual({
      sheetId: 0,
      title: 'Milestones',
      index: 0,
      sheetType: 'GRID',
      gridProperties: { rowCount: 1000, columnCount: 26 },
    });
    const statusRange = { sheetId: 0, startRowIndex: 1, startColumnIndex: 5, endColumnIndex: 6 };
    const res = await api.spreadsheets.batchUpdate({
      spreadsheetId: newId,
      requestBody: {
        requests: [
          {
            updateSheetProperties: {
              properties: { sheetId: 0, gridProperties: { frozenRowCount: 1 } },
              fields: 'gridProperties.frozenRowCount',
            },
          },
          {
            repeatCell: {
              range: { sheetId: 0, startRowIndex: 1, startColumnIndex: 4, endColumnIndex: 5 },
              cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } } },
              fields: 'userEnteredFormat.numberFormat',
            },
          },
          {
            setDataValidation: {
              range: statusRange,
              rule: {
                condition: {
                  type: 'ONE_OF_LIST',
                  values: [{ userEnteredValue: 'On track' }, { userEnteredValue: 'Missed' }],
                },
                strict: true,
                showCustomUi: true,
              },
            },
          },
          {
            addConditionalFormatRule: {
              rule: {
                ranges: [statusRange],
                booleanRule: {
                  condition: { type: 'TEXT_EQ', values: [{ userEnteredValue: 'Missed' }] },
                  format: { backgroundColor: { red: 0.96, green: 0.71, blue: 0.71 } },
                },
              },
              index: 0,
            },
          },
          {
            addProtectedRange: {
              protectedRange: {
                range: { sheetId: 0, startColumnIndex: 0, endColumnIndex: 1 },
                warningOnly: true,
              },
            },
          },
          { addSheet: { properties: { title: 'Changes' } } },
        ],
      },
    });
    expect(res.data.replies).toHaveLength(6);
    expect(res.data.replies!.slice(0, 4)).toEqual([{}, {}, {}, {}]);
    expect(res.data.replies![4]!.addProtectedRange!.protectedRange).toMatchObject({
      protectedRangeId: expect.any(Number),
      warningOnly: true,
      requestingUserCanEdit: true,
    });
    expect(res.data.replies![5]!.addSheet!.properties).toMatchObject({
      title: 'Changes',
      index: 1,
      sheetType: 'GRID',
    });

    await api.spreadsheets.values.update({
      spreadsheetId: newId,
      range: 'Milestones!E2',
      valueInputOption: 'RAW',
      requestBody: { values: [[dateToSerial('2026-12-03')]] },
    });
    const due = await api.spreadsheets.values.get({
      spreadsheetId: newId,
      range: 'Milestones!E2',
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'FORMATTED_STRING',
    });
    expect(due.data.values).toEqual([['2026-12-03']]);
    const sheet = (await api.spreadsheets.get({ spreadsheetId: newId })).data.sheets![0]!;
    expect(sheet.properties!.gridProperties!.frozenRowCount).toBe(1);
    expect(sheet.conditionalFormats).toHaveLength(1);
    expect(sheet.protectedRanges![0]!.warningOnly).toBe(true);
    const grid = await api.spreadsheets.get({
      spreadsheetId: newId,
      ranges: ['Milestones!F2'],
      includeGridData: true,
      fields: 'sheets.data.rowData.values.dataValidation',
    });
    expect(grid.data.sheets![0]!.data![0]!.rowData![0]!.values![0]!.dataValidation!.condition!.type).toBe(
      'ONE_OF_LIST',
    );
  });

  it('names a request the emulator does not support and applies nothing of the batch', async () => {
    const unsupported = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          requests: [
            { addSheet: { properties: { title: 'New' } } },
            { mergeCells: { mergeType: 'MERGE_ALL' } },
          ],
        },
      }),
    );
    expect(unsupported.data).toEqual(
      googleError(
        400,
        'Invalid requests[1].mergeCells: mergeCells is not supported by the Milepost emulator.',
        'INVALID_ARGUMENT',
      ),
    );
    const unknown = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: { requests: [{ frobnicate: {} } as sheets_v4.Schema$Request] },
      }),
    );
    expect(unknown.data).toEqual(
      googleError(
        400,
        `Invalid JSON payload received. Unknown name "frobnicate" at 'requests[0]': Cannot find field.`,
        'INVALID_ARGUMENT',
      ),
    );
    const duplicate = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          requests: [
            { addSheet: { properties: { title: 'new' } } },
            { addSheet: { properties: { title: 'NEW' } } },
          ],
        },
      }),
    );
    expect(duplicate.data).toEqual(
      googleError(
        400,
        'Invalid requests[1].addSheet: A sheet with the name "NEW" already exists. Please enter another name.',
        'INVALID_ARGUMENT',
      ),
    );
    const titles = (await api.spreadsheets.get({ spreadsheetId: id })).data.sheets!.map(
      (s) => s.properties!.title,
    );
    expect(titles).not.toContain('New');
    expect(titles).toHaveLength(9); // the layout's tabs, Actions included
  });
});
