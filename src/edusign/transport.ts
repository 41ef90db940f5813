import { createHttp, isRequestFailure } from '../http/request.ts';
import type { RetryPolicy, Sleep } from '../http/retry.ts';
import { readEnvelope } from './envelope.ts';
import { bodySnippet, EdusignError, isEdusignError, redact } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';

/**
 * One Edusign request, end to end: rate limit, timeout, envelope, retries,
 * over the shared request path (`src/http/request.ts`).
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
  /** Waits between retries. @default a real timer */
  readonly sleep?: Sleep | undefined;
  readonly random?: (() => number) | undefined;
  readonly logger?: EdusignLogger | undefined;
  readonly onRequest?: ((event: RequestEvent) => void) | undefined;
}

export interface Transport {
  request(spec: RequestSpec): Promise<unknown>;
  stats(): EdusignStats;
}

export function createTransport(options: TransportOptions): Transport {
  const now = options.now ?? Date.now;
  const base = options.baseUrl.replace(/\/+$/, '');
  const { token, limiter, logger, onRequest } = options;
  const counters = { calls: 0, writes: 0, errors: 0, retries: 0 };
  const byRoute: Record<string, number> = {};
  const clean = (text: string) => redact(text, token);
  /** Route template per request name, for the events (the name carries the method too). */
  const routes = new Map<string, string>();

  const http = createHttp({
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    timeoutSetting: 'edusign.timeoutMs',
    now,
    sleep: options.sleep,
    random: options.random,
    redact: clean,
    // Every attempt, retries included, is paced by the account's rate limit.
    beforeAttempt: (signal) => limiter.acquire(signal),
    describeStatus: (answer) => {
      const snippet = bodySnippet(answer.text, 80);
      return `HTTP ${answer.status}${snippet === '' ? '' : ` (${snippet})`}`;
    },
    onAttempt: (event) => {
      counters.calls += 1;
      if (event.method !== 'GET') counters.writes += 1;
      byRoute[event.name] = (byRoute[event.name] ?? 0) + 1;
      if (event.failed) counters.errors += 1;
      logger?.debug({ route: event.name, status: event.status, ms: event.ms }, 'edusign request');
      onRequest?.({
        route: routes.get(event.name) ?? event.name,
        method: event.method,
        status: event.status,
        ms: event.ms,
      });
    },
    onRetry: (event) => {
      counters.retries += 1;
      logger?.warn(
        { route: event.name, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason },
        'edusign request failed, retrying',
      );
    },
  });

  function urlOf(spec: RequestSpec): string {
    const url = new URL(`${base}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  async function request(spec: RequestSpec): Promise<unknown> {
    const name = `${spec.method} ${spec.route}`;
    routes.set(name, spec.route);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await http.send(
        {
          name,
          url: urlOf(spec),
          method: spec.method,
          headers,
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          safety: spec.creates ? 'creates' : spec.deletes ? 'deletes' : 'idempotent',
          signal: spec.signal,
        },
        (answer, { mayHaveApplied }) => {
          try {
            return readEnvelope(name, answer.status, clean(answer.text));
          } catch (error) {
            // An earlier attempt of this DELETE may have removed the record: gone is done.
            if (spec.deletes && mayHaveApplied && isEdusignError(error, 'edusign.not_found'))
              return true;
            counters.errors += 1;
            throw error;
          }
        },
      );
    } catch (error) {
      if (isRequestFailure(error, 'outcome_unknown'))
        throw outcomeUnknown(name, error.reason, error.cause, error.status);
      if (isRequestFailure(error, 'exhausted'))
        throw new EdusignError(
          'edusign.unavailable',
          `Edusign is unavailable: ${name} failed ${error.attempts} times (last: ${error.reason}). It may be in maintenance (Saturdays 16:00–22:00 Paris); the run will be tried again later`,
          { route: name, status: error.status, cause: error.cause },
        );
      throw error;
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
