import { compareIds } from '../domain/compare-ids.ts';
import type {
  AurigaSnapshot,
  EntityKind,
  Intervention,
  Mapping,
  Person,
  PersonKind,
  Problem,
} from '../domain/types.ts';
import { type EdusignIdsOf, type HeldSheet, sheetDifferences } from '../rules/drift.ts';
import { indexPeople, oneEmailOnePerson, type PersonMatch } from '../rules/identity.ts';
import { API_TYPE, isOurs } from '../rules/ownership.ts';
import {
  type GroupPayload,
  groupPayload,
  type PersonPayload,
  personPayload,
  type SheetPayload,
  sheetPayload,
} from '../rules/payloads.ts';
import {
  type GuardResult,
  type GuardThresholds,
  isManaged,
  type MappedSheet,
  massChangeGuard,
  removals,
} from '../rules/removals.ts';
import { changedFields, changedSheetFields } from './fingerprint.ts';
import { type DeleteOperation, hold, type Operation } from './operations.ts';
import type { EdusignCourseView, EdusignView } from './ports.ts';

/**
 * The sync's decisions, as a pure function: from what Auriga says, what the
 * store remembers and what Edusign holds, the operations to perform and why.
 * It composes the rules of `src/rules` (docs/rules.md §4–7): people (the
 * identity rule), groups, sheets (name and room), then removals and the
 * mass-change guard. No IO: a dry run prints this; tests need no server.
 */

export interface PlanOptions extends GuardThresholds {
  readonly courseNameSeparator: string;
  readonly syncGroups: boolean;
}

export interface PlanInput {
  readonly snapshot: AurigaSnapshot;
  readonly mappings: readonly Mapping[];
  readonly edusign: EdusignView;
  /**
   * `coursesOfMappings(mappings, edusign.courses)`, when the caller has it:
   * a run joins the listing to the store to find the courses it must look
   * up one by one, and hands the join on instead of having it made twice.
   * Made here when absent.
   */
  readonly mappedCourses?: readonly (EdusignCourseView | undefined)[];
  readonly options: PlanOptions;
  /** The run's instant (UTC ISO): sheets starting before it have started. */
  readonly now: string;
  /**
   * A person confirmed the deletions the mass-change guard would hold: all of
   * them (`true`, `sync --confirm-deletions`), or exactly this set of Auriga
   * ids (the console's "Confirm deletions" on the set it showed). A set goes
   * through only when it is exactly the set the guard holds now: if Auriga
   * changed since, every deletion stays held, for a person to look again.
   */
  readonly confirmDeletions?: boolean | readonly string[];
}

export type { GuardResult };

export interface Plan {
  readonly operations: readonly Operation[];
  readonly unchanged: Readonly<Record<EntityKind, number>>;
  /** Problems found while planning (the reader's are in the snapshot). */
  readonly problems: readonly Problem[];
  readonly guard: GuardResult;
}

type MappingIndex = ReadonlyMap<EntityKind, ReadonlyMap<string, Mapping>>;

/** A sheet's mapping and its course as Edusign lists it. */
interface ListedSheet extends MappedSheet {
  readonly course: EdusignCourseView | undefined;
}

/**
 * People's and groups' mappings by kind and Auriga id (the last of an id
 * wins); the sheets' apart, in order, each with its listed course.
 */
function indexMappings(
  mappings: readonly Mapping[],
  courses: readonly (EdusignCourseView | undefined)[],
): {
  readonly index: MappingIndex;
  readonly sheets: readonly ListedSheet[];
} {
  const index = new Map<EntityKind, Map<string, Mapping>>();
  const sheets: ListedSheet[] = [];
  for (let at = 0; at < mappings.length; at++) {
    const mapping = mappings[at] as Mapping;
    if (mapping.kind === 'sheet') {
      sheets.push({ mapping, course: courses[at] });
      continue;
    }
    let byId = index.get(mapping.kind);
    if (!byId) {
      byId = new Map();
      index.set(mapping.kind, byId);
    }
    byId.set(mapping.aurigaId, mapping);
  }
  return { index, sheets };
}

