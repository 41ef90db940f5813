import type { Mapping, SyncWindow } from '../domain/types.ts';

/**
 * Which sheets a run removes (docs/rules.md §7), and the mass-change guard.
 *
 * A sheet is deleted on Edusign only when the sync created it, its start is
 * still ahead and inside the window, its intervention no longer appears, it
 * is not locked, and Auriga was read in full: a row Auriga returned but we
 * could not read, or a read that stopped before the last page, never causes
 * a deletion.
 */

export type RemovalVerdict =
  | 'delete'
  /** Signatures collected: never changed or deleted. */
  | 'locked'
  | 'started'
  /** Its Auriga row was returned but could not be read this run. */
  | 'unreadable_row'
  /** Auriga's answer stopped before its last page: what was not read is not gone. */
  | 'incomplete_read';

/** What Edusign says of a sheet: its current start and lock, when it lists it. */
export interface CourseFacts {
  readonly start: string;
  readonly locked: boolean;
}

/** A sheet the store maps, and its course when Edusign lists it. */
export interface MappedSheet {
  readonly mapping: Mapping;
  readonly course: CourseFacts | undefined;
}

export interface RemovalInput {
  readonly window: SyncWindow;
  /** The run's instant: sheets starting at or before it have started. */
  readonly now: string;
  /** The mapped sheets whose intervention was not read this run, in the store's order. */
  readonly unread: Iterable<MappedSheet>;
  /** How many of the mapped sheets whose intervention was read are managed (`isManaged`). */
  readonly managedRead: number;
  /** Intervention ids whose row came back unreadable. */
  readonly unreadable: ReadonlySet<string>;
  /** Whether Auriga's favorite was read to its last page. */
  readonly complete: boolean;
}

/** Managed: a sheet the sync created whose start (Edusign's, else the one we wrote) lies in the window. */
export const isManaged = (
  window: SyncWindow,
  mapping: Mapping,
  course: CourseFacts | undefined,
): boolean => managedStart(window, mapping, course) !== undefined;

/** A managed sheet's start; undefined for a sheet that is not managed. */
function managedStart(
  window: SyncWindow,
  mapping: Mapping,
  course: CourseFacts | undefined,
): string | undefined {
  if (mapping.kind !== 'sheet' || mapping.origin !== 'created') return undefined;
  const start = course?.start ?? mapping.courseStart;
  return start !== null && start >= window.from && start < window.to ? start : undefined;
}

export interface Removal {
  readonly mapping: Mapping;
  readonly verdict: RemovalVerdict;
}

export interface Removals {
  /** Sheets we created whose start lies in the window. */
  readonly managed: number;
  readonly removals: readonly Removal[];
}

/**
 * The managed sheets that were read stay; each managed one that was not gets
 * its verdict. Only the sheets not read are looked at one by one: a run that
 * reads every sheet it maps (the usual one) has nothing to weigh.
 */
export function removals(input: RemovalInput): Removals {
  let managed = input.managedRead;
  const out: Removal[] = [];
  for (const { mapping, course } of input.unread) {
    const start = managedStart(input.window, mapping, course);
    if (start === undefined) continue;
    managed += 1;
    const verdict: RemovalVerdict = input.unreadable.has(mapping.aurigaId)
      ? 'unreadable_row'
      : course?.locked
        ? 'locked'
        : start <= input.now
          ? 'started'
          : input.complete
            ? 'delete'
            : 'incomplete_read';
    out.push({ mapping, verdict });
  }
  return { managed, removals: out };
}

/** The guard's two thresholds, both configurable (options.maxDeleteShare, options.maxDeleteCount). */
export interface GuardThresholds {
  /** Deletions above this share of the managed sheets may be held. @default 0.1 */
  readonly maxDeleteShare: number;
  /** … and only when they are also more than this many sheets. @default 5 */
  readonly maxDeleteCount: number;
}

export interface GuardResult {
  readonly triggered: boolean;
  /** Sheets we created whose start lies in the window. */
  readonly managed: number;
  readonly deletions: number;
  readonly reason: string | null;
}

/**
 * Mass-change guard (after Clever's sync holds and Entra Connect's deletion
 * threshold): the deletions are held when a run would delete more than
 * `maxDeleteShare` of the sheets it manages in the window **and** more than
 * `maxDeleteCount` sheets (a small school cancelling two classes is no
 * accident), or when Auriga returns nothing where there was something.
 */
export function massChangeGuard(input: {
  readonly interventionsRead: number;
  readonly managed: number;
  readonly deletions: number;
  readonly thresholds: GuardThresholds;
}): GuardResult {
  const { managed, deletions, thresholds } = input;
  const confirm = 'the deletions are held until a person confirms (sync --confirm-deletions)';
  if (deletions === 0) return { triggered: false, managed, deletions, reason: null };
  if (input.interventionsRead === 0)
    return {
      triggered: true,
      managed,
      deletions,
      reason: `Auriga returned no intervention in the window where ${managed} sheet(s) were synced: ${confirm}.`,
    };
  if (deletions > thresholds.maxDeleteShare * managed && deletions > thresholds.maxDeleteCount)
    return {
      triggered: true,
      managed,
      deletions,
      reason: `This run would delete ${deletions} of the ${managed} sheets it manages in the window (more than ${Math.round(thresholds.maxDeleteShare * 100)}% and more than ${thresholds.maxDeleteCount} sheets): ${confirm}.`,
    };
  return { triggered: false, managed, deletions, reason: null };
}
