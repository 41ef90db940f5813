import type { DatabaseSync } from 'node:sqlite';
import { AppError } from '../../errors/app-error.ts';
import type { Migration } from '../migration.ts';

/**
 * Instants are `toISOString()` text: that shape sorts as text in time order,
 * and comes back exactly as put. STRICT tables refuse a value of the wrong
 * type instead of silently keeping it.
 *
 * The journal holds only writes in flight: `journalEnd` deletes the entry,
 * so what is left at the start of a run is exactly what must be resolved.
 *
 * The run outcome has no CHECK: its list is a state machine likely to grow,
 * and SQLite can only change a CHECK by rebuilding the table. The store checks
 * it in code (checks.ts), for both backends alike.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'mappings, journal, runs, locks',
    sql: `
      CREATE TABLE mappings (
        school TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('sheet', 'learner', 'instructor', 'group')),
        auriga_id TEXT NOT NULL,
        edusign_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('created', 'adopted')),
        course_start TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (school, kind, auriga_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX mappings_by_edusign_id ON mappings (school, kind, edusign_id);

      CREATE TABLE journal (
        school TEXT NOT NULL,
        id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('sheet', 'learner', 'instructor', 'group')),
        auriga_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        fingerprint TEXT NOT NULL,
        started_at TEXT NOT NULL,
        PRIMARY KEY (school, id)
      ) STRICT;
      CREATE INDEX journal_by_start ON journal (school, started_at);

      CREATE TABLE runs (
        school TEXT NOT NULL,
        id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL,
        dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
        report TEXT,
        PRIMARY KEY (school, id)
      ) STRICT;
      CREATE INDEX runs_by_start ON runs (school, started_at);

      CREATE TABLE locks (
        school TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    // Versions 3 and 4 are other features'; numbers are never reused, gaps are fine.
    version: 2,
    name: 'notifications: state, deliveries, attempts',
    sql: `
      CREATE TABLE notify_state (
        school TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- A delivery's notice is JSON text as put; its channel's secret is never here.
      CREATE TABLE notify_deliveries (
        id TEXT PRIMARY KEY,
        school TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
        target TEXT NOT NULL,
        notice TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        next_attempt_at TEXT,
        delivered_at TEXT,
        last_error TEXT
      ) STRICT;
      CREATE INDEX notify_deliveries_due ON notify_deliveries (status, next_attempt_at);
      CREATE INDEX notify_deliveries_by_school ON notify_deliveries (school, created_at);

      -- Every attempt is kept (the console lists them): rowid orders them.
      CREATE TABLE notify_attempts (
        delivery_id TEXT NOT NULL REFERENCES notify_deliveries (id),
        school TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at TEXT NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        status INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX notify_attempts_by_delivery ON notify_attempts (delivery_id);
      CREATE INDEX notify_attempts_by_school ON notify_attempts (school);
    `,
  },
  {
    version: 3,
    name: 'console: accounts, sessions, tokens, sign-in links, audit, kept holds, schools',
    sql: `
      CREATE TABLE console_accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'viewer')),
        schools TEXT NOT NULL,
        password_hash TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE console_sign_in_links (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
      ) STRICT;
      CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX console_sessions_by_account ON console_sessions (account_id);
      CREATE TABLE console_tokens (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE console_audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        school TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
      ) STRICT;
      CREATE INDEX console_audit_by_at ON console_audit (at);
      CREATE TABLE console_dismissed_holds (
        school TEXT NOT NULL,
        set_key TEXT NOT NULL,
        auriga_ids TEXT NOT NULL,
        dismissed_at TEXT NOT NULL,
        dismissed_by TEXT NOT NULL,
        PRIMARY KEY (school, set_key)
      ) STRICT;
      CREATE TABLE console_schools (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  // Version 4 is the fleet's (PostgreSQL only); the numbers name the same step in both stores.
  {
    version: 5,
    name: 'console: failed sign-ins, shared by every process serving the console',
    sql: `
      CREATE TABLE console_sign_in_failures (
        key TEXT NOT NULL,
        at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX console_sign_in_failures_by_key ON console_sign_in_failures (key, at);
    `,
  },
]);

/**
 * Brings the database to the newest schema and returns the versions it
 * applied (none when already there). One IMMEDIATE transaction takes the
 * write lock first, so two processes opening the same new file at once apply
 * each step exactly once: the second waits (busy_timeout), then finds them done.
 */
export function migrateSqlite(
  db: DatabaseSync,
  migrations: readonly Migration[] = SQLITE_MIGRATIONS,
): number[] {
  const applied: number[] = [];
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      ) STRICT`);
    const done = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((row) => Number(row.version)),
    );
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new AppError(
        'store.schema_too_new',
        `The SQLite store is at schema version ${newest}, newer than this program knows (${known}): it was written by a newer auriga-edusign. Upgrade auriga-edusign, or point store.path to another file.`,
      );
    }
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return applied;
}
