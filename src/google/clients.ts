/**
 * Google API clients for the Node job. With MILEPOST_GOOGLE_API_ROOT set (the Workspace
 * emulator, or any stand-in), every client talks to that root with a static access token and
 * never asks for credentials. Otherwise: GOOGLE_APPLICATION_CREDENTIALS (a service account key,
 * with MILEPOST_GOOGLE_SUBJECT the person it acts for under domain-wide delegation), else the
 * login stored by `milepost login` (login.ts), else Application Default Credentials.
 */
import { docs, type docs_v1 } from '@googleapis/docs';
import { drive, type drive_v3 } from '@googleapis/drive';
import { forms, type forms_v1 } from '@googleapis/forms';
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { GoogleAuth, OAuth2Client, UserRefreshClient } from 'google-auth-library';
import { storedCredentials } from './login';
import { GAXIOS_NO_RETRY } from './retry';

/** Least-privilege scopes of the Node job, one per API it calls. */
export const SCOPES = {
  sheets: 'https://www.googleapis.com/auth/spreadsheets',
  docs: 'https://www.googleapis.com/auth/documents',
  // Only the files Milepost creates (the pack folder and the packs), not the user's Drive.
  drive: 'https://www.googleapis.com/auth/drive.file',
  // Building the update form, and reading its responses (not editing them).
  forms: 'https://www.googleapis.com/auth/forms.body',
  formsResponses: 'https://www.googleapis.com/auth/forms.responses.readonly',
  // Sending, and searching the sent mail for a message before sending it again.
  gmailSend: 'https://www.googleapis.com/auth/gmail.send',
  gmailRead: 'https://www.googleapis.com/auth/gmail.readonly',
} as const;

export interface GoogleConnection {
  /** e.g. 'http://127.0.0.1:8085/'; undefined for Google itself. */
  apiRoot?: string;
  auth: OAuth2Client | GoogleAuth;
  /** The pause between two sends (MILEPOST_GMAIL_SPACING_MS; GMAIL_SPACING_MS by default). */
  gmailSpacingMs: number;
}

/**
 * Gmail allows 250 quota units per user per second and a send costs 100 (the sent-mail check
 * before it, 5): one send every 500 ms stays well under it. MILEPOST_GMAIL_SPACING_MS changes
 * it for every root alike (the test suite sets 0 against the emulator).
 */
export const GMAIL_SPACING_MS = 500;

function gmailSpacing(env: NodeJS.ProcessEnv): number {
  const text = env.MILEPOST_GMAIL_SPACING_MS?.trim();
  if (!text) return GMAIL_SPACING_MS;
  if (!/^\d+$/.test(text)) {
    throw new Error(`MILEPOST_GMAIL_SPACING_MS must be a whole number of milliseconds, got "${text}".`);
  }
  return Number(text);
}

export function connect(env: NodeJS.ProcessEnv = process.env): GoogleConnection {
  const gmailSpacingMs = gmailSpacing(env);
  const apiRoot = env.MILEPOST_GOOGLE_API_ROOT?.trim();
  if (apiRoot) {
    const auth = new OAuth2Client();
    // A client holding only an access token never calls a token endpoint.
    auth.setCredentials({ access_token: env.MILEPOST_GOOGLE_ACCESS_TOKEN || 'milepost-emulator' });
    return { apiRoot: apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`, auth, gmailSpacingMs };
  }
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS?.trim();
  const subject = env.MILEPOST_GOOGLE_SUBJECT?.trim();
  const adc = () =>
    new GoogleAuth({
      scopes: Object.values(SCOPES),
      ...(keyFile ? { keyFilename: keyFile } : {}),
      ...(subject ? { clientOptions: { subject } } : {}),
    });
  if (keyFile) return { auth: adc(), gmailSpacingMs };
  const login = storedCredentials(env);
  if (login) {
    return {
      gmailSpacingMs,
      auth: new UserRefreshClient({
        clientId: login.client_id,
        clientSecret: login.client_secret,
        refreshToken: login.refresh_token,
        endpoints: { oauth2TokenUrl: login.token_uri },
      }),
    };
  }
  // Without any credentials, this fails at the first call with Google's own explanation.
  return { auth: adc(), gmailSpacingMs };
}

/**
 * Options every client gets. rootUrl must be set per API: the global option is ignored by the
 * generated clients. gaxios's own retries are off: retry.ts decides what is safe to repeat
 * (gaxios would otherwise repeat GETs inside our retries and ignore Retry-After).
 */
function clientOptions(c: GoogleConnection) {
  return { auth: c.auth, ...GAXIOS_NO_RETRY, ...(c.apiRoot ? { rootUrl: c.apiRoot } : {}) };
}

export const sheetsClient = (c: GoogleConnection): sheets_v4.Sheets =>
  sheets({ version: 'v4', ...clientOptions(c) });
export const docsClient = (c: GoogleConnection): docs_v1.Docs => docs({ version: 'v1', ...clientOptions(c) });
export const driveClient = (c: GoogleConnection): drive_v3.Drive =>
  drive({ version: 'v3', ...clientOptions(c) });
export const gmailClient = (c: GoogleConnection): gmail_v1.Gmail =>
  gmail({ version: 'v1', ...clientOptions(c) });
export const formsClient = (c: GoogleConnection): forms_v1.Forms =>
  forms({ version: 'v1', ...clientOptions(c) });
