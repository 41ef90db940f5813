import type { Favorite, Problem, SyncWindow } from '../domain/types.ts';
import type { Mapping, MappingOrigin, RunOutcome, RunRecord } from '../store/port.ts';
import type { RunReport } from '../sync/report.ts';

/**
 * Why a learner, an instructor or a sheet is (or is not) on Edusign, told
 * from what the sync remembers: the mapping (Auriga id → Edusign id, and how
 * the record came to be ours) and the reports of the last runs. Answers the
 * seed's FAQ "why don't the instructors and/or learners appear on Edusign?"
 * and "why do learners appear duplicated?" (sync-rules.md sections 5 and 9).
 * Pure: no IO, the caller hands in the store's records.
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
  | { readonly kind: 'run_failed'; readonly run: RunSummary };

export interface Explanation {
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
  /** The last run that read Auriga: the one whose window and problems are used. */
  readonly referenceRun: RunSummary | null;
  /** Everything the runs looked at said about it, newest first. */
  readonly history: readonly ExplainEvent[];
  /** The answer in a few plain sentences for a school admin. */
  readonly sentences: readonly string[];
}

export interface ExplainInput {
  readonly subject: Subject;
  readonly aurigaId: string;
  readonly school: string;
  /** The school's zone: dates in the sentences are its wall-clock times. */
  readonly timeZone: string;
  readonly mapping: Mapping | undefined;
  /** The store's recent runs, newest first (dry runs are skipped here). */
  readonly runs: readonly RunRecord[];
}

const NOUN: Record<Subject, string> = {
  learner: 'Learner',
  instructor: 'Instructor',
  sheet: 'Sheet',
};

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

export function explain(input: ExplainInput): Explanation {
  const { subject, aurigaId, mapping } = input;
  const runs = input.runs.filter((run) => !run.dryRun && run.outcome !== 'running');
  const history = runs.flatMap((run) => eventsOf(run, subject, aurigaId));
  const last = runs[0];
  const reference = runs.find((run) => reportOf(run).window != null);
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
      because = whyNotCreated(inReference, reference, last);
    }
  }

  const explanation = {
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
  return { ...explanation, sentences: sentencesOf(explanation, input.timeZone) };
}

function whyNotCreated(
  inReference: readonly ExplainEvent[],
  reference: RunRecord | undefined,
  last: RunRecord,
): NotCreatedReason {
  const failure = inReference.find((e) => e.event === 'failed');
  if (failure) return { kind: 'failure', event: failure };
  const held = inReference.find((e) => e.event === 'held');
  if (held) return { kind: 'held', event: held };
  // A problem that stops the record (missing email, unreadable row) is the reason; the first one is quoted.
  const problem = inReference.find((e) => e.event === 'problem');
  if (problem) return { kind: 'problem', event: problem };
  const window = reference ? reportOf(reference).window : null;
  if (reference && window) return { kind: 'not_in_window', window, runId: reference.id };
  return { kind: 'run_failed', run: summarize(last) };
}

/** `2026-03-02 14:05` in the school's zone. */
export function localTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const windowWords = (w: SyncWindow) => `from ${w.firstDay} to ${w.lastDay}, ${w.timeZone}`;

const rowWords = (e: ExplainEvent) =>
  e.row
    ? ` (Auriga ${e.row.favorite === 'groups' ? 'Groups' : 'Interventions'} favorite, row ${e.row.id.startsWith('#') ? e.row.id : `of intervention ${e.row.id}`})`
    : '';

