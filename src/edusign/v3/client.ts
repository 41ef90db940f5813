import { createHttp, isRequestFailure } from '../../http/request.ts';
import type { RetryPolicy, Sleep } from '../../http/retry.ts';
import { bodySnippet, EdusignError, redact, translateHttpError } from '../errors.ts';
import { RateLimiter } from '../rate-limit.ts';
import type { EdusignStats, RequestEvent } from '../transport.ts';

/**
 * The Edusign v3 batch client (edusign-api.md, "v3 batch API"): the four
 * `batch-upsert` routes, 1 to 1,000 items each, answered per item.
 *
 * Unlike v1's creates, a batch is sent again when its answer is lost (a
 * timeout, a dropped connection, a 5xx): every item the connector sends
 * carries either its `externalReferenceId` (an upsert: sent twice, it
 * updates the record the first one made) or an Edusign id (a strict
 * update), so a second delivery duplicates nothing. The retries are the
 * shared request path's (`src/http/request.ts`), paced by the v3 "heavy"
 * limit, which is the account's own, apart from v1's 480 a minute.
 */

export type V3Entity = 'students' | 'professors' | 'groups' | 'courses';

/** One item's answer, as Edusign gives it (its `inputIndex` is its place in the request). */
export interface V3ItemResult {
  readonly inputIndex: number;
  readonly status: 'success' | 'error';
  readonly id?: string;
  readonly code?: string;
  readonly message?: string;
}

export interface EdusignV3Client {
  /**
   * One `POST /v3/{entity}/batch-upsert`. Resolves with the per-item results
   * (HTTP 200 or 207); throws an `EdusignError` when the batch as a whole was
   * refused (`edusign.validation`: HTTP 400), not understood, or not answered
   * after the retries (`edusign.unavailable`: it may or may not have been applied).
   */
  batchUpsert(
    entity: V3Entity,
    items: readonly object[],
    signal?: AbortSignal,
  ): Promise<V3ItemResult[]>;
  stats(): EdusignStats;
}

/** Edusign's limit for its batch routes, per account, beside v1's 480 (edusign-api.md). */
export const HEAVY_REQUESTS_PER_MINUTE = 24;
/** v1's documented limit: the heavy limit keeps its ratio to it when a school sets another. */
const V1_REQUESTS_PER_MINUTE = 480;

/**
 * The heavy routes' rate for a configured v1 rate: 24 a minute at Edusign's
 * 480, in proportion otherwise (a sandbox with its limits lifted, a school
 * that chose to stay below the limit).
 */
export function heavyRequestsPerMinute(requestsPerMinute: number): number {
  return Math.max(
    1,
    Math.floor((requestsPerMinute * HEAVY_REQUESTS_PER_MINUTE) / V1_REQUESTS_PER_MINUTE),
  );
}

export interface EdusignV3ClientDeps {
  readonly fetch?: typeof fetch;
  readonly retry?: Partial<RetryPolicy>;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly onRequest?: (event: RequestEvent) => void;
}

