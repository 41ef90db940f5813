import { seededRandom } from '../random.ts';
import { FieldReader, readPage } from './fields.ts';
import { parseDay, parseInstant, utcDayOf } from './time.ts';

/**
 * One Edusign school account held in memory: the entities and the rules the
 * v1 API applies to them. Every operation returns an Outcome, the sandbox's
 * image of Edusign's envelope: a result, or a business error whose message is
 * a sentence or a list of validation messages. Nothing here knows HTTP.
 */

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string | string[] };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (message: string | string[]): Outcome<never> => ({ ok: false, message });

export interface IdPair {
  ID: string;
  id: string;
}

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

export interface Student extends IdPair {
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
  API_ID: string | null;
  API_TYPE: string | null;
  /** 1 once archived (DELETE archives, it does not remove). */
  HIDDEN: 0 | 1;
  /** Ids of the groups the learner belongs to (the same relation as a group's STUDENTS). */
  GROUPS: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Professor extends IdPair {
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
  API_ID: string | null;
  API_TYPE: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Group extends IdPair {
  NAME: string;
  DESCRIPTION: string | null;
  STUDENTS: string[];
  PARENT: string | null;
  API_ID: string | null;
  API_TYPE: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AbsenceReason {
  ID: string;
  NAME: string;
}

export interface JustifiedAbsence {
  ID: string;
  STUDENT_ID: string;
  START: string;
  END: string;
  /** The absence reason's ID. */
  TYPE: string;
  COMMENT: string;
}

export interface EdusignState {
  courses: Course[];
  students: Student[];
  professors: Professor[];
  groups: Group[];
  absenceReasons: AbsenceReason[];
  justifiedAbsences: JustifiedAbsence[];
}

/** Page sizes: 40 for courses and 100 for professors are Edusign's; the others are assumed. */
export const PAGE_SIZE = Object.freeze({
  courses: 40,
  professors: 100,
  groups: 100,
  studentsDefault: 100,
  studentsMax: 1000,
  justifiedAbsences: 100,
});

/** Edusign refuses course listings over a longer period. */
export const MAX_LISTING_DAYS = 90;

export const DEFAULT_ABSENCE_REASONS: readonly AbsenceReason[] = Object.freeze([
  { ID: '64b0c1d2e3f4a5b6c7d8e901', NAME: 'Maladie' },
  { ID: '64b0c1d2e3f4a5b6c7d8e902', NAME: 'Retard transport' },
  { ID: '64b0c1d2e3f4a5b6c7d8e903', NAME: 'Rendez-vous médical' },
  { ID: '64b0c1d2e3f4a5b6c7d8e904', NAME: 'Raison familiale' },
]);

const DAY_MS = 86_400_000;

type StudentRecord = Omit<Student, 'GROUPS'>;

/** The record a PATCH body names by `ID`, or the error Edusign answers. */
function patchTarget<T>(
  input: Record<string, unknown> | undefined,
  records: ReadonlyMap<string, T>,
  entity: 'course' | 'student' | 'professor' | 'group',
): Outcome<{ ID: string; record: T; body: Record<string, unknown> }> {
  if (input === undefined) return fail([`${entity} is required`]);
  const ID = typeof input.ID === 'string' && input.ID !== '' ? input.ID : undefined;
  if (ID === undefined) return fail(['ID is required']);
  const record = records.get(ID);
  if (!record) return fail(`${entity.charAt(0).toUpperCase()}${entity.slice(1)} not found`);
  return ok({ ID, record, body: input });
}

/** `get-id`: the first record created with this `API_ID` (Edusign does not enforce uniqueness). */
function idByApiId(
  records: Iterable<{ ID: string; API_ID: string | null }>,
  apiId: string,
  notFound: string,
): Outcome<IdPair> {
  for (const record of records)
    if (record.API_ID === apiId) return ok({ ID: record.ID, id: record.ID });
  return fail(notFound);
}

export class EdusignSchool {
  readonly #now: () => Date;
  readonly #courses = new Map<string, Course>();
  readonly #students = new Map<string, StudentRecord>();
  readonly #professors = new Map<string, Professor>();
  readonly #groups = new Map<string, Group>();
  readonly #absenceReasons: AbsenceReason[];
  readonly #justifiedAbsences: JustifiedAbsence[] = [];
  readonly #salt: string;
  #counter = 0;

  constructor(options: { now?: () => Date; absenceReasons?: readonly AbsenceReason[] } = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#absenceReasons = (options.absenceReasons ?? DEFAULT_ABSENCE_REASONS).map((r) => ({
      ID: r.ID,
      NAME: r.NAME,
    }));
    const random = seededRandom('edusign-sandbox');
    this.#salt = Array.from({ length: 10 }, () => random.int(0, 15).toString(16)).join('');
  }

