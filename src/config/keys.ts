import { z } from 'zod';
import { configSchema, SECRET_SCHEMAS } from './schema.ts';

/**
 * What the schema says about one key of the configuration, found by walking
 * the zod schema itself, so that a key added to the schema needs nothing
 * here: the kind of value it takes (how an environment override's text is
 * read), whether it is a secret (its value is never shown back), the words
 * an error uses for what it expects, and the keys its mapping allows.
 */

export type KeyPath = readonly PropertyKey[];

/** How an environment variable's text becomes a value. */
export type ValueKind = 'text' | 'number' | 'boolean' | 'structured';

interface Found {
  readonly schema: z.ZodType;
  readonly secret: boolean;
}

/** The schema of a key with its wrappers (optional, default) removed; undefined for a key the schema does not know. */
function find(path: KeyPath): Found | undefined {
  let schema = unwrap(configSchema);
  let secret = false;
  for (const key of path) {
    let next: z.ZodType | undefined;
    if (schema instanceof z.ZodObject) {
      next = Object.hasOwn(schema.shape, key) ? schema.shape[key as string] : undefined;
    } else if (schema instanceof z.ZodRecord) {
      next = schema.valueType as z.ZodType;
    } else if (schema instanceof z.ZodArray) {
      next = schema.element as z.ZodType;
    }
    if (next === undefined) return undefined;
    if (SECRET_SCHEMAS.has(next)) secret = true;
    schema = unwrap(next);
    if (SECRET_SCHEMAS.has(schema)) secret = true;
  }
  return { schema, secret };
}

function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  for (;;) {
    if (
      inner instanceof z.ZodOptional ||
      inner instanceof z.ZodDefault ||
      inner instanceof z.ZodNullable ||
      inner instanceof z.ZodPrefault
    ) {
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodPipe) {
      inner = inner.in as z.ZodType;
    } else {
      return inner;
    }
  }
}

/** Whether the schema knows this key. */
export function isKnownKey(path: KeyPath): boolean {
  return find(path) !== undefined;
}

/** A secret's value (or a header's, which often carries a key) is never shown back, not even in an error. */
export function isSecretKey(path: KeyPath): boolean {
  return find(path)?.secret ?? false;
}

/**
 * How the text of an environment variable setting this key is read: a key
 * that takes text (a secret too) takes it as it is, so an all-digit password
 * stays text; undefined for a key the schema does not know.
 */
export function valueKindAt(path: KeyPath): ValueKind | undefined {
  const found = find(path);
  if (found === undefined) return undefined;
  const { schema } = found;
  if (takesText(schema)) return 'text';
  if (schema instanceof z.ZodNumber) return 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  return 'structured';
}

function takesText(schema: z.ZodType): boolean {
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return true;
  if (schema instanceof z.ZodUnion)
    return (schema.options as readonly z.ZodType[]).some((option) => takesText(unwrap(option)));
  return false;
}

/** What the key takes, in the words of an error message: "a whole number from 1 to 90". */
export function expectedAt(path: KeyPath): string | undefined {
  const found = find(path);
  return found && describe(found.schema);
}

function describe(schema: z.ZodType): string {
  if (schema instanceof z.ZodBoolean) return 'true or false';
  if (schema instanceof z.ZodNumber) {
    const what = schema.isInt ? 'a whole number' : 'a number';
    const min = schema.minValue ?? Number.NEGATIVE_INFINITY;
    const max = schema.maxValue ?? Number.POSITIVE_INFINITY;
    const bounded = (n: number) => Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;
    if (bounded(min) && bounded(max)) return `${what} from ${min} to ${max}`;
    if (bounded(min)) return `${what} of at least ${min}`;
    if (bounded(max)) return `${what} of at most ${max}`;
    return what;
  }
  if (schema instanceof z.ZodEnum) return `one of ${schema.options.join(', ')}`;
  if (SECRET_SCHEMAS.has(schema) && schema instanceof z.ZodUnion)
    return 'text, { env: VARIABLE } or { file: PATH }';
  if (schema instanceof z.ZodString) return 'text';
  if (schema instanceof z.ZodArray) return 'a list';
  if (schema instanceof z.ZodObject || schema instanceof z.ZodRecord) return 'a mapping';
  if (schema instanceof z.ZodUnion)
    return (schema.options as readonly z.ZodType[]).map((o) => describe(unwrap(o))).join(' or ');
  return 'another value';
}

/** The keys a mapping allows (to suggest the one a typo meant); empty when it is not a fixed mapping. */
export function keysAt(path: KeyPath): readonly string[] {
  const found = find(path);
  return found?.schema instanceof z.ZodObject ? Object.keys(found.schema.shape) : [];
}

/** The key of the list closest to a mistyped one, when it is close enough to be what was meant. */
export function closestKey(typed: string, keys: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const key of keys) {
    const distance = editDistance(typed.toLowerCase(), key.toLowerCase());
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  // Two edits (a letter dropped and one swapped) is a typo; more is another word.
  return bestDistance <= Math.min(2, Math.floor(typed.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
