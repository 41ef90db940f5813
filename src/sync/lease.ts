import { hostname } from 'node:os';
import { AppError } from '../errors/app-error.ts';
import { sleep as defaultSleep } from '../http/retry.ts';
import type { SchoolStore } from '../store/port.ts';

/**
 * A run's lease on its school, valid across machines: a holder id and an
 * expiry kept in the store, renewed while the run works, taken over once it
 * expires. So a run killed anywhere blocks its school for no longer than the
 * lease. Where the store can tell at once that the holder is gone (a
 * PostgreSQL session-level advisory lock dies with its connection; on one
 * machine, a pid that no longer exists) the lease is taken over at once.
 * A hostname and a pid alone are never trusted across machines.
 */

/** Short, so that a dead run blocks its school briefly; renewed three times per life. */
export const LEASE_TTL_MS = 30_000;
export const LEASE_RENEW_MS = 10_000;
/** How long a second run waits for a live lease before saying who holds it. */
export const LEASE_WAIT_MS = 10_000;

export interface LeaseOptions {
  readonly runId: string;
  readonly now: () => Date;
  /** @default LEASE_TTL_MS */
  readonly ttlMs?: number;
  /** @default LEASE_RENEW_MS */
  readonly renewMs?: number;
  /** @default LEASE_WAIT_MS */
  readonly waitMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly logger?: { warn(obj: object, msg?: string): void };
}

export interface Lease {
  /** `host/pid/runId`: who holds it, for people reading it. */
  readonly holder: string;
  /** Aborts when a renewal finds the lease lost (taken over after it expired). */
  readonly lost: AbortSignal;
  /** Runs found dead and recorded as abandoned when this lease was taken. */
  readonly abandoned: readonly string[];
  release(): Promise<void>;
}

export function holderOf(runId: string): string {
  return `${hostname()}/${process.pid}/${runId}`;
}

/** The run id at the end of a holder id. */
export const runIdOf = (holder: string): string => holder.split('/').slice(2).join('/');

export async function acquireLease(store: SchoolStore, options: LeaseOptions): Promise<Lease> {
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const renewMs = options.renewMs ?? LEASE_RENEW_MS;
  const waitMs = options.waitMs ?? LEASE_WAIT_MS;
  const sleep = options.sleep ?? defaultSleep;
  const holder = holderOf(options.runId);
  const presence = await store.holdPresence(holder);
  const startedAt = options.now().getTime();
  try {
    for (;;) {
      if (await store.tryLock(holder, ttlMs, options.now())) break;
      const current = await store.lockHolder();
      if (current === undefined) continue;
      if (
        (await store.holderGone(current.owner)) &&
        (await store.tryLock(holder, ttlMs, options.now(), { takeOverFrom: current.owner }))
      )
        break;
      const waited = options.now().getTime() - startedAt;
      if (waited >= waitMs) {
        const [host, pid] = current.owner.split('/');
        throw new AppError(
          'sync.locked',
          `Another run of ${store.school} is in progress (run ${runIdOf(current.owner)}, on ${host} pid ${pid}, its lease renewed until ${current.expiresAt}); two runs of one school never overlap.`,
          {
            hint: `Wait for it to finish; if its process died, its lease expires within ${Math.round(ttlMs / 1000)} s.`,
          },
        );
      }
      await sleep(Math.min(1_000, waitMs - waited), options.signal);
    }
  } catch (error) {
    await presence.release().catch(() => undefined);
    throw error;
  }
  // Every other run of this school still marked running has died: we hold the lease now.
  const abandoned = await store.abandonRuns({
    except: options.runId,
    finishedAt: options.now().toISOString(),
  });
  if (abandoned.length > 0)
    options.logger?.warn(
      { school: store.school, runs: abandoned },
      'runs whose process died were recorded as abandoned',
    );

  const lost = new AbortController();
  const renew = setInterval(() => {
    store.tryLock(holder, ttlMs, options.now()).then(
      (kept) => {
        if (!kept && !lost.signal.aborted)
          lost.abort(
            new AppError(
              'sync.lease_lost',
              `The lease of ${store.school} was taken over by another run after it expired: this run stops writing.`,
            ),
          );
      },
      () => undefined,
    );
  }, renewMs);
  renew.unref();
  return {
    holder,
    lost: lost.signal,
    abandoned,
    async release() {
      clearInterval(renew);
      await store.unlock(holder).catch(() => undefined);
      await presence.release().catch(() => undefined);
    },
  };
}
