import type { AurigaSnapshot } from '../domain/types.ts';
import type {
  CourseFields,
  EdusignCourse,
  EdusignGroup,
  EdusignProfessor,
  EdusignStudent,
  GroupFields,
  PersonFields,
} from '../edusign/types.ts';

/**
 * What the sync core needs of the outside world, as small interfaces. The
 * Auriga reader and the Edusign client at the edges satisfy them; tests may
 * hand in their own.
 */

export interface AurigaSource {
  read(options?: { signal?: AbortSignal }): Promise<AurigaSnapshot>;
}

/** A course as listed by Edusign, reduced to what planning needs. */
export interface EdusignCourseView {
  readonly id: string;
  readonly apiId: string | null;
  readonly apiType: string | null;
  readonly start: string;
  readonly locked: boolean;
}

export interface EdusignPersonView {
  readonly id: string;
  readonly apiId: string | null;
  readonly apiType: string | null;
  readonly lastName: string;
  readonly firstName: string;
  readonly email: string;
  readonly hidden: boolean;
}

export interface EdusignGroupView {
  readonly id: string;
  readonly apiId: string | null;
  readonly apiType: string | null;
  readonly name: string;
}

/** What Edusign holds, as far as a run needs to know. */
export interface EdusignView {
  /** Courses whose start lies around the window (a day of margin each side). */
  readonly courses: readonly EdusignCourseView[];
  /** Listed only when some learner is not in the store yet; else undefined. */
  readonly students: readonly EdusignPersonView[] | undefined;
  readonly professors: readonly EdusignPersonView[] | undefined;
  readonly groups: readonly EdusignGroupView[] | undefined;
}

/**
 * The Edusign calls a run makes, in the wire's terms. `src/edusign/client.ts`
 * implements it; `find*` answer undefined when Edusign has no such record.
 */
export interface EdusignPort {
  listCourses(query: { start: string; end: string }): Promise<readonly EdusignCourse[]>;
  listStudents(): Promise<readonly EdusignStudent[]>;
  listProfessors(): Promise<readonly EdusignProfessor[]>;
  listGroups(): Promise<readonly EdusignGroup[]>;

  getCourse(id: string): Promise<EdusignCourse>;
  createCourse(fields: CourseFields): Promise<string>;
  updateCourse(id: string, fields: Partial<CourseFields>): Promise<void>;
  deleteCourse(id: string): Promise<void>;
  findCourseIdByApiId(apiId: string): Promise<string | undefined>;

  createStudent(fields: PersonFields): Promise<string>;
  updateStudent(id: string, fields: Partial<PersonFields>): Promise<void>;
  findStudentIdByApiId(apiId: string): Promise<string | undefined>;

  createProfessor(fields: PersonFields): Promise<string>;
  updateProfessor(id: string, fields: Partial<PersonFields>): Promise<void>;
  findProfessorIdByApiId(apiId: string): Promise<string | undefined>;

  createGroup(fields: GroupFields): Promise<string>;
  updateGroup(id: string, fields: Partial<GroupFields>): Promise<void>;
  findGroupIdByApiId(apiId: string): Promise<string | undefined>;
}
