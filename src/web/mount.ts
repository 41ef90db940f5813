import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scrubberFor } from '../config/scrubber.ts';
import { redactSecrets } from '../observability/secrets.ts';
import { registerApi } from './api/routes.ts';
import { createAuth } from './auth/session.ts';
import { type ConsoleDeps, createConsole } from './console.ts';
import { WebError } from './errors.ts';
import { registerPages } from './pages/routes.ts';
import { createTestNotice } from './test-notice.ts';

/**
 * The console on the service's fastify: the JSON API under /api, its OpenAPI
 * at /api/openapi.json, the pages, their local script and style. Called
 * before the service's own routes so the OpenAPI lists those too.
 */
export interface MountOptions extends ConsoleDeps {
  /** The console's public address starts with https (behind a TLS proxy): cookies get Secure. */
  readonly secure?: boolean;
  readonly logger?: { error(obj: object, msg?: string): void };
}

/**
 * No script, style, font or frame from anywhere but here, no inline script,
 * no framing of the console by another site, forms only to us.
 */
const CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
};

export async function mountConsole(app: FastifyInstance, options: MountOptions) {
  const c = createConsole(options);
  const auth = createAuth({
    store: options.store,
    now: options.now,
    secure: (request: FastifyRequest) => options.secure === true || request.protocol === 'https',
  });

  await app.register(cookie);
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP },
    // Over plain HTTP on 127.0.0.1 an upgrade would break the console; TLS is the proxy's job.
    strictTransportSecurity: options.secure === true,
    frameguard: { action: 'deny' },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'auriga-edusign console API',
        version: '1',
        description:
          'Sign in with POST /api/session (cookie + CSRF token in x-csrf-token on every change) or send an API token as `Authorization: Bearer aet_…`. A school you may not see answers 404, as a missing one.',
      },
    },
  });
  await app.register(fastifyStatic, {
    root: path.join(import.meta.dirname, 'static'),
    prefix: '/static/',
    index: false,
  });

  // Defence in depth: no stored secret of any school leaves in an answer, whatever a message quoted.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload !== 'string') return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!/json|html|csv|text/.test(type)) return payload;
    // scrubberFor: the webhook secrets too (their key, `secret`, is not one collectSecrets knows).
    const secrets = (await options.registry.list().catch(() => [])).flatMap((s) =>
      scrubberFor([s.config]).secrets(),
    );
    return redactSecrets(payload, secrets);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof WebError)
      return reply.code(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      });
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply
        .code(status)
        .send({ error: { code: 'console.bad_request', message: (error as Error).message } });
    options.logger?.error({ err: error, url: request.url }, 'console: unexpected error');
    return reply.code(500).send({
      error: { code: 'console.internal', message: 'Something went wrong: see the service logs.' },
    });
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const testNotice = createTestNotice(options);
  registerApi(app, { console: c, auth, testNotice });
  registerPages(app, { console: c, auth, store: options.store, testNotice });
  return c;
}
