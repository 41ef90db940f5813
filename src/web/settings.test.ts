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

const SMTP = 'smtp-password-kept';
const HOOK_A = 'hook-a-secret-kept';
const HOOK_B = 'hook-b-secret-kept';
const withNotifications = {
  ...base,
  notifications: {
    consoleUrl: 'https://sync.example.org',
    email: {
      smtp: { host: 'smtp.example.org', port: 587, user: 'sync', password: SMTP, timeoutMs: 5000 },
      from: 'sync@example.org',
      to: ['a@example.org'],
    },
    webhooks: [
      { url: 'https://a.example/hook', secret: HOOK_A, timeoutMs: 3000 },
      { url: 'https://b.example/hook', secret: HOOK_B },
    ],
  },
};
const refusal = (
  change: Record<string, unknown>,
  from: Record<string, unknown> = withNotifications,
) => {
  try {
    mergeSettings(from, change);
  } catch (error) {
    assert.ok(error instanceof WebError && error.status === 400, String(error));
    return error.message;
  }
  assert.fail('the change was taken');
};

test('notifications: empty secrets keep the stored ones, a webhook its own by URL; the rest as given', () => {
  const merged = mergeSettings(withNotifications, {
    notifications: {
      consoleUrl: 'https://console.example.org',
      email: {
        smtp: {
          host: 'smtp2.example.org',
          port: 2525,
          starttls: false,
          user: 'sync',
          password: '',
        },
        from: 'sync@example.org',
        to: ['a@example.org', 'b@example.org'],
      },
      // B first now, with its secret left empty; A dropped; C new with its own.
      webhooks: [
        { url: 'https://b.example/hook', secret: '' },
        { url: 'https://c.example/hook', secret: 'hook-c-secret' },
      ],
    },
  });
  assert.deepEqual(merged.notifications, {
    consoleUrl: 'https://console.example.org',
    email: {
      smtp: {
        host: 'smtp2.example.org',
        port: 2525,
        starttls: false,
        user: 'sync',
        password: SMTP,
        timeoutMs: 5000,
      },
      from: 'sync@example.org',
      to: ['a@example.org', 'b@example.org'],
    },
    webhooks: [
      { url: 'https://b.example/hook', secret: HOOK_B },
      { url: 'https://c.example/hook', secret: 'hook-c-secret' },
    ],
  });
  // Only what is given changes: a section left out is kept, the mask keeps a secret too.
  const kept = mergeSettings(withNotifications, {
    notifications: { webhooks: [{ url: 'https://a.example/hook', secret: '********' }] },
  });
  assert.deepEqual(
    (kept.notifications as { email: unknown }).email,
    withNotifications.notifications.email,
  );
  assert.deepEqual((kept.notifications as { webhooks: unknown }).webhooks, [
    { url: 'https://a.example/hook', secret: HOOK_A, timeoutMs: 3000 },
  ]);
  assert.equal(withNotifications.notifications.webhooks.length, 2, 'the base is left as it was');
});

test('notifications: a new webhook without its secret, or a secret by reference, is refused naming the field', () => {
  assert.match(
    refusal({
      notifications: {
        webhooks: [
          { url: 'https://a.example/hook', secret: '' },
          { url: 'https://new.example/hook', secret: '' },
        ],
      },
    }),
    /^notifications\.webhooks\.1\.secret: /,
  );
  assert.match(
    refusal({
      notifications: { webhooks: [{ url: 'https://a.example/hook', secret: { env: 'HOME' } }] },
    }),
    /^notifications\.webhooks\.0\.secret: .*typed in/,
  );
  assert.match(
    refusal({
      notifications: {
        email: {
          smtp: { host: 'h', user: 'sync', password: { file: '/etc/shadow' } },
          from: 'a@b.fr',
          to: ['a@b.fr'],
        },
      },
    }),
    /^notifications\.email\.smtp\.password: .*typed in/,
  );
  assert.match(refusal({ notifications: 'on' }), /^notifications must be/);
  assert.match(
    refusal({ notifications: { webhooks: ['https://x.example'] } }),
    /^notifications\.webhooks\.0 /,
  );
  const anyRefusal = refusal(
    { notifications: { webhooks: [{ url: 'https://x.example', secret: '' }] } },
    base,
  );
  assert.ok(!anyRefusal.includes(HOOK_A) && !anyRefusal.includes(SMTP));
});

test('notifications: removing the SMTP login drops the stored password; null removes a part or the whole block', () => {
  const relay = mergeSettings(withNotifications, {
    notifications: {
      email: {
        smtp: { host: 'relay.local', port: 25, user: '', password: '' },
        from: 'sync@example.org',
        to: ['a@example.org'],
      },
    },
  });
  const smtp = (relay.notifications as { email: { smtp: Record<string, unknown> } }).email.smtp;
  assert.equal(smtp.user, undefined);
  assert.equal(smtp.password, undefined, 'no password left behind without its user');
  const noEmail = mergeSettings(withNotifications, { notifications: { email: null } });
  assert.equal((noEmail.notifications as { email?: unknown }).email, undefined);
  assert.equal(mergeSettings(withNotifications, { notifications: null }).notifications, undefined);
  assert.deepEqual(mergeSettings(base, { notifications: null }), base);
});

test('notifications stored resolved (the fleet keeps them so) merge as their configuration', () => {
  const resolved = {
    ...base,
    notifications: {
      owner: 'north',
      consoleUrl: 'https://sync.example.org',
      language: 'fr',
      events: ['run_failed', 'deletions_held', 'new_problems', 'recovered'],
      email: {
        smtp: {
          host: 'smtp.example.org',
          port: 587,
          starttls: true,
          secure: false,
          auth: { user: 'sync', password: SMTP },
          acceptSelfSignedCertificate: false,
          timeoutMs: 30000,
        },
        from: 'sync@example.org',
        to: ['a@example.org'],
      },
      webhooks: [{ url: 'https://a.example/hook', secret: HOOK_A, timeoutMs: 10000 }],
    },
  };
  const merged = mergeSettings(resolved, {
    notifications: { webhooks: [{ url: 'https://a.example/hook', secret: '' }] },
  });
  const n = merged.notifications as Record<string, unknown> & {
    email: { smtp: Record<string, unknown> };
  };
  assert.equal(n.owner, undefined);
  assert.deepEqual(n.email.smtp, {
    host: 'smtp.example.org',
    port: 587,
    starttls: true,
    secure: false,
    acceptSelfSignedCertificate: false,
    timeoutMs: 30000,
    user: 'sync',
    password: SMTP,
  });
  assert.deepEqual(n.webhooks, [
    { url: 'https://a.example/hook', secret: HOOK_A, timeoutMs: 10000 },
  ]);
});
