import type {
  Favorite,
  Group,
  Intervention,
  Person,
  PersonKind,
  Problem,
  SyncWindow,
} from '../../domain/types.ts';
import type { ColumnMatch, GroupColumn, InterventionColumn } from './columns.ts';
import { resolveLabel } from './labels.ts';
import {
  type BrokenEntry,
  normaliseId,
  type ParsedPerson,
  type PeopleList,
  parseIdList,
  parsePeople,
} from './people.ts';
import { parseWallClock, type TimeResolution } from './times.ts';
import { inWindow } from './window.ts';

/**
 * Favorite rows → domain values and problems. Pure: one bad row, cell or
 * person never stops the others; each is a Problem naming the Auriga row and
 * what to fix (sync-rules.md sections 3, 5, 6).
 *
 * Rows whose Start lies outside the window are skipped before anything else
 * is checked: a favorite often holds years of history, and its old rows are
 * no concern of this run. A row whose Start cannot be read is reported, as it
 * may belong to the window.
 */

export interface InterventionParseContext {
  readonly timeZone: string;
  readonly language: string;
  readonly window: SyncWindow;
}

export interface InterventionRows {
  readonly interventions: readonly Intervention[];
  readonly learners: ReadonlyMap<string, Person>;
  readonly instructors: ReadonlyMap<string, Person>;
  readonly problems: readonly Problem[];
  /** Rows with a valid Start outside the window, skipped. */
  readonly outsideWindow: number;
}

type Cells = readonly unknown[];
type Index<K extends string> = ColumnMatch<K>['index'];

const FAVORITE_NAME: Record<Favorite, string> = {
  interventions: 'Interventions',
  groups: 'Groups',
};

export function parseInterventionRows(
  lines: readonly unknown[],
  index: Index<InterventionColumn>,
  context: InterventionParseContext,
): InterventionRows {
  const problems: Problem[] = [];
  const firstLineById = new Map<string, Cells>();
  const drafts: Array<{
    readonly base: Omit<Intervention, 'learners' | 'instructors'>;
    readonly learners: PeopleList;
    readonly instructors: PeopleList;
  }> = [];
  const people: Record<PersonKind, PeopleTally> = {
    learner: new PeopleTally('learner'),
    instructor: new PeopleTally('instructor'),
  };
  let outsideWindow = 0;
  // A group's learners are listed alike on each of its interventions: a
  // cell's text is parsed once (about 600 distinct cells for 3,000 rows).
  const peopleByCell = new Map<string, PeopleList>();
  const entries = new Map<string, ParsedPerson | BrokenEntry>();
  const readPeople = (value: unknown): PeopleList => {
    if (typeof value !== 'string') return parsePeople(value, entries);
    let list = peopleByCell.get(value);
    if (list === undefined) {
      list = parsePeople(value, entries);
      peopleByCell.set(value, list);
    }
    return list;
  };
  // Many classes start and end at the same times: each text is converted once.
  const times = new Map<string, TimeResolution>();
  const readTime = (value: unknown): TimeResolution => {
    if (typeof value !== 'string') return parseWallClock(value, context.timeZone);
    let time = times.get(value);
    if (time === undefined) {
      time = parseWallClock(value, context.timeZone);
      times.set(value, time);
    }
    return time;
  };

  lines.forEach((line, position) => {
    const rowNumber = position + 1;
    if (!Array.isArray(line)) {
      problems.push(shapeProblem('interventions', rowNumber));
      return;
    }
    const cell = (key: InterventionColumn): unknown => {
      const at = index[key];
      return at === undefined ? undefined : line[at];
    };
    const id = normaliseId(cell('id'));
    if (id === '') {
      problems.push(missingIdProblem('interventions', 'sheet', rowNumber));
      return;
    }
    const row = { favorite: 'interventions', id } as const;
    const earlier = firstLineById.get(id);
    if (earlier !== undefined) {
      if (JSON.stringify(earlier) !== JSON.stringify(line)) {
        problems.push({
          code: 'row.duplicate_id',
          kind: 'sheet',
          aurigaId: id,
          row,
          message: `Intervention ${id} appears on two rows of the Interventions favorite with different content: the first row is used; check the favorite's columns and filters in Auriga.`,
        });
      }
      return;
    }
    firstLineById.set(id, line);

    const start = readTime(cell('start'));
    if (start.ok && !inWindow(context.window, start.epochMs)) {
      outsideWindow += 1;
      return;
    }
    if (!start.ok) {
      problems.push(timeProblem(id, 'Start', start));
      return;
    }
    const end = readTime(cell('end'));
    if (!end.ok) {
      problems.push(timeProblem(id, 'End', end));
      return;
    }
    if (end.epochMs <= start.epochMs) {
      problems.push({
        code: 'row.end_before_start',
        kind: 'sheet',
        aurigaId: id,
        row,
        message: `Intervention ${id} ${end.epochMs === start.epochMs ? 'ends when it starts' : 'ends before it starts'} (Start ${String(cell('start')).trim()}, End ${String(cell('end')).trim()}): correct its End in Auriga; it is not synced until then.`,
      });
      return;
    }

    const label = (key: InterventionColumn, name: string): string | undefined => {
      const resolved = resolveLabel(cell(key), context.language);
      if (resolved.ok) return resolved.value;
      problems.push({
        code: 'row.bad_label',
        kind: 'sheet',
        aurigaId: id,
        row,
        message: `The ${name} of intervention ${id} cannot be read (${resolved.reason}): correct it in Auriga; the sheet is synced without it.`,
      });
      return undefined;
    };
    const activityType = label('activityType', 'Activity Type.Label');
    const educationalUnit = label('educationalUnit', 'Educational Unit.Label');
    const resourceLabel = label('resourceLabel', 'Resource.Label');
    const resourceCode = label('resourceCode', 'Resource.Code');
    const described = resolveLabel(cell('description'), context.language, { freeText: true });
    const description = described.ok ? described.value : undefined;

    const listed = (kind: PersonKind, key: InterventionColumn): PeopleList => {
      const list = readPeople(cell(key));
      for (const entry of list.broken) {
        problems.push({
          code: 'person.broken_entry',
          kind: entry.id === undefined ? 'sheet' : kind,
          aurigaId: entry.id ?? id,
          row,
          message: `The ${kind} entry "${entry.text}" on intervention ${id} cannot be read: ${entry.reason}. Correct it in Auriga; the rest of the intervention is synced.`,
        });
      }
      people[kind].use(list, id);
      return list;
    };
    const learners = listed('learner', 'learners');
    const instructors = listed('instructor', 'instructors');

    drafts.push({
      base: {
        id,
        start: start.instant,
        end: end.instant,
        activityType,
        educationalUnit,
        description,
        resourceLabel,
        resourceCode,
        groups: parseIdList(cell('groups')),
      },
      learners,
      instructors,
    });
  });

  const learners = people.learner.settle(problems);
  const instructors = people.instructor.settle(problems);
  const interventions = drafts.map(({ base, learners: l, instructors: i }) =>
    Object.freeze({
      ...base,
      learners: people.learner.usableIds(l),
      instructors: people.instructor.usableIds(i),
      groups: Object.freeze(base.groups),
    }),
  );
  return { interventions, learners, instructors, problems, outsideWindow };
}

