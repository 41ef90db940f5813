import type { ConsoleStore } from '../../store/port.ts';

/**
 * Failed sign-ins, counted per key (an account's email, a client address)
 * over a sliding window: past `limit` failures a key is refused until the
 * oldest failure leaves the window. The failures live in the console's
 * store, so every process serving one console (a fleet's several `serve`)
 * counts them together: an attacker gains nothing by spreading guesses.
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
  retryAfterMs(key: string): Promise<number>;
  fail(key: string): Promise<void>;
  succeed(key: string): Promise<void>;
}

export type FailureLog = Pick<
  ConsoleStore,
  'addSignInFailure' | 'signInFailures' | 'clearSignInFailures'
>;

/** `prefix` keeps the rules' keys apart in the one table (an email is not an address). */
export function createThrottle(
  rule: ThrottleRule,
  log: FailureLog,
  prefix: string,
  now: () => number = Date.now,
): Throttle {
  const keyOf = (key: string) => `${prefix}:${key}`;
  return {
    async retryAfterMs(key) {
      const at = now();
      const recent = await log.signInFailures(
        keyOf(key),
        new Date(at - rule.windowMs).toISOString(),
      );
      if (recent.length < rule.limit) return 0;
      const oldestCounted = Date.parse(recent[recent.length - rule.limit] ?? '') || at;
      return Math.max(0, oldestCounted + rule.windowMs - at);
    },
    async fail(key) {
      await log.addSignInFailure(keyOf(key), new Date(now()).toISOString());
    },
    async succeed(key) {
      await log.clearSignInFailures(keyOf(key));
    },
  };
}
