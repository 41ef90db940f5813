import type { EntityKind } from '../../domain/types.ts';
import { isOurs } from '../../rules/ownership.ts';
import type {
  EdusignPort,
  GroupPayload,
  PersonPayload,
  SheetPayload,
  WriteOutcome,
  WriteRequest,
} from '../../sync/ports.ts';
import type { EdusignClient } from '../client.ts';
import { type EdusignErrorCode, isEdusignError } from '../errors.ts';
import { groupFields, personFields, pick, sheetFields } from './mapping.ts';
import { courseView, groupView, personView } from './views.ts';

/**
 * The sync's Edusign port over the v1 API: one request per write, reads by
 * listing. Edusign's errors become per-record outcomes here, once; only a
 * stopped run throws.
 */
export function createEdusignV1Port(client: EdusignClient): EdusignPort {
  return {
    maxBatch: 1,

    async look(query, signal) {
      const [courses, students, professors, groups] = await Promise.all([
        client.listCourses(
          { start: shiftDay(query.firstDay, -1), end: shiftDay(query.lastDay, 1) },
          signal,
        ),
        query.students ? client.listStudents({}, signal) : undefined,
        query.professors ? client.listProfessors(signal) : undefined,
        query.groups ? client.listGroups(signal) : undefined,
      ]);
      return {
        courses: courses.map(courseView),
        students: students?.map(personView),
        professors: professors?.map(personView),
        groups: groups?.map(groupView),
      };
    },

    async write(requests, signal) {
      const outcomes: WriteOutcome[] = [];
      for (const request of requests) outcomes.push(await writeOne(client, request, signal));
      return outcomes;
    },

    async findByExternalId(kind, aurigaId, signal) {
      const id = await findId(client, kind, aurigaId, signal);
      if (id === undefined) return undefined;
      // get-id matches API_ID alone: make sure the record is ours, not another tool's.
      const record = await getRecord(client, kind, id, signal);
      return record && isOurs(record, aurigaId) ? id : undefined;
    },

    async getCourse(edusignId, signal) {
      try {
        return courseView(await client.getCourse(edusignId, signal));
      } catch (error) {
        if (isEdusignError(error, 'edusign.not_found')) return undefined;
        throw error;
      }
    },
  };
}

const REASONS: Partial<Record<EdusignErrorCode, Exclude<WriteOutcome, { ok: true }>['reason']>> = {
  'edusign.course_locked': 'locked',
  'edusign.not_found': 'not_found',
  'edusign.outcome_unknown': 'outcome_unknown',
};

async function writeOne(
  client: EdusignClient,
  request: WriteRequest,
  signal: AbortSignal | undefined,
): Promise<WriteOutcome> {
  try {
    return { ok: true, edusignId: await send(client, request, signal) };
  } catch (error) {
    if (signal?.aborted && !isEdusignError(error, 'edusign.outcome_unknown')) throw error;
    if (isEdusignError(error))
      return {
        ok: false,
        reason: REASONS[error.code] ?? 'refused',
        code: error.code,
        message: error.message,
      };
    if (signal?.aborted) throw error;
    return {
      ok: false,
      reason: 'refused',
      code: 'sync.unexpected',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

async function send(
  client: EdusignClient,
  request: WriteRequest,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { kind, aurigaId } = request;
  if (request.action === 'delete') {
    await client.deleteCourse(request.edusignId, signal);
    return request.edusignId;
  }
  const payload = request.payload;
  if (request.action === 'create') {
    switch (kind) {
      case 'sheet':
        return client.createCourse(sheetFields(payload as SheetPayload, aurigaId), signal);
      case 'learner':
        return client.createStudent(personFields(payload as PersonPayload, aurigaId), signal);
      case 'instructor':
        return client.createProfessor(personFields(payload as PersonPayload, aurigaId), signal);
      case 'group':
        return client.createGroup(groupFields(payload as GroupPayload, aurigaId), signal);
    }
  }
  const { edusignId, changes } = request;
  switch (kind) {
    case 'sheet':
      await client.updateCourse(
        edusignId,
        pick(sheetFields(payload as SheetPayload, aurigaId), changes),
        signal,
      );
      break;
    case 'learner':
      await client.updateStudent(
        edusignId,
        pick(personFields(payload as PersonPayload, aurigaId), changes),
        signal,
      );
      break;
    case 'instructor':
      await client.updateProfessor(
        edusignId,
        pick(personFields(payload as PersonPayload, aurigaId), changes),
        signal,
      );
      break;
    case 'group':
      await client.updateGroup(
        edusignId,
        pick(groupFields(payload as GroupPayload, aurigaId), changes),
        signal,
      );
      break;
  }
  return edusignId;
}

function findId(
  client: EdusignClient,
  kind: EntityKind,
  aurigaId: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  switch (kind) {
    case 'sheet':
      return client.findCourseIdByApiId(aurigaId, signal);
    case 'learner':
      return client.findStudentIdByApiId(aurigaId, signal);
    case 'instructor':
      return client.findProfessorIdByApiId(aurigaId, signal);
    case 'group':
      return client.findGroupIdByApiId(aurigaId, signal);
  }
}

async function getRecord(
  client: EdusignClient,
  kind: EntityKind,
  id: string,
  signal: AbortSignal | undefined,
): Promise<{ apiId: string | null; apiType: string | null } | undefined> {
  try {
    const record =
      kind === 'sheet'
        ? await client.getCourse(id, signal)
        : kind === 'learner'
          ? await client.getStudent(id, signal)
          : kind === 'instructor'
            ? await client.getProfessor(id, signal)
            : await client.getGroup(id, signal);
    return { apiId: record.API_ID ?? null, apiType: record.API_TYPE ?? null };
  } catch (error) {
    if (isEdusignError(error, 'edusign.not_found')) return undefined;
    throw error;
  }
}

function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
