import { AppError } from '../../errors/app-error.ts';
import {
  type Clock,
  createScheduler,
  type ScheduledSchool,
  type SchedulerLogger,
  type SchedulerOptions,
} from '../../schedule/scheduler.ts';
import type { JobHandler, RunJob, RunQueue, StopOptions } from '../port.ts';
import { Slots } from './slots.ts';

/**
 * The queue of one process (`serve --config …`): the scheduler decides when
 * each school runs; jobs go through a pool of at most `maxRuns` at once; a
 * job of a key already waiting or running is not doubled.
 */
export interface InProcessQueueOptions {
  readonly schools: readonly ScheduledSchool[];
  readonly clock?: Clock;
  readonly store?: SchedulerOptions['store'];
  readonly logger?: SchedulerLogger;
  readonly maxSleepMs?: number;
  /** Runs at once in this process. @default 4 */
  readonly maxRuns?: number;
}

export const DEFAULT_MAX_RUNS = 4;

const stopReason = () =>
  new AppError('scheduler.stopped', 'The service is stopping: this run was cut short.');

export function createInProcessQueue(options: InProcessQueueOptions): RunQueue {
  const slots = new Slots(options.maxRuns ?? DEFAULT_MAX_RUNS);
  const stopping = new AbortController();
  const active = new Map<string, RunJob>();
  const manual = new Map<Promise<void>, AbortController>();
  let handler: JobHandler | undefined;

  /** One job through the pool; resolves once it ran (or was dropped by a stop). */
  async function work(job: RunJob, signal: AbortSignal): Promise<void> {
    if (handler === undefined)
      throw new AppError('queue.not_started', 'The queue was not started.');
    if (active.has(job.key)) return;
    active.set(job.key, job);
    try {
      if (!(await slots.acquire(AbortSignal.any([signal, stopping.signal])))) return;
      try {
        await handler(job, signal);
      } finally {
        slots.release();
      }
    } finally {
      active.delete(job.key);
    }
  }

  const scheduler = createScheduler({
    schools: options.schools,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.maxSleepMs === undefined ? {} : { maxSleepMs: options.maxSleepMs }),
    run: (school, signal, window) =>
      work(
        {
          school,
          reason: window.catchUp ? 'catch_up' : 'scheduled',
          key: `${school}:${window.key}`,
        },
        signal,
      ),
  });

  return {
    start(jobHandler) {
      if (handler !== undefined) return;
      handler = jobHandler;
      scheduler.start();
    },
    async enqueue(job) {
      if (stopping.signal.aborted || active.has(job.key)) return false;
      const controller = new AbortController();
      const done = work(job, controller.signal).catch((error: unknown) =>
        options.logger?.error({ school: job.school, err: error }, 'run failed'),
      );
      manual.set(done, controller);
      void done.finally(() => manual.delete(done));
      return true;
    },
    running: () => [...new Set([...active.values()].map((job) => job.school))],
    waiting: () => slots.waiting,
    async stop(stopOptions: StopOptions = {}) {
      if (!stopping.signal.aborted) stopping.abort();
      // Runs asked by hand get the same grace as scheduled ones, then are aborted.
      const asked = Promise.allSettled([...manual.keys()]);
      const graceMs = stopOptions.graceMs ?? 30_000;
      const timer = setTimeout(() => {
        for (const controller of manual.values()) controller.abort(stopReason());
      }, graceMs);
      try {
        await Promise.all([scheduler.stop(stopOptions), asked]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
