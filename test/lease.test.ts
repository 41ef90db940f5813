import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { isAppError } from '../src/errors/app-error.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { acquireLease } from '../src/sync/lease.ts';

/**
 * The run lease (src/sync/lease.ts) on real stores: a live holder is waited
 * for and then named; an expired lease is taken over; a holder the store can
 * prove gone (a PostgreSQL connection that died with its process) is taken
 * over at once, and its run recorded abandoned.
 */

const now = () => new Date();

describe('run lease', () => {
  test('sqlite: a live holder is waited for up to the bound, then named', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const school = store.forSchool('s');
      const first = await acquireLease(school, { runId: 'run-a', now });
      const started = Date.now();
      await assert.rejects(
        acquireLease(school, { runId: 'run-b', now, waitMs: 300 }),
        (error: unknown) =>
          isAppError(error) && error.code === 'sync.locked' && /run run-a/.test(error.message),
      );
      assert.ok(Date.now() - started >= 300, 'it waited');
      await first.release();
      const second = await acquireLease(school, { runId: 'run-b', now, waitMs: 0 });
      await second.release();
    } finally {
      await store.close();
    }
  });

  test('sqlite: a lease not renewed is taken over once it expires, and the dead run is abandoned', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const school = store.forSchool('s');
      // Another machine's holder (this machine cannot tell whether it lives): only expiry frees it.
      assert.equal(await school.tryLock('other-host/1234/run-x', 300, now()), true);
      await school.startRun({ id: 'run-x', startedAt: now().toISOString(), dryRun: false });
      const lease = await acquireLease(school, { runId: 'run-y', now, waitMs: 5_000 });
      assert.deepEqual(lease.abandoned, ['run-x']);
      assert.equal((await school.getRun('run-x'))?.outcome, 'abandoned');
      await lease.release();
    } finally {
      await store.close();
    }
  });

  test('postgres: a holder whose connection died is taken over at once, before its lease expires', async () => {
    const schema = `lease_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const admin = new pg.Pool({ max: 1 });
    const dying = new pg.Pool({ max: 2, application_name: `dying-holder-${schema}` });
    dying.on('error', () => undefined);
    const other = await openPostgresStore({ schema });
    const theirs = await openPostgresStore({ pool: dying, schema });
    try {
      // The holder runs in another process: its pool is its connection to PostgreSQL.
      const held = await acquireLease(theirs.forSchool('s'), {
        runId: 'run-dead',
        now,
        ttlMs: 600_000,
      });
      await theirs
        .forSchool('s')
        .startRun({ id: 'run-dead', startedAt: now().toISOString(), dryRun: false });
      const live = await acquireLease(other.forSchool('s'), {
        runId: 'run-2',
        now,
        waitMs: 300,
      }).then(
        () => 'taken',
        (error: unknown) => (isAppError(error) ? error.code : 'error'),
      );
      assert.equal(live, 'sync.locked', 'a live holder is not taken over');
      // The holder's process dies: its connections go, and its advisory lock with them.
      void held;
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`dying-holder-${schema}`],
      );
      const started = Date.now();
      // The server ends the killed backend asynchronously: a moment's wait, not the lease's ten minutes.
      const lease = await acquireLease(other.forSchool('s'), {
        runId: 'run-3',
        now,
        waitMs: 3_000,
      });
      assert.ok(Date.now() - started < 5_000, 'taken over at once, not after 10 minutes');
      assert.deepEqual(lease.abandoned, ['run-dead']);
      await lease.release();
    } finally {
      await other.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
  test('postgres: presences taken and released on a long-lived pool leave no listener behind', async () => {
    const schema = `lease_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const pool = new pg.Pool({ max: 1 });
    const store = await openPostgresStore({ pool, schema });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      // A fleet worker's pool serves run after run: each presence borrows one of its clients.
      for (let i = 0; i < 15; i++)
        await (await store.forSchool('s').holdPresence(`run-${i}`)).release();
      const client = await pool.connect();
      const listeners = client.listenerCount('error');
      client.release();
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(listeners <= 1, `the pooled client holds ${listeners} error listeners`);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.close();
      await pool.end().catch(() => undefined);
    }
  });
});
