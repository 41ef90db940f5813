import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SyncOptions } from '../config/schema.ts';
import type { AurigaSnapshot, EntityKind } from '../domain/types.ts';
import type {
  EdusignCourse,
  EdusignGroup,
  EdusignProfessor,
  EdusignStudent,
} from '../edusign/types.ts';
import { AppError, ConfigError, isAppError } from '../errors/app-error.ts';
import type { Mapping, SchoolStore } from '../store/port.ts';
import { apply, findByApiId, type OperationResult } from './apply.ts';
import { type Plan, plan } from './plan.ts';
import type {
  AurigaSource,
  EdusignCourseView,
  EdusignPersonView,
  EdusignPort,
  EdusignView,
} from './ports.ts';
import { type ApiCalls, emptyCounts, outcomeOf, type RunReport, summarize } from './report.ts';

/**
 * One run of one school: read Auriga, resolve writes left in flight by an
 * earlier run, look at Edusign, plan, apply, report. Two runs of one school
 * never overlap (the store's lock). A dry run reads everything and writes
 * nothing, neither on Edusign nor in the store.
 */

export interface RunSyncDeps {
  readonly school: string;
  readonly options: Pick<SyncOptions, 'courseNameSeparator' | 'syncGroups' | 'maxDeleteShare'>;
  readonly auriga: AurigaSource;
  readonly edusign: EdusignPort;
  readonly store: SchoolStore;
  /** @default 4 */
  readonly concurrency?: number;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  readonly dryRun?: boolean;
  readonly confirmDeletions?: boolean;
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

/** A run holds the lock this long without renewing it; it renews every third of it. */
const LOCK_TTL_MS = 15 * 60_000;

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
  let heartbeat: NodeJS.Timeout | undefined;

  const owner = lockOwner(runId);
  if (!dryRun) {
    if (!(await takeLock(store, owner, now))) {
      throw new AppError(
        'sync.locked',
        `Another run of ${deps.school} is in progress; two runs of one school never overlap.`,
        {
          hint: 'Wait for it to finish (its lock expires by itself if it died).',
        },
      );
    }
    heartbeat = setInterval(
      () => void store.tryLock(runId, LOCK_TTL_MS, now()).catch(() => undefined),
      LOCK_TTL_MS / 3,
    );
    heartbeat.unref();
    await store.startRun({ id: runId, startedAt, dryRun });
  }

  let snapshot: AurigaSnapshot | undefined;
  try {
    deps.onPhase?.('auriga', {});
    snapshot = await deps.auriga.read(deps.signal ? { signal: deps.signal } : {});

    let mappings = await store.listMappings();
    if (!dryRun) {
      const resolved = await resolveJournal(deps, runId, now);
      if (resolved > 0) mappings = await store.listMappings();
    }

    deps.onPhase?.('edusign', {});
    const view = await lookAtEdusign(deps.edusign, snapshot, mappings, deps.options.syncGroups);

    deps.onPhase?.('plan', {});
    const decided = plan({
      snapshot,
      mappings,
      edusign: view,
      options: deps.options,
      now: now().toISOString(),
      confirmDeletions: deps.confirmDeletions ?? false,
    });

    let results: OperationResult[] | undefined;
    if (!dryRun) {
      deps.onPhase?.('write', { total: decided.operations.length });
      const applyDeps = {
        edusign: deps.edusign,
        store,
        runId,
        now,
        concurrency: deps.concurrency ?? 4,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.onResult ? { onResult: deps.onResult } : {}),
      };
      results = await apply(decided.operations, mappings, applyDeps);
    }
    const report = buildReport(deps, runId, startedAt, now, snapshot, decided, results, dryRun);
    if (!dryRun)
      await store.finishRun(runId, {
        finishedAt: report.finishedAt,
        outcome: report.outcome,
        report,
      });
    deps.logger?.info(
      { school: deps.school, runId, outcome: report.outcome, counts: report.counts },
      'run finished',
    );
    return report;
  } catch (error) {
    const report: RunReport = {
      runId,
      school: deps.school,
      dryRun,
      startedAt,
      finishedAt: now().toISOString(),
      outcome: 'failed',
      window: snapshot?.window ?? null,
      counts: emptyCounts(),
      problems: snapshot?.problems ?? [],
      held: [],
      failures: [],
      done: [],
      guard: null,
      apiCalls: deps.apiCalls?.() ?? NO_CALLS,
      error: isAppError(error)
        ? {
            code: error.code,
            message: error.message,
            hint: error.hint,
            configuration: error instanceof ConfigError || REFUSED_SETTINGS.has(error.code),
          }
        : {
            code: 'sync.unexpected',
            message: error instanceof Error ? error.message : String(error),
          },
    };
    if (!dryRun)
      await store
        .finishRun(runId, { finishedAt: report.finishedAt, outcome: 'failed', report })
        .catch(() => undefined);
    deps.logger?.warn({ school: deps.school, runId, error: report.error }, 'run failed');
    return report;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    if (!dryRun) await store.unlock(owner).catch(() => undefined);
  }
}

