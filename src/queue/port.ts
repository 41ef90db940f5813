/**
 * The queue of school runs, as a port: what decides that a school must run
 * (its schedule, a person's "Run now") is kept apart from who runs it. The
 * in-process implementation (one process, a capped pool) is the first; a
 * fleet's implementation on PostgreSQL (pg-boss) sits beside it, serving
 * workers on any machine.
 */

export type RunReason = 'scheduled' | 'catch_up' | 'manual';

export interface RunJob {
  readonly school: string;
  readonly reason: RunReason;
  /**
   * What makes two jobs the same one: (school, window, day) for a scheduled
   * run, so that a second enqueue of it is a no-op wherever it comes from.
   */
  readonly key: string;
}

/** Runs one job; it should give up promptly once `signal` aborts. */
export type JobHandler = (job: RunJob, signal: AbortSignal) => Promise<void>;

export interface StopOptions {
  /** How long the runs in progress may take to finish before they are aborted. @default 30000 */
  readonly graceMs?: number;
  /** After aborting, how long to wait for the runs to honour the signal. @default 5000 */
  readonly abortWaitMs?: number;
}

export interface RunQueue {
  /** Start producing the schedule's jobs and working jobs with `handler`. Once. */
  start(handler: JobHandler): void;
  /**
   * A run now (the console's "Run now", `sync --school`). False when a job of
   * the same key is already waiting or running: it is not doubled.
   */
  enqueue(job: RunJob): Promise<boolean>;
  /** The schools being run now. */
  running(): readonly string[];
  /** Jobs due and waiting for a free slot. */
  waiting(): number;
  /** Take no new job, give the runs in progress the grace, then abort them. */
  stop(options?: StopOptions): Promise<void>;
}
