import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from './rate-limit.ts';

test('a burst goes at once, then requests are spaced by 60 s / limit', () => {
  const limiter = new RateLimiter({ requestsPerMinute: 300, burst: 5, now: () => 0 });
  const waits = Array.from({ length: 8 }, () => limiter.reserve(0));
  // 300 a minute = one every 200 ms; five tokens in the bucket.
  assert.deepEqual(waits, [0, 0, 0, 0, 0, 200, 400, 600]);
});

test('the default burst is one second worth of requests', () => {
  const limiter = new RateLimiter({ requestsPerMinute: 480 });
  const waits = Array.from({ length: 9 }, () => limiter.reserve(1000));
  assert.deepEqual(waits.slice(0, 8), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(waits[8], 125);
});

test('the bucket refills while nothing is sent', () => {
  const limiter = new RateLimiter({ requestsPerMinute: 60, burst: 2 });
  assert.equal(limiter.reserve(0), 0);
  assert.equal(limiter.reserve(0), 0);
  assert.equal(limiter.reserve(0), 1000);
  // Ten seconds later the bucket is full again (two tokens), not ten tokens.
  assert.equal(limiter.reserve(11_000), 0);
  assert.equal(limiter.reserve(11_000), 0);
  assert.equal(limiter.reserve(11_000), 1000);
});

test('never more than the limit in any 60 seconds, burst included', () => {
  const limit = 30;
  const limiter = new RateLimiter({ requestsPerMinute: limit, burst: 10 });
  const sendTimes: number[] = [];
  let clock = 0;
  for (let i = 0; i < 200; i += 1) {
    clock += (i * 7919) % 900; // irregular arrivals, often faster than allowed
    sendTimes.push(clock + limiter.reserve(clock));
  }
  for (let i = 0; i + limit < sendTimes.length; i += 1) {
    const first = sendTimes[i] ?? 0;
    const next = sendTimes[i + limit] ?? 0;
    assert.ok(next - first >= 60_000, `requests ${i}..${i + limit} within ${next - first} ms`);
  }
  // Send times keep the callers' order.
  assert.deepEqual(
    [...sendTimes].sort((a, b) => a - b),
    sendTimes,
  );
});

test('acquire waits, records the wait, and an aborted signal stops it', async () => {
  let clock = 0;
  const limiter = new RateLimiter({ requestsPerMinute: 6000, burst: 1, now: () => clock });
  assert.equal(await limiter.acquire(), 0);
  assert.equal(await limiter.acquire(), 10);
  assert.equal(limiter.waitedMs, 10);
  clock = 0;
  const controller = new AbortController();
  controller.abort(new Error('stopped'));
  await assert.rejects(limiter.acquire(controller.signal), /stopped/);
});

test('a limit below 1 is refused', () => {
  assert.throws(() => new RateLimiter({ requestsPerMinute: 0 }), RangeError);
});

test('waitedMs is the wall time someone waited, not the sum over parallel callers', async () => {
  let clock = 0;
  const limiter = new RateLimiter({ requestsPerMinute: 6000, burst: 1, now: () => clock });
  // Three callers at once: told to wait 0, 10 and 20 ms. The run waited 20 ms, not 30.
  const waits = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
  assert.deepEqual(waits, [0, 10, 20]);
  assert.equal(limiter.waitedMs, 20);
  // A later wait that overlaps the first ones adds only what lies beyond them…
  clock = 15;
  assert.equal(await limiter.acquire(), 15); // slot at 30: waits 15..30
  assert.equal(limiter.waitedMs, 30);
  // …and one after a quiet spell adds all of its own.
  clock = 1000;
  await limiter.acquire(); // free slot
  assert.equal(await limiter.acquire(), 10);
  assert.equal(limiter.waitedMs, 40);
});
