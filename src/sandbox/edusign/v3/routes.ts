import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SchoolTables } from '../tables.ts';
import {
  duplicatesIn,
  type Item,
  type ItemOutcome,
  type ItemResult,
  itemError,
  MAX_BATCH_ITEMS,
  type V3Entity,
} from './batch.ts';
import { upsertCourse } from './courses.ts';
import { upsertGroup } from './groups.ts';
import { upsertProfessor, upsertStudent } from './people.ts';

/**
 * The v3 batch-upsert routes over HTTP: `POST /v3/{entity}/batch-upsert`
 * with `{entity: [...]}`, answered `{results: [...]}` with HTTP 200 when
 * every item succeeded and 207 otherwise (all failed included). Items are
 * applied in order, so an item may name a record an earlier one created.
 *
 * Where the spec is silent, the stricter reading:
 * - a body without its list, an empty list or more than 1000 items is
 *   refused whole: HTTP 400 `{code: "VALIDATION_ERROR", message}`, nothing
 *   applied;
 * - fields v3 does not name (say `FIRSTNAME`) are a VALIDATION_ERROR;
 * - every item of a request naming the same record (externalReferenceId or
 *   Edusign id) is refused with DUPLICATE_IN_REQUEST;
 * - a request identical (same token, route and body) to one answered in the
 *   last 5 s, by the sandbox's clock, gets that answer again and is not
 *   applied; the deduplicated request is still counted and rate limited.
 */

export const V3_ROUTES: readonly string[] = Object.freeze(
  (['students', 'professors', 'groups', 'courses'] as const).map(
    (entity) => `POST /v3/${entity}/batch-upsert`,
  ),
);

/** Requests identical to one of the last this many ms are deduplicated. */
export const DEDUP_WINDOW_MS = 5_000;

/** 1000 courses with their lists outgrow Fastify's 1 MiB default. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const UPSERT: Record<
  V3Entity,
  { idKey: string; upsert: (t: SchoolTables, item: Item) => ItemOutcome }
> = {
  students: { idKey: 'studentId', upsert: upsertStudent },
  professors: { idKey: 'professorId', upsert: upsertProfessor },
  groups: { idKey: 'groupId', upsert: upsertGroup },
  courses: { idKey: 'courseId', upsert: upsertCourse },
};

export interface BatchAnswer {
  readonly status: 200 | 207 | 400;
  readonly body: object;
}

/** Apply one batch body to an account's tables. */
export function runBatch(t: SchoolTables, entity: V3Entity, body: unknown): BatchAnswer {
  const items =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)[entity]
      : undefined;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_ITEMS)
    return {
      status: 400,
      body: {
        code: 'VALIDATION_ERROR',
        message: `${entity} must be a list of 1 to ${MAX_BATCH_ITEMS} items${Array.isArray(items) ? `, got ${items.length}` : ''}`,
      },
    };
  const { idKey, upsert } = UPSERT[entity];
  const duplicates = duplicatesIn(items, idKey);
  const results: ItemResult[] = items.map((item: unknown, inputIndex) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return { inputIndex, ...itemError('VALIDATION_ERROR', 'each item must be an object') };
    if (duplicates.has(inputIndex))
      return {
        inputIndex,
        ...itemError(
          'DUPLICATE_IN_REQUEST',
          'another item of this request names the same record: send it once',
        ),
      };
    return { inputIndex, ...upsert(t, item as Item) };
  });
  return {
    status: results.every((r) => r.status === 'success') ? 200 : 207,
    body: { results },
  };
}

/** The answers of one account's last requests, to answer an identical one the same. */
export class RecentBatches {
  readonly #now: () => Date;
  readonly #answers = new Map<string, { at: number; answer: BatchAnswer }>();

  constructor(now: () => Date) {
    this.#now = now;
  }

  /** The answer to `key`: a recent one's, or `run`'s, remembered. */
  answer(key: string, run: () => BatchAnswer): BatchAnswer {
    const now = this.#now().getTime();
    for (const [k, entry] of this.#answers)
      if (now - entry.at >= DEDUP_WINDOW_MS || now < entry.at) this.#answers.delete(k);
    const recent = this.#answers.get(key);
    if (recent) return recent.answer;
    const answer = run();
    if (answer.status !== 400) this.#answers.set(key, { at: now, answer });
    return answer;
  }
}

export interface V3Account {
  readonly tables: SchoolTables;
  readonly recent: RecentBatches;
}

export function registerV3Routes(
  app: FastifyInstance,
  accountOf: (request: FastifyRequest) => V3Account,
): void {
  for (const entity of Object.keys(UPSERT) as V3Entity[]) {
    const url = `/v3/${entity}/batch-upsert`;
    app.post(url, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
      const account = accountOf(request);
      const key = `${url}\u0000${JSON.stringify(request.body ?? null)}`;
      const answer = account.recent.answer(key, () =>
        runBatch(account.tables, entity, request.body),
      );
      return reply.code(answer.status).send(answer.body);
    });
  }
}
