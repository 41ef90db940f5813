import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { freshDatabase, PG_BASE, startWorker, waitFor } from './helpers/fleet.ts';

/** A worker's start: refused without the key; waits, saying so, for a database that is not there yet. */

test('a worker without AURIGA_EDUSIGN_SECRET_KEY refuses to start and names the variable', async (t) => {
  const url = await freshDatabase(t);
  const worker = startWorker(t, url, [], { AURIGA_EDUSIGN_SECRET_KEY: '' });
  assert.equal(await worker.exited, 3);
  assert.match(worker.output(), /AURIGA_EDUSIGN_SECRET_KEY is not set/);
});

test('a database down at start: the worker retries with backoff, says so, and starts once it is up', async (t) => {
  const url = new URL(await freshDatabase(t));
  // A port with nothing behind it yet; later, a proxy to the real server.
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  url.host = `127.0.0.1:${port}`;
  const worker = startWorker(t, url.href);
  await waitFor(
    'the retry said in the log',
    () => /database cannot be reached: trying again/.test(worker.output()),
    20_000,
  );
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(PG_BASE.port), PG_BASE.host);
    sockets.add(client).add(server);
    client.pipe(server).pipe(client);
    const end = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    proxy.close();
  });
  await waitFor('the worker started', () => /worker started/.test(worker.output()), 30_000);
  assert.doesNotMatch(worker.output(), /Unexpected error/);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.output());
});
