import type { AurigaErrorCode } from '../auriga/errors.ts';
import type { Config } from '../config/schema.ts';
import type { EdusignErrorCode } from '../edusign/errors.ts';
import { isAppError } from '../errors/app-error.ts';

/**
 * The fix a school admin reads under a failed step. The connector's errors
 * already say what went wrong in words an admin can act on; for the codes a
 * doctor meets, this table adds the one thing to do, where to click or which
 * setting to change. Otherwise the error's own hint is used.
 */
type FixFor = (config: Config, message: string) => string;

/** The codes a fix may be written for: a key that is no code the clients throw fails type-check. */
export type FixableCode = AurigaErrorCode | EdusignErrorCode;

const FIXES = Object.freeze<Partial<Record<FixableCode, FixFor>>>({
  'auriga.keycloak_unreachable': (c) =>
    `check auriga.keycloakUrl (${c.auriga.keycloakUrl}): the address of Auriga's sign-in page up to /realms/; and that this machine reaches it (DNS, firewall, proxy, the IP address whitelisted)`,
  'auriga.keycloak_unavailable': () =>
    "Keycloak answers with server errors: try again later; if it lasts, tell Auriga's support",
  'auriga.keycloak_unexpected': (c) =>
    `check auriga.keycloakUrl (${c.auriga.keycloakUrl}): it must be Keycloak's address (e.g. https://sso.your-school.fr/auth), not Auriga's`,
  'auriga.direct_grants_disabled': (c) =>
    `enable "Direct Access Grants" for this client in Keycloak (realm "${c.auriga.realm}" > Clients > ${c.auriga.clientId} > Settings > Capability config)`,
  'auriga.sign_in_refused': (c) =>
    `ask the Keycloak administrator to allow the password grant ("Direct Access Grants") for client ${c.auriga.clientId}`,
  'auriga.html_answer': (c, message) =>
    `check auriga.url (${c.auriga.url}): the Auriga application itself, e.g. https://auriga.your-school.fr${/extraHeaders/.test(message) ? '; if it is right, set auriga.extraHeaders as Auriga\'s web application sends them (e.g. {"x-scope": "frontend"})' : ''}`,
  'auriga.forbidden': (c, message) =>
    /extra headers/.test(message)
      ? 'set auriga.extraHeaders to the headers Auriga\'s web application sends (seen: {"x-scope": "frontend"}); the browser\'s developer tools show them on any /api/ request'
      : `give "${c.auriga.username}" the right to see the favorite in Auriga, or share the favorite with this account`,
  'auriga.unavailable': (c) =>
    `check that auriga.url (${c.auriga.url}) is reachable from this machine (DNS, firewall, proxy); if it is, try again later`,
  'auriga.unauthorized': () =>
    'auriga.keycloakUrl and auriga.realm must be the Keycloak that signs in to this Auriga (auriga.url): compare with the sign-in page Auriga sends a browser to',
  'auriga.bad_answer': (c) =>
    `check auriga.url (${c.auriga.url}): the Auriga application, not its sign-in page or a portal`,
  'auriga.request_failed': (c) =>
    `check auriga.url (${c.auriga.url}); if it is right, Auriga may be in trouble: try again later`,
  'auriga.favorite_too_large': () =>
    'narrow the favorite in Auriga (e.g. a date filter), or raise auriga.maxPages',
  'auriga.favorite_not_in_menus': () =>
    'in Auriga, open the favorite: its query id (after /query/) and menu entry id (after /menuEntries/) are in the address; set them in auriga.interventionsQueryId / auriga.groupsQueryId and auriga.menuEntryId, or share the favorite with the account',
  'auriga.not_found': (c, message) =>
    /favorite/.test(message)
      ? 'in Auriga, open the favorite: its query id (after /query/) and menu entry id (after /menuEntries/) are in the address; correct the query id, and auriga.menuEntryId (or remove it so that it is found from the menus)'
      : `check auriga.url (${c.auriga.url}): the Auriga application itself, e.g. https://auriga.your-school.fr, without /api`,
  'edusign.unauthorized': () =>
    "copy the API token again from Edusign (Settings → API, the account owner's) into edusign.token; Edusign's team can generate one",
  'edusign.payment_required': () =>
    "the Edusign account has no subscription or no API option: ask your Edusign contact to enable API access for this school's account",
  'edusign.forbidden': () =>
    "this token may not read the school's absence reasons: ask Edusign for a token with full API access (an administrator's), or give this one access to GET /v1/justified-absence/absence-reason",
  'edusign.unavailable': () =>
    'Edusign is unavailable (maintenance windows: Saturdays 16:00–22:00 Paris): try again later',
  'edusign.bad_response': (c) =>
    `check edusign.baseUrl (${c.edusign.baseUrl}): normally https://ext.edusign.fr`,
});

export interface FailureText {
  readonly detail: string;
  readonly fix: string | undefined;
  readonly code: string | undefined;
}

/** What a step shows for an error thrown by the connector's clients. */
export function describeFailure(error: unknown, config: Config): FailureText {
  if (isAppError(error)) {
    const fix = FIXES[error.code as FixableCode]?.(config, error.message) ?? error.hint;
    return { detail: error.message, fix, code: error.code };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    detail: `unexpected error: ${message}`,
    fix: 'run the command again; if it lasts, report this message',
    code: undefined,
  };
}
