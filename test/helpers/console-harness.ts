import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSchool } from '../../src/app/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type Sandboxes, startSandboxes } from '../../src/sandbox/start.ts';
import type { Clock } from '../../src/schedule/scheduler.ts';
import { type Service, startService } from '../../src/serve/service.ts';
import { openStore } from '../../src/store/index.ts';
import type { Role } from '../../src/store/port.ts';
import { addAccount } from '../../src/web/accounts.ts';
import { hashPassword } from '../../src/web/auth/password.ts';

/**
 * A real `serve` with the console over real sandboxes and real SQLite
 * stores, as the console tests use it:
 * - `north`: synced, then 8 of its coming interventions cancelled in Auriga,
 *   so its second run held the deletions (mass-change guard);
 * - `south`: its Edusign token is wrong, so its run failed; its Auriga has
 *   malformed rows, so the report carries problems with their Auriga ids;
 * - `spare`: a third pair of sandboxes, for a school set up in the console.
 * The schedule never wakes (both schools ran in their window already; the
 * clock's sleep lasts until stopped): runs happen when a test asks.
 */

export const PASSWORD = 'correct horse battery staple';
const fast = { requests: 100_000, windowMs: 60_000 };

/** Real time, but no scheduled wake-up: a test decides when runs happen. */
const stillClock: Clock = {
  now: () => new Date(),
  sleep: (_ms, signal) =>
    new Promise((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }),
};

export interface Harness {
  readonly service: Service;
  readonly url: string;
  readonly north: Sandboxes;
  readonly south: Sandboxes;
  readonly spare: Sandboxes;
  readonly configs: { readonly north: Config; readonly south: Config };
  /** The Auriga ids of the sheets north's second run held back. */
  readonly heldIds: readonly string[];
  /** Every stored secret of the schools, to search answers for. */
  readonly secrets: readonly string[];
  /** An account with its password set (or, with `link`, only its one-time link). */
  account(
    email: string,
    role: Role,
    schools?: readonly string[],
  ): Promise<{ email: string; link: string }>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-test-'));
  const [north, south, spare] = await Promise.all([
    startSandboxes({ seed: 11, edusignRateLimit: fast }),
    startSandboxes({ seed: 12, malformedShare: 0.08, edusignRateLimit: fast }),
    startSandboxes({ seed: 13, edusignRateLimit: fast }),
  ]);
  const configOf = (sandboxes: Sandboxes, school: string, token?: string) =>
    parseConfig(
      {
        ...sandboxes.config,
        school,
        edusign: {
          ...sandboxes.config.edusign,
          requestsPerMinute: 100_000,
          ...(token ? { token } : {}),
        },
        store: { kind: 'sqlite', path: path.join(dir, `${school}.sqlite`) },
      },
      { env: {}, baseDir: dir },
    );
  const configs = {
    north: configOf(north, 'north'),
    south: configOf(south, 'south', 'wrong-token-for-south'),
  };

  // Two runs of north, the second holding deletions; one failed run of south.
  const store = await openStore(configs.north.store);
  await runSchool(configs.north, { store });
  const soon = Date.now() + 2 * 3600_000;
  const coming = (await store.forSchool('north').listMappings('sheet'))
    .filter((m) => m.courseStart !== null && Date.parse(m.courseStart) > soon)
    .slice(0, 8);
  for (const m of coming) north.auriga.control.cancelIntervention(m.aurigaId);
  const held = await runSchool(configs.north, { store });
  if (held.outcome !== 'deletions_held')
    throw new Error(`north's second run should hold deletions, got ${held.outcome}`);
  await store.close();
  const southStore = await openStore(configs.south.store);
  await runSchool(configs.south, { store: southStore });
  await southStore.close();

  const service = await startService({
    configs: [configs.north, configs.south],
    port: 0,
    clock: stillClock,
    logger: createLogger({ level: 'silent' }),
  });
  const consoleStore = service.consoleStore;
  if (!consoleStore) throw new Error('the console is not served');
  const secrets = [north, south, spare].flatMap((s) => [
    s.auriga.clientSecret,
    s.auriga.password,
    s.edusign.token,
  ]);
  return {
    service,
    url: service.url,
    north,
    south,
    spare,
    configs,
    heldIds: held.held.filter((h) => h.cause === 'mass_change_guard').map((h) => h.aurigaId),
    secrets: [...secrets, 'wrong-token-for-south'],
    async account(email, role, schools = []) {
      const added = await addAccount(
        consoleStore,
        { email, role, schools },
        { now: () => new Date(), publicUrl: service.url, actor: 'test' },
      );
      await consoleStore.setPassword(added.account.id, await hashPassword(PASSWORD));
      return { email, link: added.signInLink };
    },
    async close() {
      await service.stop(1000);
      await Promise.all([north.close(), south.close(), spare.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in API client: the session cookie and its CSRF token. */
export async function apiSession(url: string, email: string, password = PASSWORD) {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email}: ${response.status}`);
  const cookie =
    (response.headers.getSetCookie().find((c) => c.startsWith('aes_session=')) ?? '').split(
      ';',
    )[0] ?? '';
  const { csrf } = (await response.json()) as { csrf: string };
  return {
    cookie,
    csrf,
    async call(method: string, route: string, body?: unknown, options: { csrf?: boolean } = {}) {
      const headers: Record<string, string> = { cookie };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (options.csrf !== false && method !== 'GET') headers['x-csrf-token'] = csrf;
      const res = await fetch(`${url}${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
    },
  };
}