export interface GroupRows {
  readonly groups: readonly Group[];
  readonly problems: readonly Problem[];
}

export function parseGroupRows(
  lines: readonly unknown[],
  index: Index<GroupColumn>,
  language: string,
): GroupRows {
  const problems: Problem[] = [];
  const groups: Group[] = [];
  const seen = new Set<string>();
  lines.forEach((line, position) => {
    const rowNumber = position + 1;
    if (!Array.isArray(line)) {
      problems.push(shapeProblem('groups', rowNumber));
      return;
    }
    const cell = (key: GroupColumn): unknown => {
      const at = index[key];
      return at === undefined ? undefined : line[at];
    };
    const id = normaliseId(cell('id'));
    if (id === '') {
      problems.push(missingIdProblem('groups', 'group', rowNumber));
      return;
    }
    if (seen.has(id)) return;
    seen.add(id);
    const row = { favorite: 'groups', id } as const;
    const label = resolveLabel(cell('label'), language);
    if (!label.ok) {
      problems.push({
        code: 'row.bad_label',
        kind: 'group',
        aurigaId: id,
        row,
        message: `The Label of group ${id} cannot be read (${label.reason}): correct it in Auriga.`,
      });
    }
    const codeCell = resolveLabel(cell('code'), language);
    const code = codeCell.ok ? codeCell.value : undefined;
    const name = (label.ok ? label.value : undefined) ?? code;
    if (name === undefined) {
      problems.push({
        code: 'group.missing_label',
        kind: 'group',
        aurigaId: id,
        row,
        message: `Group ${id} has no Label${label.ok ? '' : ' that can be read'} and no Code to name it on Edusign: give it a label in Auriga; it is not synced until then.`,
      });
      return;
    }
    groups.push(
      Object.freeze({
        id,
        name,
        code,
        learners: Object.freeze(parseIdList(cell('learners'))),
      }),
    );
  });
  return { groups, problems };
}

/** Compare Auriga ids: numerically when both are numbers, else as text. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && NUMERIC.test(a) && NUMERIC.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
const NUMERIC = /^\d+$/;

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
class PeopleTally {
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
    if (compareIds(interventionId, use.lowestRow) < 0) use.lowestRow = interventionId;
    if (compareIds(interventionId, use.highestRow) > 0) use.highestRow = interventionId;
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

function timeProblem(
  id: string,
  column: 'Start' | 'End',
  result: Extract<TimeResolution, { ok: false }>,
): Problem {
  return {
    code: result.code === 'nonexistent_time' ? 'row.nonexistent_time' : 'row.bad_time',
    kind: 'sheet',
    aurigaId: id,
    row: { favorite: 'interventions', id },
    message: `The ${column} of intervention ${id} cannot be used: ${result.reason}. Correct it in Auriga; the intervention is not synced until then.`,
  };
}

function missingIdProblem(favorite: Favorite, kind: 'sheet' | 'group', rowNumber: number): Problem {
  const ref = `#${rowNumber}`;
  return {
    code: 'row.missing_id',
    kind,
    aurigaId: ref,
    row: { favorite, id: ref },
    message: `Row ${rowNumber} of the ${FAVORITE_NAME[favorite]} favorite has no ID: it is skipped; check that the favorite's ID column is filled.`,
  };
}

function shapeProblem(favorite: Favorite, rowNumber: number): Problem {
  const ref = `#${rowNumber}`;
  return {
    code: 'row.bad_shape',
    kind: favorite === 'groups' ? 'group' : 'sheet',
    aurigaId: ref,
    row: { favorite, id: ref },
    message: `Row ${rowNumber} of the ${FAVORITE_NAME[favorite]} favorite is not a list of cells: it is skipped; this is unusual for Auriga, check the favorite.`,
  };
}
