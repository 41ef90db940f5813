import pg from 'pg';
import type { EntityKind } from '../../domain/types.ts';
import { AppError, ConfigError, isAppError, TransientError } from '../../errors/app-error.ts';
import type { DeliveryStore } from '../../notify/delivery/port.ts';
import {
  checkInstant,
  checkJournalEntry,
  checkKind,
  checkLimit,
  checkMapping,
  checkOutcome,
  checkSchool,
  checkText,
  lockExpiry,
  reportJson,
  runNotFound,
} from '../checks.ts';
import { createConsoleStore, type SqlValue } from '../console/console-store.ts';
import type { ConsoleStore } from '../console/port.ts';
import type {
  JournalEntry,
  LockOptions,
  Mapping,
  RunOutcome,
  RunRecord,
  SchoolStore,
  Store,
  StoreWrites,
} from '../port.ts';
import { abandonedReport, badTransition, deadOnThisMachine, sourcesOf } from '../presence.ts';
import {
  type JournalRow,
  type MappingRow,
  mappingValues,
  type RunRow,
  toJournalEntry,
  toMapping,
  toRun,
} from '../rows.ts';
import { PostgresDeliveryStore } from './delivery-store.ts';
import { migratePostgres } from './migrations.ts';

export interface PostgresStoreOptions {
  /**
   * `postgres://user:password@host:5432/database`. Without it (and without a
   * pool) the standard PG* environment variables apply.
   */
  readonly connectionString?: string | undefined;
  /** A pool of the caller's: used as is, and left open by `close()`. */
  readonly pool?: pg.Pool | undefined;
  /**
   * Where the tables live; created when missing. Letters, digits and `_`.
   * @default 'auriga_edusign'
   */
  readonly schema?: string | undefined;
}

export const DEFAULT_SCHEMA = 'auriga_edusign';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The fleet's store: every school of every worker in one PostgreSQL schema.
 * Instants are `timestamptz` and read back through `to_char` in UTC, so they
 * come back in `toISOString()` shape whatever the session's time zone or the
 * pool's type parsers; the report is read back as its JSON text.
 */
export async function openPostgresStore(options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      'store.invalid_schema',
      `The PostgreSQL schema name ${JSON.stringify(schema)} is not usable: use lower-case letters, digits and _ (at most 63), starting with a letter or _.`,
    );
  }
  const owned = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      ...(options.connectionString === undefined
        ? {}
        : { connectionString: options.connectionString }),
      application_name: 'auriga-edusign',
    });
  // A pooled connection that dies while idle (server restart, network cut)
  // is dropped by the pool, which emits `error`; unheard, that event would
  // crash the process. The next query simply opens a fresh connection.
  if (owned) pool.on('error', () => undefined);
  const target = describeTarget(options, schema);
  try {
    await migratePostgres(pool, schema);
  } catch (cause) {
    if (owned) await pool.end().catch(() => undefined);
    throw storeError(target, 'prepare the schema', cause);
  }
  return new PostgresStore(pool, owned, statements(`"${schema}"`), target, `"${schema}"`);
}

