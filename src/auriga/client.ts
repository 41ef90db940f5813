import type { AurigaConfig } from '../config/schema.ts';
import type { AppError } from '../errors/app-error.ts';
import { createHttp, type Http, type HttpAnswer, isRequestFailure } from '../http/request.ts';
import type { RetryPolicy, Sleep } from '../http/retry.ts';
import { aurigaError } from './errors.ts';
import type { AurigaLogger, TokenSource } from './keycloak.ts';

/**
 * Auriga's HTTP API as the connector uses it (auriga-api.md, Reading a
 * favorite): the menus, a favorite's definition, and its rows page by page.
 *
 * - Every call carries the bearer token, `Accept: application/json` and the
 *   configured extra headers. A 401 gets one token refresh and one retry.
 * - 408, 429, 5xx, timeouts and dropped connections are retried by the
 *   shared request path (`src/http/request.ts`: bounded backoff,
 *   `Retry-After` honoured, the clock and sleep handed in); all calls are reads
 *   (the search is a POST that changes nothing), so a retry is always safe.
 * - An HTML answer (a login page, a firewall) is an error, never data, and is
 *   not retried: it will not go away by itself.
 */

export type AurigaApiSettings = Pick<
  AurigaConfig,
  'url' | 'username' | 'pageSize' | 'maxPages' | 'timeoutMs' | 'extraHeaders'
>;

export interface AurigaClientDeps {
  readonly fetch?: typeof fetch | undefined;
  readonly logger?: AurigaLogger | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly random?: (() => number) | undefined;
  /** Epoch milliseconds, for `Retry-After` dates. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Waits between retries. @default a real timer */
  readonly sleep?: Sleep | undefined;
  /** Called after every HTTP attempt, for metrics. */
  readonly onRequest?:
    | ((event: { route: string; status: number | 'error'; ms: number }) => void)
    | undefined;
}

export interface MenuEntry {
  readonly menuEntryId: string;
  readonly menuEntryCode: string | undefined;
  readonly queryId: string;
  readonly formId: string | undefined;
}

export interface SearchPage {
  readonly totalPages: number | undefined;
  readonly columns: readonly unknown[];
  readonly lines: readonly unknown[];
}

export interface FavoriteRead {
  readonly queryId: string;
  readonly menuEntryId: string;
  readonly columns: readonly unknown[];
  readonly lines: readonly unknown[];
  /** Pages read, the empty one that ended the read included. */
  readonly pages: number;
  /** The most pages Auriga announced (`totalPages`); undefined when it said nothing. */
  readonly totalPages: number | undefined;
  /**
   * False when the read ended before page `totalPages` (an empty page came
   * first): rows may be missing, so none may be taken as removed.
   */
  readonly complete: boolean;
}

/** Which favorite, named in messages by its configuration key. */
export interface FavoriteRef {
  readonly queryId: string;
  /** e.g. `auriga.interventionsQueryId`. */
  readonly setting: string;
  /** e.g. `Interventions`. */
  readonly name: string;
}

interface Call {
  readonly method: 'GET' | 'POST';
  /** Route template for logs and metrics, e.g. `/api/menuEntries/:id/searchResult`. */
  readonly route: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

export class AurigaClient {
  readonly #settings: AurigaApiSettings;
  readonly #tokens: TokenSource;
  readonly #http: Http;
  readonly #logger: AurigaLogger | undefined;
  readonly #base: string;
  #menus: Promise<readonly MenuEntry[]> | undefined;

