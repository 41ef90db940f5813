import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testClient } from '../http-test-client.ts';
import { type EdusignSandbox, startEdusignSandbox } from '../index.ts';

// Conformance of the sandbox's v3 batch routes to the "v3 batch API" of
// the Edusign API contract (edusign-api.md), over real HTTP on port 0.

let sandbox: EdusignSandbox;
let api: ReturnType<typeof testClient>;
/** The sandbox's clock: moving it past 5 s ends the deduplication of a request. */
let clock = new Date('2026-11-20T10:00:00.000Z');
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

before(async () => {
  // The heavy limit is tested on its own sandbox below; here it would only slow the suite.
  sandbox = await startEdusignSandbox({
    now: () => clock,
    heavyRateLimit: { requests: 10_000, windowMs: 60_000 },
  });
  api = testClient(sandbox);
});
after(() => sandbox.close());

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

interface ItemResult {
  inputIndex: number;
  status: 'success' | 'error';
  id?: string;
  code?: string;
  message?: string;
}

async function batch(
  entity: 'students' | 'professors' | 'groups' | 'courses',
  items: unknown[],
  options: { token?: string | null } = {},
): Promise<{ status: number; results: ItemResult[] }> {
  const answer = await api.raw('POST', `/v3/${entity}/batch-upsert`, { [entity]: items }, options);
  assert.ok(
    answer.status === 200 || answer.status === 207,
    `HTTP ${answer.status}: ${answer.text}`,
  );
  assert.match(answer.contentType, /application\/json/);
  return { status: answer.status, results: (answer.json as { results: ItemResult[] }).results };
}

const ok = (results: ItemResult[]) => results.map((r) => r.id ?? `${r.code}: ${r.message}`);
const codes = (results: ItemResult[]) =>
  results.map((r) => (r.status === 'success' ? 'ok' : r.code));

function learner(ref?: string, fields: Record<string, unknown> = {}) {
  const n = unique('learner');
  return {
    firstName: 'Léa',
    lastName: n,
    email: `${n}@school.test`,
    ...(ref ? { externalReferenceId: ref, externalReferenceType: 'auriga-edusign' } : {}),
    ...fields,
  };
}

function instructor(ref?: string) {
  const n = unique('prof');
  return {
    firstName: 'Ada',
    lastName: n,
    email: `${n}@school.test`,
    ...(ref ? { externalReferenceId: ref, externalReferenceType: 'auriga-edusign' } : {}),
  };
}

describe('the v3 base and its gate', () => {
  test('v3Url is the v1 base with /v3; calls are counted by route', async () => {
    assert.equal(sandbox.v3Url, `${sandbox.url}/v3`);
    sandbox.resetCalls();
    await batch('students', [learner(unique('S'))]);
    const calls = sandbox.calls();
    assert.equal(calls.byRoute['POST /v3/students/batch-upsert'], 1);
    assert.equal(calls.writes, 1);
  });

  test('401 without the token, 402 without the API option, 403 for a forbidden route', async () => {
    const path = '/v3/students/batch-upsert';
    const body = { students: [learner(unique('S'))] };
    const denied = await api.raw('POST', path, body, { token: 'wrong' });
    assert.equal(denied.status, 401);
    assert.equal(denied.text, 'Unauthorized');
    sandbox.setOptions({ account: 'no-subscription' });
    try {
      assert.equal((await api.raw('POST', path, body)).status, 402);
    } finally {
      sandbox.setOptions({ account: 'ok' });
    }
    sandbox.setOptions({ forbiddenRoutes: [`POST ${path}`] });
    try {
      assert.equal((await api.raw('POST', path, body)).status, 403);
      assert.equal((await api.raw('POST', '/v3/groups/batch-upsert', { groups: [] })).status, 400);
    } finally {
      sandbox.setOptions({ forbiddenRoutes: [] });
    }
  });

  test('1 to 1000 items: none, 1001 or no list is refused with 400 and nothing is written', async () => {
    const before = sandbox.state().students.length;
    for (const body of [
      { students: [] },
      { students: Array.from({ length: 1001 }, () => learner()) },
      { student: [learner()] },
      { students: learner() },
    ]) {
      const answer = await api.raw('POST', '/v3/students/batch-upsert', body);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal((answer.json as { code: string }).code, 'VALIDATION_ERROR');
    }
    assert.equal(sandbox.state().students.length, before);
    const thousand = await batch(
      'students',
      Array.from({ length: 1000 }, () => learner(unique('K'))),
    );
    assert.equal(thousand.status, 200);
    assert.equal(thousand.results.length, 1000);
    assert.equal(sandbox.state().students.length, before + 1000);
  });
});

