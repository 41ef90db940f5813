import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configurationError, runReport } from '../../../test/helpers/run-reports.ts';
import { VirtualClock } from '../../../test/helpers/virtual-clock.ts';
import { type NotificationSettings, parseNotifications, resolveNotifications } from '../config.ts';
import { createNotifier, OPERATOR } from '../notifier.ts';
import { DeliveryLoop, type SchoolNotifications } from './loop.ts';
import { MemoryDeliveryStore } from './memory.ts';

/**
 * The loop that sends for schools whose settings live elsewhere (a fleet's
 * database, the console's store), on a virtual clock over the memory queue.
 * The receivers are a scripted fetch: what each URL answers, in order.
 */

const T0 = new Date('2026-12-01T11:00:00Z');
const MINUTE = 60_000;

const settingsOf = (owner: string, url: string, extra: object = {}): NotificationSettings =>
  resolveNotifications(
    parseNotifications({
      consoleUrl: 'https://sync.example.org',
      webhooks: [{ url, secret: `secret-of-${owner}` }],
      ...extra,
    }),
    { owner, resolveSecret: (_key, secret) => String(secret) },
  );

/** A fetch whose answers each URL scripts (200 once the script runs out), recording each call. */
function receivers(scripts: Record<string, number[]> = {}) {
  const calls: { url: string; at: Date; status: number; notice: string }[] = [];
  let clock: VirtualClock | undefined;
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    const status = scripts[url]?.shift() ?? 200;
    const headers = new Headers(init?.headers);
    calls.push({
      url,
      at: clock?.now() ?? new Date(0),
      status,
      notice: headers.get('x-auriga-edusign-notice') ?? '',
    });
    return new Response(status < 300 ? 'ok' : 'down', { status });
  }) as typeof fetch;
  return {
    calls,
    fetch: fetchImpl,
    tick(c: VirtualClock) {
      clock = c;
    },
  };
}

/** A failed run of `school`, told at once (configuration refused), queued as a fleet worker does. */
async function queueFailure(
  store: MemoryDeliveryStore,
  clock: VirtualClock,
  settings: readonly NotificationSettings[],
  school: string,
) {
  const notifier = createNotifier({ store, settings, clock });
  const result = await notifier.afterRun(
    runReport({ school, runId: `run-of-${school}`, at: clock.now(), error: configurationError }),
  );
  assert.ok(result.ok && result.queued > 0, JSON.stringify(result));
}

function start(loop: DeliveryLoop) {
  const stop = new AbortController();
  const done = loop.run(stop.signal);
  return async () => {
    stop.abort();
    await done;
  };
}

test('a receiver answering 500 three times then 200 gets the notice once, each try after its backoff', async () => {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const hook = 'https://hooks.a.example/x';
  const net = receivers({ [hook]: [500, 500, 500] });
  net.tick(clock);
  const a = settingsOf('ecole-a', hook);
  await queueFailure(store, clock, [a], 'ecole-a');
  const loop = new DeliveryLoop({
    store,
    settingsOf: async () => ({ settings: a }),
    clock,
    fetch: net.fetch,
    intervalMs: 5_000,
    random: () => 1, // no jitter: the waits are exactly 1, 2 and 4 minutes
  });
  const stop = start(loop);
  await clock.runUntil(new Date(T0.getTime() + 30 * MINUTE), () => loop.whenIdle());
  await stop();

  assert.deepEqual(
    net.calls.map((c) => c.status),
    [500, 500, 500, 200],
  );
  assert.equal(new Set(net.calls.map((c) => c.notice)).size, 1, 'one notice, retried');
  const gaps = net.calls.slice(1).map((c, i) => c.at.getTime() - (net.calls[i]?.at.getTime() ?? 0));
  // Each retry waits its backoff, and is sent within one interval of being due.
  for (const [i, gap] of gaps.entries()) {
    const backoff = MINUTE * 2 ** i;
    assert.ok(gap >= backoff && gap <= backoff + 5_000, `gap ${i + 1}: ${gap} ms`);
  }
  const [delivery] = await store.listDeliveries();
  assert.equal(delivery?.status, 'delivered');
  assert.equal(delivery?.attempts, 4);
  assert.deepEqual(
    (await store.listAttempts()).map((at) => at.status).reverse(),
    [500, 500, 500, 200],
  );
});

