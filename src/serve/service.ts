import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { runSchool as defaultRunSchool, notifierFor, type SchoolRunOptions } from '../app/index.ts';
import type { Config } from '../config/schema.ts';
import { scrubberFor } from '../config/scrubber.ts';
import { AppError, ConfigError, isAppError } from '../errors/app-error.ts';
import type { Notifier } from '../notify/notifier.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { createInProcessQueue, DEFAULT_MAX_RUNS } from '../queue/in-process/queue.ts';
import type { RunQueue } from '../queue/port.ts';
import { type Clock, storeLastRunAt, systemClock } from '../schedule/scheduler.ts';
import type { Store } from '../store/port.ts';
import type { RunReport } from '../sync/report.ts';
import { type SchoolHealth, schoolHealth } from './health.ts';
import { recordReport, requestRecorder } from './record.ts';
import { openSharedStores, type SharedStores, storeKey } from './stores.ts';

/**
 * The long-running service (`auriga-edusign serve`): each school's runs in
 * its windows through the scheduler, `/healthz` and Prometheus `/metrics`
 * over HTTP, and a graceful stop.
 */

/** The port Prometheus exporters of this kind conventionally take (9464: OpenTelemetry's Prometheus exporter). */
export const DEFAULT_PORT = 9464;
/** Metrics and health are for the local agent only unless a person opens them wider. */
export const DEFAULT_HOST = '127.0.0.1';
/** How long runs in progress may take to finish once a stop is asked. */
export const DEFAULT_GRACE_MS = 60_000;

export type RunSchoolFn = (config: Config, options: SchoolRunOptions) => Promise<RunReport>;

export interface ServiceOptions {
  /** One resolved configuration per school; school names must be unique. */
  readonly configs: readonly Config[];
  /** @default the system clock; tests hand in a virtual one. */
  readonly clock?: Clock;
  /** 0 takes a free port. @default 9464 */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default JSON lines on standard output with every configuration's secrets scrubbed */
  readonly logger?: Logger;
  /** One run of one school. @default the composition root's `runSchool` */
  readonly runSchool?: RunSchoolFn;
  /** @default a registry of its own, with process metrics */
  readonly metrics?: Metrics;
  /** Passed to the scheduler: its longest single sleep. @default 300000 */
  readonly maxSleepMs?: number;
  /** After the grace, how long aborted runs get to stop before they are left behind. @default 5000 */
  readonly abortWaitMs?: number;
  /** Opens a store; schools sharing one are given the same. @default openStore */
  readonly openStore?: (store: Config['store']) => Promise<Store>;
  /** Runs at once in this process (`serve --max-runs`). @default 4 */
  readonly maxRuns?: number;
}

export interface Health {
  /**
   * The process: `stopping` (HTTP 503 on /healthz) once a stop was asked;
   * `degraded` when a store cannot be read (HTTP 503 on /readyz only).
   */
  readonly status: 'ok' | 'stopping' | 'degraded';
  /** Each school's state (see SchoolState): alert on a school, not on the process. */
  readonly schools: readonly SchoolHealth[];
}

