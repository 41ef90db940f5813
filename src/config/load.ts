import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors/app-error.ts';
import { resolveNotifications } from '../notify/config.ts';
import { describeIssues, type EnvOverride } from './issues.ts';
import { valueKindAt } from './keys.ts';
import { type Config, configSchema, type SecretInput, type storeSchema } from './schema.ts';

/**
 * Environment overrides: `AURIGA_EDUSIGN__AURIGA__PASSWORD=...` sets
 * `auriga.password`. The value is read as the key's type in the schema says:
 * text as it is, numbers and booleans parsed, lists and mappings as JSON.
 */
export const ENV_PREFIX = 'AURIGA_EDUSIGN__';

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
}

/** Read, override, validate and resolve a configuration file. Throws ConfigError naming the key. */
export function loadConfigFile(file: string, options: LoadOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'config.unreadable',
      `Cannot read the configuration file ${file}: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'Check the path given to --config.',
      },
    );
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(
      'config.syntax',
      `The configuration file ${file} is not valid YAML or JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const defaultSchool = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
  return parseConfig(raw, {
    ...options,
    baseDir: path.dirname(path.resolve(file)),
    defaultSchool,
    source: file,
  });
}

export interface ParseOptions extends LoadOptions {
  /** Where relative paths (secret files, the SQLite store) are resolved from. */
  readonly baseDir?: string;
  readonly defaultSchool?: string;
  /** Named in error messages. */
  readonly source?: string;
}

export function parseConfig(raw: unknown, options: ParseOptions = {}): Config {
  const env = options.env ?? process.env;
  const source = options.source ?? 'the configuration';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      'config.shape',
      `${source} must be a mapping with the sections auriga, edusign and options.`,
    );
  }
  const withEnv = structuredClone(raw) as Record<string, unknown>;
  const overrides = applyEnvOverrides(withEnv, env);
  const result = configSchema.safeParse(withEnv);
  if (!result.success) {
    const lines = describeIssues(result.error.issues, {
      input: withEnv,
      overrides,
      variableFor: envVariableFor,
    });
    const fromEnv = lines.filter((line) => line.variable !== undefined).length;
    const one = lines.length === 1;
    const where =
      fromEnv === lines.length
        ? `The environment ${one ? 'override' : 'overrides'} for ${source} ${one ? 'has an error' : 'have errors'}`
        : `${source}${fromEnv > 0 ? ' with its environment overrides' : ''} has ${one ? 'an error' : 'errors'}`;
    throw new ConfigError(
      'config.invalid',
      `${where}:\n${lines.map((line) => `  - ${line.text}`).join('\n')}`,
    );
  }
  const parsed = result.data;
  const baseDir = options.baseDir ?? process.cwd();
  const resolve = (key: string, secret: SecretInput): string =>
    resolveSecret(key, secret, env, baseDir);
  const school = parsed.school ?? options.defaultSchool ?? 'school';
  const store = resolveStore(parsed.store, {
    source,
    school,
    baseDir,
    resolve,
    variable: overrides.find((o) => o.path.join('.') === 'store.url')?.variable,
    pathVariable: overrides.find((o) => o.path.join('.') === 'store.path')?.variable,
  });
  const { notifications, ...rest } = parsed;
  return deepFreeze({
    ...rest,
    school,
    store,
    ...(notifications === undefined
      ? {}
      : {
          notifications: resolveNotifications(notifications, {
            owner: school,
            defaultLanguage: parsed.options.language,
            resolveSecret: resolve,
          }),
        }),
    auriga: {
      ...parsed.auriga,
      clientSecret: resolve('auriga.clientSecret', parsed.auriga.clientSecret),
      password: resolve('auriga.password', parsed.auriga.password),
    },
    edusign: { ...parsed.edusign, token: resolve('edusign.token', parsed.edusign.token) },
  }) as Config;
}

interface StoreContext {
  readonly source: string;
  readonly school: string;
  readonly baseDir: string;
  readonly resolve: (key: string, secret: SecretInput) => string;
  /** The environment variables that set store.url and store.path, if any did. */
  readonly variable: string | undefined;
  readonly pathVariable: string | undefined;
}

const IN_MEMORY = ':memory:';