  constructor(settings: AurigaApiSettings, tokens: TokenSource, deps: AurigaClientDeps = {}) {
    this.#settings = settings;
    this.#tokens = tokens;
    const { logger, onRequest } = deps;
    this.#logger = logger;
    this.#http = createHttp({
      fetch: deps.fetch,
      retry: deps.retry,
      timeoutMs: settings.timeoutMs,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      onAttempt: (event) => {
        logger?.debug?.(
          { route: event.name, status: event.status, ms: event.ms },
          'auriga request',
        );
        onRequest?.({ route: event.name, status: event.status, ms: event.ms });
      },
      onRetry: (event) =>
        logger?.warn(
          {
            route: event.name,
            attempt: event.attempt,
            waitMs: event.delayMs,
            reason: event.reason,
          },
          'Auriga request failed; retrying',
        ),
    });
    this.#base = aurigaBase(settings.url);
  }

  /** Every favorite the account sees in its menus. */
  async listMenus(signal?: AbortSignal): Promise<readonly MenuEntry[]> {
    const body = await this.#call({
      method: 'GET',
      route: '/api/menus',
      path: '/api/menus',
      signal,
    });
    const menus = (body as { menus?: unknown } | null)?.menus;
    if (!Array.isArray(menus)) {
      throw badAnswer('GET /api/menus', 'it has no "menus" list');
    }
    const entries: MenuEntry[] = [];
    for (const menu of menus) {
      const objects = (menu as { objects?: unknown } | null)?.objects;
      if (!Array.isArray(objects)) continue;
      for (const object of objects) {
        const o = (object ?? {}) as Record<string, unknown>;
        const menuEntryId = idText(o.menuEntryId);
        const queryId = idText(o.queryId);
        if (menuEntryId === undefined || queryId === undefined) continue;
        entries.push({
          menuEntryId,
          queryId,
          menuEntryCode: typeof o.menuEntryCode === 'string' ? o.menuEntryCode : undefined,
          formId: idText(o.formId),
        });
      }
    }
    return entries;
  }

  /** The menu entry holding a favorite, from the menus (read once per client). */
  async findMenuEntryId(favorite: FavoriteRef, signal?: AbortSignal): Promise<string> {
    this.#menus ??= this.listMenus(signal);
    let entries: readonly MenuEntry[];
    try {
      entries = await this.#menus;
    } catch (error) {
      this.#menus = undefined;
      throw error;
    }
    const entry = entries.find((e) => e.queryId === favorite.queryId);
    if (entry) return entry.menuEntryId;
    const seen = [...new Set(entries.map((e) => e.queryId))];
    throw aurigaError(
      'auriga.favorite_not_in_menus',
      `The ${favorite.name} favorite ${favorite.queryId} (${favorite.setting}) is in none of the Auriga menus that "${this.#settings.username}" sees${seen.length > 0 ? ` (favorites seen: ${seen.slice(0, 12).join(', ')}${seen.length > 12 ? ', ...' : ''})` : ''}: check ${favorite.setting}, share the favorite with this account, or set auriga.menuEntryId.`,
      { hint: 'In Auriga, open the favorite: its query id and menu entry id are in the address.' },
    );
  }

  /** The favorite's saved definition, sent back as the body of each search. */
  async readDefinition(
    menuEntryId: string,
    favorite: FavoriteRef,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const path = `/api/menuEntries/${encodeURIComponent(menuEntryId)}/query/${encodeURIComponent(favorite.queryId)}`;
    const body = await this.#call(
      {
        method: 'GET',
        route: '/api/menuEntries/:menuEntryId/query/:queryId',
        path,
        signal,
      },
      favorite,
    );
    const definition = (body as { queryDefinition?: unknown } | null)?.queryDefinition;
    if (definition === undefined || definition === null || typeof definition !== 'object') {
      throw badAnswer(`GET ${path}`, 'it has no "queryDefinition"');
    }
    return definition;
  }

  /** One page of rows (pages start at 1). */
  async searchPage(
    menuEntryId: string,
    definition: unknown,
    page: number,
    size: number,
    signal?: AbortSignal,
    favorite?: FavoriteRef,
  ): Promise<SearchPage> {
    const path = `/api/menuEntries/${encodeURIComponent(menuEntryId)}/searchResult`;
    const body = await this.#call(
      {
        method: 'POST',
        route: '/api/menuEntries/:menuEntryId/searchResult',
        path,
        query: { size, page, sort: 'id', disableWarnings: 'true' },
        body: definition,
        signal,
      },
      favorite,
    );
    const { totalPages, content } = (body ?? {}) as { totalPages?: unknown; content?: unknown };
    const { columns, lines } = (content ?? {}) as { columns?: unknown; lines?: unknown };
    if (!Array.isArray(lines))
      throw badAnswer(`POST ${path} (page ${page})`, 'it has no "content.lines" list');
    const total = typeof totalPages === 'number' ? totalPages : Number(totalPages);
    return {
      totalPages: Number.isInteger(total) && total >= 0 ? total : undefined,
      columns: Array.isArray(columns) ? columns : [],
      lines,
    };
  }

  /**
   * A whole favorite, page by page (auriga-api.md, Reading a favorite): pages
   * 1 to `totalPages`, never past `maxPages`.
   *
   * - A page shorter than the size asked is not the end while `totalPages`
   *   says there are more: some instances cap the page size below what was
   *   asked (seen: 100 rows when 200 were asked, `totalPages` counted at 100).
   * - An empty page ends the read. Before page `totalPages` (the favorite
   *   shrank while it was read) the read is incomplete: `complete: false`,
   *   and the caller must not take a missing row for a removed one.
   * - Without `totalPages` a short or empty page is the only end mark.
   * - A favorite larger than `maxPages` is an error, not a silent truncation.
   */
  async readFavorite(
    favorite: FavoriteRef,
    options: {
      readonly menuEntryId?: string | undefined;
      readonly signal?: AbortSignal | undefined;
      readonly onPage?: ((page: { page: number; rows: number }) => void) | undefined;
      /** Stop after this many pages: a sample (`doctor`), incomplete when there are more. */
      readonly maxPagesToRead?: number | undefined;
    } = {},
  ): Promise<FavoriteRead> {
    const lines: unknown[] = [];
    const read = await this.readFavoritePages(favorite, {
      ...options,
      onLines: (page) => {
        for (const line of page) lines.push(line);
      },
    });
    const { rows: _rows, ...rest } = read;
    return { ...rest, lines };
  }

  /**
   * The same read, handing each page's rows to `onLines` as it comes instead
   * of holding them all: a sync keeps only what it parsed of them. The
   * columns are page 1's, given with every page.
   */
  async readFavoritePages(
    favorite: FavoriteRef,
    options: {
      readonly menuEntryId?: string | undefined;
      readonly signal?: AbortSignal | undefined;
      readonly onPage?: ((page: { page: number; rows: number }) => void) | undefined;
      readonly maxPagesToRead?: number | undefined;
      /** Each page's rows, in order; may throw to stop the read (missing columns). */
      readonly onLines: (lines: readonly unknown[], columns: readonly unknown[]) => void;
    },
  ): Promise<Omit<FavoriteRead, 'lines'> & { readonly rows: number }> {
    const { signal } = options;
    const menuEntryId = options.menuEntryId ?? (await this.findMenuEntryId(favorite, signal));
    const definition = await this.readDefinition(menuEntryId, favorite, signal);
    const { pageSize, maxPages } = this.#settings;
    let rows = 0;
    let columns: readonly unknown[] = [];
    /** The most pages Auriga announced: a read that stops before it is incomplete. */
    let announced: number | undefined;
    let page = 1;
    let endedEmpty = false;
    for (; ; page += 1) {
      const result = await this.searchPage(
        menuEntryId,
        definition,
        page,
        pageSize,
        signal,
        favorite,
      );
      if (page === 1) columns = result.columns;
      if (result.totalPages !== undefined) {
        if (result.totalPages > maxPages)
          throw tooLarge(favorite, result.totalPages, this.#settings);
        announced = Math.max(announced ?? 0, result.totalPages);
      }
      rows += result.lines.length;
      options.onLines(result.lines, columns);
      options.onPage?.({ page, rows });
      if (result.lines.length === 0) {
        endedEmpty = true;
        break;
      }
      if (
        result.totalPages !== undefined ? page >= result.totalPages : result.lines.length < pageSize
      )
        break;
      if (options.maxPagesToRead !== undefined && page >= options.maxPagesToRead) break;
      if (page >= maxPages) throw tooLarge(favorite, undefined, this.#settings);
    }
    const complete = announced === undefined || page >= announced;
    if (!complete && endedEmpty) {
      this.#logger?.warn(
        { favorite: favorite.queryId, pagesRead: page, totalPages: announced, rows },
        `Auriga answered an empty page ${page} of the ${favorite.name} favorite before its last (${announced}): the read is incomplete, nothing is deleted on it`,
      );
    }
    return {
      queryId: favorite.queryId,
      menuEntryId,
      columns,
      rows,
      pages: page,
      totalPages: announced,
      complete,
    };
  }

  async #call(call: Call, favorite?: FavoriteRef): Promise<unknown> {
    const what = `${call.method} ${call.path}`;
    const rejected = await this.#tokens.accessToken(call.signal);
    let answer = await this.#send(call, rejected);
    if (answer.status === 401) {
      // One refresh and one retry: the token may have been revoked or expired early.
      const renewed = await this.#tokens.renewAfterRejection(rejected, call.signal);
      answer = await this.#send(call, renewed);
      if (answer.status === 401) {
        throw aurigaError(
          'auriga.unauthorized',
          `Auriga refused the access token of "${this.#settings.username}" on ${what}, even freshly signed in (HTTP 401): check that the Keycloak client and realm are those of this Auriga (auriga.url, auriga.keycloakUrl, auriga.realm).`,
        );
      }
    }
    return this.#read(call, answer, favorite);
  }

  /** One call over the shared request path; retries run out into `auriga.unavailable`. */
  async #send(call: Call, token: string): Promise<HttpAnswer> {
    const url = new URL(`${this.#base}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {}))
      url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {
      ...this.#settings.extraHeaders,
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    try {
      // Every call is a read (the search is a POST that changes nothing): always safe to repeat.
      return await this.#http.send({
        name: `${call.method} ${call.route}`,
        url,
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        safety: 'idempotent',
        signal: call.signal,
      });
    } catch (error) {
      if (!isRequestFailure(error)) throw error;
      throw aurigaError(
        'auriga.unavailable',
        `Auriga did not answer ${call.method} ${call.path} after ${error.attempts} attempts (last: ${error.reason}): try again later; if it lasts, check that auriga.url (${this.#settings.url}) is reachable from this machine.`,
        { cause: error.cause },
      );
    }
  }

  /** An answer the policy does not retry: JSON data, or the error it means. */
  #read(call: Call, answer: HttpAnswer, favorite: FavoriteRef | undefined): unknown {
    const { status, text } = answer;
    const contentType = answer.headers.get('content-type') ?? '';
    // An HTML answer (a login page, a firewall) is never data, and will not go away by itself.
    if (/html/i.test(contentType) || /^\s*</.test(text))
      throw this.#failure(call, { status, html: true, text }, favorite);
    if (status < 200 || status > 299)
      throw this.#failure(call, { status, html: false, text }, favorite);
    try {
      return JSON.parse(text);
    } catch {
      throw this.#failure(call, { status, html: false, text, notJson: true }, favorite);
    }
  }

  #failure(call: Call, outcome: Failure, favorite: FavoriteRef | undefined): AppError {
    const what = `${call.method} ${call.path}`;
    const snippet = outcome.text.replace(/\s+/g, ' ').trim().slice(0, 160);
    const which = favorite
      ? `the ${favorite.name} favorite ${favorite.queryId} (${favorite.setting})`
      : undefined;
    if (outcome.html) {
      return aurigaError(
        'auriga.html_answer',
        `Auriga answered ${what} with an HTML page (HTTP ${outcome.status}) instead of JSON: a sign-in page, a firewall or a proxy stands in the way. Check auriga.url (${this.#settings.url}: the Auriga application itself, e.g. https://auriga.your-school.fr)${Object.keys(this.#settings.extraHeaders).length === 0 ? ', and whether this instance needs auriga.extraHeaders (e.g. {"x-scope": "frontend"})' : ''}.`,
      );
    }
    if (outcome.notJson) {
      return aurigaError(
        'auriga.bad_answer',
        `Auriga answered ${what} with something that is not JSON ("${snippet}"): check auriga.url (${this.#settings.url}).`,
      );
    }
    if (outcome.status === 403) {
      const said = serverMessage(outcome.text);
      const header = /header/i.test(said ?? '');
      return aurigaError(
        'auriga.forbidden',
        header
          ? `Auriga refused ${what} (HTTP 403: "${said}"): this instance wants extra headers; set auriga.extraHeaders (e.g. {"x-scope": "frontend"}) as Auriga's web application sends them.`
          : `Auriga refused "${this.#settings.username}" access to ${which ?? what} (HTTP 403${said ? `: "${said}"` : ''}): give this account the right to see the favorite in Auriga, or share the favorite with it.`,
      );
    }
    if (outcome.status === 404) {
      return aurigaError(
        'auriga.not_found',
        which
          ? `Auriga does not know ${which} under menu entry ${menuEntryOf(call.path)} (HTTP 404 on ${what}): check ${favorite?.setting} and auriga.menuEntryId (or remove auriga.menuEntryId so that it is found from the menus).`
          : `Auriga answered HTTP 404 on ${what}: check auriga.url (${this.#settings.url}).`,
      );
    }
    return aurigaError(
      'auriga.request_failed',
      `Auriga answered HTTP ${outcome.status} on ${what}${snippet ? ` ("${snippet}")` : ''}${which ? ` while reading ${which}` : ''}.`,
    );
  }
}

