import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNetworkError, neverSent } from './network-error.ts';

test('describeNetworkError names the system error under fetch\'s "fetch failed"', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
    code: 'ECONNREFUSED',
  });
  assert.match(
    describeNetworkError(new TypeError('fetch failed', { cause: refused })),
    /^ECONNREFUSED/,
  );
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  assert.equal(describeNetworkError(timeout), 'no answer in time');
  assert.equal(describeNetworkError('odd'), 'odd');
});

test('a refused connection never reached the server; a reset one may have', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
    code: 'ECONNREFUSED',
  });
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.equal(neverSent(new TypeError('fetch failed', { cause: refused })), true);
  assert.equal(
    neverSent(new TypeError('fetch failed', { cause: new AggregateError([refused]) })),
    true,
  );
  assert.equal(neverSent(new TypeError('fetch failed', { cause: reset })), false);
  assert.equal(
    describeNetworkError(new TypeError('fetch failed', { cause: reset })),
    'ECONNRESET: socket hang up',
  );
});
