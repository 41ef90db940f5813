import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { Temporal } from 'temporal-polyfill';
import YAML from 'yaml';
import { runSchool } from '../src/app/index.ts';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { createLogger } from '../src/observability/logger.ts';
import { localToday, type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { type Health, type Service, startService } from '../src/serve/service.ts';
import { openSharedStores } from '../src/serve/stores.ts';
import { openPostgresStore, openSqliteStore, openStore } from '../src/store/index.ts';
import { pastWindow } from './helpers/fleet.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';

/**
 * The service end to end: two schools, each on its own pair of sandboxes and
 * its own SQLite store, scheduled on a virtual clock through a simulated day.
 * Runs are real (HTTP to the sandboxes); only time is virtual, and it stands
 * still while a run is in progress.
 */

const ZONE = 'Europe/Paris';
const HOUR = 3_600_000;
const fastLimit = { requests: 100_000, windowMs: 60_000 };

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

const local = (date: string, time: string) =>
  new Date(Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(ZONE).epochMilliseconds);

const localClock = (instant: Date) =>
  Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(ZONE)
    .toPlainTime()
    .toString({ smallestUnit: 'minute' });

const nextDay = (day: string) => Temporal.PlainDate.from(day).add({ days: 1 }).toString();
const previousDay = (day: string) => Temporal.PlainDate.from(day).subtract({ days: 1 }).toString();

function schoolConfig(sandboxes: Sandboxes, school: string, dir: string): Config {
  return parseConfig(
    {
      ...sandboxes.config,
      school,
      edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000 },
      store: { kind: 'sqlite', path: path.join(dir, `${school}.sqlite`) },
    },
    { env: {}, baseDir: dir },
  );
}

async function getJson(url: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Health };
}

