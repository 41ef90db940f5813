/**
 * Edusign v1 wire types (edusign-api.md): keys are UPPER_SNAKE as Edusign
 * writes them. Responses carry more fields than listed; only what the
 * connector reads is typed. IDs are strings (the client turns numeric IDs into
 * strings). Optional text fields may be `null` on writes: it clears them.
 */

/** A learner as listed on a course. */
export interface EdusignCourseStudent {
  readonly studentId: string;
  readonly state?: unknown;
  readonly [key: string]: unknown;
}

/** An attendance sheet as Edusign returns it. */
export interface EdusignCourse {
  readonly ID: string;
  readonly NAME: string;
  /** UTC ISO instant. */
  readonly START: string;
  /** UTC ISO instant. */
  readonly END: string;
  /** 1 once signatures are collected: the course refuses PATCH and DELETE. */
  readonly LOCKED?: number | boolean;
  readonly DESCRIPTION?: string | null;
  readonly CLASSROOM?: string | null;
  readonly SCHOOL_GROUP?: readonly string[] | string | null;
  /** First instructor; the others are `PROFESSOR_2`, `PROFESSOR_3`, … (see `courseProfessors`). */
  readonly PROFESSOR?: string | null;
  readonly [professorSlot: `PROFESSOR_${number}`]: string | null | undefined;
  readonly STUDENTS?: readonly EdusignCourseStudent[];
  readonly NEED_STUDENTS_SIGNATURE?: boolean | number;
  readonly API_ID?: string | null;
  readonly API_TYPE?: string | null;
}

/**
 * What we write on a course. All wire keys but one: `professors` lists the
 * instructors' Edusign IDs in order and the client expands it to `PROFESSOR`,
 * `PROFESSOR_2`, `PROFESSOR_3`…, so no caller juggles numbered keys (and an
 * update clears the slots past the end of the list: see `expandCourseFields`).
 */
export interface CourseFields {
  readonly NAME: string;
  /** UTC ISO instant with `Z`. */
  readonly START: string;
  /** UTC ISO instant with `Z`. */
  readonly END: string;
  /** Edusign IDs; the first is `PROFESSOR`, required on create. */
  readonly professors: readonly string[];
  readonly DESCRIPTION?: string | null;
  readonly CLASSROOM?: string | null;
  /** Edusign group IDs. */
  readonly SCHOOL_GROUP?: readonly string[];
  /** Edusign student IDs. */
  readonly STUDENTS?: readonly string[];
  readonly NEED_STUDENTS_SIGNATURE?: boolean;
  readonly MAX_STUDENTS?: number;
  readonly API_ID?: string;
  readonly API_TYPE?: string;
}

export interface EdusignStudent {
  readonly ID: string;
  readonly FIRSTNAME: string;
  readonly LASTNAME: string;
  readonly EMAIL: string;
  readonly API_ID?: string | null;
  readonly API_TYPE?: string | null;
  /** 1 when archived. */
  readonly HIDDEN?: number | boolean;
  readonly GROUPS?: readonly string[] | null;
}

export interface EdusignProfessor {
  readonly ID: string;
  readonly FIRSTNAME: string;
  readonly LASTNAME: string;
  readonly EMAIL: string;
  readonly API_ID?: string | null;
  readonly API_TYPE?: string | null;
}

/** A learner or an instructor, as written. */
export interface PersonFields {
  readonly FIRSTNAME: string;
  readonly LASTNAME: string;
  readonly EMAIL: string;
  readonly API_ID?: string;
  readonly API_TYPE?: string;
}

export interface EdusignGroup {
  readonly ID: string;
  readonly NAME: string;
  readonly DESCRIPTION?: string | null;
  /** Edusign student IDs. */
  readonly STUDENTS?: readonly string[] | null;
  readonly PARENT?: string | null;
  readonly API_ID?: string | null;
  readonly API_TYPE?: string | null;
}

export interface GroupFields {
  readonly NAME: string;
  readonly DESCRIPTION?: string | null;
  /** Edusign student IDs; on update the list replaces the whole membership. */
  readonly STUDENTS?: readonly string[];
  readonly PARENT?: string;
  readonly API_ID?: string;
  readonly API_TYPE?: string;
}

export interface EdusignAbsenceReason {
  readonly ID: string;
  readonly NAME: string;
}

/**
 * Slots an update clears when `professors` shrinks: the client cannot know how
 * many the course held, and Edusign keeps any slot a PATCH does not name.
 * Five covers any real sheet; a longer list clears one slot past its end.
 */
export const PROFESSOR_SLOTS_CLEARED = 5;

const professorKey = (index: number): string =>
  index === 0 ? 'PROFESSOR' : `PROFESSOR_${index + 1}`;

/**
 * Course fields on the wire: `professors` expanded into numbered keys. On an
 * update (`clearTrailing`), slots past the list are sent as `null` so that a
 * removed instructor leaves the sheet.
 */
export function expandCourseFields(
  fields: Partial<CourseFields>,
  clearTrailing: boolean,
): Record<string, unknown> {
  const { professors, ...rest } = fields;
  const wire: Record<string, unknown> = { ...rest };
  if (professors !== undefined) {
    professors.forEach((id, index) => {
      wire[professorKey(index)] = id;
    });
    if (clearTrailing) {
      const last = Math.max(PROFESSOR_SLOTS_CLEARED, professors.length + 1);
      for (let index = professors.length; index < last; index += 1)
        wire[professorKey(index)] = null;
    }
  }
  return wire;
}

/** A course's instructors in order: `PROFESSOR`, `PROFESSOR_2`, … (gaps skipped). */
export function courseProfessors(course: EdusignCourse): string[] {
  const slots: Array<[number, string]> = [];
  for (const [key, value] of Object.entries(course)) {
    if (typeof value !== 'string' || value === '') continue;
    if (key === 'PROFESSOR') slots.push([1, value]);
    else {
      const match = /^PROFESSOR_(\d+)$/.exec(key);
      if (match) slots.push([Number(match[1]), value]);
    }
  }
  return slots.sort((a, b) => a[0] - b[0]).map(([, id]) => id);
}

/** True when the course is locked (signatures collected). */
export const isCourseLocked = (course: EdusignCourse): boolean =>
  course.LOCKED === 1 || course.LOCKED === true;
