import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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
import { SqliteDeliveryStore } from './delivery-store.ts';
import { migrateSqlite } from './migrations.ts';

/**
 * How long a statement waits for another connection's write lock before
 * failing. Writes here are single rows and migrations are milliseconds, so
 * 5 s only runs out when something holds the file far longer than it should.
 */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * The embedded store: one SQLite file, for a school synced from one machine.
 * WAL lets a reader (a `plan` preview, a status page) run beside a sync.
 * `synchronous` stays at SQLite's FULL default: a journal entry must be on
 * disk before its request leaves, or a power cut could let us create twice.
 */
export async function openSqliteStore(
  file: string,
  options: { readonly readOnly?: boolean } = {},
): Promise<Store> {
  const where = file === ':memory:' ? 'in memory' : path.resolve(file);
  const readOnly = options.readOnly === true && file !== ':memory:';
  let db: DatabaseSync;
  try {
    if (file !== ':memory:' && !readOnly) mkdirSync(path.dirname(where), { recursive: true });
    db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS, readOnly });
  } catch (cause) {
    throw openFailed(where, cause);
  }
  try {
    // Read-only (a dry run): the file is read as it is, neither switched to WAL nor migrated.
    if (!readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      migrateSqlite(db);
    }
    return new SqliteStore(db, where);
  } catch (cause) {
    db.close();
    const error = storeError(where, 'prepare the store', cause);
    // Busy is worth a retry; anything else unexplained means a bad path or file.
    throw error.code === 'store.failed' ? openFailed(where, cause) : error;
  }
}

function openFailed(where: string, cause: unknown): ConfigError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConfigError(
    'store.open_failed',
    `Could not open the SQLite store ${where}: ${reason}.`,
    {
      cause,
      hint: 'Check store.path in the configuration: its folder must be writable and the file, if it exists, an auriga-edusign SQLite store.',
    },
  );
}

/** SQLite's primary result codes we tell apart (the low byte of an extended code). */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CONSTRAINT = 19;

function storeError(where: string, what: string, cause: unknown): AppError {
  if (isAppError(cause)) return cause;
  const errcode = (cause as { errcode?: unknown } | null)?.errcode;
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
    return new TransientError(
      'store.busy',
      `The SQLite store ${where} stayed locked by another process for ${BUSY_TIMEOUT_MS} ms while trying to ${what}.`,
      {
        cause,
        hint: 'Another auriga-edusign is probably using the same file; try again once it is done.',
      },
    );
  }
  if (primary === SQLITE_CONSTRAINT) {
    return new AppError(
      'store.conflict',
      `Could not ${what} in the SQLite store ${where}: ${reason}.`,
      {
        cause,
      },
    );
  }
  return new AppError(
    'store.failed',
    `Could not ${what} in the SQLite store ${where}: ${reason}.`,
    {
      cause,
    },
  );
}

