/**
 * The Edusign sandbox: one Fastify server holding a school's Edusign account
 * in memory and answering every v1 route of /work/shared/spec/edusign-api.md,
 * errors and limits included, so the connector is tested against the API's
 * awkward parts rather than a kind imitation.
 *
 * Where the spec is silent the sandbox takes the stricter reading, and says so:
 * - listing courses needs both `start` and `end`; a locked course also refuses
 *   attendance changes; unknown referenced ids (PROFESSOR, STUDENTS,
 *   SCHOOL_GROUP, GROUPS, PARENT) are business errors and nothing is written;
 * - optional fields never sent read back as `null`; a course's SCHOOL_GROUP
 *   does not add the group's learners to its STUDENTS;
 * - the student list includes archived learners (HIDDEN: 1); by-email and
 *   get-id return the first created when several match;
 * - v1 routes share one window of 480 a minute; the v3 batch routes (v3/,
 *   under `${url}/v3`, reading and writing the same account data) have their
 *   own "heavy" window of 24 a minute, see v3/routes.ts for their rules.
 */
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { type FaultConfig, FaultInjector } from '../faults.ts';
import { registerControlRoutes } from './control.ts';
import {
  EDUSIGN_HEAVY_RATE_LIMIT,
  EDUSIGN_RATE_LIMIT,
  type RateLimit,
  SlidingWindowDelay,
} from './rate-limit.ts';
import { registerV1Routes } from './routes.ts';
import {
  type AbsenceReason,
  EdusignSchool,
  type EdusignState,
  type Professor,
  type Student,
} from './school.ts';
import { RecentBatches, registerV3Routes } from './v3/routes.ts';

export type { RateLimit } from './rate-limit.ts';
export { V1_ROUTES } from './routes.ts';
export type {
  AbsenceReason,
  Course,
  CourseStudent,
  EdusignState,
  Group,
  JustifiedAbsence,
  Professor,
  Student,
} from './school.ts';
export { DEFAULT_ABSENCE_REASONS, MAX_LISTING_DAYS, PAGE_SIZE } from './school.ts';
export type { ItemResult, V3ErrorCode } from './v3/batch.ts';
export { MAX_BATCH_ITEMS } from './v3/batch.ts';
export { DEDUP_WINDOW_MS, V3_ROUTES } from './v3/routes.ts';

/** The token the sandbox accepts unless told otherwise. Not a secret: it opens only the sandbox. */
export const SANDBOX_EDUSIGN_TOKEN = 'sandbox-edusign-token';

export type AccountState = 'ok' | 'no-subscription';

export interface EdusignSandboxOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The Bearer token accepted. @default SANDBOX_EDUSIGN_TOKEN */
  token?: string;
  /** `no-subscription`: every v1 route answers 402, as for a school without the API option. @default 'ok' */
  account?: AccountState;
  /** Routes answering 403, as `METHOD /pattern` (`DELETE /v1/course/:id`) or `METHOD /path`. @default [] */
  forbiddenRoutes?: string[];
  /**
   * Requests per window per token; over it answers are delayed (not refused)
   * until a slot frees, as Edusign does. @default { requests: 480, windowMs: 60000 }
   */
  rateLimit?: RateLimit;
  /**
   * The same for the "heavy" v3 batch routes, a window of their own.
   * @default { requests: 24, windowMs: 60000 }
   */
  heavyRateLimit?: RateLimit;
  /** The school's absence motives. @default DEFAULT_ABSENCE_REASONS (Maladie, Retard transport…) */
  absenceReasons?: AbsenceReason[];
  /** Random or targeted faults, see src/sandbox/faults.ts. @default none */
  faults?: Partial<FaultConfig>;
  /** Clock for ids and createdAt/updatedAt. @default () => new Date() */
  now?: () => Date;
}

export type SandboxSettings = Pick<
  EdusignSandboxOptions,
  'account' | 'forbiddenRoutes' | 'rateLimit' | 'heavyRateLimit' | 'token'
