/**
 * `npm run test:live`: the contract (contract.ts) against the emulator, and with
 * MILEPOST_LIVE=1 against Google too, with the Node job's own credentials. Prints one table —
 * behaviour, source, emulator, live — and exits 0 when every check passed where it ran, 1 when
 * one failed, 2 when MILEPOST_LIVE=1 and no credentials are found.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator } from '../../emulator/server';
import { connect } from '../../src/google/clients';
import { credentialsFile, LoginError, storedCredentials } from '../../src/google/login';
import { type Check, type Outcome, runContract } from './contract';

type Row = Check & { emulator: Outcome; live?: Outcome };

/** Where the Node job would find credentials (src/google/clients.ts), or what is missing. */
export function liveCredentials(env: NodeJS.ProcessEnv): { found?: string; missing?: string } {
  const key = env.GOOGLE_APPLICATION_CREDENTIALS?.trim();
  if (key) {
    if (fs.existsSync(key)) return { found: `service account key ${key}` };
    return { missing: `GOOGLE_APPLICATION_CREDENTIALS names ${key}, which does not exist.` };
  }
  try {
    if (storedCredentials(env))
      return { found: `the login stored by \`milepost login\` (${credentialsFile(env)})` };
  } catch (error) {
    if (error instanceof LoginError) return { missing: error.message };
    throw error;
  }
  const adc = path.join(
    env.CLOUDSDK_CONFIG?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.config', 'gcloud'),
    'application_default_credentials.json',
  );
  if (fs.existsSync(adc)) return { found: `Application Default Credentials ${adc}` };
  return {
    missing: [
      'MILEPOST_LIVE=1 needs Google credentials, and none were found:',
      `  - no stored login (${credentialsFile(env)}): run \`npx milepost login --client-secret <client_secret.json>\` (README "Credentials")`,
      '  - GOOGLE_APPLICATION_CREDENTIALS is not set (a service account key, with MILEPOST_GOOGLE_SUBJECT under domain-wide delegation)',
      `  - no Application Default Credentials (${adc}): \`gcloud auth application-default login\``,
      'The contract checks ran against nothing. Without MILEPOST_LIVE=1, `npm run test:live` runs them against the emulator.',
    ].join('\n'),
  };
}

const mark = (o: Outcome | undefined) =>
  !o
    ? '—'
    : o.result === 'pass'
      ? `pass: ${o.observed}`
      : o.result === 'fail'
        ? `FAIL: ${o.observed}`
        : `not run: ${o.observed}`;

export function renderTable(rows: Row[]): string {
  const lines = ['| behaviour | source | emulator | live |', '|---|---|---|---|'];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const r of rows) {
    lines.push(
      `| ${cell(r.behaviour)} | ${cell(r.source)} | ${cell(mark(r.emulator))} | ${cell(mark(r.live))} |`,
    );
  }
  return lines.join('\n');
}

/** The contract against a fresh emulator. */
export async function againstEmulator(only?: string[]): Promise<(Check & Outcome)[]> {
  const emulator = await startEmulator({ quotaPerMinute: false, gmailUser: 'contract@example.com' });
  try {
    const connection = connect({
      MILEPOST_GOOGLE_API_ROOT: emulator.apiRoot,
      MILEPOST_GMAIL_SPACING_MS: '0',
    });
    return await runContract(connection, {
      responder: 'ann@example.com',
      formPage: async (url) => {
        const html = emulator.forms.page(url);
        return html ? { html } : { why: 'the emulator has no published form at that link' };
      },
      ...(only ? { only } : {}),
    });
  } finally {
    await emulator.close();
  }
}

async function againstGoogle(env: NodeJS.ProcessEnv): Promise<(Check & Outcome)[]> {
  const responder = env.MILEPOST_LIVE_RESPONDER?.trim();
  return runContract(connect({ ...env, MILEPOST_GOOGLE_API_ROOT: '' }), {
    ...(responder ? { responder } : {}),
    formPage: async (url) => {
      // The page as a browser signed in to nobody gets it: a form limited to the team's
      // accounts answers with a sign-in page, which says nothing about its entries.
      const res = await fetch(url, { redirect: 'follow' });
      const html = await res.text();
      if (!res.ok || /accounts\.google\.com\/(ServiceLogin|v3\/signin)/.test(res.url)) {
        return { why: `the form page asks to sign in (HTTP ${res.status})` };
      }
      return { html };
    },
  });
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const live = env.MILEPOST_LIVE === '1';
  if (live) {
    const creds = liveCredentials(env);
    if (!creds.found) {
      console.error(creds.missing);
      return 2;
    }
    console.log(
      `Live: Google, with ${creds.found}. A scratch Drive folder is created and trashed at the end.`,
    );
  } else {
    console.log('Against the Workspace emulator (MILEPOST_LIVE=1 runs the same checks against Google too).');
  }
  const emulated = await againstEmulator();
  const google = live ? await againstGoogle(env) : undefined;
  const rows: Row[] = emulated.map((e, i) => ({
    ...e,
    emulator: { result: e.result, observed: e.observed },
    ...(google?.[i] ? { live: { result: google[i]!.result, observed: google[i]!.observed } } : {}),
  }));
  console.log(`\n${renderTable(rows)}\n`);
  const failed = rows.filter((r) => r.emulator.result === 'fail' || r.live?.result === 'fail');
  const skipped = rows.filter((r) => r.emulator.result === 'not run' || r.live?.result === 'not run');
  console.log(
    `${rows.length - failed.length} of ${rows.length} checks passed${live ? ' on Google and the emulator' : ' on the emulator'}` +
      (skipped.length ? `; ${skipped.length} not run (see the table)` : '') +
      (failed.length ? `; failed: ${failed.map((r) => r.id).join(', ')}` : ''),
  );
  if (failed.length && live) {
    console.log(
      'A row that passes on the emulator and fails live is a difference between Google and the emulator: report it with this table (README "Before your first real run").',
    );
  }
  return failed.length ? 1 : 0;
}

if (process.argv[1] && /live(\.js)?$/.test(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`test:live: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
