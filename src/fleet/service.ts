import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { notifierFor } from '../app/index.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createSecretScrubber, type SecretScrubber } from '../observability/secrets.ts';
import { mountConsole } from '../web/mount.ts';
import { fleetSchoolRegistry } from './console-schools.ts';
import type { FleetDatabase } from './database.ts';
import { listenLive } from './live.ts';
import {
  type FleetQueue,
  type FleetStopOptions,
  openFleetQueue,
  type QueueTimings,
} from './queue.ts';
import type { SecretKeys } from './secret-key.ts';
import { type FleetWorker, startFleetWorker, workersAlive } from './worker.ts';

/**
 * `serve --database`: the console and its API for every school of the fleet
 * (their settings are the `schools` rows, see console-schools.ts), /healthz,
 * /readyz (the database and the queue reachable) and /metrics for the whole
 * fleet, the schedule produced, and with `workers > 0` jobs worked in this
 * process too.
 */
export interface FleetServiceOptions extends QueueTimings {
  readonly db: FleetDatabase;
  readonly keys: SecretKeys;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly scrubber: SecretScrubber;
  readonly port: number;
  readonly host: string;
  /** Runs at once in this process; 0 works none. */
  readonly workers: number;
  readonly aurigaHostLimit?: number;
  /** The console on the same port; `false` serves only /healthz, /readyz and /metrics. @default enabled */
  readonly console?: false | FleetConsoleOptions;
}

export interface FleetConsoleOptions {
  /** The address people reach the console at (sign-in links); https makes cookies Secure. @default the listening URL */
  readonly publicUrl?: string;
  /** For tests: the fetch of previews, checks and explanations. */
  readonly fetch?: typeof fetch;
}

export interface FleetService {
  readonly url: string;
  stop(options?: FleetStopOptions): Promise<void>;
}

export async function startFleetService(options: FleetServiceOptions): Promise<FleetService> {
  const { db, metrics, logger } = options;
  let worker: FleetWorker | undefined;
  let queue: FleetQueue;
  if (options.workers > 0) {
    worker = await startFleetWorker({ ...options, concurrency: options.workers });
    queue = worker.queue;
  } else {
    queue = await openFleetQueue({ ...options, concurrency: 0 });
    queue.start(async () => undefined);
  }
  let stopping = false;

  /** The fleet's figures, read at each scrape. */
  async function refresh(): Promise<void> {
    const [depth, alive, successes] = await Promise.all([
      queue.depth(),
      workersAlive(db),
      db.pool.query(
        `SELECT school, extract(epoch FROM max(finished_at)) AS at FROM "${db.schema}".runs
         WHERE outcome = 'succeeded' AND NOT dry_run GROUP BY school`,
      ),
    ]);
    metrics.setQueueDepth(depth.due, depth.oldestDueSeconds);
    metrics.setWorkersAlive(alive);
    for (const row of successes.rows) metrics.setLastSuccess(row.school, Number(row.at));
  }

  const app = Fastify({ logger: false });
  let url = '';
  const consoleOptions = options.console === false ? undefined : (options.console ?? {});
  // The workers' progress, wherever they run, for the console's live view.
  const live = consoleOptions ? listenLive(db, logger) : undefined;
  if (consoleOptions && live) {
    await mountConsole(app, {
      registry: fleetSchoolRegistry(db, options.keys),
      store: db.store.console(),
      live: live.board,
      now: () => new Date(),
      async enqueue(school) {
        if (await queue.manualPending(school)) return false;
        await queue.enqueueNow(school);
        return true;
      },
      running: async () => {
        const { rows } = await db.pool.query<{ school: string }>(
          `SELECT DISTINCT school FROM "${db.schema}".runs WHERE outcome = 'running'`,
        );
        return rows.map((row) => row.school);
      },
      // An activated school is enabled: the schedule's next tick gives it its window's job.
      activate: async () => {
        await queue.produce();
      },
      // Its notices are queued in the fleet's database; the workers' delivery loops send them.
      notifierOf: (school) =>
        school.unusable === undefined
          ? notifierFor([school.config], db.store, {
              logger,
              secrets: createSecretScrubber(school.config).secrets(),
            })
          : undefined,
      publicUrl: () => consoleOptions.publicUrl ?? url,
      secure: consoleOptions.publicUrl?.startsWith('https://') === true,
      logger,
      ...(consoleOptions.fetch ? { fetch: consoleOptions.fetch } : {}),
    });
  }
  app.get('/healthz', async (_request, reply) =>
    reply.code(stopping ? 503 : 200).send({ status: stopping ? 'stopping' : 'ok' }),
  );
  app.get('/readyz', async (_request, reply) => {
    const [database, queueReady] = await Promise.all([db.ping(), queue.ping()]);
    const ready = database && queueReady && !stopping;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ok' : stopping ? 'stopping' : 'degraded',
      database: database ? 'ok' : 'unreachable',
      queue: queueReady ? 'ok' : 'unreachable',
    });
  });
  app.get('/metrics', async (_request, reply) => {
    await refresh().catch((error: Error) =>
      logger.warn({ err: error.message }, 'metrics: the fleet figures could not be read'),
    );
    return reply.header('content-type', metrics.contentType).send(await metrics.text());
  });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await (worker ? worker.stop({ graceMs: 0 }) : queue.stop({ graceMs: 0 }));
    await live?.close();
    throw new AppError(
      'serve.listen',
      `Cannot listen on ${options.host}:${options.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      { cause: error, hint: 'Another process uses this port: choose another with --port.' },
    );
  }
  const address = app.server.address() as AddressInfo;
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, workers: options.workers }, 'fleet service started');
  return {
    url,
    async stop(stopOptions = {}) {
      stopping = true;
      await (worker ? worker.stop(stopOptions) : queue.stop(stopOptions));
      await live?.close();
      await app.close();
    },
  };
}
