import { type RetryPolicy, retryDelayMs } from '../../http/retry.ts';
import { redactSecrets } from '../../observability/secrets.ts';
import type { Clock } from '../../schedule/scheduler.ts';
import { systemClock } from '../../schedule/scheduler.ts';
import type { Channel } from '../channels.ts';
import type { DeliveryRow, DeliveryStore, DeliveryUpdate } from './port.ts';

/**
 * Sends what is due, off the runs' path: a loop of its own, woken when a run
 * queues notices and otherwise asleep until the next retry. A refused or
 * unanswered attempt is retried with capped exponential backoff until the
 * retry period is over, then the delivery is marked failed; every attempt is
 * recorded. Driven by an injected clock, so tests let days pass at once.
 */

export interface DeliveryPolicy {
  /** First wait after a failed attempt, doubled each time. @default 60000 */
  readonly baseDelayMs: number;
  /** No wait is longer, `Retry-After` included. @default 3600000 (1 h) */
  readonly maxDelayMs: number;
  /** Share of each wait that is random, so receivers back up from an outage are not hit in step. @default 0.2 */
  readonly jitter: number;
  /** console.md: retried for up to 24 hours, then given up. @default 86400000 */
  readonly giveUpAfterMs: number;
  /** How long a claimed delivery is ours: longer than any send (SMTP timeouts are 30 s). @default 300000 */
  readonly claimMs: number;
  /** Deliveries sent at once in one pass. @default 20 */
  readonly batch: number;
  /**
   * The longest sleep: another process (a run in a fleet) may queue without
   * being able to wake this loop. @default 60000
   */
  readonly pollMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = Object.freeze({
  baseDelayMs: 60_000,
  maxDelayMs: 3_600_000,
  jitter: 0.2,
  giveUpAfterMs: 24 * 3_600_000,
  claimMs: 300_000,
  batch: 20,
  pollMs: 60_000,
});

/** What the deliverer logs through; a pino logger fits. */
export interface DelivererLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface DelivererOptions {
  readonly store: DeliveryStore;
  /** The configured channel this delivery goes to (`pickChannel`), or undefined once it was removed. */
  readonly channel: (id: string, row: DeliveryRow) => Channel | undefined;
  readonly clock?: Clock;
  readonly policy?: Partial<DeliveryPolicy>;
  readonly random?: () => number;
  readonly logger?: DelivererLogger;
  /** Scrubbed from every error recorded or logged. */
  readonly secrets?: readonly string[];
}

const silent: DelivererLogger = { info() {}, warn() {} };

export class Deliverer {
  readonly #store: DeliveryStore;
  readonly #channel: (id: string, row: DeliveryRow) => Channel | undefined;
  readonly #clock: Clock;
  readonly #policy: DeliveryPolicy;
  readonly #random: () => number;
  readonly #logger: DelivererLogger;
  readonly #secrets: readonly string[];
  #wake: AbortController | undefined;
  #woken = false;
  #idleWaiters: (() => void)[] = [];
  #sleeping = false;

  constructor(options: DelivererOptions) {
    this.#store = options.store;
    this.#channel = options.channel;
    this.#clock = options.clock ?? systemClock;
    this.#policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? silent;
    this.#secrets = options.secrets ?? [];
  }

