import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { testClient } from './http-test-client.ts';
import { type EdusignSandbox, startEdusignSandbox, V1_ROUTES, V3_ROUTES } from './index.ts';

// The sandbox's transport behaviour: technical errors in plain text, the
// delaying rate limit, faults, call counts and the /_sandbox controls.

let sandbox: EdusignSandbox;
let api: ReturnType<typeof testClient>;

before(async () => {
  sandbox = await startEdusignSandbox();
  api = testClient(sandbox);
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.setOptions({ account: 'ok', forbiddenRoutes: [] });
  sandbox.faults.clear();
});

/** A concrete path for a route pattern. */
const concrete = (url: string) => url.replace(/:\w+/g, 'x');

function newCourseBody(prof: string) {
  return {
    course: {
      NAME: 'Physique',
      START: '2026-12-01T08:30:00Z',
      END: '2026-12-01T10:30:00Z',
      PROFESSOR: prof,
    },
  };
}

describe('technical errors', () => {
  const v3Routes = V3_ROUTES.map((route) => {
    const [method = '', url = ''] = route.split(' ');
    return { method, url };
  });

  test('every v1 and v3 route answers 401 Unauthorized in plain text to a missing or wrong token', async () => {
    for (const route of [...V1_ROUTES, ...v3Routes]) {
      for (const token of [null, 'wrong-token']) {
        const answer = await api.raw(route.method, concrete(route.url), undefined, { token });
        assert.equal(answer.status, 401, `${route.method} ${route.url}`);
        assert.equal(answer.text, 'Unauthorized');
        assert.match(answer.contentType, /^text\/plain/);
      }
    }
  });

  test('a school without subscription gets 402 on every route', async () => {
    sandbox.setOptions({ account: 'no-subscription' });
    for (const route of [...V1_ROUTES, ...v3Routes]) {
      const answer = await api.raw(route.method, concrete(route.url));
      assert.equal(answer.status, 402, `${route.method} ${route.url}`);
      assert.equal(answer.text, 'Payment Required');
    }
    sandbox.setOptions({ account: 'ok' });
    assert.equal((await api.raw('GET', '/v1/professor?page=0')).status, 200);
  });

  test('a forbidden route answers 403; the others still work', async () => {
    const prof = sandbox.createProfessor({ FIRSTNAME: 'F', LASTNAME: 'B', EMAIL: 'fb@x.test' });
    const { ID } = await api.ok('POST', '/v1/course', newCourseBody(prof));
    sandbox.setOptions({ forbiddenRoutes: ['DELETE /v1/course/:id'] });
    const answer = await api.raw('DELETE', `/v1/course/${ID}`);
    assert.equal(answer.status, 403);
    assert.equal(answer.text, 'Forbidden');
    assert.equal((await api.ok('GET', `/v1/course/${ID}`)).ID, ID, 'not deleted');
    assert.equal((await api.raw('DELETE', `/v1/student/${ID}`)).status, 200);
  });

  test('a bad token is checked before the subscription', async () => {
    sandbox.setOptions({ account: 'no-subscription' });
    assert.equal((await api.raw('GET', '/v1/course/x', undefined, { token: 'bad' })).status, 401);
  });

  test('an unknown route is 404 Not Found in plain text', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing'],
      ['DELETE', '/v1/professor/x'],
      ['GET', '/v2/course/x'],
    ] as const) {
      const answer = await api.raw(method, path);
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.text, 'Not Found');
    }
  });

  test('a body that is not JSON is 400 Bad Request in plain text', async () => {
    const response = await fetch(`${sandbox.url}/v1/course`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
      body: '{"course":',
    });
    assert.equal(response.status, 400);
    assert.equal(await response.text(), 'Bad Request');
  });

  test('the token can be changed', async () => {
    sandbox.setOptions({ token: 'rotated' });
    try {
      const old = { token: 'sandbox-edusign-token' };
      assert.equal((await api.raw('GET', '/v1/professor', undefined, old)).status, 401);
      assert.equal(sandbox.token, 'rotated');
      assert.equal(
        (await api.raw('GET', '/v1/professor', undefined, { token: 'rotated' })).status,
        200,
      );
    } finally {
      sandbox.setOptions({ token: 'sandbox-edusign-token' });
    }
    assert.equal(sandbox.token, 'sandbox-edusign-token');
  });
});