/** Where the store is, for messages: never the password. */
function describeTarget(options: PostgresStoreOptions, schema: string): string {
  let where = 'from the PG* environment';
  if (options.pool !== undefined) where = 'through the given pool';
  else if (options.connectionString !== undefined) {
    try {
      const url = new URL(options.connectionString);
      where = `at ${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
    } catch {
      where = 'at store.url';
    }
  }
  return `${where}, schema ${schema}`;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53300', // too_many_connections
  '08000', // connection_exception
  '08003',
  '08006',
]);

function errorCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // Node reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  if (cause instanceof AggregateError) return errorCode(cause.errors[0]);
  return undefined;
}

function storeError(target: string, what: string, cause: unknown): AppError {
  if (isAppError(cause)) return cause;
  const code = errorCode(cause);
  const reason = cause instanceof Error && cause.message ? cause.message : (code ?? String(cause));
  const message = `Could not ${what} in the PostgreSQL store (${target}): ${reason}.`;
  if (
    (code !== undefined && UNREACHABLE.has(code)) ||
    /Connection terminated|timeout/i.test(reason)
  ) {
    return new TransientError('store.unreachable', message, {
      cause,
      hint: 'Check that PostgreSQL is running and reachable at the host and port of store.url.',
    });
  }
  if (code === '28P01' || code === '28000') {
    return new ConfigError('store.auth_failed', message, {
      cause,
      hint: 'Check the user and password in store.url.',
    });
  }
  if (code === '3D000') {
    return new ConfigError('store.database_missing', message, {
      cause,
      hint: 'Create the database, or fix its name at the end of store.url.',
    });
  }
  if (code === '42501') {
    return new ConfigError('store.permission_denied', message, {
      cause,
      hint: 'Grant the store.url user the rights to create and use the schema, or have an administrator create it.',
    });
  }
  if (code === '23505') return new AppError('store.conflict', message, { cause });
  return new AppError('store.failed', message, { cause });
}

const iso = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

/** The statements of one schema; the school is always `$1`. */
function statements(q: string) {
  const mappingColumns = `kind, auriga_id, edusign_id, fingerprint, origin, ${iso('course_start')}, ${iso('created_at')}, ${iso('updated_at')}`;
  const journalColumns = `id, run_id, kind, auriga_id, action, fingerprint, ${iso('started_at')}`;
  const runColumns = `id, ${iso('started_at')}, ${iso('finished_at')}, outcome, dry_run, report::text AS report`;
  return {
    listMappings: `SELECT ${mappingColumns} FROM ${q}.mappings WHERE school = $1 ORDER BY kind, auriga_id`,
    listMappingsOfKind: `SELECT ${mappingColumns} FROM ${q}.mappings WHERE school = $1 AND kind = $2 ORDER BY auriga_id`,
    getMapping: `SELECT ${mappingColumns} FROM ${q}.mappings WHERE school = $1 AND kind = $2 AND auriga_id = $3`,
    putMapping: `
      INSERT INTO ${q}.mappings
        (school, kind, auriga_id, edusign_id, fingerprint, origin, course_start, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz)
      ON CONFLICT (school, kind, auriga_id) DO UPDATE SET
        edusign_id = EXCLUDED.edusign_id, fingerprint = EXCLUDED.fingerprint,
        origin = EXCLUDED.origin, course_start = EXCLUDED.course_start,
        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
    deleteMapping: `DELETE FROM ${q}.mappings WHERE school = $1 AND kind = $2 AND auriga_id = $3`,
    journalBegin: `
      INSERT INTO ${q}.journal (school, id, run_id, kind, auriga_id, action, fingerprint, started_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)`,
    journalEnd: `DELETE FROM ${q}.journal WHERE school = $1 AND id = $2`,
    pendingJournal: `SELECT ${journalColumns} FROM ${q}.journal WHERE school = $1 ORDER BY started_at, seq`,
    startRun: `
      INSERT INTO ${q}.runs (school, id, started_at, outcome, dry_run)
      VALUES ($1, $2, $3::timestamptz, 'running', $4)`,
    // The move must be one the table of run states allows from the run's current state.
    finishRun: `
      UPDATE ${q}.runs SET finished_at = $3::timestamptz, outcome = $4, report = $5::json
      WHERE school = $1 AND id = $2 AND outcome = ANY($6::text[])`,
    abandonRuns: `
      UPDATE ${q}.runs SET finished_at = $2::timestamptz, outcome = 'abandoned', report = $3::json
      WHERE school = $1 AND outcome = 'running' AND id <> $4 RETURNING id`,
    recentRuns: `SELECT ${runColumns} FROM ${q}.runs WHERE school = $1 ORDER BY started_at DESC, seq DESC LIMIT $2`,
    getRun: `SELECT ${runColumns} FROM ${q}.runs WHERE school = $1 AND id = $2`,
    // One statement, atomic across processes: the insert, or the takeover of
    // a lock that expired or is already ours. A concurrent taker waits on the
    // row and then sees the winner's lock, still valid: its WHERE fails and
    // RETURNING yields no row.
    tryLock: `
      INSERT INTO ${q}.locks (school, owner, expires_at) VALUES ($1, $2, $3::timestamptz)
      ON CONFLICT (school) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
      WHERE ${q}.locks.expires_at <= $4::timestamptz OR ${q}.locks.owner = EXCLUDED.owner
        OR ${q}.locks.owner = $5
      RETURNING owner`,
    unlock: `DELETE FROM ${q}.locks WHERE school = $1 AND owner = $2`,
    lockHolder: `SELECT owner, expires_at FROM ${q}.locks WHERE school = $1`,
  } as const;
}

type Statements = ReturnType<typeof statements>;

class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #owned: boolean;
  readonly #sql: Statements;
  readonly #target: string;
  readonly #notifications: PostgresDeliveryStore;
  #closed = false;

  readonly #q: string;

  constructor(pool: pg.Pool, owned: boolean, sql: Statements, target: string, q: string) {
    this.#q = q;
    this.#pool = pool;
    this.#owned = owned;
    this.#sql = sql;
    this.#target = target;
    this.#notifications = new PostgresDeliveryStore({
      pool,
      q,
      fail: (what, cause) => storeError(target, what, cause),
      checkOpen: (what) => {
        if (this.#closed)
          throw new AppError('store.closed', `Could not ${what}: the PostgreSQL store was closed.`);
      },
    });
  }

  notifications(): DeliveryStore {
    return this.#notifications;
  }

  forSchool(school: string): SchoolStore {
    return new PostgresSchoolStore(
      checkSchool(school),
      this.#query,
      this.#transaction,
      this.#presence,
    );
  }

  #console: ConsoleStore | undefined;
  console(): ConsoleStore {
    const numbered = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    const query = async (what: string, sql: string, params: readonly SqlValue[]) => {
      if (this.#closed)
        throw new AppError('store.closed', `Could not ${what}: the PostgreSQL store was closed.`);
      try {
        return await this.#pool.query(numbered(sql), params as unknown[]);
      } catch (cause) {
        throw storeError(this.#target, what, cause);
      }
    };
    this.#console ??= createConsoleStore(
      {
        all: async (sql, params) => (await query('read the console records', sql, params)).rows,
        run: async (sql, params) =>
          (await query('write the console records', sql, params)).rowCount ?? 0,
      },
      (name) => `${this.#q}.${name}`,
    );
    return this.#console;
  }

  /**
   * A lease holder's presence: a session-level advisory lock keyed by its id,
   * held on a connection of its own for the run's life. PostgreSQL drops it
   * the moment that connection dies (process killed, machine lost), so a
   * second run can tell at once that the holder is gone.
   */
  #presence: Presence = {
    connect: async (holder) => {
      let client: pg.PoolClient | undefined;
      // A presence connection that dies (server restart, network cut) must not crash the
      // process: the lease may then be taken over, and the next renewal tells this run so.
      // Removed on release: the pool lends the same client to run after run.
      const ignore = () => undefined;
      try {
        client = await this.#pool.connect();
        client.on('error', ignore);
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
          presenceKey(holder),
        ]);
      } catch (cause) {
        // A connection that could not take the lock goes back to the pool broken, not lent again.
        client?.off('error', ignore);
        client?.release(cause as Error);
        throw storeError(this.#target, 'show the run lease holder is alive', cause);
      }
      const held = client;
      return {
        release: async () => {
          await held
            .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [presenceKey(holder)])
            .catch(() => undefined);
          held.off('error', ignore);
          held.release();
        },
      };
    },
    gone: async (holder) => {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.#pool.connect();
        const { rows } = await client.query<{ free: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS free',
          [presenceKey(holder)],
        );
        if (rows[0]?.free !== true) return false;
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
          presenceKey(holder),
        ]);
        return true;
      } catch (cause) {
        throw storeError(this.#target, 'check whether the run lease holder is alive', cause);
      } finally {
        client?.release();
      }
    },
  };

  #query = async <R extends pg.QueryResultRow>(
    what: string,
    sql: keyof Statements,
    params: readonly unknown[],
  ): Promise<pg.QueryResult<R>> => {
    if (this.#closed) {
      throw new AppError('store.closed', `Could not ${what}: the PostgreSQL store was closed.`);
    }
    try {
      return await this.#pool.query<R>(this.#sql[sql], params as unknown[]);
    } catch (cause) {
      throw storeError(this.#target, what, cause);
    }
  };

  /** Statements on one connection between BEGIN and COMMIT: all applied, or none. */
  #transaction: Transaction = async (what, steps) => {
    if (this.#closed) {
      throw new AppError('store.closed', `Could not ${what}: the PostgreSQL store was closed.`);
    }
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#pool.connect();
      await client.query('BEGIN');
      for (const [sql, params] of steps) await client.query(this.#sql[sql], params as unknown[]);
      await client.query('COMMIT');
    } catch (cause) {
      await client?.query('ROLLBACK').catch(() => undefined);
      throw storeError(this.#target, what, cause);
    } finally {
      client?.release();
    }
  };

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#pool.end();
  }
}

