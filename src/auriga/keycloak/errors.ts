import * as oidc from 'openid-client';
import type { AppError } from '../../errors/app-error.ts';
import { describeNetworkError } from '../../http/network-error.ts';
import { isRetryableStatus, type RetryPolicy } from '../../http/retry.ts';
import { aurigaError } from '../errors.ts';
import type { KeycloakSettings } from './ports.ts';

/**
 * Keycloak's errors translated once, here, into our codes (src/auriga/errors.ts)
 * and messages a school admin can act on: which setting, which click in
 * Keycloak's admin console. No secret enters a message or a cause.
 */

export interface TranslationContext {
  readonly settings: KeycloakSettings;
  /** Which statuses count as "try again later". */
  readonly policy: RetryPolicy;
  /** The operation's signal: an aborted one makes any failure `auriga.aborted`. */
  readonly signal: AbortSignal | undefined;
}

/** A failed password or refresh grant, by Keycloak's `error` code and HTTP status. */
export async function translateTokenError(
  error: unknown,
  kind: 'password' | 'refresh',
  context: TranslationContext,
): Promise<unknown> {
  const { clientId, realm, username } = context.settings;
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
    return transportError(
      error,
      status,
      `the Keycloak ${kind === 'password' ? 'sign-in' : 'token refresh'}`,
      context,
    );
  const cause = { error: code, error_description: description, status };
  if (kind === 'refresh' && code === 'invalid_grant') {
    return aurigaError('auriga.refresh_refused', `Keycloak refused the refresh token (${said}).`, {
      cause,
    });
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
export function transportError(
  error: unknown,
  status: number | undefined,
  what: string,
  context: TranslationContext,
): AppError {
  if (context.signal?.aborted)
    return aurigaError('auriga.aborted', `${what} was cut short.`, {
      cause: context.signal.reason,
    });
  if (status !== undefined && isRetryableStatus(context.policy, status)) {
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
    `${what} failed: ${reason}. Check that auriga.keycloakUrl (${context.settings.keycloakUrl}) is reachable from this machine.`,
    { cause: safeCause(error) },
  );
}

/** The HTTP status behind an openid-client error, when an answer came. */
export function httpStatusOf(error: unknown): number | undefined {
  if (
    error instanceof oidc.ResponseBodyError ||
    error instanceof oidc.WWWAuthenticateChallengeError
  )
    return error.status;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Response) return cause.status;
  return undefined;
}

/** A cause safe to keep: name, message and code, without the request that may carry secrets. */
export function safeCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(error.message);
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
