import type { AurigaConfig, SyncOptions } from '../config/schema.ts';
import type { AurigaSnapshot, Group, Problem } from '../domain/types.ts';
import type { RetryPolicy, Sleep } from '../http/retry.ts';
import { AurigaClient, type FavoriteRead, type FavoriteRef } from './client.ts';
import { aurigaError } from './errors.ts';
import { type AurigaLogger, KeycloakSession } from './keycloak.ts';
import {
  type ColumnMatch,
  type ColumnSpec,
  describeMissing,
  GROUP_COLUMNS,
  type GroupColumn,
  INTERVENTION_COLUMNS,
  type InterventionColumn,
  matchColumns,
} from './parse/columns.ts';
import {
  createGroupParser,
  createInterventionParser,
  parseGroupRows,
  parseInterventionRows,
} from './parse/rows.ts';
import { computeWindow } from './parse/window.ts';

/**
 * The Auriga edge of a run: signs in, reads the school's favorites and turns
 * them into an AurigaSnapshot (the interventions in the window, their people,
 * the groups, and every problem found). The parsing itself is the pure core
 * in `parse/`; this module only wires it to the HTTP clients.
 */

export interface AurigaReader {
  read(options?: { signal?: AbortSignal }): Promise<AurigaSnapshot>;
}

export interface AurigaProgress {
  readonly phase: 'auriga';
  /** Rows read so far, all favorites together. */
  readonly rows: number;
  readonly pages: number;
}

export interface AurigaReaderDeps {
  readonly fetch?: typeof fetch;
  /** The clock that places the window. @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: AurigaLogger;
  readonly onProgress?: (event: AurigaProgress) => void;
  /** Backoff for network trouble and 5xx, for Keycloak and Auriga alike. */
  readonly retry?: Partial<RetryPolicy>;
  /** Waits between retries, for Keycloak and Auriga alike. @default a real timer */
  readonly sleep?: Sleep;
  /** Called after every Auriga API attempt, for metrics. */
  readonly onRequest?: (event: { route: string; status: number | 'error'; ms: number }) => void;
}

/** What was read of one favorite, for `auriga read` and `doctor`. */
export interface FavoriteSummary {
  readonly queryId: string;
  readonly menuEntryId: string;
  readonly pages: number;
  readonly rows: number;
  /** Column labels as Auriga gave them, in order. */
  readonly columns: readonly string[];
  /** Optional columns the connector knows and did not find (their data is left empty). */
  readonly missingOptional: readonly string[];
}

/** How far the read of one favorite got. */
export interface FavoriteCompleteness {
  /** False when the read ended before page `totalPages`: rows may be missing. */
  readonly complete: boolean;
  readonly pagesRead: number;
  /** As Auriga announced it; undefined when it said nothing. */
  readonly totalPages: number | undefined;
  readonly rowsRead: number;
}

/**
 * Whether every favorite was read to its last page. An incomplete read is
 * still synced for what it holds, but nothing may be deleted on it: a missing
 * row is not a removed intervention.
 */
export interface ReadCompleteness {
  /** Every favorite read was complete. */
  readonly complete: boolean;
  readonly interventions: FavoriteCompleteness;
  /** Undefined when no Groups favorite is configured. */
  readonly groups: FavoriteCompleteness | undefined;
}

export interface DetailedRead {
  readonly snapshot: AurigaSnapshot;
  /** Whether each favorite was read to its last page (the snapshot carries the Interventions one). */
  readonly completeness: ReadCompleteness;
  readonly interventions: FavoriteSummary & {
    /** Rows with a valid Start outside the window. */
    readonly outsideWindow: number;
  };
  readonly groups: FavoriteSummary | undefined;
  /** The Keycloak base that answered. */
  readonly keycloakBase: string | undefined;
}

export interface DetailedAurigaReader extends AurigaReader {
  readDetailed(options?: { signal?: AbortSignal }): Promise<DetailedRead>;
}