interface Presence {
  connect(holder: string): Promise<{ release(): Promise<void> }>;
  gone(holder: string): Promise<boolean>;
}

const presenceKey = (holder: string): string => `auriga-edusign lease holder ${holder}`;

type Query = <R extends pg.QueryResultRow>(
  what: string,
  sql: keyof Statements,
  params: readonly unknown[],
) => Promise<pg.QueryResult<R>>;

type Transaction = (
  what: string,
  steps: ReadonlyArray<readonly [keyof Statements, readonly unknown[]]>,
) => Promise<void>;

class PostgresSchoolStore implements SchoolStore {
  readonly school: string;
  readonly #query: Query;
  readonly #transaction: Transaction;
  readonly #presence: Presence;

  constructor(school: string, query: Query, transaction: Transaction, presence: Presence) {
    this.school = school;
    this.#query = query;
    this.#transaction = transaction;
    this.#presence = presence;
  }

  async commit(writes: StoreWrites): Promise<void> {
    // Checked before the transaction opens: a bad entry writes nothing.
    const school = this.school;
    const steps: Array<readonly [keyof Statements, readonly unknown[]]> = [];
    for (const entry of writes.journalBegin ?? []) {
      const e = checkJournalEntry(entry);
      steps.push([
        'journalBegin',
        [school, e.id, e.runId, e.kind, e.aurigaId, e.action, e.fingerprint, e.startedAt],
      ]);
    }
    for (const mapping of writes.putMappings ?? []) {
      const m = checkMapping(mapping);
      steps.push(['putMapping', mappingValues(school, m)]);
    }
    for (const d of writes.deleteMappings ?? [])
      steps.push(['deleteMapping', [school, checkKind(d.kind), checkText(d.aurigaId, 'aurigaId')]]);
    for (const id of writes.journalEnd ?? [])
      steps.push(['journalEnd', [school, checkText(id, 'journal id')]]);
    if (steps.length === 0) return;
    await this.#transaction(`save ${steps.length} changes in one transaction`, steps);
  }

