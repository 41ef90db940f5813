import type { SchoolPerson } from './types.ts';

/**
 * One entry of a `Learner(s)` / `Instructor(s)` cell as Auriga writes it:
 * `id/LAST NAME/First name/email`, the last name upper-cased.
 */
export function formatPerson(person: SchoolPerson): string {
  return `${person.id}/${person.lastName.toLocaleUpperCase('fr-FR')}/${person.firstName}/${person.email}`;
}

/** A whole people cell: entries separated by `|`. */
export function formatPeople(people: readonly SchoolPerson[]): string {
  return people.map(formatPerson).join('|');
}
