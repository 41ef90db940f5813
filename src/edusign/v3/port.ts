import type { EntityKind } from '../../domain/types.ts';
import { API_TYPE } from '../../rules/ownership.ts';
import { pool } from '../../sync/pool.ts';
import type {
  EdusignPort,
  EdusignView,
  GroupPayload,
  WriteOutcome,
  WriteRequest,
} from '../../sync/ports.ts';
import type { EdusignClient } from '../client.ts';
import { type EdusignErrorCode, isEdusignError, translateBusinessError } from '../errors.ts';
import { createEdusignV1Port } from '../v1/port.ts';
import { groupView, personView } from '../v1/views.ts';
import type { EdusignV3Client, V3ItemResult } from './client.ts';
import { createItem, ENTITY, ERROR_ENTITY, updateItem } from './mapping.ts';

/**
 * The sync's Edusign port over the v3 batch API: learners, instructors,
 * groups and sheets written by `batch-upsert`, up to 1,000 a request. What
 * v3 does not offer stays on v1, through the v1 port: every read (`look`,
 * `getCourse`, and `findByExternalId`, which lists people and groups once
 * instead of asking for each), deletions, group writes that set members
 * (see `writesMembers`), and the adoption of a record made by hand (setting
 * our external id on a record found by email: v3 cannot name a record by
 * its id and give it a reference in one item).
 *
 * Two rules v3 would not keep for us, kept here (edusign-api.md):
 * - v3 matches `externalReferenceId` alone, not its type: a create whose
 *   reference another tool's record carries would take that record over. The
 *   plan's view (v1's listing, which `look` remembers) shows every such
 *   record; no upsert is sent for that reference: the record is created on
 *   v1 instead, beside the other tool's, as the v1 path does (one call), so
 *   the rule and the report are the same on both paths. So is a create of a
 *   kind the view did not list: v1's create cannot take anything over.
 *   The listing shows courses a day around the window only: another tool's
 *   course carrying an intervention's id far from it is not seen (asking
 *   `get-id` for every new sheet would cost the v1 call per sheet that v3
 *   saves).
 * - v3 updates a started or locked course. The plan holds those; a sheet
 *   update whose course the listing showed started or locked, or that has
 *   started since, is refused here too, without asking Edusign.
 */
