import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { main } from '../../src/cli/main.ts';

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
