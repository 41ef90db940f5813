import type { EntityKind, MappingOrigin } from '../domain/types.ts';
import type { Payload } from '../rules/payloads.ts';

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
  /**
   * Set when the record was ours and vanished from Edusign (deleted by hand):
   * the Edusign id it had. Auriga is the source of truth, so it is created again.
   */
  readonly replaces?: string;
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
  /** A started or locked sheet taken over as it is: nothing of it is ever written. */
  readonly frozen?: boolean;
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
  'incomplete_read',
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

const KIND_WORD: Record<EntityKind, string> = {
  sheet: 'sheet',
  learner: 'learner',
  instructor: 'instructor',
  group: 'group',
};

const HOLD_WORDS: Record<HoldCause, string> = {
  locked: 'it is locked on Edusign (signatures collected)',
  started: 'it has already started',
  mass_change_guard: 'the mass-change guard holds deletions until a person confirms',
  no_instructor: 'the intervention has no usable instructor, which Edusign requires',
  unreadable_row: 'its Auriga row could not be read this run (see the problems)',
  incomplete_read:
    'Auriga stopped answering before the last page of the favorite, so its absence proves nothing',
};

export function hold(
  kind: EntityKind,
  aurigaId: string,
  edusignId: string | null,
  wanted: 'create' | 'update' | 'delete',
  cause: HoldCause,
): HoldOperation {
  const verb = wanted === 'delete' ? 'deleted' : wanted === 'update' ? 'updated' : 'created';
  return {
    action: 'hold',
    kind,
    aurigaId,
    edusignId,
    wanted,
    cause,
    reason: `The ${KIND_WORD[kind]} of ${aurigaId} should be ${verb} but is left as it is: ${HOLD_WORDS[cause]}.`,
  };
}
