import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testNotice } from '../notifier.ts';
import type { AttemptRow, DeliveryRow, DeliveryStore } from './port.ts';
import { scopedToSchools } from './scoped.ts';

/**
 * The DeliveryStore contract (port.ts) as one list of cases every backend
 * passes: memory (memory.test.ts), SQLite and PostgreSQL (the store suites in
 * test/). Each case opens a fresh store and cleans it up.
 */
export interface OpenedDeliveryStore {
  readonly store: DeliveryStore;
  /**
   * The same queue through another connection, as a second process would
   * see it (the same object for memory).
   */
  other(): Promise<DeliveryStore>;
  cleanup(): Promise<void>;
}

export const deliveryRow = (
  id: string,
  nextAttemptAt: string,
  overrides: Partial<DeliveryRow> = {},
): DeliveryRow => ({
  id,
  school: 'ecole-a',
  channelId: 'ecole-a:webhook:0',
  channel: 'webhook',
  target: 'POST https://hooks.example.org/edusign',
  notice: testNotice('ecole-a', new Date('2026-12-01T11:00:00Z')),
  status: 'pending',
  attempts: 0,
  createdAt: '2026-12-01T11:00:00.000Z',
  nextAttemptAt,
  deliveredAt: null,
  lastError: null,
  ...overrides,
});

const attempt = (
  deliveryId: string,
  n: number,
  overrides: Partial<AttemptRow> = {},
): AttemptRow => ({
  deliveryId,
  school: 'ecole-a',
  attempt: n,
  at: `2026-12-01T11:0${n}:00.000Z`,
  channel: 'webhook',
  target: 'POST https://hooks.example.org/edusign',
  ok: false,
  status: 503,
  error: 'the receiver answered 503',
  durationMs: 12,
  ...overrides,
});

