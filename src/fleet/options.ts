import { ConfigError } from '../errors/app-error.ts';

/** A whole-number command-line option, checked: the option named in the error. */
export function wholeOption(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      'config.bad_option',
      `${name} must be a whole number from ${min} to ${max}, got "${text}".`,
    );
  }
  return value;
}

/** The password of a connection string, for the log scrubber; undefined when it has none. */
export function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
