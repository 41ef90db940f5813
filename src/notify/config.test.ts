import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SecretInput } from '../config/schema.ts';
import { ConfigError } from '../errors/app-error.ts';
import {
  noticeLanguage,
  notificationsSchema,
  parseNotifications,
  resolveNotifications,
  secretsOf,
} from './config.ts';

const example = {
  consoleUrl: 'https://sync.example.org/',
  email: {
    smtp: {
      host: 'smtp.example.org',
      port: 587,
      starttls: true,
      user: 'sync',
      password: { env: 'SMTP_PASSWORD' },
    },
    from: 'sync@example.org',
    to: ['scolarite@ecole.example'],
  },
  webhooks: [{ url: 'https://hooks.example.org/edusign', secret: { env: 'HOOK_SECRET' } }],
};

const seen: string[] = [];
const resolveSecret = (key: string, secret: SecretInput) => {
  seen.push(key);
  return typeof secret === 'string'
    ? secret
    : `resolved:${'env' in secret ? secret.env : secret.file}`;
};

describe('notifications config', () => {
  test('the example parses, defaults filled, secrets resolved by the loader, keys named', () => {
    seen.length = 0;
    const settings = resolveNotifications(parseNotifications(example), {
      owner: 'ecole-a',
      defaultLanguage: 'fr',
      resolveSecret,
    });
    assert.equal(settings.consoleUrl, 'https://sync.example.org');
    assert.equal(settings.language, 'fr');
    assert.deepEqual(settings.events, [
      'run_failed',
      'deletions_held',
      'new_problems',
      'recovered',
    ]);
    assert.deepEqual(settings.email?.smtp.auth, {
      user: 'sync',
      password: 'resolved:SMTP_PASSWORD',
    });
    assert.equal(settings.email?.smtp.acceptSelfSignedCertificate, false);
    assert.equal(settings.email?.smtp.timeoutMs, 30_000);
    assert.deepEqual(settings.webhooks, [
      {
        url: 'https://hooks.example.org/edusign',
        secret: 'resolved:HOOK_SECRET',
        timeoutMs: 10_000,
      },
    ]);
    assert.deepEqual(seen, [
      'notifications.email.smtp.password',
      'notifications.webhooks.0.secret',
    ]);
    assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.webhooks[0]));
    assert.deepEqual(secretsOf([settings]), ['resolved:SMTP_PASSWORD', 'resolved:HOOK_SECRET']);
  });

  test('the language comes from the school when not given; anything but French is English', () => {
    const parsed = parseNotifications({ ...example, webhooks: [] });
    const lang = (defaultLanguage: string | undefined) =>
      resolveNotifications(parsed, { owner: 'x', defaultLanguage, resolveSecret }).language;
    assert.equal(lang('fr'), 'fr');
    assert.equal(lang('fr-CA'), 'fr');
    assert.equal(lang('en'), 'en');
    assert.equal(lang('de'), 'en');
    assert.equal(lang(undefined), 'en');
    assert.equal(noticeLanguage('FR'), 'fr');
    const english = parseNotifications({ ...example, language: 'en' });
    assert.equal(
      resolveNotifications(english, { owner: 'x', defaultLanguage: 'fr', resolveSecret }).language,
      'en',
    );
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['an unknown key', { ...example, emial: {} }, /notifications\.emial: unknown key/],
    [
      'a misspelt SMTP key',
      { ...example, email: { ...example.email, smtp: { ...example.email.smtp, pasword: 'x' } } },
      /notifications\.email\.smtp\.pasword: unknown key/,
    ],
    [
      'a user without a password',
      { ...example, email: { ...example.email, smtp: { host: 'h', user: 'sync' } } },
      /notifications\.email\.smtp\.password: give both user and password/,
    ],
    [
      'no channel at all',
      { consoleUrl: 'https://x.example' },
      /give email or at least one webhook/,
    ],
    ['a console URL that is not one', { ...example, consoleUrl: 'sync.example.org' }, /consoleUrl/],
    [
      'a recipient that is not an address',
      { ...example, email: { ...example.email, to: ['scolarite'] } },
      /notifications\.email\.to\.0: must be an email address/,
    ],
    ['no recipient', { ...example, email: { ...example.email, to: [] } }, /at least one address/],
    [
      'a webhook without a secret',
      { ...example, webhooks: [{ url: 'https://h.example/x' }] },
      /notifications\.webhooks\.0\.secret/,
    ],
    ['an unknown language', { ...example, language: 'de' }, /notifications\.language/],
    ['an unknown event', { ...example, events: ['run_broke'] }, /notifications\.events\.0/],
  ];
  for (const [what, raw, message] of refused)
    test(`refuses ${what}, naming the key`, () => {
      assert.throws(
        () => parseNotifications(raw),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.code === 'config.invalid' &&
          message.test(error.message),
      );
    });

  test('a relay without login and plain or opportunistic TLS is allowed', () => {
    const parsed = notificationsSchema.parse({
      consoleUrl: 'http://localhost:8080',
      email: {
        smtp: { host: 'localhost', port: 25, starttls: false },
        from: 'a@b.example',
        to: ['c@d.example'],
      },
    });
    const settings = resolveNotifications(parsed, { owner: 'x', resolveSecret });
    assert.equal(settings.email?.smtp.auth, null);
    assert.equal(settings.email?.smtp.starttls, false);
  });
});
