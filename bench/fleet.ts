/**
 * A fleet on this machine (fleet.md, "Scale to show"): starts one Auriga
 * sandbox serving N schools (each its own client, account and favorites) and
 * one Edusign sandbox with N accounts, imports the N schools into a fresh
 * PostgreSQL database, starts W `worker` processes, and compresses one
 * schedule window to M minutes starting a minute from now. Once a share of
 * the runs is done it SIGKILLs the first worker mid-run and times how long
 * until its school finishes elsewhere. Prints runs per school in the window
 * (must be 1), double runs (0), p50/p95 start lateness (start − planned
 * slot), throughput, peak memory per worker, the killed school's recovery
 * time, duplicates on Edusign, then one line holding a JSON object.
 *
 *   PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=test \
 *   node bench/fleet.ts [--schools 40] [--workers 2] [--window-minutes 2] [--concurrency 4]
 *                       [--requests-per-minute 480] [--no-kill]
 *
 * Each school paces its Edusign calls at --requests-per-minute (Edusign's
 * real limit is 480), so a small school's first run takes about 13 s of
 * calls: the fleet's throughput is bounded by N × runs / (W × concurrency).
 * A benchmark that prints figures, not a test.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseConfig } from '../src/config/load.ts';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { QUEUE_SCHEMA, RUN_QUEUE } from '../src/fleet/queue.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { startSandboxes } from '../src/sandbox/start.ts';

const { values } = parseArgs({
  options: {
    schools: { type: 'string', default: '40' },
    workers: { type: 'string', default: '2' },
    'window-minutes': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    'requests-per-minute': { type: 'string', default: '480' },
    'no-kill': { type: 'boolean', default: false },
  },
});
const N = Number(values.schools);
const W = Number(values.workers);
const M = Number(values['window-minutes']);
const C = Number(values.concurrency);
const perMinute = Number(values['requests-per-minute']);
const kill = !values['no-kill'] && W > 1;
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

const KEY = randomBytes(32).toString('base64');
const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: KEY });
const PG = {
  user: process.env.PGUSER ?? 'postgres',
  host: process.env.PGHOST ?? '127.0.0.1',
  port: process.env.PGPORT ?? '5432',
  database: process.env.PGDATABASE ?? 'test',
};
const urlOf = (db: string) =>
  `postgres://${encodeURIComponent(PG.user)}@${PG.host}:${PG.port}/${db}`;
const dbName = `fleet_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: urlOf(PG.database) });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = urlOf(dbName);

const t0 = performance.now();
const sandboxes = await startSandboxes({ schools: N, seed: 1, timeZone: 'UTC' });
log(
  `${N} schools on one Auriga and one Edusign sandbox in ${Math.round(performance.now() - t0)} ms`,
);

// The window: from the next whole minute + 1 to M minutes later, in UTC.
const now = new Date();
const windowStart = new Date(Math.ceil(now.getTime() / 60_000) * 60_000 + 60_000);
const windowEnd = new Date(windowStart.getTime() + M * 60_000);
if (windowEnd.getUTCDate() !== windowStart.getUTCDate())
  throw new Error('the window would cross midnight UTC: run again later');
const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const schedule = [{ from: hhmm(windowStart), to: hhmm(windowEnd) }];

const db = await openFleetDatabase({ url, max: 8 });
const t1 = performance.now();
// A run earlier today served yesterday's window: the schools wait for today's slot.
const servedAt = new Date(
  Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 0, 0, 1),
).toISOString();
for (const input of sandboxes.configs) {
  const config = parseConfig(
    {
      ...input,
      edusign: { ...input.edusign, requestsPerMinute: perMinute },
      options: { ...input.options, timeZone: 'UTC', schedule },
    },
    { env: {} },
  );
  await db.schools.import(config, keys);
  const store = db.store.forSchool(config.school);
  await store.startRun({ id: `bench-served-${config.school}`, startedAt: servedAt, dryRun: false });
  await store.finishRun(`bench-served-${config.school}`, {
    finishedAt: servedAt,
    outcome: 'succeeded',
    report: {},
  });
}
log(
  `${N} schools imported in ${Math.round(performance.now() - t1)} ms; window ${schedule[0]?.from}–${schedule[0]?.to} UTC`,
);

const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');
const workers: ChildProcess[] = [];
const peakKb = new Map<number, number>();
for (let i = 0; i < W; i++) {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--database',
      url,
      '--concurrency',
      String(C),
      '--tick-seconds',
      '5',
      '--poll-seconds',
      '1',
      '--supervise-seconds',
      '2',
      '--heartbeat-seconds',
      '10',
      '--retry-delay-seconds',
      '1',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, AURIGA_EDUSIGN_SECRET_KEY: KEY },
    },
  );
  workers.push(child);
}
/** Peak resident memory (VmHWM) of each worker, read from /proc while it lives. */
const sampler = setInterval(() => {
  for (const child of workers) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (hwm) peakKb.set(child.pid, Math.max(peakKb.get(child.pid) ?? 0, Number(hwm)));
    } catch {}
  }
}, 500);

