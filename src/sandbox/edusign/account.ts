import { AppError } from '../../errors/app-error.ts';
import type { AbsenceReason } from './absences.ts';
import type { Outcome } from './outcome.ts';
import type { Professor } from './professors.ts';
import {
  EDUSIGN_HEAVY_RATE_LIMIT,
  EDUSIGN_RATE_LIMIT,
  type RateLimit,
  SlidingWindowDelay,
} from './rate-limit.ts';
import { EdusignSchool, type EdusignState } from './school.ts';
import type { Student } from './students.ts';
import type { IdMint } from './table.ts';
import { RecentBatches } from './v3/routes.ts';

/**
 * One Edusign account of the sandbox: its token, its data, its own v1 and
 * heavy (v3) rate limits, its deduplication memory and its call counts. A
 * sandbox process serves one or many (fleet.md: each school its own account).
 */

export type AccountState = 'ok' | 'no-subscription';

export interface AccountSettings {
  /** The Bearer token that opens this account; unique in the sandbox. */
  token?: string;
  /** `no-subscription`: every route answers 402, as for a school without the API option. @default 'ok' */
  account?: AccountState;
  /** Routes answering 403, as `METHOD /pattern` (`DELETE /v1/course/:id`) or `METHOD /path`. @default [] */
  forbiddenRoutes?: string[];
  /**
   * Requests per window on v1; over it answers are delayed (not refused)
   * until a slot frees, as Edusign does. @default { requests: 480, windowMs: 60000 }
   */
  rateLimit?: RateLimit;
  /**
   * The same for the "heavy" v3 batch routes, a window of their own.
   * @default { requests: 24, windowMs: 60000 }
   */
  heavyRateLimit?: RateLimit;
}

export interface AccountOptions extends AccountSettings {
  /** The school's absence motives. @default DEFAULT_ABSENCE_REASONS (Maladie, Retard transport…) */
  absenceReasons?: readonly AbsenceReason[];
}

export interface CallCounts {
  total: number;
  /** POST, PATCH, PUT and DELETE. */
  writes: number;
  /**
   * By route pattern, e.g. `POST /v1/course`, `GET /v1/student/get-id/:apiId`,
   * `POST /v3/students/batch-upsert`; requests matching no route count as
   * `GET (no route)`. Refused (401/402/403) and faulted requests count too:
   * the client did make them.
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

/** What a test or an operator drives one account by. */
export interface EdusignAccount {
  readonly token: string;
  /** A deep copy of the account's data. */
  state(): EdusignState;
  /** Calls received with this account's token on /v1 and /v3 (control routes excluded). */
  calls(): CallCounts;
  resetCalls(): void;
  /** As if signatures were collected: the course becomes `LOCKED: 1`. */
  lockCourse(id: string): void;
  /** A learner created by hand, as a school admin would in Edusign's UI; returns its ID. */
  createStudent(fields: StudentFields): string;
  /** An instructor created by hand; returns its ID. Refused for a known email, as on the API. */
  createProfessor(fields: ProfessorFields): string;
  setOptions(partial: AccountSettings): void;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export class SandboxAccount implements EdusignAccount {
  readonly school: EdusignSchool;
  readonly recent: RecentBatches;
  readonly limiter: SlidingWindowDelay;
  readonly heavyLimiter: SlidingWindowDelay;
  status: AccountState;
  forbidden: Set<string>;
  #token: string;
  #counts: CallCounts = emptyCounts();
  /** Asked before a token changes: throws when another account holds it. */
  readonly #claim: (token: string, account: SandboxAccount) => void;

  constructor(
    token: string,
    options: AccountOptions & { now?: () => Date; mint?: IdMint },
    claim: (token: string, account: SandboxAccount) => void,
  ) {
    const now = options.now ?? (() => new Date());
    this.#token = token;
    this.#claim = claim;
    this.school = new EdusignSchool({
      now,
      ...(options.mint ? { mint: options.mint } : {}),
      ...(options.absenceReasons ? { absenceReasons: options.absenceReasons } : {}),
    });
    this.recent = new RecentBatches(now);
    this.limiter = new SlidingWindowDelay(checkRateLimit(options.rateLimit ?? EDUSIGN_RATE_LIMIT));
    this.heavyLimiter = new SlidingWindowDelay(
      checkRateLimit(options.heavyRateLimit ?? EDUSIGN_HEAVY_RATE_LIMIT),
    );
    this.status = options.account ?? 'ok';
    this.forbidden = normaliseRoutes(options.forbiddenRoutes ?? []);
  }

  get token(): string {
    return this.#token;
  }

  /** A request made with this account's token (or, for the sandbox's own account, with none known). */
  count(method: string, route: string): void {
    const key = `${method} ${route}`;
    this.#counts.total += 1;
    if (WRITE_METHODS.has(method)) this.#counts.writes += 1;
    this.#counts.byRoute[key] = (this.#counts.byRoute[key] ?? 0) + 1;
  }

  state(): EdusignState {
    return this.school.state();
  }

  calls(): CallCounts {
    return structuredClone(this.#counts);
  }

  resetCalls(): void {
    this.#counts = emptyCounts();
  }

  lockCourse(id: string): void {
    if (!this.school.courses.lock(id))
      throw new AppError('edusign_sandbox.not_found', `No course ${id} in the Edusign sandbox`);
  }

  createStudent(fields: StudentFields): string {
    return byHand('student', this.school.students.create({ ...fields })).ID;
  }

  createProfessor(fields: ProfessorFields): string {
    return byHand('professor', this.school.professors.create({ ...fields })).ID;
  }

  setOptions(partial: AccountSettings): void {
    // Checked before anything changes, so a refused call changes nothing.
    const rateLimit = partial.rateLimit && checkRateLimit(partial.rateLimit);
    const heavyRateLimit = partial.heavyRateLimit && checkRateLimit(partial.heavyRateLimit);
    if (partial.token !== undefined && partial.token !== this.#token) {
      this.#claim(partial.token, this);
      this.#token = partial.token;
    }
    if (partial.account !== undefined) this.status = partial.account;
    if (partial.forbiddenRoutes !== undefined)
      this.forbidden = normaliseRoutes(partial.forbiddenRoutes);
    if (rateLimit) this.limiter.setLimit(rateLimit);
    if (heavyRateLimit) this.heavyLimiter.setLimit(heavyRateLimit);
  }
}

function emptyCounts(): CallCounts {
  return { total: 0, writes: 0, byRoute: {} };
}

function normaliseRoutes(routes: readonly string[]): Set<string> {
  return new Set(
    routes.map((route) => {
      const [method = '', path = ''] = route.trim().split(/\s+/);
      return `${method.toUpperCase()} ${path}`;
    }),
  );
}

export function checkRateLimit(limit: RateLimit): RateLimit {
  if (!(Number.isInteger(limit.requests) && limit.requests >= 1))
    throw new RangeError(`rateLimit.requests must be a whole number from 1, got ${limit.requests}`);
  if (!(Number.isFinite(limit.windowMs) && limit.windowMs > 0))
    throw new RangeError(`rateLimit.windowMs must be a positive number, got ${limit.windowMs}`);
  return { requests: limit.requests, windowMs: limit.windowMs };
}

function byHand<T>(kind: string, outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  const message = Array.isArray(outcome.message) ? outcome.message.join('; ') : outcome.message;
  throw new AppError(
    'edusign_sandbox.refused',
    `The Edusign sandbox refused the ${kind}: ${message}`,
  );
}
