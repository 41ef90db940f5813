import { hostname } from 'node:os';
import { canMove, RUN_STATES, type RunState } from '../domain/run-states.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * What both stores share about run states and lease holders: the states a
 * run may come from to reach a final state (the table in
 * src/domain/run-states.ts, turned into a SQL condition), the report left on
 * an abandoned run, and the one proof a single machine can give that a
 * holder is gone (its pid no longer exists there).
 */

/** The states from which a run may move to `to`. */
export const sourcesOf = (to: RunState): RunState[] =>
  RUN_STATES.filter((from) => canMove(from, to));

export function badTransition(school: string, id: string, from: string, to: string): AppError {
  return new AppError(
    'store.bad_transition',
    `Run ${id} of school ${school} is ${from}: it cannot become ${to} (a run ends once).`,
  );
}

/** The report of a run found dead: its process stopped before recording anything. */
export function abandonedReport(finishedAt: string): object {
  return {
    outcome: 'abandoned',
    finishedAt,
    error: {
      code: 'sync.abandoned',
      message:
        'This run stopped without finishing (its process died or its machine was lost): its lease expired and a later run took the school over, resolving its writes in flight.',
    },
  };
}

/** A holder id `host/pid/runId` of this machine whose process no longer exists. */
export function deadOnThisMachine(holder: string): boolean {
  const [host, pid] = holder.split('/');
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  return !isAlive(Number(pid));
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
