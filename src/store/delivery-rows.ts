import type {
  AttemptRow,
  DeliveryRow,
  DeliveryStatus,
  DeliveryUpdate,
} from '../notify/delivery/port.ts';
import type { Notice } from '../notify/notice.ts';
import { checkInstant, checkLimit, checkSchool, checkText } from './checks.ts';

/**
 * The notification tables' rows as both backends select them (snake_case,
 * instants as `toISOString()` text, JSON as text), and one conversion to the
 * DeliveryStore port's values, so both hand back the same shapes.
 */

export const DELIVERY_COLUMNS = [
  'id',
  'school',
  'channel_id',
  'channel',
  'target',
  'notice',
  'status',
  'attempts',
  'created_at',
  'next_attempt_at',
  'delivered_at',
  'last_error',
] as const;

export const ATTEMPT_COLUMNS = [
  'delivery_id',
  'school',
  'attempt',
  'at',
  'channel',
  'target',
  'ok',
  'status',
  'error',
  'duration_ms',
] as const;

export interface DeliverySqlRow {
  id: string;
  school: string;
  channel_id: string;
  channel: string;
  target: string;
  notice: string;
  status: string;
  attempts: number | bigint;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
}

export interface AttemptSqlRow {
  delivery_id: string;
  school: string;
  attempt: number | bigint;
  at: string;
  channel: string;
  target: string;
  /** SQLite has no boolean: 0 or 1 there. */
  ok: boolean | number | bigint;
  status: number | bigint | null;
  error: string | null;
  duration_ms: number | bigint;
}

const num = (value: number | bigint): number => Number(value);

export function toDelivery(row: DeliverySqlRow): DeliveryRow {
  return {
    id: row.id,
    school: row.school,
    channelId: row.channel_id,
    channel: row.channel as DeliveryRow['channel'],
    target: row.target,
    notice: JSON.parse(row.notice) as Notice,
    status: row.status as DeliveryStatus,
    attempts: num(row.attempts),
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
  };
}

export function toAttempt(row: AttemptSqlRow): AttemptRow {
  return {
    deliveryId: row.delivery_id,
    school: row.school,
    attempt: num(row.attempt),
    at: row.at,
    channel: row.channel as AttemptRow['channel'],
    target: row.target,
    ok: Boolean(row.ok),
    status: row.status === null ? null : num(row.status),
    error: row.error,
    durationMs: num(row.duration_ms),
  };
}

const instantOrNull = (value: string | null, name: string) =>
  value === null ? null : checkInstant(value, name);

/** A delivery's values in DELIVERY_COLUMNS order, checked: what both backends insert. */
export function deliveryValues(row: DeliveryRow): (string | number | null)[] {
  return [
    checkText(row.id, 'delivery id'),
    checkSchool(row.school),
    checkText(row.channelId, 'channel id'),
    row.channel,
    row.target,
    JSON.stringify(row.notice),
    row.status,
    row.attempts,
    checkInstant(row.createdAt, 'createdAt'),
    instantOrNull(row.nextAttemptAt, 'nextAttemptAt'),
    instantOrNull(row.deliveredAt, 'deliveredAt'),
    row.lastError,
  ];
}

/** An attempt's values in ATTEMPT_COLUMNS order (`ok` as the backend's boolean). */
export function attemptValues<B extends boolean | number>(
  attempt: AttemptRow,
  bool: (ok: boolean) => B,
): (string | number | B | null)[] {
  return [
    checkText(attempt.deliveryId, 'delivery id'),
    checkSchool(attempt.school),
    attempt.attempt,
    checkInstant(attempt.at, 'at'),
    attempt.channel,
    attempt.target,
    bool(attempt.ok),
    attempt.status,
    attempt.error,
    Math.round(attempt.durationMs),
  ];
}

/** An update's values: status, attempts, next_attempt_at, delivered_at, last_error. */
export function updateValues(update: DeliveryUpdate): (string | number | null)[] {
  return [
    update.status,
    update.attempts,
    instantOrNull(update.nextAttemptAt, 'nextAttemptAt'),
    instantOrNull(update.deliveredAt, 'deliveredAt'),
    update.lastError,
  ];
}

/** @default 100, as the memory store. */
export const listLimit = (limit: number | undefined): number => checkLimit(limit ?? 100);
