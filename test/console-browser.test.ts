import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { verifySignature } from '../src/notify/signature.ts';
import { type Browser, openBrowser } from './helpers/browser.ts';
import { type Harness, PASSWORD, startHarness } from './helpers/console-harness.ts';
import { startHookReceiver } from './helpers/notify-servers.ts';

/**
 * The console in Debian's Chromium (scripts/ensure-chromium.sh), driven by
 * playwright-core, against a real `serve` over the real sandboxes, as a
 * person would: controls are found by role and accessible name. One
 * browser for the file; each step leaves a screenshot in
 * test-results/screenshots/.
 */

describe('console in a browser', () => {
  let h: Harness;
  let context: BrowserContext;
  let page: Page;
  let browser: Browser;
  const shot = (name: string) => browser.shot(name);

  before(async () => {
    browser = await openBrowser();
    ({ context, page } = browser);
    h = await startHarness();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signIn(email: string) {
    await context.clearCookies();
    await page.goto(`${h.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/schools/);
  }

  test('an operator sets a password through the one-time link and sees the fleet', async () => {
    const { link } = await h.account('op@example.org', 'operator');
    await page.goto(link);
    await page.getByLabel('New password').fill('a long enough password');
    await page.getByLabel('The same password again').fill('a long enough password');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(/\/schools$/);
    await page.getByRole('heading', { name: 'Schools', level: 1 }).waitFor();
    // Counts per state at the top, then each school with its state.
    const table = page.getByRole('table');
    await table.getByRole('row', { name: /north.*deletions held/ }).waitFor();
    await table.getByRole('row', { name: /south.*failed/ }).waitFor();
    await shot('01-fleet');
    // Filter by state: only the failed school is left.
    await page.getByRole('combobox', { name: 'State' }).selectOption('failed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/state=failed/);
    assert.equal(await table.getByRole('row', { name: /north/ }).count(), 0);
    await table.getByRole('row', { name: /south/ }).waitFor();
    // The link serves once.
    await context.clearCookies();
    await page.goto(link);
    await page.getByText('already used or has expired').waitFor();
    await context.clearCookies();
    await h.account('op2@example.org', 'operator');
  });

  test('the failing school is one click from its reason: a problem with its Auriga id', async () => {
    await signIn('op2@example.org');
    await page.getByRole('row', { name: /south/ }).getByRole('link', { name: 'south' }).click();
    await page.getByRole('heading', { name: 'south', level: 1 }).waitFor();
    // Why it failed, with what to change, first.
    const failure = page.getByRole('alert');
    assert.match((await failure.textContent()) ?? '', /edusign\.\w+.*Fix:/s);
    const problems = page.locator('#problems li');
    assert.ok((await problems.count()) > 0);
    const first = problems.first();
    const aurigaId = (await first.locator('.auriga-id').textContent())?.trim() ?? '';
    assert.match(aurigaId, /^\d+$/);
    assert.match(
      (await first.textContent()) ?? '',
      new RegExp(`${aurigaId}.*Auriga|Auriga.*${aurigaId}|${aurigaId}`),
    );
    await shot('02-failing-school');
  });

  test('a viewer sees held deletions without a Confirm button, and the API refuses them', async () => {
    await h.account('viewer@example.org', 'viewer', ['north']);
    await signIn('viewer@example.org');
    await page.goto(`${h.url}/schools/north/held`);
    await page.getByRole('table').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Confirm deletions' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Run now' }).count(), 0);
    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const answer = await page.request.post(`${h.url}/api/schools/north/held/confirm`, {
      headers: { 'x-csrf-token': csrf ?? '' },
      data: { aurigaIds: h.heldIds },
    });
    assert.equal(answer.status(), 403);
    await shot('03-viewer-held');
  });

  test('an admin confirms exactly the held set: those sheets leave Edusign, the others stay', async () => {
    await h.account('north-admin@example.org', 'admin', ['north']);
    await signIn('north-admin@example.org');
    const before = h.north.edusign.state().courses.map((c) => c.id);
    await page.goto(`${h.url}/schools/north`);
    await page.getByRole('link', { name: /deletion\(s\) held/ }).click();
    await page.getByRole('heading', { name: 'Held deletions', level: 1 }).waitFor();
    const rows = page.getByRole('table').getByRole('row');
    assert.equal(await rows.count(), h.heldIds.length + 1);
    const shown = await page.locator('td.auriga-id').allTextContents();
    assert.deepEqual(shown.map((id) => id.trim()).sort(), [...h.heldIds].sort());
    await shot('04-held-deletions');
    await page.getByRole('button', { name: 'Confirm deletions' }).click();
    await page.getByText(`${h.heldIds.length} sheet(s) deleted`).waitFor();
    const after = h.north.edusign.state().courses.map((c) => c.id);
    assert.equal(after.length, before.length - h.heldIds.length);
    assert.ok(
      after.every((id) => before.includes(id)),
      'no other sheet was touched',
    );
    await shot('05-deletions-confirmed');
  });

  test('run now: the live view follows the run to its end without a reload', async () => {
    await page.goto(`${h.url}/schools/north`);
    const runs = await page.locator('#runs-title ~ table tbody tr').count();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/asked=1/);
    const live = page.locator('#live-body');
    await live.getByText('Finished', { exact: true }).waitFor({ timeout: 30_000 });
    assert.match((await live.textContent()) ?? '', /succeeded|partly failed/);
    await shot('06-live-run-finished');
    await page.reload();
    assert.ok((await page.locator('#runs-title ~ table tbody tr').count()) > runs);
  });

  test('onboarding: a wrong client secret fails Check with its fix; corrected, previewed, activated', async () => {
    await signIn('op2@example.org');
    await page.goto(`${h.url}/schools`);
    await page.getByRole('link', { name: 'Set up a new school' }).click();
    const spare = h.spare;
    await page.getByLabel('School name').fill('east');
    await page.getByLabel('Auriga URL').fill(spare.auriga.url);
    await page.getByLabel('Keycloak URL').fill(spare.auriga.keycloakUrl);
    await page.getByLabel('Realm').fill(spare.auriga.realm);
    await page.getByLabel('Client id').fill(spare.auriga.clientId);
    await page.getByLabel('Client secret').fill('not-the-secret');
    await page.getByLabel('Username').fill(spare.auriga.username);
    await page.getByLabel('Password (Auriga)').fill(spare.auriga.password);
    await page.getByLabel('Interventions favorite id').fill(spare.auriga.interventionsQueryId);
    await page.getByLabel('Groups favorite id').fill(spare.auriga.groupsQueryId);
    await page.getByLabel('Edusign API token').fill(spare.edusign.token);
    await page.getByLabel('Edusign API URL').fill(spare.edusign.url);
    await page.getByLabel('Requests per minute').fill('100000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/schools\/east\/settings/);
    await page.getByRole('button', { name: 'Check' }).click();
    const client = page.locator('[data-step="keycloak.client"]');
    await client.waitFor();
    assert.match((await client.textContent()) ?? '', /failed/);
    assert.match((await client.locator('.fix').textContent()) ?? '', /Fix/);
    await shot('07-check-failed');
    await page.getByLabel('Client secret').fill(spare.auriga.clientSecret);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('[data-step="keycloak.client"]').getByText('passed').waitFor();
    assert.equal(await page.locator('.step-failed').count(), 0);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: /Preview/ }).waitFor();
    assert.match((await page.content()) ?? '', /create/);
    assert.equal(spare.edusign.state().courses.length, 0, 'a preview writes nothing');
    await shot('08-preview');
    await page.goto(`${h.url}/schools/east/settings`);
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByText('Active: the schedule runs this school.').waitFor();
    await shot('09-activated');
  });

  test('notifications set in the form: saved, shown again without their secrets, and a test notice reaches them', async (t) => {
    const SMTP_PASSWORD = 'smtp-password-of-east-7q2';
    const HOOK_SECRET = 'hook-secret-of-east-3k9';
    const SECOND_SECRET = 'second-hook-secret-5m1';
    const hook = await startHookReceiver();
    // A relay on this machine: no TLS offered (so the form's "Require STARTTLS" is off), a login.
    const mails: { user: unknown; to: string[] }[] = [];
    const relay = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'sync' && auth.password === SMTP_PASSWORD)
          return callback(null, { user: 'sync' });
        return callback(Object.assign(new Error('Invalid login'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          mails.push({ user: session.user, to: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      await hook.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    });
    const relayPort = (relay.server.address() as AddressInfo).port;

    await signIn('op2@example.org');
    await page.goto(`${h.url}/schools/east/settings`);
    await page.getByRole('group', { name: 'Notifications' }).waitFor();
    await page
      .getByLabel('Console address (the links in notices)')
      .fill('https://sync.east.example');
    await page.getByLabel('SMTP server').fill('127.0.0.1');
    await page.getByLabel('SMTP port').fill(String(relayPort));
    await page.getByLabel('Require STARTTLS').uncheck();
    await page.getByLabel('SMTP user').fill('sync');
    await page.getByLabel('SMTP password').fill(SMTP_PASSWORD);
    await page.getByLabel('Sender address').fill('sync@east.example');
    await page
      .getByLabel('Recipients (comma-separated)')
      .fill('scolarite@east.example, direction@east.example');
    await page.getByLabel('New webhook URL').fill(hook.url);
    await page.getByLabel('New webhook secret').fill(HOOK_SECRET);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    // Reloaded: every setting is shown again, no secret is (its field empty, said set).
    await page.reload();
    const value = (label: string) => page.getByLabel(label, { exact: true }).inputValue();
    assert.equal(
      await value('Console address (the links in notices)'),
      'https://sync.east.example',
    );
    assert.equal(await value('SMTP server'), '127.0.0.1');
    assert.equal(await value('SMTP port'), String(relayPort));
    assert.equal(await page.getByLabel('Require STARTTLS').isChecked(), false);
    assert.equal(await value('SMTP user'), 'sync');
    assert.equal(await value('Sender address'), 'sync@east.example');
    assert.equal(
      await value('Recipients (comma-separated)'),
      'scolarite@east.example, direction@east.example',
    );
    assert.equal(await value('Webhook 1 URL'), hook.url);
    for (const secret of ['SMTP password', 'Webhook 1 secret']) {
      assert.equal(await value(secret), '', `${secret} is empty`);
      assert.equal(
        await page.getByLabel(secret, { exact: true }).getAttribute('placeholder'),
        'set: leave empty to keep it',
      );
    }
    const html = await page.content();
    for (const secret of [SMTP_PASSWORD, HOOK_SECRET])
      assert.ok(!html.includes(secret), 'no secret in the page');
    await shot('11-notification-settings');

    // With the keyboard alone: a second webhook typed in and saved with Enter, then removed.
    await page.getByLabel('New webhook URL').focus();
    await page.keyboard.type(`${hook.url}/second`);
    await page.keyboard.press('Tab');
    assert.equal(
      await page
        .getByLabel('New webhook secret')
        .evaluate((el) => el.ownerDocument.activeElement === el),
      true,
      'Tab moves from the URL to its secret',
    );
    await page.keyboard.type(SECOND_SECRET);
    await page.keyboard.press('Enter');
    await page.getByText('Saved.').waitFor();
    assert.equal(await value('Webhook 2 URL'), `${hook.url}/second`);
    await page.getByLabel('Remove webhook 2').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Saved.').waitFor();
    assert.equal(await page.getByLabel('Webhook 2 URL').count(), 0, 'removed');
    assert.equal(await value('Webhook 1 URL'), hook.url);

    // The test notice goes to what was saved: the relay, logged in with the saved password,
    // and the webhook, signed with its saved secret.
    await page.getByRole('button', { name: 'Send a test notice' }).click();
    const results = page.getByRole('region', { name: 'Test notice' });
    await results.locator('[data-channel="webhook"]').getByText('sent').waitFor();
    await results.locator('[data-channel="email"]').getByText('sent').waitFor();
    assert.equal(hook.requests.length, 1);
    const [request] = hook.requests;
    assert.equal(JSON.parse(request?.body ?? '{}').event, 'test');
    assert.ok(
      verifySignature({
        header: request?.headers['x-auriga-edusign-signature'],
        body: Buffer.from(request?.body ?? ''),
        secret: HOOK_SECRET,
        now: new Date(),
      }).ok,
      'signed with the secret typed in the form',
    );
    assert.deepEqual(mails, [
      { user: 'sync', to: ['scolarite@east.example', 'direction@east.example'] },
    ]);
    await shot('12-test-notice');
  });

  test('the language switch turns the console to French', async () => {
    await page.goto(`${h.url}/schools/north`);
    await page.getByRole('link', { name: 'Français' }).click();
    await page.getByRole('button', { name: 'Lancer maintenant' }).waitFor();
    await page.getByRole('button', { name: 'Aperçu' }).waitFor();
    await page.getByRole('link', { name: 'English' }).waitFor();
    // The report's problem sentences too, with their Auriga ids.
    await page.locator('#problems li', { hasText: 'n’a pas d’e-mail' }).first().waitFor();
    await shot('10-french');
    // The notification settings too.
    await page.goto(`${h.url}/schools/east/settings`);
    await page.getByLabel('Serveur SMTP').waitFor();
    await page.getByLabel('Secret du webhook 1').waitFor();
    await page.getByRole('button', { name: 'Envoyer une notification de test' }).waitFor();
    // Why a run failed, and what to change, in French; the report's English beside it.
    await page.goto(`${h.url}/schools/south`);
    const failure = page.getByRole('alert');
    await failure.getByText('Edusign refuse le jeton d’API.').waitFor();
    await failure.getByText(/Copiez à nouveau le jeton d’API/).waitFor();
    await failure.getByText('Le texte du rapport (en anglais)').waitFor();
    await shot('13-french-failure');
    // Why is this person on Edusign: searched from the school's page, answered in French.
    const learner = h.north.school.learners[0];
    assert.ok(learner);
    await page.goto(`${h.url}/schools/north/explain`);
    await page.getByLabel('Id Auriga, nom ou e-mail').fill(learner.lastName);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('heading', { name: new RegExp(`Apprenant ${learner.id}`) }).waitFor();
    await page
      .getByText(new RegExp(`L’apprenant ${learner.id} est sur Edusign`))
      .first()
      .waitFor();
    await shot('14-french-explain');
  });
});
