import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEdusignClient } from '../src/edusign/client.ts';
import { createEdusignV3Client, readResults } from '../src/edusign/v3/client.ts';
import { createEdusignV3Port } from '../src/edusign/v3/port.ts';
import { API_TYPE } from '../src/rules/ownership.ts';
import { type EdusignSandbox, startEdusignSandbox } from '../src/sandbox/edusign/index.ts';
import type { EdusignPort, LookQuery, WriteRequest } from '../src/sync/ports.ts';

/*
 * The v3 port over real HTTP against the Edusign sandbox: what goes in one
 * batch, what stays on v1, per-item results as v1's outcomes, and the two
 * rules v3 would not keep (another tool's reference, a started or locked sheet).
 */

const TOKEN = 'v3-port-test-token';
const LIFTED = { requests: 100_000, windowMs: 60_000 };
let sandbox: EdusignSandbox;

before(async () => {
  sandbox = await startEdusignSandbox({ token: TOKEN, rateLimit: LIFTED, heavyRateLimit: LIFTED });
});
after(() => sandbox.close());

let fresh = 0;
function port(): EdusignPort {
  // Each case its own account: nothing left over from another case.
  const token = `${TOKEN}-case-${++fresh}`;
  sandbox.addAccount({ token });
  const config = {
    baseUrl: sandbox.url,
    v3BaseUrl: sandbox.v3Url,
    token,
    requestsPerMinute: 100_000,
    timeoutMs: 5_000,
  };
  current = token;
  const retry = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };
  return createEdusignV3Port(
    createEdusignClient(config, { retry }),
    createEdusignV3Client(config, { retry }),
  );
}
let current = '';
const account = () =>
  sandbox.account(current) as NonNullable<ReturnType<EdusignSandbox['account']>>;

const QUERY: LookQuery = {
  firstDay: '2030-01-07',
  lastDay: '2030-01-20',
  students: true,
  professors: true,
  groups: true,
};

const learner = (aurigaId: string, email = `${aurigaId}@example.test`): WriteRequest => ({
  action: 'create',
  kind: 'learner',
  aurigaId,
  payload: { lastName: 'DOE', firstName: `Jo ${aurigaId}`, email },
});

