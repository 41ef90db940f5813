import { redactSecrets } from '../observability/secrets.ts';
import type { Clock } from '../schedule/scheduler.ts';
import { systemClock } from '../schedule/scheduler.ts';
import type { RunReport } from '../sync/report.ts';
import {
  type Channel,
  type ChannelOptions,
  channelsOf,
  pickChannel,
  type SendResult,
} from './channels.ts';
import { type NotificationSettings, secretsOf } from './config.ts';
import { type DecidePolicy, decide, readState } from './decide.ts';
import { Deliverer, type DelivererLogger, type DeliveryPolicy } from './delivery/deliverer.ts';
import { type DeliveryRow, type DeliveryStore, OPERATOR } from './delivery/port.ts';
import { consolePaths, type Notice } from './notice.ts';

/**
 * The entry points the rest of the product calls: `afterRun` once a run's
 * report is stored, the deliverer's loop beside the scheduler, and
 * `notifyTest` for `auriga-edusign notify test`.
 */

/** The owner of the operator's channels (defined beside the queue, whose scopes name it). */
export { OPERATOR } from './delivery/port.ts';

export interface NotifierOptions {
  readonly store: DeliveryStore;
  /** Every school's resolved `notifications` (owner: the school) and the operator's (owner: OPERATOR). */
  readonly settings: readonly NotificationSettings[];
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /** Other secrets to scrub from every text sent or recorded: the schools' Auriga and Edusign ones. */
  readonly secrets?: readonly string[];
  readonly logger?: DelivererLogger;
  readonly decidePolicy?: DecidePolicy;
  readonly deliveryPolicy?: Partial<DeliveryPolicy>;
  readonly random?: () => number;
}

export type AfterRunResult =
  | { readonly ok: true; readonly notices: readonly Notice[]; readonly queued: number }
  | { readonly ok: false; readonly error: string };

export interface Notifier {
  /**
   * Decide who must be told about this run, save the school's new state and
   * queue the deliveries, then wake the deliverer. Only store writes: it sends
   * nothing, and it never throws (a failure is answered and logged), so a run
   * is neither failed nor slowed by its notices.
   */
  afterRun(report: RunReport): Promise<AfterRunResult>;
  /** Start it beside the scheduler: `void notifier.deliverer.run(stopSignal)`. */
  readonly deliverer: Deliverer;
  readonly channels: readonly Channel[];
}

export function createNotifier(options: NotifierOptions): Notifier {
  const clock = options.clock ?? systemClock;
  const secrets = [...(options.secrets ?? []), ...secretsOf(options.settings)];
  const channelOptions: ChannelOptions = {
    secrets,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const channels = options.settings.flatMap((s) => channelsOf(s, channelOptions));
  const deliverer = new Deliverer({
    store: options.store,
    channel: (_id, row) => pickChannel(channels, row),
    clock,
    secrets,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.deliveryPolicy ? { policy: options.deliveryPolicy } : {}),
    ...(options.random ? { random: options.random } : {}),
  });

  async function afterRun(report: RunReport): Promise<AfterRunResult> {
    try {
      const now = clock.now();
      const previous = readState(await options.store.loadState(report.school));
      const decision = decide(previous, report, now, options.decidePolicy);
      const { state } = decision;
      // Scrubbed before they are stored: the queue and its console page must
      // not hold a secret that a third party echoed into the report.
      const notices = decision.notices.map((n) => scrubNotice(n, secrets));
      const mine = channels.filter((c) => c.owner === report.school || c.owner === OPERATOR);
      const rows: DeliveryRow[] = notices.flatMap((notice) =>
        mine
          .filter((c) => c.events.includes(notice.event as (typeof c.events)[number]))
          .map((c) => ({
            id: `${notice.id}>${c.id}`,
            school: report.school,
            channelId: c.id,
            channel: c.kind,
            target: c.target,
            notice,
            status: 'pending' as const,
            attempts: 0,
            createdAt: now.toISOString(),
            nextAttemptAt: now.toISOString(),
            deliveredAt: null,
            lastError: null,
          })),
      );
      if (state !== previous || rows.length > 0)
        await options.store.saveDecision(report.school, state, rows);
      if (rows.length > 0) deliverer.wake();
      return { ok: true, notices, queued: rows.length };
    } catch (error) {
      const message = `notices of run ${report.runId} not queued: ${(error as Error)?.message ?? String(error)}`;
      options.logger?.warn({ school: report.school, runId: report.runId }, message);
      return { ok: false, error: message };
    }
  }

  return { afterRun, deliverer, channels };
}

/** The notice with every known secret replaced, in any string it holds. */
export function scrubNotice(notice: Notice, secrets: readonly string[]): Notice {
  return JSON.parse(redactSecrets(JSON.stringify(notice), secrets)) as Notice;
}

export interface TestResult {
  readonly owner: string;
  readonly channel: 'email' | 'webhook';
  readonly target: string;
  readonly ok: boolean;
  readonly status: number | null;
  /** What went wrong, without a secret; null when ok. */
  readonly error: string | null;
}

/**
 * A test notice on every channel of these settings at once, without the
 * retry queue: what `auriga-edusign notify test --config FILE` shows, one
 * line a channel. Never throws for a channel's sake.
 */
export async function notifyTest(
  settings: NotificationSettings | readonly NotificationSettings[],
  options: {
    readonly now?: Date;
    readonly fetch?: typeof fetch;
    readonly secrets?: readonly string[];
  } = {},
): Promise<TestResult[]> {
  const list: readonly NotificationSettings[] = Array.isArray(settings)
    ? settings
    : [settings as NotificationSettings];
  const now = options.now ?? new Date();
  const secrets = [...(options.secrets ?? []), ...secretsOf(list)];
  const tasks = list.flatMap((s) =>
    channelsOf(s, { secrets, ...(options.fetch ? { fetch: options.fetch } : {}) }).map(
      async (channel): Promise<TestResult> => {
        const notice = testNotice(s.owner, now);
        const result: SendResult = await channel.send(notice, now).catch((error: unknown) => ({
          ok: false,
          status: null,
          error: String((error as Error)?.message ?? error),
        }));
        return {
          owner: s.owner,
          channel: channel.kind,
          target: channel.target,
          ok: result.ok,
          status: result.status,
          error: result.error,
        };
      },
    ),
  );
  return Promise.all(tasks);
}

export function testNotice(owner: string, now: Date): Notice {
  return {
    id: `${owner}:test:${now.toISOString()}`,
    event: 'test',
    school: owner,
    runId: 'test',
    outcome: null,
    counts: null,
    problems: [],
    problemsTotal: 0,
    error: null,
    held: null,
    failedRuns: 0,
    path: owner === OPERATOR ? '/' : consolePaths.school(owner),
    decidedAt: now.toISOString(),
  };
}
