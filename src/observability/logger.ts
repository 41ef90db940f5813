import { hostname } from 'node:os';
import { type DestinationStream, type Level, type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import { REDACTED, redactSecrets, SECRET_KEYS, type SecretScrubber } from './secrets.ts';

export type { Logger } from 'pino';
export {
  collectSecrets,
  createSecretScrubber,
  REDACTED,
  redactSecrets,
  SECRET_KEYS,
  type SecretScrubber,
} from './secrets.ts';

/** How deep below the log line's top a secret-bearing key is still redacted by path. */
const REDACT_DEPTH = 5;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The redaction path of `key` under `depth` wildcard levels, e.g. `*.*.password`, `*["set-cookie"]`. */
function pathAt(key: string, depth: number): string {
  const prefix = Array.from({ length: depth }, () => '*').join('.');
  if (!IDENTIFIER.test(key)) return `${prefix}["${key}"]`;
  return prefix === '' ? key : `${prefix}.${key}`;
}

/**
 * Every secret-bearing key at depths 0 to `REDACT_DEPTH` (`password`,
 * `*.password`, `*.*.password`, …): pino's wildcards match one level each.
 * Covers `config.auriga.password`, `headers.authorization`,
 * `err.response.body.access_token` and the like.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze(
  SECRET_KEYS.flatMap((key) =>
    Array.from({ length: REDACT_DEPTH + 1 }, (_, depth) => pathAt(key, depth)),
  ),
);

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: Level | 'silent';
  /** Human-readable lines (pino-pretty) instead of JSON. @default whether the destination is a terminal */
  readonly pretty?: boolean;
  /** Colours in pretty lines. @default whether the destination is a terminal and NO_COLOR is unset */
  readonly color?: boolean;
  /** Where lines go. @default standard output */
  readonly destination?: NodeJS.WritableStream | DestinationStream;
  /** Fields on every line, e.g. `{ school: 'ecole-x' }`. pid and hostname are always there. */
  readonly base?: Record<string, unknown>;
  /**
   * Literal secret values scrubbed from every line, whatever key or message
   * carries them: a scrubber (which can learn tokens at run time) or a list.
   */
  readonly secrets?: SecretScrubber | readonly string[];
}

function scrubberOf(secrets: LoggerOptions['secrets']): ((line: string) => string) | undefined {
  if (secrets === undefined) return undefined;
  if ('scrub' in secrets) return secrets.scrub;
  if (secrets.length === 0) return undefined;
  const list = [...secrets];
  return (line) => redactSecrets(line, list);
}

/**
 * The project's logger: pino, JSON lines for machines, pretty lines on a
 * terminal. Secrets are kept out three ways: keys that carry them are
 * redacted by path, literal secret values are scrubbed from the written
 * line, and errors go through pino's serializer (no raw request objects).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const target = options.destination ?? process.stdout;
  const pretty = options.pretty ?? (target as { isTTY?: boolean }).isTTY === true;
  const scrub = scrubberOf(options.secrets);
  const stream: DestinationStream | NodeJS.WritableStream = pretty
    ? pinoPretty({
        destination: options.destination ?? 1,
        colorize:
          options.color ??
          ((target as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR),
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname',
        sync: options.destination === undefined,
      })
    : target;
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid, hostname: hostname(), ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      ...(scrub === undefined ? {} : { hooks: { streamWrite: scrub } }),
    },
    stream as DestinationStream,
  );
}
