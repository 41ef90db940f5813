import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { AppError } from '../../errors/app-error.ts';
import { parseFaultSpec } from '../../sandbox/faults.ts';
import { startSandboxes } from '../../sandbox/start.ts';
import { parseCommand, usageError } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign sandbox [--port N] [--school small|large] [--seed S] [--faults SPEC] [--json] [--schools N --out DIR]

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

Exit codes: 0 stopped (Ctrl-C), 2 a port is in use or cannot be listened on,
3 command line error.
`;

export const run: Command = async (argv, io) => {
  const spec = {
    command: 'sandbox',
    help: HELP,
    options: {
      port: { type: 'string', short: 'p' },
      school: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      malformed: { type: 'string' },
      json: { type: 'boolean' },
      schools: { type: 'string' },
      out: { type: 'string' },
    },
  } as const;
  const args = parseCommand(argv, io, spec);
  if (!args) return EXIT.ok;
  const {
    port: portText = '4010',
    school: schoolSize = 'small',
    seed: seedText = '1',
  } = args.values;
  const { malformed = '0', faults: faultText, json } = args.values;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65534)
    throw usageError(spec, `--port must be a port number, got "${portText}"`);
  if (schoolSize !== 'small' && schoolSize !== 'large')
    throw usageError(spec, `--school must be small or large, got "${schoolSize}"`);
  const malformedShare = Number(malformed);
  if (!(malformedShare >= 0 && malformedShare <= 1))
    throw usageError(spec, `--malformed must be between 0 and 1, got "${malformed}"`);
  let faults: ReturnType<typeof parseFaultSpec> | undefined;
  try {
    faults = faultText ? parseFaultSpec(faultText) : undefined;
  } catch (error) {
    throw usageError(spec, (error as Error).message.replace(/\.$/, ''));
  }
  const { schools: schoolsText = '1', out } = args.values;
  const schools = Number(schoolsText);
  if (!Number.isInteger(schools) || schools < 1 || schools > 100_000)
    throw usageError(
      spec,
      `--schools must be a whole number from 1 to 100000, got "${schoolsText}"`,
    );
  if (schools > 1 && out === undefined)
    throw usageError(
      spec,
      '--schools N needs --out DIR, where the N school configurations are written',
    );
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  const sandboxes = await startSandboxes({
    port,
    school: schoolSize,
    seed,
    malformedShare,
    schools,
    ...(faults ? { faults } : {}),
  }).catch((error: unknown) => {
    throw listenFailed(port, error);
  });
  if (out !== undefined) {
    mkdirSync(out, { recursive: true });
    for (const one of sandboxes.configs)
      writeFileSync(path.join(out, `${one.school}.yaml`), YAML.stringify(one));
    io.stdout.write(
      `${sandboxes.configs.length} school configuration${sandboxes.configs.length === 1 ? '' : 's'} written to ${out} (Auriga ${sandboxes.auriga.url}, Edusign ${sandboxes.edusign.url}).\n`,
    );
  }
  const { config, auriga, edusign, school } = sandboxes;
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ auriga: config.auriga, edusign: config.edusign, options: config.options })}\n`,
    );
  } else {
    io.stdout.write(
      [
        `Auriga sandbox (with Keycloak): ${auriga.url}   Keycloak: ${auriga.keycloakUrl} (also without /auth)`,
        `Edusign sandbox:                ${edusign.url}`,
        `School: ${schoolSize}, seed ${seedText}: ${school.interventions.length} interventions, ${school.learners.length} learners, ${school.instructors.length} instructors, ${school.groups.length} groups.`,
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

/** A port taken is said in one sentence, as `serve` says it (exit 2: the machine, not the command line). */
function listenFailed(port: number, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const ports = `ports ${port} and ${port + 1}`;
  if (code === 'EADDRINUSE') {
    const taken = /:(\d+)$/.exec((error as Error).message)?.[1] ?? String(port);
    return new AppError(
      'sandbox.listen',
      `Cannot start the sandboxes: port ${taken} is in use (they take ${ports}).`,
      {
        cause: error,
        hint: 'Stop what uses it, or choose another with --port N (0: any free port).',
      },
    );
  }
  return new AppError(
    'sandbox.listen',
    `Cannot start the sandboxes on ${ports}: ${(error as Error)?.message ?? String(error)}.`,
    { cause: error, hint: 'Choose another port with --port N (0: any free port).' },
  );
}
