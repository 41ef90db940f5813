import { sleep } from '../http/retry.ts';

/**
 * Client-side rate limit for one Edusign account: at most `requestsPerMinute`
 * requests in any 60 seconds, spread out rather than sent in one burst.
 *
 * Two rules together:
 * - a token bucket (GCRA) refilled at `requestsPerMinute / 60` per second,
 *   holding at most `burst` tokens, so requests are spread over the minute;
 * - a sliding window over the last `requestsPerMinute` send times, so the
 *   bucket's initial burst never takes a minute over the limit (Edusign
 *   counts per minute and slows answers down past it).
 *
 * Callers reserve a slot: each gets its own send time, so concurrent callers
 * queue in order instead of racing. The clock is handed in; `reserve` is pure
 * state arithmetic and is what the tests drive.
 */
export interface RateLimiterOptions {
  /** @default 480 (Edusign's limit per account) */
  readonly requestsPerMinute: number;
  /** Requests that may go at once after a quiet spell. @default one second's worth, at least 1 */
  readonly burst?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const MINUTE_MS = 60_000;

export class RateLimiter {
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #toleranceMs: number;
  readonly #now: () => number;
  /** GCRA's theoretical arrival time: when the bucket will be full again, minus one token. */
  #tat = Number.NEGATIVE_INFINITY;
  /** Send times granted, oldest first, at most `#limit` of them. */
  readonly #sent: number[] = [];
  #waitedMs = 0;
  /** End of the waiting already counted in `#waitedMs`: overlapping waits count once. */
  #waitCoveredUntil = Number.NEGATIVE_INFINITY;

  constructor(options: RateLimiterOptions) {
    const limit = Math.floor(options.requestsPerMinute);
    if (!(limit >= 1)) throw new RangeError('requestsPerMinute must be at least 1');
    const burst = Math.max(1, Math.floor(options.burst ?? Math.ceil(limit / 60)));
    this.#limit = limit;
    this.#intervalMs = MINUTE_MS / limit;
    this.#toleranceMs = (burst - 1) * this.#intervalMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Reserve the next slot at `nowMs`; returns how long to wait before sending
   * (0 when it may go now). The slot is taken even if the caller gives up.
   */
  reserve(nowMs: number = this.#now()): number {
    let at = Math.max(nowMs, this.#tat - this.#toleranceMs);
    if (this.#sent.length >= this.#limit) {
      const oldest = this.#sent[this.#sent.length - this.#limit] ?? Number.NEGATIVE_INFINITY;
      at = Math.max(at, oldest + MINUTE_MS);
    }
    this.#tat = Math.max(this.#tat, at) + this.#intervalMs;
    this.#sent.push(at);
    if (this.#sent.length > this.#limit) this.#sent.splice(0, this.#sent.length - this.#limit);
    return Math.max(0, Math.ceil(at - nowMs));
  }

  /** Wait for a slot; returns the milliseconds waited. An aborted signal rejects with its reason. */
  async acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const startMs = this.#now();
    const waitMs = this.reserve(startMs);
    if (waitMs > 0) {
      this.#countWait(startMs, startMs + waitMs);
      await sleep(waitMs, signal);
    }
    return waitMs;
  }

  /**
   * Add the waiting interval [from, to] to the union of waits. Slots are
   * granted in order, so the intervals start and end in order too: the union
   * only ever grows at its end, and one boundary is all the state it needs.
   */
  #countWait(from: number, to: number): void {
    const start = Math.max(from, this.#waitCoveredUntil);
    if (to > start) this.#waitedMs += to - start;
    this.#waitCoveredUntil = Math.max(this.#waitCoveredUntil, to);
  }

  /**
   * Wall time during which at least one caller was waiting for a slot, in
   * milliseconds: the union of the waits, not their sum. Eight requests in
   * parallel each waiting one second cost the run one second, and that is
   * what a report must say (a 13.7 s run once reported 50.9 s of waiting).
   */
  get waitedMs(): number {
    return this.#waitedMs;
  }
}
