import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, type TestContext, test } from 'node:test';
import pg from 'pg';
import { isAppError } from '../src/errors/app-error.ts';
import { deliveryStoreContract } from '../src/notify/delivery/contract.ts';
import { openStore } from '../src/store/index.ts';
import type { Mapping, Store } from '../src/store/port.ts';
import { migratePostgres, postgresMigrations } from '../src/store/postgres/migrations.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { storeSuite } from './store-suite.ts';

const env = process.env;
const URL_ = `postgres://${encodeURIComponent(env.PGUSER ?? 'postgres')}@${encodeURIComponent(
  env.PGHOST ?? '127.0.0.1',
)}:${env.PGPORT ?? '5432'}/${encodeURIComponent(env.PGDATABASE ?? 'test')}`;

/** One pool for the file, handed to the stores under test (the caller-owned case). */
const pool = new pg.Pool({ connectionString: URL_, max: 4 });
after(() => pool.end());

/** Every step this program knows, in order: each recorded exactly once. */
const VERSIONS = postgresMigrations('"x"').map((m) => m.version);

const newSchema = (): string => `store_test_${randomBytes(6).toString('hex')}`;
const dropSchema = (schema: string) => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

async function freshSchema(t: TestContext): Promise<string> {
  const schema = newSchema();
  t.after(() => dropSchema(schema));
  return schema;
}

storeSuite('postgres', async () => {
  const schema = newSchema();
  const stores: Store[] = [await openPostgresStore({ pool, schema })];
  return {
    store: stores[0] as Store,
    async reopen() {
      // Its own pool, as another worker of the fleet would have.
      const store = await openPostgresStore({ connectionString: URL_, schema });
      stores.push(store);
      return store;
    },
    async seedMappings(school: string, mappings: readonly Mapping[]) {
      const column = <K extends keyof Mapping>(key: K) => mappings.map((m) => m[key]);
      await pool.query(
        `INSERT INTO "${schema}".mappings (school, kind, auriga_id, edusign_id, fingerprint,
           origin, course_start, created_at, updated_at)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])`,
        [
          school,
          column('kind'),
          column('aurigaId'),
          column('edusignId'),
          column('fingerprint'),
          column('origin'),
          column('courseStart'),
          column('createdAt'),
          column('updatedAt'),
        ],
      );
    },
    async cleanup() {
      for (const store of stores) await store.close();
      await dropSchema(schema);
    },
  };
});

const rejectsWithCode = (promise: Promise<unknown>, code: string, check?: (e: Error) => void) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  });