describe('students', () => {
  test('a reference alone creates, then updates the same learner; v1 reads API_ID and API_TYPE', async () => {
    const ref = unique('S');
    const first = await batch('students', [learner(ref)]);
    assert.equal(first.status, 200);
    assert.deepEqual(first.results[0]?.status, 'success');
    assert.equal(first.results[0]?.inputIndex, 0);
    const id = first.results[0]?.id ?? '';
    assert.match(id, /^[0-9a-f]{24}$/);
    const read = await api.ok('GET', `/v1/student/${id}`);
    assert.equal(read.API_ID, ref);
    assert.equal(read.API_TYPE, 'auriga-edusign');
    assert.deepEqual(await api.ok('GET', `/v1/student/get-id/${ref}`), { ID: id, id });

    const again = await batch('students', [learner(ref, { firstName: 'Zoé' })]);
    assert.deepEqual(ok(again.results), [id], 'the same learner, not a second one');
    assert.equal((await api.ok('GET', `/v1/student/${id}`)).FIRSTNAME, 'Zoé');
    assert.equal(sandbox.state().students.filter((s) => s.API_ID === ref).length, 1);
  });

  test('a learner made on v1 with API_ID X is the one v3 updates for reference X', async () => {
    const ref = unique('S');
    const made = await api.ok('POST', '/v1/student', {
      student: { FIRSTNAME: 'A', LASTNAME: 'B', EMAIL: 'ab@school.test', API_ID: ref },
    });
    const { results } = await batch('students', [
      { externalReferenceId: ref, externalReferenceType: 'other-tool', lastName: 'Bee' },
    ]);
    assert.deepEqual(ok(results), [made.ID]);
    const read = await api.ok('GET', `/v1/student/${made.ID}`);
    assert.equal(read.LASTNAME, 'Bee');
    assert.equal(read.FIRSTNAME, 'A', 'fields not named are left');
    assert.equal(read.API_TYPE, 'other-tool', 'matching ignores the type, and takes it over');
  });

  test('id alone is a strict update; both is ambiguous; neither creates: 207 with each result', async () => {
    const [known = '', other = ''] = (await batch('students', [learner(), learner()])).results.map(
      (r) => r.id ?? '',
    );
    const answer = await batch('students', [
      { studentId: known, firstName: 'Updated' },
      { studentId: 'ffffffffffffffffffffffff', firstName: 'Ghost' },
      { ...learner(unique('S')), studentId: other },
      learner(),
      { firstName: 'No', lastName: 'Email' },
      { ...learner(), email: 'not-an-address' },
      'not an object',
    ]);
    assert.equal(answer.status, 207);
    assert.deepEqual(
      answer.results.map((r) => r.inputIndex),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(codes(answer.results), [
      'ok',
      'STUDENT_NOT_FOUND',
      'AMBIGUOUS_STUDENT_IDENTIFIER',
      'ok',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
    ]);
    assert.equal(answer.results[0]?.id, known);
    assert.ok(answer.results.every((r) => r.status === 'success' || typeof r.message === 'string'));
    assert.match(answer.results[4]?.message ?? '', /email is required/);
    assert.equal((await api.ok('GET', `/v1/student/${known}`)).FIRSTNAME, 'Updated');
  });

  test('fields v3 does not name are refused, not ignored', async () => {
    const { results } = await batch('students', [
      { FIRSTNAME: 'A', LASTNAME: 'B', EMAIL: 'x@school.test', externalReferenceId: unique('S') },
    ]);
    assert.equal(results[0]?.code, 'VALIDATION_ERROR');
    assert.match(results[0]?.message ?? '', /FIRSTNAME/);
  });

  test('the same reference twice in one request: both refused, nothing written', async () => {
    const ref = unique('S');
    const answer = await batch('students', [learner(ref), learner(), learner(ref)]);
    assert.equal(answer.status, 207);
    assert.deepEqual(codes(answer.results), ['DUPLICATE_IN_REQUEST', 'ok', 'DUPLICATE_IN_REQUEST']);
    assert.equal(sandbox.state().students.filter((s) => s.API_ID === ref).length, 0);
  });

  test('a reference whose learner is archived is refused, and the learner left as it is', async () => {
    const ref = unique('S');
    const id = (await batch('students', [learner(ref)])).results[0]?.id ?? '';
    await api.ok('DELETE', `/v1/student/${id}`);
    const { status, results } = await batch('students', [learner(ref, { firstName: 'Back' })]);
    assert.equal(status, 207);
    assert.equal(results[0]?.code, 'ARCHIVED_STUDENT_EXISTS');
    const read = await api.ok('GET', `/v1/student/${id}`);
    assert.equal(read.HIDDEN, 1);
    assert.equal(read.FIRSTNAME, 'Léa');
    assert.equal(sandbox.state().students.filter((s) => s.API_ID === ref).length, 1);
  });
});

describe('professors and groups', () => {
  test('professors upsert by reference; a known email is refused as on v1', async () => {
    const ref = unique('P');
    const first = await batch('professors', [{ ...instructor(ref), speciality: 'Maths' }]);
    const id = first.results[0]?.id ?? '';
    const read = await api.ok('GET', `/v1/professor/${id}`);
    assert.equal(read.API_ID, ref);
    assert.equal(read.API_TYPE, 'auriga-edusign');
    const again = await batch('professors', [{ externalReferenceId: ref, lastName: 'Lovelace' }]);
    assert.deepEqual(ok(again.results), [id]);
    assert.equal((await api.ok('GET', `/v1/professor/${id}`)).LASTNAME, 'Lovelace');
    const clash = await batch('professors', [{ ...instructor(unique('P')), email: read.EMAIL }]);
    assert.equal(clash.results[0]?.code, 'CREATE_FAILED');
    assert.match(clash.results[0]?.message ?? '', /already exists/);
    const missing = await batch('professors', [{ professorId: 'ffffffffffffffffffffffff' }]);
    assert.equal(missing.results[0]?.code, 'PROFESSOR_NOT_FOUND');
  });

  test('groups upsert by reference, with a parent named by its reference', async () => {
    const parentRef = unique('G');
    const childRef = unique('G');
    const answer = await batch('groups', [
      { name: 'M1', externalReferenceId: parentRef, externalReferenceType: 'auriga-edusign' },
      {
        name: 'M1 TD1',
        description: 'TD1',
        externalReferenceId: childRef,
        parentExternalReferenceId: parentRef,
      },
      { name: 'Orphan', externalReferenceId: unique('G'), parentExternalReferenceId: 'nobody' },
      { groupId: 'ffffffffffffffffffffffff', name: 'x' },
      { externalReferenceId: unique('G'), groupId: 'eeeeeeeeeeeeeeeeeeeeeeee' },
    ]);
    assert.deepEqual(codes(answer.results), [
      'ok',
      'ok',
      'GROUP_NOT_FOUND',
      'GROUP_NOT_FOUND',
      'AMBIGUOUS_GROUP_IDENTIFIER',
    ]);
    const [parentId, childId] = answer.results.map((r) => r.id);
    const child = await api.ok('GET', `/v1/group/${childId}`);
    assert.equal(child.PARENT, parentId);
    assert.equal(child.DESCRIPTION, 'TD1');
    assert.equal(child.API_ID, childRef);
    const renamed = await batch('groups', [{ externalReferenceId: childRef, name: 'M1 TD 1' }]);
    assert.deepEqual(ok(renamed.results), [childId]);
    assert.equal((await api.ok('GET', `/v1/group/${childId}`)).NAME, 'M1 TD 1');
  });
});

describe('courses', () => {
  async function people() {
    const profRef = unique('P');
    const refs = [unique('S'), unique('S'), unique('S')];
    await batch('professors', [instructor(profRef)]);
    const students = await batch(
      'students',
      refs.map((r) => learner(r)),
    );
    return { profRef, refs, ids: students.results.map((r) => r.id ?? '') };
  }

  function sheet(profRef: string, fields: Record<string, unknown> = {}) {
    return {
      name: 'Algèbre',
      startDateTime: '2026-12-01T08:30:00Z',
      endDateTime: '2026-12-01T10:30:00Z',
      professorExternalReferenceIds: [profRef],
      ...fields,
    };
  }

  const roster = async (id: string) =>
    (await api.ok('GET', `/v1/course/${id}`)).STUDENTS.map(
      (s: { studentId: string }) => s.studentId,
    );

  test('created by reference with people named by theirs; read back on v1', async () => {
    const { profRef, refs, ids } = await people();
    const ref = unique('C');
    const { status, results } = await batch('courses', [
      sheet(profRef, {
        externalReferenceId: ref,
        externalReferenceType: 'auriga-edusign',
        description: 'TD 3',
        classroom: 'B204',
        studentExternalReferenceIds: refs.slice(0, 2),
      }),
    ]);
    assert.equal(status, 200);
    const id = results[0]?.id ?? '';
    const read = await api.ok('GET', `/v1/course/${id}`);
    assert.equal(read.NAME, 'Algèbre');
    assert.equal(read.START, '2026-12-01T08:30:00.000Z');
    assert.equal(read.CLASSROOM, 'B204');
    assert.equal(read.DESCRIPTION, 'TD 3');
    assert.equal(read.API_ID, ref);
    assert.equal(read.API_TYPE, 'auriga-edusign');
    assert.equal(read.PROFESSOR, (await api.ok('GET', `/v1/professor/get-id/${profRef}`)).ID);
    assert.deepEqual(await roster(id), ids.slice(0, 2));
  });

  test('errors: no instructor, unknown people, dates the wrong way, too many learners', async () => {
    const { profRef, refs } = await people();
    const { status, results } = await batch('courses', [
      { name: 'x', startDateTime: '2026-12-01T08:00:00Z', endDateTime: '2026-12-01T09:00:00Z' },
      sheet(profRef, { professorExternalReferenceIds: ['nobody'] }),
      sheet(profRef, { studentIds: ['ffffffffffffffffffffffff'] }),
      sheet(profRef, { endDateTime: '2026-12-01T08:30:00Z' }),
      sheet(profRef, { startDateTime: 'tomorrow' }),
      sheet(profRef, { maxStudents: 2, studentExternalReferenceIds: refs }),
      sheet(profRef, { professorIds: [], professorExternalReferenceIds: [profRef] }),
      { courseId: 'ffffffffffffffffffffffff', name: 'x' },
      sheet(profRef, { maxStudents: 3, studentExternalReferenceIds: refs }),
    ]);
    assert.equal(status, 207);
    assert.deepEqual(codes(results), [
      'VALIDATION_ERROR',
      'PROFESSOR_NOT_FOUND',
      'STUDENT_NOT_FOUND',
      'INVALID_DATE_RANGE',
      'VALIDATION_ERROR',
      'MAX_STUDENTS_EXCEEDED',
      'VALIDATION_ERROR',
      'COURSE_NOT_FOUND',
      'ok',
    ]);
  });

  test('a supplied list replaces the roster; an omitted one leaves it', async () => {
    const { profRef, refs, ids } = await people();
    const ref = unique('C');
    const id =
      (
        await batch('courses', [
          sheet(profRef, { externalReferenceId: ref, studentIds: ids.slice(0, 2) }),
        ])
      ).results[0]?.id ?? '';
    await batch('courses', [{ externalReferenceId: ref, name: 'Renamed' }]);
    assert.deepEqual(await roster(id), ids.slice(0, 2), 'no list: roster left');
    await batch('courses', [{ externalReferenceId: ref, studentExternalReferenceIds: [refs[2]] }]);
    assert.deepEqual(await roster(id), [ids[2]], 'a list replaces it');
    await batch('courses', [{ externalReferenceId: ref, studentIds: [] }]);
    assert.deepEqual(await roster(id), [], 'an empty list empties it');
  });

  test('learners still in an attached group are kept', async () => {
    const { profRef, ids } = await people();
    const group = await api.ok('POST', '/v1/group', { group: { NAME: 'G', STUDENTS: [ids[0]] } });
    const ref = unique('C');
    const id =
      (
        await batch('courses', [
          sheet(profRef, { externalReferenceId: ref, studentIds: ids, groupIds: [group.ID] }),
        ])
      ).results[0]?.id ?? '';
    await batch('courses', [{ externalReferenceId: ref, studentIds: [ids[2]] }]);
    assert.deepEqual((await roster(id)).sort(), [ids[0], ids[2]].sort());
    assert.deepEqual((await api.ok('GET', `/v1/course/${id}`)).SCHOOL_GROUP, [group.ID]);
  });

  test('learners of a locked or a past course are kept; others may still be added', async () => {
    const { profRef, ids } = await people();
    const [lockedRef, pastRef] = [unique('C'), unique('C')];
    const created = await batch('courses', [
      sheet(profRef, { externalReferenceId: lockedRef, studentIds: ids.slice(0, 2) }),
      sheet(profRef, {
        externalReferenceId: pastRef,
        startDateTime: '2026-11-19T08:00:00Z',
        endDateTime: '2026-11-19T10:00:00Z',
        studentIds: ids.slice(0, 2),
      }),
    ]);
    const [lockedId = '', pastId = ''] = created.results.map((r) => r.id ?? '');
    sandbox.lockCourse(lockedId);
    await batch('courses', [
      { externalReferenceId: lockedRef, studentIds: [ids[2]] },
      { externalReferenceId: pastRef, studentIds: [ids[2]] },
    ]);
    assert.deepEqual((await roster(lockedId)).sort(), [...ids].sort());
    assert.deepEqual((await roster(pastId)).sort(), [...ids].sort());
  });
});

describe('deduplication and the heavy limit', () => {
  test('a request identical to one of the last 5 s gets the first answer and is not applied again', async () => {
    const body = { students: [learner(), learner()] };
    const count = () =>
      sandbox.state().students.filter((s) => s.LASTNAME === body.students[0]?.lastName).length;
    const first = await api.raw('POST', '/v3/students/batch-upsert', body);
    later(4_000);
    const second = await api.raw('POST', '/v3/students/batch-upsert', body);
    assert.equal(second.status, first.status);
    assert.deepEqual(second.json, first.json);
    assert.equal(count(), 1, 'neither item carries a reference: a second apply would duplicate');
    later(2_000);
    const third = await api.raw('POST', '/v3/students/batch-upsert', body);
    assert.notDeepEqual(third.json, first.json);
    assert.equal(count(), 2, 'more than 5 s after the first, it is a new request');
  });

  test('the same body on another route or with another body is not deduplicated', async () => {
    const ref = unique('S');
    const a = await batch('students', [learner(ref)]);
    const b = await batch('students', [learner(ref, { firstName: 'Other' })]);
    assert.deepEqual(ok(a.results), ok(b.results));
    assert.equal((await api.ok('GET', `/v1/student/${a.results[0]?.id}`)).FIRSTNAME, 'Other');
  });

  test('over 24 a minute (here 2 in 1.5 s) v3 answers are delayed; v1 is not slowed', async () => {
    const own = await startEdusignSandbox({ heavyRateLimit: { requests: 2, windowMs: 1_500 } });
    try {
      const client = testClient(own);
      const send = () =>
        client.raw('POST', '/v3/groups/batch-upsert', { groups: [{ name: unique('G') }] });
      const started = Date.now();
      await Promise.all([send(), send()]);
      assert.ok(Date.now() - started < 1_000, 'within the limit: no wait');
      const third = Date.now();
      const pending = send();
      const v1Started = Date.now();
      await client.ok('GET', '/v1/group?page=0');
      assert.ok(Date.now() - v1Started < 1_000, 'v1 has its own limit');
      assert.equal((await pending).status, 200);
      assert.ok(Date.now() - third >= 1_200, `the 3rd waited ${Date.now() - third} ms`);
    } finally {
      await own.close();
    }
  });

  test('the heavy limit defaults to 24 a minute', async () => {
    const { EDUSIGN_HEAVY_RATE_LIMIT } = await import('../rate-limit.ts');
    assert.deepEqual(EDUSIGN_HEAVY_RATE_LIMIT, { requests: 24, windowMs: 60_000 });
  });
});