export function createAurigaReader(
  config: AurigaConfig,
  options: SyncOptions,
  deps: AurigaReaderDeps = {},
): DetailedAurigaReader {
  const now = deps.now ?? (() => new Date());
  const session = new KeycloakSession(config, {
    fetch: deps.fetch,
    logger: deps.logger,
    retry: deps.retry,
    sleep: deps.sleep,
  });
  const client = new AurigaClient(config, session, {
    fetch: deps.fetch,
    logger: deps.logger,
    retry: deps.retry,
    sleep: deps.sleep,
    onRequest: deps.onRequest,
  });

  async function readDetailed(readOptions: { signal?: AbortSignal } = {}): Promise<DetailedRead> {
    const { signal } = readOptions;
    const window = computeWindow(now(), options.timeZone, options.windowDays);
    let rows = 0;
    let pages = 0;
    const onPage = (offset: number) => (event: { page: number; rows: number }) => {
      pages += 1;
      rows = offset + event.rows;
      deps.onProgress?.({ phase: 'auriga', rows, pages });
    };

    // Page by page: each page is parsed as it comes and dropped, only what it held is kept.
    let interventionColumns: ColumnMatch<InterventionColumn> | undefined;
    let interventionParser: ReturnType<typeof createInterventionParser> | undefined;
    const read = await client.readFavoritePages(interventionsFavorite(config), {
      menuEntryId: config.menuEntryId,
      signal,
      onPage: onPage(0),
      onLines: (lines, columns) => {
        if (interventionParser === undefined) {
          interventionColumns = matchColumns(columns, INTERVENTION_COLUMNS);
          requireColumns(
            { favorite: interventionsFavorite(config), match: interventionColumns },
            deps.logger,
          );
          interventionParser = createInterventionParser(interventionColumns.index, {
            timeZone: options.timeZone,
            language: options.language,
            window,
          });
        }
        interventionParser.add(lines);
      },
    });
    // At least one page always comes (an empty one ends the read).
    const parsed = (interventionParser as NonNullable<typeof interventionParser>).finish();
    const problems: Problem[] = [...parsed.problems];

    let groups: Group[] | undefined;
    let groupsSummary: FavoriteSummary | undefined;
    let groupsCompleteness: FavoriteCompleteness | undefined;
    const groupsRef = groupsFavorite(config);
    if (groupsRef !== undefined) {
      let groupColumns: ColumnMatch<GroupColumn> | undefined;
      let groupParser: ReturnType<typeof createGroupParser> | undefined;
      const groupsRead = await client.readFavoritePages(groupsRef, {
        menuEntryId: config.menuEntryId,
        signal,
        onPage: onPage(rows),
        onLines: (lines, columns) => {
          if (groupParser === undefined) {
            groupColumns = matchColumns(columns, GROUP_COLUMNS);
            requireColumns({ favorite: groupsRef, match: groupColumns }, deps.logger);
            groupParser = createGroupParser(groupColumns.index, options.language);
          }
          groupParser.add(lines);
        },
      });
      const parsedGroups = (groupParser as NonNullable<typeof groupParser>).finish();
      groups = [...parsedGroups.groups];
      problems.push(...parsedGroups.problems);
      groupsSummary = summary(groupsRead, groupColumns as ColumnMatch<GroupColumn>);
      groupsCompleteness = completenessOf(groupsRead);
    }
    const interventionsCompleteness = completenessOf(read);

    const snapshot: AurigaSnapshot = {
      window,
      interventions: parsed.interventions,
      learners: parsed.learners,
      instructors: parsed.instructors,
      groups,
      problems,
      rowsRead: { interventions: read.rows, groups: groupsSummary?.rows ?? 0 },
      // Deletions hang on the Interventions favorite alone: a missing row there is no cancellation.
      completeness: {
        complete: interventionsCompleteness.complete,
        pagesRead: interventionsCompleteness.pagesRead,
        totalPages: interventionsCompleteness.totalPages,
      },
    };
    deps.logger?.info(
      {
        window: { from: window.from, to: window.to },
        rows: snapshot.rowsRead,
        interventions: snapshot.interventions.length,
        learners: snapshot.learners.size,
        instructors: snapshot.instructors.size,
        groups: groups?.length,
        problems: problems.length,
        complete: interventionsCompleteness.complete && (groupsCompleteness?.complete ?? true),
      },
      'read Auriga',
    );
    return {
      snapshot,
      completeness: {
        complete: interventionsCompleteness.complete && (groupsCompleteness?.complete ?? true),
        interventions: interventionsCompleteness,
        groups: groupsCompleteness,
      },
      interventions: {
        ...summary(read, interventionColumns as ColumnMatch<InterventionColumn>),
        outsideWindow: parsed.outsideWindow,
      },
      groups: groupsSummary,
      keycloakBase: session.base,
    };
  }

  return {
    readDetailed,
    async read(readOptions) {
      return (await readDetailed(readOptions)).snapshot;
    },
  };
}

