import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitRange } from './client.ts';
import {
  courseProfessors,
  type EdusignCourse,
  expandCourseFields,
  isCourseLocked,
  PROFESSOR_SLOTS_CLEARED,
} from './types.ts';

test('professors expand to PROFESSOR, PROFESSOR_2, … on create', () => {
  const wire = expandCourseFields(
    { NAME: 'Maths', START: 's', END: 'e', professors: ['p1', 'p2', 'p3'] },
    false,
  );
  assert.deepEqual(wire, {
    NAME: 'Maths',
    START: 's',
    END: 'e',
    PROFESSOR: 'p1',
    PROFESSOR_2: 'p2',
    PROFESSOR_3: 'p3',
  });
});

test('an update clears the slots past the list; without professors it names none', () => {
  const wire = expandCourseFields({ professors: ['p1'] }, true);
  assert.equal(wire.PROFESSOR, 'p1');
  for (let slot = 2; slot <= PROFESSOR_SLOTS_CLEARED; slot += 1)
    assert.equal(wire[`PROFESSOR_${slot}`], null, `PROFESSOR_${slot}`);
  assert.equal(`PROFESSOR_${PROFESSOR_SLOTS_CLEARED + 1}` in wire, false);
  assert.deepEqual(expandCourseFields({ NAME: 'x' }, true), { NAME: 'x' });
  const long = expandCourseFields({ professors: ['a', 'b', 'c', 'd', 'e', 'f'] }, true);
  assert.equal(long.PROFESSOR_6, 'f');
  assert.equal(long.PROFESSOR_7, null);
});

test('courseProfessors reads the numbered slots in order, skipping empty ones', () => {
  const course = {
    ID: 'c',
    NAME: 'n',
    START: 's',
    END: 'e',
    PROFESSOR_10: 'p10',
    PROFESSOR_2: 'p2',
    PROFESSOR: 'p1',
    PROFESSOR_3: null,
  } as EdusignCourse;
  assert.deepEqual(courseProfessors(course), ['p1', 'p2', 'p10']);
  assert.equal(isCourseLocked({ ...course, LOCKED: 1 }), true);
  assert.equal(isCourseLocked({ ...course, LOCKED: 0 }), false);
});

test('course ranges over 90 days are split, sharing boundary days', () => {
  assert.deepEqual(splitRange('2026-01-01', '2026-01-15'), [['2026-01-01', '2026-01-15']]);
  assert.deepEqual(splitRange('2026-01-01', '2026-04-01'), [['2026-01-01', '2026-04-01']]);
  assert.deepEqual(splitRange('2026-01-01', '2026-07-01'), [
    ['2026-01-01', '2026-04-01'],
    ['2026-04-01', '2026-06-30'],
    ['2026-06-30', '2026-07-01'],
  ]);
  assert.deepEqual(splitRange('2026-03-01', '2026-03-01'), [['2026-03-01', '2026-03-01']]);
  assert.throws(() => splitRange('2026-03-02', '2026-03-01'), RangeError);
  assert.throws(() => splitRange('01/03/2026', '2026-03-01'), /YYYY-MM-DD/);
});
