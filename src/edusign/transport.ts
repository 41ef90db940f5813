import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
  sleep,
} from '../http/retry.ts';
import { readEnvelope } from './envelope.ts';
import { bodySnippet, EdusignError, isEdusignError, redact } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';

/**
 * One Edusign request, end to end: rate limit, timeout, envelope, retries.
 *
 * What is retried (capped, jittered backoff from `RetryPolicy`; `Retry-After`
 * honoured): 408, 429, 5xx, timeouts and dropped connections, for reads and
 * for updates and deletes (Edusign's PATCH replaces the fields it names and
 * DELETE removes an ID: doing either twice changes nothing more).
 *
 * A create is never retried blindly. Once its request may have reached
 * Edusign (a timeout, a connection dropped after connecting, a 500/502/504
 * that may have followed the write), the answer is lost and the client throws
 * `edusign.outcome_unknown`: the caller looks the record up by API_ID. A 429
 * or 503 received on a create, or a connection that was never made, means
 * nothing was written: that is retried like any read.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestSpec {
  readonly method: HttpMethod;
  /** The route template, e.g. `/v1/course/:id`: what stats, logs and error messages name. */
  readonly route: string;
  /** The path actually requested, parameters URL-encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** A POST that creates a record: see the module comment. */
  readonly creates?: boolean;
  /**
   * A DELETE: when an earlier attempt may have been applied (its answer was
   * lost), Edusign's "not found" on the retry means the record is gone: done.
   */
  readonly deletes?: boolean;
  /** Cuts the request, its waits and its retries short. */
  readonly signal?: AbortSignal | undefined;
}

export interface EdusignStats {
  /** HTTP requests sent, retries included. */
  readonly calls: number;
  /** Of which not GET. */
  readonly writes: number;
  /** Requests that did not succeed (HTTP trouble, network, business errors), retried or not. */
  readonly errors: number;
  /** Attempts after the first. */
  readonly retries: number;
  /** Calls per route template, e.g. `GET /v1/course/:id`. */
  readonly byRoute: Readonly<Record<string, number>>;
  /** Wall time during which at least one request waited for the client-side rate limit (parallel waits count once). */
  readonly rateLimitWaitMs: number;
}

export interface EdusignLogger {
  debug(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
}

export interface RequestEvent {
  /** Route template. */
  readonly route: string;
  readonly method: string;
  readonly status: number | 'error';
  readonly ms: number;
}

export interface TransportOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
  readonly limiter: RateLimiter;
  readonly fetch?: typeof fetch | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly now?: (() => number) | undefined;
  readonly random?: (() => number) | undefined;
  readonly logger?: EdusignLogger | undefined;
  readonly onRequest?: ((event: RequestEvent) => void) | undefined;
}

export interface Transport {
  request(spec: RequestSpec): Promise<unknown>;
  stats(): EdusignStats;
}

/** Connection errors raised before any byte of the request could reach the server. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

type Attempt =
  | { readonly kind: 'done'; readonly value: unknown }
  | { readonly kind: 'fail'; readonly error: unknown }
  | {
      readonly kind: 'retry';
      /** What went wrong, for messages: "HTTP 503 (Service Unavailable)", "no answer within 30000 ms". */
      readonly reason: string;
      readonly status: number | undefined;
      readonly cause: unknown;
      readonly retryAfterMs: number | undefined;
      /** The request may have been applied although its answer is unusable. */
      readonly mayHaveApplied: boolean;
    };

