import { type Course, newAttendance } from '../courses.ts';
import { FieldReader } from '../fields.ts';
import type { Row, Table } from '../table.ts';
import type { SchoolTables } from '../tables.ts';
import {
  type EntityCode,
  type Item,
  type ItemOutcome,
  itemError,
  match,
  readIdList,
  unknownFields,
} from './batch.ts';

/**
 * v3 courses (beta on Edusign): camelCase fields onto the records v1 reads,
 * each relation given by Edusign ids or by external references, and the
 * roster rule of the spec: a supplied students list replaces the roster,
 * except that learners of a past or locked course, and learners still in an
 * attached group, are kept; an omitted list leaves it.
 *
 * Where the spec is silent, the stricter reading:
 * - "past" is a course that has started (START at or before now): its
 *   signatures may be under way;
 * - a pair given both ways (`professorIds` and `professorExternalReferenceIds`)
 *   is a VALIDATION_ERROR, and so is an empty instructor list;
 * - `maxStudents` bounds the roster after the rule is applied.
 * Unlike v1's PATCH, an update of a locked course is not refused: the
 * roster rule above names locked courses, so v3 does change them, keeping
 * their learners. The connector's own rule (never change a started or
 * locked sheet) must hold without the API's help.
 */

const COURSE_FIELDS = new Set([
  'courseId',
  'externalReferenceId',
  'externalReferenceType',
  'name',
  'startDateTime',
  'endDateTime',
  'description',
  'classroom',
  'professorIds',
  'professorExternalReferenceIds',
  'studentIds',
  'studentExternalReferenceIds',
  'groupIds',
  'groupExternalReferenceIds',
  'maxStudents',
  'needStudentsSignature',
]);

type Resolved = { readonly ids: string[] | undefined } | { readonly outcome: ItemOutcome };

/** A relation given by ids or by references, as Edusign ids; undefined when not given. */
function relation<T extends Row>(
  item: Item,
  keys: { readonly ids: string; readonly refs: string },
  table: Table<T>,
  entity: EntityCode,
  errors: string[],
): Resolved {
  const ids = readIdList(item, keys.ids, errors);
  const refs = readIdList(item, keys.refs, errors);
  if (ids !== undefined && refs !== undefined) {
    errors.push(`give ${keys.ids} or ${keys.refs}, not both`);
    return { ids: undefined };
  }
  const resolved: string[] = [];
  for (const id of ids ?? [])
    if (table.has(id)) resolved.push(id);
    else return { outcome: itemError(`${entity}_NOT_FOUND`, `no ${entity.toLowerCase()} ${id}`) };
  for (const ref of refs ?? []) {
    const record = table.byApiId(ref);
    if (record) resolved.push(record.ID);
    else
      return {
        outcome: itemError(
          `${entity}_NOT_FOUND`,
          `no ${entity.toLowerCase()} with externalReferenceId ${ref}`,
        ),
      };
  }
  return { ids: ids === undefined && refs === undefined ? undefined : [...new Set(resolved)] };
}