/** `host/pid/runId`: enough to tell, on the same machine, that a holder's process is gone. */
function lockOwner(runId: string): string {
  return `${hostname()}/${process.pid}/${runId}`;
}

/**
 * Take the school's run lock. A lock left by a run whose process died on this
 * machine (killed, crashed) is taken over at once instead of blocking the
 * school until it expires; a live holder, or one on another machine, is
 * waited out (its lock expires if it died there).
 */
async function takeLock(store: SchoolStore, owner: string, now: () => Date): Promise<boolean> {
  if (await store.tryLock(owner, LOCK_TTL_MS, now())) return true;
  const holder = await store.lockHolder();
  if (!holder) return store.tryLock(owner, LOCK_TTL_MS, now());
  const [host, pid] = holder.owner.split('/');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid) || isAlive(Number(pid))) return false;
  return store.tryLock(owner, LOCK_TTL_MS, now(), { takeOverFrom: holder.owner });
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

/**
 * Creates journaled but never confirmed (the process died, the answer was
 * lost): ask Edusign by external id whether each exists, and remember it if
 * so, before anything is created again.
 */
async function resolveJournal(deps: RunSyncDeps, runId: string, now: () => Date): Promise<number> {
  const pending = await deps.store.pendingJournal();
  let resolved = 0;
  for (const entry of pending) {
    if (entry.runId === runId) continue;
    if (entry.action === 'create') {
      const existing = await deps.store.getMapping(entry.kind, entry.aurigaId);
      const found = existing
        ? existing.edusignId
        : await findByApiId(deps.edusign, entry.kind, entry.aurigaId);
      if (found !== undefined && !existing) {
        const at = now().toISOString();
        await deps.store.putMapping({
          kind: entry.kind,
          aurigaId: entry.aurigaId,
          edusignId: found,
          fingerprint: entry.fingerprint,
          origin: 'created',
          courseStart: entry.kind === 'sheet' ? await courseStartOf(deps.edusign, found) : null,
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

async function courseStartOf(edusign: EdusignPort, id: string): Promise<string | null> {
  try {
    return normalizeInstant((await edusign.getCourse(id)).START);
  } catch {
    return null;
  }
}

/** What Edusign holds around the window; people and groups listed only when some are unknown to the store. */
async function lookAtEdusign(
  edusign: EdusignPort,
  snapshot: AurigaSnapshot,
  mappings: readonly Mapping[],
  syncGroups: boolean,
): Promise<EdusignView> {
  const known = (kind: EntityKind) =>
    new Set(mappings.filter((m) => m.kind === kind).map((m) => m.aurigaId));
  const unknownIn = (kind: EntityKind, ids: Iterable<string>) => {
    const set = known(kind);
    for (const id of ids) if (!set.has(id)) return true;
    return false;
  };
  const { firstDay, lastDay } = snapshot.window;
  const [courses, students, professors, groups] = await Promise.all([
    edusign.listCourses({ start: shiftDay(firstDay, -1), end: shiftDay(lastDay, 1) }),
    unknownIn('learner', snapshot.learners.keys()) ? edusign.listStudents() : undefined,
    unknownIn('instructor', snapshot.instructors.keys()) ? edusign.listProfessors() : undefined,
    syncGroups &&
    snapshot.groups &&
    unknownIn(
      'group',
      snapshot.groups.map((g) => g.id),
    )
      ? edusign.listGroups()
      : undefined,
  ]);
  return {
    courses: courses.map(courseView),
    students: students?.map(personView),
    professors: professors?.map(personView),
    groups: groups?.map((g: EdusignGroup) => ({
      id: g.ID,
      apiId: g.API_ID ?? null,
      apiType: g.API_TYPE ?? null,
      name: g.NAME,
    })),
  };
}

const courseView = (c: EdusignCourse): EdusignCourseView => ({
  id: c.ID,
  apiId: c.API_ID ?? null,
  apiType: c.API_TYPE ?? null,
  start: normalizeInstant(c.START),
  locked: c.LOCKED === 1 || c.LOCKED === true,
});

const personView = (p: EdusignStudent | EdusignProfessor): EdusignPersonView => ({
  id: p.ID,
  apiId: p.API_ID ?? null,
  apiType: p.API_TYPE ?? null,
  lastName: p.LASTNAME,
  firstName: p.FIRSTNAME,
  email: p.EMAIL ?? '',
  hidden: 'HIDDEN' in p && (p.HIDDEN === 1 || p.HIDDEN === true),
});

function normalizeInstant(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
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
  return {
    runId,
    school: deps.school,
    dryRun,
    startedAt,
    finishedAt: now().toISOString(),
    outcome: outcomeOf(failures.length, decided.guard),
    window: snapshot.window,
    counts,
    problems: [...snapshot.problems, ...decided.problems],
    held,
    failures,
    done,
    guard: decided.guard,
    apiCalls: deps.apiCalls?.() ?? NO_CALLS,
    ...(dryRun ? { planned: decided.operations } : {}),
  };
}
