import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { createHttp, type HttpOptions, isRequestFailure, RequestFailure } from './request.ts';

/*
 * The shared request path against a real HTTP server on port 0 whose answers
 * each test scripts. The clock and the sleep are injected: the waits asked
 * for are recorded, none is slept.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handlers: Handler[] = [];
let hits = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    hits += 1;
    (handlers.shift() ?? answer(200, 'ok'))(req, res);
  });
});
let url = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  handlers = [];
  hits = 0;
});

function answer(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}
const drop: Handler = (req) => req.socket.destroy();

const NOW = Date.parse('2026-03-16T10:00:00Z');
function http(overrides: Partial<HttpOptions> = {}) {
  const waits: number[] = [];
  const paced: number[] = [];
  const client = createHttp({
    timeoutMs: 2000,
    retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0 },
    now: () => NOW,
    sleep: async (ms) => {
      waits.push(ms);
    },
    beforeAttempt: async () => {
      paced.push(hits);
    },
    ...overrides,
  });
  return { client, waits, paced };
}

test('every attempt is paced; Retry-After (seconds or a date on the injected clock) wins over the backoff', async () => {
  handlers = [
    answer(429, '', { 'retry-after': '2' }),
    answer(503, '', { 'retry-after': 'Mon, 16 Mar 2026 10:00:07 GMT' }),
    answer(502, ''),
    answer(200, 'done'),
  ];
  const { client, waits, paced } = http();
  const got = await client.send({ name: 'GET /x', url, method: 'GET' });
  assert.equal(got.status, 200);
  assert.equal(got.text, 'done');
  assert.deepEqual(waits, [2000, 7000, 400]);
  assert.deepEqual(paced, [0, 1, 2, 3], 'the pacing hook ran before each of the 4 attempts');
});

test('spent retries throw exhausted with the last answer; a 4xx is handed back, not retried', async () => {
  handlers = Array.from({ length: 4 }, () => answer(503, 'busy'));
  const { client } = http();
  const error = await client.send({ name: 'GET /x', url, method: 'GET' }).catch((e) => e);
  assert.ok(isRequestFailure(error, 'exhausted'), String(error));
  assert.equal(error.attempts, 4);
  assert.equal(error.status, 503);
  assert.equal(error.last?.text, 'busy');
  assert.equal(hits, 4);

  handlers = [answer(400, '{"error":"invalid_grant"}')];
  hits = 0;
  const refused = await client.send({ name: 'POST /token', url, method: 'POST', body: 'a=b' });
  assert.equal(refused.status, 400);
  assert.equal(hits, 1);
});

test('a create: a 500 or a dropped connection is outcome_unknown at once; a 503 is retried', async () => {
  const { client, waits } = http();
  const create = { name: 'POST /x', url, method: 'POST', body: '{}', safety: 'creates' } as const;
  for (const lost of [answer(500, 'oops'), drop]) {
    handlers = [lost];
    hits = 0;
    const error = await client.send(create).catch((e) => e);
    assert.ok(error instanceof RequestFailure && error.kind === 'outcome_unknown', String(error));
    assert.equal(hits, 1);
  }
  handlers = [answer(503, ''), answer(201, 'made')];
  hits = 0;
  assert.equal((await client.send(create)).text, 'made');
  assert.equal(hits, 2);
  assert.deepEqual(waits, [100]);
});

test('the final answer knows whether an earlier attempt may have been applied', async () => {
  const { client } = http();
  const del = { name: 'DELETE /x', url, method: 'DELETE', safety: 'deletes' } as const;
  handlers = [drop, answer(200, 'not found')];
  assert.equal(await client.send(del, (_a, c) => c.mayHaveApplied), true);
  // A 503 turned the request away: nothing was applied.
  handlers = [answer(503, ''), answer(200, 'not found')];
  assert.equal(await client.send(del, (_a, c) => c.mayHaveApplied), false);
});

test('a connection refused is retried, and the caller signal stops the waits', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const { client, waits } = http();
  const error = await client
    .send({ name: 'GET /x', url: `http://127.0.0.1:${port}/x`, method: 'GET', safety: 'creates' })
    .catch((e) => e);
  // Never sent: even a create is retried, until the retries run out.
  assert.ok(isRequestFailure(error, 'exhausted'), String(error));
  assert.match(error.reason, /ECONNREFUSED/);
  assert.equal(waits.length, 3);

  const controller = new AbortController();
  controller.abort(new Error('run stopped'));
  await assert.rejects(
    client.send({ name: 'GET /x', url, method: 'GET', signal: controller.signal }),
    /run stopped/,
  );
});
