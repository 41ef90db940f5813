import { FieldReader } from '../fields.ts';
import type { SchoolTables } from '../tables.ts';
import { type Item, type ItemOutcome, itemError, match, unknownFields } from './batch.ts';

/**
 * v3 groups: `name`, `description`, and the parent named by its reference.
 * Membership is not a v3 field: it stays on v1 (`PATCH /v1/group`).
 */

const GROUP_FIELDS = new Set([
  'groupId',
  'externalReferenceId',
  'externalReferenceType',
  'name',
  'description',
  'parentExternalReferenceId',
]);

export function upsertGroup(t: SchoolTables, item: Item): ItemOutcome {
  const found = match(item, 'groupId', t.groups, 'GROUP');
  if (found.kind === 'error') return found.outcome;
  const record = found.kind === 'update' ? found.record : undefined;
  const unknown = unknownFields(item, GROUP_FIELDS);
  if (unknown.length > 0)
    return itemError('VALIDATION_ERROR', `unknown fields: ${unknown.join(', ')}`);
  const read = new FieldReader(item, record ? 'patch' : 'create');
  const NAME = read.required('name');
  const DESCRIPTION = read.optional('description');
  const API_TYPE = read.optional('externalReferenceType');
  const parentRef = read.optional('parentExternalReferenceId');
  if (read.errors.length > 0) return itemError('VALIDATION_ERROR', read.errors.join('; '));
  let PARENT: string | null | undefined;
  if (parentRef === null) PARENT = null;
  else if (parentRef !== undefined) {
    const parent = t.groups.byApiId(parentRef);
    if (!parent)
      return itemError('GROUP_NOT_FOUND', `no parent group with externalReferenceId ${parentRef}`);
    if (parent.ID === record?.ID)
      return itemError('VALIDATION_ERROR', 'a group cannot be its own parent');
    PARENT = parent.ID;
  }
  const stamp = t.stamp();
  if (record === undefined) {
    if (NAME === undefined) return itemError('VALIDATION_ERROR', 'name is required');
    const ID = t.groups.insert((ID) => ({
      ID,
      id: ID,
      NAME,
      DESCRIPTION: DESCRIPTION ?? null,
      STUDENTS: [],
      PARENT: PARENT ?? null,
      API_ID: typeof item.externalReferenceId === 'string' ? item.externalReferenceId : null,
      API_TYPE: API_TYPE ?? null,
      createdAt: stamp,
      updatedAt: stamp,
    }));
    return { status: 'success', id: ID };
  }
  if (NAME !== undefined) record.NAME = NAME;
  if (DESCRIPTION !== undefined) record.DESCRIPTION = DESCRIPTION;
  if (PARENT !== undefined) record.PARENT = PARENT;
  if (API_TYPE !== undefined) record.API_TYPE = API_TYPE;
  record.updatedAt = stamp;
  return { status: 'success', id: record.ID };
}
