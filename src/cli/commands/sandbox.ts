import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { parseFaultSpec } from '../../sandbox/faults.ts';
import { startSandboxes } from '../../sandbox/start.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign sandbox [--port N] [--school small|large] [--seed S] [--faults SPEC] [--json]
       auriga-edusign sandbox --schools N --out DIR [--port N]

Starts the Auriga sandbox (with its Keycloak) on port N and the Edusign
sandbox on N+1 (N defaults to 4010), with a generated school, and prints the
configuration a school would use to point the connector at them. Serves until
stopped (Ctrl-C).

  --faults SPEC   e.g. rate=0.1,kinds=5xx+429+drop,seed=7 (kinds: latency, 5xx,
                  429, drop, drop-after, html)
  --malformed X   share of malformed Auriga rows, 0 to 1 (default 0)
  --json          print the configuration as one JSON object on one line
  --schools N     serve N schools (a fleet): each its own Auriga client, account
                  and favorites on the one Auriga sandbox, and its own Edusign
                  account on the one Edusign sandbox
  --out DIR       with --schools: write DIR/school-1.yaml … DIR/school-N.yaml,
                  ready for \`school import --config FILE\`
`;

export const run: Command = async (argv, io) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', short: 'p', default: '4010' },
      school: { type: 'string', default: 'small' },
      seed: { type: 'string', default: '1' },
      faults: { type: 'string' },
      malformed: { type: 'string', default: '0' },
      json: { type: 'boolean' },
      schools: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534) {
    io.stderr.write(`--port must be a port number, got "${values.port}".\n`);
    return EXIT.config;
  }
  if (values.school !== 'small' && values.school !== 'large') {
    io.stderr.write(`--school must be small or large, got "${values.school}".\n`);
    return EXIT.config;
  }
  const malformedShare = Number(values.malformed);
  if (!(malformedShare >= 0 && malformedShare <= 1)) {
    io.stderr.write(`--malformed must be between 0 and 1, got "${values.malformed}".\n`);
    return EXIT.config;
  }
  let faults: ReturnType<typeof parseFaultSpec> | undefined;
  try {
    faults = values.faults ? parseFaultSpec(values.faults) : undefined;
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return EXIT.config;
  }
  const schools = values.schools === undefined ? 1 : Number(values.schools);
  if (!Number.isInteger(schools) || schools < 1 || schools > 100_000) {
    io.stderr.write(
      `--schools must be a whole number from 1 to 100000, got "${values.schools}".\n`,
    );
    return EXIT.config;
  }
  if (schools > 1 && values.out === undefined) {
    io.stderr.write(
      '--schools N needs --out DIR, where the N school configurations are written.\n',
    );
    return EXIT.config;
  }
  const seed = /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const sandboxes = await startSandboxes({
    port,
    school: values.school,
    seed,
    malformedShare,
    schools,
    ...(faults ? { faults } : {}),
  });
  if (values.out !== undefined) {
    mkdirSync(values.out, { recursive: true });
    for (const school of sandboxes.configs) {
      writeFileSync(path.join(values.out, `${school.school}.yaml`), YAML.stringify(school));
    }
    io.stdout.write(
      `${sandboxes.configs.length} school configuration${sandboxes.configs.length === 1 ? '' : 's'} written to ${values.out} (Auriga ${sandboxes.auriga.url}, Edusign ${sandboxes.edusign.url}).\n`,
    );
  }
  const { config, auriga, edusign, school } = sandboxes;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ auriga: config.auriga, edusign: config.edusign, options: config.options })}\n`,
    );
  } else {
    io.stdout.write(
      [
        `Auriga sandbox (with Keycloak): ${auriga.url}   Keycloak: ${auriga.keycloakUrl} (also without /auth)`,
        `Edusign sandbox:                ${edusign.url}`,
        `School: ${values.school}, seed ${values.seed}: ${school.interventions.length} interventions, ${school.learners.length} learners, ${school.instructors.length} instructors, ${school.groups.length} groups.`,
        '',
        'A school configuration pointing at them (these sandbox credentials open only the sandbox):',
        '',
        YAML.stringify(config),
        `Control: ${auriga.url}/_sandbox/state and ${edusign.url}/_sandbox/state`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandboxes.close();
  return EXIT.ok;
};
