/**
 * Which Edusign records are ours (docs/rules.md §4). We mark everything we
 * create with the intervention's, person's or group's Auriga id as `API_ID`
 * and our name as `API_TYPE`. Edusign does not enforce `API_ID` uniqueness,
 * and another tool on the same account may use the same numbers: a record is
 * ours only when both match, and another tool's record is never adopted,
 * changed or deleted.
 */

/** The name we give to everything we create on Edusign (`API_TYPE`). */
export const API_TYPE = 'auriga-edusign';

/** What ownership is told from: a record's external id and type as Edusign holds them. */
export interface ExternalRef {
  readonly apiId: string | null;
  readonly apiType: string | null;
}

/** The record carries our mark for this Auriga id. */
export const isOurs = (record: ExternalRef, aurigaId: string): boolean =>
  record.apiId === aurigaId && record.apiType === API_TYPE;

/** The record carries no external id at all: made by hand, free to adopt (docs/rules.md §5). */
export const hasNoExternalId = (record: ExternalRef): boolean =>
  (record.apiId === null || record.apiId.trim() === '') &&
  (record.apiType === null || record.apiType.trim() === '');
