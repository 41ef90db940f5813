import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AurigaClient, aurigaBase } from './client.ts';

/*
 * The API client against a real HTTP server on port 0 whose answers each test
 * scripts: what the Auriga sandbox cannot stage (a Retry-After as an HTTP date).
 */

let answers: Array<(res: ServerResponse) => void> = [];
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => (answers.shift() ?? ((r) => r.end('{}')))(res));
});
let url = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const settings = () => ({
  url,
  username: 'edusign.sync',
  pageSize: 100,
  maxPages: 10,
  timeoutMs: 2000,
  extraHeaders: {},
});
/** A token source that always has the same token: the API is what is tested here. */
const tokens = {
  accessToken: async () => 'token',
  renewAfterRejection: async () => 'token',
};

test('Retry-After as an HTTP date is read against the injected clock, and waited with the injected sleep', async () => {
  const now = Date.parse('2026-03-16T10:00:00Z');
  answers = [
    (res) => {
      res.writeHead(503, { 'retry-after': 'Mon, 16 Mar 2026 10:00:03 GMT' });
      res.end('maintenance');
    },
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ menus: [] }));
    },
  ];
  const waits: number[] = [];
  const client = new AurigaClient(settings(), tokens, {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    retry: { retries: 2, jitter: 0 },
  });
  assert.deepEqual(await client.listMenus(), []);
  assert.deepEqual(waits, [3000]);
});

test('aurigaBase: trailing slashes and a pasted /api are dropped', () => {
  assert.equal(aurigaBase('https://auriga.school.fr/'), 'https://auriga.school.fr');
  assert.equal(aurigaBase(' https://auriga.school.fr/api/ '), 'https://auriga.school.fr');
  assert.equal(aurigaBase('https://school.fr/auriga'), 'https://school.fr/auriga');
});
