import { loadConfigFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { runDoctor } from '../../doctor/checks.ts';
import { formatDoctor } from '../../doctor/format.ts';
import { allPassed, type DoctorStep, failed, STEP_TITLES } from '../../doctor/steps.ts';
import { type AppError, isAppError } from '../../errors/app-error.ts';
import { CONFIG_OPTION, parseCommand } from '../args.ts';
import { type Command, EXIT, errorJson } from '../io.ts';

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
  const args = parseCommand(argv, io, {
    command: 'doctor',
    help: HELP,
    requireConfig: true,
    options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  const file = values.config as string;
  const print = (school: string, steps: readonly DoctorStep[], error?: AppError) =>
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ ok: allPassed(steps), school, steps, ...(error ? { error: errorJson(error) } : {}) })}\n`
        : formatDoctor(school, steps),
    );

  let config: Config;
  try {
    config = loadConfigFile(file, { env: io.env });
  } catch (error) {
    if (!isAppError(error)) throw error;
    print(
      '?',
      [
        failed(
          'configuration',
          error.message,
          error.hint ?? 'correct the file as said, then run doctor again',
          error.code,
        ),
      ],
      error,
    );
    return EXIT.config;
  }
  const steps: DoctorStep[] = [
    {
      id: 'configuration',
      title: STEP_TITLES.configuration,
      status: 'passed',
      detail: `${file} is valid (school "${config.school}")`,
    },
    ...(await runDoctor(config, { signal: io.stopSignal })),
  ];
  print(config.school, steps);
  return allPassed(steps) ? EXIT.ok : EXIT.failed;
};
