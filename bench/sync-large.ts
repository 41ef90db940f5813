/**
 * How the sync behaves on a large school: starts both sandboxes serving the
 * `large` generated school (about 3,000 interventions, 6,000 learners, 400
 * instructors, 200 groups), then syncs it twice: the initial sync, then a
 * no-op run over unchanged data. Prints, for each, the write calls, the
 * batch calls (v3), the total calls, the wall time and the memory, and ends
 * with one line holding a JSON object of the figures.
 *
 * The sandbox's rate limits are lifted by default so that the figures show
 * the connector's own cost; `--real-limits` makes the sandbox (and the
 * client) keep Edusign's 480 requests a minute and 24 a minute for the v3
 * batches. `--api v3` writes with the v3 batches (`edusign.api: v3`).
 * `--store memory` keeps the store in memory instead of a SQLite file.
 *
 *   node bench/sync-large.ts [--api v1|v3] [--real-limits] [--store file|memory]
 *                            [--school large|small] [--seed 1] [--concurrency 8]
 *
 * A benchmark that prints figures, not a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runSchool } from '../src/app/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { startSandboxes } from '../src/sandbox/start.ts';
import { openSqliteStore } from '../src/store/index.ts';
import type { RunReport } from '../src/sync/report.ts';

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'v1' },
    'real-limits': { type: 'boolean', default: false },
    store: { type: 'string', default: 'file' },
    school: { type: 'string', default: 'large' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
  },
});
const api = values.api === 'v3' ? 'v3' : 'v1';
const school = values.school === 'small' ? 'small' : 'large';
const real = values['real-limits'];
const perMinute = real ? 480 : 1_000_000;
const heavyPerMinute = real ? 24 : 1_000_000;
const inMemory = values.store === 'memory';

const sandboxes = await startSandboxes({
  school,
  seed: Number(values.seed),
  edusignRateLimit: { requests: perMinute, windowMs: 60_000 },
  edusignHeavyRateLimit: { requests: heavyPerMinute, windowMs: 60_000 },
});
const dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-bench-'));
const store = inMemory ? await openSqliteStore(':memory:') : undefined;
try {
  const config = parseConfig(
    {
      ...sandboxes.config,
      school: 'bench',
      auriga: { ...sandboxes.config.auriga, pageSize: 500 },
      edusign: {
        ...sandboxes.config.edusign,
        requestsPerMinute: perMinute,
        concurrency: Number(values.concurrency),
        api,
        v3BaseUrl: sandboxes.edusign.v3Url,
      },
      store: { kind: 'sqlite', path: path.join(dir, 'bench.sqlite') },
    },
    { env: {}, baseDir: dir },
  );
  const s = sandboxes.school;
  console.log(
    `school ${school} (seed ${values.seed}): ${s.interventions.length} interventions, ${s.learners.length} learners, ${s.instructors.length} instructors, ${s.groups.length} groups; api ${api}; Edusign limits ${real ? '480/min, 24/min for batches' : 'lifted'}; store ${inMemory ? 'SQLite in memory' : 'SQLite file'}; concurrency ${values.concurrency}`,
  );
  const measure = async (label: string) => {
    const before = sandboxes.edusign.calls();
    const started = performance.now();
    const report: RunReport = await runSchool(config, store ? { store } : {});
    const ms = performance.now() - started;
    const after = sandboxes.edusign.calls();
    const writes = after.writes - before.writes;
    const total = after.total - before.total;
    let batches = 0;
    for (const [route, n] of Object.entries(after.byRoute))
      if (route.startsWith('POST /v3/')) batches += n - (before.byRoute[route] ?? 0);
    const c = report.counts;
    console.log(
      [
        `${label}: outcome ${report.outcome}`,
        `  Edusign: ${writes} write calls (${batches} v3 batches), ${total} calls in all (at 480/min: at least ${(total / 480).toFixed(1)} min); Auriga: ${report.apiCalls.auriga} calls`,
        `  sheets ${c.sheet.created} created / ${c.sheet.unchanged} unchanged; learners ${c.learner.created} / ${c.learner.unchanged}; instructors ${c.instructor.created} / ${c.instructor.unchanged}; groups ${c.group.created} / ${c.group.unchanged}; problems ${report.problems.length}; failed ${report.failures.length}`,
        `  wall time ${(ms / 1000).toFixed(2)} s; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (sandboxes included)`,
      ].join('\n'),
    );
    return {
      outcome: report.outcome,
      edusignCalls: total,
      writes,
      batchCalls: batches,
      failed: report.failures.length,
      wallS: Number((ms / 1000).toFixed(2)),
    };
  };
  const initial = await measure('initial sync');
  const noop = await measure('no-op sync ');
  if (noop.writes !== 0) console.log(`WARNING: the no-op run wrote ${noop.writes} times`);
  console.log(
    JSON.stringify({
      bench: 'sync',
      api,
      school,
      limits: real ? 'real' : 'lifted',
      store: inMemory ? 'memory' : 'file',
      initial,
      noop,
    }),
  );
} finally {
  await store?.close();
  await sandboxes.close();
  rmSync(dir, { recursive: true, force: true });
}
