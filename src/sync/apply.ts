import { randomUUID } from 'node:crypto';
import type { EntityKind, Mapping, MappingOrigin } from '../domain/types.ts';
import type { GroupPayload, Payload, SheetPayload } from '../rules/payloads.ts';
import type { SchoolStore } from '../store/port.ts';
import { FROZEN_FINGERPRINT, fingerprint } from './fingerprint.ts';
import { KIND_ORDER, type Operation } from './operations.ts';
import { pool } from './pool.ts';
import type { EdusignPort, WriteOutcome, WriteRequest } from './ports.ts';

/**
 * The executor: performs a plan's operations on Edusign in dependency order
 * (people and groups before the sheets that need their ids), in batches of
 * the port's size (one request each on v1, up to 1,000 on v3) a few at a
 * time, records each result in the store, and goes on past a failed item.
 * Every create is journaled before it is sent, so a lost answer is resolved
 * by the next run instead of being created twice. The batches in flight
 * together form a chunk: its creates are journaled in one store transaction
 * before any is sent, and its results (mappings, journal ends) saved in one
 * transaction once all have answered: two durable commits a chunk, not three
 * a record. A run killed in between leaves the chunk's creates journaled,
 * which the next run resolves by external id, as for a lost answer.
 */

export type ResultStatus = 'done' | 'failed' | 'held';

