import { scrubberFor } from '../config/scrubber.ts';
import type { NotificationSettings } from '../notify/config.ts';
import type { DelivererLogger, DeliveryPolicy } from '../notify/delivery/deliverer.ts';
import { DEFAULT_DELIVERY_INTERVAL_MS, DeliveryLoop } from '../notify/delivery/loop.ts';
import type { SecretScrubber } from '../observability/secrets.ts';
import type { Clock } from '../schedule/scheduler.ts';
import type { FleetDatabase } from './database.ts';
import type { SecretKeys } from './secret-key.ts';
import { configFromSettings } from './settings.ts';

/**
 * The fleet's deliveries: in every worker process, a loop over the fleet's
 * notification queue (docs/notifications.md, "Delivery"). Each pass takes
 * the due deliveries of every school, whichever process ran it, and sends
 * them with the school's channels as its row says now (secrets opened with
 * the keys), and the operator's when this process was given them. Workers
 * claim rows with `FOR UPDATE SKIP LOCKED`, so two never send one attempt
 * twice; a failed delivery waits its backoff (1 min, 2, 4… up to 24 h) in the
 * database and the next pass of any worker retries it. Runs never wait for it.
 */

export interface FleetDeliveriesOptions {
  readonly db: FleetDatabase;
  readonly keys: SecretKeys;
  readonly logger: DelivererLogger;
  /** The process's log scrubber: each school's secrets are added once opened. */
  readonly scrubber: SecretScrubber;
  /** The operator's own channels (`worker --operator FILE`). */
  readonly operator?: NotificationSettings | undefined;
  /** Between two looks at the queue. @default 30000 */
  readonly intervalMs?: number;
  /** For tests: shorter waits. */
  readonly policy?: Partial<DeliveryPolicy>;
  readonly random?: () => number;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

export interface FleetDeliveries {
  /** A run of this process queued notices: send them now rather than at the next interval. */
  wake(): void;
  /**
   * Stop looking. A pass in progress gets a few seconds to record its
   * attempts; a send cut short is retried by another worker once its claim
   * runs out.
   */
  stop(): Promise<void>;
}

/** How long `stop` waits for a pass in progress. */
const STOP_WAIT_MS = 10_000;

export function startFleetDeliveries(options: FleetDeliveriesOptions): FleetDeliveries {
  const { db, keys, scrubber } = options;
  const loop = new DeliveryLoop({
    store: db.store.notifications(),
    async settingsOf(school) {
      const row = await db.schools.get(school);
      // Removed from the fleet: what is queued for its own channels fails as no longer configured.
      if (row === undefined) return { settings: undefined };
      const config = configFromSettings(school, row.settings, keys);
      const secrets = scrubberFor([config]).secrets();
      scrubber.add(...secrets);
      return { settings: config.notifications, secrets };
    },
    operator: options.operator,
    intervalMs: options.intervalMs ?? DEFAULT_DELIVERY_INTERVAL_MS,
    logger: options.logger,
    secrets: scrubber.secrets(),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const stopping = new AbortController();
  const running = loop.run(stopping.signal);
  let stopped: Promise<void> | undefined;
  return {
    wake: () => loop.wake(),
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          running,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, STOP_WAIT_MS);
            timer.unref();
          }),
        ]);
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
