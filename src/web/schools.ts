import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { ConsoleStore, Store } from '../store/port.ts';

/**
 * The schools the console knows: those of `serve --config FILE` (their
 * settings are the file's: read-only here) and those set up through the
 * console (kept in the console store, runs in the console's store).
 */
export interface ConsoleSchool {
  readonly name: string;
  readonly source: 'file' | 'console';
  /** Activated: its schedule runs. A file's school always is. */
  readonly active: boolean;
  readonly config: Config;
  /** A console school's settings as given (secrets included): the base of an edit. */
  readonly input?: Record<string, unknown>;
  readonly store: Store;
}

export interface SchoolRegistry {
  list(): Promise<ConsoleSchool[]>;
  get(name: string): Promise<ConsoleSchool | undefined>;
  /** The store section a console school's configuration gets: the console's own. */
  readonly storeConfig: Config['store'];
}

/**
 * A console school's settings parsed by the schema `config check` uses,
 * with no environment and no base folder of its own: a setting typed in the
 * console can never read the server's environment variables or files.
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

export function createSchoolRegistry(input: {
  readonly files: readonly Config[];
  readonly storeOf: (school: string) => Store;
  readonly consoleStore: Store;
  readonly storeConfig: Config['store'];
  readonly console: ConsoleStore;
}): SchoolRegistry {
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
    storeConfig: input.storeConfig,
    async list() {
      return [...fromFiles(), ...(await managed())].sort((a, b) => a.name.localeCompare(b.name));
    },
    async get(name) {
      return (await this.list()).find((school) => school.name === name);
    },
  };
}
