import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Hash53, hash53, hash53OfJsonText } from './hash.ts';

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

  test("of a text's JSON, escaped or not", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) =>
        assert.equal(hash53OfJsonText(text), hash53(JSON.stringify(text))),
      ),
      { numRuns: 1000 },
    );
  });

  test('a digest fed as four 16-bit units, low first', () => {
    const n = 2 ** 52 + 2 ** 33 + 7;
    const units = [7, 0, 2 + 0, 2 ** 4].map((u) => String.fromCharCode(u)).join('');
    assert.equal(new Hash53().digest(n).value(), hash53(units));
    assert.equal(new Hash53().digest(0).value(), hash53('\u0000\u0000\u0000\u0000'));
  });
});
