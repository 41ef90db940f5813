import type { AurigaConfig } from '../../config/schema.ts';

/** What the Keycloak side takes and gives: its settings, its logger, the tokens it hands the API client. */

export type KeycloakSettings = Pick<
  AurigaConfig,
  'keycloakUrl' | 'realm' | 'clientId' | 'clientSecret' | 'username' | 'password' | 'timeoutMs'
>;

export interface AurigaLogger {
  info(data: object, message?: string): void;
  warn(data: object, message?: string): void;
  debug?(data: object, message?: string): void;
}

/** What the API client needs: a valid access token, and a fresh one when the API refused it. */
export interface TokenSource {
  accessToken(signal?: AbortSignal): Promise<string>;
  /** The API answered 401 to `rejected`: get a new token (at most once per rejected token). */
  renewAfterRejection(rejected: string, signal?: AbortSignal): Promise<string>;
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
