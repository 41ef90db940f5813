import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { canMove, RUN_STATES } from '../src/domain/run-states.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { storeLastRunAt } from '../src/schedule/scheduler.ts';
import type { Store } from '../src/store/port.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';

/**
 * The table of run states (src/domain/run-states.ts) as both stores enforce
 * it, and what a stopped or dead run means for the schedule: its window is
 * not served.
 */

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 11, minutes)).toISOString();

const backends: Array<[string, () => Promise<{ store: Store; done: () => Promise<void> }>]> = [
  [
    'sqlite',
    async () => {
      const store = await openSqliteStore(':memory:');
      return { store, done: () => store.close() };
    },
  ],
  [
    'postgres',
    async () => {
      const pool = new pg.Pool({ max: 2 });
      const schema = `runstates_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const store = await openPostgresStore({ pool, schema });
      return {
        store,
        done: async () => {
          await store.close();
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  ],
];

describe('run states', () => {
  test('the table: a run moves from running to one final state, and never again', () => {
    for (const from of RUN_STATES)
      for (const to of RUN_STATES)
        assert.equal(canMove(from, to), from === 'running' && to !== 'running', `${from} → ${to}`);
  });

  for (const [name, open] of backends) {
    test(`${name}: a finished run cannot be finished again, and dead runs are recorded abandoned`, async () => {
      const { store, done } = await open();
      try {
        const school = store.forSchool('s');
        await school.startRun({ id: 'r1', startedAt: at(0), dryRun: false });
        await school.finishRun('r1', { finishedAt: at(1), outcome: 'interrupted', report: {} });
        await assert.rejects(
          school.finishRun('r1', { finishedAt: at(2), outcome: 'succeeded', report: {} }),
          (error: unknown) => isAppError(error) && error.code === 'store.bad_transition',
        );
        assert.equal((await school.getRun('r1'))?.outcome, 'interrupted');

        await school.startRun({ id: 'dead', startedAt: at(3), dryRun: false });
        await school.startRun({ id: 'live', startedAt: at(4), dryRun: false });
        assert.deepEqual(await school.abandonRuns({ except: 'live', finishedAt: at(5) }), ['dead']);
        assert.equal((await school.getRun('dead'))?.outcome, 'abandoned');
        assert.equal((await school.getRun('live'))?.outcome, 'running');
      } finally {
        await done();
      }
    });

    test(`${name}: an interrupted or abandoned run serves no window; a finished one does`, async () => {
      const { store, done } = await open();
      try {
        const school = store.forSchool('s');
        const last = () => storeLastRunAt(store).lastRunAt('s');
        await school.startRun({ id: 'a', startedAt: at(0), dryRun: false });
        await school.finishRun('a', { finishedAt: at(1), outcome: 'interrupted', report: {} });
        await school.startRun({ id: 'b', startedAt: at(2), dryRun: false });
        await school.abandonRuns({ except: 'none', finishedAt: at(3) });
        assert.equal(await last(), undefined);
        await school.startRun({ id: 'c', startedAt: at(4), dryRun: false });
        await school.finishRun('c', { finishedAt: at(5), outcome: 'partly_failed', report: {} });
        assert.equal((await last())?.toISOString(), at(4));
      } finally {
        await done();
      }
    });
  }
});
