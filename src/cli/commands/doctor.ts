import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { runDoctor } from '../../doctor/checks.ts';
import { formatDoctor } from '../../doctor/format.ts';
import { allPassed, type DoctorStep, failed, STEP_TITLES } from '../../doctor/steps.ts';
import { isAppError } from '../../errors/app-error.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign doctor --config FILE [--json]

Walks a school's prerequisites in order and prints one line each, passed or
failed with its fix: Keycloak reachable, the realm, the client and its direct
grants, the user's credentials, Auriga's API with the token, each favorite and
its required columns, a sample of rows parsed, the Edusign token, and the
absence motives of the mapping. A step after a failed one it depends on is
skipped. Nothing is written anywhere; secrets are shown masked at most.

  --config FILE   the school's configuration (YAML or JSON)
  --json          print {ok, steps} as one JSON object

Exit codes: 0 every prerequisite met, 2 a check failed, 3 configuration error.
`;

export const run: Command = async (argv, io) => {
  const { values } = parseArgs({
    args: argv,
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
  if (!values.config) {
    io.stderr.write(`--config FILE is required.\n\n${HELP}`);
    return EXIT.config;
  }
  const print = (school: string, steps: readonly DoctorStep[]) =>
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ ok: allPassed(steps), school, steps })}\n`
        : formatDoctor(school, steps),
    );

  let config: Config;
  try {
    config = loadConfigFile(values.config, { env: io.env });
  } catch (error) {
    if (!isAppError(error)) throw error;
    print('?', [
      failed(
        'configuration',
        error.message,
        error.hint ?? 'correct the file as said, then run doctor again',
        error.code,
      ),
    ]);
    return EXIT.config;
  }
  const steps: DoctorStep[] = [
    {
      id: 'configuration',
      title: STEP_TITLES.configuration,
      status: 'passed',
      detail: `${values.config} is valid (school "${config.school}")`,
    },
    ...(await runDoctor(config, { signal: io.stopSignal })),
  ];
  print(config.school, steps);
  return allPassed(steps) ? EXIT.ok : EXIT.failed;
};
