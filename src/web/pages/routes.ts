import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleStore } from '../../store/port.ts';
import { MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import type { Auth, Authenticated } from '../auth/session.ts';
import type { Console } from '../console.ts';
import { WebError } from '../errors.ts';
import { pickLanguage, translator } from '../i18n.ts';
import type { SendTestNotice } from '../test-notice.ts';
import type { PageContext } from './layout.ts';
import {
  accountsPage,
  auditPage,
  errorPage,
  explainPage,
  fleetPage,
  heldPage,
  liveBlock,
  previewPage,
  runPage,
  schoolPage,
  settingsFromForm,
  settingsPage,
  signInPage,
  welcomePage,
} from './views.ts';

/**
 * The console's pages: server-rendered HTML, forms that work without script
 * (each carries the CSRF token), one local script for the live view.
 */

type Form = Record<string, unknown>;
type Req = FastifyRequest<{
  Params: { school: string; runId: string };
  Body: Form;
  Querystring: Record<string, string | undefined>;
}>;

/** A path of ours to come back to: never another site (`//host`, `https:`). */
const safePath = (path: unknown): string =>
  typeof path === 'string' && /^\/(?![/\\])/.test(path) ? path : '/schools';

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

export function registerPages(
  app: FastifyInstance,
  deps: { console: Console; auth: Auth; store: ConsoleStore; testNotice: SendTestNotice },
): void {
  const { console: c, auth } = deps;

  function context(
    request: FastifyRequest,
    reply: FastifyReply,
    who: Authenticated | null,
  ): PageContext {
    const lang = pickLanguage(request.cookies.lang, request.headers['accept-language']);
    return {
      lang,
      t: translator(lang),
      path: request.url,
      who: who ? { email: who.account.email, role: who.account.role } : null,
      csrf: who?.csrf ?? auth.preCsrf(request, reply),
    };
  }
  const send = (reply: FastifyReply, page: string, status = 200) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page);

  /** A signed-in page: its handler gets the person and the page context; errors become pages. */
  const page = (
    method: 'GET' | 'POST',
    url: string,
    handler: (
      request: Req,
      reply: FastifyReply,
      who: Authenticated,
      ctx: PageContext,
    ) => Promise<unknown>,
  ) =>
    app.route({
      method,
      url,
      schema: { hide: true },
      handler: async (request, reply) => {
        const who = await auth.identify(request);
        if (who?.via !== 'session')
          return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
        let ctx = context(request, reply, who);
        const school = (request.params as { school?: string }).school;
        if (school !== undefined && school !== 'new')
          ctx = { ...ctx, timeZone: await c.timeZone(who, school).catch(() => 'Europe/Paris') };
        if (method === 'POST' && !auth.csrfOk(request, who))
          return send(
            reply,
            errorPage(ctx, 'This form lacks its CSRF token: reload the page and try again.'),
            403,
          );
        try {
          return await handler(request as Req, reply, who, ctx);
        } catch (error) {
          if (error instanceof WebError) {
            const message =
              error.status === 404 &&
              error.code === 'console.not_found' &&
              error.message.startsWith('No such school')
                ? ctx.t('error.notFound')
                : error.message;
            return send(reply, errorPage(ctx, message), error.status);
          }
          throw error;
        }
      },
    });

  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/schools', 303),
  );

  app.get('/lang', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as { to?: string; back?: string };
    const to = query.to === 'fr' ? 'fr' : 'en';
    reply.setCookie('lang', to, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
    return reply.redirect(safePath(query.back), 303);
  });

  app.get('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const ctx = context(request, reply, null);
    return send(
      reply,
      signInPage(ctx, { next: safePath((request.query as { next?: string }).next) }),
    );
  });
  app.post('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const form = request.body as Form;
    const ctx = context(request, reply, null);
    const email = String(form.email ?? '');
    const next = safePath(form.next);
    if (!auth.csrfOk(request, null))
      return send(
        reply,
        signInPage(ctx, { error: 'Reload the page and try again.', email, next }),
        403,
      );
    const result = await auth.signIn(request, reply, email, String(form.password ?? ''));
    if (result.ok) return reply.redirect(next, 303);
    if (result.retryAfterMs > 0) {
      reply.header('retry-after', Math.ceil(result.retryAfterMs / 1000));
      return send(
        reply,
        signInPage(ctx, {
          error: ctx.t('signIn.throttled', { minutes: Math.ceil(result.retryAfterMs / 60_000) }),
          email,
          next,
        }),
        429,
      );
    }
    return send(reply, signInPage(ctx, { error: ctx.t('signIn.failed'), email, next }), 401);
  });

  app.get('/welcome', { schema: { hide: true } }, async (request, reply) => {
    const token = String((request.query as { token?: string }).token ?? '');
    const ctx = context(request, reply, null);
    return send(
      reply,
      welcomePage(ctx, {
        token,
        min: MIN_PASSWORD_LENGTH,
        valid: token !== '' && (await auth.linkValid(token)),
      }),
    );
  });
  app.post('/welcome', { schema: { hide: true } }, async (request, reply) => {
    const form = request.body as Form;
    const token = String(form.token ?? '');
    const password = String(form.password ?? '');
    const ctx = context(request, reply, null);
    const again = (error: string, status: number) =>
      send(
        reply,
        welcomePage(ctx, { token, min: MIN_PASSWORD_LENGTH, valid: true, error }),
        status,
      );
    if (!auth.csrfOk(request, null)) return again('Reload the page and try again.', 403);
    if (password.length < MIN_PASSWORD_LENGTH)
      return again(ctx.t('welcome.short', { min: MIN_PASSWORD_LENGTH }), 400);
    if (password !== String(form.confirm ?? '')) return again(ctx.t('welcome.mismatch'), 400);
    if (!(await auth.welcome(request, reply, token, password)))
      return send(reply, welcomePage(ctx, { token, min: MIN_PASSWORD_LENGTH, valid: false }), 410);
    return reply.redirect('/schools', 303);
  });

  page('POST', '/sign-out', async (request, reply) => {
    await auth.signOut(request, reply);
    return reply.redirect('/sign-in', 303);
  });

  page('GET', '/schools', async (request, reply, who, ctx) => {
    const schools = await c.schools(who);
    const { state, q } = request.query;
    return send(
      reply,
      fleetPage(ctx, schools, { ...(state ? { state } : {}), ...(q ? { q } : {}) }),
    );
  });

  page('GET', '/schools/new', async (_request, reply, who, ctx) => {
    if (who.account.role !== 'operator')
      throw new WebError(403, 'console.forbidden', 'Only an operator adds schools.');
    return send(
      reply,
      settingsPage(ctx, {
        school: null,
        config: null,
        readOnly: false,
        active: false,
        canAct: true,
      }),
    );
  });
  page('POST', '/schools/new', async (request, reply, who, ctx) => {
    const name = String(request.body.name ?? '').trim();
    try {
      await c.addSchool(who, name, settingsFromForm(request.body));
    } catch (error) {
      if (error instanceof WebError && error.status === 400)
        return send(
          reply,
          settingsPage(ctx, {
            school: null,
            config: null,
            readOnly: false,
            active: false,
            canAct: true,
            error: error.message,
            form: request.body,
          }),
          400,
        );
      throw error;
    }
    return reply.redirect(`/schools/${encodeURIComponent(name)}/settings?saved=1`, 303);
  });

  const canAct = (who: Authenticated) => who.account.role !== 'viewer';
  const schoolBase = (name: string) => `/schools/${encodeURIComponent(name)}`;

  page('GET', '/schools/:school', async (request, reply, who, ctx) => {
    const name = request.params.school;
    const [school, problems, notices] = await Promise.all([
      c.school(who, name),
      c.problems(who, name),
      c.notifications(who, name),
    ]);
    const asked = request.query.asked;
    return send(
      reply,
      schoolPage(ctx, school, problems.problems, {
        deliveries: notices.deliveries,
        error: problems.error,
        canAct: canAct(who),
        ...(asked === '1'
          ? { notice: ctx.t('school.asked') }
          : asked === '0'
            ? { notice: ctx.t('school.already') }
            : {}),
      }),
    );
  });
  // The live view's fragment, polled by console.js: the same markup the page starts with.
  page('GET', '/schools/:school/live', async (request, reply, who, ctx) => {
    const live = await c.live(who, request.params.school);
    return send(reply, liveBlock(ctx, request.params.school, live.running, live.run).value);
  });
  page('POST', '/schools/:school/run', async (request, reply, who) => {
    const { queued } = await c.runNow(who, request.params.school);
    return reply.redirect(`${schoolBase(request.params.school)}?asked=${queued ? 1 : 0}#live`, 303);
  });
  page('POST', '/schools/:school/preview', async (request, reply, who, ctx) => {
    const report = await c.preview(who, request.params.school);
    return send(reply, previewPage(ctx, request.params.school, report));
  });
  page('GET', '/schools/:school/runs/:runId', async (request, reply, who, ctx) => {
    const run = await c.run(who, request.params.school, request.params.runId);
    return send(reply, runPage(ctx, request.params.school, run));
  });

  page('GET', '/schools/:school/held', async (request, reply, who, ctx) => {
    const held = await c.held(who, request.params.school);
    return send(reply, heldPage(ctx, request.params.school, held, { canAct: canAct(who) }));
  });
  page('POST', '/schools/:school/held/confirm', async (request, reply, who, ctx) => {
    const name = request.params.school;
    const result = await c.confirmDeletions(who, name, list(request.body.aurigaIds));
    if (result.status === 'changed')
      return send(
        reply,
        heldPage(
          ctx,
          name,
          { items: result.held, kept: null },
          { canAct: true, notice: ctx.t('held.changed'), status: 'changed' },
        ),
        409,
      );
    const held = await c.held(who, name);
    return send(
      reply,
      heldPage(ctx, name, held, {
        canAct: true,
        notice: ctx.t('held.deleted', {
          n: result.deleted.length,
          runId: result.runId.slice(0, 8),
        }),
      }),
    );
  });
  page('POST', '/schools/:school/held/keep', async (request, reply, who) => {
    await c.keepHeld(who, request.params.school, list(request.body.aurigaIds));
    return reply.redirect(`${schoolBase(request.params.school)}/held`, 303);
  });

  page('GET', '/schools/:school/explain', async (request, reply, who, ctx) => {
    const q = (request.query.q ?? '').trim();
    const answers =
      q === '' ? null : (await c.explain(who, request.params.school, q, ctx.lang)).answers;
    return send(reply, explainPage(ctx, request.params.school, q, answers));
  });

  /** What every answer of the settings page starts from: the school's settings as saved. */
  const savedSettings = async (request: Req, who: Authenticated, mayAct: boolean) => {
    const name = request.params.school;
    const view = await c.settings(who, name);
    const school = await c.school(who, name);
    return {
      school: name,
      config: view.settings as never,
      readOnly: view.readOnly,
      active: school.active,
      canAct: mayAct,
    };
  };
  page('GET', '/schools/:school/settings', async (request, reply, who, ctx) => {
    return send(
      reply,
      settingsPage(ctx, {
        ...(await savedSettings(request, who, canAct(who))),
        ...(request.query.saved ? { notice: ctx.t('settings.saved') } : {}),
      }),
    );
  });
  page('POST', '/schools/:school/settings', async (request, reply, who, ctx) => {
    const name = request.params.school;
    try {
      await c.saveSettings(who, name, settingsFromForm(request.body));
    } catch (error) {
      if (error instanceof WebError && error.status === 400) {
        return send(
          reply,
          settingsPage(ctx, {
            ...(await savedSettings(request, who, true)),
            error: error.message,
            form: request.body,
          }),
          400,
        );
      }
      throw error;
    }
    return reply.redirect(`${schoolBase(name)}/settings?saved=1`, 303);
  });
  page('POST', '/schools/:school/check', async (request, reply, who, ctx) => {
    const steps = await c.doctor(who, request.params.school);
    return send(
      reply,
      settingsPage(ctx, {
        ...(await savedSettings(request, who, true)),
        steps,
      }),
    );
  });
  // A test notice on the saved channels, answered on the settings page, one line per channel.
  page('POST', '/schools/:school/notifications/test', async (request, reply, who, ctx) => {
    let tested: Awaited<ReturnType<SendTestNotice>>['results'] | undefined;
    let error: string | undefined;
    try {
      tested = (await deps.testNotice(who, request.params.school)).results;
    } catch (failure) {
      if (!(failure instanceof WebError && failure.status === 409)) throw failure;
      error = failure.message;
    }
    return send(
      reply,
      settingsPage(ctx, {
        ...(await savedSettings(request, who, true)),
        ...(tested ? { tested } : {}),
        ...(error ? { error } : {}),
      }),
      error ? 409 : 200,
    );
  });
  page('POST', '/schools/:school/activate', async (request, reply, who) => {
    await c.activate(who, request.params.school);
    return reply.redirect(`${schoolBase(request.params.school)}/settings`, 303);
  });

  page('GET', '/audit', async (_request, reply, who, ctx) =>
    send(reply, auditPage(ctx, await c.audit(who))),
  );
  page('GET', '/accounts', async (_request, reply, who, ctx) => {
    if (who.account.role !== 'operator')
      throw new WebError(403, 'console.forbidden', 'Only an operator manages accounts.');
    return send(reply, accountsPage(ctx, await c.accounts(who), {}));
  });
  page('POST', '/accounts', async (request, reply, who, ctx) => {
    const form = request.body;
    const schools = String(form.schools ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      const added = await c.addAccount(who, {
        email: String(form.email ?? ''),
        role: String(form.role ?? 'viewer') as 'viewer',
        schools,
      });
      return send(reply, accountsPage(ctx, await c.accounts(who), { link: added.signInLink }));
    } catch (error) {
      if (error instanceof WebError && error.status < 500)
        return send(
          reply,
          accountsPage(ctx, await c.accounts(who), { error: error.message }),
          error.status,
        );
      throw error;
    }
  });
}
