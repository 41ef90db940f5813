import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, type TestContext, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { isAppError } from '../src/errors/app-error.ts';
import { deliveryStoreContract } from '../src/notify/delivery/contract.ts';
import { openStore } from '../src/store/index.ts';
import type { Store } from '../src/store/port.ts';
import { migrateSqlite, SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { storeSuite } from './store-suite.ts';

async function tempDir(t?: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'auriga-edusign-store-'));
  t?.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

storeSuite('sqlite', async () => {
  const dir = await tempDir();
  // A folder that does not exist yet: the store creates it.
  const file = path.join(dir, 'nested', 'folder', 'school.sqlite');
  const stores: Store[] = [await openSqliteStore(file)];
  return {
    store: stores[0] as Store,
    async reopen() {
      const store = await openSqliteStore(file);
      stores.push(store);
      return store;
    },
    async seedMappings(school, mappings) {
      const db = new DatabaseSync(file, { timeout: 5_000 });
      try {
        const insert = db.prepare(
          `INSERT INTO mappings (school, kind, auriga_id, edusign_id, fingerprint, origin,
             course_start, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        db.exec('BEGIN');
        for (const m of mappings) {
          insert.run(
            school,
            m.kind,
            m.aurigaId,
            m.edusignId,
            m.fingerprint,
            m.origin,
            m.courseStart,
            m.createdAt,
            m.updatedAt,
          );
        }
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
    async cleanup() {
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store: the file', () => {
  test('is in WAL mode, with each migration recorded once however often it is opened', async (t) => {
    const file = path.join(await tempDir(t), 'a', 'school.sqlite');
    await (await openSqliteStore(file)).close();
    await (await openSqliteStore(file)).close();
    const db = new DatabaseSync(file);
    t.after(() => db.close());
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.deepEqual(
      db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => r.version),
      [1, 2],
    );
    assert.deepEqual(migrateSqlite(db), [], 'nothing left to apply');
  });

  test('a store of schema version 1 is brought to version 2 (the notification tables)', async (t) => {
    const file = path.join(await tempDir(t), 'old.sqlite');
    const old = new DatabaseSync(file);
    assert.deepEqual(migrateSqlite(old, SQLITE_MIGRATIONS.slice(0, 1)), [1]);
    old.close();
    const store = await openSqliteStore(file);
    t.after(() => store.close());
    await store.notifications().saveDecision('s', { v: 1 }, []);
    assert.deepEqual(await store.notifications().loadState('s'), { v: 1 });
  });

  test('works in memory', async () => {
    const store = await openSqliteStore(':memory:');
    const school = store.forSchool('s');
    assert.equal(await school.tryLock('w', 1000, new Date()), true);
    await store.close();
  });

  test('refuses a file written by a newer schema', async (t) => {
    const file = path.join(await tempDir(t), 'school.sqlite');
    await (await openSqliteStore(file)).close();
    const db = new DatabaseSync(file);
    db.exec(
      "INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01T00:00:00.000Z')",
    );
    db.close();
    await assert.rejects(openSqliteStore(file), (error: unknown) => {
      assert.ok(isAppError(error));
      assert.equal(error.code, 'store.schema_too_new');
      assert.match(error.message, /version 99/);
      return true;
    });
  });

  test('says which setting to fix when the file is not a store', async (t) => {
    const file = path.join(await tempDir(t), 'notes.txt');
    await writeFile(file, 'this is not a database, just some text that is long enough '.repeat(20));
    await assert.rejects(openSqliteStore(file), (error: unknown) => {
      assert.ok(isAppError(error));
      assert.equal(error.code, 'store.open_failed');
      assert.ok(error.message.includes(file));
      assert.match(error.hint ?? '', /store\.path/);
      return true;
    });
  });

  test('processes opening one new file at once: one migration, and one lock winner per school', async (t) => {
    const file = path.join(await tempDir(t), 'shared', 'school.sqlite');
    const schools = Array.from({ length: 25 }, (_, i) => `school-${i}`);
    const moduleUrl = new URL('../src/store/sqlite/sqlite-store.ts', import.meta.url).href;
    // Each worker thread has its own SQLite connection, as a separate process would.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const { openSqliteStore } = await import(workerData.moduleUrl);
        const store = await openSqliteStore(workerData.file);
        parentPort.postMessage('ready');
        await new Promise((resolve) => parentPort.once('message', resolve));
        const won = [];
        for (const school of workerData.schools) {
          won.push(await store.forSchool(school).tryLock(workerData.owner, 60000, new Date(workerData.now)));
        }
        await store.close();
        parentPort.postMessage(won);
      })();
    `;
    const workers = Array.from(
      { length: 4 },
      (_, i) =>
        new Worker(code, {
          eval: true,
          workerData: {
            moduleUrl,
            file,
            schools,
            owner: `worker-${i}`,
            now: Date.UTC(2025, 2, 14),
          },
        }),
    );
    t.after(() => Promise.all(workers.map((w) => w.terminate())));
    const next = (worker: Worker) =>
      new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const ready = await Promise.all(workers.map(next));
    assert.deepEqual(ready, ['ready', 'ready', 'ready', 'ready']);
    const done = workers.map(next);
    for (const worker of workers) worker.postMessage('go');
    const won = (await Promise.all(done)) as boolean[][];

    for (const [i, school] of schools.entries()) {
      const winners = won.filter((w) => w[i] === true).length;
      assert.equal(winners, 1, `${school}: exactly one worker holds the lock`);
    }
    const db = new DatabaseSync(file);
    t.after(() => db.close());
    assert.equal(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()?.n, 2);
    assert.equal(db.prepare('SELECT count(*) AS n FROM locks').get()?.n, schools.length);
  });
});

describe('openStore', () => {
  test('opens the SQLite store at the configured path', async (t) => {
    const file = path.join(await tempDir(t), 'school.sqlite');
    const store = await openStore({ kind: 'sqlite', path: file });
    await store.forSchool('s').putMapping({
      kind: 'group',
      aurigaId: 'G-1',
      edusignId: 'E-1',
      fingerprint: 'f',
      origin: 'adopted',
      courseStart: null,
      createdAt: '2025-03-14T08:30:00.000Z',
      updatedAt: '2025-03-14T08:30:00.000Z',
    });
    await store.close();
    const db = new DatabaseSync(file);
    t.after(() => db.close());
    assert.equal(db.prepare('SELECT edusign_id FROM mappings').get()?.edusign_id, 'E-1');
  });

  test('names the missing setting', async () => {
    for (const [config, setting] of [
      [{ kind: 'sqlite' }, /store\.path/],
      [{ kind: 'postgres' }, /store\.url/],
    ] as const) {
      await assert.rejects(openStore(config), (error: unknown) => {
        assert.ok(isAppError(error));
        assert.equal(error.code, 'config.invalid');
        assert.match(error.message, setting);
        return true;
      });
    }
  });
});

deliveryStoreContract('sqlite', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'school.sqlite');
  const stores: Store[] = [await openSqliteStore(file)];
  return {
    store: (stores[0] as Store).notifications(),
    async other() {
      const store = await openSqliteStore(file);
      stores.push(store);
      return store.notifications();
    },
    async cleanup() {
      await Promise.all(stores.map((store) => store.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});
