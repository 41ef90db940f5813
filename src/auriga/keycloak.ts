import * as oidc from 'openid-client';
import type { AurigaConfig } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import { describeNetworkError } from '../http/network-error.ts';
import { createHttp, type Http, type HttpAnswer, isRequestFailure } from '../http/request.ts';
import { isRetryableStatus, type RetryPolicy, type Sleep } from '../http/retry.ts';
import { aurigaError } from './errors.ts';

/**
 * Signing in to Auriga's Keycloak with openid-client (auriga-api.md,
 * Sign-in): the password grant as a generic grant request, its refresh grant,
 * tokens refreshed ahead of expiry, and Keycloak's errors translated once,
 * here, into messages a school admin can act on.
 *
 * `keycloakUrl` is taken as schools paste it: with or without the legacy
 * `/auth`, with a trailing slash, with `/realms/...` on it. The base is found
 * by discovery (the given base first, then the one with `/auth` added or
 * removed) and remembered for the process, so later runs go straight to it.
 *
 * Secrets (password, client secret, tokens) never enter a message, a log
 * line or an error's cause.
 */

export type KeycloakSettings = Pick<
  AurigaConfig,
  'keycloakUrl' | 'realm' | 'clientId' | 'clientSecret' | 'username' | 'password' | 'timeoutMs'
>;

export interface AurigaLogger {
  info(data: object, message?: string): void;
  warn(data: object, message?: string): void;
  debug?(data: object, message?: string): void;
}

export interface KeycloakDeps {
  readonly fetch?: typeof fetch | undefined;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: (() => number) | undefined;
  readonly logger?: AurigaLogger | undefined;
  /** For network trouble, 429 and 5xx only: configuration errors are never retried. */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Waits between retries. @default a real timer */
  readonly sleep?: Sleep | undefined;
  readonly random?: (() => number) | undefined;
}

/** What the API client needs: a valid access token, and a fresh one when the API refused it. */
export interface TokenSource {
  accessToken(signal?: AbortSignal): Promise<string>;
  /** The API answered 401 to `rejected`: get a new token (at most once per rejected token). */
  renewAfterRejection(rejected: string, signal?: AbortSignal): Promise<string>;
}

/** Refresh this long before expiry at most; a quarter of the lifetime for short-lived tokens. */
const MAX_REFRESH_MARGIN_MS = 30_000;

/**
 * The bases to try, best guess first: the URL as given, without what was
 * pasted after it (`/realms/...`, `/protocol/...`, `/admin/...`, a trailing
 * slash), then the same with `/auth` added or removed.
 */
export function keycloakBaseCandidates(keycloakUrl: string): string[] {
  const url = new URL(keycloakUrl.trim());
  url.search = '';
  url.hash = '';
  let path = url.pathname;
  const cut = path.search(/\/(realms|protocol|admin|resources|js)(\/|$)/);
  if (cut >= 0) path = path.slice(0, cut);
  path = path.replace(/\/+$/, '');
  const origin = url.origin;
  const given = `${origin}${path}`;
  const other = path.endsWith('/auth')
    ? `${origin}${path.slice(0, -'/auth'.length)}`
    : `${origin}${path}/auth`;
  return [given, other];
}

