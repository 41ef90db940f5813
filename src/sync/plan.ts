import type { SyncOptions } from '../config/schema.ts';
import type { AurigaSnapshot, EntityKind, Person, PersonKind, Problem } from '../domain/types.ts';
import type { Mapping } from '../store/port.ts';
import { changedFields } from './fingerprint.ts';
import type { HoldCause, Operation } from './operations.ts';
import {
  API_TYPE,
  type GroupPayload,
  groupPayload,
  type PersonPayload,
  personPayload,
  type SheetPayload,
  sheetPayload,
} from './payloads.ts';
import type { EdusignPersonView, EdusignView } from './ports.ts';

/**
 * The sync's decisions, as a pure function: from what Auriga says, what the
 * store remembers and what Edusign holds, the operations to perform and why.
 * No IO: a dry run prints this; the rules are tested without a server.
 * Rules: sync-rules.md sections 4–7.
 */

export interface PlanInput {
  readonly snapshot: AurigaSnapshot;
  readonly mappings: readonly Mapping[];
  readonly edusign: EdusignView;
  readonly options: Pick<SyncOptions, 'courseNameSeparator' | 'syncGroups' | 'maxDeleteShare'>;
  /** The run's instant (UTC ISO): sheets starting before it have started. */
  readonly now: string;
  /** A person confirmed the deletions the mass-change guard would hold. */
  readonly confirmDeletions?: boolean;
}

export interface GuardResult {
  readonly triggered: boolean;
  /** Sheets we created whose start lies in the window. */
  readonly managed: number;
  readonly deletions: number;
  readonly reason: string | null;
}

export interface Plan {
  readonly operations: readonly Operation[];
  readonly unchanged: Readonly<Record<EntityKind, number>>;
  /** Problems found while planning (the reader's are in the snapshot). */
  readonly problems: readonly Problem[];
  readonly guard: GuardResult;
}

type MappingIndex = Map<EntityKind, Map<string, Mapping>>;

function indexMappings(mappings: readonly Mapping[]): MappingIndex {
  const index: MappingIndex = new Map();
  for (const mapping of mappings) {
    let byId = index.get(mapping.kind);
    if (!byId) {
      byId = new Map();
      index.set(mapping.kind, byId);
    }
    byId.set(mapping.aurigaId, mapping);
  }
  return index;
}

const KIND_WORD: Record<EntityKind, string> = {
  sheet: 'sheet',
  learner: 'learner',
  instructor: 'instructor',
  group: 'group',
};

