import { existsSync } from 'node:fs';
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
 * configuration file's folder. `readOnly` (a dry run): a SQLite file is
 * read as it is, and one that does not exist yet is not created (an empty
 * store in memory stands in); PostgreSQL is opened as usual.
 */
export async function openStore(
  config: Config['store'],
  options: { readonly readOnly?: boolean } = {},
): Promise<Store> {
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
  if (options.readOnly) {
    // A dry run writes nothing: not even the empty file of a store that does not exist yet.
    return existsSync(config.path)
      ? openSqliteStore(config.path, { readOnly: true })
      : openSqliteStore(':memory:');
  }
  return openSqliteStore(config.path);
}
