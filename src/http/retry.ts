/**
 * Declarative retry policy shared by the Auriga and Edusign clients: which
 * failures are retried, how long to wait (capped, jittered exponential
 * backoff, `Retry-After` honoured), and how many times. Pure: the clock and
 * the randomness are handed in.
 */
export interface RetryPolicy {
  /** Attempts after the first. @default 4 */
  readonly retries: number;
  /** HTTP statuses worth another try. @default [408, 429, 500, 502, 503, 504] */
  readonly statusCodes: readonly number[];
  /** First backoff. @default 500 */
  readonly baseDelayMs: number;
  /** No single wait is longer, `Retry-After` included. @default 30000 */
  readonly maxDelayMs: number;
  /** Share of each backoff that is randomised, 0 to 1, so that many clients don't retry in step. @default 0.5 */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 4,
  statusCodes: [408, 429, 500, 502, 503, 504],
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 0.5,
});

/**
 * Parse a `Retry-After` header (seconds or an HTTP date) into milliseconds
 * from `nowMs`; undefined when absent or unreadable.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (header == null) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before retry number `attempt` (1 for the first retry).
 * `retryAfterMs`, when the server gave one, wins over the backoff, within the cap.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, Math.max(0, retryAfterMs));
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const spread = exponential * policy.jitter;
  return Math.round(exponential - spread + random() * spread);
}

export const isRetryableStatus = (policy: RetryPolicy, status: number): boolean =>
  policy.statusCodes.includes(status);

/** A wait that an AbortSignal cuts short; handed in so that tests wait on a virtual clock. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Sleep that an AbortSignal cuts short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
