import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AppError } from '../../errors/app-error.ts';
import type {
  AttemptRow,
  DeliveryRow,
  DeliveryScope,
  DeliveryStore,
  DeliveryUpdate,
  ListFilter,
} from '../../notify/delivery/port.ts';
import { OPERATOR } from '../../notify/delivery/port.ts';
import { checkInstant, checkLimit, checkSchool, checkText } from '../checks.ts';
import {
  ATTEMPT_COLUMNS,
  type AttemptSqlRow,
  attemptValues,
  DELIVERY_COLUMNS,
  type DeliverySqlRow,
  deliveryValues,
  listLimit,
  toAttempt,
  toDelivery,
  updateValues,
} from '../delivery-rows.ts';

/**
 * The notification queue in the school's SQLite file (migration 2). SQLite
 * has one writer at a time and this connection runs each call to its end
 * without yielding, so a claim (select the due, move their claim) in one
 * IMMEDIATE transaction is never taken twice, by this process or another.
 */
export class SqliteDeliveryStore implements DeliveryStore {
  readonly #db: DatabaseSync;
  readonly #sql: ReturnType<typeof prepare>;
  readonly #fail: (what: string, cause: unknown) => AppError;

  constructor(db: DatabaseSync, fail: (what: string, cause: unknown) => AppError) {
    this.#db = db;
    this.#sql = prepare(db);
    this.#fail = fail;
  }

  /** `work` in one IMMEDIATE transaction (the write lock taken first), errors in our words. */
  #transaction<T>(what: string, work: () => T): T {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = work();
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    } catch (cause) {
      throw this.#fail(what, cause);
    }
  }

  #do<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (cause) {
      throw this.#fail(what, cause);
    }
  }

  async loadState(school: string): Promise<unknown> {
    const row = this.#do('read the notification state', () =>
      this.#sql.loadState.get(checkSchool(school)),
    ) as { state: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.state);
  }

  async saveDecision(
    school: string,
    state: unknown,
    deliveries: readonly DeliveryRow[],
  ): Promise<void> {
    const values = deliveries.map(deliveryValues);
    const json = JSON.stringify(state ?? null);
    this.#transaction(`save the notices of ${school}`, () => {
      this.#sql.saveState.run(checkSchool(school), json, new Date().toISOString());
      for (const row of values) this.#sql.insertDelivery.run(...row);
    });
  }

  async claimDue(
    now: string,
    claimUntil: string,
    limit: number,
    scope: DeliveryScope = {},
  ): Promise<DeliveryRow[]> {
    const at = checkInstant(now, 'now');
    const until = checkInstant(claimUntil, 'claimUntil');
    const schools = scopeJson(scope);
    return this.#transaction('claim the due notices', () => {
      const due = this.#sql.due.all(
        at,
        checkLimit(limit),
        schools,
        operatorOf(scope),
      ) as unknown as DeliverySqlRow[];
      for (const row of due) this.#sql.claim.run(until, row.id);
      return due.map((row) => toDelivery({ ...row, next_attempt_at: until }));
    });
  }

  async dueSchools(now: string, scope: DeliveryScope = {}): Promise<string[]> {
    const at = checkInstant(now, 'now');
    const rows = this.#do('read the schools with notices due', () =>
      this.#sql.dueSchools.all(at, scopeJson(scope), operatorOf(scope)),
    ) as unknown as { school: string }[];
    return rows.map((row) => row.school);
  }

  async nextDueAt(scope: DeliveryScope = {}): Promise<string | null> {
    const row = this.#do('read the next notice due', () =>
      this.#sql.nextDueAt.get(scopeJson(scope), operatorOf(scope)),
    ) as { next: string | null } | undefined;
    return row?.next ?? null;
  }

  async recordAttempt(attempt: AttemptRow, update: DeliveryUpdate): Promise<void> {
    const values = attemptValues(attempt, (ok) => (ok ? 1 : 0));
    const changes = updateValues(update);
    const id = checkText(attempt.deliveryId, 'delivery id');
    this.#transaction(`record attempt ${attempt.attempt} of notice ${id}`, () => {
      const { changes: updated } = this.#sql.update.run(...changes, id);
      if (Number(updated) === 0) throw new Error(`no delivery ${id}`);
      this.#sql.insertAttempt.run(...values);
    });
  }

  async listDeliveries(filter: ListFilter = {}): Promise<DeliveryRow[]> {
    const rows = this.#do('list the notices', () =>
      this.#sql.listDeliveries.all(
        filter.school ?? null,
        filter.deliveryId ?? null,
        listLimit(filter.limit),
      ),
    ) as unknown as DeliverySqlRow[];
    return rows.map(toDelivery);
  }

  async listAttempts(filter: ListFilter = {}): Promise<AttemptRow[]> {
    const rows = this.#do('list the delivery attempts', () =>
      this.#sql.listAttempts.all(
        filter.school ?? null,
        filter.deliveryId ?? null,
        listLimit(filter.limit),
      ),
    ) as unknown as AttemptSqlRow[];
    return rows.map(toAttempt);
  }
}

