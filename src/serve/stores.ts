import type { Config } from '../config/schema.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/port.ts';

/**
 * The stores of a fleet, opened once each: schools on SQLite open their own
 * file (two schools naming the same file share it), schools on PostgreSQL
 * with the same connection string share one pool. A store keeps each
 * school's records apart (`forSchool`), so sharing is safe.
 */
export interface SharedStores {
  /** The open store of a school given to `openSharedStores`. */
  of(school: string): Store;
  /** How many distinct stores are open. */
  readonly count: number;
  close(): Promise<void>;
}

/** What makes two schools' stores the same one. */
export function storeKey(store: Config['store']): string {
  return store.kind === 'postgres' ? `postgres:${store.url ?? ''}` : `sqlite:${store.path ?? ''}`;
}

export async function openSharedStores(
  configs: readonly Config[],
  open: (store: Config['store']) => Promise<Store> = openStore,
): Promise<SharedStores> {
  const byKey = new Map<string, Store>();
  const bySchool = new Map<string, Store>();
  try {
    for (const config of configs) {
      const key = storeKey(config.store);
      let store = byKey.get(key);
      if (store === undefined) {
        store = await open(config.store);
        byKey.set(key, store);
      }
      bySchool.set(config.school, store);
    }
  } catch (error) {
    await Promise.allSettled([...byKey.values()].map((store) => store.close()));
    throw error;
  }
  return {
    of(school) {
      const store = bySchool.get(school);
      if (store === undefined) throw new Error(`No store was opened for school ${school}`);
      return store;
    },
    count: byKey.size,
    async close() {
      await Promise.allSettled([...byKey.values()].map((store) => store.close()));
    },
  };
}
