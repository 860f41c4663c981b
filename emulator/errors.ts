/**
 * Google's error shape for the emulator: every failure, from a bad range to a quota, reaches the
 * client as `{"error":{"code","message","status"}}` with the HTTP status equal to `code`.
 */

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The messages Google sends with a bare status, used when a fault names only the status. */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Request contains an invalid argument.',
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  409: 'The operation was aborted.',
  429: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
  504: 'The service is currently unavailable.',
};

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[]; errors?: unknown[] };
}

export class ApiError extends Error {
  readonly code: number;
  readonly status: string;
  readonly details?: unknown[];
  /** Drive v3's legacy `errors` list ({domain, reason, message, location, locationType}). */
  readonly errors?: unknown[];
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    message?: string,
    extra: {
      status?: string;
      details?: unknown[];
      errors?: unknown[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message ?? DEFAULT_MESSAGES[code] ?? `HTTP ${code}`);
    this.code = code;
    this.status = extra.status ?? statusName(code);
    this.details = extra.details;
    this.errors = extra.errors;
    this.headers = extra.headers ?? {};
  }

  body(): GoogleErrorBody {
    const error: GoogleErrorBody['error'] = { code: this.code, message: this.message, status: this.status };
    if (this.errors) error.errors = this.errors;
    if (this.details) error.details = this.details;
    return { error };
  }
}

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

/** A 400 INVALID_ARGUMENT with Google's wording supplied by the caller. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

/** A Google-shaped 400 for something Google supports and the emulator deliberately does not. */
export function notEmulated(what: string): ApiError {
  return new ApiError(400, `${what} is not supported by the Milepost emulator.`);
}

export const NOT_FOUND_MESSAGE = 'Requested entity was not found.';

/** lowerCamel → lower_snake: how Google names a field in its error messages. */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The one kind of request set in `requests[i]` of a batchUpdate and its handler, refused as
 * Google refuses: no kind set, two set (a oneof; `oneof` is the field's name in the API's
 * errors), a kind the API has that the emulator does not, a name the API does not know.
 */
export function requestKind<H>(
  r: Readonly<Record<string, unknown>>,
  i: number,
  handlers: Readonly<Record<string, H>>,
  googleKinds: readonly string[],
  oneof: string,
): { kind: string; handler: H } {
  const kinds = Object.keys(r);
  if (kinds.length === 0) throw badRequest(`Invalid requests[${i}]: No request set.`);
  if (kinds.length > 1) {
    throw badRequest(
      `Invalid value at 'requests[${i}]' (oneof), oneof field '${oneof}' is already set. Cannot overwrite with '${snake(kinds[1]!)}'`,
    );
  }
  const kind = kinds[0]!;
  const handler = handlers[kind];
  if (handler) return { kind, handler };
  if (googleKinds.includes(kind)) {
    throw badRequest(`Invalid requests[${i}].${kind}: ${kind} is not supported by the Milepost emulator.`);
  }
  throw badRequest(
    `Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field.`,
  );
}
