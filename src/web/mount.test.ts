import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { openSqliteStore } from '../store/index.ts';
import { addAccount } from './accounts.ts';
import { hashPassword } from './auth/password.ts';
import { createLiveBoard } from './live.ts';
import { mountConsole } from './mount.ts';
import { createSchoolRegistry } from './schools.ts';

async function consoleApp(secure: boolean) {
  const store = await openSqliteStore(':memory:');
  const app = Fastify();
  await mountConsole(app, {
    registry: createSchoolRegistry({
      files: [],
      storeOf: () => store,
      consoleStore: store,
      storeConfig: { kind: 'sqlite', path: ':memory:' },
      console: store.console(),
    }),
    store: store.console(),
    live: createLiveBoard(),
    now: () => new Date(),
    enqueue: async () => true,
    running: () => [],
    activate: async () => undefined,
    publicUrl: () => 'https://console.example.org',
    secure,
  });
  const added = await addAccount(
    store.console(),
    { email: 'op@example.org', role: 'operator', schools: [] },
    { now: () => new Date(), publicUrl: 'https://console.example.org', actor: 'test' },
  );
  await store.console().setPassword(added.account.id, await hashPassword('a long password here'));
  return { app, store, link: added.signInLink };
}

test('behind TLS the session cookie is Secure, and HSTS is sent', async () => {
  const { app, store, link } = await consoleApp(true);
  assert.match(link, /^https:\/\/console\.example\.org\/welcome\?token=/);
  const answer = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: 'op@example.org', password: 'a long password here' },
  });
  assert.equal(answer.statusCode, 200);
  const cookie = String(answer.headers['set-cookie']);
  assert.match(cookie, /aes_session=.*; HttpOnly; Secure; SameSite=Lax/);
  assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
  await app.close();
  await store.close();
});

test('over plain HTTP the cookie is not Secure and no HSTS is sent', async () => {
  const { app, store } = await consoleApp(false);
  const answer = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: 'op@example.org', password: 'a long password here' },
  });
  assert.ok(!String(answer.headers['set-cookie']).includes('Secure'));
  assert.equal(answer.headers['strict-transport-security'], undefined);
  await app.close();
  await store.close();
});
