import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { ConsoleStore, Store } from '../store/port.ts';

/**
 * The schools the console knows, and where an edit of one is written. Two
 * registries: `serve --config` (the files' schools, read-only here, plus
 * those set up in the console, kept in the console store) and the fleet's
 * (src/fleet/console-schools.ts: the `schools` rows that `school import`
 * writes too, each change keeping the previous version).
 */
export type SchoolSource = 'file' | 'console' | 'database';

export interface ConsoleSchool {
  readonly name: string;
  /** `file` schools are read-only here: their settings are the file's. */
  readonly source: SchoolSource;
  /** Activated: its schedule runs. A file's school always is. */
  readonly active: boolean;
  readonly config: Config;
  /** An editable school's settings as a file would hold them (secrets included): the base of an edit. */
  readonly input?: Record<string, unknown>;
  readonly store: Store;
  /**
   * Why its settings cannot be used now (a secret that does not open under
   * the keys given): nothing reaches Auriga or Edusign with them.
   */
  readonly unusable?: string;
}

export interface SchoolRegistry {
  list(): Promise<ConsoleSchool[]>;
  get(name: string): Promise<ConsoleSchool | undefined>;
  /** An editable school's settings parsed as `config check` would; throws a ConfigError naming the key. */
  parse(name: string, input: Record<string, unknown>): Config;
  /** Write an editable school's settings (validated by `parse`); a new one starts inactive. */
  save(name: string, input: Record<string, unknown>, config: Config): Promise<void>;
  /** Start a school's schedule; false when it was active already. */
  activate(name: string): Promise<boolean>;
}

/**
 * Settings typed in the console parsed by the schema `config check` uses,
 * with no environment and no base folder of their own: a setting typed in
 * the console can never read the server's environment variables or files.
 */
export function parseConsoleSettings(
  name: string,
  input: Record<string, unknown>,
  storeConfig: Config['store'],
): Config {
  return parseConfig(
    { ...input, school: name, store: storeConfig },
    { env: {}, source: `the settings of ${name}` },
  );
}

/** `serve --config`'s registry: the files' schools and the console store's. */
export function createSchoolRegistry(input: {
  readonly files: readonly Config[];
  readonly storeOf: (school: string) => Store;
  readonly consoleStore: Store;
  /** The store section a console school's configuration gets: the console's own. */
  readonly storeConfig: Config['store'];
  readonly console: ConsoleStore;
  readonly now?: () => Date;
}): SchoolRegistry {
  const iso = () => (input.now?.() ?? new Date()).toISOString();
  const fromFiles = (): ConsoleSchool[] =>
    input.files.map((config) => ({
      name: config.school,
      source: 'file',
      active: true,
      config,
      store: input.storeOf(config.school),
    }));
  const managed = async (): Promise<ConsoleSchool[]> => {
    const taken = new Set(input.files.map((c) => c.school));
    const out: ConsoleSchool[] = [];
    for (const school of await input.console.listSchools()) {
      if (taken.has(school.name)) continue;
      const raw = school.config as Record<string, unknown>;
      out.push({
        name: school.name,
        source: 'console',
        active: school.active,
        // Saved only once it parsed: it parses again.
        config: parseConsoleSettings(school.name, raw, input.storeConfig),
        input: raw,
        store: input.consoleStore,
      });
    }
    return out;
  };
  return {
    async list() {
      return [...fromFiles(), ...(await managed())].sort((a, b) => a.name.localeCompare(b.name));
    },
    async get(name) {
      return (await this.list()).find((school) => school.name === name);
    },
    parse: (name, settings) => parseConsoleSettings(name, settings, input.storeConfig),
    async save(name, settings) {
      const before = await input.console.getSchool(name);
      await input.console.putSchool({
        name,
        config: settings,
        active: before?.active ?? false,
        createdAt: before?.createdAt ?? iso(),
        updatedAt: iso(),
      });
    },
    async activate(name) {
      const before = await input.console.getSchool(name);
      if (before === undefined || before.active) return false;
      await input.console.putSchool({ ...before, active: true, updatedAt: iso() });
      return true;
    },
  };
}
