import { createHash } from 'node:crypto';
import type { Payload } from '../rules/payloads.ts';

/**
 * A fingerprint records what we last wrote, field by field, so that a run
 * over unchanged data writes nothing and an update names only the fields that
 * changed. Stored as text: `v1` then `field=digest` pairs.
 */
const VERSION = 'v1';

/**
 * The fingerprint of a record taken over as it is because it had started or
 * was locked: we wrote nothing, so every field counts as different from
 * Auriga's (and the plan holds it, as a started or locked sheet).
 */
export const FROZEN_FINGERPRINT = 'frozen';

export type FieldDigests = Readonly<Record<string, string>>;

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 12);
}

export function fieldDigests(payload: Payload): FieldDigests {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload).sort(([a], [b]) => a.localeCompare(b))) {
    out[key] = digest(value);
  }
  return out;
}

export function fingerprint(payload: Payload): string {
  const fields = fieldDigests(payload);
  return [VERSION, ...Object.entries(fields).map(([k, v]) => `${k}=${v}`)].join(';');
}

export function parseFingerprint(text: string): FieldDigests | undefined {
  const [version, ...pairs] = text.split(';');
  if (version !== VERSION) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0) out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/**
 * Names of the payload's fields that differ from a stored fingerprint; every
 * field when the stored one is unreadable (an older format, or frozen), none when equal.
 */
export function changedFields(payload: Payload, stored: string): string[] {
  const now = fieldDigests(payload);
  const before = parseFingerprint(stored);
  if (!before) return Object.keys(now);
  return Object.keys(now).filter((key) => before[key] !== now[key]);
}
