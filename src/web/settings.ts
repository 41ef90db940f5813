import { MASK } from '../config/mask.ts';
import { inputOfNotifications, type NotificationSettings } from '../notify/config.ts';
import { WebError } from './errors.ts';

/** The secret settings: never sent back, kept as they are when a form leaves them empty. */
const SECRET_PATHS = ['auriga.clientSecret', 'auriga.password', 'edusign.token'];

const SECTIONS = ['auriga', 'edusign', 'options', 'notifications'] as const;

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const invalid = (message: string) => new WebError(400, 'settings.invalid', message);

/** Nothing given: an empty field, a null, the mask a reader was shown. */
const leftEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || value === MASK;

/**
 * A secret typed in, or undefined when left empty (keep the stored one). A
 * reference to the server's environment or files (`{ env }`, `{ file }`) is
 * refused: a setting from the console must not read them.
 */
function typedSecret(path: string, value: unknown): string | undefined {
  if (leftEmpty(value)) return undefined;
  if (typeof value !== 'string')
    throw invalid(
      `${path}: must be typed in: references to the server's environment or files are not taken from the console.`,
    );
  return value;
}

/**
 * A settings change over the settings as they are, section by section. A
 * secret left empty keeps its value; a secret given as `{ env }` or
 * `{ file }` is refused, for it would read the server's environment or disk.
 * `notifications` merges the same way one level down (see
 * `mergeNotifications`); `notifications: null` removes them.
 */
export function mergeSettings(base: Mapping, change: Mapping): Mapping {
  const out: Mapping = structuredClone(base);
  for (const key of Object.keys(change))
    if (!(SECTIONS as readonly string[]).includes(key))
      throw invalid(`Unknown section "${key}": ${SECTIONS.join(', ')}.`);
  for (const section of ['auriga', 'edusign', 'options'] as const) {
    const given = change[section];
    if (given === undefined) continue;
    if (!isMapping(given)) throw invalid(`${section} must be an object.`);
    const merged = { ...((out[section] as Mapping | undefined) ?? {}) };
    for (const [key, value] of Object.entries(given)) {
      const path = `${section}.${key}`;
      if (SECRET_PATHS.includes(path)) {
        const secret = typedSecret(path, value);
        if (secret !== undefined) merged[key] = secret;
        continue;
      }
      if (value === '' || value === null) delete merged[key];
      else merged[key] = value;
    }
    out[section] = merged;
  }
  if (change.notifications !== undefined) {
    const merged = mergeNotifications(out.notifications, change.notifications);
    if (merged === undefined) delete out.notifications;
    else out.notifications = merged;
  }
  return out;
}

/**
 * The school's notifications changed: each key given replaces the stored
 * one (`''` or null removes it), `email` and `email.smtp` key by key, the
 * lists (`to`, `webhooks`, `events`) as given, so a webhook left out is
 * removed. Secrets are write-only: the SMTP password left empty keeps the
 * stored one (dropped with the login when `user` goes), and a webhook's
 * secret left empty keeps the secret of the stored webhook with the same
 * URL; a new URL must bring its own. Undefined: no notifications.
 */
export function mergeNotifications(stored: unknown, given: unknown): Mapping | undefined {
  if (given === null || given === '') return undefined;
  if (!isMapping(given))
    throw invalid('notifications must be an object (or null to send no notification).');
  const before = storedNotifications(stored);
  const out: Mapping = { ...before };
  for (const [key, value] of Object.entries(given)) {
    if (value === '' || value === null) {
      delete out[key];
      continue;
    }
    if (key === 'email') out.email = mergeEmail(before.email, value);
    else if (key === 'webhooks') out.webhooks = mergeWebhooks(before.webhooks, value);
    else out[key] = value;
  }
  return out;
}

function mergeEmail(stored: unknown, given: unknown): Mapping {
  if (!isMapping(given)) throw invalid('notifications.email must be an object.');
  const before = isMapping(stored) ? stored : {};
  const out: Mapping = { ...before };
  for (const [key, value] of Object.entries(given)) {
    if (key === 'smtp') continue;
    if (value === '' || value === null) delete out[key];
    else out[key] = value;
  }
  if (given.smtp !== undefined) {
    if (given.smtp !== null && !isMapping(given.smtp))
      throw invalid('notifications.email.smtp must be an object.');
    const smtp: Mapping = { ...(isMapping(before.smtp) ? before.smtp : {}) };
    const typed = typedSecret('notifications.email.smtp.password', given.smtp?.password);
    for (const [key, value] of Object.entries(given.smtp ?? {})) {
      if (key === 'password') continue;
      if (value === '' || value === null) delete smtp[key];
      else smtp[key] = value;
    }
    if (typed !== undefined) smtp.password = typed;
    // A login removed takes its stored password with it: a relay needs neither.
    else if (smtp.user === undefined) delete smtp.password;
    out.smtp = smtp;
  }
  return out;
}

function mergeWebhooks(stored: unknown, given: unknown): Mapping[] {
  if (!Array.isArray(given))
    throw invalid('notifications.webhooks must be a list of { url, secret }.');
  const before = (Array.isArray(stored) ? stored : []).filter(isMapping);
  const urlOf = (hook: Mapping) => (typeof hook.url === 'string' ? hook.url.trim() : undefined);
  return given.map((hook, i) => {
    const path = `notifications.webhooks.${i}`;
    if (!isMapping(hook)) throw invalid(`${path} must be an object with url and secret.`);
    const same = before.find((b) => urlOf(hook) !== undefined && urlOf(b) === urlOf(hook));
    const { secret: _given, ...rest } = hook;
    const { secret: kept, ...storedRest } = same ?? {};
    const secret = typedSecret(`${path}.secret`, hook.secret) ?? kept;
    if (secret === undefined)
      throw invalid(
        `${path}.secret: give this webhook's secret: a secret left empty is kept only for a URL that was set before.`,
      );
    return { ...storedRest, ...rest, secret };
  });
}

/**
 * The stored block as a configuration's `notifications:`. The fleet keeps a
 * school's settings resolved (`owner`, `smtp.auth`): those are turned back
 * into the configuration's shape, so that the schema takes them again.
 */
function storedNotifications(stored: unknown): Mapping {
  if (!isMapping(stored)) return {};
  if (typeof stored.owner === 'string')
    return structuredClone(
      inputOfNotifications(stored as unknown as NotificationSettings),
    ) as Mapping;
  return structuredClone(stored);
}

export function changedKeys(change: Record<string, unknown>): string[] {
  return Object.entries(change).flatMap(([section, value]) =>
    value && typeof value === 'object'
      ? Object.keys(value).map((k) => `${section}.${k}`)
      : [section],
  );
}