test("a school whose settings do not open waits, said once; the others' notices go", async () => {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const net = receivers();
  const a = settingsOf('ecole-a', 'https://hooks.a.example/x');
  const b = settingsOf('ecole-b', 'https://hooks.b.example/x');
  await queueFailure(store, clock, [a], 'ecole-a');
  await queueFailure(store, clock, [b], 'ecole-b');
  const warnings: { details: object; message: string }[] = [];
  const loop = new DeliveryLoop({
    store,
    settingsOf: async (school): Promise<SchoolNotifications> => {
      if (school === 'ecole-a')
        throw new Error('cannot decrypt ecole-a auriga.password: wrong AURIGA_EDUSIGN_SECRET_KEY?');
      return { settings: b };
    },
    clock,
    fetch: net.fetch,
    intervalMs: 5_000,
    logger: { info() {}, warn: (details, message) => warnings.push({ details, message }) },
  });
  const stop = start(loop);
  await clock.runUntil(new Date(T0.getTime() + 10 * MINUTE), () => loop.whenIdle());
  await stop();

  assert.deepEqual(
    net.calls.map((c) => c.url),
    ['https://hooks.b.example/x'],
  );
  const bySchool = Object.fromEntries(
    (await store.listDeliveries()).map((d) => [d.school, [d.status, d.attempts]]),
  );
  assert.deepEqual(bySchool, { 'ecole-a': ['pending', 0], 'ecole-b': ['delivered', 1] });
  const said = warnings.filter((w) => /cannot be opened/.test(w.message));
  assert.equal(said.length, 1, 'said once, not at each of the 120 passes');
  assert.deepEqual(said[0]?.details, {
    school: 'ecole-a',
    err: 'cannot decrypt ecole-a auriga.password: wrong AURIGA_EDUSIGN_SECRET_KEY?',
  });
});

test("each pass uses the settings as they are now; a school's removed channels fail as no longer configured", async () => {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const net = receivers({ 'https://old.example/x': [503] });
  net.tick(clock);
  const current: Record<string, NotificationSettings | undefined> = {
    'ecole-a': settingsOf('ecole-a', 'https://old.example/x'),
    'ecole-c': settingsOf('ecole-c', 'https://c.example/x'),
  };
  await queueFailure(store, clock, [current['ecole-a'] as NotificationSettings], 'ecole-a');
  const loop = new DeliveryLoop({
    store,
    settingsOf: async (school) => ({ settings: current[school] }),
    clock,
    fetch: net.fetch,
    intervalMs: 5_000,
    random: () => 1,
  });
  const stop = start(loop);
  await clock.runUntil(new Date(T0.getTime() + 10_000), () => loop.whenIdle());
  // The school's admin corrects the URL of its webhook: the retry goes there.
  current['ecole-a'] = settingsOf('ecole-a', 'https://new.example/x');
  await clock.runUntil(new Date(T0.getTime() + 2 * MINUTE), () => loop.whenIdle());
  assert.deepEqual(
    net.calls.map((c) => [c.url, c.status]),
    [
      ['https://old.example/x', 503],
      ['https://new.example/x', 200],
    ],
  );
  assert.deepEqual(
    (await store.listAttempts({ school: 'ecole-a' })).map((a) => a.target),
    ['POST https://new.example/x', 'POST https://old.example/x'],
    'each attempt says where it went',
  );
  // Another school's failure is queued, then its notifications are removed before it is sent.
  await queueFailure(store, clock, [current['ecole-c'] as NotificationSettings], 'ecole-c');
  current['ecole-c'] = undefined;
  loop.wake();
  await clock.runUntil(new Date(T0.getTime() + 3 * MINUTE), () => loop.whenIdle());
  await stop();
  const [gone] = await store.listDeliveries({ school: 'ecole-c' });
  assert.equal(gone?.status, 'failed');
  assert.match(gone?.lastError ?? '', /no longer configured/);
  assert.equal(net.calls.length, 2, 'nothing sent to a channel that is gone');
});

