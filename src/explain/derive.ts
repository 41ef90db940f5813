import { servesWindow } from '../domain/run-states.ts';
import type { Favorite, Problem, SyncWindow } from '../domain/types.ts';
import type { Mapping, MappingOrigin, RunOutcome, RunRecord } from '../store/port.ts';
import type { RunReport } from '../sync/report.ts';

/**
 * Deriving an explanation: from the mapping (Auriga id → Edusign id, and how
 * the record came to be ours) and the reports of the last runs, where a
 * learner, an instructor or a sheet stands, why, and its history. Pure data:
 * the words are sentences.ts's (docs/rules.md §5 and §9).
 */

export const SUBJECTS = ['learner', 'instructor', 'sheet'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** Where the record stands. */
export type ExplanationState =
  /** On Edusign, created by the sync. */
  | 'created'
  /** On Edusign, a record made by hand that the sync took over instead of duplicating it. */
  | 'adopted'
  /** A sheet the sync deleted on Edusign. */
  | 'deleted'
  /** Not on Edusign: `because` says why. */
  | 'not_created'
  /** No run of the school is recorded: nothing to explain from. */
  | 'no_run';

export type EventKind =
  | 'created'
  | 'updated'
  | 'adopted'
  | 'deleted'
  | 'held'
  | 'failed'
  | 'problem';

/** Something a run did or found about the record. */
export interface ExplainEvent {
  readonly runId: string;
  /** When the run started (UTC ISO). */
  readonly at: string;
  readonly event: EventKind;
  /** The report's sentence, quoted. */
  readonly message: string;
  readonly edusignId?: string | null;
  /** Held: why (`locked`, `started`, `mass_change_guard`…); failed or problem: the error or problem code. */
  readonly code?: string;
  /** Held: what the sync wanted to do. */
  readonly wanted?: 'create' | 'update' | 'delete';
  /** Problems: the Auriga favorite row it was found on. */
  readonly row?: { readonly favorite: Favorite; readonly id: string };
}

export interface RunSummary {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: RunOutcome;
  readonly window: SyncWindow | null;
  readonly error?: { readonly code: string; readonly message: string };
}

export type NotCreatedReason =
  | { readonly kind: 'problem'; readonly event: ExplainEvent }
  | { readonly kind: 'failure'; readonly event: ExplainEvent }
  | { readonly kind: 'held'; readonly event: ExplainEvent }
  | { readonly kind: 'not_in_window'; readonly window: SyncWindow; readonly runId: string }
  | { readonly kind: 'run_failed'; readonly run: RunSummary }
  /** The last run was stopped (or died) before it reached the record: its report says nothing of it. */
  | { readonly kind: 'interrupted'; readonly run: RunSummary };

export interface ExplanationData {
  readonly subject: Subject;
  readonly aurigaId: string;
  readonly school: string;
  readonly state: ExplanationState;
  /** The Edusign id when it is (or was, for a deleted sheet) on Edusign. */
  readonly edusignId: string | null;
  readonly mapping: {
    readonly edusignId: string;
    readonly origin: MappingOrigin;
    readonly createdAt: string;
    readonly updatedAt: string;
    readonly courseStart: string | null;
  } | null;
  /** Set when `state` is `not_created`. */
  readonly because: NotCreatedReason | null;
  /**
   * What the last run that read Auriga did about it: created, updated,
   * adopted, held (with the cause in `code`), failed, or nothing (null:
   * unchanged, or not listed in that run's window).
   */
  readonly lastAction: ExplainEvent | null;
  /** The last run recorded (it may have failed before reading Auriga). */
  readonly lastRun: RunSummary | null;
  /**
   * The last complete run that read Auriga: the one whose window and problems
   * are used. Never an interrupted or abandoned run: it stopped partway, so
   * what it did not write tells nothing.
   */
  readonly referenceRun: RunSummary | null;
  /** Everything the runs looked at said about it, newest first. */
  readonly history: readonly ExplainEvent[];
}

export interface DeriveInput {
  readonly subject: Subject;
  readonly aurigaId: string;
  readonly school: string;
  readonly mapping: Mapping | undefined;
  /** The store's recent runs, newest first (dry runs are skipped here). */
  readonly runs: readonly RunRecord[];
}

/** A stored report, read defensively: it is JSON written by an earlier version, perhaps. */
function reportOf(run: RunRecord): Partial<RunReport> {
  return run.report !== null && typeof run.report === 'object'
    ? (run.report as Partial<RunReport>)
    : {};
}

function summarize(run: RunRecord): RunSummary {
  const report = reportOf(run);
  return {
    runId: run.id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    outcome: run.outcome,
    window: report.window ?? null,
    ...(report.error ? { error: { code: report.error.code, message: report.error.message } } : {}),
  };
}

/** Every event a run's report holds about (kind, id), in a fixed order: writes, holds, failures, problems. */
function eventsOf(run: RunRecord, subject: Subject, aurigaId: string): ExplainEvent[] {
  const report = reportOf(run);
  const at = run.startedAt;
  const runId = run.id;
  const mine = (item: { kind: string; aurigaId: string }) =>
    item.kind === subject && item.aurigaId === aurigaId;
  const events: ExplainEvent[] = [];
  for (const item of (report.done ?? []).filter(mine))
    events.push({
      runId,
      at,
      // A sheet deleted by hand and created again is, for the person asking, created.
      event: item.action === 'recreated' ? 'created' : item.action,
      message: item.reason,
      edusignId: item.edusignId,
    });
  for (const item of (report.held ?? []).filter(mine))
    events.push({
      runId,
      at,
      event: 'held',
      // The guard's own sentence says how many deletions, of how many sheets, and how to confirm.
      message:
        item.cause === 'mass_change_guard' && report.guard?.reason
          ? `${item.message} ${report.guard.reason}`
          : item.message,
      edusignId: item.edusignId,
      code: item.cause,
      wanted: item.wanted,
    });
  for (const item of (report.failures ?? []).filter(mine))
    events.push({ runId, at, event: 'failed', message: item.message, code: item.code });
  for (const problem of (report.problems ?? []).filter((p: Problem) => mine(p)))
    events.push({
      runId,
      at,
      event: 'problem',
      message: problem.message,
      code: problem.code,
      ...(problem.row ? { row: { favorite: problem.row.favorite, id: problem.row.id } } : {}),
    });
  return events;
}

/** Where the record stands, why, and what the runs did about it, as plain data. */
export function deriveExplanation(input: DeriveInput): ExplanationData {
  const { subject, aurigaId, mapping } = input;
  const runs = input.runs.filter((run) => !run.dryRun && run.outcome !== 'running');
  const history = runs.flatMap((run) => eventsOf(run, subject, aurigaId));
  const last = runs[0];
  const reference = runs.find((run) => servesWindow(run.outcome) && reportOf(run).window != null);
  const inReference = reference ? history.filter((e) => e.runId === reference.id) : [];
  const lastAction = inReference.find((e) => e.event !== 'problem') ?? null;

  let state: ExplanationState;
  let edusignId: string | null = mapping?.edusignId ?? null;
  let because: NotCreatedReason | null = null;
  if (mapping) {
    state = mapping.origin === 'adopted' ? 'adopted' : 'created';
  } else {
    const lastWrite = history.find((e) => ['created', 'adopted', 'deleted'].includes(e.event));
    if (lastWrite?.event === 'deleted') {
      state = 'deleted';
      edusignId = lastWrite.edusignId ?? null;
    } else if (last === undefined) {
      state = 'no_run';
    } else {
      state = 'not_created';
      because = whyNotCreated(history, inReference, reference, last);
    }
  }

  return {
    subject,
    aurigaId,
    school: input.school,
    state,
    edusignId,
    mapping: mapping
      ? {
          edusignId: mapping.edusignId,
          origin: mapping.origin,
          createdAt: mapping.createdAt,
          updatedAt: mapping.updatedAt,
          courseStart: mapping.courseStart,
        }
      : null,
    because,
    lastAction,
    lastRun: last ? summarize(last) : null,
    referenceRun: reference ? summarize(reference) : null,
    history,
  };
}

function whyNotCreated(
  history: readonly ExplainEvent[],
  inReference: readonly ExplainEvent[],
  reference: RunRecord | undefined,
  last: RunRecord,
): NotCreatedReason {
  // The last run was cut short (stopped, or its process died): what it found
  // about the record still holds, but its silence proves nothing, and what an
  // older run said is no longer the latest word.
  const cutShort = !servesWindow(last.outcome);
  const events = cutShort ? history.filter((e) => e.runId === last.id) : inReference;
  const failure = events.find((e) => e.event === 'failed');
  if (failure) return { kind: 'failure', event: failure };
  const held = events.find((e) => e.event === 'held');
  if (held) return { kind: 'held', event: held };
  // A problem that stops the record (missing email, unreadable row) is the reason; the first one is quoted.
  const problem = events.find((e) => e.event === 'problem');
  if (problem) return { kind: 'problem', event: problem };
  if (cutShort) return { kind: 'interrupted', run: summarize(last) };
  const window = reference ? reportOf(reference).window : null;
  if (reference && window) return { kind: 'not_in_window', window, runId: reference.id };
  return { kind: 'run_failed', run: summarize(last) };
}
