import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { isAppError } from '../src/errors/app-error.ts';
import { openPostgresStore, openSqliteStore } from '../src/store/index.ts';
import type { Store } from '../src/store/port.ts';

/** The console's sub-store: one contract, run on SQLite and on PostgreSQL (its own schema). */

const env = process.env;
const URL_ = `postgres://${encodeURIComponent(env.PGUSER ?? 'postgres')}@${encodeURIComponent(
  env.PGHOST ?? '127.0.0.1',
)}:${env.PGPORT ?? '5432'}/${encodeURIComponent(env.PGDATABASE ?? 'test')}`;
const pool = new pg.Pool({ connectionString: URL_, max: 2 });
after(() => pool.end());

const backends: Array<[string, () => Promise<Store>]> = [
  ['sqlite', () => openSqliteStore(':memory:')],
  [
    'postgres',
    async () => {
      const schema = `console_test_${randomBytes(6).toString('hex')}`;
      after(() => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      return openPostgresStore({ pool, schema });
    },
  ],
];

for (const [name, open] of backends) {
  describe(`console store (${name})`, () => {
    test('accounts: one per email, whatever its case; password set later', async () => {
      const store = await open();
      const c = store.console();
      await c.addAccount({
        id: 'a1',
        email: 'Ana@School.fr',
        role: 'admin',
        schools: ['north'],
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      await assert.rejects(
        c.addAccount({
          id: 'a2',
          email: 'ana@school.fr',
          role: 'viewer',
          schools: [],
          createdAt: 'x',
        }),
        (error) => isAppError(error) && error.code === 'store.conflict',
      );
      const found = await c.findAccountByEmail('ANA@school.fr');
      assert.deepEqual(found, {
        id: 'a1',
        email: 'ana@school.fr',
        role: 'admin',
        schools: ['north'],
        passwordHash: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      await c.setPassword('a1', 'scrypt$hash');
      assert.equal((await c.getAccount('a1'))?.passwordHash, 'scrypt$hash');
      assert.equal((await c.listAccounts()).length, 1);
      await store.close();
    });

    test('failed sign-ins: counted since an instant, per key, cleared, pruned after a day', async () => {
      const store = await open();
      const c = store.console();
      await c.addSignInFailure('account:ana@school.fr', '2026-01-01T10:00:00.000Z');
      await c.addSignInFailure('account:ana@school.fr', '2026-01-02T10:00:00.000Z');
      await c.addSignInFailure('account:ana@school.fr', '2026-01-02T10:05:00.000Z');
      await c.addSignInFailure('address:10.0.0.1', '2026-01-02T10:05:00.000Z');
      assert.deepEqual(
        await c.signInFailures('account:ana@school.fr', '2026-01-02T10:00:00.000Z'),
        ['2026-01-02T10:05:00.000Z'],
      );
      assert.deepEqual(
        await c.signInFailures('account:ana@school.fr', '2000-01-01T00:00:00.000Z'),
        ['2026-01-02T10:00:00.000Z', '2026-01-02T10:05:00.000Z'],
        'the failure of the day before was pruned',
      );
      await c.clearSignInFailures('account:ana@school.fr');
      assert.deepEqual(
        await c.signInFailures('account:ana@school.fr', '2000-01-01T00:00:00.000Z'),
        [],
      );
      assert.equal(
        (await c.signInFailures('address:10.0.0.1', '2000-01-01T00:00:00.000Z')).length,
        1,
      );
    });

    test('a sign-in link serves once and not after it expires', async () => {
      const store = await open();
      const c = store.console();
      await c.addSignInLink({
        tokenHash: 'h1',
        accountId: 'a1',
        expiresAt: '2026-01-02T00:00:00.000Z',
      });
      await c.addSignInLink({
        tokenHash: 'h2',
        accountId: 'a1',
        expiresAt: '2026-01-02T00:00:00.000Z',
      });
      assert.equal(await c.peekSignInLink('h1', '2026-01-01T00:00:00.000Z'), 'a1');
      assert.equal(await c.takeSignInLink('h1', '2026-01-01T00:00:00.000Z'), 'a1');
      assert.equal(await c.takeSignInLink('h1', '2026-01-01T00:00:01.000Z'), undefined);
      assert.equal(await c.takeSignInLink('h2', '2026-01-03T00:00:00.000Z'), undefined);
      await store.close();
    });

    test('sessions end one by one or all at once; tokens are found by hash', async () => {
      const store = await open();
      const c = store.console();
      const base = { accountId: 'a1', csrf: 'c', createdAt: '2026-01-01T00:00:00.000Z' };
      await c.addSession({ ...base, idHash: 's1', expiresAt: '2026-01-02T00:00:00.000Z' });
      await c.addSession({ ...base, idHash: 's2', expiresAt: '2026-01-02T00:00:00.000Z' });
      assert.equal((await c.getSession('s1', '2026-01-01T12:00:00.000Z'))?.csrf, 'c');
      assert.equal(await c.getSession('s1', '2026-01-02T12:00:00.000Z'), undefined);
      await c.deleteSession('s1');
      assert.equal(await c.getSession('s1', '2026-01-01T12:00:00.000Z'), undefined);
      await c.deleteSessionsOf('a1');
      assert.equal(await c.getSession('s2', '2026-01-01T12:00:00.000Z'), undefined);
      await c.addToken({ id: 't', accountId: 'a1', tokenHash: 'th', name: 'ci', createdAt: 'x' });
      assert.equal(await c.findToken('th'), 'a1');
      assert.equal(await c.findToken('other'), undefined);
      await store.close();
    });

    test('audit newest first, limited to schools; kept holds; managed schools', async () => {
      const store = await open();
      const c = store.console();
      await c.audit({
        at: '2026-01-01T00:00:00.000Z',
        actor: 'a',
        school: 'north',
        action: 'run.asked',
        detail: {},
      });
      await c.audit({
        at: '2026-01-01T00:00:01.000Z',
        actor: 'b',
        school: 'south',
        action: 'run.asked',
        detail: { n: 1 },
      });
      await c.audit({
        at: '2026-01-01T00:00:02.000Z',
        actor: 'c',
        school: null,
        action: 'account.added',
        detail: {},
      });
      assert.deepEqual(
        (await c.listAudit({ schools: null, limit: 10 })).map((e) => e.actor),
        ['c', 'b', 'a'],
      );
      assert.deepEqual((await c.listAudit({ schools: ['south'], limit: 10 }))[0]?.detail, { n: 1 });
      assert.deepEqual(await c.listAudit({ schools: [], limit: 10 }), []);
      await c.dismissHold({
        school: 'north',
        aurigaIds: ['b', 'a'],
        dismissedAt: 't1',
        dismissedBy: 'x',
      });
      await c.dismissHold({
        school: 'north',
        aurigaIds: ['a', 'b'],
        dismissedAt: 't2',
        dismissedBy: 'y',
      });
      assert.deepEqual(await c.dismissedHolds('north'), [
        { school: 'north', aurigaIds: ['a', 'b'], dismissedAt: 't2', dismissedBy: 'y' },
      ]);
      await c.putSchool({
        name: 'new',
        config: { a: 1 },
        active: false,
        createdAt: 't',
        updatedAt: 't',
      });
      await c.putSchool({
        name: 'new',
        config: { a: 2 },
        active: true,
        createdAt: 'ignored',
        updatedAt: 'u',
      });
      assert.deepEqual(await c.getSchool('new'), {
        name: 'new',
        config: { a: 2 },
        active: true,
        createdAt: 't',
        updatedAt: 'u',
      });
      assert.equal((await c.listSchools()).length, 1);
      await store.close();
    });
  });
}
