/**
 * Auriga's Keycloak, one idea a file under keycloak/: the URL shapes schools
 * paste (url-shapes.ts), discovery (discovery.ts), the session and its tokens
 * (session.ts), Keycloak's errors in our codes (errors.ts), openid-client's
 * fetch over the shared request path (openid-fetch.ts). This index keeps the
 * names importers already use.
 */
export { describeNetworkError } from '../http/network-error.ts';
export { forgetDiscoveredKeycloak } from './keycloak/discovery.ts';
export type {
  AurigaLogger,
  KeycloakSettings,
  SignInCheck,
  TokenSource,
} from './keycloak/ports.ts';
export {
  checkSignIn,
  createKeycloakSession,
  type KeycloakDeps,
  KeycloakSession,
} from './keycloak/session.ts';
export { keycloakBaseCandidates, realmInUrl } from './keycloak/url-shapes.ts';
