import { secretsOf } from '../notify/config.ts';
import { createSecretScrubber, type SecretScrubber } from '../observability/secrets.ts';
import type { Config } from './schema.ts';

/**
 * A log scrubber that knows every secret of these configurations: those under
 * secret-bearing keys (Auriga's password and client secret, the Edusign
 * token, the SMTP password), the webhook secrets (their key, `secret`, is not
 * one `collectSecrets` knows), and the password inside a PostgreSQL
 * connection string. Every command and the service make theirs here.
 */
export function scrubberFor(configs: readonly Config[]): SecretScrubber {
  const scrubber = createSecretScrubber(configs);
  scrubber.add(
    ...secretsOf(configs.flatMap((config) => (config.notifications ? [config.notifications] : []))),
  );
  for (const config of configs) {
    if (config.store.kind !== 'postgres' || !config.store.url) continue;
    try {
      const password = decodeURIComponent(new URL(config.store.url).password);
      if (password !== '') scrubber.add(password);
    } catch {
      // Not a URL (a libpq key=value string): nothing we can pick out safely.
    }
  }
  return scrubber;
}