/** The realm pasted in `keycloakUrl` (`.../realms/school/...`), if any. */
export function realmInUrl(keycloakUrl: string): string | undefined {
  try {
    const match = /\/realms\/([^/]+)/.exec(new URL(keycloakUrl.trim()).pathname);
    return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** Discovered server metadata per `keycloakUrl` and realm: no secret in it, shared by the process. */
const discovered = new Map<string, { base: string; metadata: oidc.ServerMetadata }>();

/** Forget what discovery found (tests, or after a school moved its Keycloak). */
export function forgetDiscoveredKeycloak(): void {
  discovered.clear();
}

export interface SignInCheck {
  /** The Keycloak base that answered, e.g. `https://sso.school.fr/auth`. */
  readonly base: string;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** The access token's lifetime as Keycloak gave it. */
  readonly accessTokenSeconds: number | undefined;
  readonly refreshable: boolean;
}

interface Tokens {
  readonly access: string;
  readonly refresh: string | undefined;
  /** Epoch ms after which the access token is refreshed. */
  readonly refreshAt: number;
  /** Epoch ms after which the refresh token is not worth trying. */
  readonly refreshUsableUntil: number;
}

export class KeycloakSession implements TokenSource {
  readonly #settings: KeycloakSettings;
  readonly #http: Http;
  readonly #now: () => number;
  readonly #logger: AurigaLogger | undefined;
  #configuration: oidc.Configuration | undefined;
  #base: string | undefined;
  #tokens: Tokens | undefined;
  #pending: Promise<Tokens> | undefined;
  /** The signal of the operation in progress, joined to every request openid-client makes. */
  #signal: AbortSignal | undefined;

  constructor(settings: KeycloakSettings, deps: KeycloakDeps = {}) {
    this.#settings = settings;
    this.#now = deps.now ?? Date.now;
    this.#logger = deps.logger;
    const logger = deps.logger;
    this.#http = createHttp({
      fetch: deps.fetch,
      retry: deps.retry,
      timeoutMs: settings.timeoutMs,
      timeoutSetting: 'auriga.timeoutMs',
      now: this.#now,
      sleep: deps.sleep,
      random: deps.random,
      onAttempt: (event) =>
        logger?.debug?.(
          { route: event.name, status: event.status, ms: event.ms },
          'keycloak request',
        ),
      onRetry: (event) =>
        logger?.warn(
          {
            route: event.name,
            attempt: event.attempt,
            waitMs: event.delayMs,
            reason: event.reason,
          },
          'Keycloak request failed; retrying',
        ),
    });
  }

  /** The Keycloak base found, once signed in. */
  get base(): string | undefined {
    return this.#base;
  }

  async accessToken(signal?: AbortSignal): Promise<string> {
    const tokens = this.#tokens;
    if (tokens && this.#now() < tokens.refreshAt) return tokens.access;
    return (await this.#renew(signal)).access;
  }

  async renewAfterRejection(rejected: string, signal?: AbortSignal): Promise<string> {
    const tokens = this.#tokens;
    if (tokens && tokens.access !== rejected) return tokens.access;
    this.#logger?.debug?.({}, 'Auriga refused the access token: refreshing it');
    this.#tokens = tokens && { ...tokens, refreshAt: 0 };
    return (await this.#renew(signal)).access;
  }

  /** Sign in with the password grant, whatever tokens are held: the doctor's check. */
  async check(signal?: AbortSignal): Promise<SignInCheck> {
    const tokens = await this.#single(() => this.#signIn(signal));
    const configuration = await this.#configure(signal);
    const metadata = configuration.serverMetadata();
    const lifetime = this.#lastLifetimeSeconds;
    return {
      base: this.#base ?? '',
      issuer: metadata.issuer,
      tokenEndpoint: String(metadata.token_endpoint),
      accessTokenSeconds: lifetime,
      refreshable: tokens.refresh !== undefined,
    };
  }

  #lastLifetimeSeconds: number | undefined;

  #renew(signal: AbortSignal | undefined): Promise<Tokens> {
    return this.#single(async () => {
      const held = this.#tokens;
      if (held?.refresh !== undefined && this.#now() < held.refreshUsableUntil) {
        try {
          return await this.#grant('refresh', held.refresh, signal);
        } catch (error) {
          // An expired or revoked refresh token (Keycloak: invalid_grant) is
          // no configuration problem: sign in again.
          if (!(error instanceof AppError && error.code === 'auriga.refresh_refused')) throw error;
          this.#logger?.debug?.({}, 'Keycloak refused the refresh token: signing in again');
        }
      }
      return this.#signIn(signal);
    });
  }

  /** One sign-in or refresh at a time; concurrent callers share it. */
  async #single(work: () => Promise<Tokens>): Promise<Tokens> {
    if (this.#pending) return this.#pending;
    const pending = work().then(
      (tokens) => {
        this.#tokens = tokens;
        return tokens;
      },
      (error: unknown) => {
        this.#tokens = undefined;
        throw error;
      },
    );
    this.#pending = pending;
    try {
      return await pending;
    } finally {
      this.#pending = undefined;
    }
  }

  #signIn(signal: AbortSignal | undefined): Promise<Tokens> {
    return this.#grant('password', undefined, signal);
  }

  async #grant(
    kind: 'password' | 'refresh',
    refreshToken: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Tokens> {
    const configuration = await this.#configure(signal);
    const startedAt = this.#now();
    let response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      response =
        kind === 'password'
          ? await oidc.genericGrantRequest(configuration, 'password', {
              username: this.#settings.username,
              password: this.#settings.password,
            })
          : await oidc.refreshTokenGrant(configuration, refreshToken ?? '');
    } catch (error) {
      throw await this.#translateTokenError(error, kind);
    }
    const lifetimeMs = (response.expires_in ?? 60) * 1000;
    this.#lastLifetimeSeconds = response.expires_in;
    const refreshLifetime = Number(
      (response as { refresh_expires_in?: unknown }).refresh_expires_in,
    );
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 4);
    this.#logger?.[kind === 'password' ? 'info' : 'debug']?.(
      {
        keycloak: this.#base,
        realm: this.#settings.realm,
        clientId: this.#settings.clientId,
        accessTokenSeconds: response.expires_in,
      },
      kind === 'password' ? 'signed in to Keycloak' : 'refreshed the Keycloak token',
    );
    return {
      access: response.access_token,
      refresh: response.refresh_token,
      refreshAt: startedAt + lifetimeMs - margin,
      refreshUsableUntil:
        Number.isFinite(refreshLifetime) && refreshLifetime > 0
          ? startedAt + refreshLifetime * 1000 - margin
          : startedAt + lifetimeMs,
    };
  }

  /** Discovery, once per process for a given URL and realm. */
  async #configure(signal: AbortSignal | undefined): Promise<oidc.Configuration> {
    this.#signal = signal;
    if (this.#configuration) return this.#configuration;
    const { keycloakUrl, realm, clientId, clientSecret } = this.#settings;
    const key = `${keycloakUrl}\u0000${realm}`;
    let found = discovered.get(key);
    if (!found) {
      found = await this.#discover();
      discovered.set(key, found);
    }
    const configuration = new oidc.Configuration(
      found.metadata,
      clientId,
      { client_secret: clientSecret },
      oidc.ClientSecretPost(clientSecret),
    );
    this.#prepare(configuration, found.metadata.issuer);
    this.#configuration = configuration;
    this.#base = found.base;
    return configuration;
  }

  #prepare(configuration: oidc.Configuration, url: string): void {
    configuration[oidc.customFetch] = this.#customFetch;
    configuration.timeout = this.#wholeCallSeconds();
    if (url.startsWith('http:')) oidc.allowInsecureRequests(configuration);
  }

  /**
   * Every request openid-client makes goes through the shared request path:
   * 5xx, 429, timeouts and dropped connections on discovery and token calls
   * are retried there, `Retry-After` honoured. Once the retries are spent,
   * the last answer is handed back as is (openid-client's error for it is
   * translated below), or the last network error is thrown. An answer the
   * policy does not retry (400, 401: a configuration error) is never retried.
   *
   * openid-client's own signal only carries its timeout for the whole call;
   * each attempt is timed out by auriga.timeoutMs instead, and the operation's
   * signal cuts everything short.
   */
  readonly #customFetch: oidc.CustomFetch = async (url, options) => {
    const name = `${options.method} ${new URL(url).pathname}`;
    try {
      const answer = await this.#http.send({
        name,
        url,
        method: options.method,
        headers: options.headers,
        body: options.body as string | URLSearchParams | undefined,
        redirect: options.redirect,
        signal: this.#signal,
      });
      return responseOf(answer);
    } catch (error) {
      if (!isRequestFailure(error)) throw error;
      if (error.last !== undefined) return responseOf(error.last);
      throw error.cause ?? error;
    }
  };

  /** openid-client's limit for a whole call: every attempt and every wait between them. */
  #wholeCallSeconds(): number {
    const { retries, maxDelayMs } = this.#http.policy;
    const ms = (retries + 1) * this.#settings.timeoutMs + retries * maxDelayMs;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  async #discover(): Promise<{ base: string; metadata: oidc.ServerMetadata }> {
    const { keycloakUrl, realm, clientId } = this.#settings;
    const pasted = realmInUrl(keycloakUrl);
    if (pasted !== undefined && pasted !== realm) {
      this.#logger?.warn(
        { pastedRealm: pasted, realm },
        'auriga.keycloakUrl names another realm than auriga.realm: auriga.realm is used',
      );
    }
    const candidates = keycloakBaseCandidates(keycloakUrl);
    const tried: string[] = [];
    /** A base where Keycloak's own "Page not found" answered: Keycloak is there, the realm is not. */
    let keycloakSeenAt: string | undefined;
    for (const base of candidates) {
      const issuer = new URL(`${base}/realms/${encodeURIComponent(realm)}`);
      tried.push(`${issuer.href}/.well-known/openid-configuration`);
      const options: oidc.DiscoveryRequestOptions = {
        [oidc.customFetch]: this.#customFetch,
        timeout: this.#wholeCallSeconds(),
        ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      };
      try {
        const configuration = await oidc.discovery(issuer, clientId, undefined, undefined, options);
        return { base, metadata: configuration.serverMetadata() };
      } catch (error) {
        const status = httpStatusOf(error);
        if (isNotThere(error, status)) {
          if (keycloakSeenAt === undefined && (await looksLikeKeycloak(error)))
            keycloakSeenAt = base;
          continue;
        }
        if (isIssuerMismatch(error)) {
          // Keycloak behind a proxy often names itself by another address
          // (its frontend URL): its metadata, read without the issuer check,
          // still names the right token endpoint.
          this.#logger?.warn(
            { keycloak: base, realm },
            'Keycloak names itself by another address than auriga.keycloakUrl; using its discovery document as is',
          );
          const wellKnown = new URL(`${issuer.href}/.well-known/openid-configuration`);
          const configuration = await oidc.discovery(
            wellKnown,
            clientId,
            undefined,
            undefined,
            options,
          );
          return { base, metadata: configuration.serverMetadata() };
        }
        throw this.#transportError(error, status, `Keycloak discovery at ${issuer.href}`);
      }
    }
    throw await this.#notFoundError(candidates, tried, keycloakSeenAt);
  }

  /** No realm at any base: tell a wrong realm (Keycloak is there) from a wrong URL. */
  async #notFoundError(
    candidates: readonly string[],
    tried: readonly string[],
    keycloakSeenAt: string | undefined,
  ): Promise<AppError> {
    const { keycloakUrl, realm } = this.#settings;
    const unknownRealm = (base: string, sure: boolean) =>
      aurigaError(
        'auriga.unknown_realm',
        `Keycloak at ${base} has no realm "${realm}": check auriga.realm (the word after /realms/ in the address of Auriga's sign-in page; it is case-sensitive)${sure ? '' : `; if it is right, check auriga.keycloakUrl (${keycloakUrl})`}.`,
        {
          hint: "Open Auriga's sign-in page and copy the word after /realms/ in its address into auriga.realm.",
        },
      );
    for (const base of candidates) {
      if (realm === 'master') break;
      try {
        const url = `${base}/realms/master/.well-known/openid-configuration`;
        const response = await this.#http.send({
          name: `GET ${new URL(url).pathname}`,
          url,
          method: 'GET',
          headers: { accept: 'application/json' },
          signal: this.#signal,
        });
        const { text } = response;
        // Every Keycloak has the master realm: if it answers, only the realm is wrong.
        if (response.status === 200 && text.includes('token_endpoint'))
          return unknownRealm(base, true);
      } catch {
        // Not Keycloak either: the message below says so.
      }
    }
    if (keycloakSeenAt !== undefined) return unknownRealm(keycloakSeenAt, false);
    return aurigaError(
      'auriga.keycloak_not_found',
      `No Keycloak realm "${realm}" answers at ${keycloakUrl} (tried ${tried.join(' and ')}): check auriga.keycloakUrl (the address of Auriga's sign-in page up to /realms/, e.g. https://sso.your-school.fr/auth) and auriga.realm.`,
      {
        hint: 'Copy the sign-in page address from the browser: keycloakUrl is what comes before /realms/, realm the word after it.',
      },
    );
  }

  async #translateTokenError(error: unknown, kind: 'password' | 'refresh'): Promise<unknown> {
    const { clientId, realm, username } = this.#settings;
    let body: { error?: unknown; error_description?: unknown } | undefined;
    let status = httpStatusOf(error);
    if (error instanceof oidc.ResponseBodyError) {
      body = { error: error.error, error_description: error.error_description };
      status = error.status;
    } else if (error instanceof oidc.WWWAuthenticateChallengeError) {
      status = error.status;
      try {
        body = (await error.response.json()) as typeof body;
      } catch {
        body = undefined;
      }
    }
    const code = typeof body?.error === 'string' ? body.error : undefined;
    const description =
      typeof body?.error_description === 'string' ? body.error_description : undefined;
    const said = `${code}${description ? `: ${description}` : ''}`;
    if (code === undefined)
      return this.#transportError(
        error,
        status,
        `the Keycloak ${kind === 'password' ? 'sign-in' : 'token refresh'}`,
      );
    const cause = { error: code, error_description: description, status };
    if (kind === 'refresh' && code === 'invalid_grant') {
      return aurigaError(
        'auriga.refresh_refused',
        `Keycloak refused the refresh token (${said}).`,
        { cause },
      );
    }
    switch (code) {
      case 'invalid_grant':
        if (status === 401 || /credentials/i.test(description ?? '')) {
          return aurigaError(
            'auriga.invalid_credentials',
            `Keycloak refused the username or password of "${username}" in realm "${realm}" (${said}): check auriga.username and auriga.password.`,
            {
              cause,
              hint: `Sign in to Auriga in a browser as "${username}" with the configured password to check them.`,
            },
          );
        }
        return aurigaError(
          'auriga.account_not_ready',
          `Keycloak refused to sign "${username}" in (${said}): the account must finish its setup (a temporary password to change, an email to verify, terms to accept) or is disabled.`,
          {
            cause,
            hint: `Sign in to Auriga in a browser as "${username}" and complete every step asked, or ask the Keycloak administrator to enable the account.`,
          },
        );
      case 'unauthorized_client':
        if (status === 401 || /credentials|secret/i.test(description ?? '')) {
          return aurigaError(
            'auriga.invalid_client_secret',
            `Keycloak refused the secret of client "${clientId}" (${said}): check auriga.clientSecret.`,
            {
              cause,
              hint: `In Keycloak's admin console: realm "${realm}" > Clients > ${clientId} > Credentials, copy the client secret into auriga.clientSecret.`,
            },
          );
        }
        return aurigaError(
          'auriga.direct_grants_disabled',
          `Keycloak refused the client "${clientId}" (${said}): enable Direct Access Grants for it.`,
          {
            cause,
            hint: `In Keycloak's admin console: realm "${realm}" > Clients > ${clientId} > Settings > Capability config, tick "Direct access grants".`,
          },
        );
      case 'invalid_client':
        return aurigaError(
          'auriga.unknown_client',
          `Keycloak does not accept the client "${clientId}" in realm "${realm}" (${said}): check auriga.clientId, and that the client is enabled and confidential.`,
          {
            cause,
            hint: `In Keycloak's admin console: realm "${realm}" > Clients lists the client ids; copy the one made for this connector into auriga.clientId.`,
          },
        );
      case 'invalid_scope':
      case 'unsupported_grant_type':
        return aurigaError(
          'auriga.sign_in_refused',
          `Keycloak refused the sign-in of client "${clientId}" (${said}): ask the Keycloak administrator to allow the password grant for this client.`,
          { cause },
        );
      default:
        if (status !== undefined && status >= 500) {
          return aurigaError(
            'auriga.keycloak_unavailable',
            `Keycloak answered HTTP ${status} (${said}); try again later.`,
            { cause },
          );
        }
        return aurigaError(
          'auriga.sign_in_failed',
          `Keycloak refused the sign-in (HTTP ${status ?? '?'}, ${said}).`,
          { cause },
        );
    }
  }

  /** Network trouble, timeouts, 5xx, or an answer that is not Keycloak's. */
  #transportError(error: unknown, status: number | undefined, what: string): AppError {
    if (this.#signal?.aborted)
      return aurigaError('auriga.aborted', `${what} was cut short.`, {
        cause: this.#signal.reason,
      });
    if (status !== undefined && isRetryableStatus(this.#http.policy, status)) {
      return aurigaError(
        'auriga.keycloak_unavailable',
        `${what} answered HTTP ${status}; try again later.`,
        { cause: safeCause(error) },
      );
    }
    if (status !== undefined) {
      return aurigaError(
        'auriga.keycloak_unexpected',
        `${what} answered HTTP ${status}, not what Keycloak answers: check auriga.keycloakUrl and auriga.realm.`,
        { cause: safeCause(error) },
      );
    }
    const reason = describeNetworkError(error);
    return aurigaError(
      'auriga.keycloak_unreachable',
      `${what} failed: ${reason}. Check that auriga.keycloakUrl (${this.#settings.keycloakUrl}) is reachable from this machine.`,
      { cause: safeCause(error) },
    );
  }
}

