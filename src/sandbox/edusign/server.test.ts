import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testClient } from './http-test-client.ts';
import { type EdusignSandbox, startEdusignSandbox } from './index.ts';

// Conformance of the sandbox's v1 routes to the Edusign API contract (edusign-api.md),
// over real HTTP on port 0.

let sandbox: EdusignSandbox;
let api: ReturnType<typeof testClient>;
/** The sandbox's clock, moved by hand where a test needs time to pass. */
let clock = new Date('2026-11-20T10:00:00.000Z');

before(async () => {
  sandbox = await startEdusignSandbox({ now: () => clock });
  api = testClient(sandbox);
});
after(() => sandbox.close());

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

function professor(): string {
  const n = unique('prof');
  return sandbox.createProfessor({ FIRSTNAME: 'Ada', LASTNAME: n, EMAIL: `${n}@school.test` });
}

function student(fields: { EMAIL?: string; API_ID?: string } = {}): string {
  const n = unique('learner');
  return sandbox.createStudent({
    FIRSTNAME: 'Léa',
    LASTNAME: n,
    EMAIL: fields.EMAIL ?? `${n}@school.test`,
    ...(fields.API_ID ? { API_ID: fields.API_ID } : {}),
  });
}

async function course(fields: Record<string, unknown> = {}): Promise<string> {
  const result = await api.ok('POST', '/v1/course', {
    course: {
      NAME: 'Algèbre',
      START: '2026-12-01T08:30:00Z',
      END: '2026-12-01T10:30:00Z',
      PROFESSOR: professor(),
      NEED_STUDENTS_SIGNATURE: true,
      ...fields,
    },
  });
  return result.ID;
}

