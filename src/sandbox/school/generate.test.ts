import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dayNumber, isWeekday } from './calendar.ts';
import {
  emailSlug,
  formatPeople,
  generateSchool,
  MALFORMED_KINDS,
  type School,
  type SchoolIntervention,
} from './index.ts';

const TODAY = '2025-03-10'; // a Monday, three weeks before the spring DST change
const small = (extra: { malformedShare?: number; seed?: number | string; today?: string } = {}) =>
  generateSchool({ size: 'small', seed: extra.seed ?? 7, today: extra.today ?? TODAY, ...extra });

const dayOffset = (iv: SchoolIntervention, today: string): number =>
  dayNumber(iv.start.slice(0, 10)) - dayNumber(today);
const minutes = (t: string): number => Number(t.slice(11, 13)) * 60 + Number(t.slice(14, 16));
const inWindow = (school: School, today: string) =>
  school.interventions.filter((iv) => {
    const o = dayOffset(iv, today);
    return o >= 0 && o < 14;
  });

/** Invariants every generated school keeps, whatever the seed and day. */
function checkInvariants(school: School, today: string): void {
  const people = [...school.learners, ...school.instructors];
  const personIds = new Set(people.map((p) => p.id));
  assert.equal(personIds.size, people.length, 'person ids are unique');
  for (const p of people) assert.match(p.id, /^\d{5,8}$/);
  const emails = people.map((p) => p.email).filter((e) => e !== '');
  assert.equal(new Set(emails).size, emails.length, 'emails are unique');
  for (const e of emails) assert.match(e, /^[a-z0-9.-]+@[a-z0-9.-]+$/);
  for (const p of school.instructors) assert.notEqual(p.email, '', 'instructors have emails');

  const learnerIds = new Set(school.learners.map((p) => p.id));
  const groupIds = new Set(school.groups.map((g) => g.id));
  assert.equal(groupIds.size, school.groups.length, 'group ids are unique');
  assert.equal(new Set(school.groups.map((g) => g.code)).size, school.groups.length);
  for (const g of school.groups) {
    assert.match(g.id, /^\d+$/);
    for (const id of g.learners) assert.ok(learnerIds.has(id), `group ${g.id} lists learners`);
  }
  const instructorIds = new Set(school.instructors.map((p) => p.id));
  const groupById = new Map(school.groups.map((g) => [g.id, g]));

  const ivIds = new Set(school.interventions.map((iv) => iv.id));
  assert.equal(ivIds.size, school.interventions.length, 'intervention ids are unique');
  for (const iv of school.interventions) {
    assert.match(iv.id, /^\d{6}$/);
    assert.match(iv.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00$/);
    assert.equal(iv.start.slice(0, 10), iv.end.slice(0, 10), 'same day');
    assert.ok(isWeekday(dayNumber(iv.start.slice(0, 10))), `${iv.start} is a weekday`);
    const [s, e] = [minutes(iv.start), minutes(iv.end)];
    assert.ok(s >= 8 * 60 && e <= 19 * 60, `${iv.start}–${iv.end} within 08:00–19:00`);
    assert.ok(e - s >= 60 && e - s <= 240, 'lasts 1 to 4 hours');
    const o = dayOffset(iv, today);
    assert.ok((o >= -3 && o <= -1) || (o >= 0 && o < 14) || (o >= 15 && o <= 20), `offset ${o}`);
    assert.ok(iv.instructors.length >= 1 && iv.instructors.length <= 3);
    for (const id of iv.instructors) assert.ok(instructorIds.has(id));
    assert.ok(iv.groups.length >= 1 && iv.groups.length <= 2);
    const members = new Set(iv.groups.flatMap((id) => groupById.get(id)?.learners ?? []));
    assert.deepEqual(new Set(iv.learners), members, 'learners are the members of its groups');
    assert.equal(iv.learners.length, members.size, 'learners listed once');
  }
}

