import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Hash53, hash53 } from './hash.ts';

describe('hash53', () => {
  test('given in pieces, the same as of the whole text', () => {
    const hasher = new Hash53();
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), fc.nat(), (pieces, seed) => {
        hasher.reset(seed);
        for (const piece of pieces) hasher.text(piece);
        assert.equal(hasher.value(), hash53(pieces.join(''), seed));
      }),
      { numRuns: 500 },
    );
  });

  test('a text in quotes, as JSON writes it, or false when JSON would escape it', () => {
    const hasher = new Hash53();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const plain = hasher.reset().plainJsonText(text);
        assert.equal(plain, JSON.stringify(text) === `"${text}"` && !/[\ud800-\udfff]/.test(text));
        if (plain) assert.equal(hasher.value(), hash53(JSON.stringify(text)));
      }),
      { numRuns: 1000 },
    );
    assert.equal(hasher.reset().code(34).text('a').code(34).value(), hash53('"a"'));
  });
});
