import { AppError } from '../errors/app-error.ts';

/**
 * Edusign's answers translated, once, into our error codes. Business errors
 * come back as HTTP 200 `{"status":"error","message":…}`; technical ones as
 * 401/402/403/5xx, often with a plain-text body. Every message names the
 * route (never a header, never the token) and says what a school admin can do.
 */
export const EDUSIGN_ERROR_CODES = [
  /** 401: the token is refused. */
  'edusign.unauthorized',
  /** 402: no subscription, or the API option is not on the account. */
  'edusign.payment_required',
  /** 403: the token may not use this route. */
  'edusign.forbidden',
  /** Edusign says the record does not exist (`find*` methods answer undefined instead). */
  'edusign.not_found',
  /** The course is locked (signatures collected): it may not be changed or deleted. */
  'edusign.course_locked',
  /** `Professor already exists in this school`: an instructor with this email exists. */
  'edusign.professor_exists',
  /** `Student already in the list` of a course. */
  'edusign.student_already_in_list',
  /** Edusign refused the fields (its message is a list of validation messages). */
  'edusign.validation',
  /** Any other `status:"error"` answer. */
  'edusign.business',
  /** 5xx, 429, timeouts or dropped connections that outlasted the retries: try again later. */
  'edusign.unavailable',
  /** Not Edusign's JSON envelope (an HTML page from a proxy, a wrong base URL, …). */
  'edusign.bad_response',
  /**
   * A create whose answer was lost (timeout, dropped connection, a 5xx that may
   * have followed the write): the record may or may not exist. The caller looks
   * it up by its API_ID (`get-id`) before creating it again. Never retried blindly.
   */
  'edusign.outcome_unknown',
] as const;
export type EdusignErrorCode = (typeof EDUSIGN_ERROR_CODES)[number];

/** Codes worth another run later without anybody changing anything. */
const TRANSIENT: ReadonlySet<EdusignErrorCode> = new Set(['edusign.unavailable']);

export interface EdusignErrorDetails {
  /** `METHOD /v1/route/:param`: the route template, never the token, never a query. */
  readonly route: string;
  /** The HTTP status received, when an answer came. */
  readonly status?: number | undefined;
  /** Edusign's own message, when it gave one (`status:"error"`). */
  readonly edusignMessage?: string | undefined;
  readonly cause?: unknown;
  readonly hint?: string;
}

export class EdusignError extends AppError {
  override name = 'EdusignError' as const;
  declare readonly code: EdusignErrorCode;
  readonly route: string;
  readonly status: number | undefined;
  readonly edusignMessage: string | undefined;

  constructor(code: EdusignErrorCode, message: string, details: EdusignErrorDetails) {
    const options: { cause?: unknown; hint?: string } = {};
    if (details.cause !== undefined) options.cause = details.cause;
    if (details.hint !== undefined) options.hint = details.hint;
    super(code, message, options);
    this.route = details.route;
    this.status = details.status;
    this.edusignMessage = details.edusignMessage;
  }

  /** True when a later attempt may succeed unchanged (maintenance, overload, network). */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

export const isEdusignError = (error: unknown, code?: EdusignErrorCode): error is EdusignError =>
  error instanceof EdusignError && (code === undefined || error.code === code);

/** The first characters of a body, on one line, for a message: enough to recognise it. */
export function bodySnippet(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Replace every occurrence of `secret` in `text`; a server echoing the token must not leak it. */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join('***');
}

/*
 * Edusign's messages, as its public clients show them ("course locked",
 * "Professor already exists in this school", "Student already in the list"),
 * matched loosely: case and wording drift, French variants exist.
 */
const LOCKED = /\block(ed)?\b|verrouill/i;
const PROFESSOR_EXISTS =
  /professor already exists|already exists in this school|professeur existe d[ée]j[àa]/i;
const ALREADY_IN_LIST = /already in the list|d[ée]j[àa] dans la liste/i;
const NOT_FOUND =
  /not found|no (such )?(course|student|professor|group|record|result)|(does not|doesn't|not) exist|unknown (course|student|professor|group|id)|introuvable|n'existe pas|aucun/i;

/** Translate a `status:"error"` answer (HTTP 200, or a 4xx carrying the envelope). */
export function translateBusinessError(
  route: string,
  message: unknown,
  status: number,
): EdusignError {
  if (Array.isArray(message)) {
    const lines = message.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
    const joined = lines.join('; ');
    return new EdusignError(
      'edusign.validation',
      `Edusign refused the fields sent to ${route}: ${joined}`,
      { route, status, edusignMessage: joined },
    );
  }
  const text =
    typeof message === 'string' && message.trim() !== ''
      ? message.trim()
      : message === undefined || message === null
        ? ''
        : JSON.stringify(message);
  const details = { route, status, edusignMessage: text };
  if (PROFESSOR_EXISTS.test(text))
    return new EdusignError(
      'edusign.professor_exists',
      `Edusign already has an instructor with this email (${route}: "${text}")`,
      details,
    );
  if (ALREADY_IN_LIST.test(text))
    return new EdusignError(
      'edusign.student_already_in_list',
      `The learner is already on this attendance sheet (${route}: "${text}")`,
      details,
    );
  if (LOCKED.test(text))
    return new EdusignError(
      'edusign.course_locked',
      `The attendance sheet is locked on Edusign (signatures collected) and may not be changed (${route}: "${text}")`,
      details,
    );
  if (NOT_FOUND.test(text))
    return new EdusignError(
      'edusign.not_found',
      `Edusign found nothing for ${route}: "${text}"`,
      details,
    );
  return new EdusignError(
    'edusign.business',
    `Edusign refused ${route}: "${text || 'no message given'}"`,
    details,
  );
}

/**
 * Translate an HTTP answer that is not a success and not retried (or no longer):
 * 401, 402, 403 and anything else without Edusign's envelope. `body` is the
 * (already redacted) text received.
 */
export function translateHttpError(route: string, status: number, body: string): EdusignError {
  const snippet = bodySnippet(body);
  const said = snippet === '' ? '' : ` ("${snippet}")`;
  const details = { route, status };
  switch (status) {
    case 401:
      return new EdusignError(
        'edusign.unauthorized',
        `The Edusign token is refused (HTTP 401 on ${route}${said}): check edusign.token`,
        {
          ...details,
          hint: 'Copy the API token again from Edusign (Settings → API) into edusign.token.',
        },
      );
    case 402:
      return new EdusignError(
        'edusign.payment_required',
        `Edusign answered HTTP 402 on ${route}${said}: the account has no subscription or no API option; ask Edusign to enable the API for this school`,
        details,
      );
    case 403:
      return new EdusignError(
        'edusign.forbidden',
        `Edusign does not allow this token to use ${route} (HTTP 403${said}): give the token access to this route in Edusign, or use an administrator's token`,
        details,
      );
    case 404:
      return new EdusignError(
        'edusign.bad_response',
        `Edusign has no route ${route} (HTTP 404${said}): check edusign.baseUrl (https://ext.edusign.fr)`,
        details,
      );
    default:
      if (status >= 500 || status === 429 || status === 408)
        return new EdusignError(
          'edusign.unavailable',
          `Edusign is unavailable on ${route} (HTTP ${status}${said}); it may be in maintenance (Saturdays 16:00–22:00 Paris): the run will be tried again later`,
          details,
        );
      return new EdusignError(
        'edusign.bad_response',
        `Edusign answered ${route} with HTTP ${status}${said}, which the connector does not understand`,
        details,
      );
  }
}
