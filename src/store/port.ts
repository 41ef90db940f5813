import { RUN_STATES, type RunState } from '../domain/run-states.ts';
import type { EntityKind, JournalEntry, Mapping } from '../domain/types.ts';
import type { DeliveryStore } from '../notify/delivery/port.ts';

/**
 * What the sync remembers between runs, per school. The core depends only on
 * this interface; `sqlite/` (embedded, one school on a laptop) and
 * `postgres/` (a fleet) implement it and pass the same test suite.
 */

export type { JournalEntry, Mapping, MappingOrigin } from '../domain/types.ts';

/** A run's state: see src/domain/run-states.ts for the states and the moves allowed. */
export const RUN_OUTCOMES = RUN_STATES;
export type RunOutcome = RunState;

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
  /**
   * Record a run's final state. Refused (`store.bad_transition`) when the
   * table of run states forbids the move, e.g. ending a run twice.
   */
  finishRun(
    id: string,
    result: { finishedAt: string; outcome: RunOutcome; report: unknown },
  ): Promise<void>;
  /**
   * Record every run of the school still `running`, but `except`, as
   * `abandoned`: called by the holder of the school's lease, so no other run
   * of it can be alive. Returns their ids.
   */
  abandonRuns(options: { except: string; finishedAt: string }): Promise<string[]>;
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
  /**
   * Show that `holder` is alive for as long as it runs, where the store can
   * (PostgreSQL: a session-level advisory lock on a connection of its own,
   * which dies with the process). Release it when the run ends.
   */
  holdPresence(holder: string): Promise<{ release(): Promise<void> }>;
  /**
   * True only when the store can tell that the holder of a lease is gone
   * (its advisory lock is free; on one machine, its pid no longer exists);
   * false when it is alive or when this cannot be told.
   */
  holderGone(holder: string): Promise<boolean>;
}

export interface Store {
  /** The store of one school (a tenant); schools never see each other's records. */
  forSchool(school: string): SchoolStore;
  /**
   * The notification queue in the same database (migration 2): every
   * school's notices and attempts, keyed by school, for the notifier and
   * its deliverer.
   */
  notifications(): DeliveryStore;
  close(): Promise<void>;
}
