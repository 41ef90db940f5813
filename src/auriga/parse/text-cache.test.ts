import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hash53 } from '../../domain/hash.ts';
import { TextCache } from './text-cache.ts';

test('a text cache finds a text by its content, never a different one, and keeps its JSON digest', () => {
  const long = 'x'.repeat(5000);
  const texts = fc.oneof(
    fc.string({ unit: 'binary' }),
    // Long texts that differ in one character: most characters are not sampled.
    fc.nat(4999).map((at) => `${long.slice(0, at)}y${long.slice(at + 1)}`),
  );
  fc.assert(
    fc.property(fc.array(texts, { maxLength: 20 }), (list) => {
      const cache = new TextCache<number>();
      for (const [i, text] of list.entries()) {
        const entry = cache.entry(text);
        entry.value ??= i;
        assert.equal(entry.text, text);
        assert.equal(entry.digest, hash53(JSON.stringify(text)));
      }
      for (const text of list) {
        // A new string of the same content is found; its value is that of its first add.
        const copy = [...text].join('');
        assert.equal(cache.find(copy)?.value, list.indexOf(text));
        assert.equal(cache.entry(copy), cache.find(text));
      }
      assert.equal(cache.find(`${long}z`), undefined);
    }),
    { numRuns: 200 },
  );
});
