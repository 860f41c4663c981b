/** One zod schema per external shape the core accepts; types are inferred from them. */
import * as z from 'zod';
import { parseInstant } from './dates';

const text = z.string().max(10_000, 'at most 10,000 characters');
const idMap = <T extends z.ZodType>(value: T) => z.record(z.string().max(40), value);

/** An update submission as it arrives in responses.jsonl or from a form adapter. */
export const SubmissionSchema = z.object({
  responseId: z.string().trim().min(1, 'a response id is required').max(200),
  submittedAt: z
    .string()
    .refine((s) => /(Z|[+-]\d{2}:?\d{2})$/.test(s) && parseInstant(s, 'UTC') !== undefined, {
      message: 'an ISO-8601 instant with a time zone, e.g. 2026-12-01T09:30:00Z',
    }),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: 'an email address' })),
  /** "Who is updating?" of a form response: the person the respondent updates for. */
  onBehalfOf: z.string().trim().toLowerCase().max(320).optional(),
  statuses: idMap(z.string().max(40)).default({}),
  forecasts: idMap(z.string().max(40)).default({}),
  comments: idMap(text).default({}),
  wins: text.default(''),
  learnings: text.default(''),
  helpNeeded: text.default(''),
  helpFrom: z.string().max(200).default(''),
  /** "No change this week": the owner answered; none of their milestones changes. */
  noChange: z.boolean().optional(),
  /** A topic the owner raises for the meeting (a `raised` topic, ranked like any other). */
  raisedTopic: text.optional(),
  /** The owner's answers on their open tracked actions: {actionId: 'Open' | 'Done'}. */
  actions: idMap(z.string().max(40)).optional(),
  /** A one-line note per action: {actionId: text}. */
  actionNotes: idMap(text).optional(),
});

/** One form response, normalised: what every runtime's answers become before ingestion. */
export type Submission = z.output<typeof SubmissionSchema>;

export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
