/**
 * What durable commits cost a sync: the large school's initial sync (limits
 * lifted, v1 unless `--api v3`), once with the SQLite file store (each
 * commit on disk, `synchronous = FULL`) and once with SQLite in memory
 * (commits free), each against fresh sandboxes, in one run: `--rounds`
 * times each, alternating which goes first, the fastest of each kept. The ratio of the
 * two wall times is what the store's commits add; the executor journals a
 * chunk of writes in one transaction and saves its results in one, so it
 * should stay near 1. Ends with one line holding a JSON object.
 *
 *   node bench/store-commits.ts [--api v1|v3] [--school large|small] [--seed 1] [--concurrency 8] [--rounds 3]
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
import { openSqliteStore, type Store } from '../src/store/index.ts';

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'v1' },
    school: { type: 'string', default: 'large' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
  },
});
const rounds = Math.max(1, Number(values.rounds));
const api = values.api === 'v3' ? 'v3' : 'v1';
const school = values.school === 'small' ? 'small' : 'large';
const LIFTED = { requests: 1_000_000, windowMs: 60_000 };

async function initialSync(kind: 'file' | 'memory') {
  const sandboxes = await startSandboxes({
    school,
    seed: Number(values.seed),
    edusignRateLimit: LIFTED,
    edusignHeavyRateLimit: LIFTED,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-commits-'));
  const file = path.join(dir, 'bench.sqlite');
  const store = counted(await openSqliteStore(kind === 'file' ? file : ':memory:'));
  try {
    const config = parseConfig(
      {
        ...sandboxes.config,
        school: 'bench',
        auriga: { ...sandboxes.config.auriga, pageSize: 500 },
        edusign: {
          ...sandboxes.config.edusign,
          requestsPerMinute: LIFTED.requests,
          concurrency: Number(values.concurrency),
          api,
          v3BaseUrl: sandboxes.edusign.v3Url,
        },
        store: { kind: 'sqlite', path: file },
      },
      { env: {}, baseDir: dir },
    );
    const started = performance.now();
    const report = await runSchool(config, { store });
    const wallS = (performance.now() - started) / 1000;
    const calls = sandboxes.edusign.calls().total;
    console.log(
      `${kind === 'file' ? 'SQLite file  ' : 'SQLite memory'}: ${report.outcome}, ${calls} Edusign calls, ${store.commits()} store commits, ${wallS.toFixed(2)} s`,
    );
    return {
      outcome: report.outcome,
      edusignCalls: calls,
      storeCommits: store.commits(),
      wallS: Number(wallS.toFixed(2)),
    };
  } finally {
    await store.close();
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Store methods that each make one durable commit (SQLite autocommit, or one transaction). */
const WRITES = new Set([
  'commit',
  'putMapping',
  'deleteMapping',
  'journalBegin',
  'journalEnd',
  'startRun',
  'finishRun',
  'abandonRuns',
  'tryLock',
  'unlock',
]);

/** The store, counting the durable commits its schools' stores make. */
function counted(store: Store): Store & { commits(): number } {
  let commits = 0;
  return {
    close: () => store.close(),
    notifications: () => store.notifications(),
    console: () => store.console(),
    commits: () => commits,
    forSchool(name) {
      const inner = store.forSchool(name);
      return new Proxy(inner, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (WRITES.has(String(key))) commits += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
}

console.log(
  `school ${school} (seed ${values.seed}), api ${api}, limits lifted: initial sync, ${rounds} rounds`,
);
// Alternated, the best of each kept: the first sync of a process also pays for warming up.
const runs: Record<'file' | 'memory', Awaited<ReturnType<typeof initialSync>>[]> = {
  file: [],
  memory: [],
};
for (let round = 0; round < rounds; round++)
  for (const kind of round % 2 === 0
    ? (['memory', 'file'] as const)
    : (['file', 'memory'] as const))
    runs[kind].push(await initialSync(kind));
const best = (list: Awaited<ReturnType<typeof initialSync>>[]) =>
  list.reduce((a, b) => (b.wallS < a.wallS ? b : a));
const file = best(runs.file);
const memory = best(runs.memory);
const ratio = Number((file.wallS / memory.wallS).toFixed(2));
console.log(`file / memory wall time: ${ratio} (target ≤ 1.2)`);
console.log(JSON.stringify({ bench: 'store-commits', api, school, file, memory, ratio }));
