/**
 * What the console remembers: accounts, their sessions and API tokens, the
 * one-time sign-in links, the audit log, the held deletions a person chose
 * to keep, and the schools set up through the console. One port, implemented
 * once over a tiny SQL runner (`console-store.ts`) that both backends give.
 *
 * Secrets of the console itself (passwords, session ids, tokens, link
 * tokens) are never stored as given: only their hash (`*Hash` fields).
 */

export const ROLES = Object.freeze(['operator', 'admin', 'viewer'] as const);
export type Role = (typeof ROLES)[number];

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  /** The schools an admin or viewer sees; an operator sees every school whatever this holds. */
  readonly schools: readonly string[];
  /** scrypt hash (see web/auth/password.ts); null until set through the one-time link. */
  readonly passwordHash: string | null;
  readonly createdAt: string;
}

export interface SessionRecord {
  readonly accountId: string;
  /** The synchronizer token every state-changing request of this session carries. */
  readonly csrf: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface AuditEntry {
  readonly at: string;
  /** The account's email (or `cli` for the command line). */
  readonly actor: string;
  readonly school: string | null;
  /** e.g. `settings.changed`, `run.asked`, `deletions.confirmed`, `account.added`. */
  readonly action: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface DismissedHold {
  readonly school: string;
  readonly aurigaIds: readonly string[];
  readonly dismissedAt: string;
  readonly dismissedBy: string;
}

/** A school set up through the console (its configuration input as JSON, secrets included). */
export interface ManagedSchool {
  readonly name: string;
  readonly config: unknown;
  /** Activated: the schedule runs it. */
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ConsoleStore {
  /** A failed sign-in under `key` (an email, an address): every process serving the console counts it. */
  addSignInFailure(key: string, at: string): Promise<void>;
  /** The instants of `key`'s failed sign-ins since `since`, oldest first. */
  signInFailures(key: string, since: string): Promise<string[]>;
  clearSignInFailures(key: string): Promise<void>;
  /** Refused with `store.conflict` when the email is taken. */
  addAccount(account: Omit<Account, 'passwordHash'>): Promise<void>;
  getAccount(id: string): Promise<Account | undefined>;
  findAccountByEmail(email: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  setPassword(accountId: string, passwordHash: string): Promise<void>;

  addSignInLink(link: { tokenHash: string; accountId: string; expiresAt: string }): Promise<void>;
  /** The account of a link that is unused and unexpired at `now`, without using it. */
  peekSignInLink(tokenHash: string, now: string): Promise<string | undefined>;
  /** Use the link: its account once, undefined ever after (or when expired). */
  takeSignInLink(tokenHash: string, now: string): Promise<string | undefined>;

  addSession(session: SessionRecord & { idHash: string }): Promise<void>;
  /** The session, unless it expired at `now` or was ended. */
  getSession(idHash: string, now: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** End every session of an account (a password set, an account removed). */
  deleteSessionsOf(accountId: string): Promise<void>;

  addToken(token: {
    id: string;
    accountId: string;
    tokenHash: string;
    name: string;
    createdAt: string;
  }): Promise<void>;
  /** The account an API token acts for. */
  findToken(tokenHash: string): Promise<string | undefined>;

  audit(entry: AuditEntry): Promise<void>;
  /** Newest first; `schools` limits to those schools' entries (null: every entry). */
  listAudit(options: { schools: readonly string[] | null; limit: number }): Promise<AuditEntry[]>;

  dismissHold(hold: DismissedHold): Promise<void>;
  dismissedHolds(school: string): Promise<DismissedHold[]>;

  putSchool(school: ManagedSchool): Promise<void>;
  getSchool(name: string): Promise<ManagedSchool | undefined>;
  listSchools(): Promise<ManagedSchool[]>;
}
