import type { EntityKind } from '../../domain/types.ts';
import { API_TYPE } from '../../rules/ownership.ts';
import type {
  GroupPayload,
  PersonPayload,
  ResolvedPayload,
  SheetPayload,
} from '../../sync/ports.ts';
import type { V3Entity } from './client.ts';

/**
 * Our payloads on Edusign's v3 wire (edusign-api.md, "v3 batch API"):
 * camelCase fields. A create carries our external reference
 * (`externalReferenceId` = the Auriga id, `externalReferenceType` = our
 * name), which makes it an upsert: sent twice, it finds the record the first
 * one made. An update names the record by its Edusign id (a strict update:
 * `*_NOT_FOUND` when it is gone) and, as on v1, carries only the fields that
 * changed. The payload's people and groups are already Edusign ids.
 */

export const ENTITY: Readonly<Record<EntityKind, V3Entity>> = Object.freeze({
  learner: 'students',
  instructor: 'professors',
  group: 'groups',
  sheet: 'courses',
});

/** The item's own Edusign id key, and the code prefix of its errors. */
export const ID_KEY: Readonly<Record<EntityKind, string>> = Object.freeze({
  learner: 'studentId',
  instructor: 'professorId',
  group: 'groupId',
  sheet: 'courseId',
});
export const ERROR_ENTITY: Readonly<Record<EntityKind, string>> = Object.freeze({
  learner: 'STUDENT',
  instructor: 'PROFESSOR',
  group: 'GROUP',
  sheet: 'COURSE',
});

/** Which v3 fields carry each payload field, so an update writes only what changed. */
const V3_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  name: ['name'],
  description: ['description'],
  classroom: ['classroom'],
  // Edusign checks the end after the start: both are sent when either moves.
  start: ['startDateTime', 'endDateTime'],
  end: ['startDateTime', 'endDateTime'],
  instructors: ['professorIds'],
  // The whole roster: v3 replaces it (keeping learners of a past or locked
  // course, and those still in an attached group).
  learners: ['studentIds'],
  groups: ['groupIds'],
  lastName: ['lastName'],
  firstName: ['firstName'],
  email: ['email'],
});

/** Every v3 field of a payload, as a create sends it. */
export function fieldsOf(kind: EntityKind, payload: ResolvedPayload): Record<string, unknown> {
  switch (kind) {
    case 'sheet': {
      const sheet = payload as SheetPayload;
      return {
        name: sheet.name,
        startDateTime: sheet.start,
        endDateTime: sheet.end,
        description: sheet.description,
        classroom: sheet.classroom,
        professorIds: [...sheet.instructors],
        studentIds: [...sheet.learners],
        groupIds: [...sheet.groups],
        needStudentsSignature: true,
      };
    }
    case 'group': {
      // Membership is not a v3 field: it is written on v1 (see port.ts).
      const group = payload as GroupPayload;
      return { name: group.name, description: group.description };
    }
    default: {
      const person = payload as PersonPayload;
      return { firstName: person.firstName, lastName: person.lastName, email: person.email };
    }
  }
}

export function createItem(
  kind: EntityKind,
  aurigaId: string,
  payload: ResolvedPayload,
): Record<string, unknown> {
  return {
    externalReferenceId: aurigaId,
    externalReferenceType: API_TYPE,
    ...fieldsOf(kind, payload),
  };
}

/** A strict update by Edusign id, of the changed fields only; undefined when none is a v3 field. */
export function updateItem(
  kind: EntityKind,
  edusignId: string,
  payload: ResolvedPayload,
  changes: readonly string[],
): Record<string, unknown> | undefined {
  const keys = new Set(changes.flatMap((c) => V3_KEYS[c] ?? []));
  const fields = Object.entries(fieldsOf(kind, payload)).filter(([k]) => keys.has(k));
  if (fields.length === 0) return undefined;
  return { [ID_KEY[kind]]: edusignId, ...Object.fromEntries(fields) };
}
