/**
 * Failed sign-ins, counted per key (an account's email, a client address)
 * over a sliding window: past `limit` failures a key is refused until the
 * oldest failure leaves the window. Pure apart from the clock handed in.
 * In memory: one process serves the console, and a restart forgets at most
 * a quarter of an hour of failures.
 */
export interface ThrottleRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** An account: 5 wrong passwords in 15 minutes (OWASP's order of magnitude). */
export const PER_ACCOUNT: ThrottleRule = Object.freeze({ limit: 5, windowMs: 15 * 60_000 });
/** An address: more, since a school's staff may sign in from one NAT address. */
export const PER_ADDRESS: ThrottleRule = Object.freeze({ limit: 20, windowMs: 15 * 60_000 });

export interface Throttle {
  /** Milliseconds to wait before trying again, 0 when allowed. */
  retryAfterMs(key: string): number;
  fail(key: string): void;
  succeed(key: string): void;
}

export function createThrottle(rule: ThrottleRule, now: () => number = Date.now): Throttle {
  const failures = new Map<string, number[]>();
  const recent = (key: string) => {
    const since = now() - rule.windowMs;
    const kept = (failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  };
  return {
    retryAfterMs(key) {
      const kept = recent(key);
      if (kept.length < rule.limit) return 0;
      return (kept[kept.length - rule.limit] ?? now()) + rule.windowMs - now();
    },
    fail(key) {
      failures.set(key, [...recent(key), now()]);
    },
    succeed(key) {
      failures.delete(key);
    },
  };
}