describe('postgres store: the schema', () => {
  test('is created with each migration recorded once however often it is opened', async (t) => {
    const schema = await freshSchema(t);
    await (await openPostgresStore({ pool, schema })).close();
    await (await openPostgresStore({ pool, schema })).close();
    const { rows } = await pool.query(
      `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      VERSIONS,
    );
    assert.deepEqual(await migratePostgres(pool, schema), [], 'nothing left to apply');
  });

  test('workers opening a new schema at once: one migration, one lock winner per school', async (t) => {
    const schema = await freshSchema(t);
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: URL_, max: 2 }));
    // Handed in, so closing the stores leaves these pools to us.
    t.after(() => Promise.all(pools.map((p) => p.end())));
    const workers = await Promise.all(pools.map((p) => openPostgresStore({ pool: p, schema })));
    t.after(() => Promise.all(workers.map((w) => w.close())));
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".schema_migrations`,
    );
    assert.equal(rows[0]?.n, VERSIONS.length);

    const now = new Date(Date.UTC(2025, 2, 14, 11, 0));
    const schools = Array.from({ length: 10 }, (_, i) => `school-${i}`);
    for (const school of schools) {
      const won = await Promise.all(
        workers.map((w, i) => w.forSchool(school).tryLock(`worker-${i}`, 60_000, now)),
      );
      assert.equal(won.filter(Boolean).length, 1, `${school}: ${JSON.stringify(won)}`);
    }
  });

  test('close() leaves a handed-in pool open, and ends the pool it made', async (t) => {
    const schema = await freshSchema(t);
    const own = new pg.Pool({ connectionString: URL_, max: 1 });
    t.after(() => own.end());
    await (await openPostgresStore({ pool: own, schema })).close();
    assert.equal((await own.query('SELECT 1 AS one')).rows[0]?.one, 1);

    // A name of its own, so that no other test's connections are counted.
    const application = `store-close-${randomBytes(4).toString('hex')}`;
    const store = await openPostgresStore({
      connectionString: `${URL_}?application_name=${application}`,
      schema,
    });
    await store.forSchool('s').listMappings();
    assert.equal(await connectionsOf(application), 1, 'the store’s own pool is connected');
    await store.close();
    // The server drops a backend a moment after its client has gone: wait for it, up to 5 s.
    let left = await connectionsOf(application);
    for (let tries = 0; left > 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = await connectionsOf(application);
    }
    assert.equal(left, 0, 'and ended by close()');
  });

  test('instants come back in toISOString() shape whatever the session time zone', async (t) => {
    const schema = await freshSchema(t);
    const zoned = new pg.Pool({
      connectionString: URL_,
      max: 1,
      options: '-c TimeZone=Pacific/Chatham',
    });
    t.after(() => zoned.end());
    const store = await openPostgresStore({ pool: zoned, schema });
    const school = store.forSchool('s');
    const m: Mapping = {
      kind: 'sheet',
      aurigaId: 'I-1',
      edusignId: 'E-1',
      fingerprint: 'f',
      origin: 'created',
      courseStart: '2025-12-31T23:59:59.999Z',
      createdAt: '2025-03-30T01:00:00.001Z',
      updatedAt: '0001-01-01T00:00:00.000Z',
    };
    await school.putMapping(m);
    assert.deepEqual(await school.getMapping('sheet', 'I-1'), m);
    await store.close();
  });

  test('refuses a schema written by a newer version', async (t) => {
    const schema = await freshSchema(t);
    await (await openPostgresStore({ pool, schema })).close();
    await pool.query(
      `INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'future')`,
    );
    await rejectsWithCode(openPostgresStore({ pool, schema }), 'store.schema_too_new');
  });

  test('refuses a schema name that would need quoting', async () => {
    await rejectsWithCode(
      openPostgresStore({ pool, schema: 'x"; DROP TABLE y; --' }),
      'store.invalid_schema',
    );
  });
});

describe('postgres store: connection trouble', () => {
  test('an unreachable server is transient, and the password never shows', async () => {
    await rejectsWithCode(
      openPostgresStore({ connectionString: 'postgres://edusign:s3cret-pass@127.0.0.1:1/test' }),
      'store.unreachable',
      (error) => {
        assert.equal(error.name, 'TransientError');
        assert.match(error.message, /edusign@127\.0\.0\.1:1\/test/);
        assert.doesNotMatch(`${error.message} ${JSON.stringify(error)}`, /s3cret/);
      },
    );
  });

  test('a missing database is a configuration error, reached through openStore', async () => {
    const url = new URL(URL_);
    url.pathname = '/no_such_database_for_auriga_edusign';
    await rejectsWithCode(
      openStore({ kind: 'postgres', url: url.href }),
      'store.database_missing',
      (error) => assert.equal(error.name, 'ConfigError'),
    );
  });
});

/** Open connections to the server named `application`. */
async function connectionsOf(application: string): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
    [application],
  );
  return rows[0]?.n ?? 0;
}

deliveryStoreContract('postgres', async () => {
  const schema = newSchema();
  const stores: Store[] = [await openPostgresStore({ pool, schema })];
  return {
    store: (stores[0] as Store).notifications(),
    async other() {
      // Its own pool, as another worker of the fleet would have.
      const store = await openPostgresStore({ connectionString: URL_, schema });
      stores.push(store);
      return store.notifications();
    },
    async cleanup() {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchema(schema);
    },
  };
});
