import { type AurigaReaderDeps, createAurigaReader } from '../auriga/reader.ts';
import type { Config } from '../config/schema.ts';
import { createEdusignClient, type EdusignClient } from '../edusign/client.ts';
import { createEdusignV1Port } from '../edusign/v1/port.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/port.ts';
import type { EdusignPort } from '../sync/ports.ts';

/**
 * The composition root: the one place that knows every concrete edge. From a
 * school's configuration it builds the Auriga reader, the Edusign client and
 * port, and the store, for the entry points of this folder, which the CLI,
 * the service and the benchmarks call.
 */

/** A request seen, for metrics: `route` is a template, never a path with ids. */
export interface RequestEvent {
  readonly route: string;
  readonly method?: string;
  readonly status: number | 'error';
  readonly ms: number;
}

export type OnRequest = (side: 'auriga' | 'edusign', event: RequestEvent) => void;

export interface EdgeOptions {
  readonly fetch?: typeof fetch;
  readonly onRequest?: OnRequest;
}

export function edusignClientFor(config: Config, options: EdgeOptions = {}): EdusignClient {
  return createEdusignClient(config.edusign, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onRequest ? { onRequest: (e) => options.onRequest?.('edusign', e) } : {}),
  });
}

/** The sync's Edusign port for the school's API choice. */
export function edusignPortFor(client: EdusignClient): EdusignPort {
  return createEdusignV1Port(client);
}

export interface AurigaEdge {
  readonly reader: ReturnType<typeof createAurigaReader>;
  /** Auriga and Keycloak requests made so far. */
  calls(): number;
}

export function aurigaReaderFor(
  config: Config,
  options: EdgeOptions & Omit<AurigaReaderDeps, 'fetch' | 'onRequest'> = {},
): AurigaEdge {
  let calls = 0;
  const base = options.fetch ?? fetch;
  const onRequest = options.onRequest;
  const countingFetch: typeof fetch = async (input, init) => {
    calls += 1;
    if (!onRequest) return base(input, init);
    const startedAt = performance.now();
    const event = aurigaRequest(input, init);
    try {
      const response = await base(input, init);
      onRequest('auriga', { ...event, status: response.status, ms: performance.now() - startedAt });
      return response;
    } catch (error) {
      onRequest('auriga', { ...event, status: 'error', ms: performance.now() - startedAt });
      throw error;
    }
  };
  const { fetch: _fetch, onRequest: _onRequest, ...deps } = options;
  const reader = createAurigaReader(config.auriga, config.options, {
    ...deps,
    fetch: countingFetch,
  });
  return { reader, calls: () => calls };
}

/** The school's store, opened and migrated (only read with `readOnly`); the caller closes it. */
export function storeFor(
  config: Config,
  options: { readonly readOnly?: boolean } = {},
): Promise<Store> {
  return openStore(config.store, options);
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
