import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../config/load.ts';
import { maskConfig } from '../../config/mask.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign config check --config FILE [--json]

Validates a school's configuration file (YAML or JSON) with its environment
overrides and secret references, and prints it with secrets masked.
`;

export const run: Command = async (argv, io) => {
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
    io.stderr.write(HELP);
    return EXIT.config;
  }
  const config = loadConfigFile(values.config, { env: io.env });
  const shown = maskConfig(config);
  if (values.json) io.stdout.write(`${JSON.stringify({ ok: true, config: shown })}\n`);
  else
    io.stdout.write(
      `Configuration ${values.config} is valid (school "${config.school}").\n${JSON.stringify(shown, null, 2)}\n`,
    );
  return EXIT.ok;
};
