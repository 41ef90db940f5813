import type { Course } from './courses.ts';
import type { Group } from './groups.ts';
import { fail, type Outcome } from './outcome.ts';
import type { Professor } from './professors.ts';
import type { StudentRecord } from './students.ts';
import { IdMint, Table } from './table.ts';

/** One account's tables and clock, shared by the entities that refer to each other. */
export interface SchoolTables {
  readonly courses: Table<Course>;
  readonly students: Table<StudentRecord>;
  readonly professors: Table<Professor>;
  readonly groups: Table<Group>;
  /** Now, as the UTC ISO text of createdAt/updatedAt. */
  stamp(): string;
  now(): Date;
}

/** `mint` is shared by the accounts of one sandbox, so that ids are unique across them, as on Edusign. */
export function newTables(now: () => Date, mint: IdMint = new IdMint(now)): SchoolTables {
  return {
    courses: new Table<Course>(mint, 'course'),
    students: new Table<StudentRecord>(mint, 'student'),
    professors: new Table<Professor>(mint, 'professor'),
    groups: new Table<Group>(mint, 'group'),
    stamp: () => now().toISOString(),
    now,
  };
}

/** A business error naming the first unknown id, or undefined when all exist. */
export function checkRefs(
  tables: SchoolTables,
  refs: {
    professors?: readonly string[];
    students?: readonly string[];
    groups?: readonly string[];
  },
): Outcome<never> | undefined {
  for (const id of refs.professors ?? [])
    if (!tables.professors.has(id)) return fail(`Professor not found: ${id}`);
  for (const id of refs.students ?? [])
    if (!tables.students.has(id)) return fail(`Student not found: ${id}`);
  for (const id of refs.groups ?? [])
    if (!tables.groups.has(id)) return fail(`Group not found: ${id}`);
  return undefined;
}
