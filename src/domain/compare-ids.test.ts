import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareIds } from './compare-ids.ts';

const numeric = fc.stringMatching(/^\d{1,12}$/);
const anyId = fc.oneof(numeric, fc.string({ maxLength: 6 }));
const sign = (n: number | bigint) => (n > 0 ? 1 : n < 0 ? -1 : 0);

test('compareIds orders numbers as numbers, then other ids as text', () => {
  assert.deepEqual(['10', '9', '100', 'a', '1', 'B-2'].sort(compareIds), [
    '1',
    '9',
    '10',
    '100',
    'B-2',
    'a',
  ]);
});

test('numeric ids follow their value, leading zeros included', () => {
  assert.ok(compareIds('007', '10') < 0, '7 before 10');
  fc.assert(
    fc.property(numeric, numeric, (a, b) => {
      const byValue = sign(BigInt(a) - BigInt(b));
      if (byValue !== 0) assert.equal(sign(compareIds(a, b)), byValue);
    }),
  );
});

test('compareIds is a total order: antisymmetric, transitive, 0 only for equal ids', () => {
  fc.assert(
    fc.property(anyId, anyId, anyId, (a, b, c) => {
      assert.equal(sign(compareIds(a, b)) + sign(compareIds(b, a)), 0);
      assert.equal(compareIds(a, b) === 0, a === b);
      if (compareIds(a, b) <= 0 && compareIds(b, c) <= 0) assert.ok(compareIds(a, c) <= 0);
    }),
    { numRuns: 2000 },
  );
  // The case a text order between numbers and others would loop on.
  const ids = ['2', '10', '1a'];
  assert.deepEqual([...ids].sort(compareIds), [...ids].reverse().sort(compareIds));
});