describe('courses', () => {
  test('create answers {ID, id} with one opaque id; GET gives the course with both', async () => {
    const prof = professor();
    const [s1, s2] = [student(), student()];
    const created = await api.ok('POST', '/v1/course', {
      course: {
        NAME: 'Chimie',
        DESCRIPTION: 'TP 3',
        START: '2026-12-01T09:30:00+01:00',
        END: '2026-12-01T11:30:00+01:00',
        PROFESSOR: prof,
        CLASSROOM: 'B204',
        STUDENTS: [s1, s2],
        NEED_STUDENTS_SIGNATURE: true,
        MAX_STUDENTS: 30,
        API_ID: 'INT-1',
        API_TYPE: 'auriga',
      },
    });
    assert.match(created.ID, /^[0-9a-f]{24}$/);
    assert.equal(created.id, created.ID);
    const got = await api.ok('GET', `/v1/course/${created.ID}`);
    assert.equal(got.ID, created.ID);
    assert.equal(got.id, created.ID);
    assert.equal(got.NAME, 'Chimie');
    assert.equal(got.DESCRIPTION, 'TP 3');
    assert.equal(got.START, '2026-12-01T08:30:00.000Z', 'an offset input comes back as UTC with Z');
    assert.equal(got.END, '2026-12-01T10:30:00.000Z');
    assert.equal(got.LOCKED, 0);
    assert.equal(got.CLASSROOM, 'B204');
    assert.equal(got.PROFESSOR, prof);
    assert.deepEqual(
      got.STUDENTS.map((s: { studentId: string; state: boolean }) => [s.studentId, s.state]),
      [
        [s1, false],
        [s2, false],
      ],
    );
    assert.equal(got.MAX_STUDENTS, 30);
    assert.equal(got.API_ID, 'INT-1');
    assert.equal(got.API_TYPE, 'auriga');
  });

  test('a time without offset is read as UTC', async () => {
    const id = await course({ START: '2026-12-02T08:30:00', END: '2026-12-02T10:00' });
    const got = await api.ok('GET', `/v1/course/${id}`);
    assert.equal(got.START, '2026-12-02T08:30:00.000Z');
    assert.equal(got.END, '2026-12-02T10:00:00.000Z');
  });

  test('validation errors come as HTTP 200, status error, message an array', async () => {
    const answer = await api.raw('POST', '/v1/course', { course: { START: 'tomorrow' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, {
      status: 'error',
      message: [
        'NAME is required',
        'START must be a valid ISO 8601 date',
        'END is required',
        'PROFESSOR is required',
      ],
    });
  });

  test('PROFESSOR is required, must exist, and so must PROFESSOR_2', async () => {
    const message = await api.error('POST', '/v1/course', {
      course: { NAME: 'x', START: '2026-12-01T08:00:00Z', END: '2026-12-01T09:00:00Z' },
    });
    assert.deepEqual(message, ['PROFESSOR is required']);
    const unknown = await api.error('POST', '/v1/course', {
      course: {
        NAME: 'x',
        START: '2026-12-01T08:00:00Z',
        END: '2026-12-01T09:00:00Z',
        PROFESSOR: 'ffffffffffffffffffffffff',
      },
    });
    assert.equal(typeof unknown, 'string');
    assert.match(String(unknown), /Professor not found/);
    assert.match(
      String(
        await api.error('POST', '/v1/course', {
          course: {
            NAME: 'x',
            START: '2026-12-01T08:00:00Z',
            END: '2026-12-01T09:00:00Z',
            PROFESSOR: professor(),
            PROFESSOR_2: 'ffffffffffffffffffffffff',
          },
        }),
      ),
      /Professor not found/,
    );
  });

  test('END must be after START; unknown learners or groups are refused', async () => {
    assert.deepEqual(
      await api.error('POST', '/v1/course', {
        course: {
          NAME: 'x',
          START: '2026-12-01T09:00:00Z',
          END: '2026-12-01T09:00:00Z',
          PROFESSOR: professor(),
        },
      }),
      ['END must be after START'],
    );
    const before = sandbox.state().courses.length;
    assert.match(
      String(
        await api.error('POST', '/v1/course', {
          course: {
            NAME: 'x',
            START: '2026-12-01T08:00:00Z',
            END: '2026-12-01T09:00:00Z',
            PROFESSOR: professor(),
            STUDENTS: ['ffffffffffffffffffffffff'],
          },
        }),
      ),
      /Student not found/,
    );
    assert.match(
      String(
        await api.error('POST', '/v1/course', {
          course: {
            NAME: 'x',
            START: '2026-12-01T08:00:00Z',
            END: '2026-12-01T09:00:00Z',
            PROFESSOR: professor(),
            SCHOOL_GROUP: ['ffffffffffffffffffffffff'],
          },
        }),
      ),
      /Group not found/,
    );
    assert.equal(sandbox.state().courses.length, before, 'nothing was created');
  });

  test('several instructors are PROFESSOR, PROFESSOR_2, PROFESSOR_3', async () => {
    const [p2, p3] = [professor(), professor()];
    const id = await course({ PROFESSOR_2: p2, PROFESSOR_3: p3 });
    const got = await api.ok('GET', `/v1/course/${id}`);
    assert.equal(got.PROFESSOR_2, p2);
    assert.equal(got.PROFESSOR_3, p3);
    await api.ok('PATCH', '/v1/course', { course: { ID: id, PROFESSOR_3: null } });
    assert.equal((await api.ok('GET', `/v1/course/${id}`)).PROFESSOR_3, undefined);
  });

  test('get-id finds by API_ID, the first created when not unique; error when none', async () => {
    const apiId = unique('INT');
    const first = await course({ API_ID: apiId, API_TYPE: 'auriga' });
    await course({ API_ID: apiId, API_TYPE: 'auriga' });
    assert.deepEqual(await api.ok('GET', `/v1/course/get-id/${apiId}`), { ID: first, id: first });
    assert.equal(await api.error('GET', '/v1/course/get-id/NOPE-0'), 'Course not found');
    assert.equal(await api.error('GET', '/v1/course/ffffffffffffffffffffffff'), 'Course not found');
  });

  test('PATCH replaces the fields it names and leaves the others', async () => {
    const s1 = student();
    const id = await course({ DESCRIPTION: 'keep me', CLASSROOM: 'A1', STUDENTS: [s1] });
    const s2 = student();
    const answer = await api.v1('PATCH', '/v1/course', {
      course: { ID: id, NAME: 'Renamed', START: '2026-12-01T07:00:00Z', STUDENTS: [s2, s1] },
      editSurveys: false,
    });
    assert.deepEqual(answer, { status: 'success', result: true });
    const got = await api.ok('GET', `/v1/course/${id}`);
    assert.equal(got.NAME, 'Renamed');
    assert.equal(got.START, '2026-12-01T07:00:00.000Z');
    assert.equal(got.END, '2026-12-01T10:30:00.000Z');
    assert.equal(got.DESCRIPTION, 'keep me');
    assert.equal(got.CLASSROOM, 'A1');
    assert.deepEqual(
      got.STUDENTS.map((s: { studentId: string }) => s.studentId),
      [s2, s1],
    );
    assert.deepEqual(
      await api.error('PATCH', '/v1/course', {
        course: { ID: id, END: '2026-12-01T06:00:00Z' },
        editSurveys: false,
      }),
      ['END must be after START'],
    );
    assert.deepEqual(await api.error('PATCH', '/v1/course', { course: { NAME: 'x' } }), [
      'ID is required',
    ]);
    assert.equal(
      await api.error('PATCH', '/v1/course', { course: { ID: 'ffffffffffffffffffffffff' } }),
      'Course not found',
    );
  });

  test('a locked course refuses PATCH and DELETE with "course locked"', async () => {
    const id = await course();
    sandbox.lockCourse(id);
    assert.equal((await api.ok('GET', `/v1/course/${id}`)).LOCKED, 1);
    assert.equal(
      await api.error('PATCH', '/v1/course', { course: { ID: id, NAME: 'x' }, editSurveys: false }),
      'course locked',
    );
    assert.equal(await api.error('DELETE', `/v1/course/${id}`), 'course locked');
    assert.equal((await api.ok('GET', `/v1/course/${id}`)).NAME, 'Algèbre', 'unchanged');
  });

  test('DELETE removes the course; an unknown id is a business error', async () => {
    const id = await course();
    assert.equal(await api.ok('DELETE', `/v1/course/${id}`), true);
    assert.equal(await api.error('GET', `/v1/course/${id}`), 'Course not found');
    assert.equal(await api.error('DELETE', `/v1/course/${id}`), 'Course not found');
  });

  test('attendance: PUT adds one learner, twice is refused; DELETE removes one', async () => {
    const [s1, s2] = [student(), student()];
    const id = await course({ STUDENTS: [s1] });
    assert.equal(await api.ok('PUT', `/v1/course/attendance/${id}`, { studentId: s2 }), true);
    assert.equal(
      await api.error('PUT', `/v1/course/attendance/${id}`, { studentId: s2 }),
      'Student already in the list',
    );
    assert.equal(await api.ok('DELETE', `/v1/course/attendance/${id}`, { studentId: s1 }), true);
    const got = await api.ok('GET', `/v1/course/${id}`);
    assert.deepEqual(
      got.STUDENTS.map((s: { studentId: string }) => s.studentId),
      [s2],
    );
    assert.match(
      String(await api.error('PUT', `/v1/course/attendance/${id}`, { studentId: 'nobody' })),
      /Student not found/,
    );
    assert.deepEqual(await api.error('PUT', `/v1/course/attendance/${id}`, {}), [
      'studentId is required',
    ]);
  });
});

describe('course listing', () => {
  let listing: EdusignSandbox;
  let client: ReturnType<typeof testClient>;
  before(async () => {
    listing = await startEdusignSandbox();
    client = testClient(listing);
    const prof = listing.createProfessor({
      FIRSTNAME: 'A',
      LASTNAME: 'B',
      EMAIL: 'ab@school.test',
    });
    // 85 courses on 2027-01-10 (UTC), and one on each side of it.
    for (let i = 0; i < 85; i++) {
      const hour = String(6 + (i % 12)).padStart(2, '0');
      await client.ok('POST', '/v1/course', {
        course: {
          NAME: `C${i}`,
          START: `2027-01-10T${hour}:00:00Z`,
          END: `2027-01-10T${hour}:45:00Z`,
          PROFESSOR: prof,
        },
      });
    }
    for (const day of ['2027-01-09T23:30:00Z', '2027-01-11T00:00:00Z'])
      await client.ok('POST', '/v1/course', {
        course: { NAME: day, START: day, END: '2027-01-11T02:00:00Z', PROFESSOR: prof },
      });
  });
  after(() => listing.close());

  test('pages hold 40 courses, from page 0; a short page ends the list', async () => {
    const sizes: number[] = [];
    for (let page = 0; page < 4; page++) {
      const result = await client.ok(
        'GET',
        `/v1/course?page=${page}&start=2027-01-10&end=2027-01-10`,
      );
      sizes.push(result.length);
    }
    assert.deepEqual(sizes, [40, 40, 5, 0]);
    const all = await client.ok('GET', '/v1/course?page=0&start=2027-01-10&end=2027-01-10');
    assert.ok(all.every((c: { START: string }) => c.START.startsWith('2027-01-10T')));
  });

  test('a course is listed by the UTC day of its START, both bounds included', async () => {
    const names = async (start: string, end: string) => {
      const out: string[] = [];
      for (let page = 0; ; page++) {
        const result = await client.ok('GET', `/v1/course?page=${page}&start=${start}&end=${end}`);
        out.push(...result.map((c: { NAME: string }) => c.NAME));
        if (result.length < 40) return out;
      }
    };
    assert.deepEqual(await names('2027-01-09', '2027-01-09'), ['2027-01-09T23:30:00Z']);
    assert.deepEqual(await names('2027-01-11', '2027-01-11'), ['2027-01-11T00:00:00Z']);
    assert.equal((await names('2027-01-09', '2027-01-11')).length, 87);
  });

  test('start and end at most 90 days apart', async () => {
    assert.ok(Array.isArray(await client.ok('GET', '/v1/course?start=2027-01-01&end=2027-04-01')));
    const message = await client.error('GET', '/v1/course?start=2027-01-01&end=2027-04-02');
    assert.match(String(message), /90 days/);
    assert.deepEqual(await client.error('GET', '/v1/course?page=0&start=2027-01-01'), [
      'end is required',
    ]);
    assert.deepEqual(await client.error('GET', '/v1/course?start=2027-01-01&end=01/02/2027'), [
      'end must be a date YYYY-MM-DD',
    ]);
  });

  test('filters=locked and filters=unlocked', async () => {
    const [first] = await client.ok('GET', '/v1/course?start=2027-01-09&end=2027-01-09');
    listing.lockCourse(first.ID);
    const locked = await client.ok(
      'GET',
      '/v1/course?start=2027-01-09&end=2027-01-11&filters=locked',
    );
    assert.deepEqual(
      locked.map((c: { ID: string }) => c.ID),
      [first.ID],
    );
    const unlocked = await client.ok(
      'GET',
      '/v1/course?page=2&start=2027-01-09&end=2027-01-11&filters=unlocked',
    );
    assert.equal(unlocked.length, 6, '86 unlocked: 40, 40, 6');
  });
});

describe('students', () => {
  test('create, get with both ids, HIDDEN 0, GROUPS', async () => {
    const created = await api.ok('POST', '/v1/student', {
      student: {
        FIRSTNAME: 'Léa',
        LASTNAME: 'Martin',
        EMAIL: 'lea.martin@school.test',
        API_ID: 'L-1',
        API_TYPE: 'auriga',
        SEND_EMAIL_CREDENTIALS: false,
      },
    });
    assert.equal(created.id, created.ID);
    const got = await api.ok('GET', `/v1/student/${created.ID}`);
    assert.deepEqual(
      {
        ID: got.ID,
        id: got.id,
        FIRSTNAME: got.FIRSTNAME,
        LASTNAME: got.LASTNAME,
        EMAIL: got.EMAIL,
        API_ID: got.API_ID,
        API_TYPE: got.API_TYPE,
        HIDDEN: got.HIDDEN,
        GROUPS: got.GROUPS,
      },
      {
        ID: created.ID,
        id: created.ID,
        FIRSTNAME: 'Léa',
        LASTNAME: 'Martin',
        EMAIL: 'lea.martin@school.test',
        API_ID: 'L-1',
        API_TYPE: 'auriga',
        HIDDEN: 0,
        GROUPS: [],
      },
    );
    assert.deepEqual(await api.error('POST', '/v1/student', { student: { FIRSTNAME: 'x' } }), [
      'LASTNAME is required',
      'EMAIL is required',
    ]);
    assert.equal(
      await api.error('GET', '/v1/student/ffffffffffffffffffffffff'),
      'Student not found',
    );
  });

  test('a duplicate email is accepted: two learners with one email', async () => {
    const email = `${unique('twin')}@school.test`;
    const body = { student: { FIRSTNAME: 'A', LASTNAME: 'B', EMAIL: email } };
    const a = await api.ok('POST', '/v1/student', body);
    const b = await api.ok('POST', '/v1/student', body);
    assert.notEqual(a.ID, b.ID);
    assert.equal(sandbox.state().students.filter((s) => s.EMAIL === email).length, 2);
  });

  test('by-email: URL-encoded, case-insensitive; error when none', async () => {
    const email = `${unique('Jean+tag')}@School.test`;
    const id = student({ EMAIL: email });
    const got = await api.ok(
      'GET',
      `/v1/student/by-email/${encodeURIComponent(email.toLowerCase())}`,
    );
    assert.equal(got.ID, id);
    assert.equal(
      await api.error('GET', `/v1/student/by-email/${encodeURIComponent('no@school.test')}`),
      'Student not found',
    );
  });

  test('get-id by API_ID; error when none', async () => {
    const apiId = unique('L');
    const id = student({ API_ID: apiId });
    assert.deepEqual(await api.ok('GET', `/v1/student/get-id/${apiId}`), { ID: id, id });
    assert.equal(await api.error('GET', '/v1/student/get-id/L-none'), 'Student not found');
  });

  test('PATCH changes the named fields; DELETE archives (HIDDEN: 1)', async () => {
    const id = student();
    assert.equal(
      await api.ok('PATCH', '/v1/student', { student: { ID: id, LASTNAME: 'Durand' } }),
      true,
    );
    const got = await api.ok('GET', `/v1/student/${id}`);
    assert.equal(got.LASTNAME, 'Durand');
    assert.equal(got.FIRSTNAME, 'Léa');
    assert.equal(await api.ok('DELETE', `/v1/student/${id}`), true);
    assert.equal((await api.ok('GET', `/v1/student/${id}`)).HIDDEN, 1, 'still there, archived');
  });

  test('list: page and limit, search, updatedAfter', async () => {
    const tag = unique('zebra');
    const ids = [0, 1, 2, 3, 4].map(() =>
      sandbox.createStudent({ FIRSTNAME: 'Z', LASTNAME: tag, EMAIL: `${unique(tag)}@x.test` }),
    );
    const page = (n: number) =>
      api.ok('GET', `/v1/student?page=${n}&limit=2&search=${encodeURIComponent(tag)}`);
    const pages = [await page(0), await page(1), await page(2)];
    assert.deepEqual(
      pages.flat().map((s: { ID: string }) => s.ID),
      ids,
    );
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 1],
    );
    const mark = clock.toISOString();
    clock = new Date(clock.getTime() + 60_000);
    await api.ok('PATCH', '/v1/student', { student: { ID: ids[3], FIRSTNAME: 'Zoé' } });
    const changed = await api.ok('GET', `/v1/student?updatedAfter=${encodeURIComponent(mark)}`);
    assert.deepEqual(
      changed.map((s: { ID: string }) => s.ID),
      [ids[3]],
    );
    assert.deepEqual(await api.error('GET', '/v1/student?limit=0'), [
      'limit must be a whole number from 1 to 1000',
    ]);
  });
});

