import type { EntityKind } from '../../domain/types.ts';
import { isOurs } from '../../rules/ownership.ts';
import type {
  EdusignPort,
  GroupPayload,
  PersonPayload,
  ResolvedPayload,
  SheetPayload,
  WriteOutcome,
  WriteRequest,
} from '../../sync/ports.ts';
import type { EdusignClient } from '../client.ts';
import { type EdusignErrorCode, isEdusignError } from '../errors.ts';
import type { CourseFields, GroupFields, PersonFields } from '../types.ts';
import { groupFields, personFields, pick, sheetFields } from './mapping.ts';
import { courseView, groupView, personView } from './views.ts';

/**
 * The sync's Edusign port over the v1 API: one request per write, reads by
 * listing. Edusign's errors become per-record outcomes here, once; only a
 * stopped run throws.
 */
export function createEdusignV1Port(client: EdusignClient): EdusignPort {
  const routes = routesOf(client);
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
      for (const request of requests)
        outcomes.push(await writeOne(routes, client, request, signal));
      return outcomes;
    },

    findByExternalId: (kind, aurigaId, signal) => findOurs(routes[kind], aurigaId, signal),

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
  routes: Record<EntityKind, KindRoutes>,
  client: EdusignClient,
  request: WriteRequest,
  signal: AbortSignal | undefined,
): Promise<WriteOutcome> {
  try {
    return { ok: true, edusignId: await send(routes, client, request, signal) };
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

/** The v1 routes of one kind of record, so that a write is the same few lines for all four. */
interface KindRoutes {
  fields(payload: ResolvedPayload, aurigaId: string): object;
  create(fields: object, signal?: AbortSignal): Promise<string>;
  update(id: string, fields: object, signal?: AbortSignal): Promise<void>;
  findId(apiId: string, signal?: AbortSignal): Promise<string | undefined>;
  get(
    id: string,
    signal?: AbortSignal,
  ): Promise<{ API_ID?: string | null; API_TYPE?: string | null }>;
}

function routesOf(client: EdusignClient): Record<EntityKind, KindRoutes> {
  const person = (payload: ResolvedPayload, aurigaId: string) =>
    personFields(payload as PersonPayload, aurigaId);
  return {
    sheet: {
      fields: (payload, aurigaId) => sheetFields(payload as SheetPayload, aurigaId),
      create: (fields, signal) => client.createCourse(fields as CourseFields, signal),
      update: (id, fields, signal) => client.updateCourse(id, fields, signal),
      findId: (apiId, signal) => client.findCourseIdByApiId(apiId, signal),
      get: (id, signal) => client.getCourse(id, signal),
    },
    learner: {
      fields: person,
      create: (fields, signal) => client.createStudent(fields as PersonFields, signal),
      update: (id, fields, signal) => client.updateStudent(id, fields, signal),
      findId: (apiId, signal) => client.findStudentIdByApiId(apiId, signal),
      get: (id, signal) => client.getStudent(id, signal),
    },
    instructor: {
      fields: person,
      create: (fields, signal) => client.createProfessor(fields as PersonFields, signal),
      update: (id, fields, signal) => client.updateProfessor(id, fields, signal),
      findId: (apiId, signal) => client.findProfessorIdByApiId(apiId, signal),
      get: (id, signal) => client.getProfessor(id, signal),
    },
    group: {
      fields: (payload, aurigaId) => groupFields(payload as GroupPayload, aurigaId),
      create: (fields, signal) => client.createGroup(fields as GroupFields, signal),
      update: (id, fields, signal) => client.updateGroup(id, fields, signal),
      findId: (apiId, signal) => client.findGroupIdByApiId(apiId, signal),
      get: (id, signal) => client.getGroup(id, signal),
    },
  };
}

async function send(
  routes: Record<EntityKind, KindRoutes>,
  client: EdusignClient,
  request: WriteRequest,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (request.action === 'delete') {
    await client.deleteCourse(request.edusignId, signal);
    return request.edusignId;
  }
  const kind = routes[request.kind];
  const fields = kind.fields(request.payload, request.aurigaId);
  if (request.action === 'create') return kind.create(fields, signal);
  await kind.update(request.edusignId, pick(fields, request.changes), signal);
  return request.edusignId;
}

/** Our record for this Auriga id: get-id matches API_ID alone, so its API_TYPE is checked too. */
async function findOurs(
  kind: KindRoutes,
  aurigaId: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const id = await kind.findId(aurigaId, signal);
  if (id === undefined) return undefined;
  try {
    const record = await kind.get(id, signal);
    const ref = { apiId: record.API_ID ?? null, apiType: record.API_TYPE ?? null };
    return isOurs(ref, aurigaId) ? id : undefined;
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
