import type { SheetPayload } from './payloads.ts';

/**
 * Auriga is the source of truth (docs/rules.md §7): a sheet of ours that
 * someone changed by hand on Edusign is set back at the next run that
 * changes it in Auriga, or at once when the run sees the difference. This is
 * the comparison: what Edusign holds against what the sync would write.
 * Pure.
 */

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
    readonly learners: readonly string[];
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
  const differs = (field: SheetField): void => {
    out ??= [];
    out.push(field);
  };
  if ((on.classroom || null) !== wanted.classroom) differs('classroom');
  if ((on.description || null) !== wanted.description) differs('description');
  if (on.end !== wanted.end) differs('end');
  if (options.groups) {
    const groups = edusignIdsOf('group', wanted.groups);
    if (groups === undefined || !sameSet(on.groups, groups)) differs('groups');
  }
  const instructors = edusignIdsOf('instructor', wanted.instructors);
  if (instructors === undefined || !sameList(on.instructors, instructors)) differs('instructors');
  const learners = edusignIdsOf('learner', wanted.learners);
  if (learners === undefined || !sameLearners(on.learners, learners, on.groups.length > 0))
    differs('learners');
  if (on.name !== wanted.name) differs('name');
  if (held.start !== wanted.start) differs('start');
  return out ?? SAME;
}

const SAME: readonly SheetField[] = Object.freeze([]);

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
function sameLearners(
  held: readonly string[],
  wanted: readonly string[],
  grouped: boolean,
): boolean {
  // Usually Edusign lists them as they were sent: no set is built.
  if (sameList(held, wanted)) return true;
  if (!grouped) return sameSet(held, wanted);
  const on = new Set(held);
  for (const id of wanted) if (!on.has(id)) return false;
  return true;
}
