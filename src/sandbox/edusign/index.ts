/**
 * The Edusign sandbox: one Fastify server holding Edusign accounts in memory
 * (one by default, as many as a fleet needs: each token its own data and
 * limits, see account.ts) and answering every v1 route and the v3 batch
 * routes of the Edusign API contract (edusign-api.md), errors and limits included, so
 * the connector is tested against the API's awkward parts rather than a kind
 * imitation.
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
 *   own "heavy" window of 24 a minute, see v3/routes.ts for their rules;
 * - a request whose token opens no account answers 401, is counted on the
 *   sandbox's own account and paced at v1's limit, per token.
 */
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { type FaultConfig, FaultInjector } from '../faults.ts';
import {
  type AccountOptions,
  type AccountSettings,
  type EdusignAccount,
  SandboxAccount,
} from './account.ts';
import { registerControlRoutes } from './control.ts';
import { EDUSIGN_RATE_LIMIT, SlidingWindowDelay } from './rate-limit.ts';
import { registerV1Routes } from './routes.ts';
import { IdMint } from './table.ts';
import { registerV3Routes } from './v3/routes.ts';

export type {
  AccountOptions,
  AccountSettings,
  AccountState,
  CallCounts,
  EdusignAccount,
  ProfessorFields,
  StudentFields,
} from './account.ts';
export type { RateLimit } from './rate-limit.ts';
export { EDUSIGN_HEAVY_RATE_LIMIT, EDUSIGN_RATE_LIMIT } from './rate-limit.ts';
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

export interface EdusignSandboxOptions extends AccountOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The Bearer token of the sandbox's own (first) account. @default SANDBOX_EDUSIGN_TOKEN */
  token?: string;
  /**
   * How many accounts to start with, each its own data and rate limits: the
   * sandbox's own, then `${token}-2`, `${token}-3`… with the same settings.
   * More can be added with `addAccount`. @default 1
   */
  accounts?: number;
  /** Random or targeted faults, see src/sandbox/faults.ts; one injector for the whole server. @default none */
  faults?: Partial<FaultConfig>;
  /** Clock for ids, createdAt/updatedAt, "past" courses and v3 deduplication. @default () => new Date() */
  now?: () => Date;
}

export type SandboxSettings = AccountSettings;

/**
 * The sandbox server. It is also its own first account (`token`, `state()`,
 * `calls()`…, as when it had only one), and serves any number of others.
 */
export interface EdusignSandbox extends EdusignAccount {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; routes are under `/v1/`. */
  readonly url: string;
  /** The v3 base, `${url}/v3`: routes `POST ${v3Url}/students/batch-upsert`… */
  readonly v3Url: string;
  readonly faults: FaultInjector;
  /** A new account; its token defaults to `${token}-N`. Throws when the token is taken. */
  addAccount(options?: AccountOptions): EdusignAccount;
  /** Every account, the sandbox's own first. */
  accounts(): readonly EdusignAccount[];
  /** The account a token opens, if any. */
  account(token: string): EdusignAccount | undefined;
  close(): Promise<void>;
}

/** Paths under it are the sandbox's own controls: no token, not counted, not limited, not faulted. */
const CONTROL_PREFIX = '/_sandbox';
const V3_PREFIX = '/v3/';

