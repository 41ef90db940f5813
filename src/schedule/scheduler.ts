import { servesWindow } from '../domain/run-states.ts';
import { AppError } from '../errors/app-error.ts';
import { sleep } from '../http/retry.ts';
import type { Store } from '../store/port.ts';
import { type NextRun, nextRun } from './next-run.ts';
import type { DailyWindow, WindowOccurrence } from './windows.ts';

/** Time as the scheduler sees it; tests hand in a virtual clock that jumps. */
export interface Clock {
  now(): Date;
  /** Resolve after `ms`, or reject with the signal's reason once it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  sleep: (ms: number, signal: AbortSignal) => sleep(ms, signal),
});

/** What the scheduler logs through; a pino logger fits. */
export interface SchedulerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const silentLogger: SchedulerLogger = { info() {}, warn() {}, error() {} };

export interface ScheduledSchool {
  readonly school: string;
  /** `options.timeZone`. */
  readonly timeZone: string;
  /** `options.schedule`. */
  readonly windows: readonly DailyWindow[];
}

export interface SchedulerOptions {
  readonly schools: readonly ScheduledSchool[];
  /**
   * One run of one school, for the window `window.key` (its day and start).
   * It should give up promptly once `signal` aborts.
   */
  readonly run: (
    school: string,
    signal: AbortSignal,
    window: { readonly key: string; readonly catchUp: boolean },
  ) => Promise<void>;
  /** @default the system clock */
  readonly clock?: Clock;
  /**
   * Where the last run's start is remembered across restarts (see `storeLastRunAt`).
   * Without it only this process's runs count, so each school runs once at start-up.
   */
  readonly store?: { lastRunAt(school: string): Promise<Date | undefined> };
  readonly logger?: SchedulerLogger;
  /**
   * The longest single sleep. Waking up now and then notices a machine that was
   * suspended or a system clock that was set, instead of trusting one long timer.
   * @default 300000
   */
  readonly maxSleepMs?: number;
}

export interface StopOptions {
  /** How long the runs in progress may take to finish before they are aborted. @default 30000 */
  readonly graceMs?: number;
  /** After aborting, how long to wait for the runs to honour the signal. @default 5000 */
  readonly abortWaitMs?: number;
}

export interface Scheduler {
  /** Start one loop per school. Calling it again does nothing. */
  start(): void;
  /**
   * Take no new run, wait up to `graceMs` for the runs in progress, then
   * abort them through their signal. Resolves once the loops have ended
   * (or `abortWaitMs` after the abort, if a run ignores its signal).
   */
  stop(options?: StopOptions): Promise<void>;
  /** The schools running now. */
  readonly running: () => readonly string[];
}

const stoppedError = () =>
  new AppError('scheduler.stopped', 'The scheduler is stopping: this run was cut short.');

const sameWindow = (a: WindowOccurrence, b: WindowOccurrence) =>
  a.date === b.date && a.from === b.from && a.to === b.to;

const describeWindow = (w: WindowOccurrence) => `${w.date} ${w.from}–${w.to}`;

/** Resolve true when `promise` settles within `ms` (real time), false otherwise. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs each school in its windows (see `nextRun` for the rule). A school's
 * runs follow one another in one loop, so two runs of a school never overlap;
 * schools run independently of each other. A run that throws is logged and
 * counts as the window's run: it is not retried in a loop until the next window.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxSleepMs = options.maxSleepMs ?? 300_000;
  const stopping = new AbortController();
  /** Start of the last run this process began, per school: covers a run that failed before the store saw it. */
  const lastStarted = new Map<string, Date>();
  const inFlight = new Map<string, AbortController>();
  let loops: Promise<void>[] | undefined;

  async function lastRunAt(school: string): Promise<Date | undefined> {
    let stored: Date | undefined;
    if (options.store !== undefined) {
      try {
        stored = await options.store.lastRunAt(school);
      } catch (error) {
        logger.warn({ school, err: error }, 'could not read the last run from the store');
      }
    }
    const started = lastStarted.get(school);
    if (stored === undefined) return started;
    if (started === undefined) return stored;
    return stored > started ? stored : started;
  }

