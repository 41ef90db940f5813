import { WebError } from './errors.ts';

/** The secret settings: never sent back, kept as they are when a form leaves them empty. */
const SECRET_PATHS = ['auriga.clientSecret', 'auriga.password', 'edusign.token'];

/**
 * A settings change over the settings as they are, section by section. A
 * secret left empty keeps its value; a secret given as `{ env }` or
 * `{ file }` is refused, for it would read the server's environment or disk.
 */
export function mergeSettings(
  base: Record<string, unknown>,
  change: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const section of ['auriga', 'edusign', 'options'] as const) {
    const given = change[section];
    if (given === undefined) continue;
    if (given === null || typeof given !== 'object' || Array.isArray(given))
      throw new WebError(400, 'settings.invalid', `${section} must be an object.`);
    const merged = { ...((out[section] as Record<string, unknown> | undefined) ?? {}) };
    for (const [key, value] of Object.entries(given)) {
      const path = `${section}.${key}`;
      if (SECRET_PATHS.includes(path)) {
        if (value === '' || value === undefined || value === null) continue;
        if (typeof value !== 'string')
          throw new WebError(
            400,
            'settings.invalid',
            `${path} must be typed in: references to the server's environment or files are not taken from the console.`,
          );
      }
      if (value === '' || value === null) delete merged[key];
      else merged[key] = value;
    }
    out[section] = merged;
  }
  for (const key of Object.keys(change))
    if (!['auriga', 'edusign', 'options'].includes(key))
      throw new WebError(
        400,
        'settings.invalid',
        `Unknown section "${key}": auriga, edusign, options.`,
      );
  return out;
}

export function changedKeys(change: Record<string, unknown>): string[] {
  return Object.entries(change).flatMap(([section, value]) =>
    value && typeof value === 'object'
      ? Object.keys(value).map((k) => `${section}.${k}`)
      : [section],
  );
}
