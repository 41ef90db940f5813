import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withoutUndefined } from './objects.ts';
import { type Random, seededRandom } from './random.ts';

/**
 * Fault injection shared by both sandboxes, so tests and operators can see how
 * the connector behaves when a server misbehaves.
 *
 * - `latency`: the answer is delayed by `latencyMs`.
 * - `5xx`: HTTP 503 with a plain-text body.
 * - `429`: HTTP 429 with `Retry-After: retryAfterSeconds`.
 * - `drop`: the connection is closed before the request is handled.
 * - `drop-after`: the request is handled (a create does happen), then the
 *   connection is closed before the answer is sent: the answer is lost.
 * - `html`: HTTP 200 with an HTML page instead of JSON (a login page, a firewall).
 */
export const FAULT_KINDS = ['latency', '5xx', '429', 'drop', 'drop-after', 'html'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultConfig {
  /** Share of requests that get a fault, 0 to 1. @default 0 */
  readonly rate: number;
  /** Kinds drawn from, evenly. @default ['5xx', '429', 'drop'] */
  readonly kinds: readonly FaultKind[];
  /** @default 1 */
  readonly seed: number;
  /** @default 2000 */
  readonly latencyMs: number;
  /** @default 1 */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_FAULTS: FaultConfig = Object.freeze<FaultConfig>({
  rate: 0,
  kinds: ['5xx', '429', 'drop'],
  seed: 1,
  latencyMs: 2000,
  retryAfterSeconds: 1,
});

/** A fault for the next `count` requests matching `method` and a path prefix. */
export interface TargetedFault {
  readonly kind: FaultKind;
  readonly method?: string;
  /** Matches when the request path starts with it, e.g. `/v1/course`. */
  readonly pathPrefix?: string;
  /** @default 1 */
  readonly count?: number;
}

/** Paths never faulted: the sandbox's own control routes. */
const CONTROL_PREFIX = '/_sandbox';

export class FaultInjector {
  #config: FaultConfig;
  #random: Random;
  #targeted: Array<{ fault: TargetedFault; left: number }> = [];
  readonly injected: Record<FaultKind, number> = {
    latency: 0,
    '5xx': 0,
    '429': 0,
    drop: 0,
    'drop-after': 0,
    html: 0,
  };

  constructor(config: Partial<FaultConfig> = {}) {
    this.#config = { ...DEFAULT_FAULTS, ...config };
    this.#random = seededRandom(this.#config.seed);
  }

  get config(): FaultConfig {
    return this.#config;
  }

  configure(config: Partial<FaultConfig>): void {
    this.#config = { ...this.#config, ...config };
    if (config.seed !== undefined) this.#random = seededRandom(config.seed);
  }

  /** Queue a fault for the next matching request(s). */
  inject(fault: TargetedFault): void {
    this.#targeted.push({ fault, left: fault.count ?? 1 });
  }

  clear(): void {
    this.#targeted = [];
    this.configure({ rate: 0 });
  }

  /** Decide the fault, if any, for one request. */
  draw(method: string, path: string): FaultKind | undefined {
    if (path.startsWith(CONTROL_PREFIX)) return undefined;
    const index = this.#targeted.findIndex(
      ({ fault }) =>
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (fault.pathPrefix === undefined || path.startsWith(fault.pathPrefix)),
    );
    if (index >= 0) {
      const entry = this.#targeted[index];
      if (entry) {
        entry.left -= 1;
        if (entry.left <= 0) this.#targeted.splice(index, 1);
        return entry.fault.kind;
      }
    }
    const { rate, kinds } = this.#config;
    if (rate > 0 && kinds.length > 0 && this.#random.chance(rate)) return this.#random.pick(kinds);
    return undefined;
  }

  /** Install the injector on a Fastify server (call before routes are registered). */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? request.url;
      const kind = this.draw(request.method, path);
      if (kind === undefined) return;
      this.injected[kind] += 1;
      switch (kind) {
        case 'latency':
          await new Promise((resolve) => setTimeout(resolve, this.#config.latencyMs));
          return;
        case '5xx':
          return reply.code(503).type('text/plain').send('Service Unavailable');
        case '429':
          return reply
            .code(429)
            .header('retry-after', String(this.#config.retryAfterSeconds))
            .type('text/plain')
            .send('Too Many Requests');
        case 'drop':
          request.raw.socket.destroy();
          return reply.hijack();
        case 'drop-after':
          (request as FastifyRequest & { dropAnswer?: boolean }).dropAnswer = true;
          return;
        case 'html':
          return reply
            .code(200)
            .type('text/html')
            .send(
              '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>',
            );
      }
    });
    app.addHook('onSend', async (request, _reply, payload) => {
      if ((request as FastifyRequest & { dropAnswer?: boolean }).dropAnswer) {
        request.raw.socket.destroy();
      }
      return payload;
    });
  }
}

const faultKind = z.enum(FAULT_KINDS);
const faultsBody = z.union([
  z.strictObject({
    inject: z.strictObject({
      kind: faultKind,
      method: z.string().optional(),
      pathPrefix: z.string().optional(),
      count: z.int().min(1).optional(),
    }),
  }),
  z.strictObject({ clear: z.literal(true) }),
  z.strictObject({
    rate: z.number().min(0).max(1).optional(),
    kinds: z.array(faultKind).optional(),
    seed: z.int().min(0).optional(),
    latencyMs: z.int().min(0).optional(),
    retryAfterSeconds: z.int().min(0).optional(),
  }),
]);

/**
 * The faults' control routes, the same on both sandboxes: `GET /_sandbox/faults`
 * shows the settings and what was injected; `POST /_sandbox/faults` takes
 * `{rate, kinds, seed, latencyMs, retryAfterSeconds}`, `{inject: {kind, method,
 * pathPrefix, count}}` or `{clear: true}`. A bad body answers 400.
 */
export function registerFaultRoutes(app: FastifyInstance, faults: FaultInjector): void {
  const state = () => ({ config: faults.config, injected: faults.injected });
  app.get('/_sandbox/faults', async () => state());
  app.post('/_sandbox/faults', async (request, reply) => {
    const body = faultsBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: z.prettifyError(body.error) });
    const data = body.data;
    if ('inject' in data) faults.inject(withoutUndefined(data.inject));
    else if ('clear' in data) faults.clear();
    else faults.configure(withoutUndefined(data));
    return state();
  });
}

/**
 * Parse the CLI's `--faults` text: `rate=0.1,kinds=5xx+429+drop,seed=7,latencyMs=500`.
 * Throws a RangeError naming the bad part.
 */
export function parseFaultSpec(text: string): Partial<FaultConfig> {
  const out: { -readonly [K in keyof FaultConfig]?: FaultConfig[K] } = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [key, value = ''] = part.split('=').map((s) => s.trim());
    const number = Number(value);
    switch (key) {
      case 'rate':
        if (!(number >= 0 && number <= 1))
          throw new RangeError(`--faults: rate must be between 0 and 1, got "${value}"`);
        out.rate = number;
        break;
      case 'kinds': {
        const kinds = value.split('+');
        const bad = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
        if (bad.length > 0)
          throw new RangeError(
            `--faults: unknown kind(s) ${bad.join(', ')}; use ${FAULT_KINDS.join(', ')}`,
          );
        out.kinds = kinds as FaultKind[];
        break;
      }
      case 'seed':
      case 'latencyMs':
      case 'retryAfterSeconds':
        if (!Number.isInteger(number) || number < 0)
          throw new RangeError(`--faults: ${key} must be a whole number, got "${value}"`);
        out[key] = number;
        break;
      default:
        throw new RangeError(
          `--faults: unknown setting "${key}"; use rate, kinds, seed, latencyMs, retryAfterSeconds`,
        );
    }
  }
  return out;
}
