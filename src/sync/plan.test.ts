import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AurigaSnapshot, Intervention, Mapping, Person } from '../domain/types.ts';
import { Roster } from '../rules/drift.ts';
import { API_TYPE } from '../rules/ownership.ts';
import { personPayload, sheetPayload } from '../rules/payloads.ts';
import { sheetName } from '../rules/sheet-name.ts';
import { fingerprint } from './fingerprint.ts';
import type { Operation } from './operations.ts';
import { coursesOfMappings, type PlanInput, plan } from './plan.ts';
import type { EdusignView } from './ports.ts';

const NOW = '2026-12-01T10:00:00.000Z';
const WINDOW = {
  from: '2026-11-30T23:00:00.000Z',
  to: '2026-12-14T23:00:00.000Z',
  timeZone: 'Europe/Paris',
  firstDay: '2026-12-01',
  lastDay: '2026-12-14',
};
// maxDeleteCount 0: these cases show the share threshold alone (the count has its own cases).
const OPTIONS = {
  courseNameSeparator: ' § ',
  syncGroups: false,
  maxDeleteShare: 0.1,
  maxDeleteCount: 0,
};

const person = (kind: Person['kind'], id: string, extra: Partial<Person> = {}): Person => ({
  kind,
  id,
  lastName: `LAST${id}`,
  firstName: `First${id}`,
  email: `p${id}@school.test`,
  ...extra,
});

const intervention = (
  id: string,
  day: number,
  extra: Partial<Intervention> = {},
): Intervention => ({
  id,
  start: `2026-12-${String(day).padStart(2, '0')}T08:00:00.000Z`,
  end: `2026-12-${String(day).padStart(2, '0')}T10:00:00.000Z`,
  activityType: 'Cours',
  educationalUnit: 'Maths',
  description: undefined,
  resourceLabel: 'Salle 1',
  resourceCode: undefined,
  learners: ['L1'],
  instructors: ['I1'],
  groups: [],
  ...extra,
});

function snapshot(
  interventions: Intervention[],
  extra: Partial<AurigaSnapshot> = {},
): AurigaSnapshot {
  return {
    window: WINDOW,
    interventions,
    learners: new Map([['L1', person('learner', 'L1')]]),
    instructors: new Map([['I1', person('instructor', 'I1')]]),
    groups: undefined,
    problems: [],
    rowsRead: { interventions: interventions.length, groups: 0 },
    ...extra,
  };
}

const emptyView: EdusignView = { courses: [], students: [], professors: [], groups: [] };

