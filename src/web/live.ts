import type { OnRequest } from '../app/edges.ts';
/**
 * What the console shows of a run in progress: its phase, how far it got,
 * the rate-limit waits met. Fed by the run's hooks in the service; kept per
 * school until the next run starts, so a page polling it sees the end too.
 */
export type LivePhase = 'queued' | 'auriga' | 'edusign' | 'plan' | 'write' | 'finished';

export interface LiveRun {
  readonly phase: LivePhase;
  readonly startedAt: string;
  /** Rows read from Auriga so far. */
  readonly rowsRead: number;
  /** Operations of the plan, once planned. */
  readonly total: number | null;
  readonly done: number;
  readonly failed: number;
  /** Edusign answers 429 met: each one is a wait. */
  readonly rateLimitWaits: number;
  readonly outcome: string | null;
  readonly runId: string | null;
}

export interface LiveBoard {
  get(school: string): LiveRun | undefined;
  update(school: string, change: Partial<LiveRun>): void;
  start(school: string, at: string): void;
}

export function createLiveBoard(): LiveBoard {
  const runs = new Map<string, LiveRun>();
  return {
    get: (school) => runs.get(school),
    start(school, at) {
      runs.set(school, {
        phase: 'queued',
        startedAt: at,
        rowsRead: 0,
        total: null,
        done: 0,
        failed: 0,
        rateLimitWaits: 0,
        outcome: null,
        runId: null,
      });
    },
    update(school, change) {
      const run = runs.get(school);
      if (run) runs.set(school, { ...run, ...change });
    },
  };
}

/** The hooks of `runSchool` that feed a live view. */
export interface LiveHooks {
  readonly onPhase: (
    phase: Exclude<LivePhase, 'queued' | 'finished'>,
    detail: { total?: number },
  ) => void;
  readonly onResult: (result: { status: string }) => void;
  readonly onReadProgress: (progress: { rows: number }) => void;
  /** Every request, passed on to the caller's own hook; an Edusign 429 counts as a wait. */
  readonly onRequest: OnRequest;
}

/**
 * A run's hooks turned into changes of its live view, counted here: the
 * same for `serve`'s own runs and for a fleet worker's, which publishes them
 * to the console (src/fleet/live.ts). `onRequest` is the caller's hook for
 * every request (metrics), which the live view's one calls first.
 */
export function liveHooks(
  update: (change: Partial<LiveRun>) => void,
  onRequest: OnRequest,
): LiveHooks {
  let rateLimitWaits = 0;
  let done = 0;
  let failed = 0;
  return {
    onPhase: (phase, detail) =>
      update({ phase, ...(detail.total === undefined ? {} : { total: detail.total }) }),
    onResult: (result) => {
      if (result.status === 'failed') failed += 1;
      else done += 1;
      update({ done, failed });
    },
    onReadProgress: (progress) => update({ rowsRead: progress.rows }),
    onRequest: (side, event) => {
      onRequest(side, event);
      if (side === 'edusign' && event.status === 429) update({ rateLimitWaits: ++rateLimitWaits });
    },
  };
}