export async function startEdusignSandbox(
  options: EdusignSandboxOptions = {},
): Promise<EdusignSandbox> {
  const baseToken = options.token ?? SANDBOX_EDUSIGN_TOKEN;
  const byToken = new Map<string, SandboxAccount>();
  const all: SandboxAccount[] = [];
  // One mint for every account: Edusign's ids are unique across schools.
  const mint = new IdMint(options.now ?? (() => new Date()));
  const claim = (token: string, account: SandboxAccount) => {
    if (token.trim() === '') throw new RangeError('an account token must not be empty');
    const holder = byToken.get(token);
    if (holder !== undefined && holder !== account)
      throw new AppError(
        'edusign_sandbox.token_taken',
        `The token ${token} already opens another account of the Edusign sandbox`,
      );
    byToken.delete(account.token);
    byToken.set(token, account);
  };
  const addAccount = (accountOptions: AccountOptions = {}): SandboxAccount => {
    let token = accountOptions.token;
    if (token === undefined) {
      let n = all.length + 1;
      while (byToken.has(`${baseToken}-${n}`)) n += 1;
      token = `${baseToken}-${n}`;
    }
    if (token.trim() === '') throw new RangeError('an account token must not be empty');
    if (byToken.has(token))
      throw new AppError(
        'edusign_sandbox.token_taken',
        `The token ${token} already opens another account of the Edusign sandbox`,
      );
    const account = new SandboxAccount(
      token,
      { ...accountOptions, mint, ...(options.now ? { now: options.now } : {}) },
      claim,
    );
    byToken.set(token, account);
    all.push(account);
    return account;
  };
  const {
    port: _port,
    host: _host,
    accounts: _accounts,
    faults: _faults,
    now: _now,
    ...shared
  } = options;
  const own = addAccount({ ...shared, token: baseToken });
  const count = options.accounts ?? 1;
  if (!(Number.isInteger(count) && count >= 1))
    throw new RangeError(`accounts must be a whole number from 1, got ${count}`);
  for (let i = 2; i <= count; i++) addAccount({ ...shared, token: `${baseToken}-${i}` });

  const faults = new FaultInjector(options.faults ?? {});
  /** Paces requests whose token opens no account, each such token apart, at v1's limit. */
  const strangers = new SlidingWindowDelay(EDUSIGN_RATE_LIMIT);
  const accountOf = new WeakMap<FastifyRequest, SandboxAccount>();
  const resolved = (request: FastifyRequest): SandboxAccount => accountOf.get(request) ?? own;

  const app: FastifyInstance = Fastify({ logger: false, routerOptions: { maxParamLength: 500 } });
  acceptEmptyJsonBodies(app);

  // 1. Count and pace every request, faulted or not: the client did make it.
  //    A token that opens no account is counted on the sandbox's own account.
  app.addHook('onRequest', async (request) => {
    if (isControl(request)) return;
    const token = bearer(request);
    const account = token === undefined ? undefined : byToken.get(token);
    if (account) accountOf.set(request, account);
    (account ?? own).count(request.method, request.routeOptions.url ?? '(no route)');
    const heavy = request.url.startsWith(V3_PREFIX);
    const waitMs = account
      ? (heavy ? account.heavyLimiter : account.limiter).reserve('')
      : strangers.reserve(request.headers.authorization ?? '');
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  });
  // 2. Faults, before the routes (and before the gate: a proxy fails first).
  faults.install(app);
  // 3. The gate: token, subscription, route permissions. Unknown routes fall to 404.
  app.addHook('onRequest', async (request, reply) => {
    if (isControl(request) || request.routeOptions.url === undefined) return;
    const account = accountOf.get(request);
    if (account === undefined) return plain(reply, 401);
    if (account.status === 'no-subscription') return plain(reply, 402);
    const path = request.url.split('?')[0] ?? request.url;
    if (
      account.forbidden.has(`${request.method} ${request.routeOptions.url}`) ||
      account.forbidden.has(`${request.method} ${path}`)
    )
      return plain(reply, 403);
  });

  app.setNotFoundHandler((_request, reply) => plain(reply, 404));
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status = error.statusCode ?? 500;
    return plain(reply, status >= 400 && status < 500 ? status : 500);
  });

  const sandbox: EdusignSandbox & { url: string; v3Url: string } = {
    url: '',
    v3Url: '',
    get token() {
      return own.token;
    },
    faults,
    state: () => own.state(),
    calls: () => own.calls(),
    resetCalls: () => own.resetCalls(),
    lockCourse: (id) => own.lockCourse(id),
    createStudent: (fields) => own.createStudent(fields),
    createProfessor: (fields) => own.createProfessor(fields),
    setOptions: (partial) => own.setOptions(partial),
    addAccount: (accountOptions) => addAccount(accountOptions),
    accounts: () => [...all],
    account: (token) => byToken.get(token),
    close: () => app.close(),
  };

  registerV1Routes(app, (request) => resolved(request).school);
  registerV3Routes(app, (request) => {
    const account = resolved(request);
    return { tables: account.school.tables, recent: account.recent };
  });
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
