import { loadConfigFile } from '../../config/load.ts';
import { maskConfig } from '../../config/mask.ts';
import { CONFIG_OPTION, parseCommand } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign config check --config FILE [--json]

Validates a school's configuration file (YAML or JSON) with its environment
overrides and secret references, and prints it with secrets masked.
With --json, prints one object: { ok: true, config } or
{ ok: false, error: { code, message, hint? } } (exit 3).
`;

/** With --json, a failure is printed as one JSON object by `main`, as for every command. */
export const run: Command = async (argv, io) => {
  const args = parseCommand(argv, io, {
    command: 'config check',
    help: HELP,
    words: ['check'],
    requireConfig: true,
    options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  const file = values.config as string;
  const config = loadConfigFile(file, { env: io.env });
  const shown = maskConfig(config);
  if (values.json) io.stdout.write(`${JSON.stringify({ ok: true, config: shown })}\n`);
  else
    io.stdout.write(
      `Configuration ${file} is valid (school "${config.school}").\n${JSON.stringify(shown, null, 2)}\n`,
    );
  return EXIT.ok;
};
