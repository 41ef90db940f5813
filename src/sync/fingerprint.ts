import { createHash } from 'node:crypto';
import { Hash53, hash53, hash53OfJsonText } from '../domain/hash.ts';
import type { Payload, SheetPayload } from '../rules/payloads.ts';

/**
 * A fingerprint records what we last wrote, field by field, so that a run
 * over unchanged data writes nothing and an update names only the fields that
 * changed. Stored as text: a version, then `field=digest` pairs.
 *
 * - `v3` (written now): `v3:` and the record's digest, then the v2 pairs.
 *   The record's digest folds the fields' digests, in key order, with the
 *   list of keys: a run over an unchanged record compares that one number,
 *   and reads the pairs only to name what changed.
 * - `v2` (written before): each field's digest is a fast 53-bit hash of its
 *   JSON (`src/domain/hash.ts`), in base 36. A fingerprint only has to tell
 *   our own past writes apart, not resist an adversary: a collision would at
 *   worst leave one field unwritten until it changes again, about once in
 *   2^53 changes.
 * - `v1` (written first): the first 12 characters of each field's SHA-256
 *   in base64url.
 *
 * Older versions are still read, and compared with digests computed their
 * way: an unchanged school writes nothing after an upgrade, and a record is
 * rewritten in v3 the next time it changes (lazily, never in bulk).
 */
const VERSION = 'v3';
const V2 = 'v2';
const V1 = 'v1';
/** What a v3 text starts with; the record's digest follows it. */
const V3_HEAD = `${VERSION}:`;

/**
 * The fingerprint of a record taken over as it is because it had started or
 * was locked: we wrote nothing, so every field counts as different from
 * Auriga's (and the plan holds it, as a started or locked sheet).
 */
export const FROZEN_FINGERPRINT = 'frozen';

export type FieldDigests = Readonly<Record<string, string>>;

type Digest = (json: string) => string;

/**
 * The v2 digest of a field: `hash53(JSON.stringify(value))` in base 36.
 * Texts and lists of texts, all a payload holds, are hashed as their JSON
 * without building it (a text's JSON is the text in quotes when it needs no
 * escape); anything else, and any text JSON escapes, from `JSON.stringify`.
 */
const hasher = new Hash53();
function valueHash(value: unknown): number {
  if (typeof value === 'string') return hash53OfJsonText(value);
  if (Array.isArray(value)) {
    hasher.reset().code(OPEN_BRACKET);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) hasher.code(COMMA);
      const item: unknown = value[i];
      if (typeof item !== 'string' || !hasher.plainJsonText(item)) return jsonHash(value);
    }
    return hasher.code(CLOSE_BRACKET).value();
  }
  return jsonHash(value);
}
const jsonHash = (value: unknown): number => hash53(JSON.stringify(value));
const OPEN_BRACKET = 91;
const COMMA = 44;
const CLOSE_BRACKET = 93;

/*
 * A school's sheets share most of their values: a group's learners and an
 * instructor's list are one frozen list for every intervention that names
 * them (the reader shares them). Each such list's digest is computed once,
 * kept by identity. Texts are hashed each time: short, and hashing one costs
 * about what finding it in a cache would.
 */
const listDigests = new WeakMap<object, number>();

