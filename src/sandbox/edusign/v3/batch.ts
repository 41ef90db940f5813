import type { Row, Table } from '../table.ts';

/**
 * What the four v3 batch-upsert routes share: the per-item answer, the
 * error codes, the matching of an item to a record, and the request-wide
 * duplicate check ("v3 batch API" in the Edusign API contract (edusign-api.md)).
 */

/** At most this many items in one batch; at least one. */
export const MAX_BATCH_ITEMS = 1000;

export type V3Entity = 'students' | 'professors' | 'groups' | 'courses';

/** The error codes an item can carry. `*_NOT_FOUND` and `AMBIGUOUS_*` exist per entity. */
export type V3ErrorCode =
  | 'VALIDATION_ERROR'
  | 'DUPLICATE_IN_REQUEST'
  | 'ARCHIVED_STUDENT_EXISTS'
  | 'INVALID_DATE_RANGE'
  | 'MAX_STUDENTS_EXCEEDED'
  | 'CREATE_FAILED'
  | 'UPDATE_FAILED'
  | `${EntityCode}_NOT_FOUND`
  | `AMBIGUOUS_${EntityCode}_IDENTIFIER`;

export type EntityCode = 'STUDENT' | 'PROFESSOR' | 'GROUP' | 'COURSE';

export type ItemOutcome =
  | { readonly status: 'success'; readonly id: string }
  | { readonly status: 'error'; readonly code: V3ErrorCode; readonly message: string };

export type ItemResult = { readonly inputIndex: number } & ItemOutcome;

export const itemError = (code: V3ErrorCode, message: string): ItemOutcome => ({
  status: 'error',
  code,
  message,
});

export type Item = Readonly<Record<string, unknown>>;

/** The record an item names, or that it creates one, or why it can do neither. */
export type Match<T> =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly record: T }
  | { readonly kind: 'error'; readonly outcome: ItemOutcome };

/**
 * Matching, per item: `externalReferenceId` alone → the record with that
 * reference (first created: v1 does not make `API_ID` unique), else a new
 * one; the Edusign id alone → that record, strictly; neither → a new one;
 * both → ambiguous. The reference alone is compared, not its type.
 */
export function match<T extends Row>(
  item: Item,
  idKey: string,
  table: Table<T>,
  entity: EntityCode,
): Match<T> {
  const id = item[idKey];
  const ref = item.externalReferenceId;
  const bad = [
    ...(id !== undefined && !isText(id) ? [`${idKey} must be a non-empty string`] : []),
    ...(ref !== undefined && !isText(ref)
      ? ['externalReferenceId must be a non-empty string']
      : []),
  ];
  if (bad.length > 0)
    return { kind: 'error', outcome: itemError('VALIDATION_ERROR', bad.join('; ')) };
  if (isText(id) && isText(ref))
    return {
      kind: 'error',
      outcome: itemError(
        `AMBIGUOUS_${entity}_IDENTIFIER`,
        `give ${idKey} or externalReferenceId, not both`,
      ),
    };
  if (isText(id)) {
    const record = table.get(id);
    return record
      ? { kind: 'update', record }
      : { kind: 'error', outcome: itemError(`${entity}_NOT_FOUND`, `no ${noun(entity)} ${id}`) };
  }
  if (isText(ref)) {
    const record = table.byApiId(ref);
    return record ? { kind: 'update', record } : { kind: 'create' };
  }
  return { kind: 'create' };
}

/**
 * The items that name the same record as another item of the request (the
 * same externalReferenceId, or the same Edusign id): all of them are refused,
 * none applied, as which one should win is not the sandbox's to guess.
 */
export function duplicatesIn(items: readonly unknown[], idKey: string): Set<number> {
  const seen = new Map<string, number[]>();
  items.forEach((item, index) => {
    if (typeof item !== 'object' || item === null) return;
    const record = item as Item;
    for (const [kind, value] of [
      ['ref', record.externalReferenceId],
      ['id', record[idKey]],
    ] as const) {
      if (!isText(value)) continue;
      const key = `${kind}\u0000${value}`;
      seen.set(key, [...(seen.get(key) ?? []), index]);
    }
  });
  return new Set([...seen.values()].filter((at) => at.length > 1).flat());
}

/** Fields the item names that the entity does not have: refused, so a typo is not silently lost. */
export function unknownFields(item: Item, known: ReadonlySet<string>): string[] {
  return Object.keys(item).filter((key) => !known.has(key));
}

export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function noun(entity: EntityCode): string {
  return entity.toLowerCase();
}

/** A list of non-empty strings, or a message; undefined when not named. */
export function readIdList(item: Item, key: string, errors: string[]): string[] | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every(isText)) {
    errors.push(`${key} must be an array of non-empty strings`);
    return undefined;
  }
  return [...new Set(value as string[])];
}
