import { AurigaClient, type FavoriteRef } from '../auriga/client.ts';
import type { AurigaErrorCode } from '../auriga/errors.ts';
import { forgetDiscoveredKeycloak, KeycloakSession } from '../auriga/keycloak.ts';
import {
  type ColumnMatch,
  type ColumnSpec,
  describeMissing,
  GROUP_COLUMNS,
  type GroupColumn,
  INTERVENTION_COLUMNS,
  type InterventionColumn,
  matchColumns,
} from '../auriga/parse/columns.ts';
import { parseGroupRows, parseInterventionRows } from '../auriga/parse/rows.ts';
import { computeWindow, inWindow } from '../auriga/parse/window.ts';
import { maskSecret } from '../config/mask.ts';
import type { Config } from '../config/schema.ts';
import type { Problem, SyncWindow } from '../domain/types.ts';
import { createEdusignClient } from '../edusign/client.ts';
import type { EdusignAbsenceReason } from '../edusign/types.ts';
import { isAppError } from '../errors/app-error.ts';
import type { RetryPolicy } from '../http/retry.ts';
import { redactSecrets } from '../observability/secrets.ts';
import { describeFailure } from './fixes.ts';
import {
  DEPENDS_ON,
  type DoctorStep,
  type DoctorStepId,
  failed,
  passed,
  STEP_IDS,
  skipped,
  skippedAfter,
} from './steps.ts';

/**
 * `doctor`: the prerequisites of a school walked one by one over the real
 * clients (the reader's sign-in, base discovery, menus, favorite definition,
 * columns by label and row parsing; the Edusign client), each reported as
 * passed, failed with its fix, or skipped because an earlier one failed.
 * Nothing is written anywhere; the calls are the cheapest that prove each
 * step (one page of each favorite, one Edusign list).
 */

export interface DoctorDeps {
  readonly fetch?: typeof fetch;
  /** The clock that places the sync window. @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Backoff for network trouble and 5xx. A doctor should answer quickly: one
   * retry rides out a blip, and a lasting outage is itself the answer.
   * @default DOCTOR_RETRY
   */
  readonly retry?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
}

export const DOCTOR_RETRY: Partial<RetryPolicy> = Object.freeze({
  retries: 1,
  baseDelayMs: 300,
  maxDelayMs: 2_000,
});

/** Problems quoted in the rows step; `auriga read` lists them all. */
const PROBLEMS_QUOTED = 3;

/** Every step in order, each passed, failed (with its fix) or skipped (with the reason). */
export async function runDoctor(config: Config, deps: DoctorDeps = {}): Promise<DoctorStep[]> {
  const [auriga, edusign] = await Promise.all([
    checkAuriga(config, deps),
    checkEdusign(config, deps),
  ]);
  const byId = new Map([...auriga, ...edusign].map((s) => [s.id, s]));
  const secrets = [config.auriga.password, config.auriga.clientSecret, config.edusign.token];
  return STEP_IDS.map((id) => {
    const step = byId.get(id) ?? skipped(id, 'not checked');
    // The clients never put a secret in a message; a server echoing one must not leak it either.
    return Object.freeze({
      ...step,
      detail: redactSecrets(step.detail, secrets),
      ...(step.fix === undefined ? {} : { fix: redactSecrets(step.fix, secrets) }),
    });
  });
}

/** A chain of steps: once one fails, those depending on it are skipped. */
class Steps {
  readonly list: DoctorStep[] = [];
  add(step: DoctorStep): DoctorStep {
    this.list.push(step);
    return step;
  }
  ok(id: DoctorStepId): boolean {
    return this.list.find((s) => s.id === id)?.status === 'passed';
  }
  /** Skip `ids` whose prerequisite did not pass; true when all of `ids` were skipped. */
  skipUnmet(...ids: DoctorStepId[]): boolean {
    let all = true;
    for (const id of ids) {
      const before = DEPENDS_ON[id];
      if (before !== undefined && !this.ok(before)) this.add(skippedAfter(id, before));
      else all = false;
    }
    return all;
  }
  skipRest(from: DoctorStepId): void {
    const ids = STEP_IDS.slice(STEP_IDS.indexOf(from));
    for (const id of ids) {
      if (id.startsWith('edusign.')) continue;
      if (!this.list.some((s) => s.id === id)) this.skipUnmet(id);
    }
  }
}

// ------------------------------------------------------------------ Keycloak

/** Codes of the sign-in errors, by the step they belong to (src/auriga/errors.ts). */
const CLIENT_CODES: ReadonlySet<string> = new Set<AurigaErrorCode>([
  'auriga.unknown_client',
  'auriga.invalid_client_secret',
  'auriga.direct_grants_disabled',
  'auriga.sign_in_refused',
]);
const USER_CODES: ReadonlySet<string> = new Set<AurigaErrorCode>([
  'auriga.invalid_credentials',
  'auriga.account_not_ready',
]);
const UNREACHABLE_CODES: ReadonlySet<string> = new Set<AurigaErrorCode>([
  'auriga.keycloak_unreachable',
  'auriga.keycloak_unavailable',
]);
const UNKNOWN_REALM: AurigaErrorCode = 'auriga.unknown_realm';

