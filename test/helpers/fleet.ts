import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { main } from '../../src/cli/main.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { FleetDatabase } from '../../src/fleet/database.ts';
import type { SecretKeys } from '../../src/fleet/secret-key.ts';
import { type FleetService, startFleetService } from '../../src/fleet/service.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createSecretScrubber } from '../../src/observability/secrets.ts';
import type { EdusignAccount } from '../../src/sandbox/edusign/index.ts';
import { addAccount } from '../../src/web/accounts.ts';
import { hashPassword } from '../../src/web/auth/password.ts';

/** The machine's PostgreSQL, from the PG* variables (README: tests). */
export const PG_BASE = {
  user: process.env.PGUSER ?? 'postgres',
  host: process.env.PGHOST ?? '127.0.0.1',
  port: process.env.PGPORT ?? '5432',
  database: process.env.PGDATABASE ?? 'test',
};

export const urlOf = (database: string) =>
  `postgres://${encodeURIComponent(PG_BASE.user)}@${PG_BASE.host}:${PG_BASE.port}/${encodeURIComponent(database)}`;

/** A database of the test's own (the fleet's tables and pg-boss's), dropped after it. */
export async function freshDatabase(
  t: TestContext | { after(fn: () => unknown): void },
): Promise<string> {
  const name = `fleet_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: urlOf(PG_BASE.database) });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  t.after(async () => {
    const c = new pg.Client({ connectionString: urlOf(PG_BASE.database) });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  return urlOf(name);
}

export const TEST_KEY = randomBytes(32).toString('base64');

/** Runs the CLI in this process, capturing its output. */
export async function cli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY, ...env },
    stopSignal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

const BIN = path.join(import.meta.dirname, '../../bin/auriga-edusign.js');

/** Short timings, so that a dead worker's job moves on within seconds. */
export const FAST = [
  '--tick-seconds',
  '1',
  '--poll-seconds',
  '1',
  '--supervise-seconds',
  '1',
  '--heartbeat-seconds',
  '10',
  '--retry-delay-seconds',
  '1',
];

export interface WorkerProcess {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** A `worker` process of its own, killed after the test if still alive. */
export function startWorker(
  t: { after(fn: () => unknown): void },
  url: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--database', url, ...FAST, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output, exited };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A daily window whose latest occurrence began (and whose slot passed) a while ago, in UTC. */
export function pastWindow(now = new Date()): { from: string; to: string } {
  return now.getUTCHours() >= 1 ? { from: '00:00', to: '00:30' } : { from: '22:00', to: '23:00' };
}

/** Import a school pointing at the sandboxes: the Auriga school shared, its own Edusign account. */
export async function importSchool(
  db: FleetDatabase,
  keys: SecretKeys,
  base: ConfigInput,
  school: string,
  overrides: {
    token?: string;
    password?: string;
    requestsPerMinute?: number;
    schedule?: { from: string; to: string }[];
    /** Imported disabled: no scheduled job, only runs asked by hand. @default true */
    enabled?: boolean;
  } = {},
): Promise<void> {
  const config = parseConfig(
    {
      ...base,
      school,
      auriga: { ...base.auriga, ...(overrides.password ? { password: overrides.password } : {}) },
      edusign: {
        ...base.edusign,
        ...(overrides.token ? { token: overrides.token } : {}),
        // Fast by default: the client's own limiter paces a run at 8 requests a second otherwise.
        requestsPerMinute: overrides.requestsPerMinute ?? 60_000,
      },
      options: { ...base.options, timeZone: 'UTC', schedule: overrides.schedule ?? [pastWindow()] },
    },
    { env: {} },
  );
  await db.schools.import(config, keys, new Date(), { enabledIfNew: overrides.enabled ?? true });
}

/**
 * `serve --database` in this process, with the console, silent, and an
 * operator account whose password is `password`: what the fleet console
 * tests start. Stopped after the test.
 */
export async function startFleetConsole(
  t: { after(fn: () => unknown): void },
  db: FleetDatabase,
  keys: SecretKeys,
  options: { workers?: number; operator?: { email: string; password: string } } = {},
): Promise<FleetService> {
  const service = await startFleetService({
    db,
    keys,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ processMetrics: false }),
    scrubber: createSecretScrubber({}),
    port: 0,
    host: '127.0.0.1',
    workers: options.workers ?? 1,
    tickMs: 1000,
    pollSeconds: 1,
  });
  t.after(() => service.stop({ graceMs: 1000 }));
  if (options.operator) {
    const consoleStore = db.store.console();
    const added = await addAccount(
      consoleStore,
      { email: options.operator.email, role: 'operator', schools: [] },
      { now: () => new Date(), publicUrl: service.url, actor: 'test' },
    );
    await consoleStore.setPassword(added.account.id, await hashPassword(options.operator.password));
  }
  return service;
}

/** Nothing on the account's Edusign twice (by our external id), and the school synced at all. */
export function assertNoDuplicate(account: EdusignAccount): void {
  const state = account.state();
  for (const [kind, items] of Object.entries({
    courses: state.courses,
    students: state.students,
    professors: state.professors,
  })) {
    const ids = items.map((i) => i.API_ID);
    assert.equal(new Set(ids).size, ids.length, `no ${kind} is on Edusign twice`);
  }
  assert.ok(state.courses.length > 0, 'the school was synced');
}
