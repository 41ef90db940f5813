import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleStore } from '../../store/port.ts';
import type { Principal } from '../console.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { createThrottle, PER_ACCOUNT, PER_ADDRESS } from './throttle.ts';
import { hashToken, newToken } from './tokens.ts';

/**
 * Who is asking: a session cookie (a person in a browser) or an API token
 * (`Authorization: Bearer aet_…`, a machine). Sessions live in the store, so
 * signing out ends one wherever its cookie is; the cookie is HttpOnly,
 * SameSite=Lax, and Secure when the console is reached over HTTPS.
 *
 * CSRF: a session carries a synchronizer token, sent back on every
 * state-changing request (form field `_csrf` or header `x-csrf-token`);
 * before a session exists (the sign-in forms) a double-submit cookie does
 * the same. A bearer token is no ambient credential: it needs none.
 */

export const SESSION_COOKIE = 'aes_session';
export const PRE_CSRF_COOKIE = 'aes_csrf';
/** A working day: a person signs in once a morning, a forgotten tab does not stay open for ever. */
export const SESSION_TTL_MS = 12 * 3600_000;

export interface Authenticated extends Principal {
  readonly via: 'session' | 'token';
  /** The session's CSRF token (sessions only). */
  readonly csrf: string | null;
  readonly sessionHash: string | null;
}

export interface Auth {
  identify(request: FastifyRequest): Promise<Authenticated | null>;
  /** The CSRF check of a state-changing request; true when it passes. */
  csrfOk(request: FastifyRequest, who: Authenticated | null): boolean;
  /** The double-submit token of a form shown before sign-in (sets its cookie). */
  preCsrf(request: FastifyRequest, reply: FastifyReply): string;
  signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    email: string,
    password: string,
  ): Promise<{ ok: true; csrf: string } | { ok: false; retryAfterMs: number }>;
  /** Set the password through a one-time link, and sign in. */
  welcome(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    password: string,
  ): Promise<boolean>;
  linkValid(token: string): Promise<boolean>;
  signOut(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function createAuth(deps: {
  readonly store: ConsoleStore;
  readonly now: () => Date;
  /** True behind TLS (the public URL is https): the cookie gets `Secure`. */
  readonly secure: (request: FastifyRequest) => boolean;
}): Auth {
  const { store } = deps;
  const now = () => deps.now().toISOString();
  const perAccount = createThrottle(PER_ACCOUNT, store, 'account', () => deps.now().getTime());
  const perAddress = createThrottle(PER_ADDRESS, store, 'address', () => deps.now().getTime());

  async function startSession(request: FastifyRequest, reply: FastifyReply, accountId: string) {
    const id = newToken();
    const csrf = newToken();
    await store.addSession({
      idHash: hashToken(id),
      accountId,
      csrf,
      createdAt: now(),
      expiresAt: new Date(deps.now().getTime() + SESSION_TTL_MS).toISOString(),
    });
    reply.setCookie(SESSION_COOKIE, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secure(request),
      maxAge: SESSION_TTL_MS / 1000,
    });
    return csrf;
  }

  return {
    async identify(request) {
      const header = request.headers.authorization;
      if (header?.startsWith('Bearer ')) {
        const accountId = await store.findToken(hashToken(header.slice(7).trim()));
        const account = accountId ? await store.getAccount(accountId) : undefined;
        return account ? { account, via: 'token', csrf: null, sessionHash: null } : null;
      }
      const id = request.cookies[SESSION_COOKIE];
      if (!id) return null;
      const sessionHash = hashToken(id);
      const session = await store.getSession(sessionHash, now());
      if (!session) return null;
      const account = await store.getAccount(session.accountId);
      return account ? { account, via: 'session', csrf: session.csrf, sessionHash } : null;
    },

    csrfOk(request, who) {
      if (who?.via === 'token') return true;
      const body = request.body as Record<string, unknown> | undefined;
      const given =
        (request.headers['x-csrf-token'] as string | undefined) ??
        (typeof body?._csrf === 'string' ? body._csrf : undefined);
      if (!given) return false;
      if (who?.csrf) return equal(given, who.csrf);
      const cookie = request.cookies[PRE_CSRF_COOKIE];
      return cookie !== undefined && equal(given, cookie);
    },

    preCsrf(request, reply) {
      const existing = request.cookies[PRE_CSRF_COOKIE];
      if (existing) return existing;
      const token = newToken();
      reply.setCookie(PRE_CSRF_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secure(request),
      });
      return token;
    },

    async signIn(request, reply, email, password) {
      const accountKey = email.trim().toLowerCase();
      const addressKey = request.ip;
      const wait = Math.max(
        await perAccount.retryAfterMs(accountKey),
        await perAddress.retryAfterMs(addressKey),
      );
      if (wait > 0) return { ok: false, retryAfterMs: wait };
      const account = await store.findAccountByEmail(accountKey);
      // verifyPassword spends the same time on an unknown account.
      const ok = await verifyPassword(password, account?.passwordHash ?? null);
      if (!ok || !account) {
        await perAccount.fail(accountKey);
        await perAddress.fail(addressKey);
        return { ok: false, retryAfterMs: 0 };
      }
      await perAccount.succeed(accountKey);
      return { ok: true, csrf: await startSession(request, reply, account.id) };
    },

    async linkValid(token) {
      return (await store.peekSignInLink(hashToken(token), now())) !== undefined;
    },

    async welcome(request, reply, token, password) {
      const accountId = await store.takeSignInLink(hashToken(token), now());
      if (!accountId) return false;
      await store.setPassword(accountId, await hashPassword(password));
      // A new password ends the sessions an old one opened.
      await store.deleteSessionsOf(accountId);
      await startSession(request, reply, accountId);
      return true;
    },

    async signOut(request, reply) {
      const id = request.cookies[SESSION_COOKIE];
      if (id) await store.deleteSession(hashToken(id));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  };
}
