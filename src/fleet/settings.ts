import { isSecretKey } from '../config/keys.ts';
import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { isSealed, open, type SecretKeys, seal } from './secret-key.ts';

/**
 * A school's settings as the fleet keeps them: its resolved configuration
 * with every secret sealed (see secret-key.ts) and without `store`, since a
 * fleet's store is its database. Which keys are secrets is the
 * configuration schema's to say (`isSecretKey`), so a secret setting added
 * to the schema (a webhook's, SMTP's) is sealed here with no change.
 */
export type StoredSettings = Record<string, unknown>;

const contextOf = (school: string, path: readonly string[]) => `${school}\0${path.join('.')}`;

function mapSecrets(
  value: unknown,
  path: string[],
  onSecret: (text: string, path: readonly string[]) => string,
): unknown {
  if (typeof value === 'string') return isSecretKey(path) ? onSecret(value, path) : value;
  if (Array.isArray(value))
    return value.map((v, i) => mapSecrets(v, [...path, String(i)], onSecret));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mapSecrets(v, [...path, k], onSecret)]),
    );
  }
  return value;
}

/** The configuration to store: secrets sealed under the current key, the store left out. */
export function sealSettings(config: Config, keys: SecretKeys): StoredSettings {
  const { store: _store, ...rest } = config;
  return mapSecrets(rest, [], (text, path) =>
    seal(keys, text, contextOf(config.school, path)),
  ) as StoredSettings;
}

/** The stored settings with their secrets open (throws CannotDecrypt naming the school and key). */
export function openSettings(
  school: string,
  stored: StoredSettings,
  keys: SecretKeys,
): StoredSettings {
  return mapSecrets(stored, [], (text, path) =>
    isSealed(text) ? open(keys, text, contextOf(school, path)) : text,
  ) as StoredSettings;
}

/** Re-seal every secret under the current key (rotation). */
export function resealSettings(
  school: string,
  stored: StoredSettings,
  keys: SecretKeys,
): StoredSettings {
  return mapSecrets(stored, [], (text, path) =>
    isSealed(text)
      ? seal(keys, open(keys, text, contextOf(school, path)), contextOf(school, path))
      : text,
  ) as StoredSettings;
}

/** Key ids the stored settings' secrets were sealed under. */
export function keyIdsOf(stored: StoredSettings): Set<string> {
  const ids = new Set<string>();
  mapSecrets(stored, [], (text) => {
    if (isSealed(text)) ids.add(text.slice('enc:v1:'.length).split(':', 1)[0] ?? '');
    return text;
  });
  return ids;
}

/**
 * A runnable configuration from stored settings: opened, then validated by
 * the same schema as a file (a setting written by an older version is
 * checked again), its store the fleet's database.
 */
export function configFromSettings(
  school: string,
  stored: StoredSettings,
  keys: SecretKeys,
): Config {
  const opened = openSettings(school, stored, keys);
  const parsed = parseConfig(
    { ...opened, school },
    { env: {}, source: `school ${school} in the database` },
  );
  return Object.freeze({ ...parsed, store: Object.freeze({ kind: 'postgres' as const }) });
}

/** The Auriga host a school reads from: the per-host concurrency limit's key. */
export function aurigaHostOf(config: Pick<Config, 'auriga'>): string {
  try {
    return new URL(config.auriga.url).host.toLowerCase();
  } catch {
    return config.auriga.url;
  }
}
