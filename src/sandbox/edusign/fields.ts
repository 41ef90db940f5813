import { parseInstant } from './time.ts';

/**
 * Reads the UPPER_SNAKE fields of one entity sent to the sandbox, collecting
 * Edusign-style validation messages (`NAME is required`) rather than stopping
 * at the first. On create every required field must be there; on patch a
 * field not named is left alone, and `undefined` means "not named".
 */
export class FieldReader {
  readonly errors: string[] = [];
  readonly #input: Readonly<Record<string, unknown>>;
  readonly #patch: boolean;

  constructor(input: Readonly<Record<string, unknown>>, mode: 'create' | 'patch') {
    this.#input = input;
    this.#patch = mode === 'patch';
  }

  named(key: string): boolean {
    return Object.hasOwn(this.#input, key) && this.#input[key] !== undefined;
  }

  /** A required text: on patch, undefined when not named. */
  required(key: string): string | undefined {
    if (this.#patch && !this.named(key)) return undefined;
    const value = this.#input[key];
    if (
      value === undefined ||
      value === null ||
      (typeof value === 'string' && value.trim() === '')
    ) {
      this.errors.push(`${key} is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.errors.push(`${key} must be a string`);
      return undefined;
    }
    return value;
  }

  /** An optional text: null clears it, undefined when not named. */
  optional(key: string): string | null | undefined {
    if (!this.named(key)) return undefined;
    const value = this.#input[key];
    if (value === null || value === '') return null;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') {
      this.errors.push(`${key} must be a string`);
      return undefined;
    }
    return value;
  }

  email(key: string): string | undefined {
    const value = this.required(key);
    if (value === undefined) return undefined;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())) {
      this.errors.push(`${key} must be a valid email`);
      return undefined;
    }
    return value.trim();
  }

  /** A required instant, returned as UTC ISO with `Z`. */
  instant(key: string): string | undefined {
    if (this.#patch && !this.named(key)) return undefined;
    const value = this.#input[key];
    if (value === undefined || value === null || value === '') {
      this.errors.push(`${key} is required`);
      return undefined;
    }
    const date = typeof value === 'string' ? parseInstant(value) : undefined;
    if (date === undefined) {
      this.errors.push(`${key} must be a valid ISO 8601 date`);
      return undefined;
    }
    return date.toISOString();
  }

  /** A list of ids; null or absent on create is an empty list. */
  ids(key: string): string[] | undefined {
    if (!this.named(key)) return this.#patch ? undefined : [];
    const value = this.#input[key];
    if (value === null) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
      this.errors.push(`${key} must be an array of ids`);
      return undefined;
    }
    return [...new Set(value as string[])];
  }

  boolean(key: string): boolean | undefined {
    if (!this.named(key)) return undefined;
    const value = this.#input[key];
    if (typeof value !== 'boolean') {
      this.errors.push(`${key} must be a boolean`);
      return undefined;
    }
    return value;
  }

  /** A whole number from 0; null clears it. */
  count(key: string): number | null | undefined {
    if (!this.named(key)) return undefined;
    const value = this.#input[key];
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.errors.push(`${key} must be a whole number`);
      return undefined;
    }
    return value;
  }

  /** A 0/1 flag (booleans accepted). */
  flag(key: string): 0 | 1 | undefined {
    if (!this.named(key)) return undefined;
    const value = this.#input[key];
    if (value === 0 || value === false) return 0;
    if (value === 1 || value === true) return 1;
    this.errors.push(`${key} must be 0 or 1`);
    return undefined;
  }

  /** Keys `PROFESSOR_2`, `PROFESSOR_3`… named in the input, in numeric order. */
  extraProfessorKeys(): Array<`PROFESSOR_${number}`> {
    return Object.keys(this.#input)
      .filter((key): key is `PROFESSOR_${number}` => /^PROFESSOR_([2-9]|[1-9]\d+)$/.test(key))
      .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)));
  }
}

/** The entity inside a write body (`{course:{…}}`), or undefined when missing. */
export function wrapped(body: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const inner = (body as Record<string, unknown>)[key];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return undefined;
  return inner as Record<string, unknown>;
}

/** A 0-based page number from the query, or a validation message. */
export function readPage(value: unknown): number | string {
  if (value === undefined || value === '') return 0;
  const page = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(page) ? page : 'page must be a whole number from 0';
}