  /** A fresh id shaped like a Mongo ObjectId (24 hex): seconds, a salt, a counter. */
  #newId(): string {
    this.#counter += 1;
    const seconds = Math.floor(this.#now().getTime() / 1000) >>> 0;
    return `${seconds.toString(16).padStart(8, '0')}${this.#salt}${this.#counter.toString(16).padStart(6, '0')}`;
  }

  #stamp(): string {
    return this.#now().toISOString();
  }

  // ---------------------------------------------------------------- state

  state(): EdusignState {
    return structuredClone({
      courses: [...this.#courses.values()],
      students: [...this.#students.values()].map((s) => this.#studentView(s)),
      professors: [...this.#professors.values()],
      groups: [...this.#groups.values()],
      absenceReasons: this.#absenceReasons,
      justifiedAbsences: this.#justifiedAbsences,
    });
  }

  // ---------------------------------------------------------------- courses

  createCourse(input: Record<string, unknown> | undefined): Outcome<IdPair> {
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
    const refs = this.#checkRefs({
      professors: professorIds,
      students: STUDENTS ?? [],
      groups: SCHOOL_GROUP ?? [],
    });
    if (refs) return refs;

    const ID = this.#newId();
    const stamp = this.#stamp();
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
    this.#courses.set(ID, course);
    return ok({ ID, id: ID });
  }

  getCourse(id: string): Outcome<Course> {
    const course = this.#courses.get(id);
    return course ? ok(structuredClone(course)) : fail('Course not found');
  }

  courseIdByApiId(apiId: string): Outcome<IdPair> {
    // API_ID is not unique on Edusign: the first created wins.
    return idByApiId(this.#courses.values(), apiId, 'Course not found');
  }

  listCourses(query: Record<string, unknown>): Outcome<Course[]> {
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
    const matching = [...this.#courses.values()].filter((course) => {
      const day = utcDayOf(course.START);
      if (day < start || day > end) return false;
      if (filters === 'locked') return course.LOCKED === 1;
      if (filters === 'unlocked') return course.LOCKED === 0;
      return true;
    });
    return ok(structuredClone(pageOf(matching, page, PAGE_SIZE.courses)));
  }

  patchCourse(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = patchTarget(input, this.#courses, 'course');
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

    const refs = this.#checkRefs({
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
    course.updatedAt = this.#stamp();
    return ok(true);
  }

  deleteCourse(id: string): Outcome<true> {
    const course = this.#courses.get(id);
    if (!course) return fail('Course not found');
    if (course.LOCKED === 1) return fail('course locked');
    this.#courses.delete(id);
    return ok(true);
  }

  addAttendance(courseId: string, body: unknown): Outcome<true> {
    const studentId = readStudentId(body);
    if (studentId === undefined) return fail(['studentId is required']);
    const course = this.#courses.get(courseId);
    if (!course) return fail('Course not found');
    // Assumed: a locked sheet takes no change to its list either.
    if (course.LOCKED === 1) return fail('course locked');
    if (!this.#students.has(studentId)) return fail('Student not found');
    if (course.STUDENTS.some((entry) => entry.studentId === studentId))
      return fail('Student already in the list');
    course.STUDENTS.push(newAttendance(studentId));
    course.updatedAt = this.#stamp();
    return ok(true);
  }

  removeAttendance(courseId: string, body: unknown): Outcome<true> {
    const studentId = readStudentId(body);
    if (studentId === undefined) return fail(['studentId is required']);
    const course = this.#courses.get(courseId);
    if (!course) return fail('Course not found');
    if (course.LOCKED === 1) return fail('course locked');
    const index = course.STUDENTS.findIndex((entry) => entry.studentId === studentId);
    if (index < 0) return fail('Student not in the list');
    course.STUDENTS.splice(index, 1);
    course.updatedAt = this.#stamp();
    return ok(true);
  }

  /** As if the sheet's signatures were collected. */
  lockCourse(id: string): boolean {
    const course = this.#courses.get(id);
    if (!course) return false;
    course.LOCKED = 1;
    course.updatedAt = this.#stamp();
    return true;
  }

  // ---------------------------------------------------------------- students

  createStudent(input: Record<string, unknown> | undefined): Outcome<IdPair> {
    if (input === undefined) return fail(['student is required']);
    const read = new FieldReader(input, 'create');
    const FIRSTNAME = read.required('FIRSTNAME');
    const LASTNAME = read.required('LASTNAME');
    const EMAIL = read.email('EMAIL');
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    const GROUPS = read.ids('GROUPS');
    const HIDDEN = read.flag('HIDDEN');
    read.boolean('SEND_EMAIL_CREDENTIALS');
    if (read.errors.length > 0) return fail(read.errors);
    if (FIRSTNAME === undefined || LASTNAME === undefined || EMAIL === undefined)
      return fail(['student is invalid']);
    const refs = this.#checkRefs({ groups: GROUPS ?? [] });
    if (refs) return refs;
    // A known email is not refused: Edusign then holds two learners with one email.
    const ID = this.#newId();
    const stamp = this.#stamp();
    this.#students.set(ID, {
      ID,
      id: ID,
      FIRSTNAME,
      LASTNAME,
      EMAIL,
      API_ID: API_ID ?? null,
      API_TYPE: API_TYPE ?? null,
      HIDDEN: HIDDEN ?? 0,
      createdAt: stamp,
      updatedAt: stamp,
    });
    this.#setMemberships(ID, GROUPS ?? []);
    return ok({ ID, id: ID });
  }

  getStudent(id: string): Outcome<Student> {
    const student = this.#students.get(id);
    return student ? ok(this.#studentView(student)) : fail('Student not found');
  }

  studentByEmail(email: string): Outcome<Student> {
    const wanted = email.trim().toLowerCase();
    for (const student of this.#students.values())
      if (student.EMAIL.toLowerCase() === wanted) return ok(this.#studentView(student));
    return fail('Student not found');
  }

  studentIdByApiId(apiId: string): Outcome<IdPair> {
    return idByApiId(this.#students.values(), apiId, 'Student not found');
  }

  listStudents(query: Record<string, unknown>): Outcome<Student[]> {
    const errors: string[] = [];
    const page = readPage(query.page);
    if (typeof page === 'string') errors.push(page);
    let limit: number = PAGE_SIZE.studentsDefault;
    if (query.limit !== undefined && query.limit !== '') {
      const text = String(query.limit);
      limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(limit >= 1 && limit <= PAGE_SIZE.studentsMax))
        errors.push(`limit must be a whole number from 1 to ${PAGE_SIZE.studentsMax}`);
    }
    let updatedAfter: string | undefined;
    if (query.updatedAfter !== undefined && query.updatedAfter !== '') {
      const date =
        typeof query.updatedAfter === 'string' ? parseInstant(query.updatedAfter) : undefined;
      if (date === undefined) errors.push('updatedAfter must be a valid ISO 8601 date');
      else updatedAfter = date.toISOString();
    }
    const search =
      typeof query.search === 'string' && query.search.trim() !== ''
        ? query.search.trim().toLowerCase()
        : undefined;
    if (errors.length > 0 || typeof page !== 'number') return fail(errors);
    const matching = [...this.#students.values()].filter(
      (student) =>
        (updatedAfter === undefined || student.updatedAt > updatedAfter) &&
        (search === undefined ||
          [student.FIRSTNAME, student.LASTNAME, student.EMAIL].some((text) =>
            text.toLowerCase().includes(search),
          )),
    );
    return ok(pageOf(matching, page, limit).map((student) => this.#studentView(student)));
  }

  patchStudent(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = patchTarget(input, this.#students, 'student');
    if (!target.ok) return target;
    const { ID, record: student, body } = target.value;
    const read = new FieldReader(body, 'patch');
    const FIRSTNAME = read.required('FIRSTNAME');
    const LASTNAME = read.required('LASTNAME');
    const EMAIL = read.named('EMAIL') ? read.email('EMAIL') : undefined;
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    const GROUPS = read.ids('GROUPS');
    const HIDDEN = read.flag('HIDDEN');
    if (read.errors.length > 0) return fail(read.errors);
    const refs = this.#checkRefs({ groups: GROUPS ?? [] });
    if (refs) return refs;
    if (FIRSTNAME !== undefined) student.FIRSTNAME = FIRSTNAME;
    if (LASTNAME !== undefined) student.LASTNAME = LASTNAME;
    if (EMAIL !== undefined) student.EMAIL = EMAIL;
    if (API_ID !== undefined) student.API_ID = API_ID;
    if (API_TYPE !== undefined) student.API_TYPE = API_TYPE;
    if (HIDDEN !== undefined) student.HIDDEN = HIDDEN;
    if (GROUPS !== undefined) this.#setMemberships(ID, GROUPS);
    student.updatedAt = this.#stamp();
    return ok(true);
  }

  /** Archives the learner: it stays, with HIDDEN: 1. */
  archiveStudent(id: string): Outcome<true> {
    const student = this.#students.get(id);
    if (!student) return fail('Student not found');
    student.HIDDEN = 1;
    student.updatedAt = this.#stamp();
    return ok(true);
  }

  #studentView(student: StudentRecord): Student {
    const GROUPS = [...this.#groups.values()]
      .filter((group) => group.STUDENTS.includes(student.ID))
      .map((group) => group.ID);
    return structuredClone({ ...student, GROUPS });
  }

  /** Make the learner a member of exactly these groups. */
  #setMemberships(studentId: string, groupIds: readonly string[]): void {
    const wanted = new Set(groupIds);
    for (const group of this.#groups.values()) {
      const member = group.STUDENTS.includes(studentId);
      if (wanted.has(group.ID) && !member) group.STUDENTS.push(studentId);
      else if (!wanted.has(group.ID) && member)
        group.STUDENTS = group.STUDENTS.filter((id) => id !== studentId);
    }
  }

  // ---------------------------------------------------------------- professors

  createProfessor(input: Record<string, unknown> | undefined): Outcome<IdPair> {
    if (input === undefined) return fail(['professor is required']);
    const read = new FieldReader(input, 'create');
    const FIRSTNAME = read.required('FIRSTNAME');
    const LASTNAME = read.required('LASTNAME');
    const EMAIL = read.email('EMAIL');
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    if (read.errors.length > 0) return fail(read.errors);
    if (FIRSTNAME === undefined || LASTNAME === undefined || EMAIL === undefined)
      return fail(['professor is invalid']);
    if (this.#professorWithEmail(EMAIL)) return fail('Professor already exists in this school');
    const ID = this.#newId();
    const stamp = this.#stamp();
    this.#professors.set(ID, {
      ID,
      id: ID,
      FIRSTNAME,
      LASTNAME,
      EMAIL,
      API_ID: API_ID ?? null,
      API_TYPE: API_TYPE ?? null,
      createdAt: stamp,
      updatedAt: stamp,
    });
    return ok({ ID, id: ID });
  }

  getProfessor(id: string): Outcome<Professor> {
    const professor = this.#professors.get(id);
    return professor ? ok(structuredClone(professor)) : fail('Professor not found');
  }

  professorByEmail(email: string): Outcome<Professor> {
    const professor = this.#professorWithEmail(email);
    return professor ? ok(structuredClone(professor)) : fail('Professor not found');
  }

  professorIdByApiId(apiId: string): Outcome<IdPair> {
    return idByApiId(this.#professors.values(), apiId, 'Professor not found');
  }

  listProfessors(query: Record<string, unknown>): Outcome<Professor[]> {
    const page = readPage(query.page);
    if (typeof page === 'string') return fail([page]);
    return ok(structuredClone(pageOf([...this.#professors.values()], page, PAGE_SIZE.professors)));
  }

  patchProfessor(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = patchTarget(input, this.#professors, 'professor');
    if (!target.ok) return target;
    const { ID, record: professor, body } = target.value;
    const read = new FieldReader(body, 'patch');
    const FIRSTNAME = read.required('FIRSTNAME');
    const LASTNAME = read.required('LASTNAME');
    const EMAIL = read.named('EMAIL') ? read.email('EMAIL') : undefined;
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    if (read.errors.length > 0) return fail(read.errors);
    if (EMAIL !== undefined) {
      const holder = this.#professorWithEmail(EMAIL);
      if (holder && holder.ID !== ID) return fail('Professor already exists in this school');
    }
    if (FIRSTNAME !== undefined) professor.FIRSTNAME = FIRSTNAME;
    if (LASTNAME !== undefined) professor.LASTNAME = LASTNAME;
    if (EMAIL !== undefined) professor.EMAIL = EMAIL;
    if (API_ID !== undefined) professor.API_ID = API_ID;
    if (API_TYPE !== undefined) professor.API_TYPE = API_TYPE;
    professor.updatedAt = this.#stamp();
    return ok(true);
  }

  #professorWithEmail(email: string): Professor | undefined {
    const wanted = email.trim().toLowerCase();
    for (const professor of this.#professors.values())
      if (professor.EMAIL.toLowerCase() === wanted) return professor;
    return undefined;
  }

  // ---------------------------------------------------------------- groups

  createGroup(input: Record<string, unknown> | undefined): Outcome<IdPair> {
    if (input === undefined) return fail(['group is required']);
    const read = new FieldReader(input, 'create');
    const NAME = read.required('NAME');
    const DESCRIPTION = read.optional('DESCRIPTION');
    const STUDENTS = read.ids('STUDENTS');
    const PARENT = read.optional('PARENT');
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    if (read.errors.length > 0) return fail(read.errors);
    if (NAME === undefined) return fail(['group is invalid']);
    const refs = this.#checkRefs({ students: STUDENTS ?? [], groups: PARENT ? [PARENT] : [] });
    if (refs) return refs;
    const ID = this.#newId();
    const stamp = this.#stamp();
    this.#groups.set(ID, {
      ID,
      id: ID,
      NAME,
      DESCRIPTION: DESCRIPTION ?? null,
      STUDENTS: STUDENTS ?? [],
      PARENT: PARENT ?? null,
      API_ID: API_ID ?? null,
      API_TYPE: API_TYPE ?? null,
      createdAt: stamp,
      updatedAt: stamp,
    });
    return ok({ ID, id: ID });
  }

  getGroup(id: string): Outcome<Group> {
    const group = this.#groups.get(id);
    return group ? ok(structuredClone(group)) : fail('Group not found');
  }

  groupIdByApiId(apiId: string): Outcome<IdPair> {
    return idByApiId(this.#groups.values(), apiId, 'Group not found');
  }

  listGroups(query: Record<string, unknown>): Outcome<Group[]> {
    const page = readPage(query.page);
    if (typeof page === 'string') return fail([page]);
    return ok(structuredClone(pageOf([...this.#groups.values()], page, PAGE_SIZE.groups)));
  }

  patchGroup(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = patchTarget(input, this.#groups, 'group');
    if (!target.ok) return target;
    const { ID, record: group, body } = target.value;
    const read = new FieldReader(body, 'patch');
    const NAME = read.required('NAME');
    const DESCRIPTION = read.optional('DESCRIPTION');
    const STUDENTS = read.ids('STUDENTS');
    const PARENT = read.optional('PARENT');
    const API_ID = read.optional('API_ID');
    const API_TYPE = read.optional('API_TYPE');
    if (PARENT === ID) read.errors.push('PARENT must not be the group itself');
    if (read.errors.length > 0) return fail(read.errors);
    const refs = this.#checkRefs({ students: STUDENTS ?? [], groups: PARENT ? [PARENT] : [] });
    if (refs) return refs;
    if (NAME !== undefined) group.NAME = NAME;
    if (DESCRIPTION !== undefined) group.DESCRIPTION = DESCRIPTION;
    if (STUDENTS !== undefined) group.STUDENTS = STUDENTS;
    if (PARENT !== undefined) group.PARENT = PARENT;
    if (API_ID !== undefined) group.API_ID = API_ID;
    if (API_TYPE !== undefined) group.API_TYPE = API_TYPE;
    group.updatedAt = this.#stamp();
    return ok(true);
  }

  deleteGroup(id: string): Outcome<true> {
    if (!this.#groups.delete(id)) return fail('Group not found');
    for (const group of this.#groups.values()) if (group.PARENT === id) group.PARENT = null;
    for (const course of this.#courses.values())
      course.SCHOOL_GROUP = course.SCHOOL_GROUP.filter((groupId) => groupId !== id);
    return ok(true);
  }

  // ---------------------------------------------------------------- absences

  absenceReasons(): Outcome<AbsenceReason[]> {
    return ok(structuredClone(this.#absenceReasons));
  }

  listJustifiedAbsences(query: Record<string, unknown>): Outcome<JustifiedAbsence[]> {
    const page = readPage(query.page);
    if (typeof page === 'string') return fail([page]);
    return ok(structuredClone(pageOf(this.#justifiedAbsences, page, PAGE_SIZE.justifiedAbsences)));
  }

  // ---------------------------------------------------------------- shared

  /** A business error naming the first unknown id, or undefined when all exist. */
  #checkRefs(refs: {
    professors?: readonly string[];
    students?: readonly string[];
    groups?: readonly string[];
  }): Outcome<never> | undefined {
    for (const id of refs.professors ?? [])
      if (!this.#professors.has(id)) return fail(`Professor not found: ${id}`);
    for (const id of refs.students ?? [])
      if (!this.#students.has(id)) return fail(`Student not found: ${id}`);
    for (const id of refs.groups ?? [])
      if (!this.#groups.has(id)) return fail(`Group not found: ${id}`);
    return undefined;
  }
}

function newAttendance(studentId: string): CourseStudent {
  return { studentId, state: false, timeSigned: null };
}

function readStudentId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>).studentId;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function pageOf<T>(items: readonly T[], page: number, size: number): T[] {
  return items.slice(page * size, page * size + size);
}
