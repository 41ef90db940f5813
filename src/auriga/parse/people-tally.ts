import { compareIds } from '../../domain/compare-ids.ts';
import type { Person, PersonKind, Problem } from '../../domain/types.ts';
import type { ParsedPerson, PeopleList } from './people.ts';

const KIND_NAME: Record<PersonKind, string> = { learner: 'Learner', instructor: 'Instructor' };

interface Variant {
  /** As written on the highest intervention ID (emails differing only by case are one variant). */
  person: ParsedPerson;
  readonly usable: boolean;
  /** How many interventions list the person with these details. */
  count: number;
  lowestRow: string;
  highestRow: string;
}

/**
 * Every appearance of the people of one kind, by Auriga id. A person listed
 * with different details on different rows is reported once; the details
 * used are deterministic, whatever the order of the rows: complete details
 * first, then those seen on most interventions, then those of the highest
 * intervention ID (the most recently created in Auriga).
 */
export class PeopleTally {
  readonly #kind: PersonKind;
  readonly #variants = new Map<string, Map<string, Variant>>();
  /**
   * Rows per people list: lists are shared by the rows with the same cell
   * text, so people are counted once per distinct cell, not once per row.
   */
  readonly #uses = new Map<PeopleList, { count: number; lowestRow: string; highestRow: string }>();
  #usable: ReadonlyMap<string, Person> | undefined;
  readonly #usableIds = new Map<PeopleList, readonly string[]>();

  constructor(kind: PersonKind) {
    this.#kind = kind;
  }

  /** A row (intervention `interventionId`) lists these people. */
  use(list: PeopleList, interventionId: string): void {
    if (list.people.length === 0) return;
    const use = this.#uses.get(list);
    if (use === undefined) {
      this.#uses.set(list, { count: 1, lowestRow: interventionId, highestRow: interventionId });
      return;
    }
    use.count += 1;
    // The lowest is never above the highest: a new highest is no new lowest.
    if (compareIds(interventionId, use.highestRow) > 0) use.highestRow = interventionId;
    else if (compareIds(interventionId, use.lowestRow) < 0) use.lowestRow = interventionId;
  }

  /** The ids of a list that are usable people, in order (after `settle`); shared and frozen. */
  usableIds(list: PeopleList): readonly string[] {
    let ids = this.#usableIds.get(list);
    if (ids === undefined) {
      const usable = this.#usable;
      ids = Object.freeze(
        list.people.map((p) => p.id).filter((personId) => usable?.has(personId) === true),
      );
      this.#usableIds.set(list, ids);
    }
    return ids;
  }

