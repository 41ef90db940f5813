import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import {
  assertNoDuplicate,
  freshDatabase,
  importSchool,
  PG_BASE,
  startWorker,
  TEST_KEY,
  waitFor,
} from './helpers/fleet.ts';

/**
 * The fleet's database goes away in the middle of a run, then comes back:
 * the processes live on, say so, answer /readyz 503 meanwhile, and the
 * school is finished afterwards with nothing on Edusign twice. The outage
 * is a TCP proxy in front of the real server that the test cuts.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');
let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes({
    school: 'small',
    seed: 41,
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
  });
});
after(() => sandboxes.close());

/** A proxy to PostgreSQL that can be cut (every connection reset, new ones refused) and restored. */
async function pgProxy(t: { after(fn: () => unknown): void }) {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(PG_BASE.port), PG_BASE.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
  };
}

test('the database lost mid-run and back: processes live on, /readyz 503 meanwhile, the school finished, no duplicate', async (t) => {
  const realUrl = await freshDatabase(t);
  const proxy = await pgProxy(t);
  const viaProxy = new URL(realUrl);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const db = await openFleetDatabase({ url: realUrl });
  t.after(() => db.close());
  // Paced at 10 requests a second, so the cut falls inside the write phase.
  await importSchool(db, keys, sandboxes.config, 'outage-school', { requestsPerMinute: 600 });

  const serve = spawn(
    process.execPath,
    [BIN, 'serve', '--database', viaProxy.href, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY },
    },
  );
  let served = '';
  serve.stdout.on('data', (c: Buffer) => {
    served += c.toString();
  });
  serve.stderr.on('data', (c: Buffer) => {
    served += c.toString();
  });
  const serveExited = new Promise((resolve) => serve.on('exit', resolve));
  t.after(() => serve.kill('SIGKILL'));
  const base = await waitFor(
    'the service url',
    () => /"url":"(http:[^"]+)"/.exec(served)?.[1],
    30_000,
  );
  const worker = startWorker(t, viaProxy.href);

  const account = sandboxes.edusign.accounts()[0];
  assert.ok(account);
  await waitFor('the run writing to Edusign', () => account.state().courses.length >= 5, 60_000);
  proxy.cut();
  const cutAt = Date.now();
  const readiness = await waitFor(
    '/readyz to say the database is gone',
    async () => {
      const answer = await fetch(`${base}/readyz`);
      return answer.status === 503 ? answer.json() : undefined;
    },
    20_000,
  );
  assert.equal((readiness as { database: string }).database, 'unreachable');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 6000 - (Date.now() - cutAt))));
  proxy.restore();

  const finished = await waitFor(
    'the school finished after the outage',
    async () => {
      const { rows } = await db.pool.query(
        `SELECT outcome FROM "${db.schema}".runs WHERE school = $1 ORDER BY started_at`,
        ['outage-school'],
      );
      const outcomes = rows.map((r) => r.outcome as string);
      return outcomes.includes('succeeded') && !outcomes.includes('running') ? outcomes : undefined;
    },
    120_000,
    1000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- worker\n${worker.output()}\n--- serve\n${served}`);
  });
  assert.ok(finished.length >= 1);
  assert.equal((await fetch(`${base}/readyz`)).status, 200, 'ready again');

  assertNoDuplicate(account);
  assert.equal(worker.child.exitCode, null, `the worker lives on:\n${worker.output()}`);
  assert.equal(serve.exitCode, null, `serve lives on:\n${served}`);
  // Said once when it goes and once when it is back, not at every retry of every loop.
  const warnings = worker
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":40'));
  assert.ok(warnings.length <= 6, `${warnings.length} warnings:\n${warnings.join('\n')}`);
  assert.match(worker.output(), /the database cannot be reached/);
  assert.match(worker.output(), /the database is reachable again/);
  worker.child.kill('SIGTERM');
  serve.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.output());
  assert.equal(await serveExited, 0, served);
});
