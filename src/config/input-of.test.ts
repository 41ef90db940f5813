import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settingsInputOf } from './input-of.ts';
import { parseConfig } from './load.ts';

const file = {
  school: 'lycee-nord',
  auriga: {
    url: 'https://auriga.example.fr',
    keycloakUrl: 'https://auth.example.fr/auth/realms/nord',
    realm: 'nord',
    clientId: 'edusign-sync',
    clientSecret: 'client-secret-1',
    username: 'sync@example.fr',
    password: 'auriga-password-1',
    interventionsQueryId: '4242',
    groupsQueryId: '4343',
  },
  edusign: { token: 'edusign-token-1', api: 'v3' },
  options: { timeZone: 'Europe/Paris', language: 'fr', windowDays: 7 },
  store: { kind: 'sqlite', path: '/tmp/never-opened.sqlite' },
  notifications: {
    consoleUrl: 'https://sync.example.org/',
    email: {
      smtp: { host: 'smtp.example.org', user: 'sync', password: 'smtp-password-1' },
      from: 'sync@example.org',
      to: ['scolarite@example.fr'],
    },
    webhooks: [{ url: 'https://hooks.example.org/a', secret: 'hook-secret-1' }],
  },
};

test('a resolved configuration parses back from its input shape to the same configuration', () => {
  const config = parseConfig(file, { env: {} });
  const input = settingsInputOf(config);
  assert.equal(input.store, undefined, 'the store is not part of a school’s settings');
  const again = parseConfig({ ...input, store: file.store }, { env: {} });
  assert.deepEqual(again, config);
});

test('without notifications, or with an SMTP relay that needs no login', () => {
  const { notifications: _n, ...bare } = file;
  const config = parseConfig(bare, { env: {} });
  assert.deepEqual(
    parseConfig({ ...settingsInputOf(config), store: file.store }, { env: {} }),
    config,
  );
  const relay = parseConfig(
    {
      ...file,
      notifications: {
        consoleUrl: 'https://sync.example.org',
        email: {
          smtp: { host: 'relay.local', port: 25, starttls: false },
          from: 'a@b.fr',
          to: ['c@d.fr'],
        },
      },
    },
    { env: {} },
  );
  assert.deepEqual(
    parseConfig({ ...settingsInputOf(relay), store: file.store }, { env: {} }),
    relay,
  );
});