/**
 * The sheets' mappings matched to the interventions (sorted by id): both
 * lists are walked in id order, where an index would cost a hash-table entry
 * and a lookup per sheet, the run's largest cost on a school that did not
 * change. The store lists its mappings by id already, so their sort is
 * about one pass. Gives each intervention its mapping (of an id mapped
 * twice, the last, as an index by id keeps), and the mappings that no
 * intervention names, in the order an index by id would list them (where
 * each id first appears).
 */
function matchSheets(
  interventions: readonly Intervention[],
  sheets: readonly ListedSheet[],
): {
  readonly matched: readonly (ListedSheet | undefined)[];
  readonly unread: readonly ListedSheet[];
} {
  const order = Array.from(sheets.keys()).sort((a, b) =>
    compareIds(
      (sheets[a] as ListedSheet).mapping.aurigaId,
      (sheets[b] as ListedSheet).mapping.aurigaId,
    ),
  );
  const idAt = (j: number): string => (sheets[order[j] as number] as ListedSheet).mapping.aurigaId;
  let next = 0;
  /** The run of mappings of one id from `next`: where the id first appears, and its last mapping. */
  const takeRun = (): { readonly first: number; readonly sheet: ListedSheet } => {
    const first = order[next] as number;
    const id = idAt(next);
    while (next + 1 < order.length && idAt(next + 1) === id) next += 1;
    const sheet = sheets[order[next] as number] as ListedSheet;
    next += 1;
    return { first, sheet };
  };
  const matched: (ListedSheet | undefined)[] = [];
  const unread: { readonly first: number; readonly sheet: ListedSheet }[] = [];
  let previousId: string | undefined;
  let previous: ListedSheet | undefined;
  for (const { id } of interventions) {
    if (id !== previousId) {
      // Usually the next mapping is this id's: the ids' order is only asked otherwise.
      if (next < order.length && idAt(next) !== id)
        while (next < order.length && compareIds(idAt(next), id) < 0) unread.push(takeRun());
      previous = next < order.length && idAt(next) === id ? takeRun().sheet : undefined;
      previousId = id;
    }
    matched.push(previous);
  }
  while (next < order.length) unread.push(takeRun());
  unread.sort((a, b) => a.first - b.first);
  return { matched, unread: unread.map((run) => run.sheet) };
}

const NO_MAPPINGS: ReadonlyMap<string, Mapping> = new Map();

/**
 * The Edusign listing joined to the store: at each mapping's position, its
 * course when listed (of an id listed twice, the last); undefined for people,
 * groups and sheets not listed.
 */
export function coursesOfMappings(
  mappings: readonly Mapping[],
  courses: readonly EdusignCourseView[],
): (EdusignCourseView | undefined)[] {
  const byId = new Map<string, EdusignCourseView>();
  for (const course of courses) byId.set(course.id, course);
  return mappings.map((m) => (m.kind === 'sheet' ? byId.get(m.edusignId) : undefined));
}

