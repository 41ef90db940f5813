import type pg from 'pg';
import { AppError } from '../../errors/app-error.ts';
import type { Migration } from '../migration.ts';

/**
 * The steps of the PostgreSQL schema, for the schema named `q` (already
 * quoted). Keys and ids are `COLLATE "C"`: byte order, as in SQLite, so both
 * stores list in the same order whatever the database's locale, and the
 * indexes skip locale-aware comparison.
 *
 * The report is `json`, not `jsonb`: `json` keeps the text as written, so a
 * report comes back exactly as put, and it accepts every string
 * `JSON.stringify` writes, where `jsonb` refuses `\u0000` and lone
 * surrogates (both can arrive in a label read from Auriga). The `->`
 * operators still work on it for ad-hoc queries.
 *
 * The journal holds only writes in flight: `journalEnd` deletes the entry,
 * so what is left at the start of a run is exactly what must be resolved.
 *
 * The run outcome has no CHECK: its list is a state machine likely to grow;
 * the store checks it in code, for both backends alike.
 */
export function postgresMigrations(q: string): readonly Migration[] {
  return Object.freeze([
    {
      version: 1,
      name: 'mappings, journal, runs, locks',
      sql: `
        CREATE TABLE ${q}.mappings (
          school text COLLATE "C" NOT NULL,
          kind text COLLATE "C" NOT NULL
            CHECK (kind IN ('sheet', 'learner', 'instructor', 'group')),
          auriga_id text COLLATE "C" NOT NULL,
          edusign_id text COLLATE "C" NOT NULL,
          fingerprint text NOT NULL,
          origin text NOT NULL CHECK (origin IN ('created', 'adopted')),
          course_start timestamptz,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (school, kind, auriga_id)
        );
        CREATE INDEX mappings_by_edusign_id ON ${q}.mappings (school, kind, edusign_id);

        CREATE TABLE ${q}.journal (
          school text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          -- Breaks ties between entries begun at the same instant: oldest first.
          seq bigint GENERATED ALWAYS AS IDENTITY,
          run_id text COLLATE "C" NOT NULL,
          kind text COLLATE "C" NOT NULL
            CHECK (kind IN ('sheet', 'learner', 'instructor', 'group')),
          auriga_id text COLLATE "C" NOT NULL,
          action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
          fingerprint text NOT NULL,
          started_at timestamptz NOT NULL,
          PRIMARY KEY (school, id)
        );
        CREATE INDEX journal_by_start ON ${q}.journal (school, started_at, seq);

        CREATE TABLE ${q}.runs (
          school text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          seq bigint GENERATED ALWAYS AS IDENTITY,
          started_at timestamptz NOT NULL,
          finished_at timestamptz,
          outcome text NOT NULL,
          dry_run boolean NOT NULL,
          report json,
          PRIMARY KEY (school, id)
        );
        CREATE INDEX runs_by_start ON ${q}.runs (school, started_at DESC, seq DESC);

        CREATE TABLE ${q}.locks (
          school text COLLATE "C" PRIMARY KEY,
          owner text NOT NULL,
          expires_at timestamptz NOT NULL
        );
      `,
    },
    {
      // Versions 3 and 4 are other features'; numbers are never reused, gaps are fine.
      version: 2,
      name: 'notifications: state, deliveries, attempts',
      sql: `
        CREATE TABLE ${q}.notify_state (
          school text COLLATE "C" PRIMARY KEY,
          state json NOT NULL,
          updated_at timestamptz NOT NULL
        );

        -- json, not jsonb, as the run reports: the notice comes back as put.
        -- The channel's secret is never here.
        CREATE TABLE ${q}.notify_deliveries (
          id text COLLATE "C" PRIMARY KEY,
          seq bigint GENERATED ALWAYS AS IDENTITY,
          school text COLLATE "C" NOT NULL,
          channel_id text COLLATE "C" NOT NULL,
          channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
          target text NOT NULL,
          notice json NOT NULL,
          status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
          attempts integer NOT NULL,
          created_at timestamptz NOT NULL,
          next_attempt_at timestamptz,
          delivered_at timestamptz,
          last_error text
        );
        CREATE INDEX notify_deliveries_due ON ${q}.notify_deliveries (status, next_attempt_at);
        CREATE INDEX notify_deliveries_by_school ON ${q}.notify_deliveries (school, created_at DESC, seq DESC);

        -- Every attempt is kept (the console lists them): seq orders them.
        CREATE TABLE ${q}.notify_attempts (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          delivery_id text COLLATE "C" NOT NULL REFERENCES ${q}.notify_deliveries (id),
          school text COLLATE "C" NOT NULL,
          attempt integer NOT NULL,
          at timestamptz NOT NULL,
          channel text NOT NULL,
          target text NOT NULL,
          ok boolean NOT NULL,
          status integer,
          error text,
          duration_ms integer NOT NULL
        );
        CREATE INDEX notify_attempts_by_delivery ON ${q}.notify_attempts (delivery_id, seq DESC);
        CREATE INDEX notify_attempts_by_school ON ${q}.notify_attempts (school, seq DESC);
      `,
    },
    {
      version: 3,
      // Instants as ISO text and lists as JSON text, as in SQLite: one
      // console store implementation serves both (store/console/console-store.ts).
      name: 'console: accounts, sessions, tokens, sign-in links, audit, kept holds, schools',
      sql: `
        CREATE TABLE ${q}.console_accounts (
          id text COLLATE "C" PRIMARY KEY,
          email text COLLATE "C" NOT NULL UNIQUE,
          role text NOT NULL CHECK (role IN ('operator', 'admin', 'viewer')),
          schools text NOT NULL,
          password_hash text,
          created_at text NOT NULL
        );
        CREATE TABLE ${q}.console_sign_in_links (
          token_hash text COLLATE "C" PRIMARY KEY,
          account_id text COLLATE "C" NOT NULL,
          expires_at text COLLATE "C" NOT NULL,
          used_at text
        );
        CREATE TABLE ${q}.console_sessions (
          id_hash text COLLATE "C" PRIMARY KEY,
          account_id text COLLATE "C" NOT NULL,
          csrf text NOT NULL,
          created_at text NOT NULL,
          expires_at text COLLATE "C" NOT NULL
        );
        CREATE INDEX console_sessions_by_account ON ${q}.console_sessions (account_id);
        CREATE TABLE ${q}.console_tokens (
          id text COLLATE "C" PRIMARY KEY,
          account_id text COLLATE "C" NOT NULL,
          token_hash text COLLATE "C" NOT NULL UNIQUE,
          name text NOT NULL,
          created_at text NOT NULL
        );
        CREATE TABLE ${q}.console_audit (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at text COLLATE "C" NOT NULL,
          actor text NOT NULL,
          school text COLLATE "C",
          action text NOT NULL,
          detail text NOT NULL
        );
        CREATE INDEX console_audit_by_at ON ${q}.console_audit (at);
        CREATE TABLE ${q}.console_dismissed_holds (
          school text COLLATE "C" NOT NULL,
          set_key text COLLATE "C" NOT NULL,
          auriga_ids text NOT NULL,
          dismissed_at text COLLATE "C" NOT NULL,
          dismissed_by text NOT NULL,
          PRIMARY KEY (school, set_key)
        );
        CREATE TABLE ${q}.console_schools (
          name text COLLATE "C" PRIMARY KEY,
          config text NOT NULL,
          active integer NOT NULL CHECK (active IN (0, 1)),
          created_at text NOT NULL,
          updated_at text NOT NULL
        );
      `,
    },
    {
      version: 4,
      name: 'fleet: schools, their previous settings, workers',
      sql: `
        -- A fleet's schools (src/fleet/schools.ts). settings is the school's
        -- configuration with every secret sealed (AES-256-GCM, src/fleet/secret-key.ts):
        -- a dump of these tables reveals no secret.
        CREATE TABLE ${q}.schools (
          name text COLLATE "C" PRIMARY KEY,
          enabled boolean NOT NULL DEFAULT true,
          version integer NOT NULL,
          settings json NOT NULL,
          auriga_host text COLLATE "C" NOT NULL,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        );
        -- Every previous version of a school's settings, kept on each change
        -- and after a removal without --purge.
        CREATE TABLE ${q}.school_versions (
          name text COLLATE "C" NOT NULL,
          version integer NOT NULL,
          enabled boolean NOT NULL,
          settings json NOT NULL,
          replaced_at timestamptz NOT NULL,
          PRIMARY KEY (name, version)
        );
        -- Worker processes, each renewing seen_at: /metrics counts those alive.
        CREATE TABLE ${q}.fleet_workers (
          id text COLLATE "C" PRIMARY KEY,
          host text NOT NULL,
          pid integer NOT NULL,
          concurrency integer NOT NULL,
          started_at timestamptz NOT NULL,
          seen_at timestamptz NOT NULL
        );
      `,
    },
    {
      version: 5,
      name: 'console: failed sign-ins, shared by every process serving the console',
      sql: `
        -- One row per failed sign-in, keyed by account email or client address
        -- (src/web/auth/throttle.ts); rows older than a day are pruned.
        CREATE TABLE ${q}.console_sign_in_failures (
          key text COLLATE "C" NOT NULL,
          at text NOT NULL
        );
        CREATE INDEX console_sign_in_failures_by_key ON ${q}.console_sign_in_failures (key, at);
      `,
    },
  ]);
}

