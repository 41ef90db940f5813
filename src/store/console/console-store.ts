import { AppError } from '../../errors/app-error.ts';
import type {
  Account,
  AuditEntry,
  ConsoleStore,
  DismissedHold,
  ManagedSchool,
  Role,
  SessionRecord,
} from './port.ts';

/**
 * The console's store over either backend. Its tables (migration 3 of both)
 * keep instants as `toISOString()` text and lists as JSON text in both
 * backends: such text sorts in time order and comes back exactly as put, so
 * one implementation serves SQLite and PostgreSQL alike. The console's
 * writes are a person's clicks, a handful a minute: no backend-specific
 * tuning is worth a second copy of this file.
 */

/** What a backend gives: `?` placeholders, rows as plain objects. */
export interface SqlRunner {
  all(sql: string, params: readonly SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Rows changed. A unique violation throws `store.conflict`. */
  run(sql: string, params: readonly SqlValue[]): Promise<number>;
}
export type SqlValue = string | number | null;

interface AccountRow {
  id: string;
  email: string;
  role: string;
  schools: string;
  password_hash: string | null;
  created_at: string;
}

const toAccount = (row: Record<string, unknown>): Account => {
  const r = row as unknown as AccountRow;
  return {
    id: r.id,
    email: r.email,
    role: r.role as Role,
    schools: JSON.parse(r.schools) as string[],
    passwordHash: r.password_hash,
    createdAt: r.created_at,
  };
};

const ACCOUNT = 'id, email, role, schools, password_hash, created_at';

/** Emails compare without case: `Ana@School.fr` and `ana@school.fr` are one person. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function createConsoleStore(db: SqlRunner, table: (name: string) => string): ConsoleStore {
  const t = table;
  const one = async (sql: string, params: readonly SqlValue[]) => (await db.all(sql, params))[0];
  return {
    async addSignInFailure(key, at) {
      await db.run(`INSERT INTO ${t('console_sign_in_failures')} (key, at) VALUES (?, ?)`, [
        key,
        at,
      ]);
      // A day is far past any throttle window: older rows are of no use.
      const dayBefore = new Date(Date.parse(at) - 24 * 3600_000).toISOString();
      await db.run(`DELETE FROM ${t('console_sign_in_failures')} WHERE key = ? AND at < ?`, [
        key,
        dayBefore,
      ]);
    },
    async signInFailures(key, since) {
      const rows = await db.all(
        `SELECT at FROM ${t('console_sign_in_failures')} WHERE key = ? AND at > ? ORDER BY at`,
        [key, since],
      );
      return rows.map((row) => row.at as string);
    },
    async clearSignInFailures(key) {
      await db.run(`DELETE FROM ${t('console_sign_in_failures')} WHERE key = ?`, [key]);
    },
    async addAccount(account) {
      await db.run(
        `INSERT INTO ${t('console_accounts')} (${ACCOUNT}) VALUES (?, ?, ?, ?, NULL, ?)`,
        [
          account.id,
          normalizeEmail(account.email),
          account.role,
          JSON.stringify(account.schools),
          account.createdAt,
        ],
      );
    },
    async getAccount(id) {
      const row = await one(`SELECT ${ACCOUNT} FROM ${t('console_accounts')} WHERE id = ?`, [id]);
      return row && toAccount(row);
    },
    async findAccountByEmail(email) {
      const row = await one(`SELECT ${ACCOUNT} FROM ${t('console_accounts')} WHERE email = ?`, [
        normalizeEmail(email),
      ]);
      return row && toAccount(row);
    },
    async listAccounts() {
      return (
        await db.all(`SELECT ${ACCOUNT} FROM ${t('console_accounts')} ORDER BY email`, [])
      ).map(toAccount);
    },
    async setPassword(accountId, passwordHash) {
      const changed = await db.run(
        `UPDATE ${t('console_accounts')} SET password_hash = ? WHERE id = ?`,
        [passwordHash, accountId],
      );
      if (changed === 0)
        throw new AppError(
          'store.not_found',
          `No console account ${accountId} to set a password for.`,
        );
    },

    async addSignInLink(link) {
      await db.run(
        `INSERT INTO ${t('console_sign_in_links')} (token_hash, account_id, expires_at, used_at) VALUES (?, ?, ?, NULL)`,
        [link.tokenHash, link.accountId, link.expiresAt],
      );
    },
    async peekSignInLink(tokenHash, now) {
      const row = await one(
        `SELECT account_id FROM ${t('console_sign_in_links')} WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
        [tokenHash, now],
      );
      return row?.account_id as string | undefined;
    },
    async takeSignInLink(tokenHash, now) {
      // One UPDATE: two browsers racing on the same link, only one row changes.
      const rows = await db.all(
        `UPDATE ${t('console_sign_in_links')} SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING account_id`,
        [now, tokenHash, now],
      );
      return rows[0]?.account_id as string | undefined;
    },

    async addSession(session) {
      await db.run(
        `INSERT INTO ${t('console_sessions')} (id_hash, account_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
        [session.idHash, session.accountId, session.csrf, session.createdAt, session.expiresAt],
      );
    },
    async getSession(idHash, now) {
      const row = await one(
        `SELECT account_id, csrf, created_at, expires_at FROM ${t('console_sessions')} WHERE id_hash = ? AND expires_at > ?`,
        [idHash, now],
      );
      if (!row) return undefined;
      return {
        accountId: row.account_id as string,
        csrf: row.csrf as string,
        createdAt: row.created_at as string,
        expiresAt: row.expires_at as string,
      } satisfies SessionRecord;
    },
    async deleteSession(idHash) {
      await db.run(`DELETE FROM ${t('console_sessions')} WHERE id_hash = ?`, [idHash]);
    },
    async deleteSessionsOf(accountId) {
      await db.run(`DELETE FROM ${t('console_sessions')} WHERE account_id = ?`, [accountId]);
    },

    async addToken(token) {
      await db.run(
        `INSERT INTO ${t('console_tokens')} (id, account_id, token_hash, name, created_at) VALUES (?, ?, ?, ?, ?)`,
        [token.id, token.accountId, token.tokenHash, token.name, token.createdAt],
      );
    },
    async findToken(tokenHash) {
      const row = await one(`SELECT account_id FROM ${t('console_tokens')} WHERE token_hash = ?`, [
        tokenHash,
      ]);
      return row?.account_id as string | undefined;
    },

    async audit(entry) {
      await db.run(
        `INSERT INTO ${t('console_audit')} (at, actor, school, action, detail) VALUES (?, ?, ?, ?, ?)`,
        [entry.at, entry.actor, entry.school, entry.action, JSON.stringify(entry.detail)],
      );
    },
    async listAudit({ schools, limit }) {
      const rows =
        schools === null
          ? await db.all(
              `SELECT at, actor, school, action, detail FROM ${t('console_audit')} ORDER BY at DESC, seq DESC LIMIT ?`,
              [limit],
            )
          : schools.length === 0
            ? []
            : await db.all(
                `SELECT at, actor, school, action, detail FROM ${t('console_audit')} WHERE school IN (${schools.map(() => '?').join(', ')}) ORDER BY at DESC, seq DESC LIMIT ?`,
                [...schools, limit],
              );
      return rows.map(
        (row): AuditEntry => ({
          at: row.at as string,
          actor: row.actor as string,
          school: (row.school as string | null) ?? null,
          action: row.action as string,
          detail: JSON.parse(row.detail as string) as Record<string, unknown>,
        }),
      );
    },

    async dismissHold(hold) {
      const ids = [...hold.aurigaIds].sort();
      await db.run(
        `INSERT INTO ${t('console_dismissed_holds')} (school, set_key, auriga_ids, dismissed_at, dismissed_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (school, set_key) DO UPDATE SET dismissed_at = excluded.dismissed_at, dismissed_by = excluded.dismissed_by`,
        [hold.school, ids.join('\n'), JSON.stringify(ids), hold.dismissedAt, hold.dismissedBy],
      );
    },
    async dismissedHolds(school) {
      const rows = await db.all(
        `SELECT school, auriga_ids, dismissed_at, dismissed_by FROM ${t('console_dismissed_holds')} WHERE school = ? ORDER BY dismissed_at DESC`,
        [school],
      );
      return rows.map(
        (row): DismissedHold => ({
          school: row.school as string,
          aurigaIds: JSON.parse(row.auriga_ids as string) as string[],
          dismissedAt: row.dismissed_at as string,
          dismissedBy: row.dismissed_by as string,
        }),
      );
    },

    async putSchool(school) {
      await db.run(
        `INSERT INTO ${t('console_schools')} (name, config, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, active = excluded.active, updated_at = excluded.updated_at`,
        [
          school.name,
          JSON.stringify(school.config),
          school.active ? 1 : 0,
          school.createdAt,
          school.updatedAt,
        ],
      );
    },
    async getSchool(name) {
      const row = await one(
        `SELECT name, config, active, created_at, updated_at FROM ${t('console_schools')} WHERE name = ?`,
        [name],
      );
      return row && toSchool(row);
    },
    async listSchools() {
      return (
        await db.all(
          `SELECT name, config, active, created_at, updated_at FROM ${t('console_schools')} ORDER BY name`,
          [],
        )
      ).map(toSchool);
    },
  };
}

const toSchool = (row: Record<string, unknown>): ManagedSchool => ({
  name: row.name as string,
  config: JSON.parse(row.config as string),
  active: Number(row.active) === 1,
  createdAt: row.created_at as string,
  updatedAt: row.updated_at as string,
});
