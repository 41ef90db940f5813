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
const digestV1: Digest = (json) =>
  createHash('sha256').update(json).digest('base64url').slice(0, 12);

/** The payload's fields, sorted by name (a payload's keys are plain ASCII). */
function sortedFields(payload: Payload): [string, unknown][] {
  return Object.entries(payload).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function digestsWith(payload: Payload, digest: Digest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of sortedFields(payload)) out[key] = digest(JSON.stringify(value));
  return out;
}

export function fieldDigests(payload: Payload): FieldDigests {
  return digestsWith(payload, digestV2);
}

export function fingerprint(payload: Payload): string {
  let text = VERSION;
  for (const [key, value] of sortedFields(payload))
    text += `;${key}=${digestV2(JSON.stringify(value))}`;
  return text;
}

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
  const before = parseFingerprint(stored);
  const changed: string[] = [];
  if (!before) {
    for (const [key] of sortedFields(payload)) changed.push(key);
    return changed;
  }
  const digest = before.version === V1 ? digestV1 : digestV2;
  for (const [key, value] of sortedFields(payload))
    if (before.fields[key] !== digest(JSON.stringify(value))) changed.push(key);
  return changed;
}
