/** Requests allowed per window, per token. */
export interface RateLimit {
  /** @default 480 (Edusign's published limit per minute) */
  readonly requests: number;
  /** @default 60000 */
  readonly windowMs: number;
}

export const EDUSIGN_RATE_LIMIT: RateLimit = Object.freeze({ requests: 480, windowMs: 60_000 });

/** Edusign's limit for its "heavy" routes (the v3 batches), per account, apart from the 480. */
export const EDUSIGN_HEAVY_RATE_LIMIT: RateLimit = Object.freeze({
  requests: 24,
  windowMs: 60_000,
});

/**
 * A sliding window per key that delays rather than refuses, as Edusign does
 * over its limit: each request reserves the earliest instant at which it is
 * at most the `requests`-th in any window of `windowMs`, and waits for it.
 * Reservations are first come, first served, so a burst drains in order.
 */
export class SlidingWindowDelay {
  #limit: RateLimit;
  readonly #now: () => number;
  /** Per key, the reserved instants (ms), ascending. */
  readonly #slots = new Map<string, number[]>();

  constructor(limit: RateLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#now = now;
  }

  get limit(): RateLimit {
    return this.#limit;
  }

  setLimit(limit: RateLimit): void {
    this.#limit = limit;
  }

  /** Reserve a slot for `key`; returns how long (ms) the answer must wait for it. */
  reserve(key: string): number {
    const now = this.#now();
    const { requests, windowMs } = this.#limit;
    const slots = this.#slots.get(key) ?? [];
    let expired = 0;
    while (expired < slots.length && (slots[expired] ?? 0) <= now - windowMs) expired++;
    slots.splice(0, expired);
    let at = now;
    const blocking = slots[slots.length - requests];
    if (requests > 0 && blocking !== undefined) at = Math.max(now, blocking + windowMs);
    slots.push(at);
    this.#slots.set(key, slots);
    return at - now;
  }
}