export function createKeycloakSession(
  settings: KeycloakSettings,
  deps: KeycloakDeps = {},
): KeycloakSession {
  return new KeycloakSession(settings, deps);
}

/** Sign in once and say what answered: for `doctor`. Throws the same errors as a read. */
export function checkSignIn(
  settings: KeycloakSettings,
  deps: KeycloakDeps & { signal?: AbortSignal } = {},
): Promise<SignInCheck> {
  return new KeycloakSession(settings, deps).check(deps.signal);
}

function httpStatusOf(error: unknown): number | undefined {
  if (
    error instanceof oidc.ResponseBodyError ||
    error instanceof oidc.WWWAuthenticateChallengeError
  )
    return error.status;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Response) return cause.status;
  return undefined;
}

/** A 404, or an answer that is no discovery document (an HTML page): no realm at this base. */
function isNotThere(error: unknown, status: number | undefined): boolean {
  if (status === 404) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    code === 'OAUTH_RESPONSE_IS_NOT_JSON' ||
    (status !== undefined && status >= 300 && status < 500 && status !== 408 && status !== 429)
  );
}

/** Keycloak's own 404: its error page, or its JSON "Realm does not exist". */
async function looksLikeKeycloak(error: unknown): Promise<boolean> {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (!(cause instanceof Response) || cause.bodyUsed) return false;
  try {
    const text = (await cause.text()).slice(0, 20_000);
    return /kc-error-message|Realm does not exist|We are sorry/i.test(text);
  } catch {
    return false;
  }
}

function isIssuerMismatch(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' ||
    (error instanceof oidc.ClientError && /issuer/.test(error.message))
  );
}

/** One wording for network errors, shared with every client (src/http/network-error.ts). */
export { describeNetworkError } from '../http/network-error.ts';

/** openid-client reads a Response: the answer, read whole by the request path, rebuilt. */
function responseOf(answer: HttpAnswer): Response {
  const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
  return new Response(empty ? null : answer.text, {
    status: answer.status,
    statusText: answer.statusText,
    headers: answer.headers,
  });
}

/** A cause safe to keep: name, message and code, without the request that may carry secrets. */
function safeCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(error.message);
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
