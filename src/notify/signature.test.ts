import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { signBody, verifySignature } from './signature.ts';

const secretArb = fc.string({ minLength: 1, maxLength: 40 });
const bodyArb = fc.string({ maxLength: 200 });
const timeArb = fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 });

test('a signature verifies with its secret within 5 minutes, either way', () => {
  fc.assert(
    fc.property(
      secretArb,
      bodyArb,
      timeArb,
      fc.integer({ min: -299, max: 299 }),
      (secret, body, ms, skew) => {
        const header = signBody(body, secret, new Date(ms));
        const now = new Date(Math.floor(ms / 1000) * 1000 + skew * 1000);
        assert.deepEqual(verifySignature({ header, body, secret, now }).ok, true);
      },
    ),
  );
});

test('a changed body, another secret or an old signature is refused', () => {
  fc.assert(
    fc.property(
      secretArb,
      secretArb,
      bodyArb,
      bodyArb,
      timeArb,
      (secret, other, body, changed, ms) => {
        const at = new Date(ms);
        const header = signBody(body, secret, at);
        if (changed !== body)
          assert.equal(verifySignature({ header, body: changed, secret, now: at }).ok, false);
        if (other !== secret)
          assert.equal(verifySignature({ header, body, secret: other, now: at }).ok, false);
        const late = new Date(ms + 301_000);
        const verdict = verifySignature({ header, body, secret, now: late });
        assert.equal(verdict.ok, false);
        assert.equal(!verdict.ok && verdict.reason, 'expired');
      },
    ),
  );
});

test('a new t with the old v1 (a replay made fresh) does not match', () => {
  const at = new Date('2026-12-01T11:00:00Z');
  const header = signBody('{"event":"test"}', 's3cret', at);
  const forged = header.replace(/^t=\d+/, `t=${Math.floor(at.getTime() / 1000) + 600}`);
  const verdict = verifySignature({
    header: forged,
    body: '{"event":"test"}',
    secret: 's3cret',
    now: new Date(at.getTime() + 600_000),
  });
  assert.equal(!verdict.ok && verdict.reason, 'mismatch');
});

test('missing or malformed headers say so; one of several v1 values may match (secret rotation)', () => {
  const now = new Date('2026-12-01T11:00:00Z');
  const v = (header: string | undefined) =>
    verifySignature({ header, body: 'b', secret: 'k', now });
  assert.equal(!v(undefined).ok && (v(undefined) as { reason: string }).reason, 'missing');
  assert.equal((v('v1=abc') as { reason: string }).reason, 'malformed');
  assert.equal((v('t=abc,v1=00') as { reason: string }).reason, 'malformed');
  const good = signBody('b', 'k', now);
  const other = signBody('b', 'old', now).split(',')[1];
  assert.equal(v(`${good},${other}`).ok, true);
  assert.equal(v(`${signBody('b', 'old', now)},${good.split(',')[1]}`).ok, true);
});
