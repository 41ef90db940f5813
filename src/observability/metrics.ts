import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EntityKind } from '../domain/types.ts';
import type { RunOutcome } from '../store/port.ts';

/** Actions counted per kind; the `action` label of `auriga_edusign_operations_total`. */
export const OPERATION_ACTIONS = [
  'create',
  'update',
  'delete',
  'adopt',
  'hold',
  'unchanged',
  'failed',
] as const;
export type OperationAction = (typeof OPERATION_ACTIONS)[number];

/** The run report's spelling of the same actions (`created`, `held`, …), accepted as is. */
const REPORT_SPELLING: Readonly<Record<string, OperationAction>> = Object.freeze({
  created: 'create',
  updated: 'update',
  deleted: 'delete',
  adopted: 'adopt',
  held: 'hold',
});

function actionOf(name: string): OperationAction | undefined {
  const respelt = REPORT_SPELLING[name];
  if (respelt !== undefined) return respelt;
  return (OPERATION_ACTIONS as readonly string[]).includes(name)
    ? (name as OperationAction)
    : undefined;
}

const ENTITY_KINDS: readonly EntityKind[] = ['sheet', 'learner', 'instructor', 'group'];

/**
 * Counts per kind and action, e.g. a run report's `counts`. Actions may be
 * spelt as operations (`create`) or as the report does (`created`); other
 * keys are ignored so that a report growing a column does not break metrics.
 */
export type OperationCounts = {
  readonly [K in EntityKind]?: { readonly [action: string]: number | undefined };
};

export type ApiSide = 'auriga' | 'edusign';

export interface Metrics {
  /** A registry of our own (not prom-client's global one): tests and several servers never collide. */
  readonly registry: Registry;
  /** A finished run: its outcome and how long it took. */
  recordRun(school: string, outcome: Exclude<RunOutcome, 'running'>, seconds: number): void;
  recordOperations(school: string, counts: OperationCounts): void;
  /**
   * One HTTP request sent. `route` is a template such as `POST /v1/course`,
   * never a path with ids in it: every distinct value is a new series.
   */
  recordApiCall(side: ApiSide, route?: string): void;
  /** A call that failed, by our error code (e.g. `edusign.rate_limited`) or HTTP status. */
  recordApiError(side: ApiSide, code: string | number): void;
  /** Time spent waiting for a rate limit (ours or the server's `Retry-After`). */
  recordRateLimitWait(side: ApiSide, seconds: number): void;
  /** A fleet's scheduled run started: how long after its planned slot (fleet.md, What an operator sees). */
  recordScheduleLateness(seconds: number): void;
  /** The fleet's queue: jobs due and waiting, and the age of the oldest of them. */
  setQueueDepth(due: number, oldestDueSeconds: number): void;
  /** Worker processes of the fleet seen alive lately. */
  setWorkersAlive(count: number): void;
  /** When each school's last successful run finished (Unix seconds), to alert on a school left behind. */
  setLastSuccess(school: string, unixSeconds: number): void;
  /** The exposition text for `GET /metrics`. */
  text(): Promise<string>;
  /** The `Content-Type` of `text()`. */
  readonly contentType: string;
}

/**
 * Run durations: a small school syncs in seconds, a large one with a cold
 * Edusign account in tens of minutes (480 requests a minute).
 */
const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC) beside ours. @default true */
  readonly processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const runs = new Counter({
    name: 'auriga_edusign_runs_total',
    help: 'Sync runs finished, by school and outcome.',
    labelNames: ['school', 'outcome'] as const,
    registers,
  });
  const runDuration = new Histogram({
    name: 'auriga_edusign_run_duration_seconds',
    help: 'How long a sync run took, by school.',
    labelNames: ['school'] as const,
    buckets: RUN_DURATION_BUCKETS,
    registers,
  });
  const operations = new Counter({
    name: 'auriga_edusign_operations_total',
    help: 'Records handled by sync runs, by school, kind (sheet, learner, instructor, group) and action.',
    labelNames: ['school', 'kind', 'action'] as const,
    registers,
  });
  const apiCalls = new Counter({
    name: 'auriga_edusign_api_calls_total',
    help: 'HTTP requests sent to Auriga or Edusign, by side and route template.',
    labelNames: ['side', 'route'] as const,
    registers,
  });
  const apiErrors = new Counter({
    name: 'auriga_edusign_api_errors_total',
    help: 'Failed requests to Auriga or Edusign, by side and error code.',
    labelNames: ['side', 'code'] as const,
    registers,
  });
  const rateLimitWait = new Counter({
    name: 'auriga_edusign_rate_limit_wait_seconds_total',
    help: 'Seconds spent waiting on rate limits, by side.',
    labelNames: ['side'] as const,
    registers,
  });

  const lateness = new Histogram({
    name: 'auriga_edusign_schedule_lateness_seconds',
    help: 'How late a scheduled run started after its planned slot in the window.',
    // A worker polls every few seconds; a backlog after an outage shows in minutes.
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const queueDue = new Gauge({
    name: 'auriga_edusign_queue_due_jobs',
    help: 'Run jobs due and waiting for a worker, across the fleet.',
    registers,
  });
  const queueOldest = new Gauge({
    name: 'auriga_edusign_queue_oldest_due_seconds',
    help: 'How long the oldest due run job has waited for a worker.',
    registers,
  });
  const workersAlive = new Gauge({
    name: 'auriga_edusign_workers_alive',
    help: 'Worker processes of the fleet that renewed their presence lately.',
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'auriga_edusign_last_success_timestamp_seconds',
    help: "When each school's last successful run finished (Unix time).",
    labelNames: ['school'] as const,
    registers,
  });

  return {
    registry,
    recordScheduleLateness(seconds) {
      lateness.observe(Math.max(0, seconds));
    },
    setQueueDepth(due, oldestDueSeconds) {
      queueDue.set(due);
      queueOldest.set(Math.max(0, oldestDueSeconds));
    },
    setWorkersAlive(count) {
      workersAlive.set(count);
    },
    setLastSuccess(school, unixSeconds) {
      lastSuccess.set({ school }, unixSeconds);
    },
    contentType: registry.contentType,
    text: () => registry.metrics(),

    recordRun(school, outcome, seconds) {
      runs.inc({ school, outcome });
      runDuration.observe({ school }, Math.max(0, seconds));
    },

    recordOperations(school, counts) {
      for (const kind of ENTITY_KINDS) {
        const byAction = counts[kind];
        if (byAction === undefined) continue;
        for (const [name, count] of Object.entries(byAction)) {
          const action = actionOf(name);
          if (action === undefined || count === undefined || !(count >= 0)) continue;
          // inc(0) still creates the series, so dashboards see a zero rather than a gap.
          operations.inc({ school, kind, action }, count);
        }
      }
    },

    recordApiCall(side, route) {
      apiCalls.inc(route === undefined ? { side } : { side, route });
    },

    recordApiError(side, code) {
      apiErrors.inc({ side, code: String(code) });
    },

    recordRateLimitWait(side, seconds) {
      if (seconds > 0) rateLimitWait.inc({ side }, seconds);
    },
  };
}
