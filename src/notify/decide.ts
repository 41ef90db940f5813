import { z } from 'zod';
import type { RunReport } from '../sync/report.ts';
import type { NoticeEvent } from './config.ts';
import { consolePath, type Notice, type NoticeProblem } from './notice.ts';

/**
 * Who must be told what after a run: a pure function of the school's
 * notification state, the run's report and the time (console.md,
 * "Notifications"). It sends nothing; the caller stores the new state and
 * queues the notices in one step.
 *
 * The rules, in order:
 * 1. A dry run changes nothing and tells nobody.
 * 2. A run that failed as a whole (`outcome: failed`) counts one more failed
 *    run in a row. It is told (`run_failed`) at once when the configuration is
 *    refused (`error.configuration`), otherwise from the second failed run in
 *    a row, so that one network blip wakes nobody. A failure already told is
 *    not told again while it lasts, unless its error code changes (a new
 *    cause asks something else of the reader) or a day has passed.
 * 3. A failed run says nothing about holds or problems: it read nothing
 *    trustworthy. Their state is left as it was.
 * 4. A run that completed (any other outcome) ends the streak; when a failure
 *    had been told, `recovered` is told, once.
 * 5. Deletions held by the guard (`guard.triggered`, whatever the outcome) are
 *    told at once (`deletions_held`), and not again while they stay held,
 *    unless a day has passed. A completed run without held deletions closes
 *    the incident silently.
 * 6. Problems (the report's problems and per-record failures) already told
 *    are not told again while they last; one that goes away and comes back is
 *    new again. New ones are told in a digest (`new_problems`) that lists only
 *    them, at most once a day; until then they wait (a problem fixed meanwhile
 *    is never told).
 */

/** "A day" between two notices of one incident, or two digests. */
export interface DecidePolicy {
  /**
   * Runs follow a daily schedule whose start moves within its window (e.g.
   * 12:50 one day, 11:05 the next): a strict 24 h would skip a day's morning
   * run. 20 h keeps one notice a day at most for any schedule whose runs in a
   * day lie within 20 h of each other. @default 72000000 (20 h)
   */
  readonly dayMs: number;
}

export const DEFAULT_DECIDE_POLICY: DecidePolicy = Object.freeze({ dayMs: 20 * 3_600_000 });

const instant = z.iso.datetime({ offset: true });

/** A school's notification state: plain JSON, stored between runs. */
export const notifyStateSchema = z.strictObject({
  version: z.literal(1),
  /** Failed runs in a row. */
  failedRuns: z.number().int().min(0),
  /** The failure incident told and not yet over. */
  failure: z.strictObject({ toldAt: instant, runId: z.string(), code: z.string() }).nullable(),
  /** The held deletions told and not yet released. */
  held: z.strictObject({ toldAt: instant, runId: z.string() }).nullable(),
  problems: z.strictObject({
    /** When the last digest was decided. */
    lastDigestAt: instant.nullable(),
    /** Keys (`problemKey`) of the problems told and still present, sorted. */
    told: z.array(z.string()),
  }),
});
export type NotifyState = z.infer<typeof notifyStateSchema>;

export const INITIAL_STATE: NotifyState = Object.freeze({
  version: 1,
  failedRuns: 0,
  failure: null,
  held: null,
  problems: Object.freeze({ lastDigestAt: null, told: Object.freeze([]) as unknown as string[] }),
});

/**
 * Read a stored state. Unreadable or from an unknown version, it starts
 * afresh: at worst one notice is repeated, never a run stopped.
 */
export function readState(stored: unknown): NotifyState {
  const result = notifyStateSchema.safeParse(stored);
  return result.success ? result.data : INITIAL_STATE;
}

export interface Decision {
  readonly notices: readonly Notice[];
  readonly state: NotifyState;
}

