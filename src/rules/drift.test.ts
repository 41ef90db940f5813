import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type EdusignIdsOf, type HeldSheet, Roster, sheetDifferences } from './drift.ts';
import type { SheetPayload } from './payloads.ts';

const WANTED: SheetPayload = {
  name: 'Cours § Maths',
  description: 'Séance 1',
  classroom: 'Salle 1',
  start: '2026-12-02T08:00:00.000Z',
  end: '2026-12-02T10:00:00.000Z',
  instructors: ['I1', 'I2'],
  learners: ['L1', 'L2', 'L3'],
  groups: [],
};
/** With `syncGroups` on: the sheet's groups are compared too. */
const GROUPS = { groups: true };
/** Edusign ids are the Auriga ids with an `E` before them. */
const ids: EdusignIdsOf = (_kind, list) => list.map((id) => `E${id}`);
type Content = Omit<HeldSheet['content'], 'learners'> & { learners: readonly string[] };
const held = (content: Partial<Content> = {}, start = WANTED.start): HeldSheet => {
  const { learners = ['EL1', 'EL2', 'EL3'], ...rest } = content;
  return {
    start,
    content: {
      name: WANTED.name,
      description: WANTED.description,
      classroom: WANTED.classroom,
      end: WANTED.end,
      instructors: ['EI1', 'EI2'],
      groups: [],
      ...rest,
      learners: Roster.of(learners),
    },
  };
};

describe('a sheet changed by hand on Edusign (docs/rules.md §7)', () => {
  test('as the sync wrote it: no difference', () => {
    assert.deepEqual(sheetDifferences(held(), WANTED, ids, GROUPS), []);
    // Edusign lists a sheet's learners in its own order.
    assert.deepEqual(
      sheetDifferences(held({ learners: ['EL3', 'EL1', 'EL2'] }), WANTED, ids, GROUPS),
      [],
    );
  });

  test('each field changed by hand is named, in the order of a fingerprint', () => {
    const changed = held(
      {
        name: 'Renamed',
        description: 'Other',
        classroom: 'Hall',
        end: '2026-12-02T11:00:00.000Z',
        instructors: ['EI2', 'EI1'],
        learners: ['EL1', 'EL2'],
        groups: ['EG9'],
      },
      '2026-12-03T08:00:00.000Z',
    );
    assert.deepEqual(sheetDifferences(changed, WANTED, ids, GROUPS), [
      'classroom',
      'description',
      'end',
      'groups',
      'instructors',
      'learners',
      'name',
      'start',
    ]);
  });

  test('an empty text on Edusign is none', () => {
    const none = { ...WANTED, description: null, classroom: null };
    assert.deepEqual(
      sheetDifferences(held({ description: '', classroom: '' }), none, ids, GROUPS),
      [],
    );
    assert.deepEqual(sheetDifferences(held({ classroom: '' }), WANTED, ids, GROUPS), ['classroom']);
  });

  test('a learner added by hand is set back, unless a group attached to the sheet may have brought them', () => {
    const extra = ['EL1', 'EL2', 'EL3', 'EL9'];
    assert.deepEqual(sheetDifferences(held({ learners: extra }), WANTED, ids, GROUPS), [
      'learners',
    ]);
    const grouped = { ...WANTED, groups: ['G1'] };
    assert.deepEqual(
      sheetDifferences(held({ learners: extra, groups: ['EG1'] }), grouped, ids, GROUPS),
      [],
    );
    // A learner the sync lists and Edusign lacks is set back, group or not.
    assert.deepEqual(
      sheetDifferences(held({ learners: ['EL1', 'EL9'], groups: ['EG1'] }), grouped, ids, GROUPS),
      ['learners'],
    );
  });

  test('with syncGroups off, the groups a school attached by hand are theirs', () => {
    const attached = held({ groups: ['EG9'], learners: ['EL1', 'EL2', 'EL3', 'EL9'] });
    assert.deepEqual(sheetDifferences(attached, WANTED, ids, { groups: false }), []);
    assert.deepEqual(sheetDifferences(attached, WANTED, ids, GROUPS), ['groups']);
  });

  test('a list with someone not on Edusign yet cannot be compared: it counts as different', () => {
    const unknown: EdusignIdsOf = (kind, list) =>
      kind === 'learner' ? undefined : ids(kind, list);
    assert.deepEqual(sheetDifferences(held(), WANTED, unknown, GROUPS), ['learners']);
  });

  test('property: a roster gives back the very list it was made of, line breaks and empty ids included', () => {
    const id = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 24 }),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(id), fc.array(id), (ids, other) => {
        const roster = Roster.of(ids);
        assert.equal(roster.is(ids), true);
        assert.equal(
          roster.is(other),
          ids.length === other.length && ids.every((x, i) => x === other[i]),
        );
        assert.deepEqual(roster.ids, ids);
      }),
      { numRuns: 1000 },
    );
    // Lists whose texts look alike, the cases a join could confuse.
    const alike = fc.array(fc.constantFrom('a', 'b', '', '\n', 'a\nb'), { maxLength: 4 });
    fc.assert(
      fc.property(alike, alike, (ids, other) => {
        const same = ids.length === other.length && ids.every((x, i) => x === other[i]);
        assert.equal(Roster.of(ids).is(other), same, JSON.stringify([ids, other]));
        assert.deepEqual(Roster.of(ids).ids, ids);
      }),
      { numRuns: 2000 },
    );
    assert.equal(Roster.of([]).is(['']), false);
    assert.equal(Roster.of(['a', 'b']).is(['a\nb']), false);
    assert.equal(Roster.of(['a\nb']).is(['a', 'b']), false);
  });
});
