import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { notifierFor } from '../src/app/notifier-for.ts';
import { main } from '../src/cli/main.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { type FleetDatabase, openFleetDatabase } from '../src/fleet/database.ts';
import { startFleetDeliveries } from '../src/fleet/deliveries.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { startFleetWorker } from '../src/fleet/worker.ts';
import { verifySignature } from '../src/notify/signature.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createSecretScrubber } from '../src/observability/secrets.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { freshDatabase, pastWindow, startWorker, TEST_KEY, waitFor } from './helpers/fleet.ts';
import { type HookReceiver, startHookReceiver } from './helpers/notify-servers.ts';
import { configurationError, runReport } from './helpers/run-reports.ts';

/**
 * The fleet's delivery loop on the real PostgreSQL (a database per test):
 * the notices a run queued are retried on their backoff by the workers'
 * loop, not at the school's next run; two loops on one database send each
 * notice once; a school whose secrets do not open does not hold the others
 * back; `worker --operator FILE` tells the operator too.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
const otherKeys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: 'c'.repeat(64) });
const HOOK_SECRET = `hook-secret-${randomBytes(6).toString('hex')}`;
const AURIGA_PASSWORD = `auriga-password-${randomBytes(6).toString('hex')}`;

/** A school of the fleet whose notices go to these webhooks (its Auriga and Edusign are never called here). */
function schoolConfig(school: string, hooks: readonly string[]): Config {
  return parseConfig(
    {
      school,
      auriga: {
        url: 'https://auriga.example.fr',
        keycloakUrl: 'https://sso.example.fr/auth',
        realm: 'school',
        clientId: 'edusign-sync',
        clientSecret: 'client-secret-of-the-test',
        username: 'edusign.sync',
        password: AURIGA_PASSWORD,
        interventionsQueryId: '4242',
      },
      edusign: { token: 'edusign-token-of-the-test' },
      options: { timeZone: 'UTC', schedule: [pastWindow()] },
      notifications: {
        consoleUrl: 'https://sync.example.org',
        webhooks: hooks.map((url) => ({ url, secret: HOOK_SECRET, timeoutMs: 5_000 })),
      },
    },
    { env: {} },
  );
}

/** What a worker does once a run's report is stored: the school's notices queued in the fleet's database. */
async function queueFailure(db: FleetDatabase, config: Config) {
  const notifier = notifierFor([config], db.store);
  const result = await notifier?.afterRun(
    runReport({ school: config.school, at: new Date(), error: configurationError }),
  );
  assert.ok(result?.ok && result.queued > 0, JSON.stringify(result));
}

function captureLogger() {
  let text = '';
  const scrubber = createSecretScrubber({});
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    logger: createLogger({ destination, pretty: false, secrets: scrubber }),
    scrubber,
    output: () => text,
  };
}

async function open(t: { after(fn: () => unknown): void }, url: string) {
  const db = await openFleetDatabase({ url });
  t.after(() => db.close());
  return db;
}

