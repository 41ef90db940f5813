import type { SheetPayload } from './payloads.ts';

/**
 * Auriga is the source of truth (docs/rules.md §7): a sheet of ours that
 * someone changed by hand on Edusign is set back at the next run that
 * changes it in Auriga, or at once when the run sees the difference. This is
 * the comparison: what Edusign holds against what the sync would write.
 * Pure.
 */

/**
 * The learners Edusign lists on a sheet, kept as one text: their ids, a line
 * break between each. A large school's listing holds millions of them (33
 * on each of 100,000 sheets in bench:core); one text per sheet takes about
 * half the memory of a list of strings, and a run compares it with the
 * sync's list in one go. The list is cut back out of it only when it differs.
 */
export class Roster {
  /** The ids joined, or undefined when one holds a line break (then the list is kept as it is). */
  readonly #text: string | undefined;
  #ids: readonly string[] | undefined;

  private constructor(text: string | undefined, ids: readonly string[] | undefined) {
    this.#text = text;
    this.#ids = ids;
  }

  static of(ids: readonly string[]): Roster {
    const text = exactText(ids);
    return text === undefined ? new Roster(undefined, ids) : new Roster(text, undefined);
  }

  get ids(): readonly string[] {
    this.#ids ??= this.#text === '' ? [] : (this.#text as string).split(SEPARATOR);
    return this.#ids;
  }

  /** Whether the roster is exactly `ids`, in that order. */
  is(ids: readonly string[]): boolean {
    const wanted = this.#text === undefined ? undefined : joined(ids);
    if (wanted === undefined) return sameList(this.ids, ids);
    return this.#text === wanted;
  }
}

const SEPARATOR = '\n';

/**
 * The ids joined, when the text gives back exactly them: no id holds a line
 * break, and the list is not one empty id (which would read as no id).
 */
function exactText(ids: readonly string[]): string | undefined {
  const text = ids.join(SEPARATOR);
  if (ids.length > 0 && text === '') return undefined;
  let breaks = 0;
  for (let at = text.indexOf(SEPARATOR); at >= 0; at = text.indexOf(SEPARATOR, at + 1)) breaks++;
  return breaks === Math.max(0, ids.length - 1) ? text : undefined;
}

/** The sync's lists are shared by the sheets (one per group): each is joined once. */
const joinedLists = new WeakMap<readonly string[], string | null>();
/** `exactText` of one of the sync's lists, kept; undefined when the list cannot be told by its text. */
function joined(ids: readonly string[]): string | undefined {
  let text = joinedLists.get(ids);
  if (text === undefined) {
    text = exactText(ids) ?? null;
    joinedLists.set(ids, text);
  }
  return text ?? undefined;
}

/** A sheet as Edusign holds it (an Edusign course with its content listed); people and groups are Edusign ids. */
export interface HeldSheet {
  readonly start: string;
  readonly content: {
    readonly name: string;
    readonly description: string | null;
    readonly classroom: string | null;
    readonly end: string;
    /** In order: the first is the sheet's main instructor. */
    readonly instructors: readonly string[];
    readonly learners: Roster;
    readonly groups: readonly string[];
  };
}

/**
 * The Edusign ids of a list of the sheet's people or groups, as the sync
 * would write them; undefined when the list cannot be compared (one of them
 * is being created this run), which counts as different.
 */
export type EdusignIdsOf = (
  kind: 'instructor' | 'learner' | 'group',
  aurigaIds: readonly string[],
) => readonly string[] | undefined;

export type SheetField = keyof SheetPayload;

/**
 * The fields of `wanted` whose value on Edusign differs, in the order of a
 * fingerprint (by name). Texts compare as Edusign gives them back (an empty
 * text is none); instructors in order (the first is the main one); learners
 * and groups as sets. A learner on Edusign that the sync did not list is a
 * difference only on a sheet with no group attached: Edusign keeps on a
 * sheet the learners of its attached groups, whatever the list sent
 * (edusign-api.md, v3), and setting those back would write every run.
 */
export function sheetDifferences(
  held: HeldSheet,
  wanted: SheetPayload,
  edusignIdsOf: EdusignIdsOf,
  options: {
    /**
     * `syncGroups`: off, the sync attaches no group, and the groups a school
     * attaches by hand are theirs, not a difference.
     */
    readonly groups: boolean;
  },
): readonly SheetField[] {
  const on = held.content;
  // Built only when something differs: on most runs, for most sheets, nothing does.
  let out: SheetField[] | undefined;
  if ((on.classroom || null) !== wanted.classroom) out = adding(out, 'classroom');
  if ((on.description || null) !== wanted.description) out = adding(out, 'description');
  if (on.end !== wanted.end) out = adding(out, 'end');
  if (options.groups) {
    const groups = edusignIdsOf('group', wanted.groups);
    if (groups === undefined || !sameSet(on.groups, groups)) out = adding(out, 'groups');
  }
  const instructors = edusignIdsOf('instructor', wanted.instructors);
  if (instructors === undefined || !sameList(on.instructors, instructors))
    out = adding(out, 'instructors');
  const learners = edusignIdsOf('learner', wanted.learners);
  if (learners === undefined || !sameLearners(on.learners, learners, on.groups.length > 0))
    out = adding(out, 'learners');
  if (on.name !== wanted.name) out = adding(out, 'name');
  if (held.start !== wanted.start) out = adding(out, 'start');
  return out ?? SAME;
}

const SAME: readonly SheetField[] = Object.freeze([]);

/** `out` with `field` added, made when it is the first. */
function adding(out: SheetField[] | undefined, field: SheetField): SheetField[] {
  if (out === undefined) return [field];
  out.push(field);
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (sameList(a, b)) return true;
  const held = new Set(a);
  const wanted = new Set(b);
  if (held.size !== wanted.size) return false;
  for (const id of wanted) if (!held.has(id)) return false;
  return true;
}

/** Every wanted learner is on the sheet; any other only where a group may have brought them. */
function sameLearners(held: Roster, wanted: readonly string[], grouped: boolean): boolean {
  // Usually Edusign lists them as they were sent: one text compared.
  if (held.is(wanted)) return true;
  const ids = held.ids;
  if (!grouped) return sameSet(ids, wanted);
  const on = new Set(ids);
  for (const id of wanted) if (!on.has(id)) return false;
  return true;
}
