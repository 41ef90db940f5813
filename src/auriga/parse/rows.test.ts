import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { GROUP_COLUMNS, INTERVENTION_COLUMNS, matchColumns } from './columns.ts';
import { createInterventionParser, parseGroupRows, parseInterventionRows } from './rows.ts';
import { computeWindow } from './window.ts';

const HEADERS = [
  'ID',
  'Start',
  'End',
  'Educational Unit.Label',
  'Activity Type.Label',
  'Session (Description)',
  'Resource.Label',
  'Resource.Code',
  'Learner(s)',
  'Instructor(s)',
  'Group ID(s)',
] as const;
type Header = (typeof HEADERS)[number];
const { index } = matchColumns(
  HEADERS.map((en) => ({ label: { en } })),
  INTERVENTION_COLUMNS,
);
const line = (cells: Partial<Record<Header, unknown>>): unknown[] =>
  HEADERS.map((h) => cells[h] ?? null);

const context = {
  timeZone: 'Europe/Paris',
  language: 'fr',
  window: computeWindow(new Date('2026-03-23T10:00:00Z'), 'Europe/Paris', 14),
};
const JOHN = '1/DOE/John/john@x.fr';
const JANE = '2/ROE/Jane/jane@x.fr';
const TEACH = '9/SMITH/Ann/ann@x.fr';
const row = (id: string, extra: Partial<Record<Header, unknown>> = {}) =>
  line({
    ID: id,
    Start: '2026-03-24T08:30:00',
    End: '2026-03-24T10:30:00',
    'Learner(s)': `${JOHN}|${JANE}`,
    'Instructor(s)': TEACH,
    ...extra,
  });

