/**
 * The domain: what the connector knows of a school once Auriga's rows are
 * parsed. Pure data, shared by the reader, the planner and the reports.
 * Instants are UTC ISO strings as `Date#toISOString()` writes them.
 */

export type PersonKind = 'learner' | 'instructor';
export type EntityKind = 'sheet' | PersonKind | 'group';

export interface Person {
  readonly kind: PersonKind;
  /** Auriga id of the person. */
  readonly id: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly email: string;
}

export interface Intervention {
  /** Auriga intervention ID: the sheet's external id on Edusign. */
  readonly id: string;
  /** UTC ISO instant. */
  readonly start: string;
  /** UTC ISO instant, after `start`. */
  readonly end: string;
  /** `Activity Type.Label` resolved to the school's language. */
  readonly activityType: string | undefined;
  /** `Educational Unit.Label` resolved to the school's language. */
  readonly educationalUnit: string | undefined;
  /** `Session (Description)`. */
  readonly description: string | undefined;
  readonly resourceLabel: string | undefined;
  readonly resourceCode: string | undefined;
  /** Auriga ids of the learners listed, in order, deduplicated, only those complete enough to exist on Edusign. */
  readonly learners: readonly string[];
  /** Auriga ids of the instructors listed, in order, deduplicated, only usable ones. */
  readonly instructors: readonly string[];
  /** Auriga group ids listed, in order, deduplicated. */
  readonly groups: readonly string[];
}

export interface Group {
  readonly id: string;
  /** `Label` resolved to the school's language: the group's name on Edusign. */
  readonly name: string;
  readonly code: string | undefined;
  /** Auriga learner ids. */
  readonly learners: readonly string[];
}

/** Which favorite a problem was found in. */
export type Favorite = 'interventions' | 'groups';

/**
 * Something a school admin should fix in Auriga (or know about). Problems are
 * values in the run's report, never exceptions: one bad row never stops the others.
 */
export interface Problem {
  /** Stable machine code, e.g. `person.missing_email`, `row.end_before_start`. */
  readonly code: string;
  /** What the problem concerns. */
  readonly kind: EntityKind;
  /** The Auriga id of the record concerned (person id, intervention id, group id). */
  readonly aurigaId: string;
  /** The favorite row it was found on. */
  readonly row?: { readonly favorite: Favorite; readonly id: string } | undefined;
  /** A plain sentence saying what is wrong and what to do. */
  readonly message: string;
}

/** The sliding window of a run, `[from, to)` as UTC instants, computed in `timeZone`. */
export interface SyncWindow {
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  /** The school's local dates, `YYYY-MM-DD`, of the window's first and last day. */
  readonly firstDay: string;
  readonly lastDay: string;
}

/** Everything read from Auriga for one run. */
export interface AurigaSnapshot {
  readonly window: SyncWindow;
  /** Interventions whose Start lies in the window, parsed and valid. */
  readonly interventions: readonly Intervention[];
  /** Learners and instructors listed by those interventions, keyed by Auriga id. */
  readonly learners: ReadonlyMap<string, Person>;
  readonly instructors: ReadonlyMap<string, Person>;
  /** Groups read from the Groups favorite; undefined when none is configured. */
  readonly groups: readonly Group[] | undefined;
  readonly problems: readonly Problem[];
  /** Rows read from each favorite, before filtering by the window. */
  readonly rowsRead: { readonly interventions: number; readonly groups: number };
  /**
   * Whether the Interventions favorite was read to its last page. A read that
   * stopped early (an empty page before `totalPages`, the page cap) is
   * incomplete: what was read is synced, nothing is deleted on it.
   * @default complete
   */
  readonly completeness?: ReadCompleteness | undefined;
}

export interface ReadCompleteness {
  readonly complete: boolean;
  readonly pagesRead: number;
  /** As Auriga gave it; undefined when it gave none. */
  readonly totalPages: number | undefined;
}

/** How an Edusign record came to be ours. Only `created` sheets may ever be deleted (docs/rules.md §7). */
export type MappingOrigin = 'created' | 'adopted';

/** Auriga id → Edusign id for one kind, with what we last wrote. */
export interface Mapping {
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly edusignId: string;
  /** Fingerprint of the fields we last wrote (or found, when adopting): unchanged data writes nothing. */
  readonly fingerprint: string;
  readonly origin: MappingOrigin;
  /** Sheets: the course's start as last written (UTC ISO); null for other kinds. */
  readonly courseStart: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A write in flight. Journaled before the request is sent and ended after its
 * answer is recorded; an entry still pending at the next run means the answer
 * was lost (crash, timeout, dropped connection) and must be resolved on
 * Edusign (by external id) before anything is created again.
 */
export interface JournalEntry {
  readonly id: string;
  readonly runId: string;
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly action: 'create' | 'update' | 'delete';
  /** The fingerprint of what was being written. */
  readonly fingerprint: string;
  readonly startedAt: string;
}
