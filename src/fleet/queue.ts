import { createHash, randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { AppError } from '../errors/app-error.ts';
import type { JobHandler, RunJob, RunQueue, StopOptions } from '../queue/port.ts';
import { nextRun } from '../schedule/next-run.ts';
import { occurrencesAround, type WindowOccurrence } from '../schedule/windows.ts';
import type { FleetDatabase } from './database.ts';
import { type OutageLog, outageLog } from './outage.ts';

/**
 * The queue port on PostgreSQL (pg-boss), shared by every process of a
 * fleet. Any process may produce: on each tick it reads the enabled schools
 * and the start of each one's last run that served a window, and enqueues
 * the job of every school whose slot is due (the rule of `nextRun`: a stable
 * offset inside the window, a missed window caught up once). A job's id is a
 * hash of its key (school, window, day), and pg-boss inserts with ON CONFLICT
 * DO NOTHING: however many processes enqueue it, it exists once.
 *
 * A worker renews a heartbeat on each job it holds; a worker that dies stops
 * renewing, pg-boss's supervisor fails the job, and it is retried by another
 * worker, whose run takes the school's lease over (src/sync/lease.ts).
 */

export const RUN_QUEUE = 'auriga-edusign-runs';
/** pg-boss's tables, beside ours in the same database. */
export const QUEUE_SCHEMA = 'auriga_edusign_queue';

export interface QueueTimings {
  /**
   * A held job's heartbeat: a worker silent this long has died and its job
   * is retried. pg-boss's minimum is 10. @default 20
   */
  readonly heartbeatSeconds?: number;
  /** How often a pg-boss supervisor looks for silent jobs. @default 10 */
  readonly superviseSeconds?: number;
  /** A worker's poll for new jobs. @default 2 */
  readonly pollSeconds?: number;
  /** Before an interrupted or failed job is tried again. @default 5 */
  readonly retryDelaySeconds?: number;
  /** How often the schedule is looked at. @default 30000 */
  readonly tickMs?: number;
}

/** What a job carries: the port's `RunJob` and when its slot was. */
export interface FleetJobData extends RunJob {
  /** The slot the schedule planned (ISO), for lateness; absent for a run by hand. */
  readonly plannedAt?: string;
}

/** What the handler may hand back; stored as the job's output (`sync --school` reads it). */
export interface JobOutcome {
  readonly runId?: string;
  readonly outcome?: string;
  readonly skipped?: string;
}

export type FleetJobHandler = (
  job: FleetJobData,
  signal: AbortSignal,
) => Promise<JobOutcome | undefined>;

/** The job id of a key: the same key, the same id, in every process. */
export function jobIdOf(key: string): string {
  const hex = createHash('sha256').update(`auriga-edusign job ${key}`).digest('hex');
  // Shaped as a version-5-like UUID: pg-boss's ids are of type uuid.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 17), 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface FleetLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface FleetQueueOptions extends QueueTimings {
  readonly db: FleetDatabase;
  readonly logger: FleetLogger;
  /** Produce the schedule's jobs. @default true */
  readonly produce?: boolean;
  /** Jobs at once in this process; 0 works none (a producer, or `sync --school`). @default 4 */
  readonly concurrency?: number;
  readonly now?: () => Date;
  /** Told of every job produced. */
  readonly onProduced?: (count: number) => void;
}

export interface FleetStopOptions extends StopOptions {
  /** The reason the runs still going after the grace are aborted with, e.g. `new StopRequested('SIGTERM')`. */
  readonly reason?: unknown;
}

export interface FleetQueue extends RunQueue {
  stop(options?: FleetStopOptions): Promise<void>;
  /** Where this process's database errors are told, once per outage. */
  readonly outage: OutageLog;
  /** As the port's, the handler's outcome kept as the job's output. */
  start(handler: FleetJobHandler | JobHandler): void;
  readonly boss: PgBoss;
  /** Produce once now (the tick does it on its own); returns how many new jobs were enqueued. */
  produce(): Promise<number>;
  /** Enqueue a run now (`sync --school`, the console's Run now); its job id. */
  enqueueNow(school: string): Promise<string>;
  /** A job's state and output, for a caller waiting on it. */
  job(id: string): Promise<{ state: string; output: unknown } | undefined>;
  /** True when a run of this school asked now is waiting or running: a second would double it. */
  manualPending(school: string): Promise<boolean>;
  /** Jobs due and waiting, and the age of the oldest one (seconds), across the fleet. */
  depth(): Promise<{ due: number; oldestDueSeconds: number; active: number }>;
  ping(): Promise<boolean>;
}

/** Create the queue (pg-boss's schema migrated under its own lock) and start it. */
export async function openFleetQueue(options: FleetQueueOptions): Promise<FleetQueue> {
  const heartbeatSeconds = options.heartbeatSeconds ?? 20;
  const boss = new PgBoss({
    connectionString: options.db.url,
    schema: QUEUE_SCHEMA,
    application_name: 'auriga-edusign queue',
    max: 4,
    superviseIntervalSeconds: options.superviseSeconds ?? 10,
    monitorIntervalSeconds: options.superviseSeconds ?? 10,
    // The schedule is ours (nextRun); pg-boss's cron is not used.
    schedule: false,
  });
  // pg-boss retries on its own; each of its loops fails at every try while the database is away.
  const outage = outageLog(options.logger);
  boss.on('error', (error: Error) => outage.failed('queue', error));
  await boss.start();
  await ensureQueue(boss, {
    heartbeatSeconds,
    retryDelay: options.retryDelaySeconds ?? 5,
  });
  return fleetQueue(boss, options, outage);
}

async function ensureQueue(
  boss: PgBoss,
  settings: { heartbeatSeconds: number; retryDelay: number },
): Promise<void> {
  const queue = {
    policy: 'standard' as const,
    heartbeatSeconds: settings.heartbeatSeconds,
    // A large school's run takes tens of minutes; the heartbeat, not this, finds dead workers.
    expireInSeconds: 4 * 3600,
    // Interrupted runs (SIGTERM) are retried; a job keeps its id, so it is never doubled.
    retryLimit: 20,
    retryDelay: settings.retryDelay,
    // Kept past a day, so a window's job id cannot be enqueued twice once done.
    deleteAfterSeconds: 3 * 24 * 3600,
  };
  try {
    await boss.createQueue(RUN_QUEUE, queue);
  } catch (error) {
    // Two processes creating it at once: the other won.
    if (!(await boss.getQueue(RUN_QUEUE))) throw error;
  }
}

function fleetQueue(boss: PgBoss, options: FleetQueueOptions, outage: OutageLog): FleetQueue {
  const { db, logger } = options;
  const now = options.now ?? (() => new Date());
  const tickMs = options.tickMs ?? 30_000;
  const concurrency = options.concurrency ?? 4;
  const inFlight = new Map<
    string,
    { job: FleetJobData; controller: AbortController; done: Promise<unknown> }
  >();
  let ticker: NodeJS.Timeout | undefined;
  let handler: FleetJobHandler | undefined;
  let stopping = false;
  /** The fleet's due jobs at the last look (each tick, each depth()): what `waiting()` answers. */
  let lastDue = 0;

  async function depth() {
    const { rows } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()) AS due,
              coalesce(extract(epoch FROM now() - min(start_after) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now())), 0) AS oldest,
              count(*) FILTER (WHERE state = 'active') AS active
       FROM ${QUEUE_SCHEMA}.job WHERE name = $1`,
      [RUN_QUEUE],
    );
    const row = rows[0] ?? {};
    lastDue = Number(row.due ?? 0);
    return {
      due: lastDue,
      oldestDueSeconds: Number(row.oldest ?? 0),
      active: Number(row.active ?? 0),
    };
  }

  async function produce(): Promise<number> {
    const at = now();
    const schools = await db.schools.schedulable();
    const jobs: { id: string; data: FleetJobData; startAfter: Date }[] = [];
    // Schools of a fleet mostly share a zone and a schedule: their window occurrences once each.
    const occurrences = new Map<string, readonly WindowOccurrence[]>();
    for (const school of schools) {
      try {
        const shape = `${school.timeZone} ${JSON.stringify(school.windows)}`;
        let around = occurrences.get(shape);
        if (around === undefined) {
          around = occurrencesAround(at, school.timeZone, school.windows);
          occurrences.set(shape, around);
        }
        const next = nextRun({
          now: at,
          timeZone: school.timeZone,
          windows: school.windows,
          school: school.name,
          lastRunAt: school.lastRunAt,
          occurrences: around,
        });
        // Enqueued once due (or due before the next tick): a school disabled or
        // rescheduled meanwhile leaves no stale job behind.
        if (next.at.getTime() > at.getTime() + tickMs) continue;
        const key = `${school.name}:${next.window.date}T${next.window.from}`;
        jobs.push({
          id: jobIdOf(key),
          startAfter: next.at,
          data: {
            school: school.name,
            reason: next.catchUp ? 'catch_up' : 'scheduled',
            key,
            plannedAt: next.at.toISOString(),
          },
        });
      } catch (error) {
        logger.error(
          { school: school.name, err: (error as Error).message },
          'cannot schedule this school',
        );
      }
    }
    let created = 0;
    for (let i = 0; i < jobs.length; i += 500) {
      const ids = await boss.insert(RUN_QUEUE, jobs.slice(i, i + 500));
      created += Array.isArray(ids) ? ids.length : 0;
    }
    if (created > 0) options.onProduced?.(created);
    return created;
  }

  function tick() {
    if (stopping) return;
    produce()
      .then(() => depth())
      .then(
        () => outage.ok(),
        (error: Error) => outage.failed('schedule', error),
      )
      .finally(() => {
        if (!stopping) ticker = setTimeout(tick, tickMs);
      });
  }

  async function work(data: FleetJobData, jobSignal: AbortSignal): Promise<JobOutcome | undefined> {
    if (handler === undefined)
      throw new AppError('queue.not_started', 'The queue was not started.');
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, jobSignal]);
    const id = randomUUID();
    const done = handler(data, signal);
    inFlight.set(id, { job: data, controller, done: done.catch(() => undefined) });
    try {
      return await done;
    } finally {
      inFlight.delete(id);
    }
  }

  return {
    boss,
    outage,
    produce,
    start(jobHandler: FleetJobHandler | JobHandler) {
      if (handler !== undefined) return;
      handler = jobHandler as FleetJobHandler;
      if (options.produce ?? true) tick();
      if (concurrency > 0) {
        void boss
          .work<FleetJobData>(
            RUN_QUEUE,
            {
              localConcurrency: concurrency,
              batchSize: 1,
              pollingIntervalSeconds: options.pollSeconds ?? 2,
            },
            async ([job]) =>
              job === undefined ? undefined : ((await work(job.data, job.signal)) ?? null),
          )
          .catch((error: Error) => logger.error({ err: error.message }, 'queue: cannot take jobs'));
      }
    },
    async enqueue(job: RunJob) {
      const id = await boss.send(RUN_QUEUE, { ...job }, { id: jobIdOf(job.key) });
      return id !== null;
    },
    async enqueueNow(school) {
      const key = `${school}:manual:${randomUUID()}`;
      const id = jobIdOf(key);
      await boss.send(RUN_QUEUE, { school, reason: 'manual', key } satisfies FleetJobData, { id });
      return id;
    },
    async job(id) {
      const [found] = await boss.findJobs(RUN_QUEUE, { id });
      return found === undefined ? undefined : { state: found.state, output: found.output };
    },
    depth,
    async manualPending(school) {
      const { rows } = await db.pool.query(
        `SELECT 1 FROM ${QUEUE_SCHEMA}.job
         WHERE name = $1 AND data ->> 'school' = $2 AND data ->> 'reason' = 'manual'
           AND state IN ('created', 'retry', 'active') LIMIT 1`,
        [RUN_QUEUE, school],
      );
      return rows.length > 0;
    },
    async ping() {
      try {
        await db.pool.query(`SELECT 1 FROM ${QUEUE_SCHEMA}.version LIMIT 1`);
        return true;
      } catch {
        return false;
      }
    },
    running: () => [...new Set([...inFlight.values()].map((f) => f.job.school))],
    waiting: () => lastDue,
    async stop(stopOptions: FleetStopOptions = {}) {
      stopping = true;
      if (ticker) clearTimeout(ticker);
      // Take no new job; the jobs held go on for the grace.
      await boss.offWork(RUN_QUEUE, { wait: false }).catch(() => undefined);
      const all = () => Promise.all([...inFlight.values()].map((f) => f.done));
      const graceMs = stopOptions.graceMs ?? 30_000;
      if (!(await within(all(), graceMs))) {
        for (const f of inFlight.values()) f.controller.abort(stopOptions.reason);
        await within(all(), stopOptions.abortWaitMs ?? 10_000);
      }
      // The handlers have settled their jobs (an interrupted one failed, so retried).
      await boss.stop({ graceful: true, timeout: 5_000 }).catch(() => undefined);
    },
  };
}

async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
