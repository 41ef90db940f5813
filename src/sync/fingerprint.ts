import { createHash } from 'node:crypto';
import { Hash53, hash53, hash53OfJsonText } from '../domain/hash.ts';
import type { Payload } from '../rules/payloads.ts';

/**
 * A fingerprint records what we last wrote, field by field, so that a run
 * over unchanged data writes nothing and an update names only the fields that
 * changed. Stored as text: a version, then `field=digest` pairs.
 *
 * - `v2` (written now): each field's digest is a fast 53-bit hash of its JSON
 *   (`src/domain/hash.ts`), in base 36. A fingerprint only has to tell our
 *   own past writes apart, not resist an adversary: a collision would at
 *   worst leave one field unwritten until it changes again, about once in
 *   2^53 changes.
 * - `v1` (written before): the first 12 characters of each field's SHA-256
 *   in base64url. Still read, and compared with v1 digests computed the old
 *   way: an unchanged school writes nothing after the upgrade, and a record
 *   is rewritten in v2 the next time it changes (lazily, never in bulk).
 */
const VERSION = 'v2';
const V1 = 'v1';

/**
 * The fingerprint of a record taken over as it is because it had started or
 * was locked: we wrote nothing, so every field counts as different from
 * Auriga's (and the plan holds it, as a started or locked sheet).
 */
export const FROZEN_FINGERPRINT = 'frozen';

export type FieldDigests = Readonly<Record<string, string>>;

type Digest = (json: string) => string;

/**
 * The v2 digest of a field, as a number: `hash53(JSON.stringify(value))`,
 * its text being the number in base 36. Texts and lists of texts, all a
 * payload holds, are hashed as their JSON without building it (their JSON
 * is the text in quotes when it needs no escape); anything else, and any
 * text JSON escapes, is hashed from `JSON.stringify`.
 */
const hasher = new Hash53();
function valueHashV2(value: unknown): number {
  if (value === null) return NULL_HASH;
  if (typeof value === 'string') {
    if (value.length < LONG_TEXT) return textHash(value);
    let digest = longTextDigests.get(value);
    if (digest === undefined) {
      digest = textHash(value);
      if (longTextDigests.size >= LONG_TEXT_CACHE_LIMIT) longTextDigests.clear();
      longTextDigests.set(value, digest);
    }
    return digest;
  }
  if (Array.isArray(value)) {
    if (value.length < SHARED_LIST || !Object.isFrozen(value)) return listHash(value);
    let digest = listDigests.get(value);
    if (digest === undefined) {
      digest = listHash(value);
      listDigests.set(value, digest);
    }
    return digest;
  }
  return jsonHash(value);
}
const jsonHash = (value: unknown): number => hash53(JSON.stringify(value));
const textHash = hash53OfJsonText;
const NULL_HASH = jsonHash(null);

function listHash(list: readonly unknown[]): number {
  hasher.reset().code(OPEN_BRACKET);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) hasher.code(COMMA);
    const item = list[i];
    if (typeof item !== 'string' || !hasher.plainJsonText(item)) return jsonHash(list);
  }
  return hasher.code(CLOSE_BRACKET).value();
}
const OPEN_BRACKET = 91;
const COMMA = 44;
const CLOSE_BRACKET = 93;

/*
 * A group's learners are one frozen list for every intervention of the group
 * (the reader shares it): long frozen lists are hashed once, by identity.
 * Long texts (a session's description) repeat as much and are hashed once,
 * by value, in a cache dropped whole when it grows past a run's worth; a
 * short text is hashed sooner than it is looked up.
 */
const listDigests = new WeakMap<object, number>();
const SHARED_LIST = 8;
const longTextDigests = new Map<string, number>();
const LONG_TEXT = 64;
const LONG_TEXT_CACHE_LIMIT = 100_000;

const digestValueV2 = (value: unknown): string => valueHashV2(value).toString(36);

/**
 * Whether `text[from, to)` is `n` (an integer below 2^53) as `toString(36)`
 * writes it: read as a number in place (multiplications only, exact below
 * 2^53), with no leading zero and no character `toString` does not write.
 */
