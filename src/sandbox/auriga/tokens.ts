import {
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto';

/**
 * Keycloak-like tokens: RS256-signed JWTs (so a client may read `exp` as it
 * would from Keycloak) that the sandbox also remembers, so that it can expire
 * and revoke them like a server-side session.
 */

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey;
}

// One key for every sandbox of the process: an RSA key takes tens of
// milliseconds to generate, and tests start many sandboxes.
let signingKey: SigningKey | undefined;

function key(): SigningKey {
  if (!signingKey) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomBytes(16).toString('base64url');
    const jwk = {
      ...createPublicKey(privateKey).export({ format: 'jwk' }),
      kid,
      use: 'sig',
      alg: 'RS256',
    };
    signingKey = { kid, privateKey, jwk };
  }
  return signingKey;
}

/** The realm's public keys, as Keycloak's `/protocol/openid-connect/certs` serves them. */
export function jwks(): { keys: JsonWebKey[] } {
  return { keys: [key().jwk] };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function signJwt(payload: Record<string, unknown>): string {
  const { kid, privateKey } = key();
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

interface Session {
  readonly id: string;
  readonly subject: string;
  readonly username: string;
  readonly clientId: string;
  readonly scope: string;
  active: boolean;
}

interface Issued {
  readonly session: Session;
  readonly expiresAtMs: number;
}

export interface Lifetimes {
  readonly accessTokenLifetimeSeconds: number;
  readonly refreshTokenLifetimeSeconds: number;
}

export type RefreshCheck =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly description: string };

export type AccessCheck = 'valid' | 'expired' | 'unknown';

/** Keycloak's default scopes when the client asks for none. */
const DEFAULT_SCOPE = 'profile email';
/** Expired tokens are forgotten past this count, so a long-running sandbox does not grow. */
const PRUNE_ABOVE = 2000;

export class TokenAuthority {
  readonly #access = new Map<string, Issued>();
  readonly #refresh = new Map<string, Issued>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A new session after a password grant. */
  openSession(username: string, clientId: string, requestedScope: string | undefined): Session {
    const scopes = new Set(DEFAULT_SCOPE.split(' '));
    for (const s of (requestedScope ?? '').split(' ')) if (s !== '') scopes.add(s);
    return {
      id: randomUUID(),
      // Keycloak's subject is the user's id, stable for a username.
      subject: `f:${Buffer.from(username).toString('hex').slice(0, 24)}`,
      username,
      clientId,
      scope: [...scopes].join(' '),
      active: true,
    };
  }

  /** The token endpoint's answer for a session, as Keycloak writes it. */
  issue(session: Session, issuer: string, lifetimes: Lifetimes): Record<string, unknown> {
    this.#prune();
    const nowMs = this.#now();
    const iat = Math.floor(nowMs / 1000);
    const accessExp = iat + lifetimes.accessTokenLifetimeSeconds;
    const refreshExp = iat + lifetimes.refreshTokenLifetimeSeconds;
    const common = {
      iat,
      iss: issuer,
      sub: session.subject,
      azp: session.clientId,
      sid: session.id,
      session_state: session.id,
      scope: session.scope,
    };
    const accessToken = signJwt({
      ...common,
      exp: accessExp,
      jti: randomUUID(),
      aud: 'account',
      typ: 'Bearer',
      preferred_username: session.username,
    });
    const refreshToken = signJwt({
      ...common,
      exp: refreshExp,
      jti: randomUUID(),
      aud: issuer,
      typ: 'Refresh',
    });
    this.#access.set(accessToken, {
      session,
      expiresAtMs: nowMs + lifetimes.accessTokenLifetimeSeconds * 1000,
    });
    this.#refresh.set(refreshToken, {
      session,
      expiresAtMs: nowMs + lifetimes.refreshTokenLifetimeSeconds * 1000,
    });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: lifetimes.accessTokenLifetimeSeconds,
      refresh_expires_in: lifetimes.refreshTokenLifetimeSeconds,
      refresh_token: refreshToken,
      token_type: 'Bearer',
    };
    if (session.scope.split(' ').includes('openid')) {
      body.id_token = signJwt({
        ...common,
        exp: accessExp,
        jti: randomUUID(),
        aud: session.clientId,
        typ: 'ID',
        auth_time: iat,
        preferred_username: session.username,
      });
    }
    body['not-before-policy'] = 0;
    body.session_state = session.id;
    body.scope = session.scope;
    return body;
  }

  /** Keycloak's checks of a refresh token, with its error descriptions. */
  checkRefresh(token: string, clientId: string): RefreshCheck {
    const issued = this.#refresh.get(token);
    if (!issued) return { ok: false, description: 'Invalid refresh token' };
    if (issued.expiresAtMs <= this.#now()) return { ok: false, description: 'Token is not active' };
    if (!issued.session.active) return { ok: false, description: 'Session not active' };
    if (issued.session.clientId !== clientId) {
      return {
        ok: false,
        description: "Invalid refresh token. Token client and authorized client don't match",
      };
    }
    return { ok: true, session: issued.session };
  }

  checkAccess(token: string): AccessCheck {
    const issued = this.#access.get(token);
    if (!issued?.session.active) return 'unknown';
    return issued.expiresAtMs <= this.#now() ? 'expired' : 'valid';
  }

  /** Who a valid access token belongs to. */
  sessionOf(token: string): Session | undefined {
    return this.checkAccess(token) === 'valid' ? this.#access.get(token)?.session : undefined;
  }

  /** End every session: refresh tokens answer "Session not active", access tokens 401. */
  revokeSessions(): void {
    for (const { session } of [...this.#access.values(), ...this.#refresh.values()]) {
      session.active = false;
    }
  }

  /** Make every access token expired now; refresh tokens still work. */
  expireAccessTokens(): void {
    const now = this.#now();
    for (const [token, issued] of this.#access) {
      this.#access.set(token, { ...issued, expiresAtMs: Math.min(issued.expiresAtMs, now) });
    }
  }

  #prune(): void {
    const now = this.#now();
    for (const map of [this.#access, this.#refresh]) {
      if (map.size <= PRUNE_ABOVE) continue;
      for (const [token, issued] of map) if (issued.expiresAtMs <= now) map.delete(token);
    }
  }
}