describe('rate limit', () => {
  test('over the limit answers are delayed, not refused', async () => {
    const limited = await startEdusignSandbox({ rateLimit: { requests: 3, windowMs: 400 } });
    try {
      const client = testClient(limited);
      const started = performance.now();
      const statuses = await Promise.all(
        [0, 1, 2, 3].map(async () => (await client.raw('GET', '/v1/professor')).status),
      );
      const elapsed = performance.now() - started;
      assert.deepEqual(statuses, [200, 200, 200, 200]);
      // The 4th waits for the 1st to leave the 400 ms window; a generous lower bound only.
      assert.ok(elapsed >= 300, `4 requests took ${Math.round(elapsed)} ms`);
      assert.equal(limited.calls().total, 4);
    } finally {
      await limited.close();
    }
  });
});

describe('faults', () => {
  test('drop-after: the course is created though the answer is lost', async () => {
    const prof = sandbox.createProfessor({ FIRSTNAME: 'D', LASTNAME: 'A', EMAIL: 'da@x.test' });
    const before = sandbox.state().courses.length;
    sandbox.faults.inject({ kind: 'drop-after', method: 'POST', pathPrefix: '/v1/course' });
    await assert.rejects(api.raw('POST', '/v1/course', newCourseBody(prof)), TypeError);
    const courses = sandbox.state().courses;
    assert.equal(courses.length, before + 1);
    assert.equal(courses.at(-1)?.NAME, 'Physique');
    // Only the next matching request was faulted.
    assert.equal((await api.raw('POST', '/v1/course', newCourseBody(prof))).status, 200);
  });

  test('drop-after on a v3 batch: applied, answer lost; the same batch again within 5 s gets the first answer', async () => {
    const body = { groups: [{ name: 'Lost answer' }, { name: 'Lost answer' }] };
    const before = sandbox.state().groups.length;
    sandbox.faults.inject({ kind: 'drop-after', pathPrefix: '/v3/groups' });
    await assert.rejects(api.raw('POST', '/v3/groups/batch-upsert', body), TypeError);
    assert.equal(sandbox.state().groups.length, before + 2, 'applied though the answer was lost');
    const again = await api.raw('POST', '/v3/groups/batch-upsert', body);
    assert.equal(again.status, 200);
    const ids = (again.json as { results: Array<{ id: string }> }).results.map((r) => r.id);
    assert.deepEqual(
      ids,
      sandbox
        .state()
        .groups.slice(-2)
        .map((g) => g.ID),
    );
    assert.equal(sandbox.state().groups.length, before + 2, 'not applied twice');
  });

  test('drop: the connection closes before anything happens', async () => {
    const before = sandbox.state().students.length;
    sandbox.faults.inject({ kind: 'drop', pathPrefix: '/v1/student' });
    await assert.rejects(
      api.raw('POST', '/v1/student', {
        student: { FIRSTNAME: 'a', LASTNAME: 'b', EMAIL: 'a@b.fr' },
      }),
    );
    assert.equal(sandbox.state().students.length, before);
  });

  test('429 carries Retry-After; 5xx and html are not the envelope', async () => {
    sandbox.faults.configure({ retryAfterSeconds: 7 });
    sandbox.faults.inject({ kind: '429', pathPrefix: '/v1/professor' });
    const limited = await api.raw('GET', '/v1/professor');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');

    sandbox.faults.inject({ kind: '5xx' });
    const down = await api.raw('GET', '/v1/professor');
    assert.equal(down.status, 503);
    assert.equal(down.json, undefined, 'plain text');

    sandbox.faults.inject({ kind: 'html' });
    const html = await api.raw('GET', '/v1/professor');
    assert.equal(html.status, 200);
    assert.match(html.contentType, /^text\/html/);
    assert.equal((await api.raw('GET', '/v1/professor')).status, 200, 'faults were used up');
  });

  test('random faults from the options, seeded', async () => {
    const flaky = await startEdusignSandbox({ faults: { rate: 1, kinds: ['5xx'] } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await testClient(flaky).raw('GET', '/v1/group')).status);
      assert.deepEqual(statuses, [503, 503, 503]);
      assert.equal(flaky.faults.injected['5xx'], 3);
    } finally {
      await flaky.close();
    }
  });
});

