import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testClient } from './http-test-client.ts';
import { SANDBOX_EDUSIGN_TOKEN, startEdusignSandbox } from './index.ts';

// One sandbox process, many Edusign accounts (the fleet contract (fleet.md)):
// each token its own data and its own rate limits, v1 and v3.

const person = (n: string) => ({ FIRSTNAME: 'Léa', LASTNAME: n, EMAIL: `${n}@school.test` });

test('accounts: N starts N accounts; the first is the sandbox own, the others get their tokens', async () => {
  const sandbox = await startEdusignSandbox({ accounts: 3 });
  try {
    const tokens = sandbox.accounts().map((a) => a.token);
    assert.deepEqual(tokens, [
      SANDBOX_EDUSIGN_TOKEN,
      `${SANDBOX_EDUSIGN_TOKEN}-2`,
      `${SANDBOX_EDUSIGN_TOKEN}-3`,
    ]);
    assert.equal(sandbox.accounts()[0]?.token, sandbox.token);
    const added = sandbox.addAccount({ token: 'school-42' });
    assert.equal(added.token, 'school-42');
    assert.equal(sandbox.account('school-42'), added);
    assert.throws(() => sandbox.addAccount({ token: 'school-42' }), /already/);
    assert.equal(sandbox.addAccount().token, `${SANDBOX_EDUSIGN_TOKEN}-5`);
  } finally {
    await sandbox.close();
  }
});

test('two tokens never see each other’s records, on v1 or v3', async () => {
  const sandbox = await startEdusignSandbox();
  try {
    const other = sandbox.addAccount({ token: 'other-school' });
    const mine = testClient(sandbox);
    const theirs = testClient({ url: sandbox.url, token: other.token });
    const myId = sandbox.createStudent({ ...person('mine'), API_ID: 'A1' });
    const created = await theirs.raw('POST', '/v3/students/batch-upsert', {
      students: [
        {
          ...{ firstName: 'Zoé', lastName: 'theirs', email: 'z@school.test' },
          externalReferenceId: 'A1',
        },
      ],
    });
    assert.equal(created.status, 200, created.text);
    const theirId = (created.json as { results: Array<{ id: string }> }).results[0]?.id ?? '';
    assert.notEqual(theirId, myId, 'the same reference in another account is another learner');

    assert.deepEqual(
      sandbox.state().students.map((s) => s.LASTNAME),
      ['mine'],
    );
    assert.deepEqual(
      other.state().students.map((s) => s.LASTNAME),
      ['theirs'],
    );
    assert.equal(await mine.error('GET', `/v1/student/${theirId}`), 'Student not found');
    assert.equal(await theirs.error('GET', `/v1/student/${myId}`), 'Student not found');
    assert.equal((await mine.ok('GET', '/v1/student/get-id/A1')).ID, myId);
    assert.equal((await theirs.ok('GET', '/v1/student/get-id/A1')).ID, theirId);

    assert.equal(sandbox.calls().byRoute['POST /v3/students/batch-upsert'], undefined);
    assert.equal(other.calls().byRoute['POST /v3/students/batch-upsert'], 1);
    assert.equal(other.calls().total, 3);
    assert.equal(sandbox.calls().total, 2);

    // Settings are per account too.
    other.setOptions({ account: 'no-subscription' });
    assert.equal((await theirs.raw('GET', '/v1/professor')).status, 402);
    assert.equal((await mine.raw('GET', '/v1/professor')).status, 200);
    assert.throws(() => other.lockCourse('nope'), /No course nope/);
    assert.throws(() => other.setOptions({ token: sandbox.token }), /already/);
  } finally {
    await sandbox.close();
  }
});

test('one account over its limit does not slow another, on v1 or v3', async () => {
  const sandbox = await startEdusignSandbox({
    rateLimit: { requests: 2, windowMs: 1_500 },
    heavyRateLimit: { requests: 1, windowMs: 1_500 },
  });
  try {
    const other = sandbox.addAccount({
      token: 'other-school',
      rateLimit: { requests: 2, windowMs: 1_500 },
      heavyRateLimit: { requests: 1, windowMs: 1_500 },
    });
    const busy = testClient(sandbox);
    const calm = testClient({ url: sandbox.url, token: other.token });
    const groups = { groups: [{ name: 'G' }] };
    // The busy account spends its limits; its next requests wait.
    await Promise.all([busy.raw('GET', '/v1/professor'), busy.raw('GET', '/v1/professor')]);
    await busy.raw('POST', '/v3/groups/batch-upsert', groups);
    const started = Date.now();
    const waiting = Promise.all([
      busy.raw('GET', '/v1/professor'),
      busy.raw('POST', '/v3/groups/batch-upsert', { groups: [{ name: 'H' }] }),
    ]);
    await Promise.all([
      calm.ok('GET', '/v1/professor'),
      calm.raw('POST', '/v3/groups/batch-upsert', groups),
    ]);
    assert.ok(Date.now() - started < 1_000, `the calm account waited ${Date.now() - started} ms`);
    await waiting;
    assert.ok(Date.now() - started >= 1_200, 'the busy account did wait');
  } finally {
    await sandbox.close();
  }
});

test('accounts over the control routes: add, list, and read one’s data and calls', async () => {
  const sandbox = await startEdusignSandbox();
  try {
    const control = (method: string, path: string, body?: unknown) =>
      testClient(sandbox).raw(method, `/_sandbox${path}`, body, { token: null });
    const added = await control('POST', '/accounts', { token: 'school-7' });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json, { token: 'school-7' });
    assert.equal((await control('POST', '/accounts', { token: 'school-7' })).status, 409);
    assert.equal((await control('POST', '/accounts', { token: 5 })).status, 400);
    assert.deepEqual((await control('GET', '/accounts')).json, [
      { token: SANDBOX_EDUSIGN_TOKEN },
      { token: 'school-7' },
    ]);
    await testClient({ url: sandbox.url, token: 'school-7' }).ok('POST', '/v1/professor', {
      professor: person('seven'),
      dontSendCredentials: true,
    });
    const state = (await control('GET', '/accounts/school-7/state')).json as {
      professors: Array<{ LASTNAME: string }>;
    };
    assert.deepEqual(
      state.professors.map((p) => p.LASTNAME),
      ['seven'],
    );
    const calls = (await control('GET', '/accounts/school-7/calls')).json as { total: number };
    assert.equal(calls.total, 1);
    assert.equal((await control('GET', '/accounts/nobody/state')).status, 404);
    assert.equal(sandbox.state().professors.length, 0);
  } finally {
    await sandbox.close();
  }
});
