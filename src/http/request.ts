import { describeNetworkError, neverSent } from './network-error.ts';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  sleep as realSleep,
  retryDelayMs,
  type Sleep,
} from './retry.ts';

/**
 * The one HTTP request path of the connector: Edusign's API, Auriga's API and
 * Keycloak's discovery and token calls all go through `send`. Per attempt: the
 * pacing hook (the Edusign rate limiter), a timeout, the answer read whole;
 * between attempts, the declarative `RetryPolicy` (its status codes, its
 * limit, its capped and jittered backoff, `Retry-After` always honoured), with
 * the clock and the sleep handed in.
 *
 * What is retried: the policy's statuses, timeouts and dropped or refused
 * connections. What a retry may do depends on the request's `safety`:
 *
 * - `idempotent` (reads, Auriga's search POST, Keycloak's calls, Edusign's
 *   PATCH which replaces the fields it names): always safe to send again.
 * - `creates`: never retried blindly. Once the request may have reached the
 *   server (a timeout, a connection dropped after connecting, a 500/502/504
 *   that may have followed the write), the answer is lost: `send` throws a
 *   `RequestFailure` of kind `outcome_unknown` and the caller looks the
 *   record up. A 429 or 503 (turned away, nothing written) or a connection
 *   that was never made is retried like any read.
 * - `deletes`: retried, and `mayHaveApplied` tells the interpretation of the
 *   final answer that an earlier attempt may have removed the record, so
 *   that "not found" then means done.
 *
 * Written by hand rather than with ky: each attempt must be classified as
 * "never sent" or "may have applied", paced through a per-account rate
 * limiter, and timed with an injected clock and sleep.
 */

export type RequestSafety = 'idempotent' | 'creates' | 'deletes';

export interface HttpRequest {
  /** What logs and messages name, e.g. `POST /v1/course` (a route template, never a secret). */
  readonly name: string;
  readonly url: string | URL;
  readonly method: string;
  readonly headers?: RequestInit['headers'] | undefined;
  /** Sent again as is on a retry: a string or URLSearchParams, never a stream. */
  readonly body?: string | URLSearchParams | undefined;
  readonly redirect?: RequestInit['redirect'] | undefined;
  /** @default 'idempotent' */
  readonly safety?: RequestSafety | undefined;
  /** Cuts the request, its waits and its retries short. */
  readonly signal?: AbortSignal | undefined;
}

/** An answer read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly text: string;
}

export interface AttemptEvent {
  readonly name: string;
  readonly method: string;
  readonly attempt: number;
  readonly status: number | 'error';
  readonly ms: number;
  /** The attempt failed in a way the policy retries (a retryable status, a network error). */
  readonly failed: boolean;
}

export interface RetryEvent {
  readonly name: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

export interface HttpOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
  /** Overrides of DEFAULT_RETRY_POLICY. */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Each attempt's limit. */
  readonly timeoutMs: number;
  /** Named in the timeout's reason, e.g. `edusign.timeoutMs`. */
  readonly timeoutSetting?: string | undefined;
  /** Epoch milliseconds, for `Retry-After` dates and durations. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default a timer that the signal cuts short */
  readonly sleep?: Sleep | undefined;
  /** Jitter source. @default Math.random */
  readonly random?: (() => number) | undefined;
  /** Before every attempt, retries included: pacing (the Edusign rate limiter). */
  readonly beforeAttempt?: ((signal: AbortSignal | undefined) => Promise<unknown>) | undefined;
  readonly onAttempt?: ((event: AttemptEvent) => void) | undefined;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Words for a retryable answer in messages. @default `HTTP 503` */
  readonly describeStatus?: ((answer: HttpAnswer) => string) | undefined;
  /** Scrubs text from outside (a server echoing the token) before it enters a reason. */
  readonly redact?: ((text: string) => string) | undefined;
}

/**
 * How `send` gives up; every client translates it into its own error codes
 * (`edusign.unavailable`, `auriga.unavailable`, …), it never reaches a user.
 */
export class RequestFailure extends Error {
  override name = 'RequestFailure' as const;
  /**
   * `exhausted`: every attempt failed in a retryable way.
   * `outcome_unknown`: a create's answer was lost after it may have been applied.
   */
  readonly kind: 'exhausted' | 'outcome_unknown';
  readonly request: string;
  readonly attempts: number;
  /** The last attempt's trouble: "HTTP 503", "no answer within 30000 ms", … */
  readonly reason: string;
  readonly status: number | undefined;
  /** The last answer, when the last attempt got one. */
  readonly last: HttpAnswer | undefined;