/** The v2 digest of a value as a number; its text in a fingerprint is `base36(digest)`. */
function digestV2(value: unknown): number {
  if (Array.isArray(value) && Object.isFrozen(value)) {
    let digest = listDigests.get(value);
    if (digest === undefined) {
      digest = valueHash(value);
      listDigests.set(value, digest);
    }
    return digest;
  }
  return valueHash(value);
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `n.toString(36)` for a whole number below 2^53, as every v2 digest is,
 * several times quicker: V8's radix conversion handles any double, fractions
 * included, and costs about a microsecond and a half for a 53-bit number.
 */
export function base36(n: number): string {
  if (n < 36) return DIGITS[n] as string;
  let text = '';
  let rest = n;
  while (rest > 0) {
    const digit = rest % 36;
    text = DIGITS[digit] + text;
    rest = (rest - digit) / 36;
  }
  return text;
}

/**
 * Where `base36(digest)` ends when `stored` holds exactly it at `at` (then a
 * `;` or the end, which the caller checks); -1 otherwise. The stored digits
 * are read as a number, nothing built: the text matches only if it has no
 * leading zero, and a value too large to be exact cannot equal a digest.
 */
function digestEnd(stored: string, at: number, digest: number): number {
  let value = 0;
  let end = at;
  for (; end < stored.length; end++) {
    const ch = stored.charCodeAt(end);
    if (ch >= 48 && ch <= 57) value = value * 36 + (ch - 48);
    else if (ch >= 97 && ch <= 122) value = value * 36 + (ch - 87);
    else break;
  }
  const length = end - at;
  if (length === 0 || length > MAX_DIGITS) return -1;
  if (length > 1 && stored.charCodeAt(at) === 48) return -1;
  return value === digest ? end : -1;
}
/** Digits of the largest 53-bit number in base 36. */
const MAX_DIGITS = 11;

const digestV1: Digest = (json) =>
  createHash('sha256').update(json).digest('base64url').slice(0, 12);

/**
 * A payload's field names, sorted (a payload's keys are plain ASCII), and
 * the seed that makes its record digest depend on them.
 */
interface KeyList {
  readonly sorted: readonly string[];
  readonly seed: number;
}
const keyList = (keys: readonly string[]): KeyList => {
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { sorted, seed: hash53(sorted.join(';')) >>> 0 };
};

/**
 * Payloads of a kind are built alike, so the few key lists seen are sorted
 * once and recognised after.
 */
const keyLists: Array<{ readonly keys: string[]; readonly list: KeyList }> = [];
function keysOf(payload: Payload): KeyList {
  const keys = Object.keys(payload);
  for (const known of keyLists)
    if (known.keys.length === keys.length && known.keys.every((k, i) => k === keys[i]))
      return known.list;
  const list = keyList(keys);
  if (keyLists.length < 16) keyLists.push({ keys, list });
  return list;
}

function sortedFields(payload: Payload): [string, unknown][] {
  const record = payload as unknown as Record<string, unknown>;
  return keysOf(payload).sorted.map((key) => [key, record[key]]);
}

export function fieldDigests(payload: Payload): FieldDigests {
  const out: Record<string, string> = {};
  for (const [key, value] of sortedFields(payload)) out[key] = base36(digestV2(value));
  return out;
}

/**
 * The record's digest: the seed of its key list, then each field's digest
 * in key order. One instance, reset for each record.
 */
const recordHasher = new Hash53();

export function fingerprint(payload: Payload): string {
  const record = payload as unknown as Record<string, unknown>;
  const keys = keysOf(payload);
  recordHasher.reset(keys.seed);
  const pairs: string[] = [];
  for (const key of keys.sorted) {
    const digest = digestV2(record[key]);
    recordHasher.digest(digest);
    pairs.push(`${key}=${base36(digest)}`);
  }
  // Joined, not concatenated: one flat text, not a chain of pieces, wherever it is kept.
  return `${V3_HEAD}${base36(recordHasher.value())};${pairs.join(';')}`;
}

/** The payload's record digest, as `fingerprint` writes it after `v3:`. */
function recordDigest(payload: Payload): number {
  const record = payload as unknown as Record<string, unknown>;
  const keys = keysOf(payload);
  recordHasher.reset(keys.seed);
  for (const key of keys.sorted) recordHasher.digest(digestV2(record[key]));
  return recordHasher.value();
}

/** Whether a v3 `stored` holds `digest` as its record's digest. */
function sameRecord(stored: string, digest: number): boolean {
  if (!stored.startsWith(V3_HEAD)) return false;
  const end = digestEnd(stored, V3_HEAD.length, digest);
  return end > 0 && stored.charCodeAt(end) === SEMICOLON;
}

/** Whether a v2 `stored` is exactly what v2 wrote for `payload`, compared in place: nothing built. */
function sameAsWrittenV2(payload: Payload, stored: string): boolean {
  if (!stored.startsWith(V2)) return false;
  const record = payload as unknown as Record<string, unknown>;
  let at = V2.length;
  for (const key of keysOf(payload).sorted) {
    if (stored.charCodeAt(at) !== SEMICOLON || !stored.startsWith(key, at + 1)) return false;
    at += 1 + key.length;
    if (stored.charCodeAt(at) !== EQUALS) return false;
    at = digestEnd(stored, at + 1, digestV2(record[key]));
    if (at < 0) return false;
  }
  return at === stored.length;
}
const SEMICOLON = 59;
const EQUALS = 61;

/** A stored fingerprint's version and field digests; undefined when unreadable (frozen, unknown). */
export function parseFingerprint(
  text: string,
): { readonly version: 'v1' | 'v2' | 'v3'; readonly fields: FieldDigests } | undefined {
  const [head = '', ...pairs] = text.split(';');
  const version = head.startsWith(V3_HEAD) ? VERSION : head;
  if (version !== VERSION && version !== V2 && version !== V1) return undefined;
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0) fields[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { version, fields };
}

/**
 * `changedFields` for a sheet's payload as `sheetPayload` builds it, quicker
 * on the usual run where the sheet did not change: its eight fields are read
 * by name, not found by listing the payload's keys, and compared with the
 * stored record digest. Any other text (v2 and v1 ones, which only stores
 * from before v3 hold) and any change take `changedFields`' way.
 */
export function changedSheetFields(payload: SheetPayload, stored: string): string[] {
  return sameRecord(stored, sheetRecordDigest(payload)) ? [] : changedFields(payload, stored);
}

/** A sheet's field names, sorted as a fingerprint lists them. */
const SHEET_KEYS = keyList([
  'classroom',
  'description',
  'end',
  'groups',
  'instructors',
  'learners',
  'name',
  'start',
]);

/** `recordDigest` of a sheet's payload, its fields read by name in the order of SHEET_KEYS. */
function sheetRecordDigest(payload: SheetPayload): number {
  // In the order of SHEET_KEYS: a test swaps each pair of fields to hold it so.
  return recordHasher
    .reset(SHEET_KEYS.seed)
    .digest(digestV2(payload.classroom))
    .digest(digestV2(payload.description))
    .digest(digestV2(payload.end))
    .digest(digestV2(payload.groups))
    .digest(digestV2(payload.instructors))
    .digest(digestV2(payload.learners))
    .digest(digestV2(payload.name))
    .digest(digestV2(payload.start))
    .value();
}

/**
 * Names of the payload's fields that differ from a stored fingerprint; every
 * field when the stored one is unreadable (frozen, or unknown), none when equal.
 */
export function changedFields(payload: Payload, stored: string): string[] {
  // The usual case, a record unchanged since we wrote it: one number compared (v3), or
  // the stored text read in place against the payload's digests (v2), nothing built.
  if (sameRecord(stored, recordDigest(payload)) || sameAsWrittenV2(payload, stored)) return [];
  const before = parseFingerprint(stored);
  const changed: string[] = [];
  if (!before) {
    for (const [key] of sortedFields(payload)) changed.push(key);
    return changed;
  }
  const v1 = before.version === V1;
  for (const [key, value] of sortedFields(payload)) {
    const digest = v1 ? digestV1(JSON.stringify(value)) : base36(digestV2(value));
    if (before.fields[key] !== digest) changed.push(key);
  }
  return changed;
}
