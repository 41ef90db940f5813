import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createLogger, createSecretScrubber, REDACT_PATHS, redactSecrets } from './logger.ts';

const SECRETS = {
  password: 'Pa55-w0rd!"quoted',
  clientSecret: 'client-secret-0123456789',
  token: 'edusign-token-abcdef',
  accessToken: 'eyJhbGciOiJSUzI1NiJ9.access',
  refreshToken: 'eyJhbGciOiJSUzI1NiJ9.refresh',
};

/** A resolved configuration, as the loader produces it. */
const config = {
  school: 'ecole-test',
  auriga: {
    url: 'https://auriga.example.fr',
    keycloakUrl: 'https://sso.example.fr/auth',
    realm: 'school',
    clientId: 'edusign-sync',
    clientSecret: SECRETS.clientSecret,
    username: 'sync',
    password: SECRETS.password,
    interventionsQueryId: '42',
  },
  edusign: { token: SECRETS.token, baseUrl: 'https://ext.edusign.fr' },
  options: { timeZone: 'Europe/Paris' },
};

function memoryStream(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

function assertNoSecret(output: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!output.includes(value), `${name} leaked into: ${output}`);
    assert.ok(!output.includes(JSON.stringify(value).slice(1, -1)), `${name} leaked (escaped)`);
  }
}

describe('createLogger', () => {
  test('redacts secret-bearing keys at every depth we log them', () => {
    const { stream, text } = memoryStream();
    const logger = createLogger({ destination: stream, base: { school: 'ecole-test' } });
    logger.info({ config }, 'configuration loaded');
    logger.info(config, 'configuration at the top');
    logger.warn(
      {
        request: { headers: { authorization: `Bearer ${SECRETS.accessToken}`, accept: 'json' } },
        response: {
          body: { access_token: SECRETS.accessToken, refresh_token: SECRETS.refreshToken },
        },
        deep: { a: { b: { c: { token: SECRETS.token } } } },
        headers: { 'set-cookie': 'session=abc', Authorization: SECRETS.token },
      },
      'token exchange',
    );
    const output = text();
    assertNoSecret(output);
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].config.auriga.password, '[redacted]');
    assert.equal(lines[0].config.auriga.clientSecret, '[redacted]');
    assert.equal(lines[0].config.edusign.token, '[redacted]');
    assert.equal(lines[0].config.auriga.username, 'sync', 'what is not secret stays readable');
    assert.equal(lines[0].school, 'ecole-test');
    assert.equal(lines[1].auriga.password, '[redacted]');
    assert.equal(lines[2].request.headers.authorization, '[redacted]');
    assert.equal(lines[2].request.headers.accept, 'json');
    assert.equal(lines[2].headers['set-cookie'], '[redacted]');
    assert.equal(lines[2].deep.a.b.c.token, '[redacted]');
    assert.ok(typeof lines[0].time === 'string', 'ISO timestamps');
  });

  test('scrubs literal secrets from messages and errors a third party wrote', () => {
    const { stream, text } = memoryStream();
    const scrubber = createSecretScrubber(config);
    const logger = createLogger({ destination: stream, secrets: scrubber });
    // A token learnt at run time is scrubbed too.
    scrubber.add(SECRETS.accessToken, SECRETS.refreshToken);
    const upstream = new Error(
      `invalid_grant: bad password ${SECRETS.password} for token ${SECRETS.accessToken}`,
    );
    logger.error(
      {
        err: new AppError('auriga.invalid_grant', 'Keycloak refused the login', {
          cause: upstream,
        }),
      },
      `login failed with ${SECRETS.clientSecret}`,
    );
    logger.info({ note: `deep ${SECRETS.refreshToken}`, level1: { x: SECRETS.token } }, 'plain');
    const output = text();
    assertNoSecret(output);
    assert.match(output, /auriga\.invalid_grant/);
    assert.match(output, /\[redacted\]/);
  });

  test('pretty output on request, still without secrets', async () => {
    const { stream, text } = memoryStream();
    const logger = createLogger({ destination: stream, pretty: true, secrets: [SECRETS.token] });
    logger.info({ config, note: SECRETS.token }, 'hello pretty');
    // pino-pretty writes through a stream pipeline: give it a turn.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const output = text();
    assert.match(output, /hello pretty/);
    assert.throws(() => JSON.parse(output.split('\n')[0] ?? ''), 'not JSON');
    assertNoSecret(output);
  });

  test('colours on a terminal, none when NO_COLOR is set (no-color.org)', async () => {
    const lines = async (env: string | undefined) => {
      const saved = process.env.NO_COLOR;
      if (env === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = env;
      try {
        const { stream, text } = memoryStream();
        Object.assign(stream, { isTTY: true });
        createLogger({ destination: stream }).info({}, 'on a terminal');
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        return text();
      } finally {
        if (saved === undefined) delete process.env.NO_COLOR;
        else process.env.NO_COLOR = saved;
      }
    };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI escape is what is looked for
    const ansi = /\u001b\[/;
    assert.match(await lines(undefined), ansi);
    const plain = await lines('1');
    assert.match(plain, /on a terminal/);
    assert.doesNotMatch(plain, ansi);
  });

  test('JSON by default when the destination is not a terminal', () => {
    const { stream, text } = memoryStream();
    createLogger({ destination: stream }).info('json');
    assert.equal(JSON.parse(text()).msg, 'json');
  });

  test('redaction paths cover the listed keys', () => {
    for (const path of [
      'password',
      '*.password',
      '*.*.password',
      '*.*.clientSecret',
      '*.*.token',
      '*.authorization',
      '*.Authorization',
      '*.client_secret',
      '*.refresh_token',
    ]) {
      assert.ok(REDACT_PATHS.includes(path), path);
    }
  });
});

describe('redactSecrets', () => {
  test('replaces every literal occurrence, escaped and URL-encoded forms too', () => {
    const secret = 'p@ss "word"';
    const text = `a ${secret} b ${JSON.stringify(secret)} c password=${encodeURIComponent(secret)}`;
    const result = redactSecrets(text, [secret]);
    assert.ok(!result.includes('p@ss'));
    assert.ok(!result.includes('p%40ss'));
    assert.equal(result.match(/\[redacted\]/g)?.length, 3);
  });

  test('a secret containing another is replaced whole', () => {
    assert.equal(redactSecrets('x abcdefgh y', ['abcd', 'abcdefgh']), 'x [redacted] y');
  });

  test('very short values and empty lists leave text alone', () => {
    assert.equal(redactSecrets('a b c', ['a', '']), 'a b c');
    assert.equal(redactSecrets('unchanged', []), 'unchanged');
  });

  test('the scrubber collects the configuration secrets, and the token of a Bearer header', () => {
    const scrubber = createSecretScrubber({
      ...config,
      extra: { headers: { Authorization: 'Bearer tok-123456' } },
    });
    const known = scrubber.secrets();
    for (const value of [SECRETS.password, SECRETS.clientSecret, SECRETS.token, 'tok-123456']) {
      assert.ok(known.includes(value));
    }
    assert.ok(!known.includes('sync'), 'the username is not a secret');
    assert.equal(scrubber.scrub(`use tok-123456 now`), 'use [redacted] now');
  });
});
