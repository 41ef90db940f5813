import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configurationError, runReport } from '../../test/helpers/run-reports.ts';
import { VirtualClock } from '../../test/helpers/virtual-clock.ts';
import { parseNotifications, resolveNotifications } from './config.ts';
import { MemoryDeliveryStore } from './delivery/memory.ts';
import { createNotifier, OPERATOR } from './notifier.ts';

const T0 = new Date('2026-12-01T11:00:00Z');
const resolveSecret = (_key: string, secret: unknown) => String(secret);

function settings(owner: string, raw: object) {
  return resolveNotifications(
    parseNotifications({ consoleUrl: 'https://sync.example.org', ...raw }),
    {
      owner,
      resolveSecret,
    },
  );
}

const school = settings('ecole-a', {
  webhooks: [{ url: 'https://hooks.ecole-a.example/x', secret: 'school-secret' }],
});
const other = settings('ecole-b', {
  webhooks: [{ url: 'https://hooks.ecole-b.example/x', secret: 'other-secret' }],
});
const operator = settings(OPERATOR, {
  events: ['run_failed'],
  email: { smtp: { host: 'smtp.op.example' }, from: 'sync@op.example', to: ['oncall@op.example'] },
});

test("a run's notices go to its school's channels and to the operator's, for the events each wants", async () => {
  const store = new MemoryDeliveryStore();
  const notifier = createNotifier({
    store,
    settings: [school, other, operator],
    clock: new VirtualClock(T0),
  });
  const result = await notifier.afterRun(runReport({ runId: 'r1', error: configurationError }));
  assert.deepEqual(result.ok && result.notices.map((n) => n.event), ['run_failed']);
  const queued = await store.listDeliveries();
  assert.deepEqual(queued.map((d) => [d.channelId, d.target]).sort(), [
    ['@operator:email', 'smtp.op.example:587 → oncall@op.example'],
    ['ecole-a:webhook:0', 'POST https://hooks.ecole-a.example/x'],
  ]);
  await notifier.afterRun(runReport({ runId: 'r2' }));
  const recovered = (await store.listDeliveries()).filter((d) => d.notice.event === 'recovered');
  assert.deepEqual(
    recovered.map((d) => d.channelId),
    ['ecole-a:webhook:0'],
    'the operator asked for failures only',
  );
});

test('afterRun never throws: a store that fails is answered, and the run goes on', async () => {
  // The one stand-in of these tests: a database that is down.
  const failing = new (class extends MemoryDeliveryStore {
    override async loadState(): Promise<unknown> {
      throw new Error('database is down');
    }
  })();
  const warnings: string[] = [];
  const notifier = createNotifier({
    store: failing,
    settings: [school],
    clock: new VirtualClock(T0),
    logger: { info() {}, warn: (_d, message) => warnings.push(message) },
  });
  const result = await notifier.afterRun(runReport({ runId: 'r9', error: configurationError }));
  assert.deepEqual(result, { ok: false, error: 'notices of run r9 not queued: database is down' });
  assert.equal(warnings.length, 1);
});

test('a delivery whose channel was removed from the configuration is given up, and says why', async () => {
  const store = new MemoryDeliveryStore();
  const clock = new VirtualClock(T0);
  await createNotifier({ store, settings: [school], clock }).afterRun(
    runReport({ error: configurationError }),
  );
  // The configuration changes: the school's webhook is gone.
  const later = createNotifier({ store, settings: [other], clock });
  await later.deliverer.deliverDue();
  const [delivery] = await store.listDeliveries();
  assert.equal(delivery?.status, 'failed');
  assert.equal(delivery?.lastError, 'the channel ecole-a:webhook:0 is no longer configured');
});
