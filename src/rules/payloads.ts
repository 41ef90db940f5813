import type { Group, Intervention, Person } from '../domain/types.ts';
import { sheetDescription, sheetName, sheetRoom } from './sheet-name.ts';

/**
 * What we want each Edusign record to hold, in Auriga's terms (people and
 * groups referenced by their Auriga ids): docs/rules.md §4–6. Pure. The
 * executor turns references into Edusign ids when it writes.
 */

export interface SheetPayload {
  readonly name: string;
  readonly description: string | null;
  readonly classroom: string | null;
  readonly start: string;
  readonly end: string;
  /** In order: the first is the sheet's main instructor. */
  readonly instructors: readonly string[];
  readonly learners: readonly string[];
  /** Empty unless `syncGroups` is on. */
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
  /** Members that exist (or are being created) on Edusign. */
  readonly learners: readonly string[];
}

export type Payload = SheetPayload | PersonPayload | GroupPayload;

export interface SheetOptions {
  readonly courseNameSeparator: string;
  readonly syncGroups: boolean;
}

export function sheetPayload(intervention: Intervention, options: SheetOptions): SheetPayload {
  const name = sheetName(intervention, options.courseNameSeparator);
  return {
    name,
    description: sheetDescription(intervention, name),
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

/** A group's members on Edusign are its listed learners that exist there (docs/rules.md §6). */
export function groupPayload(group: Group, existingLearners: ReadonlySet<string>): GroupPayload {
  return {
    name: group.name,
    description: group.code ?? null,
    learners: group.learners.filter((id) => existingLearners.has(id)),
  };
}
