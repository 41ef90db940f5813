import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testNotice } from '../notifier.ts';
import { MemoryDeliveryStore } from './memory.ts';
import type { DeliveryRow } from './port.ts';

const row = (id: string, nextAttemptAt: string): DeliveryRow => ({
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
});

test('a delivery is queued once, claimed by one taker, and due again when its claim runs out', async () => {
  const store = new MemoryDeliveryStore();
  await store.saveDecision('ecole-a', { version: 1 }, [row('a', '2026-12-01T11:00:00.000Z')]);
  await store.saveDecision('ecole-a', { version: 1 }, [
    { ...row('a', '2026-12-01T11:00:00.000Z'), attempts: 7 },
    row('b', '2026-12-01T12:00:00.000Z'),
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
  assert.deepEqual(await store.claimDue('2026-12-01T11:01:00.000Z', claimUntil, 10), []);
  assert.equal(await store.nextDueAt(), claimUntil);
  const again = await store.claimDue('2026-12-01T11:05:00.000Z', '2026-12-01T11:10:00.000Z', 10);
  assert.deepEqual(
    again.map((d) => d.id),
    ['a'],
  );

  await store.recordAttempt(
    {
      deliveryId: 'a',
      school: 'ecole-a',
      attempt: 1,
      at: '2026-12-01T11:05:00.000Z',
      channel: 'webhook',
      target: 'POST https://hooks.example.org/edusign',
      ok: true,
      status: 204,
      error: null,
      durationMs: 12,
    },
    {
      status: 'delivered',
      attempts: 1,
      nextAttemptAt: null,
      deliveredAt: '2026-12-01T11:05:00.012Z',
      lastError: null,
    },
  );
  assert.equal(await store.nextDueAt(), '2026-12-01T12:00:00.000Z');
  assert.equal((await store.listAttempts({ deliveryId: 'a' })).length, 1);
  assert.equal((await store.listAttempts({ school: 'ecole-b' })).length, 0);
  // What is handed out is a copy: changing it changes nothing stored.
  const [listed] = await store.listDeliveries({ deliveryId: 'a' });
  (listed as { status: string }).status = 'pending';
  assert.equal((await store.listDeliveries({ deliveryId: 'a' }))[0]?.status, 'delivered');
});
