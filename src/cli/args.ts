import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../errors/app-error.ts';
import type { CliIo } from './io.ts';

/**
 * The prologue every command shares: parse its options strictly, answer
 * `--help`, and refuse an unknown option, a missing value, a missing
 * `--config` or an extra argument with one line (exit 3 through `main`),
 * never a parser's stack trace.
 */

/** The code of every command-line mistake; `main` prints its message on one line and exits 3. */
export const USAGE_CODE = 'cli.usage';

export class UsageError extends ConfigError {}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
/** `--config FILE`, the option nearly every command takes. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** As typed after `auriga-edusign`, e.g. `auriga read`: named in every error. */
  readonly command: string;
  /** The whole help text; its first line is the usage repeated in errors. */
  readonly help: string;
  readonly options: O;
  /** Words the command takes after its name (`read` for `auriga`). @default [] */
  readonly words?: readonly string[];
  /** How many further positional arguments it takes. @default { min: 0, max: 0 } */
  readonly positionals?: { readonly min: number; readonly max: number };
  /** `--config FILE` must be given. @default false */
  readonly requireConfig?: boolean;
}

/** What each option gives: text, a flag, or a list of either with `multiple`; absent when not given. */
export type OptionValues<O extends ParseArgsOptionsConfig> = {
  readonly [K in keyof O]?: O[K] extends { type: 'string' }
    ? O[K] extends { multiple: true }
      ? string[]
      : string
    : O[K] extends { multiple: true }
      ? boolean[]
      : boolean;
};

export interface ParsedCommand<O extends ParseArgsOptionsConfig> {
  readonly values: OptionValues<O>;
  /** The positional arguments after the command's fixed words. */
  readonly positionals: readonly string[];
}

/** A mistake on the command line, said in one line that names the command and its usage. */
export function usageError(spec: { command: string; help: string }, problem: string): UsageError {
  const usage = spec.help.split('\n', 1)[0] ?? '';
  return new UsageError(USAGE_CODE, `auriga-edusign ${spec.command}: ${problem}. ${usage}`);
}

/**
 * The command's options and arguments; null once its help was printed (the
 * command then exits 0). Throws a UsageError for anything it cannot take.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  io: CliIo,
  spec: CommandSpec<O>,
): ParsedCommand<O> | null {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec.options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(spec, parserProblem(error));
  }
  if (parsed.values.help) {
    io.stdout.write(spec.help);
    return null;
  }
  const words = spec.words ?? [];
  const given = parsed.positionals;
  words.forEach((word, i) => {
    if (given[i] !== word)
      throw usageError(
        spec,
        given[i] === undefined ? `say "${word}"` : `unknown subcommand "${given[i]}"`,
      );
  });
  const rest = given.slice(words.length);
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  if (rest.length > max) throw usageError(spec, `unexpected argument "${rest[max]}"`);
  if (rest.length < min) throw usageError(spec, 'an argument is missing');
  if (spec.requireConfig && !parsed.values.config)
    throw usageError(spec, '--config FILE is required');
  return { values: parsed.values as OptionValues<O>, positionals: rest };
}

/** Node's parseArgs messages, long and about its own syntax, in a few words of ours. */
function parserProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(?:-\w, )?(--[\w-]+|-\w)/.exec(message)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) return `${option} takes no value`;
    const name = /'(?:-\w, )?(--[\w-]+) <value>'/.exec(message)?.[1] ?? option;
    return `${name} needs a value (${name} ${name === '--config' ? 'FILE' : 'VALUE'})`;
  }
  return message;
}