>;

export interface CallCounts {
  total: number;
  /** POST, PATCH, PUT and DELETE. */
  writes: number;
  /**
   * By route pattern, e.g. `POST /v1/course`, `GET /v1/student/get-id/:apiId`;
   * requests matching no route count as `GET (no route)`. Refused (401/402/403)
   * and faulted requests count too: the client did make them.
   */
  byRoute: Record<string, number>;
}

export type StudentFields = Partial<Student> & {
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
};
export type ProfessorFields = Partial<Professor> & {
  FIRSTNAME: string;
  LASTNAME: string;
  EMAIL: string;
};

export interface EdusignSandbox {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; routes are under `/v1/`. */
  readonly url: string;
  /** The v3 base, `${url}/v3`: routes `POST ${v3Url}/students/batch-upsert`… */
  readonly v3Url: string;
  readonly token: string;
  readonly faults: FaultInjector;
  /** A deep copy of the school's data. */
  state(): EdusignState;
  /** Calls received on /v1 and /v3 (control routes excluded). */
  calls(): CallCounts;
  resetCalls(): void;
  /** As if signatures were collected: the course becomes `LOCKED: 1`. */
  lockCourse(id: string): void;
  /** A learner created by hand, as a school admin would in Edusign's UI; returns its ID. */
  createStudent(fields: StudentFields): string;
  /** An instructor created by hand; returns its ID. Refused for a known email, as on the API. */
  createProfessor(fields: ProfessorFields): string;
  setOptions(partial: SandboxSettings): void;
  close(): Promise<void>;
}

