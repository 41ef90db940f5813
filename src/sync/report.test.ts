import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyCounts, formatReport, type RunReport } from './report.ts';

const failed: RunReport = {
  runId: 'r1',
  school: 'ecole',
  dryRun: false,
  startedAt: '2026-12-01T11:00:00.000Z',
  finishedAt: '2026-12-01T11:00:01.000Z',
  outcome: 'failed',
  window: null,
  counts: emptyCounts(),
  problems: [],
  held: [],
  failures: [],
  done: [],
  guard: null,
  apiCalls: {
    auriga: 1,
    edusign: 0,
    edusignWrites: 0,
    edusignRateLimitWaitMs: 0,
    edusignByRoute: {},
  },
  error: { code: 'auriga.invalid_credentials', message: 'Keycloak refused the password.' },
};

describe('the report on a terminal', () => {
  test('a run that failed before doing anything prints its error, not a table of zeros', () => {
    const text = formatReport(failed);
    assert.match(text, /FAILED/);
    assert.match(text, /auriga\.invalid_credentials/);
    assert.doesNotMatch(text, /sheets\s+0\s+0/);
    assert.doesNotMatch(text, /created\s+updated/);
  });

  test('a run that did something prints its table, even when it failed later', () => {
    const counts = emptyCounts();
    counts.sheet.created = 3;
    const text = formatReport({ ...failed, counts });
    assert.match(text, /created\s+updated/);
    assert.match(text, /sheets\s+3/);
  });
});
