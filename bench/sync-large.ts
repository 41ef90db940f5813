/**
 * How the sync behaves on a large school: starts both sandboxes serving the
 * `large` generated school (about 3,000 interventions, 6,000 learners, 400
 * instructors, 200 groups), then syncs it with the embedded store twice:
 * the initial sync, then a no-op run over unchanged data. Prints, for each,
 * the write calls, the total calls, the wall time and the memory.
 *
 * The sandbox's rate limit is lifted by default so that the figures show the
 * connector's own cost; at Edusign's real 480 requests a minute the floor of
 * a run is its call count / 480 minutes (printed too). Use
 * `--requests-per-minute 480` to run at the real limit.
 *
 *   node bench/sync-large.ts [--school large|small] [--seed 1] [--requests-per-minute N] [--concurrency 8]
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
import type { RunReport } from '../src/sync/report.ts';

const { values } = parseArgs({
  options: {
    school: { type: 'string', default: 'large' },
    seed: { type: 'string', default: '1' },
    'requests-per-minute': { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const school = values.school === 'small' ? 'small' : 'large';
const perMinute = Number(values['requests-per-minute']);

const sandboxes = await startSandboxes({
  school,
  seed: Number(values.seed),
  edusignRateLimit: { requests: perMinute, windowMs: 60_000 },
});
const dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-bench-'));
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
      },
      store: { kind: 'sqlite', path: path.join(dir, 'bench.sqlite') },
    },
    { env: {}, baseDir: dir },
  );
  const s = sandboxes.school;
  console.log(
    `school ${school} (seed ${values.seed}): ${s.interventions.length} interventions, ${s.learners.length} learners, ${s.instructors.length} instructors, ${s.groups.length} groups; Edusign limit ${perMinute}/min, concurrency ${values.concurrency}`,
  );
  const measure = async (label: string) => {
    const before = sandboxes.edusign.calls();
    const started = performance.now();
    const report: RunReport = await runSchool(config);
    const ms = performance.now() - started;
    const after = sandboxes.edusign.calls();
    const writes = after.writes - before.writes;
    const total = after.total - before.total;
    const c = report.counts;
    console.log(
      [
        `${label}: outcome ${report.outcome}`,
        `  Edusign: ${writes} write calls, ${total} calls in all (at 480/min: at least ${(total / 480).toFixed(1)} min); Auriga: ${report.apiCalls.auriga} calls`,
        `  sheets ${c.sheet.created} created / ${c.sheet.unchanged} unchanged; learners ${c.learner.created} / ${c.learner.unchanged}; instructors ${c.instructor.created} / ${c.instructor.unchanged}; groups ${c.group.created} / ${c.group.unchanged}; problems ${report.problems.length}; failed ${report.failures.length}`,
        `  wall time ${(ms / 1000).toFixed(2)} s; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (sandboxes included)`,
      ].join('\n'),
    );
    return writes;
  };
  await measure('initial sync');
  const noop = await measure('no-op sync ');
  if (noop !== 0) console.log(`WARNING: the no-op run wrote ${noop} times`);
} finally {
  await sandboxes.close();
  rmSync(dir, { recursive: true, force: true });
}
