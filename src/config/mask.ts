import { secretsOf } from '../notify/config.ts';
import { isSecretKey } from './keys.ts';
import type { Config } from './schema.ts';

/**
 * A secret is shown back only as a mask: it says that the secret is set and
 * nothing of it, not even its length (a short password is a weak one).
 */
export const MASK = '********';

/**
 * The mask `doctor` shows, with the secret's length so that an admin can tell
 * two secrets apart.
 * @deprecated The length is a hint to the secret: use {@link MASK}. Kept only
 * because `doctor` and its test still expect it; to be moved by their owner.
 */
export function maskSecret(secret: string): string {
  return `${MASK} (${secret.length} characters)`;
}

/** Query parameters libpq reads a password from. */
const PASSWORD_PARAMETERS = ['password', 'sslpassword'];

/**
 * A connection string with its passwords masked, the rest (user, host, port,
 * database, options) kept so an admin can check where it points. What cannot
 * be read as a URL is masked whole: there is no telling where its password is.
 */
export function maskConnectionString(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return MASK;
  }
  if (url.password !== '') url.password = MASK;
  for (const name of PASSWORD_PARAMETERS)
    if (url.searchParams.has(name)) url.searchParams.set(name, MASK);
  return url.href;
}

/** The configuration as `config check` shows it: every key the schema marks as secret masked. */
export function maskConfig(config: Config): unknown {
  // Resolved notifications differ in shape from the schema (`smtp.auth.password`):
  // their secrets are masked by value.
  const notificationSecrets = new Set(
    config.notifications ? secretsOf([config.notifications]) : [],
  );
  const walk = (value: unknown, path: readonly string[]): unknown => {
    if (typeof value === 'string' && (isSecretKey(path) || notificationSecrets.has(value)))
      return path.join('.') === 'store.url' ? maskConnectionString(value) : MASK;
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, String(i)]));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, walk(inner, [...path, key])]),
      );
    return value;
  };
  return walk(config, []);
}
