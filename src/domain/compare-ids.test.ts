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

test('property: the order as first written, with patterns (numeric ids by value without leading zeros, then text)', () => {
  const NUMERIC = /^\d+$/;
  const LEADING_ZEROS = /^0+(?=\d)/;
  const reference = (a: string, b: string): number => {
    const aNumeric = NUMERIC.test(a);
    const bNumeric = NUMERIC.test(b);
    if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
    if (aNumeric) {
      const x = a.replace(LEADING_ZEROS, '');
      const y = b.replace(LEADING_ZEROS, '');
      if (x.length !== y.length) return x.length - y.length;
      if (x !== y) return x < y ? -1 : 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
  const zeros = fc.stringMatching(/^0{0,3}\d{0,6}$/);
  const id = fc.oneof(zeros, numeric, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary' }));
  fc.assert(
    fc.property(id, id, (a, b) => assert.equal(compareIds(a, b), reference(a, b))),
    { numRuns: 5000 },
  );
  const edges: [string, string][] = [
    ['0', '00'],
    ['000', '0'],
    ['', '0'],
    ['007', '7'],
    ['10', '010'],
  ];
  for (const [a, b] of edges) assert.equal(compareIds(a, b), reference(a, b), `${a} ${b}`);
});