describe('professors', () => {
  test('create with dontSendCredentials; a known email (any case) is refused', async () => {
    const email = `${unique('Prof')}@school.test`;
    const created = await api.ok('POST', '/v1/professor', {
      professor: { FIRSTNAME: 'Marie', LASTNAME: 'Curie', EMAIL: email, API_ID: 'P-1' },
      dontSendCredentials: true,
    });
    assert.equal(created.id, created.ID);
    const answer = await api.raw('POST', '/v1/professor', {
      professor: { FIRSTNAME: 'M', LASTNAME: 'C', EMAIL: email.toUpperCase() },
      dontSendCredentials: true,
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, {
      status: 'error',
      message: 'Professor already exists in this school',
    });
    const got = await api.ok('GET', `/v1/professor/${created.ID}`);
    assert.equal(got.EMAIL, email);
    assert.equal(
      (await api.ok('GET', `/v1/professor/by-email/${encodeURIComponent(email.toLowerCase())}`)).ID,
      created.ID,
    );
    assert.deepEqual(await api.ok('GET', '/v1/professor/get-id/P-1'), {
      ID: created.ID,
      id: created.ID,
    });
    assert.equal(await api.error('GET', '/v1/professor/get-id/P-none'), 'Professor not found');
    assert.equal(
      await api.error('GET', '/v1/professor/by-email/nobody%40school.test'),
      'Professor not found',
    );
  });

  test('PATCH; taking another instructor’s email is refused', async () => {
    const [a, b] = [professor(), professor()];
    assert.equal(
      await api.ok('PATCH', '/v1/professor', { professor: { ID: a, FIRSTNAME: 'Zo' } }),
      true,
    );
    assert.equal((await api.ok('GET', `/v1/professor/${a}`)).FIRSTNAME, 'Zo');
    const emailOfB = (await api.ok('GET', `/v1/professor/${b}`)).EMAIL;
    assert.equal(
      await api.error('PATCH', '/v1/professor', { professor: { ID: a, EMAIL: emailOfB } }),
      'Professor already exists in this school',
    );
  });

  test('list pages hold 100 instructors', async () => {
    const own = await startEdusignSandbox();
    try {
      for (let i = 0; i < 205; i++)
        own.createProfessor({ FIRSTNAME: 'P', LASTNAME: `${i}`, EMAIL: `p${i}@school.test` });
      const client = testClient(own);
      const sizes = [];
      for (let page = 0; page < 3; page++)
        sizes.push((await client.ok('GET', `/v1/professor?page=${page}`)).length);
      assert.deepEqual(sizes, [100, 100, 5]);
    } finally {
      await own.close();
    }
  });
});

describe('groups', () => {
  test('create, get, get-id, list; PATCH STUDENTS replaces the list; DELETE', async () => {
    const [s1, s2, s3] = [student(), student(), student()];
    const apiId = unique('G');
    const created = await api.ok('POST', '/v1/group', {
      group: { NAME: 'M1 Info', DESCRIPTION: 'M1INFO', STUDENTS: [s1, s2], API_ID: apiId },
    });
    assert.equal(created.id, created.ID);
    const got = await api.ok('GET', `/v1/group/${created.ID}`);
    assert.equal(got.NAME, 'M1 Info');
    assert.equal(got.DESCRIPTION, 'M1INFO');
    assert.deepEqual(got.STUDENTS, [s1, s2]);
    assert.deepEqual((await api.ok('GET', `/v1/student/${s1}`)).GROUPS, [created.ID]);
    assert.deepEqual(await api.ok('GET', `/v1/group/get-id/${apiId}`), {
      ID: created.ID,
      id: created.ID,
    });
    const listed = await api.ok('GET', '/v1/group?page=0');
    assert.ok(listed.some((g: { ID: string }) => g.ID === created.ID));

    assert.equal(
      await api.ok('PATCH', '/v1/group', { group: { ID: created.ID, STUDENTS: [s3] } }),
      true,
    );
    const patched = await api.ok('GET', `/v1/group/${created.ID}`);
    assert.deepEqual(patched.STUDENTS, [s3]);
    assert.equal(patched.NAME, 'M1 Info');
    assert.deepEqual((await api.ok('GET', `/v1/student/${s1}`)).GROUPS, []);

    assert.match(
      String(await api.error('POST', '/v1/group', { group: { NAME: 'x', STUDENTS: ['nobody'] } })),
      /Student not found/,
    );
    assert.deepEqual(await api.error('POST', '/v1/group', { group: {} }), ['NAME is required']);

    assert.equal(await api.ok('DELETE', `/v1/group/${created.ID}`), true);
    assert.equal(await api.error('GET', `/v1/group/${created.ID}`), 'Group not found');
    assert.equal(await api.error('DELETE', `/v1/group/${created.ID}`), 'Group not found');
  });
});

describe('absences', () => {
  test('absence reasons and justified absences', async () => {
    const reasons = await api.ok('GET', '/v1/justified-absence/absence-reason');
    assert.deepEqual(
      reasons.map((r: { NAME: string }) => r.NAME),
      ['Maladie', 'Retard transport', 'Rendez-vous médical', 'Raison familiale'],
    );
    assert.ok(reasons.every((r: { ID: unknown }) => typeof r.ID === 'string'));
    assert.deepEqual(await api.ok('GET', '/v1/justified-absence?page=0'), []);
  });

  test('the school’s own motives when given', async () => {
    const own = await startEdusignSandbox({ absenceReasons: [{ ID: 'r1', NAME: 'Grève' }] });
    try {
      assert.deepEqual(await testClient(own).ok('GET', '/v1/justified-absence/absence-reason'), [
        { ID: 'r1', NAME: 'Grève' },
      ]);
    } finally {
      await own.close();
    }
  });
});
