import type { AurigaErrorCode } from '../auriga/errors.ts';
import { forgetDiscoveredKeycloak, KeycloakSession } from '../auriga/keycloak.ts';
import { maskSecret } from '../config/mask.ts';
import type { Config } from '../config/schema.ts';
import { isAppError } from '../errors/app-error.ts';
import type { Steps } from './chain.ts';
import { DOCTOR_RETRY, type DoctorDeps } from './deps.ts';
import { describeFailure } from './fixes.ts';
import { type DoctorStepId, failed, passed } from './steps.ts';

/**
 * The Keycloak steps: reachable, the realm, the client and its direct
 * grants, the user. One sign-in with the reader's own session proves them
 * all; when it fails, its error code says which step failed and which passed.
 */

/** Codes of the sign-in errors, by the step they belong to (src/auriga/errors.ts). */
const CLIENT_CODES: ReadonlySet<string> = new Set<AurigaErrorCode>([
  'auriga.unknown_client',
  'auriga.invalid_client_secret',
  'auriga.direct_grants_disabled',
  'auriga.sign_in_refused',
]);
const USER_CODES: ReadonlySet<string> = new Set<AurigaErrorCode>([
  'auriga.invalid_credentials',
  'auriga.account_not_ready',
]);
const UNREACHABLE_CODES: ReadonlySet<string> = new Set<AurigaErrorCode>([
  'auriga.keycloak_unreachable',
  'auriga.keycloak_unavailable',
]);
const UNKNOWN_REALM: AurigaErrorCode = 'auriga.unknown_realm';

/** Sign in as a sync would; the session, or undefined when a step failed (the rest then skipped). */
export async function checkKeycloak(
  steps: Steps,
  config: Config,
  deps: DoctorDeps,
): Promise<KeycloakSession | undefined> {
  const { auriga } = config;
  const retry = deps.retry ?? DOCTOR_RETRY;
  // Discovery is remembered per process; a doctor looks again, as a first run would.
  forgetDiscoveredKeycloak();
  const session = new KeycloakSession(auriga, { fetch: deps.fetch, retry });
  try {
    const check = await session.check(deps.signal);
    steps.add(
      passed(
        'keycloak.reachable',
        `Keycloak answers at ${check.base} (discovery found ${check.tokenEndpoint})`,
      ),
    );
    steps.add(passed('keycloak.realm', `realm "${auriga.realm}" exists (issuer ${check.issuer})`));
    steps.add(
      passed(
        'keycloak.client',
        `client "${auriga.clientId}" accepted with its secret (${maskSecret(auriga.clientSecret)}) and allowed direct grants`,
      ),
    );
    steps.add(
      passed(
        'keycloak.user',
        `"${auriga.username}" signed in (password ${maskSecret(auriga.password)}); access token valid ${check.accessTokenSeconds ?? '?'} s${check.refreshable ? ', refreshable' : ''}`,
      ),
    );
  } catch (error) {
    signInFailure(steps, config, error, session.base);
    steps.skipRest('auriga.api');
    return undefined;
  }
  return session;
}

/** Place a sign-in failure on its step: the ones before it passed, the ones after are skipped. */
function signInFailure(
  steps: Steps,
  config: Config,
  error: unknown,
  discoveredBase: string | undefined,
): void {
  const { auriga } = config;
  const why = describeFailure(error, config);
  const code = isAppError(error) ? error.code : undefined;
  const fail = (id: DoctorStepId) => steps.add(failed(id, why.detail, why.fix, why.code));
  const reachable = () =>
    steps.add(
      passed('keycloak.reachable', `Keycloak answers at ${discoveredBase ?? auriga.keycloakUrl}`),
    );
  const realm = () =>
    steps.add(passed('keycloak.realm', `realm "${auriga.realm}" exists (discovery found)`));
  const client = () =>
    steps.add(
      passed(
        'keycloak.client',
        `client "${auriga.clientId}" accepted with its secret (${maskSecret(auriga.clientSecret)}) and allowed direct grants`,
      ),
    );
  if (code !== undefined && USER_CODES.has(code)) {
    reachable();
    realm();
    client();
    fail('keycloak.user');
  } else if (code !== undefined && CLIENT_CODES.has(code)) {
    reachable();
    realm();
    fail('keycloak.client');
  } else if (code === UNKNOWN_REALM) {
    reachable();
    fail('keycloak.realm');
  } else if (discoveredBase === undefined || (code !== undefined && UNREACHABLE_CODES.has(code))) {
    // Discovery failed (nothing there, not Keycloak, no answer), or the token endpoint did not answer.
    fail('keycloak.reachable');
  } else {
    // Discovery worked but the sign-in failed in a way no code above names.
    reachable();
    realm();
    fail('keycloak.client');
  }
  steps.skipRest('keycloak.realm');
}
