import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { SecretInput } from '../src/config/schema.ts';
import { parseNotifications, resolveNotifications } from '../src/notify/config.ts';
import { MemoryDeliveryStore } from '../src/notify/delivery/memory.ts';
import { createReceiver } from '../src/notify/example-receiver.ts';
import type { WebhookBody } from '../src/notify/messages.ts';
import { createNotifier, type Notifier, notifyTest } from '../src/notify/notifier.ts';
import { SIGNATURE_HEADER, verifySignature } from '../src/notify/signature.ts';
import type { RunReport } from '../src/sync/report.ts';
import {
  type HookReceiver,
  readableMail,
  type SmtpSink,
  startHookReceiver,
  startSmtpSink,
} from './helpers/notify-servers.ts';
import { configurationError, networkError, problem, runReport } from './helpers/run-reports.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';

/**
 * Notifications end to end: hand-built run reports go through the notifier
 * to a real SMTP server (STARTTLS and login required) and a real HTTP
 * receiver, both started here on port 0. Time is a virtual clock.
 */

const SMTP_PASSWORD = 'smtp-Pa55word-q7Zx';
const HOOK_SECRET = 'whsec-9d4f1c2b7e6a';
const env: NodeJS.ProcessEnv = { TEST_SMTP_PASSWORD: SMTP_PASSWORD, TEST_HOOK_SECRET: HOOK_SECRET };

/** What the config loader passes: `{env}` looked up, inline taken as is. */
const resolveSecret = (key: string, secret: SecretInput): string => {
  if (typeof secret === 'string') return secret;
  const value = 'env' in secret ? env[secret.env] : undefined;
  if (value === undefined) throw new Error(`${key}: not set`);
  return value;
};

const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T11:00:00Z');

let smtp: SmtpSink;
let hook: HookReceiver;

before(async () => {
  smtp = await startSmtpSink({ user: 'sync', password: SMTP_PASSWORD });
  hook = await startHookReceiver();
});
after(async () => {
  await smtp.close();
  await hook.close();
});
beforeEach(() => {
  smtp.mails.length = 0;
  hook.requests.length = 0;
  hook.script = [];
});

function settings(language: 'fr' | 'en' = 'fr', webhookTimeoutMs = 5_000) {
  const parsed = parseNotifications({
    consoleUrl: 'https://sync.example.org/',
    language,
    email: {
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        starttls: true,
        user: 'sync',
        password: { env: 'TEST_SMTP_PASSWORD' },
        // smtp-server's built-in certificate is self-signed.
        acceptSelfSignedCertificate: true,
        timeoutMs: 5_000,
      },
      from: 'sync@example.org',
      to: ['scolarite@ecole.example'],
    },
    webhooks: [{ url: hook.url, secret: { env: 'TEST_HOOK_SECRET' }, timeoutMs: webhookTimeoutMs }],
  });
  return resolveNotifications(parsed, { owner: 'ecole-a', resolveSecret });
}

interface Setup {
  notifier: Notifier;
  store: MemoryDeliveryStore;
  clock: VirtualClock;
}

function setup(options: { language?: 'fr' | 'en'; webhookTimeoutMs?: number } = {}): Setup {
  const clock = new VirtualClock(T0);
  const store = new MemoryDeliveryStore();
  const notifier = createNotifier({
    store,
    settings: [settings(options.language, options.webhookTimeoutMs)],
    clock,
    random: () => 0.5,
  });
  return { notifier, store, clock };
}

/** A run ends at `hours` after T0: its notices are decided, queued and, here, sent at once. */
async function afterRun(s: Setup, hours: number, report: RunReport) {
  s.clock.jumpTo(new Date(T0.getTime() + hours * HOUR));
  const result = await s.notifier.afterRun(report);
  assert.equal(result.ok, true);
  await s.notifier.deliverer.deliverDue();
  return result;
}

const mailText = (i: number) => readableMail(smtp.mails[i]?.source ?? '');
const subjects = () =>
  smtp.mails.map((m) => /^Subject: (.*)$/m.exec(readableMail(m.source))?.[1] ?? '');
const hookBodies = () => hook.requests.map((r) => JSON.parse(r.body) as WebhookBody);