export function createEdusignV3Client(
  config: { v3BaseUrl: string; token: string; requestsPerMinute: number; timeoutMs: number },
  deps: EdusignV3ClientDeps = {},
): EdusignV3Client {
  const base = config.v3BaseUrl.replace(/\/+$/, '');
  const { token } = config;
  const perMinute = heavyRequestsPerMinute(config.requestsPerMinute);
  const limiter = new RateLimiter({
    requestsPerMinute: perMinute,
    // A handful at once: a run's few batches go out together, well inside the minute's 24.
    burst: Math.max(1, Math.floor(perMinute / 4)),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  const counters = { calls: 0, writes: 0, errors: 0, retries: 0 };
  const byRoute: Record<string, number> = {};
  const clean = (text: string) => redact(text, token);
  const http = createHttp({
    fetch: deps.fetch,
    retry: deps.retry,
    // A thousand courses take Edusign longer than one: the v1 limit, four times.
    timeoutMs: config.timeoutMs * 4,
    timeoutSetting: 'edusign.timeoutMs (×4 for a v3 batch)',
    now: deps.now,
    sleep: deps.sleep,
    random: deps.random,
    redact: clean,
    beforeAttempt: (signal) => limiter.acquire(signal),
    describeStatus: (answer) => {
      const snippet = bodySnippet(answer.text, 80);
      return `HTTP ${answer.status}${snippet === '' ? '' : ` (${snippet})`}`;
    },
    onAttempt: (event) => {
      counters.calls += 1;
      counters.writes += 1;
      byRoute[event.name] = (byRoute[event.name] ?? 0) + 1;
      if (event.failed) counters.errors += 1;
      deps.onRequest?.({
        route: event.name.slice(event.name.indexOf(' ') + 1),
        method: event.method,
        status: event.status,
        ms: event.ms,
      });
    },
    onRetry: () => {
      counters.retries += 1;
    },
  });

  return {
    async batchUpsert(entity, items, signal) {
      const route = `/v3/${entity}/batch-upsert`;
      const name = `POST ${route}`;
      try {
        return await http.send(
          {
            name,
            url: `${base}/${entity}/batch-upsert`,
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              'content-type': 'application/json',
            },
            body: JSON.stringify({ [entity]: items }),
            // Every item is an upsert by reference or a strict update: see the module comment.
            safety: 'idempotent',
            signal,
          },
          (answer) => {
            try {
              return readResults(name, answer.status, clean(answer.text), items.length);
            } catch (error) {
              counters.errors += 1;
              throw error;
            }
          },
        );
      } catch (error) {
        if (isRequestFailure(error, 'exhausted'))
          throw new EdusignError(
            'edusign.unavailable',
            `Edusign is unavailable: ${name} failed ${error.attempts} times (last: ${error.reason}); the batch may or may not have been applied, and is sent again by the next run (each item is an upsert, so nothing is duplicated)`,
            { route: name, status: error.status, cause: error.cause },
          );
        throw error;
      }
    },
    stats: () => ({
      ...counters,
      byRoute: { ...byRoute },
      rateLimitWaitMs: limiter.waitedMs,
    }),
  };
}

/** A batch's answer: the results of HTTP 200/207, or the error of the whole batch. Pure. */
export function readResults(
  route: string,
  status: number,
  text: string,
  count: number,
): V3ItemResult[] {
  if (status === 401 || status === 402 || status === 403)
    throw translateHttpError(route, status, text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    results?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if ((status === 200 || status === 207) && Array.isArray(body.results)) {
    const results: V3ItemResult[] = [];
    for (const raw of body.results) {
      const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const inputIndex = Number(r.inputIndex);
      if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= count) continue;
      const ok = r.status === 'success' && r.id !== undefined && r.id !== null;
      results.push({
        inputIndex,
        status: ok ? 'success' : 'error',
        ...(r.id === undefined || r.id === null ? {} : { id: String(r.id) }),
        ...(typeof r.code === 'string' ? { code: r.code } : {}),
        ...(typeof r.message === 'string' ? { message: r.message } : {}),
      });
    }
    return results;
  }
  if (status === 400 && typeof body.code === 'string')
    throw new EdusignError(
      'edusign.validation',
      `Edusign refused the whole batch sent to ${route} (${body.code}): ${typeof body.message === 'string' ? body.message : 'no message given'}`,
      { route, status, edusignMessage: String(body.message ?? '') },
    );
  if (status >= 200 && status < 300)
    throw new EdusignError(
      'edusign.bad_response',
      `Edusign's ${route} answered HTTP ${status} without its per-item results ("${bodySnippet(text, 80)}"): check edusign.v3BaseUrl (https://api.edusign.com/v3)`,
      { route, status },
    );
  throw translateHttpError(route, status, text);
}
