import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  createEdusignClient,
  type EdusignClient,
  type EdusignClientDeps,
} from '../src/edusign/client.ts';
import { EdusignError, type EdusignErrorCode } from '../src/edusign/errors.ts';
import { type CourseFields, courseProfessors } from '../src/edusign/types.ts';
import { type EdusignSandbox, startEdusignSandbox } from '../src/sandbox/edusign/index.ts';

/*
 * The Edusign client over real HTTP against the Edusign sandbox
 * (src/sandbox/edusign): CRUD, error translation, retries and lost answers,
 * paging, the client-side rate limit, and the token kept out of errors.
 */

const TOKEN = 'client-test-token-5f0c9e2b7a';
let sandbox: EdusignSandbox;

/** Small retry delays: the tests stage failures, not real outages. */
const FAST_RETRY = { retries: 3, baseDelayMs: 5, maxDelayMs: 1000, jitter: 0 };

function client(
  overrides: Partial<{ token: string; requestsPerMinute: number; timeoutMs: number }> = {},
  deps: EdusignClientDeps = {},
): EdusignClient {
  return createEdusignClient(
    {
      baseUrl: sandbox.url,
      token: TOKEN,
      requestsPerMinute: 60_000,
      timeoutMs: 5000,
      ...overrides,
    },
    { retry: FAST_RETRY, ...deps },
  );
}

