import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { notifierFor, runSchool } from '../app/index.ts';
import type { Config } from '../config/schema.ts';
import { scrubberFor } from '../config/scrubber.ts';
import { AppError, isAppError } from '../errors/app-error.ts';
import { type NotificationSettings, secretsOf } from '../notify/config.ts';
import type { DeliveryPolicy } from '../notify/delivery/deliverer.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SecretScrubber } from '../observability/secrets.ts';
import { Slots } from '../queue/in-process/slots.ts';
import { recordReport, requestRecorder } from '../serve/record.ts';
import { emptyCounts, type RunReport } from '../sync/report.ts';
import { liveHooks } from '../web/live.ts';
import type { FleetDatabase } from './database.ts';
import { startFleetDeliveries } from './deliveries.ts';
import { livePublisher } from './live.ts';
import {
  type FleetJobData,
  type FleetQueue,
  type FleetStopOptions,
  type JobOutcome,
  openFleetQueue,
  type QueueTimings,
} from './queue.ts';
import type { SecretKeys } from './secret-key.ts';
import { aurigaHostOf, configFromSettings } from './settings.ts';

/**
 * A fleet worker: takes run jobs from the queue and runs each school with
 * `runSchool`, its configuration built from the school's row, its store the
 * fleet's database. Every run has its own Edusign client, so its own rate
 * limiter: a large school never slows another. At most `aurigaHostLimit`
 * runs read from one Auriga host at once, whatever the concurrency.
 */

/** One Auriga instance may serve several schools of a group; more at once would overload it. */
export const DEFAULT_AURIGA_HOST_LIMIT = 4;
/** Memory, not CPU, is the limit: a large school's run holds about 170 MB. */
export const DEFAULT_CONCURRENCY = 4;
/** How often a worker says it is alive (fleet_workers), and how long before it counts as gone. */
const PRESENCE_MS = 10_000;
export const PRESENCE_TTL_SECONDS = 30;

export interface FleetWorkerOptions extends QueueTimings {
  readonly db: FleetDatabase;
  readonly keys: SecretKeys;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The logger's scrubber: each school's secrets are added to it once opened. */
  readonly scrubber: SecretScrubber;
  /** Jobs at once; 0 produces the schedule only. @default 4 */
  readonly concurrency?: number;
  /** @default 4 */
  readonly aurigaHostLimit?: number;
  /** Produce the schedule's jobs too. @default true */
  readonly produce?: boolean;
  /** How long a run waits for another run's live lease on its school. */
  readonly leaseWaitMs?: number;
  readonly fetch?: typeof fetch;
  /** The operator's own channels (`worker --operator FILE`): told of every school's notices. */
  readonly operator?: NotificationSettings | undefined;
  /** How often the delivery loop looks at the fleet's queue. @default 30000 */
  readonly deliveryIntervalMs?: number;
  /** For tests: the delivery loop's backoff. */
  readonly deliveryPolicy?: Partial<DeliveryPolicy>;
}

export interface FleetWorker {
  readonly id: string;
  readonly queue: FleetQueue;
  stop(options?: FleetStopOptions): Promise<void>;
}