  /** Something was queued: look at once instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wake?.abort();
  }

  /**
   * Resolves once the loop sleeps with nothing due (for tests on a virtual
   * clock). It first lets the loop run on: a sleep that just ended resumes
   * the loop in a later microtask, and until then the loop still looks asleep.
   */
  async whenIdle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#sleeping && !this.#woken) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** One pass: every delivery due now, attempted once. Returns the attempts made. */
  async deliverDue(): Promise<number> {
    let made = 0;
    for (;;) {
      const now = this.#clock.now();
      const claimUntil = new Date(now.getTime() + this.#policy.claimMs).toISOString();
      const due = await this.#store.claimDue(now.toISOString(), claimUntil, this.#policy.batch);
      if (due.length === 0) return made;
      await Promise.all(due.map((row) => this.#attempt(row)));
      made += due.length;
    }
  }

  /** Deliver until `signal` aborts. Never throws for a delivery's sake; a store error is logged and retried. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#woken = false;
      let waitMs = this.#policy.pollMs;
      try {
        await this.deliverDue();
        const next = await this.#store.nextDueAt();
        if (next !== null)
          waitMs = Math.min(waitMs, Math.max(0, Date.parse(next) - this.#clock.now().getTime()));
      } catch (error) {
        this.#logger.warn(
          { err: this.#scrub(String((error as Error)?.message ?? error)) },
          'notification store failed; trying again later',
        );
      }
      if (this.#woken || signal.aborted) continue;
      if (waitMs === 0) continue;
      const wake = new AbortController();
      this.#wake = wake;
      const both = AbortSignal.any([signal, wake.signal]);
      this.#sleeping = true;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      try {
        await this.#clock.sleep(waitMs, both);
      } catch {
        // Woken or stopped: either way, look again (the loop checks `signal`).
      } finally {
        this.#sleeping = false;
        this.#wake = undefined;
      }
    }
  }

  async #attempt(row: DeliveryRow): Promise<void> {
    const started = this.#clock.now();
    const number = row.attempts + 1;
    const channel = this.#channel(row.channelId, row);
    const result = channel
      ? await channel.send(row.notice, started).catch((error: unknown) => ({
          ok: false,
          status: null,
          error: `unexpected: ${(error as Error)?.message ?? String(error)}`,
        }))
      : {
          ok: false,
          status: null,
          error: `the channel ${row.channelId} is no longer configured`,
        };
    const finished = this.#clock.now();
    const error = result.error === null ? null : this.#scrub(result.error);
    const deadline = Date.parse(row.createdAt) + this.#policy.giveUpAfterMs;
    let update: DeliveryUpdate;
    if (result.ok) {
      update = {
        status: 'delivered',
        attempts: number,
        nextAttemptAt: null,
        deliveredAt: finished.toISOString(),
        lastError: null,
      };
    } else if (channel === undefined || finished.getTime() >= deadline) {
      update = {
        status: 'failed',
        attempts: number,
        nextAttemptAt: null,
        deliveredAt: null,
        lastError: error,
      };
    } else {
      const retryAfterMs = 'retryAfterMs' in result ? result.retryAfterMs : undefined;
      const wait = retryDelayMs(this.#retryPolicy(), number, retryAfterMs, this.#random);
      // The last try falls on the deadline itself rather than past it.
      const next = Math.min(finished.getTime() + wait, deadline);
      update = {
        status: 'pending',
        attempts: number,
        nextAttemptAt: new Date(next).toISOString(),
        deliveredAt: null,
        lastError: error,
      };
    }
    await this.#store.recordAttempt(
      {
        deliveryId: row.id,
        school: row.school,
        attempt: number,
        at: started.toISOString(),
        channel: row.channel,
        // Where this attempt went: the channel as configured now (its URL may have been corrected).
        target: channel?.target ?? row.target,
        ok: result.ok,
        status: result.status,
        error,
        durationMs: finished.getTime() - started.getTime(),
      },
      update,
    );
    const details = {
      school: row.school,
      delivery: row.id,
      target: row.target,
      attempt: number,
      status: result.status,
    };
    if (update.status === 'delivered') this.#logger.info(details, 'notice delivered');
    else if (update.status === 'failed')
      this.#logger.warn({ ...details, error }, 'notice not delivered; given up');
    else
      this.#logger.warn(
        { ...details, error, nextAttemptAt: update.nextAttemptAt },
        'notice not delivered; will retry',
      );
  }

  #retryPolicy(): RetryPolicy {
    return {
      retries: Number.POSITIVE_INFINITY,
      statusCodes: [],
      baseDelayMs: this.#policy.baseDelayMs,
      maxDelayMs: this.#policy.maxDelayMs,
      jitter: this.#policy.jitter,
    };
  }

  #scrub(text: string): string {
    return redactSecrets(text, this.#secrets);
  }
}