const realRuns = async () =>
  (
    await db.pool.query(
      `SELECT school, id, outcome, started_at, finished_at FROM "${db.schema}".runs
       WHERE started_at >= $1 ORDER BY started_at`,
      [windowStart],
    )
  ).rows as {
    school: string;
    id: string;
    outcome: string;
    started_at: Date;
    finished_at: Date | null;
  }[];

let killed: { school: string; at: number; pid: number } | undefined;
let recoverySeconds: number | null = null;
const deadline = windowEnd.getTime() + 5 * 60_000;
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const runs = await realRuns();
  const served = new Set(
    runs
      .filter(
        (r) => r.outcome !== 'running' && r.outcome !== 'interrupted' && r.outcome !== 'abandoned',
      )
      .map((r) => r.school),
  );
  if (kill && killed === undefined && served.size >= Math.max(1, Math.floor(N / 4))) {
    const victim = workers[0];
    const { rows } = await db.pool.query(
      `SELECT school, owner FROM "${db.schema}".locks WHERE expires_at > now()`,
    );
    const held = rows.find((r) => Number(String(r.owner).split('/')[1]) === victim?.pid);
    if (victim?.pid !== undefined && held) {
      victim.kill('SIGKILL');
      killed = { school: held.school, at: Date.now(), pid: victim.pid };
      log(`killed worker ${victim.pid} while it ran ${held.school}`);
    }
  }
  if (killed && recoverySeconds === null && served.has(killed.school)) {
    recoverySeconds = (Date.now() - killed.at) / 1000;
    log(`${killed.school} finished elsewhere ${recoverySeconds.toFixed(1)} s after the kill`);
  }
  if (served.size >= N || Date.now() > deadline) {
    log(`${served.size} of ${N} schools served`);
    break;
  }
  if (Math.random() < 0.1) log(`${served.size} of ${N} schools served`);
}
clearInterval(sampler);

const runs = await realRuns();
const serving = runs.filter((r) => !['running', 'interrupted', 'abandoned'].includes(r.outcome));
const bySchool = new Map<string, number>();
for (const r of serving) bySchool.set(r.school, (bySchool.get(r.school) ?? 0) + 1);
const perSchool = [...new Set(sandboxes.configs.map((c) => c.school ?? ''))].map(
  (s) => bySchool.get(s) ?? 0,
);
const lateness = (
  await db.pool.query(
    `SELECT extract(epoch FROM started_on - start_after) AS s FROM ${QUEUE_SCHEMA}.job
     WHERE name = $1 AND started_on IS NOT NULL AND data->>'reason' <> 'manual' ORDER BY 1`,
    [RUN_QUEUE],
  )
).rows.map((r) => Number(r.s));
const pct = (p: number) =>
  lateness.length === 0
    ? null
    : Number(
        (
          lateness[Math.min(lateness.length - 1, Math.floor((p / 100) * lateness.length))] ?? 0
        ).toFixed(2),
      );
const first = Math.min(...serving.map((r) => r.started_at.getTime()));
const last = Math.max(...serving.map((r) => (r.finished_at ?? r.started_at).getTime()));
let duplicates = 0;
for (const account of sandboxes.edusign.accounts()) {
  const state = account.state();
  for (const items of [state.courses, state.students, state.professors]) {
    const ids = items.map((i) => i.API_ID);
    duplicates += ids.length - new Set(ids).size;
  }
}
const figures = {
  schools: N,
  workers: W,
  concurrencyPerWorker: C,
  windowMinutes: M,
  requestsPerMinutePerSchool: perMinute,
  runsPerSchool: { min: Math.min(...perSchool), max: Math.max(...perSchool) },
  schoolsServed: perSchool.filter((n) => n >= 1).length,
  doubleRuns: perSchool.filter((n) => n > 1).length,
  abandonedRuns: runs.filter((r) => r.outcome === 'abandoned').length,
  failedRuns: serving.filter((r) => r.outcome !== 'succeeded').length,
  latenessSeconds: { p50: pct(50), p95: pct(95), max: lateness.at(-1) ?? null },
  throughputRunsPerMinute:
    serving.length > 1 ? Number(((serving.length / (last - first)) * 60_000).toFixed(1)) : null,
  peakMemoryMbPerWorker: [...peakKb.values()].map((kb) => Math.round(kb / 1024)),
  killedWorkerSchoolFinishedAfterSeconds:
    recoverySeconds === null ? null : Number(recoverySeconds.toFixed(1)),
  edusignDuplicates: duplicates,
};
for (const child of workers)
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
await Promise.all(
  workers.map((child) =>
    child.exitCode !== null || child.signalCode !== null
      ? undefined
      : new Promise((r) => child.once('exit', r)),
  ),
);
await db.close();
await sandboxes.close();
await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
await admin.end();
process.stdout.write(`${JSON.stringify(figures)}\n`);