  async listMappings(kind?: EntityKind): Promise<Mapping[]> {
    const { rows } =
      kind === undefined
        ? await this.#query<MappingRow>('list mappings', 'listMappings', [this.school])
        : await this.#query<MappingRow>('list mappings', 'listMappingsOfKind', [
            this.school,
            checkKind(kind),
          ]);
    return rows.map(toMapping);
  }

  async getMapping(kind: EntityKind, aurigaId: string): Promise<Mapping | undefined> {
    const { rows } = await this.#query<MappingRow>('read a mapping', 'getMapping', [
      this.school,
      checkKind(kind),
      checkText(aurigaId, 'aurigaId'),
    ]);
    return rows[0] === undefined ? undefined : toMapping(rows[0]);
  }

  async putMapping(mapping: Mapping): Promise<void> {
    const m = checkMapping(mapping);
    await this.#query(
      `save the mapping of ${m.kind} ${m.aurigaId}`,
      'putMapping',
      mappingValues(this.school, m),
    );
  }

  async deleteMapping(kind: EntityKind, aurigaId: string): Promise<void> {
    await this.#query(`delete the mapping of ${kind} ${aurigaId}`, 'deleteMapping', [
      this.school,
      checkKind(kind),
      checkText(aurigaId, 'aurigaId'),
    ]);
  }

  async journalBegin(entry: JournalEntry): Promise<void> {
    const e = checkJournalEntry(entry);
    await this.#query(`journal the ${e.action} of ${e.kind} ${e.aurigaId}`, 'journalBegin', [
      this.school,
      e.id,
      e.runId,
      e.kind,
      e.aurigaId,
      e.action,
      e.fingerprint,
      e.startedAt,
    ]);
  }

  async journalEnd(id: string): Promise<void> {
    await this.#query(`end journal entry ${id}`, 'journalEnd', [
      this.school,
      checkText(id, 'journal id'),
    ]);
  }

  async pendingJournal(): Promise<JournalEntry[]> {
    const { rows } = await this.#query<JournalRow>('read the pending journal', 'pendingJournal', [
      this.school,
    ]);
    return rows.map(toJournalEntry);
  }

  async startRun(run: { id: string; startedAt: string; dryRun: boolean }): Promise<void> {
    const id = checkText(run.id, 'run id');
    const startedAt = checkInstant(run.startedAt, 'startedAt');
    await this.#query(`record the start of run ${id}`, 'startRun', [
      this.school,
      id,
      startedAt,
      run.dryRun === true,
    ]);
  }

  async finishRun(
    id: string,
    result: { finishedAt: string; outcome: RunOutcome; report: unknown },
  ): Promise<void> {
    const finishedAt = checkInstant(result.finishedAt, 'finishedAt');
    const outcome = checkOutcome(result.outcome);
    const report = reportJson(result.report);
    const { rowCount } = await this.#query(`record the end of run ${id}`, 'finishRun', [
      this.school,
      id,
      finishedAt,
      outcome,
      report,
      sourcesOf(outcome),
    ]);
    if (rowCount !== 0) return;
    const run = await this.getRun(id);
    if (run === undefined) throw runNotFound(this.school, id);
    throw badTransition(this.school, id, run.outcome, outcome);
  }

  async abandonRuns(options: { except: string; finishedAt: string }): Promise<string[]> {
    const finishedAt = checkInstant(options.finishedAt, 'finishedAt');
    const { rows } = await this.#query<{ id: string }>(
      'record dead runs as abandoned',
      'abandonRuns',
      [
        this.school,
        finishedAt,
        reportJson(abandonedReport(finishedAt)),
        checkText(options.except, 'run id'),
      ],
    );
    return rows.map((row) => row.id);
  }

  async holdPresence(holder: string): Promise<{ release(): Promise<void> }> {
    const client = await this.#presence.connect(checkText(holder, 'lease holder'));
    return client;
  }

  async holderGone(holder: string): Promise<boolean> {
    if (deadOnThisMachine(holder)) return true;
    return this.#presence.gone(checkText(holder, 'lease holder'));
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    const { rows } = await this.#query<RunRow>('list recent runs', 'recentRuns', [
      this.school,
      checkLimit(limit),
    ]);
    return rows.map(toRun);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.#query<RunRow>(`read run ${id}`, 'getRun', [
      this.school,
      checkText(id, 'run id'),
    ]);
    return rows[0] === undefined ? undefined : toRun(rows[0]);
  }

  async tryLock(
    owner: string,
    ttlMs: number,
    now: Date,
    options: LockOptions = {},
  ): Promise<boolean> {
    const who = checkText(owner, 'lock owner');
    const { now: at, expiresAt } = lockExpiry(ttlMs, now);
    // A take-over of nobody: the owner itself, which the condition already allows.
    const dead =
      options.takeOverFrom === undefined ? who : checkText(options.takeOverFrom, 'lock owner');
    const { rowCount } = await this.#query('take the run lock', 'tryLock', [
      this.school,
      who,
      expiresAt,
      at,
      dead,
    ]);
    return rowCount === 1;
  }

  async lockHolder(): Promise<{ owner: string; expiresAt: string } | undefined> {
    const { rows } = await this.#query('read the run lock', 'lockHolder', [this.school]);
    const row = rows[0] as { owner: string; expires_at: Date | string } | undefined;
    return row
      ? { owner: row.owner, expiresAt: new Date(row.expires_at).toISOString() }
      : undefined;
  }

  async unlock(owner: string): Promise<void> {
    await this.#query('release the run lock', 'unlock', [
      this.school,
      checkText(owner, 'lock owner'),
    ]);
  }
}
