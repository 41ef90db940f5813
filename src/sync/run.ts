import { randomUUID } from 'node:crypto';
import type { FinalRunState } from '../domain/run-states.ts';
import type { AurigaSnapshot, EntityKind, Mapping, Problem } from '../domain/types.ts';
import { ConfigError, isAppError } from '../errors/app-error.ts';
import type { SchoolStore } from '../store/port.ts';
import { apply, type OperationResult } from './apply.ts';
import { acquireLease, type Lease } from './lease.ts';
import { coursesOfMappings, type Plan, type PlanOptions, plan } from './plan.ts';
import type { AurigaSource, EdusignCourseView, EdusignPort, EdusignView } from './ports.ts';
import { type ApiCalls, emptyCounts, outcomeOf, type RunReport, summarize } from './report.ts';

/**
 * One run of one school: take the school's lease, read Auriga, resolve
 * writes an earlier run left in flight, look at Edusign, plan, apply,
 * report. A dry run reads everything and writes nothing, neither on Edusign
 * nor in the store. A run stopped before its end (SIGINT, SIGTERM, the
 * service's grace ran out) is recorded as interrupted, never as succeeded.
 */

export interface RunSyncDeps {
  readonly school: string;
  readonly options: PlanOptions;
  readonly auriga: AurigaSource;
  readonly edusign: EdusignPort;
  readonly store: SchoolStore;
  /** @default 4 */
  readonly concurrency?: number;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  readonly dryRun?: boolean;
  /** All held deletions (`true`) or exactly this set of Auriga ids: see PlanInput. */
  readonly confirmDeletions?: boolean | readonly string[];
  /** How long to wait for another run's live lease. @default LEASE_WAIT_MS */
  readonly leaseWaitMs?: number;
  /** Lease timings, for tests. */
  readonly lease?: { readonly ttlMs?: number; readonly renewMs?: number };
  /** API call counters, read at the end for the report. */
  readonly apiCalls?: () => ApiCalls;
  readonly onPhase?: (
    phase: 'auriga' | 'edusign' | 'plan' | 'write',
    detail: { total?: number },
  ) => void;
  readonly onResult?: (result: OperationResult) => void;
  readonly logger?: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
  };
}

/** Edusign refusing the token or the account: a setting to fix, not a moment to wait out. */
const REFUSED_SETTINGS = new Set([
  'edusign.unauthorized',
  'edusign.payment_required',
  'edusign.forbidden',
]);

const NO_CALLS: ApiCalls = {
  auriga: 0,
  edusign: 0,
  edusignWrites: 0,
  edusignRateLimitWaitMs: 0,
  edusignByRoute: {},
};

