import type { Config } from '../config/schema.ts';
import { nextRun } from '../schedule/next-run.ts';
import type { RunOutcome, SchoolStore } from '../store/port.ts';

/**
 * A school's state for a monitor to alert on: its last finished run's
 * outcome (`succeeded` reads `healthy`), `never_run`, or `unknown` when the
 * store could not be read.
 */
export type SchoolState =
  | 'healthy'
  | 'partly_failed'
  | 'failed'
  | 'deletions_held'
  | 'interrupted'
  | 'abandoned'
  | 'never_run'
  | 'unknown';

/** One school as `/healthz` shows it. */
export interface SchoolHealth {
  readonly school: string;
  readonly state: SchoolState;
  /** When its next scheduled run starts (UTC ISO); null when it cannot be told. */
  readonly nextRunAt: string | null;
  /** Its last finished real run (dry runs excluded), from the store. */
  readonly lastRun: {
    readonly outcome: Exclude<RunOutcome, 'running'>;
    readonly finishedAt: string;
  } | null;
  readonly running: boolean;
  /** Set when the store could not be read: the other fields are then unknown. */
  readonly error?: string;
}

/** How many recent runs are looked through for the last real one: dry runs may sit on top. */
const RECENT_RUNS = 20;

/**
 * A school's health from its store. The next run follows the scheduler's
 * rule (`nextRun`) from the last real run's start, as the scheduler does.
 */
export async function schoolHealth(input: {
  readonly config: Config;
  /** Only its recent runs are read. */
  readonly store: Pick<SchoolStore, 'recentRuns'>;
  readonly now: Date;
  readonly running: boolean;
  /** Told why the store could not be read; the answer itself says only that it could not. */
  readonly onError?: (error: unknown) => void;
}): Promise<SchoolHealth> {
  const { config, store, now, running } = input;
  try {
    const runs = (await store.recentRuns(RECENT_RUNS)).filter((run) => !run.dryRun);
    const lastStart = runs[0];
    const lastFinished = runs.find((run) => run.outcome !== 'running' && run.finishedAt !== null);
    const next = nextRun({
      now,
      timeZone: config.options.timeZone,
      windows: config.options.schedule,
      school: config.school,
      lastRunAt: lastStart === undefined ? undefined : new Date(lastStart.startedAt),
    });
    return {
      school: config.school,
      state:
        lastFinished === undefined
          ? 'never_run'
          : lastFinished.outcome === 'succeeded'
            ? 'healthy'
            : (lastFinished.outcome as SchoolState),
      // While a run is in progress its window is served: the next run is the next window's.
      nextRunAt: next.at.toISOString(),
      lastRun:
        lastFinished === undefined
          ? null
          : {
              outcome: lastFinished.outcome as Exclude<RunOutcome, 'running'>,
              finishedAt: lastFinished.finishedAt as string,
            },
      running,
    };
  } catch (error) {
    input.onError?.(error);
    // The error's text stays in the (scrubbed) logs: a database message may name the server.
    return {
      school: config.school,
      state: 'unknown',
      nextRunAt: null,
      lastRun: null,
      running,
      error: 'The store could not be read: see the logs.',
    };
  }
}
