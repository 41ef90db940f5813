import type { FinalRunState } from '../domain/run-states.ts';
import type { EntityKind, Problem, ReadCompleteness, SyncWindow } from '../domain/types.ts';
import type { GuardResult } from '../rules/removals.ts';
import type { OperationResult } from './apply.ts';
import type { HoldCause, Operation } from './operations.ts';
import type { Plan } from './plan.ts';

/** What a run leaves behind (docs/rules.md §9). Stored as JSON, printed for people. */

export const REPORT_ACTIONS = [
  'created',
  'updated',
  'adopted',
  'deleted',
  'unchanged',
  'held',
  'failed',
] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];
export type Counts = Record<EntityKind, Record<ReportAction, number>>;

export interface HeldItem {
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly edusignId: string | null;
  readonly wanted: 'create' | 'update' | 'delete';
  readonly cause: HoldCause | 'locked_at_write';
  readonly message: string;
}

export interface FailedItem {
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly action: Operation['action'];
  readonly code: string;
  readonly message: string;
}

export interface DoneItem {
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly edusignId: string;
  /** `recreated`: ours, deleted by hand on Edusign, created again (counted as created). */
  readonly action: 'created' | 'recreated' | 'updated' | 'adopted' | 'deleted';
  readonly reason: string;
}

export interface ApiCalls {
  readonly auriga: number;
  readonly edusign: number;
  readonly edusignWrites: number;
  readonly edusignRateLimitWaitMs: number;
  readonly edusignByRoute: Readonly<Record<string, number>>;
}

export interface RunReport {
  readonly runId: string;
  readonly school: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: FinalRunState;
  readonly window: SyncWindow | null;
  readonly counts: Counts;
  readonly problems: readonly Problem[];
  readonly held: readonly HeldItem[];
  readonly failures: readonly FailedItem[];
  /** Every write done, with its reason: what `explain` answers from. */
  readonly done: readonly DoneItem[];
  readonly guard: GuardResult | null;
  readonly apiCalls: ApiCalls;
  /** How far Auriga's Interventions favorite was read (absent: in full). */
  readonly completeness?: ReadCompleteness;
  /** A dry run's plan, operation by operation. */
  readonly planned?: readonly Operation[];
  /** Why the run failed as a whole. */
  readonly error?: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string | undefined;
    /** A setting must be fixed: retrying as it is will not help. */
    readonly configuration?: boolean;
    /** An interrupted run: the signal that stopped it (`SIGINT`, `SIGTERM`), when known. */
    readonly signal?: string;
  };
}

export function emptyCounts(): Counts {
  const row = () =>
    Object.fromEntries(REPORT_ACTIONS.map((a) => [a, 0])) as Record<ReportAction, number>;
  return { sheet: row(), learner: row(), instructor: row(), group: row() };
}

const DONE_WORD = {
  create: 'created',
  update: 'updated',
  adopt: 'adopted',
  delete: 'deleted',
} as const;

/** Counts and lists from a plan and, unless a dry run, its results. */
export function summarize(plan: Plan, results: readonly OperationResult[] | undefined) {
  const counts = emptyCounts();
  for (const [kind, n] of Object.entries(plan.unchanged) as Array<[EntityKind, number]>)
    counts[kind].unchanged += n;
  const held: HeldItem[] = [];
  const failures: FailedItem[] = [];
  const done: DoneItem[] = [];
  const outcomes: ReadonlyArray<OperationResult> =
    results ??
    plan.operations.map(
      (operation) =>
        ({ operation, status: operation.action === 'hold' ? 'held' : 'done' }) as const,
    );
  for (const { operation, status, edusignId, error } of outcomes) {
    const { kind, aurigaId } = operation;
    if (status === 'held') {
      counts[kind].held += 1;
      held.push({
        kind,
        aurigaId,
        edusignId: edusignId ?? null,
        wanted:
          operation.action === 'hold'
            ? operation.wanted
            : operation.action === 'delete'
              ? 'delete'
              : 'update',
        cause: operation.action === 'hold' ? operation.cause : 'locked_at_write',
        message: error?.message ?? operation.reason,
      });
    } else if (status === 'failed') {
      counts[kind].failed += 1;
      failures.push({
        kind,
        aurigaId,
        action: operation.action,
        code: error?.code ?? 'sync.unexpected',
        message: `${capitalize(kind)} ${aurigaId}: ${operation.action} failed: ${error?.message ?? 'unknown error'}`,
      });
    } else if (operation.action !== 'hold') {
      counts[kind][DONE_WORD[operation.action]] += 1;
      done.push({
        kind,
        aurigaId,
        edusignId: edusignId ?? ('edusignId' in operation ? operation.edusignId : ''),
        action:
          operation.action === 'create' && operation.replaces !== undefined
            ? 'recreated'
            : DONE_WORD[operation.action],
        reason: operation.reason,
      });
    }
  }
  return { counts, held, failures, done };
}

