import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../errors/app-error.ts';
import { registerFaultRoutes } from '../faults.ts';
import { withoutUndefined } from '../objects.ts';
import type { EdusignSandbox } from './index.ts';

/**
 * The sandbox's own controls over HTTP, outside /v1, so a CLI or another
 * process can drive it: no token, not counted, not rate limited, not faulted.
 * Answers are plain JSON (not Edusign's envelope); a bad body answers 400.
 */

const person = z.looseObject({
  FIRSTNAME: z.string(),
  LASTNAME: z.string(),
  EMAIL: z.string(),
});

const optionsBody = z.strictObject({
  account: z.enum(['ok', 'no-subscription']).optional(),
  forbiddenRoutes: z.array(z.string()).optional(),
  rateLimit: z
    .strictObject({ requests: z.int().min(1), windowMs: z.number().positive() })
    .optional(),
  heavyRateLimit: z
    .strictObject({ requests: z.int().min(1), windowMs: z.number().positive() })
    .optional(),
  token: z.string().min(1).optional(),
});

export function registerControlRoutes(app: FastifyInstance, sandbox: EdusignSandbox): void {
  app.get('/_sandbox/state', async () => sandbox.state());
  app.get('/_sandbox/calls', async () => sandbox.calls());
  app.post('/_sandbox/calls/reset', async () => {
    sandbox.resetCalls();
    return { ok: true };
  });

  app.post<{ Params: { id: string } }>('/_sandbox/courses/:id/lock', async (request, reply) =>
    attempt(reply, () => {
      sandbox.lockCourse(request.params.id);
      return { ok: true };
    }),
  );

  app.post('/_sandbox/students', async (request, reply) => {
    const body = person.safeParse(request.body);
    if (!body.success) return refuse(reply, 'FIRSTNAME, LASTNAME and EMAIL are required strings');
    return attempt(reply, () => ({ ID: sandbox.createStudent(body.data) }));
  });

  app.post('/_sandbox/professors', async (request, reply) => {
    const body = person.safeParse(request.body);
    if (!body.success) return refuse(reply, 'FIRSTNAME, LASTNAME and EMAIL are required strings');
    return attempt(reply, () => ({ ID: sandbox.createProfessor(body.data) }));
  });

  // Accounts beyond the sandbox's own (fleet.md): add one, list them, read one's data and calls.
  app.get('/_sandbox/accounts', async () => sandbox.accounts().map((a) => ({ token: a.token })));
  app.post('/_sandbox/accounts', async (request, reply) => {
    const body = optionsBody.safeParse(request.body ?? {});
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    return attempt(reply, () => ({ token: sandbox.addAccount(withoutUndefined(body.data)).token }));
  });
  app.get<{ Params: { token: string } }>(
    '/_sandbox/accounts/:token/state',
    async (request, reply) => {
      const account = sandbox.account(request.params.token);
      return account
        ? account.state()
        : reply.code(404).send({ error: 'no account with that token' });
    },
  );
  app.get<{ Params: { token: string } }>(
    '/_sandbox/accounts/:token/calls',
    async (request, reply) => {
      const account = sandbox.account(request.params.token);
      return account
        ? account.calls()
        : reply.code(404).send({ error: 'no account with that token' });
    },
  );

  registerFaultRoutes(app, sandbox.faults);

  app.post('/_sandbox/options', async (request, reply) => {
    const body = optionsBody.safeParse(request.body);
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    return attempt(reply, () => {
      sandbox.setOptions(withoutUndefined(body.data));
      return { ok: true };
    });
  });
}

function refuse(reply: FastifyReply, error: string): FastifyReply {
  return reply.code(400).send({ error });
}

function attempt<T>(reply: FastifyReply, action: () => T): T | FastifyReply {
  try {
    return action();
  } catch (error) {
    if (isAppError(error)) {
      const status =
        error.code === 'edusign_sandbox.not_found'
          ? 404
          : error.code === 'edusign_sandbox.token_taken'
            ? 409
            : 400;
      return reply.code(status).send({ error: error.message, code: error.code });
    }
    if (error instanceof RangeError) return refuse(reply, error.message);
    throw error;
  }
}

/** zod leaves absent optionals as undefined keys; exactOptionalPropertyTypes wants them gone. */
