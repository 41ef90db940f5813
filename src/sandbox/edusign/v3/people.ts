import { FieldReader } from '../fields.ts';
import { PROFESSOR_EXISTS, type Professor } from '../professors.ts';
import type { StudentRecord } from '../students.ts';
import type { Table } from '../table.ts';
import type { SchoolTables } from '../tables.ts';
import {
  type EntityCode,
  type Item,
  type ItemOutcome,
  itemError,
  match,
  readIdList,
  unknownFields,
} from './batch.ts';

/**
 * v3 students and professors: camelCase fields onto the same records v1
 * reads (`externalReferenceId` is v1's `API_ID`, `externalReferenceType` its
 * `API_TYPE`). `phone`, `tags` and `speciality` are checked and accepted but
 * not kept: v1 shows no such field, and v3 has no read route.
 */

const PERSON_FIELDS = [
  'externalReferenceId',
  'externalReferenceType',
  'firstName',
  'lastName',
  'email',
  'phone',
];
const STUDENT_FIELDS = new Set([...PERSON_FIELDS, 'studentId', 'tags']);
const PROFESSOR_FIELDS = new Set([...PERSON_FIELDS, 'professorId', 'speciality']);

interface PersonFields {
  FIRSTNAME: string | undefined;
  LASTNAME: string | undefined;
  EMAIL: string | undefined;
  API_TYPE: string | null | undefined;
}

/** The person fields of an item, or the validation error. */
function readPerson(
  item: Item,
  mode: 'create' | 'patch',
  known: ReadonlySet<string>,
): PersonFields | ItemOutcome {
  const unknown = unknownFields(item, known);
  if (unknown.length > 0)
    return itemError('VALIDATION_ERROR', `unknown fields: ${unknown.join(', ')}`);
  const read = new FieldReader(item, mode);
  const fields = {
    FIRSTNAME: read.required('firstName'),
    LASTNAME: read.required('lastName'),
    EMAIL: mode === 'create' || read.named('email') ? read.email('email') : undefined,
    API_TYPE: read.optional('externalReferenceType'),
  };
  read.optional('phone');
  read.optional('speciality');
  if (item.tags !== undefined) readIdList(item, 'tags', read.errors);
  if (read.errors.length > 0) return itemError('VALIDATION_ERROR', read.errors.join('; '));
  return fields;
}

const isOutcome = (value: PersonFields | ItemOutcome): value is ItemOutcome => 'status' in value;

interface NewPerson {
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
  API_ID: string | null;
  API_TYPE: string | null;
}

interface PersonRecord {
  readonly ID: string;
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
  API_ID: string | null;
  API_TYPE: string | null;
  updatedAt: string;
}

function upsertPerson<T extends PersonRecord>(
  t: SchoolTables,
  item: Item,
  spec: {
    readonly idKey: string;
    readonly table: Table<T>;
    readonly entity: EntityCode;
    readonly known: ReadonlySet<string>;
    /** A reason to refuse the write, checked once the fields are read. */
    readonly refuse?: (fields: PersonFields, record: T | undefined) => ItemOutcome | undefined;
    readonly create: (ID: string, fields: NewPerson, stamp: string) => T;
  },
): ItemOutcome {
  const found = match(item, spec.idKey, spec.table, spec.entity);
  if (found.kind === 'error') return found.outcome;
  const record = found.kind === 'update' ? found.record : undefined;
  const fields = readPerson(item, record ? 'patch' : 'create', spec.known);
  if (isOutcome(fields)) return fields;
  const refused = spec.refuse?.(fields, record);
  if (refused) return refused;
  const stamp = t.stamp();
  if (record === undefined) {
    const { FIRSTNAME, LASTNAME, EMAIL } = fields;
    // Narrowed: on create the reader has refused a missing name or email.
    if (FIRSTNAME === undefined || LASTNAME === undefined || EMAIL === undefined)
      return itemError('VALIDATION_ERROR', 'firstName, lastName and email are required');
    const API_ID = typeof item.externalReferenceId === 'string' ? item.externalReferenceId : null;
    const API_TYPE = fields.API_TYPE ?? null;
    const ID = spec.table.insert((ID) =>
      spec.create(ID, { FIRSTNAME, LASTNAME, EMAIL, API_ID, API_TYPE }, stamp),
    );
    return { status: 'success', id: ID };
  }
  if (fields.FIRSTNAME !== undefined) record.FIRSTNAME = fields.FIRSTNAME;
  if (fields.LASTNAME !== undefined) record.LASTNAME = fields.LASTNAME;
  if (fields.EMAIL !== undefined) record.EMAIL = fields.EMAIL;
  if (fields.API_TYPE !== undefined) record.API_TYPE = fields.API_TYPE;
  record.updatedAt = stamp;
  return { status: 'success', id: record.ID };
}

export function upsertStudent(t: SchoolTables, item: Item): ItemOutcome {
  return upsertPerson<StudentRecord>(t, item, {
    idKey: 'studentId',
    table: t.students,
    entity: 'STUDENT',
    known: STUDENT_FIELDS,
    // Upserting a reference must not bring an archived learner back, nor make a second one.
    refuse: (_fields, record) =>
      record?.HIDDEN === 1 && item.studentId === undefined
        ? itemError(
            'ARCHIVED_STUDENT_EXISTS',
            `the learner ${record.ID} with externalReferenceId ${String(item.externalReferenceId)} is archived`,
          )
        : undefined,
    create: (ID, f, stamp) => ({
      ID,
      id: ID,
      ...f,
      HIDDEN: 0,
      createdAt: stamp,
      updatedAt: stamp,
    }),
  });
}

export function upsertProfessor(t: SchoolTables, item: Item): ItemOutcome {
  return upsertPerson<Professor>(t, item, {
    idKey: 'professorId',
    table: t.professors,
    entity: 'PROFESSOR',
    known: PROFESSOR_FIELDS,
    // As on v1: one instructor per email in a school.
    refuse: (fields, record) => {
      if (fields.EMAIL === undefined) return undefined;
      const wanted = fields.EMAIL.toLowerCase();
      const holder = t.professors.values().find((p) => p.EMAIL.toLowerCase() === wanted);
      if (holder === undefined || holder.ID === record?.ID) return undefined;
      return itemError(record ? 'UPDATE_FAILED' : 'CREATE_FAILED', PROFESSOR_EXISTS);
    },
    create: (ID, f, stamp) => ({ ID, id: ID, ...f, createdAt: stamp, updatedAt: stamp }),
  });
}
