import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { EdusignError } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { createTransport, type RequestEvent, type TransportOptions } from './transport.ts';

/*
 * The transport against a real HTTP server on port 0 whose answers each test
 * scripts: the cases the Edusign sandbox cannot stage (a 500 on a create, a
 * refused connection, a server that never answers).
 */

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const TOKEN = 'tok-secret-1234567890';
let handlers: Handler[] = [];
let seen: Array<{
  method: string;
  url: string;
  at: number;
  auth: string | undefined;
  body: string;
}> = [];
let baseUrl = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      at: performance.now(),
      auth: req.headers.authorization,
      body,
    });
    const handler = handlers.shift() ?? ok({ ID: 'default' });
    handler(req, res, body);
  });
});

function ok(result: unknown, status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', result }));
  };
}
function text(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
}
const drop: Handler = (req) => req.socket.destroy();
const hang: Handler = () => {};

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  handlers = [];
  seen = [];
});

function transport(overrides: Partial<TransportOptions> = {}) {
  const events: RequestEvent[] = [];
  const t = createTransport({
    baseUrl: `${baseUrl}/`,
    token: TOKEN,
    timeoutMs: 2000,
    limiter: new RateLimiter({ requestsPerMinute: 60_000 }),
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 200, jitter: 0 },
    onRequest: (event) => events.push(event),
    ...overrides,
  });
  return { t, events };
}

