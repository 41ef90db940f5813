import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { QUEUE_SCHEMA, RUN_QUEUE } from '../src/fleet/queue.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { freshDatabase, importSchool, startWorker, TEST_KEY, waitFor } from './helpers/fleet.ts';

/**
 * The fleet's schedule across real worker processes on a real PostgreSQL:
 * each due school runs once whatever the number of workers, a missed window
 * is caught up once, disabled schools get no job, refused credentials fail
 * once per window.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes({
    school: 'small',
    seed: 5,
    edusignAccounts: 6,
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
  });
});
after(() => sandboxes.close());

const tokenOf = (i: number) => sandboxes.edusign.accounts()[i]?.token ?? '';

async function jobsOf(db: Awaited<ReturnType<typeof openFleetDatabase>>, school: string) {
  const { rows } = await db.pool.query(
    `SELECT state, data->>'reason' AS reason FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND data->>'school' = $2`,
    [RUN_QUEUE, school],
  );
  return rows as { state: string; reason: string }[];
}

describe('fleet workers', () => {
  test('two workers, due schools: each runs once; a missed window once; a disabled school gets no job', async (t) => {
    const url = await freshDatabase(t);
    const db = await openFleetDatabase({ url });
    t.after(() => db.close());
    await importSchool(db, keys, sandboxes.config, 'due-school', { token: tokenOf(0) });
    await importSchool(db, keys, sandboxes.config, 'missed-school', { token: tokenOf(1) });
    await importSchool(db, keys, sandboxes.config, 'off-school', { token: tokenOf(2) });
    await db.schools.setEnabled('off-school', false);
    // The missed school last ran three days ago: every window since was missed.
    const old = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
    const missed = db.store.forSchool('missed-school');
    await missed.startRun({ id: 'old-run', startedAt: old, dryRun: false });
    await missed.finishRun('old-run', { finishedAt: old, outcome: 'succeeded', report: {} });

    const workers = [startWorker(t, url), startWorker(t, url)];
    const finished = (school: string) =>
      waitFor(`a finished run of ${school}`, async () => {
        const runs = await db.store.forSchool(school).recentRuns(10);
        return runs.some((r) => r.outcome !== 'running' && r.id !== 'old-run') && runs;
      });
    const [due, caughtUp] = await Promise.all([finished('due-school'), finished('missed-school')]);
    // A few more ticks of both producers: nothing more is enqueued.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal((await db.store.forSchool('due-school').recentRuns(10)).length, 1);
    assert.equal(due[0]?.outcome, 'succeeded', workers[0]?.output());
    const missedRuns = await db.store.forSchool('missed-school').recentRuns(10);
    assert.equal(missedRuns.length, 2, 'the old run and one catch-up, not one per missed window');
    assert.equal(caughtUp[0]?.outcome, 'succeeded');
    assert.deepEqual(
      (await jobsOf(db, 'missed-school')).map((j) => [j.state, j.reason]),
      [['completed', 'catch_up']],
    );
    assert.equal((await jobsOf(db, 'due-school')).length, 1);
    assert.deepEqual(await jobsOf(db, 'off-school'), [], 'a disabled school gets no job');
    assert.equal((await db.store.forSchool('off-school').recentRuns(10)).length, 0);
  });

  test('credentials refused: the run fails once in the window, not every tick', async (t) => {
    const url = await freshDatabase(t);
    const db = await openFleetDatabase({ url });
    t.after(() => db.close());
    await importSchool(db, keys, sandboxes.config, 'refused-school', {
      token: tokenOf(3),
      password: 'not-the-password',
    });
    const worker = startWorker(t, url);
    const runs = await waitFor('the refused run', async () => {
      const r = await db.store.forSchool('refused-school').recentRuns(10);
      return r.some((x) => x.outcome !== 'running') && r;
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const later = await db.store.forSchool('refused-school').recentRuns(10);
    assert.equal(later.length, 1, worker.output());
    assert.equal(runs[0]?.outcome, 'failed');
    const report = later[0]?.report as { error?: { configuration?: boolean; message: string } };
    assert.equal(report.error?.configuration, true, report.error?.message);
    assert.equal((await jobsOf(db, 'refused-school')).length, 1);
  });

  test('a school whose secrets do not open fails with "cannot decrypt"; the others run', async (t) => {
    const url = await freshDatabase(t);
    const db = await openFleetDatabase({ url });
    t.after(() => db.close());
    const otherKeys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: 'b'.repeat(64) });
    await importSchool(db, otherKeys, sandboxes.config, 'other-key-school', { token: tokenOf(4) });
    await importSchool(db, keys, sandboxes.config, 'good-school', { token: tokenOf(5) });
    const worker = startWorker(t, url);
    const finished = (school: string) =>
      waitFor(`a finished run of ${school}`, async () => {
        const runs = await db.store.forSchool(school).recentRuns(10);
        return runs.find((r) => r.outcome !== 'running');
      });
    const [bad, good] = await Promise.all([finished('other-key-school'), finished('good-school')]);
    assert.equal(good.outcome, 'succeeded', worker.output());
    assert.equal(bad.outcome, 'failed');
    const error = (bad.report as { error: { message: string } }).error;
    assert.match(error.message, /cannot decrypt .*wrong AURIGA_EDUSIGN_SECRET_KEY\?/);
    assert.ok(
      !worker.output().includes(sandboxes.config.auriga.password as string),
      'no secret logged',
    );
  });
});