function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  const deliveries = DELIVERY_COLUMNS.join(', ');
  const attempts = ATTEMPT_COLUMNS.join(', ');
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  return {
    loadState: s('SELECT state FROM notify_state WHERE school = ?'),
    saveState: s(`
      INSERT INTO notify_state (school, state, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (school) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
    // An id already queued is left as it is: the same notice enqueued twice is delivered once.
    insertDelivery: s(
      `INSERT INTO notify_deliveries (${deliveries}) VALUES (${marks(DELIVERY_COLUMNS.length)})
       ON CONFLICT (id) DO NOTHING`,
    ),
    due: s(`
      SELECT ${deliveries} FROM notify_deliveries
      WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?1
        AND (?3 IS NULL OR school IN (SELECT value FROM json_each(?3)))
        AND (?4 = 1 OR substr(channel_id, 1, ${OPERATOR_PREFIX.length}) <> '${OPERATOR_PREFIX}')
      ORDER BY next_attempt_at, created_at, rowid LIMIT ?2`),
    dueSchools: s(`
      SELECT DISTINCT school FROM notify_deliveries
      WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?1
        AND (?2 IS NULL OR school IN (SELECT value FROM json_each(?2)))
        AND (?3 = 1 OR substr(channel_id, 1, ${OPERATOR_PREFIX.length}) <> '${OPERATOR_PREFIX}')
      ORDER BY school`),
    claim: s('UPDATE notify_deliveries SET next_attempt_at = ? WHERE id = ?'),
    nextDueAt: s(
      `SELECT min(next_attempt_at) AS next FROM notify_deliveries WHERE status = 'pending'
       AND (?1 IS NULL OR school IN (SELECT value FROM json_each(?1)))
       AND (?2 = 1 OR substr(channel_id, 1, ${OPERATOR_PREFIX.length}) <> '${OPERATOR_PREFIX}')`,
    ),
    update: s(`
      UPDATE notify_deliveries
      SET status = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, last_error = ?
      WHERE id = ?`),
    insertAttempt: s(
      `INSERT INTO notify_attempts (${attempts}) VALUES (${marks(ATTEMPT_COLUMNS.length)})`,
    ),
    listDeliveries: s(`
      SELECT ${deliveries} FROM notify_deliveries
      WHERE (?1 IS NULL OR school = ?1) AND (?2 IS NULL OR id = ?2)
      ORDER BY created_at DESC, rowid DESC LIMIT ?3`),
    listAttempts: s(`
      SELECT ${attempts} FROM notify_attempts
      WHERE (?1 IS NULL OR school = ?1) AND (?2 IS NULL OR delivery_id = ?2)
      ORDER BY rowid DESC LIMIT ?3`),
  };
}

/** The operator's channel ids start so (a constant of ours, safe in the SQL text). */
const OPERATOR_PREFIX = `${OPERATOR}:`;

/** 1 when the scope takes the operator's deliveries too (the default), else 0. */
const operatorOf = (scope: DeliveryScope): number => (scope.operator === false ? 0 : 1);

/** The scope's schools as a JSON list for json_each, or null for every school. */
const scopeJson = (scope: DeliveryScope): string | null =>
  scope.schools === undefined ? null : JSON.stringify(scope.schools);
