import type { Level } from 'pino';
import { notifierFor, runSchool, storeFor } from '../../app/index.ts';
import { loadConfigFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { scrubberFor } from '../../config/scrubber.ts';
import { exitCodeOfSignal } from '../../errors/app-error.ts';
import type { Notifier } from '../../notify/notifier.ts';
import { createLogger, type Logger } from '../../observability/logger.ts';
import { createProgress } from '../../observability/progress.ts';
import type { Store } from '../../store/port.ts';
import { formatReport, type RunReport } from '../../sync/report.ts';
import { CONFIG_OPTION, parseCommand } from '../args.ts';
import { type CliIo, type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign sync --config FILE [--json] [--confirm-deletions] | --school NAME --database URL [--json]

Runs one school now: reads Auriga, writes what changed on Edusign, stores and
prints the run's report.

  --config FILE          the school's configuration (YAML or JSON)
  --json                 print the report as one JSON object
  --confirm-deletions    let deletions held by the mass-change guard go ahead
  --school NAME          with --database: a fleet's school; its run is enqueued at
                         once, taken by a worker, and its report printed here
  --database URL         the fleet's PostgreSQL (see "Run a fleet" in the README)

With notifications configured, the run's notices are queued in the store
and each is tried once before the command exits; one that fails is not
waited for: it stays queued, and \`serve\` retries it (docs/notifications.md).

Exit codes: 0 succeeded, 1 partly failed, 2 failed, 3 configuration error,
4 deletions held by the mass-change guard, 130/143 interrupted by SIGINT/SIGTERM
(what was written is recorded; the next run does the rest).
`;

export const run: Command = (argv, io) => runCommand(argv, io, false);

const PLAN_HELP = HELP.replace(
  'sync --config FILE [--json] [--confirm-deletions] | --school NAME --database URL [--json]',
  'plan --config FILE [--json]',
)
  .replace(
    /Runs one school now[\s\S]*?report\.\n/,
    'Dry run: prints what a sync would do, operation by operation, and writes\nnothing, neither on Edusign nor in the store (a store not created yet is\nnot created).\n',
  )
  .replace(/ {2}--confirm-deletions.*\n/, '')
  .replace(/ {2}--school NAME[\s\S]*?README\)\n/, '');

export async function runCommand(argv: string[], io: CliIo, dryRun: boolean): Promise<number> {
  // A fleet's school (--school, --database) needs no --config.
  const fleet = !dryRun && argv.some((a) => /^--(school|database)(=|$)/.test(a));
  const args = parseCommand(argv, io, {
    command: dryRun ? 'plan' : 'sync',
    help: dryRun ? PLAN_HELP : HELP,
    requireConfig: !fleet,
    options: {
      ...CONFIG_OPTION,
      json: { type: 'boolean' },
      ...(dryRun
        ? {}
        : {
            'confirm-deletions': { type: 'boolean' },
            school: { type: 'string' },
            database: { type: 'string' },
          }),
    },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  if (fleet) {
    const fleetValues = values as unknown as { school?: string; database?: string };
    const { syncFleetSchool } = await import('../../fleet/sync-now.ts');
    const report = await syncFleetSchool({
      school: fleetValues.school,
      database: fleetValues.database ?? io.env.AURIGA_EDUSIGN_DATABASE_URL,
      env: io.env,
      signal: io.stopSignal,
      onWaiting: (message) => io.stderr.write(`${message}\n`),
    });
    io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return exitCodeOf(report);
  }
  const config = loadConfigFile(values.config as string, { env: io.env });
  // On a terminal: a progress line, and only warnings in the log; else structured JSON logs.
  const interactive = io.stderr.isTTY === true && !values.json;
  const secrets = scrubberFor([config]);
  const logger = createLogger({
    destination: io.stderr as NodeJS.WritableStream,
    level: (io.env.LOG_LEVEL as Level | undefined) ?? (interactive ? 'warn' : 'info'),
    secrets,
  });
  // Notices are queued in the school's store: open it here, to send them after the run.
  const notifying = !dryRun && config.notifications !== undefined;
  const store = notifying ? await storeFor(config) : undefined;
  try {
    const notifier = store && notifierFor([config], store, { logger, secrets: secrets.secrets() });
    const report = await runShowingProgress(config, io, {
      dryRun,
      confirmDeletions: values['confirm-deletions'] === true,
      logger,
      interactive,
      store,
      notifier,
    });
    io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    // Then one pass over what is due, this run's notices among them; a failed
    // delivery waits in the store for `serve`, which retries (docs/notifications.md).
    // Sending never changes the command's answer: the run's report is it.
    await notifier?.deliverer.deliverDue().catch((error: unknown) => {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'notices not sent now: the notification store failed; serve sends them later',
      );
    });
    return exitCodeOf(report);
  } finally {
    await store?.close();
  }
}

/** The run, with its progress line on a terminal. */
async function runShowingProgress(
  config: Config,
  io: CliIo,
  options: {
    readonly dryRun: boolean;
    readonly confirmDeletions: boolean;
    readonly logger: Logger;
    readonly interactive: boolean;
    readonly store: Store | undefined;
    readonly notifier: Notifier | undefined;
  },
): Promise<RunReport> {
  const { dryRun, logger, interactive, store, notifier } = options;
  const progress = createProgress({ stream: io.stderr, enabled: interactive });
  let rowsSeen = 0;
  const report = await runSchool(config, {
    ...(store ? { store } : {}),
    notifier,
    dryRun,
    confirmDeletions: options.confirmDeletions,
    signal: io.stopSignal,
    logger,
    onPhase: (phase, { total }) => {
      // The plan's line says what it made: the operations the write phase is about to do.
      if (phase === 'write') progress.tick(0, operations(total ?? 0));
      progress.phase(phase, total);
    },
    onReadProgress: ({ rows, pages }) => {
      progress.tick(rows - rowsSeen, `${pages} page${pages === 1 ? '' : 's'}`);
      rowsSeen = rows;
    },
    onResult: () => progress.tick(),
  });
  if (report.planned) progress.tick(0, operations(report.planned.length));
  progress.done();
  return report;
}

export function exitCodeOf(report: RunReport): number {
  if (report.outcome === 'interrupted' || report.outcome === 'abandoned')
    return exitCodeOfSignal(report.error?.signal);
  if (report.outcome === 'failed') return report.error?.configuration ? EXIT.config : EXIT.failed;
  if (report.outcome === 'partly_failed') return EXIT.partlyFailed;
  if (report.outcome === 'deletions_held') return EXIT.deletionsHeld;
  return EXIT.ok;
}

const operations = (n: number) =>
  n === 0 ? 'nothing to do' : `${n} operation${n === 1 ? '' : 's'}`;