class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #where: string;
  #notifications: SqliteDeliveryStore | undefined;

  constructor(db: DatabaseSync, where: string) {
    this.#db = db;
    this.#where = where;
    this.#sql = prepare(db);
  }

  notifications(): DeliveryStore {
    this.#notifications ??= new SqliteDeliveryStore(this.#db, (what, cause) =>
      this.#db.isOpen
        ? storeError(this.#where, what, cause)
        : new AppError('store.closed', `Could not ${what}: the SQLite store was closed.`),
    );
    return this.#notifications;
  }

  forSchool(school: string): SchoolStore {
    return new SqliteSchoolStore(checkSchool(school), this.#db, this.#sql, this.#where);
  }

  #console: ConsoleStore | undefined;
  console(): ConsoleStore {
    const db = this.#db;
    const where = this.#where;
    this.#console ??= createConsoleStore(
      {
        async all(sql, params) {
          try {
            return db.prepare(sql).all(...(params as SqlValue[])) as Record<string, unknown>[];
          } catch (cause) {
            throw storeError(where, 'read the console records', cause);
          }
        },
        async run(sql, params) {
          try {
            return Number(db.prepare(sql).run(...(params as SqlValue[])).changes);
          } catch (cause) {
            throw storeError(where, 'write the console records', cause);
          }
        },
      },
      (name) => name,
    );
    return this.#console;
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

type Statements = ReturnType<typeof prepare>;

/** Prepared once per connection; the school is always the first parameter. */
function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  const mappingColumns =
    'kind, auriga_id, edusign_id, fingerprint, origin, course_start, created_at, updated_at';
  const journalColumns = 'id, run_id, kind, auriga_id, action, fingerprint, started_at';
  const runColumns = 'id, started_at, finished_at, outcome, dry_run, report';
  return {
    listMappings: s(
      `SELECT ${mappingColumns} FROM mappings WHERE school = ? ORDER BY kind, auriga_id`,
    ),
    listMappingsOfKind: s(
      `SELECT ${mappingColumns} FROM mappings WHERE school = ? AND kind = ? ORDER BY auriga_id`,
    ),
    getMapping: s(
      `SELECT ${mappingColumns} FROM mappings WHERE school = ? AND kind = ? AND auriga_id = ?`,
    ),
    putMapping: s(`
      INSERT INTO mappings (school, ${mappingColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (school, kind, auriga_id) DO UPDATE SET
        edusign_id = excluded.edusign_id, fingerprint = excluded.fingerprint,
        origin = excluded.origin, course_start = excluded.course_start,
        created_at = excluded.created_at, updated_at = excluded.updated_at`),
    deleteMapping: s('DELETE FROM mappings WHERE school = ? AND kind = ? AND auriga_id = ?'),
    journalBegin: s(
      `INSERT INTO journal (school, ${journalColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    journalEnd: s('DELETE FROM journal WHERE school = ? AND id = ?'),
    pendingJournal: s(
      `SELECT ${journalColumns} FROM journal WHERE school = ? ORDER BY started_at, rowid`,
    ),
    startRun: s(
      `INSERT INTO runs (school, id, started_at, finished_at, outcome, dry_run, report)
       VALUES (?, ?, ?, NULL, 'running', ?, NULL)`,
    ),
    // The move must be one the table of run states allows from the run's current state.
    finishRun: s(
      `UPDATE runs SET finished_at = ?, outcome = ?, report = ?
       WHERE school = ? AND id = ? AND outcome IN (SELECT value FROM json_each(?))`,
    ),
    abandonRuns: s(
      `UPDATE runs SET finished_at = ?, outcome = 'abandoned', report = ?
       WHERE school = ? AND outcome = 'running' AND id <> ? RETURNING id`,
    ),
    recentRuns: s(
      `SELECT ${runColumns} FROM runs WHERE school = ? ORDER BY started_at DESC, rowid DESC LIMIT ?`,
    ),
    getRun: s(`SELECT ${runColumns} FROM runs WHERE school = ? AND id = ?`),
    // One statement, so atomic under SQLite's single writer: it inserts the
    // lock, or takes over one that expired or is already ours; otherwise
    // nothing is written and RETURNING yields no row.
    tryLock: s(`
      INSERT INTO locks (school, owner, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (school) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE locks.expires_at <= ? OR locks.owner = excluded.owner OR locks.owner = ?
      RETURNING owner`),
    unlock: s('DELETE FROM locks WHERE school = ? AND owner = ?'),
    lockHolder: s('SELECT owner, expires_at FROM locks WHERE school = ?'),
  };
}

class SqliteSchoolStore implements SchoolStore {
  readonly school: string;
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #where: string;

  constructor(school: string, db: DatabaseSync, sql: Statements, where: string) {
    this.school = school;
    this.#db = db;
    this.#sql = sql;
    this.#where = where;
  }

  #do<T>(what: string, work: () => T): T {
    if (!this.#db.isOpen) {
      throw new AppError('store.closed', `Could not ${what}: the SQLite store was closed.`);
    }
    try {
      return work();
    } catch (cause) {
      throw storeError(this.#where, what, cause);
    }
  }

  async listMappings(kind?: EntityKind): Promise<Mapping[]> {
    const rows = this.#do('list mappings', () =>
      kind === undefined
        ? this.#sql.listMappings.all(this.school)
        : this.#sql.listMappingsOfKind.all(this.school, checkKind(kind)),
    );
    return (rows as unknown as MappingRow[]).map(toMapping);
  }

  async getMapping(kind: EntityKind, aurigaId: string): Promise<Mapping | undefined> {
    const row = this.#do('read a mapping', () =>
      this.#sql.getMapping.get(this.school, checkKind(kind), checkText(aurigaId, 'aurigaId')),
    );
    return row === undefined ? undefined : toMapping(row as unknown as MappingRow);
  }

  async putMapping(mapping: Mapping): Promise<void> {
    const m = checkMapping(mapping);
    this.#do(`save the mapping of ${m.kind} ${m.aurigaId}`, () =>
      this.#sql.putMapping.run(...mappingValues(this.school, m)),
    );
  }

  async deleteMapping(kind: EntityKind, aurigaId: string): Promise<void> {
    this.#do(`delete the mapping of ${kind} ${aurigaId}`, () =>
      this.#sql.deleteMapping.run(this.school, checkKind(kind), checkText(aurigaId, 'aurigaId')),
    );
  }

  async commit(writes: StoreWrites): Promise<void> {
    // Checked before the transaction opens: a bad entry writes nothing.
    const begin = (writes.journalBegin ?? []).map(checkJournalEntry);
    const put = (writes.putMappings ?? []).map(checkMapping);
    const drop = (writes.deleteMappings ?? []).map((d) => ({
      kind: checkKind(d.kind),
      aurigaId: checkText(d.aurigaId, 'aurigaId'),
    }));
    const end = (writes.journalEnd ?? []).map((id) => checkText(id, 'journal id'));
    if (begin.length + put.length + drop.length + end.length === 0) return;
    const sql = this.#sql;
    const school = this.school;
    this.#do(
      `save ${begin.length + put.length + drop.length + end.length} changes in one transaction`,
      () => {
        // node:sqlite is synchronous: nothing else runs on this connection until COMMIT.
        this.#db.exec('BEGIN IMMEDIATE');
        try {
          for (const e of begin)
            sql.journalBegin.run(
              school,
              e.id,
              e.runId,
              e.kind,
              e.aurigaId,
              e.action,
              e.fingerprint,
              e.startedAt,
            );
          for (const m of put) sql.putMapping.run(...mappingValues(school, m));
          for (const d of drop) sql.deleteMapping.run(school, d.kind, d.aurigaId);
          for (const id of end) sql.journalEnd.run(school, id);
          this.#db.exec('COMMIT');
        } catch (error) {
          if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
          throw error;
        }
      },
    );
  }

  async journalBegin(entry: JournalEntry): Promise<void> {
    const e = checkJournalEntry(entry);
    this.#do(`journal the ${e.action} of ${e.kind} ${e.aurigaId}`, () =>
      this.#sql.journalBegin.run(
        this.school,
        e.id,
        e.runId,
        e.kind,
        e.aurigaId,
        e.action,
        e.fingerprint,
        e.startedAt,
      ),
    );
  }

  async journalEnd(id: string): Promise<void> {
    this.#do(`end journal entry ${id}`, () =>
      this.#sql.journalEnd.run(this.school, checkText(id, 'journal id')),
    );
  }

  async pendingJournal(): Promise<JournalEntry[]> {
    const rows = this.#do('read the pending journal', () =>
      this.#sql.pendingJournal.all(this.school),
    );
    return (rows as unknown as JournalRow[]).map(toJournalEntry);
  }

  async startRun(run: { id: string; startedAt: string; dryRun: boolean }): Promise<void> {
    const id = checkText(run.id, 'run id');
    const startedAt = checkInstant(run.startedAt, 'startedAt');
    this.#do(`record the start of run ${id}`, () =>
      this.#sql.startRun.run(this.school, id, startedAt, run.dryRun === true ? 1 : 0),
    );
  }

  async finishRun(
    id: string,
    result: { finishedAt: string; outcome: RunOutcome; report: unknown },
  ): Promise<void> {
    const finishedAt = checkInstant(result.finishedAt, 'finishedAt');
    const outcome = checkOutcome(result.outcome);
    const report = reportJson(result.report);
    const { changes } = this.#do(`record the end of run ${id}`, () =>
      this.#sql.finishRun.run(
        finishedAt,
        outcome,
        report,
        this.school,
        id,
        JSON.stringify(sourcesOf(outcome)),
      ),
    );
    if (Number(changes) > 0) return;
    const run = await this.getRun(id);
    if (run === undefined) throw runNotFound(this.school, id);
    throw badTransition(this.school, id, run.outcome, outcome);
  }

  async abandonRuns(options: { except: string; finishedAt: string }): Promise<string[]> {
    const finishedAt = checkInstant(options.finishedAt, 'finishedAt');
    const rows = this.#do('record dead runs as abandoned', () =>
      this.#sql.abandonRuns.all(
        finishedAt,
        reportJson(abandonedReport(finishedAt)),
        this.school,
        checkText(options.except, 'run id'),
      ),
    ) as unknown as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  async holdPresence(): Promise<{ release(): Promise<void> }> {
    // One file on one machine: the holder's pid is its presence (see holderGone).
    return { release: async () => undefined };
  }

  async holderGone(holder: string): Promise<boolean> {
    return deadOnThisMachine(holder);
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    const rows = this.#do('list recent runs', () =>
      this.#sql.recentRuns.all(this.school, checkLimit(limit)),
    );
    return (rows as unknown as RunRow[]).map(toRun);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.#do(`read run ${id}`, () =>
      this.#sql.getRun.get(this.school, checkText(id, 'run id')),
    );
    return row === undefined ? undefined : toRun(row as unknown as RunRow);
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
    const row = this.#do('take the run lock', () =>
      this.#sql.tryLock.get(this.school, who, expiresAt, at, dead),
    );
    return row !== undefined;
  }

  async lockHolder(): Promise<{ owner: string; expiresAt: string } | undefined> {
    const row = this.#do('read the run lock', () => this.#sql.lockHolder.get(this.school)) as
      | { owner: string; expires_at: string }
      | undefined;
    return row
      ? { owner: row.owner, expiresAt: new Date(row.expires_at).toISOString() }
      : undefined;
  }

  async unlock(owner: string): Promise<void> {
    this.#do('release the run lock', () =>
      this.#sql.unlock.run(this.school, checkText(owner, 'lock owner')),
    );
  }
}
