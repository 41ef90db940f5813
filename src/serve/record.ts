import type { SchoolRunOptions } from '../app/index.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { RunReport } from '../sync/report.ts';

/** A finished run in the metrics: its outcome and duration, its counts, its rate-limit wait. */
export function recordReport(metrics: Metrics, report: RunReport, seconds: number): void {
  metrics.recordRun(report.school, report.outcome, seconds);
  metrics.recordOperations(report.school, report.counts);
  metrics.recordRateLimitWait('edusign', report.apiCalls.edusignRateLimitWaitMs / 1000);
}

/**
 * The `onRequest` hook of `runSchool` that counts every HTTP attempt by side
 * and route template, and every failed one (HTTP 4xx/5xx or no answer) by status.
 */
export function requestRecorder(metrics: Metrics): NonNullable<SchoolRunOptions['onRequest']> {
  return (side, event) => {
    metrics.recordApiCall(side, event.method ? `${event.method} ${event.route}` : event.route);
    if (event.status === 'error') metrics.recordApiError(side, 'no_answer');
    else if (event.status >= 400) metrics.recordApiError(side, event.status);
  };
}
