import { parseArgs } from 'node:util';
import type { Level } from 'pino';
import { runSchool } from '../../app/index.ts';
import { loadConfigFile } from '../../config/load.ts';
import { exitCodeOfSignal } from '../../errors/app-error.ts';
import { createLogger, createSecretScrubber } from '../../observability/logger.ts';
import { createProgress } from '../../observability/progress.ts';
import { formatReport, type RunReport } from '../../sync/report.ts';
import { type CliIo, type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign sync --config FILE [--json] [--confirm-deletions]
       auriga-edusign sync --school NAME --database URL [--json]

Runs one school now: reads Auriga, writes what changed on Edusign, stores and
prints the run's report.

  --config FILE          the school's configuration (YAML or JSON)
  --json                 print the report as one JSON object
  --confirm-deletions    let deletions held by the mass-change guard go ahead
  --school NAME          with --database: a fleet's school; its run is enqueued at
                         once, taken by a worker, and its report printed here
  --database URL         the fleet's PostgreSQL (see "Run a fleet" in the README)

Exit codes: 0 succeeded, 1 partly failed, 2 failed, 3 configuration error,
4 deletions held by the mass-change guard, 130/143 interrupted by SIGINT/SIGTERM
(what was written is recorded; the next run does the rest).
`;

export const run: Command = (argv, io) => runCommand(argv, io, false);

export async function runCommand(argv: string[], io: CliIo, dryRun: boolean): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      'confirm-deletions': { type: 'boolean' },
      school: { type: 'string' },
      database: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const help = dryRun
    ? HELP.replace(
        'sync --config FILE [--json] [--confirm-deletions]',
        'plan --config FILE [--json]',
      ).replace(
        /Runs one school now[\s\S]*?report\.\n/,
        'Dry run: prints what a sync would do, operation by operation, and writes\nnothing, neither on Edusign nor in the store.\n',
      )
    : HELP;
  if (values.help) {
    io.stdout.write(help);
    return EXIT.ok;
  }
  if (!dryRun && (values.database !== undefined || values.school !== undefined)) {
    const { syncFleetSchool } = await import('../../fleet/sync-now.ts');
    const report = await syncFleetSchool({
      school: values.school,
      database: values.database ?? io.env.AURIGA_EDUSIGN_DATABASE_URL,
      env: io.env,
      signal: io.stopSignal,
      onWaiting: (message) => io.stderr.write(`${message}\n`),
    });
    io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return exitCodeOf(report);
  }
  if (!values.config) {
    io.stderr.write(`--config FILE is required.\n\n${help}`);
    return EXIT.config;
  }
  const config = loadConfigFile(values.config, { env: io.env });
  // On a terminal: a progress line, and only warnings in the log; else structured JSON logs.
  const interactive = io.stderr.isTTY === true && !values.json;
  const logger = createLogger({
    destination: io.stderr as NodeJS.WritableStream,
    level: (io.env.LOG_LEVEL as Level | undefined) ?? (interactive ? 'warn' : 'info'),
    secrets: createSecretScrubber(config),
  });
  const progress = createProgress({ stream: io.stderr, enabled: interactive });
  let rowsSeen = 0;
  const report = await runSchool(config, {
    dryRun,
    confirmDeletions: values['confirm-deletions'] ?? false,
    signal: io.stopSignal,
    logger,
    onPhase: (phase, { total }) => {
      if (phase === 'auriga' || phase === 'plan' || phase === 'write') progress.phase(phase, total);
    },
    onReadProgress: ({ rows, pages }) => {
      progress.tick(rows - rowsSeen, `${pages} page${pages === 1 ? '' : 's'}`);
      rowsSeen = rows;
    },
    onResult: () => progress.tick(),
  });
  progress.done();
  io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  return exitCodeOf(report);
}

export function exitCodeOf(report: RunReport): number {
  if (report.outcome === 'interrupted' || report.outcome === 'abandoned')
    return exitCodeOfSignal(report.error?.signal);
  if (report.outcome === 'failed') return report.error?.configuration ? EXIT.config : EXIT.failed;
  if (report.outcome === 'partly_failed') return EXIT.partlyFailed;
  if (report.outcome === 'deletions_held') return EXIT.deletionsHeld;
  return EXIT.ok;
}
