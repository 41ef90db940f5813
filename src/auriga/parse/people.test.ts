import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isEmail, normaliseId, parseIdList, parsePeople } from './people.ts';

describe('parsePeople', () => {
  test("the seed's example", () => {
    const { people, broken } = parsePeople(
      '16026415/GRIMAUD/Karole/k.grimaud@gmail.com|13456/Smith/John/john@gmail.com',
    );
    assert.deepEqual(broken, []);
    assert.deepEqual(
      people.map(({ id, lastName, firstName, email }) => [id, lastName, firstName, email]),
      [
        ['16026415', 'GRIMAUD', 'Karole', 'k.grimaud@gmail.com'],
        ['13456', 'Smith', 'John', 'john@gmail.com'],
      ],
    );
  });

  test('spaces, empty entries and duplicates are tolerated', () => {
    const { people, broken } = parsePeople(
      ' 1 / DOE /  John  Paul / j@x.fr || |2/ROE/Jane/r@x.fr| 1/DOE/Johnny/other@x.fr |',
    );
    assert.deepEqual(broken, []);
    assert.deepEqual(
      people.map((p) => `${p.id}:${p.lastName}:${p.firstName}:${p.email}`),
      ['1:DOE:John Paul:j@x.fr', '2:ROE:Jane:r@x.fr'],
    );
  });

  test('a broken entry is reported and the rest stands', () => {
    const { people, broken } = parsePeople('1/DOE/John/j@x.fr|oops|3/ROE|/X/Y/z@x.fr|4/A/B/c@x.fr');
    assert.deepEqual(
      people.map((p) => p.id),
      ['1', '4'],
    );
    assert.deepEqual(
      broken.map((b) => [b.text, b.id]),
      [
        ['oops', undefined],
        ['3/ROE', '3'],
        ['/X/Y/z@x.fr', undefined],
      ],
    );
    assert.match(broken[1]?.reason ?? '', /2 parts/);
  });

  test('missing fields and bad emails are flagged, not dropped', () => {
    const { people } = parsePeople('1/DOE/John/|2//Jane/j@x.fr|3/ROE/Ann/ann.x.fr');
    assert.deepEqual(
      people.map((p) => [p.id, p.missing, p.badEmail]),
      [
        ['1', ['email'], false],
        ['2', ['lastName'], false],
        ['3', [], true],
      ],
    );
  });

  test('a / inside a last name: the first part is the id, the last two first name and email', () => {
    const [person] = parsePeople('7/DE/LA ROSA/Marie/m@x.fr').people;
    assert.deepEqual(person && [person.lastName, person.firstName, person.email], [
      'DE/LA ROSA',
      'Marie',
      'm@x.fr',
    ]);
  });

  test('cells that are not text', () => {
    assert.deepEqual(parsePeople(null), { people: [], broken: [] });
    assert.equal(parsePeople(12).broken.length, 1);
    assert.equal(parsePeople(['1/A/B/c@x.fr', '2/D/E/f@x.fr']).people.length, 2);
  });

  test('property: no input throws; every non-empty entry is a person, a duplicate or broken', () => {
    const piece = fc.constantFrom('|', '/', ' ', '', '1', '23', 'DOE', 'Jo', 'a@b.c', '@', '\t');
    const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(text, fc.string(), fc.anything()), (cell) => {
        const { people, broken } = parsePeople(cell);
        if (typeof cell !== 'string') return;
        const entries = cell.split('|').filter((e) => e.trim() !== '');
        const ids = new Set(people.map((p) => p.id));
        assert.equal(ids.size, people.length, 'ids are unique');
        assert.ok(people.length + broken.length <= entries.length);
        const unreadable = entries.filter(
          (e) => e.split('/').length < 4 || e.split('/')[0]?.trim() === '',
        );
        assert.ok(broken.length >= unreadable.length);
      }),
      { numRuns: 3000 },
    );
  });

  test('property: a formatted list parses back to its people, whatever the spacing', () => {
    const word = fc.stringMatching(/^[A-Za-zÀ-ÿ'-]{1,12}( [A-Za-zÀ-ÿ'-]{1,8})?$/);
    const person = fc.record({
      id: fc.stringMatching(/^[0-9]{1,9}$/),
      lastName: word,
      firstName: word,
      email: fc.stringMatching(/^[a-z0-9._-]{1,10}@[a-z0-9-]{1,10}\.[a-z]{2,4}$/),
    });
    const pad = fc.constantFrom('', ' ', '  ', '\t');
    fc.assert(
      fc.property(
        fc.array(person, { maxLength: 8 }),
        fc.array(pad, { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        (list, [a = '', b = '', c = '', d = '', e = ''], emptyEntries) => {
          const text = list
            .map((p) => `${a}${p.id}${b}/${c}${p.lastName}/${p.firstName}${d}/${p.email}${e}`)
            .join(emptyEntries ? '| |' : '|');
          const { people, broken } = parsePeople(emptyEntries ? `|${text}|` : text);
          assert.deepEqual(broken, []);
          const expected = list
            .filter((p, i) => list.findIndex((q) => q.id === p.id) === i)
            .map((p) => ({ ...p }));
          assert.deepEqual(
            people.map(({ id, lastName, firstName, email }) => ({
              id,
              lastName,
              firstName,
              email,
            })),
            expected,
          );
          assert.ok(people.every((p) => p.missing.length === 0 && !p.badEmail));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('id lists', () => {
  test('group ids: spaces, empties, duplicates, numbers, decimal commas', () => {
    assert.deepEqual(parseIdList(' 546 | 456 ||546|'), ['546', '456']);
    assert.deepEqual(parseIdList(546), ['546']);
    assert.deepEqual(parseIdList('546,0|12'), ['546', '12']);
    assert.deepEqual(parseIdList('1/DOE/John/j@x.fr|2'), ['1', '2']);
    assert.deepEqual(parseIdList(undefined), []);
  });

  test('normaliseId', () => {
    assert.equal(normaliseId(115849), '115849');
    assert.equal(normaliseId(' 115849 '), '115849');
    assert.equal(normaliseId('115849,00'), '115849');
    assert.equal(normaliseId(null), '');
    assert.equal(normaliseId(Number.NaN), '');
  });

  test('parseIdList does not throw on a list holding an object without toString (found by the property below)', () => {
    assert.deepEqual(parseIdList([{ toString: undefined }, 546, ' 456 ']), ['546', '456']);
  });

  test('property: parseIdList never throws and returns unique, trimmed, non-empty ids', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (cell) => {
        const ids = parseIdList(cell);
        assert.equal(new Set(ids).size, ids.length);
        for (const id of ids) assert.ok(id !== '' && id === id.trim());
      }),
      { numRuns: 1000 },
    );
  });

  test('isEmail is loose but refuses the obvious', () => {
    assert.ok(isEmail('k.grimaud@gmail.com'));
    assert.ok(!isEmail('k.grimaud.gmail.com'));
    assert.ok(!isEmail('k grimaud@gmail.com'));
    assert.ok(!isEmail('a@b@c'));
  });
});
