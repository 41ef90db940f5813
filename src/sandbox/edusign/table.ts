import { seededRandom } from '../random.ts';
import { fail, type IdPair, type Outcome, ok } from './outcome.ts';

/**
 * The one in-memory table every Edusign entity is kept in: records by ID,
 * in creation order, with the lookups the v1 routes share (the PATCH target
 * named by `ID`, `get-id` by `API_ID`) and paging.
 */

/** What every table's record carries. */
export interface Row {
  readonly ID: string;
  API_ID: string | null;
}

/** Ids shaped like a Mongo ObjectId (24 hex): seconds, a salt, a counter; one per account. */
export class IdMint {
  readonly #now: () => Date;
  readonly #salt: string;
  #counter = 0;

  constructor(now: () => Date) {
    this.#now = now;
    const random = seededRandom('edusign-sandbox');
    this.#salt = Array.from({ length: 10 }, () => random.int(0, 15).toString(16)).join('');
  }

  next(): string {
    this.#counter += 1;
    const seconds = Math.floor(this.#now().getTime() / 1000) >>> 0;
    return `${seconds.toString(16).padStart(8, '0')}${this.#salt}${this.#counter.toString(16).padStart(6, '0')}`;
  }
}

export type EntityName = 'course' | 'student' | 'professor' | 'group';

export class Table<T extends Row> {
  readonly #records = new Map<string, T>();
  readonly #mint: IdMint;
  readonly #entity: EntityName;

  constructor(mint: IdMint, entity: EntityName) {
    this.#mint = mint;
    this.#entity = entity;
  }

  /** `Course not found`: the sentence Edusign answers for an unknown id. */
  get notFound(): string {
    return `${this.#entity.charAt(0).toUpperCase()}${this.#entity.slice(1)} not found`;
  }

  /** Stores the record `build` makes around a fresh ID; returns that ID. */
  insert(build: (ID: string) => T): string {
    const ID = this.#mint.next();
    this.#records.set(ID, build(ID));
    return ID;
  }

  get(id: string): T | undefined {
    return this.#records.get(id);
  }

  has(id: string): boolean {
    return this.#records.has(id);
  }

  delete(id: string): boolean {
    return this.#records.delete(id);
  }

  /** In creation order. */
  values(): T[] {
    return [...this.#records.values()];
  }

  /** The record a PATCH body names by `ID`, or the error Edusign answers. */
  patchTarget(
    input: Record<string, unknown> | undefined,
  ): Outcome<{ ID: string; record: T; body: Record<string, unknown> }> {
    if (input === undefined) return fail([`${this.#entity} is required`]);
    const ID = typeof input.ID === 'string' && input.ID !== '' ? input.ID : undefined;
    if (ID === undefined) return fail(['ID is required']);
    const record = this.#records.get(ID);
    if (!record) return fail(this.notFound);
    return ok({ ID, record, body: input });
  }

  /** The first record created with this `API_ID` (Edusign does not enforce uniqueness). */
  byApiId(apiId: string): T | undefined {
    for (const record of this.#records.values()) if (record.API_ID === apiId) return record;
    return undefined;
  }

  /** `get-id`: `{ID, id}` of the first record created with this `API_ID`. */
  idByApiId(apiId: string): Outcome<IdPair> {
    const record = this.byApiId(apiId);
    return record ? ok({ ID: record.ID, id: record.ID }) : fail(this.notFound);
  }
}

/** One 0-based page of a list. */
export function pageOf<T>(items: readonly T[], page: number, size: number): T[] {
  return items.slice(page * size, page * size + size);
}
