import { redactSecrets } from '../../observability/secrets.ts';
import type { Clock } from '../../schedule/scheduler.ts';
import { systemClock } from '../../schedule/scheduler.ts';
import { type Channel, channelsOf, pickChannel } from '../channels.ts';
import { type NotificationSettings, secretsOf } from '../config.ts';
import { Deliverer, type DelivererLogger, type DeliveryPolicy } from './deliverer.ts';
import type { DeliveryStore } from './port.ts';
import { scopedToSchools } from './scoped.ts';

/**
 * Sends the due deliveries of schools whose settings live in a database (a
 * fleet's schools, the console's), not in this process's memory: every
 * `intervalMs`, or at once when woken, it asks the queue which schools have
 * deliveries due, opens those schools' settings as they are now, and hands
 * the due deliveries to a Deliverer with those channels (claims, backoff,
 * the attempt log are the Deliverer's). Any number of loops may share a
 * queue: a claim is taken by one (`claimDue`). A school whose settings
 * cannot be opened (secrets that do not decrypt) is skipped, its deliveries
 * left waiting, and said once in the log; the others go on.
 */

/** A school's channels as its settings say now. */
export interface SchoolNotifications {
  /**
   * Its `notifications`, resolved (secrets open); undefined when it has none
   * any more, so what is queued for its channels fails as no longer configured.
   */
  readonly settings: NotificationSettings | undefined;
  /** Its other secrets (Auriga's, Edusign's), scrubbed from every text sent or recorded. */
  readonly secrets?: readonly string[];
}

export interface DeliveryLoopOptions {
  readonly store: DeliveryStore;
  /** Throws when the school's settings cannot be read now: its deliveries wait for a later pass. */
  readonly settingsOf: (school: string) => Promise<SchoolNotifications>;
  /** The schools this loop sends for. @default every school with deliveries in the store */
  readonly schools?: () => Promise<readonly string[]>;
  /**
   * The operator's channels. Without them, the deliveries to the operator are
   * left to a loop that has them (`DeliveryScope.operator`).
   */
  readonly operator?: NotificationSettings | undefined;
  /** Between two looks at the queue when nothing wakes the loop. @default 30000 */
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly policy?: Partial<DeliveryPolicy>;
  readonly random?: () => number;
  readonly logger?: DelivererLogger;
  readonly fetch?: typeof fetch;
  /** Other secrets to scrub from what is recorded or logged (a database password). */
  readonly secrets?: readonly string[];
}

export const DEFAULT_DELIVERY_INTERVAL_MS = 30_000;

const silent: DelivererLogger = { info() {}, warn() {} };

export class DeliveryLoop {
  readonly #options: DeliveryLoopOptions;
  readonly #clock: Clock;
  readonly #logger: DelivererLogger;
  readonly #intervalMs: number;
  /** Schools whose settings could not be opened, with what was said: said again only when it changes. */
  readonly #unreadable = new Map<string, string>();
  #wake: AbortController | undefined;
  #woken = false;
  #sleeping = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: DeliveryLoopOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silent;
    this.#intervalMs = options.intervalMs ?? DEFAULT_DELIVERY_INTERVAL_MS;
  }

  /** Something was queued (a run just ended here): look at once instead of at the next interval. */
  wake(): void {
    this.#woken = true;
    this.#wake?.abort();
  }

  /** Resolves once the loop sleeps with nothing left to do now (for tests on a virtual clock). */
  async whenIdle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#sleeping && !this.#woken) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** One pass: every delivery due now, of every school whose settings open, attempted once. */
  async deliverDue(): Promise<number> {
    const options = this.#options;
    const withOperator = options.operator !== undefined;
    const ours = options.schools ? [...(await options.schools())] : undefined;
    if (ours?.length === 0) return 0;
    const due = await options.store.dueSchools(this.#clock.now().toISOString(), {
      ...(ours ? { schools: ours } : {}),
      operator: withOperator,
    });
    if (due.length === 0) return 0;

    const opened: string[] = [];
    const settings: NotificationSettings[] = [];
    const secrets: string[] = [...(options.secrets ?? [])];
    for (const school of due) {
      try {
        const found = await options.settingsOf(school);
        opened.push(school);
        // Channel ids are `<owner>:…`: the school's own name, whatever the settings say.
        if (found.settings) settings.push({ ...found.settings, owner: school });
        secrets.push(...(found.secrets ?? []));
        this.#unreadable.delete(school);
      } catch (error) {
        this.#sayUnreadable(school, error, secrets);
      }
    }
    if (opened.length === 0) return 0;
    const all = [...settings, ...(options.operator ? [options.operator] : [])];
    secrets.push(...secretsOf(all));
    const channels: Channel[] = all.flatMap((s) =>
      channelsOf(s, { secrets, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    );
    const deliverer = new Deliverer({
      store: scopedToSchools(options.store, opened, { operator: withOperator }),
      channel: (_id, row) => pickChannel(channels, row),
      clock: this.#clock,
      secrets,
      logger: this.#logger,
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    return deliverer.deliverDue();
  }

  /** Deliver until `signal` aborts. Never throws: a store that fails is logged and tried again later. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#woken = false;
      try {
        await this.deliverDue();
      } catch (error) {
        this.#logger.warn(
          {
            err: redactSecrets(
              String((error as Error)?.message ?? error),
              this.#options.secrets ?? [],
            ),
          },
          'notification queue failed; trying again later',
        );
      }
      if (this.#woken || signal.aborted) continue;
      const wake = new AbortController();
      this.#wake = wake;
      this.#sleeping = true;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      try {
        await this.#clock.sleep(this.#intervalMs, AbortSignal.any([signal, wake.signal]));
      } catch {
        // Woken or stopped: either way, look again (the loop checks `signal`).
      } finally {
        this.#sleeping = false;
        this.#wake = undefined;
      }
    }
  }

  #sayUnreadable(school: string, error: unknown, secrets: readonly string[]): void {
    const message = redactSecrets(String((error as Error)?.message ?? error), secrets);
    if (this.#unreadable.get(school) === message) return;
    this.#unreadable.set(school, message);
    this.#logger.warn(
      { school, err: message },
      "this school's notices wait: its settings cannot be opened",
    );
  }
}