describe('parseInterventionRows', () => {
  test('a complete row becomes an intervention with its people', () => {
    const result = parseInterventionRows(
      [
        row('115849', {
          'Educational Unit.Label':
            '{"fr": "Éthique du numérique - ETHIX", "en": "Digital Ethics"}',
          'Activity Type.Label': { en: 'Lectures', fr: 'Cours magistral' },
          'Session (Description)': 'Intro\nChapter 1',
          'Resource.Label': 'Classroom 210',
          'Resource.Code': 'C210',
          'Group ID(s)': '546|456',
        }),
      ],
      index,
      context,
    );
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.interventions, [
      {
        id: '115849',
        start: '2026-03-24T07:30:00.000Z',
        end: '2026-03-24T09:30:00.000Z',
        activityType: 'Cours magistral',
        educationalUnit: 'Éthique du numérique - ETHIX',
        description: 'Intro\nChapter 1',
        resourceLabel: 'Classroom 210',
        resourceCode: 'C210',
        learners: ['1', '2'],
        instructors: ['9'],
        groups: ['546', '456'],
      },
    ]);
    assert.deepEqual(result.learners.get('1'), {
      kind: 'learner',
      id: '1',
      lastName: 'DOE',
      firstName: 'John',
      email: 'john@x.fr',
    });
    assert.equal(result.instructors.get('9')?.lastName, 'SMITH');
  });

  test('rows outside the window are skipped without a word, problems and all', () => {
    const result = parseInterventionRows(
      [
        row('1', { Start: '2026-03-22T23:59:00', End: 'garbage' }),
        row('2', { Start: '2026-04-06T00:00:00', End: '2026-04-06T01:00:00' }),
        row('3', { Start: '2026-04-05T23:59:00', End: '2026-04-06T01:00:00' }),
      ],
      index,
      context,
    );
    assert.deepEqual(
      result.interventions.map((i) => i.id),
      ['3'],
    );
    assert.equal(result.outsideWindow, 2);
    assert.deepEqual(result.problems, []);
  });

  test('a person without email is reported once, with the rows, and left out', () => {
    const result = parseInterventionRows(
      [
        row('115849', { 'Learner(s)': `123/DOE/John/|${JANE}` }),
        row('115850', { 'Learner(s)': '123/DOE/John/' }),
      ],
      index,
      context,
    );
    assert.deepEqual(
      result.interventions.map((i) => i.learners),
      [['2'], []],
    );
    assert.equal(result.learners.has('123'), false);
    assert.deepEqual(result.problems, [
      {
        code: 'person.missing_email',
        kind: 'learner',
        aurigaId: '123',
        row: { favorite: 'interventions', id: '115849' },
        message:
          'Learner 123 (DOE John) on intervention 115849 (and 1 other) has no email: add it in Auriga; the sheets are synced without them.',
      },
    ]);
  });

  test('missing names, bad emails and broken entries have their own codes; the row stands', () => {
    const result = parseInterventionRows(
      [
        row('10', {
          'Learner(s)': `5//Jo/j@x.fr|6/X/Y/not-an-address|7/A//|garbage|${JOHN}`,
          'Instructor(s)': '8/ONLY',
        }),
      ],
      index,
      context,
    );
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.kind, p.aurigaId]),
      [
        ['person.broken_entry', 'sheet', '10'],
        ['person.broken_entry', 'instructor', '8'],
        ['person.missing_name', 'learner', '5'],
        ['person.bad_email', 'learner', '6'],
        ['person.missing_details', 'learner', '7'],
      ],
    );
    assert.deepEqual(result.interventions[0]?.learners, ['1']);
    assert.deepEqual(result.interventions[0]?.instructors, []);
    assert.match(result.problems[0]?.message ?? '', /"garbage" on intervention 10 cannot be read/);
  });

  test('bad times, a nonexistent time, End not after Start, missing ID: reported, skipped', () => {
    const result = parseInterventionRows(
      [
        row('1', { Start: '24/03/2026 08:30' }),
        row('2', { Start: '2026-03-29T02:30:00', End: '2026-03-29T04:00:00' }),
        row('3', { End: '2026-03-24T08:00:00' }),
        row('4', { End: '2026-03-24T08:30:00' }),
        row('5', { End: '' }),
        row(''),
        'not a line',
        row('6', { Start: '2026-10-25T02:30:00' }),
      ],
      index,
      context,
    );
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.aurigaId]),
      [
        ['row.bad_time', '1'],
        ['row.nonexistent_time', '2'],
        ['row.end_before_start', '3'],
        ['row.end_before_start', '4'],
        ['row.bad_time', '5'],
        ['row.missing_id', '#6'],
        ['row.bad_shape', '#7'],
      ],
    );
    assert.deepEqual(result.interventions, []);
    assert.equal(result.outsideWindow, 1);
    assert.match(result.problems[1]?.message ?? '', /does not exist in Europe\/Paris/);
  });

  test('a broken label is reported and the label is absent; the sheet is still read', () => {
    const result = parseInterventionRows(
      [row('1', { 'Educational Unit.Label': '{"fr": "Digital Eth', 'Activity Type.Label': 'TP' })],
      index,
      context,
    );
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['row.bad_label'],
    );
    assert.equal(result.interventions[0]?.educationalUnit, undefined);
    assert.equal(result.interventions[0]?.activityType, 'TP');
  });

  test('a repeated ID keeps the first row; it is reported only when the rows differ', () => {
    const result = parseInterventionRows(
      [row('1'), row('1'), row('1', { 'Resource.Label': 'Room B' })],
      index,
      context,
    );
    assert.equal(result.interventions.length, 1);
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['row.duplicate_id'],
    );
  });

  test('different details for one person: reported once, complete and most seen details win', () => {
    const result = parseInterventionRows(
      [
        row('10', { 'Learner(s)': '1/DOE/John/john@x.fr' }),
        row('11', { 'Learner(s)': '1/DOE/Jon/jon@x.fr' }),
        row('12', { 'Learner(s)': '1/DOE/John/JOHN@x.fr' }),
        row('13', { 'Learner(s)': '1/DOE/John/' }),
      ],
      index,
      context,
    );
    assert.deepEqual(result.learners.get('1')?.firstName, 'John');
    assert.deepEqual(
      result.interventions.map((i) => i.learners),
      [['1'], ['1'], ['1'], ['1']],
    );
    const conflicts = result.problems.filter((p) => p.code === 'person.conflicting_details');
    assert.equal(conflicts.length, 1);
    assert.deepEqual(conflicts[0]?.row, { favorite: 'interventions', id: '11' });
    assert.match(conflicts[0]?.message ?? '', /DOE John <(john|JOHN)@x\.fr> is used/);
    assert.equal(result.problems.length, 1);
  });

  test('property: the people and problems do not depend on the order of the rows', () => {
    const variant = fc.constantFrom(
      '1/DOE/John/john@x.fr',
      '1/DOE/Jon/jon@x.fr',
      '1/DOE/John/',
      '2/ROE/Jane/jane@x.fr',
      '2/ROE/Janet/jane@x.fr',
      '3/X/Y/bad',
    );
    const rows = fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 1, max: 500 }),
        people: fc.array(variant, { maxLength: 3 }),
      }),
      { selector: (r) => r.id, maxLength: 12 },
    );
    fc.assert(
      fc.property(rows, fc.infiniteStream(fc.nat()), (list, stream) => {
        const lines = list.map((r) => row(String(r.id), { 'Learner(s)': r.people.join('|') }));
        const shuffled = [...lines]
          .map((l) => [stream.next().value, l] as const)
          .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))
          .map(([, l]) => l);
        const a = parseInterventionRows(lines, index, context);
        const b = parseInterventionRows(shuffled, index, context);
        assert.deepEqual([...b.learners.entries()].sort(), [...a.learners.entries()].sort());
        const key = (p: unknown) => JSON.stringify(p);
        assert.deepEqual(b.problems.map(key).sort(), a.problems.map(key).sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('page by page', () => {
  const variant = fc.constantFrom(
    '1/DOE/John/john@x.fr',
    '1/DOE/Jon/jon@x.fr',
    '2/ROE/Jane/jane@x.fr',
    '3/X/Y/bad',
    'broken',
  );
  const anyLine = fc.oneof(
    fc.record({
      id: fc.constantFrom('', '7', '8', '9', '10', '11', '12'),
      people: fc.array(variant, { maxLength: 3 }),
      start: fc.constantFrom(
        '2026-03-24T08:30:00',
        '2026-03-24T12:00:00',
        '2025-01-01T08:00:00',
        'soon',
      ),
      room: fc.constantFrom('A', 'B', null),
    }),
    fc.constant('not a row'),
  );

  test('property: rows fed in pages of any size parse as the whole list does, problems and row numbers included', () => {
    fc.assert(
      fc.property(
        fc.array(anyLine, { maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 8 }),
        (cells, cuts) => {
          const lines = cells.map((c) =>
            typeof c === 'string'
              ? c
              : row(c.id, {
                  'Learner(s)': c.people.join('|'),
                  Start: c.start,
                  'Resource.Label': c.room,
                }),
          );
          const whole = parseInterventionRows(lines, index, context);
          const parser = createInterventionParser(index, context);
          let at = 0;
          for (const cut of cuts) {
            parser.add(lines.slice(at, at + cut));
            at += cut;
          }
          parser.add(lines.slice(at));
          const paged = parser.finish();
          assert.deepEqual(paged.interventions, whole.interventions);
          assert.deepEqual([...paged.learners.entries()], [...whole.learners.entries()]);
          assert.deepEqual([...paged.instructors.entries()], [...whole.instructors.entries()]);
          assert.deepEqual(paged.problems, whole.problems);
          assert.equal(paged.outsideWindow, whole.outsideWindow);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a row repeated with the same content is silent; with other content, reported once per repeat', () => {
    const parser = createInterventionParser(index, context);
    parser.add([row('5')]);
    parser.add([row('5'), row('5', { 'Resource.Label': 'Elsewhere' })]);
    const result = parser.finish();
    assert.equal(result.interventions.length, 1);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.aurigaId]),
      [['row.duplicate_id', '5']],
    );
  });
});

describe('repeated rows', () => {
  // Two long people cells that differ by one character, where a sample of them would not look.
  const LONG = Array.from({ length: 40 }, (_, i) => `${i + 1}/LAST/First/p${i + 1}@x.fr`).join('|');
  const at = LONG.length >> 1;
  const ALMOST = `${LONG.slice(0, at)}${LONG[at] === 'x' ? 'y' : 'x'}${LONG.slice(at + 1)}`;
  const cell = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.integer(),
    fc.constant(null),
    fc.constant(undefined),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
    fc.constantFrom(JOHN, JANE, `${JOHN}|${JANE}`, TEACH, LONG, ALMOST),
  );
  const edits = fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), cell), { maxLength: 3 });
  // In the window, or in the favorite's history.
  const start = fc.constantFrom('2026-03-24T08:30:00', '2025-01-06T08:30:00');

  test("property: a repeated ID is reported exactly when its row's JSON differs from the first, in the window or not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(LONG, ALMOST, JOHN),
        fc.tuple(start, start),
        edits,
        edits,
        (learners, [startA, startB], first, second) => {
          const make = (Start: string, changes: [number, unknown][]) => {
            const cells = row('7', { Start, 'Learner(s)': learners });
            for (const [where, value] of changes) cells[where] = value;
            return cells;
          };
          const [a, b] = [make(startA, first), make(startB, second)];
          const result = parseInterventionRows([a, b], index, context);
          assert.equal(
            result.problems.some((p) => p.code === 'row.duplicate_id'),
            JSON.stringify(a) !== JSON.stringify(b),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('parseGroupRows', () => {
  const groupIndex = matchColumns(
    ['ID', 'Label', 'Code', 'Learner(s)'].map((en) => ({ label: { en } })),
    GROUP_COLUMNS,
  ).index;

  test('groups with multilingual labels, codes and learner ids', () => {
    const result = parseGroupRows(
      [
        ['546', '{"fr": "Master 1 Droit", "en": "Law Master 1"}', 'M1-DROIT', '1| 2 |2'],
        [456, null, 'L3', ''],
        ['', 'No id', null, null],
        ['789', '{"fr": "Bro', null, '3'],
        ['546', 'again', null, null],
      ],
      groupIndex,
      'en',
    );
    assert.deepEqual(result.groups, [
      { id: '546', name: 'Law Master 1', code: 'M1-DROIT', learners: ['1', '2'] },
      { id: '456', name: 'L3', code: 'L3', learners: [] },
    ]);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.kind, p.aurigaId]),
      [
        ['row.missing_id', 'group', '#3'],
        ['row.bad_label', 'group', '789'],
        ['group.missing_label', 'group', '789'],
      ],
    );
  });
});