/** Paths under it are the sandbox's own controls: no token, not counted, not limited, not faulted. */
const CONTROL_PREFIX = '/_sandbox';
const V3_PREFIX = '/v3/';
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export async function startEdusignSandbox(
  options: EdusignSandboxOptions = {},
): Promise<EdusignSandbox> {
  const settings = {
    token: options.token ?? SANDBOX_EDUSIGN_TOKEN,
    account: options.account ?? ('ok' as AccountState),
    forbidden: normaliseRoutes(options.forbiddenRoutes ?? []),
  };
  const school = new EdusignSchool({
    ...(options.now ? { now: options.now } : {}),
    ...(options.absenceReasons ? { absenceReasons: options.absenceReasons } : {}),
  });
  const faults = new FaultInjector(options.faults ?? {});
  const limiter = new SlidingWindowDelay(checkRateLimit(options.rateLimit ?? EDUSIGN_RATE_LIMIT));
  const heavyLimiter = new SlidingWindowDelay(
    checkRateLimit(options.heavyRateLimit ?? EDUSIGN_HEAVY_RATE_LIMIT),
  );
  const recent = new RecentBatches(options.now ?? (() => new Date()));
  let counts: CallCounts = { total: 0, writes: 0, byRoute: {} };

  const app: FastifyInstance = Fastify({ logger: false, routerOptions: { maxParamLength: 500 } });
  acceptEmptyJsonBodies(app);

  // 1. Count and pace every v1 request, faulted or not: the client did make it.
  app.addHook('onRequest', async (request) => {
    if (isControl(request)) return;
    const key = `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
    counts.total += 1;
    if (WRITE_METHODS.has(request.method)) counts.writes += 1;
    counts.byRoute[key] = (counts.byRoute[key] ?? 0) + 1;
    const heavy = request.url.startsWith(V3_PREFIX);
    const waitMs = (heavy ? heavyLimiter : limiter).reserve(request.headers.authorization ?? '');
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  });
  // 2. Faults, before the routes (and before the gate: a proxy fails first).
  faults.install(app);
  // 3. The gate: token, subscription, route permissions. Unknown routes fall to 404.
  app.addHook('onRequest', async (request, reply) => {
    if (isControl(request) || request.routeOptions.url === undefined) return;
    if (bearer(request) !== settings.token) return plain(reply, 401);
    if (settings.account === 'no-subscription') return plain(reply, 402);
    const path = request.url.split('?')[0] ?? request.url;
    if (
      settings.forbidden.has(`${request.method} ${request.routeOptions.url}`) ||
      settings.forbidden.has(`${request.method} ${path}`)
    )
      return plain(reply, 403);
  });

  app.setNotFoundHandler((_request, reply) => plain(reply, 404));
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status = error.statusCode ?? 500;
    return plain(reply, status >= 400 && status < 500 ? status : 500);
  });

  const sandbox = {
    url: '',
    v3Url: '',
    get token() {
      return settings.token;
    },
    faults,
    state: () => school.state(),
    calls: () => structuredClone(counts),
    resetCalls: () => {
      counts = { total: 0, writes: 0, byRoute: {} };
    },
    lockCourse: (id: string) => {
      if (!school.courses.lock(id))
        throw new AppError('edusign_sandbox.not_found', `No course ${id} in the Edusign sandbox`);
    },
    createStudent: (fields: StudentFields) =>
      byHand('student', school.students.create({ ...fields })).ID,
    createProfessor: (fields: ProfessorFields) =>
      byHand('professor', school.professors.create({ ...fields })).ID,
    setOptions: (partial: SandboxSettings) => {
      if (partial.token !== undefined) settings.token = partial.token;
      if (partial.account !== undefined) settings.account = partial.account;
      if (partial.forbiddenRoutes !== undefined)
        settings.forbidden = normaliseRoutes(partial.forbiddenRoutes);
      if (partial.rateLimit !== undefined) limiter.setLimit(checkRateLimit(partial.rateLimit));
      if (partial.heavyRateLimit !== undefined)
        heavyLimiter.setLimit(checkRateLimit(partial.heavyRateLimit));
    },
    close: () => app.close(),
  };

  registerV1Routes(app, school);
  registerV3Routes(app, () => ({ tables: school.tables, recent }));
  registerControlRoutes(app, sandbox);

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  sandbox.url = `http://${host}:${address.port}`;
  sandbox.v3Url = `${sandbox.url}/v3`;
  return sandbox;
}

function isControl(request: FastifyRequest): boolean {
  return request.url.startsWith(CONTROL_PREFIX);
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1]?.trim();
}

/** Technical errors carry plain-text bodies (`Unauthorized`), not JSON. */
function plain(reply: FastifyReply, status: number): FastifyReply {
  return reply
    .code(status)
    .type('text/plain; charset=utf-8')
    .send(STATUS_CODES[status] ?? 'Error');
}

function normaliseRoutes(routes: readonly string[]): Set<string> {
  return new Set(
    routes.map((route) => {
      const [method = '', path = ''] = route.trim().split(/\s+/);
      return `${method.toUpperCase()} ${path}`;
    }),
  );
}

function checkRateLimit(limit: RateLimit): RateLimit {
  if (!(Number.isInteger(limit.requests) && limit.requests >= 1))
    throw new RangeError(`rateLimit.requests must be a whole number from 1, got ${limit.requests}`);
  if (!(Number.isFinite(limit.windowMs) && limit.windowMs > 0))
    throw new RangeError(`rateLimit.windowMs must be a positive number, got ${limit.windowMs}`);
  return { requests: limit.requests, windowMs: limit.windowMs };
}

function byHand<T>(
  kind: string,
  outcome: { ok: true; value: T } | { ok: false; message: string | string[] },
): T {
  if (outcome.ok) return outcome.value;
  const message = Array.isArray(outcome.message) ? outcome.message.join('; ') : outcome.message;
  throw new AppError(
    'edusign_sandbox.refused',
    `The Edusign sandbox refused the ${kind}: ${message}`,
  );
}

/**
 * Clients often send `Content-Type: application/json` on a DELETE without a
 * body; Fastify's default parser answers 400 to that, which would make the
 * sandbox stricter than the API it stands for on a point the contract is
 * silent about. An empty JSON body reads as no body.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parse(request, text, done);
  });
}
