import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES } from '../../store/console/port.ts';
import type { RunReport } from '../../sync/report.ts';
import type { Auth, Authenticated } from '../auth/session.ts';
import type { Console } from '../console.ts';
import { WebError } from '../errors.ts';
import type { SendTestNotice } from '../test-notice.ts';
import { outcomesCsv } from './csv.ts';

/**
 * The JSON API under /api: the same data the pages show. Each route carries
 * its schema, from which /api/openapi.json is generated. Every route but the
 * session's own needs a session cookie or an API token; every change made
 * with a session needs its CSRF token (header `x-csrf-token`).
 */

const school = {
  type: 'object',
  properties: { school: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['school'],
} as const;
const schoolRun = {
  type: 'object',
  properties: { school: { type: 'string' }, runId: { type: 'string' } },
  required: ['school', 'runId'],
} as const;
const ids = {
  type: 'object',
  properties: {
    aurigaIds: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      maxItems: 10_000,
      description: 'Exactly the set of Auriga ids shown (held deletions).',
    },
  },
  required: ['aurigaIds'],
  additionalProperties: false,
} as const;
const settingsBody = {
  type: 'object',
  description:
    'Sections of the configuration (auriga, edusign, options, notifications), as in a configuration file. A secret left out or empty keeps its value; secrets are typed in, never `{ env }` or `{ file }`.',
  properties: {
    auriga: { type: 'object', additionalProperties: true },
    edusign: { type: 'object', additionalProperties: true },
    options: { type: 'object', additionalProperties: true },
    notifications: {
      type: 'object',
      nullable: true,
      additionalProperties: true,
      description:
        'consoleUrl, email { smtp { host, port, starttls, user, password }, from, to }, webhooks [{ url, secret }]: each key given replaces the stored one, a webhook left out of the list is removed. The SMTP password left empty keeps the stored one; a webhook secret left empty keeps the secret of the stored webhook with the same URL (a new URL needs its secret). null: no notifications.',
    },
  },
  additionalProperties: false,
} as const;
const errorAnswer = {
  description: 'An error: `{ error: { code, message } }`.',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

/** The errors every route may answer (409 is not among them: held deletions answer a body of their own). */
const ERRORS = { 400: errorAnswer, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } as const;

type Req = FastifyRequest<{
  Params: { school: string; runId: string };
  Body: Record<string, unknown>;
  Querystring: { q?: string };
}>;

export function registerApi(
  app: FastifyInstance,
  deps: { console: Console; auth: Auth; testNotice: SendTestNotice },
): void {
  const { console: c, auth } = deps;

  /** Who asks, or 401; and for a change, the CSRF token, or 403. */
  async function who(request: FastifyRequest, reply: FastifyReply): Promise<Authenticated> {
    const found = await auth.identify(request);
    if (!found) {
      reply.header('www-authenticate', 'Bearer');
      throw new WebError(
        401,
        'console.unauthenticated',
        'Sign in, or send an API token (Authorization: Bearer …).',
      );
    }
    if (!['GET', 'HEAD'].includes(request.method) && !auth.csrfOk(request, found))
      throw new WebError(
        403,
        'console.csrf',
        'This change lacks its CSRF token (header x-csrf-token): reload the page.',
      );
    return found;
  }

  const tags = (...t: string[]) => ({ tags: t });
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    schema: Record<string, unknown>,
    handler: (request: Req, reply: FastifyReply, p: Authenticated) => Promise<unknown>,
  ) =>
    app.route({
      method,
      url,
      schema: { ...schema, response: ERRORS },
      handler: async (request, reply) => handler(request as Req, reply, await who(request, reply)),
    });

  // The session.
  app.post(
    '/api/session',
    {
      schema: {
        ...tags('session'),
        summary: 'Sign in: sets the session cookie, answers the CSRF token to send with changes.',
        body: {
          type: 'object',
          properties: { email: { type: 'string' }, password: { type: 'string' } },
          required: ['email', 'password'],
        },
        response: ERRORS,
      },
    },
    async (request, reply) => {
      const body = request.body as { email: string; password: string };
      const result = await auth.signIn(request, reply, body.email, body.password);
      if (result.ok) return { csrf: result.csrf };
      if (result.retryAfterMs > 0) {
        reply.header('retry-after', Math.ceil(result.retryAfterMs / 1000));
        throw new WebError(429, 'console.throttled', 'Too many failed sign-ins: try again later.');
      }
      throw new WebError(401, 'console.bad_credentials', 'Wrong email or password.');
    },
  );
  route(
    'GET',
    '/api/session',
    { ...tags('session'), summary: 'Who is signed in.' },
    async (_r, _p, p) => ({
      account: { email: p.account.email, role: p.account.role, schools: p.account.schools },
      csrf: p.csrf,
    }),
  );
  route(
    'DELETE',
    '/api/session',
    { ...tags('session'), summary: 'Sign out: ends the session.' },
    async (request, reply) => {
      await auth.signOut(request, reply);
      return { signedOut: true };
    },
  );
  route(
    'POST',
    '/api/tokens',
    {
      ...tags('session'),
      summary: 'A new API token for this account, shown once.',
      body: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
    },
    async (request, _reply, p) => c.newApiToken(p, String(request.body?.name ?? '')),
  );

  // Schools.
  route(
    'GET',
    '/api/schools',
    { ...tags('schools'), summary: 'The schools this account sees, with their state.' },
    async (_r, _p, p) => ({
      schools: await c.schools(p),
    }),
  );
  route(
    'POST',
    '/api/schools',
    {
      ...tags('schools'),
      summary: 'Set up a new school (operator); saved inactive, validated like `config check`.',
      body: {
        type: 'object',
        properties: { name: { type: 'string' }, settings: settingsBody },
        required: ['name', 'settings'],
      },
    },
    async (request, reply, p) => {
      reply.code(201);
      return c.addSchool(
        p,
        String(request.body.name),
        request.body.settings as Record<string, unknown>,
      );
    },
  );
  route(
    'GET',
    '/api/schools/:school',
    {
      ...tags('schools'),
      params: school,
      summary: 'A school: state, next run, last runs, live run.',
    },
    async (r, _p, p) => c.school(p, r.params.school),
  );
  route(
    'GET',
    '/api/schools/:school/live',
    { ...tags('runs'), params: school, summary: 'The run in progress (or the last one seen).' },
    async (r, _p, p) => c.live(p, r.params.school),
  );
  route(
    'GET',
    '/api/schools/:school/runs',
    { ...tags('runs'), params: school, summary: 'The last runs.' },
    async (r, _p, p) => ({
      runs: await c.runs(p, r.params.school),
    }),
  );
  route(
    'GET',
    '/api/schools/:school/notifications',
    {
      ...tags('runs'),
      params: school,
      summary: "The school's notices, each delivery and every attempt (never a secret).",
    },
    async (r, _p, p) => c.notifications(p, r.params.school),
  );
  route(
    'POST',
    '/api/schools/:school/notifications/test',
    {
      ...tags('settings'),
      params: school,
      summary:
        'A test notice on every channel of the saved notifications, at once: one result per channel (409 when none is saved).',
    },
    async (r, _reply, p) => deps.testNotice(p, r.params.school),
  );
  route(
    'GET',
    '/api/schools/:school/runs/:runId',
    { ...tags('runs'), params: schoolRun, summary: "A run's report." },
    async (r, _p, p) => c.run(p, r.params.school, r.params.runId),
  );
  route(
    'GET',
    '/api/schools/:school/runs/:runId/outcomes.csv',
    { ...tags('runs'), params: schoolRun, summary: 'Per-record outcomes of a run, as CSV.' },
    async (r, reply, p) => {
      const run = await c.run(p, r.params.school, r.params.runId);
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${r.params.school}-${run.id}.csv"`);
      return outcomesCsv(run.report as RunReport | null);
    },
  );
  route(
    'GET',
    '/api/schools/:school/problems',
    { ...tags('runs'), params: school, summary: 'Open problems: those of the last run.' },
    async (r, _p, p) => c.problems(p, r.params.school),
  );
  route(
    'GET',
    '/api/schools/:school/held',
    {
      ...tags('deletions'),
      params: school,
      summary: 'The deletions held by the mass-change guard.',
    },
    async (r, _p, p) => c.held(p, r.params.school),
  );
  route(
    'POST',
    '/api/schools/:school/held/confirm',
    {
      ...tags('deletions'),
      params: school,
      body: ids,
      summary:
        'Delete exactly this set. 409 with the new set when Auriga changed since it was shown: nothing is deleted then.',
    },
    async (r, reply, p) => {
      const result = await c.confirmDeletions(p, r.params.school, r.body.aurigaIds as string[]);
      if (result.status === 'changed') reply.code(409);
      return result;
    },
  );
  route(
    'POST',
    '/api/schools/:school/held/keep',
    {
      ...tags('deletions'),
      params: school,
      body: ids,
      summary: 'Keep them: dismiss the hold for exactly this set.',
    },
    async (r, _reply, p) => {
      await c.keepHeld(p, r.params.school, r.body.aurigaIds as string[]);
      return { kept: r.body.aurigaIds };
    },
  );
  route(
    'POST',
    '/api/schools/:school/run',
    { ...tags('runs'), params: school, summary: 'Run now (through the queue).' },
    async (r, reply, p) => {
      reply.code(202);
      return c.runNow(p, r.params.school);
    },
  );
  route(
    'POST',
    '/api/schools/:school/preview',
    { ...tags('runs'), params: school, summary: 'The plan of a run now, written to nothing.' },
    async (r, _reply, p) => c.preview(p, r.params.school),
  );
  route(
    'GET',
    '/api/schools/:school/explain',
    {
      ...tags('explain'),
      params: school,
      querystring: {
        type: 'object',
        properties: { q: { type: 'string', maxLength: 200 } },
        required: ['q'],
      },
      summary: 'Why a person or a sheet is (not) on Edusign: by Auriga id, name or email.',
    },
    async (r, _reply, p) => c.explain(p, r.params.school, r.query.q ?? ''),
  );
  route(
    'GET',
    '/api/schools/:school/settings',
    { ...tags('settings'), params: school, summary: 'Settings; secrets are never returned.' },
    async (r, _reply, p) => c.settings(p, r.params.school),
  );
  route(
    'PUT',
    '/api/schools/:school/settings',
    {
      ...tags('settings'),
      params: school,
      body: settingsBody,
      summary:
        "Change settings (validated like `config check`); a --config school's are read-only (409).",
    },
    async (r, _reply, p) => c.saveSettings(p, r.params.school, r.body),
  );
  route(
    'POST',
    '/api/schools/:school/doctor',
    {
      ...tags('settings'),
      params: school,
      summary: 'Check: the doctor, step by step, each failure with its fix.',
    },
    async (r, _reply, p) => ({
      steps: await c.doctor(p, r.params.school),
    }),
  );
  route(
    'POST',
    '/api/schools/:school/activate',
    { ...tags('settings'), params: school, summary: "Activate: start the school's schedule." },
    async (r, _reply, p) => c.activate(p, r.params.school),
  );

  // Accounts and audit.
  route(
    'GET',
    '/api/accounts',
    { ...tags('accounts'), summary: 'Accounts (an operator sees all, others themselves).' },
    async (_r, _reply, p) => ({
      accounts: await c.accounts(p),
    }),
  );
  route(
    'POST',
    '/api/accounts',
    {
      ...tags('accounts'),
      summary: 'Add an account (operator): answers its one-time sign-in link, shown once.',
      body: {
        type: 'object',
        properties: {
          email: { type: 'string' },
          role: { type: 'string', enum: [...ROLES] },
          schools: { type: 'array', items: { type: 'string' } },
        },
        required: ['email', 'role'],
      },
    },
    async (r, reply, p) => {
      reply.code(201);
      return c.addAccount(p, {
        email: String(r.body.email),
        role: r.body.role as (typeof ROLES)[number],
        schools: (r.body.schools as string[] | undefined) ?? [],
      });
    },
  );
  route(
    'GET',
    '/api/audit',
    { ...tags('accounts'), summary: 'The audit log: who did what, when.' },
    async (_r, _reply, p) => ({
      entries: await c.audit(p),
    }),
  );
}
