import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AurigaSettings } from './settings.ts';
import { jwks, type TokenAuthority } from './tokens.ts';

/**
 * The slice of Keycloak the connector meets: the token endpoint (password
 * and refresh grants, client secret in the body or HTTP Basic), discovery,
 * certs and userinfo, under `/realms/…` and the legacy `/auth/realms/…`,
 * with Keycloak's status codes and error bodies (auriga-api.md, "Sign-in").
 */

export interface KeycloakContext {
  settings(): AurigaSettings;
  /** The settings of another school's client on this instance (multi-school sandbox). */
  settingsOf?(clientId: string): AurigaSettings | undefined;
  readonly tokens: TokenAuthority;
}

/** Keycloak's own 404 page: an unknown realm or path answers HTML, not JSON. */
export const NOT_FOUND_HTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Page not found</title></head>
<body><div id="kc-error-message"><h1>We are sorry...</h1><p class="instruction">Page not found</p></div></body>
</html>
`;

export const sendNotFoundPage = (reply: FastifyReply): FastifyReply =>
  reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_HTML);

const PREFIXES = ['', '/auth'] as const;

type RealmRequest = FastifyRequest<{ Params: { realm: string } }>;

/** The realm's URL as this request reached it: Keycloak's issuer follows the URL used. */
function realmUrl(request: FastifyRequest, prefix: string, realm: string): string {
  return `${request.protocol}://${request.host}${prefix}/realms/${encodeURIComponent(realm)}`;
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ error, error_description: description });
}

/** Client credentials from HTTP Basic (form-encoded parts, RFC 6749 2.3.1) or from the body. */
function clientCredentials(
  request: FastifyRequest,
  form: Record<string, string>,
): { id: string | undefined; secret: string | undefined } {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const part = (s: string): string => {
      try {
        return decodeURIComponent(s.replaceAll('+', ' '));
      } catch {
        return s;
      }
    };
    if (colon >= 0)
      return { id: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
  }
  return { id: form.client_id, secret: form.client_secret };
}

export function registerKeycloak(app: FastifyInstance, context: KeycloakContext): void {
  for (const prefix of PREFIXES) {
    app.post(
      `${prefix}/realms/:realm/protocol/openid-connect/token`,
      (request: RealmRequest, reply) => token(request, reply, prefix, context),
    );

    app.get(
      `${prefix}/realms/:realm/.well-known/openid-configuration`,
      (request: RealmRequest, reply) => {
        if (request.params.realm !== context.settings().realm) return sendNotFoundPage(reply);
        return reply.send(discoveryDocument(realmUrl(request, prefix, request.params.realm)));
      },
    );

    app.get(
      `${prefix}/realms/:realm/protocol/openid-connect/certs`,
      (request: RealmRequest, reply) => {
        if (request.params.realm !== context.settings().realm) return sendNotFoundPage(reply);
        return reply.send(jwks());
      },
    );

    app.route({
      method: ['GET', 'POST'],
      url: `${prefix}/realms/:realm/protocol/openid-connect/userinfo`,
      handler: (request: RealmRequest, reply) => {
        if (request.params.realm !== context.settings().realm) return sendNotFoundPage(reply);
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        const session = bearer ? context.tokens.sessionOf(bearer) : undefined;
        if (!session) {
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer error="invalid_token"')
            .send({ error: 'invalid_token', error_description: 'Token verification failed' });
        }
        return reply.send({
          sub: session.subject,
          preferred_username: session.username,
          email_verified: false,
        });
      },
    });
  }
}

function discoveryDocument(issuer: string): Record<string, unknown> {
  const oidc = `${issuer}/protocol/openid-connect`;
  return {
    issuer,
    authorization_endpoint: `${oidc}/auth`,
    token_endpoint: `${oidc}/token`,
    introspection_endpoint: `${oidc}/token/introspect`,
    userinfo_endpoint: `${oidc}/userinfo`,
    end_session_endpoint: `${oidc}/logout`,
    jwks_uri: `${oidc}/certs`,
    grant_types_supported: [
      'authorization_code',
      'implicit',
      'refresh_token',
      'password',
      'client_credentials',
    ],
    response_types_supported: [
      'code',
      'none',
      'id_token',
      'token',
      'id_token token',
      'code id_token',
    ],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    userinfo_signing_alg_values_supported: ['RS256', 'none'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'preferred_username', 'email'],
    code_challenge_methods_supported: ['plain', 'S256'],
  };
}

function token(
  request: RealmRequest,
  reply: FastifyReply,
  prefix: string,
  context: KeycloakContext,
) {
  const instance = context.settings();
  if (request.params.realm !== instance.realm) return sendNotFoundPage(reply);
  // A body that is not a form (JSON, none) carries no form parameters, as for Keycloak.
  const form =
    request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body)
      ? (request.body as Record<string, string>)
      : {};
  const grantType = form.grant_type;
  if (grantType === undefined || grantType === '') {
    return oauthError(reply, 400, 'invalid_request', 'Missing form parameter: grant_type');
  }

  // Keycloak authenticates the client before it looks at the grant.
  const client = clientCredentials(request, form);
  if (client.id === undefined || client.id === '') {
    return oauthError(reply, 400, 'invalid_client', 'Missing parameter: client_id');
  }
  // Each school of a multi-school instance has its own client and account.
  const settings = context.settingsOf?.(client.id) ?? instance;
  if (client.id !== settings.clientId) {
    return oauthError(reply, 401, 'invalid_client', 'Invalid client or Invalid client credentials');
  }
  if (client.secret === undefined || client.secret === '') {
    return oauthError(reply, 401, 'unauthorized_client', 'Client secret not provided in request');
  }
  if (client.secret !== settings.clientSecret) {
    return oauthError(
      reply,
      401,
      'unauthorized_client',
      'Invalid client or Invalid client credentials',
    );
  }

  const issuer = realmUrl(request, prefix, settings.realm);
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (grantType === 'password') {
    if (!settings.directGrants) {
      return oauthError(
        reply,
        400,
        'unauthorized_client',
        'Client not allowed for direct access grants',
      );
    }
    if (form.username !== settings.username || form.password !== settings.password) {
      return oauthError(reply, 401, 'invalid_grant', 'Invalid user credentials');
    }
    if (settings.userSetupRequired) {
      return oauthError(reply, 400, 'invalid_grant', 'Account is not fully set up');
    }
    const session = context.tokens.openSession(settings.username, settings.clientId, form.scope);
    return reply.send(context.tokens.issue(session, issuer, settings));
  }
  if (grantType === 'refresh_token') {
    if (form.refresh_token === undefined || form.refresh_token === '') {
      return oauthError(reply, 400, 'invalid_request', 'Missing parameter: refresh_token');
    }
    const check = context.tokens.checkRefresh(form.refresh_token, settings.clientId);
    if (!check.ok) return oauthError(reply, 400, 'invalid_grant', check.description);
    return reply.send(context.tokens.issue(check.session, issuer, settings));
  }
  return oauthError(reply, 400, 'unsupported_grant_type', 'Unsupported grant_type');
}
