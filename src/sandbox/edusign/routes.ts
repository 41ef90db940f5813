import type { FastifyInstance } from 'fastify';
import { wrapped } from './fields.ts';
import type { EdusignSchool, Outcome } from './school.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

interface V1Route {
  readonly method: Method;
  readonly url: string;
  readonly handle: (school: EdusignSchool, input: RouteInput) => Outcome<unknown>;
}

const param = (input: RouteInput, name: string): string => input.params[name] ?? '';

/** Every v1 route of the contract (docs: /work/shared/spec/edusign-api.md). */
export const V1_ROUTES: readonly V1Route[] = Object.freeze([
  // Courses (attendance sheets)
  {
    method: 'POST',
    url: '/v1/course',
    handle: (s, i) => s.createCourse(wrapped(i.body, 'course')),
  },
  { method: 'GET', url: '/v1/course', handle: (s, i) => s.listCourses(i.query) },
  {
    method: 'GET',
    url: '/v1/course/get-id/:apiId',
    handle: (s, i) => s.courseIdByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/course/:id', handle: (s, i) => s.getCourse(param(i, 'id')) },
  {
    method: 'PATCH',
    url: '/v1/course',
    handle: (s, i) => s.patchCourse(wrapped(i.body, 'course')),
  },
  { method: 'DELETE', url: '/v1/course/:id', handle: (s, i) => s.deleteCourse(param(i, 'id')) },
  {
    method: 'PUT',
    url: '/v1/course/attendance/:courseId',
    handle: (s, i) => s.addAttendance(param(i, 'courseId'), i.body),
  },
  {
    method: 'DELETE',
    url: '/v1/course/attendance/:courseId',
    handle: (s, i) => s.removeAttendance(param(i, 'courseId'), i.body),
  },
  // Students (learners)
  {
    method: 'POST',
    url: '/v1/student',
    handle: (s, i) => s.createStudent(wrapped(i.body, 'student')),
  },
  { method: 'GET', url: '/v1/student', handle: (s, i) => s.listStudents(i.query) },
  {
    method: 'GET',
    url: '/v1/student/by-email/:email',
    handle: (s, i) => s.studentByEmail(param(i, 'email')),
  },
  {
    method: 'GET',
    url: '/v1/student/get-id/:apiId',
    handle: (s, i) => s.studentIdByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/student/:id', handle: (s, i) => s.getStudent(param(i, 'id')) },
  {
    method: 'PATCH',
    url: '/v1/student',
    handle: (s, i) => s.patchStudent(wrapped(i.body, 'student')),
  },
  { method: 'DELETE', url: '/v1/student/:id', handle: (s, i) => s.archiveStudent(param(i, 'id')) },
  // Professors (instructors)
  {
    method: 'POST',
    url: '/v1/professor',
    handle: (s, i) => s.createProfessor(wrapped(i.body, 'professor')),
  },
  { method: 'GET', url: '/v1/professor', handle: (s, i) => s.listProfessors(i.query) },
  {
    method: 'GET',
    url: '/v1/professor/by-email/:email',
    handle: (s, i) => s.professorByEmail(param(i, 'email')),
  },
  {
    method: 'GET',
    url: '/v1/professor/get-id/:apiId',
    handle: (s, i) => s.professorIdByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/professor/:id', handle: (s, i) => s.getProfessor(param(i, 'id')) },
  {
    method: 'PATCH',
    url: '/v1/professor',
    handle: (s, i) => s.patchProfessor(wrapped(i.body, 'professor')),
  },
  // Groups
  { method: 'POST', url: '/v1/group', handle: (s, i) => s.createGroup(wrapped(i.body, 'group')) },
  { method: 'GET', url: '/v1/group', handle: (s, i) => s.listGroups(i.query) },
  {
    method: 'GET',
    url: '/v1/group/get-id/:apiId',
    handle: (s, i) => s.groupIdByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/group/:id', handle: (s, i) => s.getGroup(param(i, 'id')) },
  { method: 'PATCH', url: '/v1/group', handle: (s, i) => s.patchGroup(wrapped(i.body, 'group')) },
  { method: 'DELETE', url: '/v1/group/:id', handle: (s, i) => s.deleteGroup(param(i, 'id')) },
  // Absences
  {
    method: 'GET',
    url: '/v1/justified-absence/absence-reason',
    handle: (s) => s.absenceReasons(),
  },
  {
    method: 'GET',
    url: '/v1/justified-absence',
    handle: (s, i) => s.listJustifiedAbsences(i.query),
  },
] satisfies V1Route[]);

/** Edusign's envelope: business errors are HTTP 200 too, told apart by `status`. */
export function envelope(outcome: Outcome<unknown>): object {
  return outcome.ok
    ? { status: 'success', result: outcome.value }
    : { status: 'error', message: outcome.message };
}

export function registerV1Routes(app: FastifyInstance, school: EdusignSchool): void {
  for (const route of V1_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request) =>
        envelope(
          route.handle(school, {
            params: (request.params ?? {}) as Record<string, string>,
            query: (request.query ?? {}) as Record<string, unknown>,
            body: request.body,
          }),
        ),
    });
  }
}
