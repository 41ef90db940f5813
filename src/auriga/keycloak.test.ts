import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aurigaBase } from './client.ts';
import { describeNetworkError, keycloakBaseCandidates, realmInUrl } from './keycloak.ts';

describe('keycloakBaseCandidates', () => {
  test('the URL as given first, then with /auth added or removed', () => {
    assert.deepEqual(keycloakBaseCandidates('https://sso.school.fr/auth'), [
      'https://sso.school.fr/auth',
      'https://sso.school.fr',
    ]);
    assert.deepEqual(keycloakBaseCandidates('https://sso.school.fr'), [
      'https://sso.school.fr',
      'https://sso.school.fr/auth',
    ]);
    assert.deepEqual(keycloakBaseCandidates('https://sso.school.fr/auth//'), [
      'https://sso.school.fr/auth',
      'https://sso.school.fr',
    ]);
  });

  test('what was pasted after the base is cut off', () => {
    for (const pasted of [
      'https://x.fr/auth/realms/school',
      'https://x.fr/auth/realms/school/',
      'https://x.fr/auth/realms/school/protocol/openid-connect/token',
      'https://x.fr/auth/realms/school/account/#/personal-info',
      'https://x.fr/auth/admin/master/console/',
      'https://x.fr/auth/realms/school/protocol/openid-connect/auth?client_id=a&redirect_uri=b',
    ]) {
      assert.deepEqual(
        keycloakBaseCandidates(pasted),
        ['https://x.fr/auth', 'https://x.fr'],
        pasted,
      );
    }
    assert.deepEqual(keycloakBaseCandidates('https://x.fr/sso/realms/school'), [
      'https://x.fr/sso',
      'https://x.fr/sso/auth',
    ]);
  });

  test('the realm pasted in the URL', () => {
    assert.equal(realmInUrl('https://x.fr/auth/realms/my%20school/protocol'), 'my school');
    assert.equal(realmInUrl('https://x.fr/auth'), undefined);
    assert.equal(realmInUrl('not a url'), undefined);
  });
});

test('aurigaBase: trailing slashes and a pasted /api are dropped', () => {
  assert.equal(aurigaBase('https://auriga.school.fr/'), 'https://auriga.school.fr');
  assert.equal(aurigaBase(' https://auriga.school.fr/api/ '), 'https://auriga.school.fr');
  assert.equal(aurigaBase('https://school.fr/auriga'), 'https://school.fr/auriga');
});

test('describeNetworkError names the system error under fetch\'s "fetch failed"', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
    code: 'ECONNREFUSED',
  });
  assert.match(
    describeNetworkError(new TypeError('fetch failed', { cause: refused })),
    /^ECONNREFUSED/,
  );
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  assert.equal(describeNetworkError(timeout), 'no answer in time');
  assert.equal(describeNetworkError('odd'), 'odd');
});
