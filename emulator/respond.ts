/**
 * Replays responses.jsonl lines through the emulator's update form, as people would fill it in:
 * "Who is updating?" names the owner of the milestones the line updates (or the line's own
 * `onBehalfOf`), that owner's section is filled with the line's statuses, forecasts, comments,
 * wins, learnings and help, the line's email is the verified respondent and its `submittedAt`
 * the submit time. A line sent by a delegate or by an impostor therefore arrives just as it would
 * from Google Forms; a line using the same responseId again is an edit of that response.
 * A line that updates the milestones of several owners (a delegate's own and those of the
 * person they cover for) becomes one response per owner, as the form asks for: the first keeps
 * the line's responseId, the others add `/2`, `/3`…; wins, learnings and help go with the
 * respondent's own section (else the first).
 *
 * Only questions the form has are answered (a person cannot answer a question that is not
 * there): a milestone that was not open when the form was built is left out, as it would be.
 */
import { OAuth2Client } from 'google-auth-library';
import { answersOfSubmission, formSpec } from '../src/core/form';
import { readRegister } from '../src/core/register';
import { upcomingMeeting } from '../src/core/schedule';
import { describeZodIssues, SubmissionSchema } from '../src/core/schemas';
import type { RawSubmission, Register } from '../src/core/types';
import { formsClient, sheetsClient } from '../src/google/clients';
import { readSnapshot } from '../src/google/sheets';

export interface RespondResult {
  submitted: { where: string; responseId: string; respondent: string; onBehalfOf: string }[];
  refused: { where: string; reason: string }[];
}

interface Connection {
  apiRoot: string;
  spreadsheetId?: string;
}

async function control(apiRoot: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${apiRoot}__emulator/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await res.json()) as { error?: { message?: string } };
  if (!res.ok) throw new Error(data.error?.message ?? `HTTP ${res.status}`);
  return data;
}

type Line = ReturnType<typeof SubmissionSchema.parse>;

/** The parts of a line a person sends as separate responses: one per owner of its milestones. */
export function perOwner(register: Register, s: Line): Line[] {
  if (s.onBehalfOf) return [s];
  const ownerOf = (id: string) => register.milestones.find((m) => m.id === id.trim().toUpperCase())?.owner;
  const ids = [
    ...new Set([...Object.keys(s.statuses), ...Object.keys(s.forecasts), ...Object.keys(s.comments)]),
  ];
  const owners = [...new Set(ids.map((id) => ownerOf(id)).filter((o): o is string => !!o))];
  if (owners.length <= 1) return [s];
  owners.sort((a, b) => Number(b === s.email) - Number(a === s.email));
  // A milestone the register does not know has no section to go in: it stays with the first
  // part, where the form has no question for it (as a person would find).
  const partOf = (id: string) => ownerOf(id) || owners[0]!;
  const pick = (map: Record<string, string>, owner: string) =>
    Object.fromEntries(Object.entries(map).filter(([id]) => partOf(id) === owner));
  return owners.map((owner, i) => ({
    ...s,
    onBehalfOf: owner,
    statuses: pick(s.statuses, owner),
    forecasts: pick(s.forecasts, owner),
    comments: pick(s.comments, owner),
    ...(i === 0 ? {} : { wins: '', learnings: '', helpNeeded: '', helpFrom: '' }),
  }));
}

export async function respond(c: Connection, lines: RawSubmission[]): Promise<RespondResult> {
  const apiRoot = c.apiRoot.endsWith('/') ? c.apiRoot : `${c.apiRoot}/`;
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'milepost-respond' });
  const conn = { apiRoot, auth, gmailSpacingMs: 0 };
  let spreadsheetId = c.spreadsheetId;
  if (!spreadsheetId) {
    const state = (await control(apiRoot, 'state')) as { spreadsheets: { spreadsheetId: string }[] };
    if (state.spreadsheets.length !== 1) {
      throw new Error(
        `the emulator holds ${state.spreadsheets.length} spreadsheets: name one with --spreadsheet ID`,
      );
    }
    spreadsheetId = state.spreadsheets[0]!.spreadsheetId;
  }
  const sheet = await readSnapshot(sheetsClient(conn), spreadsheetId);
  const { register } = readRegister(sheet.snapshot);
  const formId = register.settings.raw['Form ID']?.trim();
  if (!formId)
    throw new Error('the register has no update form yet: run `milepost setup --backend google` first');
  const form = (await formsClient(conn).forms.get({ formId })).data;
  const questions = new Set<string>();
  for (const item of form.items ?? []) {
    const q = item.questionItem?.question?.questionId;
    if (q) questions.add(q);
    for (const row of item.questionGroupItem?.questions ?? [])
      if (row.questionId) questions.add(row.questionId);
  }
  const spec = formSpec(register, upcomingMeeting(register, new Date().toISOString()));

  const result: RespondResult = { submitted: [], refused: [] };
  for (const line of lines) {
    const parsed = SubmissionSchema.safeParse(line.value);
    if (!parsed.success) {
      result.refused.push({ where: line.where, reason: describeZodIssues(parsed.error) });
      continue;
    }
    const s = parsed.data;
    for (const [n, part] of perOwner(register, s).entries()) {
      const responseId = n === 0 ? s.responseId : `${s.responseId}/${n + 1}`;
      const all = answersOfSubmission(spec, register, part);
      const answers = Object.fromEntries(Object.entries(all).filter(([id]) => questions.has(id)));
      try {
        const stored = (await control(apiRoot, 'forms/submit', {
          formId,
          respondentEmail: s.email,
          submittedAt: new Date(s.submittedAt).toISOString(),
          responseId,
          answers,
        })) as { responseId: string };
        result.submitted.push({
          where: line.where,
          responseId: stored.responseId,
          respondent: s.email,
          onBehalfOf: all[spec.who.questionId]?.[0] ?? '',
        });
      } catch (error) {
        result.refused.push({ where: line.where, reason: (error as Error).message });
      }
    }
  }
  return result;
}
