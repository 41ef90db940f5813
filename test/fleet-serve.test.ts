import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { cli, freshDatabase, importSchool, TEST_KEY, waitFor } from './helpers/fleet.ts';

/** `serve --database --workers N`: /readyz checks the queue, /metrics shows the fleet; `sync --school` waits for its report. */

const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');
const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes({
    school: 'small',
    seed: 3,
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
  });
});
after(() => sandboxes.close());

test('serve --database with workers: ready, runs a school asked by sync --school, figures in /metrics', async (t) => {
  const url = await freshDatabase(t);
  const db = await openFleetDatabase({ url });
  t.after(() => db.close());
  await importSchool(db, keys, sandboxes.config, 'served-school');

  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--database', url, '--workers', '2', '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY },
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  const base = await waitFor(
    'the service url',
    () => /"url":"(http:[^"]+)"/.exec(output)?.[1],
    20_000,
  );

  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200, output);
  assert.deepEqual(await ready.json(), { status: 'ok', database: 'ok', queue: 'ok' });

  const synced = await cli(['sync', '--school', 'served-school', '--database', url, '--json']);
  assert.equal(synced.code, 0, synced.stderr + output);
  const report = JSON.parse(synced.stdout);
  assert.equal(report.school, 'served-school');
  assert.equal(report.outcome, 'succeeded');

  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /auriga_edusign_workers_alive 1/);
  assert.match(
    metrics,
    /auriga_edusign_last_success_timestamp_seconds\{school="served-school"\} \d+/,
  );
  assert.match(metrics, /auriga_edusign_queue_due_jobs 0/);
  assert.match(metrics, /auriga_edusign_queue_oldest_due_seconds 0/);
  assert.match(metrics, /auriga_edusign_schedule_lateness_seconds_count [1-9]/);

  const unknown = await cli(['sync', '--school', 'nobody', '--database', url]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /No school named "nobody"/);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
});
