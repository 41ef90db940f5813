import type { Notice } from '../notice.ts';

/**
 * Where notices wait to be delivered, and every attempt is kept for the
 * console. Plain JSON rows with ISO instants, so that the SQL stores can
 * hold them as they are (a `notice` JSON column, the rest plain columns).
 */

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
/** `failed`: given up after the retry period (24 h by default). */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRow {
  /** `<notice id>><channel id>`: enqueueing the same notice twice delivers it once. */
  readonly id: string;
  readonly school: string;
  /** Which configured channel (`channels.ts`): its secrets are looked up when sending, never stored. */
  readonly channelId: string;
  readonly channel: 'email' | 'webhook';
  /** Where it goes, without a secret. */
  readonly target: string;
  readonly notice: Notice;
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly createdAt: string;
  /** When it may be tried next (pending only); also the end of a claim. */
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
  readonly lastError: string | null;
}

export interface AttemptRow {
  readonly deliveryId: string;
  readonly school: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly at: string;
  readonly channel: 'email' | 'webhook';
  readonly target: string;
  readonly ok: boolean;
  /** HTTP status or SMTP reply code, when an answer came. */
  readonly status: number | null;
  /** Scrubbed of every secret. */
  readonly error: string | null;
  readonly durationMs: number;
}

/** What an attempt changes on its delivery. */
export type DeliveryUpdate = Pick<
  DeliveryRow,
  'status' | 'attempts' | 'nextAttemptAt' | 'deliveredAt' | 'lastError'
>;

export interface ListFilter {
  readonly school?: string;
  readonly deliveryId?: string;
  /** @default 100 */
  readonly limit?: number;
}

/**
 * The owner of the operator's channels. School names start with a letter
 * or digit (config/schema.ts), so this one cannot be a school's; its
 * channels' ids start with `@operator:`.
 */
export const OPERATOR = '@operator';

/** Whether a delivery goes to one of the operator's channels rather than the school's own. */
export const isOperatorChannel = (channelId: string): boolean =>
  channelId.startsWith(`${OPERATOR}:`);

/** Which deliveries a taker handles: a process sends only what it has the channels of. */
export interface DeliveryScope {
  /** @default every school */
  readonly schools?: readonly string[];
  /**
   * Deliveries to the operator's channels too. A process given no operator's
   * channels (`--operator`) leaves theirs to one that has them, instead of
   * failing them as no longer configured. @default true
   */
  readonly operator?: boolean;
}

export interface DeliveryStore {
  /** The school's notification state as last saved (`decide.ts`), or undefined. */
  loadState(school: string): Promise<unknown>;
  /**
   * In one transaction: the school's new state and the deliveries of its
   * notices. A delivery whose id exists already is left as it is.
   */
  saveDecision(school: string, state: unknown, deliveries: readonly DeliveryRow[]): Promise<void>;
  /**
   * Pending deliveries due at `now` (oldest first), claimed until `claimUntil`:
   * their `nextAttemptAt` moves there, so that another deliverer does not take
   * them meanwhile and a crash mid-send retries them after the claim.
   * (SQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING *`.)
   */
  claimDue(
    now: string,
    claimUntil: string,
    limit: number,
    scope?: DeliveryScope,
  ): Promise<DeliveryRow[]>;
  /**
   * The schools (in the scope) with a pending delivery due at `now`, each
   * once, by name: whose settings a deliverer must open to send them.
   */
  dueSchools(now: string, scope?: DeliveryScope): Promise<string[]>;
  /** The earliest `nextAttemptAt` of a pending delivery (in the scope), or null. */
  nextDueAt(scope?: DeliveryScope): Promise<string | null>;
  /** In one transaction: log the attempt and update its delivery. */
  recordAttempt(attempt: AttemptRow, update: DeliveryUpdate): Promise<void>;
  /** Newest first. */
  listDeliveries(filter?: ListFilter): Promise<DeliveryRow[]>;
  /** Newest first. */
  listAttempts(filter?: ListFilter): Promise<AttemptRow[]>;
}
