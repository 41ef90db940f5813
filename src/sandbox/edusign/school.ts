import {
  type AbsenceReason,
  Absences,
  JUSTIFIED_ABSENCES_PAGE_SIZE,
  type JustifiedAbsence,
} from './absences.ts';
import { COURSES_PAGE_SIZE, type Course, Courses } from './courses.ts';
import { GROUPS_PAGE_SIZE, type Group, Groups } from './groups.ts';
import { PROFESSORS_PAGE_SIZE, type Professor, Professors } from './professors.ts';
import { STUDENTS_PAGE_SIZE, type Student, Students } from './students.ts';
import { IdMint } from './table.ts';
import { newTables, type SchoolTables } from './tables.ts';

/**
 * One Edusign school account held in memory: its tables and, one file each,
 * the rules the v1 API applies to its entities (courses.ts, students.ts,
 * professors.ts, groups.ts, absences.ts). Every operation returns an Outcome
 * (outcome.ts), the sandbox's image of Edusign's envelope.
 */

export type { AbsenceReason, JustifiedAbsence } from './absences.ts';
export { DEFAULT_ABSENCE_REASONS } from './absences.ts';
export type { Course, CourseStudent } from './courses.ts';
export { MAX_LISTING_DAYS } from './courses.ts';
export type { Group } from './groups.ts';
export type { IdPair, Outcome } from './outcome.ts';
export type { Professor } from './professors.ts';
export type { Student } from './students.ts';

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
  courses: COURSES_PAGE_SIZE,
  professors: PROFESSORS_PAGE_SIZE,
  groups: GROUPS_PAGE_SIZE,
  studentsDefault: STUDENTS_PAGE_SIZE.default,
  studentsMax: STUDENTS_PAGE_SIZE.max,
  justifiedAbsences: JUSTIFIED_ABSENCES_PAGE_SIZE,
});

export class EdusignSchool {
  readonly tables: SchoolTables;
  readonly courses: Courses;
  readonly students: Students;
  readonly professors: Professors;
  readonly groups: Groups;
  readonly absences: Absences;

  constructor(
    options: { now?: () => Date; absenceReasons?: readonly AbsenceReason[]; mint?: IdMint } = {},
  ) {
    const now = options.now ?? (() => new Date());
    this.tables = newTables(now, options.mint ?? new IdMint(now));
    this.courses = new Courses(this.tables);
    this.students = new Students(this.tables);
    this.professors = new Professors(this.tables);
    this.groups = new Groups(this.tables);
    this.absences = new Absences(options.absenceReasons);
  }

  /** A deep copy of the account's data. */
  state(): EdusignState {
    return structuredClone({
      courses: this.tables.courses.values(),
      students: this.tables.students.values().map((s) => this.students.view(s)),
      professors: this.tables.professors.values(),
      groups: this.tables.groups.values(),
      absenceReasons: this.absences.reasons,
      justifiedAbsences: this.absences.justified,
    });
  }
}
