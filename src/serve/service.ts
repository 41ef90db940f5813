import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { runSchool as defaultRunSchool, notifierFor, type SchoolRunOptions } from '../app/index.ts';
import type { Config } from '../config/schema.ts';
import { scrubberFor } from '../config/scrubber.ts';
import { AppError, ConfigError, isAppError } from '../errors/app-error.ts';
import { type NotificationSettings, secretsOf } from '../notify/config.ts';
import { DeliveryLoop } from '../notify/delivery/loop.ts';
import type { Notifier } from '../notify/notifier.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { createInProcessQueue, DEFAULT_MAX_RUNS } from '../queue/in-process/queue.ts';
import type { RunQueue } from '../queue/port.ts';
import { type Clock, storeLastRunAt, systemClock } from '../schedule/scheduler.ts';
import type { ConsoleStore, Store } from '../store/port.ts';
import type { RunReport } from '../sync/report.ts';
import { createLiveBoard, liveHooks } from '../web/live.ts';
import { mountConsole } from '../web/mount.ts';
import { createSchoolRegistry, type SchoolRegistry } from '../web/schools.ts';
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
  /** The operator's own channels (`serve --operator FILE`), told of every school's notices. */
  readonly operatorNotifications?: NotificationSettings;
  /**
   * The console (pages and /api) on the same port. Its accounts, sessions
   * and audit log live in `store`, by default the first school's store;
   * schools set up in the console run on that store too. `false` serves
   * only /healthz, /readyz and /metrics. @default enabled
   */
  readonly console?: false | ConsoleServiceOptions;
}

