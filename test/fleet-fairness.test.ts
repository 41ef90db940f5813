import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import type { RunRecord } from '../src/store/port.ts';
import { freshDatabase, importSchool, startWorker, TEST_KEY, waitFor } from './helpers/fleet.ts';

/**
 * Fair limits on one worker: each run has its own Edusign client and rate
 * limiter, so a slow (large) school does not hold a small one back; and at
 * most --auriga-host-limit runs read one Auriga host at once.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes({
    school: 'small',
    seed: 13,
    edusignAccounts: 4,
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
  });
});
after(() => sandboxes.close());

const tokenOf = (i: number) => sandboxes.edusign.accounts()[i]?.token ?? '';

async function twoSchools(t: TestContext, offset: number, args: string[]) {
  const url = await freshDatabase(t);
  const db = await openFleetDatabase({ url });
  t.after(() => db.close());
  // The large school's account paced at 25 requests a second: its run lasts several seconds.
  await importSchool(db, keys, sandboxes.config, 'large-school', {
    token: tokenOf(offset),
    requestsPerMinute: 1500,
  });
  await importSchool(db, keys, sandboxes.config, 'small-school', { token: tokenOf(offset + 1) });
  const worker = startWorker(t, url, args);
  const finished = (school: string) =>
    waitFor(
      `a finished run of ${school}`,
      async () =>
        (await db.store.forSchool(school).recentRuns(5)).find((r) => r.outcome !== 'running'),
      60_000,
    );
  const [large, small] = await Promise.all([finished('large-school'), finished('small-school')]);
  assert.equal(large.outcome, 'succeeded', worker.output());
  assert.equal(small.outcome, 'succeeded', worker.output());
  return { large, small };
}

const at = (run: RunRecord, key: 'startedAt' | 'finishedAt') => Date.parse(run[key] ?? '');

describe('fair limits', () => {
  test('a large school does not delay a small one on the same worker', async (t) => {
    const { large, small } = await twoSchools(t, 0, ['--concurrency', '2']);
    assert.ok(at(small, 'finishedAt') < at(large, 'finishedAt'), 'the small school finished first');
    assert.ok(
      at(small, 'startedAt') < at(large, 'finishedAt'),
      'it did not wait for the large one',
    );
    assert.ok(
      at(small, 'finishedAt') - at(small, 'startedAt') <
        (at(large, 'finishedAt') - at(large, 'startedAt')) / 2,
      'its run was not slowed to the large one’s pace',
    );
  });

  test('--auriga-host-limit 1: two schools on one Auriga host never run at once', async (t) => {
    const { large, small } = await twoSchools(t, 2, [
      '--concurrency',
      '2',
      '--auriga-host-limit',
      '1',
    ]);
    const [first, second] =
      at(large, 'startedAt') < at(small, 'startedAt') ? [large, small] : [small, large];
    assert.ok(
      at(second, 'startedAt') >= at(first, 'finishedAt') - 50,
      'the second waited for the first',
    );
  });
});
