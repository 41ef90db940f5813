import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../errors/app-error.ts';
import { jobIdOf } from './queue.ts';
import { keyIdOf, loadSecretKeys, open, parseKey, seal } from './secret-key.ts';

const keysOf = (current: Buffer, previous?: Buffer) =>
  loadSecretKeys({
    AURIGA_EDUSIGN_SECRET_KEY: current.toString('base64'),
    ...(previous ? { AURIGA_EDUSIGN_SECRET_KEY_PREVIOUS: previous.toString('hex') } : {}),
  });

test('any text sealed opens to itself, under the same context only', () => {
  const keys = keysOf(randomBytes(32));
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (plain, school) => {
      const sealed = seal(keys, plain, `${school}\0edusign.token`);
      assert.ok(!plain || !sealed.includes(plain) || plain.length < 4);
      assert.equal(open(keys, sealed, `${school}\0edusign.token`), plain);
      assert.throws(() => open(keys, sealed, `${school}-other\0edusign.token`), /cannot decrypt/);
    }),
    { numRuns: 200 },
  );
});

test('a value altered, or sealed under another key, does not open and says which key to give', () => {
  const keys = keysOf(randomBytes(32));
  const sealed = seal(keys, 'the token', 's\0edusign.token');
  const altered = `${sealed.slice(0, -4)}${sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  assert.throws(() => open(keys, altered, 's\0edusign.token'), /cannot decrypt s: edusign\.token/);
  const other = keysOf(randomBytes(32));
  assert.throws(
    () => open(other, sealed, 's\0edusign.token'),
    (error) =>
      isAppError(error) &&
      error.code === 'fleet.cannot_decrypt' &&
      error.message.includes(keyIdOf(sealed)) &&
      /wrong AURIGA_EDUSIGN_SECRET_KEY\?/.test(error.message),
  );
  // With the old key given as the previous one, it opens; new values go under the new key.
  const rotated = keysOf(randomBytes(32), keys.current.bytes);
  assert.equal(open(rotated, sealed, 's\0edusign.token'), 'the token');
  assert.equal(keyIdOf(seal(rotated, 'x', 'c')), rotated.current.id);
});

test('keys: 64 hex digits or base64 of 32 bytes; anything else refused without repeating it', () => {
  const bytes = randomBytes(32);
  assert.equal(parseKey(bytes.toString('hex'), 'K').id, parseKey(bytes.toString('base64'), 'K').id);
  assert.equal(
    parseKey(bytes.toString('base64url'), 'K').id,
    parseKey(bytes.toString('hex'), 'K').id,
  );
  for (const bad of ['short', randomBytes(16).toString('base64'), 'z'.repeat(64)]) {
    assert.throws(
      () => parseKey(bad, 'AURIGA_EDUSIGN_SECRET_KEY'),
      (error) => isAppError(error) && !error.message.includes(bad),
    );
  }
  assert.throws(() => loadSecretKeys({}), /AURIGA_EDUSIGN_SECRET_KEY is not set/);
});

test('a job id is a UUID fixed by its key', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => {
      const id = jobIdOf(a);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(jobIdOf(a), id);
      if (a !== b) assert.notEqual(jobIdOf(b), id);
    }),
  );
});