export function plan(input: PlanInput): Plan {
  const { snapshot, edusign, options, now } = input;
  const { index: mappings, sheets } = indexMappings(
    input.mappings,
    input.mappedCourses ?? coursesOfMappings(input.mappings, edusign.courses),
  );
  /** People's and groups' mappings by Auriga id; sheets are matched by `matchSheets`. */
  const mapped = (kind: Referenced): ReadonlyMap<string, Mapping> =>
    mappings.get(kind) ?? NO_MAPPINGS;
  const operations: Operation[] = [];
  const problems: Problem[] = [];
  const unchanged: Record<EntityKind, number> = { sheet: 0, learner: 0, instructor: 0, group: 0 };
  /** Auriga id → Edusign id of what was adopted now; the mapped ones are read from the store's index. */
  const adopted = new Map<EntityKind, Map<string, string>>();
  const adopt = (kind: EntityKind, aurigaId: string, edusignId: string): void => {
    let ids = adopted.get(kind);
    if (!ids) {
      ids = new Map();
      adopted.set(kind, ids);
    }
    ids.set(aurigaId, edusignId);
  };
  /** The Edusign id of what exists on Edusign (mapped, or adopted now). */
  const edusignIds: EdusignIds = (kind, aurigaId) =>
    mapped(kind).get(aurigaId)?.edusignId ?? adopted.get(kind)?.get(aurigaId);
  /** Every one's Edusign id, or undefined when one has none yet (being created: an adoption writes it). */
  const allOnEdusign: EdusignIdsOf = (kind, aurigaIds) => resolveAll(edusignIds, kind, aurigaIds);
  /**
   * The Edusign ids of those on Edusign, as `apply` writes a sheet (people whose creation
   * failed left out); sheets share their lists, so each list is resolved once.
   */
  const resolvedLists = {
    instructor: new WeakMap<readonly string[], readonly string[]>(),
    learner: new WeakMap<readonly string[], readonly string[]>(),
    group: new WeakMap<readonly string[], readonly string[]>(),
  };
  const asWritten: EdusignIdsOf = (kind, aurigaIds) => {
    if (aurigaIds.length === 0) return aurigaIds;
    const lists = resolvedLists[kind];
    let out = lists.get(aurigaIds);
    if (out === undefined) {
      const ids: string[] = [];
      for (const id of aurigaIds) {
        const edusignId = edusignIds(kind, id);
        if (edusignId !== undefined) ids.push(edusignId);
      }
      out = ids;
      lists.set(aurigaIds, out);
    }
    return out;
  };

  // People (docs/rules.md §5): one email, one person; then found by external id, then email.
  const dropped = new Map<PersonKind, ReadonlyMap<string, string>>();
  for (const [kind, people, listed] of [
    ['learner', snapshot.learners, edusign.students],
    ['instructor', snapshot.instructors, edusign.professors],
  ] as const) {
    const shared = oneEmailOnePerson(people);
    dropped.set(kind, shared.dropped);
    problems.push(...shared.problems);
    const index = indexPeople(listed ?? []);
    for (const person of [...shared.kept.values()].sort((a, b) => compareIds(a.id, b.id))) {
      const payload = personPayload(person);
      const mapping = mapped(kind).get(person.id);
      if (mapping) {
        const changes = changedFields(payload, mapping.fingerprint);
        if (changes.length === 0) unchanged[kind] += 1;
        else
          operations.push({
            action: 'update',
            kind,
            aurigaId: person.id,
            edusignId: mapping.edusignId,
            payload,
            changes,
            reason: `${describePerson(person)} changed in Auriga (${changes.join(', ')}).`,
          });
        continue;
      }
      const match = index.find(person);
      if (match) {
        operations.push(adoptPerson(kind, person, payload, match));
        adopt(kind, person.id, match.record.id);
        continue;
      }
      operations.push({
        action: 'create',
        kind,
        aurigaId: person.id,
        payload,
        reason: `${describePerson(person)} has a session in the window and is not on Edusign yet.`,
      });
    }
  }
  const keep = (kind: PersonKind, ids: readonly string[]) => {
    const out = dropped.get(kind);
    return out === undefined || out.size === 0 ? ids : ids.filter((id) => !out.has(id));
  };

  // Learners that exist on Edusign after this run (mapped, or created/adopted now).
  const learnersOnEdusign = new Set<string>(mapped('learner').keys());
  for (const op of operations) if (op.kind === 'learner') learnersOnEdusign.add(op.aurigaId);

  // Groups (docs/rules.md §6), only with the option on; ours by external id and type only.
  const knownGroups = new Set<string>();
  if (options.syncGroups && snapshot.groups) {
    const listed = edusign.groups ?? [];
    for (const group of [...snapshot.groups].sort((a, b) => compareIds(a.id, b.id))) {
      knownGroups.add(group.id);
      const payload = groupPayload(group, learnersOnEdusign);
      const mapping = mapped('group').get(group.id);
      if (mapping) {
        const changes = changedFields(payload, mapping.fingerprint);
        if (changes.length === 0) unchanged.group += 1;
        else
          operations.push({
            action: 'update',
            kind: 'group',
            aurigaId: group.id,
            edusignId: mapping.edusignId,
            payload,
            changes,
            reason: `Group ${group.id} (${group.name}) changed in Auriga (${changes.join(', ')}).`,
          });
        continue;
      }
      const found = listed.find((g) => isOurs(g, group.id));
      if (found) {
        const learnerIds = resolveAll(edusignIds, 'learner', payload.learners);
        const changes = (['name', 'description', 'learners'] as const).filter((field) =>
          field === 'name'
            ? found.name !== payload.name
            : field === 'description'
              ? found.description === undefined ||
                (found.description ?? null) !== payload.description
              : found.learners === undefined ||
                learnerIds === undefined ||
                !sameSet(found.learners, learnerIds),
        );
        operations.push({
          action: 'adopt',
          kind: 'group',
          aurigaId: group.id,
          edusignId: found.id,
          origin: 'created',
          matchedBy: 'api_id',
          payload,
          changes,
          reason: `Group ${group.id} already exists on Edusign with our external id: taken over, not duplicated.`,
        });
        adopt('group', group.id, found.id);
        continue;
      }
      operations.push({
        action: 'create',
        kind: 'group',
        aurigaId: group.id,
        payload,
        reason: `Group ${group.id} (${group.name}) is in the Groups favorite and not on Edusign yet.`,
      });
    }
    for (const id of mapped('group').keys()) knownGroups.add(id);
  }

  // Sheets (docs/rules.md §4 and §7).
  /** Our courses by external id, the first listed of each: only an unmapped intervention asks. */
  let ourCourses: Map<string, EdusignCourseView> | undefined;
  const ourCourse = (aurigaId: string): EdusignCourseView | undefined => {
    if (ourCourses === undefined) {
      ourCourses = new Map();
      for (const course of edusign.courses)
        if (course.apiType === API_TYPE && course.apiId && !ourCourses.has(course.apiId))
          ourCourses.set(course.apiId, course);
    }
    return ourCourses.get(aurigaId);
  };
  const unknownGroupsReported = new Set<string>();
  /** Whether a sheet's groups are the sync's to set back (docs/rules.md §6). */
  const byGroups = { groups: options.syncGroups };
  const interventions = [...snapshot.interventions].sort((a, b) => compareIds(a.id, b.id));
  const { matched, unread } = matchSheets(interventions, sheets);
  /** How many mapped sheets read the sync manages (ids are sorted: one listed twice comes twice in a row). */
  let managedRead = 0;
  let previousId: string | undefined;
  for (let at = 0; at < interventions.length; at++) {
    const intervention = interventions[at] as Intervention;
    const payload = sheetOf(intervention);
    const mapping = matched[at]?.mapping;
    const course = matched[at]?.course;
    if (mapping && intervention.id !== previousId && isManaged(snapshot.window, mapping, course))
      managedRead += 1;
    previousId = intervention.id;
    if (payload.instructors.length === 0) {
      problems.push({
        code: 'sheet.no_instructor',
        kind: 'sheet',
        aurigaId: intervention.id,
        row: { favorite: 'interventions', id: intervention.id },
        message: `Intervention ${intervention.id} has no instructor with a last name, first name and email: Edusign requires one on every sheet. Add or complete the instructor in Auriga.`,
      });
      if (mapping && changedSheetFields(payload, mapping.fingerprint).length > 0) {
        operations.push(
          hold('sheet', intervention.id, mapping.edusignId, 'update', 'no_instructor'),
        );
      } else if (mapping) unchanged.sheet += 1;
      continue;
    }
    if (mapping) {
      const start = course?.start ?? mapping.courseStart;
      if (course === undefined && vanished(mapping, start)) {
        // Ours, ahead, inside the listing, yet not listed: deleted by hand. Auriga is the source of truth.
        operations.push({
          action: 'create',
          kind: 'sheet',
          aurigaId: intervention.id,
          payload,
          replaces: mapping.edusignId,
          reason: `The sheet of intervention ${intervention.id} was deleted on Edusign (by hand) while the intervention still takes place: created again.`,
        });
        continue;
      }
      const changes = changedSheetFields(payload, mapping.fingerprint);
      const frozen = course?.locked === true || (start !== null && start <= now);
      // Changed by hand on Edusign (docs/rules.md §7): seen in the listing, set back unless frozen.
      let byHand: readonly string[] =
        !frozen && course?.content !== undefined
          ? sheetDifferences(course as HeldSheet, payload, asWritten, byGroups)
          : NO_FIELDS;
      if (byHand.length > 0 && changes.length > 0)
        byHand = byHand.filter((field) => !changes.includes(field));
      if (changes.length === 0 && byHand.length === 0) {
        unchanged.sheet += 1;
        continue;
      }
      if (course?.locked)
        operations.push(hold('sheet', intervention.id, mapping.edusignId, 'update', 'locked'));
      else if (frozen)
        operations.push(hold('sheet', intervention.id, mapping.edusignId, 'update', 'started'));
      else
        operations.push({
          action: 'update',
          kind: 'sheet',
          aurigaId: intervention.id,
          edusignId: mapping.edusignId,
          payload,
          changes: byHand.length === 0 ? changes : [...changes, ...byHand].sort(),
          reason: updateReason(intervention.id, changes, byHand),
        });
      continue;
    }
    const existing = ourCourse(intervention.id);
    if (existing) {
      const frozen = existing.locked || existing.start <= now;
      operations.push({
        action: 'adopt',
        kind: 'sheet',
        aurigaId: intervention.id,
        edusignId: existing.id,
        origin: 'created',
        matchedBy: 'api_id',
        payload,
        changes: frozen
          ? []
          : existing.content === undefined
            ? Object.keys(payload)
            : [...sheetDifferences(existing as HeldSheet, payload, allOnEdusign, byGroups)],
        ...(frozen ? { frozen: true } : {}),
        reason: `A sheet for intervention ${intervention.id} already exists on Edusign with our external id: taken over, not duplicated${frozen ? ` (left as it is: ${existing.locked ? 'locked' : 'started'})` : ''}.`,
      });
      continue;
    }
    operations.push({
      action: 'create',
      kind: 'sheet',
      aurigaId: intervention.id,
      payload,
      reason: `Intervention ${intervention.id} starts in the window and has no sheet yet.`,
    });
  }

  // Removals and the mass-change guard (docs/rules.md §7).
  const unreadable = new Set(
    snapshot.problems
      .filter((p) => p.row?.favorite === 'interventions')
      .map((p) => p.row?.id as string),
  );
  const found = removals({
    window: snapshot.window,
    now,
    unread,
    managedRead,
    unreadable,
    complete: snapshot.completeness?.complete ?? true,
  });
  const deletions: DeleteOperation[] = [];
  for (const { mapping, verdict } of found.removals) {
    if (verdict === 'delete')
      deletions.push({
        action: 'delete',
        kind: 'sheet',
        aurigaId: mapping.aurigaId,
        edusignId: mapping.edusignId,
        reason: `Intervention ${mapping.aurigaId} no longer appears in the window in Auriga (cancelled or moved out); its sheet has not started.`,
      });
    else operations.push(hold('sheet', mapping.aurigaId, mapping.edusignId, 'delete', verdict));
  }
  const guard = massChangeGuard({
    interventionsRead: snapshot.interventions.length,
    managed: found.managed,
    deletions: deletions.length,
    thresholds: options,
  });
  const held = guard.triggered && !confirmed(input.confirmDeletions, deletions);
  if (held)
    for (const op of deletions)
      operations.push(hold(op.kind, op.aurigaId, op.edusignId, 'delete', 'mass_change_guard'));
  else operations.push(...deletions);

  return deepFreeze({ operations, unchanged, problems, guard: { ...guard, triggered: held } });

  /** The sheet's payload, with the groups the Groups favorite lacks reported and left out. */
  function sheetOf(intervention: Intervention): SheetPayload {
    let payload = sheetPayload(intervention, options);
    const instructors = keep('instructor', payload.instructors);
    const learners = keep('learner', payload.learners);
    if (instructors !== payload.instructors || learners !== payload.learners)
      payload = { ...payload, instructors, learners };
    if (payload.groups.every((g) => knownGroups.has(g))) return payload;
    const unknown = payload.groups.filter((g) => !knownGroups.has(g));
    for (const id of unknown) {
      if (unknownGroupsReported.has(id)) continue;
      unknownGroupsReported.add(id);
      problems.push({
        code: 'group.unknown',
        kind: 'group',
        aurigaId: id,
        row: { favorite: 'interventions', id: intervention.id },
        message: `Group ${id}, listed on intervention ${intervention.id}, is not in the Groups favorite: add it there (or check groupsQueryId); sheets are synced without it.`,
      });
    }
    return unknown.length === 0
      ? payload
      : { ...payload, groups: payload.groups.filter((g) => knownGroups.has(g)) };
  }

  /**
   * A mapped sheet, ahead and inside the window, that Edusign did not list.
   * The run looks each such course up by id before planning, so one moved by
   * hand is in the view: absent, it is gone.
   */
  function vanished(mapping: Mapping, start: string | null): boolean {
    if (mapping.origin !== 'created' || start === null || start <= now) return false;
    return start >= snapshot.window.from && start < snapshot.window.to;
  }
}