async function checkAuriga(config: Config, deps: DoctorDeps): Promise<DoctorStep[]> {
  const steps = new Steps();
  const { auriga } = config;
  const retry = deps.retry ?? DOCTOR_RETRY;
  // Discovery is remembered per process; a doctor looks again, as a first run would.
  forgetDiscoveredKeycloak();
  const session = new KeycloakSession(auriga, { fetch: deps.fetch, retry });
  try {
    const check = await session.check(deps.signal);
    steps.add(
      passed(
        'keycloak.reachable',
        `Keycloak answers at ${check.base} (discovery found ${check.tokenEndpoint})`,
      ),
    );
    steps.add(passed('keycloak.realm', `realm "${auriga.realm}" exists (issuer ${check.issuer})`));
    steps.add(
      passed(
        'keycloak.client',
        `client "${auriga.clientId}" accepted with its secret (${maskSecret(auriga.clientSecret)}) and allowed direct grants`,
      ),
    );
    steps.add(
      passed(
        'keycloak.user',
        `"${auriga.username}" signed in (password ${maskSecret(auriga.password)}); access token valid ${check.accessTokenSeconds ?? '?'} s${check.refreshable ? ', refreshable' : ''}`,
      ),
    );
  } catch (error) {
    signInFailure(steps, config, error, session.base);
    steps.skipRest('auriga.api');
    return steps.list;
  }

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
    {
      queryId: auriga.interventionsQueryId,
      setting: 'auriga.interventionsQueryId',
      name: 'Interventions',
    },
    INTERVENTION_COLUMNS,
    deps.signal,
  );
  let groups: FavoriteSample<GroupColumn> | undefined;
  if (auriga.groupsQueryId === undefined) {
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
      { queryId: auriga.groupsQueryId, setting: 'auriga.groupsQueryId', name: 'Groups' },
      GROUP_COLUMNS,
      deps.signal,
    );
  }

  if (!steps.skipUnmet('auriga.rows') && interventions) {
    steps.add(checkRows(config, interventions, groups, deps.now?.() ?? new Date()));
  }
  return steps.list;
}

/** Place a sign-in failure on its step: the ones before it passed, the ones after are skipped. */
function signInFailure(
  steps: Steps,
  config: Config,
  error: unknown,
  discoveredBase: string | undefined,
): void {
  const { auriga } = config;
  const why = describeFailure(error, config);
  const code = isAppError(error) ? error.code : undefined;
  const fail = (id: DoctorStepId) => steps.add(failed(id, why.detail, why.fix, why.code));
  const reachable = () =>
    steps.add(
      passed('keycloak.reachable', `Keycloak answers at ${discoveredBase ?? auriga.keycloakUrl}`),
    );
  const realm = () =>
    steps.add(passed('keycloak.realm', `realm "${auriga.realm}" exists (discovery found)`));
  const client = () =>
    steps.add(
      passed(
        'keycloak.client',
        `client "${auriga.clientId}" accepted with its secret (${maskSecret(auriga.clientSecret)}) and allowed direct grants`,
      ),
    );
  if (code !== undefined && USER_CODES.has(code)) {
    reachable();
    realm();
    client();
    fail('keycloak.user');
  } else if (code !== undefined && CLIENT_CODES.has(code)) {
    reachable();
    realm();
    fail('keycloak.client');
  } else if (code === UNKNOWN_REALM) {
    reachable();
    fail('keycloak.realm');
  } else if (discoveredBase === undefined || (code !== undefined && UNREACHABLE_CODES.has(code))) {
    // Discovery failed (nothing there, not Keycloak, no answer), or the token endpoint did not answer.
    fail('keycloak.reachable');
  } else {
    // Discovery worked but the sign-in failed in a way no code above names.
    reachable();
    realm();
    fail('keycloak.client');
  }
  steps.skipRest('keycloak.realm');
}

// ------------------------------------------------------------------ Favorites

interface FavoriteSample<K extends string> {
  readonly match: ColumnMatch<K>;
  /** The first page's lines, as the sync reads them. */
  readonly lines: readonly unknown[];
}

/**
 * Found in the menus (or the configured menu entry), its definition read,
 * its first page read at the configured page size: the required columns are
 * there (found by label) and it is not larger than auriga.maxPages allows.
 */
