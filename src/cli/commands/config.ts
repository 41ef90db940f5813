import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../config/load.ts';
import { maskConfig } from '../../config/mask.ts';
import { AppError, ConfigError, isAppError } from '../../errors/app-error.ts';
import { type CliIo, type Command, EXIT } from '../io.ts';

const USAGE = 'Usage: auriga-edusign config check --config FILE [--json]';

const HELP = `${USAGE}

Validates a school's configuration file (YAML or JSON) with its environment
overrides and secret references, and prints it with secrets masked.
With --json, prints one object: { ok: true, config } or
{ ok: false, error: { code, message, hint? } } (exit 3).
`;

/**
 * With --json the answer is always one JSON object on stdout, a failure too,
 * so that a script never has to read text; without it a failure is thrown
 * for the CLI to print as every command does.
 */
export const run: Command = async (argv, io) => {
  // Known before parsing, so that a wrong option is answered in JSON too.
  const json = argv.includes('--json');
  try {
    return await check(argv, io, json);
  } catch (error) {
    if (!json) throw error;
    const failure = asAppError(error);
    io.stdout.write(
      `${JSON.stringify({
        ok: false,
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.hint === undefined ? {} : { hint: failure.hint }),
        },
      })}\n`,
    );
    return failure instanceof ConfigError || failure.code.startsWith('config.')
      ? EXIT.config
      : EXIT.failed;
  }
};

async function check(argv: string[], io: CliIo, json: boolean): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  if (positionals[0] !== 'check' || !values.config) {
    if (json) throw new ConfigError('cli.usage', USAGE);
    io.stderr.write(HELP);
    return EXIT.config;
  }
  const config = loadConfigFile(values.config, { env: io.env });
  const shown = maskConfig(config);
  if (json) io.stdout.write(`${JSON.stringify({ ok: true, config: shown })}\n`);
  else
    io.stdout.write(
      `Configuration ${values.config} is valid (school "${config.school}").\n${JSON.stringify(shown, null, 2)}\n`,
    );
  return EXIT.ok;
}

/** A wrong option is the command line's fault (exit 3); anything unforeseen is ours (exit 2). */
function asAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof TypeError && code?.startsWith('ERR_PARSE_ARGS'))
    return new ConfigError('cli.usage', `${error.message}. ${USAGE}`, { cause: error });
  return new AppError('internal', error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
