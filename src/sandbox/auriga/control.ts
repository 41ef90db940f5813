import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError, isAppError } from '../../errors/app-error.ts';
import { type FaultInjector, registerFaultRoutes } from '../faults.ts';
import { withoutUndefined } from '../objects.ts';
import {
  MALFORMED_KINDS,
  type MultiLabel,
  type School,
  type SchoolIntervention,
  type SchoolPerson,
} from '../school/types.ts';
import type { AurigaSettings, MutableSettings } from './settings.ts';
import type { TokenAuthority } from './tokens.ts';

/**
 * Changes a test or an operator makes to a running Auriga sandbox, so that
 * the next read shows what a school did in Auriga meanwhile.
 */
export interface AurigaControl {
  /** Add a row; without `id`, the next free six-digit id is taken. */
  addIntervention(input: InterventionInput): SchoolIntervention;
  /** New wall-clock start and end (`YYYY-MM-DDTHH:mm:ss`); drops raw Start/End overrides. */
  moveIntervention(id: string, start: string, end: string): SchoolIntervention;
  /** The row disappears from the favorite, as a cancelled intervention does. */
  cancelIntervention(id: string): SchoolIntervention;
  renamePerson(id: string, changes: PersonChanges): SchoolPerson;
  /** A learner or instructor new to Auriga; without `id`, a free eight-digit id is taken. */
  addPerson(kind: 'learner' | 'instructor', input: PersonInput): SchoolPerson;
  setOptions(options: Partial<MutableSettings>): void;
  replaceSchool(school: School): void;
  /** End every Keycloak session: refresh tokens answer `invalid_grant`, access tokens 401. */
  revokeSessions(): void;
  /** Every access token issued so far answers 401 from now on; refresh tokens still work. */
  expireAccessTokens(): void;
}

export type InterventionInput = Omit<SchoolIntervention, 'id'> & { id?: string };
export interface PersonChanges {
  lastName?: string;
  firstName?: string;
  email?: string;
}
export type PersonInput = Omit<SchoolPerson, 'id'> & { id?: string };