async function checkFavorite<K extends string>(
  steps: Steps,
  client: AurigaClient,
  config: Config,
  id: DoctorStepId,
  favorite: FavoriteRef,
  specs: readonly ColumnSpec<K>[],
  signal: AbortSignal | undefined,
): Promise<FavoriteSample<K> | undefined> {
  const { auriga } = config;
  let menuEntryId: string;
  let totalPages: number | undefined;
  let columns: readonly unknown[];
  let lines: readonly unknown[];
  try {
    menuEntryId = auriga.menuEntryId ?? (await client.findMenuEntryId(favorite, signal));
    const definition = await client.readDefinition(menuEntryId, favorite, signal);
    const page = await client.searchPage(
      menuEntryId,
      definition,
      1,
      auriga.pageSize,
      signal,
      favorite,
    );
    ({ totalPages, columns, lines } = page);
  } catch (error) {
    const why = describeFailure(error, config);
    steps.add(failed(id, why.detail, why.fix, why.code));
    return undefined;
  }
  const where = `${favorite.name} favorite ${favorite.queryId} (menu entry ${menuEntryId}${auriga.menuEntryId === undefined ? ', found in the menus' : ', as configured'})`;
  const match = matchColumns(columns, specs);
  const labels = match.labels.length > 0 ? match.labels.map((l) => `"${l}"`).join(', ') : 'none';
  if (match.missing.length > 0) {
    const plural = match.missing.length > 1;
    steps.add(
      failed(
        id,
        `the ${where} lacks the required column${plural ? 's' : ''} ${describeMissing(match.missing)}; its columns are: ${labels}`,
        `add ${describeMissing(match.missing)} to the favorite in Auriga (columns are found by their English or French label; extra columns are fine)${match.labels.length > 0 && match.missing.length >= 3 ? `, or check ${favorite.setting}: this may be another favorite` : ''}`,
        'auriga.missing_columns',
      ),
    );
    return undefined;
  }
  if (totalPages !== undefined && totalPages > auriga.maxPages) {
    steps.add(
      failed(
        id,
        `the ${where} has ${totalPages} pages of ${auriga.pageSize} rows, more than auriga.maxPages (${auriga.maxPages}) lets a sync read`,
        'narrow the favorite in Auriga (e.g. a date filter), or raise auriga.maxPages',
        'auriga.favorite_too_large',
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
      `${where}: ${specs.length - match.missingOptional.length} of ${specs.length} known columns present${optional}; ${totalPages ?? '?'} page(s) of ${auriga.pageSize} rows`,
    ),
  );
  return { match, lines };
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
  interventions: FavoriteSample<InterventionColumn>,
  groups: FavoriteSample<GroupColumn> | undefined,
  now: Date,
): DoctorStep {
  const { timeZone, language, windowDays } = config.options;
  const parsed = parseInterventionRows(interventions.lines, interventions.match.index, {
    timeZone,
    language,
    window: { ...WHOLE_TIME, timeZone },
  });
  const window = computeWindow(now, timeZone, windowDays);
  const upcoming = parsed.interventions.filter((i) => inWindow(window, Date.parse(i.start))).length;
  const problems: Problem[] = [...parsed.problems];
  let groupsText = '';
  if (groups) {
    const parsedGroups = parseGroupRows(groups.lines, groups.match.index, language);
    problems.push(...parsedGroups.problems);
    groupsText = `; ${groups.lines.length} group rows: ${parsedGroups.groups.length} groups`;
  }
  const rows = interventions.lines.length;
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
      'auriga.rows_unreadable',
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

// ------------------------------------------------------------------ Edusign

async function checkEdusign(config: Config, deps: DoctorDeps): Promise<DoctorStep[]> {
  const edusign = createEdusignClient(config.edusign, {
    retry: deps.retry ?? DOCTOR_RETRY,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  let reasons: EdusignAbsenceReason[];
  try {
    reasons = await edusign.absenceReasons(deps.signal);
  } catch (error) {
    const why = describeFailure(error, config);
    return [
      failed('edusign.token', why.detail, why.fix, why.code),
      skippedAfter('edusign.absence_motives', 'edusign.token'),
    ];
  }
  const token = passed(
    'edusign.token',
    `${config.edusign.baseUrl} accepted the token (${maskSecret(config.edusign.token)}): ${reasons.length} absence reasons read`,
  );
  return [token, checkAbsenceMotives(config, reasons)];
}

/** Every Edusign reason named in options.absenceMotives exists on Edusign (names compared without case). */
function checkAbsenceMotives(config: Config, reasons: readonly EdusignAbsenceReason[]): DoctorStep {
  const mapping = Object.entries(config.options.absenceMotives);
  if (mapping.length === 0) {
    return skipped(
      'edusign.absence_motives',
      'no absence motives mapped (options.absenceMotives, optional)',
    );
  }
  const key = (name: string) => name.normalize('NFC').trim().toLocaleLowerCase('fr');
  const known = new Set(reasons.map((r) => key(r.NAME)));
  const missing = mapping.filter(([, name]) => !known.has(key(name)));
  const available = reasons.length > 0 ? reasons.map((r) => `"${r.NAME}"`).join(', ') : 'none';
  if (missing.length > 0) {
    return failed(
      'edusign.absence_motives',
      `${missing.length} of ${mapping.length} mapped absence reasons are not on Edusign: ${missing.map(([motive, name]) => `"${name}" (for Auriga's "${motive}")`).join(', ')}; Edusign has: ${available}`,
      "in options.absenceMotives, map each Auriga motive to one of Edusign's absence reasons, spelled as listed, or create the missing reasons in Edusign",
      'edusign.absence_motive_missing',
    );
  }
  return passed(
    'edusign.absence_motives',
    `all ${mapping.length} mapped absence reasons are on Edusign (${mapping.map(([, name]) => `"${name}"`).join(', ')})`,
  );
}