describe('v3 port', () => {
  test('creates of one kind go in one batch, each carrying our external reference', async () => {
    const p = port();
    await p.look(QUERY);
    const outcomes = await p.write([learner('1'), learner('2'), learner('3')]);
    assert.ok(outcomes.every((o) => o.ok));
    const calls = account().calls().byRoute;
    assert.equal(calls['POST /v3/students/batch-upsert'], 1, JSON.stringify(calls));
    assert.equal(calls['POST /v1/student'], undefined);
    const students = account().state().students;
    assert.deepEqual(students.map((s) => [s.API_ID, s.API_TYPE]).sort(), [
      ['1', API_TYPE],
      ['2', API_TYPE],
      ['3', API_TYPE],
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.edusignId : '')),
      ['1', '2', '3'].map((id) => students.find((s) => s.API_ID === id)?.ID),
    );
  });

  test('a 207: the failed item fails alone, as v1 says it, the others are written', async () => {
    const p = port();
    await p.look(QUERY);
    const outcomes = await p.write([learner('1'), learner('2', 'not an email'), learner('3')]);
    assert.equal(outcomes[0]?.ok, true);
    assert.equal(outcomes[2]?.ok, true);
    const failed = outcomes[1];
    assert.ok(failed && !failed.ok);
    assert.equal(failed.reason, 'refused');
    assert.equal(failed.code, 'edusign.validation');
    assert.match(failed.message, /VALIDATION_ERROR.*email/);
    assert.equal(account().state().students.length, 2);
  });

  test("a reference another tool's record carries is never upserted: ours is created on v1, beside it", async () => {
    const p = port();
    const theirs = account().createStudent({
      FIRSTNAME: 'Other',
      LASTNAME: 'TOOL',
      EMAIL: 'other@example.test',
      API_ID: '7',
      API_TYPE: 'another-tool',
    });
    await p.look(QUERY);
    const [outcome] = await p.write([learner('7')]);
    assert.ok(outcome?.ok);
    assert.notEqual(outcome.edusignId, theirs);
    const calls = account().calls().byRoute;
    assert.equal(calls['POST /v3/students/batch-upsert'], undefined, JSON.stringify(calls));
    assert.equal(calls['POST /v1/student'], 1);
    const state = account().state().students;
    const other = state.find((s) => s.ID === theirs);
    assert.equal(other?.API_TYPE, 'another-tool');
    assert.equal(other?.FIRSTNAME, 'Other');
    assert.equal(state.find((s) => s.ID === outcome.edusignId)?.API_TYPE, API_TYPE);
  });

  test('an update names the record by its Edusign id and carries only what changed', async () => {
    const p = port();
    await p.look(QUERY);
    const [created] = await p.write([learner('1')]);
    assert.ok(created?.ok);
    const [updated] = await p.write([
      {
        action: 'update',
        kind: 'learner',
        aurigaId: '1',
        edusignId: created.edusignId,
        payload: {
          lastName: 'DOE',
          firstName: 'Joanna',
          email: 'changed-but-not-named@example.test',
        },
        changes: ['firstName'],
      },
    ]);
    assert.deepEqual(updated, { ok: true, edusignId: created.edusignId });
    const student = account()
      .state()
      .students.find((s) => s.ID === created.edusignId);
    assert.equal(student?.FIRSTNAME, 'Joanna');
    assert.equal(student?.EMAIL, '1@example.test', 'a field not among the changes is left');

    const [gone] = await p.write([
      {
        action: 'update',
        kind: 'learner',
        aurigaId: '9',
        edusignId: 'no-such-id',
        payload: { lastName: 'X', firstName: 'Y', email: 'y@example.test' },
        changes: ['firstName'],
      },
    ]);
    assert.ok(gone && !gone.ok);
    assert.equal(gone.reason, 'not_found');
  });

  test('a sheet the listing showed started or locked is not sent: v3 would change it', async () => {
    const p = port();
    await p.look(QUERY);
    const [prof] = await p.write([
      {
        action: 'create',
        kind: 'instructor',
        aurigaId: 'p1',
        payload: { lastName: 'PROF', firstName: 'One', email: 'p1@example.test' },
      },
    ]);
    assert.ok(prof?.ok);
    const sheet = (aurigaId: string, start: string) => ({
      name: `Sheet ${aurigaId}`,
      description: null,
      classroom: null,
      start,
      end: new Date(Date.parse(start) + 3_600_000).toISOString(),
      instructors: [prof.edusignId],
      learners: [],
      groups: [],
    });
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const ahead = new Date(Date.now() + 86_400_000).toISOString();
    const created = await p.write([
      { action: 'create', kind: 'sheet', aurigaId: 'started', payload: sheet('started', past) },
      { action: 'create', kind: 'sheet', aurigaId: 'locked', payload: sheet('locked', ahead) },
    ]);
    const [started, locked] = created.map((o) => (o.ok ? o.edusignId : ''));
    assert.ok(started && locked);
    account().lockCourse(locked);
    const day = (iso: string) => iso.slice(0, 10);
    await p.look({ ...QUERY, firstDay: day(past), lastDay: day(ahead) });
    account().resetCalls();
    const outcomes = await p.write(
      (['started', 'locked'] as const).map((aurigaId) => ({
        action: 'update' as const,
        kind: 'sheet' as const,
        aurigaId,
        edusignId: aurigaId === 'started' ? started : locked,
        payload: { ...sheet(aurigaId, ahead), name: 'Changed' },
        changes: ['name'],
      })),
    );
    assert.equal(account().calls().writes, 0, JSON.stringify(account().calls().byRoute));
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? 'ok' : `${o.reason}:${o.code}`)),
      ['refused:sync.started', 'locked:edusign.course_locked'],
    );
    assert.ok(
      account()
        .state()
        .courses.every((c) => c.NAME !== 'Changed'),
    );
  });

  test('a group with members is written on v1 in one call; one without, by batch', async () => {
    const p = port();
    await p.look(QUERY);
    const [a] = await p.write([learner('1')]);
    assert.ok(a?.ok);
    account().resetCalls();
    const outcomes = await p.write([
      {
        action: 'create',
        kind: 'group',
        aurigaId: 'g1',
        payload: { name: 'With', description: null, learners: [a.edusignId] },
      },
      {
        action: 'create',
        kind: 'group',
        aurigaId: 'g2',
        payload: { name: 'Without', description: 'code', learners: [] },
      },
    ]);
    assert.ok(outcomes.every((o) => o.ok));
    const calls = account().calls().byRoute;
    assert.equal(calls['POST /v1/group'], 1, JSON.stringify(calls));
    assert.equal(calls['POST /v3/groups/batch-upsert'], 1, JSON.stringify(calls));
    const groups = account().state().groups;
    assert.deepEqual(groups.find((g) => g.API_ID === 'g1')?.STUDENTS, [a.edusignId]);
    assert.equal(groups.find((g) => g.API_ID === 'g2')?.API_TYPE, API_TYPE);
  });

  test('a batch whose answer is lost is sent again; one never answered fails each record, as unavailable', async () => {
    const p = port();
    await p.look(QUERY);
    // The first attempt is applied, its answer lost: the retry upserts the same references.
    sandbox.faults.inject({ kind: 'drop-after', method: 'POST', pathPrefix: '/v3/students' });
    const outcomes = await p.write([learner('1'), learner('2')]);
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(account().calls().byRoute['POST /v3/students/batch-upsert'], 2);
    assert.equal(account().state().students.length, 2, 'sent twice, written once');

    sandbox.faults.inject({ kind: '5xx', method: 'POST', pathPrefix: '/v3/students', count: 3 });
    const lost = await p.write([learner('3'), learner('4')]);
    assert.deepEqual(
      lost.map((o) => (o.ok ? 'ok' : `${o.reason}:${o.code}`)),
      ['refused:edusign.unavailable', 'refused:edusign.unavailable'],
    );
    assert.match((lost[0] as { message: string }).message, /sent again by the next run/);
  });

  test('our people are found by external id from one listing, never another tool’s, and listed afresh after a write', async () => {
    const p = port();
    account().createStudent({
      FIRSTNAME: 'Other',
      LASTNAME: 'TOOL',
      EMAIL: 'other@example.test',
      API_ID: '2',
      API_TYPE: 'another-tool',
    });
    await p.look(QUERY);
    const [one] = await p.write([learner('1')]);
    assert.ok(one?.ok);
    account().resetCalls();
    assert.equal(await p.findByExternalId('learner', '1'), one.edusignId);
    assert.equal(await p.findByExternalId('learner', '2'), undefined, 'not ours');
    assert.equal(await p.findByExternalId('learner', '3'), undefined);
    assert.deepEqual(account().calls().byRoute, { 'GET /v1/student': 1 });
    const [three] = await p.write([learner('3')]);
    assert.ok(three?.ok);
    assert.equal(await p.findByExternalId('learner', '3'), three.edusignId);
    assert.equal(account().calls().byRoute['GET /v1/student'], 2);
  });

  test('more than 1,000 writes are split into batches of 1,000', async () => {
    const p = port();
    await p.look(QUERY);
    const many = Array.from({ length: 1001 }, (_, i) => learner(String(i)));
    // The executor never sends more than maxBatch; the port splits anyway.
    const outcomes = await p.write(many);
    assert.equal(outcomes.length, 1001);
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(account().calls().byRoute['POST /v3/students/batch-upsert'], 2);
  });
});

