import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../errors/app-error.ts';
import {
  type NotificationSettings,
  parseNotifications,
  resolveNotifications,
} from '../notify/config.ts';
import { OPERATOR } from '../notify/notifier.ts';
import { resolveSecret } from './load.ts';

/**
 * The operator's own channels (console.md, Notifications: "per school and for
 * the operator"): a file holding only `notifications:`, in the schema of a
 * school's block, secrets by `{env}` or `{file}`. The operator is told of
 * every school's notices the file's `events` name.
 */
export function loadOperatorFile(file: string, env: NodeJS.ProcessEnv): NotificationSettings {
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'config.unreadable',
      `Cannot read the operator's file ${file}: ${(error as Error).message}`,
      { cause: error, hint: 'Check the path given to --operator.' },
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('config.shape', `${file} must be a mapping with one key, notifications.`);
  const extra = Object.keys(raw).filter((key) => key !== 'notifications');
  if (extra.length > 0)
    throw new ConfigError(
      'config.invalid',
      `${file}: ${extra.map((k) => `operator.${k}`).join(', ')}: unknown key; the operator's file holds only notifications.`,
    );
  const parsed = parseNotifications(
    (raw as { notifications?: unknown }).notifications,
    'operator.notifications',
  );
  const baseDir = path.dirname(path.resolve(file));
  return resolveNotifications(parsed, {
    owner: OPERATOR,
    keyPrefix: 'operator.notifications',
    resolveSecret: (key, secret) => resolveSecret(key, secret, env, baseDir),
  });
}