test("without the operator's channels, the deliveries to the operator are left for a loop that has them", async () => {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const net = receivers();
  const a = settingsOf('ecole-a', 'https://hooks.a.example/x');
  const operator = settingsOf(OPERATOR, 'https://oncall.example/x');
  await queueFailure(store, clock, [a, operator], 'ecole-a');
  const without = new DeliveryLoop({
    store,
    settingsOf: async () => ({ settings: a }),
    clock,
    fetch: net.fetch,
  });
  assert.equal(await without.deliverDue(), 1);
  assert.deepEqual(
    net.calls.map((c) => c.url),
    ['https://hooks.a.example/x'],
  );
  const toOperator = (await store.listDeliveries()).find((d) => d.channelId.startsWith(OPERATOR));
  assert.deepEqual([toOperator?.status, toOperator?.attempts], ['pending', 0]);
  const withOperator = new DeliveryLoop({
    store,
    settingsOf: async () => ({ settings: a }),
    operator,
    clock,
    fetch: net.fetch,
  });
  assert.equal(await withOperator.deliverDue(), 1);
  assert.deepEqual(
    net.calls.map((c) => c.url),
    ['https://hooks.a.example/x', 'https://oncall.example/x'],
  );
});

test('a loop limited to some schools never opens nor sends the others', async () => {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const net = receivers();
  const a = settingsOf('ecole-a', 'https://hooks.a.example/x');
  const b = settingsOf('ecole-b', 'https://hooks.b.example/x');
  await queueFailure(store, clock, [a], 'ecole-a');
  await queueFailure(store, clock, [b], 'ecole-b');
  const opened: string[] = [];
  const loop = new DeliveryLoop({
    store,
    schools: async () => ['ecole-b'],
    settingsOf: async (school) => {
      opened.push(school);
      return { settings: b };
    },
    clock,
    fetch: net.fetch,
  });
  assert.equal(await loop.deliverDue(), 1);
  assert.deepEqual(opened, ['ecole-b']);
  assert.deepEqual(
    net.calls.map((c) => c.url),
    ['https://hooks.b.example/x'],
  );
});

test('a webhook removed from the settings does not take the retries of the one that moved up in its place', async () => {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const [hookA, hookB] = ['https://a.example/x', 'https://b.example/x'];
  const net = receivers({ [hookB]: [503] });
  net.tick(clock);
  const both = resolveNotifications(
    parseNotifications({
      consoleUrl: 'https://sync.example.org',
      webhooks: [
        { url: hookA, secret: 'secret-a' },
        { url: hookB, secret: 'secret-b' },
      ],
    }),
    { owner: 'ecole-a', resolveSecret: (_key, secret) => String(secret) },
  );
  let current = both;
  await queueFailure(store, clock, [both], 'ecole-a');
  const loop = new DeliveryLoop({
    store,
    settingsOf: async () => ({ settings: current }),
    clock,
    fetch: net.fetch,
    intervalMs: 5_000,
    random: () => 1,
  });
  const stop = start(loop);
  await clock.runUntil(new Date(T0.getTime() + 10_000), () => loop.whenIdle());
  // A told, B down; then A is removed: B is now the first webhook of the settings.
  current = resolveNotifications(
    parseNotifications({
      consoleUrl: 'https://sync.example.org',
      webhooks: [{ url: hookB, secret: 'secret-b' }],
    }),
    { owner: 'ecole-a', resolveSecret: (_key, secret) => String(secret) },
  );
  await clock.runUntil(new Date(T0.getTime() + 2 * MINUTE), () => loop.whenIdle());
  await stop();
  assert.deepEqual(net.calls.map((c) => [c.url, c.status]).sort(), [
    [hookA, 200],
    [hookB, 200],
    [hookB, 503],
  ]);
  const toB = (await store.listDeliveries()).find((d) => d.target === `POST ${hookB}`);
  assert.deepEqual([toB?.status, toB?.attempts], ['delivered', 2], 'its retry went to B');
});