/**
 * A finished run's outcome: items failed, or Auriga was read only in part
 * (nothing deleted, the rest comes next run), is partly failed; held
 * deletions come next; else succeeded.
 */
export function outcomeOf(
  failures: number,
  guard: GuardResult | null,
  incompleteRead = false,
): FinalRunState {
  if (failures > 0 || incompleteRead) return 'partly_failed';
  if (guard?.triggered) return 'deletions_held';
  return 'succeeded';
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const OUTCOME_WORDS: Record<RunReport['outcome'], string> = {
  succeeded: 'succeeded',
  partly_failed: 'partly failed',
  failed: 'FAILED',
  deletions_held: 'succeeded, deletions held',
  interrupted: 'INTERRUPTED',
  abandoned: 'ABANDONED',
};

/** The report as a school admin reads it on a terminal. */
export function formatReport(report: RunReport): string {
  const lines: string[] = [];
  const title = report.dryRun ? 'Plan (dry run: nothing written)' : 'Sync';
  lines.push(`${title} of ${report.school}: ${OUTCOME_WORDS[report.outcome]}`);
  if (report.window)
    lines.push(
      `Window: ${report.window.firstDay} to ${report.window.lastDay} (${report.window.timeZone})`,
    );
  if (report.error)
    lines.push(
      `Error [${report.error.code}]: ${report.error.message}${report.error.hint ? `\nFix: ${report.error.hint}` : ''}`,
    );
  const cols = report.dryRun
    ? (['created', 'updated', 'adopted', 'deleted', 'unchanged', 'held'] as const)
    : REPORT_ACTIONS;
  const header = [
    '',
    ...cols.map((c) =>
      (report.dryRun ? `to be ${c}` : c)
        .replace('to be unchanged', 'unchanged')
        .replace('to be held', 'held'),
    ),
  ];
  const rows = (['sheet', 'learner', 'instructor', 'group'] as const).map((kind) => [
    `${kind}s`,
    ...cols.map((c) => String(report.counts[kind][c])),
  ]);
  const widths = header.map((_, i) =>
    Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)),
  );
  // A run that failed before planning did nothing: an all-zero table would only mislead.
  const anything = rows.some((row) => row.slice(1).some((cell) => cell !== '0'));
  if (report.outcome !== 'failed' || anything)
    for (const row of [header, ...rows])
      lines.push(
        `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`,
      );
  const recreated = report.done.filter((d) => d.action === 'recreated');
  if (recreated.length > 0) {
    lines.push('', `Recreated (${recreated.length}, deleted by hand on Edusign):`);
    for (const item of recreated.slice(0, 50)) lines.push(`  - ${item.reason}`);
  }
  if (report.guard?.triggered && report.guard.reason)
    lines.push('', `Deletions held: ${report.guard.reason}`);
  if (report.held.length > 0) {
    lines.push('', `Held back (${report.held.length}):`);
    for (const item of report.held.slice(0, 50)) lines.push(`  - ${item.message}`);
    if (report.held.length > 50) lines.push(`  … and ${report.held.length - 50} more (see --json)`);
  }
  if (report.failures.length > 0) {
    lines.push('', `Failed (${report.failures.length}):`);
    for (const item of report.failures.slice(0, 50)) lines.push(`  - ${item.message}`);
    if (report.failures.length > 50)
      lines.push(`  … and ${report.failures.length - 50} more (see --json)`);
  }
  if (report.problems.length > 0) {
    lines.push('', `Problems to fix in Auriga (${report.problems.length}):`);
    for (const p of report.problems.slice(0, 50))
      lines.push(`  - ${p.row ? `[${p.row.favorite} row ${p.row.id}] ` : ''}${p.message}`);
    if (report.problems.length > 50)
      lines.push(`  … and ${report.problems.length - 50} more (see --json)`);
  }
  if (report.planned && report.planned.length > 0) {
    lines.push('', `Operations (${report.planned.length}):`);
    for (const op of report.planned.slice(0, 200))
      lines.push(
        `  ${op.action.padEnd(6)} ${op.kind.padEnd(10)} ${op.aurigaId.padEnd(10)} ${op.reason}`,
      );
    if (report.planned.length > 200)
      lines.push(`  … and ${report.planned.length - 200} more (see --json)`);
  }
  const api = report.apiCalls;
  lines.push(
    '',
    `API calls: Auriga ${api.auriga}, Edusign ${api.edusign} (${api.edusignWrites} writes${api.edusignRateLimitWaitMs > 0 ? `, ${(api.edusignRateLimitWaitMs / 1000).toFixed(1)} s waiting on the rate limit` : ''})`,
  );
  lines.push(`Run ${report.runId}, ${report.startedAt} → ${report.finishedAt}`);
  return `${lines.join('\n')}\n`;
}
