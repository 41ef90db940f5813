import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { cleanText, pickLanguage, resolveLabel } from './labels.ts';

describe('resolveLabel', () => {
  test('an object, its JSON text and plain text', () => {
    assert.deepEqual(resolveLabel({ fr: 'Éthique', en: 'Ethics' }, 'fr'), {
      ok: true,
      value: 'Éthique',
    });
    assert.deepEqual(resolveLabel('{"fr": "Digital Ethics - ETHIX"}', 'en'), {
      ok: true,
      value: 'Digital Ethics - ETHIX',
    });
    assert.deepEqual(resolveLabel('  Classroom   210 ', 'fr'), {
      ok: true,
      value: 'Classroom 210',
    });
  });

  test('language, then fr, then en, then any non-empty value', () => {
    const labels = { de: 'Vorlesung', en: 'Lectures', fr: 'Cours', it: 'Lezione' };
    assert.equal(pickLanguage(labels, 'it'), 'Lezione');
    assert.equal(pickLanguage(labels, 'es'), 'Cours');
    assert.equal(pickLanguage({ de: 'Vorlesung', en: 'Lectures' }, 'es'), 'Lectures');
    assert.equal(pickLanguage({ de: 'Vorlesung', es: '' }, 'es'), 'Vorlesung');
    assert.equal(pickLanguage({ fr: '  ', en: 'Lectures' }, 'fr'), 'Lectures');
    assert.equal(pickLanguage({ FR: 'Cours' }, 'fr'), 'Cours');
    assert.equal(pickLanguage({ fr_FR: 'Cours', en: 'Lectures' }, 'fr'), 'Cours');
    assert.equal(pickLanguage({}, 'fr'), undefined);
  });

  test('empty cells are absent labels, not problems', () => {
    for (const cell of [null, undefined, '', '   ', {}, { fr: '' }, '{}']) {
      assert.deepEqual(resolveLabel(cell, 'fr'), { ok: true, value: undefined }, String(cell));
    }
  });

  test('text starting with { that is not a JSON object is a problem, unless free text', () => {
    const broken = resolveLabel('{"fr": "Digital Eth', 'fr');
    assert.equal(broken.ok, false);
    assert.match(broken.ok ? '' : broken.reason, /not valid JSON/);
    assert.equal(resolveLabel('{1, 2}', 'fr').ok, false);
    assert.deepEqual(resolveLabel('{TP} intro\nsecond line', 'fr', { freeText: true }), {
      ok: true,
      value: '{TP} intro\nsecond line',
    });
    assert.equal(resolveLabel(['a'], 'fr').ok, false);
  });

  test('property: never throws, and an ok value is trimmed and non-empty', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.string(), fc.json(), fc.jsonValue()),
        fc.constantFrom('fr', 'en', 'de', 'FR'),
        fc.boolean(),
        (cell, language, freeText) => {
          const result = resolveLabel(cell, language, { freeText });
          if (result.ok && result.value !== undefined) {
            assert.notEqual(result.value, '');
            assert.equal(result.value, result.value.trim());
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('property: an object and its JSON text resolve alike, to the language rule', () => {
    const language = fc.constantFrom('fr', 'en', 'de', 'es', 'it');
    fc.assert(
      fc.property(fc.dictionary(language, fc.string()), language, (labels, wanted) => {
        const fromObject = resolveLabel(labels, wanted);
        const fromText = resolveLabel(JSON.stringify(labels), wanted);
        assert.deepEqual(fromText, fromObject);
        const present = (key: string) => {
          const value = labels[key];
          return value !== undefined && cleanText(value) !== '' ? cleanText(value) : undefined;
        };
        const expected =
          present(wanted) ??
          present('fr') ??
          present('en') ??
          Object.values(labels)
            .map(cleanText)
            .find((v) => v !== '');
        assert.deepEqual(fromObject, { ok: true, value: expected });
      }),
      { numRuns: 1000 },
    );
  });

  test('property: the language rule as first written (a map of cleaned values), keys of any case, blanks of any white space', () => {
    const reference = (labels: object, language: string): string | undefined => {
      const values = new Map<string, string>();
      const order: string[] = [];
      for (const [key, raw] of Object.entries(labels)) {
        const value =
          typeof raw === 'string'
            ? cleanText(raw)
            : typeof raw === 'number'
              ? String(raw)
              : undefined;
        if (value === undefined || value === '') continue;
        const lower = key.toLowerCase();
        if (!values.has(lower)) {
          values.set(lower, value);
          order.push(lower);
        }
      }
      for (const wanted of [language.toLowerCase(), 'fr', 'en']) {
        const exact = values.get(wanted);
        if (exact !== undefined) return exact;
        const regional = order.find((key) => key.split(/[-_]/)[0] === wanted);
        if (regional !== undefined) return values.get(regional);
      }
      const first = order[0];
      return first === undefined ? undefined : values.get(first);
    };
    const key = fc.constantFrom('fr', 'FR', 'fr_FR', 'fr-be', 'en', 'EN', 'de', 'es-ES', 'x');
    const blank = fc.constantFrom(' ', '\t', '\n', '\u00a0', '\ufeff', '\u2028', '\u3000', '');
    const value = fc.oneof(
      fc.string(),
      fc
        .array(fc.oneof(blank, fc.constantFrom('a', 'Cours', ' b ')), { maxLength: 4 })
        .map((parts) => parts.join('')),
      fc.integer(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, value), { maxLength: 5 }),
        fc.constantFrom('fr', 'EN', 'de', 'es'),
        (entries, language) => {
          const labels = Object.fromEntries(entries);
          assert.equal(pickLanguage(labels, language), reference(labels, language));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('property: plain text not starting with { is itself, cleaned', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        fc.pre(!text.trim().startsWith('{'));
        const result = resolveLabel(text, 'fr');
        const cleaned = cleanText(text);
        assert.deepEqual(result, { ok: true, value: cleaned === '' ? undefined : cleaned });
      }),
    );
  });
});
