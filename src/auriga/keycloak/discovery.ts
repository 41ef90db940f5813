import * as oidc from 'openid-client';
import type { AppError } from '../../errors/app-error.ts';
import type { Http } from '../../http/request.ts';
import type { RetryPolicy } from '../../http/retry.ts';
import { aurigaError } from '../errors.ts';
import { httpStatusOf, transportError } from './errors.ts';
import type { AurigaLogger, KeycloakSettings } from './ports.ts';
import { keycloakBaseCandidates, realmInUrl } from './url-shapes.ts';

/**
 * Finding the realm's OpenID metadata from `keycloakUrl` as pasted: each
 * base candidate in turn (url-shapes.ts), an issuer that names itself by
 * another address accepted, and when no base has the realm, a message that
 * tells a wrong realm (Keycloak is there) from a wrong URL. What is found is
 * remembered for the process, so later runs go straight to it.
 */

export interface Discovered {
  /** The Keycloak base that answered, e.g. `https://sso.school.fr/auth`. */
  readonly base: string;
  readonly metadata: oidc.ServerMetadata;
}

export interface DiscoveryContext {
  readonly settings: KeycloakSettings;
  readonly http: Http;
  readonly policy: RetryPolicy;
  /** openid-client's fetch: the shared request path (openid-fetch.ts). */
  readonly customFetch: oidc.CustomFetch;
  /** openid-client's limit for a whole call. */
  readonly timeoutSeconds: number;
  readonly logger: AurigaLogger | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Discovered server metadata per `keycloakUrl` and realm: no secret in it, shared by the process. */
const discovered = new Map<string, Discovered>();

/** Forget what discovery found (tests, or after a school moved its Keycloak). */
export function forgetDiscoveredKeycloak(): void {
  discovered.clear();
}

/** The realm's metadata, discovered once per process for a given URL and realm. */
export async function discoverOnce(context: DiscoveryContext): Promise<Discovered> {
  const key = `${context.settings.keycloakUrl}\u0000${context.settings.realm}`;
  let found = discovered.get(key);
  if (!found) {
    found = await discover(context);
    discovered.set(key, found);
  }
  return found;
}

async function discover(context: DiscoveryContext): Promise<Discovered> {
  const { keycloakUrl, realm, clientId } = context.settings;
  const pasted = realmInUrl(keycloakUrl);
  if (pasted !== undefined && pasted !== realm) {
    context.logger?.warn(
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
      [oidc.customFetch]: context.customFetch,
      timeout: context.timeoutSeconds,
      ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    };
    try {
      const configuration = await oidc.discovery(issuer, clientId, undefined, undefined, options);
      return { base, metadata: configuration.serverMetadata() };
    } catch (error) {
      const status = httpStatusOf(error);
      if (isNotThere(error, status)) {
        if (keycloakSeenAt === undefined && (await looksLikeKeycloak(error))) keycloakSeenAt = base;
        continue;
      }
      if (isIssuerMismatch(error)) {
        // Keycloak behind a proxy often names itself by another address
        // (its frontend URL): its metadata, read without the issuer check,
        // still names the right token endpoint.
        context.logger?.warn(
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
      throw transportError(error, status, `Keycloak discovery at ${issuer.href}`, context);
    }
  }
  throw await notFoundError(context, candidates, tried, keycloakSeenAt);
}

/** No realm at any base: tell a wrong realm (Keycloak is there) from a wrong URL. */
async function notFoundError(
  context: DiscoveryContext,
  candidates: readonly string[],
  tried: readonly string[],
  keycloakSeenAt: string | undefined,
): Promise<AppError> {
  const { keycloakUrl, realm } = context.settings;
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
      const response = await context.http.send({
        name: `GET ${new URL(url).pathname}`,
        url,
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: context.signal,
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