describe('v3 answers read', () => {
  test('results by inputIndex; a whole-batch 400 and a body without results are errors', () => {
    assert.deepEqual(
      readResults(
        'POST /v3/students/batch-upsert',
        207,
        JSON.stringify({
          results: [
            { inputIndex: 1, status: 'error', code: 'VALIDATION_ERROR', message: 'm' },
            { inputIndex: 0, status: 'success', id: 42 },
            { inputIndex: 9, status: 'success', id: 'out of range' },
          ],
        }),
        2,
      ),
      [
        { inputIndex: 1, status: 'error', code: 'VALIDATION_ERROR', message: 'm' },
        { inputIndex: 0, status: 'success', id: '42' },
      ],
    );
    assert.throws(
      () => readResults('R', 400, '{"code":"VALIDATION_ERROR","message":"too many"}', 1),
      (e: Error & { code?: string }) =>
        e.code === 'edusign.validation' && /too many/.test(e.message),
    );
    assert.throws(
      () => readResults('R', 200, '<html>login</html>', 1),
      (e: Error & { code?: string }) => e.code === 'edusign.bad_response',
    );
    assert.throws(
      () => readResults('R', 401, 'Unauthorized', 1),
      (e: Error & { code?: string }) => e.code === 'edusign.unauthorized',
    );
  });
});
