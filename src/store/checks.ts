import type { EntityKind } from '../domain/types.ts';
import { AppError } from '../errors/app-error.ts';
import {
  type JournalEntry,
  type Mapping,
  type MappingOrigin,
  RUN_OUTCOMES,
  type RunOutcome,
} from './port.ts';

/**
 * Checks of what the core hands to a store, shared by both backends so that
 * they accept and refuse exactly the same values. A value refused here is a
 * programming error, not a school's data problem: the message says which
 * field and what was given.
 */

export const ENTITY_KINDS = [
  'sheet',
  'learner',
  'instructor',
  'group',
] as const satisfies readonly EntityKind[];
const ORIGINS = ['created', 'adopted'] as const satisfies readonly MappingOrigin[];
const ACTIONS = ['create', 'update', 'delete'] as const satisfies readonly JournalEntry['action'][];

/**
 * `Date#toISOString()` of a year 1–9999. Anything else is refused: PostgreSQL
 * would rewrite it (so it would not come back as put) and SQLite orders
 * instants as text, which only works when they all share this one shape.
 */
const ISO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const invalid = (field: string, expected: string, value: unknown): AppError =>
  new AppError(
    'store.invalid_value',
    `The store was given ${field} = ${describe(value)}; it must be ${expected}.`,
  );

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function checkInstant(value: unknown, field: string): string {
  if (
    typeof value === 'string' &&
    ISO_INSTANT.test(value) &&
    new Date(value).toISOString() === value
  ) {
    return value;
  }
  throw invalid(
    field,
    'a UTC instant as Date#toISOString() writes it (2025-03-14T08:30:00.000Z)',
    value,
  );
}

/** Ids and fingerprints: non-empty text without NUL (PostgreSQL text cannot hold it). */
export function checkText(value: unknown, field: string): string {
  if (typeof value === 'string' && value.length > 0 && !value.includes('\u0000')) return value;
  throw invalid(field, 'a non-empty string without NUL characters', value);
}

function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  throw invalid(field, `one of ${allowed.join(', ')}`, value);
}

export const checkKind = (value: unknown): EntityKind => checkOneOf(value, ENTITY_KINDS, 'kind');
export const checkOutcome = (value: unknown): RunOutcome =>
  checkOneOf(value, RUN_OUTCOMES, 'outcome');

export function checkMapping(mapping: Mapping): Mapping {
  return {
    kind: checkKind(mapping.kind),
    aurigaId: checkText(mapping.aurigaId, 'aurigaId'),
    edusignId: checkText(mapping.edusignId, 'edusignId'),
    fingerprint: checkText(mapping.fingerprint, 'fingerprint'),
    origin: checkOneOf(mapping.origin, ORIGINS, 'origin'),
    courseStart:
      mapping.courseStart === null ? null : checkInstant(mapping.courseStart, 'courseStart'),
    createdAt: checkInstant(mapping.createdAt, 'createdAt'),
    updatedAt: checkInstant(mapping.updatedAt, 'updatedAt'),
  };
}

export function checkJournalEntry(entry: JournalEntry): JournalEntry {
  return {
    id: checkText(entry.id, 'journal id'),
    runId: checkText(entry.runId, 'runId'),
    kind: checkKind(entry.kind),
    aurigaId: checkText(entry.aurigaId, 'aurigaId'),
    action: checkOneOf(entry.action, ACTIONS, 'action'),
    fingerprint: checkText(entry.fingerprint, 'fingerprint'),
    startedAt: checkInstant(entry.startedAt, 'startedAt'),
  };
}

/** The report as JSON text; `undefined` is stored as no report (read back as null). */
export function reportJson(report: unknown): string | null {
  let json: string | undefined;
  try {
    json = JSON.stringify(report);
  } catch (cause) {
    throw new AppError(
      'store.invalid_value',
      'The run report could not be written as JSON (a BigInt or a cycle in it?).',
      { cause },
    );
  }
  return json ?? null;
}

export function checkLimit(limit: number): number {
  if (Number.isSafeInteger(limit) && limit >= 0) return limit;
  throw invalid('limit', 'a whole number, 0 or more', limit);
}

/** The lock's expiry, `now + ttlMs`, as an instant. */
export function lockExpiry(ttlMs: number, now: Date): { now: string; expiresAt: string } {
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw invalid('now', 'a valid Date', now);
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw invalid('ttlMs', 'a positive number of milliseconds', ttlMs);
  return {
    now: checkInstant(now.toISOString(), 'now'),
    expiresAt: checkInstant(new Date(now.getTime() + ttlMs).toISOString(), 'now + ttlMs'),
  };
}

export function checkSchool(school: string): string {
  return checkText(school, 'school');
}

export function runNotFound(school: string, id: string): AppError {
  return new AppError(
    'store.run_not_found',
    `Run ${id} of school ${school} was never started in this store, so its end cannot be recorded.`,
  );
}