// ------------------------------------------------------------ The read path
// What a sync does to read one favorite, exposed so that `doctor` checks
// exactly this path (on one page) rather than a copy of it.

/** The Interventions favorite, named in messages by its setting. */
export const interventionsFavorite = (config: Pick<AurigaConfig, 'interventionsQueryId'>) =>
  Object.freeze({
    queryId: config.interventionsQueryId,
    setting: 'auriga.interventionsQueryId',
    name: 'Interventions',
  }) satisfies FavoriteRef;

/** The Groups favorite, when one is configured. */
export const groupsFavorite = (
  config: Pick<AurigaConfig, 'groupsQueryId'>,
): FavoriteRef | undefined =>
  config.groupsQueryId === undefined
    ? undefined
    : Object.freeze({
        queryId: config.groupsQueryId,
        setting: 'auriga.groupsQueryId',
        name: 'Groups',
      });

/** A favorite read, and its columns found by label. */
export interface MatchedRead<K extends string> {
  readonly favorite: FavoriteRef;
  readonly read: FavoriteRead;
  readonly match: ColumnMatch<K>;
}

/**
 * Read a favorite (all its pages, or the first `maxPagesToRead` of them for a
 * sample) and find its columns. Missing columns are not thrown here:
 * `requireColumns` does, `doctor` words them as a failed step.
 */
export async function readFavoriteMatched<K extends string>(
  client: AurigaClient,
  favorite: FavoriteRef,
  specs: readonly ColumnSpec<K>[],
  options: {
    readonly menuEntryId?: string | undefined;
    readonly signal?: AbortSignal | undefined;
    readonly onPage?: ((page: { page: number; rows: number }) => void) | undefined;
    readonly maxPagesToRead?: number | undefined;
  } = {},
): Promise<MatchedRead<K>> {
  const read = await client.readFavorite(favorite, options);
  return { favorite, read, match: matchColumns(read.columns, specs) };
}

/** A sync needs every required column: `auriga.missing_columns` otherwise; absent optional ones are logged. */
export function requireColumns<K extends string>(
  matched: Pick<MatchedRead<K>, 'favorite' | 'match'>,
  logger: AurigaLogger | undefined,
): void {
  const { favorite, match } = matched;
  if (match.missing.length > 0) {
    const plural = match.missing.length > 1;
    throw aurigaError(
      'auriga.missing_columns',
      `The ${favorite.name} favorite ${favorite.queryId} (${favorite.setting}) lacks the column${plural ? 's' : ''} ${describeMissing(match.missing)}: add ${plural ? 'them' : 'it'} to the favorite in Auriga. Its columns are: ${match.labels.length > 0 ? match.labels.map((l) => `"${l}"`).join(', ') : 'none'}.`,
      { hint: 'Columns are found by their English or French label; extra columns are fine.' },
    );
  }
  if (match.missingOptional.length > 0) {
    logger?.warn(
      { favorite: favorite.queryId, missing: match.missingOptional.map((c) => c.label) },
      `the ${favorite.name} favorite lacks optional columns; their data is left empty`,
    );
  }
}

/** The interventions of a read, placed against `window`. */
export const parseInterventionsRead = (
  matched: MatchedRead<InterventionColumn>,
  options: Parameters<typeof parseInterventionRows>[2],
) => parseInterventionRows(matched.read.lines, matched.match.index, options);

/** The groups of a read. */
export const parseGroupsRead = (
  matched: MatchedRead<GroupColumn>,
  language: SyncOptions['language'],
) => parseGroupRows(matched.read.lines, matched.match.index, language);

/** A read as the sync makes it: its rows counted, not held. */
type CountedRead = Omit<FavoriteRead, 'lines'> & { readonly rows: number };

function completenessOf(read: CountedRead): FavoriteCompleteness {
  return {
    complete: read.complete,
    pagesRead: read.pages,
    totalPages: read.totalPages,
    rowsRead: read.rows,
  };
}

function summary(
  read: CountedRead,
  match: { labels: readonly string[]; missingOptional: readonly ColumnSpec[] },
): FavoriteSummary {
  return {
    queryId: read.queryId,
    menuEntryId: read.menuEntryId,
    pages: read.pages,
    rows: read.rows,
    columns: match.labels,
    missingOptional: match.missingOptional.map((c) => c.label),
  };
}
