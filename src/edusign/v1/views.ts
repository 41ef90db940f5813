import { Roster } from '../../rules/drift.ts';
import type { EdusignCourseView, EdusignGroupView, EdusignPersonView } from '../../sync/ports.ts';
import {
  courseProfessors,
  type EdusignCourse,
  type EdusignGroup,
  type EdusignProfessor,
  type EdusignStudent,
  isCourseLocked,
} from '../types.ts';

/** Edusign's v1 records as the sync sees them, in our terms. */

export function courseView(c: EdusignCourse): EdusignCourseView {
  return {
    id: c.ID,
    apiId: c.API_ID ?? null,
    apiType: c.API_TYPE ?? null,
    start: normalizeInstant(c.START),
    locked: isCourseLocked(c),
    content: {
      name: c.NAME,
      description: c.DESCRIPTION ?? null,
      classroom: c.CLASSROOM ?? null,
      end: normalizeInstant(c.END),
      instructors: courseProfessors(c),
      learners: Roster.of((c.STUDENTS ?? []).map((s) => s.studentId)),
      groups: groupIds(c.SCHOOL_GROUP),
    },
  };
}

export function personView(p: EdusignStudent | EdusignProfessor): EdusignPersonView {
  return {
    id: p.ID,
    apiId: p.API_ID ?? null,
    apiType: p.API_TYPE ?? null,
    lastName: p.LASTNAME,
    firstName: p.FIRSTNAME,
    email: p.EMAIL ?? '',
    hidden: 'HIDDEN' in p && (p.HIDDEN === 1 || p.HIDDEN === true),
  };
}

export function groupView(g: EdusignGroup): EdusignGroupView {
  return {
    id: g.ID,
    apiId: g.API_ID ?? null,
    apiType: g.API_TYPE ?? null,
    name: g.NAME,
    description: g.DESCRIPTION ?? null,
    learners: [...(g.STUDENTS ?? [])],
  };
}

/** Edusign answers UTC with `Z`; read anything parseable into `toISOString()` shape. */
export function normalizeInstant(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

function groupIds(value: EdusignCourse['SCHOOL_GROUP']): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value !== '') return [value];
  return [];
}
