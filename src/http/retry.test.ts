import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs } from './retry.ts';

test('Retry-After in seconds and as an HTTP date', () => {
  const now = Date.parse('2026-11-30T10:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Mon, 30 Nov 2026 10:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('backoff doubles, is capped, and Retry-After wins within the cap', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((a) => retryDelayMs(policy, a, undefined)),
    [100, 200, 400, 800, 1000],
  );
  assert.equal(retryDelayMs(policy, 1, 700), 700);
  assert.equal(retryDelayMs(policy, 1, 60_000), 1000);
});

test('jitter stays within its share of the backoff', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0.5, baseDelayMs: 1000 };
  assert.equal(
    retryDelayMs(policy, 1, undefined, () => 0),
    500,
  );
  assert.equal(
    retryDelayMs(policy, 1, undefined, () => 0.999999),
    1000,
  );
});
