/**
 * A generated school: what an Auriga instance holds, before it is rendered as
 * favorite rows. Mutable on purpose: the Auriga sandbox's control methods
 * edit it in place (move, cancel, rename) between two reads.
 */

/** `YYYY-MM-DDTHH:mm:ss`, a wall-clock time in the school's zone (as Auriga's favorites show it). */
export type LocalDateTime = string;

/** A multilingual Auriga label; either language may be missing. */
export interface MultiLabel {
  readonly fr?: string;
  readonly en?: string;
}

export interface SchoolPerson {
  /** Auriga id, 5 to 8 digits. */
  id: string;
  lastName: string;
  firstName: string;
  /** Lowercase ASCII; `''` when Auriga has none (the connector must not create such a person). */
  email: string;
}

/**
 * Ways a row is made malformed, each one a problem the connector must report
 * rather than crash on:
 * - `missing_email`: the `Learner(s)` cell lists a learner without email (`123/DOE/John/`).
 * - `broken_person`: a people cell carries an entry that is not `id/LAST/First/email` (`123/DOE`, `garbage`).
 * - `end_before_start`: the `End` cell is before `Start`.
 * - `bad_label_json`: a label cell is truncated JSON (`{"fr": "Broken`).
 */
export const MALFORMED_KINDS = [
  'missing_email',
  'broken_person',
  'end_before_start',
  'bad_label_json',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface SchoolIntervention {
  /** Auriga intervention id, 6 digits. */
  id: string;
  start: LocalDateTime;
  end: LocalDateTime;
  activityType: MultiLabel | null;
  educationalUnit: MultiLabel | null;
  /** `Session (Description)`; may be `''`. */
  description: string;
  /** `''` when none. */
  resourceLabel: string;
  /** `''` when none. */
  resourceCode: string;
  /** Auriga learner ids. */
  learners: string[];
  /** Auriga instructor ids. */
  instructors: string[];
  /** Auriga group ids. */
  groups: string[];
  /** Malformed rows: cells rendered verbatim instead of from the fields above, keyed by column label (e.g. 'Learner(s)', 'End', 'Educational Unit.Label'). */
  raw?: Partial<Record<string, string>>;
  /** Set on malformed rows: which kind of damage `raw` carries. */
  malformed?: MalformedKind;
}

export interface SchoolGroup {
  id: string;
  label: MultiLabel;
  /** e.g. `2526_ING_ING1_S5_TD1`. */
  code: string;
  /** Auriga learner ids. */
  learners: string[];
}

export interface School {
  /** IANA zone the wall-clock times are in. */
  timeZone: string;
  learners: SchoolPerson[];
  instructors: SchoolPerson[];
  groups: SchoolGroup[];
  /** Sorted by start, then id. */
  interventions: SchoolIntervention[];
}

export interface SchoolSize {
  /** Total rows; about 1 in 13 fall just outside the 14-day window. */
  readonly interventions: number;
  readonly learners: number;
  readonly instructors: number;
  readonly groups: number;
}

export interface SchoolOptions {
  /** `small`: 65 interventions (60 in the window), 40 learners, 8 instructors, 6 groups. `large`: 3,000 / 6,000 / 400 / 200. */
  readonly size: 'small' | 'large' | SchoolSize;
  readonly seed: number | string;
  /** First day of the window, local date `YYYY-MM-DD` in `timeZone`. */
  readonly today: string;
  /** @default 'Europe/Paris' */
  readonly timeZone?: string;
  /** Share of interventions made malformed, 0..1. @default 0 */
  readonly malformedShare?: number;
}
