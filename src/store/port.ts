import type { EntityKind } from '../domain/types.ts';

/**
 * What the sync remembers between runs, per school. The core depends only on
 * this interface; `sqlite/` (embedded, one school on a laptop) and
 * `postgres/` (a fleet) implement it and pass the same test suite.
 */

/** How an Edusign record came to be ours. Only `created` sheets may ever be deleted. */
export type MappingOrigin = 'created' | 'adopted';

/** Auriga id → Edusign id for one kind, with what we last wrote. */
export interface Mapping {
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly edusignId: string;
  /** Fingerprint of the fields we last wrote (or found, when adopting): unchanged data writes nothing. */
  readonly fingerprint: string;
  readonly origin: MappingOrigin;
  /** Sheets: the course's start as last written (UTC ISO); null for other kinds. */
  readonly courseStart: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A write in flight. Journaled before the request is sent and ended after its
 * answer is recorded; an entry still pending at the next run means the answer
 * was lost (crash, timeout, dropped connection) and must be resolved on
 * Edusign (`get-id`) before anything is created again.
 */
export interface JournalEntry {
  readonly id: string;
  readonly runId: string;
  readonly kind: EntityKind;
  readonly aurigaId: string;
  readonly action: 'create' | 'update' | 'delete';
  /** The fingerprint of what was being written. */
  readonly fingerprint: string;
  readonly startedAt: string;
}

export const RUN_OUTCOMES = [
  'running',
  'succeeded',
  'partly_failed',
  'failed',
  'deletions_held',
] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface RunRecord {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: RunOutcome;
  readonly dryRun: boolean;
  /** The run's report (see sync/report.ts), stored as JSON. */
  readonly report: unknown;
}

export interface LockOptions {
  /**
   * Also take the lock when it is held by exactly this owner: a run that is
   * known to be dead (its process is gone), whose lock has not expired yet.
   */
  readonly takeOverFrom?: string;
}

export interface SchoolStore {
  readonly school: string;

  listMappings(kind?: EntityKind): Promise<Mapping[]>;
  getMapping(kind: EntityKind, aurigaId: string): Promise<Mapping | undefined>;
  /** Insert or replace the mapping of (kind, aurigaId). */
  putMapping(mapping: Mapping): Promise<void>;
  deleteMapping(kind: EntityKind, aurigaId: string): Promise<void>;

  journalBegin(entry: JournalEntry): Promise<void>;
  journalEnd(id: string): Promise<void>;
  /** Entries begun and never ended, oldest first. */
  pendingJournal(): Promise<JournalEntry[]>;

  startRun(run: { id: string; startedAt: string; dryRun: boolean }): Promise<void>;
  finishRun(
    id: string,
    result: { finishedAt: string; outcome: RunOutcome; report: unknown },
  ): Promise<void>;
  /** Newest first. */
  recentRuns(limit: number): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunRecord | undefined>;

  /**
   * Take the school's run lock for `owner` until `now + ttlMs`. True when
   * taken (free, expired, or already held by `owner`, which extends it).
   */
  tryLock(owner: string, ttlMs: number, now: Date, options?: LockOptions): Promise<boolean>;
  unlock(owner: string): Promise<void>;
  /** Who holds the school's run lock, and until when; undefined when nobody does. */
  lockHolder(): Promise<{ owner: string; expiresAt: string } | undefined>;
}

export interface Store {
  /** The store of one school (a tenant); schools never see each other's records. */
  forSchool(school: string): SchoolStore;
  close(): Promise<void>;
}
