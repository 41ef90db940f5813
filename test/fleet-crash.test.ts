import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { QUEUE_SCHEMA, RUN_QUEUE } from '../src/fleet/queue.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import type { EdusignAccount } from '../src/sandbox/edusign/index.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import {
  assertNoDuplicate,
  freshDatabase,
  importSchool,
  startWorker,
  TEST_KEY,
  waitFor,
} from './helpers/fleet.ts';

/**
 * Workers that die or are stopped mid-run, as real processes: a SIGKILLed
 * worker's job is finished by another, with no duplicate on Edusign and the
 * dead run recorded abandoned; a SIGTERMed worker's run is recorded
 * interrupted and its job goes back to the queue.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes({
    school: 'small',
    seed: 8,
    edusignAccounts: 2,
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
  });
});
after(() => sandboxes.close());

/** Slow enough (the client's own pace) to be caught mid-run. */
const SLOW = 1500;

describe('workers killed or stopped mid-run', () => {
  test('SIGKILL mid-run: another worker finishes the school within the bound, no duplicate, the dead run abandoned', async (t) => {
    const url = await freshDatabase(t);
    const db = await openFleetDatabase({ url });
    t.after(() => db.close());
    const account = sandboxes.edusign.accounts()[0] as EdusignAccount;
    await importSchool(db, keys, sandboxes.config, 'killed-school', {
      token: account.token,
      requestsPerMinute: SLOW,
    });
    const workers = [startWorker(t, url), startWorker(t, url)];
    await waitFor('writes on Edusign', () => account.calls().writes >= 5, 30_000, 20);
    const lock = await db.store.forSchool('killed-school').lockHolder();
    assert.ok(lock, 'the run holds the lease');
    const pid = Number(lock.owner.split('/')[1]);
    const victim = workers.find((w) => w.child.pid === pid);
    assert.ok(victim, 'the lease names one of the workers');
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const survivor = workers.find((w) => w !== victim);

    const finished = await waitFor(
      'the school finished elsewhere',
      async () => {
        const runs = await db.store.forSchool('killed-school').recentRuns(10);
        return runs.find((r) => r.outcome === 'succeeded');
      },
      60_000,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    assert.ok(seconds < 60, `finished ${seconds} s after the kill`);
    const runs = await db.store.forSchool('killed-school').recentRuns(10);
    assert.deepEqual(
      runs.map((r) => r.outcome).sort(),
      ['abandoned', 'succeeded'],
      survivor?.output(),
    );
    assert.ok(finished);
    assertNoDuplicate(account);
    // The run is stored before its job is marked done: that takes the worker a moment more.
    const jobs = async () =>
      (
        await db.pool.query(`SELECT state, retry_count FROM ${QUEUE_SCHEMA}.job WHERE name = $1`, [
          RUN_QUEUE,
        ])
      ).rows;
    await waitFor(
      'the job completed',
      async () => (await jobs()).every((row) => row.state === 'completed'),
      15_000,
    ).catch(() => undefined);
    assert.deepEqual(
      await jobs(),
      [{ state: 'completed', retry_count: 1 }],
      'the same job, retried once',
    );
  });

  test('SIGTERM mid-run: the run is recorded interrupted, its job goes back to the queue and is finished later', async (t) => {
    const url = await freshDatabase(t);
    const db = await openFleetDatabase({ url });
    t.after(() => db.close());
    const account = sandboxes.edusign.accounts()[1] as EdusignAccount;
    await importSchool(db, keys, sandboxes.config, 'stopped-school', {
      token: account.token,
      requestsPerMinute: SLOW,
    });
    const first = startWorker(t, url, ['--grace-seconds', '0']);
    await waitFor('writes on Edusign', () => account.calls().writes >= 5, 30_000, 20);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());
    const runs = await db.store.forSchool('stopped-school').recentRuns(10);
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['interrupted'],
    );
    const report = runs[0]?.report as { error?: { signal?: string } } | undefined;
    assert.equal(report?.error?.signal, 'SIGTERM');
    const { rows } = await db.pool.query(`SELECT state FROM ${QUEUE_SCHEMA}.job WHERE name = $1`, [
      RUN_QUEUE,
    ]);
    assert.deepEqual(rows, [{ state: 'retry' }], 'back in the queue, not counted as served');

    const second = startWorker(t, url);
    await waitFor(
      'the school finished by the next worker',
      async () =>
        (await db.store.forSchool('stopped-school').recentRuns(10)).find(
          (r) => r.outcome === 'succeeded',
        ),
      60_000,
    );
    const all = await db.store.forSchool('stopped-school').recentRuns(10);
    assert.deepEqual(
      all.map((r) => r.outcome).sort(),
      ['interrupted', 'succeeded'],
      second.output(),
    );
    assertNoDuplicate(account);
  });
});
