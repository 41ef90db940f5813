import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readAuriga } from '../../app/index.ts';
import { parseConfig } from '../../config/load.ts';
import { isAppError } from '../../errors/app-error.ts';
import { type Sandboxes, startSandboxes } from '../start.ts';

/** One Auriga sandbox serving several schools: each its own client, account and favorites. */

let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes({ schools: 3, seed: 40 });
});
after(() => sandboxes.close());

const configOf = (i: number, changes: Record<string, unknown> = {}) => {
  const input = sandboxes.configs[i];
  assert.ok(input);
  return parseConfig({ ...input, auriga: { ...input.auriga, ...changes } }, { env: {} });
};

test('each school reads its own favorites with its own credentials, and its own Edusign account', async () => {
  assert.equal(sandboxes.configs.length, 3);
  assert.deepEqual(
    sandboxes.configs.map((c) => c.school),
    ['school-1', 'school-2', 'school-3'],
  );
  const tokens = new Set(sandboxes.configs.map((c) => c.edusign.token));
  assert.equal(tokens.size, 3, 'one Edusign account each');
  const reads = await Promise.all([0, 1, 2].map((i) => readAuriga(configOf(i))));
  const expected = [sandboxes.school, ...sandboxes.auriga.tenants().map((t) => t.school)];
  reads.forEach((read, i) => {
    const ids = read.snapshot.interventions.map((x) => x.id).sort();
    const own = (expected[i]?.interventions ?? [])
      .filter((x) => ids.includes(x.id))
      .map((x) => x.id)
      .sort();
    assert.ok(ids.length > 0);
    assert.deepEqual(ids, own, `school ${i + 1} reads only its own interventions`);
  });
  assert.notDeepEqual(
    reads[0]?.snapshot.interventions.map((x) => x.id),
    reads[1]?.snapshot.interventions.map((x) => x.id),
  );
});

test("one school's client with another's account is refused", async () => {
  const other = sandboxes.configs[1]?.auriga;
  await assert.rejects(
    readAuriga(configOf(0, { username: other?.username, password: other?.password })),
    (error) => isAppError(error) && /invalid_grant|Invalid user credentials/.test(error.message),
  );
});
