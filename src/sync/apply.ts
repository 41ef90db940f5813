import { randomUUID } from 'node:crypto';
import type { EntityKind } from '../domain/types.ts';
import type { CourseFields, GroupFields, PersonFields } from '../edusign/types.ts';
import { isAppError } from '../errors/app-error.ts';
import type { Mapping, MappingOrigin, SchoolStore } from '../store/port.ts';
import { fingerprint } from './fingerprint.ts';
import { KIND_ORDER, type Operation } from './operations.ts';
import {
  API_TYPE,
  type GroupPayload,
  type Payload,
  type PersonPayload,
  type SheetPayload,
} from './payloads.ts';
import type { EdusignPort } from './ports.ts';

/**
 * The executor: performs a plan's operations on Edusign in dependency order
 * (people and groups before the sheets that need their ids), a few at a time,
 * records each result in the store, and goes on past a failed item.
 * Every create is journaled before it is sent, so a lost answer is resolved
 * by the next run instead of being created twice.
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
  /** Operations in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: OperationResult) => void;
}

type IdIndex = Map<EntityKind, Map<string, string>>;

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
  // Deletions last: a sheet is only removed once everything else is written.
  const phases = [
    ...KIND_ORDER.map((kind) => operations.filter((o) => o.kind === kind && o.action !== 'delete')),
    operations.filter((o) => o.action === 'delete'),
  ];
  for (const phase of phases) {
    await pool(phase, deps.concurrency ?? 4, deps.signal, async (operation) => {
      record(await perform(operation, ids, byKey, deps));
    });
  }
  return results;
}

async function perform(
  operation: Operation,
  ids: IdIndex,
  byKey: Map<string, Mapping>,
  deps: ApplyDeps,
): Promise<OperationResult> {
  if (operation.action === 'hold')
    return { operation, status: 'held', edusignId: operation.edusignId ?? undefined };
  try {
    switch (operation.action) {
      case 'create':
        return await create(operation, ids, deps);
      case 'update':
      case 'adopt': {
        const written = resolve(operation.kind, operation.payload, ids);
        if (written.missing) return failedMissing(operation, written.missing);
        const changes = operation.changes;
        if (changes.length > 0)
          await update(
            deps.edusign,
            operation.kind,
            operation.edusignId,
            written.payload,
            changes,
            operation.aurigaId,
            ids,
          );
        const previous = byKey.get(`${operation.kind}:${operation.aurigaId}`);
        const origin: MappingOrigin =
          operation.action === 'adopt' ? operation.origin : (previous?.origin ?? 'created');
        // An adopted sheet left as it is (locked or started) keeps no fingerprint: we wrote nothing.
        const print =
          operation.action === 'adopt' && changes.length === 0 && operation.kind === 'sheet'
            ? ''
            : fingerprint(written.payload);
        await remember(
          deps,
          operation.kind,
          operation.aurigaId,
          operation.edusignId,
          print,
          origin,
          previous,
          written.payload,
        );
        ids.get(operation.kind)?.set(operation.aurigaId, operation.edusignId);
        return { operation, status: 'done', edusignId: operation.edusignId };
      }
      case 'delete':
        try {
          await deps.edusign.deleteCourse(operation.edusignId);
        } catch (error) {
          if (!isAppError(error) || error.code !== 'edusign.not_found') throw error;
          // Already gone on Edusign: forgetting it is all that is left to do.
        }
        await deps.store.deleteMapping('sheet', operation.aurigaId);
        return { operation, status: 'done', edusignId: operation.edusignId };
    }
  } catch (error) {
    if (isAppError(error) && error.code === 'edusign.course_locked') {
      return {
        operation,
        status: 'held',
        edusignId: 'edusignId' in operation ? operation.edusignId : undefined,
        error: {
          code: error.code,
          message:
            'The sheet was locked on Edusign (signatures collected) before it could be changed: left as it is.',
        },
      };
    }
    if (isAppError(error) && error.code === 'edusign.not_found' && operation.action === 'update') {
      // The record was removed on Edusign: forget it so the next run creates it again.
      await deps.store.deleteMapping(operation.kind, operation.aurigaId);
    }
    if (deps.signal?.aborted) throw error;
    return { operation, status: 'failed', error: describeError(error) };
  }
}

async function create(
  operation: Extract<Operation, { action: 'create' }>,
  ids: IdIndex,
  deps: ApplyDeps,
): Promise<OperationResult> {
  const { kind, aurigaId } = operation;
  const written = resolve(kind, operation.payload, ids);
  if (written.missing) return failedMissing(operation, written.missing);
  const print = fingerprint(written.payload);
  const journalId = randomUUID();
  await deps.store.journalBegin({
    id: journalId,
    runId: deps.runId,
    kind,
    aurigaId,
    action: 'create',
    fingerprint: print,
    startedAt: deps.now().toISOString(),
  });
  let edusignId: string;
  try {
    edusignId = await send(deps.edusign, kind, written.payload, aurigaId, ids);
  } catch (error) {
    if (isAppError(error) && error.code === 'edusign.outcome_unknown') {
      // The answer was lost: ask Edusign whether the record exists before anything else.
      const found = await findByApiId(deps.edusign, kind, aurigaId).catch(() => undefined);
      if (found === undefined) {
        // Left in the journal: the next run resolves it before creating anything.
        return { operation, status: 'failed', error: describeError(error) };
      }
      edusignId = found;
    } else {
      await deps.store.journalEnd(journalId);
      throw error;
    }
  }
  await remember(deps, kind, aurigaId, edusignId, print, 'created', undefined, written.payload);
  await deps.store.journalEnd(journalId);
  ids.get(kind)?.set(aurigaId, edusignId);
  return { operation, status: 'done', edusignId };
}

async function remember(
  deps: ApplyDeps,
  kind: EntityKind,
  aurigaId: string,
  edusignId: string,
  print: string,
  origin: MappingOrigin,
  previous: Mapping | undefined,
  payload: Payload,
): Promise<void> {
  const now = deps.now().toISOString();
  await deps.store.putMapping({
    kind,
    aurigaId,
    edusignId,
    fingerprint: print,
    origin,
    courseStart: kind === 'sheet' ? (payload as SheetPayload).start : null,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  });
}

/**
 * Replace Auriga references by Edusign ids. People whose creation failed are
 * left out (the sheet is written without them and the fingerprint says so, so
 * the next run adds them); a sheet left with no instructor cannot be written.
 */
