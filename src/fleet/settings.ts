import { isSecretKey } from '../config/keys.ts';
import type { Config } from '../config/schema.ts';
import { SECRET_KEYS } from '../observability/secrets.ts';
import { isSealed, open, type SecretKeys, seal } from './secret-key.ts';

/**
 * A school's settings as the fleet keeps them: its resolved configuration
 * with every secret sealed (see secret-key.ts) and without `store`, since a
 * fleet's store is its database. Which keys are secrets is the
 * configuration schema's to say (`isSecretKey`), so a secret setting added
 * to the schema is sealed here with no change; the names secrets go by
 * (`password`, `secret`, `token`…) are sealed wherever they sit too.
 */
export type StoredSettings = Record<string, unknown>;

const contextOf = (school: string, path: readonly string[]) => `${school}\0${path.join('.')}`;

/**
 * Keys whose value is a secret wherever they sit: the resolved settings can
 * differ in shape from the schema's input (notifications' SMTP login becomes
 * `smtp.auth.password`), so the schema's word alone would miss one.
 */
const SECRET_NAMES = new Set([...SECRET_KEYS.map((k) => k.toLowerCase()), 'secret']);

const isSecretPath = (path: readonly string[]): boolean =>
  isSecretKey(path) || SECRET_NAMES.has((path.at(-1) ?? '').toLowerCase());

function mapSecrets(
  value: unknown,
  path: string[],
  onSecret: (text: string, path: readonly string[]) => string,
): unknown {
  if (typeof value === 'string') return isSecretPath(path) ? onSecret(value, path) : value;
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
 * A runnable configuration from stored settings: its secrets opened, its
 * store the fleet's database. The settings were resolved and validated by
 * the configuration schema at import (`school import` checks a file as
 * `config check` does), so they are the school's Config as it was then.
 */
export function configFromSettings(
  school: string,
  stored: StoredSettings,
  keys: SecretKeys,
): Config {
  const opened = openSettings(school, stored, keys);
  return deepFreeze({
    ...opened,
    school,
    store: { kind: 'postgres' as const },
  }) as unknown as Config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The Auriga host a school reads from: the per-host concurrency limit's key. */
export function aurigaHostOf(config: Pick<Config, 'auriga'>): string {
  try {
    return new URL(config.auriga.url).host.toLowerCase();
  } catch {
    return config.auriga.url;
  }
}
