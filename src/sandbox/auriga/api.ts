import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { School } from '../school/types.ts';
import { apiId, type FavoriteKind, queryDefinition, renderPage } from './favorites.ts';
import type { AurigaSettings } from './settings.ts';
import type { TokenAuthority } from './tokens.ts';

/**
 * Auriga's API as the connector reads it (auriga-api.md, "Reading a
 * favorite"): menus, a favorite's saved definition, and its paged rows.
 * Every call needs a valid Bearer token and the instance's extra headers.
 */

export interface ApiContext {
  settings(): AurigaSettings;
  school(): School;
  /** The school of the account a token was issued to (multi-school sandbox); else `school()`. */
  schoolOf?(username: string): School | undefined;
  readonly tokens: TokenAuthority;
}

/** Spring's default page size, used when `size` is absent. */
const DEFAULT_PAGE_SIZE = 20;

/** Spring-style error body, as Auriga's API answers. */
function apiError(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  const error = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 406: 'Not Acceptable' }[
    status as 400 | 403 | 404 | 406
  ];
  return reply.code(status).send({
    timestamp: new Date().toISOString(),
    status,
    error,
    message,
    path: request.url.split('?')[0],
  });
}

/** Bearer, extra headers, Accept: refused in that order, as a gateway then the app would. */
function guard(context: ApiContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', error_description: 'Full authentication is required' });
    }
    const check = context.tokens.checkAccess(bearer);
    if (check !== 'valid') {
      const description = check === 'expired' ? 'Jwt expired' : 'Invalid token';
      return reply
        .code(401)
        .header(
          'www-authenticate',
          `Bearer error="invalid_token", error_description="${description}"`,
        )
        .send({ error: 'unauthorized', error_description: description });
    }
    for (const [name, value] of Object.entries(context.settings().requiredHeaders)) {
      const got = request.headers[name.toLowerCase()];
      if (got !== value) {
        return apiError(
          request,
          reply,
          403,
          got === undefined
            ? `Missing required header ${name}`
            : `Header ${name} has a value this instance refuses`,
        );
      }
    }
    const accept = request.headers.accept;
    if (accept !== undefined && !/json|\*\/\*|application\/\*/i.test(accept)) {
      return apiError(request, reply, 406, 'This API answers application/json only');
    }
    return undefined;
  };
}

/** Other entries of the account's menus, around ours: the connector must pick the right one. */
function menus(settings: AurigaSettings) {
  const ours = new Set([
    settings.menuEntryId,
    settings.interventionsQueryId,
    settings.groupsQueryId,
  ]);
  // Decoy ids never collide with the configured ones.
  const decoy = (id: number): number => {
    let out = id;
    while (ours.has(String(out))) out += 1000;
    return out;
  };
  const entry = (
    code: string,
    menuEntryId: number | string,
    queryId: number | string,
    formId: number,
  ) => ({
    menuEntryCode: code,
    menuEntryId,
    queryId,
    formId,
  });
  const favorites = [
    entry('FAVORITES', decoy(311), decoy(4100), 8811),
    ...(settings.hideFromMenus
      ? []
      : [
          entry(
            'FAVORITES',
            apiId(settings.menuEntryId),
            apiId(settings.interventionsQueryId),
            8812,
          ),
          entry('FAVORITES', apiId(settings.menuEntryId), apiId(settings.groupsQueryId), 8813),
        ]),
    entry('FAVORITES', decoy(312), decoy(4101), 8814),
  ];
  return {
    menus: [
      {
        code: 'PEDAGOGY',
        label: { fr: 'Pédagogie', en: 'Pedagogy' },
        objects: [
          entry('INTERVENTIONS', decoy(120), decoy(1001), 501),
          entry('SESSIONS', decoy(121), decoy(1002), 502),
        ],
      },
      { code: 'FAVORITES', label: { fr: 'Mes favoris', en: 'My favorites' }, objects: favorites },
      {
        code: 'ADMINISTRATION',
        label: { fr: 'Administration', en: 'Administration' },
        objects: [entry('LEARNERS', decoy(200), decoy(2001), 601)],
      },
    ],
  };
}

function favoriteOf(settings: AurigaSettings, queryId: string): FavoriteKind | undefined {
  if (queryId === settings.interventionsQueryId) return 'interventions';
  if (queryId === settings.groupsQueryId) return 'groups';
  return undefined;
}

type QueryRequest = FastifyRequest<{ Params: { m: string; q: string } }>;
type SearchRequest = FastifyRequest<{
  Params: { m: string };
  Querystring: Record<string, string | undefined>;
}>;

/** `page`/`size` query parameters: absent gives the default; anything but a whole number is refused. */
function wholeNumber(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

export function registerApi(app: FastifyInstance, context: ApiContext): void {
  app.register(
    async (api) => {
      api.addHook('preHandler', guard(context));

      api.get('/menus', async () => menus(context.settings()));

      api.get('/menuEntries/:m/query/:q', async (request: QueryRequest, reply) => {
        const settings = context.settings();
        const kind = favoriteOf(settings, request.params.q);
        if (request.params.m !== settings.menuEntryId || kind === undefined) {
          return apiError(
            request,
            reply,
            404,
            `No query ${request.params.q} in menu entry ${request.params.m}`,
          );
        }
        return {
          queryDefinition: queryDefinition(
            kind,
            request.params.q,
            request.params.m,
            settings.username,
          ),
        };
      });

      api.post('/menuEntries/:m/searchResult', async (request: SearchRequest, reply) => {
        const settings = context.settings();
        if (request.params.m !== settings.menuEntryId) {
          return apiError(request, reply, 404, `No menu entry ${request.params.m}`);
        }
        const body = request.body as { id?: unknown } | null | undefined;
        const queryId = body !== null && typeof body === 'object' ? body.id : undefined;
        if (typeof queryId !== 'number' && typeof queryId !== 'string') {
          return apiError(
            request,
            reply,
            400,
            'The body must be the queryDefinition returned by GET /api/menuEntries/{m}/query/{q}',
          );
        }
        const kind = favoriteOf(settings, String(queryId));
        if (kind === undefined) {
          return apiError(
            request,
            reply,
            404,
            `No query ${String(queryId)} in menu entry ${request.params.m}`,
          );
        }
        const size = wholeNumber(request.query.size, DEFAULT_PAGE_SIZE);
        const page = wholeNumber(request.query.page, 1);
        if (size === undefined || size < 1) {
          return apiError(request, reply, 400, 'size must be a whole number of at least 1');
        }
        if (page === undefined || page < 1) {
          return apiError(request, reply, 400, 'page must be a whole number; pages start at 1');
        }
        // A bigger `size` is cut down to the instance's largest page, as Auriga does.
        const effectiveSize = Math.min(size, settings.maxPageSize);
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
        const username = context.tokens.sessionOf(bearer)?.username;
        const rendered = renderPage(
          (username === undefined ? undefined : context.schoolOf?.(username)) ?? context.school(),
          kind,
          page,
          effectiveSize,
          settings.columnSeed,
        );
        return {
          totalPages: Math.ceil(rendered.totalElements / effectiveSize),
          totalElements: rendered.totalElements,
          number: page,
          size: effectiveSize,
          numberOfElements: rendered.lines.length,
          content: { columns: rendered.columns, lines: rendered.lines },
        };
      });
    },
    { prefix: '/api' },
  );
}