async function rejection(promise: Promise<unknown>): Promise<EdusignError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EdusignError, `expected an EdusignError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

const getCourse = { method: 'GET', route: '/v1/course/:id', path: '/v1/course/c%201' } as const;
const createCourse = {
  method: 'POST',
  route: '/v1/course',
  path: '/v1/course',
  body: { course: { NAME: 'x' } },
  creates: true,
} as const;

describe('edusign transport', () => {
  test('sends the token as a bearer header and the body as JSON, and reads the envelope', async () => {
    handlers = [ok({ ID: 'c1' })];
    const { t, events } = transport();
    const result = await t.request({ ...createCourse, query: { page: 0, skip: undefined } });
    assert.deepEqual(result, { ID: 'c1' });
    assert.equal(seen[0]?.auth, `Bearer ${TOKEN}`);
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { course: { NAME: 'x' } });
    assert.equal(seen[0]?.url, '/v1/course?page=0');
    assert.equal(events[0]?.route, '/v1/course');
    assert.equal(events[0]?.status, 200);
    assert.deepEqual(t.stats().byRoute, { 'POST /v1/course': 1 });
    assert.equal(t.stats().writes, 1);
  });

  test('a 500 then a dropped connection on a read are retried', async () => {
    handlers = [text(500, 'Internal Server Error'), drop, ok({ ID: 'c 1' })];
    const { t, events } = transport();
    assert.deepEqual(await t.request(getCourse), { ID: 'c 1' });
    assert.equal(seen.length, 3);
    assert.equal(seen[0]?.url, '/v1/course/c%201');
    assert.deepEqual(
      events.map((e) => e.status),
      [500, 'error', 200],
    );
    const stats = t.stats();
    assert.equal(stats.calls, 3);
    assert.equal(stats.retries, 2);
    assert.equal(stats.errors, 2);
    assert.equal(stats.writes, 0);
  });

  test('Retry-After is honoured (seconds, fractions allowed)', async () => {
    handlers = [text(429, 'Too Many Requests', { 'retry-after': '0.15' }), ok(true)];
    const { t } = transport();
    assert.equal(await t.request(getCourse), true);
    const gap = (seen[1]?.at ?? 0) - (seen[0]?.at ?? 0);
    assert.ok(gap >= 140, `second attempt after ${gap} ms`);
  });

  test('retries run out into edusign.unavailable, a transient error naming the route', async () => {
    handlers = Array.from({ length: 4 }, () => text(502, 'Bad Gateway'));
    const { t } = transport();
    const error = await rejection(t.request(getCourse));
    assert.equal(error.code, 'edusign.unavailable');
    assert.equal(error.transient, true);
    assert.equal(error.status, 502);
    assert.match(error.message, /GET \/v1\/course\/:id failed 4 times/);
    assert.equal(seen.length, 4);
  });

  test('a 500 answered to a create is an unknown outcome, never retried', async () => {
    handlers = [text(500, 'Internal Server Error')];
    const { t } = transport();
    const error = await rejection(t.request(createCourse));
    assert.equal(error.code, 'edusign.outcome_unknown');
    assert.equal(error.status, 500);
    assert.match(error.message, /API_ID/);
    assert.equal(seen.length, 1);
  });

  test('a 429 or a 503 answered to a create means nothing was written: retried', async () => {
    handlers = [
      text(503, 'Service Unavailable'),
      text(429, 'Too Many Requests', { 'retry-after': '0' }),
      ok({ ID: 'c9', id: 'c9' }),
    ];
    const { t } = transport();
    assert.deepEqual(await t.request(createCourse), { ID: 'c9', id: 'c9' });
    assert.equal(seen.length, 3);
  });

  test('a create whose connection drops after sending is an unknown outcome', async () => {
    handlers = [drop];
    const { t } = transport();
    const error = await rejection(t.request(createCourse));
    assert.equal(error.code, 'edusign.outcome_unknown');
    assert.equal(seen.length, 1);
  });

  test('a create that times out is an unknown outcome; a read that times out is retried', async () => {
    handlers = [hang];
    const { t } = transport({ timeoutMs: 150 });
    const error = await rejection(t.request(createCourse));
    assert.equal(error.code, 'edusign.outcome_unknown');
    assert.match(error.message, /no answer within 150 ms/);
    assert.equal(seen.length, 1);

    handlers = [hang, ok({ ID: 'c1' })];
    seen = [];
    assert.deepEqual(await t.request(getCourse), { ID: 'c1' });
    assert.equal(seen.length, 2);
    server.closeAllConnections();
  });

  test('a create whose connection is refused never reached Edusign: retried, then unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { t } = transport({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await rejection(t.request(createCourse));
    assert.equal(error.code, 'edusign.unavailable');
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(t.stats().calls, 4);
    assert.equal(t.stats().retries, 3);
  });

  test('a delete whose answer was lost and then "not found" is done', async () => {
    handlers = [
      drop,
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', message: 'Course not found' }));
      },
    ];
    const { t } = transport();
    const spec = {
      method: 'DELETE',
      route: '/v1/course/:id',
      path: '/v1/course/c1',
      deletes: true,
    } as const;
    assert.equal(await t.request(spec), true);
    assert.equal(seen.length, 2);
    // Without a lost answer, "not found" stays an error.
    handlers = [
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', message: 'Course not found' }));
      },
    ];
    assert.equal((await rejection(t.request(spec))).code, 'edusign.not_found');
  });

  test('business errors and 401 are not retried, and the token never shows', async () => {
    handlers = [text(401, `Unauthorized: token ${TOKEN} is unknown`)];
    const { t } = transport();
    const error = await rejection(t.request(getCourse));
    assert.equal(error.code, 'edusign.unauthorized');
    assert.equal(seen.length, 1);
    assert.ok(!inspect(error, { depth: 10 }).includes(TOKEN), 'token in the error');
    assert.match(error.message, /\*\*\*/);
  });

  test('an external signal stops the waits between retries', async () => {
    handlers = [text(503, 'Service Unavailable', { 'retry-after': '5' })];
    const { t } = transport({ retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 10_000 } });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('run stopped')), 100);
    await assert.rejects(t.request({ ...getCourse, signal: controller.signal }), /run stopped/);
    assert.ok(performance.now() - started < 4000);
    assert.equal(seen.length, 1);
  });

  test('an external signal during a create in flight is an unknown outcome', async () => {
    handlers = [hang];
    const { t } = transport();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run stopped')), 100);
    const error = await rejection(t.request({ ...createCourse, signal: controller.signal }));
    assert.equal(error.code, 'edusign.outcome_unknown');
    server.closeAllConnections();
  });

  test('the logger hears every request and every retry, never the token', async () => {
    handlers = [text(500, 'oops'), ok(true)];
    const lines: string[] = [];
    const logger = {
      debug: (data: Record<string, unknown>, message: string) =>
        lines.push(`debug ${message} ${JSON.stringify(data)}`),
      warn: (data: Record<string, unknown>, message: string) =>
        lines.push(`warn ${message} ${JSON.stringify(data)}`),
    };
    const { t } = transport({ logger });
    await t.request(getCourse);
    assert.equal(lines.filter((l) => l.startsWith('debug')).length, 2);
    assert.equal(lines.filter((l) => l.startsWith('warn')).length, 1);
    assert.ok(lines.every((l) => !l.includes(TOKEN)));
  });
});