describe('fleet deliveries', () => {
  let hook: HookReceiver;
  before(async () => {
    hook = await startHookReceiver();
  });
  after(() => hook.close());

  test("a receiver answering 500 three times then 200 gets the notice once, after backoff, from the worker's loop", async (t) => {
    hook.requests.length = 0;
    hook.script = [500, 500, 500];
    const url = await freshDatabase(t);
    const db = await open(t, url);
    const config = schoolConfig('ecole-retry', [hook.url]);
    await db.schools.import(config, keys);
    const { logger, scrubber, output } = captureLogger();
    // A worker that runs no job (concurrency 0, no schedule): only its delivery loop works.
    const worker = await startFleetWorker({
      db,
      keys,
      logger,
      metrics: createMetrics(),
      scrubber,
      concurrency: 0,
      produce: false,
      deliveryIntervalMs: 50,
      deliveryPolicy: { baseDelayMs: 300, jitter: 0 },
    });
    let stopped = false;
    t.after(() => (stopped ? undefined : worker.stop({ graceMs: 0 })));
    await queueFailure(db, config);

    await waitFor('the notice delivered', () => hook.requests.length >= 4 && true, 20_000, 50);
    // A few more intervals: nothing is sent again.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(hook.requests.length, 4, output());
    const ids = new Set(hook.requests.map((r) => r.headers['x-auriga-edusign-notice']));
    assert.equal(ids.size, 1, 'one notice, tried four times');
    const times = hook.requests.map((r) => r.at.getTime());
    for (let i = 1; i < times.length; i++) {
      const backoff = 300 * 2 ** (i - 1);
      const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
      assert.ok(
        gap >= backoff - 5,
        `retry ${i} came ${gap} ms after the last try, before its backoff`,
      );
    }
    for (const request of hook.requests) {
      const verdict = verifySignature({
        header: request.headers['x-auriga-edusign-signature'],
        body: Buffer.from(request.body),
        secret: HOOK_SECRET,
        now: new Date(),
      });
      assert.ok(verdict.ok, 'signed with the secret opened from the database');
    }
    const queue = db.store.notifications();
    const [delivery] = await queue.listDeliveries({ school: 'ecole-retry' });
    assert.deepEqual([delivery?.status, delivery?.attempts], ['delivered', 4]);
    assert.deepEqual(
      (await queue.listAttempts({ school: 'ecole-retry' })).map((a) => a.status).reverse(),
      [500, 500, 500, 200],
    );
    assert.equal(
      (await db.store.forSchool('ecole-retry').recentRuns(5)).length,
      0,
      'no run was needed for the retries',
    );
    assert.ok(!output().includes(HOOK_SECRET), 'no secret logged');

    // The loop stops with the worker: a notice queued afterwards waits.
    await worker.stop({ graceMs: 0 });
    stopped = true;
    const later = schoolConfig('ecole-later', [hook.url]);
    await db.schools.import(later, keys);
    await queueFailure(db, later);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hook.requests.length, 4, 'nothing sent once the worker stopped');
  });

  test('two loops on one database, each its own connections, send every notice once', async (t) => {
    // A slow receiver, so that the two loops' passes overlap.
    const seen: string[] = [];
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        seen.push(`${request.headers['x-auriga-edusign-notice']} ${request.url}`);
        setTimeout(() => response.writeHead(204).end(), 40);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const url = await freshDatabase(t);
    const [one, two] = [await open(t, url), await open(t, url)];
    const schools = Array.from({ length: 8 }, (_, i) =>
      schoolConfig(`ecole-${i}`, [`${base}/a/${i}`, `${base}/b/${i}`]),
    );
    for (const config of schools) {
      await one.schools.import(config, keys);
      await queueFailure(one, config);
    }
    const sentBy = { one: 0, two: 0 };
    const counting = (name: keyof typeof sentBy): typeof fetch =>
      (async (input, init) => {
        sentBy[name] += 1;
        return fetch(input, init);
      }) as typeof fetch;
    const loops = (['one', 'two'] as const).map((name) => {
      const { logger, scrubber } = captureLogger();
      return startFleetDeliveries({
        db: name === 'one' ? one : two,
        keys,
        logger,
        scrubber,
        intervalMs: 20,
        // Two at a time, so that each loop claims again and again while the other does.
        policy: { batch: 2 },
        fetch: counting(name),
      });
    });
    t.after(() => Promise.all(loops.map((loop) => loop.stop())));
    await waitFor('16 deliveries', () => seen.length >= 16 && true, 20_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all(loops.map((loop) => loop.stop()));

    assert.equal(seen.length, 16, seen.join('\n'));
    assert.equal(new Set(seen).size, 16, 'no notice sent twice');
    assert.ok(sentBy.one > 0 && sentBy.two > 0, `both loops sent: ${JSON.stringify(sentBy)}`);
    const attempts = await one.store.notifications().listAttempts({ limit: 100 });
    assert.equal(attempts.length, 16, 'one attempt recorded per delivery');
  });

  test("a school whose secrets do not decrypt waits, said in the log; the others' notices go", async (t) => {
    hook.requests.length = 0;
    hook.script = [];
    const url = await freshDatabase(t);
    const db = await open(t, url);
    // Sealed under a key the loop is not given (a rotation gone wrong).
    const broken = schoolConfig('ecole-broken', [`${hook.url}/broken`]);
    await db.schools.import(broken, otherKeys);
    const good = [
      schoolConfig('ecole-good-1', [`${hook.url}/good-1`]),
      schoolConfig('ecole-good-2', [`${hook.url}/good-2`]),
    ];
    await queueFailure(db, broken);
    for (const config of good) {
      await db.schools.import(config, keys);
      await queueFailure(db, config);
    }
    const { logger, scrubber, output } = captureLogger();
    const loop = startFleetDeliveries({ db, keys, logger, scrubber, intervalMs: 50 });
    t.after(() => loop.stop());
    await waitFor('the good schools told', () => hook.requests.length >= 2 && true, 20_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await loop.stop();

    assert.deepEqual(hook.requests.map((r) => r.url).sort(), [
      '/edusign/good-1',
      '/edusign/good-2',
    ]);
    const queue = db.store.notifications();
    const [waiting] = await queue.listDeliveries({ school: 'ecole-broken' });
    assert.deepEqual(
      [waiting?.status, waiting?.attempts],
      ['pending', 0],
      'left waiting for the right key, not failed',
    );
    const lines = output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { school?: string; msg: string; err?: string });
    const said = lines.filter((l) => l.school === 'ecole-broken' && /cannot be opened/.test(l.msg));
    assert.equal(said.length, 1, 'said once, not at every pass');
    assert.match(said[0]?.err ?? '', /cannot decrypt/);
    for (const secret of [HOOK_SECRET, AURIGA_PASSWORD])
      assert.ok(!output().includes(secret), 'no secret logged');
  });
});