describe('serve: two schools on a virtual clock', () => {
  const today = localToday(ZONE);
  const tomorrow = nextDay(today);
  let dir: string;
  const sandboxes: Sandboxes[] = [];
  let configs: Config[];
  let clock: VirtualClock;
  let service: Service;
  const runs: { school: string; at: Date }[] = [];
  const finished: { school: string; outcome: string }[] = [];
  /** When set, the next run to start waits on it before syncing. */
  let gate: { opened: Promise<void>; started: () => void } | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-serve-'));
    for (const _ of ['alpha', 'beta'])
      sandboxes.push(await startSandboxes({ school: 'small', today, edusignRateLimit: fastLimit }));
    configs = [
      schoolConfig(sandboxes[0] as Sandboxes, 'alpha', dir),
      schoolConfig(sandboxes[1] as Sandboxes, 'beta', dir),
    ];
    // Both schools ran in yesterday's evening window: today starts with nothing to catch up.
    for (const config of configs) {
      const report = await runSchool(config, { now: () => local(previousDay(today), '19:00') });
      assert.equal(report.outcome, 'succeeded', JSON.stringify(report.error ?? report.failures));
    }
    clock = new VirtualClock(local(today, '00:00'));
    service = await startService({
      configs,
      clock,
      port: 0,
      logger: createLogger({ level: 'silent' }),
      maxSleepMs: 3 * HOUR,
      runSchool: async (config, options) => {
        runs.push({ school: config.school, at: clock.now() });
        const held = gate;
        if (held) {
          gate = undefined;
          held.started();
          await held.opened;
        }
        const report = await runSchool(config, options);
        finished.push({ school: config.school, outcome: report.outcome });
        return report;
      },
    });
  });

  after(async () => {
    await service?.stop(1000);
    await Promise.all(sandboxes.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('over a simulated day each school runs once in each window', async () => {
    await clock.runUntil(
      local(tomorrow, '00:00'),
      () => waitFor(() => clock.sleepers >= 2, 'every school to be idle'),
      true,
    );
    for (const school of ['alpha', 'beta']) {
      const times = runs.filter((r) => r.school === school).map((r) => localClock(r.at));
      assert.equal(times.length, 2, `${school} ran at ${times.join(', ')}`);
      const [morning = '', evening = ''] = times;
      assert.ok(morning >= '11:00' && morning < '13:00', `${school} morning run at ${morning}`);
      assert.ok(evening >= '18:00' && evening < '21:00', `${school} evening run at ${evening}`);
    }
    assert.deepEqual(
      finished.map((f) => f.outcome),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
  });

  test('/healthz lists each school with its last run and next run', async () => {
    const { status, body } = await getJson(`${service.url}/healthz`);
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    assert.deepEqual(
      body.schools.map((s) => s.school),
      ['alpha', 'beta'],
    );
    for (const school of body.schools) {
      assert.equal(school.running, false);
      assert.equal(school.lastRun?.outcome, 'succeeded');
      const next = new Date(school.nextRunAt ?? '');
      assert.ok(
        next >= local(tomorrow, '11:00') && next < local(tomorrow, '13:00'),
        `${school.school} runs next at ${school.nextRunAt}`,
      );
    }
  });

  test('/metrics counts runs by outcome, operations, and API calls by side', async () => {
    const response = await fetch(`${service.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    for (const school of ['alpha', 'beta']) {
      assert.match(
        text,
        new RegExp(`auriga_edusign_runs_total\\{school="${school}",outcome="succeeded"\\} 2\\n`),
      );
      assert.match(
        text,
        new RegExp(`auriga_edusign_run_duration_seconds_count\\{school="${school}"\\} 2\\n`),
      );
      // Unchanged data: every sheet of the window counted as unchanged, twice.
      assert.match(
        text,
        new RegExp(
          `auriga_edusign_operations_total\\{school="${school}",kind="sheet",action="unchanged"\\} [1-9]\\d*\\n`,
        ),
      );
    }
    assert.match(
      text,
      /auriga_edusign_api_calls_total\{side="edusign",route="GET \/v1\/course"\} \d+/,
    );
    assert.match(
      text,
      /auriga_edusign_api_calls_total\{side="auriga",route="POST \/api\/menuEntries\/:menuEntryId\/searchResult"\} \d+/,
    );
    assert.match(
      text,
      /auriga_edusign_api_calls_total\{side="auriga",route="POST \/realms\/:realm\/protocol\/openid-connect\/token"\} \d+/,
    );
    assert.doesNotMatch(text, /route="[^"]*\/\d{3,}/, 'no id in a route label');
  });

  test('stop() during a run answers 503 and waits for the run to finish', async () => {
    let started!: () => void;
    let open!: () => void;
    const runStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    gate = { opened: new Promise<void>((resolve) => (open = resolve)), started };
    const before = finished.length;
    // Past tomorrow's morning slots: both schools start their runs.
    clock.jumpTo(local(tomorrow, '12:59'));
    await runStarted;
    const stopping = service.stop(20_000);
    const { status, body } = await getJson(`${service.url}/healthz`);
    assert.equal(status, 503);
    assert.equal(body.status, 'stopping');
    assert.ok(body.schools.some((s) => s.running));
    assert.equal(
      await Promise.race([stopping.then(() => 'stopped'), delay(200).then(() => 'waiting')]),
      'waiting',
    );
    open();
    await stopping;
    assert.equal(finished.length, before + 2, 'both runs in progress finished');
    for (const config of configs) {
      const store = await openStore(config.store);
      try {
        const [last] = await store.forSchool(config.school).recentRuns(1);
        assert.equal(last?.outcome, 'succeeded');
        assert.ok(last?.finishedAt);
      } finally {
        await store.close();
      }
    }
    // Stopped: time passing starts nothing new.
    const count = runs.length;
    clock.jumpTo(local(nextDay(tomorrow), '20:00'));
    await delay(50);
    assert.equal(runs.length, count);
    await assert.rejects(fetch(`${service.url}/healthz`));
  });
});

describe('serve: configuration errors', () => {
  test('two schools with one name are refused with a clear error', async () => {
    const raw = {
      school: 'twin',
      auriga: {
        url: 'https://auriga.example',
        keycloakUrl: 'https://sso.example/auth',
        realm: 'r',
        clientId: 'c',
        clientSecret: 'client-secret-value',
        username: 'u',
        password: 'password-value',
        interventionsQueryId: '1',
      },
      edusign: { token: 'token-value' },
    };
    const config = parseConfig(raw, { env: {}, baseDir: tmpdir() });
    await assert.rejects(
      startService({ configs: [config, config], port: 0 }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'config.duplicate_school');
        assert.match(error.message, /"twin"/);
        return true;
      },
    );
  });
});

describe('serve: stores', () => {
  test('SQLite schools open their own file; schools on one PostgreSQL url share one store', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-stores-'));
    const schema = `serve_${process.pid}_${Date.now()}`;
    const env = process.env;
    const url = `postgres://${env.PGUSER ?? 'postgres'}@${env.PGHOST ?? '127.0.0.1'}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? 'test'}`;
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    t.after(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    });
    const base = {
      auriga: {
        url: 'https://auriga.example',
        keycloakUrl: 'https://sso.example/auth',
        realm: 'r',
        clientId: 'c',
        clientSecret: 'client-secret-value',
        username: 'u',
        password: 'password-value',
        interventionsQueryId: '1',
      },
      edusign: { token: 'token-value' },
    };
    const configs = [
      { school: 'a', store: { kind: 'sqlite', path: 'a.sqlite' } },
      { school: 'b', store: { kind: 'sqlite', path: 'b.sqlite' } },
      { school: 'c', store: { kind: 'postgres', url } },
      { school: 'd', store: { kind: 'postgres', url } },
    ].map((c) => parseConfig({ ...base, ...c }, { env: {}, baseDir: dir }));
    const opened: string[] = [];
    const stores = await openSharedStores(configs, async (store) => {
      opened.push(store.kind);
      return store.kind === 'postgres'
        ? openPostgresStore({ connectionString: store.url, schema })
        : openSqliteStore(store.path as string);
    });
    try {
      assert.deepEqual(opened, ['sqlite', 'sqlite', 'postgres']);
      assert.equal(stores.count, 3);
      assert.equal(stores.of('c'), stores.of('d'));
      assert.notEqual(stores.of('a'), stores.of('b'));
      // Shared, yet each school sees only its own runs.
      await stores
        .of('c')
        .forSchool('c')
        .startRun({ id: 'run-c', startedAt: new Date().toISOString(), dryRun: false });
      assert.equal((await stores.of('c').forSchool('c').recentRuns(5)).length, 1);
      assert.equal((await stores.of('d').forSchool('d').recentRuns(5)).length, 0);
    } finally {
      await stores.close();
    }
  });
});

describe('serve command', () => {
  let sandboxes: Sandboxes;
  let dir: string;
  before(async () => {
    sandboxes = await startSandboxes({ school: 'small', edusignRateLimit: fastLimit });
    dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-serve-cli-'));
  });
  after(async () => {
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves, logs JSON without secrets, runs a never-run school at once, stops on the signal', async (t) => {
    const file = path.join(dir, 'gamma.yaml');
    // A window missed today, so caught up at once whatever the time the test runs (inside an
    // open window, a school that never ran waits for its slot there).
    writeFileSync(
      file,
      YAML.stringify({
        ...sandboxes.config,
        school: 'gamma',
        edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000 },
        options: { ...sandboxes.config.options, timeZone: 'UTC', schedule: [pastWindow()] },
        store: { kind: 'sqlite', path: 'gamma.sqlite' },
      }),
    );
    let out = '';
    const controller = new AbortController();
    const io: CliIo = {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (out += text) },
      env: {},
      stopSignal: controller.signal,
    };
    const exited = main(['serve', '--config', file, '--port', '0', '--grace-seconds', '20'], io);
    // Whatever fails below, the service stops: a test left serving would hold the suite open.
    t.after(() => controller.abort());
    const lines = () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(() => lines().some((l) => l.msg === 'service started'), 'the service to start');
    const url = lines().find((l) => l.msg === 'service started')?.url as string;
    // Never run before: the missed window is caught up at once.
    await waitFor(() => lines().some((l) => l.msg === 'run finished'), 'the first run', 15_000);
    const { status, body } = await getJson(`${url}/healthz`);
    assert.equal(status, 200);
    assert.equal(body.schools[0]?.school, 'gamma');
    assert.equal(body.schools[0]?.lastRun?.outcome, 'succeeded');
    assert.equal(body.schools[0]?.state, 'healthy', 'each school has a state to alert on');
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    // Each run is logged once at its start and once at its end.
    const runId = lines().find((l) => l.msg === 'run finished')?.runId;
    assert.equal(lines().filter((l) => l.runId === runId && l.msg === 'run started').length, 1);
    assert.equal(lines().filter((l) => l.runId === runId && l.msg === 'run finished').length, 1);
    controller.abort();
    assert.equal(await exited, 0);
    assert.ok(lines().some((l) => l.msg === 'service stopped'));
    for (const secret of [
      sandboxes.edusign.token,
      sandboxes.auriga.password,
      sandboxes.auriga.clientSecret,
    ])
      assert.ok(!out.includes(secret), 'no secret in the logs');
  });
});