export async function runSync(deps: RunSyncDeps): Promise<RunReport> {
  const now = deps.now ?? (() => new Date());
  const runId = randomUUID();
  const startedAt = now().toISOString();
  const dryRun = deps.dryRun ?? false;
  const { store } = deps;

  let lease: Lease | undefined;
  if (!dryRun) {
    lease = await acquireLease(store, {
      runId,
      now,
      ...(deps.leaseWaitMs === undefined ? {} : { waitMs: deps.leaseWaitMs }),
      ...(deps.lease?.ttlMs === undefined ? {} : { ttlMs: deps.lease.ttlMs }),
      ...(deps.lease?.renewMs === undefined ? {} : { renewMs: deps.lease.renewMs }),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
    try {
      await store.startRun({ id: runId, startedAt, dryRun });
    } catch (error) {
      await lease.release();
      throw error;
    }
    deps.logger?.info({ school: deps.school, runId }, 'run started');
  }
  const signals = [deps.signal, lease?.lost].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  const stopped = () => deps.signal?.aborted === true;

  let snapshot: AurigaSnapshot | undefined;
  let decided: Plan | undefined;
  let results: OperationResult[] | undefined;
  try {
    deps.onPhase?.('auriga', {});
    snapshot = await deps.auriga.read(signal ? { signal } : {});

    let mappings = await store.listMappings();
    if (!dryRun) {
      const resolved = await resolveJournal(deps, runId, now, signal);
      if (resolved > 0) mappings = await store.listMappings();
    }

    deps.onPhase?.('edusign', {});
    const { view, mappedCourses } = await lookAtEdusign(
      deps.edusign,
      snapshot,
      mappings,
      deps,
      now(),
      signal,
    );

    deps.onPhase?.('plan', {});
    decided = plan({
      snapshot,
      mappings,
      edusign: view,
      mappedCourses,
      options: deps.options,
      now: now().toISOString(),
      confirmDeletions: deps.confirmDeletions ?? false,
    });

    if (!dryRun) {
      deps.onPhase?.('write', { total: decided.operations.length });
      results = await apply(decided.operations, mappings, {
        edusign: deps.edusign,
        store,
        runId,
        now,
        concurrency: deps.concurrency ?? 4,
        ...(signal ? { signal } : {}),
        ...(deps.onResult ? { onResult: deps.onResult } : {}),
      });
    }
    signal?.throwIfAborted();
    const report = buildReport(deps, runId, startedAt, now, snapshot, decided, results, dryRun);
    if (!dryRun)
      await store.finishRun(runId, {
        finishedAt: report.finishedAt,
        outcome: report.outcome,
        report,
      });
    deps.logger?.info(
      {
        school: deps.school,
        runId,
        outcome: report.outcome,
        counts: report.counts,
        ...(report.error ? { error: report.error } : {}),
      },
      dryRun ? 'plan made' : 'run finished',
    );
    return report;
  } catch (error) {
    const interrupted = stopped();
    const outcome: FinalRunState = interrupted ? 'interrupted' : 'failed';
    const partial = snapshot && decided ? summarize(decided, results ?? []) : undefined;
    const cause = interrupted
      ? deps.signal?.reason
      : lease?.lost.aborted
        ? lease.lost.reason
        : error;
    const report: RunReport = {
      runId,
      school: deps.school,
      dryRun,
      startedAt,
      finishedAt: now().toISOString(),
      outcome,
      window: snapshot?.window ?? null,
      counts: partial?.counts ?? emptyCounts(),
      problems: [...(snapshot?.problems ?? []), ...(decided?.problems ?? [])],
      held: partial?.held ?? [],
      failures: partial?.failures ?? [],
      done: partial?.done ?? [],
      guard: decided?.guard ?? null,
      apiCalls: deps.apiCalls?.() ?? NO_CALLS,
      error: interrupted
        ? {
            code: 'sync.interrupted',
            message: `The run was stopped before its end${results ? ` after ${results.length} of ${decided?.operations.length ?? 0} operations` : decided ? ' before writing' : ''}: what was written is recorded, the rest is done by the next run.`,
            ...signalOf(cause),
          }
        : describeFailure(cause),
    };
    if (!dryRun)
      await store
        .finishRun(runId, { finishedAt: report.finishedAt, outcome, report })
        .catch(() => undefined);
    deps.logger?.warn(
      { school: deps.school, runId, outcome, error: report.error },
      `run ${outcome}`,
    );
    return report;
  } finally {
    await lease?.release();
  }
}

function describeFailure(error: unknown): NonNullable<RunReport['error']> {
  if (isAppError(error))
    return {
      code: error.code,
      message: error.message,
      hint: error.hint,
      configuration: error instanceof ConfigError || REFUSED_SETTINGS.has(error.code),
    };
  return {
    code: 'sync.unexpected',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** The signal name a stop carries (`SIGINT`, `SIGTERM`), when it says. */
function signalOf(reason: unknown): { signal?: string } {
  const name = (reason as { signal?: unknown } | null)?.signal;
  return typeof name === 'string' ? { signal: name } : {};
}

/**
 * Creates journaled but never confirmed (the process died, the answer was
 * lost): ask Edusign by external id whether each exists, and remember it if
 * so, before anything is created again.
 */
async function resolveJournal(
  deps: RunSyncDeps,
  runId: string,
  now: () => Date,
  signal: AbortSignal | undefined,
): Promise<number> {
  const pending = await deps.store.pendingJournal();
  let resolved = 0;
  for (const entry of pending) {
    if (entry.runId === runId) continue;
    if (entry.action === 'create') {
      const existing = await deps.store.getMapping(entry.kind, entry.aurigaId);
      const found = existing
        ? existing.edusignId
        : await deps.edusign.findByExternalId(entry.kind, entry.aurigaId, signal);
      if (found !== undefined && !existing) {
        const at = now().toISOString();
        const course =
          entry.kind === 'sheet'
            ? await deps.edusign.getCourse(found, signal).catch(() => undefined)
            : undefined;
        await deps.store.putMapping({
          kind: entry.kind,
          aurigaId: entry.aurigaId,
          edusignId: found,
          fingerprint: entry.fingerprint,
          origin: 'created',
          courseStart: course?.start ?? null,
          createdAt: at,
          updatedAt: at,
        });
        resolved += 1;
        deps.logger?.info(
          { school: deps.school, kind: entry.kind, aurigaId: entry.aurigaId },
          'a create whose answer was lost exists on Edusign: remembered',
        );
      }
    }
    await deps.store.journalEnd(entry.id);
  }
  return resolved;
}

/**
 * What Edusign holds around the window; people and groups listed only when
 * some are unknown to the store. A sheet of ours that should be ahead in the
 * window but is not listed is looked up by id: moved by hand, it is in the
 * view; gone, the plan creates it again. Gives, with the view, the listing
 * joined to the store's mappings (`coursesOfMappings`), which the plan
 * reads instead of joining them again.
 */
async function lookAtEdusign(
  edusign: EdusignPort,
  snapshot: AurigaSnapshot,
  mappings: readonly Mapping[],
  deps: RunSyncDeps,
  at: Date,
  signal: AbortSignal | undefined,
): Promise<{ view: EdusignView; mappedCourses: readonly (EdusignCourseView | undefined)[] }> {
  const known = (kind: EntityKind) =>
    new Set(mappings.filter((m) => m.kind === kind).map((m) => m.aurigaId));
  const unknownIn = (kind: EntityKind, ids: Iterable<string>) => {
    const set = known(kind);
    for (const id of ids) if (!set.has(id)) return true;
    return false;
  };
  const view = await edusign.look(
    {
      firstDay: snapshot.window.firstDay,
      lastDay: snapshot.window.lastDay,
      students: unknownIn('learner', snapshot.learners.keys()),
      professors: unknownIn('instructor', snapshot.instructors.keys()),
      groups:
        deps.options.syncGroups &&
        snapshot.groups !== undefined &&
        unknownIn(
          'group',
          snapshot.groups.map((g) => g.id),
        ),
    },
    signal,
  );
  const mappedCourses = coursesOfMappings(mappings, view.courses);
  const nowIso = at.toISOString();
  // Most sheets are listed: the interventions' ids are gathered only for those that are not.
  let inWindow: ReadonlySet<string> | undefined;
  const missing: number[] = [];
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i] as Mapping;
    if (m.kind !== 'sheet' || m.origin !== 'created' || mappedCourses[i] !== undefined) continue;
    if (m.courseStart === null || m.courseStart <= nowIso) continue;
    if (m.courseStart < snapshot.window.from || m.courseStart >= snapshot.window.to) continue;
    inWindow ??= new Set(snapshot.interventions.map((intervention) => intervention.id));
    if (inWindow.has(m.aurigaId)) missing.push(i);
  }
  if (missing.length === 0) return { view, mappedCourses };
  const found = [];
  for (const i of missing) {
    const course = await edusign.getCourse((mappings[i] as Mapping).edusignId, signal);
    if (course) {
      found.push(course);
      mappedCourses[i] = course;
    }
  }
  return { view: { ...view, courses: [...view.courses, ...found] }, mappedCourses };
}

function buildReport(
  deps: RunSyncDeps,
  runId: string,
  startedAt: string,
  now: () => Date,
  snapshot: AurigaSnapshot,
  decided: Plan,
  results: OperationResult[] | undefined,
  dryRun: boolean,
): RunReport {
  const { counts, held, failures, done } = summarize(decided, results);
  const problems: Problem[] = [...snapshot.problems, ...decided.problems];
  const completeness = snapshot.completeness;
  if (completeness && !completeness.complete)
    problems.push({
      code: 'auriga.incomplete_read',
      kind: 'sheet',
      aurigaId: '',
      row: undefined,
      message: `Auriga's Interventions favorite was read only to page ${completeness.pagesRead} of ${completeness.totalPages ?? '?'}: what was read is synced, and no sheet is deleted until a run reads it in full.`,
    });
  return {
    runId,
    school: deps.school,
    dryRun,
    startedAt,
    finishedAt: now().toISOString(),
    outcome: outcomeOf(failures.length, decided.guard, completeness?.complete === false),
    window: snapshot.window,
    counts,
    problems,
    held,
    failures,
    done,
    guard: decided.guard,
    apiCalls: deps.apiCalls?.() ?? NO_CALLS,
    ...(completeness ? { completeness } : {}),
    ...(dryRun ? { planned: decided.operations } : {}),
  };
}
