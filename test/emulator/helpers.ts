/** Fixtures for the emulator's tests: the real googleapis client, and the sample register. */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { docs, type docs_v1 } from '@googleapis/docs';
import { drive, type drive_v3 } from '@googleapis/drive';
import { forms, type forms_v1 } from '@googleapis/forms';
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server';
import type { TabName } from '../../src/core/layout';
import type { Cell } from '../../src/core/types';
import { createWorkbook, workbookBytes } from '../../src/local/workbook';
import sample from '../../templates/sample/register.json';

/** The Sheets client as the Node job builds it: rootUrl per API, an access token and nothing else. */
export function sheetsClient(emulator: Emulator, token = 'test-token'): sheets_v4.Sheets {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return sheets({ version: 'v4', auth, rootUrl: emulator.apiRoot });
}

/** The Docs client, built the same way. */
export function docsClient(emulator: Emulator, token = 'test-token'): docs_v1.Docs {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return docs({ version: 'v1', auth, rootUrl: emulator.apiRoot });
}

/** The Drive client, built the same way. */
export function driveClient(emulator: Emulator, token = 'test-token'): drive_v3.Drive {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return drive({ version: 'v3', auth, rootUrl: emulator.apiRoot });
}

/** The Gmail client, built the same way. */
export function gmailClient(emulator: Emulator, token = 'test-token'): gmail_v1.Gmail {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return gmail({ version: 'v1', auth, rootUrl: emulator.apiRoot });
}

/** The Forms client, built the same way. */
export function formsClient(emulator: Emulator, token = 'test-token'): forms_v1.Forms {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return forms({ version: 'v1', auth, rootUrl: emulator.apiRoot });
}

/** Writes the sample team's register.xlsx into a fresh directory and returns the file. */
export async function sampleRegister(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'milepost-emulator-'));
  const data = structuredClone(sample) as Partial<Record<TabName, Record<string, Cell>[]>>;
  const file = path.join(dir, 'register.xlsx');
  await fs.writeFile(file, await workbookBytes(createWorkbook(data, 'Europe/London')));
  return file;
}

export interface GoogleFailure {
  status: number;
  data: unknown;
  headers: Headers | Record<string, string>;
}

/** Awaits a client call that must fail with an HTTP status, and returns what the client saw. */
export async function failure(call: Promise<unknown>): Promise<GoogleFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as { status?: number; response?: { status: number; data: unknown; headers: Headers } };
    expect(e.response, `expected an HTTP failure, got ${String(error)}`).toBeDefined();
    return { status: e.response!.status, data: e.response!.data, headers: e.response!.headers };
  }
  throw new Error('the call succeeded');
}

export function googleError(code: number, message: string, status: string) {
  return { error: expect.objectContaining({ code, message, status }) };
}

export interface Seeded {
  emulator: Emulator;
  api: sheets_v4.Sheets;
  id: string;
}

/**
 * A fresh emulator seeded with the sample register before each test of the file (closed after
 * it): `onSeed` receives it. `restart` swaps in one with other options mid-test.
 */
export function seedSampleEachTest(onSeed: (s: Seeded) => void): {
  registerFile: () => string;
  restart: (options: Parameters<typeof startEmulator>[0]) => Promise<void>;
} {
  let file = '';
  let current: Emulator | undefined;
  const start = async (options: Parameters<typeof startEmulator>[0] = {}) => {
    current = await startEmulator({ quotaPerMinute: false, ...options });
    onSeed({ emulator: current, api: sheetsClient(current), id: await current.seedFromWorkbook(file) });
  };
  beforeAll(async () => {
    file = await sampleRegister();
  });
  afterAll(async () => {
    await fs.rm(path.dirname(file), { recursive: true, force: true });
  });
  beforeEach(() => start());
  afterEach(async () => {
    await current?.close();
  });
  return {
    registerFile: () => file,
    restart: async (options) => {
      await current?.close();
      await start(options);
    },
  };
}