export function upsertCourse(t: SchoolTables, item: Item): ItemOutcome {
  const found = match(item, 'courseId', t.courses, 'COURSE');
  if (found.kind === 'error') return found.outcome;
  const course = found.kind === 'update' ? found.record : undefined;
  const unknown = unknownFields(item, COURSE_FIELDS);
  if (unknown.length > 0)
    return itemError('VALIDATION_ERROR', `unknown fields: ${unknown.join(', ')}`);

  const read = new FieldReader(item, course ? 'patch' : 'create');
  const NAME = read.required('name');
  const START = read.instant('startDateTime');
  const END = read.instant('endDateTime');
  const DESCRIPTION = read.optional('description');
  const CLASSROOM = read.optional('classroom');
  const API_TYPE = read.optional('externalReferenceType');
  const MAX_STUDENTS = read.count('maxStudents');
  const NEED_STUDENTS_SIGNATURE = read.boolean('needStudentsSignature');
  const ids = { ids: 'professorIds', refs: 'professorExternalReferenceIds' };
  const professors = relation(item, ids, t.professors, 'PROFESSOR', read.errors);
  const students = relation(
    item,
    { ids: 'studentIds', refs: 'studentExternalReferenceIds' },
    t.students,
    'STUDENT',
    read.errors,
  );
  const groups = relation(
    item,
    { ids: 'groupIds', refs: 'groupExternalReferenceIds' },
    t.groups,
    'GROUP',
    read.errors,
  );
  const professorIds = 'ids' in professors ? professors.ids : undefined;
  const professorsNamed =
    item.professorIds !== undefined || item.professorExternalReferenceIds !== undefined;
  if (course === undefined && !professorsNamed)
    read.errors.push('professorIds or professorExternalReferenceIds is required');
  if (professorIds?.length === 0) read.errors.push('at least one instructor is required');
  if (read.errors.length > 0) return itemError('VALIDATION_ERROR', read.errors.join('; '));
  for (const resolved of [professors, students, groups])
    if ('outcome' in resolved) return resolved.outcome;
  const studentIds = 'ids' in students ? students.ids : undefined;
  const groupIds = 'ids' in groups ? groups.ids : undefined;

  const start = START ?? course?.START;
  const end = END ?? course?.END;
  if (start === undefined || end === undefined || (NAME === undefined && course === undefined))
    return itemError('VALIDATION_ERROR', 'name, startDateTime and endDateTime are required');
  if (end <= start)
    return itemError(
      'INVALID_DATE_RANGE',
      `endDateTime ${end} is not after startDateTime ${start}`,
    );

  const schoolGroups = groupIds ?? course?.SCHOOL_GROUP ?? [];
  const roster =
    studentIds === undefined ? undefined : rosterOf(t, course, studentIds, schoolGroups);
  const max = MAX_STUDENTS === undefined ? (course?.MAX_STUDENTS ?? null) : MAX_STUDENTS;
  const size = roster?.length ?? course?.STUDENTS.length ?? 0;
  if (max !== null && size > max)
    return itemError('MAX_STUDENTS_EXCEEDED', `${size} learners for at most ${max}`);

  const stamp = t.stamp();
  const [PROFESSOR, ...others] = professorIds ?? [];
  if (course === undefined) {
    if (NAME === undefined || PROFESSOR === undefined)
      return itemError('VALIDATION_ERROR', 'name and an instructor are required');
    const ID = t.courses.insert((ID) => {
      const created: Course = {
        ID,
        id: ID,
        NAME,
        DESCRIPTION: DESCRIPTION ?? null,
        START: start,
        END: end,
        LOCKED: 0,
        CLASSROOM: CLASSROOM ?? null,
        SCHOOL_GROUP: schoolGroups,
        PROFESSOR,
        STUDENTS: roster ?? [],
        NEED_STUDENTS_SIGNATURE: NEED_STUDENTS_SIGNATURE ?? true,
        MAX_STUDENTS: max,
        API_ID: typeof item.externalReferenceId === 'string' ? item.externalReferenceId : null,
        API_TYPE: API_TYPE ?? null,
        createdAt: stamp,
        updatedAt: stamp,
      };
      others.forEach((id, i) => {
        created[`PROFESSOR_${i + 2}`] = id;
      });
      return created;
    });
    return { status: 'success', id: ID };
  }

  if (NAME !== undefined) course.NAME = NAME;
  course.START = start;
  course.END = end;
  if (DESCRIPTION !== undefined) course.DESCRIPTION = DESCRIPTION;
  if (CLASSROOM !== undefined) course.CLASSROOM = CLASSROOM;
  if (API_TYPE !== undefined) course.API_TYPE = API_TYPE;
  if (NEED_STUDENTS_SIGNATURE !== undefined)
    course.NEED_STUDENTS_SIGNATURE = NEED_STUDENTS_SIGNATURE;
  course.MAX_STUDENTS = max;
  course.SCHOOL_GROUP = schoolGroups;
  if (roster !== undefined) course.STUDENTS = roster;
  if (PROFESSOR !== undefined) {
    for (const key of Object.keys(course))
      if (/^PROFESSOR_\d+$/.test(key)) delete course[key as `PROFESSOR_${number}`];
    course.PROFESSOR = PROFESSOR;
    others.forEach((id, i) => {
      course[`PROFESSOR_${i + 2}`] = id;
    });
  }
  course.updatedAt = stamp;
  return { status: 'success', id: course.ID };
}

/**
 * The roster a supplied list makes: the list, plus the learners it would drop
 * that the rule keeps (all of them on a started or locked course; those still
 * in one of the course's groups otherwise). Learners who stay keep their
 * signature state.
 */
function rosterOf(
  t: SchoolTables,
  course: Course | undefined,
  studentIds: readonly string[],
  groupIds: readonly string[],
): Course['STUDENTS'] {
  const before = new Map((course?.STUDENTS ?? []).map((entry) => [entry.studentId, entry]));
  const frozen =
    course !== undefined && (course.LOCKED === 1 || course.START <= t.now().toISOString());
  const inGroups = new Set(groupIds.flatMap((id) => t.groups.get(id)?.STUDENTS ?? []));
  const kept = [...before.keys()].filter(
    (id) => !studentIds.includes(id) && (frozen || inGroups.has(id)),
  );
  return [...studentIds, ...kept].map((id) => before.get(id) ?? newAttendance(id));
}
