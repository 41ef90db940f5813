import type { AurigaReaderDeps } from '../auriga/reader.ts';
import type { Config } from '../config/schema.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Store } from '../store/port.ts';
import type { RunReport } from '../sync/report.ts';
import { type RunSyncDeps, runSync } from '../sync/run.ts';
import {
  aurigaReaderFor,
  edusignClientFor,
  edusignPortFor,
  type OnRequest,
  storeFor,
} from './edges.ts';

/** How one run of one school is asked for, by any face (CLI, service, worker, bench). */
export interface SchoolRunOptions {
  readonly dryRun?: boolean;
  readonly confirmDeletions?: boolean;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** An already open store (a service shares one); else the configuration's is opened and closed. */
  readonly store?: Store;
  readonly onPhase?: RunSyncDeps['onPhase'];
  readonly onResult?: RunSyncDeps['onResult'];
  readonly logger?: RunSyncDeps['logger'] & AurigaReaderDeps['logger'];
  /** Rows read from Auriga so far, for a progress display. */
  readonly onReadProgress?: AurigaReaderDeps['onProgress'];
  /** Called after every HTTP attempt, for metrics. */
  readonly onRequest?: OnRequest;
  /** How long to wait for another run's live lease. */
  readonly leaseWaitMs?: number;
  readonly lease?: RunSyncDeps['lease'];
  /**
   * Told of every real run once its report is stored (`notifierFor`); it
   * only queues, never throws, so the run's outcome is never its doing.
   */
  readonly notifier?: Pick<Notifier, 'afterRun'> | undefined;
}

/** Run one school now (or preview it with `dryRun`): the report, stored unless a dry run. */
export async function runSchool(
  config: Config,
  options: SchoolRunOptions = {},
): Promise<RunReport> {
  const store = options.store ?? (await storeFor(config, { readOnly: options.dryRun === true }));
  try {
    const client = edusignClientFor(config, options);
    const auriga = aurigaReaderFor(config, {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onReadProgress ? { onProgress: options.onReadProgress } : {}),
    });
    const report = await runSync({
      school: config.school,
      options: config.options,
      auriga: auriga.reader,
      edusign: edusignPortFor(client),
      store: store.forSchool(config.school),
      concurrency: config.edusign.concurrency,
      ...(options.now ? { now: options.now } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onPhase ? { onPhase: options.onPhase } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.leaseWaitMs === undefined ? {} : { leaseWaitMs: options.leaseWaitMs }),
      ...(options.lease ? { lease: options.lease } : {}),
      dryRun: options.dryRun ?? false,
      confirmDeletions: options.confirmDeletions ?? false,
      apiCalls: () => {
        const stats = client.stats();
        return {
          auriga: auriga.calls(),
          edusign: stats.calls,
          edusignWrites: stats.writes,
          edusignRateLimitWaitMs: stats.rateLimitWaitMs,
          edusignByRoute: stats.byRoute,
        };
      },
    });
    if (!report.dryRun) await options.notifier?.afterRun(report);
    return report;
  } finally {
    if (!options.store) await store.close();
  }
}

/** What a run would do, written to nothing. */
export function planSchool(
  config: Config,
  options: Omit<SchoolRunOptions, 'dryRun' | 'confirmDeletions'> = {},
): Promise<RunReport> {
  return runSchool(config, { ...options, dryRun: true });
}
