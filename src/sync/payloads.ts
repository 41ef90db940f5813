import type { SyncOptions } from '../config/schema.ts';
import type { Group, Intervention, Person } from '../domain/types.ts';

/**
 * What we want each Edusign record to hold, in Auriga's terms (people and
 * groups referenced by their Auriga ids). Pure: sync-rules.md section 4–6.
 * The executor turns references into Edusign ids when it writes.
 */

export interface SheetPayload {
  readonly name: string;
  readonly description: string | null;
  readonly classroom: string | null;
  readonly start: string;
  readonly end: string;
  /** Auriga ids, in order: PROFESSOR, PROFESSOR_2, … */
  readonly instructors: readonly string[];
  readonly learners: readonly string[];
  /** Auriga group ids; empty unless `syncGroups` is on. */
  readonly groups: readonly string[];
}

export interface PersonPayload {
  readonly lastName: string;
  readonly firstName: string;
  readonly email: string;
}

export interface GroupPayload {
  readonly name: string;
  readonly description: string | null;
  /** Auriga learner ids of the members that exist (or are being created) on Edusign. */
  readonly learners: readonly string[];
}

export type Payload = SheetPayload | PersonPayload | GroupPayload;

/** The name we give to everything we create on Edusign (`API_TYPE`). */
export const API_TYPE = 'auriga-edusign';

const present = (text: string | undefined): text is string =>
  text !== undefined && text.trim() !== '';

/**
 * Sheet name (sync-rules.md section 4): activity type + separator + unit;
 * the one that exists alone; else the session description; else the intervention ID.
 */
export function sheetName(intervention: Intervention, separator: string): string {
  const activity = present(intervention.activityType)
    ? intervention.activityType.trim()
    : undefined;
  const unit = present(intervention.educationalUnit)
    ? intervention.educationalUnit.trim()
    : undefined;
  if (activity && unit) return `${activity}${separator}${unit}`;
  if (activity ?? unit) return (activity ?? unit) as string;
  if (present(intervention.description)) return intervention.description.trim();
  return intervention.id;
}

/** Room: `Resource.Label`, else `Resource.Code`, else none. */
export function sheetRoom(intervention: Intervention): string | null {
  if (present(intervention.resourceLabel)) return intervention.resourceLabel.trim();
  if (present(intervention.resourceCode)) return intervention.resourceCode.trim();
  return null;
}

export function sheetPayload(
  intervention: Intervention,
  options: Pick<SyncOptions, 'courseNameSeparator' | 'syncGroups'>,
): SheetPayload {
  const name = sheetName(intervention, options.courseNameSeparator);
  const description =
    present(intervention.description) && intervention.description.trim() !== name
      ? intervention.description.trim()
      : null;
  return {
    name,
    description,
    classroom: sheetRoom(intervention),
    start: intervention.start,
    end: intervention.end,
    instructors: intervention.instructors,
    learners: intervention.learners,
    groups: options.syncGroups ? intervention.groups : [],
  };
}

export function personPayload(person: Person): PersonPayload {
  return { lastName: person.lastName, firstName: person.firstName, email: person.email };
}

export function groupPayload(group: Group, existingLearners: ReadonlySet<string>): GroupPayload {
  return {
    name: group.name,
    description: group.code ?? null,
    learners: group.learners.filter((id) => existingLearners.has(id)),
  };
}