export interface ConsoleServiceOptions {
  /** The address people reach the console at (sign-in links); https makes cookies Secure. @default the listening URL */
  readonly publicUrl?: string;
  /** The console's store and its configuration (for schools set up in the console). */
  readonly store?: { readonly store: Store; readonly config: Config['store'] };
  /** For tests: the fetch of previews, checks and explanations. */
  readonly fetch?: typeof fetch;
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
  /** The console's store (accounts, audit…), when the console is served. */
  readonly consoleStore: ConsoleStore | undefined;
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
  const notifierSecrets = [
    ...scrubberFor(configs).secrets(),
    ...(options.operatorNotifications ? secretsOf([options.operatorNotifications]) : []),
  ];
  const notifiers = startNotifiers(configs, stores, {
    logger,
    secrets: notifierSecrets,
    clock,
    signal: delivering.signal,
    operator: options.operatorNotifications,
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

  const live = createLiveBoard();
  const consoleOptions = options.console === false ? undefined : (options.console ?? {});
  const firstConfig = configs[0] as Config;
  const registry: SchoolRegistry | undefined = consoleOptions
    ? createSchoolRegistry({
        files: configs,
        storeOf: (school) => stores.of(school),
        consoleStore: consoleOptions.store?.store ?? stores.of(firstConfig.school),
        storeConfig: consoleOptions.store?.config ?? firstConfig.store,
        console: (consoleOptions.store?.store ?? stores.of(firstConfig.school)).console(),
        now: () => clock.now(),
      })
    : undefined;

  // The notices of schools set up in the console: their channels are their saved
  // settings, which the console may change at any time, so each run builds its
  // notifier from them, and a loop of its own sends (and retries) what is due with
  // the settings as they are at that moment.
  const consoleSchools = async () =>
    ((await registry?.list()) ?? []).filter((s) => s.source === 'console').map((s) => s.name);
  const consoleDeliveries = registry
    ? new DeliveryLoop({
        store: (consoleOptions?.store?.store ?? stores.of(firstConfig.school)).notifications(),
        schools: consoleSchools,
        async settingsOf(school) {
          const found = await registry.get(school);
          if (found?.source !== 'console') return { settings: undefined };
          return {
            settings: found.config.notifications,
            secrets: scrubberFor([found.config]).secrets(),
          };
        },
        operator: options.operatorNotifications,
        clock,
        logger,
        secrets: notifierSecrets,
      })
    : undefined;
  const consoleDelivering = consoleDeliveries?.run(delivering.signal) ?? Promise.resolve();
  const deliveriesStopped = () => Promise.allSettled([notifiers.stopped(), consoleDelivering]);
  const notifierOf = (school: string, config: Config, store: Store): Notifier | undefined =>
    bySchool.has(school)
      ? notifiers.of(school)
      : notifierFor([config], store, {
          logger,
          secrets: [...notifierSecrets, ...scrubberFor([config]).secrets()],
          clock,
          operator: options.operatorNotifications,
        });

  /** A school of a file, or one set up in the console. */
  const resolveSchool = async (school: string) => {
    const config = bySchool.get(school);
    if (config !== undefined) return { config, store: stores.of(school) };
    const managed = await registry?.get(school);
    return managed ? { config: managed.config, store: managed.store } : undefined;
  };

  const runJob = async (school: string, signal: AbortSignal) => {
    const found = await resolveSchool(school);
    if (found === undefined) throw new AppError('serve.internal', `Unknown school ${school}`);
    const { config } = found;
    const startedAt = performance.now();
    if (live.get(school)?.phase !== 'queued') live.start(school, clock.now().toISOString());
    const hooks = liveHooks((change) => live.update(school, change), onRequest);
    const notifier = notifierOf(school, config, found.store);
    let report: RunReport;
    try {
      report = await run(config, {
        store: found.store,
        signal,
        now: () => clock.now(),
        // The run names its school on every line itself, once at its start and once at its end.
        logger,
        notifier,
        ...hooks,
      });
      live.update(school, { phase: 'finished', outcome: report.outcome, runId: report.runId });
    } catch (error) {
      live.update(school, { phase: 'finished', outcome: 'failed' });
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
    // A console school's notices are sent by the console's loop: at once, not at its next look.
    if (!bySchool.has(school) && notifier) consoleDeliveries?.wake();
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
  /** Queues of console schools activated: each its own schedule, beside the files' queue. */
  const extraQueues: RunQueue[] = [];
  const scheduleSchool = (config: Config) => {
    const extra = createInProcessQueue({
      schools: [
        {
          school: config.school,
          timeZone: config.options.timeZone,
          windows: config.options.schedule,
        },
      ],
      clock,
      store: { lastRunAt: (school) => storeLastRunAt(registryStore(school)).lastRunAt(school) },
      logger,
      maxRuns: 1,
      ...(options.maxSleepMs === undefined ? {} : { maxSleepMs: options.maxSleepMs }),
    });
    extraQueues.push(extra);
    extra.start((job, signal) => runJob(job.school, signal));
  };
  const registryStore = (_school: string) =>
    consoleOptions?.store?.store ?? stores.of(firstConfig.school);
  let url = '';
  if (registry && consoleOptions) {
    await mountConsole(app, {
      registry,
      store: registryStore('').console(),
      live,
      now: () => clock.now(),
      enqueue: (school) => queue.enqueue({ school, reason: 'manual', key: `manual:${school}` }),
      running: () => [...queue.running(), ...extraQueues.flatMap((q) => q.running())],
      activate: async (school) => {
        const found = await registry.get(school);
        if (found) scheduleSchool(found.config);
      },
      notifierOf: (school) => notifierOf(school.name, school.config, school.store),
      publicUrl: () => consoleOptions.publicUrl ?? url,
      secure: consoleOptions.publicUrl?.startsWith('https://') === true,
      logger,
      ...(consoleOptions.fetch ? { fetch: consoleOptions.fetch } : {}),
    });
  }
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
    await deliveriesStopped();
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
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  queue.start((job, signal) => runJob(job.school, signal));
  for (const school of (await registry?.list()) ?? [])
    if (school.source === 'console' && school.active) scheduleSchool(school.config);
  logger.info({ url, schools: [...bySchool.keys()], stores: stores.count }, 'service started');

  let stopped: Promise<void> | undefined;
  return {
    url,
    schools: [...bySchool.keys()],
    metrics,
    consoleStore: registry ? registryStore('').console() : undefined,
    health,
    stop(graceMs = DEFAULT_GRACE_MS) {
      stopped ??= (async () => {
        stopping = true;
        logger.info({ graceMs }, 'stopping: no new run is taken');
        const stopOptions = {
          graceMs,
          ...(options.abortWaitMs === undefined ? {} : { abortWaitMs: options.abortWaitMs }),
        };
        await Promise.all([queue, ...extraQueues].map((q) => q.stop(stopOptions)));
        delivering.abort();
        await deliveriesStopped();
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
    operator: NotificationSettings | undefined;
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
      operator: options.operator,
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
