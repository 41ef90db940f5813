import { bodySnippet, EdusignError, translateBusinessError, translateHttpError } from './errors.ts';

/**
 * Reading one Edusign answer that was received in full and is not to be
 * retried: the envelope decides, not only the HTTP status. Pure.
 *
 * - HTTP 2xx `{"status":"success","result":…}` → the result.
 * - `{"status":"error","message":…}` (HTTP 200 or a 4xx carrying it) → our code.
 * - 401/402/403 → our codes, whatever the body (often plain text).
 * - 2xx without the envelope (HTML, plain text, other JSON) → `edusign.bad_response`.
 */
export function readEnvelope(route: string, status: number, text: string): unknown {
  if (status === 401 || status === 402 || status === 403)
    throw translateHttpError(route, status, text);
  const parsed = parseJson(text);
  if (isEnvelope(parsed)) {
    if (parsed.status === 'success' && status >= 200 && status < 300) return parsed.result;
    if (parsed.status === 'error') throw translateBusinessError(route, parsed.message, status);
  }
  if (status >= 200 && status < 300) throw badResponse(route, status, text, parsed);
  throw translateHttpError(route, status, text);
}

interface Envelope {
  readonly status: string;
  readonly result?: unknown;
  readonly message?: unknown;
}

const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  typeof (value as { status?: unknown }).status === 'string';

const NOT_JSON = Symbol('not json');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function badResponse(route: string, status: number, text: string, parsed: unknown): EdusignError {
  const looksHtml = /^\s*</.test(text);
  const what =
    text.trim() === ''
      ? 'an empty answer'
      : looksHtml
        ? `an HTML page ("${bodySnippet(text.replace(/<[^>]*>/g, ' '), 80)}")`
        : parsed === NOT_JSON
          ? `text that is not JSON ("${bodySnippet(text, 80)}")`
          : `JSON without Edusign's status envelope ("${bodySnippet(text, 80)}")`;
  return new EdusignError(
    'edusign.bad_response',
    `Edusign's ${route} answered HTTP ${status} with ${what} instead of its JSON answer: check edusign.baseUrl and that no proxy or firewall stands between the connector and Edusign`,
    { route, status },
  );
}
