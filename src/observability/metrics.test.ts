import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMetrics } from './metrics.ts';

/** The value of one series in exposition text, by its exact name and labels. */
function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  test('runs, durations and operations appear with their values', async () => {
    const metrics = createMetrics();
    metrics.recordRun('ecole-a', 'succeeded', 12.5);
    metrics.recordRun('ecole-a', 'succeeded', 40);
    metrics.recordRun('ecole-b', 'deletions_held', 3);
    metrics.recordOperations('ecole-a', {
      sheet: { create: 3, update: 1, unchanged: 20 },
      learner: { created: 5, adopted: 2, held: 0, failed: 1 },
      group: { mystery: 7 },
    });
    const text = await metrics.text();
    assert.equal(
      seriesValue(text, 'auriga_edusign_runs_total{school="ecole-a",outcome="succeeded"}'),
      2,
    );
    assert.equal(
      seriesValue(text, 'auriga_edusign_runs_total{school="ecole-b",outcome="deletions_held"}'),
      1,
    );
    assert.equal(
      seriesValue(text, 'auriga_edusign_run_duration_seconds_count{school="ecole-a"}'),
      2,
    );
    assert.equal(
      seriesValue(text, 'auriga_edusign_run_duration_seconds_sum{school="ecole-a"}'),
      52.5,
    );
    assert.equal(
      seriesValue(text, 'auriga_edusign_run_duration_seconds_bucket{le="15",school="ecole-a"}'),
      1,
    );
    const op = (kind: string, action: string) =>
      seriesValue(
        text,
        `auriga_edusign_operations_total{school="ecole-a",kind="${kind}",action="${action}"}`,
      );
    assert.equal(op('sheet', 'create'), 3);
    assert.equal(op('sheet', 'unchanged'), 20);
    assert.equal(op('learner', 'create'), 5, 'the report spelling "created" counts as create');
    assert.equal(op('learner', 'adopt'), 2);
    assert.equal(op('learner', 'hold'), 0, 'a zero is a series, not a gap');
    assert.equal(op('learner', 'failed'), 1);
    assert.doesNotMatch(text, /mystery/);
  });

  test('API calls, errors and rate-limit waits, by side', async () => {
    const metrics = createMetrics();
    metrics.recordApiCall('edusign', 'POST /v1/course');
    metrics.recordApiCall('edusign', 'POST /v1/course');
    metrics.recordApiCall('auriga');
    metrics.recordApiError('edusign', 'edusign.rate_limited');
    metrics.recordApiError('auriga', 503);
    metrics.recordRateLimitWait('edusign', 1.25);
    metrics.recordRateLimitWait('edusign', 0.75);
    const text = await metrics.text();
    assert.equal(
      seriesValue(text, 'auriga_edusign_api_calls_total{side="edusign",route="POST /v1/course"}'),
      2,
    );
    assert.equal(seriesValue(text, 'auriga_edusign_api_calls_total{side="auriga"}'), 1);
    assert.equal(
      seriesValue(
        text,
        'auriga_edusign_api_errors_total{side="edusign",code="edusign.rate_limited"}',
      ),
      1,
    );
    assert.equal(seriesValue(text, 'auriga_edusign_api_errors_total{side="auriga",code="503"}'), 1);
    assert.equal(
      seriesValue(text, 'auriga_edusign_rate_limit_wait_seconds_total{side="edusign"}'),
      2,
    );
  });

  test('process metrics are there, and each instance has its own registry', async () => {
    const one = createMetrics();
    const two = createMetrics();
    one.recordRun('only-in-one', 'failed', 1);
    const [textOne, textTwo] = await Promise.all([one.registry.metrics(), two.registry.metrics()]);
    assert.match(textOne, /^process_cpu_user_seconds_total /m);
    assert.match(textOne, /^nodejs_eventloop_lag_seconds /m);
    assert.match(textOne, /only-in-one/);
    assert.doesNotMatch(textTwo, /only-in-one/);
    assert.match(one.contentType, /^text\/plain/);
    const bare = await createMetrics({ processMetrics: false }).text();
    assert.doesNotMatch(bare, /process_cpu/);
    assert.match(bare, /# TYPE auriga_edusign_runs_total counter/);
  });
});