/**
 * Creates the schema if missing and applies the steps it lacks, returning
 * their versions. All in one transaction behind an advisory lock keyed by the
 * schema: workers of a fleet starting together queue on the lock, the first
 * migrates, the others then find the work done. DDL is transactional in
 * PostgreSQL, so a failed step leaves nothing half applied.
 */
export async function migratePostgres(pool: pg.Pool, schema: string): Promise<number[]> {
  const q = `"${schema}"`;
  const migrations = postgresMigrations(q);
  const client = await pool.connect();
  const applied: number[] = [];
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `auriga-edusign migrations ${schema}`,
    ]);
    // Checked before creating: CREATE SCHEMA IF NOT EXISTS still demands the
    // CREATE privilege on the database, which a fleet's role may lack once
    // an administrator has made the schema for it.
    const schemaFound = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      schema,
    ]);
    if (schemaFound.rowCount === 0) await client.query(`CREATE SCHEMA ${q}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${q}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${q}.schema_migrations`,
    );
    const done = new Set(rows.map((row) => Number(row.version)));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new AppError(
        'store.schema_too_new',
        `The PostgreSQL schema ${schema} is at version ${newest}, newer than this program knows (${known}): a newer auriga-edusign wrote it. Upgrade every worker of the fleet to the same version.`,
      );
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${q}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      // The connection itself is broken: do not hand it back to the pool.
      failure = rollbackError;
    });
    throw error;
  } finally {
    client.release(failure);
  }
}
