/**
 * The prerequisites `doctor` walks, in order (issue 5, the seed's
 * "Prerequisite Information"). Each step depends on the one that must pass
 * before it can be checked at all; a step whose prerequisite failed is
 * skipped with the reason, not failed again, so the first failure is the one
 * to fix. The Edusign steps depend on nothing on the Auriga side, the store
 * step on nothing at all.
 */

export const STEP_IDS = Object.freeze([
  'keycloak.reachable',
  'keycloak.realm',
  'keycloak.client',
  'keycloak.user',
  'auriga.api',
  'auriga.favorite.interventions',
  'auriga.favorite.groups',
  'auriga.rows',
  'edusign.token',
  'edusign.absence_motives',
  'store',
] as const);

export type DoctorStepId = (typeof STEP_IDS)[number];

/**
 * Codes a doctor step fails with that no client throws: findings of the
 * doctor itself. The others are the clients' own (AURIGA_ERROR_CODES,
 * EDUSIGN_ERROR_CODES, the store's).
 */
export const DOCTOR_CODES = Object.freeze([
  /** Not one row of the sample could be turned into an intervention. */
  'auriga.rows_unreadable',
  /** A reason named in options.absenceMotives is not on Edusign. */
  'edusign.absence_motive_missing',
] as const);
export type DoctorCode = (typeof DOCTOR_CODES)[number];

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface DoctorStep {
  /** `configuration` is the command's own first step (the file loaded and valid). */
  readonly id: DoctorStepId | 'configuration';
  readonly title: string;
  readonly status: StepStatus;
  /** What was found: the evidence of a pass, the error of a failure, the reason of a skip. */
  readonly detail: string;
  /** What to change, for a failed step. */
  readonly fix?: string;
  /** The error code behind a failure (e.g. `auriga.direct_grants_disabled`). */
  readonly code?: string;
}

export const STEP_TITLES: Readonly<Record<DoctorStep['id'], string>> = Object.freeze({
  configuration: 'Configuration valid',
  'keycloak.reachable': 'Keycloak reachable',
  'keycloak.realm': 'Realm exists',
  'keycloak.client': 'Client accepted and allowed direct grants',
  'keycloak.user': 'User credentials accepted',
  'auriga.api': 'Auriga API reachable with the token',
  'auriga.favorite.interventions': 'Interventions favorite found with its required columns',
  'auriga.favorite.groups': 'Groups favorite found with its required columns',
  'auriga.rows': 'A sample of rows parsed',
  'edusign.token': 'Edusign token valid',
  'edusign.absence_motives': 'Absence motives of the mapping present on Edusign',
  store: 'Store opens, schema current, writable',
});

/** Which step must have passed for this one to be checked. */
export const DEPENDS_ON: Readonly<Partial<Record<DoctorStepId, DoctorStepId>>> = Object.freeze({
  'keycloak.realm': 'keycloak.reachable',
  'keycloak.client': 'keycloak.realm',
  'keycloak.user': 'keycloak.client',
  'auriga.api': 'keycloak.user',
  'auriga.favorite.interventions': 'auriga.api',
  'auriga.favorite.groups': 'auriga.api',
  'auriga.rows': 'auriga.favorite.interventions',
  'edusign.absence_motives': 'edusign.token',
});

export const passed = (id: DoctorStepId, detail: string): DoctorStep =>
  Object.freeze({ id, title: STEP_TITLES[id], status: 'passed', detail });

export const failed = (
  id: DoctorStep['id'],
  detail: string,
  fix: string | undefined,
  code?: string,
): DoctorStep =>
  Object.freeze({
    id,
    title: STEP_TITLES[id],
    status: 'failed',
    detail,
    ...(fix === undefined ? {} : { fix }),
    ...(code === undefined ? {} : { code }),
  });

export const skipped = (id: DoctorStepId, detail: string): DoctorStep =>
  Object.freeze({ id, title: STEP_TITLES[id], status: 'skipped', detail });

/** Skipped because `because` did not pass. */
export const skippedAfter = (id: DoctorStepId, because: DoctorStepId): DoctorStep =>
  skipped(id, `not checked: "${STEP_TITLES[because]}" must pass first`);

/** Every step passed or was skipped for a reason of its own (an optional part not configured). */
export function allPassed(steps: readonly DoctorStep[]): boolean {
  return steps.every((s) => s.status !== 'failed');
}
