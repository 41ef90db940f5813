import { API_TYPE } from '../../rules/ownership.ts';
import type {
  GroupPayload,
  PersonPayload,
  ResolvedPayload,
  SheetPayload,
} from '../../sync/ports.ts';
import type { CourseFields, GroupFields, PersonFields } from '../types.ts';

/**
 * Our payloads on Edusign's v1 wire (edusign-api.md, Routes): UPPER_SNAKE
 * fields, our external id as `API_ID` and our name as `API_TYPE`. The
 * payload's people and groups are already Edusign ids.
 */

export function sheetFields(sheet: SheetPayload, aurigaId: string): CourseFields {
  return {
    NAME: sheet.name,
    START: sheet.start,
    END: sheet.end,
    professors: sheet.instructors,
    DESCRIPTION: sheet.description,
    CLASSROOM: sheet.classroom,
    STUDENTS: sheet.learners,
    SCHOOL_GROUP: sheet.groups,
    NEED_STUDENTS_SIGNATURE: true,
    API_ID: aurigaId,
    API_TYPE,
  };
}

export function personFields(person: PersonPayload, aurigaId: string): PersonFields {
  return {
    LASTNAME: person.lastName,
    FIRSTNAME: person.firstName,
    EMAIL: person.email,
    API_ID: aurigaId,
    API_TYPE,
  };
}

export function groupFields(group: GroupPayload, aurigaId: string): GroupFields {
  return {
    NAME: group.name,
    DESCRIPTION: group.description,
    STUDENTS: group.learners,
    API_ID: aurigaId,
    API_TYPE,
  };
}

/** Which wire fields carry each payload field, so an update writes only what changed. */
export const WIRE_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  name: ['NAME'],
  description: ['DESCRIPTION'],
  classroom: ['CLASSROOM'],
  // Edusign checks END after START: both are sent when either moves.
  start: ['START', 'END'],
  end: ['START', 'END'],
  instructors: ['professors'],
  learners: ['STUDENTS'],
  groups: ['SCHOOL_GROUP'],
  lastName: ['LASTNAME'],
  firstName: ['FIRSTNAME'],
  email: ['EMAIL'],
  apiId: ['API_ID', 'API_TYPE'],
});

/** Only the wire fields that carry the named payload fields. */
export function pick<T extends object>(fields: T, changes: readonly string[]): Partial<T> {
  const keys = new Set(changes.flatMap((c) => WIRE_KEYS[c] ?? []));
  return Object.fromEntries(Object.entries(fields).filter(([k]) => keys.has(k))) as Partial<T>;
}

export type { ResolvedPayload };