/** A problem's identity across runs: what is wrong, with which record. */
export const problemKey = (p: Pick<NoticeProblem, 'code' | 'kind' | 'aurigaId'>): string =>
  `${p.code}|${p.kind}|${p.aurigaId}`;

/** The report's problems and per-record failures, one per key, in the report's order. */
export function problemsOf(report: RunReport): NoticeProblem[] {
  const all: NoticeProblem[] = [
    ...report.problems.map(({ code, kind, aurigaId, message }) => ({
      code,
      kind,
      aurigaId,
      message,
    })),
    ...report.failures.map(({ code, kind, aurigaId, message }) => ({
      code,
      kind,
      aurigaId,
      message,
    })),
  ];
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = problemKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function decide(
  previous: NotifyState,
  report: RunReport,
  now: Date,
  policy: DecidePolicy = DEFAULT_DECIDE_POLICY,
): Decision {
  // A preview tells nobody; a run cut short (stopped, or its process died) proves nothing
  // either way: the next run, which does its work, decides.
  if (report.dryRun || report.outcome === 'interrupted' || report.outcome === 'abandoned')
    return { notices: [], state: previous };
  const at = now.toISOString();
  const aDayAfter = (since: string) => now.getTime() - Date.parse(since) >= policy.dayMs;
  const notice = (
    event: NoticeEvent,
    fields: Partial<Pick<Notice, 'problems' | 'error' | 'held' | 'failedRuns'>>,
  ): Notice => ({
    id: `${report.school}:${report.runId}:${event}`,
    event,
    school: report.school,
    runId: report.runId,
    outcome: report.outcome,
    counts: report.counts,
    problems: fields.problems ?? [],
    problemsTotal: report.problems.length,
    error: fields.error ?? null,
    held: fields.held ?? null,
    failedRuns: fields.failedRuns ?? 0,
    path: consolePath(event, report.school, report.runId),
    decidedAt: at,
  });

  if (report.outcome === 'failed') {
    const failedRuns = previous.failedRuns + 1;
    const code = report.error?.code ?? 'run.failed';
    const due = report.error?.configuration === true || failedRuns >= 2;
    const alreadyTold =
      previous.failure !== null &&
      previous.failure.code === code &&
      !aDayAfter(previous.failure.toldAt);
    if (!due || alreadyTold) return { notices: [], state: { ...previous, failedRuns } };
    const error = report.error
      ? {
          code: report.error.code,
          message: report.error.message,
          ...(report.error.hint ? { hint: report.error.hint } : {}),
        }
      : { code, message: 'The run failed.' };
    return {
      notices: [notice('run_failed', { error, failedRuns, problems: problemsOf(report) })],
      state: { ...previous, failedRuns, failure: { toldAt: at, runId: report.runId, code } },
    };
  }

  const notices: Notice[] = [];
  if (previous.failure !== null) notices.push(notice('recovered', {}));

  let held = previous.held;
  if (report.guard?.triggered === true) {
    if (held === null || aDayAfter(held.toldAt)) {
      notices.push(
        notice('deletions_held', {
          held: { deletions: report.guard.deletions, reason: report.guard.reason },
        }),
      );
      held = { toldAt: at, runId: report.runId };
    }
  } else {
    held = null;
  }

  const current = problemsOf(report);
  const currentKeys = new Set(current.map(problemKey));
  const stillTold = previous.problems.told.filter((key) => currentKeys.has(key));
  const toldSet = new Set(stillTold);
  const fresh = current.filter((p) => !toldSet.has(problemKey(p)));
  const last = previous.problems.lastDigestAt;
  let problems = { lastDigestAt: last, told: stillTold };
  if (fresh.length > 0 && (last === null || aDayAfter(last))) {
    notices.push(notice('new_problems', { problems: fresh }));
    problems = {
      lastDigestAt: at,
      told: [...stillTold, ...fresh.map(problemKey)].sort(),
    };
  }

  return {
    notices,
    state: { version: 1, failedRuns: 0, failure: null, held, problems },
  };
}
