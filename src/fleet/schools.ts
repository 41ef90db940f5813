import type pg from 'pg';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import type { DailyWindow } from '../schedule/windows.ts';
import type { SecretKeys } from './secret-key.ts';
import {
  aurigaHostOf,
  configFromSettings,
  keyIdsOf,
  openSettings,
  resealSettings,
  type StoredSettings,
  sealSettings,
} from './settings.ts';

/**
 * The fleet's schools, in PostgreSQL (migration 4): one row per school, its
 * settings sealed, plus every previous version of them. `school import` and
 * the console write the same rows.
 */

export interface SchoolRow {
  readonly name: string;
  readonly enabled: boolean;
  readonly version: number;
  readonly aurigaHost: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What the schedule needs of a school, read without opening any secret. */
export interface SchedulableSchool {
  readonly name: string;
  readonly timeZone: string;
  readonly windows: readonly DailyWindow[];
  /** Start of its last run that served a window (not a dry run, not interrupted nor abandoned). */
  readonly lastRunAt: Date | undefined;
}

export type ImportResult = 'added' | 'updated' | 'unchanged';

const ts = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export class SchoolsRepository {
  readonly #pool: pg.Pool;
  readonly #q: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#q = `"${schema}"`;
  }

  /**
   * Add or update a school from a validated configuration. Imports of one
   * school queue on a lock, so two racing both apply in turn (the later one
   * wins, the earlier kept as a previous version); an import that changes
   * nothing writes nothing.
   */
  async import(
    config: Config,
    keys: SecretKeys,
    now = new Date(),
    options: { readonly enabledIfNew?: boolean } = {},
  ): Promise<ImportResult> {
    const sealed = sealSettings(config, keys);
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `auriga-edusign school ${config.school}`,
      ]);
      const { rows } = await client.query<{
        version: number;
        enabled: boolean;
        settings: StoredSettings;
      }>(`SELECT version, enabled, settings FROM ${this.#q}.schools WHERE name = $1 FOR UPDATE`, [
        config.school,
      ]);
      const current = rows[0];
      if (current === undefined) {
        const previous = await client.query<{ version: number }>(
          `SELECT coalesce(max(version), 0) AS version FROM ${this.#q}.school_versions WHERE name = $1`,
          [config.school],
        );
        await client.query(
          `INSERT INTO ${this.#q}.schools (name, enabled, version, settings, auriga_host, created_at, updated_at)
           VALUES ($1, $6, $2, $3, $4, $5, $5)`,
          [
            config.school,
            Number(previous.rows[0]?.version ?? 0) + 1,
            JSON.stringify(sealed),
            aurigaHostOf(config),
            now,
            options.enabledIfNew ?? true,
          ],
        );
        return 'added';
      }
      const same =
        JSON.stringify(openSettings(config.school, current.settings, keys)) ===
        JSON.stringify(openSettings(config.school, sealed, keys));
      if (same) return 'unchanged';
      await this.#keepVersion(client, config.school, now);
      await client.query(
        `UPDATE ${this.#q}.schools SET version = version + 1, settings = $2, auriga_host = $3, updated_at = $4
         WHERE name = $1`,
        [config.school, JSON.stringify(sealed), aurigaHostOf(config), now],
      );
      return 'updated';
    });
  }

  async list(): Promise<SchoolRow[]> {
    const { rows } = await this.#pool.query(
      `SELECT name, enabled, version, auriga_host, ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at
       FROM ${this.#q}.schools ORDER BY name`,
    );
    return rows.map(toRow);
  }

  /** Every school with its sealed settings, in one query. */
  async all(): Promise<(SchoolRow & { readonly settings: StoredSettings })[]> {
    const { rows } = await this.#pool.query(
      `SELECT name, enabled, version, auriga_host, settings, ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at
       FROM ${this.#q}.schools ORDER BY name`,
    );
    return rows.map((row) => ({ ...toRow(row), settings: row.settings as StoredSettings }));
  }

  async get(
    name: string,
  ): Promise<(SchoolRow & { readonly settings: StoredSettings }) | undefined> {
    const { rows } = await this.#pool.query(
      `SELECT name, enabled, version, auriga_host, settings, ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at
       FROM ${this.#q}.schools WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : { ...toRow(row), settings: row.settings as StoredSettings };
  }

  /** A school's runnable configuration; throws CannotDecrypt when its secrets do not open. */
  async config(name: string, keys: SecretKeys): Promise<Config | undefined> {
    const row = await this.get(name);
    return row === undefined ? undefined : configFromSettings(name, row.settings, keys);
  }

  /** Its previous versions, newest first. */
  async versions(
    name: string,
  ): Promise<{ version: number; enabled: boolean; replacedAt: string }[]> {
    const { rows } = await this.#pool.query(
      `SELECT version, enabled, ${ts('replaced_at')} AS replaced_at FROM ${this.#q}.school_versions
       WHERE name = $1 ORDER BY version DESC`,
      [name],
    );
    return rows.map((r) => ({
      version: Number(r.version),
      enabled: r.enabled,
      replacedAt: r.replaced_at,
    }));
  }

  /** False when there is no such school. */
  async setEnabled(name: string, enabled: boolean, now = new Date()): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE ${this.#q}.schools SET enabled = $2, updated_at = $3 WHERE name = $1`,
      [name, enabled, now],
    );
    return result.rowCount === 1;
  }

  /**
   * Remove a school: it gets no more runs. Its history (runs, mappings,
   * settings versions) stays, so importing it again carries on where it
   * was; with `purge`, everything about it is deleted.
   */
  async remove(
    name: string,
    options: { purge?: boolean } = {},
    now = new Date(),
  ): Promise<boolean> {
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `auriga-edusign school ${name}`,
      ]);
      const found = await client.query(`SELECT 1 FROM ${this.#q}.schools WHERE name = $1`, [name]);
      if (found.rowCount === 0 && !options.purge) return false;
      if (found.rowCount === 1) await this.#keepVersion(client, name, now);
      await client.query(`DELETE FROM ${this.#q}.schools WHERE name = $1`, [name]);
      if (options.purge) {
        for (const table of ['school_versions'])
          await client.query(`DELETE FROM ${this.#q}.${table} WHERE name = $1`, [name]);
        for (const table of ['mappings', 'journal', 'runs', 'locks'])
          await client.query(`DELETE FROM ${this.#q}.${table} WHERE school = $1`, [name]);
      }
      return found.rowCount === 1;
    });
  }

  /**
   * Every enabled school with what its schedule needs, and the start of its
   * last run that served a window, in one query.
   */
  async schedulable(): Promise<SchedulableSchool[]> {
    const { rows } = await this.#pool.query(
      `SELECT s.name, s.settings -> 'options' ->> 'timeZone' AS time_zone,
              (s.settings -> 'options' -> 'schedule')::text AS schedule,
              (SELECT ${ts('max(r.started_at)')} FROM ${this.#q}.runs r
                WHERE r.school = s.name AND NOT r.dry_run
                  AND r.outcome NOT IN ('running', 'interrupted', 'abandoned')) AS last_run_at
       FROM ${this.#q}.schools s WHERE s.enabled ORDER BY s.name`,
    );
    return rows.map((r) => ({
      name: r.name,
      timeZone: r.time_zone ?? 'Europe/Paris',
      windows: JSON.parse(r.schedule ?? '[]') as DailyWindow[],
      lastRunAt: r.last_run_at === null ? undefined : new Date(r.last_run_at),
    }));
  }

  /**
   * Re-seal every school's secrets, current and previous versions, under
   * the current key. Each school in its own transaction: one whose values
   * open under no given key is named and left as it is.
   */
  async rotate(
    keys: SecretKeys,
  ): Promise<{ rotated: number; failed: { school: string; message: string }[] }> {
    const names = await this.#pool.query<{ name: string }>(
      `SELECT name FROM ${this.#q}.schools UNION SELECT name FROM ${this.#q}.school_versions ORDER BY name`,
    );
    let rotated = 0;
    const failed: { school: string; message: string }[] = [];
    for (const { name } of names.rows) {
      try {
        await this.#transaction(async (client) => {
          const current = await client.query<{ settings: StoredSettings }>(
            `SELECT settings FROM ${this.#q}.schools WHERE name = $1 FOR UPDATE`,
            [name],
          );
          for (const row of current.rows) {
            if (onlyUnder(row.settings, keys.current.id)) continue;
            await client.query(`UPDATE ${this.#q}.schools SET settings = $2 WHERE name = $1`, [
              name,
              JSON.stringify(resealSettings(name, row.settings, keys)),
            ]);
          }
          const versions = await client.query<{ version: number; settings: StoredSettings }>(
            `SELECT version, settings FROM ${this.#q}.school_versions WHERE name = $1 FOR UPDATE`,
            [name],
          );
          for (const row of versions.rows) {
            if (onlyUnder(row.settings, keys.current.id)) continue;
            await client.query(
              `UPDATE ${this.#q}.school_versions SET settings = $3 WHERE name = $1 AND version = $2`,
              [name, row.version, JSON.stringify(resealSettings(name, row.settings, keys))],
            );
          }
        });
        rotated += 1;
      } catch (error) {
        failed.push({ school: name, message: (error as Error).message });
      }
    }
    return { rotated, failed };
  }

  async #keepVersion(client: pg.PoolClient, name: string, now: Date): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#q}.school_versions (name, version, enabled, settings, replaced_at)
       SELECT name, version, enabled, settings, $2 FROM ${this.#q}.schools WHERE name = $1
       ON CONFLICT (name, version) DO NOTHING`,
      [name, now],
    );
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

const onlyUnder = (settings: StoredSettings, keyId: string): boolean => {
  const ids = keyIdsOf(settings);
  return ids.size === 0 || (ids.size === 1 && ids.has(keyId));
};

function toRow(row: Record<string, unknown>): SchoolRow {
  return {
    name: row.name as string,
    enabled: row.enabled as boolean,
    version: Number(row.version),
    aurigaHost: row.auriga_host as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
  };
}

export class UnknownSchool extends AppError {
  override name = 'UnknownSchool' as const;
  constructor(name: string) {
    super('fleet.unknown_school', `No school named "${name}" in the database.`, {
      hint: 'See `auriga-edusign school list --database URL`, or add it with `school import --config FILE`.',
    });
  }
}
