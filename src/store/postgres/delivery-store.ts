import type pg from 'pg';
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
 * The notification queue in the fleet's PostgreSQL schema (migration 2).
 * Deliverers of several workers claim at once: `FOR UPDATE SKIP LOCKED`
 * gives each the due rows nobody else is claiming, without waiting on them.
 */

export interface PostgresDeliveryDeps {
  readonly pool: pg.Pool;
  /** The schema, quoted. */
  readonly q: string;
  readonly fail: (what: string, cause: unknown) => AppError;
  /** Throws once the store is closed. */
  readonly checkOpen: (what: string) => void;
}

/** The operator's channel ids start so (a constant of ours, safe in the SQL text). */
const OPERATOR_PREFIX = `${OPERATOR}:`;

const iso = (column: string, as = column): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${as}`;

const INSTANTS = new Set(['created_at', 'next_attempt_at', 'delivered_at', 'at']);

/** The select list of a table's columns: instants in toISOString shape, JSON as its text. */
function selectList(columns: readonly string[], table = ''): string {
  const prefix = table === '' ? '' : `${table}.`;
  return columns
    .map((c) =>
      INSTANTS.has(c)
        ? iso(`${prefix}${c}`, c)
        : c === 'notice'
          ? `${prefix}notice::text AS notice`
          : `${prefix}${c}`,
    )
    .join(', ');
}

export class PostgresDeliveryStore implements DeliveryStore {
  readonly #deps: PostgresDeliveryDeps;
  readonly #sql: ReturnType<typeof statements>;

  constructor(deps: PostgresDeliveryDeps) {
    this.#deps = deps;
    this.#sql = statements(deps.q);
  }

  async #query<R extends pg.QueryResultRow>(
    what: string,
    sql: string,
    params: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    this.#deps.checkOpen(what);
    try {
      return await this.#deps.pool.query<R>(sql, params as unknown[]);
    } catch (cause) {
      throw this.#deps.fail(what, cause);
    }
  }

  /** `work` on one connection in one transaction. */
  async #transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#deps.checkOpen(what);
    let client: pg.PoolClient;
    try {
      client = await this.#deps.pool.connect();
    } catch (cause) {
      throw this.#deps.fail(what, cause);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (cause) {
      await client.query('ROLLBACK').catch((error: Error) => {
        broken = error;
      });
      throw this.#deps.fail(what, cause);
    } finally {
      client.release(broken);
    }
  }

  async loadState(school: string): Promise<unknown> {
    const { rows } = await this.#query<{ state: string }>(
      'read the notification state',
      this.#sql.loadState,
      [checkSchool(school)],
    );
    return rows[0] === undefined ? undefined : JSON.parse(rows[0].state);
  }

  async saveDecision(
    school: string,
    state: unknown,
    deliveries: readonly DeliveryRow[],
  ): Promise<void> {
    const values = deliveries.map(deliveryValues);
    const json = JSON.stringify(state ?? null);
    await this.#transaction(`save the notices of ${school}`, async (client) => {
      await client.query(this.#sql.saveState, [checkSchool(school), json]);
      for (const row of values) await client.query(this.#sql.insertDelivery, row);
    });
  }

  async claimDue(
    now: string,
    claimUntil: string,
    limit: number,
    scope: DeliveryScope = {},
  ): Promise<DeliveryRow[]> {
    const { rows } = await this.#query<DeliverySqlRow & { due_at: string; seq: string }>(
      'claim the due notices',
      this.#sql.claimDue,
      [
        checkInstant(now, 'now'),
        checkInstant(claimUntil, 'claimUntil'),
        checkLimit(limit),
        scope.schools ?? null,
        scope.operator !== false,
      ],
    );
    // RETURNING keeps no order: oldest due first, as they were selected.
    const order = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
      a.due_at.localeCompare(b.due_at) ||
      a.created_at.localeCompare(b.created_at) ||
      Number(a.seq) - Number(b.seq);
    return rows.sort(order).map(({ due_at: _due, seq: _seq, ...row }) => toDelivery(row));
  }

  async dueSchools(now: string, scope: DeliveryScope = {}): Promise<string[]> {
    const { rows } = await this.#query<{ school: string }>(
      'read the schools with notices due',
      this.#sql.dueSchools,
      [checkInstant(now, 'now'), scope.schools ?? null, scope.operator !== false],
    );
    return rows.map((row) => row.school);
  }

  async nextDueAt(scope: DeliveryScope = {}): Promise<string | null> {
    const { rows } = await this.#query<{ next: string | null }>(
      'read the next notice due',
      this.#sql.nextDueAt,
      [scope.schools ?? null, scope.operator !== false],
    );
    return rows[0]?.next ?? null;
  }

  async recordAttempt(attempt: AttemptRow, update: DeliveryUpdate): Promise<void> {
    const values = attemptValues(attempt, (ok) => ok);
    const changes = updateValues(update);
    const id = checkText(attempt.deliveryId, 'delivery id');
    await this.#transaction(`record attempt ${attempt.attempt} of notice ${id}`, async (client) => {
      const { rowCount } = await client.query(this.#sql.update, [...changes, id]);
      if (rowCount === 0) throw new Error(`no delivery ${id}`);
      await client.query(this.#sql.insertAttempt, values);
    });
  }

  async listDeliveries(filter: ListFilter = {}): Promise<DeliveryRow[]> {
    const { rows } = await this.#query<DeliverySqlRow>(
      'list the notices',
      this.#sql.listDeliveries,
      [filter.school ?? null, filter.deliveryId ?? null, listLimit(filter.limit)],
    );
    return rows.map(toDelivery);
  }

  async listAttempts(filter: ListFilter = {}): Promise<AttemptRow[]> {
    const { rows } = await this.#query<AttemptSqlRow>(
      'list the delivery attempts',
      this.#sql.listAttempts,
      [filter.school ?? null, filter.deliveryId ?? null, listLimit(filter.limit)],
    );
    return rows.map(toAttempt);
  }
}

function statements(q: string) {
  const deliveries = DELIVERY_COLUMNS.join(', ');
  const attempts = ATTEMPT_COLUMNS.join(', ');
  const marks = (columns: readonly string[]) =>
    columns
      .map((c, i) =>
        INSTANTS.has(c)
          ? `$${i + 1}::timestamptz`
          : c === 'notice'
            ? `$${i + 1}::json`
            : `$${i + 1}`,
      )
      .join(', ');
  return {
    loadState: `SELECT state::text AS state FROM ${q}.notify_state WHERE school = $1`,
    saveState: `
      INSERT INTO ${q}.notify_state (school, state, updated_at) VALUES ($1, $2::json, now())
      ON CONFLICT (school) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
    // An id already queued is left as it is: the same notice enqueued twice is delivered once.
    insertDelivery: `
      INSERT INTO ${q}.notify_deliveries (${deliveries}) VALUES (${marks(DELIVERY_COLUMNS)})
      ON CONFLICT (id) DO NOTHING`,
    claimDue: `
      WITH due AS (
        SELECT id, next_attempt_at FROM ${q}.notify_deliveries
        WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
          AND ($4::text[] IS NULL OR school = ANY($4::text[]))
          AND ($5::boolean OR NOT starts_with(channel_id, '${OPERATOR_PREFIX}'))
        ORDER BY next_attempt_at, created_at, seq
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${q}.notify_deliveries d SET next_attempt_at = $2::timestamptz
      FROM due WHERE d.id = due.id
      RETURNING ${selectList(DELIVERY_COLUMNS, 'd')}, d.seq, ${iso('due.next_attempt_at', 'due_at')}`,
    dueSchools: `
      SELECT DISTINCT school FROM ${q}.notify_deliveries
      WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
        AND ($2::text[] IS NULL OR school = ANY($2::text[]))
        AND ($3::boolean OR NOT starts_with(channel_id, '${OPERATOR_PREFIX}'))
      ORDER BY school`,
    nextDueAt: `
      SELECT ${iso('min(next_attempt_at)', 'next')} FROM ${q}.notify_deliveries
      WHERE status = 'pending' AND ($1::text[] IS NULL OR school = ANY($1::text[]))
        AND ($2::boolean OR NOT starts_with(channel_id, '${OPERATOR_PREFIX}'))`,
    update: `
      UPDATE ${q}.notify_deliveries
      SET status = $1, attempts = $2, next_attempt_at = $3::timestamptz,
        delivered_at = $4::timestamptz, last_error = $5
      WHERE id = $6`,
    insertAttempt: `INSERT INTO ${q}.notify_attempts (${attempts}) VALUES (${marks(ATTEMPT_COLUMNS)})`,
    listDeliveries: `
      SELECT ${selectList(DELIVERY_COLUMNS)} FROM ${q}.notify_deliveries
      WHERE ($1::text IS NULL OR school = $1) AND ($2::text IS NULL OR id = $2)
      ORDER BY created_at DESC, seq DESC LIMIT $3`,
    listAttempts: `
      SELECT ${selectList(ATTEMPT_COLUMNS)} FROM ${q}.notify_attempts
      WHERE ($1::text IS NULL OR school = $1) AND ($2::text IS NULL OR delivery_id = $2)
      ORDER BY seq DESC LIMIT $3`,
  };
}
