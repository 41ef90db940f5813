import type { EdusignConfig } from '../config/schema.ts';
import type { RetryPolicy, Sleep } from '../http/retry.ts';
import { EdusignError, isEdusignError } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import {
  createTransport,
  type EdusignLogger,
  type EdusignStats,
  type RequestEvent,
  type RequestSpec,
} from './transport.ts';
import {
  type CourseFields,
  type EdusignAbsenceReason,
  type EdusignCourse,
  type EdusignGroup,
  type EdusignProfessor,
  type EdusignStudent,
  expandCourseFields,
  type GroupFields,
  type PersonFields,
} from './types.ts';

/**
 * The Edusign v1 client (edusign-api.md). Every method may throw an
 * `EdusignError`; see errors.ts for the codes and transport.ts for retries.
 * Each method takes an optional AbortSignal that cuts it short.
 */
export interface EdusignClient {
  /**
   * Returns the new course's ID. May throw `edusign.outcome_unknown` (the
   * answer was lost): resolve it with `findCourseIdByApiId`. So do creates of
   * the other kinds. `edusign.bad_response` on a create (a proxy's HTML page)
   * is not retried either; a careful caller looks the record up the same way.
   */
  createCourse(fields: CourseFields, signal?: AbortSignal): Promise<string>;
  getCourse(id: string, signal?: AbortSignal): Promise<EdusignCourse>;
  /** Undefined when Edusign has no course with this API_ID. */
  findCourseIdByApiId(apiId: string, signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Courses between two days (`YYYY-MM-DD`, both included), all pages. Ranges
   * over 90 days are asked in pieces (Edusign's limit) and merged by ID.
   */
  listCourses(
    query: { start: string; end: string; filter?: 'locked' | 'unlocked' },
    signal?: AbortSignal,
  ): Promise<EdusignCourse[]>;
  /** Sends only the fields given; `professors`, when given, replaces the instructors. */
  updateCourse(id: string, fields: Partial<CourseFields>, signal?: AbortSignal): Promise<void>;
  /** A locked course throws `edusign.course_locked`. */
  deleteCourse(id: string, signal?: AbortSignal): Promise<void>;
  /** Adds one learner; `edusign.student_already_in_list` when already there. */
  addStudentToCourse(courseId: string, studentId: string, signal?: AbortSignal): Promise<void>;
  removeStudentFromCourse(courseId: string, studentId: string, signal?: AbortSignal): Promise<void>;

  createStudent(fields: PersonFields, signal?: AbortSignal): Promise<string>;
  getStudent(id: string, signal?: AbortSignal): Promise<EdusignStudent>;
  findStudentByEmail(email: string, signal?: AbortSignal): Promise<EdusignStudent | undefined>;
  findStudentIdByApiId(apiId: string, signal?: AbortSignal): Promise<string | undefined>;
  updateStudent(id: string, fields: Partial<PersonFields>, signal?: AbortSignal): Promise<void>;
  listStudents(
    query?: { updatedAfter?: string; search?: string },
    signal?: AbortSignal,
  ): Promise<EdusignStudent[]>;

  /** Sends `dontSendCredentials: true`; `edusign.professor_exists` for a known email. */
  createProfessor(fields: PersonFields, signal?: AbortSignal): Promise<string>;
  getProfessor(id: string, signal?: AbortSignal): Promise<EdusignProfessor>;
  findProfessorByEmail(email: string, signal?: AbortSignal): Promise<EdusignProfessor | undefined>;
  findProfessorIdByApiId(apiId: string, signal?: AbortSignal): Promise<string | undefined>;
  updateProfessor(id: string, fields: Partial<PersonFields>, signal?: AbortSignal): Promise<void>;
  listProfessors(signal?: AbortSignal): Promise<EdusignProfessor[]>;

  createGroup(fields: GroupFields, signal?: AbortSignal): Promise<string>;
  getGroup(id: string, signal?: AbortSignal): Promise<EdusignGroup>;
  findGroupIdByApiId(apiId: string, signal?: AbortSignal): Promise<string | undefined>;
  /** `STUDENTS`, when given, replaces the whole membership. */
  updateGroup(id: string, fields: Partial<GroupFields>, signal?: AbortSignal): Promise<void>;
  deleteGroup(id: string, signal?: AbortSignal): Promise<void>;
  listGroups(signal?: AbortSignal): Promise<EdusignGroup[]>;

  absenceReasons(signal?: AbortSignal): Promise<EdusignAbsenceReason[]>;

  /** Counters since the client was made (a snapshot). */
  stats(): EdusignStats;
}

export interface EdusignClientDeps {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Overrides of DEFAULT_RETRY_POLICY (tests use small delays). */
  readonly retry?: Partial<RetryPolicy>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Waits between retries. @default a real timer */
  readonly sleep?: Sleep;
  /** Jitter source. @default Math.random */
  readonly random?: () => number;
  readonly logger?: EdusignLogger;
  /** Called after every HTTP attempt (metrics). */
  readonly onRequest?: (event: RequestEvent) => void;
  /** Requests the rate limiter lets go at once. @default one second's worth */
  readonly burst?: number;
}

/** Edusign's page sizes (edusign-api.md); a shorter page is the last. */
const COURSE_PAGE = 40;
const PROFESSOR_PAGE = 100;
/** We choose the students' page size (`limit`); Edusign's own default is smaller. */
const STUDENT_PAGE = 100;
/** Edusign refuses course ranges longer than this. */
const MAX_RANGE_DAYS = 90;
/** A safety stop against a server that ignores `page` (same page forever). */
const MAX_PAGES = 2000;
const DAY_MS = 86_400_000;

export function createEdusignClient(
  config: Pick<EdusignConfig, 'baseUrl' | 'token' | 'requestsPerMinute' | 'timeoutMs'>,
  deps: EdusignClientDeps = {},
): EdusignClient {
  const limiter = new RateLimiter({
    requestsPerMinute: config.requestsPerMinute,
    ...(deps.burst === undefined ? {} : { burst: deps.burst }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  const transport = createTransport({
    baseUrl: config.baseUrl,
    token: config.token,
    timeoutMs: config.timeoutMs,
    limiter,
    fetch: deps.fetch,
    retry: deps.retry,
    now: deps.now,
    sleep: deps.sleep,
    random: deps.random,
    logger: deps.logger,
    onRequest: deps.onRequest,
  });
  const call = (spec: RequestSpec) => transport.request(spec);
  const seg = encodeURIComponent;

  /** `{ID, id}` of a create or a get-id. */
  function idOf(route: string, result: unknown): string {
    const id =
      (result as { ID?: unknown; id?: unknown } | null)?.ID ??
      (result as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id !== '') return id;
    if (typeof id === 'number') return String(id);
    throw shapeError(route, 'an ID');
  }

  function entity<T extends { ID: string }>(route: string, result: unknown): T {
    if (typeof result !== 'object' || result === null || Array.isArray(result))
      throw shapeError(route, 'a record');
    return { ...(result as object), ID: idOf(route, result) } as T;
  }

  function list<T extends { ID: string }>(route: string, result: unknown): T[] {
    if (!Array.isArray(result)) throw shapeError(route, 'a list');
    return result.map((item) => entity<T>(route, item));
  }

  /** Not-found answers become undefined; any other error still throws. */
  async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (error) {
      if (isEdusignError(error, 'edusign.not_found')) return undefined;
      throw error;
    }
  }

  /**
   * All pages of a list, from page 0. With a known page size a short page is
   * the last; without, the first page's length is taken as the size (one
   * extra, empty page at most).
   */
  async function pages<T extends { ID: string }>(
    spec: Omit<RequestSpec, 'query'> & { query?: Record<string, string | number | undefined> },
    pageSize: number | undefined,
  ): Promise<T[]> {
    const name = `${spec.method} ${spec.route}`;
    const all: T[] = [];
    let size = pageSize;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const items = list<T>(name, await call({ ...spec, query: { ...spec.query, page } }));
      all.push(...items);
      if (items.length === 0) return all;
      size ??= items.length;
      if (items.length < size) return all;
    }
    throw new EdusignError(
      'edusign.bad_response',
      `Edusign's ${name} gave more than ${MAX_PAGES} pages: it seems to ignore the page number`,
      { route: name },
    );
  }

  async function findId(
    route: string,
    path: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const result = await orUndefined(call({ method: 'GET', route, path, signal }));
    return result === undefined || result === null ? undefined : idOf(`GET ${route}`, result);
  }

  async function findByEmail<T extends { ID: string }>(
    route: string,
    path: string,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    const result = await orUndefined(call({ method: 'GET', route, path, signal }));
    if (result === undefined || result === null) return undefined;
    // Two learners may share an email on Edusign: take the first it gives.
    if (Array.isArray(result)) {
      const first = list<T>(`GET ${route}`, result)[0];
      return first;
    }
    return entity<T>(`GET ${route}`, result);
  }

  const create = async (
    route: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<string> =>
    idOf(
      `POST ${route}`,
      await call({ method: 'POST', route, path: route, body, creates: true, signal }),
    );

  const write = async (spec: RequestSpec): Promise<void> => {
    await call(spec);
  };

  const get = async <T extends { ID: string }>(
    route: string,
    path: string,
    signal?: AbortSignal,
  ): Promise<T> => entity<T>(`GET ${route}`, await call({ method: 'GET', route, path, signal }));

  return {
    createCourse: (fields, signal) =>
      create('/v1/course', { course: expandCourseFields(fields, false) }, signal),
    getCourse: (id, signal) =>
      get<EdusignCourse>('/v1/course/:id', `/v1/course/${seg(id)}`, signal),
    findCourseIdByApiId: (apiId, signal) =>
      findId('/v1/course/get-id/:apiId', `/v1/course/get-id/${seg(apiId)}`, signal),
    async listCourses({ start, end, filter }, signal) {
      const byId = new Map<string, EdusignCourse>();
      for (const [from, to] of splitRange(start, end)) {
        const courses = await pages<EdusignCourse>(
          {
            method: 'GET',
            route: '/v1/course',
            path: '/v1/course',
            query: { start: from, end: to, filters: filter },
            signal,
          },
          COURSE_PAGE,
        );
        for (const course of courses) if (!byId.has(course.ID)) byId.set(course.ID, course);
      }
      return [...byId.values()];
    },
    updateCourse: (id, fields, signal) =>
      write({
        method: 'PATCH',
        route: '/v1/course',
        path: '/v1/course',
        body: { course: { ...expandCourseFields(fields, true), ID: id }, editSurveys: false },
        signal,
      }),
    deleteCourse: (id, signal) =>
      write({
        method: 'DELETE',
        route: '/v1/course/:id',
        path: `/v1/course/${seg(id)}`,
        deletes: true,
        signal,
      }),
    addStudentToCourse: (courseId, studentId, signal) =>
      write({
        method: 'PUT',
        route: '/v1/course/attendance/:courseId',
        path: `/v1/course/attendance/${seg(courseId)}`,
        body: { studentId },
        signal,
      }),
    removeStudentFromCourse: (courseId, studentId, signal) =>
      write({
        method: 'DELETE',
        route: '/v1/course/attendance/:courseId',
        path: `/v1/course/attendance/${seg(courseId)}`,
        body: { studentId },
        signal,
      }),

    createStudent: (fields, signal) => create('/v1/student', { student: fields }, signal),
    getStudent: (id, signal) =>
      get<EdusignStudent>('/v1/student/:id', `/v1/student/${seg(id)}`, signal),
    findStudentByEmail: (email, signal) =>
      findByEmail<EdusignStudent>(
        '/v1/student/by-email/:email',
        `/v1/student/by-email/${seg(email)}`,
        signal,
      ),
    findStudentIdByApiId: (apiId, signal) =>
      findId('/v1/student/get-id/:apiId', `/v1/student/get-id/${seg(apiId)}`, signal),
    updateStudent: (id, fields, signal) =>
      write({
        method: 'PATCH',
        route: '/v1/student',
        path: '/v1/student',
        body: { student: { ...fields, ID: id } },
        signal,
      }),
    listStudents: (query = {}, signal) =>
      pages<EdusignStudent>(
        {
          method: 'GET',
          route: '/v1/student',
          path: '/v1/student',
          query: { limit: STUDENT_PAGE, updatedAfter: query.updatedAfter, search: query.search },
          signal,
        },
        STUDENT_PAGE,
      ),

    createProfessor: (fields, signal) =>
      create('/v1/professor', { professor: fields, dontSendCredentials: true }, signal),
    getProfessor: (id, signal) =>
      get<EdusignProfessor>('/v1/professor/:id', `/v1/professor/${seg(id)}`, signal),
    findProfessorByEmail: (email, signal) =>
      findByEmail<EdusignProfessor>(
        '/v1/professor/by-email/:email',
        `/v1/professor/by-email/${seg(email)}`,
        signal,
      ),
    findProfessorIdByApiId: (apiId, signal) =>
      findId('/v1/professor/get-id/:apiId', `/v1/professor/get-id/${seg(apiId)}`, signal),
    updateProfessor: (id, fields, signal) =>
      write({
        method: 'PATCH',
        route: '/v1/professor',
        path: '/v1/professor',
        body: { professor: { ...fields, ID: id } },
        signal,
      }),
    listProfessors: (signal) =>
      pages<EdusignProfessor>(
        { method: 'GET', route: '/v1/professor', path: '/v1/professor', signal },
        PROFESSOR_PAGE,
      ),

    createGroup: (fields, signal) => create('/v1/group', { group: fields }, signal),
    getGroup: (id, signal) => get<EdusignGroup>('/v1/group/:id', `/v1/group/${seg(id)}`, signal),
    findGroupIdByApiId: (apiId, signal) =>
      findId('/v1/group/get-id/:apiId', `/v1/group/get-id/${seg(apiId)}`, signal),
    updateGroup: (id, fields, signal) =>
      write({
        method: 'PATCH',
        route: '/v1/group',
        path: '/v1/group',
        body: { group: { ...fields, ID: id } },
        signal,
      }),
    deleteGroup: (id, signal) =>
      write({
        method: 'DELETE',
        route: '/v1/group/:id',
        path: `/v1/group/${seg(id)}`,
        deletes: true,
        signal,
      }),
    listGroups: (signal) =>
      pages<EdusignGroup>(
        { method: 'GET', route: '/v1/group', path: '/v1/group', signal },
        undefined,
      ),

    async absenceReasons(signal) {
      const route = '/v1/justified-absence/absence-reason';
      return list<EdusignAbsenceReason>(
        `GET ${route}`,
        await call({ method: 'GET', route, path: route, signal }),
      ).map(({ ID, NAME }) => ({ ID, NAME: String(NAME) }));
    },

    stats: () => transport.stats(),
  };
}

function shapeError(route: string, expected: string): EdusignError {
  return new EdusignError(
    'edusign.bad_response',
    `Edusign's ${route} answered without ${expected} where one was expected: the API may have changed; report it with this message`,
    { route },
  );
}

/**
 * `[start, end]` (days, both included) in pieces at most 90 days apart. The
 * pieces share their boundary day: whether Edusign reads `end` as included or
 * not, no day is missed (the overlap is merged by ID).
 */
export function splitRange(start: string, end: string): Array<[string, string]> {
  const from = parseDay(start, 'start');
  const to = parseDay(end, 'end');
  if (to < from) throw new RangeError(`listCourses: end ${end} is before start ${start}`);
  const pieces: Array<[string, string]> = [];
  let cursor = from;
  for (;;) {
    const pieceEnd = Math.min(to, cursor + MAX_RANGE_DAYS * DAY_MS);
    pieces.push([formatDay(cursor), formatDay(pieceEnd)]);
    if (pieceEnd >= to) return pieces;
    cursor = pieceEnd;
  }
}

function parseDay(day: string, which: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms))
    throw new RangeError(`listCourses: ${which} must be YYYY-MM-DD, got "${day}"`);
  return ms;
}

const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
