import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { apiSession, PASSWORD } from './helpers/console-harness.ts';
import {
  cli,
  freshDatabase,
  importSchool,
  startFleetConsole,
  startWorker,
  TEST_KEY,
  waitFor,
} from './helpers/fleet.ts';

/**
 * `serve --database` serves the console for the fleet's schools: the rows
 * `school import` writes are the ones the console lists and edits, an edit
 * keeps the previous version, Run now goes through the queue to a worker.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
const fast = { requests: 100_000, windowMs: 60_000 };
let imported: Sandboxes;
let spare: Sandboxes;
before(async () => {
  [imported, spare] = await Promise.all([
    startSandboxes({ school: 'small', seed: 21, edusignRateLimit: fast }),
    startSandboxes({ school: 'small', seed: 22, edusignRateLimit: fast }),
  ]);
});
after(() => Promise.all([imported.close(), spare.close()]));

async function fleetWithConsole(t: { after(fn: () => unknown): void }, workers = 1) {
  const url = await freshDatabase(t);
  const db = await openFleetDatabase({ url });
  t.after(() => db.close());
  const service = await startFleetConsole(t, db, keys, {
    workers,
    operator: { email: 'op@example.org', password: PASSWORD },
  });
  return { url, db, service, op: await apiSession(service.url, 'op@example.org') };
}

const settingsOf = (sandboxes: Sandboxes) => ({
  auriga: {
    url: sandboxes.auriga.url,
    keycloakUrl: sandboxes.auriga.keycloakUrl,
    realm: sandboxes.auriga.realm,
    clientId: sandboxes.auriga.clientId,
    clientSecret: sandboxes.auriga.clientSecret,
    username: sandboxes.auriga.username,
    password: sandboxes.auriga.password,
    interventionsQueryId: sandboxes.auriga.interventionsQueryId,
  },
  edusign: { token: sandboxes.edusign.token, baseUrl: sandboxes.edusign.url },
  options: { timeZone: 'UTC' },
});

test('the console lists, adds and edits the fleet’s schools rows, keeping each previous version', async (t) => {
  const { url, db, op } = await fleetWithConsole(t);
  await importSchool(db, keys, imported.config, 'imported-school');

  const listed = (await op.call('GET', '/api/schools')).json().schools as Array<{
    name: string;
    source: string;
    active: boolean;
  }>;
  assert.deepEqual(
    listed.map((s) => [s.name, s.source, s.active]),
    [['imported-school', 'database', true]],
  );

  // Added in the console: a schools row, disabled until activated.
  const added = await op.call('POST', '/api/schools', {
    name: 'console-school',
    settings: settingsOf(spare),
  });
  assert.equal(added.status, 201, added.text);
  const row = await db.schools.get('console-school');
  assert.equal(row?.enabled, false);
  assert.equal(row?.version, 1);
  const shown = await cli(['school', 'list', '--database', url]);
  assert.match(shown.stdout, /console-school/);

  // A change in the console is a new version; the one before is kept.
  const changed = await op.call('PUT', '/api/schools/console-school/settings', {
    options: { windowDays: 7 },
  });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await db.schools.get('console-school'))?.version, 2);
  assert.deepEqual(
    (await db.schools.versions('console-school')).map((v) => v.version),
    [1],
  );
  const config = await db.schools.config('console-school', keys);
  assert.equal(config?.options.windowDays, 7);
  assert.equal(config?.edusign.token, spare.edusign.token, 'a secret left out keeps its value');

  // The imported school is edited the same way, and `school import` sees the console's change.
  const edited = await op.call('PUT', '/api/schools/imported-school/settings', {
    options: { courseNameSeparator: ' - ' },
  });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(
    (await db.schools.config('imported-school', keys))?.options.courseNameSeparator,
    ' - ',
  );
  assert.equal((await db.schools.versions('imported-school')).length, 1);

  // Refused settings write nothing.
  const refused = await op.call('PUT', '/api/schools/console-school/settings', {
    options: { windowDays: 500 },
  });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /windowDays/);
  assert.equal((await db.schools.get('console-school'))?.version, 2);

  // Activate enables the row: the schedule gives it jobs from now on.
  assert.equal((await op.call('POST', '/api/schools/console-school/activate')).status, 200);
  assert.equal((await db.schools.get('console-school'))?.enabled, true);

  // No answer carries a stored secret.
  for (const route of ['/api/schools', '/api/schools/console-school/settings']) {
    const answer = (await op.call('GET', route)).text;
    for (const secret of [spare.auriga.password, spare.auriga.clientSecret, spare.edusign.token])
      assert.ok(!answer.includes(secret), `${route} shows a secret`);
  }
});

test('Run now goes through the queue to a worker; its report is the console’s', async (t) => {
  const { db, op } = await fleetWithConsole(t);
  // Disabled: no window's job (not even a catch-up), only the run asked.
  await importSchool(db, keys, imported.config, 'run-now-school', { enabled: false });
  const asked = await op.call('POST', '/api/schools/run-now-school/run');
  assert.equal(asked.status, 202, asked.text);
  assert.equal(asked.json().queued, true);
  const runs = await waitFor(
    'the run asked from the console',
    async () => {
      const list = (await op.call('GET', '/api/schools/run-now-school/runs')).json().runs as Array<{
        outcome: string;
        writes: number;
      }>;
      return list.find((r) => r.outcome !== 'running') ? list : undefined;
    },
    60_000,
  );
  assert.equal(runs.length, 1, 'one run: the one asked');
  assert.equal(runs[0]?.outcome, 'succeeded');
  assert.ok((runs[0]?.writes ?? 0) > 0);
});

test('a school whose secrets do not open under the key is listed, and nothing is sent with it', async (t) => {
  const { db, op } = await fleetWithConsole(t);
  const otherKeys = loadSecretKeys({
    AURIGA_EDUSIGN_SECRET_KEY: randomBytes(32).toString('base64'),
  });
  await importSchool(db, otherKeys, imported.config, 'other-key-school');
  const listed = (await op.call('GET', '/api/schools')).json().schools as Array<{ name: string }>;
  assert.deepEqual(
    listed.map((s) => s.name),
    ['other-key-school'],
  );
  const preview = await op.call('POST', '/api/schools/other-key-school/preview');
  assert.equal(preview.status, 409, preview.text);
  assert.match(preview.text, /school\.unusable/);
  assert.match(preview.text, /AURIGA_EDUSIGN_SECRET_KEY/);
  const page = await op.call('GET', '/api/schools/other-key-school');
  assert.equal(page.status, 200, page.text);
});

test('Run now asked twice before a worker takes it is queued once', async (t) => {
  const { url, db, op } = await fleetWithConsole(t, 0);
  await importSchool(db, keys, imported.config, 'twice-school', { enabled: false });
  assert.equal((await op.call('POST', '/api/schools/twice-school/run')).json().queued, true);
  assert.equal((await op.call('POST', '/api/schools/twice-school/run')).json().queued, false);
  const { openFleetQueue } = await import('../src/fleet/queue.ts');
  const queue = await openFleetQueue({
    db,
    logger: createLogger({ level: 'silent' }),
    concurrency: 0,
    produce: false,
  });
  t.after(() => queue.stop({ graceMs: 0 }));
  assert.equal((await queue.depth()).due, 1);
  assert.equal(queue.waiting(), 1, 'waiting() answers the fleet’s due jobs');
  assert.match((await cli(['school', 'list', '--database', url])).stdout, /twice-school/);
});

test('the live view shows a run in progress on a worker process of its own, then its end', async (t) => {
  const { url, db, op } = await fleetWithConsole(t, 0);
  // An Edusign account of its own: one the other tests synced would be adopted in a moment.
  const fresh = await startSandboxes({ school: 'small', seed: 23, edusignRateLimit: fast });
  t.after(() => fresh.close());
  // Paced at 10 requests a second: the run lasts long enough to be seen in progress.
  await importSchool(db, keys, fresh.config, 'live-school', {
    enabled: false,
    requestsPerMinute: 600,
  });
  const worker = startWorker(t, url);
  assert.equal((await op.call('POST', '/api/schools/live-school/run')).status, 202);
  let last: unknown;
  const views: string[] = [];
  const seen = await waitFor(
    'the run in progress, as the worker publishes it',
    async () => {
      const view = (await op.call('GET', '/api/schools/live-school/live')).json() as {
        running: boolean;
        run: { phase: string; done: number; total: number | null } | null;
      };
      const text = JSON.stringify(view);
      if (text !== JSON.stringify(last)) views.push(`${new Date().toISOString()} ${text}`);
      last = view;
      return view.running && view.run?.phase === 'write' && view.run.done > 0 ? view : undefined;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; seen:\n${views.join('\n')}\n--- worker\n${worker.output()}`);
  });
  assert.ok((seen.run?.total ?? 0) > (seen.run?.done ?? 0), worker.output());
  const end = await waitFor(
    'the end of the run',
    async () => {
      const view = (await op.call('GET', '/api/schools/live-school/live')).json() as {
        run: { phase: string; outcome: string | null; runId: string | null } | null;
      };
      return view.run?.phase === 'finished' ? view.run : undefined;
    },
    60_000,
  );
  assert.equal(end.outcome, 'succeeded');
  assert.ok(end.runId);
});

test('failed sign-ins count across every serve of the fleet: the sixth, on another process, is refused', async (t) => {
  const { db, service } = await fleetWithConsole(t, 0);
  const second = await startFleetConsole(t, db, keys, { workers: 0 });
  const signIn = (url: string, password: string) =>
    fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'op@example.org', password }),
    }).then((r) => r.status);
  // Five wrong passwords spread over the two processes.
  for (const url of [service.url, second.url, service.url, second.url, service.url])
    assert.equal(await signIn(url, 'wrong password'), 401);
  assert.equal(
    await signIn(second.url, 'wrong password'),
    429,
    'the other process counts them too',
  );
  assert.equal(await signIn(second.url, PASSWORD), 429, 'even the right password waits');
});
