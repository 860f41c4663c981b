/**
 * `npm run emulator:respond -- --api-root URL --responses FILE [--spreadsheet ID]`: submits each
 * line of a responses.jsonl to the emulator's current update form the way a person would fill
 * it in (see respond.ts), then prints what was submitted and what the form refused.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readResponses } from '../src/local/responses';
import { respond } from './respond';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'api-root': { type: 'string' },
      responses: { type: 'string' },
      spreadsheet: { type: 'string' },
    },
  });
  const apiRoot = values['api-root'] ?? process.env.MILEPOST_GOOGLE_API_ROOT;
  if (!apiRoot || !values.responses) {
    console.error('usage: npm run emulator:respond -- --api-root URL --responses FILE [--spreadsheet ID]');
    return 2;
  }
  const file = path.resolve(values.responses);
  const read = await readResponses(file);
  for (const p of read.problems) console.error(`${file}: ${p.message}`);
  const spreadsheetId = values.spreadsheet ?? process.env.MILEPOST_SPREADSHEET_ID;
  const result = await respond({ apiRoot, ...(spreadsheetId ? { spreadsheetId } : {}) }, read.raw);
  for (const s of result.submitted) {
    console.log(`${s.where}: submitted by ${s.respondent} as "${s.onBehalfOf}" (response ${s.responseId})`);
  }
  for (const r of result.refused) console.log(`${r.where}: refused by the form: ${r.reason}`);
  console.log(`${result.submitted.length} submitted, ${result.refused.length} refused.`);
  return read.problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`emulator:respond: ${(error as Error).message}`);
    process.exit(1);
  },
);
