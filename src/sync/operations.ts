import type { EntityKind } from '../domain/types.ts';
import type { MappingOrigin } from '../store/port.ts';
import type { Payload } from './payloads.ts';

/**
 * The plan's output: frozen, plain data with an `action`, performed later by
 * the executor (or printed by a dry run).
 */

interface OperationBase {
  readonly kind: EntityKind;
  readonly aurigaId: string;
  /** A plain sentence: why this operation. */
  readonly reason: string;
}

export interface CreateOperation extends OperationBase {
  readonly action: 'create';
  readonly payload: Payload;
}

export interface UpdateOperation extends OperationBase {
  readonly action: 'update';
  readonly edusignId: string;
  readonly payload: Payload;
  /** Names of the payload's fields that changed: only they are written. */
  readonly changes: readonly string[];
}

/** Take over a record that already exists on Edusign instead of duplicating it. */
export interface AdoptOperation extends OperationBase {
  readonly action: 'adopt';
  readonly edusignId: string;
  readonly origin: MappingOrigin;
  readonly matchedBy: 'api_id' | 'email';
  readonly payload: Payload;
  /** Fields to write after adopting (`apiId` when the external id must be set); may be empty. */
  readonly changes: readonly string[];
}

export interface DeleteOperation extends OperationBase {
  readonly action: 'delete';
  readonly edusignId: string;
}

export const HOLD_CAUSES = [
  'locked',
  'started',
  'mass_change_guard',
  'no_instructor',
  'unreadable_row',
] as const;
export type HoldCause = (typeof HOLD_CAUSES)[number];

/** Something we would write but must not: the report lists it and why. */
export interface HoldOperation extends OperationBase {
  readonly action: 'hold';
  readonly edusignId: string | null;
  readonly wanted: 'create' | 'update' | 'delete';
  readonly cause: HoldCause;
}

export type Operation =
  | CreateOperation
  | UpdateOperation
  | AdoptOperation
  | DeleteOperation
  | HoldOperation;
export type Action = Operation['action'];

/** The order kinds are written in: people and groups before the sheets that need their ids. */
export const KIND_ORDER: readonly EntityKind[] = ['learner', 'instructor', 'group', 'sheet'];

export const isWrite = (operation: Operation): boolean =>
  operation.action === 'create' ||
  operation.action === 'update' ||
  operation.action === 'delete' ||
  (operation.action === 'adopt' && operation.changes.length > 0);
