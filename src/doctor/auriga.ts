import { AurigaClient, type FavoriteRef } from '../auriga/client.ts';
import type { AurigaErrorCode } from '../auriga/errors.ts';
import {
  type ColumnSpec,
  describeMissing,
  GROUP_COLUMNS,
  type GroupColumn,
  INTERVENTION_COLUMNS,
  type InterventionColumn,
} from '../auriga/parse/columns.ts';
import { computeWindow, inWindow } from '../auriga/parse/window.ts';
import {
  groupsFavorite,
  interventionsFavorite,
  type MatchedRead,
  parseGroupsRead,
  parseInterventionsRead,
  readFavoriteMatched,
} from '../auriga/reader.ts';
import type { Config } from '../config/schema.ts';
import type { Problem, SyncWindow } from '../domain/types.ts';
import { Steps } from './chain.ts';
import { DOCTOR_RETRY, type DoctorDeps } from './deps.ts';
import { describeFailure } from './fixes.ts';
import { checkKeycloak } from './keycloak.ts';
import {
  type DoctorCode,
  type DoctorStep,
  type DoctorStepId,
  failed,
  passed,
  skipped,
} from './steps.ts';

/**
 * The Auriga chain: the Keycloak steps (keycloak.ts), then Auriga's API with
 * the token, each favorite and its columns, and a sample of rows parsed. The
 * favorites are read by the reader's own read path (`readFavoriteMatched`,
 * on the first page only) and parsed by its own parsers: what passes here is
 * what a sync reads.
 */

const MISSING_COLUMNS: AurigaErrorCode = 'auriga.missing_columns';
const ROWS_UNREADABLE: DoctorCode = 'auriga.rows_unreadable';

/** Problems quoted in the rows step; `auriga read` lists them all. */
const PROBLEMS_QUOTED = 3;

export async function checkAuriga(config: Config, deps: DoctorDeps): Promise<DoctorStep[]> {
  const steps = new Steps();
  const { auriga } = config;
  const retry = deps.retry ?? DOCTOR_RETRY;
  const session = await checkKeycloak(steps, config, deps);
  if (session === undefined) return steps.list;

  const client = new AurigaClient(auriga, session, { fetch: deps.fetch, retry });
  try {
    const entries = await client.listMenus(deps.signal);
    steps.add(
      passed(
        'auriga.api',
        `${auriga.url} answered GET /api/menus with the token: ${entries.length} entries in the menus of "${auriga.username}"${Object.keys(auriga.extraHeaders).length > 0 ? ` (extra headers: ${Object.keys(auriga.extraHeaders).join(', ')})` : ''}`,
      ),
    );
  } catch (error) {
    const why = describeFailure(error, config);
    steps.add(failed('auriga.api', why.detail, why.fix, why.code));
    steps.skipRest('auriga.favorite.interventions');
    return steps.list;
  }

  const interventions = await checkFavorite(
    steps,
    client,
    config,
    'auriga.favorite.interventions',
    interventionsFavorite(auriga),
    INTERVENTION_COLUMNS,
    deps.signal,
  );
  let groups: MatchedRead<GroupColumn> | undefined;
  const groupsRef = groupsFavorite(auriga);
  if (groupsRef === undefined) {
    steps.add(
      config.options.syncGroups
        ? failed(
            'auriga.favorite.groups',
            'options.syncGroups is on but auriga.groupsQueryId is not set: no group can be synced',
            'set auriga.groupsQueryId to the query id of the "Groups" favorite, or turn options.syncGroups off',
          )
        : skipped(
            'auriga.favorite.groups',
            'no Groups favorite configured (auriga.groupsQueryId, optional)',
          ),
    );
  } else {
    groups = await checkFavorite(
      steps,
      client,
      config,
      'auriga.favorite.groups',
      groupsRef,
      GROUP_COLUMNS,
      deps.signal,
    );
  }

  if (!steps.skipUnmet('auriga.rows') && interventions) {
    steps.add(checkRows(config, interventions, groups, deps.now?.() ?? new Date()));
  }
  return steps.list;
}

// ------------------------------------------------------------------ Favorites

/**
 * Found in the menus (or the configured menu entry), its definition read,
 * its first page read at the configured page size, as a sync reads it: the
 * required columns are there (found by label) and it is not larger than
 * auriga.maxPages allows.
 */
