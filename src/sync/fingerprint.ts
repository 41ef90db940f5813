import { createHash } from 'node:crypto';
import { hash53 } from '../domain/hash.ts';
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

const digestV2: Digest = (json) => hash53(json).toString(36);

/*
 * A school's payloads share most of their values: a group's learners list is
 * one frozen array for every intervention of the group (the reader shares
 * it), and names, rooms and times repeat. Each distinct value is digested
 * once: arrays by identity (payload arrays are frozen), texts by value, in a
 * cache that is dropped whole when it grows past a run's worth.
 */
const arrayDigests = new WeakMap<object, string>();
const textDigests = new Map<string, string>();
const TEXT_CACHE_LIMIT = 200_000;

function digestValueV2(value: unknown): string {
  if (typeof value === 'string') {
    let digest = textDigests.get(value);
    if (digest === undefined) {
      digest = digestV2(JSON.stringify(value));
      if (textDigests.size >= TEXT_CACHE_LIMIT) textDigests.clear();
      textDigests.set(value, digest);
    }
    return digest;
  }
  if (Array.isArray(value) && Object.isFrozen(value)) {
    let digest = arrayDigests.get(value);
    if (digest === undefined) {
      digest = digestV2(JSON.stringify(value));
      arrayDigests.set(value, digest);
    }
    return digest;
  }
  return digestV2(JSON.stringify(value));
}
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
  let text = VERSION;
  for (const key of sortedKeys(payload)) text += `;${key}=${digestValueV2(record[key])}`;
  return text;
}

/** Whether `stored` is exactly `fingerprint(payload)`, compared without building it. */
function sameAsWritten(payload: Payload, stored: string): boolean {
  if (!stored.startsWith(VERSION)) return false;
  const record = payload as unknown as Record<string, unknown>;
  let at = VERSION.length;
  for (const key of sortedKeys(payload)) {
    if (stored.charCodeAt(at) !== SEMICOLON || !stored.startsWith(key, at + 1)) return false;
    at += 1 + key.length;
    if (stored.charCodeAt(at) !== EQUALS) return false;
    const digest = digestValueV2(record[key]);
    if (!stored.startsWith(digest, at + 1)) return false;
    at += 1 + digest.length;
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