function resolve(
  kind: EntityKind,
  payload: Payload,
  ids: IdIndex,
): { payload: Payload; missing?: string } {
  const known = (k: EntityKind, list: readonly string[]) =>
    list.filter((id) => ids.get(k)?.has(id));
  if (kind === 'sheet') {
    const sheet = payload as SheetPayload;
    const instructors = known('instructor', sheet.instructors);
    const resolved: SheetPayload = {
      ...sheet,
      instructors,
      learners: known('learner', sheet.learners),
      groups: known('group', sheet.groups),
    };
    if (instructors.length === 0)
      return { payload: resolved, missing: `instructor ${sheet.instructors.join(', ')}` };
    return { payload: resolved };
  }
  if (kind === 'group') {
    const group = payload as GroupPayload;
    return { payload: { ...group, learners: known('learner', group.learners) } };
  }
  return { payload };
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

const toEdusign = (ids: IdIndex, kind: EntityKind, list: readonly string[]): string[] =>
  list.map((id) => ids.get(kind)?.get(id)).filter((id): id is string => id !== undefined);

function sheetFields(sheet: SheetPayload, aurigaId: string, ids: IdIndex): CourseFields {
  return {
    NAME: sheet.name,
    START: sheet.start,
    END: sheet.end,
    professors: toEdusign(ids, 'instructor', sheet.instructors),
    DESCRIPTION: sheet.description,
    CLASSROOM: sheet.classroom,
    STUDENTS: toEdusign(ids, 'learner', sheet.learners),
    SCHOOL_GROUP: toEdusign(ids, 'group', sheet.groups),
    NEED_STUDENTS_SIGNATURE: true,
    API_ID: aurigaId,
    API_TYPE,
  };
}

function personFields(person: PersonPayload, aurigaId: string): PersonFields {
  return {
    LASTNAME: person.lastName,
    FIRSTNAME: person.firstName,
    EMAIL: person.email,
    API_ID: aurigaId,
    API_TYPE,
  };
}

function groupFields(group: GroupPayload, aurigaId: string, ids: IdIndex): GroupFields {
  return {
    NAME: group.name,
    DESCRIPTION: group.description,
    STUDENTS: toEdusign(ids, 'learner', group.learners),
    API_ID: aurigaId,
    API_TYPE,
  };
}

/** Which wire fields carry each payload field, so an update writes only what changed. */
const WIRE_KEYS: Record<string, readonly string[]> = {
  name: ['NAME'],
  description: ['DESCRIPTION'],
  classroom: ['CLASSROOM'],
  // Edusign checks END after START: both are sent when either moves.
  start: ['START', 'END'],
  end: ['START', 'END'],
  instructors: ['professors'],
  learners: ['STUDENTS'],
  groups: ['SCHOOL_GROUP'],
  lastName: ['LASTNAME'],
  firstName: ['FIRSTNAME'],
  email: ['EMAIL'],
  apiId: ['API_ID', 'API_TYPE'],
};

function pick<T extends object>(fields: T, changes: readonly string[]): Partial<T> {
  const keys = new Set(changes.flatMap((c) => WIRE_KEYS[c] ?? []));
  return Object.fromEntries(Object.entries(fields).filter(([k]) => keys.has(k))) as Partial<T>;
}

async function send(
  edusign: EdusignPort,
  kind: EntityKind,
  payload: Payload,
  aurigaId: string,
  ids: IdIndex,
): Promise<string> {
  switch (kind) {
    case 'sheet':
      return edusign.createCourse(sheetFields(payload as SheetPayload, aurigaId, ids));
    case 'learner':
      return edusign.createStudent(personFields(payload as PersonPayload, aurigaId));
    case 'instructor':
      return edusign.createProfessor(personFields(payload as PersonPayload, aurigaId));
    case 'group':
      return edusign.createGroup(groupFields(payload as GroupPayload, aurigaId, ids));
  }
}

async function update(
  edusign: EdusignPort,
  kind: EntityKind,
  edusignId: string,
  payload: Payload,
  changes: readonly string[],
  aurigaId: string,
  ids: IdIndex,
): Promise<void> {
  switch (kind) {
    case 'sheet':
      return edusign.updateCourse(
        edusignId,
        pick(sheetFields(payload as SheetPayload, aurigaId, ids), changes),
      );
    case 'learner':
      return edusign.updateStudent(
        edusignId,
        pick(personFields(payload as PersonPayload, aurigaId), changes),
      );
    case 'instructor':
      return edusign.updateProfessor(
        edusignId,
        pick(personFields(payload as PersonPayload, aurigaId), changes),
      );
    case 'group':
      return edusign.updateGroup(
        edusignId,
        pick(groupFields(payload as GroupPayload, aurigaId, ids), changes),
      );
  }
}

export function findByApiId(
  edusign: EdusignPort,
  kind: EntityKind,
  aurigaId: string,
): Promise<string | undefined> {
  switch (kind) {
    case 'sheet':
      return edusign.findCourseIdByApiId(aurigaId);
    case 'learner':
      return edusign.findStudentIdByApiId(aurigaId);
    case 'instructor':
      return edusign.findProfessorIdByApiId(aurigaId);
    case 'group':
      return edusign.findGroupIdByApiId(aurigaId);
  }
}

function describeError(error: unknown): { code: string; message: string } {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return {
    code: 'sync.unexpected',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Run `work` over `items` with at most `size` in flight; stops taking new items once aborted. */
async function pool<T>(
  items: readonly T[],
  size: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) return;
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}
