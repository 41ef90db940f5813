import type { Config } from '../config/schema.ts';
import { ConfigError } from '../errors/app-error.ts';
import type { Store } from './port.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

export * from './port.ts';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.ts';
export { openSqliteStore } from './sqlite/sqlite-store.ts';

/**
 * Opens the store the configuration names, migrated to the current schema.
 * `config/load.ts` has already resolved the SQLite path against the
 * configuration file's folder.
 */
export async function openStore(config: Config['store']): Promise<Store> {
  if (config.kind === 'postgres') {
    if (!config.url) {
      throw new ConfigError(
        'config.invalid',
        'store.url is required when store.kind is postgres (e.g. postgres://user@host/db).',
      );
    }
    return openPostgresStore({ connectionString: config.url });
  }
  if (!config.path) {
    throw new ConfigError(
      'config.invalid',
      'store.path is required when store.kind is sqlite (e.g. .auriga-edusign/my-school.sqlite).',
    );
  }
  return openSqliteStore(config.path);
}
