import type { Problem } from '../../src/domain/types.ts';
import { emptyCounts, type RunReport } from '../../src/sync/report.ts';

/**
 * Run reports built by hand for the notification tests: the shape a run
 * leaves behind, with only what a rule reads set by each case.
 */

export interface ReportFields {
  readonly runId?: string;
  readonly school?: string;
  readonly at?: Date;
  readonly outcome?: RunReport['outcome'];
  readonly dryRun?: boolean;
  readonly problems?: readonly Problem[];
  readonly failures?: RunReport['failures'];
  readonly error?: RunReport['error'];
  /** Deletions held by the guard: their number. */
  readonly heldDeletions?: number;
}

let counter = 0;

export function problem(aurigaId: string, code = 'person.missing_email'): Problem {
  return {
    code,
    kind: 'learner',
    aurigaId,
    message: `Learner ${aurigaId} has no email in Auriga: add one so that Edusign can invite them.`,
  };
}

export function runReport(fields: ReportFields = {}): RunReport {
  counter += 1;
  const at = fields.at ?? new Date('2026-12-01T11:00:00Z');
  const held = fields.heldDeletions ?? 0;
  const outcome =
    fields.outcome ?? (fields.error ? 'failed' : held > 0 ? 'deletions_held' : 'succeeded');
  const counts = emptyCounts();
  counts.sheet.unchanged = 40;
  counts.sheet.created = 2;
  counts.sheet.held = held;
  return {
    runId: fields.runId ?? `run-${counter}`,
    school: fields.school ?? 'ecole-a',
    dryRun: fields.dryRun ?? false,
    startedAt: new Date(at.getTime() - 60_000).toISOString(),
    finishedAt: at.toISOString(),
    outcome,
    window: null,
    counts,
    problems: fields.problems ?? [],
    held: [],
    failures: fields.failures ?? [],
    done: [],
    guard:
      held > 0
        ? {
            triggered: true,
            managed: 40,
            deletions: held,
            reason: `${held} of 40 managed sheets would be deleted (more than 10%): confirm in the console.`,
          }
        : { triggered: false, managed: 40, deletions: 0, reason: null },
    apiCalls: {
      auriga: 3,
      edusign: 10,
      edusignWrites: 2,
      edusignRateLimitWaitMs: 0,
      edusignByRoute: {},
    },
    ...(fields.error ? { error: fields.error } : {}),
  };
}

export const networkError = {
  code: 'auriga.unavailable',
  message: 'Auriga did not answer GET /api/menus within 30 s.',
};

export const configurationError = {
  code: 'auriga.unauthorized_client',
  message: 'Keycloak refused the client `edusign-sync` (unauthorized_client).',
  hint: 'Enable Direct Access Grants for it.',
  configuration: true,
};