/** The Edusign id of an Auriga id, when it exists on Edusign. */
type EdusignIds = (kind: Referenced, aurigaId: string) => string | undefined;

/** What a sheet or a group refers to: people and groups. */
type Referenced = Exclude<EntityKind, 'sheet'>;

const NO_FIELDS: readonly string[] = Object.freeze([]);

/** Why a mapped sheet is updated: Auriga changed it, someone changed it by hand on Edusign, or both. */
function updateReason(id: string, changes: readonly string[], byHand: readonly string[]): string {
  const inAuriga = `Intervention ${id} changed in Auriga (${changes.join(', ')})`;
  const onEdusign = `changed by hand on Edusign (${byHand.join(', ')}): set back to what Auriga says`;
  if (byHand.length === 0) return `${inAuriga}.`;
  if (changes.length === 0) return `The sheet of intervention ${id} was ${onEdusign}.`;
  return `${inAuriga}; the sheet was also ${onEdusign}.`;
}

/** Edusign ids of Auriga ids, in order; undefined when one is not on Edusign yet. */
function resolveAll(
  ids: EdusignIds,
  kind: Referenced,
  aurigaIds: readonly string[],
): string[] | undefined {
  const out: string[] = [];
  for (const id of aurigaIds) {
    const edusignId = ids(kind, id);
    if (edusignId === undefined) return undefined;
    out.push(edusignId);
  }
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

function adoptPerson(
  kind: PersonKind,
  person: Person,
  payload: PersonPayload,
  match: PersonMatch,
): Operation {
  const found = match.record;
  const changes: string[] = [];
  if (found.lastName !== payload.lastName) changes.push('lastName');
  if (found.firstName !== payload.firstName) changes.push('firstName');
  if (found.email !== payload.email) changes.push('email');
  if (match.by === 'email') changes.push('apiId');
  return {
    action: 'adopt',
    kind,
    aurigaId: person.id,
    edusignId: found.id,
    origin: match.by === 'email' ? 'adopted' : 'created',
    matchedBy: match.by,
    payload,
    changes,
    reason:
      match.by === 'email'
        ? `${describePerson(person)} already exists on Edusign with the email ${person.email} (made by hand): taken over and linked, not duplicated.`
        : `${describePerson(person)} already exists on Edusign with our external id: taken over, not duplicated.`,
  };
}

function describePerson(person: Person): string {
  return `${person.kind === 'learner' ? 'Learner' : 'Instructor'} ${person.id} (${person.lastName} ${person.firstName})`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export type { GroupPayload, PersonPayload, SheetPayload };

/** Whether a person's confirmation covers exactly these deletions. */
function confirmed(
  confirmation: boolean | readonly string[] | undefined,
  deletions: readonly DeleteOperation[],
): boolean {
  if (confirmation === undefined || typeof confirmation === 'boolean') return confirmation === true;
  const asked = new Set(confirmation);
  return asked.size === deletions.length && deletions.every((op) => asked.has(op.aurigaId));
}