function isBase36(text: string, from: number, to: number, n: number): boolean {
  const length = to - from;
  if (length < 1 || length > 11 || (length > 1 && text.charCodeAt(from) === ZERO)) return false;
  let value = 0;
  for (let at = from; at < to; at++) {
    const ch = text.charCodeAt(at);
    const digit =
      ch >= ZERO && ch <= NINE ? ch - ZERO : ch >= LOWER_A && ch <= LOWER_Z ? ch - 87 : -1;
    if (digit < 0) return false;
    value = value * 36 + digit;
  }
  return value === n;
}
const ZERO = 48;
const NINE = 57;
const LOWER_A = 97;
const LOWER_Z = 122;

const digestV1: Digest = (json) =>
  createHash('sha256').update(json).digest('base64url').slice(0, 12);

/**
 * The payload's field names, sorted (a payload's keys are plain ASCII).
 * Payloads of a kind are built alike, so the few key lists seen are sorted
 * once and recognised after.
 */
const sortedKeyLists: Array<{ readonly keys: string[]; readonly sorted: string[] }> = [];
function sortedKeys(payload: Payload): readonly string[] {
  const keys = Object.keys(payload);
  for (const known of sortedKeyLists)
    if (known.keys.length === keys.length && known.keys.every((k, i) => k === keys[i]))
      return known.sorted;
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sortedKeyLists.length < 16) sortedKeyLists.push({ keys, sorted });
  return sorted;
}

function sortedFields(payload: Payload): [string, unknown][] {
  const record = payload as unknown as Record<string, unknown>;
  return sortedKeys(payload).map((key) => [key, record[key]]);
}

export function fieldDigests(payload: Payload): FieldDigests {
  const out: Record<string, string> = {};
  for (const [key, value] of sortedFields(payload)) out[key] = digestValueV2(value);
  return out;
}

export function fingerprint(payload: Payload): string {
  const record = payload as unknown as Record<string, unknown>;
  // Joined, not concatenated: one flat text, which the next run reads a character at a time.
  const parts = [VERSION];
  for (const key of sortedKeys(payload)) parts.push(`${key}=${digestValueV2(record[key])}`);
  return parts.join(';');
}

/** Whether `stored` is exactly `fingerprint(payload)`, compared in place: nothing built. */
function sameAsWritten(payload: Payload, stored: string): boolean {
  if (!stored.startsWith(VERSION)) return false;
  const record = payload as unknown as Record<string, unknown>;
  let at = VERSION.length;
  for (const key of sortedKeys(payload)) {
    if (stored.charCodeAt(at) !== SEMICOLON || !stored.startsWith(key, at + 1)) return false;
    at += 1 + key.length;
    if (stored.charCodeAt(at) !== EQUALS) return false;
    at += 1;
    let end = stored.indexOf(';', at);
    if (end < 0) end = stored.length;
    if (!isBase36(stored, at, end, valueHashV2(record[key]))) return false;
    at = end;
  }
  return at === stored.length;
}
const SEMICOLON = 59;
const EQUALS = 61;

/** A stored fingerprint's version and digests; undefined when unreadable (frozen, unknown). */
export function parseFingerprint(
  text: string,
): { readonly version: 'v1' | 'v2'; readonly fields: FieldDigests } | undefined {
  const [version, ...pairs] = text.split(';');
  if (version !== VERSION && version !== V1) return undefined;
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0) fields[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { version, fields };
}

/**
 * Names of the payload's fields that differ from a stored fingerprint; every
 * field when the stored one is unreadable (frozen, or unknown), none when equal.
 */
export function changedFields(payload: Payload, stored: string): string[] {
  // The usual case, a record unchanged since we wrote it: the stored text is read in
  // place against the payload's digests, nothing built.
  if (sameAsWritten(payload, stored)) return [];
  const before = parseFingerprint(stored);
  const changed: string[] = [];
  if (!before) {
    for (const [key] of sortedFields(payload)) changed.push(key);
    return changed;
  }
  const v1 = before.version === V1;
  for (const [key, value] of sortedFields(payload)) {
    const digest = v1 ? digestV1(JSON.stringify(value)) : digestValueV2(value);
    if (before.fields[key] !== digest) changed.push(key);
  }
  return changed;
}
