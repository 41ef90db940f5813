import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlidingWindowDelay } from './rate-limit.ts';

test('within the limit no request waits; over it each waits for the slot a window later', () => {
  let now = 1_000;
  const limiter = new SlidingWindowDelay({ requests: 3, windowMs: 400 }, () => now);
  assert.deepEqual([limiter.reserve('a'), limiter.reserve('a'), limiter.reserve('a')], [0, 0, 0]);
  // The 4th and 5th of a burst wait for the 1st and 2nd to leave the window.
  assert.equal(limiter.reserve('a'), 400);
  assert.equal(limiter.reserve('a'), 400);
  // Another token has its own window.
  assert.equal(limiter.reserve('b'), 0);
  now += 100;
  // The 6th waits for the 3rd (at 1000) to leave: 1400, 300 ms from now.
  assert.equal(limiter.reserve('a'), 300);
  // The 7th waits for the 4th (reserved at 1400): 1800.
  assert.equal(limiter.reserve('a'), 700);
});

test('once the window has slid past, requests flow again', () => {
  let now = 0;
  const limiter = new SlidingWindowDelay({ requests: 2, windowMs: 1_000 }, () => now);
  limiter.reserve('t');
  limiter.reserve('t');
  assert.equal(limiter.reserve('t'), 1_000);
  now = 5_000;
  assert.deepEqual([limiter.reserve('t'), limiter.reserve('t')], [0, 0]);
  assert.equal(limiter.reserve('t'), 1_000);
});

test('a new limit applies to the next requests', () => {
  const now = 0;
  const limiter = new SlidingWindowDelay({ requests: 1, windowMs: 1_000 }, () => now);
  limiter.reserve('t');
  assert.equal(limiter.reserve('t'), 1_000);
  limiter.setLimit({ requests: 10, windowMs: 1_000 });
  assert.equal(limiter.reserve('t'), 0);
});
