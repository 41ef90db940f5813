import { FieldReader, readPage } from './fields.ts';
import { fail, type IdPair, type Outcome, ok } from './outcome.ts';
import { pageOf } from './table.ts';
import { checkRefs, type SchoolTables } from './tables.ts';
import { parseDay, utcDayOf } from './time.ts';

/** Courses (attendance sheets): the v1 rules of the Edusign API contract (edusign-api.md). */

export interface CourseStudent {
  studentId: string;
  /** Whether the learner has signed. The sandbox collects no signatures. */
  state: boolean;
  timeSigned: string | null;
}

export interface Course extends IdPair {
  NAME: string;
  DESCRIPTION: string | null;
  /** UTC ISO with `Z`. */
  START: string;
  /** UTC ISO with `Z`, after START. */
  END: string;
  /** 1 once signatures are collected: PATCH and DELETE are refused. */
  LOCKED: 0 | 1;
  CLASSROOM: string | null;
  SCHOOL_GROUP: string[];
  PROFESSOR: string;
  /** Further instructors, `PROFESSOR_2`, `PROFESSOR_3`…, in order. */
  [professor: `PROFESSOR_${number}`]: string;
  STUDENTS: CourseStudent[];
  NEED_STUDENTS_SIGNATURE: boolean;
  MAX_STUDENTS: number | null;
  API_ID: string | null;
  API_TYPE: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Edusign pages its course listing by 40. */
export const COURSES_PAGE_SIZE = 40;

/** Edusign refuses course listings over a longer period. */
export const MAX_LISTING_DAYS = 90;

const DAY_MS = 86_400_000;

export class Courses {
  readonly #t: SchoolTables;

  constructor(tables: SchoolTables) {
    this.#t = tables;
  }

  create(input: Record<string, unknown> | undefined): Outcome<IdPair> {
    if (input === undefined) return fail(['course is required']);
    const read = new FieldReader(input, 'create');
    const NAME = read.required('NAME');
    const START = read.instant('START');
    const END = read.instant('END');
    const PROFESSOR = read.required('PROFESSOR');
    const extraKeys = read.extraProfessorKeys();
    const extras = extraKeys.map((key) => [key, read.optional(key)] as const);
    const DESCRIPTION = read.optional('DESCRIPTION');
    const CLASSROOM = read.optional('CLASSROOM');
    const SCHOOL_GROUP = read.ids('SCHOOL_GROUP');
    const STUDENTS = read.ids('STUDENTS');
    const NEED_STUDENTS_SIGNATURE = read.boolean('NEED_STUDENTS_SIGNATURE');
    const MAX_STUDENTS = read.count('MAX_STUDENTS');
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    if (START !== undefined && END !== undefined && END <= START)
      read.errors.push('END must be after START');
    if (read.errors.length > 0) return fail(read.errors);
    // Narrowed by the checks above: no errors means every required field was read.
    if (NAME === undefined || START === undefined || END === undefined || PROFESSOR === undefined)
      return fail(['course is invalid']);

    const professorIds = [PROFESSOR, ...extras.flatMap(([, id]) => (id ? [id] : []))];
    const refs = checkRefs(this.#t, {
      professors: professorIds,
      students: STUDENTS ?? [],
      groups: SCHOOL_GROUP ?? [],
    });
    if (refs) return refs;

