import { FieldReader, readPage } from './fields.ts';
import { fail, type IdPair, type Outcome, ok } from './outcome.ts';
import { pageOf } from './table.ts';
import { checkRefs, type SchoolTables } from './tables.ts';
import { parseInstant } from './time.ts';

/** Students (learners): the v1 rules of the Edusign API contract (edusign-api.md). */

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

/** As stored: GROUPS is read from the groups' STUDENTS, the one place membership is kept. */
export type StudentRecord = Omit<Student, 'GROUPS'>;

/** Page sizes of the student listing (assumed). */
export const STUDENTS_PAGE_SIZE = Object.freeze({ default: 100, max: 1000 });

export class Students {
  readonly #t: SchoolTables;

  constructor(tables: SchoolTables) {
    this.#t = tables;
  }

  create(input: Record<string, unknown> | undefined): Outcome<IdPair> {
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
    const refs = checkRefs(this.#t, { groups: GROUPS ?? [] });
    if (refs) return refs;
    // A known email is not refused: Edusign then holds two learners with one email.
    const stamp = this.#t.stamp();
    const ID = this.#t.students.insert((ID) => ({
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
    }));
    this.#setMemberships(ID, GROUPS ?? []);
    return ok({ ID, id: ID });
  }

  get(id: string): Outcome<Student> {
    const student = this.#t.students.get(id);
    return student ? ok(this.view(student)) : fail(this.#t.students.notFound);
  }

  byEmail(email: string): Outcome<Student> {
    const wanted = email.trim().toLowerCase();
    for (const student of this.#t.students.values())
      if (student.EMAIL.toLowerCase() === wanted) return ok(this.view(student));
    return fail(this.#t.students.notFound);
  }

  idByApiId(apiId: string): Outcome<IdPair> {
    return this.#t.students.idByApiId(apiId);
  }

  list(query: Record<string, unknown>): Outcome<Student[]> {
    const errors: string[] = [];
    const page = readPage(query.page);
    if (typeof page === 'string') errors.push(page);
    let limit: number = STUDENTS_PAGE_SIZE.default;
    if (query.limit !== undefined && query.limit !== '') {
      const text = String(query.limit);
      limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(limit >= 1 && limit <= STUDENTS_PAGE_SIZE.max))
        errors.push(`limit must be a whole number from 1 to ${STUDENTS_PAGE_SIZE.max}`);
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
    const matching = this.#t.students
      .values()
      .filter(
        (student) =>
          (updatedAfter === undefined || student.updatedAt > updatedAfter) &&
          (search === undefined ||
            [student.FIRSTNAME, student.LASTNAME, student.EMAIL].some((text) =>
              text.toLowerCase().includes(search),
            )),
      );
    return ok(pageOf(matching, page, limit).map((student) => this.view(student)));
  }

  patch(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = this.#t.students.patchTarget(input);
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
    const refs = checkRefs(this.#t, { groups: GROUPS ?? [] });
    if (refs) return refs;
    if (FIRSTNAME !== undefined) student.FIRSTNAME = FIRSTNAME;
    if (LASTNAME !== undefined) student.LASTNAME = LASTNAME;
    if (EMAIL !== undefined) student.EMAIL = EMAIL;
    if (API_ID !== undefined) student.API_ID = API_ID;
    if (API_TYPE !== undefined) student.API_TYPE = API_TYPE;
    if (HIDDEN !== undefined) student.HIDDEN = HIDDEN;
    if (GROUPS !== undefined) this.#setMemberships(ID, GROUPS);
    student.updatedAt = this.#t.stamp();
    return ok(true);
  }

  /** Archives the learner: it stays, with HIDDEN: 1. */
  archive(id: string): Outcome<true> {
    const student = this.#t.students.get(id);
    if (!student) return fail(this.#t.students.notFound);
    student.HIDDEN = 1;
    student.updatedAt = this.#t.stamp();
    return ok(true);
  }

  /** The learner as the API shows it, GROUPS included; a copy. */
  view(student: StudentRecord): Student {
    const GROUPS = this.#t.groups
      .values()
      .filter((group) => group.STUDENTS.includes(student.ID))
      .map((group) => group.ID);
    return structuredClone({ ...student, GROUPS });
  }

  /** Make the learner a member of exactly these groups. */
  #setMemberships(studentId: string, groupIds: readonly string[]): void {
    const wanted = new Set(groupIds);
    for (const group of this.#t.groups.values()) {
      const member = group.STUDENTS.includes(studentId);
      if (wanted.has(group.ID) && !member) group.STUDENTS.push(studentId);
      else if (!wanted.has(group.ID) && member)
        group.STUDENTS = group.STUDENTS.filter((id) => id !== studentId);
    }
  }
}