function mapping(
  kind: Mapping['kind'],
  aurigaId: string,
  fp: string,
  extra: Partial<Mapping> = {},
): Mapping {
  return {
    kind,
    aurigaId,
    edusignId: `E-${aurigaId}`,
    fingerprint: fp,
    origin: 'created',
    courseStart: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
}

/** The store's memory after a successful run over `interventions`. */
function syncedMappings(interventions: Intervention[]): Mapping[] {
  return [
    mapping('learner', 'L1', fingerprint(personPayload(person('learner', 'L1')))),
    mapping('instructor', 'I1', fingerprint(personPayload(person('instructor', 'I1')))),
    ...interventions.map((i) =>
      mapping('sheet', i.id, fingerprint(sheetPayload(i, OPTIONS)), { courseStart: i.start }),
    ),
  ];
}

const courseViews = (interventions: Intervention[], locked: string[] = []) =>
  interventions.map((i) => ({
    id: `E-${i.id}`,
    apiId: i.id,
    apiType: API_TYPE,
    start: i.start,
    locked: locked.includes(i.id),
  }));

const run = (input: Partial<PlanInput> & Pick<PlanInput, 'snapshot'>) =>
  plan({ mappings: [], edusign: emptyView, options: OPTIONS, now: NOW, ...input });

const summary = (ops: readonly Operation[]) =>
  ops.map(
    (o) => `${o.action} ${o.kind} ${o.aurigaId}${o.action === 'hold' ? ` (${o.cause})` : ''}`,
  );

describe('sheet naming (docs/rules.md §4)', () => {
  test('activity type § unit, each alone, description, then the ID', () => {
    const base = intervention('115849', 2);
    assert.equal(sheetName(base, ' § '), 'Cours § Maths');
    assert.equal(sheetName({ ...base, educationalUnit: undefined }, ' § '), 'Cours');
    assert.equal(sheetName({ ...base, activityType: '  ' }, ' § '), 'Maths');
    assert.equal(
      sheetName(
        { ...base, activityType: undefined, educationalUnit: undefined, description: 'Séance 3' },
        ' § ',
      ),
      'Séance 3',
    );
    assert.equal(
      sheetName({ ...base, activityType: undefined, educationalUnit: undefined }, ' § '),
      '115849',
    );
  });

  test('room falls back to the code, description is kept only when it is not the name', () => {
    const p = sheetPayload(
      intervention('1', 2, {
        resourceLabel: undefined,
        resourceCode: 'B210',
        description: 'Intro',
      }),
      OPTIONS,
    );
    assert.equal(p.classroom, 'B210');
    assert.equal(p.description, 'Intro');
    const q = sheetPayload(
      intervention('1', 2, {
        activityType: undefined,
        educationalUnit: undefined,
        description: 'Intro',
        resourceLabel: undefined,
      }),
      OPTIONS,
    );
    assert.equal(q.name, 'Intro');
    assert.equal(q.description, null);
    assert.equal(q.classroom, null);
  });

  test('groups are attached only with syncGroups', () => {
    const i = intervention('1', 2, { groups: ['G1'] });
    assert.deepEqual(sheetPayload(i, OPTIONS).groups, []);
    assert.deepEqual(sheetPayload(i, { ...OPTIONS, syncGroups: true }).groups, ['G1']);
  });
});

describe('plan', () => {
  test('a first run creates people before nothing else is known, then sheets', () => {
    const p = run({ snapshot: snapshot([intervention('100', 2), intervention('101', 3)]) });
    assert.deepEqual(summary(p.operations), [
      'create learner L1',
      'create instructor I1',
      'create sheet 100',
      'create sheet 101',
    ]);
  });

  test('a run over unchanged data plans zero operations', () => {
    const items = [intervention('100', 2), intervention('101', 3)];
    const p = run({
      snapshot: snapshot(items),
      mappings: syncedMappings(items),
      edusign: { ...emptyView, courses: courseViews(items) },
    });
    assert.deepEqual(p.operations, []);
    assert.deepEqual(p.unchanged, { sheet: 2, learner: 1, instructor: 1, group: 0 });
  });

  test('a moved, renamed, re-roomed intervention is one update naming the changed fields', () => {
    const before = [intervention('100', 2)];
    const after = [
      intervention('100', 3, { educationalUnit: 'Physique', resourceLabel: 'Salle 2' }),
    ];
    const p = run({
      snapshot: snapshot(after),
      mappings: syncedMappings(before),
      edusign: { ...emptyView, courses: courseViews(before) },
    });
    assert.equal(p.operations.length, 1);
    const op = p.operations[0];
    assert.equal(op?.action, 'update');
    assert.deepEqual(op?.action === 'update' ? [...op.changes].sort() : [], [
      'classroom',
      'end',
      'name',
      'start',
    ]);
  });

  test('a cancelled intervention ahead in the window is deleted; a started or locked one is held', () => {
    const items = [
      intervention('100', 2),
      intervention('101', 3),
      intervention('102', 4),
      ...Array.from({ length: 27 }, (_, k) => intervention(String(200 + k), 5 + (k % 9))),
    ];
    const started = { ...intervention('103', 1), start: '2026-12-01T08:00:00.000Z' };
    const all = [...items, started];
    const remaining = all.filter((i) => !['100', '101', '103'].includes(i.id));
    const input = {
      snapshot: snapshot(remaining),
      mappings: syncedMappings(all),
      edusign: { ...emptyView, courses: courseViews(all, ['101']) },
    };
    const p = run(input);
    assert.deepEqual(summary(p.operations).sort(), [
      'delete sheet 100',
      'hold sheet 101 (locked)',
      'hold sheet 103 (started)',
    ]);
    // The run hands on its join of the listing to the store: the same plan.
    const mappedCourses = coursesOfMappings(input.mappings, input.edusign.courses);
    assert.deepEqual(run({ ...input, mappedCourses }), p);
  });

  test('nothing the sync did not create is deleted, and nothing outside the window', () => {
    const items = [intervention('100', 2), intervention('101', 3)];
    const mappings = [
      ...syncedMappings([]),
      mapping('sheet', '100', 'x', { origin: 'adopted', courseStart: items[0]?.start ?? null }),
      mapping('sheet', '101', 'x', { courseStart: '2026-12-20T08:00:00.000Z' }),
    ];
    const p = run({ snapshot: snapshot([intervention('300', 5)]), mappings });
    assert.deepEqual(summary(p.operations), ['create sheet 300']);
  });

  test('mass-change guard: more than 10% deletions are held; an empty favorite deletes nothing', () => {
    const items = Array.from({ length: 10 }, (_, k) => intervention(String(100 + k), 2 + k));
    const base = {
      mappings: syncedMappings(items),
      edusign: { ...emptyView, courses: courseViews(items) },
    };
    const two = run({ ...base, snapshot: snapshot(items.slice(2)) });
    assert.ok(two.guard.triggered);
    assert.deepEqual(summary(two.operations), [
      'hold sheet 100 (mass_change_guard)',
      'hold sheet 101 (mass_change_guard)',
    ]);
    const empty = run({
      ...base,
      snapshot: snapshot([], { learners: new Map(), instructors: new Map() }),
    });
    assert.ok(empty.guard.triggered);
    assert.equal(empty.operations.filter((o) => o.action === 'delete').length, 0);
    assert.match(empty.guard.reason ?? '', /no intervention/);
    const confirmed = run({ ...base, snapshot: snapshot(items.slice(2)), confirmDeletions: true });
    assert.equal(confirmed.operations.filter((o) => o.action === 'delete').length, 2);
  });

  test('the guard counts every managed sheet once, read or not, an intervention listed twice included', () => {
    const items = Array.from({ length: 4 }, (_, k) => intervention(String(100 + k), 2 + k));
    const outside = { ...intervention('200', 2), start: '2026-12-20T08:00:00.000Z' };
    const [first, second] = items;
    const p = run({
      snapshot: snapshot([second, first, second, outside].filter((i) => i !== undefined)),
      mappings: [
        ...syncedMappings(items),
        mapping('sheet', '200', 'x', { courseStart: outside.start }),
        mapping('sheet', '300', 'x', { origin: 'adopted', courseStart: first?.start ?? null }),
      ],
      edusign: { ...emptyView, courses: courseViews(items) },
    });
    assert.deepEqual(
      { managed: p.guard.managed, deletions: p.guard.deletions },
      { managed: 4, deletions: 2 },
    );
    assert.deepEqual(summary(p.operations), [
      'update sheet 200',
      'hold sheet 102 (mass_change_guard)',
      'hold sheet 103 (mass_change_guard)',
    ]);
  });

  test("property: each intervention meets its mapping whatever the orders and repeats; the unread are weighed in the store's order", () => {
    const at = (id: number) => intervention(String(id), 2 + (id % 10));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.boolean()), { maxLength: 30 }),
        (readIds, mappedIds) => {
          const written = (id: number, fresh: boolean) =>
            mapping('sheet', String(id), fresh ? fingerprint(sheetPayload(at(id), OPTIONS)) : 'x', {
              courseStart: at(id).start,
            });
          const p = run({
            snapshot: snapshot(readIds.map(at)),
            mappings: [
              ...syncedMappings([]),
              ...mappedIds.map(([id, fresh]) => written(id, fresh)),
            ],
            edusign: { ...emptyView, courses: courseViews(mappedIds.map(([id]) => at(id))) },
            options: { ...OPTIONS, maxDeleteShare: 1, maxDeleteCount: 1000 },
          });
          // What an index by id gives: the last mapping of an id, listed where the id first appears.
          const last = new Map<number, boolean>();
          for (const [id, fresh] of mappedIds) last.set(id, fresh);
          const expected: string[] = [];
          let unchanged = 0;
          for (const id of [...readIds].sort((a, b) => a - b)) {
            const fresh = last.get(id);
            if (fresh === undefined) expected.push(`create sheet ${id}`);
            else if (fresh) unchanged += 1;
            else expected.push(`update sheet ${id}`);
          }
          for (const id of last.keys())
            if (!readIds.includes(id)) expected.push(`delete sheet ${id}`);
          assert.deepEqual(summary(p.operations), expected);
          assert.equal(p.unchanged.sheet, unchanged);
          assert.equal(p.guard.managed, last.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('confirming a set of held deletions deletes only when it is exactly the set held now', () => {
    const items = Array.from({ length: 10 }, (_, k) => intervention(String(100 + k), 2 + k));
    const base = {
      mappings: syncedMappings(items),
      edusign: { ...emptyView, courses: courseViews(items) },
      snapshot: snapshot(items.slice(2)),
    };
    const deletes = (p: ReturnType<typeof run>) =>
      p.operations.filter((o) => o.action === 'delete').map((o) => o.aurigaId);
    assert.deepEqual(deletes(run({ ...base, confirmDeletions: ['101', '100'] })), ['100', '101']);
    // Auriga changed since the set was shown: one more cancelled, or one back.
    for (const stale of [['100'], ['100', '101', '102']]) {
      const p = run({ ...base, confirmDeletions: stale });
      assert.deepEqual(deletes(p), []);
      assert.ok(p.guard.triggered);
    }
  });

  test('a person made by hand on Edusign is adopted by email, not duplicated', () => {
    const handMade = {
      id: 'S9',
      apiId: null,
      apiType: null,
      lastName: 'LASTL1',
      firstName: 'FirstL1',
      email: 'PL1@School.TEST',
      hidden: false,
    };
    const p = run({
      snapshot: snapshot([intervention('100', 2)]),
      edusign: { ...emptyView, students: [handMade] },
    });
    const op = p.operations.find((o) => o.kind === 'learner');
    assert.equal(op?.action, 'adopt');
    assert.ok(
      op?.action === 'adopt' &&
        op.matchedBy === 'email' &&
        op.edusignId === 'S9' &&
        op.changes.includes('apiId'),
    );
  });

  test('a sheet with no usable instructor is a problem on its row, not a create', () => {
    const p = run({ snapshot: snapshot([intervention('100', 2, { instructors: [] })]) });
    assert.equal(p.operations.filter((o) => o.kind === 'sheet').length, 0);
    assert.equal(p.problems[0]?.code, 'sheet.no_instructor');
    assert.equal(p.problems[0]?.aurigaId, '100');
  });

  test('a sheet whose row could not be read is never deleted', () => {
    const items = Array.from({ length: 20 }, (_, k) => intervention(String(100 + k), 2 + (k % 10)));
    const problems = [
      {
        code: 'row.end_before_start',
        kind: 'sheet' as const,
        aurigaId: '100',
        row: { favorite: 'interventions' as const, id: '100' },
        message: 'x',
      },
    ];
    const p = run({
      snapshot: snapshot(items.slice(1), { problems }),
      mappings: syncedMappings(items),
      edusign: { ...emptyView, courses: courseViews(items) },
    });
    assert.deepEqual(summary(p.operations), ['hold sheet 100 (unreadable_row)']);
  });

  test('an existing sheet with our external id is adopted (a lost answer), not created again', () => {
    const i = intervention('100', 2);
    const p = run({
      snapshot: snapshot([i]),
      mappings: syncedMappings([]),
      edusign: { ...emptyView, courses: courseViews([i]) },
    });
    assert.deepEqual(summary(p.operations), ['adopt sheet 100']);
  });

  test('a sheet changed by hand on Edusign is set back at once, with what Auriga changed; a started or locked one is left', () => {
    const items = [intervention('100', 2), intervention('101', 3), intervention('102', 4)];
    const started = { ...intervention('103', 1), start: '2026-12-01T08:00:00.000Z' };
    const all = [...items, started];
    /** The course as the sync wrote it, its room then changed by hand. */
    const byHand = (i: Intervention, locked = false) => ({
      ...courseViews([i])[0]!,
      locked,
      content: {
        name: 'Cours § Maths',
        description: null,
        classroom: 'Hall by hand',
        end: i.end,
        instructors: ['E-I1'],
        learners: Roster.of(['E-L1']),
        groups: [],
      },
    });
    const moved = { ...items[1]!, resourceLabel: 'Salle 2' };
    const p = run({
      snapshot: snapshot([items[0]!, moved, items[2]!, started]),
      mappings: syncedMappings(all),
      edusign: {
        ...emptyView,
        courses: [
          byHand(items[0]!),
          { ...byHand(items[1]!), content: { ...byHand(items[1]!).content, name: 'Renamed' } },
          byHand(items[2]!, true),
          byHand(started),
        ],
      },
    });
    assert.deepEqual(
      p.operations.map((o) => [o.action, o.aurigaId, o.action === 'update' ? o.changes : []]),
      [
        ['update', '100', ['classroom']],
        ['update', '101', ['classroom', 'name']],
      ],
    );
    assert.deepEqual(
      p.operations.map((o) => o.reason),
      [
        'The sheet of intervention 100 was changed by hand on Edusign (classroom): set back to what Auriga says.',
        'Intervention 101 changed in Auriga (classroom); the sheet was also changed by hand on Edusign (name): set back to what Auriga says.',
      ],
    );
    // Locked and started: never changed, and nothing to hold, since Auriga did not change them.
    assert.equal(p.unchanged.sheet, 2);
  });

  test('the plan is frozen data', () => {
    const p = run({ snapshot: snapshot([intervention('100', 2)]) });
    assert.ok(Object.isFrozen(p.operations) && Object.isFrozen(p.operations[0]));
  });
});
