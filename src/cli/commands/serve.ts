import type { DestinationStream } from 'pino';
import { loadConfigFile } from '../../config/load.ts';
import { loadOperatorFile } from '../../config/operator.ts';
import { secretsOf } from '../../notify/config.ts';
import { createLogger } from '../../observability/logger.ts';
import { DEFAULT_MAX_RUNS } from '../../queue/in-process/queue.ts';
import {
  checkUniqueSchools,
  DEFAULT_GRACE_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  scrubberFor,
  startService,
} from '../../serve/service.ts';
import { parseCommand, usageError } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign serve --config FILE [--config FILE2 ...] | --database URL [--workers N] [--port ${DEFAULT_PORT}] [--host ${DEFAULT_HOST}] [--grace-seconds ${DEFAULT_GRACE_MS / 1000}]

Runs the schedule of one or several schools until stopped: each school runs
twice a day, in the windows of its options.schedule (options.timeZone), one
run at a time; a window missed while the service was down is caught up once.
Serves GET /healthz (the process, and each school's state; 503 while
stopping), GET /readyz (503 when a store cannot be read) and GET /metrics
(Prometheus).
Logs are JSON lines (readable lines on a terminal).

  --config FILE        a school's configuration; repeat it for several schools
                       (school names must differ)
  --port N             port of /healthz and /metrics (default ${DEFAULT_PORT})
  --host ADDRESS       address to listen on (default ${DEFAULT_HOST}: this machine only)
  --grace-seconds N    on SIGTERM or SIGINT, how long a run in progress may take
                       to finish before it is stopped and recorded as interrupted
                       (default ${DEFAULT_GRACE_MS / 1000}); its window is run again later
  --max-runs N         runs at once in this process (default ${DEFAULT_MAX_RUNS}): a large
                       school's run holds about 170 MB
  --operator FILE      the operator's own notification channels: a file holding
                       only \`notifications:\` (the schema of a school's block); the
                       operator is told of every school's notices its events name
                       (a fleet: give it to each \`worker\`, not to serve --database)

A fleet (see "Run a fleet" in the README):
  --database URL       the fleet's PostgreSQL: its schools, store and queue; serves
                       the console (accounts: \`user add --database URL\`), where
                       schools are added and edited in the same rows as
                       \`school import\`, /healthz, /readyz (database and queue
                       reachable) and /metrics for every school, and enqueues the
                       schedule's jobs
  --workers N          also run up to N jobs at once in this process (default 0)

Exit codes: 0 stopped cleanly, 2 failed, 3 configuration error.
`;

export const run: Command = async (argv, io) => {
  const args = parseCommand(argv, io, {
    command: 'serve',
    help: HELP,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      database: { type: 'string' },
      workers: { type: 'string' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'grace-seconds': { type: 'string' },
      'max-runs': { type: 'string' },
      operator: { type: 'string' },
    },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  const files = values.config ?? [];
  if (values.database !== undefined) {
    if (files.length > 0)
      throw usageError(
        { command: 'serve', help: HELP },
        '--config and --database do not go together: a fleet reads its schools from the database (`school import`)',
      );
    if (values.operator !== undefined)
      throw usageError(
        { command: 'serve', help: HELP },
        '--operator does not go with --database yet: give it to each `auriga-edusign worker --database URL --operator FILE`, whose delivery loop tells the operator',
      );
    return serveFleet(values.database, values, io);
  }
  if (files.length === 0)
    throw usageError({ command: 'serve', help: HELP }, '--config FILE is required');
  const port = integerOption('--port', values.port, DEFAULT_PORT, 0, 65_535);
  const graceSeconds = integerOption(
    '--grace-seconds',
    values['grace-seconds'],
    DEFAULT_GRACE_MS / 1000,
    0,
    24 * 3600,
  );
  const maxRuns = integerOption('--max-runs', values['max-runs'], DEFAULT_MAX_RUNS, 1, 1000);
  const configs = files.map((file) => loadConfigFile(file, { env: io.env }));
  checkUniqueSchools(configs, files);
  const operator = values.operator ? loadOperatorFile(values.operator, io.env) : undefined;
  const scrubber = scrubberFor(configs);
  if (operator) scrubber.add(...secretsOf([operator]));

  const logger = createLogger({
    destination: io.stdout as unknown as DestinationStream,
    pretty: io.stdout.isTTY === true,
    // https://no-color.org: any non-empty NO_COLOR turns colours off.
    color: io.stdout.isTTY === true && !io.env.NO_COLOR,
    secrets: scrubber,
  });
  const service = await startService({
    configs,
    port,
    host: values.host ?? DEFAULT_HOST,
    logger,
    maxRuns,
    ...(operator ? { operatorNotifications: operator } : {}),
  });
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    else io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  logger.info({ graceSeconds }, 'stop asked (SIGTERM or SIGINT)');
  await service.stop(graceSeconds * 1000);
  return EXIT.ok;
};

async function serveFleet(
  database: string,
  values: {
    port?: string | undefined;
    host?: string | undefined;
    workers?: string | undefined;
    'grace-seconds'?: string | undefined;
  },
  io: Parameters<Command>[1],
): Promise<number> {
  const { startFleetService } = await import('../../fleet/service.ts');
  const { openFleetProcess } = await import('./worker.ts');
  const { loadSecretKeys } = await import('../../fleet/secret-key.ts');
  const { checkDatabaseUrl } = await import('../../fleet/database.ts');
  const { StopRequested } = await import('../../errors/app-error.ts');
  const url = checkDatabaseUrl(database);
  const keys = loadSecretKeys(io.env);
  const port = integerOption('--port', values.port, DEFAULT_PORT, 0, 65_535);
  const workers = integerOption('--workers', values.workers, 0, 0, 256);
  const graceSeconds = integerOption(
    '--grace-seconds',
    values['grace-seconds'],
    DEFAULT_GRACE_MS / 1000,
    0,
    24 * 3600,
  );
  const started = await openFleetProcess(io, url, Math.max(10, workers * 3 + 4));
  if (started === undefined) return EXIT.ok;
  const service = await startFleetService({
    db: started.db,
    keys,
    logger: started.logger,
    metrics: started.metrics,
    scrubber: started.scrubber,
    port,
    host: values.host ?? DEFAULT_HOST,
    workers,
  });
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    else io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  started.logger.info({ graceSeconds }, 'stop asked (SIGTERM or SIGINT)');
  await service.stop({
    graceMs: graceSeconds * 1000,
    reason:
      io.stopSignal.reason instanceof StopRequested
        ? io.stopSignal.reason
        : new StopRequested('SIGTERM'),
  });
  await started.db.close();
  return EXIT.ok;
}

function integerOption(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw usageError(
      { command: 'serve', help: HELP },
      `${name} must be a whole number from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}
