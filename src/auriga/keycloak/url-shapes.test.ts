import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keycloakBaseCandidates, realmInUrl } from './url-shapes.ts';

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
