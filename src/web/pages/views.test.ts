import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DoctorStep } from '../../doctor/steps.ts';
import { translator } from '../i18n.ts';
import { checkList, settingsFromForm, settingsPage } from './views.ts';

const steps: DoctorStep[] = [
  {
    id: 'keycloak.reachable',
    title: 'Keycloak reachable',
    status: 'passed',
    detail: 'answered in 12 ms',
  },
  {
    id: 'keycloak.client',
    title: 'Client accepted and allowed direct grants',
    status: 'failed',
    detail: 'Keycloak refused the client secret of edusign-sync (401 unauthorized_client).',
    fix: 'Copy the client secret again from Keycloak.',
    code: 'auriga.invalid_client_secret',
  },
];
const ctxIn = (lang: 'fr' | 'en') => ({
  lang,
  t: translator(lang),
  path: '/',
  who: null,
  csrf: 'x',
});

test('Check in French: step titles and a failed step’s reason and fix, the doctor’s English kept beside', () => {
  const page = checkList(ctxIn('fr'), steps).value;
  assert.match(page, /Keycloak joignable/);
  assert.match(page, /Client accepté, connexion par mot de passe autorisée/);
  assert.match(page, /Keycloak refuse le secret du client\./);
  assert.match(page, /Correction : Copiez à nouveau le secret du client/);
  assert.match(
    page,
    /<details><summary>Le texte du rapport \(en anglais\)<\/summary>Keycloak refused/,
  );
  assert.match(page, /answered in 12 ms/, 'a pass keeps its evidence');
});

test('Check in English is the doctor’s own words', () => {
  const page = checkList(ctxIn('en'), steps).value;
  assert.match(page, /Client accepted and allowed direct grants/);
  assert.match(page, /Fix: Copy the client secret again from Keycloak\./);
  assert.doesNotMatch(page, /<details>/);
});

const ctx = { lang: 'en' as const, t: translator('en'), path: '/', who: null, csrf: 'c' };

test("the form's notification fields become the settings change mergeNotifications takes", () => {
  const change = settingsFromForm({
    'notifications.consoleUrl': ' https://sync.example.org ',
    'notifications.email.smtp.host': 'smtp.example.org',
    'notifications.email.smtp.port': '2525',
    'notifications.email.smtp.user': 'sync',
    'notifications.email.smtp.password': '',
    'notifications.email.from': 'sync@example.org',
    'notifications.email.to': 'a@example.org, b@example.org;c@example.org',
    'notifications.webhooks.0.url': 'https://a.example/hook',
    'notifications.webhooks.0.secret': '',
    'notifications.webhooks.1.url': 'https://b.example/hook',
    'notifications.webhooks.1.secret': '',
    'notifications.webhooks.1.remove': 'on',
    'notifications.webhooks.2.url': 'https://c.example/hook',
    'notifications.webhooks.2.secret': ' spaces kept ',
    'notifications.webhooks.3.url': '',
    'notifications.webhooks.3.secret': '',
  });
  assert.deepEqual(change.notifications, {
    consoleUrl: 'https://sync.example.org',
    email: {
      smtp: { host: 'smtp.example.org', port: 2525, starttls: false, user: 'sync', password: '' },
      from: 'sync@example.org',
      to: ['a@example.org', 'b@example.org', 'c@example.org'],
    },
    webhooks: [
      { url: 'https://a.example/hook', secret: '' },
      { url: 'https://c.example/hook', secret: ' spaces kept ' },
    ],
  });
  // A port that is not a number goes as typed, for the schema to name.
  const typo = settingsFromForm({
    'notifications.email.smtp.host': 'h',
    'notifications.email.smtp.port': 'twenty',
  });
  assert.equal(
    (typo.notifications as { email: { smtp: { port: unknown } } }).email.smtp.port,
    'twenty',
  );
  // No channel left: no notifications, whatever the console's address says.
  assert.equal(
    settingsFromForm({
      'notifications.consoleUrl': 'https://sync.example.org',
      'notifications.email.smtp.starttls': 'on',
      'notifications.webhooks.0.url': 'https://a.example/hook',
      'notifications.webhooks.0.remove': 'on',
    }).notifications,
    null,
  );
});

test('the notification fields show what is saved, never a secret, each with its label', () => {
  const config = {
    auriga: {},
    edusign: {},
    options: {},
    notifications: {
      consoleUrl: 'https://sync.example.org',
      email: {
        smtp: {
          host: 'smtp.example.org',
          port: 587,
          starttls: true,
          auth: { user: 'sync', password: '********' },
        },
        from: 'sync@example.org',
        to: ['a@example.org', 'b@example.org'],
      },
      webhooks: [{ url: 'https://a.example/hook', secret: '********' }],
    },
  };
  const page = settingsPage(ctx, {
    school: 'x',
    config: config as never,
    readOnly: false,
    active: false,
    canAct: true,
  });
  assert.ok(!page.includes('********'), 'not even the mask');
  for (const [id, label] of [
    ['f-notifications-consoleUrl', 'Console address (the links in notices)'],
    ['f-notifications-email-smtp-host', 'SMTP server'],
    ['f-notifications-email-smtp-password', 'SMTP password'],
    ['f-notifications-webhooks-0-url', 'Webhook 1 URL'],
    ['f-notifications-webhooks-0-secret', 'Webhook 1 secret'],
    ['f-notifications-webhooks-0-remove', 'Remove webhook 1'],
    ['f-notifications-webhooks-1-url', 'New webhook URL'],
  ])
    assert.ok(page.includes(`<label for="${id}">${label}</label>`), label);
  assert.match(page, /id="f-notifications-email-smtp-host"[^>]*value="smtp.example.org"/);
  assert.match(
    page,
    /id="f-notifications-email-smtp-to"|id="f-notifications-email-to"[^>]*value="a@example.org, b@example.org"/,
  );
  assert.match(
    page,
    /id="f-notifications-email-smtp-password"[^>]*value=""[^>]*placeholder="set: leave empty to keep it"/,
  );
  assert.match(page, /id="f-notifications-webhooks-0-secret"[^>]*value=""[^>]*placeholder=/);
  assert.match(page, /<button type="submit">Send a test notice<\/button>/);
});