  #add(person: ParsedPerson, use: { count: number; lowestRow: string; highestRow: string }): void {
    let variants = this.#variants.get(person.id);
    if (variants === undefined) {
      variants = new Map();
      this.#variants.set(person.id, variants);
    }
    const key = variantKey(person);
    const variant = variants.get(key);
    if (variant === undefined) {
      variants.set(key, {
        person,
        usable: person.missing.length === 0 && !person.badEmail,
        count: use.count,
        lowestRow: use.lowestRow,
        highestRow: use.highestRow,
      });
    } else {
      variant.count += use.count;
      if (compareIds(use.lowestRow, variant.lowestRow) < 0) variant.lowestRow = use.lowestRow;
      if (compareIds(use.highestRow, variant.highestRow) > 0) {
        variant.highestRow = use.highestRow;
        variant.person = person;
      }
    }
  }

  /** The usable people by id; problems for the others and for conflicts are appended. */
  settle(problems: Problem[]): Map<string, Person> {
    // Entries are shared between lists: sum the uses per entry first.
    const perEntry = new Map<
      ParsedPerson,
      { count: number; lowestRow: string; highestRow: string }
    >();
    for (const [list, use] of this.#uses) {
      for (const person of list.people) {
        const sum = perEntry.get(person);
        if (sum === undefined) perEntry.set(person, { ...use });
        else {
          sum.count += use.count;
          if (compareIds(use.lowestRow, sum.lowestRow) < 0) sum.lowestRow = use.lowestRow;
          if (compareIds(use.highestRow, sum.highestRow) > 0) sum.highestRow = use.highestRow;
        }
      }
    }
    for (const [person, use] of perEntry) this.#add(person, use);
    const out = new Map<string, Person>();
    const ids = [...this.#variants.keys()].sort(compareIds);
    for (const id of ids) {
      const variants = [...(this.#variants.get(id)?.values() ?? [])].sort(byPreference);
      const [chosen] = variants;
      if (chosen === undefined) continue;
      if (chosen.usable) {
        const { lastName, firstName, email } = chosen.person;
        out.set(id, Object.freeze({ kind: this.#kind, id, lastName, firstName, email }));
      } else {
        problems.push(this.#incompleteProblem(chosen));
      }
      if (variants.length > 1) problems.push(this.#conflictProblem(id, chosen, variants));
    }
    this.#usable = out;
    return out;
  }

  #incompleteProblem(variant: Variant): Problem {
    const { person } = variant;
    const what = person.missing.map(
      (field) =>
        ({ lastName: 'no last name', firstName: 'no first name', email: 'no email' })[field],
    );
    if (person.badEmail) what.push(`the email "${person.email}", which is not an address`);
    const code =
      person.missing.length === 0
        ? 'person.bad_email'
        : person.missing.length === 1 && person.missing[0] === 'email'
          ? 'person.missing_email'
          : person.missing.every((field) => field !== 'email') && !person.badEmail
            ? 'person.missing_name'
            : 'person.missing_details';
    const first = variant.lowestRow;
    const others = variant.count - 1;
    const where = `on intervention ${first}${others > 0 ? ` (and ${others} other${others === 1 ? '' : 's'})` : ''}`;
    return {
      code,
      kind: this.#kind,
      aurigaId: person.id,
      row: { favorite: 'interventions', id: first },
      message: `${KIND_NAME[this.#kind]} ${describePerson(person)} ${where} has ${joinAnd(what)}: ${person.missing.length > 0 ? 'add it' : 'correct it'} in Auriga; ${others > 0 ? 'the sheets are' : 'the sheet is'} synced without them.`,
    };
  }

  /** `variants` best first, `chosen` being the first. */
  #conflictProblem(id: string, chosen: Variant, variants: readonly Variant[]): Problem {
    const firstOther = lowest(variants.slice(1).map((v) => v.lowestRow));
    const shown = variants
      .map((v) => `${describeDetails(v.person)} on ${countRows(v.count)}`)
      .join('; ');
    return {
      code: 'person.conflicting_details',
      kind: this.#kind,
      aurigaId: id,
      row: { favorite: 'interventions', id: firstOther },
      message: `${KIND_NAME[this.#kind]} ${id} appears with different details: ${shown}. ${chosen.usable ? `${describeDetails(chosen.person)} is used` : 'None is complete'}; correct the others in Auriga (first on intervention ${firstOther}).`,
    };
  }
}

/** Best first: complete, then seen on most interventions, then on the highest intervention ID. */
function byPreference(a: Variant, b: Variant): number {
  if (a.usable !== b.usable) return a.usable ? -1 : 1;
  if (a.count !== b.count) return b.count - a.count;
  return compareIds(b.highestRow, a.highestRow);
}

/** Details compared without the case of the email. */
function variantKey(person: ParsedPerson): string {
  return `${person.lastName}\u0000${person.firstName}\u0000${person.email.toLowerCase()}`;
}

/** The lowest intervention ID of a list: where a problem is shown, whatever the row order. */
function lowest(ids: readonly string[]): string {
  return ids.reduce((low, id) => (low === '' || compareIds(id, low) < 0 ? id : low), '');
}

function describePerson(person: ParsedPerson): string {
  const name = [person.lastName, person.firstName].filter((part) => part !== '').join(' ');
  return name === '' ? person.id : `${person.id} (${name})`;
}

function describeDetails(person: ParsedPerson): string {
  const name = [person.lastName || '(no last name)', person.firstName || '(no first name)'].join(
    ' ',
  );
  return `${name} <${person.email || 'no email'}>`;
}

const countRows = (n: number): string => `${n} intervention${n === 1 ? '' : 's'}`;

function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