export function plan(input: PlanInput): Plan {
  const { snapshot, edusign, options, now } = input;
  const mappings = indexMappings(input.mappings);
  const operations: Operation[] = [];
  const problems: Problem[] = [];
  const unchanged: Record<EntityKind, number> = { sheet: 0, learner: 0, instructor: 0, group: 0 };
  const mapped = (kind: EntityKind) => mappings.get(kind) ?? new Map<string, Mapping>();

  // People: sync-rules.md section 5. Only those a sheet in the window lists are in the snapshot.
  for (const [kind, people, listed] of [
    ['learner', snapshot.learners, edusign.students],
    ['instructor', snapshot.instructors, edusign.professors],
  ] as const) {
    const byApiId = indexBy(listed ?? [], (p) => p.apiId);
    const byEmail = indexBy(listed ?? [], (p) => p.email.trim().toLowerCase() || null);
    for (const person of [...people.values()].sort((a, b) => compareIds(a.id, b.id))) {
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
      const byId = pickPerson(byApiId.get(person.id));
      if (byId) {
        operations.push(adoptPerson(kind, person, payload, byId, 'api_id'));
        continue;
      }
      const byMail = pickPerson(byEmail.get(person.email.trim().toLowerCase()));
      if (byMail) {
        operations.push(adoptPerson(kind, person, payload, byMail, 'email'));
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

  // Learners that exist on Edusign after this run (mapped, or created/adopted now).
  const learnersOnEdusign = new Set<string>(mapped('learner').keys());
  for (const op of operations) if (op.kind === 'learner') learnersOnEdusign.add(op.aurigaId);

  // Groups: sync-rules.md section 6, only with the option on.
  const knownGroups = new Set<string>();
  if (options.syncGroups && snapshot.groups) {
    const byApiId = indexBy(edusign.groups ?? [], (g) => g.apiId);
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
      const found = byApiId.get(group.id)?.[0];
      if (found) {
        operations.push({
          action: 'adopt',
          kind: 'group',
          aurigaId: group.id,
          edusignId: found.id,
          origin: found.apiType === API_TYPE ? 'created' : 'adopted',
          matchedBy: 'api_id',
          payload,
          changes: Object.keys(payload),
          reason: `Group ${group.id} already exists on Edusign with this external id: taken over, not duplicated.`,
        });
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

  // Sheets: sync-rules.md sections 4 and 7.
  const coursesById = new Map(edusign.courses.map((c) => [c.id, c]));
  const coursesByApiId = indexBy(edusign.courses, (c) => c.apiId);
  const unknownGroupsReported = new Set<string>();
  const inSnapshot = new Set<string>();
  for (const intervention of [...snapshot.interventions].sort((a, b) => compareIds(a.id, b.id))) {
    inSnapshot.add(intervention.id);
    let payload = sheetPayload(intervention, options);
    if (payload.groups.length > 0) {
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
      if (unknown.length > 0)
        payload = { ...payload, groups: payload.groups.filter((g) => knownGroups.has(g)) };
    }
    const mapping = mapped('sheet').get(intervention.id);
    const course = mapping ? coursesById.get(mapping.edusignId) : undefined;
    if (payload.instructors.length === 0) {
      problems.push({
        code: 'sheet.no_instructor',
        kind: 'sheet',
        aurigaId: intervention.id,
        row: { favorite: 'interventions', id: intervention.id },
        message: `Intervention ${intervention.id} has no instructor with a last name, first name and email: Edusign requires one on every sheet. Add or complete the instructor in Auriga.`,
      });
      if (mapping && changedFields(payload, mapping.fingerprint).length > 0) {
        operations.push(
          hold('sheet', intervention.id, mapping.edusignId, 'update', 'no_instructor'),
        );
      } else if (mapping) unchanged.sheet += 1;
      continue;
    }
    if (mapping) {
      const changes = changedFields(payload, mapping.fingerprint);
      if (changes.length === 0) {
        unchanged.sheet += 1;
        continue;
      }
      const start = course?.start ?? mapping.courseStart;
      if (course?.locked)
        operations.push(hold('sheet', intervention.id, mapping.edusignId, 'update', 'locked'));
      else if (start !== null && start <= now)
        operations.push(hold('sheet', intervention.id, mapping.edusignId, 'update', 'started'));
      else
        operations.push({
          action: 'update',
          kind: 'sheet',
          aurigaId: intervention.id,
          edusignId: mapping.edusignId,
          payload,
          changes,
          reason: `Intervention ${intervention.id} changed in Auriga (${changes.join(', ')}).`,
        });
      continue;
    }
    const existing =
      (coursesByApiId.get(intervention.id) ?? []).find((c) => c.apiType === API_TYPE) ??
      coursesByApiId.get(intervention.id)?.[0];
    if (existing) {
      const frozen = existing.locked || existing.start <= now;
      operations.push({
        action: 'adopt',
        kind: 'sheet',
        aurigaId: intervention.id,
        edusignId: existing.id,
        origin: existing.apiType === API_TYPE ? 'created' : 'adopted',
        matchedBy: 'api_id',
        payload,
        changes: frozen ? [] : Object.keys(payload),
        reason: `A sheet for intervention ${intervention.id} already exists on Edusign: taken over, not duplicated${frozen ? ` (left as it is: ${existing.locked ? 'locked' : 'started'})` : ''}.`,
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

  // Removals: only sheets we created, only ahead and inside the window, never started or locked ones.
  const unreadable = new Set(
    snapshot.problems
      .filter((p) => p.row?.favorite === 'interventions')
      .map((p) => p.row?.id as string),
  );
  const { from, to } = snapshot.window;
  let managed = 0;
  const deletions: Operation[] = [];
  for (const mapping of mapped('sheet').values()) {
    if (mapping.origin !== 'created') continue;
    const course = coursesById.get(mapping.edusignId);
    const start = course?.start ?? mapping.courseStart;
    if (start === null || start < from || start >= to) continue;
    managed += 1;
    if (inSnapshot.has(mapping.aurigaId)) continue;
    if (unreadable.has(mapping.aurigaId)) {
      operations.push(
        hold('sheet', mapping.aurigaId, mapping.edusignId, 'delete', 'unreadable_row'),
      );
    } else if (course?.locked) {
      operations.push(hold('sheet', mapping.aurigaId, mapping.edusignId, 'delete', 'locked'));
    } else if (start <= now) {
      operations.push(hold('sheet', mapping.aurigaId, mapping.edusignId, 'delete', 'started'));
    } else {
      deletions.push({
        action: 'delete',
        kind: 'sheet',
        aurigaId: mapping.aurigaId,
        edusignId: mapping.edusignId,
        reason: `Intervention ${mapping.aurigaId} no longer appears in the window in Auriga (cancelled or moved out); its sheet has not started.`,
      });
    }
  }
  const guard = massChangeGuard(snapshot, managed, deletions.length, options.maxDeleteShare);
  if (guard.triggered && !input.confirmDeletions) {
    for (const op of deletions)
      operations.push(
        hold(
          op.kind,
          op.aurigaId,
          (op as { edusignId: string }).edusignId,
          'delete',
          'mass_change_guard',
        ),
      );
  } else operations.push(...deletions);

  return deepFreeze({
    operations,
    unchanged,
    problems,
    guard: { ...guard, triggered: guard.triggered && !input.confirmDeletions },
  });
}

function massChangeGuard(
  snapshot: AurigaSnapshot,
  managed: number,
  deletions: number,
  maxShare: number,
): GuardResult {
  if (deletions === 0) return { triggered: false, managed, deletions, reason: null };
  if (snapshot.interventions.length === 0)
    return {
      triggered: true,
      managed,
      deletions,
      reason: `Auriga returned no intervention in the window where ${managed} sheet(s) were synced: the ${deletions} deletion(s) are held until a person confirms (sync --confirm-deletions).`,
    };
  if (deletions > maxShare * managed)
    return {
      triggered: true,
      managed,
      deletions,
      reason: `This run would delete ${deletions} of the ${managed} sheets it manages in the window (more than ${Math.round(maxShare * 100)}%): the deletions are held until a person confirms (sync --confirm-deletions).`,
    };
  return { triggered: false, managed, deletions, reason: null };
}

const HOLD_WORDS: Record<HoldCause, string> = {
  locked: 'it is locked on Edusign (signatures collected)',
  started: 'it has already started',
  mass_change_guard: 'the mass-change guard holds deletions until a person confirms',
  no_instructor: 'the intervention has no usable instructor, which Edusign requires',
  unreadable_row: 'its Auriga row could not be read this run (see the problems)',
};

function hold(
  kind: EntityKind,
  aurigaId: string,
  edusignId: string | null,
  wanted: 'create' | 'update' | 'delete',
  cause: HoldCause,
): Operation {
  const verb = wanted === 'delete' ? 'deleted' : wanted === 'update' ? 'updated' : 'created';
  return {
    action: 'hold',
    kind,
    aurigaId,
    edusignId,
    wanted,
    cause,
    reason: `The ${KIND_WORD[kind]} of ${aurigaId} should be ${verb} but is left as it is: ${HOLD_WORDS[cause]}.`,
  };
}

function adoptPerson(
  kind: PersonKind,
  person: Person,
  payload: PersonPayload,
  found: EdusignPersonView,
  matchedBy: 'api_id' | 'email',
): Operation {
  const changes: string[] = [];
  if (found.lastName !== payload.lastName) changes.push('lastName');
  if (found.firstName !== payload.firstName) changes.push('firstName');
  if (found.email !== payload.email) changes.push('email');
  if (found.apiId !== person.id || found.apiType !== API_TYPE) changes.push('apiId');
  return {
    action: 'adopt',
    kind,
    aurigaId: person.id,
    edusignId: found.id,
    origin: found.apiType === API_TYPE ? 'created' : 'adopted',
    matchedBy,
    payload,
    changes,
    reason:
      matchedBy === 'email'
        ? `${describePerson(person)} already exists on Edusign with the email ${person.email} (made by hand): taken over and linked, not duplicated.`
        : `${describePerson(person)} already exists on Edusign with this external id: taken over, not duplicated.`,
  };
}

/** Prefer a visible record, then the oldest listed. */
function pickPerson(
  candidates: readonly EdusignPersonView[] | undefined,
): EdusignPersonView | undefined {
  if (!candidates || candidates.length === 0) return undefined;
  return candidates.find((c) => !c.hidden) ?? candidates[0];
}

function describePerson(person: Person): string {
  return `${person.kind === 'learner' ? 'Learner' : 'Instructor'} ${person.id} (${person.lastName} ${person.firstName})`;
}

function indexBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null || k === '') continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Numeric ids in numeric order, others after, so plans read in a stable order. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export type { GroupPayload, PersonPayload, SheetPayload };
