import { readAuriga } from '../../app/index.ts';
import type { DetailedRead } from '../../auriga/reader.ts';
import { loadConfigFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { scrubberFor } from '../../config/scrubber.ts';
import type { Problem } from '../../domain/types.ts';
import { createLogger } from '../../observability/logger.ts';
import { CONFIG_OPTION, parseCommand } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign auriga read --config FILE [--json] [--full] [--verbose]

Reads a school's Auriga favorites exactly as a sync would, and prints what was
read: the window, the counts, and every problem with the Auriga row it is on.
Nothing is written anywhere. Use it to check the favorites before any sync.

  --config FILE   the school's configuration (YAML or JSON)
  --json          print one JSON object
  --full          with --json, also the interventions, people and groups read
  --verbose       log each request (on standard error)

Exit codes: 0 read without problems, 1 read with problems (listed),
2 Auriga or Keycloak unreachable, 3 configuration error.
`;

export const run: Command = async (argv, io) => {
  const args = parseCommand(argv, io, {
    command: 'auriga read',
    help: HELP,
    words: ['read'],
    requireConfig: true,
    options: {
      ...CONFIG_OPTION,
      json: { type: 'boolean' },
      full: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  const config = loadConfigFile(values.config as string, { env: io.env });
  // Logged as sync logs: warnings (a retried request) always, each request with --verbose.
  const logger = createLogger({
    destination: io.stderr as NodeJS.WritableStream,
    level: values.verbose ? 'debug' : 'warn',
    secrets: scrubberFor([config]),
  });
  const progress = io.stderr.isTTY === true && !values.json && !values.verbose;
  const startedAt = performance.now();
  const reading = readAuriga(config, {
    signal: io.stopSignal,
    logger,
    ...(progress
      ? {
          onProgress: ({ rows, pages }) =>
            io.stderr.write(`\rReading Auriga: ${rows} rows, ${pages} pages`),
        }
      : {}),
  });
  let read: DetailedRead;
  try {
    read = await reading;
  } finally {
    if (progress) io.stderr.write('\r\u001b[K');
  }
  const seconds = (performance.now() - startedAt) / 1000;
  io.stdout.write(
    values.json
      ? `${JSON.stringify(toJson(config, read, seconds, values.full ?? false))}\n`
      : formatRead(config, read, seconds),
  );
  return read.snapshot.problems.length === 0 ? EXIT.ok : EXIT.partlyFailed;
};

function counts(read: DetailedRead) {
  const { snapshot } = read;
  return {
    rowsRead: snapshot.rowsRead,
    interventionsInWindow: snapshot.interventions.length,
    outsideWindow: read.interventions.outsideWindow,
    learners: snapshot.learners.size,
    instructors: snapshot.instructors.size,
    groups: snapshot.groups?.length,
    problems: snapshot.problems.length,
  };
}

function toJson(config: Config, read: DetailedRead, seconds: number, full: boolean) {
  const { snapshot } = read;
  return {
    ok: true,
    school: config.school,
    auriga: config.auriga.url,
    keycloak: read.keycloakBase,
    window: snapshot.window,
    favorites: { interventions: read.interventions, groups: read.groups ?? null },
    counts: counts(read),
    problems: snapshot.problems,
    seconds: Math.round(seconds * 1000) / 1000,
    ...(full
      ? {
          interventions: snapshot.interventions,
          learners: [...snapshot.learners.values()],
          instructors: [...snapshot.instructors.values()],
          groups: snapshot.groups ?? null,
        }
      : {}),
  };
}

export function formatRead(config: Config, read: DetailedRead, seconds: number): string {
  const { snapshot } = read;
  const { window } = snapshot;
  const c = counts(read);
  const lines = [
    `Auriga read for school "${config.school}" (${config.auriga.url}), in ${seconds.toFixed(1)} s`,
    `  Signed in through Keycloak at ${read.keycloakBase ?? '?'} (realm ${config.auriga.realm})`,
    `  Window: ${window.firstDay} to ${window.lastDay} included (${window.timeZone}), ${window.from} to ${window.to} UTC`,
    `  Interventions favorite ${read.interventions.queryId} (menu entry ${read.interventions.menuEntryId}): ${c.rowsRead.interventions} rows in ${read.interventions.pages} page(s)`,
    `    in the window: ${c.interventionsInWindow} interventions; outside it: ${c.outsideWindow} rows`,
    `    people: ${c.learners} learners, ${c.instructors} instructors`,
  ];
  if (read.interventions.missingOptional.length > 0) {
    lines.push(
      `    columns not in the favorite (left empty): ${read.interventions.missingOptional.join(', ')}`,
    );
  }
  if (read.groups) {
    lines.push(
      `  Groups favorite ${read.groups.queryId} (menu entry ${read.groups.menuEntryId}): ${read.groups.rows} rows, ${c.groups ?? 0} groups`,
    );
    if (read.groups.missingOptional.length > 0) {
      lines.push(
        `    columns not in the favorite (left empty): ${read.groups.missingOptional.join(', ')}`,
      );
    }
  } else {
    lines.push('  Groups favorite: none configured (auriga.groupsQueryId)');
  }
  if (snapshot.problems.length === 0) {
    lines.push('  No problems found.');
  } else {
    lines.push(`  Problems (${snapshot.problems.length}):`);
    for (const problem of snapshot.problems) lines.push(`    ${formatProblem(problem)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatProblem(problem: Problem): string {
  const where = problem.row
    ? `${problem.row.favorite === 'groups' ? 'group' : 'intervention'} ${problem.row.id}`
    : `${problem.kind} ${problem.aurigaId}`;
  return `[${problem.code}] ${where}: ${problem.message}`;
}
