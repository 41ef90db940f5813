import type {
  AttemptRow,
  DeliveryRow,
  DeliveryScope,
  DeliveryStore,
  DeliveryUpdate,
  ListFilter,
} from './port.ts';
import { isOperatorChannel } from './port.ts';

/**
 * The delivery store in memory: for tests, the demo, and a single process
 * that may lose its queue on restart. Rows are copied in and out, as a
 * database would, so that nobody changes a stored row by accident.
 */
export class MemoryDeliveryStore implements DeliveryStore {
  readonly #states = new Map<string, string>();
  readonly #deliveries = new Map<string, DeliveryRow>();
  readonly #attempts: AttemptRow[] = [];

  async loadState(school: string): Promise<unknown> {
    const json = this.#states.get(school);
    return json === undefined ? undefined : JSON.parse(json);
  }

  async saveDecision(
    school: string,
    state: unknown,
    deliveries: readonly DeliveryRow[],
  ): Promise<void> {
    this.#states.set(school, JSON.stringify(state));
    for (const row of deliveries)
      if (!this.#deliveries.has(row.id)) this.#deliveries.set(row.id, copy(row));
  }

  async claimDue(
    now: string,
    claimUntil: string,
    limit: number,
    scope: DeliveryScope = {},
  ): Promise<DeliveryRow[]> {
    const due = [...this.#deliveries.values()]
      .filter(
        (d) =>
          d.status === 'pending' &&
          d.nextAttemptAt !== null &&
          d.nextAttemptAt <= now &&
          inScope(scope, d),
      )
      .sort((a, b) => order(a.nextAttemptAt, b.nextAttemptAt) || order(a.createdAt, b.createdAt))
      .slice(0, limit);
    for (const row of due) this.#deliveries.set(row.id, { ...row, nextAttemptAt: claimUntil });
    return due.map((row) => copy({ ...row, nextAttemptAt: claimUntil }));
  }

  async dueSchools(now: string, scope: DeliveryScope = {}): Promise<string[]> {
    const schools = new Set<string>();
    for (const d of this.#deliveries.values())
      if (
        d.status === 'pending' &&
        d.nextAttemptAt !== null &&
        d.nextAttemptAt <= now &&
        inScope(scope, d)
      )
        schools.add(d.school);
    return [...schools].sort(order);
  }

  async nextDueAt(scope: DeliveryScope = {}): Promise<string | null> {
    let next: string | null = null;
    for (const d of this.#deliveries.values())
      if (
        d.status === 'pending' &&
        inScope(scope, d) &&
        d.nextAttemptAt !== null &&
        (next === null || d.nextAttemptAt < next)
      )
        next = d.nextAttemptAt;
    return next;
  }

  async recordAttempt(attempt: AttemptRow, update: DeliveryUpdate): Promise<void> {
    const row = this.#deliveries.get(attempt.deliveryId);
    if (row === undefined) throw new Error(`no delivery ${attempt.deliveryId}`);
    this.#attempts.push(copy(attempt));
    this.#deliveries.set(row.id, { ...row, ...update });
  }

  async listDeliveries(filter: ListFilter = {}): Promise<DeliveryRow[]> {
    return [...this.#deliveries.values()]
      .filter((d) => matches(filter, d.school, d.id))
      .sort((a, b) => order(b.createdAt, a.createdAt))
      .slice(0, filter.limit ?? 100)
      .map(copy);
  }

  async listAttempts(filter: ListFilter = {}): Promise<AttemptRow[]> {
    return this.#attempts
      .filter((a) => matches(filter, a.school, a.deliveryId))
      .reverse()
      .slice(0, filter.limit ?? 100)
      .map(copy);
  }
}

const copy = <T>(value: T): T => structuredClone(value);
// ISO instants from one clock, all in UTC (`toISOString`), sort as text.
const order = (a: string | null, b: string | null) =>
  (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
const matches = (filter: ListFilter, school: string, deliveryId: string) =>
  (filter.school === undefined || filter.school === school) &&
  (filter.deliveryId === undefined || filter.deliveryId === deliveryId);
const inScope = (scope: DeliveryScope, d: DeliveryRow) =>
  (scope.schools === undefined || scope.schools.includes(d.school)) &&
  (scope.operator !== false || !isOperatorChannel(d.channelId));
