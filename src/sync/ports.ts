import type { AurigaSnapshot, EntityKind } from '../domain/types.ts';
import type { HeldSheet } from '../rules/drift.ts';
import type { ListedPerson } from '../rules/identity.ts';
import type { ExternalRef } from '../rules/ownership.ts';
import type { GroupPayload, Payload, PersonPayload, SheetPayload } from '../rules/payloads.ts';

/**
 * What the sync needs of the outside world, in our own terms: small
 * interfaces the edges satisfy (the Auriga reader; `src/edusign/v1`, and the
 * v3 batch path beside it). Nothing here knows Edusign's wire format.
 */

export interface AurigaSource {
  read(options?: { signal?: AbortSignal }): Promise<AurigaSnapshot>;
}

/** A course as Edusign holds it, in our terms. */
export interface EdusignCourseView extends ExternalRef {
  readonly id: string;
  /** UTC ISO instant. */
  readonly start: string;
  readonly locked: boolean;
  /**
   * What the course holds, when the listing gave it: lets an adoption write
   * only what differs, and a run set back what was changed by hand.
   */
  readonly content?: HeldSheet['content'];
}

export type EdusignPersonView = ListedPerson;

export interface EdusignGroupView extends ExternalRef {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  /** Edusign ids of the members, when listed. */
  readonly learners?: readonly string[];
}

/** What Edusign holds, as far as a run needs to know. */
export interface EdusignView {
  /** Courses whose start lies around the window (a day of margin each side). */
  readonly courses: readonly EdusignCourseView[];
  /** Listed only when some learner is not in the store yet; else undefined. */
  readonly students: readonly EdusignPersonView[] | undefined;
  readonly professors: readonly EdusignPersonView[] | undefined;
  readonly groups: readonly EdusignGroupView[] | undefined;
}

export interface LookQuery {
  /** Local days of the window, `YYYY-MM-DD`: courses are listed a day around them. */
  readonly firstDay: string;
  readonly lastDay: string;
  readonly students: boolean;
  readonly professors: boolean;
  readonly groups: boolean;
}

/**
 * A payload ready to send: its people and groups are Edusign ids (the
 * executor resolved them), in the order the payload gave.
 */
export type ResolvedPayload = Payload;
export type { GroupPayload, PersonPayload, SheetPayload };

/** One write, in our terms. */
export type WriteRequest =
  | {
      readonly action: 'create';
      readonly kind: EntityKind;
      readonly aurigaId: string;
      readonly payload: ResolvedPayload;
    }
  | {
      readonly action: 'update';
      readonly kind: EntityKind;
      readonly aurigaId: string;
      readonly edusignId: string;
      readonly payload: ResolvedPayload;
      /** Payload fields to write; the others are left as they are. `apiId` sets our external id. */
      readonly changes: readonly string[];
    }
  | {
      readonly action: 'delete';
      readonly kind: 'sheet';
      readonly aurigaId: string;
      readonly edusignId: string;
    };

/** How one write ended: per-record failures are values, not exceptions. */
export type WriteOutcome =
  | { readonly ok: true; readonly edusignId: string }
  | {
      readonly ok: false;
      /**
       * `locked`: signatures were collected meanwhile; `not_found`: the record
       * is gone; `outcome_unknown`: a create whose answer was lost (look it up
       * by external id before creating again); `refused`: anything else.
       */
      readonly reason: 'locked' | 'not_found' | 'outcome_unknown' | 'refused';
      readonly code: string;
      readonly message: string;
    };

export interface EdusignPort {
  /**
   * How many writes one `write` call may carry: 1 for v1 (a request each),
   * up to 1,000 for v3's batch routes. The executor journals a whole batch
   * before sending it.
   */
  readonly maxBatch: number;
  look(query: LookQuery, signal?: AbortSignal): Promise<EdusignView>;
  /** One outcome per request, in order. Throws only when the run must stop (aborted). */
  write(requests: readonly WriteRequest[], signal?: AbortSignal): Promise<WriteOutcome[]>;
  /** The Edusign id of our record for this Auriga id (our external id and type), if any. */
  findByExternalId(
    kind: EntityKind,
    aurigaId: string,
    signal?: AbortSignal,
  ): Promise<string | undefined>;
  /** A course by its Edusign id; undefined when Edusign no longer has it. */
  getCourse(edusignId: string, signal?: AbortSignal): Promise<EdusignCourseView | undefined>;
}
