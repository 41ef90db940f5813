import pg from 'pg';
import { ConfigError, isAppError } from '../errors/app-error.ts';
import { sleep } from '../http/retry.ts';
import type { Store } from '../store/port.ts';
import { DEFAULT_SCHEMA, openPostgresStore } from '../store/postgres/postgres-store.ts';
import { SchoolsRepository } from './schools.ts';

/**
 * A fleet's database, opened once per process: one pool for the store (runs,
 * mappings, journal, leases) and the schools, migrated under the store's
 * migration lock by whichever process starts first.
 */
export interface FleetDatabase {
  readonly url: string;
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly store: Store;
  readonly schools: SchoolsRepository;
  /** True when a trivial query answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenFleetOptions {
  readonly url: string;
  /** @default 'auriga_edusign' */
  readonly schema?: string;
  /** Pool size: a worker's runs at once, plus its lease presences and the queue's own. @default 10 */
  readonly max?: number;
  /**
   * Keep trying while the database cannot be reached, with a backoff capped
   * at 30 s, saying so through `onRetry`; stops when `signal` aborts. @default 1 try
   */
  readonly attempts?: number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (details: { attempt: number; waitMs: number; error: string }) => void;
}

/** A connection string's shape checked before use; its text is never repeated (it may carry a password). */
export function checkDatabaseUrl(url: string | undefined, flag = '--database'): string {
  if (url === undefined || url === '') {
    throw new ConfigError(
      'config.no_database',
      `${flag} URL is required: the fleet's PostgreSQL, e.g. postgres://user@host:5432/db.`,
    );
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new ConfigError(
      'config.bad_database',
      `${flag} is not a PostgreSQL connection string (it is not shown: it may hold a password).`,
      { hint: 'Write it as postgres://USER:PASSWORD@HOST:5432/DATABASE.' },
    );
  }
  return url;
}

/** Where the database is, for logs and messages: never the password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(database)';
  }
}

export async function openFleetDatabase(options: OpenFleetOptions): Promise<FleetDatabase> {
  const url = checkDatabaseUrl(options.url);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const attempts = options.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: 'auriga-edusign fleet',
      connectionTimeoutMillis: 10_000,
    });
    pool.on('error', () => undefined);
    try {
      const store = await openPostgresStore({ pool, schema });
      const schools = new SchoolsRepository(pool, schema);
      return {
        url,
        schema,
        pool,
        store,
        schools,
        async ping() {
          try {
            await pool.query('SELECT 1');
            return true;
          } catch {
            return false;
          }
        },
        async close() {
          await store.close();
          await pool.end().catch(() => undefined);
        },
      };
    } catch (error) {
      await pool.end().catch(() => undefined);
      // Only an unreachable database is waited for: a schema too new or a refused login is not.
      const unreachable = isAppError(error) && error.code === 'store.unreachable';
      if (attempt >= attempts || options.signal?.aborted || !unreachable) throw error;
      const waitMs = Math.min(30_000, 1000 * 2 ** (attempt - 1));
      options.onRetry?.({ attempt, waitMs, error: (error as Error).message });
      await sleep(waitMs, options.signal);
    }
  }
}
