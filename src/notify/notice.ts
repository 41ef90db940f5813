import type { EntityKind } from '../domain/types.ts';
import type { Counts, RunReport } from '../sync/report.ts';
import type { NoticeEvent } from './config.ts';

/**
 * What a person is told: plain, frozen JSON decided once from a run's report,
 * stored with each delivery and rendered per channel and language when sent.
 * It never holds a secret: only what the report says, and the report's error
 * messages have been scrubbed by the run (and are scrubbed again on sending).
 */

/** One line of a notice: a problem to fix in Auriga, or a write that failed. */
export interface NoticeProblem {
  readonly code: string;
  readonly kind: EntityKind;
  readonly aurigaId: string;
  /** The report's sentence, saying what is wrong and what to do. */
  readonly message: string;
}

export interface Notice {
  /** Stable: `<school>:<runId>:<event>`, so that enqueueing twice delivers once. */
  readonly id: string;
  readonly event: NoticeEvent | 'test';
  readonly school: string;
  readonly runId: string;
  readonly outcome: RunReport['outcome'] | null;
  readonly counts: Counts | null;
  /** `new_problems`: only the new ones; `run_failed`: the run's failures, if any. */
  readonly problems: readonly NoticeProblem[];
  /** How many problems the run reported in all (the digest lists only the new ones). */
  readonly problemsTotal: number;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
  } | null;
  /** `deletions_held`: the guard's sentence and the number of deletions held. */
  readonly held: { readonly deletions: number; readonly reason: string | null } | null;
  /** Failed runs in a row, for `run_failed`. */
  readonly failedRuns: number;
  /** The console page that explains it, relative to `consoleUrl` (see `consolePath`). */
  readonly path: string;
  /** When it was decided (the run's end). */
  readonly decidedAt: string;
}

const seg = encodeURIComponent;

/**
 * The console pages a notice links to (docs/notifications.md):
 * - `/schools/<school>`: the school's page (recovery, test);
 * - `/schools/<school>/runs/<runId>`: one run's report (failure, new problems);
 * - `/schools/<school>/held`: what is held and the button to release it.
 */
export const consolePaths = {
  school: (school: string) => `/schools/${seg(school)}`,
  run: (school: string, runId: string) => `/schools/${seg(school)}/runs/${seg(runId)}`,
  held: (school: string) => `/schools/${seg(school)}/held`,
};

export function consolePath(event: Notice['event'], school: string, runId: string): string {
  switch (event) {
    case 'run_failed':
    case 'new_problems':
      return consolePaths.run(school, runId);
    case 'deletions_held':
      return consolePaths.held(school);
    case 'recovered':
    case 'test':
      return consolePaths.school(school);
  }
}

export const noticeLink = (consoleUrl: string, notice: Notice): string =>
  `${consoleUrl.replace(/\/+$/, '')}${notice.path}`;