export interface EdusignV3PortDeps {
  /** Requests in flight at once for the writes left on v1 (members, deletions). @default 4 */
  readonly concurrency?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** At most this many items in one batch (Edusign's limit). */
export const V3_MAX_BATCH = 1000;

type Failure = Extract<WriteOutcome, { ok: false }>;

export function createEdusignV3Port(
  client: EdusignClient,
  v3: EdusignV3Client,
  deps: EdusignV3PortDeps = {},
): EdusignPort {
  const v1 = createEdusignV1Port(client);
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const now = deps.now ?? (() => new Date());
  /** Per kind, the external ids that records of other tools carry; undefined when not listed. */
  const foreign = new Map<EntityKind, Set<string>>();
  /** Courses the listing showed: started or locked ones are never updated. */
  const courses = new Map<string, { start: string; locked: boolean }>();

  function remember(view: EdusignView): void {
    const lists: Array<[EntityKind, readonly { apiId: string | null; apiType: string | null }[]]> =
      [['sheet', view.courses]];
    if (view.students) lists.push(['learner', view.students]);
    if (view.professors) lists.push(['instructor', view.professors]);
    if (view.groups) lists.push(['group', view.groups]);
    for (const [kind, records] of lists) {
      const set = foreign.get(kind) ?? new Set<string>();
      for (const r of records)
        if (r.apiId !== null && r.apiId.trim() !== '' && r.apiType !== API_TYPE) set.add(r.apiId);
      foreign.set(kind, set);
    }
    for (const c of view.courses) courses.set(c.id, { start: c.start, locked: c.locked });
  }

  /**
   * Our people and groups by external id, listed once (a page per 100 records)
   * rather than asked one by one (two calls each): after a run killed during a
   * batch of 1,000 learners, the next run resolves their journal entries with
   * a handful of calls, not 2,000. Dropped at each write, which may change it.
   */
  const listed = new Map<EntityKind, Promise<Map<string, string>>>();
  function ourRecords(kind: EntityKind, signal: AbortSignal | undefined) {
    let records = listed.get(kind);
    if (records === undefined) {
      const list =
        kind === 'learner'
          ? client.listStudents({}, signal).then((all) => all.map(personView))
          : kind === 'instructor'
            ? client.listProfessors(signal).then((all) => all.map(personView))
            : client.listGroups(signal).then((all) => all.map(groupView));
      records = list.then((all) => {
        const byApiId = new Map<string, string>();
        // The first one listed, as get-id answers, when several carry our reference.
        for (const r of all)
          if (r.apiType === API_TYPE && r.apiId !== null && !byApiId.has(r.apiId))
            byApiId.set(r.apiId, r.id);
        return byApiId;
      });
      listed.set(kind, records);
      records.catch(() => listed.delete(kind));
    }
    return records;
  }

  return {
    maxBatch: V3_MAX_BATCH,

    async look(query, signal) {
      const view = await v1.look(query, signal);
      remember(view);
      return view;
    },

    async write(requests, signal) {
      listed.clear();
      const outcomes: (WriteOutcome | undefined)[] = requests.map(() => undefined);
      const onV1: number[] = [];
      const byKind = new Map<EntityKind, { index: number; item: Record<string, unknown> }[]>();
      const at = now().toISOString();
      for (const [index, request] of requests.entries()) {
        if (request.action === 'delete' || writesMembers(request)) {
          onV1.push(index);
          continue;
        }
        if (request.action === 'create') {
          const others = foreign.get(request.kind);
          // Not listed, or carried by another tool's record: created on v1, beside it.
          if (others === undefined || others.has(request.aurigaId)) {
            onV1.push(index);
            continue;
          }
          push(
            byKind,
            request.kind,
            index,
            createItem(request.kind, request.aurigaId, request.payload),
          );
          continue;
        }
        if (request.changes.includes('apiId')) {
          onV1.push(index);
          continue;
        }
        if (request.kind === 'sheet') {
          const course = courses.get(request.edusignId);
          if (course && (course.locked || course.start <= at)) {
            outcomes[index] = course.locked
              ? {
                  ok: false,
                  reason: 'locked',
                  code: 'edusign.course_locked',
                  message: `The sheet of intervention ${request.aurigaId} is locked on Edusign: left as it is.`,
                }
              : {
                  ok: false,
                  reason: 'refused',
                  code: 'sync.started',
                  message: `The sheet of intervention ${request.aurigaId} started before it could be changed: left as it is.`,
                };
            continue;
          }
        }
        const item = updateItem(request.kind, request.edusignId, request.payload, request.changes);
        if (item === undefined) outcomes[index] = { ok: true, edusignId: request.edusignId };
        else push(byKind, request.kind, index, item);
      }

      for (const [kind, entries] of byKind) {
        for (let from = 0; from < entries.length; from += V3_MAX_BATCH) {
          const chunk = entries.slice(from, from + V3_MAX_BATCH);
          const results = await send(kind, chunk, requests, signal);
          for (const [i, entry] of chunk.entries()) outcomes[entry.index] = results[i];
        }
      }

      await pool(onV1, concurrency, signal, async (index) => {
        const [outcome] = await v1.write([requests[index] as WriteRequest], signal);
        outcomes[index] = outcome;
      });
      return outcomes.map(
        (o) =>
          o ?? {
            ok: false,
            reason: 'refused',
            code: 'sync.no_outcome',
            message: 'Edusign gave no result for this record.',
          },
      );
    },

    async findByExternalId(kind, aurigaId, signal) {
      // Sheets cannot be listed without their dates: asked one by one, as on v1.
      if (kind === 'sheet') return v1.findByExternalId(kind, aurigaId, signal);
      return (await ourRecords(kind, signal)).get(aurigaId);
    },
    async getCourse(edusignId, signal) {
      const course = await v1.getCourse(edusignId, signal);
      if (course) courses.set(course.id, { start: course.start, locked: course.locked });
      return course;
    },
  };

  async function send(
    kind: EntityKind,
    entries: readonly { index: number; item: Record<string, unknown> }[],
    requests: readonly WriteRequest[],
    signal: AbortSignal | undefined,
  ): Promise<WriteOutcome[]> {
    const entity = ENTITY[kind];
    const route = `POST /v3/${entity}/batch-upsert`;
    let results: V3ItemResult[];
    try {
      results = await v3.batchUpsert(
        entity,
        entries.map((e) => e.item),
        signal,
      );
    } catch (error) {
      if (signal?.aborted && !isEdusignError(error)) throw error;
      // The whole batch failed: each of its records fails the same way. A lost answer is
      // no `outcome_unknown` here: the next run sends the upserts again, which is safe.
      const outcome = failure(error, route);
      return entries.map(() => outcome);
    }
    const byIndex = new Map(results.map((r) => [r.inputIndex, r]));
    return entries.map((entry, i) => {
      const r = byIndex.get(i);
      const request = requests[entry.index] as Exclude<WriteRequest, { action: 'delete' }>;
      if (r === undefined)
        return {
          ok: false,
          reason: 'refused',
          code: 'sync.no_outcome',
          message: `Edusign's ${route} gave no result for this record; the next run writes it again.`,
        };
      if (r.status === 'success' && r.id !== undefined) return { ok: true, edusignId: r.id };
      return itemFailure(kind, request, r, route);
    });
  }
}

/**
 * A group write that sets members. Membership is not a v3 field, so it costs
 * one v1 call per group whichever API writes the rest: the whole write goes
 * there, in that one call (`POST` or `PATCH /v1/group` with the whole
 * list). Split into a v3 upsert and a v1 membership call, a run killed
 * between the two would leave a group the journal remembers with members it
 * never got.
 */
function writesMembers(request: Exclude<WriteRequest, { action: 'delete' }>): boolean {
  if (request.kind !== 'group') return false;
  return request.action === 'create'
    ? (request.payload as GroupPayload).learners.length > 0
    : request.changes.includes('learners');
}

/** One item's error, as v1's error of the same meaning (so the report reads the same). */
function itemFailure(
  kind: EntityKind,
  request: Exclude<WriteRequest, { action: 'delete' }>,
  result: V3ItemResult,
  route: string,
): Failure {
  const code = result.code ?? 'UNKNOWN';
  const said = result.message ?? 'no message given';
  if (code === `${ERROR_ENTITY[kind]}_NOT_FOUND` && request.action === 'update')
    return {
      ok: false,
      reason: 'not_found',
      code: 'edusign.not_found',
      message: `Edusign found nothing for ${route} (${code}): "${said}"`,
    };
  if (code === 'VALIDATION_ERROR' || code === 'INVALID_DATE_RANGE')
    return {
      ok: false,
      reason: 'refused',
      code: 'edusign.validation',
      message: `Edusign refused the fields sent to ${route} (${code}): ${said}`,
    };
  // Messages v1 knows ("Professor already exists in this school") keep v1's code.
  const translated = translateBusinessError(route, said, 200);
  const known: readonly EdusignErrorCode[] = ['edusign.professor_exists', 'edusign.course_locked'];
  if (known.includes(translated.code))
    return {
      ok: false,
      reason: translated.code === 'edusign.course_locked' ? 'locked' : 'refused',
      code: translated.code,
      message: translated.message,
    };
  return {
    ok: false,
    reason: 'refused',
    code: 'edusign.business',
    message: `Edusign refused ${route} (${code}): "${said}"`,
  };
}

function failure(error: unknown, route: string): Failure {
  if (isEdusignError(error))
    return {
      ok: false,
      reason: error.code === 'edusign.not_found' ? 'not_found' : 'refused',
      code: error.code,
      message: error.message,
    };
  return {
    ok: false,
    reason: 'refused',
    code: 'sync.unexpected',
    message: `${route}: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function push<K, V>(map: Map<K, { index: number; item: V }[]>, key: K, index: number, item: V) {
  const list = map.get(key);
  if (list) list.push({ index, item });
  else map.set(key, [{ index, item }]);
}
