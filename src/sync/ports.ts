import type { AurigaSnapshot } from '../domain/types.ts';

/**
 * What the sync core needs of the outside world, as small interfaces. The
 * Auriga reader and the Edusign client at the edges satisfy them; tests may
 * hand in their own.
 */

export interface AurigaSource {
  read(options?: { signal?: AbortSignal }): Promise<AurigaSnapshot>;
}

/** A course as listed by Edusign, reduced to what planning needs. */
export interface EdusignCourseView {
  readonly id: string;
  readonly apiId: string | null;
  readonly apiType: string | null;
  readonly start: string;
  readonly locked: boolean;
}

export interface EdusignPersonView {
  readonly id: string;
  readonly apiId: string | null;
  readonly apiType: string | null;
  readonly lastName: string;
  readonly firstName: string;
  readonly email: string;
  readonly hidden: boolean;
}

export interface EdusignGroupView {
  readonly id: string;
  readonly apiId: string | null;
  readonly apiType: string | null;
  readonly name: string;
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