interface Failure {
  readonly status: number;
  readonly html: boolean;
  readonly text: string;
  readonly notJson?: boolean;
}

export function createAurigaClient(
  settings: AurigaApiSettings,
  tokens: TokenSource,
  deps: AurigaClientDeps = {},
): AurigaClient {
  return new AurigaClient(settings, tokens, deps);
}

/** `https://auriga.school.fr/`, `.../api` pasted on: the application's base, without trailing slash. */
export function aurigaBase(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/api$/, '');
}

/** The `message` of a Spring-style error body, if any. */
function serverMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { message?: unknown } | null)?.message;
    return typeof message === 'string' && message !== '' ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function menuEntryOf(path: string): string {
  return decodeURIComponent(/\/menuEntries\/([^/]+)/.exec(path)?.[1] ?? '?');
}

function badAnswer(what: string, why: string): AppError {
  return aurigaError(
    'auriga.bad_answer',
    `Auriga's answer to ${what} is not what the connector expects: ${why}. Check auriga.url; this Auriga version may differ.`,
  );
}

function tooLarge(
  favorite: FavoriteRef,
  totalPages: number | undefined,
  settings: AurigaApiSettings,
): AppError {
  return aurigaError(
    'auriga.favorite_too_large',
    `The ${favorite.name} favorite ${favorite.queryId} has ${totalPages === undefined ? 'more than' : ''} ${totalPages ?? settings.maxPages} pages of ${settings.pageSize} rows, more than auriga.maxPages (${settings.maxPages}) allows: narrow the favorite in Auriga (e.g. a date filter) or raise auriga.maxPages.`.replace(
      '  ',
      ' ',
    ),
  );
}
