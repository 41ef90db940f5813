import { FieldReader, readPage } from './fields.ts';
import { fail, type IdPair, type Outcome, ok } from './outcome.ts';
import { pageOf } from './table.ts';
import { checkRefs, type SchoolTables } from './tables.ts';

/** Groups: the v1 rules of the Edusign API contract (edusign-api.md). */

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

/** Page size of the group listing (assumed). */
export const GROUPS_PAGE_SIZE = 100;

export class Groups {
  readonly #t: SchoolTables;

  constructor(tables: SchoolTables) {
    this.#t = tables;
  }

  create(input: Record<string, unknown> | undefined): Outcome<IdPair> {
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
    const refs = checkRefs(this.#t, {
      students: STUDENTS ?? [],
      groups: PARENT ? [PARENT] : [],
    });
    if (refs) return refs;
    const stamp = this.#t.stamp();
    const ID = this.#t.groups.insert((ID) => ({
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
    }));
    return ok({ ID, id: ID });
  }

  get(id: string): Outcome<Group> {
    const group = this.#t.groups.get(id);
    return group ? ok(structuredClone(group)) : fail(this.#t.groups.notFound);
  }

  idByApiId(apiId: string): Outcome<IdPair> {
    return this.#t.groups.idByApiId(apiId);
  }

  list(query: Record<string, unknown>): Outcome<Group[]> {
    const page = readPage(query.page);
    if (typeof page === 'string') return fail([page]);
    return ok(structuredClone(pageOf(this.#t.groups.values(), page, GROUPS_PAGE_SIZE)));
  }

  patch(input: Record<string, unknown> | undefined): Outcome<true> {
    const target = this.#t.groups.patchTarget(input);
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
    const refs = checkRefs(this.#t, {
      students: STUDENTS ?? [],
      groups: PARENT ? [PARENT] : [],
    });
    if (refs) return refs;
    if (NAME !== undefined) group.NAME = NAME;
    if (DESCRIPTION !== undefined) group.DESCRIPTION = DESCRIPTION;
    if (STUDENTS !== undefined) group.STUDENTS = STUDENTS;
    if (PARENT !== undefined) group.PARENT = PARENT;
    if (API_ID !== undefined) group.API_ID = API_ID;
    if (API_TYPE !== undefined) group.API_TYPE = API_TYPE;
    group.updatedAt = this.#t.stamp();
    return ok(true);
  }

  delete(id: string): Outcome<true> {
    if (!this.#t.groups.delete(id)) return fail(this.#t.groups.notFound);
    for (const group of this.#t.groups.values()) if (group.PARENT === id) group.PARENT = null;
    for (const course of this.#t.courses.values())
      course.SCHOOL_GROUP = course.SCHOOL_GROUP.filter((groupId) => groupId !== id);
    return ok(true);
  }
}
