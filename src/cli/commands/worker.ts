import type { DestinationStream } from 'pino';
import { loadOperatorFile } from '../../config/operator.ts';
import { StopRequested } from '../../errors/app-error.ts';
import { checkDatabaseUrl, describeDatabase, openFleetDatabase } from '../../fleet/database.ts';
import { passwordOf, wholeOption } from '../../fleet/options.ts';
import { loadSecretKeys } from '../../fleet/secret-key.ts';
import {
  DEFAULT_AURIGA_HOST_LIMIT,
  DEFAULT_CONCURRENCY,
  startFleetWorker,
} from '../../fleet/worker.ts';
import { createLogger } from '../../observability/logger.ts';
import { createMetrics } from '../../observability/metrics.ts';
import { createSecretScrubber } from '../../observability/secrets.ts';
import { parseCommand } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign worker --database URL [--concurrency ${DEFAULT_CONCURRENCY}] [--auriga-host-limit ${DEFAULT_AURIGA_HOST_LIMIT}] [--grace-seconds 60] [--operator FILE]

Takes run jobs from the fleet's queue in PostgreSQL and runs them, at most
N at once, until stopped; also enqueues the schedule's jobs (any number of
processes may: each job exists once), and sends the notices due, whichever
worker's run queued them, retrying a failed one on its backoff for up to
24 hours. Start as many workers as wanted, on any machine. Needs
AURIGA_EDUSIGN_SECRET_KEY (or _FILE).

  --database URL            the fleet's PostgreSQL (or AURIGA_EDUSIGN_DATABASE_URL)
  --concurrency N           runs at once (default ${DEFAULT_CONCURRENCY}: a large school's run holds ~170 MB)
  --auriga-host-limit N     runs at once reading one Auriga host (default ${DEFAULT_AURIGA_HOST_LIMIT})
  --grace-seconds N         on SIGTERM, how long runs in progress may take to finish;
                            then they are recorded interrupted and their jobs go back
                            to the queue (default 60)
  --heartbeat-seconds N     a job's heartbeat: a worker silent this long is dead and
                            its job goes to another (default 20, at least 10)
  --tick-seconds N          how often the schedule is looked at (default 30)
  --poll-seconds N          how often an idle worker looks for jobs (default 2)
  --supervise-seconds N     how often dead workers' jobs are looked for (default 10)
  --retry-delay-seconds N   before an interrupted job is tried again (default 5)
  --operator FILE           the operator's own notification channels: a file holding
                            only \`notifications:\` (the schema of a school's block); the
                            operator is told of every school's notices its events name.
                            Give every worker the same file: a worker without it leaves
                            the operator's notices to those that have it
  --delivery-interval-seconds N
                            how often the notices due are looked for (default 30; a
                            run of this worker sends its own at once)

Exit codes: 0 stopped cleanly, 2 failed, 3 configuration error.
`;

export const run: Command = async (argv, io) => {
  const args = parseCommand(argv, io, {
    command: 'worker',
    help: HELP,
    options: {
      database: { type: 'string' },
      concurrency: { type: 'string' },
      'auriga-host-limit': { type: 'string' },
      'grace-seconds': { type: 'string' },
      'heartbeat-seconds': { type: 'string' },
      'tick-seconds': { type: 'string' },
      'poll-seconds': { type: 'string' },
      'supervise-seconds': { type: 'string' },
      'retry-delay-seconds': { type: 'string' },
      'lease-wait-seconds': { type: 'string' },
      operator: { type: 'string' },
      'delivery-interval-seconds': { type: 'string' },
    },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  const url = checkDatabaseUrl(values.database ?? io.env.AURIGA_EDUSIGN_DATABASE_URL);
  const keys = loadSecretKeys(io.env);
  // Read before anything starts: a wrong file is a configuration error (exit 3), named.
  const operator = values.operator ? loadOperatorFile(values.operator, io.env) : undefined;
  const worker = await startWorkerProcess(io, url, keys, {
    ...(operator ? { operator } : {}),
    deliveryIntervalMs:
      wholeOption('--delivery-interval-seconds', values['delivery-interval-seconds'], 30, 1, 3600) *
      1000,
    concurrency: wholeOption('--concurrency', values.concurrency, DEFAULT_CONCURRENCY, 0, 256),
    aurigaHostLimit: wholeOption(
      '--auriga-host-limit',
      values['auriga-host-limit'],
      DEFAULT_AURIGA_HOST_LIMIT,
      1,
      1000,
    ),
    heartbeatSeconds: wholeOption('--heartbeat-seconds', values['heartbeat-seconds'], 20, 10, 3600),
    tickMs: wholeOption('--tick-seconds', values['tick-seconds'], 30, 1, 3600) * 1000,
    pollSeconds: wholeOption('--poll-seconds', values['poll-seconds'], 2, 1, 600),
    superviseSeconds: wholeOption('--supervise-seconds', values['supervise-seconds'], 10, 1, 600),
    retryDelaySeconds: wholeOption(
      '--retry-delay-seconds',
      values['retry-delay-seconds'],
      5,
      0,
      3600,
    ),
    ...(values['lease-wait-seconds'] === undefined
      ? {}
      : {
          leaseWaitMs:
            wholeOption('--lease-wait-seconds', values['lease-wait-seconds'], 10, 0, 3600) * 1000,
        }),
  });
  if (worker === undefined) return EXIT.ok;
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    else io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  const graceMs = wholeOption('--grace-seconds', values['grace-seconds'], 60, 0, 24 * 3600) * 1000;
  worker.logger.info({ graceSeconds: graceMs / 1000 }, 'stop asked (SIGTERM or SIGINT)');
  const reason =
    io.stopSignal.reason instanceof StopRequested
      ? io.stopSignal.reason
      : new StopRequested('SIGTERM');
  await worker.stop({ graceMs, reason });
  return EXIT.ok;
};

/**
 * What every fleet process opens first: a logger whose scrubber learns each
 * school's secrets, and the database, waited for (with backoff, said in the
 * log) while it cannot be reached. Undefined when stopped while waiting.
 */
export async function openFleetProcess(io: Parameters<Command>[1], url: string, poolSize: number) {
  const scrubber = createSecretScrubber({});
  scrubber.add(passwordOf(url));
  const logger = createLogger({
    destination: io.stdout as unknown as DestinationStream,
    pretty: io.stdout.isTTY === true,
    color: io.stdout.isTTY === true && !io.env.NO_COLOR,
    secrets: scrubber,
  });
  try {
    const db = await openFleetDatabase({
      url,
      attempts: Number.POSITIVE_INFINITY,
      signal: io.stopSignal,
      max: poolSize,
      onRetry: ({ attempt, waitMs, error }) =>
        logger.warn(
          { database: describeDatabase(url), attempt, retryInSeconds: waitMs / 1000, err: error },
          'the database cannot be reached: trying again',
        ),
    });
    return { db, logger, scrubber, metrics: createMetrics() };
  } catch (error) {
    if (io.stopSignal.aborted) return undefined;
    throw error;
  }
}

/** A worker process: the database, the logger and the worker; undefined when stopped while waiting. */
export async function startWorkerProcess(
  io: Parameters<Command>[1],
  url: string,
  keys: ReturnType<typeof loadSecretKeys>,
  options: Omit<
    Parameters<typeof startFleetWorker>[0],
    'db' | 'keys' | 'logger' | 'metrics' | 'scrubber'
  >,
) {
  // Each run holds a connection or two, its lease presence one more.
  const opened = await openFleetProcess(
    io,
    url,
    Math.max(10, (options.concurrency ?? DEFAULT_CONCURRENCY) * 3 + 2),
  );
  if (opened === undefined) return undefined;
  const { db, logger, metrics, scrubber } = opened;
  const worker = await startFleetWorker({ ...options, db, keys, logger, metrics, scrubber });
  return {
    logger,
    async stop(stopOptions: Parameters<typeof worker.stop>[0]) {
      await worker.stop(stopOptions);
      await db.close();
    },
  };
}