export interface Service {
  /** `http://host:port` of /healthz and /metrics. */
  readonly url: string;
  readonly schools: readonly string[];
  readonly metrics: Metrics;
  health(): Promise<Health>;
  /**
   * Take no new run, give the runs in progress up to `graceMs` to finish,
   * then abort them; then close the HTTP server and the stores. /healthz
   * answers 503 meanwhile. Calling it again returns the same promise.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Unique school names: the store, the logs and the metrics tell schools apart by them. */
export function checkUniqueSchools(configs: readonly Config[], sources?: readonly string[]): void {
  if (configs.length === 0) {
    throw new ConfigError(
      'config.no_school',
      'No school to serve: give at least one --config FILE.',
    );
  }
  const seen = new Map<string, number>();
  configs.forEach((config, index) => {
    const first = seen.get(config.school);
    if (first === undefined) {
      seen.set(config.school, index);
      return;
    }
    const where =
      sources === undefined
        ? `configurations ${first + 1} and ${index + 1}`
        : `${sources[first]} and ${sources[index]}`;
    throw new ConfigError(
      'config.duplicate_school',
      `Two schools are named "${config.school}" (${where}): each school needs its own name.`,
      {
        hint: 'Set a distinct `school:` in each configuration file (by default it is the file name).',
      },
    );
  });
}

/** Every configuration's secrets, for the log scrubber (moved to config/, kept here for callers). */
export { scrubberFor };

export async function startService(options: ServiceOptions): Promise<Service> {
  const { configs } = options;
  checkUniqueSchools(configs);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ secrets: scrubberFor(configs) });
  const metrics = options.metrics ?? createMetrics();
  const run = options.runSchool ?? defaultRunSchool;
  const bySchool = new Map(configs.map((config) => [config.school, config]));
  const onRequest = requestRecorder(metrics);

  const stores: SharedStores = await openSharedStores(configs, options.openStore);
  let stopping = false;
  // One notifier per store (one per process in the usual case of one store),
  // its deliverer a loop beside the queue, stopped with the service.
  const delivering = new AbortController();
  const notifiers = startNotifiers(configs, stores, {
    logger,
    secrets: scrubberFor(configs).secrets(),
    clock,
    signal: delivering.signal,
  });

  const queue: RunQueue = createInProcessQueue({
    schools: configs.map((config) => ({
      school: config.school,
      timeZone: config.options.timeZone,
      windows: config.options.schedule,
    })),
    clock,
    store: {
      lastRunAt: (school) => storeLastRunAt(stores.of(school)).lastRunAt(school),
    },
    logger,
    maxRuns: options.maxRuns ?? DEFAULT_MAX_RUNS,
    ...(options.maxSleepMs === undefined ? {} : { maxSleepMs: options.maxSleepMs }),
  });

  const runJob = async (school: string, signal: AbortSignal) => {
    const config = bySchool.get(school);
    if (config === undefined) throw new AppError('serve.internal', `Unknown school ${school}`);
    const startedAt = performance.now();
    let report: RunReport;
    try {
      report = await run(config, {
        store: stores.of(school),
        signal,
        now: () => clock.now(),
        // The run names its school on every line itself, once at its start and once at its end.
        logger,
        onRequest,
        notifier: notifiers.of(school),
      });
    } catch (error) {
      if (isAppError(error) && error.code === 'sync.locked') {
        // Another process (a run by hand) holds the school: its run serves the window.
        logger.warn(
          { school, reason: error.message },
          'run skipped: another run of this school is in progress',
        );
        return;
      }
      metrics.recordRun(school, 'failed', (performance.now() - startedAt) / 1000);
      throw error;
    }
    recordReport(metrics, report, (performance.now() - startedAt) / 1000);
  };

  async function health(): Promise<Health> {
    const now = clock.now();
    const running = new Set(queue.running());
    const schools = await Promise.all(
      configs.map((config) =>
        schoolHealth({
          config,
          store: stores.of(config.school).forSchool(config.school),
          now,
          running: running.has(config.school),
          onError: (error) =>
            logger.warn(
              { school: config.school, err: error },
              'health: the store could not be read',
            ),
        }),
      ),
    );
    const status = stopping
      ? 'stopping'
      : schools.some((s) => s.error !== undefined)
        ? 'degraded'
        : 'ok';
    return { status, schools };
  }

  const app: FastifyInstance = Fastify({ logger: false });
  // The process is alive and serving: a failing school does not make it unhealthy.
  app.get('/healthz', async (_request, reply) => {
    const body = await health();
    return reply.code(body.status === 'stopping' ? 503 : 200).send(body);
  });
  // Ready to work: every store reachable, and not stopping.
  app.get('/readyz', async (_request, reply) => {
    const body = await health();
    return reply.code(body.status === 'ok' ? 200 : 503).send(body);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.text()),
  );

  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
  try {
    await app.listen({ port, host });
  } catch (error) {
    delivering.abort();
    await notifiers.stopped();
    await Promise.allSettled([app.close(), stores.close()]);
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(
      'serve.listen',
      `Cannot listen on ${host}:${port} for /healthz and /metrics (${code ?? (error as Error).message}).`,
      {
        cause: error,
        hint:
          code === 'EADDRINUSE'
            ? 'Another process uses this port: choose another with --port.'
            : 'Check --host and --port.',
      },
    );
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  queue.start((job, signal) => runJob(job.school, signal));
  logger.info({ url, schools: [...bySchool.keys()], stores: stores.count }, 'service started');

  let stopped: Promise<void> | undefined;
  return {
    url,
    schools: [...bySchool.keys()],
    metrics,
    health,
    stop(graceMs = DEFAULT_GRACE_MS) {
      stopped ??= (async () => {
        stopping = true;
        logger.info({ graceMs }, 'stopping: no new run is taken');
        await queue.stop({
          graceMs,
          ...(options.abortWaitMs === undefined ? {} : { abortWaitMs: options.abortWaitMs }),
        });
        delivering.abort();
        await notifiers.stopped();
        await app.close();
        await stores.close();
        logger.info({}, 'service stopped');
      })();
      return stopped;
    },
  };
}

interface Notifiers {
  /** The notifier of the school's store; undefined when its store's schools configure none. */
  of(school: string): Notifier | undefined;
  /** Resolves once every deliverer loop has ended (after the signal). */
  stopped(): Promise<void>;
}

/** A notifier per store, over its schools, each deliverer started until `signal`. */
function startNotifiers(
  configs: readonly Config[],
  stores: SharedStores,
  options: {
    logger: Logger;
    secrets: readonly string[];
    clock: Clock;
    signal: AbortSignal;
  },
): Notifiers {
  const groups = new Map<string, Config[]>();
  for (const config of configs) {
    const key = storeKey(config.store);
    groups.set(key, [...(groups.get(key) ?? []), config]);
  }
  const bySchool = new Map<string, Notifier>();
  const loops: Promise<void>[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (first === undefined) continue;
    const notifier = notifierFor(group, stores.of(first.school), {
      logger: options.logger,
      secrets: options.secrets,
      clock: options.clock,
    });
    if (notifier === undefined) continue;
    for (const config of group) bySchool.set(config.school, notifier);
    loops.push(notifier.deliverer.run(options.signal));
  }
  return {
    of: (school) => bySchool.get(school),
    stopped: async () => {
      await Promise.allSettled(loops);
    },
  };
}
