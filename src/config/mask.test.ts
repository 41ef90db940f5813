import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './load.ts';
import { maskConfig, maskConnectionString } from './mask.ts';

test('config check masks every secret without a hint of its length', () => {
  const shown = JSON.stringify(
    maskConfig(
      parseConfig(
        {
          auriga: {
            url: 'https://auriga.school.fr',
            keycloakUrl: 'https://auth.school.fr/auth',
            realm: 'school',
            clientId: 'edusign-sync',
            clientSecret: 'a',
            username: 'sync@school.fr',
            password: 'a-much-longer-password',
            interventionsQueryId: '4242',
            extraHeaders: { 'x-api-key': 'header-value' },
          },
          edusign: { token: 'edusign-token-value' },
        },
        { env: {} },
      ),
    ),
  );
  for (const secret of ['"a"', 'a-much-longer-password', 'header-value', 'edusign-token-value'])
    assert.ok(!shown.includes(secret), secret);
  assert.equal(shown.match(/"\*{8}"/g)?.length, 4);
});

test('a connection string keeps everything but its passwords', () => {
  assert.equal(
    maskConnectionString('postgres://postgres:hunter2pw@db.example/school'),
    'postgres://postgres:********@db.example/school',
  );
  assert.equal(
    maskConnectionString(
      'postgres://edusign@db.example:5432/school?password=hunter2pw&sslmode=require',
    ),
    'postgres://edusign@db.example:5432/school?password=********&sslmode=require',
  );
  assert.equal(
    maskConnectionString('postgres://edusign@db.example/school'),
    'postgres://edusign@db.example/school',
  );
  // What cannot be read as a URL cannot be masked in part.
  assert.equal(maskConnectionString('host=db password=hunter2pw'), '********');
});