describe('call counts', () => {
  test('by route pattern, writes apart; control routes are not counted', async () => {
    sandbox.resetCalls();
    const prof = sandbox.createProfessor({ FIRSTNAME: 'C', LASTNAME: 'C', EMAIL: 'cc@x.test' });
    const { ID } = await api.ok('POST', '/v1/course', newCourseBody(prof));
    await api.ok('GET', `/v1/course/${ID}`);
    await api.ok('GET', `/v1/course/${ID}`);
    await api.error('GET', '/v1/student/get-id/none');
    await api.raw('GET', '/_sandbox/state');
    await api.raw('GET', '/v1/course/x', undefined, { token: null });
    assert.deepEqual(sandbox.calls(), {
      total: 5,
      writes: 1,
      byRoute: {
        'POST /v1/course': 1,
        'GET /v1/course/:id': 3,
        'GET /v1/student/get-id/:apiId': 1,
      },
    });
    sandbox.resetCalls();
    assert.deepEqual(sandbox.calls(), { total: 0, writes: 0, byRoute: {} });
  });

  test('a faulted request is counted: the client did make it', async () => {
    sandbox.resetCalls();
    sandbox.faults.inject({ kind: '5xx' });
    await api.raw('PATCH', '/v1/group', { group: { ID: 'x' } });
    assert.deepEqual(sandbox.calls(), { total: 1, writes: 1, byRoute: { 'PATCH /v1/group': 1 } });
  });
});

describe('control routes over HTTP', () => {
  const control = async (method: string, path: string, body?: unknown) => {
    const answer = await api.raw(method, `/_sandbox${path}`, body, { token: null });
    return { status: answer.status, json: answer.json as Record<string, unknown> };
  };

  test('people, lock, state and calls without a token', async () => {
    sandbox.resetCalls();
    const prof = await control('POST', '/professors', {
      FIRSTNAME: 'H',
      LASTNAME: 'T',
      EMAIL: 'ht@x.test',
      API_ID: 'P-H',
    });
    assert.equal(prof.status, 200);
    const again = await control('POST', '/professors', {
      FIRSTNAME: 'H',
      LASTNAME: 'T',
      EMAIL: 'HT@x.test',
    });
    assert.equal(again.status, 400);
    assert.match(String(again.json.error), /Professor already exists/);
    const learner = await control('POST', '/students', {
      FIRSTNAME: 'S',
      LASTNAME: 'T',
      EMAIL: 'st@x.test',
    });
    assert.equal(learner.status, 200);
    assert.equal(typeof learner.json.ID, 'string');

    const { ID } = await api.ok('POST', '/v1/course', newCourseBody(String(prof.json.ID)));
    assert.equal((await control('POST', `/courses/${ID}/lock`)).status, 200);
    assert.equal((await control('POST', '/courses/ffffffffffffffffffffffff/lock')).status, 404);

    const state = await control('GET', '/state');
    const courses = state.json.courses as Array<{ ID: string; LOCKED: number }>;
    assert.equal(courses.find((c) => c.ID === ID)?.LOCKED, 1);
    assert.ok((state.json.professors as Array<{ API_ID: string }>).some((p) => p.API_ID === 'P-H'));

    const calls = await control('GET', '/calls');
    assert.deepEqual(calls.json, { total: 1, writes: 1, byRoute: { 'POST /v1/course': 1 } });
    await control('POST', '/calls/reset');
    assert.equal(sandbox.calls().total, 0);
  });

  test('faults and options', async () => {
    const injected = await control('POST', '/faults', {
      inject: { kind: '5xx', method: 'GET', pathPrefix: '/v1/group' },
    });
    assert.equal(injected.status, 200);
    assert.equal((await api.raw('GET', '/v1/group')).status, 503);
    assert.equal((await api.raw('GET', '/v1/group')).status, 200);

    assert.equal(
      (await control('POST', '/faults', { rate: 1, kinds: ['429'], seed: 3 })).status,
      200,
    );
    assert.equal((await api.raw('GET', '/v1/group')).status, 429);
    await control('POST', '/faults', { clear: true });
    assert.equal((await api.raw('GET', '/v1/group')).status, 200);
    assert.equal((await control('POST', '/faults', { kinds: ['meteor'] })).status, 400);

    assert.equal((await control('POST', '/options', { account: 'no-subscription' })).status, 200);
    assert.equal((await api.raw('GET', '/v1/group')).status, 402);
    await control('POST', '/options', { account: 'ok', forbiddenRoutes: ['GET /v1/group'] });
    assert.equal((await api.raw('GET', '/v1/group')).status, 403);
    assert.equal((await control('POST', '/options', { rateLimit: { requests: 0 } })).status, 400);
  });
});