describe('generateSchool', () => {
  test('is deterministic: same options give a deep-equal school, another seed another one', () => {
    assert.deepEqual(small({ malformedShare: 0.2 }), small({ malformedShare: 0.2 }));
    assert.deepEqual(small({ seed: 'abc' }), small({ seed: 'abc' }));
    assert.notDeepEqual(small({ seed: 1 }).interventions, small({ seed: 2 }).interventions);
  });

  test('small school: sizes, window and a few rows just outside it', () => {
    const school = small();
    assert.equal(school.timeZone, 'Europe/Paris');
    assert.equal(school.learners.length, 40);
    assert.equal(school.instructors.length, 8);
    assert.equal(school.groups.length, 6);
    assert.equal(school.interventions.length, 65);
    assert.equal(inWindow(school, TODAY).length, 60);
    const before = school.interventions.filter((iv) => dayOffset(iv, TODAY) < 0);
    const after = school.interventions.filter((iv) => dayOffset(iv, TODAY) >= 14);
    assert.ok(before.length >= 1 && after.length >= 1, 'rows on both sides of the window');
    checkInvariants(school, TODAY);
    const sorted = [...school.interventions].sort((a, b) => (a.start < b.start ? -1 : 1));
    assert.deepEqual(
      school.interventions.map((iv) => iv.start),
      sorted.map((iv) => iv.start),
    );
  });

  test('group codes carry the school year and semester', () => {
    assert.ok(small().groups.every((g) => g.code.startsWith('2425_ING_ING1_S6_')));
    const autumn = small({ today: '2025-10-06' });
    assert.ok(autumn.groups.every((g) => g.code.startsWith('2526_ING_ING1_S5_')));
    assert.deepEqual(autumn.groups[1]?.label, { fr: 'Groupe TD 1', en: 'Tutorial group 1' });
  });

  test('every group and instructor is used, every learner is in a group', () => {
    const school = small();
    const usedGroups = new Set(school.interventions.flatMap((iv) => iv.groups));
    assert.equal(usedGroups.size, school.groups.length);
    const usedInstructors = new Set(school.interventions.flatMap((iv) => iv.instructors));
    assert.equal(usedInstructors.size, school.instructors.length);
    const grouped = new Set(school.groups.flatMap((g) => g.learners));
    assert.equal(grouped.size, school.learners.length);
  });

  test('names carry accents, hyphens and apostrophes; emails are plain ASCII from the names', () => {
    const school = small();
    const names = [...school.learners, ...school.instructors].map(
      (p) => `${p.firstName} ${p.lastName}`,
    );
    assert.ok(
      names.some((n) => /[À-ÿ]/.test(n)),
      'accents',
    );
    assert.ok(
      names.some((n) => n.includes('-')),
      'hyphens',
    );
    assert.ok(
      names.some((n) => n.includes("'")),
      'apostrophes',
    );
    for (const p of school.learners.filter((l) => l.email !== '')) {
      assert.match(
        p.email,
        new RegExp(`^${emailSlug(p.firstName)}\\.${emailSlug(p.lastName)}\\d*@`),
      );
    }
    assert.equal(emailSlug("D'Angelo"), 'dangelo');
    assert.equal(emailSlug('Jean-Baptiste'), 'jean-baptiste');
    assert.equal(emailSlug('Cœur Straße Søren'), 'coeurstrassesoren');
    const missing = school.learners.filter((p) => p.email === '');
    assert.ok(
      missing.length >= 1 && missing.length <= 4,
      `${missing.length} learners without email`,
    );
  });

  test('small school covers every naming fallback and room fallback in the window', () => {
    const rows = inWindow(small(), TODAY);
    const has = (f: (iv: SchoolIntervention) => boolean, what: string) =>
      assert.ok(rows.some(f), what);
    has((iv) => iv.activityType !== null && iv.educationalUnit !== null, 'both labels');
    has((iv) => iv.activityType !== null && iv.educationalUnit === null, 'only activity type');
    has((iv) => iv.activityType === null && iv.educationalUnit !== null, 'only unit');
    has(
      (iv) => iv.activityType === null && iv.educationalUnit === null && iv.description !== '',
      'neither label, a description',
    );
    has(
      (iv) => iv.activityType === null && iv.educationalUnit === null && iv.description === '',
      'neither label nor description',
    );
    has((iv) => iv.resourceLabel !== '', 'a room label');
    has((iv) => iv.resourceLabel === '' && iv.resourceCode !== '', 'only a room code');
    has((iv) => iv.resourceLabel === '' && iv.resourceCode === '', 'no room');
    const labels = rows.flatMap((iv) => [iv.activityType, iv.educationalUnit]);
    has(() => labels.some((l) => l?.fr && l.en), 'a label in both languages');
    has(() => labels.some((l) => l?.fr && !l.en), 'a French-only label');
    has(() => labels.some((l) => l && !l.fr && l.en), 'an English-only label');
  });

  test('malformed rows cycle through every kind and carry raw cells saying so', () => {
    assert.ok(small().interventions.every((iv) => iv.raw === undefined && !iv.malformed));
    const school = small({ malformedShare: 0.2 });
    const bad = school.interventions.filter((iv) => iv.malformed);
    assert.equal(bad.length, 13);
    const kinds = bad.map((iv) => iv.malformed);
    for (const kind of MALFORMED_KINDS) {
      assert.ok(kinds.filter((k) => k === kind).length >= 3, `${kind} appears`);
    }
    const people = new Map([...school.learners, ...school.instructors].map((p) => [p.id, p]));
    for (const iv of bad) {
      const raw = iv.raw ?? {};
      assert.ok(Object.keys(raw).length >= 1, `${iv.id} has raw cells`);
      assert.ok(dayOffset(iv, TODAY) >= 0 && dayOffset(iv, TODAY) < 14, 'in the window');
      switch (iv.malformed) {
        case 'missing_email': {
          const cell = raw['Learner(s)'] ?? '';
          const listed = iv.learners.map((id) => people.get(id)).filter((p) => p !== undefined);
          assert.notEqual(cell, formatPeople(listed), 'differs from the clean cell');
          assert.match(cell, /(^|\|)\d+\/[^/|]+\/[^/|]+\/(\||$)/);
          break;
        }
        case 'broken_person': {
          const cell = raw['Learner(s)'] ?? raw['Instructor(s)'] ?? '';
          assert.match(cell, /(^|\|)(\d+\/DOE|garbage)$/);
          break;
        }
        case 'end_before_start':
          assert.ok((raw.End ?? '') < iv.start, 'End before Start');
          assert.ok(iv.end > iv.start, 'the fields stay sound');
          break;
        case 'bad_label_json': {
          const cell = raw['Educational Unit.Label'] ?? raw['Activity Type.Label'] ?? '';
          assert.throws(() => JSON.parse(cell));
          assert.ok(cell.startsWith('{"fr": "'));
          break;
        }
        default:
          assert.fail(`unexpected kind ${iv.malformed}`);
      }
    }
    // The rows covering the naming fallbacks are spared: the clean school and this one agree on them.
    const clean = inWindow(small(), TODAY).filter(
      (iv) => iv.activityType === null && iv.educationalUnit === null && iv.description === '',
    );
    for (const iv of clean) {
      assert.equal(school.interventions.find((x) => x.id === iv.id)?.malformed, undefined);
    }
  });

  test('large school: sizes, invariants, quick enough to build per test', () => {
    const started = performance.now();
    const school = generateSchool({
      size: 'large',
      seed: 3,
      today: TODAY,
      timeZone: 'Europe/Brussels',
    });
    const elapsedMs = performance.now() - started;
    // Measured ~150 ms on a loaded 2-core machine; the bound only catches a blow-up.
    assert.ok(elapsedMs < 3000, `took ${elapsedMs} ms`);
    assert.equal(school.timeZone, 'Europe/Brussels');
    assert.equal(school.interventions.length, 3000);
    assert.equal(school.learners.length, 6000);
    assert.equal(school.instructors.length, 400);
    assert.equal(school.groups.length, 200);
    checkInvariants(school, TODAY);
    const missing = school.learners.filter((p) => p.email === '').length / 6000;
    assert.ok(missing > 0.015 && missing < 0.05, `${missing} share without email`);
    assert.ok(Math.max(...school.interventions.map((iv) => iv.learners.length)) <= 400);
  });

  test('keeps its invariants for any seed and any first day, weekends included', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, date, share) => {
          const today = date.toISOString().slice(0, 10);
          const school = generateSchool({ size: 'small', seed, today, malformedShare: share });
          checkInvariants(school, today);
          assert.equal(inWindow(school, today).length, 60);
          assert.equal(
            school.interventions.filter((iv) => iv.malformed).length,
            Math.round(share * 65),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  test('custom sizes, including empty ones, and refuses bad options', () => {
    const tiny = generateSchool({
      size: { interventions: 5, learners: 3, instructors: 1, groups: 1 },
      seed: 1,
      today: TODAY,
    });
    assert.equal(tiny.interventions.length, 5);
    assert.equal(inWindow(tiny, TODAY).length, 5, 'too few rows to spare some outside');
    const empty = generateSchool({
      size: { interventions: 0, learners: 0, instructors: 0, groups: 0 },
      seed: 1,
      today: TODAY,
    });
    assert.deepEqual(empty.interventions, []);
    assert.throws(
      () => generateSchool({ size: 'small', seed: 1, today: '2025-02-30' }),
      RangeError,
    );
    assert.throws(
      () => generateSchool({ size: 'small', seed: 1, today: '10/03/2025' }),
      RangeError,
    );
    assert.throws(
      () => generateSchool({ size: 'small', seed: 1, today: TODAY, malformedShare: 1.5 }),
      RangeError,
    );
    assert.throws(
      () =>
        generateSchool({
          size: { interventions: 3, learners: 1, instructors: 0, groups: 1 },
          seed: 1,
          today: TODAY,
        }),
      /instructor/,
    );
  });
});
