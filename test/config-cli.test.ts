import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';

/**
 * `auriga-edusign config check`, run as a school admin runs it: the real
 * binary in a child process, its whole output searched for each secret.
 */

const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function configCheck(
  file: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'config', 'check', '--config', file, ...extra],
      { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const SECRETS = {
  clientSecret: 'client-secret-4f9a',
  password: 'auriga-password-77c1',
  token: 'edusign-token-19be',
  pgPassword: 'hunter2pw',
  header: 'header-api-key-5d2e',
  smtp: 'smtp-password-8e3a',
  hook: 'webhook-secret-2b7f',
};

function school(store: unknown, auriga: Record<string, unknown> = {}) {
  return {
    school: 'lycee',
    auriga: {
      url: 'https://auriga.school.fr',
      keycloakUrl: 'https://auth.school.fr/auth',
      realm: 'school',
      clientId: 'edusign-sync',
      clientSecret: SECRETS.clientSecret,
      username: 'sync@school.fr',
      password: SECRETS.password,
      interventionsQueryId: '4242',
      extraHeaders: { 'x-api-key': SECRETS.header },
      ...auriga,
    },
    edusign: { token: SECRETS.token },
    store,
  };
}

describe('config check', () => {
  let dir: string;
  const write = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : YAML.stringify(content));
    return file;
  };
  const assertNoSecret = (output: string) => {
    for (const [name, secret] of Object.entries(SECRETS))
      assert.ok(!output.includes(secret), `the ${name} appears in the output`);
    assert.doesNotMatch(output, /characters\)/, 'a mask gives away the length');
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'config-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('text and --json show every secret masked, the connection string without its password', async () => {
    const url = `postgres://postgres:${SECRETS.pgPassword}@db.school.fr:5432/edusign`;
    const file = write('pg.yaml', school({ kind: 'postgres', url }));
    const text = await configCheck(file);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /is valid/);
    assert.match(text.stdout, /postgres:\/\/postgres:\*{8}@db\.school\.fr:5432\/edusign/);
    assertNoSecret(text.stdout + text.stderr);

    const json = await configCheck(file, ['--json']);
    assert.equal(json.code, 0, json.stderr);
    assertNoSecret(json.stdout + json.stderr);
    const { ok, config } = JSON.parse(json.stdout);
    assert.equal(ok, true);
    assert.equal(config.store.url, 'postgres://postgres:********@db.school.fr:5432/edusign');
    assert.equal(config.auriga.password, '********');
    assert.equal(config.auriga.clientSecret, '********');
    assert.equal(config.edusign.token, '********');
    assert.deepEqual(config.auriga.extraHeaders, { 'x-api-key': '********' });
    assert.equal(config.auriga.username, 'sync@school.fr', 'what is not secret is shown');
  });

  test('notifications: the SMTP password and the webhook secrets are masked, the rest shown', async () => {
    const file = write('notify.yaml', {
      ...school({ kind: 'sqlite' }),
      notifications: {
        consoleUrl: 'https://sync.school.fr/',
        email: {
          smtp: { host: 'smtp.school.fr', user: 'sync', password: { env: 'SMTP_PASSWORD' } },
          from: 'sync@school.fr',
          to: ['scolarite@school.fr'],
        },
        webhooks: [{ url: 'https://hooks.school.fr/edusign', secret: SECRETS.hook }],
      },
    });
    for (const extra of [[], ['--json']]) {
      const run = await configCheck(file, extra, { SMTP_PASSWORD: SECRETS.smtp });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assertNoSecret(run.stdout + run.stderr);
    }
    const run = await configCheck(file, ['--json'], { SMTP_PASSWORD: SECRETS.smtp });
    const { notifications } = JSON.parse(run.stdout).config;
    assert.equal(notifications.owner, 'lycee');
    assert.equal(notifications.consoleUrl, 'https://sync.school.fr');
    assert.equal(notifications.language, 'fr', "the school's options.language");
    assert.deepEqual(notifications.email.smtp.auth, { user: 'sync', password: '********' });
    assert.equal(notifications.webhooks[0].secret, '********');
    assert.equal(notifications.webhooks[0].url, 'https://hooks.school.fr/edusign');
  });

  test('store.url by reference to the environment or a file, like any secret', async () => {
    const url = `postgresql://edusign:${SECRETS.pgPassword}@db.school.fr/edusign?sslmode=require`;
    writeFileSync(path.join(dir, 'pg-url.txt'), `${url}\n`);
    for (const [name, ref, env] of [
      ['env.yaml', { env: 'SCHOOL_PG_URL' }, { SCHOOL_PG_URL: url }],
      ['file.yaml', { file: 'pg-url.txt' }, {}],
    ] as const) {
      const file = write(name, school({ kind: 'postgres', url: ref }));
      const run = await configCheck(file, ['--json'], env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assertNoSecret(run.stdout + run.stderr);
      assert.equal(
        JSON.parse(run.stdout).config.store.url,
        'postgresql://edusign:********@db.school.fr/edusign?sslmode=require',
      );
    }
  });

  test('a store.url that is not a PostgreSQL connection string is refused, naming the key and the fix', async () => {
    for (const url of [
      'not a url at all',
      `mysql://root:${SECRETS.pgPassword}@db.school.fr/edusign`,
      `postgres://:${SECRETS.pgPassword}@/edusign`,
    ]) {
      const file = write('bad-url.yaml', school({ kind: 'postgres', url }));
      const run = await configCheck(file);
      assert.equal(run.code, 3, `${url}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /store\.url/);
      assert.match(run.stderr, /postgres:\/\/USER:PASSWORD@HOST/);
      assertNoSecret(run.stdout + run.stderr);
    }
  });

  test('--json on failure: one JSON object on stdout, exit 3', async () => {
    const bad = write(
      'bad.yaml',
      school(
        { kind: 'postgres', url: `mysql://root:${SECRETS.pgPassword}@db/x` },
        { pageSize: 'big' },
      ),
    );
    const cases: Array<[string[], string, RegExp]> = [
      [['--config', bad, '--json'], 'config.invalid', /auriga\.pageSize: expected a whole number/],
      [['--config', path.join(dir, 'absent.yaml'), '--json'], 'config.unreadable', /absent\.yaml/],
      [['--json'], 'cli.usage', /--config FILE/],
      [['--config', bad, '--json', '--verbose'], 'cli.usage', /--verbose/],
    ];
    for (const [args, code, message] of cases) {
      const run = await new Promise<Run>((resolve) =>
        execFile(
          process.execPath,
          [BIN, 'config', 'check', ...args],
          { env: { PATH: process.env.PATH } },
          (error, stdout, stderr) =>
            resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
        ),
      );
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stderr, '', 'nothing but the JSON object');
      const result = JSON.parse(run.stdout);
      assert.equal(result.ok, false);
      assert.equal(result.error.code, code);
      assert.match(result.error.message, message);
      assertNoSecret(run.stdout);
    }
  });
});