async function rejection(promise: Promise<unknown>, code: EdusignErrorCode): Promise<EdusignError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EdusignError, `expected an EdusignError, got ${inspect(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(!inspect(error, { depth: 10 }).includes(TOKEN), 'the token shows in the error');
    return error;
  }
  assert.fail(`expected ${code}`);
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

function person(prefix: string) {
  const n = unique(prefix);
  return { FIRSTNAME: 'Karole', LASTNAME: `GRIMAUD ${n}`, EMAIL: `${n}@school.example`, API_ID: n };
}

function course(professor: string, extra: Partial<CourseFields> = {}): CourseFields {
  return {
    NAME: 'Lecture § Digital Ethics',
    START: '2026-12-01T08:30:00.000Z',
    END: '2026-12-01T10:30:00.000Z',
    professors: [professor],
    NEED_STUDENTS_SIGNATURE: true,
    API_ID: unique('intervention'),
    API_TYPE: 'auriga-edusign',
    ...extra,
  };
}

before(async () => {
  sandbox = await startEdusignSandbox({
    token: TOKEN,
    // The sandbox's own 480-a-minute pacing would slow the paging setup down.
    rateLimit: { requests: 100_000, windowMs: 60_000 },
    faults: { retryAfterSeconds: 0.3 },
  });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.setOptions({ account: 'ok', forbiddenRoutes: [], token: TOKEN });
});

describe('Edusign client against the sandbox', () => {
  test('courses: create, get, find by API_ID, update, delete', async () => {
    const edusign = client();
    const p1 = await edusign.createProfessor(person('prof'));
    const p2 = await edusign.createProfessor(person('prof'));
    const s1 = await edusign.createStudent(person('learner'));
    const group = await edusign.createGroup({ NAME: 'M1 Data', STUDENTS: [s1] });
    const fields = course(p1, {
      professors: [p1, p2],
      STUDENTS: [s1],
      SCHOOL_GROUP: [group],
      CLASSROOM: 'Classroom 210',
      DESCRIPTION: 'Session 3',
    });
    const id = await edusign.createCourse(fields);

    const created = await edusign.getCourse(id);
    assert.equal(created.ID, id);
    assert.equal(created.NAME, fields.NAME);
    assert.equal(created.START, fields.START);
    assert.deepEqual(courseProfessors(created), [p1, p2]);
    assert.deepEqual(
      created.STUDENTS?.map((s) => s.studentId),
      [s1],
    );
    assert.equal(await edusign.findCourseIdByApiId(fields.API_ID ?? ''), id);
    assert.equal(await edusign.findCourseIdByApiId('no-such-intervention'), undefined);

    await edusign.updateCourse(id, { NAME: 'Renamed', professors: [p2], DESCRIPTION: null });
    const updated = await edusign.getCourse(id);
    assert.equal(updated.NAME, 'Renamed');
    assert.deepEqual(courseProfessors(updated), [p2]);
    assert.equal(updated.DESCRIPTION, null);
    assert.equal(updated.CLASSROOM, 'Classroom 210', 'a field not named is left alone');

    await edusign.deleteCourse(id);
    await rejection(edusign.getCourse(id), 'edusign.not_found');
    assert.equal(await edusign.findCourseIdByApiId(fields.API_ID ?? ''), undefined);
  });

  test('attendance: add, already in the list, remove', async () => {
    const edusign = client();
    const prof = await edusign.createProfessor(person('prof'));
    const learner = await edusign.createStudent(person('learner'));
    const id = await edusign.createCourse(course(prof));
    await edusign.addStudentToCourse(id, learner);
    await rejection(edusign.addStudentToCourse(id, learner), 'edusign.student_already_in_list');
    await edusign.removeStudentFromCourse(id, learner);
    assert.deepEqual((await edusign.getCourse(id)).STUDENTS, []);
  });

  test('learners: create, get, find by email and API_ID, update, list', async () => {
    const edusign = client();
    const fields = person('learner');
    const id = await edusign.createStudent(fields);
    assert.equal((await edusign.getStudent(id)).EMAIL, fields.EMAIL);
    assert.equal((await edusign.findStudentByEmail(fields.EMAIL))?.ID, id);
    assert.equal(await edusign.findStudentByEmail('nobody+x@school.example'), undefined);
    assert.equal(await edusign.findStudentIdByApiId(fields.API_ID), id);
    assert.equal(await edusign.findStudentIdByApiId('nobody'), undefined);
    await edusign.updateStudent(id, { LASTNAME: 'MARTIN' });
    const updated = await edusign.getStudent(id);
    assert.equal(updated.LASTNAME, 'MARTIN');
    assert.equal(updated.FIRSTNAME, fields.FIRSTNAME);
    const all = await edusign.listStudents();
    assert.ok(all.some((s) => s.ID === id));
  });

  test('instructors: create, known email refused, find, update, list', async () => {
    const edusign = client();
    const fields = person('prof');
    const id = await edusign.createProfessor(fields);
    await rejection(edusign.createProfessor(fields), 'edusign.professor_exists');
    assert.equal((await edusign.getProfessor(id)).LASTNAME, fields.LASTNAME);
    assert.equal((await edusign.findProfessorByEmail(fields.EMAIL))?.ID, id);
    assert.equal(await edusign.findProfessorByEmail('nobody@school.example'), undefined);
    assert.equal(await edusign.findProfessorIdByApiId(fields.API_ID), id);
    assert.equal(await edusign.findProfessorIdByApiId('nobody'), undefined);
    await edusign.updateProfessor(id, { EMAIL: `new-${fields.EMAIL}` });
    assert.equal((await edusign.getProfessor(id)).EMAIL, `new-${fields.EMAIL}`);
    assert.ok((await edusign.listProfessors()).some((p) => p.ID === id));
    // Found by the email Edusign already had: adopted, not duplicated.
    const byHand = sandbox.createProfessor({
      FIRSTNAME: 'Ann',
      LASTNAME: 'HAND',
      EMAIL: 'hand@school.example',
    });
    assert.equal((await edusign.findProfessorByEmail('hand@school.example'))?.ID, byHand);
  });

  test('groups: create, find, replace members, delete, list', async () => {
    const edusign = client();
    const a = await edusign.createStudent(person('learner'));
    const b = await edusign.createStudent(person('learner'));
    const apiId = unique('group');
    const id = await edusign.createGroup({
      NAME: 'M1',
      DESCRIPTION: 'M1-2026',
      STUDENTS: [a],
      API_ID: apiId,
    });
    assert.equal(await edusign.findGroupIdByApiId(apiId), id);
    await edusign.updateGroup(id, { STUDENTS: [b] });
    assert.deepEqual((await edusign.getGroup(id)).STUDENTS, [b]);
    assert.ok((await edusign.listGroups()).some((g) => g.ID === id));
    await edusign.deleteGroup(id);
    assert.equal(await edusign.findGroupIdByApiId(apiId), undefined);
  });

  test('absence reasons', async () => {
    const reasons = await client().absenceReasons();
    assert.ok(reasons.length > 0);
    assert.ok(reasons.every((r) => typeof r.ID === 'string' && typeof r.NAME === 'string'));
    assert.ok(reasons.some((r) => r.NAME === 'Maladie'));
  });

  test('business errors become our codes: locked course, validation', async () => {
    const edusign = client();
    const prof = await edusign.createProfessor(person('prof'));
    const id = await edusign.createCourse(course(prof));
    sandbox.lockCourse(id);
    await rejection(edusign.updateCourse(id, { NAME: 'x' }), 'edusign.course_locked');
    await rejection(edusign.deleteCourse(id), 'edusign.course_locked');
    const invalid = await rejection(
      edusign.createCourse(course(prof, { END: '2026-12-01T07:00:00.000Z', NAME: '' })),
      'edusign.validation',
    );
    assert.match(invalid.message, /NAME is required/);
    assert.match(invalid.message, /POST \/v1\/course/);
  });

  test('401, 402, 403 with plain-text bodies, and the token in none of them', async () => {
    const wrong = 'wrong-token-9d8c7b6a';
    const unauthorized = await rejection(
      client({ token: wrong }).getCourse('x'),
      'edusign.unauthorized',
    );
    assert.match(unauthorized.message, /check edusign\.token/);
    assert.ok(!inspect(unauthorized, { depth: 10 }).includes(wrong));
    assert.equal(unauthorized.status, 401);

    sandbox.setOptions({ account: 'no-subscription' });
    await rejection(client().absenceReasons(), 'edusign.payment_required');
    sandbox.setOptions({ account: 'ok', forbiddenRoutes: ['DELETE /v1/course/:id'] });
    const forbidden = await rejection(client().deleteCourse('abc'), 'edusign.forbidden');
    assert.match(forbidden.message, /DELETE \/v1\/course\/:id/);
  });

  test('5xx and 429 are retried, Retry-After honoured', async () => {
    const edusign = client();
    const learner = await edusign.createStudent(person('learner'));
    sandbox.faults.inject({ kind: '5xx', method: 'GET', pathPrefix: '/v1/student/', count: 2 });
    assert.equal((await edusign.getStudent(learner)).ID, learner);
    assert.equal(edusign.stats().retries, 2);

    const ends: number[] = [];
    const timed = client({}, { onRequest: () => ends.push(performance.now()) });
    sandbox.faults.inject({ kind: '429', method: 'GET', pathPrefix: '/v1/student/' });
    assert.equal((await timed.getStudent(learner)).ID, learner);
    assert.equal(ends.length, 2);
    // Retry-After: 0.3 s, where the backoff alone would wait 5 ms.
    const gap = (ends[1] ?? 0) - (ends[0] ?? 0);
    assert.ok(gap >= 250, `retried after ${gap.toFixed(0)} ms`);
  });

  test('a 503 on a create was not applied: retried, one course', async () => {
    const edusign = client();
    const prof = await edusign.createProfessor(person('prof'));
    const fields = course(prof);
    sandbox.faults.inject({ kind: '5xx', method: 'POST', pathPrefix: '/v1/course' });
    const id = await edusign.createCourse(fields);
    const held = sandbox.state().courses.filter((c) => c.API_ID === fields.API_ID);
    assert.deepEqual(
      held.map((c) => c.ID),
      [id],
    );
  });

  test('a dropped connection on a read is retried', async () => {
    const edusign = client();
    const learner = await edusign.createStudent(person('learner'));
    sandbox.resetCalls();
    sandbox.faults.inject({ kind: 'drop', method: 'GET', pathPrefix: '/v1/student/' });
    assert.equal((await edusign.getStudent(learner)).ID, learner);
    assert.equal(sandbox.calls().byRoute['GET /v1/student/:id'], 2);
    assert.equal(edusign.stats().byRoute['GET /v1/student/:id'], 2);
  });

  test('a create whose answer is lost is an unknown outcome, not retried, resolved by get-id', async () => {
    const edusign = client();
    const prof = await edusign.createProfessor(person('prof'));
    const fields = course(prof);
    sandbox.resetCalls();
    sandbox.faults.inject({ kind: 'drop-after', method: 'POST', pathPrefix: '/v1/course' });
    const error = await rejection(edusign.createCourse(fields), 'edusign.outcome_unknown');
    assert.match(error.message, /POST \/v1\/course/);
    assert.equal(sandbox.calls().byRoute['POST /v1/course'], 1);
    const held = sandbox.state().courses.filter((c) => c.API_ID === fields.API_ID);
    assert.equal(held.length, 1, 'Edusign holds exactly one course');
    assert.equal(await edusign.findCourseIdByApiId(fields.API_ID ?? ''), held[0]?.ID);
  });

  test('a read that times out is retried; a create that times out is an unknown outcome', async () => {
    const edusign = client({ timeoutMs: 150 });
    const prof = await edusign.createProfessor(person('prof'));
    sandbox.faults.configure({ latencyMs: 400 });
    sandbox.faults.inject({ kind: 'latency', method: 'GET', pathPrefix: '/v1/professor/' });
    assert.equal((await edusign.getProfessor(prof)).ID, prof);
    assert.equal(edusign.stats().retries, 1);

    const fields = course(prof);
    sandbox.faults.inject({ kind: 'latency', method: 'POST', pathPrefix: '/v1/course' });
    await rejection(edusign.createCourse(fields), 'edusign.outcome_unknown');
    sandbox.faults.configure({ latencyMs: 2000 });
  });

  test('an HTML page instead of JSON is a bad response', async () => {
    sandbox.faults.inject({ kind: 'html', method: 'GET', pathPrefix: '/v1/justified-absence' });
    const error = await rejection(client().absenceReasons(), 'edusign.bad_response');
    assert.match(error.message, /HTML/);
  });

  test('retries run out into edusign.unavailable', async () => {
    sandbox.faults.inject({ kind: '5xx', method: 'GET', pathPrefix: '/v1/professor', count: 4 });
    const error = await rejection(client().listProfessors(), 'edusign.unavailable');
    assert.equal(error.transient, true);
    assert.match(error.message, /4 times/);
  });

  test('an external signal cancels a call', async () => {
    const controller = new AbortController();
    controller.abort(new Error('run stopped'));
    sandbox.resetCalls();
    await assert.rejects(client().absenceReasons(controller.signal), /run stopped/);
    assert.equal(sandbox.calls().total, 0);
  });

  test('paging: 85 courses over 150 days, 40 a page, ranges split at 90 days', async () => {
    const edusign = client();
    const prof = await edusign.createProfessor(person('prof'));
    const first = Date.parse('2027-03-01T09:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 85; i += 1) {
      const start = new Date(first + Math.floor((i * 150) / 85) * 86_400_000);
      ids.push(
        await edusign.createCourse(
          course(prof, {
            START: start.toISOString(),
            END: new Date(start.getTime() + 3_600_000).toISOString(),
          }),
        ),
      );
    }
    sandbox.lockCourse(ids[3] ?? '');
    sandbox.lockCourse(ids[80] ?? '');

    sandbox.resetCalls();
    const short = await edusign.listCourses({ start: '2027-03-01', end: '2027-05-29' });
    const shortExpected = sandbox
      .state()
      .courses.filter((c) => c.START >= '2027-03-01' && c.START < '2027-05-30');
    assert.equal(short.length, shortExpected.length);
    assert.ok(short.length > 40 && short.length < 80, `${short.length} in 90 days`);
    assert.equal(sandbox.calls().byRoute['GET /v1/course'], 2, 'a short page ends the list');

    const all = await edusign.listCourses({ start: '2027-03-01', end: '2027-08-01' });
    assert.deepEqual(new Set(all.map((c) => c.ID)), new Set(ids));
    assert.equal(all.length, 85);

    const locked = await edusign.listCourses({
      start: '2027-03-01',
      end: '2027-08-01',
      filter: 'locked',
    });
    assert.deepEqual(new Set(locked.map((c) => c.ID)), new Set([ids[3], ids[80]]));
  });

  test('the client-side rate limit spaces calls and records the wait', async () => {
    // 300 a minute = 5 a second; 5 may go at once, the next 5 take a second.
    const edusign = client({ requestsPerMinute: 300 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => edusign.absenceReasons()));
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 900, `10 calls took ${elapsed.toFixed(0)} ms`);
    const stats = edusign.stats();
    assert.equal(stats.calls, 10);
    assert.ok(stats.rateLimitWaitMs >= 900, `waited ${stats.rateLimitWaitMs} ms`);
  });

  test('stats count calls, writes, errors and routes as the sandbox saw them', async () => {
    const edusign = client();
    sandbox.resetCalls();
    const learner = await edusign.createStudent(person('learner'));
    await edusign.updateStudent(learner, { FIRSTNAME: 'Jo' });
    await edusign.findStudentIdByApiId('nobody');
    sandbox.faults.inject({ kind: '5xx', method: 'GET', pathPrefix: '/v1/student/' });
    await edusign.getStudent(learner);
    const stats = edusign.stats();
    assert.deepEqual(stats.byRoute, sandbox.calls().byRoute);
    assert.equal(stats.calls, sandbox.calls().total);
    assert.equal(stats.writes, 2);
    assert.equal(stats.errors, 2, 'the not-found answer and the 503');
    assert.equal(stats.retries, 1);
  });
});