export function deliveryStoreContract(
  name: string,
  open: () => Promise<OpenedDeliveryStore>,
): void {
  const withStore = (fn: (opened: OpenedDeliveryStore) => Promise<void>) => async () => {
    const opened = await open();
    try {
      await fn(opened);
    } finally {
      await opened.cleanup();
    }
  };

  describe(`delivery store contract: ${name}`, () => {
    test(
      'a delivery is queued once, claimed by one taker, and due again when its claim runs out',
      withStore(async ({ store }) => {
        await store.saveDecision('ecole-a', { version: 1 }, [
          deliveryRow('a', '2026-12-01T11:00:00.000Z'),
        ]);
        await store.saveDecision('ecole-a', { version: 1 }, [
          { ...deliveryRow('a', '2026-12-01T11:00:00.000Z'), attempts: 7 },
          deliveryRow('b', '2026-12-01T12:00:00.000Z'),
        ]);
        assert.deepEqual(await store.loadState('ecole-a'), { version: 1 });
        assert.equal(await store.loadState('ecole-b'), undefined);
        assert.equal((await store.listDeliveries()).find((d) => d.id === 'a')?.attempts, 0);

        const claimUntil = '2026-12-01T11:05:00.000Z';
        const first = await store.claimDue('2026-12-01T11:00:00.000Z', claimUntil, 10);
        assert.deepEqual(
          first.map((d) => d.id),
          ['a'],
        );
        assert.equal(first[0]?.nextAttemptAt, claimUntil);
        assert.deepEqual(await store.claimDue('2026-12-01T11:01:00.000Z', claimUntil, 10), []);
        assert.equal(await store.nextDueAt(), claimUntil);
        const again = await store.claimDue(
          '2026-12-01T11:05:00.000Z',
          '2026-12-01T11:10:00.000Z',
          10,
        );
        assert.deepEqual(
          again.map((d) => d.id),
          ['a'],
        );

        await store.recordAttempt(attempt('a', 1, { ok: true, status: 204, error: null }), {
          status: 'delivered',
          attempts: 1,
          nextAttemptAt: null,
          deliveredAt: '2026-12-01T11:05:00.012Z',
          lastError: null,
        });
        assert.equal(await store.nextDueAt(), '2026-12-01T12:00:00.000Z');
        assert.equal((await store.listAttempts({ deliveryId: 'a' })).length, 1);
        assert.equal((await store.listAttempts({ school: 'ecole-b' })).length, 0);
        // What is handed out is a copy: changing it changes nothing stored.
        const [listed] = await store.listDeliveries({ deliveryId: 'a' });
        (listed as { status: string }).status = 'pending';
        assert.equal((await store.listDeliveries({ deliveryId: 'a' }))[0]?.status, 'delivered');
      }),
    );

    test(
      'rows come back exactly as put: the notice, nulls, numbers, instants',
      withStore(async ({ store }) => {
        const notice = {
          ...testNotice('ecole-a', new Date('2026-12-01T11:00:00Z')),
          // Text from Auriga may hold anything JSON can carry.
          problems: [
            {
              code: 'person.missing_email',
              kind: 'learner',
              aurigaId: 'P-\u00e9',
              message: 'No email \u2014 "quoted" \u0000 nul',
            },
          ],
        } as unknown as DeliveryRow['notice'];
        const row = deliveryRow('exact', '2026-12-01T11:00:00.000Z', {
          notice,
          channel: 'email',
          target: 'smtp.example.org:587 \u2192 a@b.fr',
        });
        await store.saveDecision('ecole-a', { told: ['x'], failedRuns: 2 }, [row]);
        assert.deepEqual(await store.listDeliveries({ deliveryId: 'exact' }), [row]);
        assert.deepEqual(await store.loadState('ecole-a'), { told: ['x'], failedRuns: 2 });
        const claimed = await store.claimDue(
          '2026-12-01T11:00:00.000Z',
          '2026-12-01T11:05:00.000Z',
          5,
        );
        assert.deepEqual(claimed, [{ ...row, nextAttemptAt: '2026-12-01T11:05:00.000Z' }]);
        const failed = attempt('exact', 1, {
          channel: 'email',
          status: null,
          error: 'ECONNREFUSED',
        });
        await store.recordAttempt(failed, {
          status: 'pending',
          attempts: 1,
          nextAttemptAt: '2026-12-01T11:06:00.000Z',
          deliveredAt: null,
          lastError: 'ECONNREFUSED',
        });
        assert.deepEqual(await store.listAttempts({ deliveryId: 'exact' }), [failed]);
        const [after] = await store.listDeliveries({ deliveryId: 'exact' });
        assert.equal(after?.attempts, 1);
        assert.equal(after?.lastError, 'ECONNREFUSED');
        assert.equal(after?.nextAttemptAt, '2026-12-01T11:06:00.000Z');
      }),
    );

    test(
      'due deliveries are claimed oldest first, up to the limit; delivered and failed ones never',
      withStore(async ({ store }) => {
        await store.saveDecision('ecole-a', {}, [
          deliveryRow('late', '2026-12-01T11:03:00.000Z'),
          deliveryRow('early', '2026-12-01T11:01:00.000Z'),
          deliveryRow('middle', '2026-12-01T11:02:00.000Z'),
          deliveryRow('future', '2026-12-01T13:00:00.000Z'),
          deliveryRow('done', '2026-12-01T10:00:00.000Z', { status: 'delivered' }),
          deliveryRow('given-up', '2026-12-01T10:00:00.000Z', { status: 'failed' }),
        ]);
        const claimed = await store.claimDue(
          '2026-12-01T12:00:00.000Z',
          '2026-12-01T12:05:00.000Z',
          2,
        );
        assert.deepEqual(
          claimed.map((d) => d.id),
          ['early', 'middle'],
        );
        const rest = await store.claimDue(
          '2026-12-01T12:00:00.000Z',
          '2026-12-01T12:05:00.000Z',
          10,
        );
        assert.deepEqual(
          rest.map((d) => d.id),
          ['late'],
        );
        assert.equal(await store.nextDueAt(), '2026-12-01T12:05:00.000Z');
      }),
    );

    test(
      'a scoped claim takes only its schools: a process never fails another school as unconfigured',
      withStore(async ({ store }) => {
        await store.saveDecision('ecole-a', {}, [deliveryRow('a', '2026-12-01T11:00:00.000Z')]);
        await store.saveDecision('ecole-b', {}, [
          deliveryRow('b', '2026-12-01T10:00:00.000Z', { school: 'ecole-b' }),
        ]);
        const mine = scopedToSchools(store, ['ecole-a']);
        assert.equal(await mine.nextDueAt(), '2026-12-01T11:00:00.000Z');
        const claimed = await mine.claimDue(
          '2026-12-01T12:00:00.000Z',
          '2026-12-01T12:05:00.000Z',
          10,
        );
        assert.deepEqual(
          claimed.map((d) => d.id),
          ['a'],
        );
        assert.equal(await mine.nextDueAt(), '2026-12-01T12:05:00.000Z');
        assert.equal(await store.nextDueAt(), '2026-12-01T10:00:00.000Z', 'b is left as it was');
        assert.deepEqual(
          await scopedToSchools(store, []).claimDue(
            '2026-12-01T12:00:00.000Z',
            '2026-12-01T12:05:00.000Z',
            10,
          ),
          [],
        );
      }),
    );

    test(
      'the schools with a delivery due now, each named once; a scope narrows them',
      withStore(async ({ store }) => {
        await store.saveDecision('ecole-a', {}, [
          deliveryRow('a1', '2026-12-01T11:00:00.000Z'),
          deliveryRow('a2', '2026-12-01T11:01:00.000Z'),
          deliveryRow('a-done', '2026-12-01T10:00:00.000Z', { status: 'delivered' }),
        ]);
        await store.saveDecision('ecole-b', {}, [
          deliveryRow('b-later', '2026-12-01T13:00:00.000Z', { school: 'ecole-b' }),
        ]);
        await store.saveDecision('ecole-c', {}, [
          deliveryRow('c-failed', '2026-12-01T10:00:00.000Z', {
            school: 'ecole-c',
            status: 'failed',
          }),
          deliveryRow('c1', '2026-12-01T10:30:00.000Z', { school: 'ecole-c' }),
        ]);
        assert.deepEqual(await store.dueSchools('2026-12-01T12:00:00.000Z'), [
          'ecole-a',
          'ecole-c',
        ]);
        assert.deepEqual(await store.dueSchools('2026-12-01T13:00:00.000Z'), [
          'ecole-a',
          'ecole-b',
          'ecole-c',
        ]);
        assert.deepEqual(
          await store.dueSchools('2026-12-01T12:00:00.000Z', { schools: ['ecole-b', 'ecole-c'] }),
          ['ecole-c'],
        );
        assert.deepEqual(await store.dueSchools('2026-12-01T09:00:00.000Z'), []);
        // A claim moves a delivery out of "due" until it runs out.
        await store.claimDue('2026-12-01T12:00:00.000Z', '2026-12-01T12:05:00.000Z', 10, {
          schools: ['ecole-c'],
        });
        assert.deepEqual(await store.dueSchools('2026-12-01T12:00:00.000Z'), ['ecole-a']);
      }),
    );

    test(
      "a scope without the operator's channels leaves their deliveries to a process that has them",
      withStore(async ({ store }) => {
        await store.saveDecision('ecole-a', {}, [
          deliveryRow('to-school', '2026-12-01T11:00:00.000Z'),
          deliveryRow('to-operator', '2026-12-01T10:00:00.000Z', {
            channelId: '@operator:webhook:0',
          }),
        ]);
        await store.saveDecision('ecole-b', {}, [
          deliveryRow('b-to-operator', '2026-12-01T10:00:00.000Z', {
            school: 'ecole-b',
            channelId: '@operator:email',
            channel: 'email',
          }),
        ]);
        const now = '2026-12-01T12:00:00.000Z';
        const mine = { operator: false };
        assert.deepEqual(await store.dueSchools(now, mine), ['ecole-a']);
        assert.equal(await store.nextDueAt(mine), '2026-12-01T11:00:00.000Z');
        const claimed = await store.claimDue(now, '2026-12-01T12:05:00.000Z', 10, mine);
        assert.deepEqual(
          claimed.map((d) => d.id),
          ['to-school'],
        );
        const theirs = await store.claimDue(now, '2026-12-01T12:05:00.000Z', 10, {
          schools: ['ecole-a', 'ecole-b'],
          operator: true,
        });
        assert.deepEqual(
          theirs.map((d) => d.id),
          ['to-operator', 'b-to-operator'],
        );
      }),
    );

    test(
      'two takers at once never claim the same delivery',
      withStore(async ({ store, other }) => {
        const second = await other();
        const rows = Array.from({ length: 40 }, (_, i) =>
          deliveryRow(`d${String(i).padStart(2, '0')}`, '2026-12-01T11:00:00.000Z'),
        );
        await store.saveDecision('ecole-a', {}, rows);
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? store : second).claimDue(
              '2026-12-01T11:00:00.000Z',
              '2026-12-01T11:05:00.000Z',
              5,
            ),
          ),
        );
        const ids = claims.flat().map((d) => d.id);
        assert.equal(ids.length, 40, 'every due delivery claimed');
        assert.equal(new Set(ids).size, 40, 'none twice');
      }),
    );

    test(
      'lists are newest first, filtered by school or delivery, and limited',
      withStore(async ({ store }) => {
        await store.saveDecision('ecole-a', { a: 1 }, [
          deliveryRow('a1', '2026-12-01T11:00:00.000Z', { createdAt: '2026-12-01T09:00:00.000Z' }),
          deliveryRow('a2', '2026-12-01T11:00:00.000Z', { createdAt: '2026-12-01T10:00:00.000Z' }),
        ]);
        await store.saveDecision('ecole-b', { b: 1 }, [
          deliveryRow('b1', '2026-12-01T11:00:00.000Z', {
            school: 'ecole-b',
            createdAt: '2026-12-01T08:00:00.000Z',
          }),
        ]);
        assert.deepEqual(await store.loadState('ecole-b'), { b: 1 });
        assert.deepEqual(
          (await store.listDeliveries()).map((d) => d.id),
          ['a2', 'a1', 'b1'],
        );
        assert.deepEqual(
          (await store.listDeliveries({ school: 'ecole-a', limit: 1 })).map((d) => d.id),
          ['a2'],
        );
        for (const n of [1, 2])
          await store.recordAttempt(attempt('a1', n), {
            status: 'pending',
            attempts: n,
            nextAttemptAt: '2026-12-01T12:00:00.000Z',
            deliveredAt: null,
            lastError: 'the receiver answered 503',
          });
        await store.recordAttempt(attempt('b1', 1, { school: 'ecole-b' }), {
          status: 'pending',
          attempts: 1,
          nextAttemptAt: '2026-12-01T12:00:00.000Z',
          deliveredAt: null,
          lastError: 'x',
        });
        assert.deepEqual(
          (await store.listAttempts({ school: 'ecole-a' })).map((a) => a.attempt),
          [2, 1],
        );
        assert.equal((await store.listAttempts({ limit: 2 })).length, 2);
        await assert.rejects(
          store.recordAttempt(attempt('nobody', 1), {
            status: 'pending',
            attempts: 1,
            nextAttemptAt: null,
            deliveredAt: null,
            lastError: null,
          }),
        );
      }),
    );
  });
}