/** The store settings with the SQLite path made absolute and the connection string resolved and checked. */
function resolveStore(store: z.output<typeof storeSchema>, context: StoreContext): Config['store'] {
  const { source, school, baseDir, resolve, variable } = context;
  const url = store.url === undefined ? undefined : resolve('store.url', store.url);
  if (url !== undefined && !isPostgresUrl(url)) {
    const key = variable === undefined ? 'store.url' : `${variable} (store.url)`;
    const from =
      typeof store.url === 'object' && 'env' in store.url
        ? ` read from the environment variable ${store.url.env}`
        : typeof store.url === 'object'
          ? ` read from ${store.url.file}`
          : '';
    throw new ConfigError(
      'config.invalid',
      `${source}: ${key}: the value${from} is not a PostgreSQL connection string (it is not shown: it may hold a password).`,
      {
        hint: 'Write store.url as postgres://USER:PASSWORD@HOST:5432/DATABASE (or postgresql://...), with the host name of the PostgreSQL server.',
      },
    );
  }
  const withUrl = url === undefined ? { kind: store.kind } : { kind: store.kind, url };
  if (store.kind === 'sqlite') {
    // SQLite's own name for a store that lives as long as the process: for trying a configuration.
    if (store.path === IN_MEMORY) return { ...withUrl, path: IN_MEMORY };
    const file = path.resolve(
      baseDir,
      store.path ?? path.join('.auriga-edusign', `${school}.sqlite`),
    );
    const kernel = kernelFileSystemOf(file);
    if (kernel !== undefined) {
      const key =
        context.pathVariable === undefined ? 'store.path' : `${context.pathVariable} (store.path)`;
      throw new ConfigError(
        'config.invalid',
        `${source}: ${key}: ${file} is under ${kernel}, a kernel file system, not a disk: SQLite cannot keep a store there.`,
        {
          hint: `give store.path a file on a disk, e.g. .auriga-edusign/${school}.sqlite (relative to the configuration file).`,
        },
      );
    }
    return { ...withUrl, path: file };
  }
  if (url === undefined) {
    throw new ConfigError(
      'config.invalid',
      `${source}: store.url is required when store.kind is postgres (e.g. postgres://user@host/db).`,
    );
  }
  return store.path === undefined ? withUrl : { ...withUrl, path: store.path };
}

/**
 * Kernel file systems: files there are not storage, and SQLite on one spins
 * at full CPU and does not answer SIGTERM (/proc), or writes to a device
 * (/dev). Refused as the path is written and as it resolves through links.
 */
const KERNEL_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

function kernelFileSystemOf(file: string): string | undefined {
  const under = (p: string) =>
    KERNEL_FILE_SYSTEMS.find((root) => p === root || p.startsWith(`${root}${path.sep}`));
  return under(file) ?? under(realPathOf(file));
}

/** The path with the links of its deepest existing folder resolved (the file itself may not exist yet). */
function realPathOf(file: string): string {
  let existing = file;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return file;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...rest);
  } catch {
    return file;
  }
}

/** What pg connects with: a postgres:// or postgresql:// URL naming a host (or a socket folder by ?host=). */
function isPostgresUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return false;
  return url.hostname !== '' || (url.searchParams.get('host') ?? '') !== '';
}

/** Sets each key named by an `AURIGA_EDUSIGN__…` variable, in place; returns which variable set which key. */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').map(camelCase);
    let node: Record<string, unknown> = raw;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = keys.at(-1);
    if (last) {
      node[last] = parseEnvValue(keys, value);
      overrides.push({ variable: name, path: keys });
    }
  }
  return overrides;
}

/** The variable that would set a key: `options.windowDays` → `AURIGA_EDUSIGN__OPTIONS__WINDOW_DAYS`. */
function envVariableFor(path: readonly string[]): string {
  return `${ENV_PREFIX}${path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('__')}`;
}

/** `CLIENT_SECRET` and `clientSecret` both name `clientSecret`. */
function camelCase(part: string): string {
  if (!part.includes('_') && part !== part.toUpperCase()) return part;
  return part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * An override's text read as the key's schema type says: a key taking text
 * (a secret too) takes it as it is, so `TOKEN=12345678` or `PASSWORD=007`
 * stay text; a number or a boolean is read when it is one (else left as text,
 * for the schema to say what was expected); a list or mapping is JSON.
 */
function parseEnvValue(path: readonly string[], value: string): unknown {
  const kind = valueKindAt(path);
  const trimmed = value.trim();
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : value;
  if (kind === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : value;
  if (kind === 'structured') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

export function resolveSecret(
  key: string,
  secret: SecretInput,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): string {
  if (typeof secret === 'string') return secret;
  if ('env' in secret) {
    const value = env[secret.env];
    if (value === undefined || value === '') {
      throw new ConfigError(
        'config.secret_missing',
        `${key}: the environment variable ${secret.env} is not set; set it, or give the secret another way.`,
      );
    }
    return value;
  }
  const file = path.resolve(baseDir, secret.file);
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value === '') throw new Error('the file is empty');
    return value;
  } catch (error) {
    throw new ConfigError(
      'config.secret_missing',
      `${key}: cannot read the secret file ${file} (${(error as Error).message}); check the path and its permissions.`,
      { cause: error },
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