export function createTransport(options: TransportOptions): Transport {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const base = options.baseUrl.replace(/\/+$/, '');
  const { token, timeoutMs, limiter, logger, onRequest } = options;
  const counters = { calls: 0, writes: 0, errors: 0, retries: 0 };
  const byRoute: Record<string, number> = {};
  const clean = (text: string) => redact(text, token);

  function urlOf(spec: RequestSpec): string {
    const url = new URL(`${base}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  function record(spec: RequestSpec, name: string, status: number | 'error', startedAt: number) {
    const ms = Math.max(0, now() - startedAt);
    logger?.debug({ route: name, status, ms }, 'edusign request');
    onRequest?.({ route: spec.route, method: spec.method, status, ms });
  }

  async function attempt(spec: RequestSpec, name: string, url: string): Promise<Attempt> {
    counters.calls += 1;
    if (spec.method !== 'GET') counters.writes += 1;
    byRoute[name] = (byRoute[name] ?? 0) + 1;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
    };
    const init: RequestInit = { method: spec.method, headers, signal };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    const startedAt = now();
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, init);
      text = await response.text();
    } catch (error) {
      counters.errors += 1;
      record(spec, name, 'error', startedAt);
      if (spec.signal?.aborted) {
        if (spec.creates)
          return {
            kind: 'fail',
            error: outcomeUnknown(
              name,
              'the run was stopped before the answer came',
              spec.signal.reason,
            ),
          };
        return { kind: 'fail', error: spec.signal.reason };
      }
      const timedOut = timeout.aborted;
      const neverSent = !timedOut && networkCodes(error).some((code) => NEVER_SENT.has(code));
      const reason = timedOut
        ? `no answer within ${timeoutMs} ms (edusign.timeoutMs)`
        : `the connection failed (${clean(describeNetworkError(error))})`;
      if (spec.creates && !neverSent)
        return { kind: 'fail', error: outcomeUnknown(name, reason, error) };
      return {
        kind: 'retry',
        reason,
        status: undefined,
        cause: error,
        retryAfterMs: undefined,
        mayHaveApplied: !neverSent,
      };
    }

    const status = response.status;
    record(spec, name, status, startedAt);
    if (policy.statusCodes.includes(status)) {
      counters.errors += 1;
      const snippet = bodySnippet(clean(text), 80);
      const reason = `HTTP ${status}${snippet === '' ? '' : ` (${snippet})`}`;
      // 429 and 503 say "not now": the request was turned away, not applied.
      const turnedAway = status === 429 || status === 503;
      if (spec.creates && !turnedAway)
        return { kind: 'fail', error: outcomeUnknown(name, reason, undefined, status) };
      return {
        kind: 'retry',
        reason,
        status,
        cause: undefined,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()),
        mayHaveApplied: !turnedAway,
      };
    }
    try {
      return { kind: 'done', value: readEnvelope(name, status, clean(text)) };
    } catch (error) {
      counters.errors += 1;
      return { kind: 'fail', error };
    }
  }

  async function request(spec: RequestSpec): Promise<unknown> {
    const name = `${spec.method} ${spec.route}`;
    const url = urlOf(spec);
    let mayHaveApplied = false;
    for (let attemptNo = 1; ; attemptNo += 1) {
      await limiter.acquire(spec.signal);
      const outcome = await attempt(spec, name, url);
      if (outcome.kind === 'done') return outcome.value;
      if (outcome.kind === 'fail') {
        if (spec.deletes && mayHaveApplied && isEdusignError(outcome.error, 'edusign.not_found'))
          return true;
        throw outcome.error;
      }
      mayHaveApplied ||= outcome.mayHaveApplied;
      if (attemptNo > policy.retries) {
        throw new EdusignError(
          'edusign.unavailable',
          `Edusign is unavailable: ${name} failed ${attemptNo} times (last: ${outcome.reason}). It may be in maintenance (Saturdays 16:00–22:00 Paris); the run will be tried again later`,
          { route: name, status: outcome.status, cause: outcome.cause },
        );
      }
      const delayMs = retryDelayMs(policy, attemptNo, outcome.retryAfterMs, random);
      logger?.warn(
        { route: name, attempt: attemptNo, delayMs, reason: outcome.reason },
        'edusign request failed, retrying',
      );
      counters.retries += 1;
      await sleep(delayMs, spec.signal);
    }
  }

  return {
    request,
    stats: () => ({
      ...counters,
      byRoute: { ...byRoute },
      rateLimitWaitMs: limiter.waitedMs,
    }),
  };
}

function outcomeUnknown(
  route: string,
  reason: string,
  cause: unknown,
  status?: number,
): EdusignError {
  return new EdusignError(
    'edusign.outcome_unknown',
    `Edusign's answer to ${route} was lost (${reason}): the record may or may not have been created. It is looked up by its API_ID before anything is created again`,
    { route, status, cause },
  );
}

/** Error codes along the cause chain (undici nests them; several addresses give an AggregateError). */
function networkCodes(error: unknown): string[] {
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

function describeNetworkError(error: unknown): string {
  const codes = networkCodes(error);
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  const message = typeof cause?.message === 'string' ? cause.message : String(error);
  return codes.length > 0 ? `${codes[0]}: ${message}` : message;
}
