import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebError } from './errors.ts';
import { mergeSettings } from './settings.ts';

const base = {
  auriga: { url: 'https://a.example', clientSecret: 'kept-secret', realm: 'r' },
  edusign: { token: 'kept-token' },
};

test('a change merges section by section; a secret left empty keeps its value', () => {
  const merged = mergeSettings(base, {
    auriga: { clientSecret: '', realm: 'school', groupsQueryId: '' },
    options: { windowDays: 7 },
  });
  assert.deepEqual(merged, {
    auriga: { url: 'https://a.example', clientSecret: 'kept-secret', realm: 'school' },
    edusign: { token: 'kept-token' },
    options: { windowDays: 7 },
  });
  assert.equal(base.auriga.realm, 'r', 'the base is left as it was');
});

test("a secret by reference to the server's environment or files, or an unknown section, is refused", () => {
  const refused = (change: Record<string, unknown>) =>
    assert.throws(
      () => mergeSettings(base, change),
      (e) => e instanceof WebError && e.status === 400,
    );
  refused({ auriga: { password: { env: 'HOME' } } });
  refused({ edusign: { token: { file: '/etc/shadow' } } });
  refused({ store: { kind: 'postgres' } });
  refused({ auriga: 'not an object' });
});