async function checkFavorite<K extends string>(
  steps: Steps,
  client: AurigaClient,
  config: Config,
  id: DoctorStepId,
  favorite: FavoriteRef,
  specs: readonly ColumnSpec<K>[],
  signal: AbortSignal | undefined,
): Promise<MatchedRead<K> | undefined> {
  const { auriga } = config;
  let matched: MatchedRead<K>;
  try {
    matched = await readFavoriteMatched(client, favorite, specs, {
      menuEntryId: auriga.menuEntryId,
      signal,
      maxPagesToRead: 1,
    });
  } catch (error) {
    const why = describeFailure(error, config);
    steps.add(failed(id, why.detail, why.fix, why.code));
    return undefined;
  }
  const { match, read } = matched;
  const where = `${favorite.name} favorite ${favorite.queryId} (menu entry ${read.menuEntryId}${auriga.menuEntryId === undefined ? ', found in the menus' : ', as configured'})`;
  const labels = match.labels.length > 0 ? match.labels.map((l) => `"${l}"`).join(', ') : 'none';
  if (match.missing.length > 0) {
    const plural = match.missing.length > 1;
    steps.add(
      failed(
        id,
        `the ${where} lacks the required column${plural ? 's' : ''} ${describeMissing(match.missing)}; its columns are: ${labels}`,
        `add ${describeMissing(match.missing)} to the favorite in Auriga (columns are found by their English or French label; extra columns are fine)${match.labels.length > 0 && match.missing.length >= 3 ? `, or check ${favorite.setting}: this may be another favorite` : ''}`,
        MISSING_COLUMNS,
      ),
    );
    return undefined;
  }
  const optional =
    match.missingOptional.length > 0
      ? `; optional columns absent (left empty): ${match.missingOptional.map((c) => c.label).join(', ')}`
      : '';
  steps.add(
    passed(
      id,
      `${where}: ${specs.length - match.missingOptional.length} of ${specs.length} known columns present${optional}; ${read.totalPages ?? '?'} page(s) of ${auriga.pageSize} rows`,
    ),
  );
  return matched;
}

// ------------------------------------------------------------------ Rows

/**
 * Every row of the first page parsed, whatever its date: a sample checks the
 * cells' shapes (dates, labels, people), which the window would otherwise hide.
 */
const WHOLE_TIME: SyncWindow = Object.freeze({
  from: '1900-01-01T00:00:00.000Z',
  to: '9999-12-31T00:00:00.000Z',
  timeZone: 'UTC',
  firstDay: '1900-01-01',
  lastDay: '9999-12-30',
});

function checkRows(
  config: Config,
  interventions: MatchedRead<InterventionColumn>,
  groups: MatchedRead<GroupColumn> | undefined,
  now: Date,
): DoctorStep {
  const { timeZone, language, windowDays } = config.options;
  const parsed = parseInterventionsRead(interventions, {
    timeZone,
    language,
    window: { ...WHOLE_TIME, timeZone },
  });
  const window = computeWindow(now, timeZone, windowDays);
  const upcoming = parsed.interventions.filter((i) => inWindow(window, Date.parse(i.start))).length;
  const problems: Problem[] = [...parsed.problems];
  let groupsText = '';
  if (groups) {
    const parsedGroups = parseGroupsRead(groups, language);
    problems.push(...parsedGroups.problems);
    groupsText = `; ${groups.read.lines.length} group rows: ${parsedGroups.groups.length} groups`;
  }
  const rows = interventions.read.lines.length;
  const sample = `${rows} intervention rows of the first page: ${parsed.interventions.length} interventions (${upcoming} in the next ${windowDays} days), ${parsed.learners.size} learners, ${parsed.instructors.size} instructors${groupsText}`;
  const quoted = problems
    .slice(0, PROBLEMS_QUOTED)
    .map(
      (p) =>
        `[${p.code}] ${p.row ? `${p.row.favorite} row ${p.row.id}` : `${p.kind} ${p.aurigaId}`}: ${p.message.replace(/\.$/, '')}`,
    )
    .join(' | ');
  const more = problems.length > PROBLEMS_QUOTED ? ' | …' : '';
  const readAll = `\`auriga-edusign auriga read --config FILE\` lists every problem with its row`;
  if (rows > 0 && parsed.interventions.length === 0) {
    return failed(
      'auriga.rows',
      `no row of the ${rows} read could be turned into an intervention: ${quoted}${more}`,
      `correct the favorite's columns in Auriga (Start and End as dates, ID filled in); ${readAll}`,
      ROWS_UNREADABLE,
    );
  }
  if (rows === 0) {
    return passed(
      'auriga.rows',
      'the Interventions favorite has no rows: nothing would be synced; check its filters in Auriga if classes are expected',
    );
  }
  return passed(
    'auriga.rows',
    problems.length === 0
      ? `${sample}; no problems`
      : `${sample}; ${problems.length} problem${problems.length > 1 ? 's' : ''} (rows skipped or partly read, not a failure): ${quoted}${more}; ${readAll}`,
  );
}
