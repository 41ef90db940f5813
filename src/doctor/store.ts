import type { Config } from '../config/schema.ts';
import { isAppError } from '../errors/app-error.ts';
import { openStore as openConfiguredStore, type Store } from '../store/index.ts';
import type { DoctorDeps } from './deps.ts';
import { type DoctorStep, failed, passed } from './steps.ts';

/**
 * The store step: it opens as a sync would open it (which brings its schema
 * to the current version: a schema too old is migrated, a damaged file or an
 * unknown schema fails here), and it takes writes: the run lock is taken and
 * given back, the one write that leaves nothing behind. Without it a corrupt
 * SQLite file, a folder as store.path or a PostgreSQL that is down passed
 * doctor and failed the first sync.
 */

/** The lock taken to prove writes: long enough for the round trip, short if the doctor dies holding it. */
const PROBE_LOCK_MS = 10_000;

export async function checkStore(config: Config, deps: DoctorDeps): Promise<DoctorStep> {
  const { store } = config;
  const open = deps.openStore ?? openConfiguredStore;
  const where = describeStore(store);
  let opened: Store;
  try {
    opened = await open(store);
  } catch (error) {
    // The store's own errors already name the store and what went wrong.
    if (isAppError(error)) return failed('store', error.message, fixFor(store), error.code);
    const message = error instanceof Error ? error.message : String(error);
    return failed(
      'store',
      `the ${where} does not open: ${message}`,
      fixFor(store),
      'store.open_failed',
    );
  }
  try {
    const school = opened.forSchool(config.school);
    const now = deps.now?.() ?? new Date();
    const owner = `doctor-${process.pid}-${now.getTime()}`;
    if (await school.tryLock(owner, PROBE_LOCK_MS, now)) {
      await school.unlock(owner);
      const runs = await school.recentRuns(1);
      return passed(
        'store',
        `the ${where} opens with its schema current and takes writes${runs[0] ? `; last run ${runs[0].startedAt} (${runs[0].outcome ?? 'unfinished'})` : '; no run recorded yet'}`,
      );
    }
    const holder = await school.lockHolder();
    return passed(
      'store',
      `the ${where} opens with its schema current; a run holds its lock${holder ? ` (${holder.owner}, until ${holder.expiresAt})` : ''}, so writing was not tried`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failed(
      'store',
      `the ${where} opens but does not take writes: ${message}`,
      fixFor(store),
      isAppError(error) ? error.code : 'store.unwritable',
    );
  } finally {
    await opened.close().catch(() => undefined);
  }
}

/** Where the store is, for a message: never the password of store.url. */
function describeStore(store: Config['store']): string {
  if (store.kind === 'sqlite') return `SQLite store ${store.path ?? '(store.path not set)'}`;
  return `PostgreSQL store ${postgresTarget(store.url)}`;
}

function postgresTarget(url: string | undefined): string {
  if (url === undefined) return '(store.url not set)';
  try {
    const parsed = new URL(url);
    return `${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'at store.url';
  }
}

function fixFor(store: Config['store']): string {
  if (store.kind === 'sqlite')
    return `check store.path (${store.path ?? 'not set'}): it must name a file, not a folder, in a folder this account may write, and an existing file must be an auriga-edusign SQLite store; move a damaged file aside (a new store then starts empty) or point store.path elsewhere`;
  return `check store.url (${postgresTarget(store.url)}): PostgreSQL must be running and reachable from this machine at that host and port, the database must exist, and its user may create and use the schema`;
}

/** The password of a PostgreSQL store.url, to keep out of anything printed. */
export function storeSecret(store: Config['store']): string | undefined {
  if (store.kind !== 'postgres' || store.url === undefined) return undefined;
  try {
    const password = new URL(store.url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
