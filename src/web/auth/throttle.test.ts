import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createThrottle } from './throttle.ts';

test('a key is refused past its limit until its oldest failure leaves the window', () => {
  let now = 0;
  const throttle = createThrottle({ limit: 3, windowMs: 1000 }, () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(throttle.retryAfterMs('a'), 0);
    throttle.fail('a');
    now += 100;
  }
  assert.equal(throttle.retryAfterMs('a'), 700);
  assert.equal(throttle.retryAfterMs('b'), 0);
  now = 1001;
  assert.equal(throttle.retryAfterMs('a'), 0);
  throttle.fail('a');
  throttle.succeed('a');
  assert.equal(throttle.retryAfterMs('a'), 0);
});
