import { inputOfNotifications } from '../notify/config.ts';
import type { Config } from './schema.ts';

/**
 * A resolved configuration as a file would say it, secrets inline and
 * without its store: what `parseConfig` takes back to the same Config. The
 * fleet keeps each school resolved (its secrets sealed, see
 * src/fleet/settings.ts); the console edits a school from this shape, so a
 * change goes through the very schema `config check` applies.
 */
export function settingsInputOf(config: Config): Record<string, unknown> {
  const { store: _store, notifications, ...rest } = config;
  const input: Record<string, unknown> = structuredClone(rest);
  if (notifications !== undefined) input.notifications = inputOfNotifications(notifications);
  return input;
}
