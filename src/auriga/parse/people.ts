import { showCell } from './cells.ts';

/**
 * People lists as Auriga writes them in a favorite's cell:
 * `16026415/GRIMAUD/Karole/k.grimaud@gmail.com|13456/Smith/John/john@gmail.com`.
 *
 * Tolerated, because people type them: spaces around any part, empty entries
 * (`a||b`, a trailing `|`), the same person twice (kept once, first wins), and
 * a `/` inside a last name (`id/DE/LA ROSA/Marie/email`: the first part is the
 * id, the last two the first name and the email, the rest the last name).
 * An entry with fewer than four parts, or no id, is broken: it is reported and
 * the rest of the list stands. Never throws.
 */

export interface PersonEntry {
  readonly id: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly email: string;
}

export type PersonField = 'lastName' | 'firstName' | 'email';

export interface ParsedPerson extends PersonEntry {
  /** Fields that are empty, in the order last name, first name, email. */
  readonly missing: readonly PersonField[];
  /** The email is there but cannot be an address (no `@`, spaces...). */
  readonly badEmail: boolean;
}

export interface BrokenEntry {
  /** The entry as written, trimmed. */
  readonly text: string;
  /** The id when the entry starts with one (Auriga's ids are numbers). */
  readonly id: string | undefined;
  readonly reason: string;
}

export interface PeopleList {
  readonly people: readonly ParsedPerson[];
  readonly broken: readonly BrokenEntry[];
}

const EMPTY: PeopleList = Object.freeze({ people: [], broken: [] });

/**
 * Parse one cell; a number (a lone id) or anything not text gives a broken
 * entry. `entries`, when given, keeps each entry's parse for the next cells
 * (the same people recur on many rows); parsed values are frozen, so sharing
 * them is safe.
 */
export function parsePeople(
  cell: unknown,
  entries?: Map<string, ParsedPerson | BrokenEntry>,
): PeopleList {
  if (cell === null || cell === undefined) return EMPTY;
  if (typeof cell !== 'string') {
    if (Array.isArray(cell) && cell.every((item) => typeof item === 'string')) {
      return parsePeople(cell.join('|'), entries);
    }
    const text = typeof cell === 'number' ? String(cell) : showCell(cell);
    return {
      people: [],
      broken: [
        {
          text,
          id: undefined,
          reason: 'it is not a text of the form id/LAST NAME/First name/email',
        },
      ],
    };
  }
  const people: ParsedPerson[] = [];
  const broken: BrokenEntry[] = [];
  const seen = new Set<string>();
  for (const raw of cell.split('|')) {
    const text = raw.trim();
    if (text === '') continue;
    let entry = entries?.get(text);
    if (entry === undefined) {
      entry = Object.freeze(parseEntry(text));
      entries?.set(text, entry);
    }
    if ('reason' in entry) {
      broken.push(entry);
      continue;
    }
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    people.push(entry);
  }
  return { people, broken };
}

function parseEntry(text: string): ParsedPerson | BrokenEntry {
  const parts = text.split('/').map((part) => part.replace(/\s+/g, ' ').trim());
  const id = parts[0] ?? '';
  if (parts.length < 4) {
    return {
      text,
      id: /^\d+$/.test(id) ? id : undefined,
      reason: `it has ${parts.length} part${parts.length === 1 ? '' : 's'} where id/LAST NAME/First name/email has 4`,
    };
  }
  if (id === '') return { text, id: undefined, reason: 'it has no id before the first /' };
  if (/\s/.test(id)) return { text, id: undefined, reason: `its id "${id}" contains spaces` };
  const email = parts.at(-1) ?? '';
  const firstName = parts.at(-2) ?? '';
  const lastName = parts
    .slice(1, -2)
    .filter((part) => part !== '')
    .join('/');
  const missing: PersonField[] = [];
  if (lastName === '') missing.push('lastName');
  if (firstName === '') missing.push('firstName');
  if (email === '') missing.push('email');
  return { id, lastName, firstName, email, missing, badEmail: email !== '' && !isEmail(email) };
}

/** A deliberately loose check: one `@`, something on each side, no spaces. */
export function isEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(text);
}

/**
 * Id lists (`Group ID(s)`, a group's `Learner(s)`): `546|456`, spaces and
 * empty entries tolerated, duplicates dropped (first wins).
 */
export function parseIdList(cell: unknown): string[] {
  if (cell === null || cell === undefined) return [];
  const text =
    typeof cell === 'number'
      ? String(cell)
      : Array.isArray(cell)
        ? // Only texts and numbers are ids: String() of some objects throws.
          cell
            .filter((item) => typeof item === 'string' || typeof item === 'number')
            .map(String)
            .join('|')
        : typeof cell === 'string'
          ? cell
          : '';
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('|')) {
    // A learner given as id/LAST/First/email in a groups favorite: its id is enough.
    const id = normaliseId(raw.split('/')[0] ?? '');
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/**
 * An id cell: a number, or text (trimmed). `115849,0` and `115849.0` (a number
 * exported with a decimal part, French comma or not) are `115849`.
 */
export function normaliseId(cell: unknown): string {
  if (typeof cell === 'number') {
    return Number.isFinite(cell) ? String(cell) : '';
  }
  if (typeof cell !== 'string') return '';
  const text = cell.trim();
  const decimal = /^(\d+)[.,]0+$/.exec(text);
  return decimal?.[1] ?? text;
}