    const stamp = this.#t.stamp();
    const ID = this.#t.courses.insert((ID) => {
      const course: Course = {
        ID,
        id: ID,
        NAME,
        DESCRIPTION: DESCRIPTION ?? null,
        START,
        END,
        LOCKED: 0,
        CLASSROOM: CLASSROOM ?? null,
        SCHOOL_GROUP: SCHOOL_GROUP ?? [],
        PROFESSOR,
        STUDENTS: (STUDENTS ?? []).map((studentId) => newAttendance(studentId)),
        // Assumed default: learners sign unless told otherwise.
        NEED_STUDENTS_SIGNATURE: NEED_STUDENTS_SIGNATURE ?? true,
        MAX_STUDENTS: MAX_STUDENTS ?? null,
        API_ID: API_ID ?? null,
        API_TYPE: API_TYPE ?? null,
        createdAt: stamp,
        updatedAt: stamp,
      };
      for (const [key, id] of extras) if (id) course[key] = id;
      return course;
    });
    return ok({ ID, id: ID });
  }

  get(id: string): Outcome<Course> {
    const course = this.#t.courses.get(id);
    return course ? ok(structuredClone(course)) : fail(this.#t.courses.notFound);
  }

  idByApiId(apiId: string): Outcome<IdPair> {
    // API_ID is not unique on Edusign: the first created wins.
    return this.#t.courses.idByApiId(apiId);
  }

  list(query: Record<string, unknown>): Outcome<Course[]> {
    const errors: string[] = [];
    const page = readPage(query.page);
    if (typeof page === 'string') errors.push(page);
    const startText = typeof query.start === 'string' ? query.start : undefined;
    const endText = typeof query.end === 'string' ? query.end : undefined;
    const start = startText === undefined ? undefined : parseDay(startText);
    const end = endText === undefined ? undefined : parseDay(endText);
    if (startText === undefined) errors.push('start is required');
    else if (start === undefined) errors.push('start must be a date YYYY-MM-DD');
    if (endText === undefined) errors.push('end is required');
    else if (end === undefined) errors.push('end must be a date YYYY-MM-DD');
    const filters = query.filters;
    if (filters !== undefined && filters !== 'locked' && filters !== 'unlocked')
      errors.push('filters must be locked or unlocked');
    if (errors.length > 0 || typeof page !== 'number' || start === undefined || end === undefined)
      return fail(errors);
    if (end < start) return fail('end must not be before start');
    if (end - start > MAX_LISTING_DAYS * DAY_MS)
      return fail(`The period between start and end must not exceed ${MAX_LISTING_DAYS} days`);
    const matching = this.#t.courses.values().filter((course) => {
      const day = utcDayOf(course.START);
      if (day < start || day > end) return false;
      if (filters === 'locked') return course.LOCKED === 1;
      if (filters === 'unlocked') return course.LOCKED === 0;
      return true;
    });
    return ok(structuredClone(pageOf(matching, page, COURSES_PAGE_SIZE)));
  }

  patch(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = this.#t.courses.patchTarget(input);
    if (!target.ok) return target;
    const { record: course, body } = target.value;
    if (course.LOCKED === 1) return fail('course locked');
    const read = new FieldReader(body, 'patch');
    const NAME = read.required('NAME');
    const START = read.instant('START');
    const END = read.instant('END');
    const PROFESSOR = read.required('PROFESSOR');
    const extras = read.extraProfessorKeys().map((key) => [key, read.optional(key)] as const);
    const DESCRIPTION = read.optional('DESCRIPTION');
    const CLASSROOM = read.optional('CLASSROOM');
    const SCHOOL_GROUP = read.ids('SCHOOL_GROUP');
    const STUDENTS = read.ids('STUDENTS');
    const NEED_STUDENTS_SIGNATURE = read.boolean('NEED_STUDENTS_SIGNATURE');
    const MAX_STUDENTS = read.count('MAX_STUDENTS');
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    if ((START ?? course.START) >= (END ?? course.END)) read.errors.push('END must be after START');
    if (read.errors.length > 0) return fail(read.errors);

    const refs = checkRefs(this.#t, {
      professors: [
        ...(PROFESSOR ? [PROFESSOR] : []),
        ...extras.flatMap(([, id]) => (id ? [id] : [])),
      ],
      students: STUDENTS ?? [],
      groups: SCHOOL_GROUP ?? [],
    });
    if (refs) return refs;

    if (NAME !== undefined) course.NAME = NAME;
    if (START !== undefined) course.START = START;
    if (END !== undefined) course.END = END;
    if (PROFESSOR !== undefined) course.PROFESSOR = PROFESSOR;
    for (const [key, id] of extras) {
      if (id) course[key] = id;
      else if (id === null) delete course[key];
    }
    if (DESCRIPTION !== undefined) course.DESCRIPTION = DESCRIPTION;
    if (CLASSROOM !== undefined) course.CLASSROOM = CLASSROOM;
    if (SCHOOL_GROUP !== undefined) course.SCHOOL_GROUP = SCHOOL_GROUP;
    if (STUDENTS !== undefined) {
      // The list is replaced; learners who stay keep their signature state.
      const before = new Map(course.STUDENTS.map((entry) => [entry.studentId, entry]));
      course.STUDENTS = STUDENTS.map((id) => before.get(id) ?? newAttendance(id));
    }
    if (NEED_STUDENTS_SIGNATURE !== undefined)
      course.NEED_STUDENTS_SIGNATURE = NEED_STUDENTS_SIGNATURE;
    if (MAX_STUDENTS !== undefined) course.MAX_STUDENTS = MAX_STUDENTS;
    if (API_ID !== undefined) course.API_ID = API_ID;
    if (API_TYPE !== undefined) course.API_TYPE = API_TYPE;
    course.updatedAt = this.#t.stamp();
    return ok(true);
  }

  delete(id: string): Outcome<true> {
    const course = this.#t.courses.get(id);
    if (!course) return fail(this.#t.courses.notFound);
    if (course.LOCKED === 1) return fail('course locked');
    this.#t.courses.delete(id);
    return ok(true);
  }

  addAttendance(courseId: string, body: unknown): Outcome<true> {
    const studentId = readStudentId(body);
    if (studentId === undefined) return fail(['studentId is required']);
    const course = this.#t.courses.get(courseId);
    if (!course) return fail(this.#t.courses.notFound);
    // Assumed: a locked sheet takes no change to its list either.
    if (course.LOCKED === 1) return fail('course locked');
    if (!this.#t.students.has(studentId)) return fail(this.#t.students.notFound);
    if (course.STUDENTS.some((entry) => entry.studentId === studentId))
      return fail('Student already in the list');
    course.STUDENTS.push(newAttendance(studentId));
    course.updatedAt = this.#t.stamp();
    return ok(true);
  }

  removeAttendance(courseId: string, body: unknown): Outcome<true> {
    const studentId = readStudentId(body);
    if (studentId === undefined) return fail(['studentId is required']);
    const course = this.#t.courses.get(courseId);
    if (!course) return fail(this.#t.courses.notFound);
    if (course.LOCKED === 1) return fail('course locked');
    const index = course.STUDENTS.findIndex((entry) => entry.studentId === studentId);
    if (index < 0) return fail('Student not in the list');
    course.STUDENTS.splice(index, 1);
    course.updatedAt = this.#t.stamp();
    return ok(true);
  }

  /** As if the sheet's signatures were collected. */
  lock(id: string): boolean {
    const course = this.#t.courses.get(id);
    if (!course) return false;
    course.LOCKED = 1;
    course.updatedAt = this.#t.stamp();
    return true;
  }
}

export function newAttendance(studentId: string): CourseStudent {
  return { studentId, state: false, timeSigned: null };
}

function readStudentId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>).studentId;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
