import { AppError, ConfigError, TransientError } from '../errors/app-error.ts';

/**
 * Every error the Auriga side throws (Keycloak sign-in, Auriga's API, the
 * reader), by code. Keycloak's own codes (`invalid_grant`,
 * `unauthorized_client`, …) are translated once, in `keycloak/errors.ts`,
 * into these; `doctor` and the reports key on them.
 */
export const AURIGA_ERROR_CODES = [
  // ---- Keycloak: where it is
  /** Keycloak could not be reached at all (DNS, refused, timeout). */
  'auriga.keycloak_unreachable',
  /** Keycloak answered 5xx/429 (or its own server_error) past the retries: try later. */
  'auriga.keycloak_unavailable',
  /** Something answered at keycloakUrl, but not as Keycloak does (an HTTP status Keycloak never gives there). */
  'auriga.keycloak_unexpected',
  /** Keycloak is there (its own 404 page, or its master realm answers) but has no such realm. */
  'auriga.unknown_realm',
  /** No Keycloak realm answers at any base tried from keycloakUrl. */
  'auriga.keycloak_not_found',
  // ---- Keycloak: the client
  /** `invalid_client`: no such client in the realm, or it is disabled or public. */
  'auriga.unknown_client',
  /** `unauthorized_client` with 401 or a credentials message: the client secret is wrong. */
  'auriga.invalid_client_secret',
  /** `unauthorized_client` otherwise: "Direct Access Grants" is off for the client. */
  'auriga.direct_grants_disabled',
  /** `invalid_scope`, `unsupported_grant_type`: the password grant is refused to the client. */
  'auriga.sign_in_refused',
  // ---- Keycloak: the account
  /** `invalid_grant` with 401 or a credentials message: wrong username or password. */
  'auriga.invalid_credentials',
  /** `invalid_grant` otherwise: required actions left, or the account is disabled. */
  'auriga.account_not_ready',
  /** Keycloak refused the refresh token (expired, revoked): the session signs in again. */
  'auriga.refresh_refused',
  /** Any other refusal of the sign-in, with Keycloak's own code in the message. */
  'auriga.sign_in_failed',
  /** The operation's AbortSignal cut a Keycloak call short. */
  'auriga.aborted',
  // ---- Auriga's API
  /** 401 even with a freshly signed-in token: the Keycloak is not this Auriga's. */
  'auriga.unauthorized',
  /** 5xx/429, timeouts or dropped connections that outlasted the retries: try later. */
  'auriga.unavailable',
  /** 403: the account may not see the favorite, or the instance wants extra headers. */
  'auriga.forbidden',
  /** 404: no such favorite under the menu entry, or a wrong auriga.url. */
  'auriga.not_found',
  /** An HTML page instead of JSON: a sign-in page, a firewall or a proxy. */
  'auriga.html_answer',
  /** JSON (or not) that is not the shape Auriga answers. */
  'auriga.bad_answer',
  /** Any other HTTP status. */
  'auriga.request_failed',
  // ---- The favorites
  /** The favorite's query id is in none of the account's menus. */
  'auriga.favorite_not_in_menus',
  /** More pages than auriga.maxPages lets a sync read: an error, never a silent truncation. */
  'auriga.favorite_too_large',
  /** The favorite lacks required columns (found by their English or French label). */
  'auriga.missing_columns',
] as const;
export type AurigaErrorCode = (typeof AURIGA_ERROR_CODES)[number];

/**
 * What kind of failure each code is: `configuration` (a person must change a
 * setting or click in Keycloak/Auriga; the CLI exits with its configuration
 * code), `transient` (a later run may succeed unchanged) or `failure`.
 */
const KIND: Readonly<Record<AurigaErrorCode, 'configuration' | 'transient' | 'failure'>> =
  Object.freeze({
    'auriga.keycloak_unreachable': 'transient',
    'auriga.keycloak_unavailable': 'transient',
    'auriga.keycloak_unexpected': 'configuration',
    'auriga.unknown_realm': 'configuration',
    'auriga.keycloak_not_found': 'configuration',
    'auriga.unknown_client': 'configuration',
    'auriga.invalid_client_secret': 'configuration',
    'auriga.direct_grants_disabled': 'configuration',
    'auriga.sign_in_refused': 'configuration',
    'auriga.invalid_credentials': 'configuration',
    'auriga.account_not_ready': 'configuration',
    'auriga.refresh_refused': 'failure',
    'auriga.sign_in_failed': 'failure',
    'auriga.aborted': 'failure',
    'auriga.unauthorized': 'failure',
    'auriga.unavailable': 'transient',
    'auriga.forbidden': 'configuration',
    'auriga.not_found': 'configuration',
    'auriga.html_answer': 'failure',
    'auriga.bad_answer': 'failure',
    'auriga.request_failed': 'failure',
    'auriga.favorite_not_in_menus': 'configuration',
    'auriga.favorite_too_large': 'configuration',
    'auriga.missing_columns': 'configuration',
  });

export interface AurigaErrorOptions {
  readonly cause?: unknown;
  readonly hint?: string;
}

const appOptions = (options: AurigaErrorOptions) => ({
  ...(options.cause === undefined ? {} : { cause: options.cause }),
  ...(options.hint === undefined ? {} : { hint: options.hint }),
});

/** An Auriga or Keycloak failure that is neither a setting to fix nor worth waiting out. */
export class AurigaError extends AppError {
  override name = 'AurigaError' as const;
  declare readonly code: AurigaErrorCode;
  constructor(code: AurigaErrorCode, message: string, options: AurigaErrorOptions = {}) {
    super(code, message, appOptions(options));
  }
}

/*
 * The configuration and transient kinds keep the project-wide classes (and
 * their names, `ConfigError` and `TransientError`), which the CLI's exit
 * codes and the run's retry decisions already key on; they add the typed code.
 */

/** An Auriga or Keycloak setting is wrong: a person must fix it. */
export class AurigaConfigError extends ConfigError {
  declare readonly code: AurigaErrorCode;
  constructor(code: AurigaErrorCode, message: string, options: AurigaErrorOptions = {}) {
    super(code, message, appOptions(options));
  }
}

/** Auriga or Keycloak could not be reached or answered with trouble: a later run may succeed. */
export class AurigaTransientError extends TransientError {
  declare readonly code: AurigaErrorCode;
  constructor(code: AurigaErrorCode, message: string, options: AurigaErrorOptions = {}) {
    super(code, message, appOptions(options));
  }
}

export type AnyAurigaError = AurigaError | AurigaConfigError | AurigaTransientError;

/** The error for `code`, of the class its kind calls for: the kind follows the code, never the throw site. */
export function aurigaError(
  code: AurigaErrorCode,
  message: string,
  options: AurigaErrorOptions = {},
): AnyAurigaError {
  switch (KIND[code]) {
    case 'configuration':
      return new AurigaConfigError(code, message, options);
    case 'transient':
      return new AurigaTransientError(code, message, options);
    default:
      return new AurigaError(code, message, options);
  }
}

export const aurigaErrorKind = (code: AurigaErrorCode) => KIND[code];

const KNOWN: ReadonlySet<string> = new Set(AURIGA_ERROR_CODES);

export const isAurigaErrorCode = (code: unknown): code is AurigaErrorCode =>
  typeof code === 'string' && KNOWN.has(code);

export function isAurigaError(error: unknown, code?: AurigaErrorCode): error is AnyAurigaError {
  return (
    (error instanceof AurigaError ||
      error instanceof AurigaConfigError ||
      error instanceof AurigaTransientError) &&
    (code === undefined || error.code === code)
  );
}