/** The sandbox's live state the control edits. */
export interface ControlState {
  school: School;
  settings: AurigaSettings;
  readonly tokens: TokenAuthority;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

const notFound = (what: string): AppError =>
  new AppError('auriga_sandbox.not_found', `${what} is not in the sandbox school`);
const badInput = (message: string): AppError => new AppError('auriga_sandbox.bad_input', message);

function checkTimes(start: string, end: string): void {
  if (!LOCAL_DATE_TIME.test(start) || !LOCAL_DATE_TIME.test(end)) {
    throw badInput(
      `start and end must be wall-clock times YYYY-MM-DDTHH:mm:ss, got "${start}", "${end}"`,
    );
  }
  if (end <= start) throw badInput(`end ${end} must be after start ${start}`);
}

export function createControl(state: ControlState): AurigaControl {
  const intervention = (id: string): SchoolIntervention => {
    const found = state.school.interventions.find((iv) => iv.id === id);
    if (!found) throw notFound(`Intervention ${id}`);
    return found;
  };
  const personIds = (): Set<string> =>
    new Set([...state.school.learners, ...state.school.instructors].map((p) => p.id));

  return {
    addIntervention(input) {
      checkTimes(input.start, input.end);
      const ids = state.school.interventions.map((iv) => Number(iv.id)).filter(Number.isFinite);
      const id = input.id ?? String(Math.max(99_999, ...ids) + 1);
      if (!/^\d+$/.test(id)) throw badInput(`intervention id must be numeric, got "${id}"`);
      if (state.school.interventions.some((iv) => iv.id === id)) {
        throw badInput(`intervention ${id} already exists`);
      }
      const added: SchoolIntervention = { ...structuredClone(input), id };
      state.school.interventions.push(added);
      return added;
    },

    moveIntervention(id, start, end) {
      checkTimes(start, end);
      const iv = intervention(id);
      iv.start = start;
      iv.end = end;
      if (iv.raw) {
        delete iv.raw.Start;
        delete iv.raw.End;
      }
      return iv;
    },

    cancelIntervention(id) {
      const iv = intervention(id);
      state.school.interventions = state.school.interventions.filter((x) => x !== iv);
      return iv;
    },

    renamePerson(id, changes) {
      const person = [...state.school.learners, ...state.school.instructors].find(
        (p) => p.id === id,
      );
      if (!person) throw notFound(`Person ${id}`);
      if (changes.lastName !== undefined) person.lastName = changes.lastName;
      if (changes.firstName !== undefined) person.firstName = changes.firstName;
      if (changes.email !== undefined) person.email = changes.email;
      return person;
    },

    addPerson(kind, input) {
      const used = personIds();
      let id = input.id;
      if (id === undefined) {
        for (let n = 90_000_000; id === undefined; n++) if (!used.has(String(n))) id = String(n);
      } else if (used.has(id)) {
        throw badInput(`person ${id} already exists`);
      }
      const person: SchoolPerson = { ...input, id };
      (kind === 'learner' ? state.school.learners : state.school.instructors).push(person);
      return person;
    },

    setOptions(options) {
      state.settings = { ...state.settings, ...options };
    },

    replaceSchool(school) {
      state.school = school;
    },

    revokeSessions: () => state.tokens.revokeSessions(),
    expireAccessTokens: () => state.tokens.expireAccessTokens(),
  };
}

// ---------------------------------------------------------------- over HTTP

const label = z
  .strictObject({ fr: z.string().optional(), en: z.string().optional() })
  .transform((l): MultiLabel => withoutUndefined(l));
const localTime = z.string().regex(LOCAL_DATE_TIME, 'expected YYYY-MM-DDTHH:mm:ss');
const ids = z.array(z.string().regex(/^\d+$/));

const interventionBody = z.strictObject({
  id: z.string().regex(/^\d+$/).optional(),
  start: localTime,
  end: localTime,
  activityType: label.nullable().default(null),
  educationalUnit: label.nullable().default(null),
  description: z.string().default(''),
  resourceLabel: z.string().default(''),
  resourceCode: z.string().default(''),
  learners: ids.default([]),
  instructors: ids.default([]),
  groups: ids.default([]),
  raw: z.record(z.string(), z.string()).optional(),
});

const personBody = z.strictObject({
  kind: z.enum(['learner', 'instructor']),
  id: z.string().regex(/^\d+$/).optional(),
  lastName: z.string(),
  firstName: z.string(),
  email: z.string(),
});

const renameBody = z.strictObject({
  lastName: z.string().optional(),
  firstName: z.string().optional(),
  email: z.string().optional(),
});

const moveBody = z.strictObject({ start: localTime, end: localTime });

const seconds = z.int().min(1);
const optionsBody = z.strictObject({
  realm: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  accessTokenLifetimeSeconds: seconds.optional(),
  refreshTokenLifetimeSeconds: seconds.optional(),
  directGrants: z.boolean().optional(),
  userSetupRequired: z.boolean().optional(),
  requiredHeaders: z.record(z.string(), z.string()).optional(),
  hideFromMenus: z.boolean().optional(),
  columnSeed: z.int().optional(),
  maxPageSize: z.int().min(1).optional(),
});

const person = z.strictObject({
  id: z.string(),
  lastName: z.string(),
  firstName: z.string(),
  email: z.string(),
});
const schoolBody = z.strictObject({
  timeZone: z.string(),
  learners: z.array(person),
  instructors: z.array(person),
  groups: z.array(
    z.strictObject({ id: z.string(), label, code: z.string(), learners: z.array(z.string()) }),
  ),
  interventions: z.array(
    interventionBody.extend({
      id: z.string(),
      malformed: z.enum(MALFORMED_KINDS).optional(),
    }),
  ),
});

export interface ControlHttpContext {
  readonly control: AurigaControl;
  readonly faults: FaultInjector;
  state(): ControlState;
  calls(): Record<string, number>;
  resetCalls(): void;
}

/** Largest control body: a large school replaced over HTTP runs to several megabytes. */
const CONTROL_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * The control over HTTP, under /_sandbox: no token, not counted, not faulted.
 * Answers plain JSON; a bad body answers 400 naming the field, an unknown id 404.
 */
export function registerControlRoutes(app: FastifyInstance, context: ControlHttpContext): void {
  const { control } = context;

  app.get<{ Querystring: { school?: string } }>('/_sandbox/state', async (request) => {
    const { school, settings } = context.state();
    return {
      // The sandbox's own secrets are still not shown back (docs/rules.md §1).
      settings: { ...settings, clientSecret: '***', password: '***' },
      counts: {
        interventions: school.interventions.length,
        learners: school.learners.length,
        instructors: school.instructors.length,
        groups: school.groups.length,
      },
      faults: { config: context.faults.config, injected: context.faults.injected },
      ...(request.query.school === '1' || request.query.school === 'true' ? { school } : {}),
    };
  });

  app.get('/_sandbox/calls', async () => context.calls());
  app.post('/_sandbox/calls/reset', async () => {
    context.resetCalls();
    return { ok: true };
  });

  app.post('/_sandbox/interventions', async (request, reply) => {
    const body = interventionBody.safeParse(request.body);
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    return attempt(reply, () =>
      reply.code(201).send(control.addIntervention(withoutUndefined(body.data))),
    );
  });

  app.post<{ Params: { id: string } }>(
    '/_sandbox/interventions/:id/move',
    async (request, reply) => {
      const body = moveBody.safeParse(request.body);
      if (!body.success) return refuse(reply, z.prettifyError(body.error));
      return attempt(reply, () =>
        control.moveIntervention(request.params.id, body.data.start, body.data.end),
      );
    },
  );

  app.delete<{ Params: { id: string } }>('/_sandbox/interventions/:id', async (request, reply) =>
    attempt(reply, () => control.cancelIntervention(request.params.id)),
  );

  app.post('/_sandbox/people', async (request, reply) => {
    const body = personBody.safeParse(request.body);
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    const { kind, ...input } = body.data;
    return attempt(reply, () =>
      reply.code(201).send(control.addPerson(kind, withoutUndefined(input))),
    );
  });

  app.post<{ Params: { id: string } }>('/_sandbox/people/:id/rename', async (request, reply) => {
    const body = renameBody.safeParse(request.body);
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    return attempt(reply, () =>
      control.renamePerson(request.params.id, withoutUndefined(body.data)),
    );
  });

  app.post('/_sandbox/options', async (request, reply) => {
    const body = optionsBody.safeParse(request.body);
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    control.setOptions(withoutUndefined(body.data));
    return { ok: true };
  });

  app.post('/_sandbox/sessions/revoke', async () => {
    control.revokeSessions();
    return { ok: true };
  });
  app.post('/_sandbox/tokens/expire', async () => {
    control.expireAccessTokens();
    return { ok: true };
  });

  app.post('/_sandbox/school', { bodyLimit: CONTROL_BODY_LIMIT }, async (request, reply) => {
    const body = schoolBody.safeParse(request.body);
    if (!body.success) return refuse(reply, z.prettifyError(body.error));
    control.replaceSchool(structuredClone(body.data) as School);
    return { ok: true };
  });

  registerFaultRoutes(app, context.faults);
}

function refuse(reply: FastifyReply, error: string): FastifyReply {
  return reply.code(400).send({ error });
}

function attempt<T>(reply: FastifyReply, action: () => T): T | FastifyReply {
  try {
    return action();
  } catch (error) {
    if (isAppError(error)) {
      const status = error.code === 'auriga_sandbox.not_found' ? 404 : 400;
      return reply.code(status).send({ error: error.message, code: error.code });
    }
    throw error;
  }
}

/** zod leaves absent optionals as undefined keys; exactOptionalPropertyTypes wants them gone. */