describe('worker --operator', () => {
  let sandboxes: Sandboxes;
  let schoolHook: HookReceiver;
  let operatorHook: HookReceiver;
  let dir: string;
  before(async () => {
    sandboxes = await startSandboxes({
      school: 'small',
      seed: 7,
      edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
    });
    schoolHook = await startHookReceiver();
    operatorHook = await startHookReceiver();
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-operator-'));
  });
  after(async () => {
    await Promise.all([sandboxes.close(), schoolHook.close(), operatorHook.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("a refused school's notice goes to its webhook and to the operator's, from a worker process", async (t) => {
    const url = await freshDatabase(t);
    const db = await open(t, url);
    // Its Auriga password refused (a configuration error: told at once), its own webhook set.
    await db.schools.import(
      parseConfig(
        {
          ...sandboxes.config,
          school: 'refused-school',
          auriga: { ...sandboxes.config.auriga, password: AURIGA_PASSWORD },
          edusign: { ...sandboxes.config.edusign, requestsPerMinute: 60_000 },
          options: { ...sandboxes.config.options, timeZone: 'UTC', schedule: [pastWindow()] },
          notifications: {
            consoleUrl: 'https://sync.example.org',
            webhooks: [{ url: schoolHook.url, secret: HOOK_SECRET }],
          },
        },
        { env: {} },
      ),
      keys,
    );
    const operatorSecret = `operator-secret-${randomBytes(6).toString('hex')}`;
    const operatorFile = path.join(dir, 'operator.yaml');
    writeFileSync(
      operatorFile,
      YAML.stringify({
        notifications: {
          consoleUrl: 'https://fleet.example.org',
          events: ['run_failed'],
          webhooks: [{ url: operatorHook.url, secret: { env: 'OPERATOR_HOOK_SECRET' } }],
        },
      }),
    );
    const worker = startWorker(
      t,
      url,
      ['--operator', operatorFile, '--delivery-interval-seconds', '1'],
      { OPERATOR_HOOK_SECRET: operatorSecret },
    );
    await waitFor(
      'both webhooks told',
      () => schoolHook.requests.length >= 1 && operatorHook.requests.length >= 1 && true,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(schoolHook.requests.length, 1, worker.output());
    assert.equal(operatorHook.requests.length, 1, worker.output());
    for (const [request, secret] of [
      [schoolHook.requests[0], HOOK_SECRET],
      [operatorHook.requests[0], operatorSecret],
    ] as const) {
      const body = JSON.parse(request?.body ?? '{}') as { event: string; school: string };
      assert.deepEqual([body.event, body.school], ['run_failed', 'refused-school']);
      const verdict = verifySignature({
        header: request?.headers['x-auriga-edusign-signature'],
        body: Buffer.from(request?.body ?? ''),
        secret,
        now: new Date(),
      });
      assert.ok(verdict.ok, 'signed with its own secret');
    }
    for (const secret of [HOOK_SECRET, operatorSecret, AURIGA_PASSWORD])
      assert.ok(!worker.output().includes(secret), 'no secret logged');
  });

  test('a wrong --operator file stops the worker before it starts, naming the key', async (t) => {
    const url = await freshDatabase(t);
    const file = path.join(dir, 'wrong.yaml');
    writeFileSync(file, YAML.stringify({ notifications: { consoleUrl: 'https://x.example' } }));
    const worker = startWorker(t, url, ['--operator', file]);
    assert.equal(await worker.exited, 3, worker.output());
    assert.match(worker.output(), /operator\.notifications/);
  });
});

describe('serve --database --operator', () => {
  test('is refused, naming where the operator file goes, rather than ignored', async (t) => {
    const url = await freshDatabase(t);
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-serve-operator-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'operator.yaml');
    writeFileSync(
      file,
      YAML.stringify({
        notifications: {
          consoleUrl: 'https://fleet.example.org',
          webhooks: [{ url: 'https://oncall.example.org/x', secret: 'operator-secret-1' }],
        },
      }),
    );
    let out = '';
    const stop = new AbortController();
    // Were it taken, the service would run until stopped: stopped after a while, it would exit 0.
    const timer = setTimeout(() => stop.abort(), 5_000);
    t.after(() => clearTimeout(timer));
    const code = await main(['serve', '--database', url, '--operator', file, '--port', '0'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (out += s) },
      env: { AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY },
      stopSignal: stop.signal,
    });
    assert.equal(code, 3, out);
    assert.match(out, /--operator.*worker/);
  });
});
