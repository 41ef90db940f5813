import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import YAML from 'yaml';
import { runSchool } from '../src/app/index.ts';
import type { Config } from '../src/config/schema.ts';
import { openStore } from '../src/store/index.ts';
import { type Harness, startHarness } from './helpers/sync-harness.ts';

/**
 * Crash safety: the CLI's sync process is killed (SIGKILL, no cleanup) after
 * k writes on Edusign, for several k, then run again: no duplicate, and the
 * final state is complete. On both stores: the executor's journal and
 * mapping commits are transactions of SQLite and of PostgreSQL alike.
 */

const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');

/**
 * Run `sync` in a child process and SIGKILL it once Edusign has received `k`
 * more writes (of `route` when given, e.g. `POST /v1/course`): the last of them
 * is then still being handled, so its answer never reaches the killed client.
 */
function syncKilledAfter(
  h: Harness,
  file: string,
  k: number,
  route?: string,
): Promise<{ killed: boolean; writes: number }> {
  const count = () => (route ? (h.edusign.calls().byRoute[route] ?? 0) : h.edusign.calls().writes);
  const start = count();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sync', '--config', file, '--json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let killed = false;
    const watch = setInterval(() => {
      if (!killed && count() - start >= k) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 1);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if (!killed && code !== 0 && code !== 1)
        reject(new Error(`sync exited ${code ?? signal}: ${stderr}`));
      else resolve({ killed, writes: count() - start });
    });
  });
}

const env = process.env;
/** The PostgreSQL of the gate (PGHOST, PGUSER…), database `db`. */
const PG_URL = (db: string) =>
  `postgres://${encodeURIComponent(env.PGUSER ?? 'postgres')}@${encodeURIComponent(
    env.PGHOST ?? '127.0.0.1',
  )}:${env.PGPORT ?? '5432'}/${db}`;

for (const kind of ['sqlite', 'postgres'] as const)
  describe(`killed mid-run (${kind} store)`, () => {
    let h: Harness;
    let file: string;
    let configuration: Config;
    let dropDatabase = async () => undefined as unknown;
    before(async () => {
      h = await startHarness({ school: 'small', seed: 21 });
      configuration = h.configuration;
      if (kind === 'postgres') {
        // A database of its own: the CLI's store uses the default schema, and runs in parallel must not meet.
        const name = `crash_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: PG_URL('postgres') });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        configuration = { ...h.configuration, store: { kind: 'postgres', url: PG_URL(name) } };
        dropDatabase = async () => {
          const client = new pg.Client({ connectionString: PG_URL('postgres') });
          await client.connect();
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await client.end();
        };
      }
      file = path.join(h.dir, 'school.yaml');
      writeFileSync(file, YAML.stringify(JSON.parse(JSON.stringify(configuration))));
    });
    after(async () => {
      await h.cleanup();
      await dropDatabase();
    });

    test('killed after 1 and 12 writes, then after 1, 6 and 20 sheet creates (v3: during each batch and a group create); run to the end: no duplicate, nothing missing', async () => {
      const kills: string[] = [];
      // On v3 a batch carries every sheet (or learner) of the run: killed while its answer is on the way.
      const plan: ReadonlyArray<readonly [number, string?]> =
        h.api === 'v3'
          ? [
              [1, 'POST /v3/students/batch-upsert'],
              [1, 'POST /v3/professors/batch-upsert'],
              [3, 'POST /v1/group'],
              [1, 'POST /v3/courses/batch-upsert'],
            ]
          : [[1], [12], [1, 'POST /v1/course'], [6, 'POST /v1/course'], [20, 'POST /v1/course']];
      for (const [k, route] of plan) {
        const { killed, writes } = await syncKilledAfter(h, file, k, route);
        if (killed) kills.push(`${writes} ${route ?? 'writes'}`);
      }
      assert.equal(
        kills.length,
        plan.length,
        `the process was killed mid-run each time (${kills.join(', ')})`,
      );
      const report = await runSchool(configuration);
      assert.equal(report.outcome, 'succeeded', JSON.stringify(report.failures.slice(0, 3)));

      const state = h.edusign.state();
      for (const [kind, items] of Object.entries({
        courses: state.courses,
        students: state.students,
        professors: state.professors,
        groups: state.groups,
      })) {
        const ids = items.map((i) => i.API_ID);
        assert.equal(new Set(ids).size, ids.length, `no ${kind} is on Edusign twice`);
      }
      const expected = h.expectedInterventions();
      assert.deepEqual(state.courses.map((c) => c.API_ID).sort(), expected.map((i) => i.id).sort());

      // No killed run stays "running" for good: each was found dead and recorded as abandoned.
      const store = await openStore(configuration.store);
      try {
        const runs = await store.forSchool(configuration.school).recentRuns(50);
        assert.equal(runs.filter((r) => r.outcome === 'running').length, 0);
        assert.equal(runs.filter((r) => r.outcome === 'abandoned').length, plan.length);
      } finally {
        await store.close();
      }

      // And the next run has nothing left to do.
      h.edusign.resetCalls();
      await runSchool(configuration);
      assert.equal(h.edusign.calls().writes, 0);
    });
  });
