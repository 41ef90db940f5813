/**
 * What a failed `fetch` says, in one wording for every client: undici hides
 * the system error (`ECONNREFUSED`, `ENOTFOUND`, …) under "fetch failed", and
 * several addresses give an AggregateError. Pure.
 */

/** Error codes along the cause chain, outermost first. */
export function networkCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 5 || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/** Connection errors raised before any byte of the request could reach the server. */
const NEVER_SENT: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True when the request certainly never reached the server: even a create may be sent again. */
export const neverSent = (error: unknown): boolean =>
  networkCodes(error).some((code) => NEVER_SENT.has(code));

/**
 * `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`, `no answer in time`, or
 * the error's own message when it names no system error.
 */
export function describeNetworkError(error: unknown): string {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current instanceof Error && !seen.has(current); ) {
    seen.add(current);
    if (current.name === 'TimeoutError') return 'no answer in time';
    current = current.cause;
  }
  const code = networkCodes(error).find((c) => /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(c));
  if (code !== undefined) {
    const inner = innermostWithCode(error, code);
    return inner === undefined || inner === code ? code : `${code}: ${inner}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The message of the error that carries `code`, searched along causes and aggregates. */
function innermostWithCode(error: unknown, code: string): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (depth > 5 || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const v = value as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (v.code === code && typeof v.message === 'string' && v.message !== '') return v.message;
    const found = visit(v.cause, depth + 1);
    if (found !== undefined) return found;
    if (Array.isArray(v.errors))
      for (const inner of v.errors) {
        const message = visit(inner, depth + 1);
        if (message !== undefined) return message;
      }
    return undefined;
  };
  return visit(error, 0);
}
