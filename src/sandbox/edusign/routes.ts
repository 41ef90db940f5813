import type { FastifyInstance, FastifyRequest } from 'fastify';
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

/** Every v1 route of the contract (docs: the Edusign API contract (edusign-api.md)). */
export const V1_ROUTES: readonly V1Route[] = Object.freeze([
  // Courses (attendance sheets)
  {
    method: 'POST',
    url: '/v1/course',
    handle: (s, i) => s.courses.create(wrapped(i.body, 'course')),
  },
  { method: 'GET', url: '/v1/course', handle: (s, i) => s.courses.list(i.query) },
  {
    method: 'GET',
    url: '/v1/course/get-id/:apiId',
    handle: (s, i) => s.courses.idByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/course/:id', handle: (s, i) => s.courses.get(param(i, 'id')) },
  {
    method: 'PATCH',
    url: '/v1/course',
    handle: (s, i) => s.courses.patch(wrapped(i.body, 'course')),
  },
  { method: 'DELETE', url: '/v1/course/:id', handle: (s, i) => s.courses.delete(param(i, 'id')) },
  {
    method: 'PUT',
    url: '/v1/course/attendance/:courseId',
    handle: (s, i) => s.courses.addAttendance(param(i, 'courseId'), i.body),
  },
  {
    method: 'DELETE',
    url: '/v1/course/attendance/:courseId',
    handle: (s, i) => s.courses.removeAttendance(param(i, 'courseId'), i.body),
  },
  // Students (learners)
  {
    method: 'POST',
    url: '/v1/student',
    handle: (s, i) => s.students.create(wrapped(i.body, 'student')),
  },
  { method: 'GET', url: '/v1/student', handle: (s, i) => s.students.list(i.query) },
  {
    method: 'GET',
    url: '/v1/student/by-email/:email',
    handle: (s, i) => s.students.byEmail(param(i, 'email')),
  },
  {
    method: 'GET',
    url: '/v1/student/get-id/:apiId',
    handle: (s, i) => s.students.idByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/student/:id', handle: (s, i) => s.students.get(param(i, 'id')) },
  {
    method: 'PATCH',
    url: '/v1/student',
    handle: (s, i) => s.students.patch(wrapped(i.body, 'student')),
  },
  {
    method: 'DELETE',
    url: '/v1/student/:id',
    handle: (s, i) => s.students.archive(param(i, 'id')),
  },
  // Professors (instructors)
  {
    method: 'POST',
    url: '/v1/professor',
    handle: (s, i) => s.professors.create(wrapped(i.body, 'professor')),
  },
  { method: 'GET', url: '/v1/professor', handle: (s, i) => s.professors.list(i.query) },
  {
    method: 'GET',
    url: '/v1/professor/by-email/:email',
    handle: (s, i) => s.professors.byEmail(param(i, 'email')),
  },
  {
    method: 'GET',
    url: '/v1/professor/get-id/:apiId',
    handle: (s, i) => s.professors.idByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/professor/:id', handle: (s, i) => s.professors.get(param(i, 'id')) },
  {
    method: 'PATCH',
    url: '/v1/professor',
    handle: (s, i) => s.professors.patch(wrapped(i.body, 'professor')),
  },
  // Groups
  { method: 'POST', url: '/v1/group', handle: (s, i) => s.groups.create(wrapped(i.body, 'group')) },
  { method: 'GET', url: '/v1/group', handle: (s, i) => s.groups.list(i.query) },
  {
    method: 'GET',
    url: '/v1/group/get-id/:apiId',
    handle: (s, i) => s.groups.idByApiId(param(i, 'apiId')),
  },
  { method: 'GET', url: '/v1/group/:id', handle: (s, i) => s.groups.get(param(i, 'id')) },
  { method: 'PATCH', url: '/v1/group', handle: (s, i) => s.groups.patch(wrapped(i.body, 'group')) },
  { method: 'DELETE', url: '/v1/group/:id', handle: (s, i) => s.groups.delete(param(i, 'id')) },
  // Absences
  {
    method: 'GET',
    url: '/v1/justified-absence/absence-reason',
    handle: (s) => s.absences.absenceReasons(),
  },
  {
    method: 'GET',
    url: '/v1/justified-absence',
    handle: (s, i) => s.absences.listJustified(i.query),
  },
] satisfies V1Route[]);

/** Edusign's envelope: business errors are HTTP 200 too, told apart by `status`. */
export function envelope(outcome: Outcome<unknown>): object {
  return outcome.ok
    ? { status: 'success', result: outcome.value }
    : { status: 'error', message: outcome.message };
}

/** Every v1 route, each request answered from the account `schoolOf` names for it. */
export function registerV1Routes(
  app: FastifyInstance,
  schoolOf: (request: FastifyRequest) => EdusignSchool,
): void {
  for (const route of V1_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request) =>
        envelope(
          route.handle(schoolOf(request), {
            params: (request.params ?? {}) as Record<string, string>,
            query: (request.query ?? {}) as Record<string, unknown>,
            body: request.body,
          }),
        ),
    });
  }
}
