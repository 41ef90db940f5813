import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createThrottle, type FailureLog } from './throttle.ts';

/** The store's three calls, in memory. */
function memoryLog(): FailureLog {
  const rows: Array<{ key: string; at: string }> = [];
  return {
    async addSignInFailure(key, at) {
      rows.push({ key, at });
    },
    async signInFailures(key, since) {
      return rows
        .filter((r) => r.key === key && r.at > since)
        .map((r) => r.at)
        .sort();
    },
    async clearSignInFailures(key) {
      for (let i = rows.length - 1; i >= 0; i--) if (rows[i]?.key === key) rows.splice(i, 1);
    },
  };
}

test('a key is refused past its limit until its oldest failure leaves the window', async () => {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const start = now;
  const throttle = createThrottle({ limit: 3, windowMs: 1000 }, memoryLog(), 'account', () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(await throttle.retryAfterMs('a'), 0);
    await throttle.fail('a');
    now += 100;
  }
  assert.equal(await throttle.retryAfterMs('a'), 700);
  assert.equal(await throttle.retryAfterMs('b'), 0);
  now = start + 1001;
  assert.equal(await throttle.retryAfterMs('a'), 0);
  await throttle.fail('a');
  await throttle.succeed('a');
  assert.equal(await throttle.retryAfterMs('a'), 0);
});

test('two rules on one log keep their keys apart', async () => {
  const log = memoryLog();
  const perAccount = createThrottle({ limit: 1, windowMs: 60_000 }, log, 'account');
  const perAddress = createThrottle({ limit: 1, windowMs: 60_000 }, log, 'address');
  await perAccount.fail('127.0.0.1');
  assert.ok((await perAccount.retryAfterMs('127.0.0.1')) > 0);
  assert.equal(await perAddress.retryAfterMs('127.0.0.1'), 0);
});