export async function startFleetWorker(options: FleetWorkerOptions): Promise<FleetWorker> {
  const { db, keys, logger, metrics, scrubber } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const hostLimit = options.aurigaHostLimit ?? DEFAULT_AURIGA_HOST_LIMIT;
  const id = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const hosts = new Map<string, Slots>();
  const onRequest = requestRecorder(metrics);
  const { operator } = options;
  if (operator) scrubber.add(...secretsOf([operator]));
  const queue = await openFleetQueue({ ...options, concurrency });
  const live = livePublisher(db, logger);

  async function handle(job: FleetJobData, signal: AbortSignal): Promise<JobOutcome> {
    const startedAt = performance.now();
    if (job.plannedAt !== undefined && job.reason !== 'manual')
      metrics.recordScheduleLateness((Date.now() - Date.parse(job.plannedAt)) / 1000);
    const row = await db.schools.get(job.school);
    if (row === undefined) {
      logger.warn({ school: job.school, job: job.key }, 'job dropped: the school was removed');
      return { skipped: 'removed' };
    }
    if (!row.enabled && job.reason !== 'manual') {
      logger.info({ school: job.school, job: job.key }, 'job dropped: the school is disabled');
      return { skipped: 'disabled' };
    }
    let config: Config;
    try {
      config = configFromSettings(job.school, row.settings, keys);
    } catch (error) {
      if (!isAppError(error)) throw error;
      // This school's settings cannot be used (a wrong key, a setting refused):
      // its run fails, recorded so the console says what to fix; the others go on.
      const report = await recordRefused(db, job.school, error);
      metrics.recordRun(job.school, 'failed', 0);
      logger.error(
        { school: job.school, runId: report.runId, code: error.code, err: error.message },
        'run failed: the school settings cannot be used',
      );
      return { runId: report.runId, outcome: report.outcome };
    }
    // The webhook secrets too: their key, `secret`, is not one the plain scrubber knows.
    scrubber.add(...scrubberFor([config]).secrets());
    const host = aurigaHostOf(config);
    let slots = hosts.get(host);
    if (slots === undefined) {
      slots = new Slots(hostLimit);
      hosts.set(host, slots);
    }
    if (!(await slots.acquire(signal)))
      throw new AppError(
        'fleet.stopped',
        'Stopped before the run could start: the job goes back to the queue.',
      );
    // The school's notices (and the operator's) are queued in the fleet's database once the
    // report is stored; this process's delivery loop sends them, off the job's path.
    const notifier = notifierFor([config], db.store, {
      logger,
      secrets: scrubber.secrets(),
      operator,
    });
    // The console of the fleet, wherever it is served, shows the run's progress.
    live.start(job.school, new Date().toISOString());
    const hooks = liveHooks((change) => live.update(job.school, change), onRequest);
    let report: RunReport;
    try {
      report = await runSchool(config, {
        store: db.store,
        signal,
        logger,
        ...hooks,
        notifier,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.leaseWaitMs === undefined ? {} : { leaseWaitMs: options.leaseWaitMs }),
      });
    } catch (error) {
      live.update(job.school, { phase: 'finished', outcome: 'failed' });
      if (isAppError(error) && error.code === 'sync.locked') {
        // Another run of this school holds it (a run by hand): that run serves the window.
        logger.warn(
          { school: job.school, reason: error.message },
          'run skipped: another run of this school is in progress',
        );
        return { skipped: 'locked' };
      }
      throw error;
    } finally {
      slots.release();
    }
    live.update(job.school, { phase: 'finished', outcome: report.outcome, runId: report.runId });
    recordReport(metrics, report, (performance.now() - startedAt) / 1000);
    // Sent by the loop, not here: a slow or failing receiver never holds the job's slot.
    if (notifier) deliveries.wake();
    if (report.outcome === 'interrupted') {
      // Thrown so that pg-boss retries the job: the window was not served.
      throw new AppError(
        'fleet.run_interrupted',
        `The run ${report.runId} of ${job.school} was interrupted${report.error?.signal ? ` by ${report.error.signal}` : ''}: its job goes back to the queue.`,
      );
    }
    return { runId: report.runId, outcome: report.outcome };
  }

  const presence = async () => {
    await db.pool.query(
      `INSERT INTO "${db.schema}".fleet_workers (id, host, pid, concurrency, started_at, seen_at)
       VALUES ($1, $2, $3, $4, now(), now())
       ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [id, hostname(), process.pid, concurrency],
    );
  };
  await presence();
  // Every worker sends what is due, whichever worker's run queued it: retries keep their
  // backoff even when the school's next run is hours away.
  const deliveries = startFleetDeliveries({
    db,
    keys,
    logger,
    scrubber,
    operator,
    ...(options.deliveryIntervalMs === undefined ? {} : { intervalMs: options.deliveryIntervalMs }),
    ...(options.deliveryPolicy ? { policy: options.deliveryPolicy } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const renew = setInterval(() => {
    presence().then(
      () => queue.outage.ok(),
      (error: Error) => queue.outage.failed('presence', error),
    );
  }, PRESENCE_MS);
  renew.unref();

  queue.start(handle);
  logger.info({ worker: id, concurrency, aurigaHostLimit: hostLimit }, 'worker started');
  return {
    id,
    queue,
    async stop(stopOptions = {}) {
      clearInterval(renew);
      await queue.stop(stopOptions);
      await live.close();
      await deliveries.stop();
      await db.pool
        .query(`DELETE FROM "${db.schema}".fleet_workers WHERE id = $1`, [id])
        .catch(() => undefined);
      logger.info({ worker: id }, 'worker stopped');
    },
  };
}

/** Workers that renewed their presence within the last `PRESENCE_TTL_SECONDS`. */
export async function workersAlive(db: FleetDatabase): Promise<number> {
  const { rows } = await db.pool.query(
    `SELECT count(*) AS n FROM "${db.schema}".fleet_workers WHERE seen_at > now() - make_interval(secs => $1)`,
    [PRESENCE_TTL_SECONDS],
  );
  return Number(rows[0]?.n ?? 0);
}

/** A failed run recorded for a school whose settings cannot be used, with the error to fix. */
async function recordRefused(
  db: FleetDatabase,
  school: string,
  error: AppError,
): Promise<RunReport> {
  const runId = randomUUID();
  const at = new Date().toISOString();
  const report: RunReport = {
    runId,
    school,
    dryRun: false,
    startedAt: at,
    finishedAt: at,
    outcome: 'failed',
    window: null,
    counts: emptyCounts(),
    problems: [],
    held: [],
    failures: [],
    done: [],
    guard: null,
    apiCalls: {
      auriga: 0,
      edusign: 0,
      edusignWrites: 0,
      edusignRateLimitWaitMs: 0,
      edusignByRoute: {},
    },
    error: { code: error.code, message: error.message, hint: error.hint, configuration: true },
  };
  const store = db.store.forSchool(school);
  await store.startRun({ id: runId, startedAt: at, dryRun: false });
  await store.finishRun(runId, { finishedAt: at, outcome: 'failed', report });
  return report;
}