function sentencesOf(e: Omit<Explanation, 'sentences'>, timeZone: string): string[] {
  const at = (iso: string) => localTime(iso, timeZone);
  const who = `${NOUN[e.subject]} ${e.aurigaId}`;
  const them = e.subject === 'sheet' ? 'it' : 'them';
  const out: string[] = [];
  const findEvent = (kind: EventKind) => e.history.find((h) => h.event === kind);

  switch (e.state) {
    case 'no_run':
      out.push(
        `No run of ${e.school} is recorded in the store yet, so nothing can be told about ${who}: run \`auriga-edusign sync\` first.`,
      );
      return out;
    case 'created': {
      const created = findEvent('created');
      const adopted = findEvent('adopted');
      out.push(
        `${who} is on Edusign (Edusign id ${e.edusignId}), created by the sync on ${at(e.mapping?.createdAt ?? '')}.`,
      );
      if (created) out.push(`Why: ${created.message}`);
      else if (adopted)
        out.push(
          `The sync had created it earlier and found it again by its external id: ${adopted.message}`,
        );
      break;
    }
    case 'adopted': {
      const adopted = findEvent('adopted');
      out.push(
        `${who} was already on Edusign, made by hand (Edusign id ${e.edusignId}): on ${at(e.mapping?.createdAt ?? '')} the sync took that record over instead of creating a duplicate.`,
      );
      out.push(
        adopted
          ? `Why: ${adopted.message}`
          : 'It was matched by its external id or its email (sync-rules 5); the run that did it is older than the runs kept here.',
      );
      break;
    }
    case 'deleted': {
      const deleted = findEvent('deleted');
      out.push(
        `${who} was deleted on Edusign by the sync on ${at(deleted?.at ?? '')} (Edusign id ${e.edusignId}).`,
      );
      if (deleted) out.push(`Why: ${deleted.message}`);
      break;
    }
    case 'not_created': {
      const because = e.because;
      if (because === null) break;
      const notOn = `${who} is not on Edusign`;
      switch (because.kind) {
        case 'problem':
          out.push(
            `${notOn}: the run of ${at(because.event.at)} did not create ${them} because of a problem in Auriga${rowWords(because.event)}: ${because.event.message}`,
          );
          break;
        case 'failure':
          out.push(
            `${notOn}: creating ${them} failed in the run of ${at(because.event.at)} [${because.event.code}]: ${because.event.message} The next run tries again.`,
          );
          break;
        case 'held':
          out.push(
            `${notOn}: the run of ${at(because.event.at)} held ${them} back [${because.event.code}]: ${because.event.message}`,
          );
          break;
        case 'not_in_window':
          out.push(
            e.subject === 'sheet'
              ? `${notOn}: no intervention ${e.aurigaId} starting in the window of the last run (${windowWords(because.window)}) was read from Auriga: a sheet is created only for an intervention whose Start lies in the window (sync-rules 2).`
              : `${notOn}: no session of this ${e.subject} lies in the window of the last run (${windowWords(because.window)}): people are created only once a sheet in the window lists them (sync-rules 5).`,
          );
          break;
        case 'run_failed':
          out.push(
            `${notOn}: no run has read Auriga yet; the last run, on ${at(because.run.startedAt)}, failed${because.run.error ? ` [${because.run.error.code}]: ${because.run.error.message}` : '.'}`,
          );
          break;
      }
      break;
    }
  }

  // What the last run that read Auriga did, when the record exists.
  if (e.state === 'created' || e.state === 'adopted') {
    const action = e.lastAction;
    if (action?.event === 'held')
      out.push(
        `In the run of ${at(action.at)} it was held back (${action.code}): ${action.message}`,
      );
    else if (action?.event === 'updated')
      out.push(`It was updated in the run of ${at(action.at)}: ${action.message}`);
    else if (action?.event === 'failed')
      out.push(
        `In the run of ${at(action.at)} a change failed [${action.code}]: ${action.message}`,
      );
    else if (action === null && e.referenceRun) {
      const start = e.mapping?.courseStart ?? null;
      const window = e.referenceRun.window;
      const outside =
        e.subject === 'sheet' &&
        start !== null &&
        window !== null &&
        (start < window.from || start >= window.to);
      out.push(
        outside
          ? `Its course lies outside the window of the last run (${windowWords(window)}): the sync no longer changes it.`
          : `The last run, on ${at(e.referenceRun.startedAt)}, found nothing to change.`,
      );
    }
    const updates = e.history.filter((h) => h.event === 'updated' && h !== action).slice(0, 3);
    for (const update of updates) out.push(`Updated on ${at(update.at)}: ${update.message}`);
    const heldBefore = e.history.filter((h) => h.event === 'held' && h !== action).slice(0, 1);
    for (const held of heldBefore)
      out.push(`Held back on ${at(held.at)} (${held.code}): ${held.message}`);
  }

  // Problems in the last run that read Auriga, not already quoted.
  const quoted = e.because && 'event' in e.because ? e.because.event : undefined;
  const problems = e.history.filter(
    (h) => h.event === 'problem' && h.runId === e.referenceRun?.runId && h !== quoted,
  );
  for (const problem of problems.slice(0, 3))
    out.push(`Also noted in that run${rowWords(problem)}: ${problem.message}`);

  const lastRun = e.lastRun;
  if (
    lastRun &&
    lastRun.outcome === 'failed' &&
    lastRun.runId !== e.referenceRun?.runId &&
    e.referenceRun
  )
    out.push(
      `Note: the last run, on ${at(lastRun.startedAt)}, failed${lastRun.error ? ` [${lastRun.error.code}]: ${lastRun.error.message}` : ''}; this answer comes from the run of ${at(e.referenceRun.startedAt)}.`,
    );
  return out;
}
