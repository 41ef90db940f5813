import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import YAML from 'yaml';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { cli } from './helpers/cli.ts';
import { pastWindow } from './helpers/fleet.ts';
import {
  type HookReceiver,
  readableMail,
  type SmtpSink,
  startHookReceiver,
  startSmtpSink,
} from './helpers/notify-servers.ts';

/**
 * Notifications wired end to end, over the real binary: a one-shot `sync`
 * against both sandboxes mails and posts its notice before it exits, and
 * `notify test` tries every channel. Real SMTP (STARTTLS, login) and HTTP
 * servers on port 0; every output searched for the secrets.
 */

const SMTP_PASSWORD = 'smtp-Pa55word-9d1c';
const HOOK_SECRET = 'hook-secret-4a7e-long';
const WRONG_TOKEN = 'refused-edusign-token-77';

describe('notifications from the command line', () => {
  let sandboxes: Sandboxes;
  let smtp: SmtpSink;
  let hook: HookReceiver;
  let dir: string;

  before(async () => {
    sandboxes = await startSandboxes({ edusignRateLimit: { requests: 100_000, windowMs: 60_000 } });
    smtp = await startSmtpSink({ user: 'sync', password: SMTP_PASSWORD });
    hook = await startHookReceiver();
    dir = mkdtempSync(path.join(tmpdir(), 'notify-cli-'));
  });
  after(async () => {
    await Promise.all([sandboxes.close(), smtp.close(), hook.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    smtp.mails.length = 0;
    hook.requests.length = 0;
    hook.script = [];
  });

  const env = { SMTP_PASSWORD, HOOK_SECRET };
  const writeConfig = (name: string, edusign: Record<string, unknown> = {}) => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      YAML.stringify({
        ...sandboxes.config,
        school: name,
        edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000, ...edusign },
        // A window missed today: `serve` runs a school that never ran at once, at any hour.
        options: { ...sandboxes.config.options, timeZone: 'UTC', schedule: [pastWindow()] },
        store: { kind: 'sqlite', path: `${name}.sqlite` },
        notifications: {
          consoleUrl: 'https://sync.example.org',
          email: {
            smtp: {
              host: '127.0.0.1',
              port: smtp.port,
              user: 'sync',
              password: { env: 'SMTP_PASSWORD' },
              // smtp-server's built-in certificate is self-signed.
              acceptSelfSignedCertificate: true,
              timeoutMs: 5_000,
            },
            from: 'sync@example.org',
            to: ['scolarite@ecole.example'],
          },
          webhooks: [{ url: hook.url, secret: { env: 'HOOK_SECRET' }, timeoutMs: 5_000 }],
        },
      }),
    );
    return file;
  };
  const assertNoSecret = (text: string) => {
    for (const secret of [SMTP_PASSWORD, HOOK_SECRET, WRONG_TOKEN])
      assert.ok(!text.includes(secret), 'a secret was printed or sent');
  };

  test('a sync whose Edusign token is refused mails and posts at once, before it exits', async () => {
    const file = writeConfig('refused', { token: WRONG_TOKEN });
    const run = await cli(['sync', '--config', file, '--json'], env);
    assert.equal(run.code, 3, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.outcome, 'failed');
    assert.equal(report.error.configuration, true);

    assert.equal(smtp.mails.length, 1, 'one mail');
    const [mail] = smtp.mails;
    assert.ok(mail);
    assert.equal(mail.secure, true, 'over STARTTLS');
    assert.equal(mail.user, 'sync');
    assert.deepEqual(mail.to, ['scolarite@ecole.example']);
    const readable = readableMail(mail.source);
    assert.match(readable, /X-Auriga-Edusign-Event: run_failed/);
    assert.match(readable, /X-Auriga-Edusign-School: refused/);
    assert.match(
      readable,
      new RegExp(`https://sync.example.org/schools/refused/runs/${report.runId}`),
    );

    assert.equal(hook.requests.length, 1, 'one webhook');
    const body = JSON.parse(hook.requests[0]?.body ?? '{}');
    assert.equal(body.event, 'run_failed');
    assert.equal(body.runId, report.runId);
    assert.match(
      String(hook.requests[0]?.headers['x-auriga-edusign-signature']),
      /^t=\d+,v1=[0-9a-f]{64}$/,
    );

    assertNoSecret(run.stdout + run.stderr + mail.source + readable + hook.requests[0]?.body);
    const store = await openSqliteStore(path.join(dir, 'refused.sqlite'));
    try {
      const deliveries = await store.notifications().listDeliveries();
      assert.deepEqual(deliveries.map((d) => [d.channel, d.status]).sort(), [
        ['email', 'delivered'],
        ['webhook', 'delivered'],
      ]);
      assertNoSecret(JSON.stringify(deliveries));
    } finally {
      await store.close();
    }
  });

  test('a webhook that fails is left for serve to retry; the sync exits as its run says', async () => {
    const file = writeConfig('down', { token: WRONG_TOKEN });
    hook.script = [503];
    const run = await cli(['sync', '--config', file], env);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(smtp.mails.length, 1);
    assert.equal(hook.requests.length, 1, 'tried once, not waited for');
    const store = await openSqliteStore(path.join(dir, 'down.sqlite'));
    try {
      const webhook = (await store.notifications().listDeliveries()).find(
        (d) => d.channel === 'webhook',
      );
      assert.equal(webhook?.status, 'pending');
      assert.equal(webhook?.attempts, 1);
      assert.ok((webhook?.nextAttemptAt ?? '') > new Date().toISOString(), 'a retry is scheduled');
    } finally {
      await store.close();
    }
  });

  test('a healthy sync tells at most its new problems, once; the next one tells nobody', async () => {
    const file = writeConfig('healthy');
    const first = await cli(['sync', '--config', file, '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const events = smtp.mails.map((m) => /X-Auriga-Edusign-Event: (\S+)/.exec(m.source)?.[1]);
    const problems = JSON.parse(first.stdout).problems.length;
    assert.deepEqual(events, problems > 0 ? ['new_problems'] : []);
    smtp.mails.length = 0;
    hook.requests.length = 0;
    const second = await cli(['sync', '--config', file], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(smtp.mails.length, 0);
    assert.equal(hook.requests.length, 0);
  });

  test('serve: one notifier for the process; a refused token is told while serving, and the deliverer stops with it', async () => {
    const file = writeConfig('served', { token: WRONG_TOKEN });
    hook.script = [503];
    let out = '';
    const controller = new AbortController();
    const io: CliIo = {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (out += text) },
      env,
      stopSignal: controller.signal,
    };
    const exited = main(['serve', '--config', file, '--port', '0'], io);
    try {
      const deadline = Date.now() + 15_000;
      // Never run before: it runs at once, fails on the token, and the notices go out meanwhile.
      while ((smtp.mails.length === 0 || hook.requests.length === 0) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      controller.abort();
    }
    assert.equal(await exited, 0);
    assert.equal(smtp.mails.length, 1, out);
    assert.match(readableMail(smtp.mails[0]?.source ?? ''), /X-Auriga-Edusign-Event: run_failed/);
    assert.equal(hook.requests.length, 1, 'the webhook was tried');
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    assert.ok(
      lines.some((l) => l.msg === 'notice not delivered; will retry'),
      'the 503 is retried later',
    );
    assert.ok(lines.some((l) => l.msg === 'service stopped'));
    assertNoSecret(out);
  });

  test("serve --operator: the operator's webhook is told of a school's refused configuration, the school's own channels untouched", async () => {
    // A school with no notifications of its own, whose Edusign token is refused.
    const file = path.join(dir, 'quiet.yaml');
    writeFileSync(
      file,
      YAML.stringify({
        ...sandboxes.config,
        school: 'quiet',
        edusign: { ...sandboxes.config.edusign, token: WRONG_TOKEN },
        store: { kind: 'sqlite', path: 'quiet.sqlite' },
      }),
    );
    const operatorFile = path.join(dir, 'operator.yaml');
    writeFileSync(
      operatorFile,
      YAML.stringify({
        notifications: {
          consoleUrl: 'https://ops.example.org',
          events: ['run_failed'],
          webhooks: [{ url: hook.url, secret: { env: 'HOOK_SECRET' }, timeoutMs: 5_000 }],
        },
      }),
    );
    let out = '';
    const controller = new AbortController();
    const io: CliIo = {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (out += text) },
      env,
      stopSignal: controller.signal,
    };
    const exited = main(['serve', '--config', file, '--operator', operatorFile, '--port', '0'], io);
    try {
      const deadline = Date.now() + 15_000;
      while (hook.requests.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      controller.abort();
    }
    assert.equal(await exited, 0, out);
    assert.equal(hook.requests.length, 1, out);
    const body = JSON.parse(hook.requests[0]?.body ?? '{}');
    assert.equal(body.event, 'run_failed');
    assert.equal(body.school, 'quiet');
    assert.match(body.consoleUrl, /^https:\/\/ops\.example\.org\//);
    assert.equal(smtp.mails.length, 0, 'the school has no channel of its own');
    assertNoSecret(out);
    assertNoSecret(hook.requests[0]?.body ?? '');
  });

  test('serve --operator refuses a file with anything but notifications, naming the key', async () => {
    const file = writeConfig('refusing');
    const operatorFile = path.join(dir, 'operator-bad.yaml');
    writeFileSync(
      operatorFile,
      YAML.stringify({ notifications: { consoleUrl: 'https://x.example' }, schools: [] }),
    );
    const run = await cli(
      ['serve', '--config', file, '--operator', operatorFile, '--port', '0'],
      env,
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /operator\.schools: unknown key/);
  });

  test('notify test: one line per channel, exit 0; a failing channel: exit 2; --json', async () => {
    const file = writeConfig('tested');
    const ok = await cli(['notify', 'test', '--config', file], env);
    assert.equal(ok.code, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n');
    assert.equal(lines.length, 2, ok.stdout);
    assert.match(
      lines[0] ?? '',
      new RegExp(`^email +127\\.0\\.0\\.1:${smtp.port} → scolarite@ecole\\.example +ok$`),
    );
    assert.match(lines[1] ?? '', /^webhook +POST http:\/\/127\.0\.0\.1:\d+\/edusign +ok$/);
    assert.equal(smtp.mails.length, 1);
    assert.match(readableMail(smtp.mails[0]?.source ?? ''), /X-Auriga-Edusign-Event: test/);

    hook.script = [500];
    const failing = await cli(['notify', 'test', '--config', file], env);
    assert.equal(failing.code, 2);
    assert.match(failing.stdout, /^webhook .* error: .*500/m);

    const json = await cli(['notify', 'test', '--config', file, '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const answer = JSON.parse(json.stdout);
    assert.equal(answer.ok, true);
    assert.deepEqual(
      answer.results.map((r: { channel: string; ok: boolean }) => [r.channel, r.ok]),
      [
        ['email', true],
        ['webhook', true],
      ],
    );
    assertNoSecret(ok.stdout + ok.stderr + failing.stdout + failing.stderr + json.stdout);

    const none = path.join(dir, 'silent.yaml');
    writeFileSync(none, YAML.stringify({ ...sandboxes.config, school: 'silent' }));
    const nothing = await cli(['notify', 'test', '--config', none, '--json']);
    assert.equal(nothing.code, 3);
    assert.equal(JSON.parse(nothing.stdout).error.code, 'config.no_notifications');
  });
});
