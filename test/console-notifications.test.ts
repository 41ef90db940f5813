import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { verifySignature } from '../src/notify/signature.ts';
import { apiSession, type Harness, startHarness } from './helpers/console-harness.ts';
import { waitFor } from './helpers/fleet.ts';
import {
  type HookReceiver,
  type SmtpSink,
  startHookReceiver,
  startSmtpSink,
} from './helpers/notify-servers.ts';

/**
 * A school's notifications set through the console's API, over a real
 * `serve`: validated like `config check`, secrets write-only (an empty one
 * keeps the stored value, a webhook the secret of its URL), and used: the
 * test notice and a run's notice go to what was saved, signed with the
 * saved secret. Real SMTP (STARTTLS, login) and HTTP receivers on port 0.
 */

const SMTP_PASSWORD = `smtp-${randomBytes(6).toString('hex')}`;
const SECRET_A = `hook-a-${randomBytes(6).toString('hex')}`;
const SECRET_B = `hook-b-${randomBytes(6).toString('hex')}`;

describe('console: notification settings', () => {
  let h: Harness;
  let hook: HookReceiver;
  let smtp: SmtpSink;
  before(async () => {
    [h, hook, smtp] = await Promise.all([
      startHarness(),
      startHookReceiver(),
      startSmtpSink({ user: 'sync', password: SMTP_PASSWORD }),
    ]);
    await h.account('op@example.org', 'operator');
    await h.account('bell-viewer@example.org', 'viewer', ['bell']);
    await h.account('north-admin@example.org', 'admin', ['north']);
  });
  after(async () => {
    await Promise.all([h.close(), hook.close(), smtp.close()]);
  });
  beforeEach(() => {
    hook.requests.length = 0;
    hook.script = [];
    smtp.mails.length = 0;
  });

  /** The spare sandboxes' settings, as an operator types them when adding a school. */
  const spareSettings = (password = h.spare.auriga.password) => ({
    auriga: {
      url: h.spare.auriga.url,
      keycloakUrl: h.spare.auriga.keycloakUrl,
      realm: h.spare.auriga.realm,
      clientId: h.spare.auriga.clientId,
      clientSecret: h.spare.auriga.clientSecret,
      username: h.spare.auriga.username,
      password,
      interventionsQueryId: h.spare.auriga.interventionsQueryId,
    },
    edusign: { token: h.spare.edusign.token, baseUrl: h.spare.edusign.url },
  });
  const email = () => ({
    smtp: {
      host: '127.0.0.1',
      port: smtp.port,
      starttls: true,
      user: 'sync',
      password: SMTP_PASSWORD,
      // smtp-server's built-in certificate is self-signed: an API-only key, not on the form.
      acceptSelfSignedCertificate: true,
      timeoutMs: 5_000,
    },
    from: 'sync@example.org',
    to: ['scolarite@bell.example', 'direction@bell.example'],
  });
  /** The school's settings as the console store holds them (secrets included): the white box. */
  const stored = async (school: string) =>
    ((await h.service.consoleStore?.getSchool(school))?.config as {
      notifications?: {
        email?: { smtp: Record<string, unknown> };
        webhooks?: Array<{ url: string; secret: string }>;
      };
    }) ?? {};
  const noSecretIn = (text: string) => {
    for (const secret of [SMTP_PASSWORD, SECRET_A, SECRET_B])
      assert.ok(!text.includes(secret), 'a secret came back');
    assert.ok(!/\(\d+ characters\)/.test(text), "not even a secret's length");
  };

  test('set, read back without a secret, changed with empty secrets kept, refused naming the field, removed', async () => {
    const op = await apiSession(h.url, 'op@example.org');
    assert.equal(
      (await op.call('POST', '/api/schools', { name: 'bell', settings: spareSettings() })).status,
      201,
    );
    const [urlA, urlB] = [`${hook.url}/a`, `${hook.url}/b`];
    const set = await op.call('PUT', '/api/schools/bell/settings', {
      notifications: {
        consoleUrl: 'https://sync.bell.example',
        email: email(),
        webhooks: [
          { url: urlA, secret: SECRET_A },
          { url: urlB, secret: SECRET_B },
        ],
      },
    });
    assert.equal(set.status, 200, set.text);
    noSecretIn(set.text);
    const read = await op.call('GET', '/api/schools/bell/settings');
    noSecretIn(read.text);
    const shown = (read.json().settings as { notifications: Record<string, unknown> })
      .notifications as {
      consoleUrl: string;
      email: { smtp: { host: string; port: number }; to: string[] };
      webhooks: Array<{ url: string }>;
    };
    assert.equal(shown.consoleUrl, 'https://sync.bell.example');
    assert.deepEqual([shown.email.smtp.host, shown.email.smtp.port], ['127.0.0.1', smtp.port]);
    assert.deepEqual(shown.email.to, ['scolarite@bell.example', 'direction@bell.example']);
    assert.deepEqual(
      shown.webhooks.map((w) => w.url),
      [urlA, urlB],
    );

    // Secrets left empty keep theirs: the SMTP password, and each webhook the secret of its URL.
    const swapped = await op.call('PUT', '/api/schools/bell/settings', {
      notifications: {
        email: { smtp: { ...email().smtp, password: '' } },
        webhooks: [
          { url: urlB, secret: '' },
          { url: urlA, secret: '' },
        ],
      },
    });
    assert.equal(swapped.status, 200, swapped.text);
    let kept = (await stored('bell')).notifications;
    assert.equal(kept?.email?.smtp.password, SMTP_PASSWORD);
    assert.deepEqual(kept?.webhooks, [
      { url: urlB, secret: SECRET_B },
      { url: urlA, secret: SECRET_A },
    ]);

    // Refused, naming the field; nothing is saved.
    const before = JSON.stringify(await stored('bell'));
    const refused = async (notifications: unknown, field: RegExp) => {
      const answer = await op.call('PUT', '/api/schools/bell/settings', { notifications });
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.text, field);
      noSecretIn(answer.text);
    };
    await refused(
      {
        webhooks: [
          { url: urlB, secret: '' },
          { url: `${hook.url}/new`, secret: '' },
        ],
      },
      /notifications\.webhooks\.1\.secret/,
    );
    await refused(
      { webhooks: [{ url: urlA, secret: { env: 'HOME' } }] },
      /notifications\.webhooks\.0\.secret.*typed in/,
    );
    await refused(
      { email: { smtp: { password: { file: '/etc/passwd' } } } },
      /notifications\.email\.smtp\.password.*typed in/,
    );
    await refused({ consoleUrl: 'sync.bell.example' }, /notifications\.consoleUrl/);
    await refused({ email: { smtp: { port: 'submission' } } }, /notifications\.email\.smtp\.port/);
    await refused({ email: { to: ['not an address'] } }, /notifications\.email\.to\.0/);
    await refused(
      { webhooks: [{ url: urlA, secret: '' }], pasword: 'x' },
      /notifications\.pasword/,
    );
    assert.equal(JSON.stringify(await stored('bell')), before, 'nothing saved');

    // A webhook left out of the list is removed; the other keeps its secret.
    const removed = await op.call('PUT', '/api/schools/bell/settings', {
      notifications: { webhooks: [{ url: urlA, secret: '' }] },
    });
    assert.equal(removed.status, 200, removed.text);
    kept = (await stored('bell')).notifications;
    assert.deepEqual(kept?.webhooks, [{ url: urlA, secret: SECRET_A }]);
    const audit = (await op.call('GET', '/api/audit')).json().entries as Array<{
      action: string;
      school: string;
      detail: { keys?: string[] };
    }>;
    assert.ok(
      audit.some(
        (e) =>
          e.action === 'settings.changed' &&
          e.school === 'bell' &&
          e.detail.keys?.includes('notifications.webhooks'),
      ),
    );
    noSecretIn(JSON.stringify(audit));
  });

  test('the test notice goes to the channels saved in the console, signed with the saved secret', async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const answer = await op.call('POST', '/api/schools/bell/notifications/test');
    assert.equal(answer.status, 200, answer.text);
    noSecretIn(answer.text);
    const results = answer.json().results as Array<{ channel: string; ok: boolean }>;
    assert.deepEqual(
      results.map((r) => [r.channel, r.ok]),
      [
        ['email', true],
        ['webhook', true],
      ],
      answer.text,
    );
    assert.equal(hook.requests.length, 1);
    const [request] = hook.requests;
    assert.equal(request?.url, '/edusign/a');
    const body = JSON.parse(request?.body ?? '{}') as { event: string; school: string };
    assert.deepEqual([body.event, body.school], ['test', 'bell']);
    const verdict = verifySignature({
      header: request?.headers['x-auriga-edusign-signature'],
      body: Buffer.from(request?.body ?? ''),
      secret: SECRET_A,
      now: new Date(),
    });
    assert.ok(verdict.ok, 'signed with the secret saved in the console');
    assert.equal(smtp.mails.length, 1);
    assert.equal(smtp.mails[0]?.user, 'sync', 'logged in with the saved password, over TLS');
    assert.deepEqual(smtp.mails[0]?.to, ['scolarite@bell.example', 'direction@bell.example']);

    // A viewer may not send one; another school's admin gets the 404 of a missing school.
    const viewer = await apiSession(h.url, 'bell-viewer@example.org');
    assert.equal((await viewer.call('POST', '/api/schools/bell/notifications/test')).status, 403);
    const other = await apiSession(h.url, 'north-admin@example.org');
    const theirs = await other.call('POST', '/api/schools/bell/notifications/test');
    const missing = await other.call('POST', '/api/schools/nowhere/notifications/test');
    assert.equal(theirs.status, 404);
    assert.equal(theirs.text, missing.text);
    // A school with no channel says so.
    const none = await other.call('POST', '/api/schools/north/notifications/test');
    assert.equal(none.status, 409, none.text);
    assert.equal(hook.requests.length, 1, 'nothing more was sent');
  });

  test("a run's notice goes to the webhook set in the console", async () => {
    const op = await apiSession(h.url, 'op@example.org');
    // Its Auriga password is refused: a configuration error, told at once.
    const created = await op.call('POST', '/api/schools', {
      name: 'bell-refused',
      settings: {
        ...spareSettings('not-the-password'),
        notifications: {
          consoleUrl: 'https://sync.bell.example',
          webhooks: [{ url: `${hook.url}/run`, secret: SECRET_B }],
        },
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await op.call('POST', '/api/schools/bell-refused/run')).status, 202);
    const request = await waitFor('the run_failed notice', () => hook.requests[0], 30_000, 50);
    const body = JSON.parse(request.body) as {
      event: string;
      school: string;
      runId: string;
      consoleUrl: string;
    };
    assert.deepEqual([body.event, body.school], ['run_failed', 'bell-refused']);
    assert.equal(
      body.consoleUrl,
      `https://sync.bell.example/schools/bell-refused/runs/${body.runId}`,
    );
    assert.ok(
      verifySignature({
        header: request.headers['x-auriga-edusign-signature'],
        body: Buffer.from(request.body),
        secret: SECRET_B,
        now: new Date(),
      }).ok,
    );
    const notices = await waitFor('the delivery recorded', async () => {
      const answer = (await op.call('GET', '/api/schools/bell-refused/notifications')).json() as {
        deliveries: Array<{ event: string; status: string }>;
      };
      return answer.deliveries.find((d) => d.status === 'delivered') && answer;
    });
    assert.deepEqual(
      notices.deliveries.map((d) => [d.event, d.status]),
      [['run_failed', 'delivered']],
    );
    // null removes a school's notifications: nothing is queued for it any more.
    const off = await op.call('PUT', '/api/schools/bell-refused/settings', { notifications: null });
    assert.equal(off.status, 200, off.text);
    assert.equal((await stored('bell-refused')).notifications, undefined);
  });
  test('deletions confirmed in the console close the hold: a later hold is told again', async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const created = await op.call('POST', '/api/schools', {
      name: 'bell-held',
      settings: {
        ...spareSettings(),
        edusign: { ...spareSettings().edusign, requestsPerMinute: 100_000 },
        notifications: {
          consoleUrl: 'https://sync.bell.example',
          webhooks: [{ url: `${hook.url}/held`, secret: SECRET_B }],
        },
      },
    });
    assert.equal(created.status, 201, created.text);
    const runs = async () =>
      ((await op.call('GET', '/api/schools/bell-held/runs')).json().runs as Array<{
        outcome: string;
      }>) ?? [];
    const runNow = async (count: number) => {
      assert.equal((await op.call('POST', '/api/schools/bell-held/run')).status, 202);
      await waitFor(
        `run ${count} finished`,
        async () => {
          const list = await runs();
          return list.length >= count && list.every((r) => r.outcome !== 'running');
        },
        60_000,
      );
    };
    const told = () =>
      hook.requests.filter(
        (r) => (JSON.parse(r.body) as { event: string }).event === 'deletions_held',
      );
    /** Cancel, in Auriga, 8 interventions whose sheets start later than two hours from now. */
    const cancelEight = (skip: number) => {
      const soon = Date.now() + 2 * 3600_000;
      const coming = h.spare.edusign
        .state()
        .courses.filter((c) => Date.parse(String(c.START)) > soon && c.API_ID)
        .sort((a, b) => String(a.API_ID).localeCompare(String(b.API_ID)))
        .slice(skip, skip + 8);
      assert.equal(coming.length, 8);
      for (const course of coming) h.spare.auriga.control.cancelIntervention(String(course.API_ID));
    };

    await runNow(1);
    cancelEight(0);
    await runNow(2);
    await waitFor('the first hold told', () => told().length === 1, 30_000, 50);
    const held = (await op.call('GET', '/api/schools/bell-held/held')).json() as {
      items: Array<{ aurigaId: string }>;
    };
    const confirmed = await op.call('POST', '/api/schools/bell-held/held/confirm', {
      aurigaIds: held.items.map((i) => i.aurigaId),
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.json().status, 'deleted');
    // Another set cancelled the same day: a new incident, told again.
    cancelEight(8);
    await runNow(4);
    await waitFor('the second hold told', () => told().length === 2, 30_000, 50).catch(() => {
      throw new Error(`told ${told().length} hold(s): the confirm run left the first hold open`);
    });
  });
});