  constructor(
    kind: RequestFailure['kind'],
    details: {
      request: string;
      attempts: number;
      reason: string;
      status: number | undefined;
      last: HttpAnswer | undefined;
      cause: unknown;
    },
  ) {
    super(
      `${details.request}: ${kind === 'exhausted' ? `failed ${details.attempts} times` : 'answer lost'} (last: ${details.reason})`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.kind = kind;
    this.request = details.request;
    this.attempts = details.attempts;
    this.reason = details.reason;
    this.status = details.status;
    this.last = details.last;
  }
}

export const isRequestFailure = (
  error: unknown,
  kind?: RequestFailure['kind'],
): error is RequestFailure =>
  error instanceof RequestFailure && (kind === undefined || error.kind === kind);

/** What the final answer is read with: `mayHaveApplied` when an earlier attempt may have been applied. */
export type Interpret<T> = (answer: HttpAnswer, context: { readonly mayHaveApplied: boolean }) => T;

export interface Http {
  /** Send with retries; the first answer the policy does not retry goes to `interpret`. */
  send<T>(request: HttpRequest, interpret: Interpret<T>): Promise<T>;
  /** The same, the answer as is. */
  send(request: HttpRequest): Promise<HttpAnswer>;
  readonly policy: RetryPolicy;
}

type Attempt =
  | { readonly kind: 'answer'; readonly answer: HttpAnswer }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly status: number | undefined;
      readonly answer: HttpAnswer | undefined;
      readonly cause: unknown;
      readonly retryAfterMs: number | undefined;
      /** The request may have been applied although its answer is unusable. */
      readonly mayHaveApplied: boolean;
    };

export function createHttp(options: HttpOptions): Http {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const redact = options.redact ?? ((text: string) => text);
  const describeStatus = options.describeStatus ?? ((a: HttpAnswer) => `HTTP ${a.status}`);
  const { timeoutMs } = options;
  const timeoutReason = `no answer within ${timeoutMs} ms${options.timeoutSetting ? ` (${options.timeoutSetting})` : ''}`;

  async function attempt(request: HttpRequest, attemptNo: number): Promise<Attempt> {
    const safety = request.safety ?? 'idempotent';
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const init: RequestInit = { method: request.method, signal };
    if (request.headers !== undefined) init.headers = request.headers;
    if (request.body !== undefined) init.body = request.body;
    if (request.redirect !== undefined) init.redirect = request.redirect;
    const startedAt = now();
    const report = (status: number | 'error', failed: boolean) =>
      options.onAttempt?.({
        name: request.name,
        method: request.method,
        attempt: attemptNo,
        status,
        ms: Math.max(0, now() - startedAt),
        failed,
      });
    let answer: HttpAnswer;
    try {
      const response = await fetchImpl(request.url, init);
      const text = await response.text();
      answer = {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text,
      };
    } catch (error) {
      report('error', true);
      if (request.signal?.aborted) {
        if (safety === 'creates')
          throw new RequestFailure('outcome_unknown', {
            request: request.name,
            attempts: attemptNo,
            reason: 'the run was stopped before the answer came',
            status: undefined,
            last: undefined,
            cause: request.signal.reason,
          });
        throw request.signal.reason;
      }
      const timedOut = timeout.aborted;
      const unsent = !timedOut && neverSent(error);
      const reason = timedOut
        ? timeoutReason
        : `the connection failed (${redact(describeNetworkError(error))})`;
      if (safety === 'creates' && !unsent)
        throw new RequestFailure('outcome_unknown', {
          request: request.name,
          attempts: attemptNo,
          reason,
          status: undefined,
          last: undefined,
          cause: error,
        });
      return {
        kind: 'retry',
        reason,
        status: undefined,
        answer: undefined,
        cause: error,
        retryAfterMs: undefined,
        mayHaveApplied: !unsent,
      };
    }
    const retryable = policy.statusCodes.includes(answer.status);
    report(answer.status, retryable);
    if (!retryable) return { kind: 'answer', answer };
    const reason = describeStatus({ ...answer, text: redact(answer.text) });
    // 429 and 503 say "not now": the request was turned away, not applied.
    const turnedAway = answer.status === 429 || answer.status === 503;
    if (safety === 'creates' && !turnedAway)
      throw new RequestFailure('outcome_unknown', {
        request: request.name,
        attempts: attemptNo,
        reason,
        status: answer.status,
        last: answer,
        cause: undefined,
      });
    return {
      kind: 'retry',
      reason,
      status: answer.status,
      answer,
      cause: undefined,
      retryAfterMs: parseRetryAfter(answer.headers.get('retry-after'), now()),
      mayHaveApplied: !turnedAway,
    };
  }

  async function send<T>(request: HttpRequest, interpret?: Interpret<T>): Promise<T | HttpAnswer> {
    let mayHaveApplied = false;
    for (let attemptNo = 1; ; attemptNo += 1) {
      request.signal?.throwIfAborted();
      await options.beforeAttempt?.(request.signal);
      const outcome = await attempt(request, attemptNo);
      if (outcome.kind === 'answer')
        return interpret ? interpret(outcome.answer, { mayHaveApplied }) : outcome.answer;
      mayHaveApplied ||= outcome.mayHaveApplied;
      if (attemptNo > policy.retries)
        throw new RequestFailure('exhausted', {
          request: request.name,
          attempts: attemptNo,
          reason: outcome.reason,
          status: outcome.status,
          last: outcome.answer,
          cause: outcome.cause,
        });
      const delayMs = retryDelayMs(policy, attemptNo, outcome.retryAfterMs, random);
      options.onRetry?.({
        name: request.name,
        attempt: attemptNo,
        delayMs,
        reason: outcome.reason,
      });
      await sleep(delayMs, request.signal);
    }
  }

  return { send: send as Http['send'], policy };
}