  async function runOnce(school: string, next: NextRun, catchUp: boolean): Promise<void> {
    const controller = new AbortController();
    const startedAt = clock.now();
    lastStarted.set(school, startedAt);
    inFlight.set(school, controller);
    // The run logs its own start and end (with its run id): one line each, not three.
    try {
      await options.run(school, controller.signal, {
        key: `${next.window.date}T${next.window.from}`,
        catchUp,
      });
    } catch (error) {
      logger.error(
        { school, window: describeWindow(next.window), catchUp, err: error },
        'run failed',
      );
    } finally {
      inFlight.delete(school);
    }
  }

  async function loop({ school, timeZone, windows }: ScheduledSchool): Promise<void> {
    /** The run this loop last slept towards: reaching it is on schedule, not a catch-up. */
    let planned: NextRun | undefined;
    while (!stopping.signal.aborted) {
      let next: NextRun;
      let now: Date;
      try {
        const last = await lastRunAt(school);
        now = clock.now();
        next = nextRun({ now, timeZone, windows, school, lastRunAt: last });
      } catch (error) {
        logger.error({ school, err: error }, 'cannot schedule this school: it will not run');
        return;
      }
      if (stopping.signal.aborted) return;
      const waitMs = next.at.getTime() - now.getTime();
      if (waitMs > 0) {
        if (planned === undefined || !sameWindow(planned.window, next.window)) {
          logger.info(
            { school, at: next.at.toISOString(), window: describeWindow(next.window) },
            'next run planned',
          );
        }
        planned = next;
        try {
          await clock.sleep(Math.min(waitMs, maxSleepMs), stopping.signal);
        } catch (error) {
          if (stopping.signal.aborted) return;
          throw error;
        }
        continue;
      }
      const onSchedule = planned !== undefined && sameWindow(planned.window, next.window);
      planned = undefined;
      await runOnce(school, next, next.catchUp && !onSchedule);
    }
  }

  return {
    start() {
      if (stopping.signal.aborted) {
        throw new AppError('scheduler.stopped', 'This scheduler was stopped: create a new one.');
      }
      if (loops !== undefined) return;
      loops = options.schools.map((entry) =>
        loop(entry).catch((error: unknown) => {
          logger.error({ school: entry.school, err: error }, 'scheduler loop crashed');
        }),
      );
    },

    async stop({ graceMs = 30_000, abortWaitMs = 5_000 } = {}) {
      if (!stopping.signal.aborted) stopping.abort(stoppedError());
      const ended = Promise.all(loops ?? []);
      if (inFlight.size > 0) {
        logger.info({ schools: [...inFlight.keys()], graceMs }, 'waiting for runs in progress');
      }
      if (await settlesWithin(ended, graceMs)) return;
      logger.warn({ schools: [...inFlight.keys()] }, 'runs still in progress: aborting them');
      for (const controller of inFlight.values()) controller.abort(stoppedError());
      if (await settlesWithin(ended, abortWaitMs)) return;
      logger.error(
        { schools: [...inFlight.keys()] },
        'runs ignored the abort: leaving them behind',
      );
    },

    running: () => [...inFlight.keys()],
  };
}

/**
 * The scheduler's view of a store: when the school's last real run started.
 * Dry runs preview and write nothing, and a run interrupted or abandoned did
 * not finish: neither serves a window, which is then run again.
 */
export function storeLastRunAt(store: Store): SchedulerOptions['store'] & object {
  return {
    async lastRunAt(school) {
      const runs = await store.forSchool(school).recentRuns(20);
      const last = runs.find((run) => !run.dryRun && servesWindow(run.outcome));
      return last === undefined ? undefined : new Date(last.startedAt);
    },
  };
}
