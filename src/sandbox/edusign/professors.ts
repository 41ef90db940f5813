import { FieldReader, readPage } from './fields.ts';
import { fail, type IdPair, type Outcome, ok } from './outcome.ts';
import { pageOf } from './table.ts';
import type { SchoolTables } from './tables.ts';

/** Professors (instructors): the v1 rules of the Edusign API contract (edusign-api.md). */

export interface Professor extends IdPair {
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
  API_ID: string | null;
  API_TYPE: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Edusign pages its instructor listing by 100. */
export const PROFESSORS_PAGE_SIZE = 100;

export const PROFESSOR_EXISTS = 'Professor already exists in this school';

export class Professors {
  readonly #t: SchoolTables;

  constructor(tables: SchoolTables) {
    this.#t = tables;
  }

  create(input: Record<string, unknown> | undefined): Outcome<IdPair> {
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
    if (this.withEmail(EMAIL)) return fail(PROFESSOR_EXISTS);
    const stamp = this.#t.stamp();
    const ID = this.#t.professors.insert((ID) => ({
      ID,
      id: ID,
      FIRSTNAME,
      LASTNAME,
      EMAIL,
      API_ID: API_ID ?? null,
      API_TYPE: API_TYPE ?? null,
      createdAt: stamp,
      updatedAt: stamp,
    }));
    return ok({ ID, id: ID });
  }

  get(id: string): Outcome<Professor> {
    const professor = this.#t.professors.get(id);
    return professor ? ok(structuredClone(professor)) : fail(this.#t.professors.notFound);
  }

  byEmail(email: string): Outcome<Professor> {
    const professor = this.withEmail(email);
    return professor ? ok(structuredClone(professor)) : fail(this.#t.professors.notFound);
  }

  idByApiId(apiId: string): Outcome<IdPair> {
    return this.#t.professors.idByApiId(apiId);
  }

  list(query: Record<string, unknown>): Outcome<Professor[]> {
    const page = readPage(query.page);
    if (typeof page === 'string') return fail([page]);
    return ok(structuredClone(pageOf(this.#t.professors.values(), page, PROFESSORS_PAGE_SIZE)));
  }

  patch(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = this.#t.professors.patchTarget(input);
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
      const holder = this.withEmail(EMAIL);
      if (holder && holder.ID !== ID) return fail(PROFESSOR_EXISTS);
    }
    if (FIRSTNAME !== undefined) professor.FIRSTNAME = FIRSTNAME;
    if (LASTNAME !== undefined) professor.LASTNAME = LASTNAME;
    if (EMAIL !== undefined) professor.EMAIL = EMAIL;
    if (API_ID !== undefined) professor.API_ID = API_ID;
    if (API_TYPE !== undefined) professor.API_TYPE = API_TYPE;
    professor.updatedAt = this.#t.stamp();
    return ok(true);
  }

  /** The instructor holding this email, whatever its case. */
  withEmail(email: string): Professor | undefined {
    const wanted = email.trim().toLowerCase();
    return this.#t.professors.values().find((p) => p.EMAIL.toLowerCase() === wanted);
  }
}
