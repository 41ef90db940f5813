/**
 * The states of a run and the moves allowed between them, in one table
 * (after Nango's task states). A run starts `running` and ends in exactly
 * one final state; a final state never changes again. Both stores refuse a
 * move this table does not list (`store.bad_transition`), so no code path
 * can turn an interrupted or abandoned run into a success after the fact.
 */
export const RUN_STATES = [
  /** Holding the school's lease and working. */
  'running',
  /** Everything planned was written (or rightly held back: locked, started). */
  'succeeded',
  /** The run finished, but some items failed; the next run tries them again. */
  'partly_failed',
  /** The run could not complete: a system unreachable, a setting refused… */
  'failed',
  /** The mass-change guard held the deletions until a person confirms. */
  'deletions_held',
  /** Stopped by a person or the service (SIGINT, SIGTERM) before the end: the window is not served. */
  'interrupted',
  /** Its process died (kill -9, machine lost): found so when its lease expired or its holder was gone. */
  'abandoned',
] as const;

export type RunState = (typeof RUN_STATES)[number];
export type FinalRunState = Exclude<RunState, 'running'>;

/** Allowed moves: from each state, the states it may go to. */
export const RUN_MOVES: Readonly<Record<RunState, readonly RunState[]>> = Object.freeze({
  running: ['succeeded', 'partly_failed', 'failed', 'deletions_held', 'interrupted', 'abandoned'],
  succeeded: [],
  partly_failed: [],
  failed: [],
  deletions_held: [],
  interrupted: [],
  abandoned: [],
});

export const FINAL_RUN_STATES: readonly FinalRunState[] = Object.freeze(
  RUN_STATES.filter((state): state is FinalRunState => state !== 'running'),
);

export function canMove(from: RunState, to: RunState): boolean {
  return RUN_MOVES[from].includes(to);
}

export const isRunState = (value: unknown): value is RunState =>
  typeof value === 'string' && (RUN_STATES as readonly string[]).includes(value);

/**
 * Whether a finished run served its schedule window: a run that was cut
 * short or died did not, so the window is run again.
 */
export function servesWindow(state: RunState): boolean {
  return state !== 'interrupted' && state !== 'abandoned' && state !== 'running';
}
