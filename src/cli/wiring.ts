import { type AurigaReaderDeps, createAurigaReader } from '../auriga/reader.ts';
import type { Config } from '../config/schema.ts';
import { createEdusignClient, type EdusignClient } from '../edusign/client.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/port.ts';
import type { RunReport } from '../sync/report.ts';
import { type RunSyncDeps, runSync } from '../sync/run.ts';

/**
 * The composition root: turns a school's configuration into the edges (the
 * Auriga reader, the Edusign client, the store) and hands them to the core.
 * The one place that knows every concrete implementation.
 */

export interface SchoolRunOptions {
  readonly dryRun?: boolean;
  readonly confirmDeletions?: boolean;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** An already open store (the fleet shares one); else the configuration's is opened and closed. */
  readonly store?: Store;
  readonly onPhase?: RunSyncDeps['onPhase'];
  readonly onResult?: RunSyncDeps['onResult'];
  readonly logger?: RunSyncDeps['logger'] & AurigaReaderDeps['logger'];
  /** Rows read from Auriga so far, for a progress display. */
  readonly onReadProgress?: AurigaReaderDeps['onProgress'];
  /**
   * Called after every HTTP attempt, for metrics. `route` is a template
   * (`/v1/course/:id`, `/api/menuEntries/:menuEntryId/searchResult`), never a path with ids.
   */
  readonly onRequest?: (
    side: 'auriga' | 'edusign',
    event: { route: string; method?: string; status: number | 'error'; ms: number },
  ) => void;
}

export function edusignClientFor(
  config: Config,
  options: Pick<SchoolRunOptions, 'fetch' | 'onRequest'> = {},
): EdusignClient {
  return createEdusignClient(config.edusign, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onRequest ? { onRequest: (e) => options.onRequest?.('edusign', e) } : {}),
  });
}

export async function runSchool(
  config: Config,
  options: SchoolRunOptions = {},
): Promise<RunReport> {
  const store = options.store ?? (await openStore(config.store));
  let aurigaCalls = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    aurigaCalls += 1;
    const onRequest = options.onRequest;
    if (!onRequest) return (options.fetch ?? fetch)(input, init);
    const startedAt = performance.now();
    const event = aurigaRequest(input, init);
    try {
      const response = await (options.fetch ?? fetch)(input, init);
      onRequest('auriga', { ...event, status: response.status, ms: performance.now() - startedAt });
      return response;
    } catch (error) {
      onRequest('auriga', { ...event, status: 'error', ms: performance.now() - startedAt });
      throw error;
    }
  };
  try {
    const edusign = edusignClientFor(config, options);
    const auriga = createAurigaReader(config.auriga, config.options, {
      fetch: countingFetch,
      ...(options.now ? { now: options.now } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onReadProgress ? { onProgress: options.onReadProgress } : {}),
    });
    return await runSync({
      school: config.school,
      options: config.options,
      auriga,
      edusign,
      store: store.forSchool(config.school),
      concurrency: config.edusign.concurrency,
      ...(options.now ? { now: options.now } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onPhase ? { onPhase: options.onPhase } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      dryRun: options.dryRun ?? false,
      confirmDeletions: options.confirmDeletions ?? false,
      apiCalls: () => {
        const stats = edusign.stats();
        return {
          auriga: aurigaCalls,
          edusign: stats.calls,
          edusignWrites: stats.writes,
          edusignRateLimitWaitMs: stats.rateLimitWaitMs,
          edusignByRoute: stats.byRoute,
        };
      },
    });
  } finally {
    if (!options.store) await store.close();
  }
}

/**
 * The method and route template of a request to Auriga or its Keycloak, for
 * metrics: ids, realms and query ids become placeholders so that every
 * school's calls fall in a handful of series.
 */
export function aurigaRequest(
  input: Parameters<typeof fetch>[0],
  init?: RequestInit,
): { route: string; method: string } {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = (
    init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')
  ).toUpperCase();
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return { route: '(unparsable url)', method };
  }
  const route = path
    .replace(/^.*?\/realms\/[^/]+/, '/realms/:realm')
    .replace(/\/menuEntries\/[^/]+/, '/menuEntries/:menuEntryId')
    .replace(/\/query\/[^/]+/, '/query/:queryId')
    .replace(/\/\d+(?=\/|$)/g, '/:id');
  return { route, method };
}