describe('notifications, end to end', () => {
  test('a refused configuration mails at once, over STARTTLS with the login, and posts the webhook', async () => {
    const s = setup();
    await afterRun(s, 0, runReport({ runId: 'r1', error: configurationError }));
    assert.equal(smtp.mails.length, 1);
    const [mail] = smtp.mails;
    assert.equal(mail?.secure, true, 'the message went over TLS');
    assert.equal(mail?.user, 'sync');
    assert.deepEqual(mail?.to, ['scolarite@ecole.example']);
    assert.match(mailText(0), /Auto-Submitted: auto-generated/);
    assert.match(mailText(0), /https:\/\/sync\.example\.org\/schools\/ecole-a\/runs\/r1/);
    assert.equal(hook.requests.length, 1);
    const [body] = hookBodies();
    assert.equal(body?.event, 'run_failed');
    assert.equal(body?.consoleUrl, 'https://sync.example.org/schools/ecole-a/runs/r1');
    assert.deepEqual(Object.keys(body ?? {}), [
      'event',
      'school',
      'runId',
      'outcome',
      'counts',
      'problems',
      'consoleUrl',
      'sentAt',
    ]);
    const attempts = await s.store.listAttempts({ school: 'ecole-a' });
    assert.equal(attempts.length, 2);
    assert.ok(attempts.every((a) => a.ok && a.attempt === 1));
    assert.deepEqual(attempts.map((a) => a.channel).sort(), ['email', 'webhook']);
  });

  test('one failure then a success mails nothing', async () => {
    const s = setup();
    await afterRun(s, 0, runReport({ error: networkError }));
    await afterRun(s, 7, runReport());
    assert.equal(smtp.mails.length, 0);
    assert.equal(hook.requests.length, 0);
  });

  test('two failures in a row mail once, and a third does not mail again', async () => {
    const s = setup({ language: 'en' });
    await afterRun(s, 0, runReport({ error: networkError }));
    assert.equal(smtp.mails.length, 0);
    await afterRun(s, 7, runReport({ runId: 'r2', error: networkError }));
    await afterRun(s, 12, runReport({ error: networkError }));
    assert.deepEqual(subjects(), ['[auriga-edusign] ecole-a: sync failed (auriga.unavailable)']);
    assert.match(mailText(0), /Failed runs in a row: 2\./);
  });

  test('held deletions mail once, and not again on the next run with the same hold', async () => {
    const s = setup();
    await afterRun(s, 0, runReport({ heldDeletions: 9 }));
    await afterRun(s, 7, runReport({ heldDeletions: 9 }));
    assert.equal(smtp.mails.length, 1);
    assert.match(mailText(0), /schools\/ecole-a\/held/);
    assert.deepEqual(
      hookBodies().map((b) => b.event),
      ['deletions_held'],
    );
  });

  test('the daily digest lists the new problems only', async () => {
    const s = setup({ language: 'en' });
    await afterRun(s, 0, runReport({ problems: [problem('P-1')] }));
    await afterRun(s, 7, runReport({ problems: [problem('P-1'), problem('P-2')] }));
    assert.equal(smtp.mails.length, 1, 'no second digest the same day');
    await afterRun(
      s,
      24,
      runReport({ problems: [problem('P-1'), problem('P-2'), problem('P-3')] }),
    );
    assert.equal(smtp.mails.length, 2);
    const digest = mailText(1);
    assert.match(digest, /\[learner P-2\] Learner P-2 has no email/);
    assert.match(digest, /\[learner P-3\] Learner P-3 has no email/);
    assert.doesNotMatch(digest, /P-1/);
    assert.deepEqual(
      hookBodies()[1]?.problems.map((p) => p.aurigaId),
      ['P-2', 'P-3'],
    );
  });

  test('recovery mails once', async () => {
    const s = setup({ language: 'en' });
    await afterRun(s, 0, runReport({ error: configurationError }));
    await afterRun(s, 7, runReport());
    await afterRun(s, 24, runReport());
    assert.deepEqual(subjects(), [
      '[auriga-edusign] ecole-a: sync failed (auriga.unauthorized_client)',
      '[auriga-edusign] ecole-a: sync back to normal',
    ]);
  });

  test("the signature verifies with the endpoint's secret; the example receiver refuses a replay", async () => {
    const s = setup();
    await afterRun(s, 0, runReport({ error: configurationError }));
    const [request] = hook.requests;
    assert.ok(request);
    const header = request.headers[SIGNATURE_HEADER.toLowerCase()];
    assert.match(String(header), /^t=\d+,v1=[0-9a-f]{64}$/);
    const sentAt = new Date(JSON.parse(request.body).sentAt);
    assert.equal(
      verifySignature({ header, body: request.body, secret: HOOK_SECRET, now: sentAt }).ok,
      true,
    );
    assert.equal(
      verifySignature({ header, body: request.body, secret: 'another-secret', now: sentAt }).ok,
      false,
    );

    // The example receiver, on a real port, with its clock set by the test.
    let now = new Date(sentAt.getTime() + 60_000);
    const got: WebhookBody[] = [];
    const receiver = createReceiver({
      secret: HOOK_SECRET,
      now: () => now,
      onNotice: (n) => got.push(n),
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const replay = (body = request.body) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: String(header) },
        body,
      });
    try {
      assert.equal((await replay()).status, 204, 'a minute later it is accepted');
      now = new Date(sentAt.getTime() + 5 * 60_000 + 1_000);
      const late = await replay();
      assert.equal(late.status, 401, 'older than 5 minutes is a replay');
      assert.match(await late.text(), /expired/);
      now = new Date(sentAt.getTime() + 60_000);
      const tampered = await replay(request.body.replace('run_failed', 'recovered'));
      assert.equal(tampered.status, 401);
      assert.match(await tampered.text(), /mismatch/);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.event, 'run_failed');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  test('a receiver answering 500 three times then 200 gets the notice once, after backoff', async () => {
    const s = setup();
    hook.script = [500, 500, 500];
    const stop = new AbortController();
    const loop = s.notifier.deliverer.run(stop.signal);
    const result = await s.notifier.afterRun(runReport({ runId: 'r1', error: configurationError }));
    assert.equal(result.ok, true);
    assert.equal(hook.requests.length, 0, 'nothing is sent on the run’s path');
    await s.clock.runUntil(new Date(T0.getTime() + 2 * HOUR), () =>
      s.notifier.deliverer.whenIdle(),
    );
    stop.abort();
    await loop;

    const attempts = (await s.store.listAttempts({}))
      .filter((a) => a.channel === 'webhook')
      .reverse();
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.ok, a.status]),
      [
        [1, false, 500],
        [2, false, 500],
        [3, false, 500],
        [4, true, 200],
      ],
    );
    // Backoff doubles from 60 s (jitter 0.2, random fixed at 0.5): 54 s, 108 s, 216 s.
    const at = attempts.map((a) => Date.parse(a.at) - T0.getTime());
    assert.deepEqual(at, [0, 54_000, 162_000, 378_000]);
    assert.match(attempts[0]?.error ?? '', /answered 500: down/);
    const [delivery] = await s.store
      .listDeliveries({ school: 'ecole-a' })
      .then((d) => d.filter((x) => x.channel === 'webhook'));
    assert.equal(delivery?.status, 'delivered');
    assert.equal(delivery?.attempts, 4);
    assert.equal(hook.requests.filter((r) => r.body.includes('"run_failed"')).length, 4);
    // Each retry names the same notice, so a receiver can drop a repeat.
    assert.deepEqual(
      new Set(hook.requests.map((r) => r.headers['x-auriga-edusign-notice'])),
      new Set(['ecole-a:r1:run_failed']),
    );
    assert.equal(smtp.mails.length, 1, 'the email went through at the first attempt, once');
  });

  test('a receiver that stays down is retried for 24 hours, then given up', async () => {
    const s = setup({ webhookTimeoutMs: 300 });
    hook.script = ['hang', ...Array.from({ length: 100 }, () => 503)];
    const stop = new AbortController();
    const loop = s.notifier.deliverer.run(stop.signal);
    await s.notifier.afterRun(runReport({ error: configurationError }));
    await s.clock.runUntil(new Date(T0.getTime() + 30 * HOUR), () =>
      s.notifier.deliverer.whenIdle(),
    );
    stop.abort();
    await loop;
    const attempts = (await s.store.listAttempts({}))
      .filter((a) => a.channel === 'webhook')
      .reverse();
    assert.match(attempts[0]?.error ?? '', /no answer within 300 ms/);
    assert.ok(attempts.every((a) => !a.ok));
    const last = attempts.at(-1);
    assert.equal(
      Date.parse(last?.at ?? ''),
      T0.getTime() + 24 * HOUR,
      'a last try at the deadline',
    );
    // 1 min doubling to the 1 h cap, each wait 0.9 of it (jitter 0.2, random 0.5),
    // then a last try on the deadline.
    const expected: number[] = [];
    for (let t = 0, n = 1; t < 24 * HOUR; n++) {
      expected.push(t);
      t = Math.min(t + 0.9 * Math.min(60_000 * 2 ** (n - 1), HOUR), 24 * HOUR);
    }
    expected.push(24 * HOUR);
    assert.deepEqual(
      attempts.map((a) => Date.parse(a.at) - T0.getTime()),
      expected,
    );
    const delivery = (await s.store.listDeliveries({})).find((d) => d.channel === 'webhook');
    assert.equal(delivery?.status, 'failed');
    assert.equal(delivery?.nextAttemptAt, null);
  });

  test('an SMTP server refusing the login is recorded and retried, without the password', async () => {
    const clock = new VirtualClock(T0);
    const store = new MemoryDeliveryStore();
    const wrong = settings('en');
    const broken = {
      ...wrong,
      email: wrong.email && {
        ...wrong.email,
        smtp: { ...wrong.email.smtp, auth: { user: 'sync', password: 'not-the-Pa55word' } },
      },
      webhooks: [],
    };
    const notifier = createNotifier({ store, settings: [broken], clock });
    await notifier.afterRun(runReport({ error: configurationError }));
    await notifier.deliverer.deliverDue();
    const [attempt] = await store.listAttempts({});
    assert.equal(attempt?.ok, false);
    assert.equal(attempt?.status, 535);
    assert.match(attempt?.error ?? '', /EAUTH/);
    assert.doesNotMatch(JSON.stringify(attempt), /not-the-Pa55word/);
    const [delivery] = await store.listDeliveries({});
    assert.equal(delivery?.status, 'pending');
    assert.ok(Date.parse(delivery?.nextAttemptAt ?? '') > T0.getTime());
    assert.equal(smtp.mails.length, 0);
  });

  test('no secret in any message, even one a report echoes back', async () => {
    const s = setup({ language: 'en' });
    const leaky = {
      code: 'auriga.unauthorized',
      message: `Keycloak said: bad credentials for sync:${SMTP_PASSWORD} (hook ${HOOK_SECRET})`,
      configuration: true,
    };
    await afterRun(s, 0, runReport({ error: leaky, runId: 'r1' }));
    await afterRun(s, 7, runReport({ heldDeletions: 9, problems: [problem('P-1')] }));
    const results = await notifyTest(settings('en'), { now: new Date(T0.getTime() + 8 * HOUR) });
    assert.deepEqual(
      results.map((r) => [r.channel, r.ok]),
      [
        ['email', true],
        ['webhook', true],
      ],
    );
    assert.ok(smtp.mails.length >= 4 && hook.requests.length >= 4);
    assert.match(mailText(0), /bad credentials for sync:\[redacted\]/);
    const everything = [
      ...smtp.mails.flatMap((m) => [m.source, readableMail(m.source)]),
      ...hook.requests.map((r) => JSON.stringify(r.headers) + r.body),
      JSON.stringify(await s.store.listAttempts({})),
      JSON.stringify(await s.store.listDeliveries({})),
      JSON.stringify(results),
    ].join('\n');
    for (const secret of [SMTP_PASSWORD, HOOK_SECRET])
      assert.equal(everything.includes(secret), false, 'a secret was sent or stored');
  });

  test('notify test says per channel what happened, at once and without the queue', async () => {
    const good = settings('fr');
    // A port nobody listens on any more.
    const closed = await startHookReceiver();
    await closed.close();
    const results = await notifyTest(
      {
        ...good,
        webhooks: [
          ...good.webhooks,
          {
            url: closed.url.replace('/edusign', '/nowhere'),
            secret: HOOK_SECRET,
            timeoutMs: 2_000,
          },
        ],
      },
      { now: T0 },
    );
    assert.deepEqual(
      results.map((r) => [r.channel, r.target.replace(/:\d+/g, ':PORT'), r.ok]),
      [
        ['email', '127.0.0.1:PORT → scolarite@ecole.example', true],
        ['webhook', 'POST http://127.0.0.1:PORT/edusign', true],
        ['webhook', 'POST http://127.0.0.1:PORT/nowhere', false],
      ],
    );
    assert.match(results[2]?.error ?? '', /ECONNREFUSED/);
    assert.match(
      mailText(0),
      /Subject: =\?UTF-8\?|Subject: \[auriga-edusign\] ecole-a : notification de test/,
    );
    assert.equal(hookBodies()[0]?.event, 'test');
  });
});
