import { randomUUID } from 'node:crypto';
import { isAppError } from '../errors/app-error.ts';
import type { Account, ConsoleStore, Role } from '../store/port.ts';
import { API_TOKEN_PREFIX, hashToken, newToken } from './auth/tokens.ts';
import { WebError } from './errors.ts';

/**
 * Console accounts, for the API and for `user add|link|token` alike: an
 * account is added with a one-time sign-in link (the only way its first
 * password is set), and every addition goes to the audit log.
 */

/** A one-time link lives a week: long enough for a person to find the mail, short if it leaks. */
const LINK_TTL_MS = 7 * 24 * 3600_000;

/** An account as the API shows it: never its password hash. */
export const publicAccount = (a: Account) => ({
  id: a.id,
  email: a.email,
  role: a.role,
  schools: a.schools,
  passwordSet: a.passwordHash !== null,
  createdAt: a.createdAt,
});

/** Used by `user add` as well as the API: the account, its link, the audit line. */
export async function addAccount(
  store: ConsoleStore,
  input: { email: string; role: Role; schools: readonly string[] },
  context: { now: () => Date; publicUrl: string; actor: string },
) {
  const email = input.email.trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new WebError(400, 'account.invalid', `"${input.email}" is not an email address.`);
  if (input.role !== 'operator' && input.schools.length === 0)
    throw new WebError(400, 'account.invalid', `An ${input.role} needs at least one --school.`);
  const account = {
    id: randomUUID(),
    email,
    role: input.role,
    schools: input.role === 'operator' ? [] : [...input.schools],
    createdAt: context.now().toISOString(),
  };
  try {
    await store.addAccount(account);
  } catch (error) {
    if (isAppError(error) && error.code === 'store.conflict')
      throw new WebError(409, 'account.taken', `An account for ${email} exists already.`);
    throw error;
  }
  const link = await signInLink(store, account.id, context);
  await store.audit({
    at: context.now().toISOString(),
    actor: context.actor,
    school: account.schools[0] ?? null,
    action: 'account.added',
    detail: { email: account.email, role: account.role, schools: account.schools },
  });
  return { account: publicAccount({ ...account, passwordHash: null }), signInLink: link };
}

export async function signInLink(
  store: ConsoleStore,
  accountId: string,
  context: { now: () => Date; publicUrl: string },
): Promise<string> {
  const token = newToken();
  await store.addSignInLink({
    tokenHash: hashToken(token),
    accountId,
    expiresAt: new Date(context.now().getTime() + LINK_TTL_MS).toISOString(),
  });
  return `${context.publicUrl.replace(/\/$/, '')}/welcome?token=${encodeURIComponent(token)}`;
}

export async function newApiToken(
  store: ConsoleStore,
  account: Account,
  name: string,
  now: () => Date,
) {
  const token = newToken(API_TOKEN_PREFIX);
  await store.addToken({
    id: randomUUID(),
    accountId: account.id,
    tokenHash: hashToken(token),
    name: name || 'token',
    createdAt: now().toISOString(),
  });
  await store.audit({
    at: now().toISOString(),
    actor: account.email,
    school: null,
    action: 'token.created',
    detail: { name },
  });
  return { token };
}
