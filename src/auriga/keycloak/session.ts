import * as oidc from 'openid-client';
import { createHttp, type Http } from '../../http/request.ts';
import type { RetryPolicy, Sleep } from '../../http/retry.ts';
import { isAurigaError } from '../errors.ts';
import { discoverOnce } from './discovery.ts';
import { translateTokenError } from './errors.ts';
import { openidFetch, wholeCallSeconds } from './openid-fetch.ts';
import type { AurigaLogger, KeycloakSettings, SignInCheck, TokenSource } from './ports.ts';

/**
 * Signing in to Auriga's Keycloak with openid-client (auriga-api.md,
 * Sign-in): the password grant as a generic grant request, its refresh grant,
 * tokens refreshed ahead of expiry, one sign-in at a time. Discovery is in
 * discovery.ts, the translation of Keycloak's errors in errors.ts, the
 * requests go through the shared request path (openid-fetch.ts).
 *
 * `keycloakUrl` is taken as schools paste it: with or without the legacy
 * `/auth`, with a trailing slash, with `/realms/...` on it. The base is found
 * by discovery (the given base first, then the one with `/auth` added or
 * removed) and remembered for the process, so later runs go straight to it.
 *
 * Secrets (password, client secret, tokens) never enter a message, a log
 * line or an error's cause.
 */

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

/** Refresh this long before expiry at most; a quarter of the lifetime for short-lived tokens. */
const MAX_REFRESH_MARGIN_MS = 30_000;

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
  /** openid-client's fetch: the shared request path, cut short by the operation's signal. */
  readonly #customFetch: oidc.CustomFetch;

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
    this.#customFetch = openidFetch(this.#http, () => this.#signal);
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
          if (!isAurigaError(error, 'auriga.refresh_refused')) throw error;
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
      throw await translateTokenError(error, kind, {
        settings: this.#settings,
        policy: this.#http.policy,
        signal: this.#signal,
      });
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

  /** Discovery, once per process for a given URL and realm (discovery.ts). */
  async #configure(signal: AbortSignal | undefined): Promise<oidc.Configuration> {
    this.#signal = signal;
    if (this.#configuration) return this.#configuration;
    const { clientId, clientSecret } = this.#settings;
    const found = await discoverOnce({
      settings: this.#settings,
      http: this.#http,
      policy: this.#http.policy,
      customFetch: this.#customFetch,
      timeoutSeconds: wholeCallSeconds(this.#http, this.#settings.timeoutMs),
      logger: this.#logger,
      signal,
    });
    const configuration = new oidc.Configuration(
      found.metadata,
      clientId,
      { client_secret: clientSecret },
      oidc.ClientSecretPost(clientSecret),
    );
    configuration[oidc.customFetch] = this.#customFetch;
    configuration.timeout = wholeCallSeconds(this.#http, this.#settings.timeoutMs);
    if (found.metadata.issuer.startsWith('http:')) oidc.allowInsecureRequests(configuration);
    this.#configuration = configuration;
    this.#base = found.base;
    return configuration;
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