export interface OperationResult {
  readonly operation: Operation;
  readonly status: ResultStatus;
  readonly edusignId?: string | undefined;
  /** Why it failed or was held at write time, in words for a school admin. */
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export interface ApplyDeps {
  readonly edusign: EdusignPort;
  readonly store: SchoolStore;
  readonly runId: string;
  readonly now: () => Date;
  /** Batches in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: OperationResult) => void;
}

type IdIndex = Map<EntityKind, Map<string, string>>;

/**
 * How many operations share one journal commit on a one-request-per-write
 * port (v1): their creates are journaled in one transaction before any is
 * sent, their results saved in one after. Large enough that a school's
 * thousands of creates cost dozens of durable commits, not thousands; small
 * enough that a run killed mid-chunk leaves few entries for the next run to
 * look up.
 */
const V1_CHUNK_BATCHES = 16;

export async function apply(
  operations: readonly Operation[],
  mappings: readonly Mapping[],
  deps: ApplyDeps,
): Promise<OperationResult[]> {
  const ids: IdIndex = new Map(KIND_ORDER.map((k) => [k, new Map<string, string>()]));
  const byKey = new Map<string, Mapping>();
  for (const m of mappings) {
    ids.get(m.kind)?.set(m.aurigaId, m.edusignId);
    byKey.set(`${m.kind}:${m.aurigaId}`, m);
  }
  const results: OperationResult[] = [];
  const record = (result: OperationResult) => {
    results.push(result);
    deps.onResult?.(result);
  };
  const size = Math.max(1, deps.edusign.maxBatch);
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  // A chunk: the batches in flight together, journaled in one commit and saved in one.
  const chunk = size * concurrency * (size === 1 ? V1_CHUNK_BATCHES : 1);
  // Deletions last: a sheet is only removed once everything else is written.
  const phases = [
    ...KIND_ORDER.map((kind) => operations.filter((o) => o.kind === kind && o.action !== 'delete')),
    operations.filter((o) => o.action === 'delete'),
  ];
  for (const phase of phases) {
    for (let at = 0; at < phase.length; at += chunk) {
      if (deps.signal?.aborted) break;
      await performChunk(phase.slice(at, at + chunk), size, concurrency, ids, byKey, deps, record);
    }
  }
  return results;
}

interface Prepared {
  readonly operation: Operation;
  readonly request: WriteRequest;
  /** What is remembered once written: the payload in Auriga's terms, as far as it was written. */
  readonly written: Payload | undefined;
  readonly journalId: string | undefined;
}

/** The store writes a chunk's results make, saved in one commit. */
interface Pending {
  readonly putMappings: Mapping[];
  readonly deleteMappings: { kind: EntityKind; aurigaId: string }[];
  readonly journalEnd: string[];
}

async function performChunk(
  chunk: readonly Operation[],
  size: number,
  concurrency: number,
  ids: IdIndex,
  byKey: Map<string, Mapping>,
  deps: ApplyDeps,
  record: (result: OperationResult) => void,
): Promise<void> {
  const pending: Pending = { putMappings: [], deleteMappings: [], journalEnd: [] };
  const sending: Prepared[] = [];
  const settled: OperationResult[] = [];
  for (const operation of chunk) {
    if (operation.action === 'hold') {
      settled.push({ operation, status: 'held', edusignId: operation.edusignId ?? undefined });
      continue;
    }
    if (operation.action === 'delete') {
      sending.push({
        operation,
        request: {
          action: 'delete',
          kind: 'sheet',
          aurigaId: operation.aurigaId,
          edusignId: operation.edusignId,
        },
        written: undefined,
        journalId: undefined,
      });
      continue;
    }
    const written = known(operation.kind, operation.payload, ids);
    if (written.missing) {
      settled.push(failedMissing(operation, written.missing));
      continue;
    }
    if (operation.action === 'adopt' && operation.changes.length === 0) {
      // Nothing to write: remembering the record is all that is left to do.
      settled.push(remember(deps, operation, operation.edusignId, written.payload, byKey, pending));
      ids.get(operation.kind)?.set(operation.aurigaId, operation.edusignId);
      continue;
    }
    const payload = toEdusignIds(operation.kind, written.payload, ids);
    const request: WriteRequest =
      operation.action === 'create'
        ? { action: 'create', kind: operation.kind, aurigaId: operation.aurigaId, payload }
        : {
            action: 'update',
            kind: operation.kind,
            aurigaId: operation.aurigaId,
            edusignId: operation.edusignId,
            payload,
            changes: operation.changes,
          };
    sending.push({
      operation,
      request,
      written: written.payload,
      journalId: operation.action === 'create' ? randomUUID() : undefined,
    });
  }

  // Every create of the chunk is on disk, in one transaction, before the first is sent.
  const startedAt = deps.now().toISOString();
  await deps.store.commit({
    journalBegin: sending.flatMap((item) =>
      item.journalId === undefined || item.written === undefined
        ? []
        : [
            {
              id: item.journalId,
              runId: deps.runId,
              kind: item.operation.kind,
              aurigaId: item.operation.aurigaId,
              action: 'create' as const,
              fingerprint: fingerprint(item.written),
              startedAt,
            },
          ],
    ),
  });

  const batches: Prepared[][] = [];
  for (let at = 0; at < sending.length; at += size) batches.push(sending.slice(at, at + size));
  let stop: unknown;
  const sent = new Set<Prepared[]>();
  await pool(batches, concurrency, deps.signal, async (batch) => {
    sent.add(batch);
    let outcomes: WriteOutcome[];
    try {
      outcomes = await deps.edusign.write(
        batch.map((item) => item.request),
        deps.signal,
      );
    } catch (error) {
      // Only a stopped run throws: this batch's creates stay journaled, and the next
      // run looks each up by external id before creating anything.
      stop ??= error;
      return;
    }
    for (const [index, item] of batch.entries()) {
      const outcome = outcomes[index] ?? {
        ok: false as const,
        reason: 'refused' as const,
        code: 'sync.no_outcome',
        message: 'Edusign gave no result for this record.',
      };
      settled.push(await settle(item, outcome, ids, byKey, deps, pending));
    }
  });
  // Batches a stopped run never sent wrote nothing: their journal entries end here.
  for (const batch of batches)
    if (!sent.has(batch))
      for (const item of batch)
        if (item.journalId !== undefined) pending.journalEnd.push(item.journalId);
  // What was written is saved, in one transaction, even when the run is being stopped.
  await deps.store.commit(pending);
  for (const result of settled) record(result);
  if (stop !== undefined) throw stop;
}

async function settle(
  item: Prepared,
  outcome: WriteOutcome,
  ids: IdIndex,
  byKey: Map<string, Mapping>,
  deps: ApplyDeps,
  pending: Pending,
): Promise<OperationResult> {
  const { operation } = item;
  if (operation.action === 'delete') {
    if (outcome.ok || outcome.reason === 'not_found') {
      // Gone on Edusign, by us or already: forgetting it is all that is left to do.
      pending.deleteMappings.push({ kind: 'sheet', aurigaId: operation.aurigaId });
      return { operation, status: 'done', edusignId: operation.edusignId };
    }
    return failedOrHeld(operation, outcome);
  }
  if (operation.action === 'hold' || item.written === undefined)
    return { operation, status: 'held' };
  let edusignId: string | undefined = outcome.ok ? outcome.edusignId : undefined;
  if (!outcome.ok && outcome.reason === 'outcome_unknown' && operation.action === 'create') {
    // The answer was lost: ask Edusign whether the record exists before anything else.
    edusignId = await deps.edusign
      .findByExternalId(operation.kind, operation.aurigaId, deps.signal)
      .catch(() => undefined);
    // Not found: left in the journal; the next run resolves it before creating anything.
    if (edusignId === undefined) return failedOrHeld(operation, outcome);
  }
  if (edusignId === undefined) {
    if (!outcome.ok && outcome.reason === 'not_found' && operation.action === 'update') {
      // The record was removed on Edusign: forget it so the next run creates it again.
      pending.deleteMappings.push({ kind: operation.kind, aurigaId: operation.aurigaId });
    }
    if (item.journalId !== undefined) pending.journalEnd.push(item.journalId);
    return failedOrHeld(operation, outcome as Extract<WriteOutcome, { ok: false }>);
  }
  const result = remember(deps, operation, edusignId, item.written, byKey, pending);
  if (item.journalId !== undefined) pending.journalEnd.push(item.journalId);
  ids.get(operation.kind)?.set(operation.aurigaId, edusignId);
  return result;
}

function failedOrHeld(
  operation: Operation,
  outcome: Extract<WriteOutcome, { ok: false }>,
): OperationResult {
  const edusignId = 'edusignId' in operation ? operation.edusignId : undefined;
  if (outcome.reason === 'locked')
    return {
      operation,
      status: 'held',
      edusignId: edusignId ?? undefined,
      error: {
        code: outcome.code,
        message:
          'The sheet was locked on Edusign (signatures collected) before it could be changed: left as it is.',
      },
    };
  return { operation, status: 'failed', error: { code: outcome.code, message: outcome.message } };
}

function remember(
  deps: ApplyDeps,
  operation: Extract<Operation, { action: 'create' | 'update' | 'adopt' }>,
  edusignId: string,
  payload: Payload,
  byKey: Map<string, Mapping>,
  pending: Pending,
): OperationResult {
  const previous = byKey.get(`${operation.kind}:${operation.aurigaId}`);
  const origin: MappingOrigin =
    operation.action === 'adopt'
      ? operation.origin
      : operation.action === 'create'
        ? 'created'
        : (previous?.origin ?? 'created');
  const frozen = operation.action === 'adopt' && operation.frozen === true;
  const now = deps.now().toISOString();
  pending.putMappings.push({
    kind: operation.kind,
    aurigaId: operation.aurigaId,
    edusignId,
    // A sheet taken over as it is (started or locked): we wrote nothing of Auriga's.
    fingerprint: frozen ? FROZEN_FINGERPRINT : fingerprint(payload),
    origin,
    courseStart: operation.kind === 'sheet' ? (payload as SheetPayload).start : null,
    createdAt: operation.action === 'create' ? now : (previous?.createdAt ?? now),
    updatedAt: now,
  });
  return { operation, status: 'done', edusignId };
}

/**
 * Keep only the references that exist on Edusign. People whose creation
 * failed are left out (the sheet is written without them and the
 * fingerprint says so, so the next run adds them); a sheet left with no
 * instructor cannot be written.
 */
function known(
  kind: EntityKind,
  payload: Payload,
  ids: IdIndex,
): { payload: Payload; missing?: string } {
  const has = (k: EntityKind, list: readonly string[]) => list.filter((id) => ids.get(k)?.has(id));
  if (kind === 'sheet') {
    const sheet = payload as SheetPayload;
    const instructors = has('instructor', sheet.instructors);
    const resolved: SheetPayload = {
      ...sheet,
      instructors,
      learners: has('learner', sheet.learners),
      groups: has('group', sheet.groups),
    };
    if (instructors.length === 0)
      return { payload: resolved, missing: `instructor ${sheet.instructors.join(', ')}` };
    return { payload: resolved };
  }
  if (kind === 'group') {
    const group = payload as GroupPayload;
    return { payload: { ...group, learners: has('learner', group.learners) } };
  }
  return { payload };
}

/** The same payload with its references as Edusign ids (all known: see `known`). */
function toEdusignIds(kind: EntityKind, payload: Payload, ids: IdIndex): Payload {
  const to = (k: EntityKind, list: readonly string[]) =>
    list.map((id) => ids.get(k)?.get(id)).filter((id): id is string => id !== undefined);
  if (kind === 'sheet') {
    const sheet = payload as SheetPayload;
    return {
      ...sheet,
      instructors: to('instructor', sheet.instructors),
      learners: to('learner', sheet.learners),
      groups: to('group', sheet.groups),
    };
  }
  if (kind === 'group') {
    const group = payload as GroupPayload;
    return { ...group, learners: to('learner', group.learners) };
  }
  return payload;
}

function failedMissing(operation: Operation, missing: string): OperationResult {
  return {
    operation,
    status: 'failed',
    error: {
      code: 'sync.dependency_failed',
      message: `Not written: ${missing} could not be created on Edusign this run (see the failures above); the next run tries again.`,
    },
  };
}
