import { settingsInputOf } from '../config/input-of.ts';
import type { Config } from '../config/schema.ts';
import { type ConsoleSchool, parseConsoleSettings, type SchoolRegistry } from '../web/schools.ts';
import type { FleetDatabase } from './database.ts';
import type { SecretKeys } from './secret-key.ts';
import { configFromSettings, type StoredSettings } from './settings.ts';

/**
 * The console's schools in a fleet: the `schools` rows, the very ones
 * `school import` writes. An edit in the console is an import of the
 * settings it validated (the previous version kept in school_versions); a
 * school added in the console starts disabled until it is activated.
 *
 * A row whose secrets do not open under the keys given is still listed, so
 * its admin sees it, marked unusable: nothing is sent with it.
 */
export function fleetSchoolRegistry(
  db: FleetDatabase,
  keys: SecretKeys,
  options: { readonly now?: () => Date } = {},
): SchoolRegistry {
  const now = () => options.now?.() ?? new Date();
  /** Opened settings by school, kept while its version is the same: a page opens no secret twice. */
  const opened = new Map<string, { version: number; school: Omit<ConsoleSchool, 'active'> }>();

  const toSchool = (row: {
    name: string;
    enabled: boolean;
    version: number;
    settings: StoredSettings;
  }): ConsoleSchool => {
    let cached = opened.get(row.name);
    if (cached === undefined || cached.version !== row.version) {
      cached = { version: row.version, school: openRow(row.name, row.settings) };
      opened.set(row.name, cached);
    }
    return { ...cached.school, active: row.enabled };
  };

  const openRow = (name: string, settings: StoredSettings): Omit<ConsoleSchool, 'active'> => {
    try {
      const config = configFromSettings(name, settings, keys);
      return {
        name,
        source: 'database',
        config,
        input: settingsInputOf(config),
        store: db.store,
      };
    } catch (error) {
      // Shown, never used: its sealed values stand where its secrets would.
      return {
        name,
        source: 'database',
        config: { ...settings, school: name, store: { kind: 'postgres' } } as unknown as Config,
        store: db.store,
        unusable: (error as Error).message,
      };
    }
  };

  return {
    async list() {
      const rows = await db.schools.all();
      const names = new Set(rows.map((row) => row.name));
      for (const name of opened.keys()) if (!names.has(name)) opened.delete(name);
      return rows.map(toSchool);
    },
    async get(name) {
      const row = await db.schools.get(name);
      return row === undefined ? undefined : toSchool(row);
    },
    parse(name, input) {
      // The store is the fleet's database: checked as any store, then left out of what is
      // shown and kept (sealSettings never stores it).
      const config = parseConsoleSettings(name, input, { kind: 'postgres', url: db.url });
      return Object.freeze({ ...config, store: { kind: 'postgres' as const } });
    },
    async save(_name, _input, config) {
      await db.schools.import(config, keys, now(), { enabledIfNew: false });
    },
    async activate(name) {
      const row = await db.schools.get(name);
      if (row === undefined || row.enabled) return false;
      return db.schools.setEnabled(name, true, now());
    },
  };
}
